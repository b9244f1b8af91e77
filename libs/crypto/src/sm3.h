// SPDX-License-Identifier: Apache-2.0
//
// SM3 (GB/T 32905-2016) through libgcrypt, and the SM2 message digest
// e = SM3(Z_A || M) of GB/T 32918.2-2016 §6.1 steps A1-A2 (and §7.1 B3-B4).
#pragma once

#include <span>

#include "baylink/core/bytes.h"

namespace baylink::crypto::internal {

class Sm3 {
 public:
  // Initialises libgcrypt (once per process).
  Sm3();
  ~Sm3() = default;
  Sm3(const Sm3&) = delete;
  Sm3& operator=(const Sm3&) = delete;

  // SM3 of the concatenation of `parts`. Thread-safe.
  core::Hash32 HashParts(std::span<const core::ByteView> parts) const;

  // Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) for the public key
  // (x_A, y_A), with ID_A the default user id "1234567812345678" (ENTL_A = 128 bits).
  // WARNING: SM2 user id handling. The id is part of what is signed: a signature made with
  // another id (OpenSSL 3 uses an *empty* id unless told `distid:1234567812345678`; some
  // wallets use an account name) fails here although the key and message are right. Every
  // chain of the sm suite uses the default id (DESIGN §3); there is no per-key id.
  core::Hash32 UserHash(const core::PublicKey& key) const;

  // e = SM3(Z_A || message): the value SM2 signs and verifies. Thread-safe.
  core::Hash32 Sm2Digest(const core::PublicKey& key, core::ByteView message) const;
};

}  // namespace baylink::crypto::internal
