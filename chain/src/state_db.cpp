// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/state_db.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <utility>

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
// The node cache's bound (StateDb's header, "Node cache"), counting a node's record and
// about 96 bytes of key and map entry.
constexpr std::size_t kRecentMaxBytes = 32u << 20;
constexpr std::size_t kNodeOverheadBytes = 96;

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

// The tree's NodeStore during one Stage: reads the committed nodes, keeps new ones in memory
// until Stage moves them into the caller's batch. Gets may run on several update threads;
// Write runs once, after them (SparseMerkleTree writes once per update).
class StateDb::Nodes final : public core::smt::NodeStore {
 public:
  Nodes(const storage::KvStore& store, const NodeMap& recent) : m_store(store), m_recent(recent) {}

  core::Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override {
    if (!m_new.empty()) {
      const auto it = m_new.find(node_hash);
      if (it != m_new.end()) return std::optional<Bytes>(it->second);
    }
    if (const auto it = m_recent.find(node_hash); it != m_recent.end()) {
      return std::optional<Bytes>(it->second);
    }
    return ReadNode(m_store, node_hash);
  }
  core::Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) override {
    for (const auto& [hash, record] : nodes) m_new.insert_or_assign(hash, record);
    return core::Ok();
  }
  NodeMap& written() { return m_new; }

 private:
  const storage::KvStore& m_store;
  const NodeMap& m_recent;
  NodeMap m_new;
};

std::size_t StateDb::HashOfHash::operator()(const Hash32& h) const {
  std::size_t v = 0;
  std::memcpy(&v, h.data(), sizeof v);  // a hash's bytes are already uniform
  return v;
}

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
  Nodes nodes(m_store, m_recent);
  core::smt::SparseMerkleTree tree(m_suite, nodes, m_update_threads);
  BAYLINK_ASSIGN_OR_RETURN(core::smt::SparseMerkleTree::UpdateResult result,
                           tree.UpdateTracked(parent_root, changes));
  core::Writer tag;
  tag.U64(height);
  std::size_t written_bytes = 0;
  for (auto& [hash, record] : nodes.written()) {
    written_bytes += record.size() + kNodeOverheadBytes;
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
  // A burst's block can write hundreds of thousands of nodes: past the bound the next Stage
  // reads them from the store (its memtable) instead of holding them all in the heap.
  if (written_bytes <= kRecentMaxBytes) {
    m_recent = std::move(nodes.written());
  } else {
    m_recent = NodeMap();
  }
  return result.root;
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
