// SPDX-License-Identifier: Apache-2.0
//
// The one translation unit that compiles doctest's implementation, plus our main: it takes
// `--seed=N` (removed before doctest sees the arguments) and prints the seed in use so any
// randomised failure can be replayed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "test_random.h"

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool listing = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      char* end = nullptr;
      const unsigned long long seed = std::strtoull(argv[i] + 7, &end, 10);
      if (end == argv[i] + 7 || *end != '\0') {
        std::fprintf(stderr, "bad --seed value '%s': expected a decimal number\n", argv[i] + 7);
        return 2;
      }
      baylink::testing::SetSeed(seed);
      continue;
    }
    if (std::strncmp(argv[i], "--list-test-cases", 17) == 0 ||
        std::strncmp(argv[i], "-ltc", 4) == 0) {
      listing = true;
    }
    args.push_back(argv[i]);
  }
  if (!listing) {
    std::printf("test seed: %llu (replay with --seed=%llu)\n",
                static_cast<unsigned long long>(baylink::testing::Seed()),
                static_cast<unsigned long long>(baylink::testing::Seed()));
  }
  doctest::Context context(static_cast<int>(args.size()), args.data());
  return context.run();
}
