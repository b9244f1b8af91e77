// SPDX-License-Identifier: Apache-2.0
//
// A ParallelFor on std::thread, for tests and benchmarks: each Run starts up to threads - 1
// helpers and works alongside them on the caller's thread. Starting threads per call costs
// tens of microseconds, negligible next to the signature checks it spreads (one SM2 check is
// about 0.3 ms); a service lends its own long-lived pool instead.
#pragma once

#include <cstddef>
#include <functional>

#include "baylink/lightclient/parallel.h"

namespace baylink::lightclient::testing {

class ThreadParallelFor final : public ParallelFor {
 public:
  // `threads` counts the caller's own thread; 0 means std::thread::hardware_concurrency().
  explicit ThreadParallelFor(unsigned threads = 0);

  void Run(std::size_t n, const std::function<void(std::size_t)>& fn) const override;
  unsigned threads() const { return m_threads; }

 private:
  unsigned m_threads;
};

}  // namespace baylink::lightclient::testing
