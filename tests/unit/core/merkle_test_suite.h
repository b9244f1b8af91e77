// SPDX-License-Identifier: Apache-2.0
//
// Hash suites for the Merkle tree tests: the two real suites (sm: SM3, ecdsa: Keccak-256) and
// a fast test-only mixing function, so the large randomised runs stay quick while every tree
// behaviour is also checked over the hashes the chains use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"

namespace baylink::testing {

// A deterministic 256-bit mixing function over the concatenation of the parts. Not a
// cryptographic hash: distinct inputs of the tests give distinct outputs with overwhelming
// probability, which is all the tree code needs from it. Only HashParts works.
class MixHashSuite final : public core::CryptoSuite {
 public:
  // There is no test suite id; nothing in the tree code reads it.
  core::SuiteId Id() const override { return core::SuiteId::kSm; }

  core::Hash32 HashParts(std::span<const core::ByteView> parts) const override {
    std::uint64_t lanes[4] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                              0xa54ff53a5f1d36f1ULL};
    std::uint64_t word = 0;
    std::uint64_t length = 0;
    for (const core::ByteView part : parts) {
      for (const std::uint8_t byte : part) {
        word = (word << 8) | byte;
        if (++length % 8 == 0) {
          Absorb(lanes, word);
          word = 0;
        }
      }
    }
    Absorb(lanes, word);
    Absorb(lanes, length);  // so inputs that differ only by trailing zero bytes differ
    for (int round = 0; round < 2; ++round) Absorb(lanes, lanes[0] ^ lanes[2]);
    core::Hash32 out;
    for (int lane = 0; lane < 4; ++lane) {
      for (int b = 0; b < 8; ++b) {
        out.bytes[static_cast<std::size_t>(lane * 8 + b)] =
            static_cast<std::uint8_t>(lanes[lane] >> (56 - 8 * b));
      }
    }
    return out;
  }

  std::size_t SignatureSize() const override { return 64; }
  core::KeyPair GenerateKey(core::RandomSource&) const override { return {}; }
  core::Result<core::SecretKey> ImportSecretKey(core::ByteView) const override {
    return Unsupported();
  }
  core::Result<core::PublicKey> DerivePublicKey(const core::SecretKey&) const override {
    return Unsupported();
  }
  core::Status ValidatePublicKey(const core::PublicKey&) const override { return Unsupported(); }
  core::Result<core::Bytes> Sign(const core::SecretKey&, core::ByteView) const override {
    return Unsupported();
  }
  core::Status Verify(const core::PublicKey&, core::ByteView, core::ByteView) const override {
    return Unsupported();
  }
  core::Result<core::PublicKey> Recover(core::ByteView, core::ByteView) const override {
    return Unsupported();
  }

 private:
  static std::uint64_t Mix(std::uint64_t z) {  // the splitmix64 finaliser, a bijection
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static void Absorb(std::uint64_t (&lanes)[4], std::uint64_t word) {
    const std::uint64_t carry = lanes[3];
    for (int i = 3; i > 0; --i)
      lanes[i] = Mix(lanes[i] ^ word ^ lanes[i - 1]) +
                 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(i);
    lanes[0] = Mix(lanes[0] ^ word ^ carry);
  }
  static core::Error Unsupported() {
    return core::Fail(core::Errc::kUnsupported, "the test mixing suite only hashes");
  }
};

struct NamedSuite {
  std::string name;
  std::unique_ptr<core::CryptoSuite> suite;
};

// The suites every tree test runs over, made once per process (making a real suite fetches
// library contexts).
inline const std::vector<NamedSuite>& TreeTestSuites() {
  static const std::vector<NamedSuite> suites = [] {
    std::vector<NamedSuite> out;
    out.push_back({"test-mix", std::make_unique<MixHashSuite>()});
    out.push_back({"sm", crypto::MakeSuite(core::SuiteId::kSm)});
    out.push_back({"ecdsa", crypto::MakeSuite(core::SuiteId::kEcdsa)});
    return out;
  }();
  return suites;
}

}  // namespace baylink::testing
