// SPDX-License-Identifier: Apache-2.0
//
// SM2 on OpenSSL 3's "SM2" EVP_PKEY. We hand it the digest e (EVP_PKEY_sign/verify on the
// "SM2" key type treat their input as e, GB/T 32918.2 §6.1 A3 onwards); the suite has
// already computed e = SM3(Z_A || M), so no per-call EVP_DigestVerifyInit is needed.
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>

#include "openssl_util.h"
#include "sm2_engine.h"

namespace baylink::crypto::internal {
namespace {

using core::Errc;
using core::Fail;

// Verification contexts of recently seen public keys, per thread. Building the EVP_PKEY from
// raw bytes (EVP_PKEY_fromdata: point decoding and on-curve check) and EVP_PKEY_verify_init
// (which looks the signature algorithm up in the provider store) cost about a sixth of one
// SM2 verification: BM_SmVerify/openssl (one key, 3.27k/s) against
// BM_SmVerifyColdKey/openssl (a new key each time, 2.70k/s) in bench/crypto_bench.cpp. A
// chain verifies the same validator keys over and over, so a small direct-mapped cache
// removes that cost. Per thread because an EVP_PKEY_CTX must not be used by two threads at
// once.
class VerifierCache {
 public:
  static constexpr std::size_t kSlots = 32;

  // A verify-initialised context for `key`, or null after setting `error`.
  EVP_PKEY_CTX* Get(const core::PublicKey& key, core::Error* error) {
    Slot& slot = m_slots[(key.bytes[31] ^ key.bytes[63]) % kSlots];
    if (slot.ctx != nullptr && slot.key == key) return slot.ctx.get();
    auto pkey = PkeyFromRaw("SM2", "SM2", key, nullptr);
    if (!pkey) {
      *error = std::move(pkey).error();
      return nullptr;
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
    if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1) {
      *error = Fail(Errc::kCryptoBackend, "EVP_PKEY_verify_init(SM2): " + TakeOpenSslErrors());
      return nullptr;
    }
    slot.key = key;
    slot.ctx = std::move(ctx);
    return slot.ctx.get();
  }

 private:
  struct Slot {
    core::PublicKey key;
    PkeyCtxPtr ctx;  // holds its own reference to the EVP_PKEY
  };
  std::array<Slot, kSlots> m_slots;
};

class OpenSslSm2Engine final : public Sm2Engine {
 public:
  core::Result<core::Bytes> SignDigest(const core::SecretKey& secret,
                                       const core::PublicKey& public_key,
                                       const core::Hash32& e) const override {
    BAYLINK_ASSIGN_OR_RETURN(PkeyPtr pkey, PkeyFromRaw("SM2", "SM2", public_key, &secret));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    std::array<std::uint8_t, 80> der{};
    std::size_t der_len = der.size();
    if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_sign(ctx.get(), der.data(), &der_len, e.data(), e.size()) != 1) {
      return Fail(Errc::kCryptoBackend, "OpenSSL SM2 sign: " + TakeOpenSslErrors());
    }
    auto r_s = Sm2SignatureFromDer(core::ByteView(der.data(), der_len));
    if (!r_s) {
      return Fail(Errc::kCryptoBackend,
                  "OpenSSL produced a signature we cannot parse: " + r_s.error().Message());
    }
    return std::move(r_s).value();
  }

  core::Status VerifyDigest(const core::PublicKey& key, const core::Hash32& e,
                            core::ByteView r_s) const override {
    thread_local VerifierCache cache;
    core::Error error;
    EVP_PKEY_CTX* ctx = cache.Get(key, &error);
    if (ctx == nullptr) return error;
    BAYLINK_ASSIGN_OR_RETURN(const core::Bytes der, Sm2SignatureToDer(r_s));
    const int rc = EVP_PKEY_verify(ctx, der.data(), der.size(), e.data(), e.size());
    if (rc == 1) return core::Ok();
    ERR_clear_error();  // a failed verification leaves entries we do not want to accumulate
    if (rc == 0) {
      return Fail(Errc::kBadSignature, "SM2 signature does not verify for public key " +
                                           key.ToHex().substr(0, 18) + "..");
    }
    return Fail(Errc::kBadSignature, "OpenSSL could not evaluate the SM2 signature (rc " +
                                         std::to_string(rc) + ")");
  }
};

}  // namespace

std::unique_ptr<Sm2Engine> NewOpenSslSm2Engine() { return std::make_unique<OpenSslSm2Engine>(); }

}  // namespace baylink::crypto::internal
