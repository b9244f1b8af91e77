// SPDX-License-Identifier: Apache-2.0
//
// Mutation tests: every single-byte change of a valid (key, message, signature) must be
// rejected, on every suite and SM2 backend.
#include <doctest/doctest.h>

#include "crypto_test_util.h"
#include "test_random.h"

namespace baylink::crypto::testing {
namespace mutation_test {
namespace {

struct Valid {
  core::PublicKey key;
  core::Bytes message;
  core::Bytes signature;
};

Valid MakeValid(const core::CryptoSuite& suite, TestRandom& rng) {
  Valid v;
  const core::KeyPair kp = suite.GenerateKey(rng);
  v.key = kp.public_key;
  v.message.resize(48);
  rng.Fill(v.message);
  auto sig = suite.Sign(kp.secret, v.message);
  REQUIRE(sig.has_value());
  v.signature = *sig;
  REQUIRE(suite.Verify(v.key, v.message, v.signature).has_value());
  return v;
}

// Two flips per position: the lowest bit, and all bits.
constexpr std::uint8_t kFlips[] = {0x01, 0xff};

TEST_CASE("verify rejects every single-byte change of the signature") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const Valid v = MakeValid(*s.suite, rng);
    for (std::size_t i = 0; i < v.signature.size(); ++i) {
      for (std::uint8_t flip : kFlips) {
        CAPTURE(i);
        CAPTURE(int(flip));
        core::Bytes sig = v.signature;
        sig[i] ^= flip;
        const core::Status st = s.suite->Verify(v.key, v.message, sig);
        REQUIRE_FALSE(st.has_value());
        CHECK(st.error().code == core::Errc::kBadSignature);
      }
    }
  }
}

TEST_CASE("verify rejects every single-byte change of the public key") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const Valid v = MakeValid(*s.suite, rng);
    for (std::size_t i = 0; i < v.key.size(); ++i) {
      for (std::uint8_t flip : kFlips) {
        CAPTURE(i);
        CAPTURE(int(flip));
        core::PublicKey key = v.key;
        key.bytes[i] ^= flip;
        const core::Status st = s.suite->Verify(key, v.message, v.signature);
        REQUIRE_FALSE(st.has_value());
        // Almost every change leaves the curve; the rest is a valid key that did not sign.
        CHECK((st.error().code == core::Errc::kBadPublicKey ||
               st.error().code == core::Errc::kBadSignature));
      }
    }
  }
}

TEST_CASE("verify rejects every single-byte change of the message") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const Valid v = MakeValid(*s.suite, rng);
    for (std::size_t i = 0; i < v.message.size(); ++i) {
      for (std::uint8_t flip : kFlips) {
        CAPTURE(i);
        core::Bytes message = v.message;
        message[i] ^= flip;
        const core::Status st = s.suite->Verify(v.key, message, v.signature);
        REQUIRE_FALSE(st.has_value());
        CHECK(st.error().code == core::Errc::kBadSignature);
      }
    }
    // Length changes too: one byte appended or removed.
    core::Bytes longer = v.message;
    longer.push_back(0);
    CHECK_FALSE(s.suite->Verify(v.key, longer, v.signature).has_value());
    const core::Bytes shorter(v.message.begin(), v.message.end() - 1);
    CHECK_FALSE(s.suite->Verify(v.key, shorter, v.signature).has_value());
  }
}

TEST_CASE("ecdsa recover never returns the signer's key for a changed signature") {
  TestRandom rng(Seed());
  const Valid v = MakeValid(Ecdsa(), rng);
  for (std::size_t i = 0; i < v.signature.size(); ++i) {
    CAPTURE(i);
    core::Bytes sig = v.signature;
    sig[i] ^= 0x01;
    auto rec = Ecdsa().Recover(v.message, sig);
    if (rec.has_value()) CHECK(*rec != v.key);
  }
}

}  // namespace
}  // namespace mutation_test
}  // namespace baylink::crypto::testing
