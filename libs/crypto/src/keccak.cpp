// SPDX-License-Identifier: Apache-2.0
#include "keccak.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace baylink::crypto::internal {
namespace {

static_assert(sizeof(sha3_state) == 25 * sizeof(std::uint64_t),
              "nettle's sha3_state must be exactly the 25 Keccak lanes");

// Keccak lanes are little-endian 64-bit words of the input (Keccak reference §1.1). On a
// little-endian host that is a plain load, which keeps the per-hash overhead small next to
// the ~400 ns permutation (bench BM_RawNettleKeccakPermute).
std::uint64_t LoadLe64(const std::uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  } else {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
}

void XorBlock(sha3_state& state, const std::uint8_t* block) {
  for (std::size_t i = 0; i < Keccak256::kRate / 8; ++i) state.a[i] ^= LoadLe64(block + 8 * i);
}

}  // namespace

Keccak256::Keccak256() : m_state{} {}

void Keccak256::AbsorbBlock(const std::uint8_t* block) {
  XorBlock(m_state, block);
  sha3_permute(&m_state);
}

void Keccak256::Update(core::ByteView data) {
  if (data.empty()) return;  // an empty span may have a null data(): memcpy must not see it
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if (m_buffered > 0) {
    const std::size_t take = std::min(n, kRate - m_buffered);
    std::memcpy(m_buffer.data() + m_buffered, p, take);
    m_buffered += take;
    p += take;
    n -= take;
    if (m_buffered < kRate) return;
    AbsorbBlock(m_buffer.data());
    m_buffered = 0;
  }
  while (n >= kRate) {
    AbsorbBlock(p);
    p += kRate;
    n -= kRate;
  }
  if (n > 0) {
    std::memcpy(m_buffer.data(), p, n);
    m_buffered = n;
  }
}

core::Hash32 Keccak256::Final() {
  // Multi-rate padding pad10*1 with the Keccak (pre-FIPS 202) domain: the first pad byte is
  // 0x01 and the last byte of the block gets 0x80; with one byte free it becomes 0x81.
  // (SHA3-256 would use 0x06 here.)
  std::memset(m_buffer.data() + m_buffered, 0, kRate - m_buffered);
  m_buffer[m_buffered] ^= 0x01;
  m_buffer[kRate - 1] ^= 0x80;
  AbsorbBlock(m_buffer.data());
  // Squeeze: the first 32 bytes of the state, lanes little-endian.
  core::Hash32 out;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out.data(), m_state.a, 32);
  } else {
    for (std::size_t i = 0; i < 4; ++i) {
      std::uint64_t lane = m_state.a[i];
      for (std::size_t b = 0; b < 8; ++b) {
        out.bytes[8 * i + b] = static_cast<std::uint8_t>(lane);
        lane >>= 8;
      }
    }
  }
  return out;
}

core::Hash32 Keccak256Parts(std::span<const core::ByteView> parts) {
  Keccak256 h;
  for (const core::ByteView& part : parts) h.Update(part);
  return h.Final();
}

}  // namespace baylink::crypto::internal
