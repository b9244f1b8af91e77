// SPDX-License-Identifier: Apache-2.0
//
// What only the RocksDB store has (a directory, a lock, persistence), and a randomised
// differential test of it against the memory store.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "temp_dir.h"
#include "test_random.h"

namespace baylink::storage::testing {
namespace rocksdb_store_test {
namespace {

using core::Errc;

TEST_CASE("a reopened RocksDB directory keeps every acknowledged write") {
  TempDir dir;
  const auto path = dir.path() / "db";
  {
    auto store = OpenRocksDb(path);
    REQUIRE(store);
    REQUIRE((*store)->Put(S("unsynced"), S("1")));
    WriteBatch batch;
    batch.Put(S("synced"), S("2"));
    batch.Put(Bytes{}, Bytes{});
    batch.Delete(S("unsynced"));
    batch.Put(S("unsynced"), S("3"));
    REQUIRE((*store)->Write(batch, WriteOptions{.sync = true}));
  }
  auto reopened = OpenRocksDb(path, RocksDbOptions{.create_if_missing = false});
  REQUIRE(reopened);
  CHECK((*reopened)->Get(S("synced")).value() == S("2"));
  CHECK((*reopened)->Get(S("unsynced")).value() == S("3"));
  CHECK((*reopened)->Get(Bytes{}).value() == Bytes{});
}

TEST_CASE("releasing a RocksDB store's memory moves its writes into a table file and keeps them") {
  TempDir dir;
  const auto path = dir.path() / "db";
  const auto table_files = [&] {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (entry.path().extension() == ".sst") ++count;
    }
    return count;
  };
  {
    auto store = OpenRocksDb(path);
    REQUIRE(store);
    WriteBatch batch;
    for (int i = 0; i < 1000; ++i) batch.Put(S("k" + std::to_string(i)), S("v" + std::to_string(i)));
    REQUIRE((*store)->Write(batch));
    REQUIRE((*store)->Delete(S("k7")));
    CHECK(table_files() == 0);  // still in the memtable
    const auto buffered = (*store)->memory_usage().write_buffers;
    CHECK(buffered > 1000 * 8);  // at least the keys and values written
    REQUIRE((*store)->ReleaseMemory());
    CHECK(table_files() == 1);
    CHECK((*store)->memory_usage().write_buffers < buffered);
    const auto cached = (*store)->memory_usage().read_cache;  // the new file's index, perhaps
    CHECK((*store)->Get(S("k999")).value() == S("v999"));
    const auto after_read = (*store)->memory_usage().read_cache;
    CHECK(after_read > cached);  // the data block read is now cached
    REQUIRE((*store)->ReleaseMemory());
    CHECK((*store)->memory_usage().read_cache < after_read);  // and dropped again
    CHECK((*store)->Get(S("k7")).value() == std::nullopt);
    REQUIRE((*store)->ReleaseMemory());  // nothing buffered: still fine
  }
  auto reopened = OpenRocksDb(path, RocksDbOptions{.create_if_missing = false});
  REQUIRE(reopened);
  CHECK((*reopened)->Get(S("k0")).value() == S("v0"));
  CHECK((*reopened)->Get(S("k7")).value() == std::nullopt);
}

TEST_CASE("a second open of an open RocksDB directory fails naming the path and the remedy") {
  TempDir dir;
  const auto path = dir.path() / "db";
  auto first = OpenRocksDb(path);
  REQUIRE(first);
  auto second = OpenRocksDb(path);
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Errc::kStorage);
  const std::string message = second.error().Message();
  INFO(message);
  CHECK(message.find(path.string()) != std::string::npos);
  CHECK(message.find("already open") != std::string::npos);
  // Once the first store is closed the directory opens again.
  first->reset();
  CHECK(OpenRocksDb(path));
}

TEST_CASE("opening RocksDB where a regular file is in the way fails with kIo naming the path") {
  TempDir dir;
  const auto path = dir.path() / "not-a-directory";
  std::ofstream(path) << "x";
  auto store = OpenRocksDb(path);
  REQUIRE_FALSE(store);
  INFO(store.error().Message());
  CHECK(store.error().code == Errc::kIo);
  CHECK(store.error().detail.find(path.string()) != std::string::npos);
}

TEST_CASE("opening a missing RocksDB database without create_if_missing fails with kNotFound") {
  TempDir dir;
  auto store = OpenRocksDb(dir.path() / "absent", RocksDbOptions{.create_if_missing = false});
  REQUIRE_FALSE(store);
  INFO(store.error().Message());
  CHECK(store.error().code == Errc::kNotFound);
  CHECK(store.error().detail.find("create_if_missing") != std::string::npos);
}

// Keys from a tiny alphabet of edge bytes, so prefixes, 0x00/0xff and the signed/unsigned
// boundary collide often.
Bytes RandomKey(baylink::testing::TestRandom& rng) {
  static constexpr std::uint8_t kAlphabet[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
  Bytes key(rng.Below(4));
  for (auto& b : key) b = kAlphabet[rng.Below(sizeof kAlphabet)];
  return key;
}

Bytes RandomValue(baylink::testing::TestRandom& rng) {
  Bytes value(rng.Below(3) == 0 ? 0 : rng.Below(40));
  rng.Fill(value);
  return value;
}

TEST_CASE("RocksDB and the memory store agree on a random sequence of operations") {
  const std::uint64_t seed = baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  baylink::testing::TestRandom rng(seed);

  TempDir dir;
  auto rocks = RocksDbBackend::Open(dir);
  auto memory = MakeMemoryKvStore();
  // A naive reference alongside both: std::map over Bytes orders bytes as unsigned.
  std::map<Bytes, Bytes> reference;
  std::unique_ptr<Snapshot> rocks_snapshot;
  std::unique_ptr<Snapshot> memory_snapshot;
  std::map<Bytes, Bytes> snapshot_reference;

  auto check_prefix = [&](const Bytes& prefix) {
    std::vector<std::pair<Bytes, Bytes>> expected;
    for (const auto& [key, value] : reference) {
      if (key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin())) {
        expected.emplace_back(key, value);
      }
    }
    CHECK(Collect(*rocks, prefix) == expected);
    CHECK(Collect(*memory, prefix) == expected);
  };

  for (int step = 0; step < 2000; ++step) {
    const auto op = rng.Below(10);
    if (op < 4) {
      const Bytes key = RandomKey(rng);
      const Bytes value = RandomValue(rng);
      REQUIRE(rocks->Put(key, value));
      REQUIRE(memory->Put(key, value));
      reference[key] = value;
    } else if (op < 6) {
      const Bytes key = RandomKey(rng);
      REQUIRE(rocks->Delete(key));
      REQUIRE(memory->Delete(key));
      reference.erase(key);
    } else if (op < 7) {
      WriteBatch batch;
      const auto n = rng.Below(6);
      for (std::uint64_t i = 0; i < n; ++i) {
        const Bytes key = RandomKey(rng);
        if (rng.Below(3) == 0) {
          batch.Delete(key);
          reference.erase(key);
        } else {
          const Bytes value = RandomValue(rng);
          batch.Put(key, value);
          reference[key] = value;
        }
      }
      const WriteOptions options{.sync = rng.Below(8) == 0};
      REQUIRE(rocks->Write(batch, options));
      REQUIRE(memory->Write(batch, options));
    } else if (op < 8) {
      const Bytes key = RandomKey(rng);
      const auto it = reference.find(key);
      const std::optional<Bytes> expected =
          it == reference.end() ? std::nullopt : std::optional<Bytes>(it->second);
      CHECK(rocks->Get(key).value() == expected);
      CHECK(memory->Get(key).value() == expected);
    } else if (op < 9) {
      check_prefix(RandomKey(rng));
    } else {
      // Take a new snapshot, after checking the old one still shows its moment.
      if (rocks_snapshot) {
        const std::vector<std::pair<Bytes, Bytes>> expected(snapshot_reference.begin(),
                                                            snapshot_reference.end());
        CHECK(Collect(*rocks_snapshot, Bytes{}) == expected);
        CHECK(Collect(*memory_snapshot, Bytes{}) == expected);
        const Bytes key = RandomKey(rng);
        const auto it = snapshot_reference.find(key);
        const std::optional<Bytes> value =
            it == snapshot_reference.end() ? std::nullopt : std::optional<Bytes>(it->second);
        CHECK(rocks_snapshot->Get(key).value() == value);
        CHECK(memory_snapshot->Get(key).value() == value);
      }
      rocks_snapshot = std::move(rocks->GetSnapshot()).value();
      memory_snapshot = std::move(memory->GetSnapshot()).value();
      snapshot_reference = reference;
    }
  }
  check_prefix(Bytes{});
  rocks_snapshot.reset();
  memory_snapshot.reset();
}

}  // namespace
}  // namespace rocksdb_store_test
}  // namespace baylink::storage::testing
