// SPDX-License-Identifier: Apache-2.0
//
// The behaviour http.h specifies: a server and a client on 127.0.0.1, and raw sockets for the
// clients and servers that misbehave.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "baylink/net/http.h"
#include "raw_socket.h"

namespace baylink::net::testing {
namespace http_test {
namespace {

using core::Errc;
using namespace std::chrono_literals;

// Echoes what it received: "METHOD TARGET CONTENT-TYPE BODY".
HttpResponse Echo(const HttpRequest& request) {
  return HttpResponse{200, "text/plain",
                      request.method + " " + request.target + " " + request.content_type + " " +
                          request.body};
}

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, HttpHandler handler = Echo) {
  auto server = HttpServer::Start(std::move(options), std::move(handler));
  REQUIRE_MESSAGE(server, server.error().Message());
  return std::move(server).value();
}

TEST_CASE("a client's requests reach the handler on an ephemeral port and its answers come back") {
  std::string remote;
  std::mutex mutex;
  auto server = StartServer({}, [&](const HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mutex);
    remote = request.remote;
    return Echo(request);
  });
  REQUIRE(server->port() != 0);
  HttpClient client("127.0.0.1", server->port());

  auto posted = client.Post("/v1/echo?x=1", "{\"a\":1}");
  REQUIRE_MESSAGE(posted, posted.error().Message());
  CHECK(posted->status == 200);
  CHECK(posted->content_type == "text/plain");
  CHECK(posted->body == "POST /v1/echo?x=1 application/json {\"a\":1}");

  auto got = client.Get("/healthz");
  REQUIRE_MESSAGE(got, got.error().Message());
  CHECK(got->body == "GET /healthz  ");
  {
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(remote.rfind("127.0.0.1:", 0) == 0);
  }
  CHECK(server->stats().requests == 2);
}

TEST_CASE("a handler's status and empty content type are sent as given, and 204 has no body") {
  auto server = StartServer({}, [](const HttpRequest& request) {
    if (request.target == "/none") return HttpResponse{204, "", "dropped"};
    return HttpResponse{404, "", "no such page"};
  });
  HttpClient client("127.0.0.1", server->port());
  auto missing = client.Get("/missing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->content_type.empty());
  CHECK(missing->body == "no such page");
  auto none = client.Get("/none");
  REQUIRE(none);
  CHECK(none->status == 204);
  CHECK(none->body.empty());
}

TEST_CASE("a client keeps its connection alive across requests") {
  std::set<std::string> remotes;
  std::mutex mutex;
  auto server = StartServer({}, [&](const HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mutex);
    remotes.insert(request.remote);
    return Echo(request);
  });
  HttpClient client("127.0.0.1", server->port());
  for (int i = 0; i < 20; ++i) REQUIRE(client.Post("/", std::to_string(i)));
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(remotes.size() == 1);  // one source port: one connection
}

TEST_CASE("a client reopens the connection after the server closed it for idleness") {
  std::set<std::string> remotes;
  std::mutex mutex;
  HttpServerOptions options;
  options.request_timeout = 200ms;
  auto server = StartServer(options, [&](const HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mutex);
    remotes.insert(request.remote);
    return Echo(request);
  });
  HttpClient client("127.0.0.1", server->port());
  REQUIRE(client.Get("/one"));
  REQUIRE(Eventually([&] { return server->stats().timed_out == 1; }));
  auto again = client.Get("/two");
  REQUIRE_MESSAGE(again, again.error().Message());
  CHECK(again->body == "GET /two  ");
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(remotes.size() == 2);
}

TEST_CASE("a request body above the limit is answered 413 and its connection closed") {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartServer(options);

  SUBCASE("announced by Content-Length") {
    RawSocket raw = RawSocket::Connect(server->port());
    REQUIRE(raw.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\nonly a start"));
    const std::string answer = raw.ReadToEnd();
    CHECK(StatusOf(answer) == 413);
    CHECK(answer.find("1024") != std::string::npos);
    CHECK(raw.closed());
  }
  SUBCASE("sent by a client, which then carries on with a new connection") {
    HttpClient client("127.0.0.1", server->port());
    auto big = client.Post("/", std::string(2000, 'x'));
    REQUIRE_MESSAGE(big, big.error().Message());
    CHECK(big->status == 413);
    auto small = client.Post("/", "ok");
    REQUIRE_MESSAGE(small, small.error().Message());
    CHECK(small->status == 200);
  }
  CHECK(server->stats().rejected_too_large == 1);
  CHECK(server->stats().requests <= 1);
}

TEST_CASE("request headers above the limit are answered 431 and the connection closed") {
  HttpServerOptions options;
  options.max_header_bytes = 512;
  auto server = StartServer(options);
  RawSocket raw = RawSocket::Connect(server->port());
  REQUIRE(raw.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(1000, 'f') +
                   "\r\n\r\n"));
  CHECK(StatusOf(raw.ReadToEnd()) == 431);
  CHECK(raw.closed());
  CHECK(server->stats().rejected_too_large == 1);
}

TEST_CASE("a connection beyond the limit is answered 503 and closed, and a freed slot is reused") {
  HttpServerOptions options;
  options.max_connections = 2;
  auto server = StartServer(options);
  // Two connections, each proven admitted by an answered request.
  std::vector<RawSocket> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(RawSocket::Connect(server->port()));
    REQUIRE(held.back().Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(StatusOf(held.back().ReadResponse()) == 200);
  }

  RawSocket third = RawSocket::Connect(server->port());
  const std::string answer = third.ReadToEnd();
  CHECK(StatusOf(answer) == 503);
  CHECK(third.closed());
  CHECK(server->stats().rejected_too_many_connections == 1);

  held.pop_back();  // closing one frees its slot once the server sees the close
  CHECK(Eventually([&] {
    HttpClient client("127.0.0.1", server->port());
    auto response = client.Get("/");
    return response && response->status == 200;
  }));
}

TEST_CASE("a connection that does not send a whole request in time is closed unanswered") {
  HttpServerOptions options;
  options.request_timeout = 200ms;
  auto server = StartServer(options);

  SUBCASE("a slow client stops in the middle of its headers") {
    RawSocket raw = RawSocket::Connect(server->port());
    REQUIRE(raw.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Le"));
    CHECK(raw.ReadToEnd().empty());
    CHECK(raw.closed());
  }
  SUBCASE("a slow client stops in the middle of its body") {
    RawSocket raw = RawSocket::Connect(server->port());
    REQUIRE(raw.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
    CHECK(raw.ReadToEnd().empty());
    CHECK(raw.closed());
  }
  SUBCASE("a kept-alive connection stays idle after its first request") {
    RawSocket raw = RawSocket::Connect(server->port());
    REQUIRE(raw.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(StatusOf(raw.ReadResponse()) == 200);
    CHECK(raw.ReadToEnd().empty());
    CHECK(raw.closed());
  }
  CHECK(Eventually([&] { return server->stats().timed_out == 1; }));
}

TEST_CASE("a malformed request is answered 400 and its connection closed") {
  auto server = StartServer({});
  const char* requests[] = {
      "NOT HTTP AT ALL\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nNo colon in this header\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const char* request : requests) {
    CAPTURE(request);
    RawSocket raw = RawSocket::Connect(server->port());
    REQUIRE(raw.Send(request));
    CHECK(StatusOf(raw.ReadToEnd()) == 400);
    CHECK(raw.closed());
  }
  CHECK(server->stats().malformed == std::size(requests));
  CHECK(server->stats().requests == 0);
}

TEST_CASE("a handler that throws costs its request a 500 and the server keeps serving") {
  auto server = StartServer({}, [](const HttpRequest& request) -> HttpResponse {
    if (request.target == "/throw") throw std::runtime_error("handler bug");
    if (request.target == "/bad-status") return HttpResponse{42, "", ""};
    return Echo(request);
  });
  HttpClient client("127.0.0.1", server->port());
  auto thrown = client.Get("/throw");
  REQUIRE(thrown);
  CHECK(thrown->status == 500);
  CHECK(thrown->body.find("handler bug") != std::string::npos);
  auto bad_status = client.Get("/bad-status");
  REQUIRE(bad_status);
  CHECK(bad_status->status == 500);
  auto fine = client.Get("/fine");
  REQUIRE(fine);
  CHECK(fine->status == 200);
}

TEST_CASE("concurrent clients are all answered by a multi-threaded server") {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.threads = 4;
  auto server = StartServer(options, [&](const HttpRequest& request) {
    ++calls;
    return Echo(request);
  });
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client("127.0.0.1", server->port());
      for (int i = 0; i < 25; ++i) {
        const std::string body = std::to_string(c) + "/" + std::to_string(i);
        auto response = client.Post("/", body);
        if (response && response->body == "POST / application/json " + body) ++answered;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  CHECK(answered == 200);
  CHECK(calls == 200);
}

TEST_CASE("starting a server reports bad options and a port in use") {
  HttpServerOptions bad_address;
  bad_address.bind_address = "localhost";
  auto refused = HttpServer::Start(bad_address, Echo);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::kInvalidArgument);
  CHECK(refused.error().detail.find("localhost") != std::string::npos);

  HttpServerOptions no_threads;
  no_threads.threads = 0;
  CHECK(HttpServer::Start(no_threads, Echo).error().code == Errc::kInvalidArgument);
  HttpServerOptions no_body;
  no_body.max_body_bytes = 0;
  CHECK(HttpServer::Start(no_body, Echo).error().code == Errc::kInvalidArgument);
  HttpServerOptions no_time;
  no_time.request_timeout = 0ms;
  CHECK(HttpServer::Start(no_time, Echo).error().code == Errc::kInvalidArgument);

  RawSocket taken = RawSocket::Listen();
  HttpServerOptions in_use;
  in_use.port = taken.port();
  auto busy = HttpServer::Start(in_use, Echo);
  REQUIRE_FALSE(busy);
  CHECK(busy.error().code == Errc::kIo);
  CHECK(busy.error().detail.find("127.0.0.1:" + std::to_string(taken.port())) !=
        std::string::npos);
}

TEST_CASE("stopping a server closes its connections and is idempotent") {
  auto server = StartServer({});
  RawSocket raw = RawSocket::Connect(server->port());
  REQUIRE(raw.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(StatusOf(raw.ReadResponse()) == 200);
  server->Stop();
  CHECK(raw.ReadToEnd().empty());
  CHECK(raw.closed());
  server->Stop();
}

// A server on a raw socket that answers the first request with `answer` (nothing when empty)
// and then closes, or holds the connection open when `hold` is set.
class FakeServer {
 public:
  FakeServer(std::string answer, bool hold)
      : m_listener(RawSocket::Listen()), m_port(m_listener.port()) {
    m_thread = std::thread([this, answer = std::move(answer), hold] {
      RawSocket connection = m_listener.Accept();
      connection.ReadUntil(
          [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; });
      if (!answer.empty()) connection.Send(answer);
      if (hold) connection.ReadToEnd();  // until the client gives up and closes
    });
  }
  ~FakeServer() { m_thread.join(); }
  std::uint16_t port() const { return m_port; }

 private:
  RawSocket m_listener;
  std::uint16_t m_port;
  std::thread m_thread;
};

TEST_CASE("a client sends a request once more when its kept-alive connection closes under it") {
  RawSocket listener = RawSocket::Listen();
  auto request_end = [](const std::string& r) {
    return r.find("\r\n\r\n") != std::string::npos;
  };
  std::thread server([&] {
    RawSocket first = listener.Accept();
    first.ReadUntil(request_end);
    first.Send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
    first.ReadUntil(request_end);  // the second request: close instead of answering
    first = RawSocket();
    RawSocket second = listener.Accept();
    second.ReadUntil(request_end);
    second.Send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntwo");
  });
  HttpClient client("127.0.0.1", listener.port());
  auto one = client.Get("/1");
  auto two = client.Get("/2");
  server.join();
  REQUIRE_MESSAGE(one, one.error().Message());
  CHECK(one->body == "one");
  REQUIRE_MESSAGE(two, two.error().Message());
  CHECK(two->body == "two");
}

TEST_CASE("a client reports each way a request can fail with its own error code") {
  SUBCASE("nobody listens: unavailable") {
    const std::uint16_t closed_port = RawSocket::Listen().port();  // closed again at once
    HttpClient client("127.0.0.1", closed_port, 2s);
    auto response = client.Get("/");
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::kUnavailable);
  }
  SUBCASE("no answer in time: timeout") {
    FakeServer silent("", /*hold=*/true);
    HttpClient client("127.0.0.1", silent.port(), 200ms);
    auto response = client.Get("/");
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::kTimeout);
  }
  SUBCASE("the answer is cut short: io") {
    FakeServer cut("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", /*hold=*/false);
    HttpClient client("127.0.0.1", cut.port());
    auto response = client.Get("/");
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::kIo);
  }
  SUBCASE("the answer is not HTTP: malformed") {
    FakeServer gopher("SSH-2.0-OpenSSH_9.0\r\n\r\n", /*hold=*/false);
    HttpClient client("127.0.0.1", gopher.port());
    auto response = client.Get("/");
    REQUIRE_FALSE(response);
    CHECK(response.error().code == Errc::kMalformed);
  }
  SUBCASE("a target that would corrupt the request: invalid argument, nothing sent") {
    HttpClient client("127.0.0.1", 1);
    CHECK(client.Get("/a b").error().code == Errc::kInvalidArgument);
    CHECK(client.Get("/a\r\nX-Injected: 1").error().code == Errc::kInvalidArgument);
    CHECK(client.Post("/", "", "text/plain\r\nX-Injected: 1").error().code ==
          Errc::kInvalidArgument);
  }
}

}  // namespace
}  // namespace http_test
}  // namespace baylink::net::testing
