// SPDX-License-Identifier: Apache-2.0
//
// Follower: skipping verification with bisection against a source that serves a TestChain
// (and can be told to fail or to lie), persisting through a store that can be told to fail.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <vector>

#include "baylink/lightclient/follower.h"
#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

namespace follower_test {
namespace {

// Serves the headers of a TestChain; each knob turns one fault on.
class ChainSource final : public HeaderSource {
 public:
  explicit ChainSource(const TestChain& chain) : m_chain(chain) {}

  core::Result<std::uint64_t> LatestHeight() override {
    if (fail_latest) return core::Fail(*fail_latest, "node unreachable");
    return latest.value_or(m_chain.latest_height());
  }

  core::Result<SignedHeader> SignedHeaderAt(std::uint64_t height) override {
    requested.push_back(height);
    if (fail_headers) return core::Fail(*fail_headers, "node unreachable");
    if (auto it = lies.find(height); it != lies.end()) return it->second;
    if (height < m_chain.first_height() || height > m_chain.latest_height()) {
      return core::Fail(Errc::kNotFound, "no header at that height");
    }
    return m_chain.At(height);
  }

  std::optional<Errc> fail_latest;                // LatestHeight fails with this code
  std::optional<Errc> fail_headers;               // SignedHeaderAt fails with this code
  std::optional<std::uint64_t> latest;            // claimed instead of the chain's
  std::map<std::uint64_t, SignedHeader> lies;     // served instead of the chain's header
  std::vector<std::uint64_t> requested;           // every SignedHeaderAt height, in order

 private:
  const TestChain& m_chain;
};

// Keeps what a real store would persist, and checks that each change is saved while the
// client still stands at the change's base height (saved before applied).
class MemoryStore final : public ClientStore {
 public:
  explicit MemoryStore(const LightClient& client)
      : state(client.client_state()), consensus(client.consensus_states()), m_client(client) {}

  core::Status Save(const UpdateChange& change) override {
    ++attempts;
    if (fail_from && attempts >= *fail_from) return core::Fail(Errc::kStorage, "disk full");
    if (m_client.latest_height() != change.base_height) applied_before_saved = true;
    state = change.client_state;
    consensus[change.consensus_state.height] = change.consensus_state;
    for (std::uint64_t h : change.pruned_heights) consensus.erase(h);
    saved_heights.push_back(change.consensus_state.height);
    adjacent.push_back(change.adjacent);
    return core::Ok();
  }

  // The client a restart would get from what was saved.
  LightClient Restore(const core::CryptoSuite& suite) const {
    std::vector<ConsensusState> states;
    for (const auto& [h, cs] : consensus) states.push_back(cs);
    return LightClient::Restore(suite, state, std::move(states)).value();
  }

  std::optional<int> fail_from;  // the attempt (1-based) from which Save fails
  int attempts = 0;
  bool applied_before_saved = false;
  ClientState state;
  std::map<std::uint64_t, ConsensusState> consensus;
  std::vector<std::uint64_t> saved_heights;
  std::vector<bool> adjacent;

 private:
  const LightClient& m_client;
};

// The parts every follower test starts from: a chain and a client at its genesis, a source
// serving the chain, a store holding the client's state. Tests take them apart with
// `auto& [env, source, store] = rig;`.
struct Rig {
  explicit Rig(core::SuiteId id) : env(id), source(env.chain), store(env.client) {}
  Env env;
  ChainSource source;
  MemoryStore store;
};

// Heights 1-6 signed by the genesis set A, 7-11 by B, 12-16 by C; A, B and C share no key,
// so no header of one set can be trusted from another by skipping.
void RotateTwice(Env& env) {
  while (env.chain.latest_height() < 5) env.chain.Advance();
  env.chain.ReplaceAll({10, 10, 10, 10});  // named by header 6, signs 7 onwards
  while (env.chain.latest_height() < 10) env.chain.Advance();
  env.chain.ReplaceAll({10, 10, 10, 10});  // named by header 11, signs 12 onwards
  while (env.chain.latest_height() < 16) env.chain.Advance();
}

}  // namespace

TEST_CASE("follower follows adjacent headers to the latest height, saving each before applying") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    Follower follower(env.suite, env.client, source, store);
    for (std::uint64_t h = 2; h <= 5; ++h) {
      env.chain.Advance();
      auto report = follower.Step(env.Now());
      REQUIRE(report);
      CHECK(report->start_height == h - 1);
      CHECK(report->trusted_height == h);
      CHECK(report->target_height == h);
      CHECK(report->verifications == 1);
      CHECK(report->updates_applied == 1);
      CHECK_FALSE(report->more_remaining);
    }
    CHECK(env.client.latest_height() == 5);
    CHECK(store.saved_heights == std::vector<std::uint64_t>{2, 3, 4, 5});
    CHECK(store.adjacent == std::vector<bool>{true, true, true, true});
    CHECK_FALSE(store.applied_before_saved);
    CHECK(store.Restore(env.suite) == env.client);
  }
}

TEST_CASE("follower skips many heights in one verification when the validator set is stable") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    for (int i = 0; i < 40; ++i) env.chain.Advance();
    Follower follower(env.suite, env.client, source, store);
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->trusted_height == 41);
    CHECK(report->headers_fetched == 1);
    CHECK(report->verifications == 1);
    CHECK(report->updates_applied == 1);
    CHECK_FALSE(report->more_remaining);
    CHECK(source.requested == std::vector<std::uint64_t>{41});
    CHECK(store.adjacent == std::vector<bool>{false});
    CHECK(env.client.consensus_states().size() == 2);
  }
}

TEST_CASE("follower does not bisect toward a header signed by too little of its own set") {
  // Too little of the header's own set (2 of 4 signers) is not a trust gap that an
  // intermediate header could close: one fetch, one verification, kInsufficientPower.
  Rig rig(core::SuiteId::kEcdsa);
  auto& [env, source, store] = rig;
  for (int i = 0; i < 10; ++i) env.chain.Advance();
  const std::size_t half[] = {0, 1};
  source.lies[11] = testing::WithSignatures(env.chain.At(11), half);
  Follower follower(env.suite, env.client, source, store);
  auto report = follower.Step(env.Now());
  REQUIRE_FALSE(report);
  CHECK(report.error().code == Errc::kInsufficientPower);
  CHECK(source.requested == std::vector<std::uint64_t>{11});
  CHECK(env.client.latest_height() == 1);
}

TEST_CASE("follower bisects across rotations that leave too little overlap and reaches the target") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    RotateTwice(env);
    Follower follower(env.suite, env.client, source, store);
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->trusted_height == 16);
    CHECK_FALSE(report->more_remaining);
    // From 1: 16 and 8 lack overlap, 4 passes; from 4, 8 fails, 6 passes; 7 is adjacent
    // (6 names B), then 8; from 8 (B), 16 and 12 fail, 10 passes, then 11 and 12 adjacent,
    // then 16 skips from 12 (C). Nothing else is fetched or trusted.
    CHECK(store.saved_heights == std::vector<std::uint64_t>{4, 6, 7, 8, 10, 11, 12, 16});
    CHECK(source.requested == std::vector<std::uint64_t>{16, 8, 4, 6, 7, 12, 10, 11});
    CHECK(report->headers_fetched == 8);
    CHECK(report->verifications == 15);
    CHECK(report->updates_applied == 8);
    CHECK_FALSE(store.applied_before_saved);
    CHECK(store.Restore(env.suite) == env.client);
  }
}

TEST_CASE("follower stops at the per-step cap, reports that more remains, and repeated steps finish") {
  Rig rig(core::SuiteId::kEcdsa);
  auto& [env, source, store] = rig;
  RotateTwice(env);
  FollowerOptions options;
  options.max_verifications_per_step = 4;
  Follower follower(env.suite, env.client, source, store, options);
  const std::uint64_t expected[] = {4, 8, 10, 16};
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->verifications <= 4);
    CHECK(report->trusted_height == expected[i]);
    CHECK(report->more_remaining == (i < 3));
  }
  CHECK(env.client.latest_height() == 16);
  CHECK(store.saved_heights == std::vector<std::uint64_t>{4, 6, 7, 8, 10, 11, 12, 16});
}

TEST_CASE("follower with a cap of one verification per step still reaches the target") {
  Rig rig(core::SuiteId::kEcdsa);
  auto& [env, source, store] = rig;
  RotateTwice(env);
  FollowerOptions options;
  options.max_verifications_per_step = 1;
  Follower follower(env.suite, env.client, source, store, options);
  int steps = 0;
  bool more = true;
  while (more && steps < 100) {
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->verifications == 1);
    more = report->more_remaining;
    ++steps;
  }
  CHECK(steps == 15);  // the 15 verifications of one uncapped step, one per step
  CHECK(env.client.latest_height() == 16);
}

TEST_CASE("follower passes on a failing source's error and leaves the client unchanged") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    for (int i = 0; i < 5; ++i) env.chain.Advance();
    Follower follower(env.suite, env.client, source, store);
    const LightClient before = env.client;

    source.fail_latest = Errc::kTimeout;
    ExpectError(follower.Step(env.Now()), Errc::kTimeout, "latest height");
    source.fail_latest.reset();

    source.fail_headers = Errc::kUnavailable;
    ExpectError(follower.Step(env.Now()), Errc::kUnavailable, "header 6");
    source.fail_headers.reset();

    source.latest = 9;  // claims a height it cannot serve
    ExpectError(follower.Step(env.Now()), Errc::kNotFound, "header 9");
    source.latest.reset();

    CHECK(env.client == before);
    CHECK(store.attempts == 0);

    // Once the source recovers, the next step succeeds.
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->trusted_height == 6);
  }
}

TEST_CASE("follower refuses a forged header from a lying source, naming its height") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    for (int i = 0; i < 5; ++i) env.chain.Advance();
    Follower follower(env.suite, env.client, source, store);
    const LightClient before = env.client;

    source.lies[6] = testing::WithCorruptSignature(env.chain.At(6), 1);
    ExpectError(follower.Step(env.Now()), Errc::kBadSignature, "header 6");

    core::BlockHeader forged = env.chain.At(6).header;
    forged.state_root = RandomHash(env.rng);  // signatures no longer match the header
    source.lies[6] = SignedHeader{forged, env.chain.At(6).certificate, env.chain.At(6).validators};
    ExpectError(follower.Step(env.Now()), Errc::kInvalidArgument, "header 6");

    source.lies[6] = env.chain.At(5);  // another height than asked
    ExpectError(follower.Step(env.Now()), Errc::kMalformed, "served header 5");

    CHECK(env.client == before);
    CHECK(store.attempts == 0);
  }
}

TEST_CASE("follower refuses a forged pivot during bisection and keeps only what it verified") {
  Rig rig(core::SuiteId::kEcdsa);
  auto& [env, source, store] = rig;
  RotateTwice(env);
  Follower follower(env.suite, env.client, source, store);
  const LightClient before = env.client;
  source.lies[4] = testing::WithCorruptSignature(env.chain.At(4), 0);
  ExpectError(follower.Step(env.Now()), Errc::kBadSignature, "header 4");
  CHECK(env.client == before);

  // A lie further along: everything verified before it stays trusted (and saved).
  source.lies.clear();
  source.lies[10] = testing::WithCorruptSignature(env.chain.At(10), 0);
  ExpectError(follower.Step(env.Now()), Errc::kBadSignature, "header 10");
  CHECK(env.client.latest_height() == 8);
  CHECK(store.Restore(env.suite) == env.client);
}

TEST_CASE("follower leaves the client unchanged when the store fails to save") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    for (int i = 0; i < 5; ++i) env.chain.Advance();
    Follower follower(env.suite, env.client, source, store);
    const LightClient before = env.client;
    store.fail_from = 1;
    ExpectError(follower.Step(env.Now()), Errc::kStorage, "height 6");
    CHECK(env.client == before);
    CHECK(store.saved_heights.empty());

    store.fail_from.reset();
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->trusted_height == 6);
    CHECK(store.Restore(env.suite) == env.client);
  }
}

TEST_CASE("follower does nothing when the client is already at the source's latest height") {
  for (core::SuiteId id : kSuites) {
    Rig rig(id);
    auto& [env, source, store] = rig;
    Follower follower(env.suite, env.client, source, store);
    const LightClient before = env.client;
    auto report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->start_height == 1);
    CHECK(report->trusted_height == 1);
    CHECK(report->target_height == 1);
    CHECK(report->headers_fetched == 0);
    CHECK(report->verifications == 0);
    CHECK_FALSE(report->more_remaining);
    CHECK(env.client == before);
    CHECK(source.requested.empty());

    // A source lagging behind the client is no error either.
    env.chain.Advance();
    env.chain.Advance();
    REQUIRE(follower.Step(env.Now()));
    source.latest = 2;
    report = follower.Step(env.Now());
    REQUIRE(report);
    CHECK(report->trusted_height == 3);
    CHECK(report->target_height == 2);
    CHECK(report->verifications == 0);
    CHECK(source.requested == std::vector<std::uint64_t>{3});
    CHECK(store.attempts == 1);
  }
}

}  // namespace follower_test
