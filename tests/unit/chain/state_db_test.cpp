// SPDX-License-Identifier: Apache-2.0
//
// StateDb: staging into the caller's batch, the flat index against the tree, proofs, and
// pruning. The pruning tests are differential: a naive model keeps every version's key/value
// map and the node set of its tree (built from scratch in a separate in-memory tree), and
// after every height the store must answer every kept version exactly and hold exactly the
// nodes those versions need. The seed is printed by the test main; replay with --seed=N.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "test_dir.h"
#include "baylink/chain/state_db.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/storage/memory_store.h"
#include "baylink/storage/rocksdb_store.h"
#include "chain_fixtures.h"
#include "test_random.h"

namespace baylink::chain::test {
namespace state_db_test {
namespace {

using ::baylink::testing::TestRandom;
using core::Bytes;
using core::Errc;
using core::Hash32;
using core::smt::Change;

using Version = std::map<Hash32, Bytes>;
constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

Hash32 KeyOf(const core::CryptoSuite& suite, std::size_t i) {
  return core::StateKey(suite, "test", core::AsBytes("key-" + std::to_string(i)));
}

Bytes Value(std::string_view text) { return core::ToBytes(text); }

// The nodes of the tree holding exactly `version`: every node an update from the empty tree
// writes (each of them is new), in a throwaway store.
std::set<Hash32> NodesOf(const core::CryptoSuite& suite, const Version& version) {
  if (version.empty()) return {};
  core::smt::MemoryNodeStore store;
  core::smt::SparseMerkleTree tree(suite, store);
  std::vector<Change> changes;
  for (const auto& [key, value] : version) changes.push_back(Change{key, value});
  auto result = tree.UpdateTracked(Hash32{}, changes);
  REQUIRE(result.has_value());
  CHECK(store.size() == result->written.size());
  return std::set<Hash32>(result->written.begin(), result->written.end());
}

// Writes one height as the chain does: pruning first, then the block's state, one batch.
Hash32 Commit(StateDb& db, storage::KvStore& store, const Hash32& parent, std::uint64_t height,
              const std::vector<Change>& changes, std::uint64_t history,
              std::size_t max_prune = kUnbounded, std::size_t* pruned = nullptr) {
  storage::WriteBatch batch;
  if (height + 1 > history) {
    auto taken = db.StagePrune(height + 1 - history, max_prune, batch);
    REQUIRE(taken.has_value());
    if (pruned != nullptr) *pruned = *taken;
  }
  auto root = db.Stage(parent, height, changes, batch);
  REQUIRE(root.has_value());
  REQUIRE(store.Write(batch).has_value());
  return *root;
}

// Checks that `root` answers every key of `keys` as `version` says, by GetAt and by a proof
// that verifies.
void CheckVersion(const core::CryptoSuite& suite, const StateDb& db, const Hash32& root,
                  const Version& version, const std::vector<Hash32>& keys) {
  for (const Hash32& key : keys) {
    const auto expected = version.find(key);
    auto got = db.GetAt(root, key);
    REQUIRE_MESSAGE(got.has_value(), got.error().Message());
    auto proof = db.Prove(root, key);
    REQUIRE_MESSAGE(proof.has_value(), proof.error().Message());
    if (expected == version.end()) {
      CHECK_FALSE(got->has_value());
      CHECK_FALSE(proof->value.has_value());
      CHECK(core::smt::VerifyAbsence(suite, root, key, proof->proof).has_value());
    } else {
      REQUIRE(got->has_value());
      CHECK(**got == expected->second);
      REQUIRE(proof->value.has_value());
      CHECK(*proof->value == expected->second);
      CHECK(
          core::smt::VerifyPresence(suite, root, key, expected->second, proof->proof).has_value());
    }
  }
}

void CheckFlat(const StateDb& db, const Version& latest, const std::vector<Hash32>& keys) {
  for (const Hash32& key : keys) {
    auto got = db.Get(key);
    REQUIRE(got.has_value());
    const auto expected = latest.find(key);
    if (expected == latest.end()) {
      CHECK_FALSE(got->has_value());
    } else {
      REQUIRE(got->has_value());
      CHECK(**got == expected->second);
    }
  }
}

std::size_t CountNodes(const StateDb& db) {
  auto count = db.CountNodes();
  REQUIRE(count.has_value());
  return *count;
}

// The height of every node in the stale index ("stale/" ‖ u64 height ‖ u32 chunk -> hashes,
// state_db.h), once per node.
std::vector<std::uint64_t> StaleHeights(const storage::KvStore& store) {
  std::vector<std::uint64_t> heights;
  const Bytes prefix = core::ToBytes("stale/");
  auto status = store.Scan(prefix, [&](core::ByteView key, core::ByteView value) {
    core::Reader r(key.subspan(prefix.size()), "stale key");
    const std::uint64_t height = r.U64("height").value();
    REQUIRE(value.size() % 32 == 0);
    heights.insert(heights.end(), value.size() / 32, height);
    return storage::ScanStep::kContinue;
  });
  REQUIRE(status.has_value());
  return heights;
}

// A random batch over a small key space with a few values, so that keys often return to
// earlier values and old nodes are recreated.
std::vector<Change> RandomChanges(TestRandom& rng, const std::vector<Hash32>& keys,
                                  Version& model) {
  std::vector<Change> changes;
  std::set<std::size_t> picked;
  const std::size_t count = rng.Below(6);  // 0..5 changes, sometimes none
  while (picked.size() < count) picked.insert(rng.Below(keys.size()));
  for (const std::size_t i : picked) {
    if (rng.Below(3) == 0) {
      changes.push_back(Change{keys[i], std::nullopt});
      model.erase(keys[i]);
    } else {
      Bytes value = Value("v" + std::to_string(rng.Below(3)));
      changes.push_back(Change{keys[i], value});
      model[keys[i]] = std::move(value);
    }
  }
  return changes;
}

// The differential pruning run shared by the bounded and unbounded tests. Returns the final
// height; `versions`, `roots` and `nodes` hold the model of every height.
struct PruneRun {
  const core::CryptoSuite& suite;
  storage::KvStore& store;
  StateDb db;
  std::uint64_t history;
  std::vector<Hash32> keys;
  std::vector<Version> versions;
  std::vector<Hash32> roots;
  std::vector<std::set<Hash32>> nodes;

  PruneRun(const core::CryptoSuite& s, storage::KvStore& kv, std::uint64_t keep,
           std::size_t key_count)
      : suite(s), store(kv), db(s, kv), history(keep) {
    for (std::size_t i = 0; i < key_count; ++i) keys.push_back(KeyOf(suite, i));
  }

  std::uint64_t next_height() const { return versions.size(); }
  std::uint64_t oldest_kept() const {
    const std::uint64_t h = versions.size() - 1;
    return h + 1 > history ? h + 1 - history : 0;
  }

  // Commits one height with `changes` (already applied to `model`); returns how many stale
  // entries pruning took.
  std::size_t Step(const std::vector<Change>& changes, Version model, std::size_t max_prune) {
    const std::uint64_t h = next_height();
    const Hash32 parent = roots.empty() ? Hash32{} : roots.back();
    std::size_t pruned = 0;
    roots.push_back(Commit(db, store, parent, h, changes, history, max_prune, &pruned));
    nodes.push_back(NodesOf(suite, model));
    versions.push_back(std::move(model));
    return pruned;
  }

  // Every kept version answers every key; the flat index is the latest version.
  void CheckKept() {
    const std::uint64_t h = versions.size() - 1;
    for (std::uint64_t v = oldest_kept(); v <= h; ++v) {
      INFO("version " << v << " at height " << h);
      CheckVersion(suite, db, roots[v], versions[v], keys);
    }
    CheckFlat(db, versions.back(), keys);
  }

  // The nodes every kept version needs.
  std::set<Hash32> NeededNodes() const {
    std::set<Hash32> needed;
    for (std::uint64_t v = oldest_kept(); v < versions.size(); ++v) {
      needed.insert(nodes[v].begin(), nodes[v].end());
    }
    return needed;
  }
};

TEST_CASE("state db stages into the caller's batch and writes nothing itself") {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  auto store = storage::MakeMemoryKvStore();
  StateDb db(suite, *store);
  const Hash32 a = KeyOf(suite, 1);
  storage::WriteBatch batch;
  auto root = db.Stage(Hash32{}, 0, std::vector<Change>{{a, Value("one")}}, batch);
  REQUIRE(root.has_value());
  CHECK_FALSE(root->IsZero());
  CHECK_FALSE(batch.empty());
  // Not written yet: neither the flat index nor the tree knows the value.
  CHECK(db.Get(a).value() == std::nullopt);
  CHECK_FAILS_WITH(db.GetAt(*root, a), Errc::kNotFound, "");
  CHECK(CountNodes(db) == 0);
  REQUIRE(store->Write(batch).has_value());
  CHECK(db.Get(a).value() == Value("one"));
  CHECK(db.GetAt(*root, a).value() == Value("one"));
  CHECK(CountNodes(db) == 1);
}

// Counts the reads that reach the store.
class CountingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::size_t gets() const { return m_gets; }

  core::Result<std::optional<Bytes>> Get(core::ByteView key) const override {
    ++m_gets;
    return ForwardingStore::Get(key);
  }

 private:
  mutable std::size_t m_gets = 0;
};

// Inner nodes of the tree holding `keys` at depth 0 to `max_depth`, counted from the keys
// alone: one per prefix of that length that two or more keys share. Sorted, such keys are
// neighbours: a run of neighbour pairs sharing at least `depth` bits is one prefix.
std::size_t UpperInnerNodes(std::vector<Hash32> keys, std::size_t max_depth) {
  std::sort(keys.begin(), keys.end());
  std::vector<std::size_t> shared;  // bits keys[i] and keys[i + 1] share
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    std::size_t bits = 0;
    while (bits < 256 && ((keys[i].bytes[bits / 8] ^ keys[i + 1].bytes[bits / 8]) &
                          (0x80u >> (bits % 8))) == 0) {
      ++bits;
    }
    shared.push_back(bits);
  }
  std::size_t count = 0;
  for (std::size_t depth = 0; depth <= max_depth; ++depth) {
    for (std::size_t i = 0; i < shared.size(); ++i) {
      if (shared[i] >= depth && (i == 0 || shared[i - 1] < depth)) ++count;
    }
  }
  return count;
}

TEST_CASE("state db keeps the upper levels of the current tree for the next stages") {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  CountingStore store(storage::MakeMemoryKvStore());
  StateDb db(suite, store);
  std::vector<Change> first;
  std::vector<Hash32> keys;
  for (std::size_t i = 0; i < 1000; ++i) {
    first.push_back(Change{KeyOf(suite, i), Value("v")});
    keys.push_back(KeyOf(suite, i));
  }
  const Hash32 root = Commit(db, store, Hash32{}, 0, first, 1000);
  // 1,000 keys make about 1,400 inner nodes (a node with one empty side is one too), nearly
  // all of them above depth 17.
  const std::size_t inner = UpperInnerNodes(keys, 16);
  CHECK(inner > 999);
  CHECK(db.tree_cache_size() == inner);

  // Changing key 0 reads only its old leaf: the path down to it is cached.
  std::size_t before = store.gets();
  const std::vector<Change> second{{KeyOf(suite, 0), Value("changed")}};
  const Hash32 next = Commit(db, store, root, 1, second, 1000);
  CHECK(store.gets() - before == 1);
  CHECK(db.tree_cache_size() == inner);  // the path's old nodes out, its new ones in
  // The same stage on a fresh StateDb (nothing cached) reads the path and gives the same root.
  {
    StateDb fresh(suite, store);
    storage::WriteBatch unused;
    before = store.gets();
    CHECK(fresh.Stage(root, 1, second, unused).value() == next);
    CHECK(store.gets() - before > 5);
  }

  // Released, the cache is empty and the next stage reads the path from the store again.
  db.ReleaseMemory();
  CHECK(db.tree_cache_size() == 0);
  before = store.gets();
  const std::vector<Change> third{{KeyOf(suite, 1), Value("changed")}};
  Commit(db, store, next, 2, third, 1000);
  CHECK(store.gets() - before > 5);
}

TEST_CASE("state db caches exactly the inner nodes down to depth 16 as keys come and go") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed);
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  // Two update threads write the tree's halves in another order (the node runs with two).
  for (const unsigned threads : {1u, 2u}) {
    CAPTURE(threads);
    auto store = storage::MakeMemoryKvStore();
    StateDb db(suite, *store, threads);
    // 60,000 keys reach below depth 16 (about log2 of the count), so the bound shows.
    std::set<Hash32> present;
    std::vector<Change> changes;
    for (std::size_t i = 0; i < 60000; ++i) {
      changes.push_back(Change{KeyOf(suite, i), Value("v")});
      present.insert(KeyOf(suite, i));
    }
    Hash32 root = Commit(db, *store, Hash32{}, 0, changes, 1000);
    const std::size_t upper = UpperInnerNodes({present.begin(), present.end()}, 16);
    CHECK(upper < UpperInnerNodes({present.begin(), present.end()}, 255));  // some are deeper
    CHECK(db.tree_cache_size() == upper);
    // Blocks that add, change and delete keys: the stale nodes leave, the new ones come in.
    for (std::uint64_t height = 1; height <= 3; ++height) {
      changes.clear();
      for (std::size_t n = 0; n < 2000; ++n) {
        const std::size_t i = static_cast<std::size_t>(rng.Below(80000));
        const Hash32 key = KeyOf(suite, i);
        const auto same = [&](const Change& c) { return c.key == key; };
        if (std::any_of(changes.begin(), changes.end(), same)) continue;
        if (rng.Below(4) == 0) {
          changes.push_back(Change{key, std::nullopt});
          present.erase(key);
        } else {
          changes.push_back(Change{key, Value("h" + std::to_string(height))});
          present.insert(key);
        }
      }
      root = Commit(db, *store, root, height, changes, 1000);
      CHECK(db.tree_cache_size() == UpperInnerNodes({present.begin(), present.end()}, 16));
    }
  }
}

TEST_CASE("state db flat values equal the tree's values at the latest root, height by height") {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kSm);
  auto store = storage::MakeMemoryKvStore();
  StateDb db(suite, *store);
  std::vector<Hash32> keys;
  for (std::size_t i = 0; i < 10; ++i) keys.push_back(KeyOf(suite, i));
  Version model;
  Hash32 root;
  std::vector<std::pair<Hash32, Version>> history;
  for (std::uint64_t h = 0; h < 6; ++h) {
    std::vector<Change> changes;
    for (std::size_t i = h % 3; i < keys.size(); i += 3) {
      if ((i + h) % 4 == 0) {
        changes.push_back(Change{keys[i], std::nullopt});
        model.erase(keys[i]);
      } else {
        const Bytes value = Value("h" + std::to_string(h) + "k" + std::to_string(i));
        changes.push_back(Change{keys[i], value});
        model[keys[i]] = value;
      }
    }
    root = Commit(db, *store, root, h, changes, 1000);
    history.emplace_back(root, model);
    CheckFlat(db, model, keys);
    CheckVersion(suite, db, root, model, keys);
  }
  // Without pruning every earlier version stays readable and provable.
  for (const auto& [old_root, version] : history) CheckVersion(suite, db, old_root, version, keys);
}

TEST_CASE("state db proofs verify against the root and fail for another value or root") {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  auto store = storage::MakeMemoryKvStore();
  StateDb db(suite, *store);
  const Hash32 a = KeyOf(suite, 1);
  const Hash32 b = KeyOf(suite, 2);
  const Hash32 absent = KeyOf(suite, 3);
  const Hash32 root = Commit(db, *store, Hash32{}, 0, {{a, Value("alpha")}, {b, Value("")}}, 1000);

  auto present = db.Prove(root, a);
  REQUIRE(present.has_value());
  REQUIRE(present->value == Value("alpha"));
  CHECK(core::smt::VerifyPresence(suite, root, a, Value("alpha"), present->proof).has_value());
  CHECK_FAILS_WITH(core::smt::VerifyPresence(suite, root, a, Value("alphb"), present->proof),
                   Errc::kBadProof, "");
  CHECK_FALSE(core::smt::VerifyAbsence(suite, root, a, present->proof).has_value());

  // An empty value is a value.
  auto empty = db.Prove(root, b);
  REQUIRE(empty.has_value());
  REQUIRE(empty->value == Bytes{});
  CHECK(core::smt::VerifyPresence(suite, root, b, Bytes{}, empty->proof).has_value());

  auto missing = db.Prove(root, absent);
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->value.has_value());
  CHECK(core::smt::VerifyAbsence(suite, root, absent, missing->proof).has_value());

  // The same proofs against the next root (a changed) fail.
  const Hash32 next = Commit(db, *store, root, 1, {{a, Value("beta")}}, 1000);
  CHECK_FALSE(
      core::smt::VerifyPresence(suite, next, a, Value("alpha"), present->proof).has_value());
}

TEST_CASE("state db reports an unknown root or parent as not found and refuses duplicate keys") {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  auto store = storage::MakeMemoryKvStore();
  StateDb db(suite, *store);
  const Hash32 a = KeyOf(suite, 1);
  Hash32 unknown;
  unknown.bytes.fill(0x5a);
  CHECK_FAILS_WITH(db.GetAt(unknown, a), Errc::kNotFound, "");
  CHECK_FAILS_WITH(db.Prove(unknown, a), Errc::kNotFound, "");
  storage::WriteBatch batch;
  CHECK_FAILS_WITH(db.Stage(unknown, 1, std::vector<Change>{{a, Value("x")}}, batch),
                   Errc::kNotFound, "");
  CHECK(batch.empty());
  CHECK_FAILS_WITH(
      db.Stage(Hash32{}, 0, std::vector<Change>{{a, Value("x")}, {a, std::nullopt}}, batch),
      Errc::kDuplicate, a.ToHex());
  CHECK(batch.empty());
  // The empty tree needs no node.
  CHECK(db.GetAt(Hash32{}, a).value() == std::nullopt);
}

TEST_CASE("pruning keeps every version of the kept history exact and only the nodes they need") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed);
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  auto store = storage::MakeMemoryKvStore();
  constexpr std::uint64_t kHistory = 8;
  constexpr std::uint64_t kHeights = 300;
  PruneRun run(suite, *store, kHistory, 16);

  Version model;
  std::size_t max_nodes = 0;
  std::set<Hash32> ever;  // every node any version had
  std::size_t pruned_versions_checked = 0;
  while (run.next_height() < kHeights) {
    const std::uint64_t h = run.next_height();
    INFO("height " << h);
    std::vector<Change> changes = RandomChanges(rng, run.keys, model);
    run.Step(changes, model, kUnbounded);
    run.CheckKept();

    // The store holds exactly the nodes of the kept versions: none is missing (they all
    // answered above) and none is left over.
    const std::set<Hash32> needed = run.NeededNodes();
    CHECK(CountNodes(run.db) == needed.size());
    max_nodes = std::max(max_nodes, CountNodes(run.db));
    ever.insert(run.nodes.back().begin(), run.nodes.back().end());

    // Every stale entry at or below the pruned height was consumed.
    for (const std::uint64_t stale : StaleHeights(*store)) {
      CHECK(stale + kHistory > h);
    }

    // A version that left the history and whose root no kept version holds is gone.
    if (h >= kHistory) {
      const std::uint64_t dropped = h - kHistory;
      const Hash32& old_root = run.roots[dropped];
      if (!old_root.IsZero() && !needed.contains(old_root)) {
        CHECK_FAILS_WITH(run.db.GetAt(old_root, run.keys[0]), Errc::kNotFound, "");
        ++pruned_versions_checked;
      }
    }
  }
  // The kept history never needs more than its versions' trees, a small part of all the
  // nodes 300 heights produced: the store does not grow with the height.
  std::size_t largest_tree = 0;
  for (const std::set<Hash32>& n : run.nodes) largest_tree = std::max(largest_tree, n.size());
  CHECK(max_nodes <= largest_tree * kHistory);
  CHECK(max_nodes * 4 < ever.size());
  CHECK(pruned_versions_checked > 0);
}

TEST_CASE("pruning with a small bound per height lags but stays exact and then catches up") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed ^ 0x9e3779b97f4a7c15ULL);
  const core::CryptoSuite& suite = Suite(core::SuiteId::kSm);
  auto store = storage::MakeMemoryKvStore();
  constexpr std::uint64_t kHistory = 6;
  constexpr std::size_t kMaxEntries = 3;
  PruneRun run(suite, *store, kHistory, 12);

  Version model;
  std::size_t lagging_heights = 0;
  while (run.next_height() < 150) {
    INFO("height " << run.next_height());
    std::vector<Change> changes = RandomChanges(rng, run.keys, model);
    const std::size_t pruned = run.Step(changes, model, kMaxEntries);
    CHECK(pruned <= kMaxEntries);
    run.CheckKept();
    const std::size_t count = CountNodes(run.db);
    CHECK(count >= run.NeededNodes().size());
    if (count > run.NeededNodes().size()) ++lagging_heights;
  }
  CHECK(lagging_heights > 0);  // the bound did hold pruning back

  // Idle heights add no stale entries, so pruning catches up: once a call takes fewer than
  // the bound, nothing is left up to that height.
  const std::size_t backlog = StaleHeights(*store).size();
  std::size_t idle = 0;
  for (;;) {
    INFO("idle height " << run.next_height());
    const std::size_t pruned = run.Step({}, model, kMaxEntries);
    run.CheckKept();
    ++idle;
    REQUIRE(idle <= backlog / kMaxEntries + kHistory + 2);
    if (pruned < kMaxEntries && idle > kHistory) break;
  }
  // Caught up: exactly the nodes of the kept versions (which all have the final root).
  CHECK(CountNodes(run.db) == run.NeededNodes().size());
  CHECK(CountNodes(run.db) == run.nodes.back().size());
  for (const std::uint64_t stale : StaleHeights(*store)) {
    CHECK(stale + kHistory > run.next_height() - 1);
  }
}

TEST_CASE("state db on RocksDB keeps pruned history exact across reopening the store") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed + 7);
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  baylink::testing::TempDir dir;
  constexpr std::uint64_t kHistory = 4;

  std::vector<Hash32> keys;
  for (std::size_t i = 0; i < 10; ++i) keys.push_back(KeyOf(suite, i));
  std::vector<Version> versions;
  std::vector<Hash32> roots;
  Version model;
  {
    auto opened = storage::OpenRocksDb(dir.path() / "state");
    REQUIRE_MESSAGE(opened.has_value(), opened.error().Message());
    std::unique_ptr<storage::KvStore> store = std::move(opened).value();
    StateDb db(suite, *store);
    for (std::uint64_t h = 0; h < 40; ++h) {
      std::vector<Change> changes = RandomChanges(rng, keys, model);
      roots.push_back(
          Commit(db, *store, roots.empty() ? Hash32{} : roots.back(), h, changes, kHistory));
      versions.push_back(model);
      for (std::uint64_t v = h + 1 > kHistory ? h + 1 - kHistory : 0; v <= h; ++v) {
        CheckVersion(suite, db, roots[v], versions[v], keys);
      }
    }
  }
  auto reopened = storage::OpenRocksDb(dir.path() / "state");
  REQUIRE_MESSAGE(reopened.has_value(), reopened.error().Message());
  std::unique_ptr<storage::KvStore> store = std::move(reopened).value();
  StateDb db(suite, *store);
  for (std::uint64_t v = 40 - kHistory; v < 40; ++v) {
    CheckVersion(suite, db, roots[v], versions[v], keys);
  }
  CheckFlat(db, versions.back(), keys);
  std::set<Hash32> needed;
  for (std::uint64_t v = 40 - kHistory; v < 40; ++v) {
    const std::set<Hash32> n = NodesOf(suite, versions[v]);
    needed.insert(n.begin(), n.end());
  }
  CHECK(CountNodes(db) == needed.size());
}

}  // namespace
}  // namespace state_db_test
}  // namespace baylink::chain::test
