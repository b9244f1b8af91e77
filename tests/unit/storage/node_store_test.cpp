// SPDX-License-Identifier: Apache-2.0
//
// The sparse Merkle tree over the RocksDB node store, checked against core's MemoryNodeStore.
#include <doctest/doctest.h>

#include <cstring>
#include <map>

#include "baylink/core/sparse_merkle.h"
#include "baylink/storage/node_store.h"
#include "temp_dir.h"
#include "test_random.h"

namespace baylink::storage::testing {
namespace node_store_test {
namespace {

using core::Errc;
using core::Hash32;
namespace smt = core::smt;

// A deterministic, well-mixing (not cryptographic) hash so these tests need no crypto library:
// four 64-bit lanes, each absorbing every byte and finished with splitmix64.
class TestHashSuite final : public core::CryptoSuite {
 public:
  core::SuiteId Id() const override { return core::SuiteId::kSm; }
  Hash32 HashParts(std::span<const ByteView> parts) const override {
    std::uint64_t lanes[4] = {0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0,
                              0x082efa98ec4e6c89};
    std::uint64_t length = 0;
    for (const ByteView part : parts) {
      for (const std::uint8_t byte : part) {
        for (auto& lane : lanes) lane = Mix(lane ^ byte) + length;
        ++length;
      }
    }
    Hash32 out;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t word = Mix(lanes[i] ^ Mix(length + static_cast<std::uint64_t>(i)));
      std::memcpy(out.bytes.data() + 8 * i, &word, 8);
    }
    return out;
  }
  std::size_t SignatureSize() const override { return 64; }
  core::KeyPair GenerateKey(core::RandomSource&) const override { return {}; }
  core::Result<core::SecretKey> ImportSecretKey(ByteView) const override { return Unsupported(); }
  core::Result<core::PublicKey> DerivePublicKey(const core::SecretKey&) const override {
    return Unsupported();
  }
  core::Status ValidatePublicKey(const core::PublicKey&) const override { return Unsupported(); }
  core::Result<Bytes> Sign(const core::SecretKey&, ByteView) const override {
    return Unsupported();
  }
  core::Status Verify(const core::PublicKey&, ByteView, ByteView) const override {
    return Unsupported();
  }
  core::Result<core::PublicKey> Recover(ByteView, ByteView) const override {
    return Unsupported();
  }

 private:
  static std::uint64_t Mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
  static core::Error Unsupported() {
    return core::Fail(Errc::kUnsupported, "the test hash suite only hashes");
  }
};

Hash32 RandomHash(baylink::testing::TestRandom& rng) {
  Hash32 out;
  rng.Fill(out.bytes);
  return out;
}

TEST_CASE("the node store keeps nodes under its prefix and answers nullopt for others") {
  auto store = MakeMemoryKvStore();
  KvNodeStore nodes(*store, S("t/"));
  Hash32 hash;
  hash.bytes[0] = 0xab;
  const std::pair<Hash32, Bytes> records[] = {{hash, S("record")}};
  REQUIRE(nodes.Write(records));
  CHECK(nodes.Get(hash).value() == S("record"));
  CHECK(nodes.Get(Hash32{}).value() == std::nullopt);
  CHECK(nodes.KeyOf(hash).size() == 2 + 32);
  CHECK(store->Get(nodes.KeyOf(hash)).value() == S("record"));
  CHECK(Collect(*store, S("t/")).size() == 1);
  CHECK(nodes.Write({}));
}

TEST_CASE("a sparse Merkle tree over RocksDB has the same roots as over memory and keeps old "
          "roots readable after a reopen") {
  const std::uint64_t seed = baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  baylink::testing::TestRandom rng(seed);
  const TestHashSuite suite;
  TempDir dir;
  const auto path = dir.path() / "db";

  smt::MemoryNodeStore memory_nodes;
  smt::SparseMerkleTree memory_tree(suite, memory_nodes);

  std::vector<Hash32> keys;
  std::vector<Hash32> roots = {smt::SparseMerkleTree::EmptyRoot()};
  // The key/value set after each batch, to check every version after the reopen.
  std::vector<std::map<Hash32, Bytes>> states = {{}};
  {
    auto store = OpenRocksDb(path);
    REQUIRE(store);
    KvNodeStore rocks_nodes(**store, DefaultNodeKeyPrefix(), WriteOptions{.sync = true});
    smt::SparseMerkleTree rocks_tree(suite, rocks_nodes);
    for (int batch_index = 0; batch_index < 6; ++batch_index) {
      std::map<Hash32, Bytes> state = states.back();
      std::map<Hash32, std::optional<Bytes>> batch;
      const auto n = 1 + rng.Below(40);
      for (std::uint64_t i = 0; i < n; ++i) {
        if (!keys.empty() && rng.Below(4) == 0) {
          batch[keys[rng.Below(keys.size())]] = std::nullopt;  // delete (maybe absent)
        } else if (!keys.empty() && rng.Below(3) == 0) {
          Bytes value(rng.Below(20));
          rng.Fill(value);
          batch[keys[rng.Below(keys.size())]] = value;  // overwrite
        } else {
          keys.push_back(RandomHash(rng));
          Bytes value(rng.Below(20));
          rng.Fill(value);
          batch[keys.back()] = value;
        }
      }
      std::vector<smt::Change> changes;
      for (auto& [key, value] : batch) {
        changes.push_back(smt::Change{key, value});
        if (value) {
          state[key] = *value;
        } else {
          state.erase(key);
        }
      }
      auto memory_root = memory_tree.Update(roots.back(), changes);
      auto rocks_root = rocks_tree.Update(roots.back(), changes);
      REQUIRE(memory_root);
      REQUIRE(rocks_root);
      CHECK(*rocks_root == *memory_root);
      roots.push_back(*rocks_root);
      states.push_back(std::move(state));
    }
  }

  auto store = OpenRocksDb(path, RocksDbOptions{.create_if_missing = false});
  REQUIRE(store);
  KvNodeStore rocks_nodes(**store);
  const smt::SparseMerkleTree rocks_tree(suite, rocks_nodes);
  for (std::size_t version = 0; version < roots.size(); ++version) {
    CAPTURE(version);
    for (const Hash32& key : keys) {
      const auto it = states[version].find(key);
      const std::optional<Bytes> expected =
          it == states[version].end() ? std::nullopt : std::optional<Bytes>(it->second);
      auto got = rocks_tree.Get(roots[version], key);
      REQUIRE(got);
      CHECK(*got == expected);
      auto proof = rocks_tree.Prove(roots[version], key);
      REQUIRE(proof);
      if (expected) {
        CHECK(smt::VerifyPresence(suite, roots[version], key, *expected, proof->proof));
      } else {
        CHECK(smt::VerifyAbsence(suite, roots[version], key, proof->proof));
      }
    }
  }
  // A root the store never saw is reported as missing, not as an empty tree.
  Hash32 unknown;
  unknown.bytes[5] = 1;
  auto missing = rocks_tree.Get(unknown, keys.front());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::kNotFound);
}

}  // namespace
}  // namespace node_store_test
}  // namespace baylink::storage::testing
