// SPDX-License-Identifier: Apache-2.0
#include "baylink/net/jsonrpc.h"

#include <optional>
#include <utility>

#include "jsonrpc_common.h"

namespace baylink::net {
namespace {

using core::Errc;

// Rebuilds the core::Error an error object stands for (the mapping in jsonrpc.h).
core::Error FromErrorObject(const Json& error) {
  const auto code = error.find("code");
  const auto message = error.find("message");
  if (!error.is_object() || code == error.end() || !code->is_number_integer() ||
      message == error.end() || !message->is_string()) {
    return core::Fail(Errc::kMalformed,
                      "the server answered an error object without an integer code and a "
                      "string message: " + DumpJson(error));
  }
  std::string detail = message->get<std::string>();
  std::optional<Errc> errc;
  const auto data = error.find("data");
  if (data != error.end() && data->is_object()) {
    const auto name = data->find("errc");
    if (name != data->end() && name->is_string()) {
      errc = core::ErrcFromName(name->get_ref<const std::string&>());
    }
  }
  if (!errc) {
    const bool internal = code->get<int>() == kInternalError;
    return core::Fail(internal ? Errc::kUnavailable : Errc::kMalformed, std::move(detail));
  }
  // The server wrote Error::Message(), "errc: detail"; keep only the detail so the caller gets
  // the server's Error back as it was.
  const std::string prefix = std::string(core::ErrcName(*errc)) + ": ";
  if (detail.starts_with(prefix)) {
    detail.erase(0, prefix.size());
  } else if (detail == core::ErrcName(*errc)) {
    detail.clear();
  }
  return core::Fail(*errc, std::move(detail));
}

// The outcome of one response object: its result, or its error rebuilt.
core::Result<Json> FromResponse(const Json& response) {
  if (!response.is_object()) {
    return core::Fail(Errc::kMalformed, "the server's answer is not a JSON-RPC response object");
  }
  const auto version = response.find("jsonrpc");
  const auto result = response.find("result");
  const auto error = response.find("error");
  if (version == response.end() || *version != "2.0" ||
      (result == response.end()) == (error == response.end())) {
    return core::Fail(Errc::kMalformed,
                      "the server's answer is not a JSON-RPC 2.0 response (it needs \"jsonrpc\": "
                      "\"2.0\" and exactly one of \"result\" and \"error\")");
  }
  if (error != response.end()) return FromErrorObject(*error);
  return *result;
}

Json MakeRequest(std::string_view method, const Json& params, std::uint64_t id) {
  Json request = {{"jsonrpc", "2.0"}, {"method", std::string(method)}, {"id", id}};
  if (!params.is_null()) request["params"] = params;
  return request;
}

// The id of a response as one of ours (an unsigned number), or nullopt.
std::optional<std::uint64_t> IdOf(const Json& response) {
  const auto id = response.find("id");
  if (id == response.end() || !id->is_number_unsigned()) return std::nullopt;
  return id->get<std::uint64_t>();
}

}  // namespace

RpcClient::RpcClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : m_http(std::move(host), port, timeout) {}

core::Result<Json> RpcClient::Exchange(const Json& request) {
  BAYLINK_ASSIGN_OR_RETURN(HttpResponse response, m_http.Post("/", DumpJson(request)));
  if (response.status != 200) {
    const std::string what = "the server answered HTTP " + std::to_string(response.status) +
                             ": " + response.body.substr(0, 200);
    if (response.status == 413) return core::Fail(Errc::kOversized, what);
    if (response.status >= 500) return core::Fail(Errc::kUnavailable, what);
    return core::Fail(Errc::kMalformed, what);
  }
  core::Result<Json> parsed = core::json::Parse(response.body);
  if (!parsed) {
    return core::Fail(Errc::kMalformed,
                      "the server's answer is not JSON: " + parsed.error().Message());
  }
  return parsed;
}

core::Result<Json> RpcClient::Call(std::string_view method, Json params) {
  const std::uint64_t id = m_next_id++;
  BAYLINK_ASSIGN_OR_RETURN(Json response, Exchange(MakeRequest(method, params, id)));
  // An error the server could not attribute (a parse error, say) comes with a null id.
  if (response.is_object() && response.contains("id") && response["id"].is_null() &&
      response.contains("error")) {
    return FromResponse(response);
  }
  if (!response.is_object() || IdOf(response) != id) {
    return core::Fail(Errc::kMalformed, "the server's answer is not the response to call " +
                                            std::to_string(id) + " (" + std::string(method) +
                                            ")");
  }
  return FromResponse(response);
}

core::Result<std::vector<core::Result<Json>>> RpcClient::CallBatch(
    const std::vector<std::pair<std::string, Json>>& calls) {
  std::vector<core::Result<Json>> results;
  if (calls.empty()) return results;
  const std::uint64_t first_id = m_next_id;
  m_next_id += calls.size();
  Json batch = Json::array();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    batch.push_back(MakeRequest(calls[i].first, calls[i].second, first_id + i));
  }
  BAYLINK_ASSIGN_OR_RETURN(Json answer, Exchange(batch));
  // One object instead of an array: the server refused the batch as a whole.
  if (answer.is_object()) {
    core::Result<Json> whole = FromResponse(answer);
    if (!whole) return std::move(whole).error();
    return core::Fail(Errc::kMalformed, "the server answered a batch with a single result");
  }
  if (!answer.is_array()) {
    return core::Fail(Errc::kMalformed, "the server's answer to a batch is not an array");
  }
  std::vector<std::optional<core::Result<Json>>> slots(calls.size());
  for (const Json& response : answer) {
    const std::optional<std::uint64_t> id =
        response.is_object() ? IdOf(response) : std::nullopt;
    if (!id || *id < first_id || *id - first_id >= calls.size() || slots[*id - first_id]) {
      // A response we cannot place: a request the server found invalid as a whole, or a
      // broken server. Its error, if it has one, says more than a generic message would.
      core::Result<Json> unplaced = FromResponse(response);
      if (!unplaced) return std::move(unplaced).error();
      return core::Fail(Errc::kMalformed,
                        "the server's answer to a batch holds a response to no call sent");
    }
    slots[*id - first_id] = FromResponse(response);
  }
  results.reserve(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (!slots[i]) {
      slots[i].emplace(core::Fail(Errc::kMalformed, "the server sent no response to call " +
                                                        std::to_string(i) + " (" +
                                                        calls[i].first + ")"));
    }
    results.push_back(std::move(*slots[i]));
  }
  return results;
}

}  // namespace baylink::net
