// SPDX-License-Identifier: Apache-2.0
//
// The consensus wire format (messages.h): frames round-trip, are laid out as the header
// describes, and strict decoding refuses every kind of damaged frame with the documented code;
// the signed digests are domain-separated; SignedRecord and Evidence round-trip.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <variant>

#include "baylink/consensus/messages.h"
#include "baylink/consensus/pbft.h"
#include "baylink/core/codec.h"
#include "baylink/core/merkle.h"
#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"
#include "test_random.h"

namespace core = baylink::core;
namespace consensus = baylink::consensus;
using baylink::testing::Seed;
using baylink::testing::TestRandom;

namespace messages_test {
namespace {

constexpr std::string_view kChain = "gd";
constexpr std::size_t kMaxFrame = 1u << 20;

core::Hash32 RandomHash(TestRandom& rng) {
  core::Hash32 h;
  rng.Fill(h.bytes);
  return h;
}

core::Bytes RandomBytes(TestRandom& rng, std::size_t n) {
  core::Bytes out(n);
  rng.Fill(out);
  return out;
}

// A signer with a real ecdsa key, so the signatures in these messages have the real size.
struct Fixture {
  std::unique_ptr<core::CryptoSuite> suite = baylink::crypto::MakeSuite(core::SuiteId::kEcdsa);
  TestRandom rng{Seed()};
  core::KeyPair key = suite->GenerateKey(rng);

  consensus::Vote SignedVote(consensus::VoteType type, std::uint64_t height, std::uint32_t round,
                             const core::Hash32& header_hash, std::uint32_t validator) {
    consensus::Vote v;
    v.type = type;
    v.height = height;
    v.round = round;
    v.header_hash = header_hash;
    v.validator = validator;
    const core::Hash32 digest =
        consensus::VoteDigest(*suite, kChain, type, height, round, header_hash);
    v.signature = suite->Sign(key.secret, digest.view()).value();
    return v;
  }

  consensus::Proposal SignedProposal(std::uint64_t height, std::uint32_t round,
                                     std::uint32_t valid_round, std::uint32_t proposer) {
    consensus::Proposal p;
    p.height = height;
    p.round = round;
    p.valid_round = valid_round;
    p.body = RandomBytes(rng, 1 + rng.Below(64));
    p.header.chain_id = std::string(kChain);
    p.header.height = height;
    p.header.timestamp_ms = 1'700'000'000'000ULL + rng.Below(1'000'000);
    p.header.parent_hash = RandomHash(rng);
    const std::vector<core::Bytes> leaves{p.body};
    p.header.tx_root = core::merkle::Root(*suite, leaves);
    p.header.receipt_root = RandomHash(rng);
    p.header.state_root = RandomHash(rng);
    p.header.validators_hash = RandomHash(rng);
    p.header.next_validators_hash = p.header.validators_hash;
    p.header.proposer = proposer;
    p.proposer = proposer;
    const core::Hash32 digest =
        consensus::ProposalDigest(*suite, kChain, p, p.header.Hash(*suite));
    p.signature = suite->Sign(key.secret, digest.view()).value();
    return p;
  }
};

// The frame as messages.h lays it out, written field by field with the codec.
core::Bytes HandMadeVoteFrame(std::string_view chain_id, const consensus::Vote& v) {
  core::Writer w;
  w.U8(2).Text(chain_id);
  w.U8(static_cast<std::uint8_t>(v.type)).U64(v.height).U32(v.round).Fixed(v.header_hash);
  w.U32(v.validator).Blob(v.signature);
  return std::move(w).Take();
}

core::Bytes HandMadeProposalFrame(std::string_view chain_id, const consensus::Proposal& p) {
  core::Writer w;
  w.U8(1).Text(chain_id);
  w.U64(p.height).U32(p.round).U32(p.valid_round);
  p.header.Encode(w);
  w.Blob(p.body).U32(p.proposer).Blob(p.signature);
  return std::move(w).Take();
}

// Offset of the first byte after `u8 kind ‖ text chain_id` in a frame.
std::size_t BodyOffset(std::string_view chain_id) { return 1 + 4 + chain_id.size(); }

core::Errc DecodeError(core::ByteView frame, std::string_view chain_id = kChain,
                       std::size_t max_bytes = kMaxFrame) {
  auto decoded = consensus::DecodeMessage(chain_id, frame, max_bytes);
  REQUIRE_MESSAGE(!decoded.has_value(), "a damaged frame decoded");
  return decoded.error().code;
}

}  // namespace

TEST_CASE("a vote survives encoding and decoding unchanged") {
  Fixture f;
  for (auto type : {consensus::VoteType::kPrepare, consensus::VoteType::kCommit}) {
    for (bool nil : {false, true}) {
      const core::Hash32 hash = nil ? core::Hash32{} : RandomHash(f.rng);
      const consensus::Vote vote = f.SignedVote(type, 17, 3, hash, 2);
      CHECK(vote.is_nil() == nil);
      const core::Bytes frame = consensus::EncodeMessage(kChain, vote);
      auto decoded = consensus::DecodeMessage(kChain, frame, kMaxFrame);
      REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
      REQUIRE(std::holds_alternative<consensus::Vote>(*decoded));
      CHECK(std::get<consensus::Vote>(*decoded) == vote);
      CHECK(consensus::EncodeMessage(kChain, *decoded) == frame);
    }
  }
}

TEST_CASE("a proposal survives encoding and decoding unchanged") {
  Fixture f;
  for (std::uint32_t valid_round : {consensus::kNoRound, std::uint32_t{1}}) {
    const consensus::Proposal proposal = f.SignedProposal(9, 4, valid_round, 1);
    const core::Bytes frame = consensus::EncodeMessage(kChain, proposal);
    auto decoded = consensus::DecodeMessage(kChain, frame, kMaxFrame);
    REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
    REQUIRE(std::holds_alternative<consensus::Proposal>(*decoded));
    CHECK(std::get<consensus::Proposal>(*decoded) == proposal);
    CHECK(consensus::EncodeMessage(kChain, *decoded) == frame);
  }
}

TEST_CASE("frames are laid out as the wire format in messages.h describes") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kCommit, 5, 2, RandomHash(f.rng), 3);
  CHECK(consensus::EncodeMessage(kChain, vote) == HandMadeVoteFrame(kChain, vote));
  const consensus::Proposal proposal = f.SignedProposal(5, 2, consensus::kNoRound, 3);
  CHECK(consensus::EncodeMessage(kChain, proposal) == HandMadeProposalFrame(kChain, proposal));
}

TEST_CASE("decoding rejects a frame of another chain and names both chains") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kPrepare, 1, 0, RandomHash(f.rng), 0);
  const core::Bytes frame = consensus::EncodeMessage("hk", vote);
  auto decoded = consensus::DecodeMessage(kChain, frame, kMaxFrame);
  REQUIRE_FALSE(decoded.has_value());
  CHECK(decoded.error().code == core::Errc::kWrongChain);
  CHECK(decoded.error().detail.find("hk") != std::string::npos);
  CHECK(decoded.error().detail.find(std::string(kChain)) != std::string::npos);
}

TEST_CASE("decoding rejects a frame larger than the limit and accepts one exactly at it") {
  Fixture f;
  const consensus::Proposal proposal = f.SignedProposal(3, 0, consensus::kNoRound, 0);
  const core::Bytes frame = consensus::EncodeMessage(kChain, proposal);
  CHECK(DecodeError(frame, kChain, frame.size() - 1) == core::Errc::kOversized);
  CHECK(consensus::DecodeMessage(kChain, frame, frame.size()).has_value());
}

TEST_CASE("decoding rejects a proposal whose body is over the largest body allowed") {
  Fixture f;
  const consensus::Proposal proposal = f.SignedProposal(3, 0, consensus::kNoRound, 0);
  // The frame up to the body, then a length prefix one above kMaxBodyBytes and no bytes:
  // the limit must be checked before anything is read or allocated.
  core::Writer w;
  w.U8(1).Text(kChain).U64(proposal.height).U32(proposal.round).U32(proposal.valid_round);
  proposal.header.Encode(w);
  w.U32(consensus::kMaxBodyBytes + 1);
  const core::Bytes frame = std::move(w).Take();
  CHECK(DecodeError(frame, kChain, std::size_t{1} << 30) == core::Errc::kOversized);
}

TEST_CASE("decoding rejects every truncation of a vote and of a proposal") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kCommit, 8, 1, RandomHash(f.rng), 1);
  const consensus::Proposal proposal = f.SignedProposal(8, 1, consensus::kNoRound, 1);
  for (const core::Bytes& frame :
       {consensus::EncodeMessage(kChain, vote), consensus::EncodeMessage(kChain, proposal)}) {
    for (std::size_t len = 0; len < frame.size(); ++len) {
      const core::ByteView prefix(frame.data(), len);
      CHECK_MESSAGE(DecodeError(prefix) == core::Errc::kTruncated,
                    "prefix of " << len << " of " << frame.size() << " bytes");
    }
  }
}

TEST_CASE("decoding rejects bytes after a complete message") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kPrepare, 2, 0, RandomHash(f.rng), 0);
  const consensus::Proposal proposal = f.SignedProposal(2, 0, consensus::kNoRound, 0);
  for (core::Bytes frame :
       {consensus::EncodeMessage(kChain, vote), consensus::EncodeMessage(kChain, proposal)}) {
    frame.push_back(0);
    CHECK(DecodeError(frame) == core::Errc::kTrailingBytes);
  }
}

TEST_CASE("decoding rejects an unknown message kind") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kPrepare, 2, 0, RandomHash(f.rng), 0);
  for (std::uint8_t kind : {0, 3, 255}) {
    core::Bytes frame = consensus::EncodeMessage(kChain, vote);
    frame[0] = kind;
    CHECK_MESSAGE(DecodeError(frame) == core::Errc::kMalformed, "kind " << int(kind));
  }
}

TEST_CASE("decoding rejects an unknown vote type") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kCommit, 2, 0, RandomHash(f.rng), 0);
  for (std::uint8_t type : {0, 3, 255}) {
    core::Bytes frame = consensus::EncodeMessage(kChain, vote);
    frame[BodyOffset(kChain)] = type;
    CHECK_MESSAGE(DecodeError(frame) == core::Errc::kMalformed, "vote type " << int(type));
  }
}

TEST_CASE("a commit vote signs the block's commit vote digest and a prepare vote does not") {
  auto suite = baylink::crypto::MakeSuite(core::SuiteId::kEcdsa);
  TestRandom rng(Seed());
  const core::Hash32 hash = RandomHash(rng);
  const core::Hash32 commit =
      consensus::VoteDigest(*suite, kChain, consensus::VoteType::kCommit, 12, 3, hash);
  CHECK(commit == core::CommitVoteDigest(*suite, kChain, 12, 3, hash));
  // A nil commit vote is the same digest over the zero hash.
  CHECK(consensus::VoteDigest(*suite, kChain, consensus::VoteType::kCommit, 12, 3,
                              core::Hash32{}) ==
        core::CommitVoteDigest(*suite, kChain, 12, 3, core::Hash32{}));

  const core::Hash32 prepare =
      consensus::VoteDigest(*suite, kChain, consensus::VoteType::kPrepare, 12, 3, hash);
  CHECK(prepare != commit);
  // Each field of the prepare digest matters.
  CHECK(prepare != consensus::VoteDigest(*suite, "hk", consensus::VoteType::kPrepare, 12, 3,
                                         hash));
  CHECK(prepare != consensus::VoteDigest(*suite, kChain, consensus::VoteType::kPrepare, 13, 3,
                                         hash));
  CHECK(prepare != consensus::VoteDigest(*suite, kChain, consensus::VoteType::kPrepare, 12, 4,
                                         hash));
  CHECK(prepare != consensus::VoteDigest(*suite, kChain, consensus::VoteType::kPrepare, 12, 3,
                                         RandomHash(rng)));
}

TEST_CASE("a proposal digest covers the body and the valid round") {
  Fixture f;
  const consensus::Proposal proposal = f.SignedProposal(6, 2, consensus::kNoRound, 2);
  const core::Hash32 header_hash = proposal.header.Hash(*f.suite);
  const core::Hash32 digest = consensus::ProposalDigest(*f.suite, kChain, proposal, header_hash);
  CHECK(digest != consensus::VoteDigest(*f.suite, kChain, consensus::VoteType::kPrepare, 6, 2,
                                        header_hash));

  consensus::Proposal other_body = proposal;
  other_body.body.push_back(0);
  CHECK(consensus::ProposalDigest(*f.suite, kChain, other_body, header_hash) != digest);

  consensus::Proposal other_valid_round = proposal;
  other_valid_round.valid_round = 1;
  CHECK(consensus::ProposalDigest(*f.suite, kChain, other_valid_round, header_hash) != digest);

  CHECK(consensus::ProposalDigest(*f.suite, "hk", proposal, header_hash) != digest);
}

TEST_CASE("a signed record survives encoding and decoding unchanged") {
  Fixture f;
  consensus::SignedRecord record;
  CHECK(consensus::SignedRecord::Decode(record.Encode()).value() == record);

  record.height = 21;
  record.round = 3;
  record.locked_round = 2;
  record.locked_hash = RandomHash(f.rng);
  record.votes.push_back(f.SignedVote(consensus::VoteType::kPrepare, 21, 0, core::Hash32{}, 1));
  record.votes.push_back(f.SignedVote(consensus::VoteType::kCommit, 21, 0, core::Hash32{}, 1));
  record.votes.push_back(
      f.SignedVote(consensus::VoteType::kPrepare, 21, 2, record.locked_hash, 1));
  consensus::Proposal proposal = f.SignedProposal(21, 3, 2, 1);
  proposal.body.clear();  // a record keeps no bodies
  record.proposals.push_back(proposal);

  const core::Bytes encoded = record.Encode();
  auto decoded = consensus::SignedRecord::Decode(encoded);
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
  CHECK(*decoded == record);
  CHECK(decoded->Encode() == encoded);
}

TEST_CASE("a signed record never carries a proposal's body") {
  Fixture f;
  consensus::SignedRecord record;
  record.height = 9;
  record.proposals.push_back(f.SignedProposal(9, 0, consensus::kNoRound, 0));
  REQUIRE_FALSE(record.proposals[0].body.empty());
  // Encoding either leaves the body out or writes bytes that decoding refuses.
  auto decoded = consensus::SignedRecord::Decode(record.Encode());
  if (decoded) {
    REQUIRE(decoded->proposals.size() == 1);
    CHECK(decoded->proposals[0].body.empty());
  } else {
    CHECK(decoded.error().code == core::Errc::kNonCanonical);
  }
}

TEST_CASE("a signed record refuses truncation and trailing bytes") {
  Fixture f;
  consensus::SignedRecord record;
  record.height = 4;
  record.votes.push_back(f.SignedVote(consensus::VoteType::kPrepare, 4, 0, RandomHash(f.rng), 0));
  const core::Bytes encoded = record.Encode();
  for (std::size_t len = 0; len < encoded.size(); ++len) {
    auto decoded = consensus::SignedRecord::Decode(core::ByteView(encoded.data(), len));
    REQUIRE_FALSE(decoded.has_value());
    CHECK_MESSAGE(decoded.error().code == core::Errc::kTruncated, "prefix of " << len);
  }
  core::Bytes longer = encoded;
  longer.push_back(0);
  auto decoded = consensus::SignedRecord::Decode(longer);
  REQUIRE_FALSE(decoded.has_value());
  CHECK(decoded.error().code == core::Errc::kTrailingBytes);
}

TEST_CASE("evidence of two votes survives encoding and names the validator and the height") {
  Fixture f;
  consensus::Evidence e;
  e.chain_id = std::string(kChain);
  e.validator = 2;
  e.public_key = f.key.public_key;
  e.first = f.SignedVote(consensus::VoteType::kCommit, 17, 0, RandomHash(f.rng), 2);
  e.second = f.SignedVote(consensus::VoteType::kCommit, 17, 0, RandomHash(f.rng), 2);
  CHECK(e.height() == 17);

  const core::Bytes encoded = e.Encode();
  auto decoded = consensus::Evidence::Decode(encoded);
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
  CHECK(*decoded == e);
  CHECK(decoded->Encode() == encoded);

  const std::string text = e.Describe();
  CHECK(text.find("validator 2") != std::string::npos);
  CHECK(text.find("height 17") != std::string::npos);
  CHECK(text.find("commit") != std::string::npos);
}

TEST_CASE("evidence of two proposals survives encoding and names the validator and the height") {
  Fixture f;
  consensus::Evidence e;
  e.chain_id = std::string(kChain);
  e.validator = 1;
  e.public_key = f.key.public_key;
  e.first = f.SignedProposal(30, 1, consensus::kNoRound, 1);
  e.second = f.SignedProposal(30, 1, consensus::kNoRound, 1);
  CHECK(e.height() == 30);

  auto decoded = consensus::Evidence::Decode(e.Encode());
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
  CHECK(*decoded == e);

  const std::string text = e.Describe();
  CHECK(text.find("validator 1") != std::string::npos);
  CHECK(text.find("height 30") != std::string::npos);
}

TEST_CASE("evidence is laid out as messages.h describes and refuses messages of two kinds") {
  Fixture f;
  const consensus::Vote vote =
      f.SignedVote(consensus::VoteType::kPrepare, 17, 0, RandomHash(f.rng), 2);
  const consensus::Vote other =
      f.SignedVote(consensus::VoteType::kPrepare, 17, 0, core::Hash32{}, 2);
  const consensus::Proposal proposal = f.SignedProposal(17, 0, consensus::kNoRound, 2);

  // A message's bytes as evidence carries them: the frame without its kind and chain id.
  const auto body = [](const consensus::Message& m) {
    const core::Bytes frame = consensus::EncodeMessage(kChain, m);
    return core::Bytes(frame.begin() + static_cast<std::ptrdiff_t>(BodyOffset(kChain)),
                       frame.end());
  };
  const auto evidence_bytes = [&](std::uint8_t kind, const consensus::Message& a,
                                  const consensus::Message& b) {
    core::Writer w;
    w.U8(kind).Text(kChain).U32(2).Fixed(f.key.public_key).Raw(body(a)).Raw(body(b));
    return std::move(w).Take();
  };

  consensus::Evidence e;
  e.chain_id = std::string(kChain);
  e.validator = 2;
  e.public_key = f.key.public_key;
  e.first = vote;
  e.second = other;
  CHECK(e.Encode() == evidence_bytes(1, vote, other));

  // Votes evidence whose second message is a proposal: its first byte (the top byte of the
  // height) is no vote type.
  auto mixed = consensus::Evidence::Decode(evidence_bytes(1, vote, proposal));
  REQUIRE_FALSE(mixed.has_value());
  CHECK(mixed.error().code == core::Errc::kMalformed);
  // Proposals evidence holding a vote: the messages carry no kind of their own, so the vote's
  // bytes read as a damaged proposal and fail with whichever field breaks first (a header
  // version, say); rejected all the same.
  for (const core::Bytes& bytes :
       {evidence_bytes(2, proposal, vote), evidence_bytes(2, vote, other)}) {
    CHECK_FALSE(consensus::Evidence::Decode(bytes).has_value());
  }
}

}  // namespace messages_test
