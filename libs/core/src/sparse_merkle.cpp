// SPDX-License-Identifier: Apache-2.0
//
// Node records in the NodeStore, keyed by the node's hash:
//   inner: 0x01 || left || right      (65 bytes; its hash is H(record))
//   leaf:  0x00 || key || value       (33 + |value| bytes; its hash is H(0x00 || key || H(value)))
// A leaf's hash does not depend on its depth, so a leaf that moves up or down when its
// neighbours come and go keeps its record: only inner nodes are rewritten.
#include "baylink/core/sparse_merkle.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <string>
#include <thread>

#include "baylink/core/thread_name.h"

namespace baylink::core::smt {
namespace {

constexpr std::uint8_t kLeafTag = 0x00;
constexpr std::uint8_t kInnerTag = 0x01;
constexpr std::size_t kLeafHeaderBytes = 1 + Hash32::kSize;

// Bit `i` of a key or of a proof bitmap, most significant bit of byte 0 first.
bool BitAt(const std::uint8_t* bytes, std::size_t i) { return (bytes[i / 8] >> (7 - i % 8)) & 1; }
void SetBit(std::uint8_t* bytes, std::size_t i) {
  bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] | (0x80u >> (i % 8)));
}

// The empty subtree's hash (all zero).
bool IsEmpty(const Hash32& h) { return h.IsZero(); }

// Number of leading bits `a` and `b` share (256 when equal).
std::size_t SharedPrefixBits(const Hash32& a, const Hash32& b) {
  for (std::size_t i = 0; i < Hash32::kSize; ++i) {
    const std::uint8_t diff = a.bytes[i] ^ b.bytes[i];
    if (diff != 0) return i * 8 + static_cast<std::size_t>(std::countl_zero(diff));
  }
  return kKeyBits;
}

Hash32 InnerHash(const CryptoSuite& suite, const Hash32& left, const Hash32& right) {
  const std::uint8_t tag = kInnerTag;
  return suite.Hash({ByteView(&tag, 1), left.view(), right.view()});
}

// ---- reading nodes --------------------------------------------------------------------

struct LoadedNode {
  bool is_leaf = false;
  Hash32 left;   // inner only
  Hash32 right;  // inner only
  Hash32 key;    // leaf only
  Bytes record;  // the whole record; a leaf's value is record[kLeafHeaderBytes..]
};

// WARNING: records are trusted to hash to the key they are stored under (the store is the
// node's own state, and checking would add a hash per node read to every Get and Prove).
// A corrupt store is reported as kStorage where it breaks the tree's shape, but a record
// swapped for another well-formed one is not detected here.
Result<LoadedNode> LoadNode(const NodeStore& store, const Hash32& hash, std::size_t depth) {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> found, store.Get(hash));
  if (!found) {
    return Fail(Errc::kNotFound, "sparse tree node " + hash.ToHex() + " at depth " +
                                     std::to_string(depth) +
                                     " is missing from the node store (pruned, or a root "
                                     "this store never held)");
  }
  LoadedNode node;
  node.record = std::move(*found);
  const Bytes& rec = node.record;
  if (!rec.empty() && rec[0] == kInnerTag && rec.size() == kInnerRecordBytes) {
    // Two distinct keys always diverge by bit 255, so an inner node sits at depth 255 at most.
    if (depth >= kKeyBits) {
      return Fail(Errc::kStorage, "sparse tree node " + hash.ToHex() +
                                      " is an inner node at depth " + std::to_string(depth) +
                                      "; the node store is corrupt");
    }
    std::memcpy(node.left.data(), rec.data() + 1, Hash32::kSize);
    std::memcpy(node.right.data(), rec.data() + 1 + Hash32::kSize, Hash32::kSize);
    return node;
  }
  if (!rec.empty() && rec[0] == kLeafTag && rec.size() >= kLeafHeaderBytes &&
      rec.size() - kLeafHeaderBytes <= kMaxValueBytes) {
    node.is_leaf = true;
    std::memcpy(node.key.data(), rec.data() + 1, Hash32::kSize);
    return node;
  }
  return Fail(Errc::kStorage, "sparse tree node " + hash.ToHex() + " has a malformed " +
                                  std::to_string(rec.size()) +
                                  "-byte record; the node store is corrupt");
}

ByteView LeafValue(const LoadedNode& leaf) {
  return ByteView(leaf.record).subspan(kLeafHeaderBytes);
}

// ---- updating -------------------------------------------------------------------------

// One change of a batch, sorted by key. Values stay in the caller's Change: an item carries
// only the new leaf's hash (computed once, up front) or the deletion mark.
struct Item {
  Hash32 key;
  Hash32 leaf_hash;  // unset for deletions
  bool remove = false;
  std::optional<Hash32> prior_leaf;  // the key's current leaf, when the change told its value
};

// What a subtree became after the batch. kUntouched: the batch had nothing for it, so it was
// not read and its kind is unknown (a leaf or an inner node; never empty).
enum class Kind { kEmpty, kLeaf, kInner, kUntouched };
struct Sub {
  Kind kind = Kind::kEmpty;
  Hash32 hash;
};

// The recursive descent of Update. Every call receives the part of the sorted batch whose
// keys share the subtree's `depth`-bit prefix, so each node touched by the batch is read
// once and each new inner node hashed once, however many keys pass through it.
class Updater {
 public:
  // `parallel_depth`: subtrees at depths below it are rebuilt as two halves, the left one on
  // a thread of its own (so 2^parallel_depth threads at most).
  // `replaced`: when not null, receives the hash of every node of the old tree that the
  // batch replaced (a superset of the nodes the new tree no longer reaches; see
  // UpdateTracked).
  Updater(const CryptoSuite& suite, const NodeStore& store,
          std::vector<std::pair<Hash32, Bytes>>& writes, std::size_t parallel_depth = 0,
          std::vector<Hash32>* replaced = nullptr)
      : m_suite(suite),
        m_store(store),
        m_writes(writes),
        m_parallel_depth(parallel_depth),
        m_replaced(replaced) {}

  Result<Sub> Apply(const Hash32& node_hash, std::size_t depth, std::span<const Item> batch) {
    if (batch.empty()) {
      return IsEmpty(node_hash) ? Sub{} : Sub{Kind::kUntouched, node_hash};
    }
    if (IsEmpty(node_hash)) return Build(depth, batch, nullptr);
    if (batch.size() == 1 && batch.front().prior_leaf == node_hash) {
      // The key's own leaf (its hash covers the key), known without reading it: replaced.
      if (m_replaced != nullptr) m_replaced->push_back(node_hash);
      return Build(depth, batch, nullptr);
    }
    BAYLINK_ASSIGN_OR_RETURN(LoadedNode node, LoadNode(m_store, node_hash, depth));
    if (node.is_leaf) {
      // The leaf stands for the only key of this subtree. It joins the rebuild unless the
      // batch sets or deletes that same key.
      if (SharedPrefixBits(node.key, batch.front().key) < depth) {
        return Fail(Errc::kStorage, "sparse tree leaf " + node_hash.ToHex() + " at depth " +
                                        std::to_string(depth) +
                                        " holds a key off its path; the node store is corrupt");
      }
      const auto it = std::lower_bound(batch.begin(), batch.end(), node.key, KeyLess{});
      if (it != batch.end() && it->key == node.key) {
        // The batch sets or deletes this leaf's key: the old leaf leaves the tree (unless
        // rewritten with the same value, which UpdateTracked filters out).
        if (m_replaced != nullptr) m_replaced->push_back(node_hash);
        return Build(depth, batch, nullptr);
      }
      const Item existing{node.key, node_hash, false, std::nullopt};
      return Build(depth, batch, &existing);
    }
    const auto [lower, upper] = Split(batch, depth);
    Result<Sub> left_result = Sub{};
    Result<Sub> right_result = Sub{};
    if (depth < m_parallel_depth && !lower.empty() && !upper.empty()) {
      // The halves share nothing but the read-only store and suite; the left half collects
      // its new nodes apart and they join this batch's writes after the thread ends.
      std::vector<std::pair<Hash32, Bytes>> left_writes;
      std::vector<Hash32> left_replaced;
      std::thread worker([&, left_hash = node.left, lower = lower] {
        NameThisThread("smt-update");
        Updater sub(m_suite, m_store, left_writes, m_parallel_depth,
                    m_replaced != nullptr ? &left_replaced : nullptr);
        left_result = sub.Apply(left_hash, depth + 1, lower);
      });
      right_result = Apply(node.right, depth + 1, upper);
      worker.join();
      m_writes.insert(m_writes.end(), std::make_move_iterator(left_writes.begin()),
                      std::make_move_iterator(left_writes.end()));
      if (m_replaced != nullptr) {
        m_replaced->insert(m_replaced->end(), left_replaced.begin(), left_replaced.end());
      }
    } else {
      left_result = Apply(node.left, depth + 1, lower);
      if (left_result) right_result = Apply(node.right, depth + 1, upper);
    }
    BAYLINK_ASSIGN_OR_RETURN(Sub left, std::move(left_result));
    BAYLINK_ASSIGN_OR_RETURN(Sub right, std::move(right_result));
    if (left.hash == node.left && right.hash == node.right) {
      return Sub{Kind::kInner, node_hash};  // e.g. deleting absent keys: nothing to write
    }
    if (m_replaced != nullptr) m_replaced->push_back(node_hash);
    return Join(depth, left, right);
  }

 private:
  struct KeyLess {
    bool operator()(const Item& item, const Hash32& key) const {
      return std::memcmp(item.key.data(), key.data(), Hash32::kSize) < 0;
    }
  };

  // Keys of a batch share their first `depth` bits and are sorted, so bit `depth` is 0 for a
  // prefix of the batch and 1 for the rest.
  static std::pair<std::span<const Item>, std::span<const Item>> Split(std::span<const Item> batch,
                                                                       std::size_t depth) {
    const auto mid = std::partition_point(batch.begin(), batch.end(), [depth](const Item& item) {
      return !BitAt(item.key.data(), depth);
    });
    const auto n = static_cast<std::size_t>(mid - batch.begin());
    return {batch.first(n), batch.subspan(n)};
  }

  // The subtree holding exactly the batch's non-deleted keys plus `extra` (a leaf kept from
  // the old tree), built from nothing. Never returns kUntouched.
  Result<Sub> Build(std::size_t depth, std::span<const Item> batch, const Item* extra) {
    std::size_t live = extra != nullptr ? 1 : 0;
    const Item* only = extra;
    for (const Item& item : batch) {
      if (!item.remove) {
        ++live;
        only = &item;
      }
    }
    if (live == 0) return Sub{};
    // The single-leaf collapse: a subtree with one key is that key's leaf, at its top.
    if (live == 1) return Sub{Kind::kLeaf, only->leaf_hash};
    BAYLINK_ASSERT(depth < kKeyBits, "two distinct keys share all 256 bits");
    const auto [lower, upper] = Split(batch, depth);
    const bool extra_right = extra != nullptr && BitAt(extra->key.data(), depth);
    BAYLINK_ASSIGN_OR_RETURN(Sub left, Build(depth + 1, lower, extra_right ? nullptr : extra));
    BAYLINK_ASSIGN_OR_RETURN(Sub right, Build(depth + 1, upper, extra_right ? extra : nullptr));
    return Join(depth, left, right);
  }

  // The node at `depth` over two updated children, collapsed when it holds one leaf.
  Result<Sub> Join(std::size_t depth, Sub left, Sub right) {
    if (left.kind == Kind::kEmpty && right.kind == Kind::kEmpty) return Sub{};
    // A lone child that is (or turned out to be) a leaf moves up; its record stays valid.
    if (left.kind == Kind::kEmpty || right.kind == Kind::kEmpty) {
      Sub& lone = left.kind == Kind::kEmpty ? right : left;
      if (lone.kind == Kind::kUntouched) {
        BAYLINK_ASSIGN_OR_RETURN(LoadedNode node, LoadNode(m_store, lone.hash, depth + 1));
        lone.kind = node.is_leaf ? Kind::kLeaf : Kind::kInner;
      }
      if (lone.kind == Kind::kLeaf) return lone;
    }
    Bytes record = InnerRecord(left.hash, right.hash);
    const Hash32 hash = m_suite.Hash(record);
    m_writes.emplace_back(hash, std::move(record));
    return Sub{Kind::kInner, hash};
  }

  const CryptoSuite& m_suite;
  const NodeStore& m_store;
  std::vector<std::pair<Hash32, Bytes>>& m_writes;
  std::size_t m_parallel_depth;
  std::vector<Hash32>* m_replaced;
};

// ---- proofs -----------------------------------------------------------------------------

std::size_t CountBits(const std::array<std::uint8_t, 32>& bitmap) {
  // Four words, not 32 bytes: without -mpopcnt each std::popcount is a library call.
  std::uint64_t words[4];
  std::memcpy(words, bitmap.data(), sizeof(words));
  std::size_t n = 0;
  for (const std::uint64_t word : words) n += static_cast<std::size_t>(std::popcount(word));
  return n;
}

// The checks on a proof's shape that need no key, in the order Decode can make them.
// Every proof the tree produces passes; each failure is a shape it never produces, so that a
// fact has exactly one proof (a second, malleated proof of the same fact is rejected).
Status CheckDepth(std::uint16_t depth) {
  if (depth > kKeyBits) {
    return Fail(Errc::kProofDepth, "sparse tree proof depth " + std::to_string(depth) +
                                       " exceeds the 256 bits of a key");
  }
  return Ok();
}

Status CheckBitmap(std::uint16_t depth, const std::array<std::uint8_t, 32>& bitmap,
                   std::size_t sibling_count) {
  for (std::size_t byte = depth / 8; byte < bitmap.size(); ++byte) {
    // Bits of this byte at positions >= depth (all of them past the first byte).
    const unsigned mask = byte == depth / 8 ? 0xffu >> (depth % 8) : 0xffu;
    if (const unsigned stray = bitmap[byte] & mask; stray != 0) {
      const std::size_t bit =
          byte * 8 + static_cast<std::size_t>(std::countl_zero(static_cast<std::uint8_t>(stray)));
      return Fail(Errc::kNonCanonical, "sparse tree proof bitmap marks a sibling at depth " +
                                           std::to_string(bit) + ", at or below its depth " +
                                           std::to_string(depth));
    }
  }
  const std::size_t marked = CountBits(bitmap);
  if (sibling_count != marked) {
    return Fail(Errc::kNonCanonical, "sparse tree proof carries " + std::to_string(sibling_count) +
                                         " siblings but its bitmap marks " +
                                         std::to_string(marked));
  }
  // The terminal's parent is an inner node, so it holds at least two leaves and the
  // terminal's own sibling cannot be empty: otherwise the parent would have collapsed
  // (a leaf terminal moves up) or would itself be empty (an empty terminal moves up).
  if (depth > 0 && !BitAt(bitmap.data(), depth - 1u)) {
    return Fail(Errc::kNonCanonical,
                "sparse tree proof has an empty sibling next to its terminal at depth " +
                    std::to_string(depth) + "; the tree would have collapsed that subtree");
  }
  return Ok();
}

Status CheckSiblings(std::span<const Hash32> siblings) {
  for (std::size_t i = 0; i < siblings.size(); ++i) {
    // An empty sibling is marked by a clear bitmap bit, never sent as a zero hash.
    if (IsEmpty(siblings[i])) {
      return Fail(Errc::kNonCanonical, "sparse tree proof sibling " + std::to_string(i) +
                                           " is the empty hash but is marked non-empty");
    }
  }
  return Ok();
}

Status CheckOtherLeaf(std::uint16_t depth, bool has_other_leaf) {
  // A neighbour at depth 256 shares all of the key's bits: it could only be the key itself.
  if (has_other_leaf && depth == kKeyBits) {
    return Fail(Errc::kNonCanonical,
                "sparse tree absence proof places a neighbour leaf at depth 256");
  }
  return Ok();
}

Status CheckShape(const Proof& proof) {
  BAYLINK_TRY(CheckDepth(proof.depth));
  BAYLINK_TRY(CheckBitmap(proof.depth, proof.bitmap, proof.siblings.size()));
  BAYLINK_TRY(CheckSiblings(proof.siblings));
  return CheckOtherLeaf(proof.depth, proof.other_leaf.has_value());
}

// The root over `terminal` placed at proof.depth on `key`'s path. Requires CheckShape.
Hash32 RootFromTerminal(const CryptoSuite& suite, const Hash32& key, const Proof& proof,
                        Hash32 node) {
  const Hash32 empty{};
  std::size_t next = proof.siblings.size();
  for (std::size_t i = proof.depth; i-- > 0;) {
    const Hash32& sibling = BitAt(proof.bitmap.data(), i) ? proof.siblings[--next] : empty;
    node = BitAt(key.data(), i) ? InnerHash(suite, sibling, node) : InnerHash(suite, node, sibling);
  }
  return node;
}

Status CheckRoot(const Hash32& computed, const Hash32& trusted_root, const char* what,
                 const Hash32& key) {
  if (computed != trusted_root) {
    return Fail(Errc::kBadProof, std::string("sparse tree ") + what + " proof for key " +
                                     key.ToHex() + " leads to root " + computed.ToHex() +
                                     ", not the trusted root " + trusted_root.ToHex());
  }
  return Ok();
}

}  // namespace

// ---- MemoryNodeStore ----------------------------------------------------------------------

namespace {
// Every record fits in one chunk: the largest is a leaf of kMaxValueBytes plus its header.
constexpr std::size_t kChunkBytes = 4u << 20;
static_assert(sizeof(std::uint32_t) + kLeafHeaderBytes + kMaxValueBytes <= kChunkBytes);

// Node hashes are hash outputs (no caller picks them freely), so their first bytes index the
// table evenly.
std::size_t SlotIndex(const Hash32& node_hash) {
  std::uint64_t v = 0;
  std::memcpy(&v, node_hash.data(), sizeof(v));
  return static_cast<std::size_t>(v);
}
}  // namespace

const MemoryNodeStore::Slot* MemoryNodeStore::Find(const Hash32& node_hash) const {
  if (m_slots.empty()) return nullptr;
  const std::size_t mask = m_slots.size() - 1;
  for (std::size_t i = SlotIndex(node_hash) & mask;; i = (i + 1) & mask) {
    const Slot& slot = m_slots[i];
    // Terminates: Write keeps the table at most 70% full.
    if (slot.ref == 0 || slot.hash == node_hash) return &slot;
  }
}

void MemoryNodeStore::Grow() {
  std::vector<Slot> old = std::move(m_slots);
  m_slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const std::size_t mask = m_slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.ref == 0) continue;
    std::size_t i = SlotIndex(slot.hash) & mask;
    while (m_slots[i].ref != 0) i = (i + 1) & mask;
    m_slots[i] = slot;
  }
}

std::uint64_t MemoryNodeStore::Append(ByteView record) {
  const std::size_t need = sizeof(std::uint32_t) + record.size();
  BAYLINK_ASSERT(need <= kChunkBytes, "node record larger than a store chunk");
  if (m_chunks.empty() || m_chunk_used + need > kChunkBytes) {
    m_chunks.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(kChunkBytes));
    m_chunk_used = 0;
  }
  std::uint8_t* at = m_chunks.back().get() + m_chunk_used;
  const auto size = static_cast<std::uint32_t>(record.size());
  std::memcpy(at, &size, sizeof(size));
  if (!record.empty()) std::memcpy(at + sizeof(size), record.data(), record.size());
  const std::uint64_t ref = (m_chunks.size() - 1) * kChunkBytes + m_chunk_used + 1;
  m_chunk_used += need;
  return ref;
}

Result<std::optional<Bytes>> MemoryNodeStore::Get(const Hash32& node_hash) const {
  const Slot* slot = Find(node_hash);
  if (slot == nullptr || slot->ref == 0) return std::optional<Bytes>();
  const std::uint64_t offset = slot->ref - 1;
  const std::uint8_t* at = m_chunks[offset / kChunkBytes].get() + offset % kChunkBytes;
  std::uint32_t size = 0;
  std::memcpy(&size, at, sizeof(size));
  return std::optional<Bytes>(std::in_place, at + sizeof(size), at + sizeof(size) + size);
}

Status MemoryNodeStore::Write(std::span<const std::pair<Hash32, Bytes>> nodes) {
  for (const auto& [hash, record] : nodes) {
    if ((m_size + 1) * 10 > m_slots.size() * 7) Grow();
    const Slot* found = Find(hash);
    if (found->ref != 0) continue;  // content-addressed: the same record is already here
    Slot& slot = m_slots[static_cast<std::size_t>(found - m_slots.data())];
    slot.hash = hash;
    slot.ref = Append(record);
    ++m_size;
  }
  return Ok();
}

Bytes InnerRecord(const Hash32& left, const Hash32& right) {
  Bytes record(kInnerRecordBytes);
  record[0] = kInnerTag;
  std::memcpy(record.data() + 1, left.data(), Hash32::kSize);
  std::memcpy(record.data() + 1 + Hash32::kSize, right.data(), Hash32::kSize);
  return record;
}

std::optional<std::pair<Hash32, Hash32>> InnerChildren(ByteView record) {
  if (record.size() != kInnerRecordBytes || record[0] != kInnerTag) return std::nullopt;
  std::pair<Hash32, Hash32> children;
  std::memcpy(children.first.data(), record.data() + 1, Hash32::kSize);
  std::memcpy(children.second.data(), record.data() + 1 + Hash32::kSize, Hash32::kSize);
  return children;
}

// ---- Proof codec ------------------------------------------------------------------------

void Proof::Encode(Writer& w) const {
  w.U16(depth).Raw(ByteView(bitmap)).Count(siblings.size());
  for (const Hash32& sibling : siblings) w.Fixed(sibling);
  w.Bool(other_leaf.has_value());
  if (other_leaf) w.Fixed(other_leaf->first).Fixed(other_leaf->second);
}

Result<Proof> Proof::Decode(Reader& r) {
  // The shape is checked as soon as its fields are read, before the siblings are allocated.
  const auto with_field = [&r](Error error, std::string_view field) {
    return r.FieldError(error.code, field, error.detail);
  };
  Proof proof;
  BAYLINK_ASSIGN_OR_RETURN(proof.depth, r.U16("sparse proof depth"));
  if (Status s = CheckDepth(proof.depth); !s) return with_field(s.error(), "sparse proof depth");
  BAYLINK_ASSIGN_OR_RETURN(ByteView bitmap, r.Raw("sparse proof bitmap", proof.bitmap.size()));
  std::memcpy(proof.bitmap.data(), bitmap.data(), proof.bitmap.size());
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count,
                           r.Count("sparse proof siblings", kKeyBits, Hash32::kSize));
  if (Status s = CheckBitmap(proof.depth, proof.bitmap, count); !s) {
    return with_field(s.error(), "sparse proof bitmap");
  }
  proof.siblings.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(Hash32 sibling, r.Fixed<Hash32::kSize>("sparse proof sibling"));
    proof.siblings.push_back(sibling);
  }
  if (Status s = CheckSiblings(proof.siblings); !s) {
    return with_field(s.error(), "sparse proof siblings");
  }
  BAYLINK_ASSIGN_OR_RETURN(const bool has_other, r.Bool("sparse proof other_leaf"));
  if (has_other) {
    if (Status s = CheckOtherLeaf(proof.depth, true); !s) {
      return with_field(s.error(), "sparse proof other_leaf");
    }
    BAYLINK_ASSIGN_OR_RETURN(Hash32 key, r.Fixed<Hash32::kSize>("sparse proof other_leaf key"));
    BAYLINK_ASSIGN_OR_RETURN(Hash32 value_hash,
                             r.Fixed<Hash32::kSize>("sparse proof other_leaf value_hash"));
    proof.other_leaf.emplace(key, value_hash);
  }
  return proof;
}

// ---- verification -------------------------------------------------------------------------

Hash32 LeafHash(const CryptoSuite& suite, const Hash32& key, const Hash32& value_hash) {
  const std::uint8_t tag = kLeafTag;
  return suite.Hash({ByteView(&tag, 1), key.view(), value_hash.view()});
}

Status VerifyPresence(const CryptoSuite& suite, const Hash32& trusted_root, const Hash32& key,
                      ByteView value, const Proof& proof) {
  BAYLINK_TRY(CheckShape(proof));
  if (proof.other_leaf) {
    return Fail(Errc::kBadProof, "sparse tree proof for key " + key.ToHex() +
                                     " is an absence proof (it ends at the leaf of key " +
                                     proof.other_leaf->first.ToHex() + ")");
  }
  const Hash32 leaf = LeafHash(suite, key, suite.Hash(value));
  return CheckRoot(RootFromTerminal(suite, key, proof, leaf), trusted_root, "presence", key);
}

Status VerifyAbsence(const CryptoSuite& suite, const Hash32& trusted_root, const Hash32& key,
                     const Proof& proof) {
  BAYLINK_TRY(CheckShape(proof));
  Hash32 terminal;  // empty unless a neighbour's leaf ends the path
  if (proof.other_leaf) {
    const auto& [other_key, other_value_hash] = *proof.other_leaf;
    // WARNING: without this check a presence proof of `key` would pass as its absence.
    if (other_key == key) {
      return Fail(Errc::kBadProof, "sparse tree absence proof for key " + key.ToHex() +
                                       " ends at that key's own leaf: the key is present");
    }
    // The tree places a leaf only under its own key's prefix. (The root check would catch a
    // neighbour off the path too; this names the fault.)
    if (SharedPrefixBits(other_key, key) < proof.depth) {
      return Fail(Errc::kBadProof, "sparse tree absence proof for key " + key.ToHex() +
                                       " ends at the leaf of key " + other_key.ToHex() +
                                       ", which leaves the key's path above depth " +
                                       std::to_string(proof.depth));
    }
    terminal = LeafHash(suite, other_key, other_value_hash);
  } else if (proof.depth == kKeyBits) {
    // An empty slot at depth 256 has a one-leaf sibling, which would have collapsed upward.
    return Fail(Errc::kNonCanonical,
                "sparse tree absence proof ends at an empty slot at depth 256");
  }
  return CheckRoot(RootFromTerminal(suite, key, proof, terminal), trusted_root, "absence", key);
}

// ---- SparseMerkleTree ---------------------------------------------------------------------

SparseMerkleTree::SparseMerkleTree(const CryptoSuite& suite, NodeStore& store,
                                   unsigned update_threads)
    : m_suite(suite), m_store(store), m_update_threads(update_threads) {
  BAYLINK_ASSERT(update_threads >= 1 && update_threads <= 64,
                 "SparseMerkleTree update_threads must be 1 to 64");
}

Result<Hash32> SparseMerkleTree::Update(const Hash32& root, std::span<const Change> changes) {
  BAYLINK_ASSIGN_OR_RETURN(UpdateResult result, Apply(root, changes, false));
  return result.root;
}

Result<SparseMerkleTree::UpdateResult> SparseMerkleTree::UpdateTracked(
    const Hash32& root, std::span<const Change> changes) {
  return Apply(root, changes, true);
}

Result<SparseMerkleTree::UpdateResult> SparseMerkleTree::Apply(const Hash32& root,
                                                               std::span<const Change> changes,
                                                               bool track_stale) {
  // Validate and sort the whole batch before any hashing or reading.
  std::vector<Item> items;
  items.reserve(changes.size());
  std::vector<std::uint32_t> order(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Change& change = changes[i];
    if (change.value && change.value->size() > kMaxValueBytes) {
      return Fail(Errc::kOversized, "sparse tree value for key " + change.key.ToHex() + " has " +
                                        std::to_string(change.value->size()) +
                                        " bytes; the limit is " + std::to_string(kMaxValueBytes));
    }
    order[i] = static_cast<std::uint32_t>(i);
  }
  std::sort(order.begin(), order.end(), [&changes](std::uint32_t a, std::uint32_t b) {
    return std::memcmp(changes[a].key.data(), changes[b].key.data(), Hash32::kSize) < 0;
  });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (changes[order[i]].key == changes[order[i - 1]].key) {
      return Fail(Errc::kDuplicate, "sparse tree batch changes key " +
                                        changes[order[i]].key.ToHex() +
                                        " twice; merge the changes into one");
    }
  }
  if (changes.empty()) {
    // Even an empty batch must name a root this store holds (a non-empty one reads it).
    if (!IsEmpty(root)) BAYLINK_TRY(LoadNode(m_store, root, 0));
    return UpdateResult{root, {}, {}};
  }

  // Every set value becomes exactly one leaf of the new tree, so its record is written and
  // its hash computed here, once: two hashes per key, split across the update threads.
  const bool parallel = m_update_threads > 1 && changes.size() >= kParallelMinBatch;
  const std::size_t threads = parallel ? m_update_threads : 1;
  items.resize(changes.size());
  std::vector<std::vector<std::pair<Hash32, Bytes>>> leaf_writes(threads);
  auto hash_leaves = [&](std::size_t part) {
    const std::size_t begin = order.size() * part / threads;
    const std::size_t end = order.size() * (part + 1) / threads;
    leaf_writes[part].reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      const Change& change = changes[order[i]];
      Item& item = items[i];
      item.key = change.key;
      item.remove = !change.value.has_value();
      if (change.prior_value_hash) {
        item.prior_leaf = LeafHash(m_suite, change.key, *change.prior_value_hash);
      }
      if (item.remove) continue;
      const Bytes& value = *change.value;
      item.leaf_hash = LeafHash(m_suite, change.key, m_suite.Hash(value));
      Bytes record(kLeafHeaderBytes + value.size());
      record[0] = kLeafTag;
      std::memcpy(record.data() + 1, change.key.data(), Hash32::kSize);
      if (!value.empty()) {
        std::memcpy(record.data() + kLeafHeaderBytes, value.data(), value.size());
      }
      leaf_writes[part].emplace_back(item.leaf_hash, std::move(record));
    }
  };
  {
    std::vector<std::thread> workers;
    for (std::size_t part = 1; part < threads; ++part) {
      workers.emplace_back([&hash_leaves, part] {
        NameThisThread("smt-leaves");
        hash_leaves(part);
      });
    }
    hash_leaves(0);
    for (std::thread& worker : workers) worker.join();
  }
  std::vector<std::pair<Hash32, Bytes>> writes;
  writes.reserve(changes.size() * 4);
  for (auto& part : leaf_writes) {
    writes.insert(writes.end(), std::make_move_iterator(part.begin()),
                  std::make_move_iterator(part.end()));
  }

  // Subtrees below depth d are rebuilt on 2^d threads, d the largest with 2^d <= threads.
  std::size_t parallel_depth = 0;
  while ((std::size_t{2} << parallel_depth) <= threads) ++parallel_depth;
  std::vector<Hash32> replaced;
  Updater updater(m_suite, m_store, writes, parallel_depth, track_stale ? &replaced : nullptr);
  BAYLINK_ASSIGN_OR_RETURN(const Sub top, updater.Apply(root, 0, items));
  UpdateResult result{top.hash, {}, {}};
  if (track_stale) {
    // A replaced node that the batch wrote again (a key set to its old value) is still in
    // the tree. Nothing else can reappear: a node's hash fixes its leaves' keys, and each
    // key has one place.
    std::vector<Hash32> written;
    written.reserve(writes.size());
    for (const auto& entry : writes) written.push_back(entry.first);
    std::sort(written.begin(), written.end());
    std::sort(replaced.begin(), replaced.end());
    replaced.erase(std::unique(replaced.begin(), replaced.end()), replaced.end());
    std::set_difference(replaced.begin(), replaced.end(), written.begin(), written.end(),
                        std::back_inserter(result.stale));
    result.written = std::move(written);
    result.written.erase(std::unique(result.written.begin(), result.written.end()),
                         result.written.end());
  }
  // One write for the batch: if it fails, the store holds nothing of it that matters (new
  // nodes are unreachable from any root the caller has) and the old root is intact.
  if (!writes.empty()) BAYLINK_TRY(m_store.Write(writes));
  return result;
}

Result<std::optional<Bytes>> SparseMerkleTree::Get(const Hash32& root, const Hash32& key) const {
  Hash32 node_hash = root;
  for (std::size_t depth = 0;; ++depth) {
    if (IsEmpty(node_hash)) return std::optional<Bytes>();
    BAYLINK_ASSIGN_OR_RETURN(LoadedNode node, LoadNode(m_store, node_hash, depth));
    if (node.is_leaf) {
      if (node.key != key) return std::optional<Bytes>();
      const ByteView value = LeafValue(node);
      return std::optional<Bytes>(Bytes(value.begin(), value.end()));
    }
    node_hash = BitAt(key.data(), depth) ? node.right : node.left;
  }
}

Result<SparseMerkleTree::ProofWithValue> SparseMerkleTree::Prove(const Hash32& root,
                                                                 const Hash32& key) const {
  ProofWithValue out;
  Proof& proof = out.proof;
  Hash32 node_hash = root;
  for (std::size_t depth = 0;; ++depth) {
    if (IsEmpty(node_hash)) break;
    BAYLINK_ASSIGN_OR_RETURN(LoadedNode node, LoadNode(m_store, node_hash, depth));
    if (node.is_leaf) {
      const ByteView value = LeafValue(node);
      if (node.key == key) {
        out.value = Bytes(value.begin(), value.end());
      } else {
        if (SharedPrefixBits(node.key, key) < depth) {
          return Fail(Errc::kStorage, "sparse tree leaf " + node_hash.ToHex() + " at depth " +
                                          std::to_string(depth) +
                                          " holds a key off its path; the node store is corrupt");
        }
        proof.other_leaf.emplace(node.key, m_suite.Hash(value));
      }
      break;
    }
    const bool right = BitAt(key.data(), depth);
    const Hash32& sibling = right ? node.left : node.right;
    if (!IsEmpty(sibling)) {
      SetBit(proof.bitmap.data(), depth);
      proof.siblings.push_back(sibling);
    }
    node_hash = right ? node.right : node.left;
    proof.depth = static_cast<std::uint16_t>(depth + 1);
  }
  return out;
}

}  // namespace baylink::core::smt
