// SPDX-License-Identifier: Apache-2.0
//
// The behaviour jsonrpc.h specifies: the dispatcher on bodies directly, then the client against
// a server over HTTP.
#include <doctest/doctest.h>

#include <memory>

#include "baylink/net/jsonrpc.h"
#include "raw_socket.h"

namespace baylink::net::testing {
namespace jsonrpc_test {
namespace {

using core::Errc;

// A dispatcher with "add" (two numbers in an array), "echo" (returns its params, null when
// absent) and "fail" (returns the error named by params.errc with detail params.detail).
RpcDispatcher MakeDispatcher(RpcDispatcher::Options options = RpcDispatcher::Options()) {
  RpcDispatcher dispatcher(options);
  dispatcher.Add("add", [](const Json& params) -> core::Result<Json> {
    if (!params.is_array() || params.size() != 2 || !params[0].is_number_integer() ||
        !params[1].is_number_integer()) {
      return core::Fail(Errc::kInvalidArgument, "add takes two integers");
    }
    return Json(params[0].get<std::int64_t>() + params[1].get<std::int64_t>());
  });
  dispatcher.Add("echo", [](const Json& params) -> core::Result<Json> { return params; });
  dispatcher.Add("fail", [](const Json& params) -> core::Result<Json> {
    return core::Fail(*core::ErrcFromName(params.at("errc").get<std::string>()),
                      params.at("detail").get<std::string>());
  });
  return dispatcher;
}

// The answer to `body`, parsed; null when there is none.
Json Answer(const RpcDispatcher& dispatcher, std::string_view body) {
  const std::optional<std::string> answer = dispatcher.Handle(body);
  if (!answer) return nullptr;
  auto parsed = core::json::Parse(*answer);
  REQUIRE_MESSAGE(parsed, parsed.error().Message());
  return *parsed;
}

Json FailCall(std::string_view errc, std::string_view detail, int id = 1) {
  return Json{{"jsonrpc", "2.0"},
              {"method", "fail"},
              {"params", {{"errc", errc}, {"detail", detail}}},
              {"id", id}};
}

TEST_CASE("a request is answered with its handler's result and its own id") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  CHECK(Answer(dispatcher, R"({"jsonrpc":"2.0","method":"add","params":[2,3],"id":7})") ==
        Json::parse(R"({"jsonrpc":"2.0","result":5,"id":7})"));
  CHECK(Answer(dispatcher, R"({"jsonrpc":"2.0","method":"echo","params":{"k":"v"},"id":"s"})") ==
        Json::parse(R"({"jsonrpc":"2.0","result":{"k":"v"},"id":"s"})"));
  // Without params the handler sees null; a null id is echoed.
  CHECK(Answer(dispatcher, R"({"jsonrpc":"2.0","method":"echo","id":null})") ==
        Json::parse(R"({"jsonrpc":"2.0","result":null,"id":null})"));
}

TEST_CASE("a batch is answered in order, without entries for its notifications") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  const Json answer = Answer(dispatcher, R"([
    {"jsonrpc":"2.0","method":"add","params":[1,1],"id":1},
    {"jsonrpc":"2.0","method":"add","params":[5,5]},
    {"jsonrpc":"2.0","method":"nope","id":2},
    7,
    {"jsonrpc":"2.0","method":"add","params":[2,2],"id":3}
  ])");
  REQUIRE(answer.is_array());
  REQUIRE(answer.size() == 4);
  CHECK(answer[0] == Json::parse(R"({"jsonrpc":"2.0","result":2,"id":1})"));
  CHECK(answer[1]["error"]["code"] == -32601);
  CHECK(answer[1]["id"] == 2);
  CHECK(answer[2]["error"]["code"] == -32600);
  CHECK(answer[2]["id"] == nullptr);
  CHECK(answer[3] == Json::parse(R"({"jsonrpc":"2.0","result":4,"id":3})"));
}

TEST_CASE("notifications run but are not answered, even for an unknown method") {
  int calls = 0;
  RpcDispatcher dispatcher;
  dispatcher.Add("count", [&](const Json&) -> core::Result<Json> {
    ++calls;
    return Json(calls);
  });
  CHECK_FALSE(dispatcher.Handle(R"({"jsonrpc":"2.0","method":"count"})"));
  CHECK_FALSE(dispatcher.Handle(R"({"jsonrpc":"2.0","method":"unknown"})"));
  CHECK_FALSE(dispatcher.Handle(
      R"([{"jsonrpc":"2.0","method":"count"},{"jsonrpc":"2.0","method":"count","params":[]}])"));
  CHECK(calls == 3);
}

TEST_CASE("a body that is not JSON is answered with a parse error and a null id") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  for (std::string_view body : {"", "{", "[1,2", "{\"jsonrpc\":\"2.0\",}", "nul"}) {
    CAPTURE(body);
    const Json answer = Answer(dispatcher, body);
    CHECK(answer["error"]["code"] == -32700);
    CHECK(answer["error"]["data"]["errc"] == "malformed");
    CHECK(answer["id"] == nullptr);
  }
}

TEST_CASE("a request repeating a JSON key is refused as a parse error naming the key") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  const Json answer = Answer(
      dispatcher, R"({"jsonrpc":"2.0","method":"add","method":"echo","params":[1,2],"id":1})");
  CHECK(answer["error"]["code"] == -32700);
  CHECK(answer["error"]["message"].get<std::string>().find("'method'") != std::string::npos);
}

TEST_CASE("each kind of invalid request is answered -32600, echoing the id when it is valid") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  struct Case {
    const char* body;
    Json id;
  };
  const Case cases[] = {
      {R"(42)", nullptr},
      {R"("add")", nullptr},
      {R"({})", nullptr},
      {R"({"method":"add","id":1})", 1},
      {R"({"jsonrpc":"1.0","method":"add","id":2})", 2},
      {R"({"jsonrpc":2.0,"method":"add","id":3})", 3},
      {R"({"jsonrpc":"2.0","id":4})", 4},
      {R"({"jsonrpc":"2.0","method":5,"id":5})", 5},
      {R"({"jsonrpc":"2.0","method":"add","id":{}})", nullptr},
      {R"({"jsonrpc":"2.0","method":"add","id":[1]})", nullptr},
      {R"({"jsonrpc":"2.0","method":"add","id":true})", nullptr},
      {R"({"jsonrpc":"2.0","method":"add","params":"1,2","id":"p"})", "p"},
      {R"({"jsonrpc":"2.0","method":"add","params":3})", nullptr},
      {R"([])", nullptr},
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    const Json answer = Answer(dispatcher, c.body);
    REQUIRE(answer.is_object());
    CHECK(answer["jsonrpc"] == "2.0");
    CHECK(answer["error"]["code"] == -32600);
    CHECK(answer["error"]["data"]["errc"] == "malformed");
    CHECK(answer["id"] == c.id);
  }
}

TEST_CASE("an unknown method is answered -32601 with the list of known methods") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  const Json answer = Answer(dispatcher, R"({"jsonrpc":"2.0","method":"sub","id":1})");
  CHECK(answer["error"]["code"] == -32601);
  CHECK(answer["error"]["data"]["errc"] == "unsupported");
  CHECK(answer["error"]["message"] ==
        "unsupported: method 'sub' not found; known methods: add, echo, fail");
}

TEST_CASE("a handler's error code chooses the JSON-RPC code, and the error travels whole") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  const std::pair<const char*, int> cases[] = {
      {"malformed", -32602},     {"bad_hex", -32602},        {"bad_length", -32602},
      {"invalid_argument", -32602}, {"truncated", -32602},   {"trailing_bytes", -32602},
      {"non_canonical", -32602}, {"oversized", -32602},      {"not_found", -32001},
      {"io", -32603},            {"storage", -32603},        {"unavailable", -32603},
      {"timeout", -32603},       {"crypto_backend", -32603}, {"bad_signature", -32000},
      {"locked", -32000},        {"expired", -32000},        {"duplicate", -32000},
  };
  for (const auto& [errc, code] : cases) {
    CAPTURE(errc);
    const Json answer = Answer(dispatcher, FailCall(errc, "what went wrong").dump());
    CHECK(answer["error"] == Json{{"code", code},
                                  {"message", std::string(errc) + ": what went wrong"},
                                  {"data", {{"errc", errc}}}});
    CHECK(answer["id"] == 1);
    CHECK(RpcErrorCode(*core::ErrcFromName(errc)) == code);
  }
}

TEST_CASE("a batch above the limit is refused whole with one error naming the limit") {
  int calls = 0;
  RpcDispatcher dispatcher(RpcDispatcher::Options{.max_batch = 3});
  dispatcher.Add("count", [&](const Json&) -> core::Result<Json> { return Json(++calls); });
  const std::string call = R"({"jsonrpc":"2.0","method":"count","id":1})";
  CHECK(Answer(dispatcher, "[" + call + "," + call + "," + call + "]").size() == 3);
  const Json answer = Answer(dispatcher, "[" + call + "," + call + "," + call + "," + call + "]");
  REQUIRE(answer.is_object());
  CHECK(answer["error"]["code"] == -32600);
  CHECK(answer["error"]["data"]["errc"] == "oversized");
  CHECK(answer["error"]["message"].get<std::string>().find("limit of 3") != std::string::npos);
  CHECK(calls == 3);
}

TEST_CASE("the HTTP handler serves POST of JSON and refuses other methods and content types") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  const HttpHandler handler = dispatcher.AsHttpHandler();
  const std::string call = R"({"jsonrpc":"2.0","method":"add","params":[1,2],"id":1})";
  auto request = [](std::string method, std::string content_type, std::string body) {
    return HttpRequest{std::move(method), "/", std::move(content_type), std::move(body),
                       "127.0.0.1:1"};
  };
  const HttpResponse ok = handler(request("POST", "application/json", call));
  CHECK(ok.status == 200);
  CHECK(ok.content_type == "application/json");
  CHECK(Json::parse(ok.body)["result"] == 3);
  CHECK(handler(request("POST", "", call)).status == 200);
  CHECK(handler(request("POST", "Application/JSON; charset=utf-8", call)).status == 200);
  CHECK(handler(request("POST", "application/json", R"({"jsonrpc":"2.0","method":"add"})"))
            .status == 204);
  CHECK(handler(request("GET", "", "")).status == 405);
  CHECK(handler(request("POST", "text/plain", call)).status == 415);
  CHECK(handler(request("POST", "application/jsonx", call)).status == 415);
}

// A JSON-RPC server on 127.0.0.1 for the client tests.
struct RpcServer {
  explicit RpcServer(const RpcDispatcher& dispatcher) {
    auto started = HttpServer::Start({}, dispatcher.AsHttpHandler());
    REQUIRE_MESSAGE(started, started.error().Message());
    server = std::move(started).value();
  }
  std::unique_ptr<HttpServer> server;
};

TEST_CASE("a client's calls return results, and errors come back as the handler's Error") {
  const RpcDispatcher dispatcher = MakeDispatcher();
  RpcServer rpc(dispatcher);
  RpcClient client("127.0.0.1", rpc.server->port());

  auto sum = client.Call("add", Json::array({20, 22}));
  REQUIRE_MESSAGE(sum, sum.error().Message());
  CHECK(*sum == 42);
  auto echoed = client.Call("echo");
  REQUIRE(echoed);
  CHECK(echoed->is_null());

  auto missing = client.Call("fail", {{"errc", "not_found"}, {"detail", "block 9 not found"}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::kNotFound);
  CHECK(missing.error().detail == "block 9 not found");
  auto locked = client.Call("fail", {{"errc", "locked"}, {"detail", "key locked by xtx 3"}});
  REQUIRE_FALSE(locked);
  CHECK(locked.error().code == Errc::kLocked);
  CHECK(locked.error().detail == "key locked by xtx 3");

  auto unknown = client.Call("sub", Json::array({1, 2}));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::kUnsupported);
  CHECK(unknown.error().detail.find("known methods: add, echo, fail") != std::string::npos);
}

TEST_CASE("a client maps error objects without a known errc by their JSON-RPC code") {
  // A server that answers every call with the error object in its target's table.
  auto started = HttpServer::Start({}, [](const HttpRequest& request) {
    const Json call = Json::parse(request.body);
    const std::string which = call["method"];
    Json error = {{"code", -32603}, {"message", "database down"}};
    if (which == "plain") error = {{"code", -32000}, {"message", "no"}};
    if (which == "odd-errc") {
      error = {{"code", -32603}, {"message", "x"}, {"data", {{"errc", "no_such_code"}}}};
    }
    if (which == "bad-object") error = {{"message", "no code"}};
    const Json answer = {{"jsonrpc", "2.0"}, {"error", error}, {"id", call["id"]}};
    return HttpResponse{200, "application/json", answer.dump()};
  });
  REQUIRE(started);
  RpcClient client("127.0.0.1", (*started)->port());

  auto internal = client.Call("internal");
  REQUIRE_FALSE(internal);
  CHECK(internal.error().code == Errc::kUnavailable);
  CHECK(internal.error().detail == "database down");
  CHECK(client.Call("plain").error().code == Errc::kMalformed);
  CHECK(client.Call("odd-errc").error().code == Errc::kUnavailable);
  CHECK(client.Call("bad-object").error().code == Errc::kMalformed);
}

TEST_CASE("a client refuses answers that are not the response to its call") {
  auto started = HttpServer::Start({}, [](const HttpRequest& request) {
    if (request.body.find("wrong-id") != std::string::npos) {
      return HttpResponse{200, "application/json", R"({"jsonrpc":"2.0","result":1,"id":999})"};
    }
    if (request.body.find("both") != std::string::npos) {
      return HttpResponse{200, "application/json",
                          R"({"jsonrpc":"2.0","result":1,"error":{},"id":1})"};
    }
    if (request.body.find("status") != std::string::npos) {
      return HttpResponse{503, "text/plain", "busy"};
    }
    return HttpResponse{200, "application/json", "not json"};
  });
  REQUIRE(started);
  RpcClient client("127.0.0.1", (*started)->port());
  CHECK(client.Call("wrong-id").error().code == Errc::kMalformed);
  CHECK(client.Call("both").error().code == Errc::kMalformed);
  CHECK(client.Call("status").error().code == Errc::kUnavailable);
  CHECK(client.Call("text").error().code == Errc::kMalformed);
}

TEST_CASE("a client's batch returns one result per call in order, and a refused batch fails") {
  const RpcDispatcher dispatcher = MakeDispatcher(RpcDispatcher::Options{.max_batch = 3});
  RpcServer rpc(dispatcher);
  RpcClient client("127.0.0.1", rpc.server->port());

  auto results = client.CallBatch({{"add", Json::array({1, 2})},
                                   {"fail", {{"errc", "bad_proof"}, {"detail", "root differs"}}},
                                   {"add", Json::array({3, 4})}});
  REQUIRE_MESSAGE(results, results.error().Message());
  REQUIRE(results->size() == 3);
  CHECK((*results)[0].value() == 3);
  REQUIRE_FALSE((*results)[1]);
  CHECK((*results)[1].error().code == Errc::kBadProof);
  CHECK((*results)[1].error().detail == "root differs");
  CHECK((*results)[2].value() == 7);

  CHECK(client.CallBatch({}).value().empty());

  const std::vector<std::pair<std::string, Json>> too_many(4, {"add", Json::array({1, 1})});
  auto refused = client.CallBatch(too_many);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::kOversized);
  CHECK(refused.error().detail.find("limit of 3") != std::string::npos);
}

}  // namespace
}  // namespace jsonrpc_test
}  // namespace baylink::net::testing
