// SPDX-License-Identifier: Apache-2.0
#include "baylink/storage/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace baylink::storage {
namespace {

rocksdb::Slice ToSlice(ByteView bytes) {
  // An empty span may carry a null pointer, which RocksDB passes on to memcmp/memcpy.
  if (bytes.empty()) return rocksdb::Slice("", 0);
  return rocksdb::Slice(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

ByteView ToView(const rocksdb::Slice& slice) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(slice.data()), slice.size());
}

// Local failures: the I/O group is kIo, everything else the backend reports is kStorage.
core::Error FromStatus(const rocksdb::Status& status, const std::string& what) {
  const core::Errc code = status.IsIOError() ? core::Errc::kIo : core::Errc::kStorage;
  return core::Fail(code, what + ": " + status.ToString());
}

// Scans with `options` (whose snapshot, if any, is already set) over the keys under `prefix`.
core::Status ScanWith(rocksdb::DB& db, rocksdb::ReadOptions options, ByteView prefix,
                      const ScanVisitor& visit) {
  // The upper bound lets RocksDB stop at the end of the range instead of reading the next
  // key past it; with an all-0xff prefix there is none and the prefix test below ends it.
  const std::optional<Bytes> upper = PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice;
  if (upper) {
    upper_slice = ToSlice(*upper);
    options.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options));
  const rocksdb::Slice prefix_slice = ToSlice(prefix);
  for (it->Seek(prefix_slice); it->Valid(); it->Next()) {
    if (!it->key().starts_with(prefix_slice)) break;
    if (visit(ToView(it->key()), ToView(it->value())) == ScanStep::kStop) break;
  }
  if (!it->status().ok()) return FromStatus(it->status(), "RocksDB scan failed");
  return core::Ok();
}

core::Result<std::optional<Bytes>> GetWith(rocksdb::DB& db, const rocksdb::ReadOptions& options,
                                           ByteView key) {
  rocksdb::PinnableSlice value;
  const rocksdb::Status status = db.Get(options, db.DefaultColumnFamily(), ToSlice(key), &value);
  if (status.IsNotFound()) return std::optional<Bytes>();
  if (!status.ok()) return FromStatus(status, "RocksDB read failed");
  const ByteView view = ToView(value);
  return std::optional<Bytes>(Bytes(view.begin(), view.end()));
}

class RocksDbSnapshot final : public Snapshot {
 public:
  RocksDbSnapshot(rocksdb::DB& db, std::atomic<int>& live)
      : m_db(db), m_snapshot(db.GetSnapshot()), m_live(live) {
    ++m_live;
  }
  ~RocksDbSnapshot() override {
    m_db.ReleaseSnapshot(m_snapshot);
    --m_live;
  }

  core::Result<std::optional<Bytes>> Get(ByteView key) const override {
    return GetWith(m_db, Options(), key);
  }
  core::Status Scan(ByteView prefix, const ScanVisitor& visit) const override {
    return ScanWith(m_db, Options(), prefix, visit);
  }

 private:
  rocksdb::ReadOptions Options() const {
    rocksdb::ReadOptions options;
    options.snapshot = m_snapshot;
    return options;
  }

  rocksdb::DB& m_db;
  const rocksdb::Snapshot* const m_snapshot;
  std::atomic<int>& m_live;
};

// A key's first eight bytes as a big-endian integer (zero-padded): a < b on these implies
// a < b on the whole keys, and equal heads leave the order to the full comparison.
std::uint64_t KeyHead(ByteView key) {
  std::uint64_t head = 0;
  for (std::size_t i = 0; i < 8; ++i) head = (head << 8) | (i < key.size() ? key[i] : 0);
  return head;
}

// rocksdb::DB is itself safe for concurrent reads, writes, iterators and snapshots, so this
// class needs no lock of its own.
class RocksDbStore final : public KvStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Cache> block_cache)
      : m_db(std::move(db)), m_block_cache(std::move(block_cache)) {}
  ~RocksDbStore() override {
    BAYLINK_ASSERT(m_live_snapshots.load() == 0, "KvStore destroyed while a Snapshot is live");
    // Close reports errors of the final flush; the WAL already holds every acknowledged
    // write, so there is nothing to recover here and the destructor has no one to tell.
    (void)m_db->Close();
  }

  core::Result<std::optional<Bytes>> Get(ByteView key) const override {
    return GetWith(*m_db, rocksdb::ReadOptions(), key);
  }

  core::Status Write(const WriteBatch& batch, WriteOptions options) override {
    if (batch.empty()) return core::Ok();
    const std::vector<WriteBatch::Op> ops = batch.ops();
    const std::size_t bytes = batch.bytes() + 8 * ops.size();
    // In key order (stable: operations on one key keep their order, so the outcome is the
    // same): with the memtable's insert hints each key lands next to the previous one instead
    // of being searched for from the top of the skip list.
    // Most comparisons are settled by the keys' first eight bytes, read once into an integer;
    // only keys that share them are compared whole.
    struct Entry {
      std::uint64_t head;
      std::uint32_t index;
    };
    std::vector<Entry> order(ops.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = Entry{KeyHead(ops[i].key), i};
    std::stable_sort(order.begin(), order.end(), [&ops](const Entry& a, const Entry& b) {
      if (a.head != b.head) return a.head < b.head;
      const ByteView x = ops[a.index].key;
      const ByteView y = ops[b.index].key;
      const int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
      return c != 0 ? c < 0 : x.size() < y.size();
    });
    rocksdb::WriteBatch rocks_batch(bytes + 64);
    for (const Entry& entry : order) {
      const WriteBatch::Op& op = ops[entry.index];
      const rocksdb::Status status = op.value
                                         ? rocks_batch.Put(ToSlice(op.key), ToSlice(*op.value))
                                         : rocks_batch.Delete(ToSlice(op.key));
      if (!status.ok()) return FromStatus(status, "RocksDB batch rejected an operation");
    }
    rocksdb::WriteOptions rocks_options;
    rocks_options.sync = options.sync;
    const rocksdb::Status status = m_db->Write(rocks_options, &rocks_batch);
    if (!status.ok()) return FromStatus(status, "RocksDB write failed");
    return core::Ok();
  }

  core::Status Scan(ByteView prefix, const ScanVisitor& visit) const override {
    // An iterator without an explicit snapshot reads one implicit snapshot taken at its
    // creation, which gives kv.h's "one consistent state" promise.
    return ScanWith(*m_db, rocksdb::ReadOptions(), prefix, visit);
  }

  core::Result<std::unique_ptr<Snapshot>> GetSnapshot() const override {
    return std::unique_ptr<Snapshot>(std::make_unique<RocksDbSnapshot>(*m_db, m_live_snapshots));
  }

  core::Status ReleaseMemory() override {
    rocksdb::FlushOptions options;
    options.wait = true;
    const rocksdb::Status status = m_db->Flush(options);
    if (!status.ok()) return FromStatus(status, "RocksDB memtable flush failed");
    // Cached blocks are spread over the heap a busy node grew; each keeps its pages resident
    // after the heap is trimmed. Dropping them (the pinned top-level index and filter blocks
    // stay) lets those pages go; an idle node reads the few blocks it needs again.
    DropCachedReads();
    return core::Ok();
  }

  void DropCachedReads() override { m_block_cache->EraseUnRefEntries(); }

  MemoryUsage memory_usage() const override {
    const auto property = [this](const std::string& name) {
      std::uint64_t value = 0;
      return m_db->GetIntProperty(name, &value) ? value : 0;
    };
    MemoryUsage usage;
    usage.write_buffers = property(rocksdb::DB::Properties::kSizeAllMemTables);
    usage.read_cache = property(rocksdb::DB::Properties::kBlockCacheUsage);
    usage.table_readers = property(rocksdb::DB::Properties::kEstimateTableReadersMem);
    return usage;
  }

 private:
  const std::unique_ptr<rocksdb::DB> m_db;
  const std::shared_ptr<rocksdb::Cache> m_block_cache;
  mutable std::atomic<int> m_live_snapshots{0};
};

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

core::Result<std::unique_ptr<KvStore>> OpenRocksDb(const std::filesystem::path& path,
                                                   const RocksDbOptions& options) {
  rocksdb::Options rocks_options;
  rocks_options.create_if_missing = options.create_if_missing;
  // Most reads are point lookups by hash (tree nodes, transactions, nonces), many of keys
  // that do not exist: bloom filters on the table files and on the memtable answer those
  // without a search. Index and filter blocks live in the bounded block cache, split into
  // partitions of about 4 KiB under a small top-level block that stays pinned: a lookup
  // loads one partition, not a whole file's filter. (Whole-file blocks in a 32 MiB cache
  // thrash once the store outgrows it: with a million accounts each lookup re-read
  // hundreds of KiB of filter.)
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(32u << 20);
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  rocks_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocks_options.memtable_whole_key_filtering = true;
  rocks_options.memtable_prefix_bloom_size_ratio = 0.02;
  rocks_options.max_background_jobs = 2;
  // Memtables bound most of the memory a busy node holds: two of 32 MiB at most (RocksDB's
  // default is two of 64 MiB), so a node stays near 100 MB however much it was just given.
  rocks_options.write_buffer_size = 32u << 20;
  rocks_options.max_write_buffer_number = 2;
  // Every key starts with a short prefix naming its kind ("sm", "st", "s/", "b/", ...): the
  // memtable keeps an insert hint per prefix (see Write's key order).
  rocks_options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(2));
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(rocks_options, path.string(), &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (status.ok()) {
    return std::unique_ptr<KvStore>(std::make_unique<RocksDbStore>(std::move(db), table.block_cache));
  }

  const std::string where = "cannot open the RocksDB database at " + path.string();
  const std::string message = status.ToString();
  // RocksDB reports a held LOCK file as an I/O error ("While lock file: <path>/LOCK: ...").
  if (Contains(message, "lock file") || Contains(message, "LOCK")) {
    return core::Fail(core::Errc::kStorage,
                      where + ": it is already open (by another process, or by another store "
                              "in this process); stop that process or close that store, or "
                              "use another directory (" + message + ")");
  }
  if (status.IsInvalidArgument() && Contains(message, "does not exist")) {
    return core::Fail(core::Errc::kNotFound,
                      where + ": there is no database there; check the path, or open with "
                              "create_if_missing (" + message + ")");
  }
  if (status.IsIOError()) {
    return core::Fail(core::Errc::kIo,
                      where + ": check that the path is a directory (or can be created) and is "
                              "writable by this user, and that the disk has space (" +
                          message + ")");
  }
  return core::Fail(core::Errc::kStorage, where + ": " + message);
}

}  // namespace baylink::storage
