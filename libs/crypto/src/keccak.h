// SPDX-License-Identifier: Apache-2.0
//
// Keccak-256 as Ethereum uses it: the original Keccak submission's padding (0x01 ... 0x80),
// not FIPS 202 SHA3-256's (0x06 ... 0x80). Rate 136 bytes, capacity 512 bits, 32-byte output.
// OpenSSL 3.0 offers only the FIPS padding, so the sponge is written here over nettle's
// Keccak-f[1600] permutation. (A private header: nettle stays inside libs/crypto.)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <nettle/sha3.h>

#include "baylink/core/bytes.h"

namespace baylink::crypto::internal {

// One Keccak-256 computation. Not thread-safe; cheap to construct (200 bytes of state), so
// make one per call.
class Keccak256 {
 public:
  static constexpr std::size_t kRate = 136;

  Keccak256();
  void Update(core::ByteView data);
  // Pads, squeezes and returns the digest. The object must not be used afterwards.
  core::Hash32 Final();

 private:
  void AbsorbBlock(const std::uint8_t* block);

  sha3_state m_state;  // the 1600-bit state as 25 lanes, lane i = A[i % 5][i / 5]
  // A partial block not yet absorbed; only its first m_buffered bytes are meaningful (left
  // uninitialised on purpose: zeroing it per hash is measurable at 32-byte inputs).
  std::array<std::uint8_t, kRate> m_buffer;
  std::size_t m_buffered = 0;
};

// Keccak-256 of the concatenation of `parts`.
core::Hash32 Keccak256Parts(std::span<const core::ByteView> parts);

}  // namespace baylink::crypto::internal
