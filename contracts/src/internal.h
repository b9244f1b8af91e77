// SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the contracts' source files; not part of the module's public face.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"

namespace baylink::contracts::detail {

// "asset.mint": how messages name a method.
std::string MethodName(std::string_view contract, std::string_view method);

// The kMalformed error for arguments that do not decode; keeps the codec's message (with its
// own code name) so the caller sees which field failed and how.
core::Error MalformedArgs(std::string_view contract, std::string_view method,
                          const core::Error& cause);

// Decodes the args of `contract`.`method` as exactly one T. Errors: kMalformed (MalformedArgs)
// for every decoding failure, trailing bytes included.
template <class T>
core::Result<T> DecodeArgs(core::ByteView args, std::string_view contract,
                           std::string_view method) {
  auto decoded = core::DecodeExactly<T>(args, "args");
  if (!decoded) return MalformedArgs(contract, method, decoded.error());
  return decoded;
}

// For methods without arguments. Errors: kMalformed when `args` is not empty.
core::Status RequireNoArgs(core::ByteView args, std::string_view contract,
                           std::string_view method);

}  // namespace baylink::contracts::detail
