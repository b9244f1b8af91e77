// SPDX-License-Identifier: Apache-2.0
//
// The sm suite: SM3 and SM2 with the default user id (DESIGN §3, GB/T 32905-2016,
// GB/T 32918.2-2016). Everything independent of the SM2 library is done here, once, for
// every engine: lengths, the range of r and s, the secret key range, and
// e = SM3(Z_A || M). The engine does the curve arithmetic.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <string_view>
#include <utility>

#include "internal.h"
#include "openssl_util.h"
#include "scalar.h"
#include "sm2_engine.h"
#include "sm3.h"

namespace baylink::crypto::internal {
namespace {

using core::Errc;
using core::Fail;

constexpr std::size_t kSm2SignatureSize = 64;

struct EcDeleter {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};

class SmSuite final : public core::CryptoSuite {
 public:
  explicit SmSuite(std::unique_ptr<Sm2Engine> engine)
      : m_engine(std::move(engine)), m_group(EC_GROUP_new_by_curve_name(NID_sm2)) {
    BAYLINK_ASSERT(m_group != nullptr, "OpenSSL has no SM2 curve");
  }

  core::SuiteId Id() const override { return core::SuiteId::kSm; }

  core::Hash32 HashParts(std::span<const core::ByteView> parts) const override {
    return m_sm3.HashParts(parts);
  }

  std::size_t SignatureSize() const override { return kSm2SignatureSize; }

  core::KeyPair GenerateKey(core::RandomSource& rng) const override {
    return GenerateKeyPair(*this, rng);
  }

  core::Result<core::SecretKey> ImportSecretKey(core::ByteView raw) const override {
    BAYLINK_TRY(CheckSecretScalar(raw, kSm2Order, /*sm2=*/true));
    std::array<std::uint8_t, 32> bytes{};
    std::memcpy(bytes.data(), raw.data(), 32);
    core::SecretKey key(bytes);
    std::memset(bytes.data(), 0, bytes.size());
    return key;
  }

  core::Result<core::PublicKey> DerivePublicKey(const core::SecretKey& secret) const override {
    BAYLINK_TRY(CheckSecretScalar(secret.Reveal(), kSm2Order, /*sm2=*/true));
    BnPtr d(BN_secure_new());
    std::unique_ptr<EC_POINT, EcDeleter> point(EC_POINT_new(m_group.get()));
    std::unique_ptr<BN_CTX, EcDeleter> bn_ctx(BN_CTX_secure_new());
    if (d == nullptr || point == nullptr || bn_ctx == nullptr ||
        BN_bin2bn(secret.Reveal().data(), 32, d.get()) == nullptr) {
      return Fail(Errc::kCryptoBackend, "SM2 derive: " + TakeOpenSslErrors());
    }
    BN_set_flags(d.get(), BN_FLG_CONSTTIME);
    std::array<std::uint8_t, 65> encoded{};
    if (EC_POINT_mul(m_group.get(), point.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_point2oct(m_group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                           encoded.data(), encoded.size(), bn_ctx.get()) != encoded.size()) {
      return Fail(Errc::kCryptoBackend, "SM2 derive: " + TakeOpenSslErrors());
    }
    core::PublicKey out;
    std::memcpy(out.data(), encoded.data() + 1, 64);
    return out;
  }

  core::Status ValidatePublicKey(const core::PublicKey& key) const override {
    std::array<std::uint8_t, 65> encoded{};
    encoded[0] = 0x04;
    std::memcpy(encoded.data() + 1, key.data(), 64);
    std::unique_ptr<EC_POINT, EcDeleter> point(EC_POINT_new(m_group.get()));
    if (point == nullptr) return Fail(Errc::kCryptoBackend, "EC_POINT_new failed");
    // oct2point checks that the point satisfies the curve equation (and coordinates < p);
    // the uncompressed form cannot encode the point at infinity.
    if (EC_POINT_oct2point(m_group.get(), point.get(), encoded.data(), encoded.size(),
                           nullptr) != 1) {
      TakeOpenSslErrors();
      return Fail(Errc::kBadPublicKey,
                  "public key " + key.ToHex().substr(0, 18) + ".. is not a point on sm2p256v1");
    }
    return core::Ok();
  }

  core::Result<core::Bytes> Sign(const core::SecretKey& secret,
                                 core::ByteView message) const override {
    // Z_A needs the signer's public key.
    BAYLINK_ASSIGN_OR_RETURN(const core::PublicKey public_key, SignerPublicKey(secret));
    const core::Hash32 e = m_sm3.Sm2Digest(public_key, message);
    return m_engine->SignDigest(secret, public_key, e);
  }

  core::Status Verify(const core::PublicKey& key, core::ByteView message,
                      core::ByteView signature) const override {
    // Order (GB/T 32918.2 §7.1): B1-B2 range of r and s first, they are free; then
    // B3-B4 e = SM3(Z_A || M); then B5-B7 in the engine, which also rejects a key that is
    // not on the curve.
    if (signature.size() != kSm2SignatureSize) {
      return Fail(Errc::kBadLength, "SM2 signature must be 64 bytes (r || s), got " +
                                        std::to_string(signature.size()));
    }
    // SM2 has no low-s rule: (r, s) and (r, n - s) are not both valid, since s enters the
    // verification through t = r + s, so there is no malleability to forbid.
    BAYLINK_TRY(CheckSignatureScalar(std::span<const std::uint8_t, 32>(signature.data(), 32),
                                     kSm2Order, "r"));
    BAYLINK_TRY(CheckSignatureScalar(
        std::span<const std::uint8_t, 32>(signature.data() + 32, 32), kSm2Order, "s"));
    const core::Hash32 e = m_sm3.Sm2Digest(key, message);
    return m_engine->VerifyDigest(key, e, signature);
  }

  core::Result<core::PublicKey> Recover(core::ByteView /*message*/,
                                        core::ByteView /*signature*/) const override {
    return Fail(Errc::kUnsupported,
                "the sm suite cannot recover a public key from a signature; send the key");
  }

 private:
  // The public key of `secret`, from a few remembered by SM3 of the secret: deriving one is
  // a fixed-base multiplication (through OpenSSL's generic curve code, slower than the
  // signature itself), and a validator or relayer signs with the same key again and again.
  core::Result<core::PublicKey> SignerPublicKey(const core::SecretKey& secret) const {
    static constexpr std::string_view kTag = "baylink sm2 signer key";
    const std::array<core::ByteView, 2> parts{core::AsBytes(kTag), secret.Reveal()};
    const core::Hash32 id = m_sm3.HashParts(parts);
    {
      const std::lock_guard lock(m_signers_mutex);
      for (std::size_t i = 0; i < m_signer_count; ++i) {
        if (m_signers[i].first == id) return m_signers[i].second;
      }
    }
    BAYLINK_ASSIGN_OR_RETURN(const core::PublicKey public_key, DerivePublicKey(secret));
    const std::lock_guard lock(m_signers_mutex);
    m_signers[m_signer_next] = {id, public_key};
    m_signer_next = (m_signer_next + 1) % m_signers.size();
    m_signer_count = std::min(m_signer_count + 1, m_signers.size());
    return public_key;
  }

  Sm3 m_sm3;
  std::unique_ptr<Sm2Engine> m_engine;
  mutable std::mutex m_signers_mutex;
  mutable std::array<std::pair<core::Hash32, core::PublicKey>, 8> m_signers{};
  mutable std::size_t m_signer_next = 0;
  mutable std::size_t m_signer_count = 0;
  // The sm2p256v1 group, for key derivation and validation. Only read after construction;
  // OpenSSL's EC_POINT functions take it const and are safe to call concurrently.
  std::unique_ptr<EC_GROUP, EcDeleter> m_group;
};

}  // namespace

std::unique_ptr<core::CryptoSuite> NewSmSuite(Sm2Backend backend) {
  switch (backend) {
    case Sm2Backend::kOpenSsl:
      return std::make_unique<SmSuite>(NewOpenSslSm2Engine());
    case Sm2Backend::kBotan:
      return std::make_unique<SmSuite>(NewBotanSm2Engine());
    case Sm2Backend::kGcrypt:
      return std::make_unique<SmSuite>(NewGcryptSm2Engine());
  }
  BAYLINK_ASSERT(false, "unknown Sm2Backend");
  return nullptr;
}

}  // namespace baylink::crypto::internal
