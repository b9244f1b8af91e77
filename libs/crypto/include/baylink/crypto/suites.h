// SPDX-License-Identifier: Apache-2.0
//
// The crypto suites of DESIGN §3 and the helpers that let them talk to other tools.
//
//  - "ecdsa": Keccak-256 (Ethereum padding 0x01..0x80, rate 136), secp256k1 ECDSA through
//    libsecp256k1. Signatures are 65 bytes r || s || v with v in {0, 1}; signing is RFC 6979
//    and always low-s; verification rejects high-s and a v that does not recover the key.
//  - "sm": SM3 and SM2 (GB/T 32905, GB/T 32918) with the default user id
//    "1234567812345678". Signatures are 64 bytes r || s, big-endian; signing is randomised.
//
// Every suite returned here is safe to use from many threads at once (core/suite.h). No
// third-party header is visible from this file: the libraries stay private to libs/crypto.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::crypto {

// The suite for `id` with its default backend: the fastest one that passes every published
// vector (for sm, see MakeSmSuite and bench/crypto_bench.cpp for the measurement behind the
// choice). Never null. Construction fetches algorithms and builds library contexts once, so
// make one suite per process (or per chain) and share it; it is cheap to call, not to make.
// Thread safety: may be called from any thread; the returned suite is thread-safe.
std::unique_ptr<core::CryptoSuite> MakeSuite(core::SuiteId id);

// The SM2 implementations the sm suite can run on. They agree on every input (the tests run
// each vector and mutation against all three); they differ in speed only.
enum class Sm2Backend : std::uint8_t {
  kOpenSsl = 1,  // OpenSSL 3 EVP "SM2" provider
  kBotan = 2,    // Botan 2 (botan/sm2.h)
  kGcrypt = 3,   // libgcrypt 1.10, curve sm2p256v1
};

// "openssl" / "botan" / "gcrypt".
std::string_view Sm2BackendName(Sm2Backend backend);

// The sm suite on a chosen SM2 backend; the hash is SM3 (OpenSSL EVP) for every backend.
// Never null. For comparing implementations in tests and benchmarks; services use MakeSuite.
// Thread safety: as MakeSuite.
std::unique_ptr<core::CryptoSuite> MakeSmSuite(Sm2Backend backend);

// Randomness from the operating system (getrandom(2)). Aborts the process if the kernel
// refuses: a node that cannot draw key material must not go on with a weaker source.
// Thread safety: Fill may be called from many threads at once.
class SystemRandom final : public core::RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override;
};

// ---- interop with other tools (PEM keys, DER signatures) ----------------------------------
// These exist so that keys and signatures can be checked with the `openssl` command line and
// exchanged with software that speaks PKCS#8 / SubjectPublicKeyInfo / DER. The node itself
// stores and sends the raw forms of core/bytes.h.

// PKCS#8 "PRIVATE KEY" PEM of `secret`: an id-ecPublicKey key on secp256k1 (ecdsa) or on
// SM2 (sm: the key type OpenSSL calls "SM2", accepted by `openssl pkeyutl`). The public key
// is included. WARNING: the output is the unencrypted secret; the caller owns its handling.
// Errors: kBadSecretKey (out of range for the suite's curve), kCryptoBackend.
// Thread safety: any thread.
core::Result<std::string> ExportSecretKeyPem(core::SuiteId suite, const core::SecretKey& secret);

// SubjectPublicKeyInfo "PUBLIC KEY" PEM of `key` on the suite's curve (uncompressed point).
// Errors: kBadPublicKey (not on the curve), kCryptoBackend. Thread safety: any thread.
core::Result<std::string> ExportPublicKeyPem(core::SuiteId suite, const core::PublicKey& key);

// The 64-byte X || Y of a "PUBLIC KEY" PEM (SubjectPublicKeyInfo), which must be an EC key on
// the suite's curve (secp256k1 for ecdsa; SM2 for sm).
// Errors: kMalformed (not a PEM public key), kUnsupported (another algorithm or curve),
// kBadPublicKey (the point does not decode to a point on the curve).
// Thread safety: any thread.
core::Result<core::PublicKey> ImportPublicKeyPem(core::SuiteId suite, std::string_view pem);

// DER SEQUENCE { INTEGER r, INTEGER s } (the SM2Signature of GB/T 35276 and the
// ECDSA-Sig-Value of RFC 5480, which have the same shape) of a 64-byte r || s. For an ecdsa
// signature pass its first 64 bytes; v has no DER form.
// Errors: kBadLength (not 64 bytes). Thread safety: any thread.
core::Result<core::Bytes> Sm2SignatureToDer(core::ByteView r_s);

// The 64-byte r || s of a DER signature, parsed strictly (exactly one encoding is accepted):
// Errors: kTruncated (ends inside a header or a value), kMalformed (not a SEQUENCE of two
// INTEGERs, or a negative INTEGER), kNonCanonical (a long-form or indefinite length where the
// short form fits, or an INTEGER with a redundant leading 0x00), kTrailingBytes (bytes after
// the SEQUENCE or inside it after s), kBadSignature (r or s longer than 32 bytes). Range
// checks against the group order are Verify's job.
// Thread safety: any thread.
core::Result<core::Bytes> Sm2SignatureFromDer(core::ByteView der);

}  // namespace baylink::crypto
