// SPDX-License-Identifier: Apache-2.0
#include "baylink/net/jsonrpc.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "jsonrpc_common.h"

namespace baylink::net {
namespace {

using core::Errc;
using Methods = std::map<std::string, RpcDispatcher::Handler, std::less<>>;

Json ErrorResponse(const core::Error& error, int code, Json id) {
  return Json{{"jsonrpc", "2.0"},
              {"error",
               {{"code", code},
                {"message", error.Message()},
                {"data", {{"errc", std::string(core::ErrcName(error.code))}}}}},
              {"id", std::move(id)}};
}

Json InvalidRequest(std::string detail, Json id) {
  return ErrorResponse(core::Fail(Errc::kMalformed, std::move(detail)), kInvalidRequest,
                       std::move(id));
}

std::string KnownMethods(const Methods& methods) {
  if (methods.empty()) return "none";
  std::string out;
  for (const auto& [name, handler] : methods) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// The answer to one request of a body (the body itself or one element of a batch); nullopt for
// a notification. The checks run in the order of the error table in jsonrpc.h, except that
// the id is read first so the errors that follow can name it.
std::optional<Json> AnswerOne(const Methods& methods, const Json& request) {
  if (!request.is_object()) {
    return InvalidRequest(std::string("a request must be a JSON object, not ") +
                              request.type_name(),
                          nullptr);
  }
  Json id = nullptr;
  const auto id_it = request.find("id");
  const bool notification = id_it == request.end();
  if (!notification) {
    if (!id_it->is_string() && !id_it->is_number() && !id_it->is_null()) {
      return InvalidRequest("\"id\" must be a string, a number or null", nullptr);
    }
    id = *id_it;
  }
  const auto version = request.find("jsonrpc");
  if (version == request.end() || !version->is_string() ||
      version->get_ref<const std::string&>() != "2.0") {
    return InvalidRequest("\"jsonrpc\" must be \"2.0\"", id);
  }
  const auto method_it = request.find("method");
  if (method_it == request.end() || !method_it->is_string()) {
    return InvalidRequest("\"method\" must be a string", id);
  }
  const auto params_it = request.find("params");
  if (params_it != request.end() && !params_it->is_object() && !params_it->is_array()) {
    return InvalidRequest("\"params\" must be an object or an array when present", id);
  }

  const std::string& method = method_it->get_ref<const std::string&>();
  const auto handler = methods.find(method);
  if (handler == methods.end()) {
    if (notification) return std::nullopt;
    return ErrorResponse(core::Fail(Errc::kUnsupported, "method '" + method +
                                                            "' not found; known methods: " +
                                                            KnownMethods(methods)),
                         kMethodNotFound, id);
  }
  static const Json kNoParams = nullptr;
  core::Result<Json> result =
      handler->second(params_it == request.end() ? kNoParams : *params_it);
  if (notification) return std::nullopt;
  if (!result) return ErrorResponse(result.error(), RpcErrorCode(result.error().code), id);
  return Json{{"jsonrpc", "2.0"}, {"result", std::move(result).value()}, {"id", id}};
}

// "application/json", in any case, optionally followed by parameters ("; charset=utf-8").
bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  return std::equal(type.begin(), type.end(), kJson.begin(), kJson.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

}  // namespace

int RpcErrorCode(Errc code) {
  switch (code) {
    case Errc::kMalformed:
    case Errc::kBadHex:
    case Errc::kBadLength:
    case Errc::kInvalidArgument:
    case Errc::kTruncated:
    case Errc::kTrailingBytes:
    case Errc::kNonCanonical:
    case Errc::kOversized:
      return kInvalidParams;
    case Errc::kNotFound:
      return kNotFoundCode;
    default:
      return core::IsRejectedInput(code) ? kRejected : kInternalError;
  }
}

RpcDispatcher::RpcDispatcher() : RpcDispatcher(Options()) {}

RpcDispatcher::RpcDispatcher(Options options) : m_options(options) {}

void RpcDispatcher::Add(std::string method, Handler handler) {
  m_batched.erase(method);
  m_methods.insert_or_assign(std::move(method), std::move(handler));
}

void RpcDispatcher::AddBatched(std::string method, BatchHandler handler) {
  // A single call goes through the batch handler too, so both paths answer alike.
  m_methods.insert_or_assign(method, [handler](const Json& params) {
    std::vector<core::Result<Json>> results = handler({&params});
    return std::move(results.front());
  });
  m_batched.insert_or_assign(std::move(method), std::move(handler));
}

std::optional<std::string> RpcDispatcher::Handle(std::string_view body) const {
  core::Result<Json> parsed = core::json::Parse(body);
  if (!parsed) return DumpJson(ErrorResponse(parsed.error(), kParseError, nullptr));
  const Json& request = *parsed;
  if (!request.is_array()) {
    std::optional<Json> answer = AnswerOne(m_methods, request);
    if (!answer) return std::nullopt;
    return DumpJson(*answer);
  }
  if (request.empty()) return DumpJson(InvalidRequest("a batch must not be empty", nullptr));
  if (request.size() > m_options.max_batch) {
    return DumpJson(ErrorResponse(
        core::Fail(Errc::kOversized, "a batch holds " + std::to_string(request.size()) +
                                         " requests, above the limit of " +
                                         std::to_string(m_options.max_batch) + "; split it"),
        kInvalidRequest, nullptr));
  }
  // Well-formed calls of batched methods run first, together, one handler call per method.
  static const Json kNoParams = nullptr;
  std::vector<std::optional<core::Result<Json>>> early(request.size());
  for (const auto& [name, handler] : m_batched) {
    std::vector<std::size_t> positions;
    std::vector<const Json*> params;
    for (std::size_t i = 0; i < request.size(); ++i) {
      const Json& e = request[i];
      if (!e.is_object()) continue;
      const auto version = e.find("jsonrpc");
      const auto method = e.find("method");
      const auto p = e.find("params");
      const auto id = e.find("id");
      if (version == e.end() || !version->is_string() ||
          version->get_ref<const std::string&>() != "2.0" || method == e.end() ||
          !method->is_string() || method->get_ref<const std::string&>() != name ||
          (p != e.end() && !p->is_object() && !p->is_array()) ||
          (id != e.end() && !id->is_string() && !id->is_number() && !id->is_null())) {
        continue;  // answered (or refused) one by one below
      }
      positions.push_back(i);
      params.push_back(p == e.end() ? &kNoParams : &*p);
    }
    if (positions.empty()) continue;
    std::vector<core::Result<Json>> results = handler(params);
    for (std::size_t k = 0; k < positions.size() && k < results.size(); ++k) {
      early[positions[k]] = std::move(results[k]);
    }
  }
  Json answers = Json::array();
  for (std::size_t i = 0; i < request.size(); ++i) {
    const Json& element = request[i];
    if (early[i]) {
      const auto id = element.find("id");
      if (id == element.end()) continue;  // a notification
      core::Result<Json>& result = *early[i];
      answers.push_back(result ? Json{{"jsonrpc", "2.0"}, {"result", std::move(result).value()},
                                      {"id", *id}}
                               : ErrorResponse(result.error(), RpcErrorCode(result.error().code), *id));
      continue;
    }
    if (std::optional<Json> answer = AnswerOne(m_methods, element)) {
      answers.push_back(std::move(*answer));
    }
  }
  if (answers.empty()) return std::nullopt;
  return DumpJson(answers);
}

HttpHandler RpcDispatcher::AsHttpHandler() const {
  return [this](const HttpRequest& request) -> HttpResponse {
    if (request.method != "POST") {
      return HttpResponse{405, "text/plain",
                          "JSON-RPC is served by POST, not " + request.method + "\n"};
    }
    if (!request.content_type.empty() && !IsJsonMediaType(request.content_type)) {
      return HttpResponse{415, "text/plain",
                          "Content-Type must be application/json, not '" +
                              request.content_type + "'\n"};
    }
    std::optional<std::string> answer = Handle(request.body);
    if (!answer) return HttpResponse{204, "", ""};
    return HttpResponse{200, "application/json", std::move(*answer)};
  };
}

}  // namespace baylink::net
