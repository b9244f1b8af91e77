// SPDX-License-Identifier: Apache-2.0
//
// How a node takes part in consensus (the "consensus" section of the node configuration,
// node.h): where it listens for other validators, whom it connects to, whom it asks for
// blocks when it falls behind, and its timeouts.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "baylink/consensus/pbft.h"
#include "baylink/core/result.h"

namespace baylink::chain {

struct ConsensusConfig {
  std::string listen;                  // this node's PUB endpoint, e.g. tcp://127.0.0.1:26000
  std::vector<std::string> peers;      // the other validators' `listen` endpoints
  std::vector<std::string> peer_rpc;   // "host:port" of other nodes' RPC, for block sync
  consensus::Timeouts timeouts;
  std::uint64_t max_clock_drift_ms = 10000;  // a proposed timestamp may run this far ahead
  bool equivocate = false;  // TEST ONLY: also send a conflicting nil vote for each vote
};

// Splits a peer RPC address "host:port" (port 1..65535). Errors: kInvalidArgument naming the
// text.
core::Result<std::pair<std::string, std::uint16_t>> ParsePeerRpc(const std::string& text);

}  // namespace baylink::chain
