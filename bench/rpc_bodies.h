// SPDX-License-Identifier: Apache-2.0
//
// The JSON-RPC request bodies the node benchmarks send: sendTransaction calls, `batch` to a
// body, each transaction hex-encoded as the RPC takes it. Kept apart from bench_support.h so
// the benchmarks without JSON do not compile nlohmann/json.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/json.h"
#include "baylink/core/types.h"

namespace baylink::bench {

inline std::vector<std::string> SendTransactionBodies(std::span<const core::Transaction> txs,
                                                      std::size_t batch) {
  std::vector<std::string> bodies;
  for (std::size_t i = 0; i < txs.size(); i += batch) {
    core::json::Json calls = core::json::Json::array();
    for (std::size_t j = i; j < std::min(txs.size(), i + batch); ++j) {
      calls.push_back({{"jsonrpc", "2.0"}, {"id", j}, {"method", "sendTransaction"},
                       {"params", {{"tx", core::ToHex(txs[j].Encode())}}}});
    }
    bodies.push_back(calls.dump());
  }
  return bodies;
}

}  // namespace baylink::bench
