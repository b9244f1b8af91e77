// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/codec.h"
#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

namespace state_test {
namespace {

// A pair of conflicting signed headers and the evidence they make, for the codec tests.
Evidence SampleEvidence(Env& env) {
  env.chain.Advance();
  Evidence e;
  e.chain_id = env.chain.chain_id();
  e.height = 2;
  e.kind = MisbehaviourKind::kConflictingHeaders;
  e.first = env.chain.At(2);
  e.second = env.chain.Fork(2, RandomHash(env.rng));
  e.trusted = env.client.latest_consensus_state();
  e.detected_at = HeaderTime(env.chain.At(2).header) + 5s;
  return e;
}

// Every single-byte flip of `encoded` is refused by Decode or decodes to another value that
// re-encodes to exactly the flipped bytes: no two encodings share a value.
template <class T>
void ExpectFlipsRejectedOrCanonical(const core::Bytes& encoded) {
  const T original = T::Decode(encoded).value();
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    core::Bytes mutated = encoded;
    mutated[i] ^= 0x01;
    auto decoded = T::Decode(mutated);
    if (decoded) {
      CHECK_MESSAGE(!(*decoded == original), "flip at byte " << i);
      CHECK_MESSAGE(decoded->Encode() == mutated, "flip at byte " << i);
    }
  }
}

}  // namespace

TEST_CASE("trust threshold accepts one third up to one, exclusive, and keeps values reduced") {
  CHECK(TrustThreshold() == TrustThreshold::Create(1, 3).value());
  CHECK(TrustThreshold::Create(2, 6).value() == TrustThreshold::Create(1, 3).value());
  CHECK(TrustThreshold::Create(2, 3).value().ToString() == "2/3");
  CHECK(TrustThreshold::Create(99, 100));
  const std::uint64_t big = UINT64_MAX;
  CHECK(TrustThreshold::Create(big - 1, big));
  CHECK(TrustThreshold::Create(big / 3 + 1, big));
}

TEST_CASE("trust threshold rejects a zero denominator and values below one third or from one up") {
  ExpectError(TrustThreshold::Create(1, 0), Errc::kInvalidArgument, "zero denominator");
  ExpectError(TrustThreshold::Create(1, 4), Errc::kInvalidArgument, "outside [1/3, 1)");
  ExpectError(TrustThreshold::Create(0, 1), Errc::kInvalidArgument, "outside [1/3, 1)");
  ExpectError(TrustThreshold::Create(3, 3), Errc::kInvalidArgument, "outside [1/3, 1)");
  ExpectError(TrustThreshold::Create(4, 3), Errc::kInvalidArgument, "outside [1/3, 1)");
  // UINT64_MAX is a multiple of 3: one less than a third of it is just below 1/3.
  CHECK(TrustThreshold::Create(UINT64_MAX / 3, UINT64_MAX).value() == TrustThreshold());
  ExpectError(TrustThreshold::Create(UINT64_MAX / 3 - 1, UINT64_MAX), Errc::kInvalidArgument,
              "outside");
}

TEST_CASE("trust threshold comparisons are exact up to the largest total power") {
  const TrustThreshold third;
  CHECK_FALSE(third.IsExceededBy(1, 3));
  CHECK(third.IsExceededBy(2, 4));
  CHECK_FALSE(third.IsExceededBy(4, 12));
  CHECK(third.IsExceededBy(5, 12));
  CHECK(third.MaxInsufficient(12) == 4);
  CHECK(third.MaxInsufficient(13) == 4);
  const std::uint64_t total = core::kMaxTotalPower;  // 2^60 = 3k + 1
  CHECK(third.MaxInsufficient(total) == total / 3);
  CHECK_FALSE(third.IsExceededBy(total / 3, total));
  CHECK(third.IsExceededBy(total / 3 + 1, total));
  const TrustThreshold near_one = TrustThreshold::Create(UINT64_MAX - 1, UINT64_MAX).value();
  CHECK_FALSE(near_one.IsExceededBy(total - 1, total));
  CHECK(near_one.IsExceededBy(total, total));
}

TEST_CASE("state types round-trip through the canonical codec") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    ClientParams params = env.chain.Params(36h, 3s);
    params.trust_threshold = TrustThreshold::Create(1, 2).value();
    core::Writer w;
    params.Encode(w);
    core::Reader r(w.bytes());
    CHECK(ClientParams::Decode(r).value() == params);

    ClientState state = env.client.client_state();
    CHECK(ClientState::Decode(state.Encode()).value() == state);
    state.frozen_height = 7;
    CHECK(ClientState::Decode(state.Encode()).value() == state);

    const ConsensusState& cs = env.client.latest_consensus_state();
    CHECK(ConsensusState::Decode(cs.Encode()).value() == cs);

    const SignedHeader& sh = env.chain.Genesis();
    CHECK(SignedHeader::Decode(sh.Encode()).value() == sh);

    Evidence e = SampleEvidence(env);
    CHECK(Evidence::Decode(e.Encode()).value() == e);
    e.second.reset();
    e.trusted.reset();
    e.kind = MisbehaviourKind::kConflictsWithTrusted;
    CHECK(Evidence::Decode(e.Encode()).value() == e);

    Misbehaviour m{env.chain.At(2), env.chain.Fork(2, RandomHash(env.rng)), 1,
                   env.chain.Genesis().validators};
    CHECK(Misbehaviour::Decode(m.Encode()).value() == m);
    m.second.reset();
    CHECK(Misbehaviour::Decode(m.Encode()).value() == m);
  }
}

TEST_CASE("state decoding rejects non-canonical and out-of-range values") {
  Env env(core::SuiteId::kEcdsa);
  const auto params_with = [&](std::uint64_t num, std::uint64_t den, std::uint64_t period,
                               std::uint64_t drift, std::uint8_t suite) {
    core::Writer w;
    w.Text("hk").U8(suite).U64(num).U64(den).U64(period).U64(drift);
    return std::move(w).Take();
  };
  const auto decode_params = [](const core::Bytes& b) {
    core::Reader r(b);
    return ClientParams::Decode(r);
  };
  CHECK(decode_params(params_with(1, 3, 1000, 0, 2)));
  ExpectError(decode_params(params_with(2, 6, 1000, 0, 2)), Errc::kNonCanonical,
              "canonical form is 1/3");
  ExpectError(decode_params(params_with(1, 4, 1000, 0, 2)), Errc::kInvalidArgument, "outside");
  ExpectError(decode_params(params_with(1, 3, 0, 0, 2)), Errc::kInvalidArgument, "trusting period");
  ExpectError(decode_params(params_with(1, 3, (1ULL << 53) + 1, 0, 2)), Errc::kInvalidArgument,
              "trusting_period_ms");
  ExpectError(decode_params(params_with(1, 3, 1000, 1ULL << 63, 2)), Errc::kInvalidArgument,
              "max_clock_drift_ms");
  ExpectError(decode_params(params_with(1, 3, 1000, 0, 0)), Errc::kInvalidArgument,
              "unknown suite");

  // Versions, timestamps, presence bytes, trailing bytes.
  core::Bytes cs = env.client.latest_consensus_state().Encode();
  cs[0] = 2;
  ExpectError(ConsensusState::Decode(cs), Errc::kUnsupported, "version");
  cs = env.client.latest_consensus_state().Encode();
  for (int i = 0; i < 8; ++i) cs[9 + i] = 0xff;  // timestamp_ms follows version and height
  ExpectError(ConsensusState::Decode(cs), Errc::kOversized, "timestamp_ms");
  cs = env.client.latest_consensus_state().Encode();
  cs.push_back(0);
  ExpectError(ConsensusState::Decode(cs), Errc::kTrailingBytes, "");

  ClientState state = env.client.client_state();
  core::Bytes encoded = state.Encode();
  // The frozen presence byte sits right after version, params and latest height.
  core::Writer prefix;
  prefix.U8(kStateEncodingVersion);
  state.params.Encode(prefix);
  prefix.U64(state.latest_height);
  encoded[prefix.bytes().size()] = 2;
  ExpectError(ClientState::Decode(encoded), Errc::kNonCanonical, "frozen_height");

  Evidence e = SampleEvidence(env);
  core::Bytes ev = e.Encode();
  ev[1 + 4 + 2 + 8] = 3;  // kind: after version, chain id "hk" and height
  ExpectError(Evidence::Decode(ev), Errc::kNonCanonical, "kind");
}

TEST_CASE("every byte flip of an encoded state is refused or makes another canonical value") {
  Env env(core::SuiteId::kSm);
  REQUIRE(env.client.Update(env.suite, env.chain.Advance(), env.Now()));
  ExpectFlipsRejectedOrCanonical<ClientState>(env.client.client_state().Encode());
  ExpectFlipsRejectedOrCanonical<ConsensusState>(env.client.latest_consensus_state().Encode());
  ExpectFlipsRejectedOrCanonical<Evidence>(SampleEvidence(env).Encode());
}

}  // namespace state_test
