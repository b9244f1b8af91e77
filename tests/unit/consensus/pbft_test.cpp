// SPDX-License-Identifier: Apache-2.0
//
// Pbft's input hygiene, one frame at a time: each kind of bad frame is dropped with its own
// reason and counter, and changes nothing; decisions and the proposer's single write.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <variant>
#include <vector>

#include "baylink/consensus/pbft.h"
#include "baylink/crypto/suites.h"
#include "test_random.h"

namespace baylink::consensus {
namespace pbft_test {
namespace {

using core::Errc;

// A host that records what Pbft persists, sends and reports; it builds a block only when
// `builds` is set (a proposer), and accepts every block it is asked to check.
class RecordingHost final : public Host {
 public:
  core::Result<Candidate> BuildBlock(std::uint64_t height, std::uint32_t) override {
    if (!builds) return core::Fail(Errc::kUnavailable, "nothing");
    Candidate c;
    c.header.chain_id = "hk";
    c.header.height = height;
    c.body = {4, 5, 6};
    return c;
  }
  core::Status CheckBlock(const core::BlockHeader&, core::ByteView) override { return core::Ok(); }
  core::Status Persist(const SignedRecord& record) override {
    persisted.push_back(record);
    return core::Ok();
  }
  core::Status SaveBlock(const core::Hash32&, const Candidate&) override { return core::Ok(); }
  std::optional<Candidate> LoadBlock(const core::Hash32&) override { return std::nullopt; }
  void Broadcast(core::ByteView frame) override { sent.emplace_back(frame.begin(), frame.end()); }
  void Schedule(const Timer&, std::chrono::milliseconds) override {}
  void OnEvidence(const Evidence& e) override { evidence.push_back(e); }

  bool builds = false;
  std::vector<SignedRecord> persisted;
  std::vector<core::Bytes> sent;
  std::vector<Evidence> evidence;
};

struct Fixture {
  Fixture() : suite(crypto::MakeSuite(core::SuiteId::kEcdsa)), rng(testing::Seed()) {
    std::vector<core::Validator> members;
    for (int i = 0; i < 4; ++i) {
      keys.push_back(suite->GenerateKey(rng));
      members.push_back(core::Validator{keys.back().public_key, 1});
    }
    set = *core::ValidatorSet::Create(members);
    // Node 0 observes (no key) so that it never votes itself.
    pbft = std::make_unique<Pbft>(*suite, "hk", std::nullopt, host, PbftOptions{});
    REQUIRE(pbft->StartHeight(5, set, std::nullopt, true));
  }

  Vote SignedVote(VoteType type, std::uint64_t height, std::uint32_t round, std::uint32_t index,
                  const core::KeyPair& signer, std::uint8_t fill = 7) {
    Vote v;
    v.type = type;
    v.height = height;
    v.round = round;
    v.validator = index;
    v.header_hash.bytes.fill(fill);
    v.signature = *suite->Sign(signer.secret,
                               VoteDigest(*suite, "hk", type, height, round, v.header_hash).view());
    return v;
  }

  std::unique_ptr<core::CryptoSuite> suite;
  testing::TestRandom rng;
  std::vector<core::KeyPair> keys;
  core::ValidatorSet set;
  RecordingHost host;
  std::unique_ptr<Pbft> pbft;
};

TEST_CASE("pbft drops each kind of bad frame with its own reason and counter") {
  Fixture f;
  const core::KeyPair stranger = f.suite->GenerateKey(f.rng);

  auto s = f.pbft->OnFrame(core::Bytes{0xde, 0xad});
  CHECK(!s);
  CHECK(f.pbft->drops().malformed == 1);

  s = f.pbft->OnFrame(EncodeMessage("mo", f.SignedVote(VoteType::kPrepare, 5, 0, 1, f.keys[1])));
  REQUIRE(!s);
  CHECK(s.error().code == Errc::kWrongChain);
  CHECK(f.pbft->drops().malformed == 2);

  s = f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kPrepare, 5, 0, 1, stranger)));
  REQUIRE(!s);
  CHECK(s.error().code == Errc::kBadSignature);
  CHECK(f.pbft->drops().bad_signature == 1);

  s = f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kPrepare, 5, 0, 9, stranger)));
  REQUIRE(!s);
  CHECK(s.error().code == Errc::kUnauthorized);
  CHECK(f.pbft->drops().unknown == 1);

  s = f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kPrepare, 4, 0, 1, f.keys[1])));
  REQUIRE(!s);
  CHECK(s.error().code == Errc::kStale);
  CHECK(f.pbft->drops().stale == 1);

  s = f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kPrepare, 900, 0, 1, f.keys[1])));
  REQUIRE(!s);
  CHECK(f.pbft->drops().future == 1);
  CHECK(f.pbft->highest_seen_height() == 900);

  const Vote good = f.SignedVote(VoteType::kPrepare, 5, 0, 1, f.keys[1]);
  CHECK(f.pbft->OnFrame(EncodeMessage("hk", good)));
  s = f.pbft->OnFrame(EncodeMessage("hk", good));
  REQUIRE(!s);
  CHECK(s.error().code == Errc::kDuplicate);
  CHECK(f.pbft->drops().duplicate == 1);

  s = f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kPrepare, 5, 0, 1, f.keys[1], 9)));
  REQUIRE(!s);
  CHECK(s.error().code == Errc::kConflict);
  CHECK(f.pbft->drops().conflict == 1);
  REQUIRE(f.host.evidence.size() == 1);
  CHECK(f.host.evidence[0].validator == 1);

  // None of it moved consensus on, and an observer never signs.
  CHECK(f.pbft->height() == 5);
  CHECK(f.pbft->round() == 0);
  CHECK(f.host.sent.empty());
}

TEST_CASE("pbft joins a later round once more than a third of the power is in it") {
  Fixture f;
  CHECK(f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kPrepare, 5, 3, 1, f.keys[1]))));
  CHECK(f.pbft->round() == 0);  // 1 of 4: not more than a third
  CHECK(f.pbft->OnFrame(EncodeMessage("hk", f.SignedVote(VoteType::kCommit, 5, 3, 2, f.keys[2]))));
  CHECK(f.pbft->round() == 3);  // 2 of 4
}

TEST_CASE("pbft decides on commit votes of more than two thirds and returns them as the "
          "certificate") {
  Fixture f;
  core::BlockHeader header;
  header.chain_id = "hk";
  header.height = 5;
  header.proposer = f.pbft->Proposer(0);
  Proposal p;
  p.height = 5;
  p.round = 0;
  p.header = header;
  p.body = {1, 2, 3};
  p.proposer = f.pbft->Proposer(0);
  const core::Hash32 hash = header.Hash(*f.suite);
  p.signature = *f.suite->Sign(f.keys[p.proposer].secret,
                               ProposalDigest(*f.suite, "hk", p, hash).view());
  REQUIRE(f.pbft->OnFrame(EncodeMessage("hk", p)));
  for (std::uint32_t i = 0; i < 3; ++i) {
    Vote v;
    v.type = VoteType::kCommit;
    v.height = 5;
    v.validator = i;
    v.header_hash = hash;
    v.signature = *f.suite->Sign(f.keys[i].secret,
                                 VoteDigest(*f.suite, "hk", v.type, 5, 0, hash).view());
    CHECK(!f.pbft->TakeDecision());
    REQUIRE(f.pbft->OnFrame(EncodeMessage("hk", v)));
  }
  auto decision = f.pbft->TakeDecision();
  REQUIRE(decision);
  CHECK(decision->header == header);
  CHECK(decision->body == core::Bytes{1, 2, 3});
  CHECK(decision->certificate.header_hash == hash);
  CHECK(decision->certificate.signatures.size() == 3);
  CHECK(!f.pbft->TakeDecision());
}

TEST_CASE("a proposer persists its new block's proposal and its prepare in one write, then "
          "sends both") {
  Fixture f;
  RecordingHost host;
  host.builds = true;
  const std::uint32_t leader = f.pbft->Proposer(0);
  Pbft proposer(*f.suite, "hk", f.keys[leader].secret, host, PbftOptions{});
  REQUIRE(proposer.StartHeight(5, f.set, std::nullopt, true));
  proposer.Go();
  REQUIRE(host.persisted.size() == 1);
  const SignedRecord& record = host.persisted[0];
  REQUIRE(record.proposals.size() == 1);
  REQUIRE(record.votes.size() == 1);
  const core::Hash32 hash = record.proposals[0].header.Hash(*f.suite);
  CHECK(record.votes[0].type == VoteType::kPrepare);
  CHECK(record.votes[0].header_hash == hash);
  CHECK(record.votes[0].round == 0);
  // Sent after the write, proposal first; each frame passes another validator's checks.
  REQUIRE(host.sent.size() == 2);
  auto first = DecodeMessage("hk", host.sent[0], host.sent[0].size());
  auto second = DecodeMessage("hk", host.sent[1], host.sent[1].size());
  REQUIRE(first);
  REQUIRE(second);
  CHECK(std::holds_alternative<Proposal>(*first));
  REQUIRE(std::holds_alternative<Vote>(*second));
  CHECK(std::get<Vote>(*second) == record.votes[0]);
  CHECK(f.pbft->OnFrame(host.sent[0]));
  CHECK(f.pbft->OnFrame(host.sent[1]));
  // Restarted from that record, it signs no second prepare in the round.
  RecordingHost again;
  again.builds = true;
  Pbft restarted(*f.suite, "hk", f.keys[leader].secret, again, PbftOptions{});
  REQUIRE(restarted.StartHeight(5, f.set, record, true));
  restarted.Go();
  for (const SignedRecord& r : again.persisted) {
    CHECK(std::count_if(r.votes.begin(), r.votes.end(), [](const Vote& v) {
            return v.type == VoteType::kPrepare && v.round == 0;
          }) == 1);
  }
}

}  // namespace
}  // namespace pbft_test
}  // namespace baylink::consensus
