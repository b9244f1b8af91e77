// SPDX-License-Identifier: Apache-2.0
#include "baylink/storage/kv.h"

#include <algorithm>

namespace baylink::storage {

void WriteBatch::Put(ByteView key, ByteView value) { Add(key, value, true); }

void WriteBatch::Delete(ByteView key) { Add(key, ByteView(), false); }

void WriteBatch::Add(ByteView key, ByteView value, bool put) {
  constexpr std::size_t kFirstChunk = 4096;
  constexpr std::size_t kLargestChunk = 1u << 20;
  const std::size_t need = key.size() + value.size();
  // A chunk is appended to only within its capacity, so what it holds never moves.
  if (m_chunks.empty() || m_chunks.back().capacity() - m_chunks.back().size() < need) {
    const std::size_t last = m_chunks.empty() ? 0 : m_chunks.back().capacity();
    Bytes chunk;
    chunk.reserve(std::max(need, std::clamp(2 * last, kFirstChunk, kLargestChunk)));
    m_chunks.push_back(std::move(chunk));
  }
  Bytes& chunk = m_chunks.back();
  m_entries.push_back(Entry{m_chunks.size() - 1, chunk.size(), key.size(), value.size(), put});
  chunk.insert(chunk.end(), key.begin(), key.end());
  chunk.insert(chunk.end(), value.begin(), value.end());
  m_bytes += need;
}

void WriteBatch::Clear() {
  m_entries.clear();
  m_chunks.clear();
  m_bytes = 0;
}

WriteBatch::Op WriteBatch::op(std::size_t i) const {
  const Entry& e = m_entries[i];
  const ByteView data(m_chunks[e.chunk]);
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
