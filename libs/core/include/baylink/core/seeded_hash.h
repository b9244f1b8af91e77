// SPDX-License-Identifier: Apache-2.0
//
// A hash for hash tables keyed by values an outsider can grind. Transaction hashes, addresses
// and state keys are hash outputs, but a sender can sign variants until their leading bytes
// collide, and std::hash<FixedBytes> (bytes.h) takes the leading bytes as they are. Here the
// bucket comes from the leading eight bytes mixed with a secret seed (splitmix64's
// finaliser, a bijection of 64 bits). Without the seed, keys cannot be chosen to share a
// bucket, short of sharing all eight leading bytes (about 2^32 tries for each pair). The
// mix is not a keyed cryptographic function; it only has to keep bucket choice out of an
// outsider's hands.
//
// A table keyed this way iterates in an order that changes with the seed: never iterate one
// where the order can reach a result (consensus paths, RPC answers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "baylink/core/bytes.h"

namespace baylink::core {

// A new seed from the kernel's randomness on each call.
std::uint64_t RandomHashSeed();

template <std::size_t N>
struct SeededHash {
  static_assert(N >= 8, "at least eight bytes to hash");
  std::uint64_t seed = 0;
  std::size_t operator()(const FixedBytes<N>& v) const noexcept {
    std::uint64_t x = 0;
    std::memcpy(&x, v.bytes.data(), sizeof(x));
    x ^= seed;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<std::size_t>(x ^ (x >> 31));
  }
};

}  // namespace baylink::core
