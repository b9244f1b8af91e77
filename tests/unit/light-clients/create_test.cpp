// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

TEST_CASE("create trusts a genesis header whose validator set it commits to") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const SignedHeader& genesis = env.chain.Genesis();
    CHECK(env.client.latest_height() == genesis.header.height);
    CHECK_FALSE(env.client.frozen());
    CHECK(env.client.validators() == genesis.validators);
    const ConsensusState& s = env.client.latest_consensus_state();
    CHECK(s.header_hash == genesis.header.Hash(env.suite));
    CHECK(s.timestamp == HeaderTime(genesis.header));
    CHECK(s.state_root == genesis.header.state_root);
    CHECK(s.next_validators_hash == genesis.header.next_validators_hash);
  }
}

TEST_CASE("create trusts an operator checkpoint at any height") {
  Env env(core::SuiteId::kEcdsa);
  for (int i = 0; i < 5; ++i) env.chain.Advance();
  const SignedHeader& checkpoint = env.chain.At(4);
  auto client = LightClient::Create(env.suite, env.chain.Params(), checkpoint.header,
                                    checkpoint.validators, env.Now());
  REQUIRE(client);
  CHECK(client->latest_height() == 4);
  CHECK(client->consensus_states().size() == 1);
}

TEST_CASE("create rejects a validator set that does not hash to the header's validators_hash") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const SignedHeader& genesis = env.chain.Genesis();
    auto other = testing::MakeValidators(env.suite, env.rng, 4);
    ExpectError(LightClient::Create(env.suite, env.chain.Params(), genesis.header,
                                    testing::ToSet(other), env.Now()),
                Errc::kBadProof, "validator set hashes to");
  }
}

TEST_CASE("create rejects a header of another chain") {
  Env env(core::SuiteId::kSm);
  ClientParams params = env.chain.Params();
  params.chain_id = "gd";
  ExpectError(LightClient::Create(env.suite, params, env.chain.Genesis().header,
                                  env.chain.Genesis().validators, env.Now()),
              Errc::kWrongChain, "of chain 'hk'");
}

TEST_CASE("create rejects invalid params") {
  Env env(core::SuiteId::kEcdsa);
  const SignedHeader& g = env.chain.Genesis();
  const auto create = [&](const ClientParams& p) {
    return LightClient::Create(env.suite, p, g.header, g.validators, env.Now());
  };
  ClientParams p = env.chain.Params();
  p.chain_id = "Bad Chain";
  ExpectError(create(p), Errc::kMalformed, "chain id");
  p = env.chain.Params();
  p.trusting_period = 0ms;
  ExpectError(create(p), Errc::kInvalidArgument, "trusting period");
  p = env.chain.Params();
  p.trusting_period = kMaxDuration + 1ms;
  ExpectError(create(p), Errc::kInvalidArgument, "trusting period");
  p = env.chain.Params();
  p.max_clock_drift = -1ms;
  ExpectError(create(p), Errc::kInvalidArgument, "max clock drift");
  p = env.chain.Params();
  p.suite = static_cast<core::SuiteId>(9);
  ExpectError(create(p), Errc::kInvalidArgument, "unknown suite");
}

TEST_CASE("create rejects a suite other than the one the params name") {
  Env env(core::SuiteId::kEcdsa);
  const SignedHeader& g = env.chain.Genesis();
  ExpectError(LightClient::Create(SuiteFor(core::SuiteId::kSm), env.chain.Params(), g.header,
                                  g.validators, env.Now()),
              Errc::kInvalidArgument, "suite was passed");
}

TEST_CASE("create rejects a checkpoint already older than the trusting period") {
  Env env(core::SuiteId::kEcdsa);
  const SignedHeader& g = env.chain.Genesis();
  const auto params = env.chain.Params(1h);
  CHECK(LightClient::Create(env.suite, params, g.header, g.validators,
                            env.chain.TimeOf(1) + 1h - 1ms));
  ExpectError(
      LightClient::Create(env.suite, params, g.header, g.validators, env.chain.TimeOf(1) + 1h),
      Errc::kExpired, "older than the trusting period");
}

TEST_CASE("create rejects a checkpoint from beyond the allowed clock drift") {
  Env env(core::SuiteId::kEcdsa);
  const SignedHeader& g = env.chain.Genesis();
  const auto params = env.chain.Params(24h, 10s);
  CHECK(LightClient::Create(env.suite, params, g.header, g.validators, env.chain.TimeOf(1) - 10s));
  ExpectError(LightClient::Create(env.suite, params, g.header, g.validators,
                                  env.chain.TimeOf(1) - 10s - 1ms),
              Errc::kBadTimestamp, "beyond now + max clock drift");
}

TEST_CASE("create rejects a proposer index outside the validator set") {
  Env env(core::SuiteId::kEcdsa);
  core::BlockHeader h = env.chain.Genesis().header;
  h.proposer = 4;
  ExpectError(LightClient::Create(env.suite, env.chain.Params(), h, env.chain.Genesis().validators,
                                  env.Now()),
              Errc::kMalformed, "proposer index 4");
}

TEST_CASE("restore rebuilds a client from its persisted encodings") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    for (int i = 0; i < 3; ++i) {
      REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
    }
    const auto state = ClientState::Decode(env.client.client_state().Encode()).value();
    std::vector<ConsensusState> states;
    for (const auto& [height, s] : env.client.consensus_states()) {
      states.push_back(ConsensusState::Decode(s.Encode()).value());
    }
    std::swap(states.front(), states.back());  // any order
    auto restored = LightClient::Restore(env.suite, state, states);
    REQUIRE(restored);
    CHECK(*restored == env.client);
    // The restored client goes on where the original stopped.
    CHECK(restored->Update(env.suite, env.chain.Advance(), env.Now()));
  }
}

TEST_CASE("restore rejects parts that no client could have produced") {
  Env env(core::SuiteId::kEcdsa);
  for (int i = 0; i < 2; ++i) REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
  const ClientState state = env.client.client_state();
  std::vector<ConsensusState> states;
  for (const auto& [height, s] : env.client.consensus_states()) states.push_back(s);

  auto dup = states;
  dup.push_back(states.front());
  ExpectError(LightClient::Restore(env.suite, state, dup), Errc::kDuplicate,
              "two consensus states");

  auto missing = states;
  missing.pop_back();
  ExpectError(LightClient::Restore(env.suite, state, missing), Errc::kMalformed,
              "no consensus state at the latest height");

  auto above = states;
  above.push_back(states.back());
  above.back().height += 1;
  above.back().timestamp += 1s;
  ExpectError(LightClient::Restore(env.suite, state, above), Errc::kMalformed, "above the latest");

  auto backwards = states;
  backwards[1].timestamp = backwards[0].timestamp;
  ExpectError(LightClient::Restore(env.suite, state, backwards), Errc::kMalformed,
              "is not later than");

  ClientState wrong_set = state;
  wrong_set.validators = testing::ToSet(testing::MakeValidators(env.suite, env.rng, 4));
  ExpectError(LightClient::Restore(env.suite, wrong_set, states), Errc::kBadProof,
              "validator set hashes to");

  ExpectError(LightClient::Restore(SuiteFor(core::SuiteId::kSm), state, states),
              Errc::kInvalidArgument, "suite was passed");

  ClientState bad_params = state;
  bad_params.params.trusting_period = 0ms;
  ExpectError(LightClient::Restore(env.suite, bad_params, states), Errc::kInvalidArgument,
              "trusting period");
}
