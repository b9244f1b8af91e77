// SPDX-License-Identifier: Apache-2.0
#include "baylink/net/http.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "baylink/core/thread_name.h"
#include "endpoint.h"

namespace baylink::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What the acceptor and every session share. It lives in HttpServer::Impl, which destroys all
// sessions (with the io_context) before it goes.
struct Shared {
  HttpServerOptions options;
  HttpHandler handler;
  std::atomic<std::size_t> open_connections{0};  // admitted sessions alive
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> rejected_too_large{0};
  std::atomic<std::uint64_t> rejected_too_many_connections{0};
  std::atomic<std::uint64_t> timed_out{0};
  std::atomic<std::uint64_t> malformed{0};
};

HttpResponse Plain(unsigned status, std::string text) {
  return HttpResponse{status, "text/plain", std::move(text) + "\n"};
}

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_method).category();
}

// One connection, on its own strand: read a request, answer it, and again while kept alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr std::size_t kReadBufferBytes = 64u << 10;

  // `admitted` is false for a connection beyond max_connections: it is answered 503.
  Session(tcp::socket socket, Shared& shared, bool admitted)
      : m_stream(std::move(socket)), m_shared(shared), m_admitted(admitted) {
    beast::error_code ec;
    const tcp::endpoint peer = m_stream.socket().remote_endpoint(ec);
    if (!ec) m_remote = FormatEndpoint(peer.address().to_string(), peer.port());
  }
  ~Session() {
    if (m_admitted) --m_shared.open_connections;
  }

  void Start() {
    asio::dispatch(m_stream.get_executor(), [self = shared_from_this()] {
      if (self->m_admitted) return self->Read();
      self->Reply(Plain(503, "too many connections; retry later"), /*close=*/true);
    });
  }

 private:
  void Read() {
    // Beast reads into this buffer, at most its free capacity at a time (at least 512 bytes),
    // and the parser moves the body out of it: left small, a 150 KB batch of transactions
    // took hundreds of receive calls, each arming and cancelling the stream's timer.
    if (m_buffer.capacity() < kReadBufferBytes) m_buffer.reserve(kReadBufferBytes);
    m_parser.emplace();
    m_parser->body_limit(m_shared.options.max_body_bytes);
    m_parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        m_shared.options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    m_stream.expires_after(m_shared.options.request_timeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    // The stream closed the socket on expiry; nothing can be answered.
    if (ec == beast::error::timeout) {
      ++m_shared.timed_out;
      return;
    }
    // The client closed the connection, between requests or in the middle of one.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return;
    if (ec == http::error::body_limit) {
      ++m_shared.rejected_too_large;
      return Reply(Plain(413, "request body above the limit of " +
                                  std::to_string(m_shared.options.max_body_bytes) + " bytes"),
                   true);
    }
    if (ec == http::error::header_limit) {
      ++m_shared.rejected_too_large;
      return Reply(Plain(431, "request headers above the limit of " +
                                  std::to_string(m_shared.options.max_header_bytes) + " bytes"),
                   true);
    }
    if (ec && IsParseError(ec)) {
      ++m_shared.malformed;
      return Reply(Plain(400, "malformed HTTP request: " + ec.message()), true);
    }
    if (ec) return;  // the connection broke

    ++m_shared.requests;
    auto& message = m_parser->get();
    m_version = message.version();
    HttpRequest request{std::string(message.method_string()), std::string(message.target()),
                        std::string(message[http::field::content_type]),
                        std::move(message.body()), m_remote};
    Reply(CallHandler(request), !message.keep_alive());
  }

  HttpResponse CallHandler(const HttpRequest& request) {
    // A failing handler costs one request, never the server.
    try {
      HttpResponse response = m_shared.handler(request);
      // Only final statuses beast can write; anything else is a handler bug.
      if (response.status < 200 || response.status > 599) {
        return Plain(500, "internal error: the handler answered status " +
                              std::to_string(response.status));
      }
      return response;
    } catch (const std::exception& e) {
      return Plain(500, std::string("internal error: ") + e.what());
    } catch (...) {
      return Plain(500, "internal error");
    }
  }

  void Reply(HttpResponse response, bool close) {
    m_response.emplace();
    auto& out = *m_response;
    out.version(m_version);
    out.result(response.status);
    if (!response.content_type.empty()) out.set(http::field::content_type, response.content_type);
    // 204 and 304 carry no body (prepare_payload would refuse one).
    if (response.status != 204 && response.status != 304) out.body() = std::move(response.body);
    out.keep_alive(!close);
    out.prepare_payload();
    m_stream.expires_after(m_shared.options.request_timeout);
    http::async_write(m_stream, out,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == beast::error::timeout) ++m_shared.timed_out;
    if (ec) return;
    if (close) return Linger();
    Read();
  }

  // Closing a socket with unread input makes the kernel reset the connection, and the client
  // may then lose the answer just sent (a 413 or 400 comes before the rest of the request is
  // read). So: stop sending, drop what still comes until the client closes or the timeout
  // expires, then close.
  void Linger() {
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    m_stream.expires_after(m_shared.options.request_timeout);
    Drain();
  }
  void Drain() {
    m_stream.async_read_some(asio::buffer(m_drain),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (!ec) self->Drain();
                             });
  }

  beast::tcp_stream m_stream;
  Shared& m_shared;
  const bool m_admitted;
  std::string m_remote;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::optional<http::response<http::string_body>> m_response;
  unsigned m_version = 11;
  std::array<char, 4096> m_drain{};
};

}  // namespace

struct HttpServer::Impl {
  Shared shared;
  std::uint16_t port = 0;
  // Destroyed in Stop, in this order: the io_context last, taking the sessions with it.
  std::optional<asio::io_context> io;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> retry_timer;  // on the acceptor's strand
  std::vector<std::thread> threads;
  std::mutex stop_mutex;  // serialises Stop; guards `stopped`
  bool stopped = false;

  void Accept() {
    acceptor->async_accept(asio::make_strand(*io),
                           [this](beast::error_code ec, tcp::socket socket) {
                             OnAccept(ec, std::move(socket));
                           });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors and the like: wait a little instead of spinning on the error.
      retry_timer->expires_after(std::chrono::milliseconds(50));
      retry_timer->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    // Only this strand admits, so the count never exceeds the limit; sessions only decrement.
    const bool admitted = shared.open_connections < shared.options.max_connections;
    if (admitted) {
      ++shared.open_connections;
    } else {
      ++shared.rejected_too_many_connections;
    }
    std::make_shared<Session>(std::move(socket), shared, admitted)->Start();
    Accept();
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                            HttpHandler handler) {
  using core::Errc;
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.bind_address, ec);
  if (ec) {
    return core::Fail(Errc::kInvalidArgument, "bind_address '" + options.bind_address +
                                                  "' is not an IP address literal");
  }
  if (options.threads == 0) return core::Fail(Errc::kInvalidArgument, "threads must be above 0");
  if (options.max_body_bytes == 0 || options.max_header_bytes == 0 ||
      options.max_connections == 0 || options.request_timeout.count() <= 0) {
    return core::Fail(Errc::kInvalidArgument,
                      "max_body_bytes, max_header_bytes, max_connections and request_timeout "
                      "must all be above 0");
  }
  if (!handler) return core::Fail(Errc::kInvalidArgument, "the handler is empty");

  auto impl = std::make_unique<Impl>();
  const std::string where = FormatEndpoint(options.bind_address, options.port);
  impl->shared.options = std::move(options);
  impl->shared.handler = std::move(handler);
  impl->io.emplace(static_cast<int>(impl->shared.options.threads));
  impl->acceptor.emplace(asio::make_strand(*impl->io));
  impl->retry_timer.emplace(impl->acceptor->get_executor());

  auto& acceptor = *impl->acceptor;
  const tcp::endpoint endpoint(address, impl->shared.options.port);
  auto failed = [&](const char* step) {
    return core::Fail(Errc::kIo, "cannot listen on " + where + ": " + step + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec)) return failed("open");
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec)) return failed("SO_REUSEADDR");
  if (acceptor.bind(endpoint, ec)) return failed("bind");
  if (acceptor.listen(tcp::socket::max_listen_connections, ec)) return failed("listen");
  impl->port = acceptor.local_endpoint(ec).port();
  if (ec) return failed("local endpoint");

  std::unique_ptr<HttpServer> server(new HttpServer(std::move(impl)));
  Impl& started = *server->m_impl;
  asio::dispatch(acceptor.get_executor(), [&started] { started.Accept(); });
  try {
    for (unsigned i = 0; i < started.shared.options.threads; ++i) {
      started.threads.emplace_back([&started] {
        core::NameThisThread("http-server");
        started.io->run();
      });
    }
  } catch (const std::system_error& e) {
    server->Stop();
    return core::Fail(Errc::kIo, std::string("cannot start server threads: ") + e.what());
  }
  return server;
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(m_impl->stop_mutex);
  if (m_impl->stopped) return;
  m_impl->stopped = true;
  m_impl->io->stop();
  for (auto& thread : m_impl->threads) thread.join();
  m_impl->threads.clear();
  m_impl->retry_timer.reset();
  m_impl->acceptor.reset();
  m_impl->io.reset();  // destroys the pending handlers, and with them the sessions and sockets
}

std::uint16_t HttpServer::port() const { return m_impl->port; }

HttpServer::Stats HttpServer::stats() const {
  const Shared& s = m_impl->shared;
  return Stats{s.requests.load(), s.rejected_too_large.load(),
               s.rejected_too_many_connections.load(), s.timed_out.load(), s.malformed.load()};
}

}  // namespace baylink::net
