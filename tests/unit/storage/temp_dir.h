// SPDX-License-Identifier: Apache-2.0
//
// Test helpers shared by the storage tests: a temporary directory per test and the two store
// kinds as types for TEST_CASE_TEMPLATE.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "baylink/storage/kv.h"
#include "baylink/storage/memory_store.h"
#include "baylink/storage/rocksdb_store.h"
#include "test_dir.h"

namespace baylink::storage::testing {

using baylink::testing::TempDir;

struct MemoryBackend {
  static std::unique_ptr<KvStore> Open(const TempDir& /*dir*/) { return MakeMemoryKvStore(); }
};

struct RocksDbBackend {
  static std::unique_ptr<KvStore> Open(const TempDir& dir) {
    auto store = OpenRocksDb(dir.path() / "db");
    if (!store) FAIL(store.error().Message());
    return std::move(store).value();
  }
};

inline Bytes B(std::initializer_list<std::uint8_t> bytes) { return Bytes(bytes); }
inline Bytes S(std::string_view text) { return core::ToBytes(text); }

// Every entry under `prefix`, in the order visited.
template <class Source>
std::vector<std::pair<Bytes, Bytes>> Collect(const Source& source, ByteView prefix) {
  std::vector<std::pair<Bytes, Bytes>> out;
  auto status = source.Scan(prefix, [&](ByteView key, ByteView value) {
    out.emplace_back(Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()));
    return ScanStep::kContinue;
  });
  if (!status) FAIL(status.error().Message());
  return out;
}

}  // namespace baylink::storage::testing

TYPE_TO_STRING(baylink::storage::testing::MemoryBackend);
TYPE_TO_STRING(baylink::storage::testing::RocksDbBackend);
