// SPDX-License-Identifier: Apache-2.0
//
// Randomness for tests: one seed per test process, printed, and replayable with
// `--seed=N` on the test executable's command line (STYLE "Tests").
#pragma once

#include <cstdint>
#include <span>

#include "baylink/core/suite.h"

namespace baylink::testing {

// The seed of this process: from --seed=N if given, else drawn from the OS.
std::uint64_t Seed();
void SetSeed(std::uint64_t seed);

// A deterministic generator (splitmix64) usable both as a number source and as the
// RandomSource that key generation takes.
class TestRandom final : public core::RandomSource {
 public:
  explicit TestRandom(std::uint64_t seed) : m_state(seed) {}
  std::uint64_t Next();
  // Uniform in [0, bound); requires bound > 0.
  std::uint64_t Below(std::uint64_t bound);
  void Fill(std::span<std::uint8_t> out) override;

 private:
  std::uint64_t m_state;
};

}  // namespace baylink::testing
