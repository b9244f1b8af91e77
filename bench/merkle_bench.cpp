// SPDX-License-Identifier: Apache-2.0
//
// Merkle proofs over the real suites (sm: SM3, ecdsa: Keccak-256):
//  - binary tree (tx_root, receipt_root): VerifyInclusion at 1,000, 2^16 and 2^20 leaves;
//  - sparse tree (state_root) at 1M keys: batched inserts, Prove, VerifyPresence,
//    VerifyAbsence, Get;
//  - the suite's hash of one 65-byte inner node, the unit every number above is made of.
// Targets: proof verification >= 100k/s per core at 1M keys; batched inserts >= 100k keys/s.
// docs/merkle.md has the measured medians and what bounds them.
//
// The 1M-key tree is built once per process and suite (15-40 s each) and shared by
// every benchmark of that suite; batched inserts write into an overlay store that is
// discarded between iterations, so each iteration starts from the same 1M-key tree.
#include <benchmark/benchmark.h>

#include "bench_support.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/merkle.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"

namespace {

using baylink::core::Bytes;
using baylink::core::ByteView;
using baylink::core::CryptoSuite;
using baylink::core::Hash32;
using baylink::core::SuiteId;
using baylink::core::smt::Change;
namespace merkle = baylink::core::merkle;
namespace smt = baylink::core::smt;

constexpr std::size_t kSmtKeys = 1u << 20;
constexpr std::size_t kValueBytes = 32;
constexpr std::size_t kSamples = 4096;  // proofs and keys cycled through by the loops

using baylink::bench::Require;
using baylink::bench::Suite;

// The shared generator with the key and value shapes of these benchmarks.
class Rng : public baylink::bench::BenchRandom {
 public:
  using BenchRandom::BenchRandom;
  Hash32 Key() { return Hash(); }
  Bytes Value() {
    Bytes value(kValueBytes);
    Fill(value);
    return value;
  }
};

// ---- binary tree ------------------------------------------------------------------------

struct BinaryFixture {
  Hash32 root;
  std::vector<Bytes> leaves;  // the proven leaves' data
  std::vector<merkle::InclusionProof> proofs;
};

const BinaryFixture& Binary(SuiteId id, std::size_t leaf_count) {
  static std::mutex mutex;
  static std::map<std::pair<SuiteId, std::size_t>, BinaryFixture> fixtures;
  const std::lock_guard lock(mutex);
  auto [it, fresh] = fixtures.try_emplace({id, leaf_count});
  if (!fresh) return it->second;
  const CryptoSuite& suite = Suite(id);
  Rng rng(leaf_count);
  std::vector<Bytes> data(leaf_count);
  std::vector<Hash32> hashes(leaf_count);
  for (std::size_t i = 0; i < leaf_count; ++i) {
    data[i].resize(100);  // about a transaction hash plus a receipt header
    rng.Fill(data[i]);
    hashes[i] = merkle::LeafHash(suite, data[i]);
  }
  BinaryFixture& f = it->second;
  f.root = merkle::RootOfLeafHashes(suite, hashes);
  // Prove costs O(leaf_count) hashes: a handful of proofs for the big trees.
  const std::size_t proofs = leaf_count > 100000 ? 2 : 16;
  for (std::size_t i = 0; i < proofs; ++i) {
    const std::uint64_t index = rng.Next() % leaf_count;
    auto proof = merkle::Prove(suite, hashes, index);
    Require(proof.has_value(), "merkle::Prove");
    Require(merkle::VerifyInclusion(suite, f.root, data[index], *proof).has_value(),
            "merkle::VerifyInclusion of a fresh proof");
    f.leaves.push_back(data[index]);
    f.proofs.push_back(std::move(*proof));
  }
  return f;
}

void BM_MerkleVerifyInclusion(benchmark::State& state, SuiteId id) {
  const std::size_t leaf_count = static_cast<std::size_t>(state.range(0));
  const CryptoSuite& suite = Suite(id);
  const BinaryFixture& f = Binary(id, leaf_count);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % f.proofs.size();
    auto ok = merkle::VerifyInclusion(suite, f.root, f.leaves[k], f.proofs[k]);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["path"] = static_cast<double>(f.proofs[0].path.size());
}

// ---- sparse tree ----------------------------------------------------------------------------

struct SparseFixture {
  smt::MemoryNodeStore store;
  Hash32 root;
  std::vector<Hash32> present;  // kSamples keys in the tree
  std::vector<Bytes> values;    // their values
  std::vector<Hash32> absent;   // kSamples keys not in the tree
  std::vector<smt::Proof> presence_proofs;
  std::vector<smt::Proof> absence_proofs;
};

SparseFixture& Sparse(SuiteId id) {
  static std::mutex mutex;
  static std::map<SuiteId, std::unique_ptr<SparseFixture>> fixtures;
  const std::lock_guard lock(mutex);
  auto& slot = fixtures[id];
  if (slot) return *slot;
  slot = std::make_unique<SparseFixture>();
  SparseFixture& f = *slot;
  const CryptoSuite& suite = Suite(id);
  smt::SparseMerkleTree tree(suite, f.store);
  Rng rng(1);
  // Built in batches of 64k, as a chain would over many blocks (one batch would do too).
  constexpr std::size_t kBuildBatch = 1u << 16;
  for (std::size_t done = 0; done < kSmtKeys; done += kBuildBatch) {
    std::vector<Change> batch;
    batch.reserve(kBuildBatch);
    for (std::size_t i = 0; i < kBuildBatch; ++i) batch.push_back(Change{rng.Key(), rng.Value()});
    if (done == 0) {
      for (std::size_t i = 0; i < kSamples; ++i) {
        f.present.push_back(batch[i].key);
        f.values.push_back(*batch[i].value);
      }
    }
    auto next = tree.Update(f.root, batch);
    Require(next.has_value(), "SparseMerkleTree::Update while building");
    f.root = *next;
  }
  Rng other(2);
  for (std::size_t i = 0; i < kSamples; ++i) {
    f.absent.push_back(other.Key());
    auto present = tree.Prove(f.root, f.present[i]);
    auto absent = tree.Prove(f.root, f.absent[i]);
    Require(present.has_value() && present->value == f.values[i], "Prove of a present key");
    Require(absent.has_value() && !absent->value, "Prove of an absent key");
    Require(
        smt::VerifyPresence(suite, f.root, f.present[i], f.values[i], present->proof).has_value(),
        "VerifyPresence of a fresh proof");
    Require(smt::VerifyAbsence(suite, f.root, f.absent[i], absent->proof).has_value(),
            "VerifyAbsence of a fresh proof");
    f.presence_proofs.push_back(std::move(present->proof));
    f.absence_proofs.push_back(std::move(absent->proof));
  }
  return f;
}

// Reads through to the shared 1M-key store; writes stay here and are dropped with it.
class OverlayStore final : public smt::NodeStore {
 public:
  explicit OverlayStore(const smt::NodeStore& base) : m_base(base) {}
  baylink::core::Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override {
    auto top = m_top.Get(node_hash);
    if (!top || top->has_value()) return top;
    return m_base.Get(node_hash);
  }
  baylink::core::Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) override {
    return m_top.Write(nodes);
  }

 private:
  const smt::NodeStore& m_base;
  smt::MemoryNodeStore m_top;
};

void BM_SmtBatchInsert(benchmark::State& state, SuiteId id) {
  const std::size_t batch_size = static_cast<std::size_t>(state.range(0));
  const unsigned threads = static_cast<unsigned>(state.range(1));
  const CryptoSuite& suite = Suite(id);
  const SparseFixture& f = Sparse(id);
  constexpr std::size_t kBatches = 8;
  std::vector<std::vector<Change>> batches(kBatches);
  Rng rng(3);
  for (auto& batch : batches) {
    for (std::size_t i = 0; i < batch_size; ++i) batch.push_back(Change{rng.Key(), rng.Value()});
  }
  std::size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto overlay = std::make_unique<OverlayStore>(f.store);
    smt::SparseMerkleTree tree(suite, *overlay, threads);
    state.ResumeTiming();
    auto root = tree.Update(f.root, batches[i++ % kBatches]);
    benchmark::DoNotOptimize(root);
    state.PauseTiming();
    Require(root.has_value(), "batched Update");
    overlay.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch_size));
}

void BM_SmtProve(benchmark::State& state, SuiteId id) {
  SparseFixture& f = Sparse(id);
  const smt::SparseMerkleTree tree(Suite(id), f.store);
  std::size_t i = 0;
  for (auto _ : state) {
    auto proof = tree.Prove(f.root, f.present[i++ % kSamples]);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_SmtGet(benchmark::State& state, SuiteId id) {
  SparseFixture& f = Sparse(id);
  const smt::SparseMerkleTree tree(Suite(id), f.store);
  std::size_t i = 0;
  for (auto _ : state) {
    auto value = tree.Get(f.root, f.present[i++ % kSamples]);
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_SmtVerifyPresence(benchmark::State& state, SuiteId id) {
  const CryptoSuite& suite = Suite(id);
  const SparseFixture& f = Sparse(id);
  std::size_t i = 0;
  double siblings = 0;
  for (const auto& proof : f.presence_proofs)
    siblings += static_cast<double>(proof.siblings.size());
  for (auto _ : state) {
    const std::size_t k = i++ % kSamples;
    auto ok = smt::VerifyPresence(suite, f.root, f.present[k], f.values[k], f.presence_proofs[k]);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["siblings"] = siblings / kSamples;
}

void BM_SmtVerifyAbsence(benchmark::State& state, SuiteId id) {
  const CryptoSuite& suite = Suite(id);
  const SparseFixture& f = Sparse(id);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % kSamples;
    auto ok = smt::VerifyAbsence(suite, f.root, f.absent[k], f.absence_proofs[k]);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// The unit of all of the above: one inner-node hash, H(0x01 || left || right).
void BM_InnerNodeHash(benchmark::State& state, SuiteId id) {
  const CryptoSuite& suite = Suite(id);
  Rng rng(4);
  const Hash32 left = rng.Key();
  Hash32 right = rng.Key();
  const std::uint8_t tag = 0x01;
  for (auto _ : state) {
    right = suite.Hash({ByteView(&tag, 1), left.view(), right.view()});
    benchmark::DoNotOptimize(right);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK_CAPTURE(BM_InnerNodeHash, sm, SuiteId::kSm);
BENCHMARK_CAPTURE(BM_InnerNodeHash, ecdsa, SuiteId::kEcdsa);
BENCHMARK_CAPTURE(BM_MerkleVerifyInclusion, sm, SuiteId::kSm)
    ->Arg(1000)
    ->Arg(1 << 16)
    ->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_MerkleVerifyInclusion, ecdsa, SuiteId::kEcdsa)
    ->Arg(1000)
    ->Arg(1 << 16)
    ->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_SmtBatchInsert, sm, SuiteId::kSm)
    ->ArgNames({"batch", "threads"})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({10000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SmtBatchInsert, ecdsa, SuiteId::kEcdsa)
    ->ArgNames({"batch", "threads"})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({10000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SmtProve, sm, SuiteId::kSm);
BENCHMARK_CAPTURE(BM_SmtProve, ecdsa, SuiteId::kEcdsa);
BENCHMARK_CAPTURE(BM_SmtGet, sm, SuiteId::kSm);
BENCHMARK_CAPTURE(BM_SmtGet, ecdsa, SuiteId::kEcdsa);
BENCHMARK_CAPTURE(BM_SmtVerifyPresence, sm, SuiteId::kSm);
BENCHMARK_CAPTURE(BM_SmtVerifyPresence, ecdsa, SuiteId::kEcdsa);
BENCHMARK_CAPTURE(BM_SmtVerifyAbsence, sm, SuiteId::kSm);
BENCHMARK_CAPTURE(BM_SmtVerifyAbsence, ecdsa, SuiteId::kEcdsa);

}  // namespace

BENCHMARK_MAIN();
