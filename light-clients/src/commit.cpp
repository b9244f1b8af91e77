// SPDX-License-Identifier: Apache-2.0
//
// Commit certificate verification (commit.h). The order of the checks is the one commit.h
// lists: binding to the header, shape, claimed power, signatures. Everything before the
// signatures costs O(n log n) comparisons for n signatures; the signatures cost n
// verifications (about 0.3 ms each for SM2), so an attacker who cannot reach the power
// thresholds with the keys it names never gets us to verify anything.
#include "baylink/lightclient/commit.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "internal.h"

namespace baylink::lightclient {

using core::Errc;
using core::Fail;
using core::Hash32;
using core::Result;
using core::Status;

namespace {

std::string PowerMessage(std::uint64_t signed_power, std::uint64_t total,
                         std::uint64_t max_insufficient, std::string_view whose) {
  return "signers hold " + std::to_string(signed_power) + " of " + std::to_string(total) +
         " voting power" + std::string(whose) + "; more than " + std::to_string(max_insufficient) +
         " needed";
}

// Power of the trusted set's validators among `signer_keys`, each trusted validator counted
// once. Keys are matched exactly (never by index: the trusted set's order is unrelated to
// the header's).
std::uint64_t TrustedPowerOf(const core::ValidatorSet& trusted,
                             const std::vector<const core::PublicKey*>& signer_keys) {
  // Sorted (key, power) pairs of the trusted set; lookups by binary search. A hash map keyed
  // by attacker-chosen keys could be driven into collisions; a sorted array cannot.
  std::vector<std::pair<const core::PublicKey*, std::uint64_t>> sorted;
  sorted.reserve(trusted.size());
  for (const core::Validator& v : trusted.validators()) sorted.emplace_back(&v.public_key, v.power);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  std::vector<bool> counted(sorted.size(), false);
  std::uint64_t power = 0;
  for (const core::PublicKey* key : signer_keys) {
    auto it = std::lower_bound(
        sorted.begin(), sorted.end(), key,
        [](const auto& entry, const core::PublicKey* k) { return *entry.first < *k; });
    if (it == sorted.end() || *it->first != *key) continue;
    const auto slot = static_cast<std::size_t>(it - sorted.begin());
    // A valid header set holds each key once, so this never triggers; it keeps the count
    // right even if that guarantee were lost.
    if (counted[slot]) continue;
    counted[slot] = true;
    power += it->second;  // <= trusted.TotalPower() <= kMaxTotalPower: no overflow
  }
  return power;
}

}  // namespace

namespace detail {

Status CheckCertificateBinding(const core::CommitCertificate& certificate, std::uint64_t height,
                               const Hash32& header_hash) {
  // Height first: the cheaper comparison, and the more telling message when a relayer mixes
  // up heights.
  if (certificate.height != height) {
    return Fail(Errc::kInvalidArgument, "certificate is for height " +
                                            std::to_string(certificate.height) +
                                            ", the header is at height " + std::to_string(height));
  }
  if (certificate.header_hash != header_hash) {
    return Fail(Errc::kInvalidArgument,
                "certificate commits to header " + detail::Short(certificate.header_hash) +
                    ", but the header hashes to " + detail::Short(header_hash));
  }
  return core::Ok();
}

}  // namespace detail

Result<VoteTally> VerifyCommit(const core::CryptoSuite& suite, std::string_view chain_id,
                               std::uint64_t height, const Hash32& header_hash,
                               const core::CommitCertificate& certificate,
                               const core::ValidatorSet& validators, const TrustedOverlap* overlap,
                               const ParallelFor* parallel) {
  // 1. The certificate is for this header.
  BAYLINK_TRY(detail::CheckCertificateBinding(certificate, height, header_hash));

  // 2. Shape. `seen` marks indices already counted: the wire decoder refuses repeats, but
  //    a certificate built in memory may carry them and must not count a signer twice.
  const std::size_t n = certificate.signatures.size();
  const std::size_t signature_size = suite.SignatureSize();
  std::vector<bool> seen(validators.size(), false);
  std::vector<const core::PublicKey*> signer_keys;
  signer_keys.reserve(n);
  std::uint64_t claimed_power = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const core::CommitSignature& s = certificate.signatures[i];
    if (s.validator_index >= validators.size()) {
      return Fail(Errc::kMalformed, "certificate signature " + std::to_string(i) +
                                        " names validator " + std::to_string(s.validator_index) +
                                        "; the set has " + std::to_string(validators.size()) +
                                        " validators");
    }
    if (seen[s.validator_index]) {
      return Fail(Errc::kDuplicate, "certificate names validator " +
                                        std::to_string(s.validator_index) +
                                        " more than once; each signer counts once");
    }
    if (s.signature.size() != signature_size) {
      return Fail(Errc::kBadSignature, "signature of validator " +
                                           std::to_string(s.validator_index) + " is " +
                                           std::to_string(s.signature.size()) + " bytes; the " +
                                           std::string(suite.Name()) + " suite signs with " +
                                           std::to_string(signature_size));
    }
    seen[s.validator_index] = true;
    const core::Validator& v = validators.validators()[s.validator_index];
    claimed_power += v.power;  // distinct validators: <= TotalPower() <= kMaxTotalPower
    signer_keys.push_back(&v.public_key);
  }

  // 3. Claimed power, before any signature is verified. The header's own set first (DESIGN
  //    §3: more than 2/3), since it is always required; then the trusted set.
  VoteTally tally;
  tally.total_power = validators.TotalPower();
  tally.signed_power = claimed_power;
  // 3 * signed > 2 * total, in u128 (both sides < 2^62 anyway, as total <= 2^60).
  if (core::u128{claimed_power} * 3 <= core::u128{tally.total_power} * 2) {
    return Fail(
        Errc::kInsufficientPower,
        PowerMessage(claimed_power, tally.total_power,
                     static_cast<std::uint64_t>(core::u128{tally.total_power} * 2 / 3), ""));
  }
  if (overlap != nullptr) {
    tally.trusted_total_power = overlap->validators.TotalPower();
    tally.trusted_signed_power = TrustedPowerOf(overlap->validators, signer_keys);
    if (!overlap->threshold.IsExceededBy(tally.trusted_signed_power, tally.trusted_total_power)) {
      return Fail(Errc::kInsufficientTrust,
                  PowerMessage(tally.trusted_signed_power, tally.trusted_total_power,
                               overlap->threshold.MaxInsufficient(tally.trusted_total_power),
                               " of the trusted validator set (trust threshold " +
                                   overlap->threshold.ToString() + ")"));
    }
  }

  // 4. Signatures: all of them (commit.h says why), in parallel when the caller lends an
  //    executor. Each slot is written by one call only.
  const Hash32 digest =
      core::CommitVoteDigest(suite, chain_id, height, certificate.round, header_hash);
  std::vector<Status> results(n);
  const auto verify_one = [&](std::size_t i) {
    results[i] = suite.Verify(*signer_keys[i], digest.view(), certificate.signatures[i].signature);
  };
  if (parallel != nullptr && n > 1) {
    parallel->Run(n, verify_one);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      verify_one(i);
      if (!results[i]) break;  // sequential: the first failure is the lowest one
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!results[i]) {
      const std::uint32_t index = certificate.signatures[i].validator_index;
      return Fail(results[i].error().code, "signature of validator " + std::to_string(index) +
                                               " (key " + signer_keys[i]->ToHex().substr(0, 10) +
                                               "..) does not verify: " + results[i].error().detail);
    }
    ++tally.signatures_verified;
  }
  return tally;
}

}  // namespace baylink::lightclient
