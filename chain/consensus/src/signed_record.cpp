// SPDX-License-Identifier: Apache-2.0
#include <string>

#include "baylink/consensus/pbft.h"
#include "wire.h"

namespace baylink::consensus {

// u64 height ‖ u32 round ‖ u32 locked_round ‖ 32 locked_hash ‖ u32 valid_round ‖
// 32 valid_hash ‖ count ‖ votes ‖ count ‖ proposals (bodies empty) ‖ count ‖ justification.
core::Bytes SignedRecord::Encode() const {
  core::Writer w;
  w.U64(height).U32(round).U32(locked_round).Fixed(locked_hash).U32(valid_round).Fixed(valid_hash);
  w.Count(votes.size());
  for (const Vote& vote : votes) wire::EncodeVote(w, vote);
  w.Count(proposals.size());
  for (const Proposal& proposal : proposals) wire::EncodeProposal(w, proposal);
  w.Count(justification.size());
  for (const Vote& vote : justification) wire::EncodeVote(w, vote);
  return std::move(w).Take();
}

core::Result<SignedRecord> SignedRecord::Decode(core::ByteView data) {
  core::Reader r(data, "signed record");
  SignedRecord record;
  BAYLINK_ASSIGN_OR_RETURN(record.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(record.round, r.U32("round"));
  BAYLINK_ASSIGN_OR_RETURN(record.locked_round, r.U32("locked round"));
  BAYLINK_ASSIGN_OR_RETURN(record.locked_hash, r.Fixed<32>("locked hash"));
  BAYLINK_ASSIGN_OR_RETURN(record.valid_round, r.U32("valid round"));
  BAYLINK_ASSIGN_OR_RETURN(record.valid_hash, r.Fixed<32>("valid hash"));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t votes, r.Count("votes", core::kMaxSequence, 50));
  for (std::uint32_t i = 0; i < votes; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(Vote vote, wire::DecodeVote(r));
    record.votes.push_back(std::move(vote));
  }
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t proposals,
                           r.Count("proposals", core::kMaxSequence, 60));
  for (std::uint32_t i = 0; i < proposals; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(Proposal proposal, wire::DecodeProposal(r));
    if (!proposal.body.empty()) {
      return r.FieldError(core::Errc::kNonCanonical, "proposal",
                          "carries a body; the record stores proposals without one");
    }
    record.proposals.push_back(std::move(proposal));
  }
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t justification,
                           r.Count("justification", core::kMaxSequence, 50));
  for (std::uint32_t i = 0; i < justification; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(Vote vote, wire::DecodeVote(r));
    record.justification.push_back(std::move(vote));
  }
  BAYLINK_TRY(r.Finish());
  return record;
}

}  // namespace baylink::consensus
