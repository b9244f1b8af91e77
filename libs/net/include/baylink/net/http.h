// SPDX-License-Identifier: Apache-2.0
//
// HTTP/1.1 server and client (DESIGN §2 libs/net), for JSON APIs: the node's RPC and the
// gateway's /v1 API. Boost.Beast stays behind this header (no Beast or Asio type appears in
// it). Connections are kept alive between requests unless either side says "Connection: close".
//
// The server is built to face untrusted clients: every request is bounded in size (body and
// header) and in the time it takes to arrive, and the number of open connections is capped.
// A request it cannot parse is answered 400 and its connection closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "baylink/core/result.h"

namespace baylink::net {

// One request as the server received it.
struct HttpRequest {
  std::string method;        // "GET", "POST", ... as sent
  std::string target;        // the request target, e.g. "/v1/blocks/7?proof=1"
  std::string content_type;  // the Content-Type header, empty when absent
  std::string body;
  std::string remote;        // the peer as "ip:port" ("[ip6]:port" for IPv6)
};

// What the handler answers. The server adds Content-Length and the Connection header.
struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";  // omitted from the response when empty
  std::string body;
};

// Answers one request. Called on the server's threads, possibly by several at once, so it must
// be safe to call concurrently. It should not throw: an exception is caught and answered 500,
// and the server keeps serving. It blocks one server thread while it runs.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string bind_address = "127.0.0.1";  // an IPv4 or IPv6 address literal, not a host name
  std::uint16_t port = 0;                  // 0: an ephemeral port, see HttpServer::port()
  // A request whose body is larger is answered 413 and its connection closed.
  std::size_t max_body_bytes = 4u << 20;
  // A request whose request line and headers are larger is answered 431 and its connection
  // closed.
  std::size_t max_header_bytes = 16u << 10;
  // Open connections beyond this many are answered 503 (without waiting for their request)
  // and closed.
  std::size_t max_connections = 256;
  // The time a client has to send one whole request, counted from the end of the previous
  // response on a kept-alive connection (so it is also the idle timeout), and to take one
  // response. On expiry the connection is closed without an answer.
  std::chrono::milliseconds request_timeout{10000};
  unsigned threads = 2;  // threads running the handler and the network I/O
};

class HttpServer {
 public:
  // Counters since Start; each is updated as the event happens.
  struct Stats {
    std::uint64_t requests = 0;                       // requests passed to the handler
    std::uint64_t rejected_too_large = 0;             // answered 413 or 431
    std::uint64_t rejected_too_many_connections = 0;  // answered 503 at connection time
    std::uint64_t timed_out = 0;                      // closed by request_timeout
    std::uint64_t malformed = 0;                      // answered 400
  };

  // Binds `options.bind_address`:`options.port`, listens, and starts `options.threads`
  // threads that accept connections and call `handler`.
  // Errors:
  //  - kInvalidArgument: bind_address is not an IP address literal, threads is 0, or a limit
  //    (max_body_bytes, max_header_bytes, max_connections, request_timeout) is 0 or negative;
  //    the message names the option;
  //  - kIo: the socket cannot be opened, bound or put to listen (for example the port is in
  //    use); the message names address:port and the system's reason.
  // Thread safety: any thread.
  static core::Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                         HttpHandler handler);

  // Stops the server (see Stop).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops accepting, closes every connection (a response being written may be cut short),
  // waits for handlers that are running to return and joins the threads. Idempotent.
  // Requires: not called from a handler (it would wait for itself). Any other thread.
  void Stop();

  // The port the server listens on (the real one when options.port was 0). Any thread.
  std::uint16_t port() const;

  // A snapshot of the counters. Any thread.
  Stats stats() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// A client holding one keep-alive connection to host:port, opened on the first request and
// reopened when the server has closed it. Plain HTTP only.
// Thread safety: none; use one client per thread.
class HttpClient {
 public:
  // Nothing is resolved or connected until the first request. `timeout` bounds each request
  // from its start: connecting, sending and receiving the whole response (name resolution uses
  // the system resolver and is not bounded by it).
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends a POST of `body` to `target` and returns the response, whatever its status.
  // When a kept-alive connection turns out to have been closed by the server before any part
  // of the response arrived, the request is sent once more on a new connection (the server
  // closing an idle connection just as a request arrives is the usual cause).
  // WARNING: a server that read the request and then closed without answering (it crashed,
  // say) thus receives it twice; requests whose repetition matters carry their own guard (a
  // transaction its nonce).
  // Errors:
  //  - kUnavailable: host does not resolve, or no connection can be made;
  //  - kTimeout: no connection or no complete response within the timeout;
  //  - kIo: the connection broke before the response was complete;
  //  - kMalformed: the server's answer is not HTTP/1.x;
  //  - kOversized: the response body is larger than 64 MiB;
  //  - kInvalidArgument: `target` is empty or holds a space or control character, or
  //    `content_type` holds a control character (either would corrupt the request).
  // After an error the connection is closed; the next request opens a new one.
  core::Result<HttpResponse> Post(std::string_view target, std::string_view body,
                                  std::string_view content_type = "application/json");

  // Sends a GET of `target`. Errors: as Post.
  core::Result<HttpResponse> Get(std::string_view target);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace baylink::net
