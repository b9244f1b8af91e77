// SPDX-License-Identifier: Apache-2.0
//
// The sparse Merkle tree's node store (core/sparse_merkle.h) on a KvStore, so the state tree
// can live in RocksDB. Node `h` is stored under the key `key_prefix || h` (32 bytes of hash),
// its value the encoded node record. Nodes are content-addressed and never deleted here
// (pruning old versions belongs to the chain's state layer).
#pragma once

#include "baylink/core/sparse_merkle.h"
#include "baylink/storage/kv.h"

namespace baylink::storage {

// The key prefix of tree nodes unless another is given: "smt/".
Bytes DefaultNodeKeyPrefix();

class KvNodeStore final : public core::smt::NodeStore {
 public:
  // Requires: `store` outlives this object; no other data in `store` uses keys starting with
  // `key_prefix`. `write_options` applies to every Write (sync: true for a tree whose
  // updates must survive a machine crash on their own).
  explicit KvNodeStore(KvStore& store, Bytes key_prefix = DefaultNodeKeyPrefix(),
                       WriteOptions write_options = {});

  // The record stored for `node_hash`, or nullopt. Errors: kStorage / kIo from the store.
  // Thread safety: any number of threads, concurrently with Write.
  core::Result<std::optional<Bytes>> Get(const core::Hash32& node_hash) const override;
  // Stores all nodes in one atomic WriteBatch (nothing is written for an empty span).
  // Errors: kStorage / kIo from the store; then nothing was written. Thread safety: any
  // thread, concurrently with Get.
  core::Status Write(std::span<const std::pair<core::Hash32, Bytes>> nodes) override;

  // The store key of `node_hash`: key_prefix || node_hash.
  Bytes KeyOf(const core::Hash32& node_hash) const;

 private:
  KvStore& m_store;
  const Bytes m_key_prefix;
  const WriteOptions m_write_options;
};

}  // namespace baylink::storage
