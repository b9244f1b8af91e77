// SPDX-License-Identifier: Apache-2.0
//
// The ecdsa suite: Keccak-256 and secp256k1 through libsecp256k1 (DESIGN §3).
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <array>
#include <cstring>

#include "baylink/crypto/suites.h"
#include "internal.h"
#include "keccak.h"
#include "scalar.h"

namespace baylink::crypto::internal {
namespace {

using core::Errc;
using core::Fail;

constexpr std::size_t kEcdsaSignatureSize = 65;

class EcdsaSuite final : public core::CryptoSuite {
 public:
  EcdsaSuite() : m_ctx(secp256k1_context_create(SECP256K1_CONTEXT_NONE)) {
    BAYLINK_ASSERT(m_ctx != nullptr, "secp256k1_context_create failed");
    // Blinding for signing and key derivation against timing and power side channels. This is
    // the only non-const use of the context; after it, libsecp256k1 allows concurrent calls.
    std::array<std::uint8_t, 32> seed{};
    SystemRandom().Fill(seed);
    BAYLINK_ASSERT(secp256k1_context_randomize(m_ctx, seed.data()) == 1,
                   "secp256k1_context_randomize failed");
  }
  ~EcdsaSuite() override { secp256k1_context_destroy(m_ctx); }
  EcdsaSuite(const EcdsaSuite&) = delete;
  EcdsaSuite& operator=(const EcdsaSuite&) = delete;

  core::SuiteId Id() const override { return core::SuiteId::kEcdsa; }

  core::Hash32 HashParts(std::span<const core::ByteView> parts) const override {
    return Keccak256Parts(parts);
  }

  std::size_t SignatureSize() const override { return kEcdsaSignatureSize; }

  core::KeyPair GenerateKey(core::RandomSource& rng) const override {
    return GenerateKeyPair(*this, rng);
  }

  core::Result<core::SecretKey> ImportSecretKey(core::ByteView raw) const override {
    BAYLINK_TRY(CheckSecretScalar(raw, kSecp256k1Order, /*sm2=*/false));
    std::array<std::uint8_t, 32> bytes{};
    std::memcpy(bytes.data(), raw.data(), 32);
    core::SecretKey key(bytes);
    std::memset(bytes.data(), 0, bytes.size());
    return key;
  }

  core::Result<core::PublicKey> DerivePublicKey(const core::SecretKey& secret) const override {
    BAYLINK_TRY(CheckSecretScalar(secret.Reveal(), kSecp256k1Order, /*sm2=*/false));
    secp256k1_pubkey pub;
    if (secp256k1_ec_pubkey_create(m_ctx, &pub, secret.Reveal().data()) != 1) {
      return Fail(Errc::kBadSecretKey, "libsecp256k1 rejected the secret key");
    }
    return Serialize(pub);
  }

  core::Status ValidatePublicKey(const core::PublicKey& key) const override {
    secp256k1_pubkey parsed;
    return ParseKey(key, &parsed);
  }

  core::Result<core::Bytes> Sign(const core::SecretKey& secret,
                                 core::ByteView message) const override {
    BAYLINK_TRY(CheckSecretScalar(secret.Reveal(), kSecp256k1Order, /*sm2=*/false));
    const core::Hash32 digest = Keccak256Parts(std::span<const core::ByteView>(&message, 1));
    secp256k1_ecdsa_recoverable_signature sig;
    // nullptr nonce function: RFC 6979 (HMAC-SHA256 DRBG). libsecp256k1 always produces
    // low-s signatures.
    if (secp256k1_ecdsa_sign_recoverable(m_ctx, &sig, digest.data(), secret.Reveal().data(),
                                         nullptr, nullptr) != 1) {
      return Fail(Errc::kCryptoBackend, "secp256k1_ecdsa_sign_recoverable failed");
    }
    core::Bytes out(kEcdsaSignatureSize);
    int recid = -1;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(m_ctx, out.data(), &recid, &sig);
    if (recid != 0 && recid != 1) {
      // Only when R.x >= n, with probability about 2^-127: v cannot carry it.
      return Fail(Errc::kCryptoBackend, "recovery id " + std::to_string(recid) +
                                            " does not fit v in {0, 1}; sign again with "
                                            "another message");
    }
    out[64] = static_cast<std::uint8_t>(recid);
    return out;
  }

  core::Status Verify(const core::PublicKey& key, core::ByteView message,
                      core::ByteView signature) const override {
    // Order: cheap shape checks first (each with its own error), then the key, then the
    // curve arithmetic.
    secp256k1_ecdsa_recoverable_signature sig;
    BAYLINK_TRY(ParseSignature(signature, &sig));
    secp256k1_pubkey parsed_key;
    BAYLINK_TRY(ParseKey(key, &parsed_key));
    const core::Hash32 digest = Keccak256Parts(std::span<const core::ByteView>(&message, 1));

    // Verification by recovery: Q' = r^-1 (sR - eG) with R the point of x = r and y parity v.
    // Q' == Q holds exactly when (r, s) verifies for Q *and* v names the right R, so a
    // signature with v flipped is rejected (WARNING: a plain ECDSA verify would accept it,
    // making (r, s, v) malleable). The cost over secp256k1_ecdsa_verify is one square root
    // and two inversions: about 16% (bench/crypto_bench.cpp, BM_EcdsaVerify 25.3k/s against
    // BM_RawSecpVerify 30.2k/s; BM_RawSecpRecover 25.2k/s). libsecp256k1's API offers no
    // cheaper way to learn the parity of R's y after a plain verify.
    secp256k1_pubkey recovered;
    if (secp256k1_ecdsa_recover(m_ctx, &recovered, &sig, digest.data()) == 1 &&
        secp256k1_ec_pubkey_cmp(m_ctx, &recovered, &parsed_key) == 0) {
      return core::Ok();
    }
    // No second, plain verify to tell a wrong v from a wrong (r, s): that would double the
    // cost of every forged signature, which is what a flood of them is made of.
    return Fail(Errc::kBadSignature, "signature does not verify for public key " +
                                         key.ToHex().substr(0, 18) +
                                         ".. (r, s or the recovery id v is wrong)");
  }

  core::Result<core::PublicKey> Recover(core::ByteView message,
                                        core::ByteView signature) const override {
    secp256k1_ecdsa_recoverable_signature sig;
    BAYLINK_TRY(ParseSignature(signature, &sig));
    const core::Hash32 digest = Keccak256Parts(std::span<const core::ByteView>(&message, 1));
    secp256k1_pubkey recovered;
    if (secp256k1_ecdsa_recover(m_ctx, &recovered, &sig, digest.data()) != 1) {
      return Fail(Errc::kBadSignature, "no public key recovers from this signature and message");
    }
    return Serialize(recovered);
  }

 private:
  // Shape and range checks of r || s || v, each rejection named; then libsecp256k1's parse.
  core::Status ParseSignature(core::ByteView signature,
                              secp256k1_ecdsa_recoverable_signature* out) const {
    if (signature.size() != kEcdsaSignatureSize) {
      return Fail(Errc::kBadLength, "ecdsa signature must be 65 bytes (r || s || v), got " +
                                        std::to_string(signature.size()));
    }
    const std::uint8_t v = signature[64];
    if (v > 1) {
      return Fail(Errc::kBadSignature, "signature recovery id v=" + std::to_string(v) +
                                           " is not 0 or 1 (27/28 and EIP-155 forms are "
                                           "not accepted; subtract the offset first)");
    }
    std::span<const std::uint8_t, 32> r(signature.data(), 32);
    std::span<const std::uint8_t, 32> s(signature.data() + 32, 32);
    BAYLINK_TRY(CheckSignatureScalar(r, kSecp256k1Order, "r"));
    BAYLINK_TRY(CheckSignatureScalar(s, kSecp256k1Order, "s"));
    // WARNING: signature malleability. (r, n - s) verifies whenever (r, s) does; accepting
    // only s <= n/2 (EIP-2) leaves one valid encoding per signature.
    if (CompareBe(s, kSecp256k1HalfOrder) > 0) {
      return Fail(Errc::kBadSignature,
                  "signature has high-s (s > n/2); only low-s signatures are accepted (EIP-2)");
    }
    if (secp256k1_ecdsa_recoverable_signature_parse_compact(m_ctx, out, signature.data(), v) !=
        1) {
      return Fail(Errc::kBadSignature, "libsecp256k1 could not parse the signature");
    }
    return core::Ok();
  }

  core::Status ParseKey(const core::PublicKey& key, secp256k1_pubkey* out) const {
    std::array<std::uint8_t, 65> encoded{};
    encoded[0] = 0x04;
    std::memcpy(encoded.data() + 1, key.data(), 64);
    if (secp256k1_ec_pubkey_parse(m_ctx, out, encoded.data(), encoded.size()) != 1) {
      return Fail(Errc::kBadPublicKey, "public key " + key.ToHex().substr(0, 18) +
                                           ".. is not a point on secp256k1");
    }
    return core::Ok();
  }

  core::PublicKey Serialize(const secp256k1_pubkey& pub) const {
    std::array<std::uint8_t, 65> encoded{};
    std::size_t len = encoded.size();
    secp256k1_ec_pubkey_serialize(m_ctx, encoded.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
    BAYLINK_ASSERT(len == 65 && encoded[0] == 0x04, "uncompressed key serialization");
    core::PublicKey out;
    std::memcpy(out.data(), encoded.data() + 1, 64);
    return out;
  }

  // Created once per suite (creation precomputes tables: far too slow per call). After
  // construction it is only passed as const, which libsecp256k1 allows from many threads.
  secp256k1_context* m_ctx;
};

}  // namespace

std::unique_ptr<core::CryptoSuite> NewEcdsaSuite() { return std::make_unique<EcdsaSuite>(); }

}  // namespace baylink::crypto::internal
