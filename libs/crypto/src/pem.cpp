// SPDX-License-Identifier: Apache-2.0
//
// PEM import and export of keys through OpenSSL's encoders and decoders, for interop with
// other tools (the `openssl` command line in tests/unit/crypto/interop_test.cpp).
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include <array>
#include <cstring>

#include "baylink/crypto/suites.h"
#include "openssl_util.h"
#include "scalar.h"

namespace baylink::crypto {
namespace {

using core::Errc;
using core::Fail;
using internal::BioPtr;
using internal::PkeyPtr;
using internal::TakeOpenSslErrors;

struct CurveInfo {
  const char* key_type;  // OpenSSL key type: SM2 keys are their own type in OpenSSL 3
  const char* group;     // OpenSSL group name
  int nid;
  const internal::Scalar* order;
  bool sm2;
};

CurveInfo Curve(core::SuiteId suite) {
  if (suite == core::SuiteId::kSm) {
    return {"SM2", "SM2", NID_sm2, &internal::kSm2Order, true};
  }
  return {"EC", "secp256k1", NID_secp256k1, &internal::kSecp256k1Order, false};
}

core::Result<core::PublicKey> DerivePoint(const CurveInfo& curve, const core::SecretKey& secret) {
  struct Del {
    void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
    void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  };
  std::unique_ptr<EC_GROUP, Del> group(EC_GROUP_new_by_curve_name(curve.nid));
  std::unique_ptr<EC_POINT, Del> point(group ? EC_POINT_new(group.get()) : nullptr);
  internal::BnPtr d(BN_secure_new());
  std::array<std::uint8_t, 65> encoded{};
  if (group == nullptr || point == nullptr || d == nullptr ||
      BN_bin2bn(secret.Reveal().data(), 32, d.get()) == nullptr) {
    return Fail(Errc::kCryptoBackend, "derive public key: " + TakeOpenSslErrors());
  }
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  if (EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED,
                         encoded.data(), encoded.size(), nullptr) != encoded.size()) {
    return Fail(Errc::kCryptoBackend, "derive public key: " + TakeOpenSslErrors());
  }
  core::PublicKey out;
  std::memcpy(out.data(), encoded.data() + 1, 64);
  return out;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

core::Result<std::string> ExportSecretKeyPem(core::SuiteId suite, const core::SecretKey& secret) {
  const CurveInfo curve = Curve(suite);
  BAYLINK_TRY(internal::CheckSecretScalar(secret.Reveal(), *curve.order, curve.sm2));
  BAYLINK_ASSIGN_OR_RETURN(const core::PublicKey public_key, DerivePoint(curve, secret));
  BAYLINK_ASSIGN_OR_RETURN(PkeyPtr pkey, internal::PkeyFromRaw(curve.key_type, curve.group,
                                                               public_key, &secret));
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return Fail(Errc::kCryptoBackend, "PEM_write_bio_PrivateKey: " + TakeOpenSslErrors());
  }
  return BioText(bio.get());
}

core::Result<std::string> ExportPublicKeyPem(core::SuiteId suite, const core::PublicKey& key) {
  const CurveInfo curve = Curve(suite);
  BAYLINK_ASSIGN_OR_RETURN(PkeyPtr pkey,
                           internal::PkeyFromRaw(curve.key_type, curve.group, key, nullptr));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) {
    return Fail(Errc::kCryptoBackend, "PEM_write_bio_PUBKEY: " + TakeOpenSslErrors());
  }
  return BioText(bio.get());
}

core::Result<core::PublicKey> ImportPublicKeyPem(core::SuiteId suite, std::string_view pem) {
  const CurveInfo curve = Curve(suite);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return Fail(Errc::kCryptoBackend, "BIO_new_mem_buf failed");
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    const std::string why = TakeOpenSslErrors();
    return Fail(Errc::kMalformed,
                "not a PEM \"PUBLIC KEY\" on a curve OpenSSL knows (" + why + ")");
  }
  std::array<char, 64> group{};
  std::size_t group_len = 0;
  if (!EVP_PKEY_is_a(pkey.get(), curve.key_type) ||
      EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                     group.size(), &group_len) != 1 ||
      OBJ_txt2nid(group.data()) != curve.nid) {
    TakeOpenSslErrors();
    return Fail(Errc::kUnsupported,
                std::string("PEM key is a ") + EVP_PKEY_get0_type_name(pkey.get()) +
                    " key on \"" + group.data() + "\"; the " +
                    std::string(core::SuiteName(suite)) + " suite needs a " + curve.key_type +
                    " key on " + curve.group);
  }
  // Ask for the uncompressed form whatever the PEM used.
  std::array<std::uint8_t, 65> encoded{};
  std::size_t len = 0;
  if (EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 ||
      EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded.data(),
                                      encoded.size(), &len) != 1 ||
      len != 65 || encoded[0] != 0x04) {
    const std::string why = TakeOpenSslErrors();
    return Fail(Errc::kBadPublicKey, "PEM public key has no uncompressed point (" + why + ")");
  }
  core::PublicKey out;
  std::memcpy(out.data(), encoded.data() + 1, 64);
  return out;
}

}  // namespace baylink::crypto
