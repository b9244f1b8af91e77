// SPDX-License-Identifier: Apache-2.0
//
// The crypto suite interface (DESIGN §3). A chain fixes its suite at genesis:
//  - "sm":    hash SM3, signatures SM2 with the default user id "1234567812345678";
//  - "ecdsa": hash Keccak-256 (Ethereum padding), signatures secp256k1 ECDSA.
// The interface lives in core so that pure code (light clients, contracts) can take a suite
// as a parameter without linking any crypto library; libs/crypto implements it
// (baylink/crypto/suites.h makes the instances).
//
// Thread safety: every method is const and safe to call from many threads at once on one
// instance.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"

namespace baylink::core {

enum class SuiteId : std::uint8_t { kSm = 1, kEcdsa = 2 };

// "sm" / "ecdsa".
std::string_view SuiteName(SuiteId id);
// Errors: kInvalidArgument naming the accepted values.
Result<SuiteId> ParseSuiteId(std::string_view name);

// A 32-byte secret scalar, wiped when destroyed. Holding one says nothing about validity:
// CryptoSuite::ImportSecretKey checks 0 < k < n for the suite's curve.
class SecretKey {
 public:
  SecretKey() = default;
  explicit SecretKey(const std::array<std::uint8_t, 32>& bytes) : m_bytes(bytes) {}
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();

  ByteView Reveal() const { return ByteView(m_bytes.data(), m_bytes.size()); }

 private:
  std::array<std::uint8_t, 32> m_bytes{};
};

struct KeyPair {
  SecretKey secret;
  PublicKey public_key;
};

// A source of random bytes; services get one from main, tests a seeded one.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out`. Requires: the source cannot fail (an OS source aborts if the kernel refuses).
  virtual void Fill(std::span<std::uint8_t> out) = 0;
};

class CryptoSuite {
 public:
  virtual ~CryptoSuite() = default;

  virtual SuiteId Id() const = 0;
  std::string_view Name() const { return SuiteName(Id()); }

  // H over the concatenation of `parts` (no separators: callers that need domain separation
  // put a prefix byte or tag in the parts).
  virtual Hash32 HashParts(std::span<const ByteView> parts) const = 0;
  Hash32 Hash(ByteView data) const { return HashParts(std::span<const ByteView>(&data, 1)); }
  Hash32 Hash(std::initializer_list<ByteView> parts) const {
    return HashParts(std::span<const ByteView>(parts.begin(), parts.size()));
  }

  // Size of a signature in bytes: 64 (sm: r||s) or 65 (ecdsa: r||s||v).
  virtual std::size_t SignatureSize() const = 0;

  // A fresh key pair from `rng` (retries internally until the scalar is in range).
  virtual KeyPair GenerateKey(RandomSource& rng) const = 0;
  // Errors: kBadLength (not 32 bytes), kBadSecretKey (zero or >= group order).
  virtual Result<SecretKey> ImportSecretKey(ByteView raw) const = 0;
  // Errors: kBadSecretKey.
  virtual Result<PublicKey> DerivePublicKey(const SecretKey& secret) const = 0;
  // Errors: kBadPublicKey when the point is not on the curve.
  virtual Status ValidatePublicKey(const PublicKey& key) const = 0;

  // Signs `message` (any length; the suite hashes it: Keccak-256 for ecdsa,
  // SM3(Z_A || M) for sm). Deterministic for ecdsa (RFC 6979); randomised for sm.
  // Errors: kBadSecretKey, kCryptoBackend.
  virtual Result<Bytes> Sign(const SecretKey& secret, ByteView message) const = 0;
  // Errors: kBadLength (signature size), kBadPublicKey, kBadSignature (malformed, high-s,
  // r or s out of range, recovery id inconsistent, or simply does not verify).
  virtual Status Verify(const PublicKey& key, ByteView message, ByteView signature) const = 0;
  // The signer's key from a signature (ecdsa only). Errors: kUnsupported on sm, and those of
  // Verify.
  virtual Result<PublicKey> Recover(ByteView message, ByteView signature) const = 0;

  // DESIGN §3: the last 20 bytes of H(X || Y).
  Address ToAddress(const PublicKey& key) const;
};

}  // namespace baylink::core
