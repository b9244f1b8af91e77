// SPDX-License-Identifier: Apache-2.0
#include "baylink/storage/kv.h"

namespace baylink::storage {

void WriteBatch::Put(ByteView key, ByteView value) {
  m_entries.push_back(Entry{m_data.size(), key.size(), value.size(), true});
  m_data.insert(m_data.end(), key.begin(), key.end());
  m_data.insert(m_data.end(), value.begin(), value.end());
}

void WriteBatch::Delete(ByteView key) {
  m_entries.push_back(Entry{m_data.size(), key.size(), 0, false});
  m_data.insert(m_data.end(), key.begin(), key.end());
}

void WriteBatch::Clear() {
  m_entries.clear();
  m_data.clear();
}

WriteBatch::Op WriteBatch::op(std::size_t i) const {
  const Entry& e = m_entries[i];
  const ByteView data(m_data);
  Op out{data.subspan(e.at, e.key_size), std::nullopt};
  if (e.put) out.value = data.subspan(e.at + e.key_size, e.value_size);
  return out;
}

std::vector<WriteBatch::Op> WriteBatch::ops() const {
  std::vector<Op> out;
  out.reserve(m_entries.size());
  for (std::size_t i = 0; i < m_entries.size(); ++i) out.push_back(op(i));
  return out;
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
