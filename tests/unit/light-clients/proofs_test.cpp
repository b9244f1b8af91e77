// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

TEST_CASE("proofs verify transactions, receipts, state presence and absence at a trusted height") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const BlockData data = MakeBlockData(env.suite, env.rng, 5, 50);
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(data.AsBlock()), env.Now()));
    for (std::size_t i = 0; i < data.transactions.size(); ++i) {
      CHECK(env.client.VerifyTransaction(env.suite, 2, data.transactions[i],
                                         data.TxProof(env.suite, i)));
      CHECK(env.client.VerifyReceipt(env.suite, 2, data.receipts[i],
                                     data.ReceiptProof(env.suite, i)));
    }
    for (std::size_t i = 0; i < 5; ++i) {
      const auto& [key, value] = data.state[i];
      CHECK(env.client.VerifyStatePresence(env.suite, 2, key, value,
                                           data.StateProof(env.suite, key)));
    }
    const core::Hash32 absent = RandomHash(env.rng);
    CHECK(env.client.VerifyStateAbsence(env.suite, 2, absent, data.StateProof(env.suite, absent)));
  }
}

TEST_CASE("a proof at a height the client does not trust is rejected as not found") {
  Env env(core::SuiteId::kEcdsa);
  const BlockData data = MakeBlockData(env.suite, env.rng, 2, 4);
  env.chain.Advance(data.AsBlock());
  // Height 2 exists on the chain but the client has not been updated to it.
  ExpectError(
      env.client.VerifyReceipt(env.suite, 2, data.receipts[0], data.ReceiptProof(env.suite, 0)),
      Errc::kNotFound, "does not trust height 2 (1 trusted heights in 1..1");
  const auto& [key, value] = data.state[0];
  ExpectError(
      env.client.VerifyStatePresence(env.suite, 7, key, value, data.StateProof(env.suite, key)),
      Errc::kNotFound, "does not trust height 7");
}

TEST_CASE("a proof made for another height is rejected") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const BlockData two = MakeBlockData(env.suite, env.rng, 3, 8);
    const BlockData three = MakeBlockData(env.suite, env.rng, 3, 8);
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(two.AsBlock()), env.Now()));
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(three.AsBlock()), env.Now()));
    // Right data, right proof, wrong height: the roots differ.
    ExpectError(
        env.client.VerifyTransaction(env.suite, 3, two.transactions[1], two.TxProof(env.suite, 1)),
        Errc::kBadProof, "transaction proof rejected at height 3");
    ExpectError(
        env.client.VerifyReceipt(env.suite, 2, three.receipts[1], three.ReceiptProof(env.suite, 1)),
        Errc::kBadProof, "receipt proof rejected at height 2");
    const auto& [key, value] = two.state[3];
    ExpectError(
        env.client.VerifyStatePresence(env.suite, 3, key, value, two.StateProof(env.suite, key)),
        Errc::kBadProof, "state presence proof rejected at height 3");
    CHECK(env.client.VerifyStatePresence(env.suite, 2, key, value, two.StateProof(env.suite, key)));
  }
}

TEST_CASE("a proof for other data or against another root is rejected") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const BlockData data = MakeBlockData(env.suite, env.rng, 4, 16);
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(data.AsBlock()), env.Now()));

    core::Receipt changed = data.receipts[2];
    changed.status = core::ReceiptStatus::kFailed;
    changed.message = "out of gas";
    ExpectError(env.client.VerifyReceipt(env.suite, 2, changed, data.ReceiptProof(env.suite, 2)),
                Errc::kBadProof, "receipt proof rejected");
    // A transaction proof does not pass as a receipt proof, nor the other way round.
    ExpectError(
        env.client.VerifyReceipt(env.suite, 2, data.receipts[0], data.TxProof(env.suite, 0)),
        Errc::kBadProof, "");
    ExpectError(env.client.VerifyTransaction(env.suite, 2, data.transactions[0],
                                             data.ReceiptProof(env.suite, 0)),
                Errc::kBadProof, "");
    // Another proof's path.
    ExpectError(env.client.VerifyTransaction(env.suite, 2, data.transactions[0],
                                             data.TxProof(env.suite, 1)),
                Errc::kBadProof, "");

    const auto& [key, value] = data.state[5];
    core::Bytes other_value = value;
    other_value.push_back(0);
    ExpectError(env.client.VerifyStatePresence(env.suite, 2, key, other_value,
                                               data.StateProof(env.suite, key)),
                Errc::kBadProof, "state presence proof rejected");
    // A presence proof is no absence proof, and an absence proof proves no value.
    ExpectError(env.client.VerifyStateAbsence(env.suite, 2, key, data.StateProof(env.suite, key)),
                Errc::kBadProof, "state absence proof rejected");
    const core::Hash32 absent = RandomHash(env.rng);
    ExpectError(env.client.VerifyStatePresence(env.suite, 2, absent, value,
                                               data.StateProof(env.suite, absent)),
                Errc::kBadProof, "");
  }
}

TEST_CASE("a proof of the wrong shape is rejected with the core verifier's error") {
  Env env(core::SuiteId::kEcdsa);
  const BlockData data = MakeBlockData(env.suite, env.rng, 5, 8);
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(data.AsBlock()), env.Now()));
  core::merkle::InclusionProof short_path = data.ReceiptProof(env.suite, 2);
  short_path.path.pop_back();
  ExpectError(env.client.VerifyReceipt(env.suite, 2, data.receipts[2], short_path),
              Errc::kProofDepth, "receipt proof rejected at height 2");
  core::merkle::InclusionProof past_end = data.ReceiptProof(env.suite, 2);
  past_end.index = past_end.leaf_count;
  ExpectError(env.client.VerifyReceipt(env.suite, 2, data.receipts[2], past_end),
              Errc::kInvalidArgument, "receipt proof rejected at height 2");
  const auto& [key, value] = data.state[0];
  core::smt::Proof extra = data.StateProof(env.suite, key);
  extra.siblings.push_back(RandomHash(env.rng));  // more siblings than the bitmap names
  ExpectError(env.client.VerifyStatePresence(env.suite, 2, key, value, extra), Errc::kNonCanonical,
              "state presence proof rejected at height 2");
}

TEST_CASE("proofs reject a suite other than the client's") {
  Env env(core::SuiteId::kSm);
  const BlockData data = MakeBlockData(env.suite, env.rng, 1, 1);
  ExpectError(env.client.VerifyReceipt(SuiteFor(core::SuiteId::kEcdsa), 1, data.receipts[0],
                                       data.ReceiptProof(env.suite, 0)),
              Errc::kInvalidArgument, "suite was passed");
}

TEST_CASE("a consensus state past the trusting period vouches for its roots until pruned") {
  Env env(core::SuiteId::kEcdsa);
  const BlockData data = MakeBlockData(env.suite, env.rng, 2, 2);
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(data.AsBlock()), env.Now()));
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
  const auto later = env.Now() + std::chrono::hours(24 * 20);
  CHECK(env.client.VerifyReceipt(env.suite, 2, data.receipts[1], data.ReceiptProof(env.suite, 1)));
  CHECK(env.client.Prune(later, 10) == std::vector<std::uint64_t>{1, 2});
  ExpectError(
      env.client.VerifyReceipt(env.suite, 2, data.receipts[1], data.ReceiptProof(env.suite, 1)),
      Errc::kNotFound, "does not trust height 2");
}
