// SPDX-License-Identifier: Apache-2.0
//
// Randomised sequences: a chain with random rotations, followed by a client that steps
// adjacent or skips ahead at random. A naive reference written here (sums over the trusted
// set, linear key search) predicts whether each skip has enough overlap; the client must
// agree every time. Every accepted step is also tried with one random defect first, which
// must be refused without changing the client. Seeds come from the process seed (printed by
// the test main, replayable with --seed=N).
#include <doctest/doctest.h>

#include <string>

#include "lightclient_fixtures.h"

namespace core = baylink::core;
using namespace baylink::lightclient;
using namespace baylink::lightclient::test;

namespace random_test {
namespace {

constexpr std::size_t kMaxValidators = 6;

std::int64_t NowMs(std::chrono::system_clock::time_point now) {
  return std::chrono::floor<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

// A random rotation of the pending set, or none.
void MaybeRotate(TestChain& chain, ::baylink::testing::TestRandom& rng) {
  switch (rng.Below(8)) {
    case 0:
      if (chain.pending().size() < kMaxValidators) chain.AddValidator(1 + rng.Below(20));
      break;
    case 1:
      if (chain.pending().size() > 1) chain.RemoveValidator(rng.Below(chain.pending().size()));
      break;
    case 2:
      chain.Reweight(rng.Below(chain.pending().size()), 1 + rng.Below(20));
      break;
    case 3:
      if (rng.Below(3) == 0) {
        std::vector<std::uint64_t> powers(1 + rng.Below(kMaxValidators));
        for (auto& p : powers) p = 1 + rng.Below(20);
        chain.ReplaceAll(powers);
      }
      break;
    default:
      break;  // most heights keep the set
  }
}

// The reference: power of the trusted validators whose key also signed (every validator of
// the target signs in these sequences), against one third of the trusted total.
bool ReferenceSkipAccepted(const TestValidators& trusted, const TestValidators& signers) {
  std::uint64_t total = 0;
  std::uint64_t overlap = 0;
  for (const auto& t : trusted) {
    total += t.power;
    for (const auto& s : signers) {
      if (s.key.public_key == t.key.public_key) overlap += t.power;
    }
  }
  return 3 * overlap > total;
}

enum class Defect {
  kTooFewSigners,
  kCorruptSignature,
  kRepeatedSigner,
  kSignerOutsideSet,
  kWrongValidatorSet,
  kOtherChain,
  kFromTheFuture,
  kNotLater,
  kOtherRound,
  kUnsignedChange,
  kExpiredTrust,
  kWrongParent,  // adjacent steps only
  kCount,
};

struct Attempt {
  SignedHeader header;
  std::chrono::system_clock::time_point now;
  std::string name;
};

// `valid` with one defect, for `client` at its latest height.
Attempt WithDefect(const TestChain& chain, const LightClient& client, const SignedHeader& valid,
                   std::chrono::system_clock::time_point now, Defect defect,
                   ::baylink::testing::TestRandom& rng) {
  const std::uint64_t height = valid.header.height;
  const TestValidators& signers = chain.ValidatorsAt(height);
  Attempt a{valid, now, ""};
  core::BlockHeader h = valid.header;
  switch (defect) {
    case Defect::kTooFewSigners: {
      // Signers in index order while they stay at or under two thirds of the power.
      std::vector<std::size_t> keep;
      std::uint64_t power = 0;
      const std::uint64_t total = valid.validators.TotalPower();
      for (std::size_t i = 0; i < signers.size(); ++i) {
        if (3 * (power + signers[i].power) <= 2 * total) {
          keep.push_back(i);
          power += signers[i].power;
        }
      }
      a.header = testing::WithSignatures(valid, keep);
      a.name = "too few signers";
      break;
    }
    case Defect::kCorruptSignature:
      a.header =
          testing::WithCorruptSignature(valid, rng.Below(valid.certificate.signatures.size()));
      a.name = "corrupt signature";
      break;
    case Defect::kRepeatedSigner:
      a.header = testing::WithRepeatedSigner(valid, rng.Below(valid.certificate.signatures.size()));
      a.name = "repeated signer";
      break;
    case Defect::kSignerOutsideSet:
      a.header = testing::WithSignerOutsideSet(valid);
      a.name = "signer outside the set";
      break;
    case Defect::kWrongValidatorSet: {
      TestValidators other = signers;
      other[rng.Below(other.size())].power += 1;
      a.header.validators = testing::ToSet(other);
      a.name = "wrong validator set";
      break;
    }
    case Defect::kOtherChain:
      h.chain_id = "gd";
      a.header = chain.Sign(h, signers);
      a.name = "other chain";
      break;
    case Defect::kFromTheFuture:
      h.timestamp_ms = static_cast<std::uint64_t>(NowMs(now)) +
                       static_cast<std::uint64_t>(client.params().max_clock_drift.count()) + 1 +
                       rng.Below(100000);
      a.header = chain.Sign(h, signers);
      a.name = "from the future";
      break;
    case Defect::kNotLater:
      h.timestamp_ms = static_cast<std::uint64_t>(
                           client.latest_consensus_state().timestamp.time_since_epoch().count()) -
                       rng.Below(2);
      a.header = chain.Sign(h, signers);
      a.name = "not later than the trusted header";
      break;
    case Defect::kOtherRound:
      a.header.certificate.round += 1 + static_cast<std::uint32_t>(rng.Below(3));
      a.name = "other round";
      break;
    case Defect::kUnsignedChange:
      a.header.header.receipt_root.bytes[rng.Below(32)] ^= 0x10;
      a.name = "header changed after signing";
      break;
    case Defect::kExpiredTrust:
      a.now = testing::ToSystemTime(client.latest_consensus_state().timestamp) +
              client.params().trusting_period + std::chrono::milliseconds(rng.Below(1000));
      a.name = "trusted state expired";
      break;
    case Defect::kWrongParent:
      h.parent_hash.bytes[rng.Below(32)] ^= 0x01;
      a.header = chain.Sign(h, signers);
      a.name = "wrong parent";
      break;
    case Defect::kCount:
      break;
  }
  return a;
}

}  // namespace

TEST_CASE("random update sequences: steps accepted, skips as the reference says, defects refused") {
  constexpr int kSequences = 8;
  constexpr std::uint64_t kLength = 40;
  for (core::SuiteId id : kSuites) {
    std::size_t skips = 0, refused_skips = 0;
    std::vector<std::size_t> defects(static_cast<std::size_t>(Defect::kCount), 0);
    // Defects are tried in turn, from a random start, so that every kind is covered.
    std::size_t next_defect = ::baylink::testing::Seed() % defects.size();
    for (int sequence = 0; sequence < kSequences; ++sequence) {
      ::baylink::testing::TestRandom rng(::baylink::testing::Seed() +
                                         1000 * static_cast<std::uint64_t>(id) +
                                         static_cast<std::uint64_t>(sequence));
      const core::CryptoSuite& suite = SuiteFor(id);
      TestValidators first;
      for (std::size_t i = 0, n = 1 + rng.Below(kMaxValidators); i < n; ++i) {
        first.push_back({suite.GenerateKey(rng), 1 + rng.Below(20)});
      }
      TestChain chain(suite, rng, first);
      while (chain.latest_height() < kLength) {
        MaybeRotate(chain, rng);
        chain.Advance();
      }
      LightClient client = LightClient::Create(suite, chain.Params(), chain.Genesis().header,
                                               chain.Genesis().validators, chain.TimeOf(1))
                               .value();
      while (client.latest_height() < kLength) {
        const std::uint64_t trusted = client.latest_height();
        const std::uint64_t span = std::min<std::uint64_t>(kLength - trusted, 8);
        std::uint64_t target = trusted + 1 + (rng.Below(2) == 0 ? 0 : rng.Below(span));
        const bool adjacent = target == trusted + 1;
        const bool expected = adjacent || ReferenceSkipAccepted(chain.ValidatorsAt(trusted),
                                                                chain.ValidatorsAt(target));
        const auto now = chain.TimeOf(target) + std::chrono::milliseconds(rng.Below(5000));
        INFO("suite " << suite.Name() << ", sequence " << sequence << ", " << trusted << " -> "
                      << target);

        auto result = client.VerifyUpdate(suite, chain.At(target), now);
        CHECK(result.has_value() == expected);
        if (!adjacent) ++skips;
        if (!expected) {
          ++refused_skips;
          if (!result) CHECK(result.error().code == Errc::kInsufficientTrust);
          target = trusted + 1;  // fall back to the adjacent header, always valid
          result = client.VerifyUpdate(suite, chain.At(target), now);
          REQUIRE(result);
        }
        REQUIRE(result);

        // The same step with one defect: refused, and the client unchanged.
        auto defect = static_cast<Defect>(next_defect++ % defects.size());
        if (defect == Defect::kWrongParent && target != trusted + 1) {
          defect = static_cast<Defect>(next_defect++ %
                                       defects.size());  // parents bind adjacent steps only
        }
        const Attempt bad = WithDefect(chain, client, chain.At(target), now, defect, rng);
        const LightClient before = client;
        auto refused = client.Update(suite, bad.header, bad.now);
        CHECK_MESSAGE(!refused.has_value(), "defect accepted: " << bad.name);
        CHECK(client == before);
        ++defects[static_cast<std::size_t>(defect)];

        client.Apply(*result);
        CHECK(client.latest_height() == target);
        CHECK(client.validators() == testing::ToSet(chain.ValidatorsAt(target)));
      }
    }
    std::size_t attempts = 0;
    for (std::size_t i = 0; i < defects.size(); ++i) {
      CHECK_MESSAGE(defects[i] > 0, "defect " << i << " never tried");
      attempts += defects[i];
    }
    MESSAGE(SuiteFor(id).Name() << ": " << skips << " skips (" << refused_skips
                                << " refused by the overlap rule), " << attempts
                                << " defective attempts refused");
  }
}

}  // namespace random_test
