// SPDX-License-Identifier: Apache-2.0
#include "baylink/storage/memory_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

namespace baylink::storage {
namespace {

// Byte-wise unsigned lexicographic order (std::vector<uint8_t>'s own), made transparent so a
// ByteView can be looked up without copying it into a Bytes.
struct BytesLess {
  using is_transparent = void;
  bool operator()(ByteView a, ByteView b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }
};

using Map = std::map<Bytes, Bytes, BytesLess>;

std::optional<Bytes> Lookup(const Map& map, ByteView key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

// The entries of `map` under `prefix`, in order.
std::vector<std::pair<Bytes, Bytes>> Range(const Map& map, ByteView prefix) {
  std::vector<std::pair<Bytes, Bytes>> out;
  for (auto it = map.lower_bound(prefix); it != map.end(); ++it) {
    const Bytes& key = it->first;
    if (key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), key.begin())) {
      break;
    }
    out.emplace_back(key, it->second);
  }
  return out;
}

core::Status Visit(const std::vector<std::pair<Bytes, Bytes>>& entries,
                   const ScanVisitor& visit) {
  for (const auto& [key, value] : entries) {
    if (visit(key, value) == ScanStep::kStop) break;
  }
  return core::Ok();
}

class MemorySnapshot final : public Snapshot {
 public:
  MemorySnapshot(Map data, std::atomic<int>& live) : m_data(std::move(data)), m_live(live) {
    ++m_live;
  }
  ~MemorySnapshot() override { --m_live; }

  core::Result<std::optional<Bytes>> Get(ByteView key) const override {
    return Lookup(m_data, key);
  }
  core::Status Scan(ByteView prefix, const ScanVisitor& visit) const override {
    return Visit(Range(m_data, prefix), visit);
  }

 private:
  const Map m_data;  // a private copy: immutable, so no lock is needed
  std::atomic<int>& m_live;
};

class MemoryKvStore final : public KvStore {
 public:
  ~MemoryKvStore() override {
    BAYLINK_ASSERT(m_live_snapshots.load() == 0, "KvStore destroyed while a Snapshot is live");
  }

  core::Result<std::optional<Bytes>> Get(ByteView key) const override {
    std::shared_lock lock(m_mutex);
    return Lookup(m_data, key);
  }

  core::Status Write(const WriteBatch& batch, WriteOptions /*options*/) override {
    std::unique_lock lock(m_mutex);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const WriteBatch::Op op = batch.op(i);
      Bytes key(op.key.begin(), op.key.end());
      if (op.value) {
        m_data.insert_or_assign(std::move(key), Bytes(op.value->begin(), op.value->end()));
      } else {
        m_data.erase(key);
      }
    }
    return core::Ok();
  }

  core::Status Scan(ByteView prefix, const ScanVisitor& visit) const override {
    std::vector<std::pair<Bytes, Bytes>> entries;
    {
      std::shared_lock lock(m_mutex);
      entries = Range(m_data, prefix);
    }
    // Visited without the lock, so a slow visitor does not block writers.
    return Visit(entries, visit);
  }

  core::Result<std::unique_ptr<Snapshot>> GetSnapshot() const override {
    std::shared_lock lock(m_mutex);
    return std::unique_ptr<Snapshot>(std::make_unique<MemorySnapshot>(m_data, m_live_snapshots));
  }

 private:
  mutable std::shared_mutex m_mutex;  // guards m_data
  Map m_data;
  mutable std::atomic<int> m_live_snapshots{0};
};

}  // namespace

std::unique_ptr<KvStore> MakeMemoryKvStore() { return std::make_unique<MemoryKvStore>(); }

}  // namespace baylink::storage
