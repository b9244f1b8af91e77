// SPDX-License-Identifier: Apache-2.0
//
// A chain's genesis: what every node of the chain starts from. Fixed for the chain's life:
// a node refuses to open a store begun with another genesis.
//
// JSON file form (written by `baylink-node init`, read by `run`):
//   { "chain_id": "hk", "suite": "ecdsa", "timestamp_ms": 1767225600000,
//     "params": { "block_interval_ms": 1000, "max_block_txs": 10000, "max_block_bytes": ...,
//                 "max_tx_bytes": ..., "history_heights": 10000, "heartbeat_ms": 10000 },
//     "validators": [ { "public_key": "0x..", "power": 1 } ] }
// Every field is required; unknown fields are errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "baylink/contracts/system.h"
#include "baylink/core/json.h"
#include "baylink/core/result.h"
#include "baylink/core/types.h"

namespace baylink::chain {

struct Genesis {
  std::string chain_id;
  core::SuiteId suite = core::SuiteId::kSm;
  std::uint64_t timestamp_ms = 0;
  contracts::ChainParams params;
  core::ValidatorSet validators;

  // Errors: kInvalidArgument naming the field (chain id, params ranges, an empty validator
  // set); kBadPublicKey for a validator key not on the suite's curve.
  core::Status Validate(const core::CryptoSuite& crypto) const;

  core::Bytes Encode() const;
  static core::Result<Genesis> Decode(core::ByteView data);
  core::json::Json ToJson() const;
  // Errors: kMalformed / kBadHex / kBadLength naming the field; Validate is not run.
  static core::Result<Genesis> FromJson(const core::json::Json& j);
  friend bool operator==(const Genesis&, const Genesis&) = default;
};

// Reads and parses a genesis file. Errors: kIo (cannot read, naming the path), the JSON
// parser's and FromJson's errors prefixed with the path.
core::Result<Genesis> LoadGenesis(const std::filesystem::path& path);

}  // namespace baylink::chain
