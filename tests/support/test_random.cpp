// SPDX-License-Identifier: Apache-2.0
#include "test_random.h"

#include <random>

namespace baylink::testing {
namespace {
std::uint64_t g_seed = 0;
bool g_seed_set = false;
}  // namespace

std::uint64_t Seed() {
  if (!g_seed_set) {
    std::random_device rd;
    SetSeed((static_cast<std::uint64_t>(rd()) << 32) | rd());
  }
  return g_seed;
}

void SetSeed(std::uint64_t seed) {
  g_seed = seed;
  g_seed_set = true;
}

std::uint64_t TestRandom::Next() {
  std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t TestRandom::Below(std::uint64_t bound) {
  // Rejection sampling keeps the distribution exact.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    const std::uint64_t v = Next();
    if (v < limit) return v % bound;
  }
}

void TestRandom::Fill(std::span<std::uint8_t> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t v = Next();
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<std::uint8_t>(v);
      v >>= 8;
    }
  }
}

}  // namespace baylink::testing
