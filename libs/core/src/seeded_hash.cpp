// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/seeded_hash.h"

#include <random>

namespace baylink::core {

std::uint64_t RandomHashSeed() {
  std::random_device device;  // getrandom(2) with libstdc++ on Linux
  return (std::uint64_t{device()} << 32) ^ device();
}

}  // namespace baylink::core
