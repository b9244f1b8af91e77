// SPDX-License-Identifier: Apache-2.0
//
// Verification of one commit certificate (DESIGN §3): the signers of a header, their power
// in the header's own validator set and, for a header that skips heights, in a set the
// caller already trusts. Update and misbehaviour both go through VerifyCommit; it is public
// so that a node catching up (DESIGN §4) checks certificates the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"
#include "baylink/lightclient/parallel.h"
#include "baylink/lightclient/state.h"

namespace baylink::lightclient {

// A trusted validator set and the share of its power that must have signed.
struct TrustedOverlap {
  const core::ValidatorSet& validators;
  TrustThreshold threshold;
};

// What a verified certificate established.
struct VoteTally {
  std::uint64_t signed_power = 0;          // of the header's own set
  std::uint64_t total_power = 0;           // of the header's own set
  std::uint64_t trusted_signed_power = 0;  // of the trusted set (0 without an overlap)
  std::uint64_t trusted_total_power = 0;   // of the trusted set (0 without an overlap)
  std::size_t signatures_verified = 0;
};

// Checks that `certificate` commits the header of `chain_id` at `height` whose recomputed
// hash is `header_hash`, signed by more than 2/3 of the power of `validators` (the header's
// own set, already checked against header.validators_hash by the caller) and, when `overlap`
// is given, by validators holding more than overlap.threshold of overlap.validators' power
// (matched by public key: the same key, whatever its index or power in the header's set).
//
// Checks, in this order (cheap before expensive, so that a forged certificate costs the
// verifier as little as possible):
//   1. the certificate is for this header: height, then header hash;
//      kInvalidArgument, naming both values.
//   2. its shape: every validator index inside the set (kMalformed: "signature 4 names
//      validator 9; the set has 4"), no index twice (kDuplicate; the wire decoder already
//      refuses repeats, but a certificate built in memory is checked here too, so no
//      signer is ever counted twice), every signature suite.SignatureSize() bytes
//      (kBadSignature). An index outside the set is always rejected, never ignored: it can
//      only come from a certificate made for another set.
//   3. the power the signers claim: more than 2/3 of the header's set (3 * signed >
//      2 * total; kInsufficientPower, e.g. "signers hold 5 of 12 voting power; more than 8
//      needed"), then more than the threshold of the trusted set (kInsufficientTrust: a
//      skip too long for the trust the client has; an intermediate header may pass). No signature has been
//      checked yet, so an underpowered certificate is refused for the price of a sum.
//   4. every signature in the certificate, against CommitVoteDigest(suite, chain_id,
//      height, certificate.round, header_hash), on `parallel` when given. Every signature
//      is checked, not only enough to pass the thresholds, so that an accepted certificate
//      (which may be kept as evidence or passed on) carries no forged vote. The error is
//      the one of the lowest failing position (so it does not depend on scheduling), with
//      CryptoSuite::Verify's code (kBadSignature, kBadPublicKey, kBadLength).
// Power sums cannot overflow: a valid set holds at most core::kMaxTotalPower.
// Thread safety: pure; safe from any thread. `parallel`, if given, runs the signature checks.
core::Result<VoteTally> VerifyCommit(const core::CryptoSuite& suite, std::string_view chain_id,
                                     std::uint64_t height, const core::Hash32& header_hash,
                                     const core::CommitCertificate& certificate,
                                     const core::ValidatorSet& validators,
                                     const TrustedOverlap* overlap, const ParallelFor* parallel);

}  // namespace baylink::lightclient
