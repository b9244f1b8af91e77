// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/sparse_merkle.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "merkle_test_suite.h"
#include "test_random.h"

namespace baylink::core::smt {
namespace sparse_merkle_test {
namespace {

using testing::MixHashSuite;
using testing::Seed;
using testing::TestRandom;
using testing::TreeTestSuites;

using Model = std::map<Hash32, Bytes>;

// ---- the reference: the tree's definition written out recursively over a sorted map ------

bool KeyBit(const Hash32& key, std::size_t i) { return (key.bytes[i / 8] >> (7 - i % 8)) & 1; }

struct RefTree {
  Hash32 root;
  std::set<Hash32> inner;  // hashes of the inner nodes
};

Hash32 RefLeaf(const CryptoSuite& suite, const Hash32& key, const Bytes& value) {
  Bytes input{0x00};
  input.insert(input.end(), key.bytes.begin(), key.bytes.end());
  const Hash32 value_hash = suite.Hash(value);
  input.insert(input.end(), value_hash.bytes.begin(), value_hash.bytes.end());
  return suite.Hash(input);
}

// The subtree at `depth` holding `entries` (all sharing their first `depth` bits): empty is the
// zero hash, one entry is its leaf (the collapse), more is an inner node split on bit `depth`.
Hash32 RefSubtree(const CryptoSuite& suite, std::span<const std::pair<Hash32, Bytes>> entries,
                  std::size_t depth, std::set<Hash32>& inner) {
  if (entries.empty()) return Hash32{};
  if (entries.size() == 1) return RefLeaf(suite, entries[0].first, entries[0].second);
  std::size_t ones_from = 0;
  while (ones_from < entries.size() && !KeyBit(entries[ones_from].first, depth)) ++ones_from;
  const Hash32 left = RefSubtree(suite, entries.first(ones_from), depth + 1, inner);
  const Hash32 right = RefSubtree(suite, entries.subspan(ones_from), depth + 1, inner);
  Bytes input{0x01};
  input.insert(input.end(), left.bytes.begin(), left.bytes.end());
  input.insert(input.end(), right.bytes.begin(), right.bytes.end());
  const Hash32 node = suite.Hash(input);
  inner.insert(node);
  return node;
}

RefTree Reference(const CryptoSuite& suite, const Model& model) {
  const std::vector<std::pair<Hash32, Bytes>> entries(model.begin(), model.end());
  RefTree out;
  out.root = RefSubtree(suite, entries, 0, out.inner);
  return out;
}

// ---- helpers ------------------------------------------------------------------------------

Hash32 RandomKey(TestRandom& rng) {
  Hash32 key;
  rng.Fill(key.bytes);
  return key;
}

Bytes RandomValue(TestRandom& rng) {
  Bytes value(rng.Below(4) == 0 ? 0 : rng.Below(64));  // empty values included
  rng.Fill(value);
  return value;
}

// A key sharing a prefix with `near`: the same bits up to a random position, then the other
// branch. Drives leaves deep (down to 256 when the last bit is the one flipped).
Hash32 NeighbourKey(TestRandom& rng, const Hash32& near) {
  Hash32 key = near;
  const std::size_t bit = rng.Below(4) == 0 ? 255 - rng.Below(8) : rng.Below(256);
  key.bytes[bit / 8] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
  for (std::size_t i = bit + 1; i < 256; ++i) {
    if (rng.Below(2)) key.bytes[i / 8] ^= static_cast<std::uint8_t>(0x80u >> (i % 8));
  }
  return key;
}

// A random batch of inserts, updates and deletes (and deletes of absent keys), no key twice.
std::vector<Change> RandomBatch(TestRandom& rng, const Model& model, std::size_t size) {
  std::vector<Hash32> present;
  for (const auto& entry : model) present.push_back(entry.first);
  std::set<Hash32> used;
  std::vector<Change> batch;
  for (std::size_t attempt = 0; batch.size() < size && attempt < size * 4; ++attempt) {
    const std::uint64_t op = rng.Below(10);
    Hash32 key;
    std::optional<Bytes> value;
    if (op < 3 || present.empty()) {
      key = RandomKey(rng);
      value = RandomValue(rng);
    } else if (op < 5) {
      key = NeighbourKey(rng, present[rng.Below(present.size())]);
      value = RandomValue(rng);
    } else if (op < 7) {
      key = present[rng.Below(present.size())];
      value = RandomValue(rng);
    } else if (op < 9) {
      key = present[rng.Below(present.size())];
    } else {
      key = NeighbourKey(rng, present[rng.Below(present.size())]);  // usually absent
    }
    if (!used.insert(key).second) continue;
    batch.push_back(Change{key, std::move(value)});
  }
  return batch;
}

void ApplyToModel(Model& model, std::span<const Change> batch) {
  for (const Change& change : batch) {
    if (change.value) {
      model[change.key] = *change.value;
    } else {
      model.erase(change.key);
    }
  }
}

Bytes EncodeProof(const Proof& proof) {
  Writer w;
  proof.Encode(w);
  return std::move(w).Take();
}

Result<Proof> DecodeProof(ByteView bytes) {
  Reader r(bytes, "test proof");
  BAYLINK_ASSIGN_OR_RETURN(Proof proof, Proof::Decode(r));
  BAYLINK_TRY(r.Finish());
  return proof;
}

Status DecodeAndVerifyPresence(const CryptoSuite& suite, const Hash32& root, const Hash32& key,
                               ByteView value, ByteView encoded) {
  BAYLINK_ASSIGN_OR_RETURN(Proof proof, DecodeProof(encoded));
  return VerifyPresence(suite, root, key, value, proof);
}

Status DecodeAndVerifyAbsence(const CryptoSuite& suite, const Hash32& root, const Hash32& key,
                              ByteView encoded) {
  BAYLINK_ASSIGN_OR_RETURN(Proof proof, DecodeProof(encoded));
  return VerifyAbsence(suite, root, key, proof);
}

Errc CodeOf(const Status& s) { return s ? Errc{} : s.error().code; }
template <class T>
Errc CodeOf(const Result<T>& r) {
  return r ? Errc{} : r.error().code;
}

// Checks Get, Prove and Verify* for `key` under `root` against the model of that root.
void CheckKey(const CryptoSuite& suite, const SparseMerkleTree& tree, const Hash32& root,
              const Model& model, const Hash32& key) {
  INFO("key " << key.ToHex());
  const auto it = model.find(key);
  auto got = tree.Get(root, key);
  REQUIRE(got);
  auto proved = tree.Prove(root, key);
  REQUIRE(proved);
  const Proof& proof = proved->proof;
  CHECK(DecodeProof(EncodeProof(proof)).value() == proof);
  if (it != model.end()) {
    REQUIRE(got->has_value());
    CHECK(**got == it->second);
    REQUIRE(proved->value.has_value());
    CHECK(*proved->value == it->second);
    CHECK_FALSE(proof.other_leaf.has_value());
    CHECK(VerifyPresence(suite, root, key, it->second, proof));
    // kBadProof, or kNonCanonical at depth 256 where an empty terminal cannot exist.
    const Errc absence = CodeOf(VerifyAbsence(suite, root, key, proof));
    CHECK((absence == Errc::kBadProof || (absence == Errc::kNonCanonical && proof.depth == 256)));
  } else {
    CHECK_FALSE(got->has_value());
    CHECK_FALSE(proved->value.has_value());
    CHECK(VerifyAbsence(suite, root, key, proof));
    CHECK_FALSE(VerifyPresence(suite, root, key, Bytes{}, proof));
  }
}

// Stores that misbehave on purpose (faults injected through the interface).
class WrappingStore : public NodeStore {
 public:
  explicit WrappingStore(NodeStore& inner) : m_inner(inner) {}
  Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override {
    ++m_gets;
    if (m_fail_get_at != 0 && m_gets == m_fail_get_at) {
      return Fail(Errc::kStorage, "injected read failure");
    }
    if (node_hash == m_hidden) return std::optional<Bytes>();
    if (node_hash == m_corrupt) return std::optional<Bytes>(Bytes{0x07, 0x01});
    return m_inner.Get(node_hash);
  }
  Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) override {
    ++m_writes;
    if (m_fail_writes) return Fail(Errc::kStorage, "injected write failure");
    return m_inner.Write(nodes);
  }

  mutable std::size_t m_gets = 0;
  std::size_t m_fail_get_at = 0;  // 1-based; 0: never
  std::size_t m_writes = 0;
  bool m_fail_writes = false;
  Hash32 m_hidden{};   // Get answers "absent" for it
  Hash32 m_corrupt{};  // Get answers a malformed record for it

 private:
  NodeStore& m_inner;
};

// Counts hash calls.
class CountingSuite final : public core::CryptoSuite {
 public:
  SuiteId Id() const override { return m_inner.Id(); }
  Hash32 HashParts(std::span<const ByteView> parts) const override {
    ++m_calls;
    return m_inner.HashParts(parts);
  }
  std::size_t SignatureSize() const override { return m_inner.SignatureSize(); }
  KeyPair GenerateKey(RandomSource& rng) const override { return m_inner.GenerateKey(rng); }
  Result<SecretKey> ImportSecretKey(ByteView raw) const override {
    return m_inner.ImportSecretKey(raw);
  }
  Result<PublicKey> DerivePublicKey(const SecretKey& s) const override {
    return m_inner.DerivePublicKey(s);
  }
  Status ValidatePublicKey(const PublicKey& k) const override {
    return m_inner.ValidatePublicKey(k);
  }
  Result<Bytes> Sign(const SecretKey& s, ByteView m) const override { return m_inner.Sign(s, m); }
  Status Verify(const PublicKey& k, ByteView m, ByteView sig) const override {
    return m_inner.Verify(k, m, sig);
  }
  Result<PublicKey> Recover(ByteView m, ByteView sig) const override {
    return m_inner.Recover(m, sig);
  }

  mutable std::size_t m_calls = 0;

 private:
  MixHashSuite m_inner;
};

Hash32 KeyFromHex(std::string_view hex) { return Hash32::FromHex(hex).value(); }

Hash32 MustUpdate(SparseMerkleTree& tree, const Hash32& root, std::span<const Change> batch) {
  auto next = tree.Update(root, batch);
  REQUIRE_MESSAGE(next, (next ? "" : next.error().Message()));
  return *next;
}

// ---- differential tests ---------------------------------------------------------------------

TEST_CASE("sparse tree root equals the naive recursive definition over random batches") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    Model model;
    Hash32 root = SparseMerkleTree::EmptyRoot();
    // Batch sizes 1, 2, 3, powers of two around them, and a few hundred; then churn.
    const std::size_t sizes[] = {1,  2,   3,  1,   7, 8,   9,  15, 16, 17,  63, 64,
                                 65, 300, 40, 120, 5, 250, 31, 33, 2,  180, 1,  90};
    for (const std::size_t size : sizes) {
      const std::vector<Change> batch = RandomBatch(rng, model, size);
      INFO("batch of " << batch.size() << " into " << model.size() << " keys");
      root = MustUpdate(tree, root, batch);
      ApplyToModel(model, batch);
      REQUIRE(root == Reference(*suite, model).root);
      for (int i = 0; i < 8 && !model.empty(); ++i) {
        auto it = model.begin();
        std::advance(it, static_cast<long>(rng.Below(model.size())));
        CheckKey(*suite, tree, root, model, it->first);
        CheckKey(*suite, tree, root, model, NeighbourKey(rng, it->first));
      }
      CheckKey(*suite, tree, root, model, RandomKey(rng));
    }
    // Delete everything, in two batches: back to the empty root.
    std::vector<Change> first, second;
    for (const auto& [key, value] : model) {
      (rng.Below(2) ? first : second).push_back(Change{key, std::nullopt});
    }
    root = MustUpdate(tree, root, first);
    ApplyToModel(model, first);
    CHECK(root == Reference(*suite, model).root);
    root = MustUpdate(tree, root, second);
    CHECK(root == SparseMerkleTree::EmptyRoot());
  }
}

TEST_CASE("sparse tree proofs at an earlier root still verify after later updates") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    std::vector<std::pair<Hash32, Model>> versions = {{SparseMerkleTree::EmptyRoot(), {}}};
    std::set<Hash32> every_key;
    for (int round = 0; round < 12; ++round) {
      Model model = versions.back().second;
      const std::vector<Change> batch = RandomBatch(rng, model, 1 + rng.Below(60));
      const Hash32 root = MustUpdate(tree, versions.back().first, batch);
      ApplyToModel(model, batch);
      for (const Change& change : batch) every_key.insert(change.key);
      versions.emplace_back(root, std::move(model));
    }
    for (std::size_t v = 0; v < versions.size(); ++v) {
      const auto& [root, model] = versions[v];
      INFO("version " << v);
      CHECK(root == Reference(*suite, model).root);
      for (const Hash32& key : every_key) CheckKey(*suite, tree, root, model, key);
    }
    // A proof at an old root speaks of that root only: after a key's value changed, its
    // old presence proof fails against the newer root.
    const auto& [old_root, old_model] = versions[versions.size() - 2];
    const auto& [new_root, new_model] = versions.back();
    for (const auto& [key, value] : old_model) {
      const auto now = new_model.find(key);
      if (now != new_model.end() && now->second == value) continue;
      auto proved = tree.Prove(old_root, key);
      REQUIRE(proved);
      CHECK(VerifyPresence(*suite, old_root, key, value, proved->proof));
      CHECK(CodeOf(VerifyPresence(*suite, new_root, key, value, proved->proof)) == Errc::kBadProof);
    }
  }
}

TEST_CASE("sparse tree root depends only on the key set, never on the order of changes") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    Model target;
    for (int i = 0; i < 150; ++i) target[RandomKey(rng)] = RandomValue(rng);
    for (int i = 0; i < 50; ++i) {
      auto it = target.begin();
      std::advance(it, static_cast<long>(rng.Below(target.size())));
      target[NeighbourKey(rng, it->first)] = RandomValue(rng);
    }
    const Hash32 expected = Reference(*suite, target).root;
    std::vector<Change> all;
    for (const auto& [key, value] : target) all.push_back(Change{key, value});

    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    {
      INFO("one batch");
      CHECK(MustUpdate(tree, Hash32{}, all) == expected);
    }
    {
      INFO("one key at a time, in random order");
      std::vector<Change> shuffled = all;
      for (std::size_t i = shuffled.size(); i > 1; --i) {
        std::swap(shuffled[i - 1], shuffled[rng.Below(i)]);
      }
      Hash32 root;
      for (const Change& change : shuffled) root = MustUpdate(tree, root, {&change, 1});
      CHECK(root == expected);
    }
    {
      INFO("with extra keys inserted, then deleted");
      std::vector<Change> with_extra = all;
      std::vector<Change> deletions;
      for (const auto& [key, value] : target) {
        if (rng.Below(3) != 0) continue;
        const Hash32 extra = NeighbourKey(rng, key);
        if (target.count(extra) != 0) continue;
        if (std::any_of(deletions.begin(), deletions.end(),
                        [&extra](const Change& c) { return c.key == extra; })) {
          continue;
        }
        with_extra.push_back(Change{extra, RandomValue(rng)});
        deletions.push_back(Change{extra, std::nullopt});
      }
      const Hash32 grown = MustUpdate(tree, Hash32{}, with_extra);
      CHECK(grown != expected);
      CHECK(MustUpdate(tree, grown, deletions) == expected);
    }
    {
      INFO("with wrong values first, then corrected in small batches");
      std::vector<Change> wrong = all;
      for (Change& change : wrong) change.value->push_back(0x5a);
      Hash32 root = MustUpdate(tree, Hash32{}, wrong);
      for (std::size_t i = 0; i < all.size(); i += 7) {
        const std::size_t n = std::min<std::size_t>(7, all.size() - i);
        root = MustUpdate(tree, root, std::span<const Change>(all).subspan(i, n));
      }
      CHECK(root == expected);
    }
  }
}

TEST_CASE("sparse tree deletion moves a lone remaining leaf up to the top of its subtree") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    // a and b share 200 bits; c branches off at bit 0.
    const Hash32 a =
        KeyFromHex("0x1111111111111111111111111111111111111111111111111100000000000000");
    const Hash32 b =
        KeyFromHex("0x1111111111111111111111111111111111111111111111111180000000000000");
    const Hash32 c =
        KeyFromHex("0x9111111111111111111111111111111111111111111111111100000000000000");
    const Bytes va = ToBytes("va"), vb = ToBytes("vb"), vc = ToBytes("vc");
    const std::vector<Change> all = {{a, va}, {b, vb}, {c, vc}};
    const Hash32 full = MustUpdate(tree, Hash32{}, all);
    auto deep = tree.Prove(full, a);
    REQUIRE(deep);
    CHECK(deep->proof.depth == 201);
    CHECK(deep->proof.siblings.size() == 2);

    const std::vector<Change> drop_b = {{b, std::nullopt}};
    const Hash32 without_b = MustUpdate(tree, full, drop_b);
    // Now a is alone under the root's left branch: it sits at depth 1.
    CHECK(without_b == Reference(*suite, Model{{a, va}, {c, vc}}).root);
    auto shallow = tree.Prove(without_b, a);
    REQUIRE(shallow);
    CHECK(shallow->proof.depth == 1);
    CHECK(VerifyPresence(*suite, without_b, a, va, shallow->proof));

    const std::vector<Change> drop_c = {{c, std::nullopt}};
    const Hash32 only_a = MustUpdate(tree, without_b, drop_c);
    CHECK(only_a == LeafHash(*suite, a, suite->Hash(va)));
    // And the older versions are untouched.
    CHECK(tree.Get(full, b).value() == vb);
    CHECK(tree.Get(without_b, c).value() == vc);
  }
}

TEST_CASE("sparse tree places keys that differ only in the last bit at depth 256") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    const Hash32 zero{};
    Hash32 one{};
    one.bytes[31] = 1;
    Hash32 two{};
    two.bytes[31] = 2;
    const std::vector<Change> batch = {{zero, ToBytes("zero")}, {one, ToBytes("one")}};
    const Hash32 root = MustUpdate(tree, Hash32{}, batch);
    const Model model = {{zero, ToBytes("zero")}, {one, ToBytes("one")}};
    CHECK(root == Reference(*suite, model).root);
    auto proved = tree.Prove(root, one);
    REQUIRE(proved);
    CHECK(proved->proof.depth == 256);
    CHECK(proved->proof.siblings.size() == 1);
    CHECK(VerifyPresence(*suite, root, one, ToBytes("one"), proved->proof));
    // The same proof, claimed as an empty slot at depth 256, is a shape the tree never makes.
    CHECK(CodeOf(VerifyAbsence(*suite, root, one, proved->proof)) == Errc::kNonCanonical);
    auto absent = tree.Prove(root, two);
    REQUIRE(absent);
    CHECK(absent->proof.depth == 255);
    CHECK_FALSE(absent->proof.other_leaf.has_value());
    CHECK(VerifyAbsence(*suite, root, two, absent->proof));
    CheckKey(*suite, tree, root, model,
             KeyFromHex("0x80000000000000000000000000000000000000000000000000000000000000ff"));
    // Deleting one leaves the other at the root.
    const std::vector<Change> drop = {{zero, std::nullopt}};
    CHECK(MustUpdate(tree, root, drop) == LeafHash(*suite, one, suite->Hash(ToBytes("one"))));
  }
}

TEST_CASE("sparse tree of no keys or one key proves at depth 0") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    TestRandom rng(Seed());
    const Hash32 key = RandomKey(rng);
    const Hash32 other = RandomKey(rng);

    auto empty = tree.Prove(SparseMerkleTree::EmptyRoot(), key);
    REQUIRE(empty);
    CHECK(empty->proof == Proof{});
    CHECK(VerifyAbsence(*suite, Hash32{}, key, empty->proof));
    CHECK(CodeOf(VerifyPresence(*suite, Hash32{}, key, Bytes{}, empty->proof)) == Errc::kBadProof);
    CHECK_FALSE(tree.Get(Hash32{}, key).value().has_value());

    const std::vector<Change> batch = {{key, Bytes{}}};  // an empty value is present
    const Hash32 root = MustUpdate(tree, Hash32{}, batch);
    CHECK(root == LeafHash(*suite, key, suite->Hash(Bytes{})));
    CHECK(store.size() == 1);
    CheckKey(*suite, tree, root, Model{{key, Bytes{}}}, key);
    CheckKey(*suite, tree, root, Model{{key, Bytes{}}}, other);
    auto neighbour = tree.Prove(root, other);
    REQUIRE(neighbour);
    CHECK(neighbour->proof.depth == 0);
    REQUIRE(neighbour->proof.other_leaf.has_value());
    CHECK(neighbour->proof.other_leaf->first == key);
  }
}

TEST_CASE("sparse tree batch hashes each new inner node once and writes the store once") {
  CountingSuite suite;
  MemoryNodeStore memory;
  WrappingStore store(memory);
  SparseMerkleTree tree(suite, store);
  TestRandom rng(Seed());
  INFO("seed " << Seed());
  Model model;
  Hash32 root;
  for (const std::size_t size : {2000, 100, 1, 500}) {
    const std::vector<Change> batch = RandomBatch(rng, model, size);
    const std::size_t sets = static_cast<std::size_t>(std::count_if(
        batch.begin(), batch.end(), [](const Change& c) { return c.value.has_value(); }));
    const RefTree before = Reference(suite, model);
    ApplyToModel(model, batch);
    const RefTree after = Reference(suite, model);
    std::size_t new_inner = 0;
    for (const Hash32& node : after.inner) new_inner += before.inner.count(node) == 0 ? 1 : 0;

    suite.m_calls = 0;
    store.m_writes = 0;
    root = MustUpdate(tree, root, batch);
    CHECK(root == after.root);
    // Two hashes per set value (its hash, its leaf), one per new inner node, nothing else.
    CHECK(suite.m_calls == 2 * sets + new_inner);
    // (Deleting one absent key changes nothing, and then writes nothing.)
    CHECK(store.m_writes == (sets + new_inner > 0 ? 1u : 0u));
  }
  // A batch that changes nothing writes nothing.
  const std::vector<Change> noop = {{RandomKey(rng), std::nullopt}};
  store.m_writes = 0;
  CHECK(MustUpdate(tree, root, noop) == root);
  CHECK(store.m_writes == 0);
}

TEST_CASE("sparse tree skips reading a changed key's leaf when told its prior value, only then") {
  const MixHashSuite suite;
  TestRandom rng(Seed());
  INFO("seed " << Seed());
  MemoryNodeStore memory;
  WrappingStore store(memory);
  SparseMerkleTree tree(suite, store);
  Model model;
  std::vector<Change> initial;
  for (int i = 0; i < 300; ++i) {
    const Hash32 key = RandomKey(rng);
    model[key] = RandomValue(rng);
  }
  for (const auto& [key, value] : model) initial.push_back(Change{key, value});
  const Hash32 root = MustUpdate(tree, Hash32{}, initial);

  // One existing key set anew (and one deleted), told, told wrongly, and not told.
  const Hash32 changed = model.begin()->first;
  const Hash32 deleted = std::next(model.begin(), 150)->first;
  Bytes new_value = model[changed];  // differs from the old value (random ones may be equal)
  new_value.push_back(0x5a);
  using Prior = std::optional<Hash32>;
  const auto tracked = [&](Prior changed_prior, Prior deleted_prior) {
    store.m_gets = 0;
    const std::vector<Change> batch{{changed, new_value, changed_prior},
                                    {deleted, std::nullopt, deleted_prior}};
    auto result = tree.UpdateTracked(root, batch);
    REQUIRE(result.has_value());
    return std::pair(*result, store.m_gets);
  };
  const auto [plain, plain_reads] = tracked(std::nullopt, std::nullopt);
  const auto [told, told_reads] =
      tracked(suite.Hash(model[changed]), suite.Hash(model[deleted]));
  const auto [wrong, wrong_reads] = tracked(suite.Hash(new_value), suite.Hash(Bytes{1, 2, 3}));
  // Told, the two old leaves are not read; the tree, its stale nodes and writes are the same.
  CHECK(told_reads + 2 == plain_reads);
  CHECK(wrong_reads == plain_reads);
  for (const auto* result : {&told, &wrong}) {
    CHECK(result->root == plain.root);
    CHECK(result->stale == plain.stale);
    CHECK(result->written == plain.written);
  }
  CHECK(std::find(told.stale.begin(), told.stale.end(),
                  LeafHash(suite, changed, suite.Hash(model[changed]))) != told.stale.end());
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("sparse tree update rejects duplicate keys, oversized values and unknown roots") {
  MixHashSuite suite;
  MemoryNodeStore store;
  SparseMerkleTree tree(suite, store);
  TestRandom rng(Seed());
  const Hash32 key = RandomKey(rng);
  const std::vector<Change> twice = {
      {key, Bytes{1}}, {RandomKey(rng), Bytes{}}, {key, std::nullopt}};
  CHECK(CodeOf(tree.Update(Hash32{}, twice)) == Errc::kDuplicate);
  const std::vector<Change> big = {{key, Bytes(kMaxValueBytes + 1)}};
  CHECK(CodeOf(tree.Update(Hash32{}, big)) == Errc::kOversized);
  Bytes largest(kMaxValueBytes);
  rng.Fill(largest);
  const std::vector<Change> limit = {{key, largest}};
  const Hash32 root = MustUpdate(tree, Hash32{}, limit);
  CHECK(tree.Get(root, key).value() == largest);
  const Hash32 unknown = RandomKey(rng);
  CHECK(CodeOf(tree.Update(unknown, std::span<const Change>())) == Errc::kNotFound);
  const std::vector<Change> one = {{key, Bytes{1}}};
  CHECK(CodeOf(tree.Update(unknown, one)) == Errc::kNotFound);
  CHECK(CodeOf(tree.Get(unknown, key)) == Errc::kNotFound);
  CHECK(CodeOf(tree.Prove(unknown, key)) == Errc::kNotFound);
  CHECK(MustUpdate(tree, Hash32{}, std::span<const Change>()) == Hash32{});
}

TEST_CASE("sparse tree reports missing nodes, corrupt records and store failures") {
  MixHashSuite suite;
  MemoryNodeStore memory;
  TestRandom rng(Seed());
  INFO("seed " << Seed());
  Model model;
  std::vector<Change> batch;
  for (int i = 0; i < 64; ++i) batch.push_back(Change{RandomKey(rng), RandomValue(rng)});
  ApplyToModel(model, batch);
  SparseMerkleTree plain(suite, memory);
  const Hash32 root = MustUpdate(plain, Hash32{}, batch);
  const Hash32 key = model.begin()->first;
  // An inner node on key's path: the root's child on its side.
  const Bytes top = memory.Get(root).value().value();
  Hash32 child;
  std::copy_n(top.begin() + (KeyBit(key, 0) ? 33 : 1), 32, child.bytes.begin());

  WrappingStore store(memory);
  SparseMerkleTree tree(suite, store);
  const std::vector<Change> change = {{key, Bytes{9}}};
  SUBCASE("a node under the root is missing") {
    store.m_hidden = child;
    CHECK(CodeOf(tree.Get(root, key)) == Errc::kNotFound);
    CHECK(CodeOf(tree.Prove(root, key)) == Errc::kNotFound);
    CHECK(CodeOf(tree.Update(root, change)) == Errc::kNotFound);
    CHECK(store.m_writes == 0);
  }
  SUBCASE("a record is malformed") {
    store.m_corrupt = child;
    CHECK(CodeOf(tree.Get(root, key)) == Errc::kStorage);
    CHECK(CodeOf(tree.Prove(root, key)) == Errc::kStorage);
    CHECK(CodeOf(tree.Update(root, change)) == Errc::kStorage);
  }
  SUBCASE("a read fails") {
    store.m_fail_get_at = 2;
    CHECK(CodeOf(tree.Update(root, change)) == Errc::kStorage);
    store.m_gets = 0;
    CHECK(CodeOf(tree.Prove(root, key)) == Errc::kStorage);
    store.m_gets = 0;
    CHECK(CodeOf(tree.Get(root, key)) == Errc::kStorage);
  }
  SUBCASE("the write fails and the old root stays whole") {
    const std::size_t before = memory.size();
    store.m_fail_writes = true;
    CHECK(CodeOf(tree.Update(root, change)) == Errc::kStorage);
    CHECK(memory.size() == before);
    CheckKey(suite, tree, root, model, key);
  }
}

TEST_CASE("sparse proof decoding rejects non-canonical encodings with named errors") {
  const Hash32 sibling =
      KeyFromHex("0x00000000000000000000000000000000000000000000000000000000000000aa");
  // depth, bitmap bits, sibling count written, siblings, other-leaf flag byte
  const auto encode = [&](std::uint16_t depth, std::vector<std::size_t> bits, std::uint32_t count,
                          std::vector<Hash32> siblings, std::uint8_t flag) {
    std::array<std::uint8_t, 32> bitmap{};
    for (std::size_t bit : bits) bitmap[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    Writer w;
    w.U16(depth).Raw(ByteView(bitmap)).U32(count);
    for (const Hash32& s : siblings) w.Fixed(s);
    w.U8(flag);
    if (flag == 1) w.Fixed(sibling).Fixed(sibling);
    return std::move(w).Take();
  };
  SUBCASE("canonical forms decode") {
    CHECK(DecodeProof(encode(0, {}, 0, {}, 0)));
    CHECK(DecodeProof(encode(3, {0, 2}, 2, {sibling, sibling}, 0)));
    CHECK(DecodeProof(encode(3, {2}, 1, {sibling}, 1)));
    CHECK(DecodeProof(encode(256, {255}, 1, {sibling}, 0)));
  }
  SUBCASE("depth beyond 256") {
    CHECK(CodeOf(DecodeProof(encode(257, {}, 0, {}, 0))) == Errc::kProofDepth);
    CHECK(CodeOf(DecodeProof(encode(0xffff, {}, 0, {}, 0))) == Errc::kProofDepth);
  }
  SUBCASE("bitmap bit at or beyond the depth") {
    CHECK(CodeOf(DecodeProof(encode(3, {2, 3}, 2, {sibling, sibling}, 0))) == Errc::kNonCanonical);
    CHECK(CodeOf(DecodeProof(encode(0, {255}, 1, {sibling}, 0))) == Errc::kNonCanonical);
  }
  SUBCASE("sibling count differs from the bitmap") {
    CHECK(CodeOf(DecodeProof(encode(3, {2}, 2, {sibling, sibling}, 0))) == Errc::kNonCanonical);
    CHECK(CodeOf(DecodeProof(encode(3, {0, 2}, 1, {sibling}, 0))) == Errc::kNonCanonical);
  }
  SUBCASE("more siblings than a key has bits") {
    CHECK(CodeOf(DecodeProof(encode(256, {255}, 257, {}, 0))) == Errc::kOversized);
  }
  SUBCASE("the terminal's own sibling is empty") {
    CHECK(CodeOf(DecodeProof(encode(3, {0}, 1, {sibling}, 0))) == Errc::kNonCanonical);
    CHECK(CodeOf(DecodeProof(encode(1, {}, 0, {}, 1))) == Errc::kNonCanonical);
  }
  SUBCASE("a sibling marked non-empty is the empty hash") {
    CHECK(CodeOf(DecodeProof(encode(3, {2}, 1, {Hash32{}}, 0))) == Errc::kNonCanonical);
  }
  SUBCASE("a neighbour leaf at depth 256") {
    CHECK(CodeOf(DecodeProof(encode(256, {255}, 1, {sibling}, 1))) == Errc::kNonCanonical);
  }
  SUBCASE("other-leaf flag neither 0 nor 1") {
    CHECK(CodeOf(DecodeProof(encode(3, {2}, 1, {sibling}, 2))) == Errc::kNonCanonical);
  }
  SUBCASE("truncated or followed by trailing bytes") {
    const Bytes good = encode(3, {2}, 1, {sibling}, 1);
    for (std::size_t n = 0; n < good.size(); ++n) {
      CHECK(CodeOf(DecodeProof(ByteView(good).first(n))) == Errc::kTruncated);
    }
    Bytes longer = good;
    longer.push_back(0);
    CHECK(CodeOf(DecodeProof(longer)) == Errc::kTrailingBytes);
  }
}

TEST_CASE("sparse proof verification rejects each kind of bad proof with its named error") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    Model model;
    std::vector<Change> batch;
    for (int i = 0; i < 200; ++i) batch.push_back(Change{RandomKey(rng), RandomValue(rng)});
    ApplyToModel(model, batch);
    const Hash32 root = MustUpdate(tree, Hash32{}, batch);
    const auto& [key, value] = *model.begin();
    auto present = tree.Prove(root, key);
    REQUIRE(present);
    const Proof& proof = present->proof;
    REQUIRE(VerifyPresence(*suite, root, key, value, proof));
    // An absent key whose path ends at another key's leaf.
    Hash32 absent_key;
    std::optional<Proof> neighbour;
    for (int i = 0; i < 1000 && !neighbour; ++i) {
      absent_key = NeighbourKey(rng, key);
      auto p = tree.Prove(root, absent_key);
      REQUIRE(p);
      if (p->proof.other_leaf) neighbour = p->proof;
    }
    REQUIRE(neighbour);
    REQUIRE(VerifyAbsence(*suite, root, absent_key, *neighbour));

    {
      INFO("presence: wrong value, wrong root, wrong key");
      Bytes other_value = value;
      other_value.push_back(1);
      CHECK(CodeOf(VerifyPresence(*suite, root, key, other_value, proof)) == Errc::kBadProof);
      CHECK(CodeOf(VerifyPresence(*suite, Hash32{}, key, value, proof)) == Errc::kBadProof);
      CHECK(CodeOf(VerifyPresence(*suite, root, absent_key, value, proof)) == Errc::kBadProof);
    }
    {
      INFO("presence: an absence proof offered as presence");
      CHECK(CodeOf(VerifyPresence(*suite, root, absent_key, value, *neighbour)) == Errc::kBadProof);
    }
    {
      INFO("presence: a leaf pushed below an empty sibling (would have collapsed)");
      Proof deeper = proof;
      deeper.depth = static_cast<std::uint16_t>(proof.depth + 1);
      CHECK(CodeOf(VerifyPresence(*suite, root, key, value, deeper)) == Errc::kNonCanonical);
    }
    {
      INFO("presence: depth beyond 256");
      Proof deep = proof;
      deep.depth = 300;
      CHECK(CodeOf(VerifyPresence(*suite, root, key, value, deep)) == Errc::kProofDepth);
      CHECK(CodeOf(VerifyAbsence(*suite, root, absent_key, deep)) == Errc::kProofDepth);
    }
    {
      INFO("bitmap and siblings disagree, or an empty sibling is sent");
      Proof fewer = proof;
      fewer.siblings.pop_back();
      CHECK(CodeOf(VerifyPresence(*suite, root, key, value, fewer)) == Errc::kNonCanonical);
      Proof beyond = proof;
      beyond.bitmap[31] |= 1;  // bit 255, beyond this shallow proof's depth
      beyond.siblings.push_back(root);
      CHECK(CodeOf(VerifyPresence(*suite, root, key, value, beyond)) == Errc::kNonCanonical);
      Proof zero = proof;
      zero.siblings.back() = Hash32{};
      CHECK(CodeOf(VerifyPresence(*suite, root, key, value, zero)) == Errc::kNonCanonical);
    }
    {
      INFO("absence: a presence proof relabelled with the key as its own neighbour");
      Proof relabelled = proof;
      relabelled.other_leaf.emplace(key, suite->Hash(value));
      CHECK(CodeOf(VerifyAbsence(*suite, root, key, relabelled)) == Errc::kBadProof);
    }
    {
      INFO("absence: a presence proof read as an empty slot");
      CHECK(CodeOf(VerifyAbsence(*suite, root, key, proof)) == Errc::kBadProof);
    }
    {
      INFO("absence: the neighbour leaves the key's path above the depth");
      Proof off_path = *neighbour;
      off_path.other_leaf->first.bytes[0] ^= 0x80;  // differs at bit 0; depth >= 1
      REQUIRE(off_path.depth >= 1);
      CHECK(CodeOf(VerifyAbsence(*suite, root, absent_key, off_path)) == Errc::kBadProof);
    }
    {
      INFO("absence: wrong root, wrong neighbour value");
      CHECK(CodeOf(VerifyAbsence(*suite, Hash32{}, absent_key, *neighbour)) == Errc::kBadProof);
      Proof other_value = *neighbour;
      other_value.other_leaf->second.bytes[5] ^= 1;
      CHECK(CodeOf(VerifyAbsence(*suite, root, absent_key, other_value)) == Errc::kBadProof);
    }
    {
      INFO("absence: a neighbour leaf at depth 256");
      Proof at_bottom = *neighbour;
      at_bottom.depth = 256;
      at_bottom.bitmap = {};
      at_bottom.bitmap[31] = 1;
      at_bottom.siblings = {root};
      CHECK(CodeOf(VerifyAbsence(*suite, root, absent_key, at_bottom)) == Errc::kNonCanonical);
    }
  }
}

// ---- mutations and codec -------------------------------------------------------------------

TEST_CASE("sparse proofs reject any flipped byte of the proof, key, value or root") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    Model model;
    std::vector<Change> batch = RandomBatch(rng, model, 300);
    ApplyToModel(model, batch);
    const Hash32 root = MustUpdate(tree, Hash32{}, batch);
    int presence = 0, empty_slot = 0, neighbour = 0;
    for (int attempt = 0; attempt < 400 && (presence < 3 || empty_slot < 3 || neighbour < 3);
         ++attempt) {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng.Below(model.size())));
      const Hash32 key = attempt % 3 == 0   ? it->first
                         : attempt % 3 == 1 ? NeighbourKey(rng, it->first)
                                            : RandomKey(rng);
      auto proved = tree.Prove(root, key);
      REQUIRE(proved);
      const Bytes encoded = EncodeProof(proved->proof);
      const std::uint8_t flip =
          attempt % 3 == 0 ? 0xff : static_cast<std::uint8_t>(1 + rng.Below(255));
      INFO("key " << key.ToHex() << " flip " << int{flip});
      if (proved->value) {
        if (presence++ >= 3) continue;
        const Bytes& value = *proved->value;
        REQUIRE(DecodeAndVerifyPresence(*suite, root, key, value, encoded));
        for (std::size_t i = 0; i < encoded.size(); ++i) {
          Bytes mutated = encoded;
          mutated[i] ^= flip;
          CHECK_MESSAGE(!DecodeAndVerifyPresence(*suite, root, key, value, mutated),
                        "proof byte " << i);
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
          Bytes mutated = value;
          mutated[i] ^= flip;
          CHECK(CodeOf(DecodeAndVerifyPresence(*suite, root, key, mutated, encoded)) ==
                Errc::kBadProof);
        }
        for (std::size_t i = 0; i < Hash32::kSize; ++i) {
          Hash32 mutated_key = key, mutated_root = root;
          mutated_key.bytes[i] ^= flip;
          mutated_root.bytes[i] ^= flip;
          CHECK(CodeOf(DecodeAndVerifyPresence(*suite, root, mutated_key, value, encoded)) ==
                Errc::kBadProof);
          CHECK(CodeOf(DecodeAndVerifyPresence(*suite, mutated_root, key, value, encoded)) ==
                Errc::kBadProof);
        }
      } else {
        int& seen = proved->proof.other_leaf ? neighbour : empty_slot;
        if (seen++ >= 3) continue;
        REQUIRE(DecodeAndVerifyAbsence(*suite, root, key, encoded));
        for (std::size_t i = 0; i < encoded.size(); ++i) {
          Bytes mutated = encoded;
          mutated[i] ^= flip;
          CHECK_MESSAGE(!DecodeAndVerifyAbsence(*suite, root, key, mutated), "proof byte " << i);
        }
        for (std::size_t i = 0; i < Hash32::kSize; ++i) {
          Hash32 mutated_key = key, mutated_root = root;
          mutated_key.bytes[i] ^= flip;
          mutated_root.bytes[i] ^= flip;
          CHECK(CodeOf(DecodeAndVerifyAbsence(*suite, mutated_root, key, encoded)) ==
                Errc::kBadProof);
          // Another key below the proof's terminal may be absent as well, and then the
          // same proof is a true statement about it; a key the proof does not cover, or
          // that is present, is always rejected.
          const bool accepted =
              static_cast<bool>(DecodeAndVerifyAbsence(*suite, root, mutated_key, encoded));
          if (accepted) {
            CHECK(model.count(mutated_key) == 0);
            CHECK(i * 8 + 8 > proved->proof.depth);
          }
        }
      }
    }
    CHECK(presence >= 3);
    CHECK(empty_slot >= 3);
    CHECK(neighbour >= 3);
  }
}

TEST_CASE("sparse proof codec round-trips: encode(decode(x)) == x") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    MemoryNodeStore store;
    SparseMerkleTree tree(*suite, store);
    Model model;
    const std::vector<Change> batch = RandomBatch(rng, model, 200);
    ApplyToModel(model, batch);
    const Hash32 root = MustUpdate(tree, Hash32{}, batch);
    for (int i = 0; i < 100; ++i) {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng.Below(model.size())));
      const Hash32 key = i % 2 == 0 ? it->first : NeighbourKey(rng, it->first);
      auto proved = tree.Prove(root, key);
      REQUIRE(proved);
      const Bytes encoded = EncodeProof(proved->proof);
      CHECK(encoded.size() == 2 + 32 + 4 + 32 * proved->proof.siblings.size() + 1 +
                                  (proved->proof.other_leaf ? 64 : 0));
      auto decoded = DecodeProof(encoded);
      REQUIRE(decoded);
      CHECK(*decoded == proved->proof);
      CHECK(EncodeProof(*decoded) == encoded);
    }
  }
}

TEST_CASE("sparse tree root equals the naive definition over thousands of keys in large batches") {
  // The fast mixing suite only: the point is the tree's shape at scale, not the hash.
  MixHashSuite suite;
  MemoryNodeStore store;
  SparseMerkleTree tree(suite, store);
  TestRandom rng(Seed());
  INFO("seed " << Seed());
  Model model;
  Hash32 root;
  for (const std::size_t size : {4096, 1000, 2500, 3000}) {
    const std::vector<Change> batch = RandomBatch(rng, model, size);
    root = MustUpdate(tree, root, batch);
    ApplyToModel(model, batch);
    CHECK(root == Reference(suite, model).root);
  }
  std::size_t checked = 0;
  for (const auto& [key, value] : model) {
    if (checked++ % 37 == 0) CheckKey(suite, tree, root, model, key);
  }
}

TEST_CASE("sparse tree updates on several threads give the same root and nodes as on one") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    std::vector<Change> first;
    for (int i = 0; i < 3000; ++i) {
      Change c;
      rng.Fill(c.key.bytes);
      c.value = Bytes(1 + rng.Below(40));
      rng.Fill(*c.value);
      first.push_back(std::move(c));
    }
    // The second batch sets new keys, overwrites some and deletes some (present or not).
    std::vector<Change> second;
    for (int i = 0; i < 2500; ++i) {
      Change c;
      const std::uint64_t pick = rng.Below(3);
      if (pick == 0) {
        rng.Fill(c.key.bytes);
      } else {
        c.key = first[static_cast<std::size_t>(i)].key;
      }
      if (pick != 2) c.value = Bytes{static_cast<std::uint8_t>(i), 1};
      second.push_back(std::move(c));
    }
    std::optional<Hash32> expected;
    std::size_t expected_nodes = 0;
    for (unsigned threads : {1u, 2u, 3u, 4u, 8u}) {
      INFO("threads " << threads);
      smt::MemoryNodeStore store;
      SparseMerkleTree tree(*suite, store, threads);
      const Hash32 mid = tree.Update(SparseMerkleTree::EmptyRoot(), first).value();
      const Hash32 root = tree.Update(mid, second).value();
      if (!expected) {
        expected = root;
        expected_nodes = store.size();
      }
      CHECK(root == *expected);
      CHECK(store.size() == expected_nodes);
      for (std::size_t i = 0; i < second.size(); i += 97) {
        CHECK(tree.Get(root, second[i].key).value() == second[i].value);
      }
    }
  }
}

}  // namespace
}  // namespace sparse_merkle_test
}  // namespace baylink::core::smt
