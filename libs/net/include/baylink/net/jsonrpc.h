// SPDX-License-Identifier: Apache-2.0
//
// JSON-RPC 2.0 (https://www.jsonrpc.org/specification) over HTTP POST: a dispatcher for the
// server side and a client. This is an RPC edge, so nlohmann/json appears here (as
// core::json::Json); request bodies are parsed with core::json::Parse, which refuses
// duplicate keys and deep nesting.
//
// Error objects. Every error the dispatcher sends is
//   {"code": c, "message": error.Message(), "data": {"errc": ErrcName(error.code)}}
// for a core::Error `error`, with the code c chosen as follows:
//   -32700 parse error       the body is not JSON (core::json::Parse failed; its error)
//   -32600 invalid request   not an object; "jsonrpc" missing or not "2.0"; "method" missing or
//                            not a string; "id" not a string, number or null; "params" not an
//                            object or array; an empty batch or one above the limit
//                            (kMalformed, or kOversized for the limit)
//   -32601 method not found  the message lists the known methods (kUnsupported)
//   -32602 invalid params    the handler returned kMalformed, kBadHex, kBadLength,
//                            kInvalidArgument, kTruncated, kTrailingBytes, kNonCanonical or
//                            kOversized
//   -32001 not found         the handler returned kNotFound
//   -32603 internal error    the handler returned a local failure (kIo, kStorage, kUnavailable,
//                            kTimeout, kCryptoBackend: retrying may help)
//   -32000 rejected          the handler returned any other rejected-input code
// The errc name in "data" lets a client rebuild the exact core::Error (RpcClient does).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "baylink/core/json.h"
#include "baylink/core/result.h"
#include "baylink/net/http.h"

namespace baylink::net {

using Json = core::json::Json;

// The JSON-RPC error code a handler's error is answered with (the table above).
int RpcErrorCode(core::Errc code);

// Routes JSON-RPC requests to handlers by method name.
// Thread safety: Add only before serving (it is not synchronised with Handle); Handle and the
// HTTP handler may then be called from any number of threads at once.
class RpcDispatcher {
 public:
  struct Options {
    std::size_t max_batch = 1000;  // the most requests one batch may hold
  };

  // Answers one call. `params` is the request's "params" (an object or an array), or null
  // when the request has none. Returns the result member, or an error mapped as above.
  // Called concurrently from server threads. It must not throw: an exception propagates out
  // of Handle (and the HTTP server answers 500).
  using Handler = std::function<core::Result<Json>(const Json& params)>;

  RpcDispatcher();  // default Options
  explicit RpcDispatcher(Options options);

  // Answers every call of one method in a batch at once (e.g. to admit many transactions
  // with one journal write): one result per params entry, in order. Same rules as Handler.
  using BatchHandler =
      std::function<std::vector<core::Result<Json>>(const std::vector<const Json*>& params)>;

  // Registers `handler` for `method`; adding a name again replaces its handler.
  void Add(std::string method, Handler handler);
  // Registers a batch handler for `method`: the well-formed calls of `method` in one batch
  // (notifications included) go to it together, before the batch's other calls run; a single
  // call goes to it alone. Answers keep the batch's order.
  void AddBatched(std::string method, BatchHandler handler);

  // Answers one HTTP body: a single request or a batch (an array of 1..max_batch requests,
  // answered by an array in the same order). A notification (a valid request without "id")
  // runs but gets no entry in the answer; when nothing remains to answer, returns nullopt.
  // An empty array is answered by one -32600 error, a batch above max_batch by one -32600
  // error naming the limit (neither runs any handler).
  std::optional<std::string> Handle(std::string_view body) const;

  // An HttpHandler serving POST on any target: 200 with Handle's answer, 204 when Handle
  // returned nullopt, 405 for any other method, 415 when a Content-Type is given and is not
  // application/json (parameters such as "; charset=utf-8" are allowed).
  // Requires: this dispatcher outlives the returned handler.
  HttpHandler AsHttpHandler() const;

 private:
  Options m_options;
  std::map<std::string, Handler, std::less<>> m_methods;  // sorted: error messages list them
  std::map<std::string, BatchHandler, std::less<>> m_batched;
};

// Calls methods on a JSON-RPC server over one HttpClient connection (POST to "/").
// Thread safety: none; use one client per thread.
class RpcClient {
 public:
  RpcClient(std::string host, std::uint16_t port,
            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Calls `method` with `params` (an object or array; null sends no params) and returns the
  // response's result member.
  // Errors:
  //  - an error object: core::Error with the code named by data.errc when the server sent a
  //    known one, else kUnavailable for -32603 and kMalformed for any other code; the detail
  //    is the server's message without the "errc: " prefix that Error::Message() adds, so
  //    the caller sees the server's Error as it was;
  //  - kMalformed: the answer is not a JSON-RPC 2.0 response to this call, or its HTTP status
  //    is a 4xx other than 413; kOversized for 413; kUnavailable for a 5xx;
  //  - the transport errors of HttpClient::Post.
  core::Result<Json> Call(std::string_view method, Json params = nullptr);

  // Sends the calls (method, params) as one batch; returns one result per call, in the order
  // of `calls`, each a result or an error mapped as by Call. An empty list sends nothing.
  // Errors (of the whole batch): the server answered with one error object instead of an
  // array (e.g. the batch is above its limit), mapped as by Call; kMalformed when the answer
  // is not an array of responses to these calls; the transport errors of HttpClient::Post.
  core::Result<std::vector<core::Result<Json>>> CallBatch(
      const std::vector<std::pair<std::string, Json>>& calls);

 private:
  core::Result<Json> Exchange(const Json& request);
  HttpClient m_http;
  std::uint64_t m_next_id = 1;
};

}  // namespace baylink::net
