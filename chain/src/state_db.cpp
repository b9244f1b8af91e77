// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/state_db.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "keys.h"

namespace baylink::chain {
namespace {

using core::Bytes;
using core::Hash32;

constexpr std::size_t kHeightBytes = 8;
// Stale hashes per stale-index entry: one entry per chunk instead of one per node keeps a
// block's write batch short (a block of thousands of transfers makes tens of thousands of
// nodes stale).
constexpr std::size_t kStaleChunk = 512;
// The tree cache keeps new inner nodes down to this depth (StateDb's header, "Tree cache").
constexpr std::size_t kTreeCacheDepth = 16;

Bytes NodeKey(const Hash32& hash) { return keys::With(keys::kNode, hash.view()); }

std::uint64_t ReadHeight(core::ByteView bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < kHeightBytes; ++i) v = (v << 8) | bytes[i];
  return v;
}

core::Result<std::optional<Bytes>> ReadNode(const storage::KvStore& store, const Hash32& hash) {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored, store.Get(NodeKey(hash)));
  if (!stored) return std::optional<Bytes>{};
  if (stored->size() < kHeightBytes) {
    return core::Fail(core::Errc::kStorage, "state node " + hash.ToHex() +
                                                " has a record shorter than its height tag");
  }
  return std::optional<Bytes>(Bytes(stored->begin() + kHeightBytes, stored->end()));
}

}  // namespace

// The tree's NodeStore during one Stage: reads the tree cache, then the committed nodes; keeps
// the new ones (in the order the tree wrote them) until Stage moves them into the caller's
// batch. Gets may run on several update threads; Write runs once, after them
// (SparseMerkleTree writes once per update, so no Get ever asks for a node of this Stage).
class StateDb::Nodes final : public core::smt::NodeStore {
 public:
  Nodes(const storage::KvStore& store, const TreeCache& tree_cache)
      : m_store(store), m_tree_cache(tree_cache) {}

  core::Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override {
    if (const auto children = m_tree_cache.Find(node_hash)) {
      return std::optional<Bytes>(core::smt::InnerRecord(children->first, children->second));
    }
    return ReadNode(m_store, node_hash);
  }
  core::Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) override {
    m_written.assign(nodes.begin(), nodes.end());
    return core::Ok();
  }
  const std::vector<std::pair<Hash32, Bytes>>& written() const { return m_written; }

 private:
  const storage::KvStore& m_store;
  const TreeCache& m_tree_cache;
  std::vector<std::pair<Hash32, Bytes>> m_written;
};

namespace {

// Read-only NodeStore over the committed nodes (for GetAt and Prove).
class CommittedNodes final : public core::smt::NodeStore {
 public:
  explicit CommittedNodes(const storage::KvStore& store) : m_store(store) {}
  core::Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override {
    return ReadNode(m_store, node_hash);
  }
  core::Status Write(std::span<const std::pair<Hash32, Bytes>>) override {
    BAYLINK_ASSERT(false, "the committed state view is read-only");
    return core::Ok();
  }

 private:
  const storage::KvStore& m_store;
};

}  // namespace

StateDb::StateDb(const core::CryptoSuite& suite, storage::KvStore& store, unsigned update_threads)
    : m_suite(suite), m_store(store), m_update_threads(update_threads) {}

StateDb::~StateDb() = default;

core::Result<std::optional<Bytes>> StateDb::Get(const Hash32& state_key) const {
  return m_store.Get(keys::With(keys::kFlat, state_key.view()));
}

core::Result<std::optional<Bytes>> StateDb::GetAt(const Hash32& root,
                                                  const Hash32& state_key) const {
  CommittedNodes nodes(m_store);
  const core::smt::SparseMerkleTree tree(m_suite, nodes);
  return tree.Get(root, state_key);
}

core::Result<core::smt::SparseMerkleTree::ProofWithValue> StateDb::Prove(
    const Hash32& root, const Hash32& state_key) const {
  CommittedNodes nodes(m_store);
  const core::smt::SparseMerkleTree tree(m_suite, nodes);
  return tree.Prove(root, state_key);
}

core::Result<Hash32> StateDb::Stage(const Hash32& parent_root, std::uint64_t height,
                                    std::span<const core::smt::Change> changes,
                                    storage::WriteBatch& batch) {
  const std::lock_guard lock(m_cache_mutex);
  Nodes nodes(m_store, m_tree_cache);
  core::smt::SparseMerkleTree tree(m_suite, nodes, m_update_threads);
  BAYLINK_ASSIGN_OR_RETURN(core::smt::SparseMerkleTree::UpdateResult result,
                           tree.UpdateTracked(parent_root, changes));
  KeepUpperLevels(result.root, result.stale, nodes.written());
  core::Writer tag;
  tag.U64(height);
  for (const auto& [hash, record] : nodes.written()) {
    Bytes value = tag.bytes();
    value.insert(value.end(), record.begin(), record.end());
    batch.Put(NodeKey(hash), value);
  }
  for (std::size_t first = 0; first < result.stale.size(); first += kStaleChunk) {
    core::Writer key;
    key.Raw(core::AsBytes(keys::kStale)).U64(height).U32(static_cast<std::uint32_t>(first / kStaleChunk));
    Bytes hashes;
    const std::size_t end = std::min(result.stale.size(), first + kStaleChunk);
    hashes.reserve((end - first) * Hash32::kSize);
    for (std::size_t i = first; i < end; ++i) {
      hashes.insert(hashes.end(), result.stale[i].bytes.begin(), result.stale[i].bytes.end());
    }
    batch.Put(key.bytes(), hashes);
  }
  for (const core::smt::Change& change : changes) {
    const Bytes flat = keys::With(keys::kFlat, change.key.view());
    if (change.value) {
      batch.Put(flat, *change.value);
    } else {
      batch.Delete(flat);
    }
  }
  return result.root;
}

void StateDb::KeepUpperLevels(const Hash32& root, std::span<const Hash32> stale,
                              std::span<const std::pair<Hash32, Bytes>> written) {
  for (const Hash32& hash : stale) m_tree_cache.Erase(hash);
  // The tree writes a node after its children (SparseMerkleTree's "one Write"), so backwards
  // the new inner nodes come root first, each before its descendants, a subtree's nodes
  // together: the nearest open child of the path walked so far is the next node, which
  // gives every new node its depth. (New leaves, written first, come last.)
  struct Open {
    Hash32 left;
    Hash32 right;
    std::size_t depth;
  };
  std::vector<Open> path;
  for (auto it = written.rbegin(); it != written.rend(); ++it) {
    const auto children = core::smt::InnerChildren(it->second);
    if (!children) continue;  // a leaf
    std::size_t depth = 0;
    if (path.empty()) {
      if (it->first != root) return;  // not the order described: cache nothing of it
    } else {
      while (!path.empty() && path.back().left != it->first && path.back().right != it->first) {
        path.pop_back();  // that node's new subtrees are done
      }
      if (path.empty()) return;  // as above
      depth = path.back().depth + 1;
      (path.back().left == it->first ? path.back().left : path.back().right) = Hash32{};
    }
    path.push_back(Open{children->first, children->second, depth});
    if (depth <= kTreeCacheDepth &&
        !m_tree_cache.Insert(it->first, children->first, children->second)) {
      // The upper levels of one tree fit: only nodes of proposals that never committed can
      // have filled the table. Start again from the next block's nodes.
      m_tree_cache.Clear();
      return;
    }
  }
}

void StateDb::ReleaseMemory() {
  const std::lock_guard lock(m_cache_mutex);
  m_tree_cache.Clear();
}

std::size_t StateDb::tree_cache_size() const {
  const std::lock_guard lock(m_cache_mutex);
  return m_tree_cache.size();
}

core::Result<std::size_t> StateDb::StagePrune(std::uint64_t up_to_height, std::size_t max_entries,
                                              storage::WriteBatch& batch) {
  std::size_t taken = 0;
  core::Status failure = core::Ok();
  const Bytes prefix = keys::Key(keys::kStale);
  BAYLINK_TRY(m_store.Scan(prefix, [&](core::ByteView key, core::ByteView value) {
    if (taken >= max_entries) return storage::ScanStep::kStop;
    if (key.size() != prefix.size() + kHeightBytes + 4 || value.size() % Hash32::kSize != 0) {
      failure = core::Fail(core::Errc::kStorage, "malformed stale-index entry in the state store");
      return storage::ScanStep::kStop;
    }
    const std::uint64_t stale_height = ReadHeight(key.subspan(prefix.size()));
    if (stale_height > up_to_height) return storage::ScanStep::kStop;
    const std::size_t count = value.size() / Hash32::kSize;
    const std::size_t now = std::min(count, max_entries - taken);
    for (std::size_t i = 0; i < now; ++i) {
      Hash32 hash;
      std::memcpy(hash.data(), value.data() + i * Hash32::kSize, Hash32::kSize);
      auto stored = m_store.Get(NodeKey(hash));
      if (!stored) {
        failure = std::move(stored).error();
        return storage::ScanStep::kStop;
      }
      // Written again at or after the height it went stale: the current tree (or a kept
      // version) holds it; its later stale entry, if any, will delete it.
      if (*stored && (*stored)->size() >= kHeightBytes && ReadHeight(**stored) < stale_height) {
        batch.Delete(NodeKey(hash));
      }
    }
    if (now == count) {
      batch.Delete(key);
    } else {
      // The bound cut this chunk: the rest stays for the next call.
      batch.Put(key, value.subspan(now * Hash32::kSize));
    }
    taken += now;
    return storage::ScanStep::kContinue;
  }));
  BAYLINK_TRY(failure);
  return taken;
}

core::Result<std::size_t> StateDb::CountNodes() const {
  std::size_t count = 0;
  BAYLINK_TRY(m_store.Scan(keys::Key(keys::kNode), [&](core::ByteView, core::ByteView) {
    ++count;
    return storage::ScanStep::kContinue;
  }));
  return count;
}

}  // namespace baylink::chain
