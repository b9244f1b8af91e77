// SPDX-License-Identifier: Apache-2.0
//
// The `system` contract (DESIGN §4): the chain's own parameters, written once by the genesis
// block, and the validator set, written by the genesis block and then changed only by
// governance: a proposal of a whole new set, approved by validators holding more than 2/3 of
// the power of the current set.
//
// The chain watches the "validators" key: when a block's state changes write it, that
// block's header carries next_validators_hash of the new set, and the new set signs from the
// next height on (chain.cpp, Chain::Build). So governance never changes who signs the block
// that applies the change.
//
// State in the contract's namespace (keys are bytes; <id> is the proposal id as a u64, 8 bytes
// big-endian):
//   "params"            -> ChainParams, encoded (codec.h)
//   "validators"        -> core::ValidatorSet, encoded: the current set
//   "gov/next_id"       -> u64: the id the next proposal gets (absent: 1)
//   "gov/open"          -> Count ‖ (id u64 ‖ proposer public key (64 bytes) ‖ proposed_height
//                          u64 ‖ expiry_height u64)*, ids strictly increasing: every stored
//                          proposal, at most kMaxOpenValidatorProposals of them
//   "gov/set/" <id>     -> core::ValidatorSet, encoded: the proposal's new set
//   "gov/approvals/" <id> -> Count ‖ public keys (64 bytes each), in the order given
// The new set and the approvals live under separate keys so that each fits
// kMaxStateValueBytes: the set because propose checks its size, the approvals because they
// are pruned to members of the current set (at most kMaxValidatorsInState keys).
//
// Methods (arguments and outputs in the canonical codec):
//   init        args: ChainParams ‖ ValidatorSet (EncodeSystemInit); output: empty.
//               Writes "params" and "validators". Checks, in this order:
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
//   validators  args: none; output: the encoded ValidatorSet (the current set: after a
//               change applied at height h, the set that signs from h + 1).
//               Read methods: kMalformed if args are not empty; kNotFound before init.
//
//   Governance. "The current set" is the value of "validators" when the call runs: it
//   includes a change applied earlier in the same block, so a change is judged by the set
//   that a previous change (itself approved by more than 2/3 of its predecessor) appointed.
//   A validator is identified by its transaction's sender: the member of the current set
//   whose key has suite().ToAddress(key) == sender() (the first in set order should two
//   keys share an address). Power thresholds are integer arithmetic, never rounded: a
//   proposal passes when 3 * approved_power > 2 * current_total_power, where approved_power
//   sums the powers, in the current set, of the approvers that are members of it. An
//   approval given by a key that has since left the set does not count (and is dropped at
//   the next approval); if the key returns while the proposal is open, it counts again.
//
//   propose     args: the complete new ValidatorSet (EncodeProposeArgs = ValidatorSet::Encode):
//               adding, removing and reweighting validators are all a whole new set, and its
//               order is the order of indices in certificates and proposer rotation.
//               Output: the proposal id, u64 (DecodeProposalId). Ids count up from 1 and are
//               never reused. Checks, in this order (cheap refusals of outsiders first, before
//               decoding up to 64 KiB of arguments):
//                 1. kUnauthorized unless called directly by a transaction
//                    (caller_contract() == ""): sender() is kept in nested calls, so a
//                    contract a validator calls must not be able to propose in its name;
//                 2. kNotFound if the contract is not initialised;
//                 3. kUnauthorized unless the sender is a validator of the current set;
//                 4. kMalformed naming the method if the args do not decode exactly as a
//                    ValidatorSet (so ValidatorSet::Create's rules hold: 1..kMaxValidators
//                    entries, no zero power, no key twice, total power <= kMaxTotalPower);
//                 5. the suite's error (kBadPublicKey) naming the index of the first
//                    validator whose key is not a point of the chain's curve;
//                 6. kOversized if the set's encoding exceeds kMaxStateValueBytes (it could
//                    not be written under "validators": at most kMaxValidatorsInState
//                    entries);
//                 7. kInvalidArgument if the new set equals the current set (nothing would
//                    change);
//                 8. stored proposals past their expiry height are removed (their state
//                    deleted), then kFull if the sender's key already proposed one of the
//                    remaining ones (at most kMaxOpenProposalsPerValidator each, so one
//                    validator cannot fill every slot and block governance), then kFull if
//                    kMaxOpenValidatorProposals remain.
//               Then the proposal is stored with expiry_height = height() +
//               kValidatorProposalLifetime (saturating) and the proposer's approval counted,
//               and event "validator_set_proposed" is emitted, data = id (u64). If the
//               proposer alone already holds more than 2/3 of the current power (a chain of
//               one validator, say), the proposal is applied at once instead of stored (see
//               approve): the same call also emits "validator_set_changed", and `proposal`
//               answers kNotFound for its id.
//   approve     args: a proposal id, u64 (EncodeApproveArgs). Output: Bool (one byte, 1 or 0;
//               DecodeApproveOutput): whether this approval applied the proposal. Checks, in
//               this order:
//                 1. kUnauthorized unless called directly by a transaction;
//                 2. kMalformed naming the method if the args are not exactly a u64;
//                 3. kNotFound if the contract is not initialised;
//                 4. kUnauthorized unless the sender is a validator of the current set;
//                 5. kNotFound if no proposal with that id is stored (never made, already
//                    applied, or expired and since removed by a propose);
//                 6. kExpired if height() > the proposal's expiry_height;
//                 7. kDuplicate if the sender's key already approved it, unless the
//                    approvals already stored pass against the current set (possible after
//                    the set changed and dropped dissenters; see above): then this call
//                    applies the proposal, since nobody else might be left to approve.
//               The approval is recorded (approvals from keys outside the current set are
//               dropped). If the proposal now passes, it is applied: its set is written under
//               "validators" (so it signs from the next height on), its state is deleted and
//               it leaves "gov/open", and event "validator_set_changed" is emitted, data =
//               id (u64) ‖ the new set's ValidatorSet::Hash (32 bytes, the header's
//               next_validators_hash). Other open proposals stay open and are judged against
//               the new set from then on.
//   proposal    args: a proposal id, u64 (EncodeApproveArgs). Output: the ValidatorSetProposal,
//               encoded. kMalformed if the args are not exactly a u64; kNotFound if no
//               proposal with that id is stored. A stored proposal past its expiry height is
//               still returned until a propose removes it (compare expiry_height with the
//               height).
// Writes and events fail with the context's errors (kUnsupported in a read-only call); the
// executor then rolls back the whole call. Stored governance state that does not decode
// (never written by this contract) is kStorage, a local failure.
// Unknown methods: kUnsupported (UnknownMethod, contract.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

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

// ---- Governance of the validator set (see the top of this file) --------------------------

// A proposal accepts approvals through height proposed_height + kValidatorProposalLifetime
// (its expiry_height): at 1 s blocks, about 17 minutes.
inline constexpr std::uint64_t kValidatorProposalLifetime = 1000;
// Stored proposals at most (propose: kFull beyond), and per proposing validator.
inline constexpr std::size_t kMaxOpenValidatorProposals = 16;
inline constexpr std::size_t kMaxOpenProposalsPerValidator = 1;
// The largest validator set whose encoding (a u32 count, then 64-byte key ‖ u64 power per
// entry) fits kMaxStateValueBytes: 910. ValidatorSet allows up to core::kMaxValidators, but
// a larger set could never be stored under "validators".
inline constexpr std::size_t kMaxValidatorsInState =
    (kMaxStateValueBytes - 4) / (core::PublicKey::kSize + 8);
// Event topics.
inline constexpr std::string_view kValidatorSetProposedEvent = "validator_set_proposed";
inline constexpr std::string_view kValidatorSetChangedEvent = "validator_set_changed";

// A stored proposal, as the `proposal` method returns it.
struct ValidatorSetProposal {
  std::uint64_t id = 0;
  core::PublicKey proposer;              // the current-set key of the proposing validator
  std::uint64_t proposed_height = 0;     // height of the block that stored it
  std::uint64_t expiry_height = 0;       // last height at which approve accepts it
  core::ValidatorSet new_validators;     // the whole set it would install
  std::vector<core::PublicKey> approvers;  // distinct keys, in the order they approved (the
                                           // proposer first, unless it left the set since)

  // Encoding: U64(id) ‖ proposer (64 bytes) ‖ U64(proposed_height) ‖ U64(expiry_height) ‖
  // new_validators (ValidatorSet::Encode) ‖ Count ‖ approver keys (64 bytes each).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: codec errors naming the field; those of ValidatorSet::Decode; kOversized (more
  // than core::kMaxValidators approvers); kDuplicate (an approver twice).
  static core::Result<ValidatorSetProposal> Decode(core::Reader& r);

  friend bool operator==(const ValidatorSetProposal&, const ValidatorSetProposal&) = default;
};

// The args of system.propose: new_validators.Encode(). Does not validate the set beyond what
// ValidatorSet already guarantees.
core::Bytes EncodeProposeArgs(const core::ValidatorSet& new_validators);
// The args of system.approve and of system.proposal: U64(id).
core::Bytes EncodeApproveArgs(std::uint64_t id);
// The output of system.propose. Errors: codec errors (kTruncated, kTrailingBytes) when
// `output` is not exactly a u64.
core::Result<std::uint64_t> DecodeProposalId(core::ByteView output);
// The output of system.approve: true when the approval applied the proposal. Errors: codec
// errors when `output` is not exactly one Bool byte (kNonCanonical for a byte other than 0
// or 1).
core::Result<bool> DecodeApproveOutput(core::ByteView output);

// A new `system` contract. It holds no state of its own (all state is in the CallContext),
// so one instance serves every call, on any thread.
std::unique_ptr<Contract> MakeSystemContract();

// The args of system.init: params.Encode() ‖ validators.Encode(). Does not validate either.
core::Bytes EncodeSystemInit(const ChainParams& params, const core::ValidatorSet& validators);

}  // namespace baylink::contracts
