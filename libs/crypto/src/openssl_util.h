// SPDX-License-Identifier: Apache-2.0
//
// Owning handles for OpenSSL objects and key construction from raw bytes, shared by the
// OpenSSL SM2 engine and the PEM helpers. Private to libs/crypto.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::crypto::internal {

struct OsslDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter>;

// The OpenSSL error queue as text (and cleared), for kCryptoBackend details.
std::string TakeOpenSslErrors();

// An EVP_PKEY of key type `key_type` ("SM2" or "EC") on group `group` ("SM2" or "secp256k1")
// from the public key and, when `secret` is not null, the secret scalar.
// Errors: kBadPublicKey (OpenSSL refuses the point), kCryptoBackend.
core::Result<PkeyPtr> PkeyFromRaw(const char* key_type, const char* group,
                                  const core::PublicKey& key, const core::SecretKey* secret);

}  // namespace baylink::crypto::internal
