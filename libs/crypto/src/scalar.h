// SPDX-License-Identifier: Apache-2.0
//
// 256-bit big-endian scalars: the group orders of both curves and the range checks that
// every suite runs before handing a value to a library, so each rejection gets its own
// named error instead of a library's generic failure.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"

namespace baylink::crypto::internal {

using Scalar = std::array<std::uint8_t, 32>;

// secp256k1 group order n (SEC 2 §2.4.1).
inline constexpr Scalar kSecp256k1Order = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
// n / 2 rounded down: s above it is "high" (BIP 62 / EIP-2).
inline constexpr Scalar kSecp256k1HalfOrder = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};
// sm2p256v1 group order n (GB/T 32918.5 §3.2).
inline constexpr Scalar kSm2Order = {
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b, 0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x23};

// -1, 0, 1 as a <, ==, > b (big-endian, 32 bytes each).
inline int CompareBe(std::span<const std::uint8_t, 32> a, std::span<const std::uint8_t, 32> b) {
  for (std::size_t i = 0; i < 32; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

inline bool IsZero(std::span<const std::uint8_t, 32> a) {
  std::uint8_t acc = 0;
  for (std::uint8_t b : a) acc |= b;
  return acc == 0;
}

// Checks 1 <= v <= n - 1 for a signature component named `name` ("r" or "s").
// Errors: kBadSignature naming the component and the failed bound.
inline core::Status CheckSignatureScalar(std::span<const std::uint8_t, 32> v, const Scalar& order,
                                         const char* name) {
  if (IsZero(v)) {
    return core::Fail(core::Errc::kBadSignature,
                      std::string("signature ") + name + " is zero; it must be in [1, n-1]");
  }
  if (CompareBe(v, order) >= 0) {
    return core::Fail(core::Errc::kBadSignature, std::string("signature ") + name +
                                                     " is not below the group order n");
  }
  return core::Ok();
}

// Checks a raw secret scalar: 32 bytes and 0 < k < n (and k != n - 1 when `sm2`, since SM2
// signing divides by 1 + d: GB/T 32918.1 §6.1 requires d in [1, n-2]).
// Errors: kBadLength, kBadSecretKey.
core::Status CheckSecretScalar(core::ByteView raw, const Scalar& order, bool sm2);

}  // namespace baylink::crypto::internal
