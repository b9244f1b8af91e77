// SPDX-License-Identifier: Apache-2.0
#include "openssl_util.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <array>
#include <cstring>

namespace baylink::crypto::internal {
namespace {
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
}  // namespace

std::string TakeOpenSslErrors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

core::Result<PkeyPtr> PkeyFromRaw(const char* key_type, const char* group,
                                  const core::PublicKey& key, const core::SecretKey* secret) {
  std::array<std::uint8_t, 65> point{};
  point[0] = 0x04;
  std::memcpy(point.data() + 1, key.data(), 64);

  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> bld(OSSL_PARAM_BLD_new());
  BnPtr priv;
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return core::Fail(core::Errc::kCryptoBackend, "OSSL_PARAM_BLD: " + TakeOpenSslErrors());
  }
  if (secret != nullptr) {
    priv.reset(BN_secure_new());
    if (priv == nullptr ||
        BN_bin2bn(secret->Reveal().data(), 32, priv.get()) == nullptr ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1) {
      return core::Fail(core::Errc::kCryptoBackend, "OSSL_PARAM_BLD: " + TakeOpenSslErrors());
    }
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return core::Fail(core::Errc::kCryptoBackend,
                      std::string("EVP_PKEY_fromdata_init(") + key_type +
                          "): " + TakeOpenSslErrors());
  }
  EVP_PKEY* raw = nullptr;
  const int selection = secret != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    ERR_clear_error();
    // The parameters are well-formed by construction, so the point is what OpenSSL refused.
    return core::Fail(core::Errc::kBadPublicKey, "public key " + key.ToHex().substr(0, 18) +
                                                     ".. is not a point on " + group);
  }
  return PkeyPtr(raw);
}

}  // namespace baylink::crypto::internal
