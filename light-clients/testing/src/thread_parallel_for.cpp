// SPDX-License-Identifier: Apache-2.0
#include "baylink/lightclient/testing/thread_parallel_for.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace baylink::lightclient::testing {

ThreadParallelFor::ThreadParallelFor(unsigned threads)
    : m_threads(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())) {}

void ThreadParallelFor::Run(std::size_t n, const std::function<void(std::size_t)>& fn) const {
  // Work is handed out one index at a time: signature checks cost the same, so there is
  // nothing to gain from chunking, and a slow thread never holds back a batch.
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  const std::size_t helpers = std::min<std::size_t>(m_threads, n) - (n > 0 ? 1 : 0);
  std::vector<std::jthread> pool;
  pool.reserve(helpers);
  for (std::size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
  work();
  // The jthreads join as `pool` goes out of scope: Run returns after every call.
}

}  // namespace baylink::lightclient::testing
