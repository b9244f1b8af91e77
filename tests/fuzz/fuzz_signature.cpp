// SPDX-License-Identifier: Apache-2.0
//
// Input byte 0 picks the suite and what is fuzzed: the signature over a fixed message with a
// fixed key, or a public key and signature together, or (sm) a DER signature. Properties:
// no crash; for ecdsa, whose signatures are unique (RFC 6979, low-s, fixed v), only the
// one true signature verifies.
#include <memory>

#include "baylink/crypto/suites.h"
#include "fuzz_common.h"

namespace {
using namespace baylink::core;

class FixedRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(m_next++ * 31 + 7);
  }

 private:
  std::uint8_t m_next = 1;
};

struct Fixture {
  std::unique_ptr<CryptoSuite> sm = baylink::crypto::MakeSuite(SuiteId::kSm);
  std::unique_ptr<CryptoSuite> ecdsa = baylink::crypto::MakeSuite(SuiteId::kEcdsa);
  FixedRandom rng;
  KeyPair sm_key = sm->GenerateKey(rng);
  KeyPair ecdsa_key = ecdsa->GenerateKey(rng);
  Bytes message = ToBytes("baylink fuzz message");
  Bytes ecdsa_sig = ecdsa->Sign(ecdsa_key.secret, message).value();
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture f;
  if (size < 1) return 0;
  const ByteView rest(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      if (f.ecdsa->Verify(f.ecdsa_key.public_key, f.message, rest)) {
        baylink::fuzz::Require(Bytes(rest.begin(), rest.end()) == f.ecdsa_sig,
                               "only the true ecdsa signature verifies");
      }
      break;
    case 1:
      (void)f.sm->Verify(f.sm_key.public_key, f.message, rest);
      break;
    case 2:
    case 3: {
      const CryptoSuite& suite = data[0] % 5 == 2 ? *f.sm : *f.ecdsa;
      if (rest.size() < 64) return 0;
      PublicKey key;
      std::memcpy(key.bytes.data(), rest.data(), 64);
      (void)suite.ValidatePublicKey(key);
      (void)suite.Verify(key, f.message, rest.subspan(64));
      (void)suite.Recover(f.message, rest.subspan(64));
      break;
    }
    case 4: {
      auto rs = baylink::crypto::Sm2SignatureFromDer(rest);
      if (rs) {
        auto der = baylink::crypto::Sm2SignatureToDer(*rs);
        baylink::fuzz::Require(der.has_value() && *der == Bytes(rest.begin(), rest.end()),
                               "accepted DER is the canonical DER of its r||s");
      }
      break;
    }
  }
  return 0;
}
