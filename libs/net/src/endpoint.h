// SPDX-License-Identifier: Apache-2.0
//
// Private to libs/net: how endpoints appear in messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace baylink::net {

// "host:port", with an IPv6 address in brackets ("[::1]:8080") so the port stays readable.
inline std::string FormatEndpoint(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out.append("[").append(host).append("]");
  } else {
    out.append(host);
  }
  return out + ":" + std::to_string(port);
}

}  // namespace baylink::net
