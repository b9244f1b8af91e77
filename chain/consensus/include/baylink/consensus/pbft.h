// SPDX-License-Identifier: Apache-2.0
//
// PBFT among weighted validators (DESIGN §4), as a pure state machine: no thread, no clock, no
// socket, no disk. The node (or a simulation) feeds it frames and timeouts and lends it a Host
// that builds and checks blocks, persists what was signed, sends frames and schedules timeouts.
//
// One height at a time. Each round r of height h has a leader, Proposer(h, r) = (h + r) mod n.
//   propose  the leader proposes an executed header with its body (or, when a quorum prepared
//            a block in an earlier round, that block again with valid_round set);
//   prepare  each validator prepares the proposal when the block checks out and it is not
//            locked on another block (or the proposal carries a valid_round at or after its
//            lock), else prepares nil;
//   commit   on prepares of more than 2/3 of the power for one block in this round, a validator
//            locks on it and commit-votes it; on more than 2/3 for nil, it commit-votes nil;
//   decide   commit votes of more than 2/3 of the power for one block (in any round) with the
//            block known: decided. Those votes are the block's CommitCertificate.
// Timeouts move a stuck step on (propose -> prepare nil, prepare -> commit nil, commit -> next
// round), each longer by Timeouts::per_round per round (backoff). Messages of more than 1/3 of
// the power at a higher round pull a validator into that round (the view change). The lock
// rules make two different decisions at one height impossible while less than 1/3 of the
// power is faulty; the timeouts and round skips give liveness once a quorum can talk.
//
// Lossy transports. Nothing is assumed delivered: while a round lasts, a validator resends its
// own messages of the round every Timeouts::resend (so a healed partition resumes), and a
// validator that sees frames of a later height reports it through highest_seen_height() so the
// node can fetch the blocks it missed (block sync, DESIGN §4).
//
// Safety across restarts. Before a signed message leaves, the Host persists a SignedRecord
// (every message this validator signed at the height, its lock, its valid block and the
// prepares that justify them), and the bodies of the blocks it proposed or locked on
// (SaveBlock); a restarted validator given that record resends what it signed, never signs a
// different block at a height, round and step where it already signed one, and can still
// propose its locked block again with the prepares that justify it.
//
// Equivocators. Every signed vote counts toward the block it names, once per validator and
// block (the first kMaxVotesPerSender per validator, round and type): a validator that sends
// contradicting votes is reported as Evidence but cannot hide its real vote from a quorum.
//
// Input hygiene (the order of checks on a frame, cheap before expensive): size and strict
// decoding; chain id; height (earlier: kStale; later: buffered, bounded, or only noted);
// round within max_rounds_ahead; sender index inside the set; an identical message already
// held (kDuplicate, no signature check); the signature; then conflicts with a held message
// from the same sender, which become Evidence (kConflict). A dropped frame changes nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "baylink/consensus/messages.h"
#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"

namespace baylink::consensus {

enum class Step : std::uint8_t { kPropose = 1, kPrepare = 2, kCommit = 3 };
std::string_view StepName(Step step);

struct Timeouts {
  std::chrono::milliseconds propose{3000};
  std::chrono::milliseconds prepare{1000};
  std::chrono::milliseconds commit{1000};
  std::chrono::milliseconds per_round{1000};  // added to each per round of the height
  std::chrono::milliseconds max{60000};       // cap of any step's timeout
  std::chrono::milliseconds resend{1000};     // own messages resent this often within a round

  // The timeout of `step` in `round`: min(base + round * per_round, max).
  std::chrono::milliseconds For(Step step, std::uint32_t round) const;
};

// A timeout the state machine asked for. kResend is the resend timer, not a step.
enum class TimerKind : std::uint8_t { kPropose = 1, kPrepare = 2, kCommit = 3, kResend = 4 };
struct Timer {
  TimerKind kind = TimerKind::kPropose;
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  friend bool operator==(const Timer&, const Timer&) = default;
};

struct Candidate {
  core::BlockHeader header;
  core::Bytes body;
};

// At most this many different votes of one validator, round and type are counted (the first
// one and the contradictions that became evidence); more are dropped.
inline constexpr std::size_t kMaxVotesPerSender = 4;

// What a validator signed at one height, persisted before any of it is sent.
struct SignedRecord {
  std::uint64_t height = 0;
  std::uint32_t round = 0;                // the round it had reached
  std::uint32_t locked_round = kNoRound;  // the lock (kNoRound: none)
  core::Hash32 locked_hash;
  std::uint32_t valid_round = kNoRound;   // the latest block a quorum prepared (kNoRound: none)
  core::Hash32 valid_hash;
  std::vector<Vote> votes;                // every vote it signed at this height
  std::vector<Proposal> proposals;        // every proposal it signed, bodies omitted
  std::vector<Vote> justification;        // the prepares of valid_round for valid_hash

  core::Bytes Encode() const;
  // Errors: codec errors; kOversized; kNonCanonical for a body in a stored proposal.
  static core::Result<SignedRecord> Decode(core::ByteView data);
  friend bool operator==(const SignedRecord&, const SignedRecord&) = default;
};


// A decided block: its header, body and certificate (commit votes of > 2/3 of the power).
struct Decision {
  core::BlockHeader header;
  core::Bytes body;
  core::CommitCertificate certificate;
};

class Host {
 public:
  virtual ~Host() = default;
  // The block this validator proposes at `height`, `round`, on the committed head. Called
  // only on the round's leader, when it has no earlier prepared block to propose again.
  // kUnavailable means "nothing to propose now" (the round then runs out); other errors too.
  virtual core::Result<Candidate> BuildBlock(std::uint64_t height, std::uint32_t round) = 0;
  // Whether `body` executed on the head yields `header` (and the header is acceptable:
  // parent, timestamp, limits). Called at most once per distinct (header, body) pair at a
  // height: a refused body never poisons its header, which may come again with another body.
  virtual core::Status CheckBlock(const core::BlockHeader& header, core::ByteView body) = 0;
  // Keeps a block of the current height this validator proposed or may have to propose again
  // (its locked or valid block) so that LoadBlock finds it after a restart. Durable once the
  // next Persist returns. Errors stop the message that needed it from being sent.
  virtual core::Status SaveBlock(const core::Hash32& header_hash, const Candidate& block) = 0;
  // A block SaveBlock kept at the current height, or nullopt.
  virtual std::optional<Candidate> LoadBlock(const core::Hash32& header_hash) = 0;
  // Makes `record` durable (replacing the previous one) before returning. An error stops the
  // message from being sent (the validator then stays silent for that step).
  virtual core::Status Persist(const SignedRecord& record) = 0;
  // Sends one frame to every other validator (best effort).
  virtual void Broadcast(core::ByteView frame) = 0;
  // Calls Pbft::OnTimer(timer) after `after` (later is fine; never earlier).
  virtual void Schedule(const Timer& timer, std::chrono::milliseconds after) = 0;
  // A validator was caught signing two conflicting messages.
  virtual void OnEvidence(const Evidence& evidence) = 0;
};

struct PbftOptions {
  Timeouts timeouts;
  std::size_t max_frame_bytes = std::size_t{kMaxBodyBytes} + (1u << 16);
  std::uint32_t max_rounds_ahead = 1000;  // votes for rounds further ahead are dropped
  std::size_t max_buffered = 4096;        // frames of the next height held until it starts
  std::size_t max_buffered_bytes = std::size_t{128} << 20;  // ... and their bytes
  std::uint32_t max_proposal_rounds_ahead = 2;  // proposals further ahead are dropped (resent)
};

// Why a frame was dropped, for counters (the Status' code says the same in general terms).
struct DropCounters {
  std::uint64_t malformed = 0;   // decoding, size or chain id
  std::uint64_t stale = 0;       // an earlier height or a finished step
  std::uint64_t unknown = 0;     // sender not in the set, or not the round's leader
  std::uint64_t duplicate = 0;   // already held
  std::uint64_t bad_signature = 0;
  std::uint64_t conflict = 0;    // became evidence
  std::uint64_t future = 0;      // too far ahead (round or height), or the buffer was full
};

class Pbft {
 public:
  // `secret`: this validator's key; nullopt for a node that only follows (it never signs).
  // Requires: suite and host outlive the Pbft.
  Pbft(const core::CryptoSuite& suite, std::string chain_id,
       std::optional<core::SecretKey> secret, Host& host, PbftOptions options);

  // Begins `height` (round 0, step propose) among `validators`, the set that signs it; then
  // replays the buffered frames of that height. `record`: what this validator signed before a
  // restart, used when it is for this height (its round, lock and signed messages are restored
  // and resent). The leader proposes at once unless `wait` is set; with `wait`, round 0 idles
  // (no proposal, no propose timeout) until Go() or a proposal arrives, so an idle chain makes
  // no blocks until the node has work or a heartbeat is due.
  // Requires: height above any height started before. Errors: the Host's Persist errors.
  core::Status StartHeight(std::uint64_t height, core::ValidatorSet validators,
                           const std::optional<SignedRecord>& record, bool wait);
  // Ends the idle wait of round 0 (no effect otherwise).
  void Go();

  // One frame from the network. Ok when it was used; otherwise why it was dropped.
  core::Status OnFrame(core::ByteView frame);
  // A timer the Host scheduled has fired (stale timers are ignored).
  void OnTimer(const Timer& timer);

  // The decision of the current height, once (then empty). The caller commits it and starts
  // the next height.
  std::optional<Decision> TakeDecision();

  std::uint64_t height() const { return m_height; }
  std::uint32_t round() const { return m_round; }
  Step step() const { return m_step; }
  bool waiting() const { return m_waiting; }
  // The highest height named by any well-formed frame (not verified: a hint for block sync).
  std::uint64_t highest_seen_height() const { return m_highest_seen; }
  // A block that gathered commit votes of > 2/3 of the power while its body is unknown here
  // (the node should fetch the block); zero when none.
  const core::Hash32& certified_without_body() const { return m_certified_missing; }
  const DropCounters& drops() const { return m_drops; }
  const core::ValidatorSet& validators() const { return m_validators; }
  // This validator's index in the current set, when it is in it.
  std::optional<std::uint32_t> own_index() const { return m_own_index; }
  // The leader of `round` at the current height.
  std::uint32_t Proposer(std::uint32_t round) const;

 private:
  struct Tally {
    std::map<std::uint32_t, Vote> by_validator;  // the first vote of each validator
    // Every counted vote, by (block, validator): ordered by validator within a block.
    std::map<std::pair<core::Hash32, std::uint32_t>, Vote> by_block;
    std::map<std::uint32_t, std::size_t> per_sender;  // votes counted per validator
    std::map<core::Hash32, std::uint64_t> power_for;  // zero hash: nil
    std::uint64_t power = 0;  // of distinct validators
  };
  struct RoundState {
    // From the round's leader, signature checked. Its body moves to m_bodies once checked.
    std::optional<Proposal> proposal;
    core::Hash32 proposal_hash;  // the proposal's recomputed header hash
    Tally prepares;
    Tally commits;
    bool prepare_timer_set = false;
    bool commit_timer_set = false;
    bool prepared_once = false;  // the "first time" of the prepared-block rule
  };

  core::Status HandleVote(Vote vote);
  core::Status HandleProposal(Proposal proposal);
  void AddVote(const Vote& vote);
  void SetValid(std::uint32_t round, const core::Hash32& hash);
  bool KeepBlock(const core::Hash32& hash);
  void SendJustification();
  void Evaluate();
  bool EvaluateOnce();
  void StartRound(std::uint32_t round);
  void BeginPropose();
  bool Decide(std::uint32_t round, const core::Hash32& hash);
  bool Quorum(std::uint64_t power) const;   // > 2/3 of the total
  bool OneThird(std::uint64_t power) const; // > 1/3 of the total
  bool BlockOk(RoundState& round);
  // The block's body is here and checks out (built here, or a held proposal of any round).
  bool BlockKnown(const core::Hash32& hash);
  // The votes of `tally` for `hash`, by increasing validator index.
  static std::vector<Vote> VotesFor(const Tally& tally, const core::Hash32& hash);
  // Our vote of `type` for `hash` at this height and round, signed (not recorded or sent).
  std::optional<Vote> SignVote(VoteType type, const core::Hash32& hash) const;
  void SignAndSendVote(VoteType type, const core::Hash32& hash);
  const Vote* OwnVote(VoteType type, std::uint32_t round) const;
  // Copies the round, lock and valid block into m_record (before it is persisted).
  void RecordState();
  void SendProposal();
  void Resend();
  void Note(std::uint64_t height);
  core::Status Drop(std::uint64_t DropCounters::*counter, core::Error error);
  void RecordEvidence(std::uint32_t validator, Message first, Message second);

  const core::CryptoSuite& m_suite;
  const std::string m_chain_id;
  const std::optional<core::SecretKey> m_secret;
  std::optional<core::PublicKey> m_public;
  Host& m_host;
  const PbftOptions m_options;

  std::uint64_t m_height = 0;
  std::uint32_t m_round = 0;
  Step m_step = Step::kPropose;
  bool m_started = false;
  bool m_waiting = false;
  core::ValidatorSet m_validators;
  std::optional<std::uint32_t> m_own_index;
  std::map<std::uint32_t, RoundState> m_rounds;
  std::uint32_t m_locked_round = kNoRound;
  core::Hash32 m_locked_hash;
  std::uint32_t m_valid_round = kNoRound;
  core::Hash32 m_valid_hash;
  std::map<core::Hash32, Candidate> m_bodies;   // checked or built blocks of this height
  std::set<core::Hash32> m_saved;               // blocks handed to Host::SaveBlock
  // (header hash, body hash) pairs CheckBlock refused: a bad body never poisons its header.
  std::set<std::pair<core::Hash32, core::Hash32>> m_refused;
  SignedRecord m_record;
  std::optional<Decision> m_decision;
  bool m_decided = false;
  core::Hash32 m_certified_missing;
  std::vector<core::Bytes> m_buffer;  // frames of height m_height + 1
  std::size_t m_buffer_bytes = 0;
  std::uint64_t m_highest_seen = 0;
  DropCounters m_drops;
};

}  // namespace baylink::consensus
