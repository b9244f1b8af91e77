// SPDX-License-Identifier: Apache-2.0
//
// The light client of one chain (DESIGN §5), as a value: its ClientState and one
// ConsensusState per trusted height. Its lifecycle, one source file each:
//   create.cpp        Create (from a trusted header) and Restore (from persisted state)
//   update.cpp        VerifyUpdate / Apply / Update: follow the chain with signed headers
//   misbehaviour.cpp  VerifyMisbehaviour / Freeze / SubmitMisbehaviour
//   proofs.cpp        transaction, receipt and state proofs at a trusted height
//   prune.cpp         drop consensus states older than the trusting period
//
// Purity. Nothing here reads a clock, logs, stores, or touches a global: time comes in as
// `now`, the crypto suite as a parameter, and every change comes out as a value for the
// caller to persist (UpdateChange, Evidence, pruned heights) before or after applying it to
// the in-memory client. Verify* never modify the client; a failed call leaves it unchanged.
//
// The suite. Each call that hashes or verifies takes the chain's suite; it must be the one
// the client was created for (params().suite), else kInvalidArgument.
//
// Errors. Rejected input only (core/result.h); each message starts with what was refused
// ("update rejected: ...") and says what was wrong. Codes used for more than one check are
// told apart by their message (docs/light-clients.md lists every check).
//
// Thread safety. Const methods may run concurrently with each other; Apply, Update, Freeze,
// SubmitMisbehaviour and Prune need exclusive access (as for a standard container).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/merkle.h"
#include "baylink/core/result.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"
#include "baylink/lightclient/commit.h"
#include "baylink/lightclient/evidence.h"
#include "baylink/lightclient/parallel.h"
#include "baylink/lightclient/state.h"

namespace baylink::lightclient {

// How many expired consensus states an update prunes at most: bounded work per update, and
// enough to keep up with a chain whose light client is updated at least as often as states
// expire.
inline constexpr std::size_t kPrunePerUpdate = 4;

struct VerifyOptions {
  // Runs signature checks on several threads when set; the result is the same without it.
  const ParallelFor* parallel = nullptr;
  // The most expired consensus states an update prunes (UpdateChange::pruned_heights).
  std::size_t max_prune = kPrunePerUpdate;
};

// What an accepted update changes, for the caller to persist and then Apply:
//   put consensus_state under its height, replace the client state with client_state,
//   delete the consensus states at pruned_heights.
struct UpdateChange {
  std::uint64_t base_height = 0;  // the latest height it was verified against
  ClientState client_state;       // the new client state (latest height, validator set)
  ConsensusState consensus_state;
  std::vector<std::uint64_t> pruned_heights;  // ascending; never the new latest
  VoteTally tally;                            // for logs and metrics
  bool adjacent = false;                      // verified as height + 1 (else skipping)
};

class LightClient {
 public:
  // ---- create.cpp ----------------------------------------------------------------------

  // A client that trusts `trusted_header` (a genesis header or an operator checkpoint)
  // signed by `trusted_validators`. No certificate is checked: the header is trusted
  // because the operator says so; everything after it is verified.
  // Checks, in order: params (ClientParams::Validate; the suite matches params.suite:
  // kInvalidArgument); the header's chain id equals params.chain_id (kWrongChain); the
  // header is not beyond now + max_clock_drift (kBadTimestamp) and still inside the
  // trusting period at `now` (kExpired: the client could never be updated); the set hashes
  // to header.validators_hash (kBadProof); the proposer index lies in the set (kMalformed).
  static core::Result<LightClient> Create(const core::CryptoSuite& suite, ClientParams params,
                                          const core::BlockHeader& trusted_header,
                                          const core::ValidatorSet& trusted_validators,
                                          std::chrono::system_clock::time_point now);

  // A client from persisted parts (ClientState and every ConsensusState kept, any order).
  // Checks that they form a state this library could have produced: params valid and suite
  // matching (kInvalidArgument); no height twice (kDuplicate); a consensus state at
  // latest_height and none above it (kMalformed); timestamps strictly increasing with height
  // (kMalformed); the validator set hashes to the latest consensus state's validators_hash
  // (kBadProof).
  static core::Result<LightClient> Restore(const core::CryptoSuite& suite, ClientState client_state,
                                           std::vector<ConsensusState> consensus_states);

  const ClientState& client_state() const { return m_state; }
  const ClientParams& params() const { return m_state.params; }
  std::uint64_t latest_height() const { return m_state.latest_height; }
  bool frozen() const { return m_state.frozen(); }
  // The set that signed latest_height.
  const core::ValidatorSet& validators() const { return m_state.validators; }
  // Trusted heights, ascending.
  const std::map<std::uint64_t, ConsensusState>& consensus_states() const { return m_consensus; }
  // The consensus state at `height`, or nullptr when that height is not trusted (never
  // verified, or pruned). The pointer is valid until the client is next modified.
  const ConsensusState* consensus_state(std::uint64_t height) const;
  const ConsensusState& latest_consensus_state() const;

  // ---- update.cpp ----------------------------------------------------------------------

  // Checks that `untrusted` may become the new latest trusted height, without changing the
  // client. The trusted state is always the latest one (updates only move forward).
  // Checks, in this order (state before input, cheap before expensive, so a flood of
  // forged headers costs a comparison or a hash each, not signature checks):
  //   1. suite is params().suite (kInvalidArgument): a caller error, before anything.
  //   2. the client is not frozen (kFrozen).
  //   3. header chain id is params().chain_id (kWrongChain).
  //   4. the latest trusted state is inside the trusting period: now < its time +
  //      trusting_period (kExpired). Nothing can pass otherwise, so this comes before any
  //      fault of the header; the client needs a governance reset.
  //   5. height above the latest trusted height: kDuplicate when it is the very header
  //      trusted there (a relayer race: harmless), kConflict when another header is trusted
  //      there (the message says to submit a valid one as misbehaviour), kStale otherwise.
  //   6. header time after the trusted time (kBadTimestamp) and not beyond now +
  //      max_clock_drift (kBadTimestamp: a header from the future).
  //   7. certificate and header agree: height, then the recomputed header hash
  //      (kInvalidArgument). One hash.
  //   8. the validator set hashes to header.validators_hash (kBadProof), and the proposer
  //      index lies in it (kMalformed). One hash per validator.
  //   9. adjacent heights (latest + 1): header.validators_hash is the trusted
  //      next_validators_hash and header.parent_hash the trusted header hash (kBadProof).
  //  10. the certificate (VerifyCommit): shape, claimed power (> 2/3 of the header's set:
  //      kInsufficientPower; when skipping, also more than the trust threshold of the
  //      trusted set, matched by public key: kInsufficientTrust), then every signature.
  // On success the change also prunes up to options.max_prune expired consensus states
  // (see Prune). Thread safety: const.
  core::Result<UpdateChange> VerifyUpdate(const core::CryptoSuite& suite,
                                          const SignedHeader& untrusted,
                                          std::chrono::system_clock::time_point now,
                                          const VerifyOptions& options = {}) const;

  // Applies a change VerifyUpdate returned for this client in its current state. Requires
  // change.base_height == latest_height() and the client not frozen (asserts: applying a
  // change twice or out of order is a bug).
  void Apply(const UpdateChange& change);

  // VerifyUpdate, then Apply on success. Returns the change for the caller to persist.
  core::Result<UpdateChange> Update(const core::CryptoSuite& suite, const SignedHeader& untrusted,
                                    std::chrono::system_clock::time_point now,
                                    const VerifyOptions& options = {});

  // ---- misbehaviour.cpp ----------------------------------------------------------------

  // Checks that `misbehaviour` proves the chain signed two headers at one height, without
  // changing the client; returns the Evidence to keep.
  // Checks, in this order:
  //   1. suite (kInvalidArgument); not already frozen (kFrozen).
  //   2. the claim's shape: every header of params().chain_id (kWrongChain); with two
  //      headers, the same height (kInvalidArgument) and different hashes
  //      (kInvalidArgument: nothing conflicts); with one, the client trusts its height
  //      (kNotFound) and a different header there (kInvalidArgument).
  //   3. the anchor: trusted_height trusted (kNotFound), not above the conflict
  //      (kInvalidArgument), inside the trusting period (kExpired: an old set proves
  //      nothing about today's validators), trusted_validators hashing to its
  //      validators_hash (kBadProof).
  //   4. each header: certificate and header agree (kInvalidArgument); its set hashes to
  //      its validators_hash (kBadProof); its certificate (VerifyCommit): more than 2/3 of
  //      its own set, and, unless it is the header trusted at that height or the adjacent
  //      successor of the anchor by next_validators_hash, more than the trust threshold of
  //      the anchor set (kInsufficientTrust); every signature valid.
  // Thread safety: const.
  core::Result<Evidence> VerifyMisbehaviour(const core::CryptoSuite& suite,
                                            const Misbehaviour& misbehaviour,
                                            std::chrono::system_clock::time_point now,
                                            const VerifyOptions& options = {}) const;

  // Freezes the client at evidence.height. Requires that the evidence came from
  // VerifyMisbehaviour on this client and that the client is not frozen (asserts).
  void Freeze(const Evidence& evidence);

  // VerifyMisbehaviour, then Freeze on success. The caller persists the evidence and
  // client_state().
  core::Result<Evidence> SubmitMisbehaviour(const core::CryptoSuite& suite,
                                            const Misbehaviour& misbehaviour,
                                            std::chrono::system_clock::time_point now,
                                            const VerifyOptions& options = {});

  // ---- proofs.cpp ----------------------------------------------------------------------
  // Each checks a fact against a root of the consensus state at `height`. Checks, in order:
  // suite (kInvalidArgument); not frozen (kFrozen: a frozen client vouches for
  // nothing); `height` trusted (kNotFound, naming the trusted range); then the proof, with
  // the errors of core::merkle::VerifyInclusion (kInvalidArgument, kProofDepth, kBadProof)
  // or core::smt::VerifyPresence / VerifyAbsence (kProofDepth, kNonCanonical, kBadProof).
  // A consensus state past the trusting period still vouches for its roots (the period
  // bounds which new headers can be trusted, not which old facts are true) until it is
  // pruned.
  //
  // A binary Merkle root commits to its leaf count (core/merkle.h), so a verified
  // inclusion also proves proof.index is the position and proof.leaf_count the block's count.
  // Thread safety: const.

  // The transaction (its full canonical encoding, signature included) is a leaf of tx_root.
  core::Status VerifyTransaction(const core::CryptoSuite& suite, std::uint64_t height,
                                 const core::Transaction& transaction,
                                 const core::merkle::InclusionProof& proof) const;
  // The receipt (its canonical encoding) is a leaf of receipt_root.
  core::Status VerifyReceipt(const core::CryptoSuite& suite, std::uint64_t height,
                             const core::Receipt& receipt,
                             const core::merkle::InclusionProof& proof) const;
  // `key` maps to `value` under state_root.
  core::Status VerifyStatePresence(const core::CryptoSuite& suite, std::uint64_t height,
                                   const core::Hash32& key, core::ByteView value,
                                   const core::smt::Proof& proof) const;
  // `key` has no value under state_root.
  core::Status VerifyStateAbsence(const core::CryptoSuite& suite, std::uint64_t height,
                                  const core::Hash32& key, const core::smt::Proof& proof) const;

  // ---- prune.cpp -----------------------------------------------------------------------

  // Heights of consensus states that expired at `now` (time + trusting_period <= now),
  // oldest first, at most `max_states` of them, never the latest height. Thread safety:
  // const.
  std::vector<std::uint64_t> ExpiredHeights(std::chrono::system_clock::time_point now,
                                            std::size_t max_states) const;
  // Removes the consensus states ExpiredHeights returns and returns their heights, for the
  // caller to delete from its store. Works on a frozen client too (the evidence is kept by
  // the caller, not in these states).
  std::vector<std::uint64_t> Prune(std::chrono::system_clock::time_point now,
                                   std::size_t max_states);

  friend bool operator==(const LightClient&, const LightClient&) = default;

 private:
  LightClient() = default;
  core::Status CheckSuite(const core::CryptoSuite& suite, std::string_view action) const;
  core::Status CheckNotFrozen(std::string_view action) const;
  core::Result<const ConsensusState*> TrustedAt(std::uint64_t height,
                                                std::string_view action) const;
  core::Result<const ConsensusState*> StateForProof(const core::CryptoSuite& suite,
                                                    std::uint64_t height,
                                                    std::string_view action) const;

  ClientState m_state;
  // Invariants: holds latest_height and nothing above it; timestamps strictly increase with
  // height; m_state.validators hashes to the latest state's validators_hash.
  std::map<std::uint64_t, ConsensusState> m_consensus;
};

}  // namespace baylink::lightclient
