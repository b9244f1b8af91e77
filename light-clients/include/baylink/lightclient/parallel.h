// SPDX-License-Identifier: Apache-2.0
//
// An executor the caller may lend the light client to verify the signatures of a large
// validator set on several cores. The light client itself starts no thread (it is pure,
// DESIGN §2); a service passes its own pool, tests and benchmarks pass the std::thread one
// in baylink/lightclient/testing/thread_parallel_for.h.
#pragma once

#include <cstddef>
#include <functional>

namespace baylink::lightclient {

class ParallelFor {
 public:
  virtual ~ParallelFor() = default;

  // Calls fn(i) exactly once for every i in [0, n), in any order and on any threads, and
  // returns only after every call has returned. fn is safe to call concurrently for
  // different i (each call writes only its own slot). Must not throw; fn does not throw.
  // Thread safety: Run may be called from several threads at once.
  virtual void Run(std::size_t n, const std::function<void(std::size_t)>& fn) const = 0;
};

}  // namespace baylink::lightclient
