// SPDX-License-Identifier: Apache-2.0
//
// The deterministic executor (DESIGN §2 chain/): runs a block's transactions through the
// native contracts and yields receipts and the state changes, without writing anything.
//
// Determinism: the result depends only on the transactions, the block's height and
// timestamp, and the state read. No wall clock, no floating point, no unordered iteration:
// state changes come out sorted by key.
//
// Per transaction, in order:
//   1. chain id must match, expiry_height >= height, nonce == the sender's next nonce;
//      otherwise the transaction is left out of the block (Outcome::left_out, with the
//      reason; a nonce above the next one waits in the mempool, one below is dropped);
//   2. the sender's next nonce increments, whatever the call's result;
//   3. the contract's method runs in a call frame; a failure rolls back the frame's writes
//      and events (nested frames included) and gives a kFailed receipt with the error's
//      message; a local failure (storage) aborts the whole block instead.
// Signatures are not checked here: the mempool verified each once at admission.
//
// Nonces live in the state namespace "account" (key: the 20-byte address, value: u64 next
// nonce), so they are provable like any other state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "baylink/contracts/contract.h"
#include "baylink/core/result.h"
#include "baylink/core/seeded_hash.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/types.h"

namespace baylink::chain {

inline constexpr std::string_view kAccountNamespace = "account";

// Reads committed state by state key (core::StateKey). Thread safety: as the implementation.
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual core::Result<std::optional<core::Bytes>> Get(const core::Hash32& state_key) const = 0;
};

// Committed state held in memory, with the changes of each outcome applied to it as a commit
// would: for tests, and for benchmarks that run the executor without a store. Keyed by
// core::SeededHash (a fresh seed per object). Thread safety: Gets may run concurrently;
// Apply and Set must not overlap any other call.
class MemoryState final : public StateReader {
 public:
  using Values = std::unordered_map<core::Hash32, core::Bytes, core::SeededHash<32>>;

  MemoryState();
  // Never fails.
  core::Result<std::optional<core::Bytes>> Get(const core::Hash32& state_key) const override;
  // Sets each change's key to its value, or removes the key when the value is nullopt.
  void Apply(std::span<const core::smt::Change> changes);
  void Set(const core::Hash32& state_key, core::Bytes value);
  // The values by state key, for lookups. Their order changes from one object to the next:
  // never let it reach a result.
  const Values& values() const { return m_values; }

 private:
  Values m_values;
};

struct BlockContext {
  std::uint64_t height = 0;
  std::uint64_t timestamp_ms = 0;
};

// A transaction the executor did not include, and why.
struct LeftOut {
  core::Hash32 tx_hash;
  core::Error reason;
  bool retry_later = false;  // true for a nonce above the next one (it may fit a later block)
};

struct Outcome {
  std::vector<core::Transaction> included;   // in block order
  std::vector<core::Hash32> included_hashes;  // their hashes, same order
  std::vector<core::Receipt> receipts;        // one per included transaction
  std::vector<core::smt::Change> changes;     // sorted by key, one per key
  std::vector<LeftOut> left_out;
};

class Executor {
 public:
  // Requires: suite and registry outlive the executor.
  Executor(const core::CryptoSuite& suite, const contracts::Registry& registry,
           std::string chain_id);

  // Runs `candidates` (with their hashes, same order) on top of `base`. Errors: local
  // failures of `base` only (every problem of a transaction ends in its receipt or in
  // left_out).
  core::Result<Outcome> ExecuteBlock(const StateReader& base, const BlockContext& block,
                                     std::span<const core::Transaction> candidates,
                                     std::span<const core::Hash32> hashes) const;

  // Runs one system-level call at genesis (height 0, sender the zero address), e.g. the
  // system contract's init. Errors: the call's error.
  core::Result<Outcome> ExecuteGenesis(const StateReader& base, const BlockContext& block,
                                       std::string_view contract, std::string_view method,
                                       core::ByteView args) const;

  // A read-only call (RPC `call`): writes and events fail inside the contract. `sender` is
  // what the contract sees as the caller. Errors: the call's error; kNotFound for an
  // unknown contract.
  core::Result<core::Bytes> Call(const StateReader& base, const BlockContext& block,
                                 const core::Address& sender, std::string_view contract,
                                 std::string_view method, core::ByteView args) const;

  // The sender's next nonce in `base`. Errors: local failures; kStorage for a malformed
  // stored nonce.
  core::Result<std::uint64_t> NextNonce(const StateReader& base,
                                        const core::Address& sender) const;

  const core::CryptoSuite& suite() const { return m_suite; }
  const std::string& chain_id() const { return m_chain_id; }

 private:
  const core::CryptoSuite& m_suite;
  const contracts::Registry& m_registry;
  std::string m_chain_id;
  // Of the block's lookup tables (core::SeededHash): the outcome never depends on it.
  std::uint64_t m_hash_seed;
};

}  // namespace baylink::chain
