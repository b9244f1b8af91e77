// SPDX-License-Identifier: Apache-2.0
//
// Update: every check of LightClient::VerifyUpdate, accepted and rejected, in both suites
// where the check touches the suite (hashes, signatures). The crafted attacks of the design
// have their own file (attack_test.cpp).
#include <doctest/doctest.h>

#include <atomic>
#include <vector>

#include "baylink/lightclient/testing/thread_parallel_for.h"
#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

namespace update_test {
namespace {

LightClient ClientWith(const Env& env, const ClientParams& params) {
  const SignedHeader& g = env.chain.Genesis();
  return LightClient::Create(env.suite, params, g.header, g.validators,
                             env.chain.TimeOf(env.chain.first_height()))
      .value();
}

// `header` re-signed by all validators of the chain at `set_height`.
SignedHeader Resign(const Env& env, const core::BlockHeader& header, std::uint64_t set_height) {
  return env.chain.Sign(header, env.chain.ValidatorsAt(set_height));
}

}  // namespace

TEST_CASE("update accepts an adjacent header signed by the set the trusted header named") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const SignedHeader& next = env.chain.Advance();
    auto change = env.client.Update(env.suite, next, env.Now());
    REQUIRE(change);
    CHECK(change->adjacent);
    CHECK(change->base_height == 1);
    CHECK(change->tally.signed_power == 40);
    CHECK(change->tally.total_power == 40);
    CHECK(change->tally.signatures_verified == 4);
    CHECK(env.client.latest_height() == 2);
    CHECK(env.client.latest_consensus_state().header_hash == next.header.Hash(env.suite));
    CHECK(env.client.latest_consensus_state().tx_root == next.header.tx_root);
    CHECK(env.client.client_state() == change->client_state);
  }
}

TEST_CASE("update accepts a header that skips heights when the trusted set signed it") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    for (int i = 0; i < 5; ++i) env.chain.Advance();
    auto change = env.client.Update(env.suite, env.chain.At(6), env.Now());
    REQUIRE(change);
    CHECK_FALSE(change->adjacent);
    CHECK(change->tally.trusted_signed_power == 40);
    CHECK(change->tally.trusted_total_power == 40);
    CHECK(env.client.latest_height() == 6);
    CHECK(env.client.consensus_states().size() == 2);
  }
}

TEST_CASE("update follows a rotation announced by next_validators_hash") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    env.chain.ReplaceAll({5, 7, 11, 13, 17});  // named by header 2, signs header 3
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
    CHECK(env.client.validators().size() == 5);
    CHECK(env.client.validators().TotalPower() == 53);
    // Reweight and add, then remove, adjacent all the way.
    env.chain.Reweight(0, 40);
    env.chain.AddValidator(3);
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
    env.chain.RemoveValidator(1);
    for (int i = 0; i < 3; ++i) {
      REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
    }
    CHECK(env.client.validators() == testing::ToSet(env.chain.ValidatorsAt(7)));
  }
}

TEST_CASE("update rejects a header signed by less than two thirds of the power") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const std::size_t two[] = {0, 2};
    const SignedHeader weak = testing::WithSignatures(env.chain.Advance(), two);
    ExpectError(env.client.VerifyUpdate(env.suite, weak, env.Now()), Errc::kInsufficientPower,
                "signers hold 20 of 40 voting power; more than 26 needed");
  }
}

TEST_CASE("update needs strictly more than two thirds: exactly two thirds is rejected") {
  core::SuiteId id = core::SuiteId::kEcdsa;
  Env env(id, 3);  // 3 x power 10
  const std::size_t two[] = {0, 1};
  const SignedHeader& next = env.chain.Advance();
  ExpectError(env.client.VerifyUpdate(env.suite, testing::WithSignatures(next, two), env.Now()),
              Errc::kInsufficientPower, "signers hold 20 of 30 voting power; more than 20 needed");
  CHECK(env.client.VerifyUpdate(env.suite, next, env.Now()));

  Env four(id, 4);
  const std::size_t three[] = {0, 1, 3};
  CHECK(four.client.VerifyUpdate(four.suite, testing::WithSignatures(four.chain.Advance(), three),
                                 four.Now()));
}

TEST_CASE("update rejects a skip whose signers hold too little of the trusted set's power") {
  for (core::SuiteId id : kSuites) {
    // Three validators of power 10; the set signing height 3 keeps `kept` of them.
    for (std::size_t kept : {1u, 2u}) {
      Env env(id, 3, kept);
      for (std::size_t i = 3; i-- > kept;) env.chain.RemoveValidator(i);
      for (int i = 0; i < 3; ++i) env.chain.AddValidator(10);
      env.chain.Advance();
      const SignedHeader& target = env.chain.Advance();  // height 3, new set
      auto result = env.client.VerifyUpdate(env.suite, target, env.Now());
      if (kept == 1) {
        ExpectError(result, Errc::kInsufficientTrust,
                    "signers hold 10 of 30 voting power of the trusted validator set (trust "
                    "threshold 1/3); more than 10 needed");
      } else {
        CHECK(result);
      }
    }
  }
}

TEST_CASE("update honours a stricter trust threshold") {
  Env env(core::SuiteId::kEcdsa);
  ClientParams params = env.chain.Params();
  params.trust_threshold = TrustThreshold::Create(2, 3).value();
  LightClient client = ClientWith(env, params);
  env.chain.RemoveValidator(3);
  env.chain.RemoveValidator(2);
  env.chain.AddValidator(10);
  env.chain.AddValidator(10);
  env.chain.Advance();
  const SignedHeader& target = env.chain.Advance();  // 2 of the 4 trusted validators signed
  ExpectError(client.VerifyUpdate(env.suite, target, env.Now()), Errc::kInsufficientTrust,
              "signers hold 20 of 40 voting power of the trusted validator set (trust threshold "
              "2/3); more than 26 needed");
  CHECK(env.client.VerifyUpdate(env.suite, target, env.Now()));  // 1/3 passes
}

TEST_CASE("update rejects a header once the trusted state has left the trusting period") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    LightClient client = ClientWith(env, env.chain.Params(1h));
    const SignedHeader& next = env.chain.Advance();
    const auto genesis_time = env.chain.TimeOf(1);
    CHECK(client.VerifyUpdate(env.suite, next, genesis_time + 1h - 1ms));
    ExpectError(client.VerifyUpdate(env.suite, next, genesis_time + 1h), Errc::kExpired,
                "older than the trusting period of 3600000 ms");
  }
}

TEST_CASE("update reports a header it already trusts as a duplicate") {
  Env env(core::SuiteId::kSm);
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
  ExpectError(env.client.VerifyUpdate(env.suite, env.chain.At(2), env.Now()), Errc::kDuplicate,
              "already trusted");
}

TEST_CASE("update rejects a header at or below the latest trusted height") {
  Env env(core::SuiteId::kEcdsa);
  env.chain.Advance();
  env.chain.Advance();
  REQUIRE(env.client.Update(env.suite, env.chain.At(3), env.Now()));
  ExpectError(env.client.VerifyUpdate(env.suite, env.chain.At(2), env.Now()),
              Errc::kStale, "is not above the latest trusted height 3");
  ExpectError(env.client.VerifyUpdate(env.suite, env.chain.Fork(3, RandomHash(env.rng)), env.Now()),
              Errc::kConflict, "submit both as misbehaviour");
}

TEST_CASE("update rejects a header whose time is not after the trusted header's") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    core::BlockHeader h = env.chain.Advance().header;
    h.timestamp_ms = env.chain.Genesis().header.timestamp_ms;
    ExpectError(env.client.VerifyUpdate(env.suite, Resign(env, h, 2), env.Now()),
                Errc::kBadTimestamp, "is not after the trusted header's");
  }
}

TEST_CASE("update accepts a header up to the allowed clock drift ahead and no further") {
  Env env(core::SuiteId::kEcdsa);
  const SignedHeader& next = env.chain.Advance();
  const auto header_time = env.chain.TimeOf(2);
  CHECK(env.client.VerifyUpdate(env.suite, next, header_time - 10s));
  ExpectError(env.client.VerifyUpdate(env.suite, next, header_time - 10s - 1ms),
              Errc::kBadTimestamp, "is in the future");
}

TEST_CASE("update rejects a certificate for another height or another header") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    env.chain.Advance();
    env.chain.Advance();
    SignedHeader mixed = env.chain.At(2);
    mixed.certificate = env.chain.At(3).certificate;
    ExpectError(env.client.VerifyUpdate(env.suite, mixed, env.Now()), Errc::kInvalidArgument,
                "certificate is for height 3, the header is at height 2");
    mixed.certificate = env.chain.Fork(2, RandomHash(env.rng)).certificate;
    ExpectError(env.client.VerifyUpdate(env.suite, mixed, env.Now()), Errc::kInvalidArgument,
                "certificate commits to header");
  }
}

TEST_CASE("update rejects a proposer outside the validator set") {
  Env env(core::SuiteId::kEcdsa);
  core::BlockHeader h = env.chain.Advance().header;
  h.proposer = 4;
  ExpectError(env.client.VerifyUpdate(env.suite, Resign(env, h, 2), env.Now()), Errc::kMalformed,
              "proposer index 4 is outside the validator set of 4");
}

TEST_CASE("update rejects an adjacent header signed by a set the trusted header did not name") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    core::BlockHeader h = env.chain.Advance().header;
    const TestValidators others = testing::MakeValidators(env.suite, env.rng, 4);
    h.validators_hash = testing::ToSet(others).Hash(env.suite);
    ExpectError(env.client.VerifyUpdate(env.suite, env.chain.Sign(h, others), env.Now()),
                Errc::kBadProof, "but the trusted header named");
  }
}

TEST_CASE("update rejects an adjacent header whose parent is not the trusted header") {
  Env env(core::SuiteId::kSm);
  core::BlockHeader h = env.chain.Advance().header;
  h.parent_hash = RandomHash(env.rng);
  ExpectError(env.client.VerifyUpdate(env.suite, Resign(env, h, 2), env.Now()), Errc::kBadProof,
              "names parent");
}

TEST_CASE("update rejects a signature of the wrong size") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    SignedHeader next = env.chain.Advance();
    next.certificate.signatures[1].signature.pop_back();
    ExpectError(env.client.VerifyUpdate(env.suite, next, env.Now()), Errc::kBadSignature,
                "signature of validator 1 is");
  }
}

TEST_CASE("update rejects a certificate with a signature that does not verify") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const SignedHeader bad = testing::WithCorruptSignature(env.chain.Advance(), 2);
    ExpectError(env.client.VerifyUpdate(env.suite, bad, env.Now()), Errc::kBadSignature,
                "signature of validator 2");
  }
}

TEST_CASE("update rejects a signature by a validator whose key is not a curve point") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    env.chain.Advance();
    // A skipping header (so any set may sign it) whose set adds a key off the curve, with a
    // signature naming it. The other four are the trusted validators.
    core::BlockHeader h = env.chain.Advance().header;
    std::vector<core::Validator> entries = env.client.validators().validators();
    core::PublicKey off_curve;
    off_curve.bytes.fill(0x01);
    entries.push_back({off_curve, 1});
    const core::ValidatorSet set = core::ValidatorSet::Create(entries).value();
    h.validators_hash = set.Hash(env.suite);
    SignedHeader sh = env.chain.Sign(h, env.chain.ValidatorsAt(3));
    sh.validators = set;
    sh.certificate.signatures.push_back(
        core::CommitSignature{4, sh.certificate.signatures.front().signature});
    ExpectError(env.client.VerifyUpdate(env.suite, sh, env.Now()), Errc::kBadPublicKey,
                "signature of validator 4");
  }
}

TEST_CASE("update rejects votes cast for another round or another chain") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    SignedHeader next = env.chain.Advance();
    SignedHeader other_round = next;
    other_round.certificate.round = 1;  // the votes were cast in round 0
    ExpectError(env.client.VerifyUpdate(env.suite, other_round, env.Now()), Errc::kBadSignature,
                "does not verify");

    // The same validators' votes for the same header hash, but on chain "gd".
    const core::Hash32 digest =
        core::CommitVoteDigest(env.suite, "gd", 2, 0, next.certificate.header_hash);
    for (core::CommitSignature& s : next.certificate.signatures) {
      s.signature =
          env.suite.Sign(env.chain.ValidatorsAt(2)[s.validator_index].key.secret, digest.view())
              .value();
    }
    ExpectError(env.client.VerifyUpdate(env.suite, next, env.Now()), Errc::kBadSignature,
                "does not verify");
  }
}

TEST_CASE("update rejects a suite other than the client's before anything else") {
  Env env(core::SuiteId::kEcdsa);
  ExpectError(env.client.VerifyUpdate(SuiteFor(core::SuiteId::kSm), env.chain.Advance(), env.Now()),
              Errc::kInvalidArgument, "uses the ecdsa suite, but the sm suite was passed");
}

TEST_CASE("a rejected update leaves the client unchanged") {
  Env env(core::SuiteId::kEcdsa);
  const LightClient before = env.client;
  const SignedHeader& next = env.chain.Advance();
  CHECK_FALSE(env.client.Update(env.suite, testing::WithCorruptSignature(next, 0), env.Now()));
  CHECK_FALSE(env.client.Update(env.suite, next, env.Now() + std::chrono::hours(24 * 30)));
  CHECK(env.client == before);
  CHECK(env.client.Update(env.suite, next, env.Now()));
  CHECK_FALSE(env.client == before);
}

TEST_CASE("update reports the first failing check in the documented order") {
  Env env(core::SuiteId::kSm);
  LightClient client = ClientWith(env, env.chain.Params(1h));
  env.chain.Advance();
  const SignedHeader& next = env.chain.Advance();  // height 3: a skip
  const auto now = env.Now();
  const auto expired = env.chain.TimeOf(1) + 2h;

  // Chain id before expiry.
  core::BlockHeader other_chain = next.header;
  other_chain.chain_id = "gd";
  ExpectError(client.VerifyUpdate(env.suite, Resign(env, other_chain, 3), expired),
              Errc::kWrongChain, "of chain 'gd'");
  // Expiry before the height.
  ExpectError(client.VerifyUpdate(env.suite, env.chain.Genesis(), expired), Errc::kExpired, "");
  // Time before the certificate binding.
  core::BlockHeader future = next.header;
  future.timestamp_ms += 3'600'000;
  SignedHeader future_unbound = next;
  future_unbound.header = future;
  ExpectError(client.VerifyUpdate(env.suite, future_unbound, now), Errc::kBadTimestamp,
              "in the future");
  // Binding before the validator set.
  SignedHeader unbound_bad_set = next;
  unbound_bad_set.certificate.height = 9;
  unbound_bad_set.validators = testing::ToSet(testing::MakeValidators(env.suite, env.rng, 4));
  ExpectError(client.VerifyUpdate(env.suite, unbound_bad_set, now), Errc::kInvalidArgument,
              "certificate is for height 9");
  // Claimed power before any signature: two corrupt signatures out of four.
  const std::size_t two[] = {0, 1};
  const SignedHeader weak_and_corrupt =
      testing::WithCorruptSignature(testing::WithSignatures(next, two), 0);
  ExpectError(client.VerifyUpdate(env.suite, weak_and_corrupt, now), Errc::kInsufficientPower,
              "signers hold 20 of 40");
  // And the lowest failing signature is the one reported.
  const SignedHeader two_corrupt =
      testing::WithCorruptSignature(testing::WithCorruptSignature(next, 3), 1);
  ExpectError(client.VerifyUpdate(env.suite, two_corrupt, now), Errc::kBadSignature,
              "signature of validator 1");
}

TEST_CASE("update verifies signatures on several threads with the same outcome") {
  const testing::ThreadParallelFor pool(4);
  for (core::SuiteId id : kSuites) {
    Env env(id, 7);
    const SignedHeader& next = env.chain.Advance();
    VerifyOptions options;
    options.parallel = &pool;
    auto serial = env.client.VerifyUpdate(env.suite, next, env.Now());
    auto parallel = env.client.VerifyUpdate(env.suite, next, env.Now(), options);
    REQUIRE(serial);
    REQUIRE(parallel);
    CHECK(parallel->tally.signatures_verified == 7);
    CHECK(parallel->consensus_state == serial->consensus_state);

    const SignedHeader bad =
        testing::WithCorruptSignature(testing::WithCorruptSignature(next, 5), 2);
    auto serial_error = env.client.VerifyUpdate(env.suite, bad, env.Now());
    auto parallel_error = env.client.VerifyUpdate(env.suite, bad, env.Now(), options);
    REQUIRE_FALSE(serial_error);
    REQUIRE_FALSE(parallel_error);
    CHECK(parallel_error.error().code == serial_error.error().code);
    CHECK(parallel_error.error().detail == serial_error.error().detail);
    CHECK(parallel_error.error().detail.find("validator 2") != std::string::npos);
  }
}

TEST_CASE("thread executor calls every index exactly once") {
  const testing::ThreadParallelFor pool(3);
  for (std::size_t n : {0u, 1u, 2u, 3u, 100u}) {
    std::vector<std::atomic<int>> calls(n);
    pool.Run(n, [&](std::size_t i) { calls[i].fetch_add(1); });
    for (std::size_t i = 0; i < n; ++i) CHECK(calls[i].load() == 1);
  }
}

TEST_CASE("updates prune expired consensus states, a bounded number per call, never the latest") {
  Env env(core::SuiteId::kEcdsa);
  LightClient client = ClientWith(env, env.chain.Params(20s));
  for (int i = 0; i < 7; ++i) {  // heights 2..8, one second apart
    auto change =
        client.Update(env.suite, env.chain.Advance(), env.chain.TimeOf(env.chain.latest_height()));
    REQUIRE(change);
    CHECK(change->pruned_heights.empty());
  }
  for (int i = 0; i < 18; ++i) env.chain.Advance();
  const auto now = env.chain.TimeOf(26);  // 25 s after genesis: heights 1..6 have expired
  auto change = client.Update(env.suite, env.chain.At(26), now);
  REQUIRE(change);
  CHECK(change->pruned_heights == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(client.consensus_state(4) == nullptr);
  CHECK(client.consensus_state(5) != nullptr);

  CHECK(client.ExpiredHeights(now, 0).empty());
  CHECK(client.Prune(now, 100) == std::vector<std::uint64_t>{5, 6});
  CHECK(client.Prune(now, 100).empty());
  const auto much_later = now + std::chrono::hours(24 * 365);
  CHECK(client.Prune(much_later, 100) == std::vector<std::uint64_t>{7, 8});
  CHECK(client.consensus_states().size() == 1);
  CHECK(client.consensus_state(26) != nullptr);
}

}  // namespace update_test
