// SPDX-License-Identifier: Apache-2.0
//
// The crafted attacks of DESIGN §5, each refused with its own error.
#include <doctest/doctest.h>

#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

TEST_CASE("attack: a certificate that repeats one signer to reach the threshold is refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const std::size_t two[] = {0, 1};  // 20 of 40: repeating one would make 30 > 26
    const SignedHeader forged =
        testing::WithRepeatedSigner(testing::WithSignatures(env.chain.Advance(), two), 1);
    REQUIRE(forged.certificate.signatures.size() == 3);
    ExpectError(env.client.VerifyUpdate(env.suite, forged, env.Now()), Errc::kDuplicate,
                "names validator 1 more than once");
    // On the wire the same certificate does not even decode.
    ExpectError(core::CommitCertificate::Decode(forged.certificate.Encode()), Errc::kNonCanonical,
                "must strictly increase");
  }
}

TEST_CASE("attack: signers outside the validator set are refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const std::size_t two[] = {0, 1};
    const SignedHeader forged =
        testing::WithSignerOutsideSet(testing::WithSignatures(env.chain.Advance(), two));
    ExpectError(env.client.VerifyUpdate(env.suite, forged, env.Now()), Errc::kMalformed,
                "names validator 4; the set has 4 validators");
  }
}

TEST_CASE("attack: a validator set that does not hash to validators_hash is refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    // The attacker holds validator 0's key and claims it has all but all the power.
    SignedHeader forged = env.chain.Advance();
    TestValidators inflated = env.chain.ValidatorsAt(2);
    inflated[0].power = 1000;
    forged.validators = testing::ToSet(inflated);
    const std::size_t one[] = {0};
    forged = testing::WithSignatures(forged, one);
    ExpectError(env.client.VerifyUpdate(env.suite, forged, env.Now()), Errc::kBadProof,
                "the validator set sent with the header hashes to");
  }
}

TEST_CASE("attack: a skip across a full rotation with too little overlap is refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    env.chain.ReplaceAll({10, 10, 10, 10});  // header 2 names it; it signs 3 onwards
    env.chain.Advance();
    env.chain.Advance();
    env.chain.Advance();
    ExpectError(env.client.VerifyUpdate(env.suite, env.chain.At(4), env.Now()),
                Errc::kInsufficientTrust,
                "signers hold 0 of 40 voting power of the trusted validator set");
    // Step by step, the rotation is followed.
    for (std::uint64_t h = 2; h <= 4; ++h) {
      REQUIRE(env.client.Update(env.suite, env.chain.At(h), env.Now()));
    }
  }
}

TEST_CASE("attack: a whole forged validator set signing a skipping header is refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    env.chain.Advance();
    core::BlockHeader h = env.chain.Advance().header;  // height 3: a skip from 1
    const TestValidators forged_set = testing::MakeValidators(env.suite, env.rng, 7, 100);
    h.validators_hash = testing::ToSet(forged_set).Hash(env.suite);
    h.state_root = RandomHash(env.rng);
    ExpectError(env.client.VerifyUpdate(env.suite, env.chain.Sign(h, forged_set), env.Now()),
                Errc::kInsufficientTrust,
                "signers hold 0 of 40 voting power of the trusted validator set");
  }
}

TEST_CASE("attack: a header from the future is refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    TestChain::Block later;
    later.interval = std::chrono::hours(1);
    const SignedHeader& future = env.chain.Advance(later);
    ExpectError(env.client.VerifyUpdate(env.suite, future, env.chain.TimeOf(1) + 1s),
                Errc::kBadTimestamp, "is in the future");
    CHECK(env.client.VerifyUpdate(env.suite, future, env.chain.TimeOf(2)));
  }
}

TEST_CASE("attack: a header of another chain signed by the same validators is refused") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    TestChain::Options gd;
    gd.chain_id = "gd";
    TestChain other(env.suite, env.rng, env.chain.ValidatorsAt(1), gd);
    const SignedHeader& foreign = other.Advance();
    ExpectError(env.client.VerifyUpdate(env.suite, foreign, env.Now()), Errc::kWrongChain,
                "header is of chain 'gd'");
    // Relabelled as "hk", the votes (which bind the chain id) no longer verify.
    SignedHeader relabelled = foreign;
    relabelled.header.chain_id = "hk";
    relabelled.header.parent_hash = env.chain.Genesis().header.Hash(env.suite);
    relabelled.certificate.header_hash = relabelled.header.Hash(env.suite);
    ExpectError(env.client.VerifyUpdate(env.suite, relabelled, env.Now()), Errc::kBadSignature,
                "does not verify");
  }
}

TEST_CASE("attack: a certificate replayed from another height is refused") {
  Env env(core::SuiteId::kEcdsa);
  env.chain.Advance();
  SignedHeader replay = env.chain.At(2);
  replay.header.height = 3;  // a header the validators never signed, with height 2's votes
  replay.certificate.height = 3;
  replay.certificate.header_hash = replay.header.Hash(env.suite);
  ExpectError(env.client.VerifyUpdate(env.suite, replay, env.Now()), Errc::kBadSignature,
              "does not verify");
}

TEST_CASE("attack: a proof for another height or another root is refused") {
  Env env(core::SuiteId::kEcdsa);
  const BlockData a = MakeBlockData(env.suite, env.rng, 2, 4);
  const BlockData b = MakeBlockData(env.suite, env.rng, 2, 4);
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(a.AsBlock()), env.Now()));
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(b.AsBlock()), env.Now()));
  // Another height of this chain: the root there does not hold the receipt.
  ExpectError(env.client.VerifyReceipt(env.suite, 3, a.receipts[0], a.ReceiptProof(env.suite, 0)),
              Errc::kBadProof, "receipt proof rejected at height 3");
  // A height the client never verified.
  ExpectError(env.client.VerifyReceipt(env.suite, 4, a.receipts[0], a.ReceiptProof(env.suite, 0)),
              Errc::kNotFound, "does not trust height 4");
  // A root nobody committed to: a tree the attacker built with the same receipt in it.
  const BlockData c = MakeBlockData(env.suite, env.rng, 3, 1);
  std::vector<core::Hash32> leaves = c.receipt_leaves;
  leaves[1] = core::merkle::LeafHash(env.suite, a.receipts[0].Encode());
  const auto proof = core::merkle::Prove(env.suite, leaves, 1).value();
  ExpectError(env.client.VerifyReceipt(env.suite, 2, a.receipts[0], proof), Errc::kBadProof,
              "receipt proof rejected at height 2");
}
