// SPDX-License-Identifier: Apache-2.0
//
// The messages validators exchange (DESIGN §4): a proposal of an executed header with its
// block body, and prepare and commit votes. Each is signed by its sender's validator key, so a
// node accepts consensus input only from the current validator set whatever the transport.
//
// Wire format (canonical codec, codec.h), one message per transport frame:
//   u8 kind (1 proposal, 2 vote) ‖ text chain_id ‖ the message
//   Vote:     u8 type (1 prepare, 2 commit) ‖ u64 height ‖ u32 round ‖ 32 header_hash
//             (all zero: a vote for no block, "nil") ‖ u32 validator ‖ blob signature
//   Proposal: u64 height ‖ u32 round ‖ u32 valid_round (kNoRound: none) ‖ BlockHeader ‖
//             blob body ‖ u32 proposer ‖ blob signature
// Decoding is strict (unknown kinds and types, trailing bytes, oversized fields: rejected) so
// that an accepted message re-encodes to the bytes that were signed.
//
// Signed digests (suite hash, integers big-endian, texts length-prefixed):
//   commit vote:    core::CommitVoteDigest(chain_id, height, round, header_hash), so the
//                   commit votes for a block are its CommitCertificate's signatures as they
//                   stand; a nil commit vote signs the same digest over the zero hash, which no
//                   header can have.
//   prepare vote:   H("baylink/prepare/v1" ‖ chain_id ‖ height ‖ round ‖ header_hash)
//   proposal:       H("baylink/proposal/v1" ‖ chain_id ‖ height ‖ round ‖ valid_round ‖
//                     header_hash ‖ H(body))
// Distinct domain tags keep a signature of one kind from passing as another.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <variant>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"

namespace baylink::consensus {

inline constexpr std::uint32_t kNoRound = std::numeric_limits<std::uint32_t>::max();
// The largest body a proposal may carry (the block's encoded transactions); a chain's own
// limit (ChainParams::max_block_bytes) is at most this and is checked by the node.
inline constexpr std::uint32_t kMaxBodyBytes = 64u << 20;

enum class VoteType : std::uint8_t { kPrepare = 1, kCommit = 2 };
std::string_view VoteTypeName(VoteType type);  // "prepare" / "commit"

struct Vote {
  VoteType type = VoteType::kPrepare;
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  core::Hash32 header_hash;  // zero: nil
  std::uint32_t validator = 0;  // index in the height's validator set
  core::Bytes signature;

  bool is_nil() const { return header_hash == core::Hash32{}; }
  friend bool operator==(const Vote&, const Vote&) = default;
};

struct Proposal {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  // The round in which a quorum prepared this header, when the proposer re-proposes a block
  // that was prepared earlier (so that validators locked on it can accept it); else kNoRound.
  std::uint32_t valid_round = kNoRound;
  core::BlockHeader header;
  core::Bytes body;  // the block's transactions, opaque here; the node checks it against header
  std::uint32_t proposer = 0;  // index of the sender in the height's validator set
  core::Bytes signature;

  friend bool operator==(const Proposal&, const Proposal&) = default;
};

using Message = std::variant<Proposal, Vote>;

// The digest each message's signature covers (see the top of this file).
core::Hash32 VoteDigest(const core::CryptoSuite& suite, std::string_view chain_id,
                        VoteType type, std::uint64_t height, std::uint32_t round,
                        const core::Hash32& header_hash);
core::Hash32 ProposalDigest(const core::CryptoSuite& suite, std::string_view chain_id,
                            const Proposal& proposal, const core::Hash32& header_hash);

// The framed encoding of a message for `chain_id`.
core::Bytes EncodeMessage(std::string_view chain_id, const Message& message);
// Decodes one frame of at most `max_bytes`. Errors: kOversized (frame over max_bytes, a field
// over its limit), kWrongChain (another chain's frame, naming both ids), codec errors naming
// the field (kTruncated, kTrailingBytes, kMalformed for an unknown kind or vote type),
// BlockHeader::Decode's errors. Signatures are not checked here (Pbft::OnMessage does).
core::Result<Message> DecodeMessage(std::string_view chain_id, core::ByteView frame,
                                    std::size_t max_bytes);

// Two signed messages from one validator that contradict each other: two different votes of
// one type at one height and round, or two different proposals at one height and round. Both
// signatures verified; either message alone is valid, together they prove the validator
// misbehaved.
struct Evidence {
  std::string chain_id;
  std::uint32_t validator = 0;  // index in the height's validator set
  core::PublicKey public_key;
  Message first;
  Message second;

  // u8 kind (1 votes, 2 proposals) ‖ text chain_id ‖ u32 validator ‖ public key ‖ first ‖
  // second (each as in the wire format, without the frame's kind and chain id).
  core::Bytes Encode() const;
  // Errors: kMalformed for an unknown kind byte; otherwise those of decoding both messages
  // as the kind that byte names (so a message of the other kind fails on its first field
  // that does not fit) and kTrailingBytes.
  static core::Result<Evidence> Decode(core::ByteView data);
  // A line a person can read: "validator 2 (0x04ab..) signed two commit votes at height 17
  // round 0: 0x1f.. and 0x9c..".
  std::string Describe() const;
  // The height the evidence is about.
  std::uint64_t height() const;
  friend bool operator==(const Evidence&, const Evidence&) = default;
};

}  // namespace baylink::consensus
