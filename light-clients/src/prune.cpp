// SPDX-License-Identifier: Apache-2.0
//
// Pruning consensus states older than the trusting period. Timestamps strictly increase with
// height (update.cpp refuses a header not later than the trusted one; Restore checks it), so
// the expired states are exactly a prefix of the map: walking from the oldest and stopping at
// the first live state finds them all in O(pruned) steps.
#include "baylink/lightclient/client.h"
#include "internal.h"

namespace baylink::lightclient {

std::vector<std::uint64_t> LightClient::ExpiredHeights(std::chrono::system_clock::time_point now,
                                                       std::size_t max_states) const {
  const std::int64_t now_ms = detail::NowMs(now);
  std::vector<std::uint64_t> out;
  for (const auto& [height, state] : m_consensus) {
    if (out.size() >= max_states) break;
    // The latest state is never pruned: it is the one every update starts from (and, once
    // expired, what a governance reset inspects).
    if (height == m_state.latest_height) break;
    if (!detail::OutsideTrustingPeriod(state, m_state.params.trusting_period, now_ms)) break;
    out.push_back(height);
  }
  return out;
}

std::vector<std::uint64_t> LightClient::Prune(std::chrono::system_clock::time_point now,
                                              std::size_t max_states) {
  std::vector<std::uint64_t> heights = ExpiredHeights(now, max_states);
  for (std::uint64_t height : heights) m_consensus.erase(height);
  return heights;
}

}  // namespace baylink::lightclient
