// SPDX-License-Identifier: Apache-2.0
#include "baylink/consensus/messages.h"

#include <utility>

#include "wire.h"

namespace baylink::consensus {
namespace {

using core::Errc;

constexpr std::uint8_t kKindProposal = 1;
constexpr std::uint8_t kKindVote = 2;
constexpr std::uint8_t kEvidenceVotes = 1;
constexpr std::uint8_t kEvidenceProposals = 2;

std::string Short(const core::Hash32& hash) { return hash.ToHex().substr(0, 10) + ".."; }

}  // namespace

std::string_view VoteTypeName(VoteType type) {
  switch (type) {
    case VoteType::kPrepare:
      return "prepare";
    case VoteType::kCommit:
      return "commit";
  }
  return "unknown";
}

core::Hash32 VoteDigest(const core::CryptoSuite& suite, std::string_view chain_id, VoteType type,
                        std::uint64_t height, std::uint32_t round,
                        const core::Hash32& header_hash) {
  if (type == VoteType::kCommit) {
    return core::CommitVoteDigest(suite, chain_id, height, round, header_hash);
  }
  core::Writer w(96);
  w.Raw(core::AsBytes("baylink/prepare/v1")).Text(chain_id).U64(height).U32(round);
  w.Fixed(header_hash);
  return suite.Hash(w.bytes());
}

core::Hash32 ProposalDigest(const core::CryptoSuite& suite, std::string_view chain_id,
                            const Proposal& proposal, const core::Hash32& header_hash) {
  core::Writer w(160);
  w.Raw(core::AsBytes("baylink/proposal/v1")).Text(chain_id).U64(proposal.height);
  w.U32(proposal.round).U32(proposal.valid_round).Fixed(header_hash);
  w.Fixed(suite.Hash(proposal.body));
  return suite.Hash(w.bytes());
}

namespace wire {

void EncodeVote(core::Writer& w, const Vote& vote) {
  w.U8(static_cast<std::uint8_t>(vote.type)).U64(vote.height).U32(vote.round);
  w.Fixed(vote.header_hash).U32(vote.validator).Blob(vote.signature);
}

core::Result<Vote> DecodeVote(core::Reader& r) {
  Vote vote;
  BAYLINK_ASSIGN_OR_RETURN(const std::uint8_t type, r.U8("vote type"));
  if (type != static_cast<std::uint8_t>(VoteType::kPrepare) &&
      type != static_cast<std::uint8_t>(VoteType::kCommit)) {
    return r.FieldError(Errc::kMalformed, "vote type",
                        "is " + std::to_string(type) + "; expected 1 (prepare) or 2 (commit)");
  }
  vote.type = static_cast<VoteType>(type);
  BAYLINK_ASSIGN_OR_RETURN(vote.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(vote.round, r.U32("round"));
  BAYLINK_ASSIGN_OR_RETURN(vote.header_hash, r.Fixed<32>("header hash"));
  BAYLINK_ASSIGN_OR_RETURN(vote.validator, r.U32("validator"));
  BAYLINK_ASSIGN_OR_RETURN(vote.signature, r.Blob("signature", core::kMaxSignatureBytes));
  return vote;
}

void EncodeProposal(core::Writer& w, const Proposal& proposal) {
  w.U64(proposal.height).U32(proposal.round).U32(proposal.valid_round);
  proposal.header.Encode(w);
  w.Blob(proposal.body).U32(proposal.proposer).Blob(proposal.signature);
}

core::Result<Proposal> DecodeProposal(core::Reader& r) {
  Proposal proposal;
  BAYLINK_ASSIGN_OR_RETURN(proposal.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(proposal.round, r.U32("round"));
  BAYLINK_ASSIGN_OR_RETURN(proposal.valid_round, r.U32("valid round"));
  if (proposal.valid_round != kNoRound && proposal.valid_round >= proposal.round) {
    return r.FieldError(Errc::kMalformed, "valid round",
                        "is " + std::to_string(proposal.valid_round) +
                            "; it must be below the proposal's round " +
                            std::to_string(proposal.round));
  }
  BAYLINK_ASSIGN_OR_RETURN(proposal.header, core::BlockHeader::Decode(r));
  if (proposal.header.height != proposal.height) {
    return r.FieldError(Errc::kMalformed, "header",
                        "is for height " + std::to_string(proposal.header.height) +
                            " in a proposal for height " + std::to_string(proposal.height));
  }
  BAYLINK_ASSIGN_OR_RETURN(proposal.body, r.Blob("body", kMaxBodyBytes));
  BAYLINK_ASSIGN_OR_RETURN(proposal.proposer, r.U32("proposer"));
  BAYLINK_ASSIGN_OR_RETURN(proposal.signature, r.Blob("signature", core::kMaxSignatureBytes));
  return proposal;
}

void EncodeBody(core::Writer& w, const Message& message) {
  if (const auto* vote = std::get_if<Vote>(&message)) {
    EncodeVote(w, *vote);
  } else {
    EncodeProposal(w, std::get<Proposal>(message));
  }
}

}  // namespace wire

core::Bytes EncodeMessage(std::string_view chain_id, const Message& message) {
  core::Writer w;
  w.U8(std::holds_alternative<Vote>(message) ? kKindVote : kKindProposal).Text(chain_id);
  wire::EncodeBody(w, message);
  return std::move(w).Take();
}

core::Result<Message> DecodeMessage(std::string_view chain_id, core::ByteView frame,
                                    std::size_t max_bytes) {
  if (frame.size() > max_bytes) {
    return core::Fail(Errc::kOversized, "consensus frame of " + std::to_string(frame.size()) +
                                            " bytes; at most " + std::to_string(max_bytes) +
                                            " accepted");
  }
  core::Reader r(frame, "consensus frame");
  BAYLINK_ASSIGN_OR_RETURN(const std::uint8_t kind, r.U8("kind"));
  if (kind != kKindProposal && kind != kKindVote) {
    return r.FieldError(Errc::kMalformed, "kind",
                        "is " + std::to_string(kind) + "; expected 1 (proposal) or 2 (vote)");
  }
  BAYLINK_ASSIGN_OR_RETURN(const std::string chain, r.Text("chain id", core::kMaxChainIdBytes));
  if (chain != chain_id) {
    return core::Fail(Errc::kWrongChain, "consensus frame for chain '" + chain +
                                             "' received by chain '" + std::string(chain_id) +
                                             "'");
  }
  Message message;
  if (kind == kKindVote) {
    BAYLINK_ASSIGN_OR_RETURN(message, wire::DecodeVote(r));
  } else {
    BAYLINK_ASSIGN_OR_RETURN(message, wire::DecodeProposal(r));
  }
  BAYLINK_TRY(r.Finish());
  return message;
}

// ---- Evidence ----------------------------------------------------------------------------

core::Bytes Evidence::Encode() const {
  core::Writer w;
  w.U8(std::holds_alternative<Vote>(first) ? kEvidenceVotes : kEvidenceProposals);
  w.Text(chain_id).U32(validator).Fixed(public_key);
  wire::EncodeBody(w, first);
  wire::EncodeBody(w, second);
  return std::move(w).Take();
}

core::Result<Evidence> Evidence::Decode(core::ByteView data) {
  core::Reader r(data, "evidence");
  BAYLINK_ASSIGN_OR_RETURN(const std::uint8_t kind, r.U8("kind"));
  if (kind != kEvidenceVotes && kind != kEvidenceProposals) {
    return r.FieldError(Errc::kMalformed, "kind",
                        "is " + std::to_string(kind) + "; expected 1 (votes) or 2 (proposals)");
  }
  Evidence e;
  BAYLINK_ASSIGN_OR_RETURN(e.chain_id, r.Text("chain id", core::kMaxChainIdBytes));
  BAYLINK_TRY(core::ValidateChainId(e.chain_id));
  BAYLINK_ASSIGN_OR_RETURN(e.validator, r.U32("validator"));
  BAYLINK_ASSIGN_OR_RETURN(e.public_key, r.Fixed<64>("public key"));
  if (kind == kEvidenceVotes) {
    BAYLINK_ASSIGN_OR_RETURN(e.first, wire::DecodeVote(r));
    BAYLINK_ASSIGN_OR_RETURN(e.second, wire::DecodeVote(r));
  } else {
    BAYLINK_ASSIGN_OR_RETURN(e.first, wire::DecodeProposal(r));
    BAYLINK_ASSIGN_OR_RETURN(e.second, wire::DecodeProposal(r));
  }
  BAYLINK_TRY(r.Finish());
  return e;
}

std::uint64_t Evidence::height() const {
  return std::visit([](const auto& m) { return m.height; }, first);
}

std::string Evidence::Describe() const {
  const std::string who = "validator " + std::to_string(validator) + " (" +
                          public_key.ToHex().substr(0, 10) + "..) of chain '" + chain_id + "'";
  if (const auto* a = std::get_if<Vote>(&first)) {
    const Vote& b = std::get<Vote>(second);
    const auto what = [](const Vote& v) { return v.is_nil() ? std::string("nil") : Short(v.header_hash); };
    return who + " signed two " + std::string(VoteTypeName(a->type)) + " votes at height " +
           std::to_string(a->height) + " round " + std::to_string(a->round) + ": " + what(*a) +
           " and " + what(b);
  }
  const Proposal& a = std::get<Proposal>(first);
  const Proposal& b = std::get<Proposal>(second);
  return who + " signed two proposals at height " + std::to_string(a.height) + " round " +
         std::to_string(a.round) + ": headers at timestamps " +
         std::to_string(a.header.timestamp_ms) + " and " + std::to_string(b.header.timestamp_ms) +
         " with tx roots " + Short(a.header.tx_root) + " and " + Short(b.header.tx_root);
}

}  // namespace baylink::consensus
