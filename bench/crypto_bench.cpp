// SPDX-License-Identifier: Apache-2.0
//
// Crypto suite benchmarks, each next to the raw library call it wraps, measured in the same
// run so the ratio survives a noisy machine:
//   ecdsa verify through the suite  vs  RawSecpVerify (secp256k1_ecdsa_verify, parsed inputs)
//   sm verify through each backend  vs  RawOpenSslSm2Verify (EVP_DigestVerify, key built once)
// Run: crypto_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <nettle/sha3.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"
#include "bench_support.h"

namespace {

using baylink::core::ByteView;
using baylink::core::Bytes;
using baylink::core::CryptoSuite;
using baylink::core::KeyPair;
using baylink::core::SuiteId;
using baylink::crypto::MakeSmSuite;
using baylink::crypto::MakeSuite;
using baylink::crypto::Sm2Backend;

using baylink::bench::BenchRandom;
using baylink::bench::Suite;

const CryptoSuite& SmOn(Sm2Backend backend) {
  static const auto openssl = MakeSmSuite(Sm2Backend::kOpenSsl);
  static const auto botan = MakeSmSuite(Sm2Backend::kBotan);
  static const auto gcrypt = MakeSmSuite(Sm2Backend::kGcrypt);
  switch (backend) {
    case Sm2Backend::kOpenSsl:
      return *openssl;
    case Sm2Backend::kBotan:
      return *botan;
    case Sm2Backend::kGcrypt:
      return *gcrypt;
  }
  return *openssl;
}

Bytes Message(std::size_t n) {
  Bytes m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return m;
}

struct SignedInput {
  KeyPair kp;
  Bytes message;
  Bytes signature;
};
SignedInput MakeSigned(const CryptoSuite& suite, BenchRandom& rng) {
  SignedInput s{suite.GenerateKey(rng), Message(32), {}};
  s.signature = *suite.Sign(s.kp.secret, s.message);
  return s;
}

// ---- hashing ------------------------------------------------------------------------

void BM_Hash(benchmark::State& state, SuiteId id) {
  const CryptoSuite& suite = Suite(id);
  const Bytes data = Message(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(suite.Hash(data));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK_CAPTURE(BM_Hash, ecdsa_keccak256, SuiteId::kEcdsa)->Arg(32)->Arg(64)->Arg(65)->Arg(1024);
BENCHMARK_CAPTURE(BM_Hash, sm_sm3, SuiteId::kSm)->Arg(32)->Arg(64)->Arg(65)->Arg(1024);

// SM3 through OpenSSL 3's EVP with a reused context: the alternative the sm suite measured
// against (it uses libgcrypt's SM3; libs/crypto/src/sm3.cpp says why).
void BM_RawOpenSslSm3(benchmark::State& state) {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const Bytes data = Message(static_cast<std::size_t>(state.range(0)));
  unsigned char out[32];
  unsigned int len = 0;
  for (auto _ : state) {
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, data.data(), data.size());
    EVP_DigestFinal_ex(ctx, out, &len);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawOpenSslSm3)->Arg(32)->Arg(65)->Arg(1024);

// The bound for Keccak-256 of up to 135 bytes: one Keccak-f[1600] permutation (nettle's).
void BM_RawNettleKeccakPermute(benchmark::State& state) {
  sha3_state st{};
  for (auto _ : state) {
    sha3_permute(&st);
    benchmark::DoNotOptimize(st.a[0]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawNettleKeccakPermute);

// ---- ecdsa --------------------------------------------------------------------------

void BM_EcdsaSign(benchmark::State& state) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(Suite(SuiteId::kEcdsa), rng);
  for (auto _ : state) benchmark::DoNotOptimize(Suite(SuiteId::kEcdsa).Sign(s.kp.secret, s.message));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaSign);

void BM_EcdsaVerify(benchmark::State& state) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(Suite(SuiteId::kEcdsa), rng);
  for (auto _ : state) {
    auto st = Suite(SuiteId::kEcdsa).Verify(s.kp.public_key, s.message, s.signature);
    if (!st) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaVerify);

void BM_EcdsaRecover(benchmark::State& state) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(Suite(SuiteId::kEcdsa), rng);
  for (auto _ : state) benchmark::DoNotOptimize(Suite(SuiteId::kEcdsa).Recover(s.message, s.signature));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaRecover);

// The raw bound: libsecp256k1 called directly on a parsed key and signature and a
// precomputed digest (no hashing, no parsing, no range checks).
struct RawSecp {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_pubkey key;
  secp256k1_ecdsa_signature sig;
  secp256k1_ecdsa_recoverable_signature rsig;
  std::array<std::uint8_t, 32> digest{};
  RawSecp() {
    BenchRandom rng;
    const SignedInput s = MakeSigned(Suite(SuiteId::kEcdsa), rng);
    std::array<std::uint8_t, 65> encoded{};
    encoded[0] = 0x04;
    std::memcpy(encoded.data() + 1, s.kp.public_key.data(), 64);
    if (secp256k1_ec_pubkey_parse(ctx, &key, encoded.data(), 65) != 1) std::abort();
    if (secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, s.signature.data(),
                                                            s.signature[64]) != 1) {
      std::abort();
    }
    secp256k1_ecdsa_recoverable_signature_convert(ctx, &sig, &rsig);
    const auto h = Suite(SuiteId::kEcdsa).Hash(s.message);
    std::memcpy(digest.data(), h.data(), 32);
  }
  ~RawSecp() { secp256k1_context_destroy(ctx); }
};

void BM_RawSecpVerify(benchmark::State& state) {
  RawSecp raw;
  for (auto _ : state) {
    if (secp256k1_ecdsa_verify(raw.ctx, &raw.sig, raw.digest.data(), &raw.key) != 1) {
      state.SkipWithError("raw verify failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSecpVerify);

void BM_RawSecpRecover(benchmark::State& state) {
  RawSecp raw;
  secp256k1_pubkey out;
  for (auto _ : state) {
    if (secp256k1_ecdsa_recover(raw.ctx, &out, &raw.rsig, raw.digest.data()) != 1) {
      state.SkipWithError("raw recover failed");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSecpRecover);

// ---- sm -----------------------------------------------------------------------------

void BM_SmSign(benchmark::State& state, Sm2Backend backend) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(SmOn(backend), rng);
  for (auto _ : state) benchmark::DoNotOptimize(SmOn(backend).Sign(s.kp.secret, s.message));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SmSign, openssl, Sm2Backend::kOpenSsl);
BENCHMARK_CAPTURE(BM_SmSign, botan, Sm2Backend::kBotan);
BENCHMARK_CAPTURE(BM_SmSign, gcrypt, Sm2Backend::kGcrypt);

// One key verified over and over: a validator's key, the common case (cache hit).
void BM_SmVerify(benchmark::State& state, Sm2Backend backend) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(SmOn(backend), rng);
  for (auto _ : state) {
    auto st = SmOn(backend).Verify(s.kp.public_key, s.message, s.signature);
    if (!st) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SmVerify, openssl, Sm2Backend::kOpenSsl);
BENCHMARK_CAPTURE(BM_SmVerify, botan, Sm2Backend::kBotan);
BENCHMARK_CAPTURE(BM_SmVerify, gcrypt, Sm2Backend::kGcrypt);

// 256 distinct keys in turn: more than the per-thread key caches hold, so nearly every
// verification builds its key object from raw bytes (the cost of a first-seen key).
void BM_SmVerifyColdKey(benchmark::State& state, Sm2Backend backend) {
  BenchRandom rng;
  std::vector<SignedInput> inputs;
  for (int i = 0; i < 256; ++i) inputs.push_back(MakeSigned(SmOn(backend), rng));
  std::size_t i = 0;
  for (auto _ : state) {
    const SignedInput& s = inputs[i++ % inputs.size()];
    auto st = SmOn(backend).Verify(s.kp.public_key, s.message, s.signature);
    if (!st) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SmVerifyColdKey, openssl, Sm2Backend::kOpenSsl);
BENCHMARK_CAPTURE(BM_SmVerifyColdKey, botan, Sm2Backend::kBotan);
BENCHMARK_CAPTURE(BM_SmVerifyColdKey, gcrypt, Sm2Backend::kGcrypt);

// The default sm suite (MakeSuite(kSm)), whichever backend it picked.
void BM_SmVerifyDefault(benchmark::State& state) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(Suite(SuiteId::kSm), rng);
  for (auto _ : state) {
    auto st = Suite(SuiteId::kSm).Verify(s.kp.public_key, s.message, s.signature);
    if (!st) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SmVerifyDefault);

// The raw OpenSSL bound: EVP_DigestVerify with SM3 and the standard id, on an EVP_PKEY
// built once; the EVP_MD_CTX is reused, the per-message init is what the API requires.
void BM_RawOpenSslSm2Verify(benchmark::State& state) {
  BenchRandom rng;
  const SignedInput s = MakeSigned(SmOn(Sm2Backend::kOpenSsl), rng);
  const auto pem = baylink::crypto::ExportPublicKeyPem(SuiteId::kSm, s.kp.public_key);
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  const Bytes der = *baylink::crypto::Sm2SignatureToDer(s.signature);
  EVP_MD_CTX* mctx = EVP_MD_CTX_new();
  static constexpr char kDistId[] = "1234567812345678";
  for (auto _ : state) {
    // The documented OpenSSL 3.0 way to set the SM2 id: on an EVP_PKEY_CTX handed to the
    // EVP_MD_CTX before EVP_DigestVerifyInit (what `openssl pkeyutl -pkeyopt distid:` does).
    EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    const bool ok =
        pctx != nullptr && EVP_PKEY_CTX_set1_id(pctx, kDistId, 16) == 1 &&
        EVP_DigestVerifyInit_ex(mctx, nullptr, "SM3", nullptr, nullptr, pkey, nullptr) == 1 &&
        EVP_DigestVerify(mctx, der.data(), der.size(), s.message.data(), s.message.size()) == 1;
    EVP_MD_CTX_set_pkey_ctx(mctx, nullptr);
    EVP_PKEY_CTX_free(pctx);
    if (!ok) {
      ERR_print_errors_fp(stderr);
      state.SkipWithError("raw OpenSSL SM2 verify failed");
      break;
    }
  }
  EVP_MD_CTX_free(mctx);
  EVP_PKEY_free(pkey);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawOpenSslSm2Verify);

}  // namespace

BENCHMARK_MAIN();
