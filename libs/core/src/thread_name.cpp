// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <array>

namespace baylink::core {
namespace {

// Linux's limit: 16 bytes with the terminating zero.
constexpr std::size_t kMaxName = 15;

}  // namespace

void NameThisThread(std::string_view name) {
  std::array<char, kMaxName + 1> buffer{};
  const std::size_t size = std::min(name.size(), kMaxName);
  std::copy_n(name.data(), size, buffer.data());
  (void)pthread_setname_np(pthread_self(), buffer.data());
}

std::string ThisThreadName() {
  std::array<char, kMaxName + 1> buffer{};
  if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) != 0) return "";
  return std::string(buffer.data());
}

}  // namespace baylink::core
