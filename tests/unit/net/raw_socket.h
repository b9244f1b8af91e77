// SPDX-License-Identifier: Apache-2.0
//
// Plain POSIX TCP sockets on 127.0.0.1 for the net tests: clients that misbehave (slow, malformed,
// hanging) and servers that answer whatever a test wants. Deliberately independent of the
// module under test. Waits are bounded by generous limits so a broken build fails instead of
// hanging; no limit is part of a pass condition.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace baylink::net::testing {

// Long enough for any wait on a loaded machine; reaching it means the test failed.
inline constexpr std::chrono::milliseconds kPatience{10000};

// Polls `condition` until it holds or kPatience passes; returns its last value.
inline bool Eventually(const std::function<bool()>& condition) {
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class RawSocket {
 public:
  explicit RawSocket(int fd = -1) : m_fd(fd) {}
  RawSocket(RawSocket&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  RawSocket& operator=(RawSocket&& other) noexcept {
    Close();
    m_fd = std::exchange(other.m_fd, -1);
    return *this;
  }
  ~RawSocket() { Close(); }

  // A connection to 127.0.0.1:port.
  static RawSocket Connect(std::uint16_t port) {
    RawSocket s(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address = Loopback(port);
    REQUIRE(::connect(s.m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return s;
  }

  // A listening socket on 127.0.0.1 and an ephemeral port (see port()).
  static RawSocket Listen() {
    RawSocket s(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address = Loopback(0);
    REQUIRE(::bind(s.m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(s.m_fd, 16) == 0);
    return s;
  }

  RawSocket Accept() const { return RawSocket(::accept(m_fd, nullptr, nullptr)); }

  std::uint16_t port() const {
    sockaddr_in address{};
    socklen_t size = sizeof address;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &size);
    return ntohs(address.sin_port);
  }

  // Sends all of `data`; false when the connection is gone.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads what arrives until `done(received)` holds, the peer closes, or kPatience passes.
  // Returns what was read; closed() tells whether the peer closed (or reset) the connection.
  std::string ReadUntil(const std::function<bool(const std::string&)>& done) {
    std::string received;
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (!done(received)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          give_up - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd item{m_fd, POLLIN, 0};
      if (::poll(&item, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        m_closed = true;
        break;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
  }

  // Reads until the peer closes the connection (or kPatience passes).
  std::string ReadToEnd() {
    return ReadUntil([](const std::string&) { return false; });
  }

  // Reads one HTTP response with a Content-Length (or none: an empty body).
  std::string ReadResponse() {
    return ReadUntil([](const std::string& r) {
      const auto end = r.find("\r\n\r\n");
      if (end == std::string::npos) return false;
      const auto length = r.find("Content-Length: ");
      if (length == std::string::npos || length > end) return true;
      return r.size() >= end + 4 + std::stoul(r.substr(length + 16));
    });
  }

  bool closed() const { return m_closed; }

 private:
  static sockaddr_in Loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }
  void Close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

  int m_fd;
  bool m_closed = false;
};

// The status code of a raw HTTP response ("HTTP/1.1 413 ..." -> 413), or 0.
inline int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

}  // namespace baylink::net::testing
