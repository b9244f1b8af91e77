// SPDX-License-Identifier: Apache-2.0
//
// Governance of the validator set in the system contract (system.h: propose, approve,
// proposal): who may propose and approve, the > 2/3 threshold over the current set's power,
// expiry, the bounds on open proposals, every error the methods document, and a randomised
// differential test against a naive threshold model (seed printed; replay with --seed=N).
#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "contracts_fixtures.h"
#include "test_random.h"

namespace baylink::contracts::test {
namespace system_governance_test {
namespace {

using core::Errc;
using core::PublicKey;
using core::ValidatorSet;
using ::baylink::testing::TestRandom;

// The key of validator number n (1..65535): zero except the last two bytes. The stub suite's
// "hash" mixes every byte into the address, so these keys have distinct addresses (checked by
// Gov); n = 0 gives the zero key, which the stub suite refuses as off the curve.
PublicKey Key(std::uint16_t n) {
  PublicKey key;
  key.bytes[62] = static_cast<std::uint8_t>(n >> 8);
  key.bytes[63] = static_cast<std::uint8_t>(n & 0xff);
  return key;
}

// A set of (validator number, power), in the order given.
ValidatorSet Set(std::initializer_list<std::pair<std::uint16_t, std::uint64_t>> members) {
  std::vector<core::Validator> validators;
  for (const auto& [n, power] : members) validators.push_back(core::Validator{Key(n), power});
  auto set = ValidatorSet::Create(std::move(validators));
  REQUIRE(set.has_value());
  return std::move(set).value();
}

Bytes IdBytes(std::uint64_t id) { return EncodeApproveArgs(id); }

// A chain initialised at genesis with `genesis`, now at height 100, with no events yet.
struct Gov : World {
  explicit Gov(const ValidatorSet& genesis) {
    chain.height = 0;
    REQUIRE(chain.Call("system", "init", EncodeSystemInit(ChainParams{}, genesis)).has_value());
    chain.height = 100;
    for (std::size_t i = 0; i < genesis.size(); ++i) {
      for (std::size_t j = i + 1; j < genesis.size(); ++j) {
        REQUIRE(chain.suite().ToAddress(genesis.validators()[i].public_key) !=
                chain.suite().ToAddress(genesis.validators()[j].public_key));
      }
    }
  }

  core::Address AddressOf(std::uint16_t n) const { return chain.suite().ToAddress(Key(n)); }

  core::Result<Bytes> Propose(std::uint16_t who, const ValidatorSet& set) {
    chain.sender = AddressOf(who);
    return chain.Call("system", "propose", EncodeProposeArgs(set));
  }
  core::Result<Bytes> Approve(std::uint16_t who, std::uint64_t id) {
    chain.sender = AddressOf(who);
    return chain.Call("system", "approve", EncodeApproveArgs(id));
  }
  std::uint64_t MustPropose(std::uint16_t who, const ValidatorSet& set) {
    auto out = Propose(who, set);
    REQUIRE_MESSAGE(out.has_value(), out.error().Message());
    auto id = DecodeProposalId(*out);
    REQUIRE(id.has_value());
    return *id;
  }
  bool MustApprove(std::uint16_t who, std::uint64_t id) {
    auto out = Approve(who, id);
    REQUIRE_MESSAGE(out.has_value(), out.error().Message());
    auto applied = DecodeApproveOutput(*out);
    REQUIRE(applied.has_value());
    return *applied;
  }
  core::Result<ValidatorSetProposal> Proposal(std::uint64_t id) {
    BAYLINK_ASSIGN_OR_RETURN(Bytes out, chain.Call("system", "proposal", IdBytes(id)));
    return core::DecodeExactly<ValidatorSetProposal>(out, "proposal");
  }
  ValidatorSet Current() const {
    auto raw = chain.Read("system", core::AsBytes("validators"));
    REQUIRE(raw.has_value());
    return ValidatorSet::Decode(*raw).value();
  }
  // Topics of the events of the last top-level call.
  std::vector<std::string> Topics() const {
    std::vector<std::string> out;
    for (std::size_t i = chain.tx_first_event(); i < chain.events.size(); ++i) {
      out.push_back(chain.events[i].topic);
    }
    return out;
  }
  // The data of "validator_set_changed" for proposal `id` installing `set`.
  Bytes ChangedData(std::uint64_t id, const ValidatorSet& set) const {
    core::Writer w;
    w.U64(id).Fixed(set.Hash(chain.suite()));
    return std::move(w).Take();
  }
};

// Four validators of power 1. A function, not a global: Set uses REQUIRE, which needs a
// running test.
ValidatorSet FourEqual() { return Set({{1, 1}, {2, 1}, {3, 1}, {4, 1}}); }

// ---- Encodings -------------------------------------------------------------------------

TEST_CASE("governance helpers encode ids big-endian and the propose args as the set itself") {
  CHECK(core::ToHex(EncodeApproveArgs(0x0102030405060708)) == "0x0102030405060708");
  CHECK(DecodeProposalId(EncodeApproveArgs(42)).value() == 42);
  CHECK(EncodeProposeArgs(FourEqual()) == FourEqual().Encode());
  CHECK_FAILS_WITH(DecodeProposalId(Bytes{0, 1}), Errc::kTruncated, "");
  Bytes longer = EncodeApproveArgs(1);
  longer.push_back(0);
  CHECK_FAILS_WITH(DecodeProposalId(longer), Errc::kTrailingBytes, "");
  CHECK(DecodeApproveOutput(Bytes{1}).value() == true);
  CHECK(DecodeApproveOutput(Bytes{0}).value() == false);
  CHECK_FAILS_WITH(DecodeApproveOutput(Bytes{2}), Errc::kNonCanonical, "applied");
  CHECK_FAILS_WITH(DecodeApproveOutput(Bytes{}), Errc::kTruncated, "");
  CHECK_FAILS_WITH(DecodeApproveOutput(Bytes{1, 0}), Errc::kTrailingBytes, "");
}

TEST_CASE("a proposal encodes its fields in order, decodes back, and names each approver once") {
  ValidatorSetProposal p;
  p.id = 7;
  p.proposer = Key(1);
  p.proposed_height = 100;
  p.expiry_height = 1100;
  p.new_validators = FourEqual();
  p.approvers = {Key(1), Key(3)};
  core::Writer expected;
  expected.U64(7).Fixed(Key(1)).U64(100).U64(1100);
  FourEqual().Encode(expected);
  expected.Count(2).Fixed(Key(1)).Fixed(Key(3));
  CHECK(p.Encode() == expected.bytes());
  CHECK(core::DecodeExactly<ValidatorSetProposal>(p.Encode(), "proposal").value() == p);

  p.approvers = {Key(3), Key(3)};
  CHECK_FAILS_WITH(core::DecodeExactly<ValidatorSetProposal>(p.Encode(), "proposal"),
                   Errc::kDuplicate, "twice");
  const Bytes encoded = p.Encode();
  CHECK_FAILS_WITH(core::DecodeExactly<ValidatorSetProposal>(
                       ByteView(encoded).first(encoded.size() - 1), "proposal"),
                   Errc::kTruncated, "");
}

// ---- propose -----------------------------------------------------------------------------

TEST_CASE("a validator's proposal is stored with its own approval, an expiry, and an event") {
  Gov g(FourEqual());
  const ValidatorSet next = Set({{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}});
  const std::uint64_t id = g.MustPropose(2, next);
  CHECK(id == 1);
  CHECK(g.Topics() == std::vector<std::string>{"validator_set_proposed"});
  CHECK(g.chain.events.back().contract == "system");
  CHECK(g.chain.events.back().data == IdBytes(1));

  g.chain.read_only = true;  // proposal is a read method
  auto p = g.Proposal(id);
  REQUIRE(p.has_value());
  CHECK(p->id == 1);
  CHECK(p->proposer == Key(2));
  CHECK(p->proposed_height == 100);
  CHECK(p->expiry_height == 100 + kValidatorProposalLifetime);
  CHECK(p->new_validators == next);
  CHECK(p->approvers == std::vector<PublicKey>{Key(2)});
  g.chain.read_only = false;

  // Nothing changes until it passes; the next proposal gets the next id.
  CHECK(g.Current() == FourEqual());
  CHECK(g.MustPropose(3, Set({{1, 1}, {2, 1}, {3, 1}})) == 2);
}

TEST_CASE("propose is refused to a sender that is not a validator of the current set") {
  Gov g(FourEqual());
  const auto before = g.chain.state;
  CHECK_FAILS_WITH(g.Propose(9, Set({{9, 1}})), Errc::kUnauthorized,
                   "system.propose: the sender " + g.AddressOf(9).ToHex() +
                       " is not a validator of the current set (4 validators)");
  CHECK(g.chain.state == before);
  CHECK(g.chain.events.empty());
}

TEST_CASE("propose and approve are refused when a contract calls them, even for a validator") {
  Gov g(FourEqual());
  const ValidatorSet next = Set({{1, 1}, {2, 1}, {3, 1}});
  g.chain.sender = g.AddressOf(1);
  CHECK_FAILS_WITH(g.chain.Call("forward", "forward",
                                ForwardContract::EncodeForward("system", "propose",
                                                               EncodeProposeArgs(next))),
                   Errc::kUnauthorized,
                   "system.propose may not be called by a contract (called by forward)");
  const std::uint64_t id = g.MustPropose(1, next);
  g.chain.sender = g.AddressOf(2);
  CHECK_FAILS_WITH(g.chain.Call("forward", "forward",
                                ForwardContract::EncodeForward("system", "approve",
                                                               EncodeApproveArgs(id))),
                   Errc::kUnauthorized, "system.approve may not be called by a contract");
  CHECK(g.Proposal(id)->approvers == std::vector<PublicKey>{Key(1)});
}

TEST_CASE("propose refuses args that do not decode exactly as a valid validator set") {
  Gov g(FourEqual());
  const auto before = g.chain.state;
  g.chain.sender = g.AddressOf(1);
  const Bytes args = EncodeProposeArgs(Set({{1, 1}, {2, 1}}));
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", {}), Errc::kMalformed,
                   "malformed arguments for system.propose: truncated");
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", ByteView(args).first(args.size() - 1)),
                   Errc::kMalformed, "malformed arguments for system.propose");
  Bytes longer = args;
  longer.push_back(0);
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", longer), Errc::kMalformed,
                   "malformed arguments for system.propose: trailing_bytes");

  core::Writer empty;
  empty.Count(0);
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", empty.bytes()), Errc::kMalformed,
                   "validator set is empty");
  core::Writer zero;
  zero.Count(1).Fixed(Key(1)).U64(0);
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", zero.bytes()), Errc::kMalformed,
                   "validator 0 has zero power");
  core::Writer twice;
  twice.Count(2).Fixed(Key(1)).U64(1).Fixed(Key(1)).U64(2);
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", twice.bytes()), Errc::kMalformed,
                   "validator 1 repeats public key");
  core::Writer heavy;
  heavy.Count(2).Fixed(Key(1)).U64(core::kMaxTotalPower).Fixed(Key(2)).U64(1);
  CHECK_FAILS_WITH(g.chain.Call("system", "propose", heavy.bytes()), Errc::kMalformed,
                   "sum above the limit");
  CHECK(g.chain.state == before);
}

TEST_CASE("propose refuses a key off the suite's curve, naming its index") {
  Gov g(FourEqual());
  CHECK_FAILS_WITH(g.Propose(1, Set({{1, 1}, {2, 1}, {0, 1}})), Errc::kBadPublicKey,
                   "system.propose: validator 2 (key 0x0000");
}

TEST_CASE("propose refuses a set too large for the contract's state") {
  Gov g(FourEqual());
  std::vector<core::Validator> validators;
  for (std::uint16_t n = 1; n <= kMaxValidatorsInState + 1; ++n) {
    validators.push_back(core::Validator{Key(n), 1});
  }
  const ValidatorSet too_big = ValidatorSet::Create(validators).value();
  CHECK_FAILS_WITH(g.Propose(1, too_big), Errc::kOversized,
                   "the new set has 911 validators; at most 910 fit");
  validators.pop_back();
  const ValidatorSet largest = ValidatorSet::Create(validators).value();
  CHECK(largest.Encode().size() <= kMaxStateValueBytes);
  CHECK(g.MustPropose(1, largest) == 1);
}

TEST_CASE("propose refuses the current set itself: nothing would change") {
  Gov g(FourEqual());
  CHECK_FAILS_WITH(g.Propose(1, FourEqual()), Errc::kInvalidArgument,
                   "the new set equals the current set");
  // The same members in another order is a change (proposer rotation follows the order).
  CHECK(g.MustPropose(1, Set({{4, 1}, {3, 1}, {2, 1}, {1, 1}})) == 1);
}

TEST_CASE("governance methods before init fail with not found") {
  World world;
  world.chain.sender = world.chain.suite().ToAddress(Key(1));
  CHECK_FAILS_WITH(world.chain.Call("system", "propose", EncodeProposeArgs(FourEqual())),
                   Errc::kNotFound, "system.propose: the system contract is not initialised");
  CHECK_FAILS_WITH(world.chain.Call("system", "approve", EncodeApproveArgs(1)), Errc::kNotFound,
                   "system.approve: the system contract is not initialised");
  CHECK_FAILS_WITH(world.chain.Call("system", "proposal", EncodeApproveArgs(1)),
                   Errc::kNotFound, "system.proposal: no proposal 1");
}

TEST_CASE("propose and approve in a read-only call are refused and write nothing") {
  Gov g(FourEqual());
  const std::uint64_t id = g.MustPropose(1, Set({{1, 1}, {2, 1}}));
  const auto before = g.chain.state;
  const std::size_t events = g.chain.events.size();
  g.chain.read_only = true;
  CHECK_FAILS_WITH(g.Propose(2, Set({{2, 1}, {3, 1}})), Errc::kUnsupported, "read-only");
  CHECK_FAILS_WITH(g.Approve(2, id), Errc::kUnsupported, "read-only");
  CHECK(g.chain.state == before);
  CHECK(g.chain.events.size() == events);
}

// ---- approve -----------------------------------------------------------------------------

TEST_CASE("approve is refused to a sender outside the current set") {
  Gov g(FourEqual());
  const std::uint64_t id = g.MustPropose(1, Set({{1, 1}, {2, 1}, {9, 1}}));
  CHECK_FAILS_WITH(g.Approve(9, id), Errc::kUnauthorized,
                   "system.approve: the sender " + g.AddressOf(9).ToHex() +
                       " is not a validator of the current set");
  CHECK(g.Proposal(id)->approvers == std::vector<PublicKey>{Key(1)});
}

TEST_CASE("a validator cannot approve twice, and the proposer has already approved") {
  Gov g(FourEqual());
  const std::uint64_t id = g.MustPropose(1, Set({{1, 1}, {2, 1}, {3, 1}}));
  CHECK_FAILS_WITH(g.Approve(1, id), Errc::kDuplicate,
                   "system.approve: validator " + Key(1).ToHex() +
                       " already approved proposal 1; its approvals hold 1 of 4 of the current "
                       "power");
  CHECK_FALSE(g.MustApprove(2, id));
  CHECK_FAILS_WITH(g.Approve(2, id), Errc::kDuplicate,
                   "already approved proposal 1; its approvals hold 2 of 4");
  CHECK(g.Proposal(id)->approvers == std::vector<PublicKey>{Key(1), Key(2)});
}

TEST_CASE("approve and proposal fail with not found for an id never proposed") {
  Gov g(FourEqual());
  CHECK_FAILS_WITH(g.Approve(1, 1), Errc::kNotFound, "system.approve: no proposal 1 is open");
  g.MustPropose(1, Set({{1, 1}, {2, 1}}));
  CHECK_FAILS_WITH(g.Approve(2, 2), Errc::kNotFound, "no proposal 2");
  CHECK_FAILS_WITH(g.Approve(2, 0), Errc::kNotFound, "no proposal 0");
  CHECK_FAILS_WITH(g.Proposal(2), Errc::kNotFound, "system.proposal: no proposal 2 is stored");
}

TEST_CASE("approve and proposal refuse args that are not exactly one u64") {
  Gov g(FourEqual());
  g.chain.sender = g.AddressOf(1);
  const Bytes seven = {0, 0, 0, 0, 0, 0, 0};
  const Bytes nine = {0, 0, 0, 0, 0, 0, 0, 1, 0};
  CHECK_FAILS_WITH(g.chain.Call("system", "approve", seven), Errc::kMalformed,
                   "malformed arguments for system.approve: truncated");
  CHECK_FAILS_WITH(g.chain.Call("system", "approve", nine), Errc::kMalformed,
                   "malformed arguments for system.approve: trailing_bytes");
  CHECK_FAILS_WITH(g.chain.Call("system", "proposal", seven), Errc::kMalformed,
                   "malformed arguments for system.proposal");
}

TEST_CASE("a proposal accepts approvals through its expiry height and is expired after it") {
  Gov g(FourEqual());
  const ValidatorSet next = Set({{1, 1}, {2, 1}, {3, 1}});
  const std::uint64_t id = g.MustPropose(1, next);
  const std::uint64_t expiry = 100 + kValidatorProposalLifetime;
  g.chain.height = expiry;
  CHECK_FALSE(g.MustApprove(2, id));
  g.chain.height = expiry + 1;
  CHECK_FAILS_WITH(g.Approve(3, id), Errc::kExpired,
                   "system.approve: proposal 1 expired after height 1100; this is height 1101");
  CHECK(g.Current() == FourEqual());
  // Still readable until a propose removes it.
  CHECK(g.Proposal(id)->expiry_height == expiry);
  // The proposer's slot is free again: the expired proposal leaves with this propose.
  CHECK(g.MustPropose(1, next) == 2);
  CHECK_FAILS_WITH(g.Proposal(id), Errc::kNotFound, "no proposal 1");
  CHECK_FAILS_WITH(g.Approve(3, id), Errc::kNotFound, "no proposal 1 is open");
  CHECK_FALSE(g.chain.Read("system", Concat(core::AsBytes("gov/set/"), IdBytes(1))).has_value());
  CHECK_FALSE(
      g.chain.Read("system", Concat(core::AsBytes("gov/approvals/"), IdBytes(1))).has_value());
}

// ---- the threshold -----------------------------------------------------------------------

TEST_CASE("approvals holding 2/3 of the power or less do not apply the proposal") {
  // Three equal validators: two hold exactly 2/3, which is not more than 2/3.
  Gov g(Set({{1, 1}, {2, 1}, {3, 1}}));
  const ValidatorSet next = Set({{1, 1}, {2, 1}});
  const std::uint64_t id = g.MustPropose(1, next);
  CHECK_FALSE(g.MustApprove(2, id));
  CHECK(g.Current() == Set({{1, 1}, {2, 1}, {3, 1}}));
  CHECK(g.Topics().empty());
  CHECK(g.Proposal(id)->approvers == std::vector<PublicKey>{Key(1), Key(2)});
  CHECK(g.MustApprove(3, id));
  CHECK(g.Current() == next);
}

TEST_CASE("approvals over 2/3 of the power write the new set, drop the proposal and emit") {
  Gov g(FourEqual());
  const ValidatorSet next = Set({{1, 2}, {2, 1}, {3, 1}, {4, 1}});
  const std::uint64_t id = g.MustPropose(1, next);
  CHECK_FALSE(g.MustApprove(2, id));
  CHECK(g.MustApprove(4, id));  // 3 of 4 > 2/3
  CHECK(g.Current() == next);
  CHECK(g.chain.Read("system", core::AsBytes("validators")) == next.Encode());
  CHECK(g.Topics() == std::vector<std::string>{"validator_set_changed"});
  CHECK(g.chain.events.back().data == g.ChangedData(id, next));
  CHECK_FAILS_WITH(g.Proposal(id), Errc::kNotFound, "no proposal 1");
  CHECK_FAILS_WITH(g.Approve(3, id), Errc::kNotFound, "already applied");
  // No governance state is left behind.
  for (const auto& [key, value] : g.chain.state.at("system")) {
    const std::string k = Str(key);
    CHECK_MESSAGE((k == "params" || k == "validators" || k == "gov/next_id"), k);
  }
}

TEST_CASE("power, not head count, decides: 3 + 1 of 6 is not over 2/3, 3 + 1 + 1 is") {
  const ValidatorSet genesis = Set({{1, 3}, {2, 1}, {3, 1}, {4, 1}});
  Gov g(genesis);
  const ValidatorSet next = Set({{1, 3}, {2, 1}, {3, 1}});
  const std::uint64_t id = g.MustPropose(1, next);
  CHECK_FALSE(g.MustApprove(2, id));  // 4 of 6: 12 > 12 is false
  CHECK(g.Current() == genesis);
  CHECK(g.MustApprove(3, id));  // 5 of 6
  CHECK(g.Current() == next);

  // The other way round: the three small validators together (3 of 6) cannot.
  Gov h(genesis);
  const std::uint64_t other = h.MustPropose(2, Set({{2, 1}, {3, 1}, {4, 1}}));
  CHECK_FALSE(h.MustApprove(3, other));
  CHECK_FALSE(h.MustApprove(4, other));
  CHECK(h.Current() == genesis);
  CHECK(h.MustApprove(1, other));
}

TEST_CASE("a proposer holding more than 2/3 alone changes the set at once") {
  Gov g(Set({{1, 1}}));
  const ValidatorSet next = Set({{1, 1}, {2, 1}});
  const std::uint64_t id = g.MustPropose(1, next);
  CHECK(id == 1);
  CHECK(g.Current() == next);
  CHECK(g.Topics() ==
        std::vector<std::string>{"validator_set_proposed", "validator_set_changed"});
  CHECK(g.chain.events.back().data == g.ChangedData(id, next));
  CHECK_FAILS_WITH(g.Proposal(id), Errc::kNotFound, "no proposal 1");

  // Now two equal validators: one alone holds 1/2, so the next change needs both.
  const std::uint64_t second = g.MustPropose(1, Set({{2, 1}}));
  CHECK(second == 2);
  CHECK(g.Current() == next);
  CHECK(g.MustApprove(2, second));
  CHECK(g.Current() == Set({{2, 1}}));
}

// ---- changes as whole sets, and the set that governs ------------------------------------

TEST_CASE("adding, removing and reweighting validators are each a whole new set") {
  Gov g(FourEqual());
  auto apply = [&](std::uint16_t proposer, const ValidatorSet& next,
                   std::initializer_list<std::uint16_t> approvers) {
    const std::uint64_t id = g.MustPropose(proposer, next);
    bool applied = false;
    for (std::uint16_t a : approvers) {
      REQUIRE_FALSE(applied);
      applied = g.MustApprove(a, id);
    }
    CHECK(applied);
    CHECK(g.Current() == next);
  };
  // Add validator 5.
  const ValidatorSet added = Set({{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}});
  apply(1, added, {2, 3});  // 3 of 4 under the old set
  // Remove validator 4: now 5 validators vote, 4 of 5 are needed.
  const ValidatorSet removed = Set({{1, 1}, {2, 1}, {3, 1}, {5, 1}});
  apply(5, removed, {1, 2, 3});
  // Reweight: validator 1 to power 5 (of 8).
  const ValidatorSet reweighted = Set({{1, 5}, {2, 1}, {3, 1}, {5, 1}});
  apply(2, reweighted, {3, 5});
  // Under the reweighted set validator 1 (5 of 8) plus one other (6 of 8) is enough.
  apply(1, Set({{1, 5}, {2, 1}, {3, 1}}), {2});
}

TEST_CASE("the applied set governs the next proposal: who may vote and how much they weigh") {
  Gov g(FourEqual());
  const ValidatorSet next = Set({{1, 1}, {2, 1}, {3, 1}, {5, 3}});  // 4 out, 5 in with power 3
  const std::uint64_t first = g.MustPropose(1, next);
  CHECK_FALSE(g.MustApprove(4, first));  // 4 still votes on its own removal
  CHECK(g.MustApprove(2, first));
  REQUIRE(g.Current() == next);

  // 4 has left: it may neither propose nor approve.
  CHECK_FAILS_WITH(g.Propose(4, FourEqual()), Errc::kUnauthorized, "is not a validator");
  // 5 has joined with 3 of 6: it may propose, and it and one other are not enough.
  const std::uint64_t second = g.MustPropose(5, Set({{1, 1}, {5, 3}}));
  CHECK_FAILS_WITH(g.Approve(4, second), Errc::kUnauthorized, "is not a validator");
  CHECK_FALSE(g.MustApprove(1, second));  // 4 of 6
  CHECK(g.MustApprove(3, second));        // 5 of 6
  CHECK(g.Current() == Set({{1, 1}, {5, 3}}));
}

TEST_CASE("an open proposal is judged by the set current at each approval") {
  Gov g(FourEqual());
  // Proposal A (by 4, approved by 1): 2 of 4.
  const std::uint64_t a = g.MustPropose(4, Set({{1, 1}, {4, 1}}));
  CHECK_FALSE(g.MustApprove(1, a));
  // Proposal B removes 4 and adds 5 and 6.
  const std::uint64_t b = g.MustPropose(2, Set({{1, 1}, {2, 1}, {3, 1}, {5, 1}, {6, 1}}));
  CHECK_FALSE(g.MustApprove(3, b));
  CHECK(g.MustApprove(1, b));
  // A's approval by 4 no longer counts: 1 of 5, plus 2 makes 2 of 5, and the dropped key
  // leaves the stored list.
  CHECK_FALSE(g.MustApprove(2, a));
  CHECK(g.Proposal(a)->approvers == std::vector<PublicKey>{Key(1), Key(2)});
  CHECK_FALSE(g.MustApprove(5, a));  // 3 of 5
  CHECK(g.MustApprove(6, a));        // 4 of 5
  CHECK(g.Current() == Set({{1, 1}, {4, 1}}));
}

TEST_CASE("a repeated approval applies a proposal whose approvals pass after the set shrank") {
  Gov g(FourEqual());
  // A is approved by 1 and 2 (2 of 4) ...
  const std::uint64_t a = g.MustPropose(1, Set({{1, 2}, {2, 1}}));
  CHECK_FALSE(g.MustApprove(2, a));
  // ... then B removes 3 and 4, who had not approved A.
  const std::uint64_t b = g.MustPropose(3, Set({{1, 1}, {2, 1}}));
  CHECK_FALSE(g.MustApprove(1, b));
  CHECK(g.MustApprove(2, b));
  // A's approvals now hold 2 of 2, but everyone left has approved: the repeat applies it.
  CHECK(g.MustApprove(1, a));
  CHECK(g.Current() == Set({{1, 2}, {2, 1}}));
  CHECK(g.Topics() == std::vector<std::string>{"validator_set_changed"});
}

// ---- bounds ------------------------------------------------------------------------------

TEST_CASE("a validator may hold one open proposal, and at most 16 are open in all") {
  std::vector<core::Validator> members;
  for (std::uint16_t n = 1; n <= kMaxOpenValidatorProposals + 1; ++n) {
    members.push_back(core::Validator{Key(n), 1});
  }
  Gov g(ValidatorSet::Create(members).value());
  auto proposal_of = [&](std::uint16_t n) { return Set({{n, 1}}); };

  CHECK(g.MustPropose(1, proposal_of(1)) == 1);
  CHECK_FAILS_WITH(g.Propose(1, proposal_of(2)), Errc::kFull,
                   "system.propose: validator " + Key(1).ToHex() +
                       " already has open proposal 1 (a validator may have 1 open); wait until "
                       "it is applied or expires after height 1100");
  for (std::uint16_t n = 2; n <= kMaxOpenValidatorProposals; ++n) {
    CHECK(g.MustPropose(n, proposal_of(n)) == n);
  }
  const auto before = g.chain.state;
  CHECK_FAILS_WITH(g.Propose(17, proposal_of(17)), Errc::kFull,
                   "16 proposals are open, the most allowed");
  CHECK(g.chain.state == before);

  // Applying one frees its slot (and its proposer's).
  for (std::uint16_t n = 2; n <= 11; ++n) {
    REQUIRE_FALSE(g.MustApprove(n, 1));
  }
  CHECK(g.MustApprove(12, 1));  // 12 of 17: 36 > 34
  REQUIRE(g.Current() == proposal_of(1));
  CHECK(g.MustPropose(1, proposal_of(17)) == 17);  // 1 alone now holds all the power
  CHECK(g.Current() == proposal_of(17));
}

TEST_CASE("expired proposals free their slots at the next propose") {
  std::vector<core::Validator> members;
  for (std::uint16_t n = 1; n <= kMaxOpenValidatorProposals + 1; ++n) {
    members.push_back(core::Validator{Key(n), 1});
  }
  Gov g(ValidatorSet::Create(members).value());
  for (std::uint16_t n = 1; n <= kMaxOpenValidatorProposals; ++n) {
    g.chain.height = 100 + n;  // proposal n expires after 100 + n + lifetime
    REQUIRE(g.MustPropose(n, Set({{n, 1}})) == n);
  }
  g.chain.height = 103 + kValidatorProposalLifetime;  // proposals 1 and 2 have expired
  CHECK(g.MustPropose(17, Set({{17, 1}})) == 17);
  CHECK(g.MustPropose(1, Set({{1, 2}})) == 18);
  CHECK_FAILS_WITH(g.Propose(2, Set({{2, 2}})), Errc::kFull, "16 proposals are open");
  CHECK_FAILS_WITH(g.Proposal(1), Errc::kNotFound, "");
  CHECK_FAILS_WITH(g.Proposal(2), Errc::kNotFound, "");
  CHECK(g.Proposal(3).has_value());
}

TEST_CASE("governance state that does not decode is a local failure, not the caller's fault") {
  Gov g(FourEqual());
  const std::uint64_t id = g.MustPropose(1, Set({{1, 1}, {2, 1}}));
  // Looked up afresh each time: the fake executor replaces the state map when a call fails.
  auto state = [&]() -> ContractState& { return g.chain.state.at("system"); };
  const Bytes approvals_key = Concat(core::AsBytes("gov/approvals/"), IdBytes(id));
  state()[approvals_key] = Bytes{0, 0, 0, 5};
  CHECK_FAILS_WITH(g.Approve(2, id), Errc::kStorage,
                   "system state is damaged: the approval list of proposal 1 does not decode");
  state().erase(approvals_key);
  CHECK_FAILS_WITH(g.Approve(2, id), Errc::kStorage,
                   "the approval list of open proposal 1 is missing");
  state()[core::ToBytes("gov/open")] = Bytes{1};
  CHECK_FAILS_WITH(g.Propose(2, Set({{2, 1}})), Errc::kStorage, "the list of open proposals");
  CHECK_FAILS_WITH(g.Proposal(id), Errc::kStorage, "the list of open proposals");
}

// ---- differential ------------------------------------------------------------------------

// The naive reference: a proposal passes when the summed power of its approvers that are in
// the set exceeds two thirds of the set's total, compared as fractions by cross-multiplying in
// 128 bits (no shortcut shared with the contract's 64-bit arithmetic).
bool ModelPasses(const ValidatorSet& set, const std::vector<std::uint16_t>& approvers) {
  core::u128 approved = 0;
  for (const core::Validator& v : set.validators()) {
    for (std::uint16_t a : approvers) {
      if (v.public_key == Key(a)) approved += v.power;
    }
  }
  return approved * 3 > core::u128{set.TotalPower()} * 2;
}

ValidatorSet RandomSet(TestRandom& rng) {
  std::vector<std::uint16_t> pool = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<core::Validator> validators;
  const std::size_t n = 1 + rng.Below(6);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t pick = rng.Below(pool.size());
    const std::uint64_t power = rng.Below(4) == 0 ? 1 + rng.Below(1000) : 1 + rng.Below(10);
    validators.push_back(core::Validator{Key(pool[pick]), power});
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  return ValidatorSet::Create(std::move(validators)).value();
}

TEST_CASE("random proposals and approvals apply exactly when a naive power model says so") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed);
  ValidatorSet current = RandomSet(rng);
  Gov g(current);

  for (int round = 0; round < 200; ++round) {
    INFO("round " << round);
    g.chain.height += 1 + rng.Below(3);
    ValidatorSet next = RandomSet(rng);
    if (next == current) continue;
    const auto& members = current.validators();
    auto number = [](const PublicKey& k) {
      return static_cast<std::uint16_t>((k.bytes[62] << 8) | k.bytes[63]);
    };
    const std::uint16_t proposer = number(members[rng.Below(members.size())].public_key);
    const std::uint64_t id = g.MustPropose(proposer, next);
    std::vector<std::uint16_t> approvers = {proposer};
    bool applied = ModelPasses(current, approvers);
    CHECK(g.Proposal(id).has_value() == !applied);

    // The others in a random order, each approving with probability 3/4.
    std::vector<std::uint16_t> others;
    for (const core::Validator& v : members) {
      if (number(v.public_key) != proposer) others.push_back(number(v.public_key));
    }
    for (std::size_t i = others.size(); i > 1; --i) {
      std::swap(others[i - 1], others[rng.Below(i)]);
    }
    for (std::uint16_t other : others) {
      if (applied || rng.Below(4) == 0) continue;
      approvers.push_back(other);
      const bool expected = ModelPasses(current, approvers);
      CHECK(g.MustApprove(other, id) == expected);
      applied = expected;
    }
    if (applied) {
      current = next;
    } else {
      // Let it expire; the next propose removes it.
      g.chain.height += kValidatorProposalLifetime + 1;
      CHECK_FAILS_WITH(g.Approve(proposer, id), Errc::kExpired, "");
    }
    REQUIRE(g.Current() == current);
  }
}

}  // namespace
}  // namespace system_governance_test
}  // namespace baylink::contracts::test
