// SPDX-License-Identifier: Apache-2.0
//
// Shared checks for the libFuzzer targets. A decoder target asserts the codec's promise:
// whatever decodes re-encodes to exactly the input (encode(decode(x)) == x); anything else is
// a named error, never a crash (the sanitizers catch the rest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "baylink/core/bytes.h"

namespace baylink::fuzz {

inline void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property broken: %s\n", what);
    std::abort();
  }
}

template <class T>
void DecodeRoundTrip(const std::uint8_t* data, std::size_t size) {
  const core::ByteView input(data, size);
  auto decoded = T::Decode(input);
  if (!decoded) {
    Require(!decoded.error().detail.empty(), "a rejection names its problem");
    return;
  }
  const core::Bytes again = decoded->Encode();
  Require(again.size() == size && std::equal(again.begin(), again.end(), data),
          "decode then encode gives back the input");
}

}  // namespace baylink::fuzz
