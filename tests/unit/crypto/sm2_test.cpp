// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "crypto_test_util.h"
#include "test_random.h"

namespace baylink::crypto::testing {
namespace sm2_test {
namespace {

using core::Errc;

// sm2p256v1 group order n, big-endian (GB/T 32918.5 §3.2).
constexpr const char* kSm2OrderHex =
    "0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123";

void CheckError(const core::Status& st, Errc code, const std::string& needle = "") {
  REQUIRE_FALSE(st.has_value());
  CHECK_MESSAGE(st.error().code == code, st.error().Message());
  if (!needle.empty()) {
    CHECK_MESSAGE(st.error().detail.find(needle) != std::string::npos, st.error().Message());
  }
}

TEST_CASE("sm2 verifies the GB/T 32918.5 example signature on every backend") {
  const nlohmann::json doc = LoadVectors("sm2.json");
  REQUIRE(doc["user_id"] == "1234567812345678");
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    for (const auto& v : doc["vectors"]) {
      CAPTURE(v["name"].get<std::string>());
      const auto key = FixedHex<core::PublicKey>(v["public_key"]);
      auto secret = s.suite->ImportSecretKey(Hex(v["secret_key"]));
      REQUIRE(secret.has_value());
      auto derived = s.suite->DerivePublicKey(*secret);
      REQUIRE(derived.has_value());
      CHECK(*derived == key);
      CHECK(s.suite->ValidatePublicKey(key).has_value());
      const core::Bytes message = Hex(v["message_hex"]);
      const core::Bytes sig = Hex(v["signature"]);
      const core::Status st = s.suite->Verify(key, message, sig);
      CHECK_MESSAGE(st.has_value(), (st ? "" : st.error().Message()));
      // The vector's intermediate values: Z_A is SM3 over the fixed prefix and the key.
      const core::Bytes prefix = Hex(
          "0x0080" "31323334353637383132333435363738"
          "fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc"
          "28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93"
          "32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"
          "bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0");
      const core::Hash32 z = s.suite->Hash({core::ByteView(prefix), key.view()});
      CHECK(z.ToHex() == v["z_a"].get<std::string>());
      CHECK(s.suite->Hash({z.view(), core::ByteView(message)}).ToHex() ==
            v["e"].get<std::string>());
    }
  }
}

TEST_CASE("sm2 signatures made by each backend verify on every backend") {
  TestRandom rng(Seed());
  const auto suites = SmSuites();
  for (const NamedSuite& signer : suites) {
    const core::KeyPair kp = signer.suite->GenerateKey(rng);
    core::Bytes message(33);
    rng.Fill(message);
    for (int i = 0; i < 3; ++i) {
      auto sig = signer.suite->Sign(kp.secret, message);
      REQUIRE_MESSAGE(sig.has_value(), sig.error().Message());
      REQUIRE(sig->size() == 64);
      for (const NamedSuite& verifier : suites) {
        CAPTURE(signer.name);
        CAPTURE(verifier.name);
        const core::Status st = verifier.suite->Verify(kp.public_key, message, *sig);
        CHECK_MESSAGE(st.has_value(), (st ? "" : st.error().Message()));
      }
    }
  }
}

TEST_CASE("sm2 derives the same public key on every backend") {
  TestRandom rng(Seed());
  const auto suites = SmSuites();
  for (int i = 0; i < 5; ++i) {
    const core::KeyPair kp = suites[0].suite->GenerateKey(rng);
    for (const NamedSuite& s : suites) {
      CAPTURE(s.name);
      CHECK(*s.suite->DerivePublicKey(kp.secret) == kp.public_key);
    }
  }
}

TEST_CASE("sm2 verify rejects r or s equal to zero or not below n on every backend") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    const core::Bytes message{1, 2, 3};
    const core::Bytes good = *s.suite->Sign(kp.secret, message);
    const core::Bytes n = Hex(kSm2OrderHex);
    core::Bytes n_plus_1 = n;
    n_plus_1[31] += 1;
    for (int part : {0, 32}) {
      CAPTURE(part);
      for (const core::Bytes& bad : {core::Bytes(32, 0), n, n_plus_1, core::Bytes(32, 0xff)}) {
        core::Bytes sig = good;
        std::copy(bad.begin(), bad.end(), sig.begin() + part);
        CheckError(s.suite->Verify(kp.public_key, message, sig), Errc::kBadSignature,
                   part == 0 ? "signature r" : "signature s");
      }
    }
  }
}

TEST_CASE("sm2 verify rejects n - s where ecdsa would accept it, on every backend") {
  // SM2 has no low-s rule because (r, n - s) is not a valid twin; check that it is rejected.
  TestRandom rng(Seed());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    const core::Bytes message{9};
    core::Bytes sig = *s.suite->Sign(kp.secret, message);
    const core::Bytes n = Hex(kSm2OrderHex);
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
      int d = n[i] - sig[32 + i] - borrow;
      borrow = d < 0 ? 1 : 0;
      sig[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
    }
    CheckError(s.suite->Verify(kp.public_key, message, sig), Errc::kBadSignature);
  }
}

TEST_CASE("sm2 verify rejects r + s = n (t = 0) on every backend") {
  // GB/T 32918.2 §7.1 B5: t = (r + s) mod n must not be 0. Checked by each engine.
  TestRandom rng(Seed());
  const core::Bytes n = Hex(kSm2OrderHex);
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    core::Bytes sig = *s.suite->Sign(kp.secret, core::Bytes{4});
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {  // s = n - r
      int d = n[i] - sig[i] - borrow;
      borrow = d < 0 ? 1 : 0;
      sig[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
    }
    CheckError(s.suite->Verify(kp.public_key, core::Bytes{4}, sig), Errc::kBadSignature);
  }
}

TEST_CASE("sm2 verify rejects signatures of the wrong length") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    const core::Bytes message{1};
    core::Bytes good = *s.suite->Sign(kp.secret, message);
    for (std::size_t len : {0, 1, 63, 65, 70, 72}) {
      CAPTURE(len);
      core::Bytes sig = good;
      sig.resize(len, 0);
      CheckError(s.suite->Verify(kp.public_key, message, sig), Errc::kBadLength);
    }
  }
}

TEST_CASE("sm2 rejects a public key that is not on the curve on every backend") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    const core::Bytes message{1};
    const core::Bytes sig = *s.suite->Sign(kp.secret, message);
    core::PublicKey off = kp.public_key;
    off.bytes[63] ^= 0x01;
    CheckError(s.suite->ValidatePublicKey(off), Errc::kBadPublicKey, "not a point");
    CheckError(s.suite->Verify(off, message, sig), Errc::kBadPublicKey);
    CheckError(s.suite->Verify(core::PublicKey{}, message, sig), Errc::kBadPublicKey);
    CheckError(s.suite->ValidatePublicKey(core::PublicKey{}), Errc::kBadPublicKey);
  }
}

TEST_CASE("sm2 verify rejects a valid signature over another message") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    const core::Bytes sig = *s.suite->Sign(kp.secret, core::Bytes{1});
    CheckError(s.suite->Verify(kp.public_key, core::Bytes{2}, sig), Errc::kBadSignature,
               "does not verify");
  }
}

TEST_CASE("sm2 secret key import rejects zero, n - 1, n and above, and wrong lengths") {
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::Bytes n = Hex(kSm2OrderHex);
    core::Bytes n_minus_1 = n;
    n_minus_1[31] -= 1;
    core::Bytes n_minus_2 = n;
    n_minus_2[31] -= 2;
    CHECK(s.suite->ImportSecretKey(core::Bytes(32, 0)).error().code == Errc::kBadSecretKey);
    CHECK(s.suite->ImportSecretKey(n).error().code == Errc::kBadSecretKey);
    CHECK(s.suite->ImportSecretKey(n_minus_1).error().code == Errc::kBadSecretKey);
    CHECK(s.suite->ImportSecretKey(core::Bytes(32, 0xff)).error().code == Errc::kBadSecretKey);
    auto top = s.suite->ImportSecretKey(n_minus_2);
    REQUIRE(top.has_value());
    auto pub = s.suite->DerivePublicKey(*top);
    REQUIRE(pub.has_value());
    auto sig = s.suite->Sign(*top, core::Bytes{5});
    REQUIRE(sig.has_value());
    CHECK(s.suite->Verify(*pub, core::Bytes{5}, *sig).has_value());
    for (std::size_t len : {0, 31, 33}) {
      CAPTURE(len);
      CHECK(s.suite->ImportSecretKey(core::Bytes(len, 1)).error().code == Errc::kBadLength);
    }
    std::array<std::uint8_t, 32> zero{};
    CHECK(s.suite->Sign(core::SecretKey(zero), core::Bytes{1}).error().code ==
          Errc::kBadSecretKey);
  }
}

TEST_CASE("sm2 recover is unsupported") {
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    CHECK(s.suite->Recover(core::Bytes{1}, core::Bytes(64, 1)).error().code ==
          Errc::kUnsupported);
    CHECK(s.suite->SignatureSize() == 64);
  }
}

}  // namespace
}  // namespace sm2_test
}  // namespace baylink::crypto::testing
