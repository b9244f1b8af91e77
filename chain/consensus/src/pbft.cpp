// SPDX-License-Identifier: Apache-2.0
//
// The rules below follow the round structure of Tendermint's consensus algorithm (Buchman,
// Kwon, Milosevic, "The latest gossip on BFT consensus", 2018, Algorithm 1): prepare is its
// prevote, commit its precommit. Line numbers in comments ("T22") refer to that algorithm.
#include "baylink/consensus/pbft.h"

#include <algorithm>
#include <utility>

namespace baylink::consensus {
namespace {

using core::Errc;
using core::Hash32;

constexpr int kMaxEvaluations = 256;  // bound on rule cascades per input (each moves state on)

}  // namespace

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kPropose:
      return "propose";
    case Step::kPrepare:
      return "prepare";
    case Step::kCommit:
      return "commit";
  }
  return "unknown";
}

std::chrono::milliseconds Timeouts::For(Step step, std::uint32_t round) const {
  const std::chrono::milliseconds base =
      step == Step::kPropose ? propose : step == Step::kPrepare ? prepare : commit;
  // Saturating: a huge round must not overflow the multiplication.
  const auto rounds = static_cast<std::int64_t>(round);
  if (per_round.count() > 0 && rounds > (max.count() / per_round.count())) return max;
  return std::min(max, base + per_round * rounds);
}

Pbft::Pbft(const core::CryptoSuite& suite, std::string chain_id,
           std::optional<core::SecretKey> secret, Host& host, PbftOptions options)
    : m_suite(suite),
      m_chain_id(std::move(chain_id)),
      m_secret(std::move(secret)),
      m_host(host),
      m_options(options) {
  if (m_secret) {
    auto key = m_suite.DerivePublicKey(*m_secret);
    BAYLINK_ASSERT(key.has_value(), "the validator key was checked when it was loaded");
    m_public = *key;
  }
}

std::uint32_t Pbft::Proposer(std::uint32_t round) const {
  const std::uint64_t n = m_validators.size();
  return static_cast<std::uint32_t>((m_height % n + round % n) % n);
}

bool Pbft::Quorum(std::uint64_t power) const {
  return 3 * power > 2 * m_validators.TotalPower();
}

bool Pbft::OneThird(std::uint64_t power) const { return 3 * power > m_validators.TotalPower(); }

core::Status Pbft::StartHeight(std::uint64_t height, core::ValidatorSet validators,
                               const std::optional<SignedRecord>& record, bool wait) {
  BAYLINK_ASSERT(!m_started || height > m_height, "heights only go up");
  BAYLINK_ASSERT(validators.size() > 0, "a height has validators");
  m_started = true;
  m_height = height;
  m_validators = std::move(validators);
  m_own_index.reset();
  if (m_public) {
    const std::int64_t index = m_validators.IndexOf(*m_public);
    if (index >= 0) m_own_index = static_cast<std::uint32_t>(index);
  }
  m_rounds.clear();
  m_locked_round = kNoRound;
  m_locked_hash = Hash32{};
  m_valid_round = kNoRound;
  m_valid_hash = Hash32{};
  m_bodies.clear();
  m_saved.clear();
  m_refused.clear();
  m_decision.reset();
  m_decided = false;
  m_certified_missing = Hash32{};
  m_record = SignedRecord{};
  m_record.height = height;

  std::uint32_t start_round = 0;
  Step start_step = Step::kPropose;
  if (record && record->height == height) {
    // Restarted: take back what was signed, so nothing different is ever signed at a round
    // and step where something was (DESIGN §4).
    m_record = *record;
    m_locked_round = record->locked_round;
    m_locked_hash = record->locked_hash;
    m_valid_round = record->valid_round;
    m_valid_hash = record->valid_hash;
    start_round = record->round;
    for (const Vote& vote : record->votes) {
      if (!m_own_index || vote.validator != *m_own_index) continue;
      AddVote(vote);
      if (vote.round == start_round) {
        start_step = std::max(start_step, vote.type == VoteType::kCommit ? Step::kCommit
                                                                         : Step::kPrepare);
      }
    }
    // The prepares that justify the lock and the valid block were checked before they were
    // written; they come back so that this validator can show them again.
    for (const Vote& vote : record->justification) {
      if (vote.validator < m_validators.size() && vote.height == height) AddVote(vote);
    }
    std::vector<Hash32> wanted = {m_locked_hash, m_valid_hash};
    for (const Proposal& p : record->proposals) wanted.push_back(p.header.Hash(m_suite));
    for (const Hash32& hash : wanted) {
      if (hash == Hash32{} || m_bodies.contains(hash)) continue;
      if (std::optional<Candidate> block = m_host.LoadBlock(hash)) {
        m_bodies.emplace(hash, std::move(*block));
        m_saved.insert(hash);
      }
    }
  }
  m_waiting = wait && start_round == 0 && start_step == Step::kPropose;
  StartRound(start_round);
  m_step = start_step;
  if (start_step != Step::kPropose) Resend();

  std::vector<core::Bytes> buffered = std::move(m_buffer);
  m_buffer.clear();
  m_buffer_bytes = 0;
  for (const core::Bytes& frame : buffered) (void)OnFrame(frame);
  Evaluate();
  return core::Ok();
}

void Pbft::Go() {
  if (!m_started || !m_waiting) return;
  m_waiting = false;
  if (m_round == 0 && m_step == Step::kPropose) BeginPropose();
  Evaluate();
}

void Pbft::StartRound(std::uint32_t round) {
  m_round = round;
  m_step = Step::kPropose;
  if (round > 0) m_waiting = false;
  if (m_record.round < round) m_record.round = round;  // durable with the next signed message
  m_host.Schedule(Timer{TimerKind::kResend, m_height, round}, m_options.timeouts.resend);
  if (!m_waiting) BeginPropose();
}

void Pbft::BeginPropose() {
  if (m_own_index && *m_own_index == Proposer(m_round)) SendProposal();
  m_host.Schedule(Timer{TimerKind::kPropose, m_height, m_round},
                  m_options.timeouts.For(Step::kPropose, m_round));
}

void Pbft::SendProposal() {
  RoundState& rs = m_rounds[m_round];
  // Already proposed in this round (before a restart, or now): send the same one again, never
  // another.
  for (const Proposal& signed_before : m_record.proposals) {
    if (signed_before.round != m_round) continue;
    const Hash32 hash = signed_before.header.Hash(m_suite);
    const auto body = m_bodies.find(hash);
    if (body == m_bodies.end()) return;  // its body was lost with the restart: stay silent
    Proposal again = signed_before;
    again.body = body->second.body;
    m_host.Broadcast(EncodeMessage(m_chain_id, again));
    if (!rs.proposal) {
      again.body.clear();
      rs.proposal = std::move(again);
      rs.proposal_hash = hash;
    }
    return;
  }

  Proposal proposal;
  proposal.height = m_height;
  proposal.round = m_round;
  proposal.proposer = *m_own_index;
  Hash32 hash;
  if (m_valid_round != kNoRound) {
    // T16: a block a quorum prepared earlier is proposed again, so validators locked on it
    // can move on.
    const auto body = m_bodies.find(m_valid_hash);
    if (body == m_bodies.end()) return;
    proposal.valid_round = m_valid_round;
    proposal.header = body->second.header;
    proposal.body = body->second.body;
    hash = m_valid_hash;
    SendJustification();  // so that validators that missed those prepares can check vr
  } else {
    auto built = m_host.BuildBlock(m_height, m_round);
    if (!built) return;
    if (built->header.height != m_height || built->header.chain_id != m_chain_id) return;
    hash = built->header.Hash(m_suite);
    proposal.header = built->header;
    proposal.body = built->body;
    m_bodies.emplace(hash, std::move(*built));  // our own block needs no check
  }
  if (!KeepBlock(hash)) return;
  auto signature = m_suite.Sign(*m_secret, ProposalDigest(m_suite, m_chain_id, proposal, hash).view());
  if (!signature) return;
  proposal.signature = std::move(*signature);
  // A new block of our own: T22 would prepare it at once (our own block is valid, and a
  // locked validator proposes its valid block instead), so the prepare is signed now and
  // persisted with the proposal: one synced write instead of two.
  std::optional<Vote> prepare;
  if (m_step == Step::kPropose && proposal.valid_round == kNoRound &&
      OwnVote(VoteType::kPrepare, m_round) == nullptr &&
      (m_locked_round == kNoRound || m_locked_hash == hash)) {
    prepare = SignVote(VoteType::kPrepare, hash);
  }

  Proposal kept = proposal;
  kept.body.clear();
  RecordState();
  m_record.proposals.push_back(kept);
  if (prepare) m_record.votes.push_back(*prepare);
  if (!m_host.Persist(m_record)) {
    m_record.proposals.pop_back();
    if (prepare) m_record.votes.pop_back();
    return;
  }
  m_host.Broadcast(EncodeMessage(m_chain_id, proposal));
  rs.proposal = std::move(kept);
  rs.proposal_hash = hash;
  if (prepare) {
    m_step = Step::kPrepare;
    m_host.Broadcast(EncodeMessage(m_chain_id, *prepare));
    AddVote(*prepare);
  }
}

void Pbft::RecordState() {
  m_record.round = std::max(m_record.round, m_round);
  m_record.locked_round = m_locked_round;
  m_record.locked_hash = m_locked_hash;
  m_record.valid_round = m_valid_round;
  m_record.valid_hash = m_valid_hash;
}

const Vote* Pbft::OwnVote(VoteType type, std::uint32_t round) const {
  for (const Vote& vote : m_record.votes) {
    if (vote.type == type && vote.round == round) return &vote;
  }
  return nullptr;
}

std::optional<Vote> Pbft::SignVote(VoteType type, const Hash32& hash) const {
  if (!m_own_index || !m_secret) return std::nullopt;
  Vote vote;
  vote.type = type;
  vote.height = m_height;
  vote.round = m_round;
  vote.header_hash = hash;
  vote.validator = *m_own_index;
  auto signature =
      m_suite.Sign(*m_secret, VoteDigest(m_suite, m_chain_id, type, m_height, m_round, hash).view());
  if (!signature) return std::nullopt;
  vote.signature = std::move(*signature);
  return vote;
}

void Pbft::SignAndSendVote(VoteType type, const Hash32& hash) {
  // One vote of each type per round, ever (the record survives restarts).
  if (OwnVote(type, m_round) != nullptr) return;
  std::optional<Vote> signed_vote = SignVote(type, hash);
  if (!signed_vote) return;
  const Vote& vote = *signed_vote;

  RecordState();
  m_record.votes.push_back(vote);
  if (!m_host.Persist(m_record)) {
    m_record.votes.pop_back();
    return;
  }
  m_host.Broadcast(EncodeMessage(m_chain_id, vote));
  AddVote(vote);
}

bool Pbft::KeepBlock(const Hash32& hash) {
  if (m_saved.contains(hash)) return true;
  const auto body = m_bodies.find(hash);
  if (body == m_bodies.end() || !m_host.SaveBlock(hash, body->second)) return false;
  m_saved.insert(hash);
  return true;
}

void Pbft::SetValid(std::uint32_t round, const Hash32& hash) {
  m_valid_round = round;
  m_valid_hash = hash;
  (void)KeepBlock(hash);  // without it only this validator's re-proposal after a restart is lost
  m_record.valid_round = round;
  m_record.valid_hash = hash;
  m_record.justification = VotesFor(m_rounds[round].prepares, hash);
}

std::vector<Vote> Pbft::VotesFor(const Tally& tally, const Hash32& hash) {
  std::vector<Vote> out;
  for (auto it = tally.by_block.lower_bound({hash, 0});
       it != tally.by_block.end() && it->first.first == hash; ++it) {
    out.push_back(it->second);
  }
  return out;
}

bool Pbft::BlockKnown(const Hash32& hash) {
  if (m_bodies.contains(hash)) return true;
  for (auto& [round, state] : m_rounds) {
    if (state.proposal && state.proposal_hash == hash && BlockOk(state)) return true;
  }
  return false;
}

void Pbft::SendJustification() {
  if (m_valid_round == kNoRound) return;
  const auto round = m_rounds.find(m_valid_round);
  if (round == m_rounds.end()) return;
  for (const Vote& vote : VotesFor(round->second.prepares, m_valid_hash)) {
    m_host.Broadcast(EncodeMessage(m_chain_id, vote));
  }
}

void Pbft::Resend() {
  for (const Vote& vote : m_record.votes) {
    if (vote.round == m_round) m_host.Broadcast(EncodeMessage(m_chain_id, vote));
  }
  for (const Proposal& proposal : m_record.proposals) {
    if (proposal.round != m_round) continue;
    const auto body = m_bodies.find(proposal.header.Hash(m_suite));
    if (body == m_bodies.end()) continue;
    Proposal full = proposal;
    full.body = body->second.body;
    m_host.Broadcast(EncodeMessage(m_chain_id, full));
  }
  SendJustification();
}

core::Status Pbft::Drop(std::uint64_t DropCounters::*counter, core::Error error) {
  ++(m_drops.*counter);
  return error;
}

void Pbft::Note(std::uint64_t height) { m_highest_seen = std::max(m_highest_seen, height); }

core::Status Pbft::OnFrame(core::ByteView frame) {
  auto decoded = DecodeMessage(m_chain_id, frame, m_options.max_frame_bytes);
  if (!decoded) return Drop(&DropCounters::malformed, std::move(decoded).error());
  const std::uint64_t height = std::visit([](const auto& m) { return m.height; }, *decoded);
  Note(height);
  if (!m_started || height > m_height + 1) {
    return Drop(&DropCounters::future,
                core::Fail(Errc::kInvalidArgument, "consensus message for height " +
                                                       std::to_string(height) + " while at " +
                                                       std::to_string(m_height)));
  }
  if (height < m_height || (height == m_height && m_decided)) {
    return Drop(&DropCounters::stale,
                core::Fail(Errc::kStale, "consensus message for height " + std::to_string(height) +
                                             "; height " + std::to_string(m_height) +
                                             (m_decided ? " is decided" : " is current")));
  }
  if (height == m_height + 1) {
    // Unverified until the next height's validator set is known: held, bounded.
    if (m_buffer.size() >= m_options.max_buffered ||
        m_buffer_bytes + frame.size() > m_options.max_buffered_bytes) {
      return Drop(&DropCounters::future,
                  core::Fail(Errc::kFull, "the buffer for height " + std::to_string(height) +
                                              " is full"));
    }
    m_buffer.emplace_back(frame.begin(), frame.end());
    m_buffer_bytes += frame.size();
    return core::Ok();
  }
  core::Status status = std::holds_alternative<Vote>(*decoded)
                            ? HandleVote(std::get<Vote>(std::move(*decoded)))
                            : HandleProposal(std::get<Proposal>(std::move(*decoded)));
  // A contradicting vote is evidence and still counts toward its own block.
  if (status || status.error().code == Errc::kConflict) Evaluate();
  return status;
}

core::Status Pbft::HandleVote(Vote vote) {
  const std::string what = std::string(VoteTypeName(vote.type)) + " vote of validator " +
                           std::to_string(vote.validator) + " at height " +
                           std::to_string(vote.height) + " round " + std::to_string(vote.round);
  if (vote.validator >= m_validators.size()) {
    return Drop(&DropCounters::unknown,
                core::Fail(Errc::kUnauthorized, what + ": the set has " +
                                                    std::to_string(m_validators.size()) +
                                                    " validators"));
  }
  if (vote.round > m_round && vote.round - m_round > m_options.max_rounds_ahead) {
    return Drop(&DropCounters::future,
                core::Fail(Errc::kInvalidArgument, what + ": too far ahead of round " +
                                                       std::to_string(m_round)));
  }
  if (vote.signature.size() != m_suite.SignatureSize()) {
    return Drop(&DropCounters::bad_signature,
                core::Fail(Errc::kBadSignature, what + ": signature of " +
                                                    std::to_string(vote.signature.size()) +
                                                    " bytes"));
  }
  const Vote* first = nullptr;
  if (const auto round = m_rounds.find(vote.round); round != m_rounds.end()) {
    const Tally& tally =
        vote.type == VoteType::kPrepare ? round->second.prepares : round->second.commits;
    if (tally.by_block.contains({vote.header_hash, vote.validator})) {
      // Counted already for this block (another valid signature adds nothing: SM2 signs with
      // a random nonce, so one vote may arrive with several).
      return Drop(&DropCounters::duplicate, core::Fail(Errc::kDuplicate, what + ": already held"));
    }
    if (const auto it = tally.per_sender.find(vote.validator);
        it != tally.per_sender.end() && it->second >= kMaxVotesPerSender) {
      return Drop(&DropCounters::conflict,
                  core::Fail(Errc::kConflict, what + ": too many contradicting votes"));
    }
    if (const auto it = tally.by_validator.find(vote.validator); it != tally.by_validator.end()) {
      first = &it->second;
    }
  }
  const core::PublicKey& key = m_validators.validators()[vote.validator].public_key;
  const Hash32 digest =
      VoteDigest(m_suite, m_chain_id, vote.type, vote.height, vote.round, vote.header_hash);
  if (core::Status s = m_suite.Verify(key, digest.view(), vote.signature); !s) {
    return Drop(&DropCounters::bad_signature,
                core::Fail(s.error().code, what + ": " + s.error().detail));
  }
  if (first != nullptr) {
    RecordEvidence(vote.validator, *first, vote);
    AddVote(vote);
    return Drop(&DropCounters::conflict,
                core::Fail(Errc::kConflict, what + " contradicts the one it sent before"));
  }
  AddVote(vote);
  return core::Ok();
}

void Pbft::AddVote(const Vote& vote) {
  RoundState& rs = m_rounds[vote.round];
  Tally& tally = vote.type == VoteType::kPrepare ? rs.prepares : rs.commits;
  if (!tally.by_block.emplace(std::make_pair(vote.header_hash, vote.validator), vote).second) {
    return;
  }
  const std::uint64_t power = m_validators.validators()[vote.validator].power;
  ++tally.per_sender[vote.validator];
  tally.power_for[vote.header_hash] += power;
  if (tally.by_validator.emplace(vote.validator, vote).second) tally.power += power;
}

core::Status Pbft::HandleProposal(Proposal proposal) {
  const std::string what = "proposal of validator " + std::to_string(proposal.proposer) +
                           " at height " + std::to_string(proposal.height) + " round " +
                           std::to_string(proposal.round);
  if (proposal.round > m_round &&
      proposal.round - m_round > m_options.max_proposal_rounds_ahead) {
    return Drop(&DropCounters::future,
                core::Fail(Errc::kInvalidArgument, what + ": too far ahead of round " +
                                                       std::to_string(m_round)));
  }
  if (proposal.proposer != Proposer(proposal.round)) {
    return Drop(&DropCounters::unknown,
                core::Fail(Errc::kUnauthorized,
                           what + ": the leader of that round is validator " +
                               std::to_string(Proposer(proposal.round))));
  }
  if (proposal.header.chain_id != m_chain_id) {
    return Drop(&DropCounters::malformed,
                core::Fail(Errc::kWrongChain, what + ": its header is for chain '" +
                                                  proposal.header.chain_id + "'"));
  }
  if (proposal.signature.size() != m_suite.SignatureSize()) {
    return Drop(&DropCounters::bad_signature,
                core::Fail(Errc::kBadSignature, what + ": signature of " +
                                                    std::to_string(proposal.signature.size()) +
                                                    " bytes"));
  }
  const Hash32 hash = proposal.header.Hash(m_suite);
  RoundState* rs = nullptr;
  if (const auto it = m_rounds.find(proposal.round); it != m_rounds.end()) rs = &it->second;
  if (rs != nullptr && rs->proposal && rs->proposal_hash == hash &&
      rs->proposal->valid_round == proposal.valid_round) {
    return Drop(&DropCounters::duplicate, core::Fail(Errc::kDuplicate, what + ": already held"));
  }
  const core::PublicKey& key = m_validators.validators()[proposal.proposer].public_key;
  const Hash32 digest = ProposalDigest(m_suite, m_chain_id, proposal, hash);
  if (core::Status s = m_suite.Verify(key, digest.view(), proposal.signature); !s) {
    return Drop(&DropCounters::bad_signature,
                core::Fail(s.error().code, what + ": " + s.error().detail));
  }
  if (rs != nullptr && rs->proposal) {
    // The held proposal's body may have moved to m_bodies; evidence carries both whole.
    Proposal first = *rs->proposal;
    if (first.body.empty()) {
      if (const auto body = m_bodies.find(rs->proposal_hash); body != m_bodies.end()) {
        first.body = body->second.body;
      }
    }
    RecordEvidence(proposal.proposer, std::move(first), std::move(proposal));
    return Drop(&DropCounters::conflict,
                core::Fail(Errc::kConflict, what + " contradicts the one it sent before"));
  }
  RoundState& state = m_rounds[proposal.round];
  state.proposal = std::move(proposal);
  state.proposal_hash = hash;
  return core::Ok();
}

void Pbft::RecordEvidence(std::uint32_t validator, Message first, Message second) {
  Evidence evidence;
  evidence.chain_id = m_chain_id;
  evidence.validator = validator;
  evidence.public_key = m_validators.validators()[validator].public_key;
  evidence.first = std::move(first);
  evidence.second = std::move(second);
  m_host.OnEvidence(evidence);
}

bool Pbft::BlockOk(RoundState& rs) {
  if (!rs.proposal) return false;
  const Hash32& hash = rs.proposal_hash;
  if (m_bodies.contains(hash)) {
    rs.proposal->body.clear();
    return true;
  }
  const std::pair<Hash32, Hash32> key{hash, m_suite.Hash(rs.proposal->body)};
  if (m_refused.contains(key)) return false;
  if (!m_host.CheckBlock(rs.proposal->header, rs.proposal->body)) {
    m_refused.insert(key);
    return false;
  }
  m_bodies.emplace(hash, Candidate{rs.proposal->header, std::move(rs.proposal->body)});
  rs.proposal->body.clear();
  return true;
}

bool Pbft::Decide(std::uint32_t round, const Hash32& hash) {
  // T49: the block must be known and valid. Its proposal may come from any round.
  if (!BlockKnown(hash)) {
    m_certified_missing = hash;
    return false;
  }
  const Candidate& block = m_bodies.at(hash);
  Decision decision;
  decision.header = block.header;
  decision.body = block.body;
  decision.certificate.height = m_height;
  decision.certificate.round = round;
  decision.certificate.header_hash = hash;
  for (const Vote& vote : VotesFor(m_rounds[round].commits, hash)) {
    decision.certificate.signatures.push_back(core::CommitSignature{vote.validator, vote.signature});
  }
  m_decision = std::move(decision);
  m_decided = true;
  m_certified_missing = Hash32{};
  return true;
}

void Pbft::Evaluate() {
  for (int i = 0; i < kMaxEvaluations && !m_decided; ++i) {
    if (!EvaluateOnce()) return;
  }
}

bool Pbft::EvaluateOnce() {
  // T49: a decision in any round.
  for (const auto& [round, state] : m_rounds) {
    for (const auto& [hash, power] : state.commits.power_for) {
      if (hash != Hash32{} && Quorum(power)) {
        const std::uint32_t r = round;
        const Hash32 h = hash;
        if (Decide(r, h)) return false;
      }
    }
  }

  // T55: more than 1/3 of the power is in a later round: join the highest such round.
  std::optional<std::uint32_t> skip_to;
  for (auto it = m_rounds.upper_bound(m_round); it != m_rounds.end(); ++it) {
    std::set<std::uint32_t> senders;
    for (const auto& [index, vote] : it->second.prepares.by_validator) senders.insert(index);
    for (const auto& [index, vote] : it->second.commits.by_validator) senders.insert(index);
    if (it->second.proposal) senders.insert(it->second.proposal->proposer);
    std::uint64_t power = 0;
    for (std::uint32_t index : senders) power += m_validators.validators()[index].power;
    if (OneThird(power)) skip_to = it->first;
  }
  if (skip_to) {
    StartRound(*skip_to);
    return true;
  }

  RoundState& rs = m_rounds[m_round];
  if (m_step == Step::kPropose && rs.proposal) {
    const Hash32 hash = rs.proposal_hash;
    const std::uint32_t vr = rs.proposal->valid_round;
    if (vr == kNoRound) {
      // T22.
      const bool ok = BlockOk(rs) && (m_locked_round == kNoRound || m_locked_hash == hash);
      m_step = Step::kPrepare;
      SignAndSendVote(VoteType::kPrepare, ok ? hash : Hash32{});
      return true;
    }
    const auto earlier = m_rounds.find(vr);
    if (vr < m_round && earlier != m_rounds.end()) {
      const auto power = earlier->second.prepares.power_for.find(hash);
      if (power != earlier->second.prepares.power_for.end() && Quorum(power->second)) {
        // T28: a quorum prepared it in round vr; a lock from before vr gives way.
        const bool ok = BlockOk(rs) && (m_locked_round == kNoRound || m_locked_round <= vr ||
                                        m_locked_hash == hash);
        m_step = Step::kPrepare;
        SignAndSendVote(VoteType::kPrepare, ok ? hash : Hash32{});
        return true;
      }
    }
  }

  if (m_step == Step::kPrepare && !rs.prepare_timer_set && Quorum(rs.prepares.power)) {
    // T34.
    rs.prepare_timer_set = true;
    m_host.Schedule(Timer{TimerKind::kPrepare, m_height, m_round},
                    m_options.timeouts.For(Step::kPrepare, m_round));
  }

  if (m_step != Step::kPropose && rs.proposal && !rs.prepared_once) {
    const auto power = rs.prepares.power_for.find(rs.proposal_hash);
    if (power != rs.prepares.power_for.end() && Quorum(power->second) && BlockOk(rs)) {
      // T36: a quorum prepared this block in this round: lock on it and commit-vote it.
      rs.prepared_once = true;
      SetValid(m_round, rs.proposal_hash);
      if (m_step == Step::kPrepare) {
        m_locked_round = m_round;
        m_locked_hash = rs.proposal_hash;
        m_step = Step::kCommit;
        SignAndSendVote(VoteType::kCommit, rs.proposal_hash);
      }
      return true;
    }
  }

  // A quorum prepared a block in an earlier round than this one but later than the valid
  // block: it becomes the valid block (what this validator proposes when it leads), as T36
  // would have made it had this validator been in that round. The prepares justify it (T28).
  for (auto it = m_rounds.begin(); it != m_rounds.end() && it->first <= m_round; ++it) {
    if (m_valid_round != kNoRound && it->first <= m_valid_round) continue;
    for (const auto& [hash, power] : it->second.prepares.power_for) {
      if (hash == Hash32{} || !Quorum(power)) continue;
      if (BlockKnown(hash)) {
        SetValid(it->first, hash);
        return true;
      }
    }
  }

  if (m_step == Step::kPrepare) {
    const auto nil = rs.prepares.power_for.find(Hash32{});
    if (nil != rs.prepares.power_for.end() && Quorum(nil->second)) {
      // T44.
      m_step = Step::kCommit;
      SignAndSendVote(VoteType::kCommit, Hash32{});
      return true;
    }
  }

  if (!rs.commit_timer_set && Quorum(rs.commits.power)) {
    // T47.
    rs.commit_timer_set = true;
    m_host.Schedule(Timer{TimerKind::kCommit, m_height, m_round},
                    m_options.timeouts.For(Step::kCommit, m_round));
  }
  return false;
}

void Pbft::OnTimer(const Timer& timer) {
  if (!m_started || timer.height != m_height || timer.round != m_round || m_decided) return;
  switch (timer.kind) {
    case TimerKind::kResend:
      Resend();
      m_host.Schedule(timer, m_options.timeouts.resend);
      return;
    case TimerKind::kPropose:
      // T57.
      if (m_step != Step::kPropose) return;
      m_step = Step::kPrepare;
      SignAndSendVote(VoteType::kPrepare, Hash32{});
      break;
    case TimerKind::kPrepare:
      // T61.
      if (m_step != Step::kPrepare) return;
      m_step = Step::kCommit;
      SignAndSendVote(VoteType::kCommit, Hash32{});
      break;
    case TimerKind::kCommit:
      // T65.
      StartRound(m_round + 1);
      break;
  }
  Evaluate();
}

std::optional<Decision> Pbft::TakeDecision() {
  std::optional<Decision> out = std::move(m_decision);
  m_decision.reset();
  return out;
}

}  // namespace baylink::consensus
