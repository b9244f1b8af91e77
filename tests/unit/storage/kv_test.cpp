// SPDX-License-Identifier: Apache-2.0
//
// The behaviour kv.h specifies, run against both stores.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace baylink::storage::testing {
namespace kv_test {
namespace {

using Entries = std::vector<std::pair<Bytes, Bytes>>;

#define BOTH_STORES MemoryBackend, RocksDbBackend

TEST_CASE_TEMPLATE("a store returns what was put, nothing after a delete, and the last put wins",
                   Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  CHECK(store->Get(S("missing")).value() == std::nullopt);
  REQUIRE(store->Put(S("k"), S("v1")));
  CHECK(store->Get(S("k")).value() == S("v1"));
  REQUIRE(store->Put(S("k"), S("v2")));
  CHECK(store->Get(S("k")).value() == S("v2"));
  REQUIRE(store->Delete(S("k")));
  CHECK(store->Get(S("k")).value() == std::nullopt);
  CHECK(store->Delete(S("never-there")));
}

TEST_CASE_TEMPLATE("an empty key and an empty value are ordinary data, distinct from absence",
                   Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  REQUIRE(store->Put(Bytes{}, S("value of the empty key")));
  REQUIRE(store->Put(S("k"), Bytes{}));
  CHECK(store->Get(Bytes{}).value() == S("value of the empty key"));
  CHECK(store->Get(S("k")).value() == Bytes{});
  CHECK(Collect(*store, Bytes{}) ==
        Entries{{Bytes{}, S("value of the empty key")}, {S("k"), Bytes{}}});
  REQUIRE(store->Delete(Bytes{}));
  CHECK(store->Get(Bytes{}).value() == std::nullopt);
}

TEST_CASE_TEMPLATE("a batch applies its operations in order and an empty batch is a no-op",
                   Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  REQUIRE(store->Put(S("old"), S("x")));
  WriteBatch batch;
  batch.Put(S("a"), S("1"));
  batch.Delete(S("a"));       // put then delete: absent
  batch.Delete(S("b"));
  batch.Put(S("b"), S("2"));  // delete then put: present
  batch.Put(S("c"), S("3"));
  batch.Put(S("c"), S("4"));  // the later put wins
  batch.Delete(S("old"));
  // Keys that agree on their first eight bytes, and a short key next to its zero-padded
  // twin: order within each key still decides.
  batch.Put(S("prefix12-z"), S("5"));
  batch.Delete(S("prefix12-z"));
  batch.Put(S("prefix12-y"), S("6"));
  batch.Put(S("prefix12"), S("7"));
  batch.Put(S("prefix12-y"), S("8"));
  batch.Put(S(std::string("d\0", 2)), S("9"));
  batch.Delete(S("d"));
  batch.Put(S("d"), S("10"));
  REQUIRE(store->Write(batch, WriteOptions{.sync = true}));
  CHECK(Collect(*store, Bytes{}) == Entries{{S("b"), S("2")},
                                            {S("c"), S("4")},
                                            {S("d"), S("10")},
                                            {S(std::string("d\0", 2)), S("9")},
                                            {S("prefix12"), S("7")},
                                            {S("prefix12-y"), S("8")}});
  REQUIRE(store->Write(WriteBatch{}));
  CHECK(Collect(*store, Bytes{}).size() == 6);
}

TEST_CASE("a write batch lists its operations in the order added, with their keys and values") {
  WriteBatch batch;
  CHECK(batch.empty());
  batch.Put(S("key"), S("value"));
  batch.Delete(S("gone"));
  batch.Put(Bytes{}, Bytes{});  // an empty key and an empty value are kept as such
  batch.Put(S("key"), S("again"));
  REQUIRE(batch.size() == 4);
  CHECK(batch.bytes() == 3 + 5 + 4 + 3 + 5);
  const auto ops = batch.ops();
  REQUIRE(ops.size() == 4);
  const auto bytes = [](ByteView view) { return Bytes(view.begin(), view.end()); };
  CHECK(bytes(ops[0].key) == S("key"));
  REQUIRE(ops[0].value.has_value());
  CHECK(bytes(*ops[0].value) == S("value"));
  CHECK(bytes(ops[1].key) == S("gone"));
  CHECK_FALSE(ops[1].value.has_value());
  CHECK(ops[2].key.empty());
  REQUIRE(ops[2].value.has_value());
  CHECK(ops[2].value->empty());
  CHECK(bytes(*batch.op(3).value) == S("again"));
  batch.Clear();
  CHECK(batch.empty());
  CHECK(batch.bytes() == 0);
  batch.Put(S("k"), S("v"));
  CHECK(bytes(batch.op(0).key) == S("k"));
}

TEST_CASE("a write batch keeps every operation intact across many, large and copied batches") {
  WriteBatch batch;
  std::vector<std::pair<Bytes, Bytes>> want;
  const auto bytes = [](ByteView view) { return Bytes(view.begin(), view.end()); };
  // Enough small operations to fill several chunks, one value larger than any chunk, more.
  for (std::size_t i = 0; i < 20000; ++i) {
    want.emplace_back(S("key-" + std::to_string(i)), S(std::string(i % 97, 'a' + i % 26)));
    if (i == 7000) want.emplace_back(S("large"), Bytes(3u << 20, 0x5a));
  }
  for (const auto& [key, value] : want) batch.Put(key, value);
  WriteBatch copy = batch;  // a copy's chunks are full: what it adds goes to a new one
  copy.Put(S("only in the copy"), S("x"));
  batch.Put(S("only in the original"), S("y"));
  REQUIRE(batch.size() == want.size() + 1);
  REQUIRE(copy.size() == want.size() + 1);
  for (std::size_t i = 0; i < want.size(); ++i) {
    for (const WriteBatch* b : {&batch, &copy}) {
      const WriteBatch::Op op = b->op(i);
      REQUIRE(bytes(op.key) == want[i].first);
      REQUIRE(op.value.has_value());
      REQUIRE(bytes(*op.value) == want[i].second);
    }
  }
  CHECK(bytes(batch.op(want.size()).key) == S("only in the original"));
  CHECK(bytes(copy.op(want.size()).key) == S("only in the copy"));
  CHECK(bytes(*copy.op(want.size()).value) == S("x"));
}

TEST_CASE_TEMPLATE("readers never see part of a batch while batches are being written",
                   Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  REQUIRE(store->Put(S("a"), S("0")));
  REQUIRE(store->Put(S("b"), S("0")));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= 300; ++i) {
      WriteBatch batch;
      batch.Put(S("a"), S(std::to_string(i)));
      batch.Put(S("b"), S(std::to_string(i)));
      if (!store->Write(batch)) break;
    }
    done = true;
  });
  int torn = 0;
  int reads = 0;
  while (!done || reads < 10) {
    auto snapshot = store->GetSnapshot();
    if (!snapshot) {  // no REQUIRE while the writer runs: its throw would skip the join
      ++torn;
      break;
    }
    if ((*snapshot)->Get(S("a")).value() != (*snapshot)->Get(S("b")).value()) ++torn;
    const Entries both = Collect(*store, S(""));
    if (both.size() != 2 || both[0].second != both[1].second) ++torn;
    ++reads;
  }
  writer.join();
  CHECK(torn == 0);
  CHECK(store->Get(S("a")).value() == S("300"));
}

TEST_CASE_TEMPLATE("a prefix scan visits exactly the keys under the prefix, in byte order",
                   Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  // Bytes compare unsigned: 0x80 sorts after 0x7f; a prefix sorts before its extensions.
  const std::vector<Bytes> keys = {B({}),           B({0x00}),       B({0x01}),
                                   B({0x01, 0x00}), B({0x01, 0xff}), B({0x02}),
                                   B({0x7f}),       B({0x80}),       B({0xfe, 0xff}),
                                   B({0xff}),       B({0xff, 0x00}), B({0xff, 0xff}),
                                   B({0xff, 0xff, 0xff})};
  // Written in reverse so order comes from the store, not from insertion.
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) REQUIRE(store->Put(*it, *it));

  auto keys_of = [&](const Bytes& prefix) {
    std::vector<Bytes> out;
    for (auto& entry : Collect(*store, prefix)) out.push_back(entry.first);
    return out;
  };
  CHECK(keys_of(B({})) == keys);
  CHECK(keys_of(B({0x01})) == std::vector<Bytes>{B({0x01}), B({0x01, 0x00}), B({0x01, 0xff})});
  CHECK(keys_of(B({0x03})).empty());
  CHECK(keys_of(B({0xfe})) == std::vector<Bytes>{B({0xfe, 0xff})});
  // Prefixes of 0xff bytes have no upper bound key: the scan must still stop at the range.
  CHECK(keys_of(B({0xff})) ==
        std::vector<Bytes>{B({0xff}), B({0xff, 0x00}), B({0xff, 0xff}), B({0xff, 0xff, 0xff})});
  CHECK(keys_of(B({0xff, 0xff})) == std::vector<Bytes>{B({0xff, 0xff}), B({0xff, 0xff, 0xff})});
  CHECK(keys_of(B({0xff, 0xff, 0xff, 0xff})).empty());
  CHECK(keys_of(B({0x01, 0xff})) == std::vector<Bytes>{B({0x01, 0xff})});
}

TEST_CASE_TEMPLATE("a scan stops when the visitor asks", Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  for (char c = 'a'; c <= 'e'; ++c) REQUIRE(store->Put(S(std::string("p") + c), S("v")));
  std::vector<Bytes> seen;
  REQUIRE(store->Scan(S("p"), [&](ByteView key, ByteView) {
    seen.emplace_back(key.begin(), key.end());
    return seen.size() == 2 ? ScanStep::kStop : ScanStep::kContinue;
  }));
  CHECK(seen == std::vector<Bytes>{S("pa"), S("pb")});
}

TEST_CASE_TEMPLATE("a snapshot keeps showing the state it was taken in while writes continue",
                   Backend, BOTH_STORES) {
  TempDir dir;
  auto store = Backend::Open(dir);
  REQUIRE(store->Put(S("k1"), S("before")));
  REQUIRE(store->Put(S("k2"), S("before")));
  auto taken = store->GetSnapshot();
  REQUIRE(taken);
  std::unique_ptr<Snapshot> snapshot = std::move(taken).value();

  REQUIRE(store->Put(S("k1"), S("after")));
  REQUIRE(store->Delete(S("k2")));
  REQUIRE(store->Put(S("k3"), S("after")));

  CHECK(snapshot->Get(S("k1")).value() == S("before"));
  CHECK(snapshot->Get(S("k2")).value() == S("before"));
  CHECK(snapshot->Get(S("k3")).value() == std::nullopt);
  CHECK(Collect(*snapshot, S("k")) == Entries{{S("k1"), S("before")}, {S("k2"), S("before")}});
  CHECK(Collect(*store, S("k")) == Entries{{S("k1"), S("after")}, {S("k3"), S("after")}});

  // Used from other threads while this one writes.
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (snapshot->Get(S("k1")).value() != S("before")) ++wrong;
        if (Collect(*snapshot, S("k")).size() != 2) ++wrong;
      }
    });
  }
  int failed_writes = 0;
  for (int i = 0; i < 200; ++i) {
    if (!store->Put(S("k" + std::to_string(i)), S("new"))) ++failed_writes;
  }
  for (auto& reader : readers) reader.join();
  CHECK(wrong == 0);
  CHECK(failed_writes == 0);
}

TEST_CASE("PrefixUpperBound increments the last byte below 0xff and is unbounded for 0xff..") {
  CHECK(PrefixUpperBound(B({})) == std::nullopt);
  CHECK(PrefixUpperBound(B({0xff, 0xff})) == std::nullopt);
  CHECK(PrefixUpperBound(B({0x01})) == B({0x02}));
  CHECK(PrefixUpperBound(B({0x01, 0xff, 0xff})) == B({0x02}));
  CHECK(PrefixUpperBound(B({0x00, 0xfe})) == B({0x00, 0xff}));
}

}  // namespace
}  // namespace kv_test
}  // namespace baylink::storage::testing
