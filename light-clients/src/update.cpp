// SPDX-License-Identifier: Apache-2.0
//
// Following the chain: verify a signed header from the latest trusted state (DESIGN §5) and
// apply the result. The checks run in the order client.h lists; each comment below says why
// it sits where it does.
#include <string>
#include <utility>

#include "baylink/lightclient/client.h"
#include "internal.h"

namespace baylink::lightclient {

using core::Errc;
using core::Result;

namespace {

constexpr std::string_view kAction = "update";

}  // namespace

Result<UpdateChange> LightClient::VerifyUpdate(const core::CryptoSuite& suite,
                                               const SignedHeader& untrusted,
                                               std::chrono::system_clock::time_point now,
                                               const VerifyOptions& options) const {
  const core::BlockHeader& header = untrusted.header;
  const ClientParams& params = m_state.params;
  const ConsensusState& trusted = latest_consensus_state();
  const std::int64_t now_ms = detail::NowMs(now);

  // 1-2. The caller's suite and the client's own state: nothing about the header matters if
  //      either is wrong.
  BAYLINK_TRY(CheckSuite(suite, kAction));
  BAYLINK_TRY(CheckNotFrozen(kAction));

  // 3. Chain id: a string comparison, and a header of another chain is the most common
  //    mistake of a relayer serving several chains.
  if (header.chain_id != params.chain_id) {
    return detail::Rejected(kAction, Errc::kWrongChain, "header is of chain '" + header.chain_id + "', " +
                                           detail::ClientName(params) + " follows '" +
                                           params.chain_id + "'");
  }

  // 4. The trusted state must still be inside the trusting period. This depends on the
  //    client alone: when it fails every header fails, so say so before any fault of this
  //    one.
  if (detail::OutsideTrustingPeriod(trusted, params.trusting_period, now_ms)) {
    return detail::Rejected(kAction, Errc::kExpired, "the latest trusted state (height " +
                                        std::to_string(trusted.height) + ", " +
                                        detail::FormatTime(trusted.timestamp) +
                                        ") is older than the trusting period of " +
                                        std::to_string(params.trusting_period.count()) +
                                        " ms; the client needs a governance reset");
  }

  // 5. Only forward. A header at a height already trusted is either the same one (a relayer
  //    race: cheap to say so) or a conflicting one, which only misbehaviour may prove. The
  //    hash is computed only on this path; step 7 computes it for everything else.
  if (header.height <= m_state.latest_height) {
    if (const ConsensusState* known = consensus_state(header.height)) {
      if (known->header_hash == header.Hash(suite)) {
        return detail::Rejected(kAction, Errc::kDuplicate, "height " + std::to_string(header.height) +
                                              " is already trusted with this header");
      }
      return detail::Rejected(kAction, Errc::kConflict,
                      "header at height " + std::to_string(header.height) +
                          " differs from the header trusted there; if its certificate is "
                          "valid, submit both as misbehaviour");
    }
    return detail::Rejected(kAction, Errc::kStale, "height " + std::to_string(header.height) +
                                                " is not above the latest trusted height " +
                                                std::to_string(m_state.latest_height) +
                                                "; the client only moves forward");
  }

  // 6. Time: strictly after the trusted header (a chain's time never goes back), and not
  //    beyond now + drift (a header from the future would let the client's view of time be
  //    pushed forward, and with it the expiry of every honest state).
  if (header.timestamp_ms <=
      static_cast<std::uint64_t>(trusted.timestamp.time_since_epoch().count())) {
    return detail::Rejected(kAction, Errc::kBadTimestamp, "header time " + std::to_string(header.timestamp_ms) +
                                                " ms is not after the trusted header's " +
                                                detail::FormatTime(trusted.timestamp));
  }
  if (detail::BeyondClockDrift(header.timestamp_ms, now_ms, params.max_clock_drift)) {
    return detail::Rejected(kAction, Errc::kBadTimestamp,
                    "header time " + std::to_string(header.timestamp_ms) +
                        " ms is in the future: beyond now + max clock drift (" +
                        std::to_string(now_ms + params.max_clock_drift.count()) +
                        " ms); check the clocks");
  }

  // 7. The certificate is for this header. The hash is recomputed here and is the only
  //    header hash used from now on (DESIGN §3: never taken from a peer).
  const core::Hash32 header_hash = header.Hash(suite);
  if (auto bound =
          detail::CheckCertificateBinding(untrusted.certificate, header.height, header_hash);
      !bound) {
    return detail::Rejected(kAction, bound.error().code, bound.error().detail);
  }

  // 8. The validator set is the one the header commits to (one hash per validator), and
  //    the proposer is in it.
  const core::Hash32 set_hash = untrusted.validators.Hash(suite);
  if (set_hash != header.validators_hash) {
    return detail::Rejected(kAction, Errc::kBadProof, "the validator set sent with the header hashes to " +
                                         detail::Short(set_hash) + ", the header commits to " +
                                         detail::Short(header.validators_hash));
  }
  if (header.proposer >= untrusted.validators.size()) {
    return detail::Rejected(kAction, Errc::kMalformed, "proposer index " + std::to_string(header.proposer) +
                                          " is outside the validator set of " +
                                          std::to_string(untrusted.validators.size()));
  }

  // 9. Adjacent: the trusted header named this set (DESIGN §4: header h carries the set that
  //    signs h + 1) and this header's parent. Then more than 2/3 of this set is all the
  //    certificate needs. A parent other than the trusted header would mean the validators
  //    signed two chains: refused here, provable as misbehaviour.
  const bool adjacent = header.height == m_state.latest_height + 1;
  if (adjacent) {
    if (header.validators_hash != trusted.next_validators_hash) {
      return detail::Rejected(kAction, Errc::kBadProof,
                      "header at adjacent height " + std::to_string(header.height) +
                          " is signed by validator set " + detail::Short(header.validators_hash) +
                          ", but the trusted header named " +
                          detail::Short(trusted.next_validators_hash) + " as the next set");
    }
    if (header.parent_hash != trusted.header_hash) {
      return detail::Rejected(kAction, Errc::kBadProof,
                      "header at adjacent height " + std::to_string(header.height) +
                          " names parent " + detail::Short(header.parent_hash) +
                          ", the trusted header is " + detail::Short(trusted.header_hash));
    }
  }

  // 10. The certificate. Skipping heights, signers holding more than the trust threshold of
  //     the trusted set must be among the signers: under the trust model (fewer than 1/3
  //     byzantine) at least one of them is honest and would not sign a header of another
  //     chain history.
  const TrustedOverlap overlap{m_state.validators, params.trust_threshold};
  auto tally =
      VerifyCommit(suite, params.chain_id, header.height, header_hash, untrusted.certificate,
                   untrusted.validators, adjacent ? nullptr : &overlap, options.parallel);
  if (!tally) return detail::Rejected(kAction, tally.error().code, tally.error().detail);

  UpdateChange change;
  change.base_height = m_state.latest_height;
  change.client_state = m_state;
  change.client_state.latest_height = header.height;
  change.client_state.validators = untrusted.validators;
  change.consensus_state = ConsensusState::FromHeader(header, header_hash);
  change.tally = *tally;
  change.adjacent = adjacent;
  // Pruning rides on the update (bounded by max_prune) so a client that is only ever updated
  // still sheds its expired states. Neither the new state nor the one it was verified from
  // is pruned.
  change.pruned_heights = ExpiredHeights(now, options.max_prune);
  return change;
}

void LightClient::Apply(const UpdateChange& change) {
  BAYLINK_ASSERT(!m_state.frozen(), "Apply on a frozen light client");
  BAYLINK_ASSERT(change.base_height == m_state.latest_height,
                 "Apply of an update verified against another state");
  BAYLINK_ASSERT(change.consensus_state.height == change.client_state.latest_height &&
                     change.client_state.latest_height > m_state.latest_height,
                 "Apply of an inconsistent update");
  m_consensus.emplace(change.consensus_state.height, change.consensus_state);
  m_state = change.client_state;
  for (std::uint64_t height : change.pruned_heights) {
    BAYLINK_ASSERT(height != m_state.latest_height, "pruning the latest consensus state");
    m_consensus.erase(height);
  }
}

Result<UpdateChange> LightClient::Update(const core::CryptoSuite& suite,
                                         const SignedHeader& untrusted,
                                         std::chrono::system_clock::time_point now,
                                         const VerifyOptions& options) {
  BAYLINK_ASSIGN_OR_RETURN(UpdateChange change, VerifyUpdate(suite, untrusted, now, options));
  Apply(change);
  return change;
}

}  // namespace baylink::lightclient
