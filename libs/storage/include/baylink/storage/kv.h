// SPDX-License-Identifier: Apache-2.0
//
// The key-value store interface (DESIGN §2 libs/storage). Keys and values are arbitrary byte
// strings, including empty ones; keys are ordered by their bytes, compared as unsigned and
// lexicographically (a proper prefix sorts before its extensions), the order RocksDB's default
// comparator uses. Two implementations: OpenRocksDb (rocksdb_store.h) and MakeMemoryKvStore
// (memory_store.h), with the same observable behaviour.
//
// Thread safety: every KvStore method may be called from several threads at once; each write
// (Put, Delete, Write) is atomic and readers see it entirely or not at all. A Snapshot is
// read-only and may be used from any thread, also concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"

namespace baylink::storage {

using core::Bytes;
using core::ByteView;

// How a write reaches the disk.
struct WriteOptions {
  // When true the write is flushed to stable storage (fsync of the write-ahead log) before
  // the call returns, so it survives a machine crash; when false it survives a process crash
  // but a machine crash may lose the most recent writes (never part of one write). The
  // memory store ignores it.
  bool sync = false;
};

// An ordered list of puts and deletes applied by KvStore::Write all-or-nothing. Operations
// apply in the order they were added: a later operation on the same key wins. Not safe for
// concurrent modification; a batch being written must not be modified at the same time.
class WriteBatch {
 public:
  // One operation: a put of `value`, or a delete when value is nullopt. The views point into
  // the batch: valid until it is next changed or destroyed.
  struct Op {
    ByteView key;
    std::optional<ByteView> value;
  };

  void Put(ByteView key, ByteView value);
  void Delete(ByteView key);
  void Clear();

  // The i-th operation (0 <= i < size()), in the order added.
  Op op(std::size_t i) const;
  // Every operation, in the order added.
  std::vector<Op> ops() const;
  std::size_t size() const { return m_entries.size(); }
  bool empty() const { return m_entries.empty(); }
  // The bytes of every key and value held.
  std::size_t bytes() const { return m_bytes; }

 private:
  // Keys and values are copied, one after another, into chunks that are never reallocated
  // (each new chunk twice the last, from 4 KiB up to 1 MiB, or as large as one operation
  // needs): a batch of tens of thousands of operations makes a few dozen allocations and
  // copies each byte once, not two allocations per operation.
  struct Entry {
    std::size_t chunk = 0;
    std::size_t at = 0;  // the key's offset in its chunk; the value follows it
    std::size_t key_size = 0;
    std::size_t value_size = 0;
    bool put = false;
  };
  void Add(ByteView key, ByteView value, bool put);

  std::vector<Bytes> m_chunks;
  std::vector<Entry> m_entries;
  std::size_t m_bytes = 0;
};

// What a scan visitor asks for next.
enum class ScanStep { kContinue, kStop };

// Called for each entry of a scan, in key order. The views are valid only during the call.
// Requires: the visitor does not write to the store being scanned (the memory store holds
// no lock while visiting, but neither implementation promises to show or hide such writes).
using ScanVisitor = std::function<ScanStep(ByteView key, ByteView value)>;

// A consistent, read-only view of a store at the moment it was taken: later writes are never
// visible through it. Requires: the store it came from outlives it (destroying a store with
// a live snapshot is a bug and aborts). Thread safety: any thread, concurrently.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // The value of `key` in the view, or nullopt. Errors: kStorage / kIo (backend failure,
  // with its message).
  virtual core::Result<std::optional<Bytes>> Get(ByteView key) const = 0;
  // Visits every entry whose key starts with `prefix` (all entries for an empty prefix) in
  // key order until the visitor returns kStop. Errors: kStorage / kIo.
  virtual core::Status Scan(ByteView prefix, const ScanVisitor& visit) const = 0;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // The current value of `key`, or nullopt. Errors: kStorage / kIo.
  virtual core::Result<std::optional<Bytes>> Get(ByteView key) const = 0;

  // Applies every operation of `batch` atomically: after a crash or a failure either all of
  // them or none are visible. An empty batch is a no-op that succeeds. Errors: kStorage /
  // kIo with the backend's message; on error nothing was applied.
  virtual core::Status Write(const WriteBatch& batch, WriteOptions options = {}) = 0;

  // Visits every entry whose key starts with `prefix` (all entries for an empty prefix) in
  // key order until the visitor returns kStop. The scan sees one consistent state (writes
  // that complete during the scan are not visited). Errors: kStorage / kIo.
  virtual core::Status Scan(ByteView prefix, const ScanVisitor& visit) const = 0;

  // A snapshot of the current state. Errors: kStorage / kIo.
  virtual core::Result<std::unique_ptr<Snapshot>> GetSnapshot() const = 0;

  // Moves recent writes from the store's memory buffers to its files and frees the buffers
  // and the cached reads, for an owner that has gone idle to give memory back. Nothing
  // becomes more or less durable (every acknowledged write already is); it costs a file
  // write, and later reads go to the files until the cache refills, so call it after a
  // burst, not on a timer. Stores without such buffers do nothing. Errors: kStorage / kIo.
  virtual core::Status ReleaseMemory() { return core::Ok(); }
  // Frees the cached reads alone (what no reader holds): no file write, so it may be called
  // whenever the owner is quiet, such as after opening the store, whose recovery and first
  // compactions can fill the cache past its bound. Stores without a cache do nothing.
  virtual void DropCachedReads() {}

  // What the store holds in memory, in bytes, as far as it can tell (for logs and
  // benchmarks; an estimate, not an accounting of every allocation).
  struct MemoryUsage {
    std::uint64_t write_buffers = 0;  // memtables, including flushed ones still referenced
    std::uint64_t read_cache = 0;     // cached file blocks (data, index and filter)
    std::uint64_t table_readers = 0;  // index and filter memory held outside that cache
  };
  // Stores that keep everything in memory report nothing here.
  virtual MemoryUsage memory_usage() const { return {}; }

  // Sets `key` to `value` (a one-operation Write). Errors: as Write.
  core::Status Put(ByteView key, ByteView value, WriteOptions options = {});
  // Removes `key`; removing an absent key succeeds (a one-operation Write). Errors: as Write.
  core::Status Delete(ByteView key, WriteOptions options = {});
};

// The smallest key greater than every key starting with `prefix`: the prefix with trailing
// 0xff bytes dropped and its last byte incremented. nullopt when no such key exists (the
// prefix is empty or all 0xff), i.e. the prefix range is unbounded above.
std::optional<Bytes> PrefixUpperBound(ByteView prefix);

}  // namespace baylink::storage
