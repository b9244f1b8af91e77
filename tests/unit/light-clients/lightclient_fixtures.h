// SPDX-License-Identifier: Apache-2.0
//
// Shared pieces of the light-client tests: the two real suites (made once per process), a
// test chain with a client that trusts its first header, and assertions on errors.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "baylink/core/merkle.h"
#include "baylink/core/result.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"
#include "baylink/lightclient/client.h"
#include "baylink/lightclient/testing/test_chain.h"
#include "test_random.h"

namespace baylink::lightclient::test {

using namespace std::chrono_literals;
using core::Errc;
using testing::TestChain;
using testing::TestValidators;

inline const core::CryptoSuite& SuiteFor(core::SuiteId id) {
  static const auto sm = crypto::MakeSuite(core::SuiteId::kSm);
  static const auto ecdsa = crypto::MakeSuite(core::SuiteId::kEcdsa);
  return id == core::SuiteId::kSm ? *sm : *ecdsa;
}

inline constexpr core::SuiteId kSuites[] = {core::SuiteId::kSm, core::SuiteId::kEcdsa};

// A chain of `validators` validators of power 10 and a client trusting its first header.
// Each instance draws its keys from its own generator seeded from the process seed, so a
// failure replays with --seed.
struct Env {
  explicit Env(core::SuiteId id, std::size_t validators = 4, std::uint64_t salt = 0)
      : suite(SuiteFor(id)),
        rng(::baylink::testing::Seed() ^ (salt * 0x9e3779b97f4a7c15ULL) ^
            static_cast<std::uint64_t>(id)),
        chain(suite, rng, testing::MakeValidators(suite, rng, validators)),
        client(LightClient::Create(suite, chain.Params(), chain.Genesis().header,
                                   chain.Genesis().validators, chain.TimeOf(chain.first_height()))
                   .value()) {}

  // A moment just after the latest header of the chain: inside every period, past every
  // header's time.
  std::chrono::system_clock::time_point Now() const {
    return chain.TimeOf(chain.latest_height()) + 1s;
  }

  const core::CryptoSuite& suite;
  ::baylink::testing::TestRandom rng;
  TestChain chain;
  LightClient client;
};

// Checks that `result` failed with `code` and that its message contains `fragment`.
template <class R>
void ExpectError(const R& result, Errc code, std::string_view fragment) {
  REQUIRE_MESSAGE(!result.has_value(), "expected " << core::ErrcName(code) << " containing '"
                                                   << fragment << "', got success");
  const core::Error& e = result.error();
  CHECK_MESSAGE(e.code == code, "got " << e.Message());
  CHECK_MESSAGE(e.detail.find(fragment) != std::string::npos, "got " << e.Message());
}

inline core::Hash32 RandomHash(::baylink::testing::TestRandom& rng) {
  core::Hash32 h;
  rng.Fill(std::span<std::uint8_t>(h.data(), h.size()));
  return h;
}

// The contents of one block with real roots: transactions, their receipts and a state tree,
// and the proofs of each.
struct BlockData {
  std::vector<core::Transaction> transactions;
  std::vector<core::Receipt> receipts;
  std::vector<core::Hash32> tx_leaves;
  std::vector<core::Hash32> receipt_leaves;
  std::unique_ptr<core::smt::MemoryNodeStore> store =
      std::make_unique<core::smt::MemoryNodeStore>();
  std::vector<std::pair<core::Hash32, core::Bytes>> state;  // the keys present and their values
  core::Hash32 tx_root, receipt_root, state_root;

  core::merkle::InclusionProof TxProof(const core::CryptoSuite& suite, std::size_t i) const {
    return core::merkle::Prove(suite, tx_leaves, i).value();
  }
  core::merkle::InclusionProof ReceiptProof(const core::CryptoSuite& suite, std::size_t i) const {
    return core::merkle::Prove(suite, receipt_leaves, i).value();
  }
  core::smt::Proof StateProof(const core::CryptoSuite& suite, const core::Hash32& key) const {
    core::smt::SparseMerkleTree tree(suite, *store);
    return tree.Prove(state_root, key).value().proof;
  }
  TestChain::Block AsBlock() const {
    TestChain::Block b;
    b.tx_root = tx_root;
    b.receipt_root = receipt_root;
    b.state_root = state_root;
    return b;
  }
};

// `count` transactions with receipts and `keys` state entries, all random.
inline BlockData MakeBlockData(const core::CryptoSuite& suite, ::baylink::testing::TestRandom& rng,
                               std::size_t count, std::size_t keys) {
  BlockData d;
  const core::KeyPair sender = suite.GenerateKey(rng);
  for (std::size_t i = 0; i < count; ++i) {
    core::Transaction t;
    t.chain_id = "hk";
    t.nonce = i;
    t.expiry_height = 1000;
    t.sender = sender.public_key;
    t.contract = "asset";
    t.method = "transfer";
    t.args = core::Bytes(8 + rng.Below(16));
    rng.Fill(t.args);
    REQUIRE(t.Sign(suite, sender.secret));
    core::Receipt r;
    r.tx_hash = t.Hash(suite);
    r.output = core::Bytes{static_cast<std::uint8_t>(i)};
    r.events.push_back(core::Event{"asset", "Transfer", core::Bytes{1, 2, 3}});
    d.tx_leaves.push_back(core::merkle::LeafHash(suite, t.Encode()));
    d.receipt_leaves.push_back(core::merkle::LeafHash(suite, r.Encode()));
    d.transactions.push_back(std::move(t));
    d.receipts.push_back(std::move(r));
  }
  d.tx_root = core::merkle::RootOfLeafHashes(suite, d.tx_leaves);
  d.receipt_root = core::merkle::RootOfLeafHashes(suite, d.receipt_leaves);
  std::vector<core::smt::Change> changes;
  for (std::size_t i = 0; i < keys; ++i) {
    core::Bytes value(1 + rng.Below(40));
    rng.Fill(value);
    const core::Hash32 key = RandomHash(rng);
    d.state.emplace_back(key, value);
    changes.push_back(core::smt::Change{key, value});
  }
  core::smt::SparseMerkleTree tree(suite, *d.store);
  d.state_root = tree.Update(core::smt::SparseMerkleTree::EmptyRoot(), changes).value();
  return d;
}

}  // namespace baylink::lightclient::test
