// SPDX-License-Identifier: Apache-2.0
#include "baylink/net/http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>

#include "endpoint.h"

namespace baylink::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using core::Errc;

constexpr std::uint64_t kMaxResponseBodyBytes = 64u << 20;
constexpr std::size_t kReadBufferBytes = 64u << 10;
constexpr std::uint32_t kMaxResponseHeaderBytes = 64u << 10;

// The target and content type go into the request as they are: a line break would end the
// request line or header early and smuggle in more headers, and a space splits the target.
bool HasControlOrSpace(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}
bool HasControl(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_method).category();
}

}  // namespace

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  std::string where;  // "host:port" for messages
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;  // the open connection, if any
  beast::flat_buffer buffer;

  // Starts one asynchronous operation through `initiate(handler)` and runs it to completion
  // on this thread (the stream's expiry ends it at the deadline).
  template <class Initiate>
  beast::error_code Run(Initiate initiate) {
    beast::error_code result;
    bool done = false;
    initiate([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io.restart();
    io.run();
    BAYLINK_ASSERT(done, "an HttpClient operation did not complete");
    return result;
  }

  void Close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->socket().close(ignored);
    }
    stream.reset();
    buffer.clear();
  }

  // Whether the kept-alive connection can take another request: the server has not closed it
  // and has sent nothing unasked (either means it is done with it).
  bool Reusable() {
    if (!stream || buffer.size() != 0) return false;
    char byte;
    const ssize_t n =
        ::recv(stream->socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  core::Status Connect(Clock::time_point deadline) {
    tcp::resolver resolver(io);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return core::Fail(Errc::kUnavailable, "cannot resolve " + host + ": " + ec.message());
    stream.emplace(io);
    stream->expires_at(deadline);
    ec = Run([&](auto handler) { stream->async_connect(endpoints, std::move(handler)); });
    if (ec == beast::error::timeout) {
      Close();
      return core::Fail(Errc::kTimeout, "connecting to " + where + " took longer than " +
                                            std::to_string(timeout.count()) + " ms");
    }
    if (ec) {
      Close();
      return core::Fail(Errc::kUnavailable, "cannot connect to " + where + ": " + ec.message());
    }
    return core::Ok();
  }

  core::Result<HttpResponse> Send(http::request<http::string_body>& request) {
    const auto deadline = Clock::now() + timeout;
    for (int attempt = 0;; ++attempt) {
      const bool reused = Reusable();
      if (!reused) {
        Close();
        BAYLINK_TRY(Connect(deadline));
      }
      stream->expires_at(deadline);
      bool response_started = false;
      beast::error_code ec =
          Run([&](auto handler) { http::async_write(*stream, request, std::move(handler)); });
      http::response_parser<http::string_body> parser;
      if (!ec) {
        parser.body_limit(kMaxResponseBodyBytes);
        parser.header_limit(kMaxResponseHeaderBytes);
        // Large reads: Beast reads at most the buffer's free capacity per receive call (the
        // http_server.cpp Session's Read explains the cost of a small one).
        if (buffer.capacity() < kReadBufferBytes) buffer.reserve(kReadBufferBytes);
        ec = Run([&](auto handler) {
          http::async_read(*stream, buffer, parser, std::move(handler));
        });
        response_started = parser.got_some();
      }
      if (!ec) {
        auto& message = parser.get();
        if (!message.keep_alive()) Close();
        return HttpResponse{message.result_int(),
                            std::string(message[http::field::content_type]),
                            std::move(message.body())};
      }
      Close();
      // A kept-alive connection the server closed just before the request arrived: the server
      // saw nothing, so sending once more on a new connection is safe.
      const bool closed_by_server = ec == http::error::end_of_stream ||
                                    ec == asio::error::connection_reset ||
                                    ec == asio::error::broken_pipe;
      if (reused && attempt == 0 && closed_by_server && !response_started) continue;
      return Classify(ec);
    }
  }

  core::Error Classify(const beast::error_code& ec) const {
    if (ec == beast::error::timeout) {
      return core::Fail(Errc::kTimeout, "no complete response from " + where + " within " +
                                            std::to_string(timeout.count()) + " ms");
    }
    if (ec == http::error::body_limit) {
      return core::Fail(Errc::kOversized, "response body from " + where + " above " +
                                              std::to_string(kMaxResponseBodyBytes) + " bytes");
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        !IsParseError(ec)) {
      return core::Fail(Errc::kIo, "connection to " + where + " broke: " + ec.message());
    }
    return core::Fail(Errc::kMalformed,
                      "the answer from " + where + " is not HTTP/1.x: " + ec.message());
  }

  core::Result<HttpResponse> Request(http::verb verb, std::string_view target,
                                     std::string_view body, std::string_view content_type) {
    if (target.empty() || HasControlOrSpace(target)) {
      return core::Fail(Errc::kInvalidArgument,
                        "request target '" + std::string(target) +
                            "' is empty or holds a space or control character");
    }
    if (HasControl(content_type)) {
      return core::Fail(Errc::kInvalidArgument, "content type holds a control character");
    }
    http::request<http::string_body> request(
        verb, beast::string_view(target.data(), target.size()), 11);
    request.set(http::field::host, where);
    if (verb == http::verb::post) {
      request.set(http::field::content_type,
                  beast::string_view(content_type.data(), content_type.size()));
      request.body() = std::string(body);
    }
    request.keep_alive(true);
    request.prepare_payload();
    return Send(request);
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : m_impl(std::make_unique<Impl>()) {
  m_impl->where = FormatEndpoint(host, port);
  m_impl->host = std::move(host);
  m_impl->port = port;
  m_impl->timeout = timeout;
}

HttpClient::~HttpClient() { m_impl->Close(); }

core::Result<HttpResponse> HttpClient::Post(std::string_view target, std::string_view body,
                                            std::string_view content_type) {
  return m_impl->Request(http::verb::post, target, body, content_type);
}

core::Result<HttpResponse> HttpClient::Get(std::string_view target) {
  return m_impl->Request(http::verb::get, target, {}, {});
}

}  // namespace baylink::net
