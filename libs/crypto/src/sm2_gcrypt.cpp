// SPDX-License-Identifier: Apache-2.0
//
// SM2 on libgcrypt 1.10 (curve "sm2p256v1"). libgcrypt takes keys, data and signatures as
// S-expressions; the signature's algorithm name "sm2" selects GB/T 32918.2 verification and
// "(flags sm2)" on the data selects SM2 signing. The data is the digest e, which the suite
// computes (Z_A included); libgcrypt does not compute Z_A.
#include <gcrypt.h>

#include <array>
#include <cstring>
#include "gcrypt_util.h"
#include "sm2_engine.h"

namespace baylink::crypto::internal {
namespace {

using core::Errc;
using core::Fail;

struct SexpDeleter {
  void operator()(gcry_sexp_t s) const { gcry_sexp_release(s); }
};
using SexpPtr = std::unique_ptr<std::remove_pointer_t<gcry_sexp_t>, SexpDeleter>;

std::string ErrorText(gcry_error_t err) {
  return std::string(gcry_strsource(err)) + "/" + gcry_strerror(err);
}

std::array<std::uint8_t, 65> Uncompressed(const core::PublicKey& key) {
  std::array<std::uint8_t, 65> out{};
  out[0] = 0x04;
  std::memcpy(out.data() + 1, key.data(), 64);
  return out;
}

// Writes the unsigned big-endian value of token `name` in `sig` left-padded to 32 bytes.
bool ExtractScalar(gcry_sexp_t sig, const char* name, std::uint8_t* out32) {
  SexpPtr token(gcry_sexp_find_token(sig, name, 0));
  if (token == nullptr) return false;
  std::size_t len = 0;
  const char* data = gcry_sexp_nth_data(token.get(), 1, &len);
  if (data == nullptr) return false;
  const auto* p = reinterpret_cast<const std::uint8_t*>(data);
  while (len > 0 && *p == 0) {
    ++p;
    --len;
  }
  if (len > 32) return false;
  std::memset(out32, 0, 32);
  std::memcpy(out32 + 32 - len, p, len);
  return true;
}

class GcryptSm2Engine final : public Sm2Engine {
 public:
  GcryptSm2Engine() { InitGcryptOnce(); }

  core::Result<core::Bytes> SignDigest(const core::SecretKey& secret,
                                       const core::PublicKey& public_key,
                                       const core::Hash32& e) const override {
    const auto q = Uncompressed(public_key);
    gcry_sexp_t raw = nullptr;
    gcry_error_t err = gcry_sexp_build(&raw, nullptr,
                                       "(private-key(ecc(curve sm2p256v1)(q %b)(d %b)))",
                                       static_cast<int>(q.size()), q.data(), 32,
                                       secret.Reveal().data());
    SexpPtr key(raw);
    if (err != 0) return Fail(Errc::kCryptoBackend, "gcrypt key sexp: " + ErrorText(err));
    err = gcry_sexp_build(&raw, nullptr, "(data(flags sm2)(value %b))", 32, e.data());
    SexpPtr data(raw);
    if (err != 0) return Fail(Errc::kCryptoBackend, "gcrypt data sexp: " + ErrorText(err));
    raw = nullptr;
    err = gcry_pk_sign(&raw, data.get(), key.get());
    SexpPtr sig(raw);
    if (err != 0) return Fail(Errc::kCryptoBackend, "gcrypt SM2 sign: " + ErrorText(err));
    core::Bytes out(64);
    if (!ExtractScalar(sig.get(), "r", out.data()) ||
        !ExtractScalar(sig.get(), "s", out.data() + 32)) {
      return Fail(Errc::kCryptoBackend, "gcrypt SM2 sign returned an unexpected S-expression");
    }
    return out;
  }

  core::Status VerifyDigest(const core::PublicKey& key, const core::Hash32& e,
                            core::ByteView r_s) const override {
    const auto q = Uncompressed(key);
    gcry_sexp_t raw = nullptr;
    gcry_error_t err = gcry_sexp_build(&raw, nullptr, "(public-key(ecc(curve sm2p256v1)(q %b)))",
                                       static_cast<int>(q.size()), q.data());
    SexpPtr public_key(raw);
    if (err != 0) return Fail(Errc::kCryptoBackend, "gcrypt key sexp: " + ErrorText(err));
    err = gcry_sexp_build(&raw, nullptr, "(data(flags sm2)(value %b))", 32, e.data());
    SexpPtr data(raw);
    if (err != 0) return Fail(Errc::kCryptoBackend, "gcrypt data sexp: " + ErrorText(err));
    err = gcry_sexp_build(&raw, nullptr, "(sig-val(sm2(r %b)(s %b)))", 32, r_s.data(), 32,
                          r_s.data() + 32);
    SexpPtr sig(raw);
    if (err != 0) return Fail(Errc::kCryptoBackend, "gcrypt sig sexp: " + ErrorText(err));

    err = gcry_pk_verify(sig.get(), data.get(), public_key.get());
    if (err == 0) return core::Ok();
    switch (gcry_err_code(err)) {
      case GPG_ERR_BAD_SIGNATURE:
        return Fail(Errc::kBadSignature, "SM2 signature does not verify for public key " +
                                             key.ToHex().substr(0, 18) + "..");
      case GPG_ERR_BROKEN_PUBKEY:
      case GPG_ERR_INV_OBJ:
      case GPG_ERR_BAD_PUBKEY:
        return Fail(Errc::kBadPublicKey, "public key " + key.ToHex().substr(0, 18) +
                                             ".. is not a point on sm2p256v1 (" +
                                             ErrorText(err) + ")");
      default:
        return Fail(Errc::kBadSignature, "gcrypt SM2 verify: " + ErrorText(err));
    }
  }
};

}  // namespace

std::unique_ptr<Sm2Engine> NewGcryptSm2Engine() { return std::make_unique<GcryptSm2Engine>(); }

}  // namespace baylink::crypto::internal
