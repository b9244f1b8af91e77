// SPDX-License-Identifier: Apache-2.0
//
// Mutation tests: one flipped bit anywhere in what a relayer sends (header, certificate,
// validator set, proof, proven data) and the light client must refuse it, by a decode error
// or by a verification error. Nothing may pass.
#include <doctest/doctest.h>

#include <functional>

#include "baylink/core/codec.h"
#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

namespace mutation_test {
namespace {

constexpr std::uint8_t kMasks[] = {0x01, 0x80};

// Flips each bit of kMasks in each byte of `encoded` outside `[skip_begin, skip_end)`;
// `accepted(mutated)` says whether the mutated bytes got through decoding and verification.
// Returns how many did (must be none).
std::size_t CountAccepted(const core::Bytes& encoded,
                          const std::function<bool(const core::Bytes&)>& accepted,
                          std::string_view what, std::size_t skip_begin = 0,
                          std::size_t skip_end = 0) {
  std::size_t passed = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (i >= skip_begin && i < skip_end) continue;
    for (std::uint8_t mask : kMasks) {
      core::Bytes mutated = encoded;
      mutated[i] ^= mask;
      if (accepted(mutated)) {
        ++passed;
        FAIL_CHECK(what << ": flip of mask " << int(mask) << " at byte " << i << " accepted");
      }
    }
  }
  return passed;
}

template <class T>
core::Result<T> DecodeAll(const core::Bytes& bytes) {
  core::Reader r(bytes);
  auto value = T::Decode(r);
  if (!value) return value;
  if (auto done = r.Finish(); !done) return std::move(done).error();
  return value;
}

}  // namespace

TEST_CASE("flipping any bit of an encoded header, certificate or validator set fails the update") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const SignedHeader next = env.chain.Advance();
    REQUIRE(env.client.VerifyUpdate(env.suite, next, env.Now()));
    const auto now = env.Now();

    CHECK(CountAccepted(
              next.header.Encode(),
              [&](const core::Bytes& b) {
                auto header = core::BlockHeader::Decode(b);
                if (!header) return false;
                SignedHeader sh = next;
                sh.header = *header;
                return env.client.VerifyUpdate(env.suite, sh, now).has_value();
              },
              "header") == 0);

    CHECK(CountAccepted(
              next.certificate.Encode(),
              [&](const core::Bytes& b) {
                auto certificate = core::CommitCertificate::Decode(b);
                if (!certificate) return false;
                SignedHeader sh = next;
                sh.certificate = *certificate;
                return env.client.VerifyUpdate(env.suite, sh, now).has_value();
              },
              "certificate") == 0);

    CHECK(CountAccepted(
              next.validators.Encode(),
              [&](const core::Bytes& b) {
                auto validators = core::ValidatorSet::Decode(b);
                if (!validators) return false;
                SignedHeader sh = next;
                sh.validators = *validators;
                return env.client.VerifyUpdate(env.suite, sh, now).has_value();
              },
              "validator set") == 0);
  }
}

TEST_CASE("flipping any bit of an encoded proof or of the proven data fails the verification") {
  for (core::SuiteId id : kSuites) {
    Env env(id);
    const BlockData data = MakeBlockData(env.suite, env.rng, 6, 64);
    REQUIRE(env.client.Update(env.suite, env.chain.Advance(data.AsBlock()), env.Now()));
    LightClient& client = env.client;

    const core::merkle::InclusionProof receipt_proof = data.ReceiptProof(env.suite, 3);
    const core::Receipt& receipt = data.receipts[3];
    REQUIRE(client.VerifyReceipt(env.suite, 2, receipt, receipt_proof));
    core::Writer rp;
    receipt_proof.Encode(rp);
    const auto receipt_proof_accepted = [&](const core::Bytes& b) {
      auto proof = DecodeAll<core::merkle::InclusionProof>(b);
      return proof && client.VerifyReceipt(env.suite, 2, receipt, *proof).has_value();
    };
    // Every byte, index and leaf_count included: the root commits to the leaf count
    // (core/merkle.h), so neither the position nor the count can be changed.
    CHECK(CountAccepted(rp.bytes(), receipt_proof_accepted, "receipt proof") == 0);
    CHECK(CountAccepted(
              receipt.Encode(),
              [&](const core::Bytes& b) {
                auto mutated = core::Receipt::Decode(b);
                return mutated &&
                       client.VerifyReceipt(env.suite, 2, *mutated, receipt_proof).has_value();
              },
              "receipt") == 0);

    const core::merkle::InclusionProof tx_proof = data.TxProof(env.suite, 5);
    const core::Transaction& tx = data.transactions[5];
    REQUIRE(client.VerifyTransaction(env.suite, 2, tx, tx_proof));
    CHECK(CountAccepted(
              tx.Encode(),
              [&](const core::Bytes& b) {
                auto mutated = core::Transaction::Decode(b);
                return mutated &&
                       client.VerifyTransaction(env.suite, 2, *mutated, tx_proof).has_value();
              },
              "transaction") == 0);

    const auto& [key, value] = data.state[17];
    const core::smt::Proof presence = data.StateProof(env.suite, key);
    REQUIRE(client.VerifyStatePresence(env.suite, 2, key, value, presence));
    core::Writer pp;
    presence.Encode(pp);
    CHECK(CountAccepted(
              pp.bytes(),
              [&](const core::Bytes& b) {
                auto proof = DecodeAll<core::smt::Proof>(b);
                return proof &&
                       client.VerifyStatePresence(env.suite, 2, key, value, *proof).has_value();
              },
              "state presence proof") == 0);
    CHECK(CountAccepted(
              value,
              [&](const core::Bytes& b) {
                return client.VerifyStatePresence(env.suite, 2, key, b, presence).has_value();
              },
              "state value") == 0);
    CHECK(CountAccepted(
              core::Bytes(key.bytes.begin(), key.bytes.end()),
              [&](const core::Bytes& b) {
                const core::Hash32 other = core::Hash32::FromView(b).value();
                return client.VerifyStatePresence(env.suite, 2, other, value, presence).has_value();
              },
              "state key") == 0);

    const core::Hash32 absent = RandomHash(env.rng);
    const core::smt::Proof absence = data.StateProof(env.suite, absent);
    REQUIRE(client.VerifyStateAbsence(env.suite, 2, absent, absence));
    core::Writer ap;
    absence.Encode(ap);
    CHECK(CountAccepted(
              ap.bytes(),
              [&](const core::Bytes& b) {
                auto proof = DecodeAll<core::smt::Proof>(b);
                return proof && client.VerifyStateAbsence(env.suite, 2, absent, *proof).has_value();
              },
              "state absence proof") == 0);
  }
}

}  // namespace mutation_test
