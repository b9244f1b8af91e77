// SPDX-License-Identifier: Apache-2.0
#include "baylink/crypto/suites.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "internal.h"

namespace baylink::crypto {

// The default SM2 backend: the fastest of those that pass every vector, mutation and interop
// test in tests/unit/crypto (all three do). Measured with bench/crypto_bench.cpp on the 2-core
// development machine, medians of 5 interleaved repetitions, verifications per second:
//   backend   same key (cached)   new key each time   sign
//   botan          4.05k               3.19k          1.82k
//   openssl        3.27k               2.70k          1.41k
//   gcrypt         0.85k               0.84k          0.21k
//   (raw OpenSSL EVP_DigestVerify with SM3 and the default id, key built once: 3.15k)
// Re-measure when a library is upgraded: OpenSSL 3.2+ has an assembly sm2p256v1 that
// should overtake Botan 2.
constexpr Sm2Backend kDefaultSm2Backend = Sm2Backend::kBotan;

std::unique_ptr<core::CryptoSuite> MakeSuite(core::SuiteId id) {
  switch (id) {
    case core::SuiteId::kEcdsa:
      return internal::NewEcdsaSuite();
    case core::SuiteId::kSm:
      return internal::NewSmSuite(kDefaultSm2Backend);
  }
  BAYLINK_ASSERT(false, "unknown SuiteId");
  return nullptr;
}

std::string_view Sm2BackendName(Sm2Backend backend) {
  switch (backend) {
    case Sm2Backend::kOpenSsl:
      return "openssl";
    case Sm2Backend::kBotan:
      return "botan";
    case Sm2Backend::kGcrypt:
      return "gcrypt";
  }
  return "unknown";
}

std::unique_ptr<core::CryptoSuite> MakeSmSuite(Sm2Backend backend) {
  return internal::NewSmSuite(backend);
}

void SystemRandom::Fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "baylink: getrandom(2) failed: %s; cannot draw key material\n",
                   std::strerror(errno));
      std::abort();
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace baylink::crypto

namespace baylink::crypto::internal {

core::KeyPair GenerateKeyPair(const core::CryptoSuite& suite, core::RandomSource& rng) {
  std::array<std::uint8_t, 32> raw{};
  for (;;) {
    rng.Fill(raw);
    auto secret = suite.ImportSecretKey(raw);  // the suite's own range check (0 < k < n ...)
    if (!secret) continue;
    std::memset(raw.data(), 0, raw.size());
    auto pub = suite.DerivePublicKey(*secret);
    BAYLINK_ASSERT(pub.has_value(), "an accepted secret key must derive a public key");
    return core::KeyPair{*secret, *pub};
  }
}

}  // namespace baylink::crypto::internal
