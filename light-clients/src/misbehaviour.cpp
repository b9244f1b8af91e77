// SPDX-License-Identifier: Apache-2.0
//
// Misbehaviour: proving that the chain signed two headers at one height, freezing the client,
// and describing the evidence to a person (DESIGN §5). Checks run in the order client.h
// lists: the client's own state, then the claim's shape (comparisons and two hashes), then
// the anchor (one validator-set hash), then each header's certificate (signatures last).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "baylink/lightclient/client.h"
#include "internal.h"

namespace baylink::lightclient {

using core::Errc;
using core::Result;
using core::Status;

namespace {

constexpr std::string_view kAction = "misbehaviour";

}  // namespace

Result<Evidence> LightClient::VerifyMisbehaviour(const core::CryptoSuite& suite,
                                                 const Misbehaviour& misbehaviour,
                                                 std::chrono::system_clock::time_point now,
                                                 const VerifyOptions& options) const {
  const ClientParams& params = m_state.params;
  const std::int64_t now_ms = detail::NowMs(now);

  // 1. The caller's suite and the client's state.
  BAYLINK_TRY(CheckSuite(suite, kAction));
  BAYLINK_TRY(CheckNotFrozen(kAction));

  // 2. The claim's shape: comparisons, then one hash per header.
  const SignedHeader& first = misbehaviour.first;
  const std::uint64_t height = first.header.height;
  for (const SignedHeader* sh : {&first, misbehaviour.second ? &*misbehaviour.second : nullptr}) {
    if (sh != nullptr && sh->header.chain_id != params.chain_id) {
      return detail::Rejected(kAction, Errc::kWrongChain, "a header is of chain '" + sh->header.chain_id + "', " +
                                             detail::ClientName(params) + " follows '" +
                                             params.chain_id + "'");
    }
  }
  if (misbehaviour.second && misbehaviour.second->header.height != height) {
    return detail::Rejected(kAction, Errc::kInvalidArgument, "the headers are at heights " + std::to_string(height) +
                                                " and " +
                                                std::to_string(misbehaviour.second->header.height) +
                                                "; misbehaviour needs two headers at one height");
  }
  const core::Hash32 first_hash = first.header.Hash(suite);
  const ConsensusState* trusted_here = consensus_state(height);
  if (misbehaviour.second) {
    if (misbehaviour.second->header.Hash(suite) == first_hash) {
      return detail::Rejected(kAction, Errc::kInvalidArgument,
          "both headers are the same header " + detail::Short(first_hash) + ": nothing conflicts");
    }
  } else {
    BAYLINK_ASSIGN_OR_RETURN(trusted_here, TrustedAt(height, kAction));
    if (trusted_here->header_hash == first_hash) {
      return detail::Rejected(kAction, Errc::kInvalidArgument, "the header is the one trusted at height " +
                                                  std::to_string(height) + ": nothing conflicts");
    }
  }

  // 3. The anchor: a trusted height at or below the conflict, still inside the trusting
  //    period (an old set says nothing about validators that may have left since), with the
  //    set that signed it.
  BAYLINK_ASSIGN_OR_RETURN(const ConsensusState* anchor,
                           TrustedAt(misbehaviour.trusted_height, "misbehaviour anchor"));
  if (anchor->height > height) {
    return detail::Rejected(kAction, Errc::kInvalidArgument, "the anchor height " + std::to_string(anchor->height) +
                                                " is above the conflict at height " +
                                                std::to_string(height));
  }
  if (detail::OutsideTrustingPeriod(*anchor, params.trusting_period, now_ms)) {
    return detail::Rejected(kAction, Errc::kExpired, "the anchor at height " + std::to_string(anchor->height) +
                                        " (" + detail::FormatTime(anchor->timestamp) +
                                        ") is older than the trusting period of " +
                                        std::to_string(params.trusting_period.count()) + " ms");
  }
  const core::Hash32 anchor_set_hash = misbehaviour.trusted_validators.Hash(suite);
  if (anchor_set_hash != anchor->validators_hash) {
    return detail::Rejected(kAction, Errc::kBadProof, "the anchor validator set hashes to " +
                                         detail::Short(anchor_set_hash) + ", the state at height " +
                                         std::to_string(anchor->height) + " names " +
                                         detail::Short(anchor->validators_hash));
  }

  // 4. Each header on its own: bound to its certificate, its set the one it names, then its
  //    certificate. A header the client already trusts needs no overlap with the anchor (it
  //    passed that when it was trusted); nor does the anchor's adjacent successor by
  //    next_validators_hash (the anchor named its signers). Any other header needs the trust
  //    threshold of the anchor set, as a skipping update would.
  const TrustedOverlap overlap{misbehaviour.trusted_validators, params.trust_threshold};
  const auto verify_header = [&](const SignedHeader& sh, const core::Hash32& hash,
                                 std::string_view which) -> Status {
    const std::string prefix = std::string(which) + " header: ";
    if (auto bound = detail::CheckCertificateBinding(sh.certificate, height, hash); !bound) {
      return detail::Rejected(kAction, bound.error().code, prefix + bound.error().detail);
    }
    const core::Hash32 set_hash = sh.validators.Hash(suite);
    if (set_hash != sh.header.validators_hash) {
      return detail::Rejected(kAction, Errc::kBadProof, prefix + "its validator set hashes to " +
                                           detail::Short(set_hash) + ", the header commits to " +
                                           detail::Short(sh.header.validators_hash));
    }
    const bool already_trusted = trusted_here != nullptr && trusted_here->header_hash == hash;
    const bool named_by_anchor =
        height == anchor->height + 1 && sh.header.validators_hash == anchor->next_validators_hash;
    auto tally =
        VerifyCommit(suite, params.chain_id, height, hash, sh.certificate, sh.validators,
                     already_trusted || named_by_anchor ? nullptr : &overlap, options.parallel);
    if (!tally) return detail::Rejected(kAction, tally.error().code, prefix + tally.error().detail);
    return core::Ok();
  };
  BAYLINK_TRY(verify_header(first, first_hash, "first"));
  bool conflicts_with_trusted = trusted_here != nullptr && !misbehaviour.second;
  if (misbehaviour.second) {
    const core::Hash32 second_hash = misbehaviour.second->header.Hash(suite);
    BAYLINK_TRY(verify_header(*misbehaviour.second, second_hash, "second"));
    conflicts_with_trusted = trusted_here != nullptr && (trusted_here->header_hash == first_hash ||
                                                         trusted_here->header_hash == second_hash);
  }

  Evidence evidence;
  evidence.chain_id = params.chain_id;
  evidence.height = height;
  evidence.kind = conflicts_with_trusted ? MisbehaviourKind::kConflictsWithTrusted
                                         : MisbehaviourKind::kConflictingHeaders;
  evidence.first = first;
  evidence.second = misbehaviour.second;
  if (trusted_here != nullptr) evidence.trusted = *trusted_here;
  // A clock before the epoch is recorded as the epoch: evidence times are unsigned.
  evidence.detected_at = Timestamp(std::chrono::milliseconds(std::max<std::int64_t>(now_ms, 0)));
  return evidence;
}

void LightClient::Freeze(const Evidence& evidence) {
  BAYLINK_ASSERT(!m_state.frozen(), "Freeze on a frozen light client");
  BAYLINK_ASSERT(evidence.chain_id == m_state.params.chain_id,
                 "Freeze with another chain's evidence");
  m_state.frozen_height = evidence.height;
}

Result<Evidence> LightClient::SubmitMisbehaviour(const core::CryptoSuite& suite,
                                                 const Misbehaviour& misbehaviour,
                                                 std::chrono::system_clock::time_point now,
                                                 const VerifyOptions& options) {
  BAYLINK_ASSIGN_OR_RETURN(Evidence evidence,
                           VerifyMisbehaviour(suite, misbehaviour, now, options));
  Freeze(evidence);
  return evidence;
}

// ---- Evidence::Describe -----------------------------------------------------------------

namespace {

std::string DescribeHeader(const SignedHeader& sh, std::string_view label) {
  const core::BlockHeader& h = sh.header;
  std::string out;
  out += std::string(label) + ": " + sh.certificate.header_hash.ToHex() +
         " (the hash its certificate names)\n";
  // A decoded evidence is only a claim (evidence.h): its time may be anything a u64 holds.
  out += "  time         " +
         (h.timestamp_ms <= static_cast<std::uint64_t>(kMaxTimestampMs)
              ? detail::FormatTime(HeaderTime(h))
              : std::to_string(h.timestamp_ms) + " ms") +
         "\n";
  out += "  parent       " + h.parent_hash.ToHex() + "\n";
  out += "  tx root      " + h.tx_root.ToHex() + "\n";
  out += "  receipt root " + h.receipt_root.ToHex() + "\n";
  out += "  state root   " + h.state_root.ToHex() + "\n";
  out += "  validators   " + h.validators_hash.ToHex() + "\n";
  out += "  next set     " + h.next_validators_hash.ToHex() + "\n";
  out += "  proposer     " + std::to_string(h.proposer) + "\n";
  std::uint64_t signed_power = 0;
  std::string indices;
  for (const core::CommitSignature& s : sh.certificate.signatures) {
    if (!indices.empty()) indices += ", ";
    indices += std::to_string(s.validator_index);
    if (s.validator_index < sh.validators.size()) {
      signed_power += sh.validators.validators()[s.validator_index].power;
    } else {
      indices += " (outside the set)";
    }
  }
  out += "  certificate  round " + std::to_string(sh.certificate.round) + ", " +
         std::to_string(sh.certificate.signatures.size()) + " signatures holding " +
         std::to_string(signed_power) + " of " + std::to_string(sh.validators.TotalPower()) +
         " power; signers " + (indices.empty() ? std::string("none") : indices) + "\n";
  return out;
}

std::vector<const core::Validator*> Signers(const SignedHeader& sh) {
  std::vector<const core::Validator*> out;
  for (const core::CommitSignature& s : sh.certificate.signatures) {
    if (s.validator_index < sh.validators.size()) {
      out.push_back(&sh.validators.validators()[s.validator_index]);
    }
  }
  return out;
}

}  // namespace

std::string Evidence::Describe() const {
  std::string out =
      "misbehaviour of chain '" + chain_id + "' at height " + std::to_string(height) + ": ";
  out += kind == MisbehaviourKind::kConflictsWithTrusted
             ? "a header with a valid certificate conflicts with the trusted header"
             : "two different headers with valid certificates";
  out += " (" + std::string(MisbehaviourKindName(kind)) + ")\n";
  out += "detected at " + detail::FormatTime(detected_at) + "\n";
  if (trusted) {
    out += "trusted at this height: " + trusted->header_hash.ToHex() + ", time " +
           detail::FormatTime(trusted->timestamp) + "\n";
  }
  out += DescribeHeader(first, "first header");
  if (second) {
    out += DescribeHeader(*second, "second header");
    // The keys that signed both: the validators who equivocated.
    std::vector<std::pair<const core::Validator*, std::uint64_t>> both;
    const auto second_signers = Signers(*second);
    for (const core::Validator* a : Signers(first)) {
      for (const core::Validator* b : second_signers) {
        if (a->public_key == b->public_key) both.emplace_back(a, b->power);
      }
    }
    out += "signed both headers: " + std::to_string(both.size()) + " validators\n";
    for (const auto& [v, second_power] : both) {
      out += "  " + v->public_key.ToHex() + " power " + std::to_string(v->power);
      if (second_power != v->power)
        out += " (" + std::to_string(second_power) + " in the second set)";
      out += "\n";
    }
  }
  return out;
}

}  // namespace baylink::lightclient
