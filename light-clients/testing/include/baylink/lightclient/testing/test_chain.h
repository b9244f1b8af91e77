// SPDX-License-Identifier: Apache-2.0
//
// A test-chain generator for light-client tests and benchmarks (never for services): real
// validator keys and signatures over the suite the caller passes, headers chained by parent
// hash with the validators_hash / next_validators_hash of DESIGN §3-4, commit certificates,
// validator-set rotations, forks, and the building blocks of crafted attacks.
//
// Determinism: keys come from the RandomSource the caller passes (a seeded TestRandom in the
// tests), and so do the roots of blocks made without explicit roots. Signatures are
// deterministic for ecdsa (RFC 6979) and randomised for sm; nothing a test asserts depends
// on the signature bytes.
//
// Misuse (asking for a height never produced, an index outside a set, a signing failure) is
// a bug in the test and aborts through BAYLINK_ASSERT.
//
// Thread safety: a TestChain is not safe for concurrent use; its const methods are.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"
#include "baylink/lightclient/state.h"

namespace baylink::lightclient::testing {

struct TestValidator {
  core::KeyPair key;
  std::uint64_t power = 0;
};
using TestValidators = std::vector<TestValidator>;

// The ValidatorSet of `validators`, in their order. Asserts that it is valid.
core::ValidatorSet ToSet(const TestValidators& validators);
// `count` validators with fresh keys from `rng`, each of power `power`.
TestValidators MakeValidators(const core::CryptoSuite& suite, core::RandomSource& rng,
                              std::size_t count, std::uint64_t power = 10);

// `time` as the clock type the light client's `now` takes.
std::chrono::system_clock::time_point ToSystemTime(Timestamp time);

class TestChain {
 public:
  struct Options {
    std::string chain_id = "hk";
    std::uint64_t first_height = 1;
    Timestamp genesis_time = Timestamp(std::chrono::milliseconds(1'700'000'000'000));
    std::chrono::milliseconds block_interval{1000};
  };

  // A chain whose first header (at options.first_height) is signed by `validators`, which
  // also sign the next header unless the pending set is changed first. The suite and rng
  // must outlive the chain.
  TestChain(const core::CryptoSuite& suite, core::RandomSource& rng, TestValidators validators,
            Options options);
  TestChain(const core::CryptoSuite& suite, core::RandomSource& rng, TestValidators validators)
      : TestChain(suite, rng, std::move(validators), Options{}) {}

  const core::CryptoSuite& suite() const { return m_suite; }
  const std::string& chain_id() const { return m_options.chain_id; }
  std::uint64_t first_height() const { return m_options.first_height; }
  std::uint64_t latest_height() const;

  // The header produced at `height` with its full certificate and signing set.
  const SignedHeader& At(std::uint64_t height) const;
  const SignedHeader& Genesis() const { return At(first_height()); }
  const SignedHeader& Latest() const { return At(latest_height()); }
  // The validators (with keys) that signed `height`.
  const TestValidators& ValidatorsAt(std::uint64_t height) const;
  // The time of the header at `height`, as a `now` for the light client.
  std::chrono::system_clock::time_point TimeOf(std::uint64_t height) const;

  // ---- rotations ----------------------------------------------------------------------
  // The pending set: the next header (latest_height() + 1) names it as next_validators_hash,
  // so it signs latest_height() + 2 onwards. Each call edits it.
  const TestValidators& pending() const { return m_pending; }
  void AddValidator(std::uint64_t power);   // a fresh key, appended
  void RemoveValidator(std::size_t index);  // by index in the pending set
  void Reweight(std::size_t index, std::uint64_t power);
  void ReplaceAll(const std::vector<std::uint64_t>& powers);  // every key fresh

  // ---- producing headers --------------------------------------------------------------
  struct Block {
    std::chrono::milliseconds interval{0};  // after the previous header; 0: block_interval
    std::optional<core::Hash32> tx_root;    // default: random
    std::optional<core::Hash32> receipt_root;
    std::optional<core::Hash32> state_root;
    std::optional<std::vector<std::size_t>> signers;  // indices that sign; default: all
    std::uint32_t round = 0;
  };
  // Produces latest_height() + 1, signed by the set the previous header named.
  const SignedHeader& Advance();
  const SignedHeader& Advance(const Block& block);

  // ---- crafting -----------------------------------------------------------------------
  // `header` with a certificate of `validators[i]` for each i in `signers` (all when empty)
  // at `round`, and the set of `validators`. Checks nothing: the way to build attacks
  // (sign another chain's header, a future header, a header with a wrong set, ...).
  SignedHeader Sign(const core::BlockHeader& header, const TestValidators& validators,
                    std::span<const std::size_t> signers = {}, std::uint32_t round = 0) const;
  // A header conflicting with At(height): the same but for `state_root` (so another hash),
  // signed by every validator of that height: the equivocation a fork needs.
  SignedHeader Fork(std::uint64_t height, const core::Hash32& state_root) const;

  // Client params for this chain: default trust threshold, the given periods.
  ClientParams Params(std::chrono::milliseconds trusting_period = std::chrono::hours(24 * 14),
                      std::chrono::milliseconds max_clock_drift = std::chrono::seconds(10)) const;

 private:
  core::Hash32 RandomHash();
  TestValidator FreshValidator(std::uint64_t power);
  const SignedHeader& Produce(const Block& block);

  const core::CryptoSuite& m_suite;
  core::RandomSource& m_rng;
  Options m_options;
  std::vector<SignedHeader> m_headers;    // index: height - first_height
  std::vector<TestValidators> m_signers;  // the set that signed each header
  TestValidators m_next;                  // named by the latest header: signs the next one
  TestValidators m_pending;               // to be named by the next header
};

// ---- attacks: edits of a signed header that keep everything else intact -----------------

// Repeats signatures[position] right after itself (possible in memory only: the wire
// decoder refuses repeated indices).
SignedHeader WithRepeatedSigner(SignedHeader signed_header, std::size_t position);
// Appends a copy of the last signature under the index `validators.size()`: a signer the set
// does not have.
SignedHeader WithSignerOutsideSet(SignedHeader signed_header);
// Keeps only the signatures at `positions` (in the certificate's order).
SignedHeader WithSignatures(SignedHeader signed_header, std::span<const std::size_t> positions);
// Flips one bit of the signature at `position`.
SignedHeader WithCorruptSignature(SignedHeader signed_header, std::size_t position);

}  // namespace baylink::lightclient::testing
