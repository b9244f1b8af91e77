// SPDX-License-Identifier: Apache-2.0
//
// Light-client benchmarks over the real suites (sm: SM3 + SM2, ecdsa: Keccak-256 + secp256k1):
//  - update/<suite>/<n>: LightClient::VerifyUpdate of an adjacent header whose certificate
//    carries all n validators' signatures (n = 4, 7, 21, 100), next to
//    signature_bound/<suite>/<n>: exactly the n signature checks that update performs, over
//    the same keys and digest. The bound is what the update can never beat; the gap is
//    hashing (header, validator set), the certificate's bookkeeping and copying the state.
//  - update_skipping/<suite>/<n>: the same header as a skip, which adds the overlap
//    computation against the trusted set.
//  - update_parallel/<suite>/<n>: the adjacent update with signatures spread over two
//    threads (ThreadParallelFor; starting the threads is part of the cost).
//  - receipt_proof/<suite>: VerifyReceipt in a block of 1,000 receipts;
//    state_presence/<suite>, state_absence/<suite>: VerifyStatePresence / Absence in a state
//    tree of 1,000,000 keys (the size; building it takes some seconds per suite,
//    once per process).
// Run: lightclient_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Items per second are updates (or proofs) per second.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "baylink/core/merkle.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"
#include "baylink/lightclient/client.h"
#include "baylink/lightclient/testing/test_chain.h"
#include "baylink/lightclient/testing/thread_parallel_for.h"
#include "bench_support.h"

namespace {

using baylink::core::Bytes;
using baylink::core::CryptoSuite;
using baylink::core::Hash32;
using baylink::core::SuiteId;
namespace lc = baylink::lightclient;
namespace merkle = baylink::core::merkle;
namespace smt = baylink::core::smt;

constexpr std::size_t kReceipts = 1000;
constexpr std::size_t kStateKeys = 1000000;  // the 1M-key state
constexpr std::size_t kSamples = 256;  // proofs cycled through by the proof loops

using baylink::bench::BenchRandom;
using baylink::bench::Require;
using baylink::bench::Suite;

// ---- updates ----------------------------------------------------------------------------

struct UpdateFixture {
  std::unique_ptr<BenchRandom> rng;
  std::unique_ptr<lc::testing::TestChain> chain;
  std::unique_ptr<lc::LightClient> client;
  lc::SignedHeader adjacent;  // height 2
  lc::SignedHeader skipping;  // height 3, from 1
  std::chrono::system_clock::time_point now;
  Hash32 digest;  // the vote digest of `adjacent`
};

const UpdateFixture& Update(SuiteId id, std::size_t validators) {
  static std::mutex mutex;
  static std::map<std::pair<SuiteId, std::size_t>, UpdateFixture> fixtures;
  const std::lock_guard lock(mutex);
  auto [it, fresh] = fixtures.try_emplace({id, validators});
  UpdateFixture& f = it->second;
  if (!fresh) return f;
  const CryptoSuite& suite = Suite(id);
  f.rng = std::make_unique<BenchRandom>(validators);
  f.chain = std::make_unique<lc::testing::TestChain>(
      suite, *f.rng, lc::testing::MakeValidators(suite, *f.rng, validators));
  f.adjacent = f.chain->Advance();
  f.skipping = f.chain->Advance();
  f.now = f.chain->TimeOf(3);
  auto client = lc::LightClient::Create(suite, f.chain->Params(), f.chain->Genesis().header,
                                        f.chain->Genesis().validators, f.chain->TimeOf(1));
  Require(client.has_value(), "client creation");
  f.client = std::make_unique<lc::LightClient>(std::move(client).value());
  Require(f.client->VerifyUpdate(suite, f.adjacent, f.now).has_value(), "adjacent update");
  Require(f.client->VerifyUpdate(suite, f.skipping, f.now).has_value(), "skipping update");
  f.digest =
      baylink::core::CommitVoteDigest(suite, f.chain->chain_id(), 2, f.adjacent.certificate.round,
                                      f.adjacent.certificate.header_hash);
  return f;
}

void RunUpdate(benchmark::State& state, SuiteId id, const lc::SignedHeader UpdateFixture::*which,
               const lc::ParallelFor* parallel) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const UpdateFixture& f = Update(id, n);
  const CryptoSuite& suite = Suite(id);
  lc::VerifyOptions options;
  options.parallel = parallel;
  for (auto _ : state) {
    auto change = f.client->VerifyUpdate(suite, f.*which, f.now, options);
    if (!change) {
      state.SkipWithError(change.error().Message().c_str());
      break;
    }
    benchmark::DoNotOptimize(change);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["signatures"] = static_cast<double>(n);
}

void BM_UpdateAdjacent(benchmark::State& state, SuiteId id) {
  RunUpdate(state, id, &UpdateFixture::adjacent, nullptr);
}

void BM_UpdateSkipping(benchmark::State& state, SuiteId id) {
  RunUpdate(state, id, &UpdateFixture::skipping, nullptr);
}

void BM_UpdateParallel(benchmark::State& state, SuiteId id) {
  static const lc::testing::ThreadParallelFor pool(2);
  RunUpdate(state, id, &UpdateFixture::adjacent, &pool);
}

// The n signature checks of one adjacent update and nothing else: items per second here is
// the update rate the signatures alone allow.
void BM_SignatureBound(benchmark::State& state, SuiteId id) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const UpdateFixture& f = Update(id, n);
  const CryptoSuite& suite = Suite(id);
  const auto& validators = f.adjacent.validators.validators();
  const auto& signatures = f.adjacent.certificate.signatures;
  for (auto _ : state) {
    for (const baylink::core::CommitSignature& s : signatures) {
      auto ok =
          suite.Verify(validators[s.validator_index].public_key, f.digest.view(), s.signature);
      if (!ok) {
        state.SkipWithError("signature does not verify");
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["signatures"] = static_cast<double>(n);
}

// ---- proofs -----------------------------------------------------------------------------

struct ProofFixture {
  std::unique_ptr<BenchRandom> rng;
  std::unique_ptr<lc::testing::TestChain> chain;
  std::unique_ptr<lc::LightClient> client;
  std::vector<baylink::core::Receipt> receipts;
  std::vector<merkle::InclusionProof> receipt_proofs;
  std::vector<std::pair<Hash32, Bytes>> present;
  std::vector<smt::Proof> presence_proofs;
  std::vector<Hash32> absent;
  std::vector<smt::Proof> absence_proofs;
};

const ProofFixture& Proofs(SuiteId id) {
  static std::mutex mutex;
  static std::map<SuiteId, ProofFixture> fixtures;
  const std::lock_guard lock(mutex);
  auto [it, fresh] = fixtures.try_emplace(id);
  ProofFixture& f = it->second;
  if (!fresh) return f;
  const CryptoSuite& suite = Suite(id);
  f.rng = std::make_unique<BenchRandom>(7);

  // A block of receipts, about the size of a real one each.
  std::vector<Hash32> leaves;
  for (std::size_t i = 0; i < kReceipts; ++i) {
    baylink::core::Receipt r;
    r.tx_hash = f.rng->Hash();
    r.output = Bytes(32);
    f.rng->Fill(r.output);
    r.events.push_back(baylink::core::Event{"asset", "Transfer", Bytes(64, 7)});
    leaves.push_back(merkle::LeafHash(suite, r.Encode()));
    f.receipts.push_back(std::move(r));
  }
  const Hash32 receipt_root = merkle::RootOfLeafHashes(suite, leaves);
  for (std::size_t i = 0; i < kSamples; ++i) {
    auto proof = merkle::Prove(suite, leaves, (i * 7919) % kReceipts);
    Require(proof.has_value(), "receipt proof");
    f.receipt_proofs.push_back(std::move(proof).value());
  }

  // The state tree.
  smt::MemoryNodeStore store;
  smt::SparseMerkleTree tree(suite, store);
  std::vector<smt::Change> changes;
  changes.reserve(kStateKeys);
  for (std::size_t i = 0; i < kStateKeys; ++i) {
    Bytes value(32);
    f.rng->Fill(value);
    changes.push_back(smt::Change{f.rng->Hash(), std::move(value)});
  }
  auto state_root = tree.Update(smt::SparseMerkleTree::EmptyRoot(), changes);
  Require(state_root.has_value(), "state tree");
  for (std::size_t i = 0; i < kSamples; ++i) {
    const smt::Change& c = changes[(i * 104729) % kStateKeys];
    auto proof = tree.Prove(*state_root, c.key);
    Require(proof.has_value() && proof->value.has_value(), "presence proof");
    f.present.emplace_back(c.key, *c.value);
    f.presence_proofs.push_back(proof->proof);
    const Hash32 missing = f.rng->Hash();
    auto absence = tree.Prove(*state_root, missing);
    Require(absence.has_value() && !absence->value.has_value(), "absence proof");
    f.absent.push_back(missing);
    f.absence_proofs.push_back(absence->proof);
  }

  // A client trusting a header with these roots.
  f.chain = std::make_unique<lc::testing::TestChain>(suite, *f.rng,
                                                     lc::testing::MakeValidators(suite, *f.rng, 4));
  lc::testing::TestChain::Block block;
  block.receipt_root = receipt_root;
  block.state_root = *state_root;
  const lc::SignedHeader& header = f.chain->Advance(block);
  auto client = lc::LightClient::Create(suite, f.chain->Params(), header.header, header.validators,
                                        f.chain->TimeOf(2));
  Require(client.has_value(), "client creation");
  f.client = std::make_unique<lc::LightClient>(std::move(client).value());
  return f;
}

void BM_ReceiptProof(benchmark::State& state, SuiteId id) {
  const ProofFixture& f = Proofs(id);
  const CryptoSuite& suite = Suite(id);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& proof = f.receipt_proofs[i % kSamples];
    auto ok = f.client->VerifyReceipt(suite, 2, f.receipts[proof.index], proof);
    if (!ok) {
      state.SkipWithError(ok.error().Message().c_str());
      break;
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StatePresence(benchmark::State& state, SuiteId id) {
  const ProofFixture& f = Proofs(id);
  const CryptoSuite& suite = Suite(id);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [key, value] = f.present[i % kSamples];
    auto ok = f.client->VerifyStatePresence(suite, 2, key, value, f.presence_proofs[i % kSamples]);
    if (!ok) {
      state.SkipWithError(ok.error().Message().c_str());
      break;
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StateAbsence(benchmark::State& state, SuiteId id) {
  const ProofFixture& f = Proofs(id);
  const CryptoSuite& suite = Suite(id);
  std::size_t i = 0;
  for (auto _ : state) {
    auto ok = f.client->VerifyStateAbsence(suite, 2, f.absent[i % kSamples],
                                           f.absence_proofs[i % kSamples]);
    if (!ok) {
      state.SkipWithError(ok.error().Message().c_str());
      break;
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void Register() {
  const std::pair<const char*, SuiteId> suites[] = {{"sm", SuiteId::kSm},
                                                    {"ecdsa", SuiteId::kEcdsa}};
  for (const auto& [name, id] : suites) {
    const std::string s(name);
    for (std::int64_t n : {4, 7, 21, 100}) {
      benchmark::RegisterBenchmark(("update/" + s).c_str(), BM_UpdateAdjacent, id)->Arg(n);
      benchmark::RegisterBenchmark(("signature_bound/" + s).c_str(), BM_SignatureBound, id)->Arg(n);
    }
    for (std::int64_t n : {4, 100}) {
      benchmark::RegisterBenchmark(("update_skipping/" + s).c_str(), BM_UpdateSkipping, id)->Arg(n);
    }
    for (std::int64_t n : {21, 100}) {
      benchmark::RegisterBenchmark(("update_parallel/" + s).c_str(), BM_UpdateParallel, id)
          ->Arg(n)
          ->UseRealTime();
    }
    benchmark::RegisterBenchmark(("receipt_proof/" + s).c_str(), BM_ReceiptProof, id);
    benchmark::RegisterBenchmark(("state_presence/" + s).c_str(), BM_StatePresence, id);
    benchmark::RegisterBenchmark(("state_absence/" + s).c_str(), BM_StateAbsence, id);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
