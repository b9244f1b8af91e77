// SPDX-License-Identifier: Apache-2.0
//
// Sample chain values for the core type tests.
#pragma once

#include "baylink/core/types.h"
#include "test_random.h"

namespace baylink::testing {

inline core::Hash32 RandomHash(TestRandom& rng) {
  core::Hash32 h;
  rng.Fill(h.bytes);
  return h;
}

inline core::BlockHeader SampleHeader(TestRandom& rng) {
  core::BlockHeader h;
  h.chain_id = "gd";
  h.height = rng.Next() >> 8;
  h.timestamp_ms = 1'700'000'000'000ULL + rng.Below(1'000'000);
  h.parent_hash = RandomHash(rng);
  h.tx_root = RandomHash(rng);
  h.receipt_root = RandomHash(rng);
  h.state_root = RandomHash(rng);
  h.validators_hash = RandomHash(rng);
  h.next_validators_hash = RandomHash(rng);
  h.proposer = static_cast<std::uint32_t>(rng.Below(4));
  return h;
}

inline core::Receipt SampleReceipt(TestRandom& rng) {
  core::Receipt r;
  r.tx_hash = RandomHash(rng);
  r.status = core::ReceiptStatus::kFailed;
  r.message = "asset: balance 3 below amount 5";
  r.output = core::Bytes{1, 2, 3};
  r.events.push_back(core::Event{"asset", "Transfer", core::Bytes{9, 8, 7}});
  r.events.push_back(core::Event{"xa", "Prepared", core::Bytes{}});
  return r;
}

}  // namespace baylink::testing
