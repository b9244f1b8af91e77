// SPDX-License-Identifier: Apache-2.0
//
// Byte strings, fixed-size values (Hash32, Address, PublicKey) and strict hex.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/core/result.h"

namespace baylink::core {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lower-case hex with a "0x" prefix: ToHex({0xab}) == "0xab"; empty input gives "0x".
std::string ToHex(ByteView data);

// Strict hex parsing. Requires the "0x" prefix and an even number of digits; accepts
// upper- and lower-case digits. Errors (kBadHex): missing prefix, odd length, a non-hex
// digit (the message names its position).
Result<Bytes> FromHex(std::string_view text);

// A value of exactly N bytes. Ordered and hashable; compares in constant time only where
// callers ask for it (ConstantTimeEquals), never implicitly.
template <std::size_t N>
struct FixedBytes {
  static constexpr std::size_t kSize = N;
  std::array<std::uint8_t, N> bytes{};

  std::uint8_t* data() { return bytes.data(); }
  const std::uint8_t* data() const { return bytes.data(); }
  static constexpr std::size_t size() { return N; }
  ByteView view() const { return ByteView(bytes.data(), N); }
  // Word by word, without branches: it runs for every slot probe and proof sibling of the
  // state tree.
  bool IsZero() const {
    if constexpr (N % 8 == 0) {
      std::uint64_t any = 0;
      for (std::size_t i = 0; i < N; i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes.data() + i, sizeof word);
        any |= word;
      }
      return any == 0;
    } else {
      std::uint8_t any = 0;
      for (const std::uint8_t b : bytes) any = static_cast<std::uint8_t>(any | b);
      return any == 0;
    }
  }
  std::string ToHex() const { return core::ToHex(view()); }

  // Errors: kBadLength when data.size() != N.
  static Result<FixedBytes> FromView(ByteView data) {
    if (data.size() != N) {
      return Fail(Errc::kBadLength, "expected " + std::to_string(N) + " bytes, got " +
                                        std::to_string(data.size()));
    }
    FixedBytes out;
    std::memcpy(out.bytes.data(), data.data(), N);
    return out;
  }
  // Errors: those of FromHex, and kBadLength.
  static Result<FixedBytes> FromHex(std::string_view text) {
    auto raw = core::FromHex(text);
    if (!raw) return std::move(raw).error();
    return FromView(*raw);
  }

  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
};

using Hash32 = FixedBytes<32>;
using Address = FixedBytes<20>;
// An uncompressed curve point without the 0x04 prefix: X || Y, 32 bytes each, big-endian.
// Both suites use this form (DESIGN §3). Being 64 bytes says nothing about validity:
// CryptoSuite::ValidatePublicKey checks the point is on the curve.
using PublicKey = FixedBytes<64>;

// Constant-time equality for secrets and MACs.
bool ConstantTimeEquals(ByteView a, ByteView b);

}  // namespace baylink::core

template <std::size_t N>
struct std::hash<baylink::core::FixedBytes<N>> {
  std::size_t operator()(const baylink::core::FixedBytes<N>& v) const noexcept {
    // Inputs are hashes or keys: their leading bytes are already uniformly distributed.
    // WARNING: do not use with attacker-chosen values that are not hashes.
    std::size_t out = 0;
    std::memcpy(&out, v.bytes.data(), std::min(sizeof(out), N));
    return out;
  }
};
