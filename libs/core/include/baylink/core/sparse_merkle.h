// SPDX-License-Identifier: Apache-2.0
//
// A sparse Merkle tree over 256-bit keys: the state_root of DESIGN §3.
//
// Shape. Conceptually a full binary tree of depth 256 where key k sits at the leaf reached by
// k's bits, most significant first (bit 0 = first turn, 0 = left). Hashing:
//   empty subtree  = the all-zero hash (no hashing)
//   leaf           = H(0x00 || key || H(value))
//   inner node     = H(0x01 || left || right)
// A subtree that holds exactly one leaf is represented by that leaf itself, placed at the
// subtree's top; so a key sits at the depth where its bits first differ from every other
// key's (about log2(n)), and an update costs that many hashes, not 256.
//
// Storage. Nodes are immutable and stored by their hash through a NodeStore: an update
// writes new nodes and never touches old ones, so every earlier root stays readable and
// provable (versions). Pruning old versions belongs to the node's state layer.
//
// Proofs are compact: the depth of the key's terminal position, a 256-bit bitmap marking
// which siblings on the path are non-empty, and only those siblings. A terminal position is
// either the key's own leaf (presence), an empty slot, or another key's leaf whose path
// shares the prefix (both prove absence). Each fact has exactly one proof: decoders and
// verifiers reject every shape the tree never produces (kNonCanonical), so a proof cannot be
// altered into a second valid one.
//
// Thread safety: SparseMerkleTree is safe for concurrent reads (Get, Prove); Update must not
// run concurrently with another Update on the same store. Verify* are pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::core::smt {

inline constexpr std::size_t kKeyBits = 256;
// Largest value stored in one leaf.
inline constexpr std::uint32_t kMaxValueBytes = 1u << 20;

// Where the tree keeps its nodes. libs/storage adapts the chain's key-value store to it.
class NodeStore {
 public:
  virtual ~NodeStore() = default;
  // The encoded node with this hash, or nullopt. Errors: local failures only (kStorage...).
  // Must be safe to call from several threads at once (SparseMerkleTree's reads are).
  virtual Result<std::optional<Bytes>> Get(const Hash32& node_hash) const = 0;
  // Stores all nodes, atomically. Records are content-addressed: a hash already stored is
  // always stored with the same record, so keeping either copy is correct. Errors: local
  // failures only.
  virtual Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) = 0;
};

// An in-memory NodeStore for tests and benchmarks. Nodes are never removed. Thread safety:
// many concurrent Gets are safe; a Write must not overlap any other call.
class MemoryNodeStore final : public NodeStore {
 public:
  MemoryNodeStore() = default;
  MemoryNodeStore(const MemoryNodeStore&) = delete;
  MemoryNodeStore& operator=(const MemoryNodeStore&) = delete;

  Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override;
  // Never fails. A node already present is kept (its record is the same: content-addressed).
  Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) override;
  // Number of distinct nodes held.
  std::size_t size() const { return m_size; }

 private:
  // An open-addressing table (linear probing, power-of-two size) over records kept in an
  // append-only arena: a write allocates only when a chunk fills up, a read touches about
  // two cache lines. (A node-based std::unordered_map made the store, not the tree or the
  // hash, the cost of a batched update: one allocation per node, several misses per read.)
  struct Slot {
    Hash32 hash;
    std::uint64_t ref = 0;  // 0: empty; else 1 + the record's offset in the arena
  };
  const Slot* Find(const Hash32& node_hash) const;
  void Grow();
  std::uint64_t Append(ByteView record);

  std::vector<Slot> m_slots;
  std::vector<std::unique_ptr<std::uint8_t[]>> m_chunks;
  std::size_t m_chunk_used = 0;  // bytes used in m_chunks.back()
  std::size_t m_size = 0;
};

// An inner node's record as the tree writes it to a NodeStore (0x01 || left || right), and its
// reverse: the children of a record, or nullopt when it is not an inner node's (a leaf's, or
// malformed). For a store that keeps some nodes in a form of its own.
inline constexpr std::size_t kInnerRecordBytes = 1 + 2 * Hash32::kSize;
Bytes InnerRecord(const Hash32& left, const Hash32& right);
std::optional<std::pair<Hash32, Hash32>> InnerChildren(ByteView record);

// A change in a batch: set `key` to `value`, or delete it when value is nullopt.
// An empty value is a value (present, zero bytes), distinct from deletion.
// `prior_value_hash`: optionally, the hash of the key's value under the root being updated,
// when the caller knows it (an executor read it); the update then recognises the key's old
// leaf by its hash instead of reading it from the store. It is only compared with the hash
// in the tree, so a stale or wrong one costs the read it would have saved, nothing else.
struct Change {
  Hash32 key;
  std::optional<Bytes> value;
  std::optional<Hash32> prior_value_hash = std::nullopt;
};

struct Proof {
  std::uint16_t depth = 0;               // number of turns from the root to the terminal
  std::array<std::uint8_t, 32> bitmap{};  // bit i (MSB-first) set: sibling at depth i non-empty
  std::vector<Hash32> siblings;          // the non-empty siblings, root side first
  // Set when the terminal is another key's leaf (an absence proof through a neighbour).
  std::optional<std::pair<Hash32, Hash32>> other_leaf;  // (key, H(value))

  void Encode(Writer& w) const;
  // Errors: the codec's (kTruncated; kOversized for more than 256 siblings; kNonCanonical
  // for an other_leaf presence byte other than 0 or 1); kProofDepth (depth > 256);
  // kNonCanonical for a shape the tree never produces: bitmap bits set at or beyond depth,
  // a sibling count other than the bits set, a sibling sent as the empty (zero) hash, an
  // empty sibling next to the terminal (bit depth-1 clear while depth > 0: the parent would
  // have collapsed), or other_leaf at depth 256 (it would share all 256 bits with the key).
  static Result<Proof> Decode(Reader& r);
  friend bool operator==(const Proof&, const Proof&) = default;
};

// The hash of `key`'s leaf when its value hashes to `value_hash`: H(0x00 || key || value_hash).
Hash32 LeafHash(const CryptoSuite& suite, const Hash32& key, const Hash32& value_hash);

// Checks that `key` maps to `value` under `trusted_root`. Checks the proof's shape first,
// as Decode does (so a Proof built in memory is held to the same rules), then the hashes.
// Errors: kProofDepth and kNonCanonical (the shape errors of Decode); kBadProof (the proof is
// an absence proof, or the recomputed root differs).
Status VerifyPresence(const CryptoSuite& suite, const Hash32& trusted_root, const Hash32& key,
                      ByteView value, const Proof& proof);
// Checks that `key` has no value under `trusted_root`. Shape first, as VerifyPresence.
// Note that one absence proof serves every key under the same empty slot or neighbour leaf.
// Errors: kProofDepth and kNonCanonical (the shape errors of Decode; also an empty terminal
// at depth 256, whose sibling would be a lone leaf); kBadProof (the neighbour leaf is the key
// itself, or leaves the key's path above `depth`, or the recomputed root differs).
Status VerifyAbsence(const CryptoSuite& suite, const Hash32& trusted_root, const Hash32& key,
                     const Proof& proof);

class SparseMerkleTree {
 public:
  // Batches smaller than this are updated on the calling thread alone.
  static constexpr std::size_t kParallelMinBatch = 1024;

  // The suite and store must outlive the tree. `update_threads` (1 to 64) is how many threads
  // one Update may use: with more than one, a batch of at least kParallelMinBatch changes has
  // its leaves hashed and the subtrees below the top levels rebuilt on that many threads (the
  // caller's and update_threads - 1 started for the call). The result is the same for every
  // thread count. Requires: the store's Get is safe to call from several threads.
  SparseMerkleTree(const CryptoSuite& suite, NodeStore& store, unsigned update_threads = 1);

  static Hash32 EmptyRoot() { return Hash32{}; }

  // Applies a batch of changes to the tree at `root` and returns the new root; nodes of the
  // old root are left intact. Deleting an absent key is a no-op. The root depends only on
  // the resulting key/value set, never on the order or batching of the changes.
  // Cost: the batch is sorted and each touched node is read, and each new inner node
  // hashed, once per batch; all new nodes go to the store in one Write (none if nothing
  // changed): the new leaves first, then the new inner nodes, each after its new children,
  // the new nodes of one subtree together (a store may rely on this order to tell the
  // nodes' depths; StateDb's tree cache does). On any error nothing is written.
  // Errors: kDuplicate (a key twice in one batch), kOversized (value over kMaxValueBytes),
  // kNotFound (root or a node under it missing from the store), kStorage (a malformed node
  // record), store failures. Not to be run concurrently with another Update on the same store.
  Result<Hash32> Update(const Hash32& root, std::span<const Change> changes);

  // Update, also telling which nodes changed hands, for a store that prunes old versions:
  //   stale:   nodes of the tree at `root` that the tree at the new root no longer reaches
  //            (they stay in the store; only versions older than `root` may still need them);
  //   written: every node hash the update wrote (new nodes, and leaves rewritten with their
  //            old value), sorted and distinct.
  // A node may be stale in one update and written again by a later one (content addressing:
  // a key set back to an earlier value); a pruner must not delete a node written after it
  // went stale. Errors: as Update.
  struct UpdateResult {
    Hash32 root;
    std::vector<Hash32> stale;    // sorted, distinct
    std::vector<Hash32> written;  // sorted, distinct
  };
  Result<UpdateResult> UpdateTracked(const Hash32& root, std::span<const Change> changes);

  // The value of `key` under `root`, or nullopt. Errors: kNotFound (missing node), kStorage
  // (a malformed node record), store failures.
  Result<std::optional<Bytes>> Get(const Hash32& root, const Hash32& key) const;

  // A presence or absence proof of `key` under `root`, with the value if present.
  // Errors: as Get.
  struct ProofWithValue {
    Proof proof;
    std::optional<Bytes> value;
  };
  Result<ProofWithValue> Prove(const Hash32& root, const Hash32& key) const;

 private:
  Result<UpdateResult> Apply(const Hash32& root, std::span<const Change> changes,
                             bool track_stale);

  const CryptoSuite& m_suite;
  NodeStore& m_store;
  unsigned m_update_threads;
};

}  // namespace baylink::core::smt
