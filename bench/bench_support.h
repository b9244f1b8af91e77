// SPDX-License-Identifier: Apache-2.0
//
// What every benchmark program shares: a seeded generator (so runs compare), one instance of
// each suite, and a setup check.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "baylink/core/bytes.h"
#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"

namespace baylink::bench {

// splitmix64 as a RandomSource: deterministic keys and data.
class BenchRandom : public core::RandomSource {
 public:
  explicit BenchRandom(std::uint64_t seed = 42) : m_state(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  void Fill(std::span<std::uint8_t> out) override {
    for (std::size_t i = 0; i < out.size(); i += 8) {
      const std::uint64_t v = Next();
      std::memcpy(out.data() + i, &v, std::min<std::size_t>(8, out.size() - i));
    }
  }
  core::Hash32 Hash() {
    core::Hash32 h;
    Fill(std::span<std::uint8_t>(h.data(), h.size()));
    return h;
  }

 private:
  std::uint64_t m_state;
};

// The default instance of each suite, made once per process.
inline const core::CryptoSuite& Suite(core::SuiteId id) {
  static const auto sm = crypto::MakeSuite(core::SuiteId::kSm);
  static const auto ecdsa = crypto::MakeSuite(core::SuiteId::kEcdsa);
  return id == core::SuiteId::kSm ? *sm : *ecdsa;
}

// Aborts the program when a benchmark's setup does not hold (its figures would be void).
inline void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", what);
    std::abort();
  }
}

}  // namespace baylink::bench
