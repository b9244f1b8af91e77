// SPDX-License-Identifier: Apache-2.0
#include "baylink/storage/node_store.h"

#include <utility>

namespace baylink::storage {

Bytes DefaultNodeKeyPrefix() { return core::ToBytes("smt/"); }

KvNodeStore::KvNodeStore(KvStore& store, Bytes key_prefix, WriteOptions write_options)
    : m_store(store), m_key_prefix(std::move(key_prefix)), m_write_options(write_options) {}

Bytes KvNodeStore::KeyOf(const core::Hash32& node_hash) const {
  Bytes key;
  key.reserve(m_key_prefix.size() + core::Hash32::kSize);
  key.insert(key.end(), m_key_prefix.begin(), m_key_prefix.end());
  key.insert(key.end(), node_hash.bytes.begin(), node_hash.bytes.end());
  return key;
}

core::Result<std::optional<Bytes>> KvNodeStore::Get(const core::Hash32& node_hash) const {
  return m_store.Get(KeyOf(node_hash));
}

core::Status KvNodeStore::Write(std::span<const std::pair<core::Hash32, Bytes>> nodes) {
  if (nodes.empty()) return core::Ok();
  WriteBatch batch;
  for (const auto& [hash, record] : nodes) batch.Put(KeyOf(hash), record);
  return m_store.Write(batch, m_write_options);
}

}  // namespace baylink::storage
