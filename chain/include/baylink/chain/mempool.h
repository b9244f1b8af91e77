// SPDX-License-Identifier: Apache-2.0
//
// The mempool: transactions accepted but not yet in a block.
//
// Admission runs in steps, cheapest first, so a transaction that will be refused anyway
// costs no signature check and the expensive step parallelises:
//   Precheck (any thread, no lock): size, decoding, chain id, hash, sender address.
//   Screen   (short lock): expiry, nonce against the sender's next nonce, duplicate hash.
//   Verify   (any thread, no lock on the curve work): the signature, once. The block path
//            never verifies it again, and a signature that the block path already verified
//            (NoteVerified) is not verified again when the transaction arrives later.
//   Insert   (serialised inside): the Screen checks again, then the pending nonces and the
//            per-sender and global bounds (count and bytes).
// Selection takes, per sender, the run of consecutive nonces starting at the sender's next
// nonce, senders in the order they first arrived. Memory is bounded by max_txs and max_bytes.
//
// Known nonces: the pool keeps each pending sender's next nonce in committed state, so neither
// admission nor selection reads state for a sender it already holds. A sender's nonce changes
// only when a block includes its transactions, and every commit reports the block's senders'
// new nonces through Remove. A value looked up in state before a Remove and handed to an Insert
// after it may predate that block: the pool tells those apart by a generation that every Remove
// advances (AccountNonce, Insert's `nonce_generation`), keeps such a value for the checks only,
// and Select looks that sender up again.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "baylink/core/result.h"
#include "baylink/core/seeded_hash.h"
#include "baylink/core/types.h"

namespace baylink::chain {

struct MempoolOptions {
  std::size_t max_txs = 200000;
  std::size_t max_bytes = 256u << 20;     // sum of encoded sizes
  std::size_t max_per_sender = 10000;     // pending transactions of one sender
  std::size_t max_tx_bytes = 70000;       // one encoded transaction
};

// A transaction that passed Check.
struct CheckedTx {
  core::Transaction tx;
  core::Hash32 hash;
  core::Address sender;
  std::size_t size = 0;  // encoded bytes
};

class Mempool {
 public:
  // Requires: suite outlives the pool.
  Mempool(const core::CryptoSuite& suite, std::string chain_id, MempoolOptions options);

  // Decodes one encoded transaction and checks what needs no signature: errors kOversized
  // (over max_tx_bytes), the decoder's errors (kTruncated, kTrailingBytes, ...),
  // kWrongChain. Thread safety: any thread, no lock taken.
  core::Result<CheckedTx> Precheck(core::ByteView encoded) const;
  // The refusals Insert would make from the expiry, the nonce and the hash alone (kExpired,
  // kStale, kInvalidArgument, kDuplicate for a pending hash), before paying for Verify.
  core::Status Screen(const CheckedTx& checked, std::uint64_t next_height,
                      std::uint64_t account_nonce) const;
  // The signature: kBadSignature / kBadPublicKey / kBadLength. Skipped when NoteVerified
  // recorded this hash with exactly this signature.
  core::Status Verify(const CheckedTx& checked) const;
  // Precheck then Verify.
  core::Result<CheckedTx> Check(core::ByteView encoded) const;
  // Records that the block path verified `signature` over `hash`; the last 32,768 are kept.
  void NoteVerified(const core::Hash32& hash, core::ByteView signature);

  // What the pool knows of a sender's next nonce in committed state: the current generation,
  // and the nonce when the sender has pending transactions and the pool holds a value as
  // recent as the last Remove (none otherwise: look it up in state).
  struct KnownNonce {
    std::uint64_t generation = 0;
    std::optional<std::uint64_t> nonce;
  };
  KnownNonce AccountNonce(const core::Address& sender) const;

  // Adds a checked transaction. `next_height` is the height of the next block and
  // `account_nonce` the sender's next nonce in committed state. `nonce_generation` is the
  // generation AccountNonce returned before `account_nonce` was found (by it or in state):
  // when the transaction's sender is new to the pool and no Remove came in between, the pool
  // keeps `account_nonce` as the sender's known nonce; without it, or after a Remove, Select
  // looks the sender up. Errors: kDuplicate (same hash pending, or the sender's nonce already
  // pending), kExpired (expiry_height below next_height), kStale (nonce already used; the
  // message names the next nonce), kInvalidArgument (nonce more than max_per_sender ahead),
  // kFull (pool or sender at its bound; retry later).
  core::Status Insert(CheckedTx checked, std::uint64_t next_height, std::uint64_t account_nonce,
                      std::optional<std::uint64_t> nonce_generation = std::nullopt);

  using NonceLookup = std::function<core::Result<std::uint64_t>(const core::Address&)>;
  // Up to max_txs transactions (and max_bytes encoded bytes) for the block at `height`,
  // copied out in block order with their hashes. Errors: those of `next_nonce`.
  // `next_nonce` is called only for senders whose nonce the pool does not know (Known
  // nonces above): before the pool is locked (a lookup reads state), so admission is not
  // held up by them; a sender that arrives meanwhile is looked up under the lock. Requires:
  // committed nonces do not change during the call (the caller commits blocks on the thread
  // that selects them).
  struct Selection {
    std::vector<core::Transaction> txs;
    std::vector<core::Hash32> hashes;
  };
  core::Result<Selection> Select(std::size_t max_txs, std::size_t max_bytes, std::uint64_t height,
                                 const NonceLookup& next_nonce) const;

  // After a block: removes `hashes` (included or dropped), every transaction of a sender in
  // `senders` whose nonce is below next_nonce(sender), and those expired before
  // `next_height`; next_nonce(sender) becomes the known nonce of each listed sender still
  // pending, and the generation advances. `senders` must list every sender whose nonce the
  // block changed, and `next_nonce` answer with the committed state after it. Returns the
  // hashes removed (for the caller's journal). Errors: those of `next_nonce` (the given
  // hashes are removed even then). `next_nonce` is called without the pool locked, once per
  // listed sender that still has pending transactions after the given hashes left. Expired
  // transactions are found through an index by expiry height, so the cost does not grow with
  // the pool.
  core::Result<std::vector<core::Hash32>> Remove(const std::vector<core::Hash32>& hashes,
                                                 const std::vector<core::Address>& senders,
                                                 std::uint64_t next_height,
                                                 const NonceLookup& next_nonce);

  bool Contains(const core::Hash32& hash) const;
  // A copy of every pending transaction, senders in arrival order, each sender's by nonce
  // (for rewriting the journal). The pool is locked while copying, not while the caller
  // encodes them.
  std::vector<core::Transaction> Pending() const;
  // Whether the pool holds the transaction `hash` with exactly this signature (so the
  // signature was verified at admission). Another signature over the same hash is not vouched
  // for: signatures are outside the hash.
  bool HoldsVerified(const core::Hash32& hash, core::ByteView signature) const;
  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    core::Transaction tx;
    core::Address sender;
    std::size_t size = 0;
  };
  struct Sender {
    std::uint64_t arrival = 0;                   // order of first arrival
    std::map<std::uint64_t, core::Hash32> by_nonce;
    std::optional<std::uint64_t> account_nonce;  // known next nonce in committed state
  };
  template <class Key, class Value>
  using Table = std::unordered_map<Key, Value, core::SeededHash<Key::kSize>>;
  using HashSet = std::unordered_set<core::Hash32, core::SeededHash<core::Hash32::kSize>>;

  void EraseLocked(const core::Hash32& hash);
  // kDuplicate when `hash` is pending. Requires m_mutex held.
  core::Status NotPendingLocked(const core::Hash32& hash) const;

  const core::CryptoSuite& m_suite;
  const std::string m_chain_id;
  const MempoolOptions m_options;

  const std::uint64_t m_seed;  // of every table's core::SeededHash

  // Lookup tables are never iterated in their own order: block order comes from m_arrivals
  // and each sender's by_nonce, expiry from m_by_expiry's heights (the hashes of one height
  // are sorted before they leave).
  mutable std::mutex m_mutex;  // guards every member below
  Table<core::Hash32, Entry> m_entries;
  Table<core::Address, Sender> m_senders;
  std::map<std::uint64_t, core::Address> m_arrivals;  // arrival -> sender, for selection order
  // Expiry height -> the hashes expiring at it. Most transactions share a few heights, so a
  // hash set per height costs an insert or erase about one probe, where one ordered set of
  // every (height, hash) pair costs a walk down a tree as deep as the pool is large.
  std::map<std::uint64_t, HashSet> m_by_expiry;
  std::uint64_t m_next_arrival = 0;
  std::size_t m_bytes = 0;
  std::uint64_t m_generation = 0;  // advanced by every Remove

  mutable std::mutex m_verified_mutex;  // guards the two members below
  Table<core::Hash32, core::Bytes> m_verified;  // hash -> signature verified by the block path
  std::deque<core::Hash32> m_verified_order;       // oldest first, for the bound
};

}  // namespace baylink::chain
