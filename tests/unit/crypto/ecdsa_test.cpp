// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "crypto_test_util.h"
#include "test_random.h"

namespace baylink::crypto::testing {
namespace ecdsa_test {
namespace {

using core::Errc;

// secp256k1 group order n, big-endian.
constexpr const char* kOrderHex =
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

core::SecretKey ImportOrDie(const core::CryptoSuite& suite, const std::string& hex) {
  auto key = suite.ImportSecretKey(Hex(hex));
  REQUIRE_MESSAGE(key.has_value(), key.error().Message());
  return *key;
}

// A fresh valid (key, message, signature) triple.
struct Signed {
  core::KeyPair kp;
  core::Bytes message;
  core::Bytes signature;
};
Signed MakeSigned(TestRandom& rng) {
  Signed out{Ecdsa().GenerateKey(rng), core::Bytes(40), {}};
  rng.Fill(out.message);
  auto sig = Ecdsa().Sign(out.kp.secret, out.message);
  REQUIRE(sig.has_value());
  out.signature = *sig;
  return out;
}

// n - s for a 32-byte big-endian s (s != 0).
core::Bytes Negate(core::ByteView s) {
  const core::Bytes n = Hex(kOrderHex);
  core::Bytes out(32);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - s[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

void CheckError(const core::Status& st, Errc code, const std::string& needle = "") {
  REQUIRE_FALSE(st.has_value());
  CHECK_MESSAGE(st.error().code == code, st.error().Message());
  if (!needle.empty()) {
    CHECK_MESSAGE(st.error().detail.find(needle) != std::string::npos, st.error().Message());
  }
}

TEST_CASE("ecdsa derives the published public keys and addresses") {
  const nlohmann::json doc = LoadVectors("secp256k1.json");
  for (const auto& v : doc["keys"]) {
    CAPTURE(v["name"].get<std::string>());
    const core::SecretKey secret = ImportOrDie(Ecdsa(), v["secret_key"]);
    auto pub = Ecdsa().DerivePublicKey(secret);
    REQUIRE(pub.has_value());
    if (v.contains("public_key")) CHECK(pub->ToHex() == v["public_key"].get<std::string>());
    if (v.contains("address")) {
      CHECK(Ecdsa().ToAddress(*pub).ToHex() == v["address"].get<std::string>());
    }
    CHECK(Ecdsa().ValidatePublicKey(*pub).has_value());
  }
}

TEST_CASE("ecdsa signs the EIP-155 example exactly as published (RFC 6979)") {
  const nlohmann::json doc = LoadVectors("secp256k1.json");
  for (const auto& v : doc["signatures"]) {
    CAPTURE(v["name"].get<std::string>());
    const core::SecretKey secret = ImportOrDie(Ecdsa(), v["secret_key"]);
    const core::Bytes message = Hex(v["message_hex"]);
    CHECK(Ecdsa().Hash(message).ToHex() == v["message_hash"].get<std::string>());
    auto sig = Ecdsa().Sign(secret, message);
    REQUIRE(sig.has_value());
    CHECK(core::ToHex(*sig) == v["signature"].get<std::string>());
    auto pub = Ecdsa().DerivePublicKey(secret);
    REQUIRE(pub.has_value());
    CHECK(Ecdsa().Verify(*pub, message, *sig).has_value());
    auto recovered = Ecdsa().Recover(message, *sig);
    REQUIRE(recovered.has_value());
    CHECK(*recovered == *pub);
  }
}

TEST_CASE("ecdsa sign, verify and recover round-trip on random keys") {
  TestRandom rng(Seed());
  for (int i = 0; i < 20; ++i) {
    const Signed s = MakeSigned(rng);
    REQUIRE(s.signature.size() == 65);
    CHECK(s.signature[64] <= 1);
    CHECK(Ecdsa().Verify(s.kp.public_key, s.message, s.signature).has_value());
    auto rec = Ecdsa().Recover(s.message, s.signature);
    REQUIRE(rec.has_value());
    CHECK(*rec == s.kp.public_key);
    // Deterministic: the same key and message sign to the same bytes.
    CHECK(*Ecdsa().Sign(s.kp.secret, s.message) == s.signature);
  }
}

TEST_CASE("ecdsa verify rejects a high-s signature") {
  TestRandom rng(Seed());
  Signed s = MakeSigned(rng);
  const core::Bytes high = Negate(core::ByteView(s.signature).subspan(32, 32));
  std::copy(high.begin(), high.end(), s.signature.begin() + 32);
  s.signature[64] ^= 1;  // (r, n-s) with the other recovery id is the mathematically valid twin
  CheckError(Ecdsa().Verify(s.kp.public_key, s.message, s.signature), Errc::kBadSignature,
             "high-s");
  CHECK(Ecdsa().Recover(s.message, s.signature).error().code == Errc::kBadSignature);
}

TEST_CASE("ecdsa verify rejects a flipped recovery id although r and s are valid") {
  TestRandom rng(Seed());
  Signed s = MakeSigned(rng);
  s.signature[64] ^= 1;
  CheckError(Ecdsa().Verify(s.kp.public_key, s.message, s.signature), Errc::kBadSignature,
             "recovery id v is wrong");
}

TEST_CASE("ecdsa verify rejects a recovery id outside 0 and 1") {
  TestRandom rng(Seed());
  Signed s = MakeSigned(rng);
  for (int v : {2, 3, 27, 28, 37, 255}) {
    CAPTURE(v);
    s.signature[64] = static_cast<std::uint8_t>(v);
    CheckError(Ecdsa().Verify(s.kp.public_key, s.message, s.signature), Errc::kBadSignature,
               "recovery id");
  }
}

TEST_CASE("ecdsa verify rejects r or s equal to zero or not below n") {
  TestRandom rng(Seed());
  const Signed good = MakeSigned(rng);
  const core::Bytes n = Hex(kOrderHex);
  core::Bytes n_plus_1 = n;
  n_plus_1[31] += 1;
  for (int part : {0, 32}) {
    CAPTURE(part);
    const char* name = part == 0 ? "signature r" : "signature s";
    for (const core::Bytes& bad : {core::Bytes(32, 0), n, n_plus_1, core::Bytes(32, 0xff)}) {
      core::Bytes sig = good.signature;
      std::copy(bad.begin(), bad.end(), sig.begin() + part);
      CheckError(Ecdsa().Verify(good.kp.public_key, good.message, sig), Errc::kBadSignature,
                 name);
    }
  }
}

TEST_CASE("ecdsa verify rejects signatures of the wrong length") {
  TestRandom rng(Seed());
  const Signed good = MakeSigned(rng);
  for (std::size_t len : {0, 1, 64, 66, 72}) {
    CAPTURE(len);
    core::Bytes sig = good.signature;
    sig.resize(len, 0);
    CheckError(Ecdsa().Verify(good.kp.public_key, good.message, sig), Errc::kBadLength);
    CHECK(Ecdsa().Recover(good.message, sig).error().code == Errc::kBadLength);
  }
}

TEST_CASE("ecdsa rejects a public key that is not on the curve") {
  TestRandom rng(Seed());
  const Signed good = MakeSigned(rng);
  core::PublicKey off = good.kp.public_key;
  off.bytes[63] ^= 0x01;  // y -> y ^ 1: y^2 != x^3 + 7
  CheckError(Ecdsa().ValidatePublicKey(off), Errc::kBadPublicKey, "not a point");
  CheckError(Ecdsa().Verify(off, good.message, good.signature), Errc::kBadPublicKey);
  CheckError(Ecdsa().ValidatePublicKey(core::PublicKey{}), Errc::kBadPublicKey);
}

TEST_CASE("ecdsa verify rejects a valid signature by another key") {
  TestRandom rng(Seed());
  const Signed a = MakeSigned(rng);
  const Signed b = MakeSigned(rng);
  CheckError(Ecdsa().Verify(b.kp.public_key, a.message, a.signature), Errc::kBadSignature,
             "does not verify");
}

TEST_CASE("ecdsa secret key import rejects zero, n and above, and wrong lengths") {
  const core::Bytes n = Hex(kOrderHex);
  core::Bytes n_minus_1 = n;
  n_minus_1[31] -= 1;
  CHECK(Ecdsa().ImportSecretKey(core::Bytes(32, 0)).error().code == Errc::kBadSecretKey);
  CHECK(Ecdsa().ImportSecretKey(n).error().code == Errc::kBadSecretKey);
  CHECK(Ecdsa().ImportSecretKey(core::Bytes(32, 0xff)).error().code == Errc::kBadSecretKey);
  CHECK(Ecdsa().ImportSecretKey(n_minus_1).has_value());
  for (std::size_t len : {0, 31, 33, 64}) {
    CAPTURE(len);
    CHECK(Ecdsa().ImportSecretKey(core::Bytes(len, 1)).error().code == Errc::kBadLength);
  }
  // A SecretKey holding an out-of-range value (never imported) is refused, not used.
  std::array<std::uint8_t, 32> zero{};
  const core::SecretKey bad(zero);
  CHECK(Ecdsa().Sign(bad, core::Bytes{1}).error().code == Errc::kBadSecretKey);
  CHECK(Ecdsa().DerivePublicKey(bad).error().code == Errc::kBadSecretKey);
}

}  // namespace
}  // namespace ecdsa_test
}  // namespace baylink::crypto::testing
