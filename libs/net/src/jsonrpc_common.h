// SPDX-License-Identifier: Apache-2.0
//
// Private to libs/net: what the JSON-RPC dispatcher and client share.
#pragma once

#include <string>

#include "baylink/net/jsonrpc.h"

namespace baylink::net {

// JSON-RPC 2.0 error codes (the table in jsonrpc.h).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kRejected = -32000;
inline constexpr int kNotFoundCode = -32001;

// Compact JSON text. Strings that are not valid UTF-8 (a handler may put raw bytes in one)
// are written with U+FFFD in place of the bad bytes instead of throwing.
inline std::string DumpJson(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace baylink::net
