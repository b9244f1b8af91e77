// SPDX-License-Identifier: Apache-2.0
//
// One SM2 implementation (OpenSSL, Botan or libgcrypt) behind the sm suite. The suite does
// everything that does not depend on the library (lengths, ranges of r, s and the secret,
// e = SM3(Z_A || M)), so the engines differ only in the curve arithmetic and all of them
// see the same checked inputs.
#pragma once

#include <memory>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"

namespace baylink::crypto::internal {

class Sm2Engine {
 public:
  virtual ~Sm2Engine() = default;

  // Signs the digest `e` (GB/T 32918.2 §6.1 steps A3-A7) with a fresh random k.
  // Requires: `secret` in [1, n-2] and `public_key` its public key (both checked by the
  // caller). Returns r || s, 64 bytes. Errors: kCryptoBackend. Thread-safe.
  virtual core::Result<core::Bytes> SignDigest(const core::SecretKey& secret,
                                               const core::PublicKey& public_key,
                                               const core::Hash32& e) const = 0;

  // Verifies r || s over the digest `e` (§7.1 steps B5-B7). Requires: r_s is 64 bytes with
  // r and s in [1, n-1] (checked by the caller). Errors: kBadPublicKey (not on the curve),
  // kBadSignature, kCryptoBackend. Thread-safe.
  virtual core::Status VerifyDigest(const core::PublicKey& key, const core::Hash32& e,
                                    core::ByteView r_s) const = 0;
};

std::unique_ptr<Sm2Engine> NewOpenSslSm2Engine();
std::unique_ptr<Sm2Engine> NewBotanSm2Engine();
std::unique_ptr<Sm2Engine> NewGcryptSm2Engine();

}  // namespace baylink::crypto::internal
