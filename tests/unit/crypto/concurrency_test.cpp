// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "crypto_test_util.h"
#include "test_random.h"

namespace baylink::crypto::testing {
namespace concurrency_test {
namespace {

TEST_CASE("Botan's locked allocation pool, which serialises its threads, is off by default") {
  // Set as the crypto library loads, unless the environment set it first (CTest does not).
  const char* pool = std::getenv("BOTAN_MLOCK_POOL_SIZE");
  REQUIRE(pool != nullptr);
  CHECK(std::string(pool) == "0");
}

TEST_CASE("one suite instance signs, verifies and hashes correctly from four threads at once") {
  constexpr int kThreads = 4;
  constexpr int kRounds = 12;
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const core::CryptoSuite& suite = *s.suite;
    // Shared inputs with answers computed on this thread first.
    TestRandom rng(Seed());
    const core::KeyPair shared = suite.GenerateKey(rng);
    const core::Bytes shared_msg{7, 7, 7};
    const core::Bytes shared_sig = *suite.Sign(shared.secret, shared_msg);
    core::Bytes blob(1000);
    rng.Fill(blob);
    const core::Hash32 blob_hash = suite.Hash(blob);

    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        TestRandom local(Seed() + 1 + static_cast<std::uint64_t>(t));
        for (int i = 0; i < kRounds; ++i) {
          const core::KeyPair kp = suite.GenerateKey(local);
          core::Bytes msg(20 + i);
          local.Fill(msg);
          auto sig = suite.Sign(kp.secret, msg);
          if (!sig || !suite.Verify(kp.public_key, msg, *sig)) ++failures;
          // A signature by another thread's key must not verify (catches shared caches).
          if (sig && suite.Verify(shared.public_key, msg, *sig)) ++failures;
          if (!suite.Verify(shared.public_key, shared_msg, shared_sig)) ++failures;
          if (suite.Hash(blob) != blob_hash) ++failures;
          if (*suite.DerivePublicKey(kp.secret) != kp.public_key) ++failures;
        }
      });
    }
    for (std::thread& th : threads) th.join();
    CHECK(failures.load() == 0);
  }
}

TEST_CASE("signing with keys that take turns, on several threads, signs with each one's own key") {
  // Suites remember the signers of recent keys (sm: the public key for Z_A, Botan's signer
  // per thread); more keys than they remember, taking turns, must each sign as themselves.
  constexpr int kThreads = 3;
  constexpr int kKeys = 11;
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const core::CryptoSuite& suite = *s.suite;
    TestRandom rng(Seed());
    std::vector<core::KeyPair> keys;
    for (int k = 0; k < kKeys; ++k) keys.push_back(suite.GenerateKey(rng));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 3 * kKeys; ++i) {
          // Each thread walks the keys in its own order, repeating some back to back.
          const std::size_t k = static_cast<std::size_t>((i / 2) * (t + 1) + t) % kKeys;
          const core::Bytes msg{static_cast<std::uint8_t>(t), static_cast<std::uint8_t>(i)};
          auto sig = suite.Sign(keys[k].secret, msg);
          if (!sig || !suite.Verify(keys[k].public_key, msg, *sig)) ++failures;
          if (sig && suite.Verify(keys[(k + 1) % kKeys].public_key, msg, *sig)) ++failures;
        }
      });
    }
    for (std::thread& th : threads) th.join();
    CHECK(failures.load() == 0);
  }
}

}  // namespace
}  // namespace concurrency_test
}  // namespace baylink::crypto::testing
