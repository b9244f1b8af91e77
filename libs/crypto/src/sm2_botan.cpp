// SPDX-License-Identifier: Apache-2.0
//
// SM2 on Botan 2. Botan reports failures by throwing; every Botan call is inside a
// try/catch in this file, which turns exceptions into Results (libraries do not throw).
#include <botan/bigint.h>
#include <botan/ec_group.h>
#include <botan/mem_ops.h>
#include <botan/pubkey.h>
#include <botan/sm2.h>
#include <botan/system_rng.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>

#include "sm2_engine.h"

namespace baylink::crypto::internal {
namespace {

using core::Errc;
using core::Fail;

// Botan's SM2 parameter string is "<user id>,<hash>". With hash "Raw" the operation takes
// the digest e as its input and the user id is unused: the suite computes e = SM3(Z_A || M)
// itself, the same way for every engine.
// WARNING: SM2 user id handling. Botan's default for an *empty* parameter string is an empty
// user id, not "1234567812345678"; never pass "" here or to any Botan SM2 call.
constexpr const char* kRawDigestParams = "1234567812345678,Raw";

// Botan 2 serves its secure allocations (the words of every BigInt, so every point operation)
// from an mlock'ed pool behind one process-wide mutex. Two threads verifying at once ran at
// 1.4x one thread (5.2k/s against 3.7k/s on this 2-core machine); without the pool, at 2x
// (7.7k/s), and a dev node committed 26% more sm transactions per second. Botan sizes the pool from
// BOTAN_MLOCK_POOL_SIZE (KiB) when it first allocates, so this sets it to 0 as the program
// loads, before main and before any thread, unless the environment already says. What is
// given up: Botan's temporaries (including a signing key's scalar while it signs) may be
// swapped out like the rest of the heap; run validators without swap, or with encrypted
// swap, or set BOTAN_MLOCK_POOL_SIZE to keep the pool.
[[maybe_unused]] const bool kPoolSizeSet = [] {
  return ::setenv("BOTAN_MLOCK_POOL_SIZE", "0", /*overwrite=*/0) == 0;
}();

std::array<std::uint8_t, 65> Uncompressed(const core::PublicKey& key) {
  std::array<std::uint8_t, 65> out{};
  out[0] = 0x04;
  std::memcpy(out.data() + 1, key.data(), 64);
  return out;
}

// Per thread, the PK_Verifier of recently seen keys. Making one decodes and checks the point
// and precomputes multiples of G and the key for the double-scalar multiplication: about a
// fifth of one verification (BM_SmVerify/botan 4.05k/s against BM_SmVerifyColdKey/botan
// 3.19k/s), and the same validator keys recur. A PK_Verifier holds
// per-message state, so it cannot be shared between threads.
class VerifierCache {
 public:
  static constexpr std::size_t kSlots = 32;

  // The verifier for `key`; throws what Botan throws (caught by the caller).
  Botan::PK_Verifier& Get(const Botan::EC_Group& group, const core::PublicKey& key) {
    Slot& slot = m_slots[(key.bytes[31] ^ key.bytes[63]) % kSlots];
    if (slot.verifier != nullptr && slot.key == key) return *slot.verifier;
    slot.verifier.reset();
    const auto encoded = Uncompressed(key);
    // OS2ECP throws Decoding_Error or Invalid_Argument when the point is not on the curve.
    const Botan::PointGFp point = group.OS2ECP(encoded.data(), encoded.size());
    const Botan::SM2_PublicKey public_key(group, point);
    slot.verifier = std::make_unique<Botan::PK_Verifier>(public_key, kRawDigestParams,
                                                         Botan::IEEE_1363);
    slot.key = key;
    return *slot.verifier;
  }

 private:
  struct Slot {
    core::PublicKey key;
    std::unique_ptr<Botan::PK_Verifier> verifier;
  };
  std::array<Slot, kSlots> m_slots;
};

class BotanSm2Engine final : public Sm2Engine {
 public:
  BotanSm2Engine() : m_group("sm2p256v1") {}

  core::Result<core::Bytes> SignDigest(const core::SecretKey& secret,
                                       const core::PublicKey& /*public_key*/,
                                       const core::Hash32& e) const override {
    try {
      // Per thread, the signer of the last secret that signed: making one derives the
      // public point and precomputes (1 + d)^-1, which cost about as much as a signature,
      // and a validator or relayer signs with one key again and again.
      struct LastSigner {
        Botan::secure_vector<std::uint8_t> secret;
        Botan::System_RNG rng;  // reads getrandom(2) on each call
        std::unique_ptr<Botan::SM2_PrivateKey> key;
        std::unique_ptr<Botan::PK_Signer> signer;
      };
      thread_local LastSigner last;
      const core::ByteView raw = secret.Reveal();
      if (last.signer == nullptr || last.secret.size() != raw.size() ||
          !Botan::constant_time_compare(last.secret.data(), raw.data(), raw.size())) {
        last.signer.reset();
        last.key.reset();
        last.secret.assign(raw.begin(), raw.end());
        const Botan::BigInt d(raw.data(), raw.size());
        last.key = std::make_unique<Botan::SM2_PrivateKey>(last.rng, m_group, d);
        last.signer = std::make_unique<Botan::PK_Signer>(*last.key, last.rng, kRawDigestParams,
                                                         Botan::IEEE_1363);
      }
      const std::vector<std::uint8_t> sig = last.signer->sign_message(e.data(), e.size(), last.rng);
      if (sig.size() != 64) {
        return Fail(Errc::kCryptoBackend,
                    "Botan SM2 signature has " + std::to_string(sig.size()) + " bytes, not 64");
      }
      return core::Bytes(sig.begin(), sig.end());
    } catch (const std::exception& ex) {
      return Fail(Errc::kCryptoBackend, std::string("Botan SM2 sign: ") + ex.what());
    }
  }

  core::Status VerifyDigest(const core::PublicKey& key, const core::Hash32& e,
                            core::ByteView r_s) const override {
    thread_local VerifierCache cache;
    Botan::PK_Verifier* verifier = nullptr;
    try {
      verifier = &cache.Get(m_group, key);
    } catch (const std::exception& ex) {
      return Fail(Errc::kBadPublicKey, "public key " + key.ToHex().substr(0, 18) +
                                           ".. is not a point on sm2p256v1 (" + ex.what() + ")");
    }
    try {
      if (verifier->verify_message(e.data(), e.size(), r_s.data(), r_s.size())) {
        return core::Ok();
      }
    } catch (const std::exception& ex) {
      return Fail(Errc::kBadSignature, std::string("Botan SM2 verify: ") + ex.what());
    }
    return Fail(Errc::kBadSignature, "SM2 signature does not verify for public key " +
                                         key.ToHex().substr(0, 18) + "..");
  }

 private:
  const Botan::EC_Group m_group;  // immutable after construction; shared by all threads
};

}  // namespace

std::unique_ptr<Sm2Engine> NewBotanSm2Engine() { return std::make_unique<BotanSm2Engine>(); }

}  // namespace baylink::crypto::internal
