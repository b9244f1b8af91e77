// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/merkle.h"
#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

namespace misbehaviour_test {
namespace {

// Two headers at height 3 (the chain's and a fork signed by the same validators), with the
// genesis as anchor.
Misbehaviour ForkAtThree(Env& env) {
  env.chain.Advance();
  env.chain.Advance();
  return Misbehaviour{env.chain.At(3), env.chain.Fork(3, RandomHash(env.rng)), 1,
                      env.chain.Genesis().validators};
}

}  // namespace

TEST_CASE("two valid certificates for different headers at one height freeze the client") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const Misbehaviour m = ForkAtThree(env);
    const LightClient before = env.client;
    auto verified = env.client.VerifyMisbehaviour(env.suite, m, env.Now());
    REQUIRE(verified);
    CHECK(env.client == before);  // verifying changes nothing

    auto evidence = env.client.SubmitMisbehaviour(env.suite, m, env.Now());
    REQUIRE(evidence);
    CHECK(*evidence == *verified);
    CHECK(evidence->kind == MisbehaviourKind::kConflictingHeaders);
    CHECK(evidence->height == 3);
    CHECK(evidence->chain_id == "hk");
    CHECK_FALSE(evidence->trusted);
    CHECK(evidence->first == m.first);
    CHECK(evidence->second == m.second);
    CHECK(env.client.frozen());
    CHECK(env.client.client_state().frozen_height == 3);
  }
}

TEST_CASE("a valid header that conflicts with the trusted header freezes the client") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
    const SignedHeader fork = env.chain.Fork(2, RandomHash(env.rng));

    // Alone: the client knows the other side by hash.
    const Misbehaviour alone{fork, std::nullopt, 2, env.client.validators()};
    auto evidence = env.client.VerifyMisbehaviour(env.suite, alone, env.Now());
    REQUIRE(evidence);
    CHECK(evidence->kind == MisbehaviourKind::kConflictsWithTrusted);
    REQUIRE(evidence->trusted);
    CHECK(*evidence->trusted == env.client.latest_consensus_state());
    CHECK_FALSE(evidence->second);

    // With the trusted header as the other side, anchored at genesis.
    const Misbehaviour pair{env.chain.At(2), fork, 1, env.chain.Genesis().validators};
    auto paired = env.client.SubmitMisbehaviour(env.suite, pair, env.Now());
    REQUIRE(paired);
    CHECK(paired->kind == MisbehaviourKind::kConflictsWithTrusted);
    CHECK(env.client.frozen());
  }
}

TEST_CASE("misbehaviour at the anchor's successor needs only the set the anchor named") {
  Env env(core::SuiteId::kEcdsa);
  env.chain.ReplaceAll({10, 10, 10, 10});  // named by header 2, signs header 3
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
  env.chain.Advance();
  const SignedHeader fork = env.chain.Fork(3, RandomHash(env.rng));
  // From height 2, header 3's set is the one it named: accepted with no overlap.
  const Misbehaviour from_two{env.chain.At(3), fork, 2, env.chain.Genesis().validators};
  CHECK(env.client.VerifyMisbehaviour(env.suite, from_two, env.Now()));
  // From the genesis, the new set shares nothing with the anchor set.
  const Misbehaviour from_one{env.chain.At(3), fork, 1, env.chain.Genesis().validators};
  ExpectError(env.client.VerifyMisbehaviour(env.suite, from_one, env.Now()),
              Errc::kInsufficientTrust,
              "first header: signers hold 0 of 40 voting power of the "
              "trusted validator set");
}

TEST_CASE("misbehaviour is rejected with a suite other than the client's") {
  Env env(core::SuiteId::kEcdsa);
  ExpectError(
      env.client.VerifyMisbehaviour(SuiteFor(core::SuiteId::kSm), ForkAtThree(env), env.Now()),
      Errc::kInvalidArgument, "suite was passed");
}

TEST_CASE("misbehaviour is rejected when its headers do not conflict") {
  Env env(core::SuiteId::kEcdsa);
  Misbehaviour m = ForkAtThree(env);

  Misbehaviour heights = m;
  heights.second = env.chain.At(2);
  ExpectError(env.client.VerifyMisbehaviour(env.suite, heights, env.Now()), Errc::kInvalidArgument,
              "heights 3 and 2");

  Misbehaviour same = m;
  same.second = m.first;
  ExpectError(env.client.VerifyMisbehaviour(env.suite, same, env.Now()), Errc::kInvalidArgument,
              "nothing conflicts");

  Misbehaviour alone_untrusted = m;
  alone_untrusted.second.reset();
  ExpectError(env.client.VerifyMisbehaviour(env.suite, alone_untrusted, env.Now()), Errc::kNotFound,
              "does not trust height 3");

  const Misbehaviour alone_trusted{env.chain.Genesis(), std::nullopt, 1,
                                   env.chain.Genesis().validators};
  ExpectError(env.client.VerifyMisbehaviour(env.suite, alone_trusted, env.Now()),
              Errc::kInvalidArgument, "is the one trusted at height 1");

  Misbehaviour other_chain = m;
  core::BlockHeader h = m.second->header;
  h.chain_id = "gd";
  other_chain.second = env.chain.Sign(h, env.chain.ValidatorsAt(3));
  ExpectError(env.client.VerifyMisbehaviour(env.suite, other_chain, env.Now()), Errc::kWrongChain,
              "of chain 'gd'");
}

TEST_CASE("misbehaviour is rejected when its anchor is not trusted, too high, expired or mis-set") {
  Env env(core::SuiteId::kEcdsa);
  const Misbehaviour m = ForkAtThree(env);

  Misbehaviour untrusted = m;
  untrusted.trusted_height = 2;
  ExpectError(env.client.VerifyMisbehaviour(env.suite, untrusted, env.Now()), Errc::kNotFound,
              "does not trust height 2");

  LightClient ahead = env.client;
  env.chain.Advance();
  REQUIRE(ahead.Update(env.suite, env.chain.At(4), env.Now()));
  Misbehaviour too_high = m;
  too_high.trusted_height = 4;
  too_high.trusted_validators = ahead.validators();
  ExpectError(ahead.VerifyMisbehaviour(env.suite, too_high, env.Now()), Errc::kInvalidArgument,
              "above the conflict");

  ExpectError(env.client.VerifyMisbehaviour(env.suite, m, env.Now() + std::chrono::hours(24 * 15)),
              Errc::kExpired, "older than the trusting period");

  Misbehaviour wrong_set = m;
  wrong_set.trusted_validators = testing::ToSet(testing::MakeValidators(env.suite, env.rng, 4));
  ExpectError(env.client.VerifyMisbehaviour(env.suite, wrong_set, env.Now()), Errc::kBadProof,
              "anchor validator set hashes to");
}

TEST_CASE("misbehaviour is rejected when a header is not validly certified") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const Misbehaviour m = ForkAtThree(env);

    Misbehaviour weak = m;
    const std::size_t two[] = {1, 3};
    weak.second = testing::WithSignatures(*m.second, two);
    ExpectError(env.client.VerifyMisbehaviour(env.suite, weak, env.Now()), Errc::kInsufficientPower,
                "second header: signers hold 20 of 40");

    Misbehaviour corrupt = m;
    corrupt.second = testing::WithCorruptSignature(*m.second, 0);
    ExpectError(env.client.VerifyMisbehaviour(env.suite, corrupt, env.Now()), Errc::kBadSignature,
                "second header: signature of validator 0");

    Misbehaviour unbound = m;
    unbound.first.certificate = m.second->certificate;
    ExpectError(env.client.VerifyMisbehaviour(env.suite, unbound, env.Now()),
                Errc::kInvalidArgument, "first header: certificate commits to header");

    Misbehaviour bad_set = m;
    bad_set.first.validators = testing::ToSet(testing::MakeValidators(env.suite, env.rng, 4));
    ExpectError(env.client.VerifyMisbehaviour(env.suite, bad_set, env.Now()), Errc::kBadProof,
                "first header: its validator set hashes to");

    // A fork signed by keys the client never trusted, however many, proves nothing.
    Misbehaviour strangers = m;
    const TestValidators others = testing::MakeValidators(env.suite, env.rng, 4);
    core::BlockHeader h = m.second->header;
    h.validators_hash = testing::ToSet(others).Hash(env.suite);
    strangers.second = env.chain.Sign(h, others);
    ExpectError(env.client.VerifyMisbehaviour(env.suite, strangers, env.Now()),
                Errc::kInsufficientTrust,
                "second header: signers hold 0 of 40 voting power of the "
                "trusted validator set");
  }
}

TEST_CASE("a frozen client verifies nothing") {
  Env env(core::SuiteId::kSm);
  const Misbehaviour m = ForkAtThree(env);
  REQUIRE(env.client.SubmitMisbehaviour(env.suite, m, env.Now()));
  const char* frozen = "is frozen by misbehaviour at height 3";
  ExpectError(env.client.VerifyUpdate(env.suite, env.chain.At(2), env.Now()), Errc::kFrozen,
              frozen);
  ExpectError(env.client.VerifyMisbehaviour(env.suite, m, env.Now()), Errc::kFrozen, frozen);
  const core::merkle::InclusionProof proof{0, 1, {}};
  ExpectError(env.client.VerifyReceipt(env.suite, 1, core::Receipt{}, proof), Errc::kFrozen,
              frozen);
  ExpectError(env.client.VerifyTransaction(env.suite, 1, core::Transaction{}, proof),
              Errc::kFrozen, frozen);
  ExpectError(env.client.VerifyStatePresence(env.suite, 1, core::Hash32{}, {}, core::smt::Proof{}),
              Errc::kFrozen, frozen);
  ExpectError(env.client.VerifyStateAbsence(env.suite, 1, core::Hash32{}, core::smt::Proof{}),
              Errc::kFrozen, frozen);
  // Restoring a frozen client keeps it frozen.
  std::vector<ConsensusState> states;
  for (const auto& [height, s] : env.client.consensus_states()) states.push_back(s);
  auto restored = LightClient::Restore(env.suite, env.client.client_state(), states);
  REQUIRE(restored);
  CHECK(restored->frozen());
}

TEST_CASE("evidence round-trips through its encoding and describes itself in plain text") {
  Env env(core::SuiteId::kEcdsa);
  const Misbehaviour m = ForkAtThree(env);
  const Evidence evidence = env.client.SubmitMisbehaviour(env.suite, m, env.Now()).value();
  CHECK(Evidence::Decode(evidence.Encode()).value() == evidence);

  const std::string text = evidence.Describe();
  CHECK(text.find("misbehaviour of chain 'hk' at height 3") != std::string::npos);
  CHECK(text.find("conflicting_headers") != std::string::npos);
  CHECK(text.find(m.first.header.Hash(env.suite).ToHex()) != std::string::npos);
  CHECK(text.find(m.second->header.Hash(env.suite).ToHex()) != std::string::npos);
  CHECK(text.find(m.second->header.state_root.ToHex()) != std::string::npos);
  CHECK(text.find("signed both headers: 4 validators") != std::string::npos);
  CHECK(text.find(env.chain.ValidatorsAt(3)[2].key.public_key.ToHex()) != std::string::npos);
  CHECK(text.find("2023-11-14T22:13:2") != std::string::npos);  // detected_at, readable
  INFO(text);
  CHECK(text.find('{') == std::string::npos);  // not JSON
}

}  // namespace misbehaviour_test
