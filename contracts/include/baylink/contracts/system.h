// SPDX-License-Identifier: Apache-2.0
//
// The `system` contract (DESIGN §4): the chain's own parameters and validator set, written
// once by the genesis block. Governance of the validator set (changes approved by more than
// 2/3 of the current power) arrives with the consensus work and will add methods here.
//
// State in the contract's namespace:
//   "params"      -> ChainParams, encoded (codec.h)
//   "validators"  -> core::ValidatorSet, encoded
//
// Methods (arguments and outputs in the canonical codec):
//   init        args: ChainParams ‖ ValidatorSet (EncodeSystemInit); output: empty.
//               Writes both keys. Checks, in this order:
//                 1. kUnauthorized unless called directly by a transaction
//                    (caller_contract() == "") at height 0 (the genesis block);
//                 2. kDuplicate if "params" is already written (init runs once);
//                 3. kMalformed naming the method if the args do not decode exactly
//                    (truncated, trailing bytes, or a validator set that ValidatorSet::Create
//                    refuses: empty, a zero power, a key twice, too many entries or power);
//                 4. kInvalidArgument from ChainParams::Validate;
//                 5. the suite's error (kBadPublicKey) naming the validator's index when a
//                    validator key is not a point of the chain's curve.
//               Then the context's errors from Put (kUnsupported in a read-only call).
//   params      args: none; output: the encoded ChainParams.
//   validators  args: none; output: the encoded ValidatorSet.
//               Read methods: kMalformed if args are not empty; kNotFound before init.
// Unknown methods: kUnsupported (UnknownMethod, contract.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "baylink/contracts/contract.h"
#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/types.h"

namespace baylink::contracts {

// The chain's operating parameters, fixed at genesis. Each field's allowed range is checked by
// Validate (not by Decode). Times are whole milliseconds; the `_ms` suffix carries the unit
// because this struct is a wire format (callers convert to std::chrono at their edge).
struct ChainParams {
  std::uint64_t block_interval_ms = 1000;     // target time between blocks; 10..600000
  std::uint32_t max_block_txs = 10000;        // transactions in one block; 1..100000
  std::uint32_t max_block_bytes = 16u << 20;  // encoded transactions of a block; 1 KiB..64 MiB
  std::uint32_t max_tx_bytes = 70000;         // one encoded transaction; 256..1 MiB and
                                              // <= max_block_bytes
  std::uint64_t history_heights = 10000;      // state proofs are served for the last N
                                              // heights; 16..10^9
  std::uint64_t heartbeat_ms = 10000;         // an idle chain still makes a block at least
                                              // this often; >= block_interval_ms, <= 1 day

  // Appends the encoding: every field in declaration order, fixed-width big-endian.
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Reads one encoding. Errors: codec errors (kTruncated) naming the field. Does not check
  // ranges: call Validate.
  static core::Result<ChainParams> Decode(core::Reader& r);

  // Errors: kInvalidArgument naming the first field out of range, its value and the allowed
  // range ("chain params: max_block_txs is 0; allowed 1..100000"), checked in declaration
  // order, then the relations between fields (max_tx_bytes <= max_block_bytes,
  // heartbeat_ms >= block_interval_ms).
  core::Status Validate() const;

  friend bool operator==(const ChainParams&, const ChainParams&) = default;
};

// Allowed ranges of ChainParams (inclusive), for tools that want to say them up front.
inline constexpr std::uint64_t kMinBlockIntervalMs = 10;
inline constexpr std::uint64_t kMaxBlockIntervalMs = 600000;
inline constexpr std::uint32_t kMinBlockTxs = 1;
inline constexpr std::uint32_t kMaxBlockTxs = 100000;
inline constexpr std::uint32_t kMinBlockBytes = 1u << 10;
inline constexpr std::uint32_t kMaxBlockBytes = 64u << 20;
inline constexpr std::uint32_t kMinTxBytes = 256;
inline constexpr std::uint32_t kMaxTxBytes = 1u << 20;
inline constexpr std::uint64_t kMinHistoryHeights = 16;
inline constexpr std::uint64_t kMaxHistoryHeights = 1000000000;
inline constexpr std::uint64_t kMaxHeartbeatMs = 86400000;  // one day

// The contract's name and its state keys (see the top of this file).
inline constexpr std::string_view kSystemContract = "system";
inline constexpr std::string_view kSystemParamsKey = "params";
inline constexpr std::string_view kSystemValidatorsKey = "validators";

// A new `system` contract. It holds no state of its own (all state is in the CallContext),
// so one instance serves every call, on any thread.
std::unique_ptr<Contract> MakeSystemContract();

// The args of system.init: params.Encode() ‖ validators.Encode(). Does not validate either.
core::Bytes EncodeSystemInit(const ChainParams& params, const core::ValidatorSet& validators);

}  // namespace baylink::contracts
