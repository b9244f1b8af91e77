// SPDX-License-Identifier: Apache-2.0
#include "baylink/storage/kv.h"

namespace baylink::storage {

void WriteBatch::Put(ByteView key, ByteView value) {
  m_ops.push_back(Op{Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end())});
}

void WriteBatch::Delete(ByteView key) {
  m_ops.push_back(Op{Bytes(key.begin(), key.end()), std::nullopt});
}

core::Status KvStore::Put(ByteView key, ByteView value, WriteOptions options) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(batch, options);
}

core::Status KvStore::Delete(ByteView key, WriteOptions options) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(batch, options);
}

std::optional<Bytes> PrefixUpperBound(ByteView prefix) {
  Bytes bound(prefix.begin(), prefix.end());
  while (!bound.empty() && bound.back() == 0xff) bound.pop_back();
  if (bound.empty()) return std::nullopt;
  ++bound.back();
  return bound;
}

}  // namespace baylink::storage
