// SPDX-License-Identifier: Apache-2.0
//
// Randomised differential test of the asset contract: random mints (some by the wrong sender,
// some that would overflow) and transfers (some beyond the balance, some to oneself) among a
// few accounts, each predicted by a naive model written here. After every step the contract
// and the model agree on every balance and supply, the balances sum to the supply, and no
// zero balance is stored. The seed is printed by the test main; replay with --seed=N.
#include <doctest/doctest.h>

#include <array>

#include "contracts_fixtures.h"
#include "test_random.h"

namespace baylink::contracts::test {
namespace asset_random_test {
namespace {

using core::Address;
using core::Errc;
using core::u128;
using ::baylink::testing::TestRandom;

constexpr u128 kMax = ~u128{0};
constexpr std::size_t kAccounts = 4;
constexpr std::array<std::string_view, 2> kSymbols = {"HKD", "hk/MOP"};

// The naive model: plain numbers per symbol and account; u128 sums checked by comparison.
struct ModelAsset {
  Address issuer;
  u128 supply = 0;
  std::array<u128, kAccounts> balances{};
};

u128 RandomAmount(TestRandom& rng) {
  switch (rng.Below(5)) {
    case 0:
      return 1 + rng.Below(10);
    case 1:
      return 1 + rng.Below(1000);
    case 2:
      return (u128{rng.Next()} << 64) | rng.Next();
    case 3:
      return kMax - rng.Below(1000);
    default:
      return rng.Below(3);  // often zero: refused
  }
}

u128 Call(FakeChain& chain, std::string_view method, ByteView args) {
  auto out = chain.Call("asset", method, args);
  REQUIRE(out.has_value());
  return DecodeAmount(*out).value();
}

TEST_CASE("random mints and transfers agree with a naive model and balances sum to supply") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed);
  World world;
  FakeChain& chain = world.chain;

  std::array<Address, kAccounts> accounts;
  for (std::size_t i = 0; i < kAccounts; ++i) accounts[i] = Addr(static_cast<std::uint8_t>(i + 1));
  std::array<ModelAsset, kSymbols.size()> model;
  for (std::size_t s = 0; s < kSymbols.size(); ++s) {
    model[s].issuer = accounts[s];
    chain.sender = accounts[s];
    REQUIRE(chain.Call("asset", "create", EncodeCreate(kSymbols[s])).has_value());
  }

  std::size_t successes = 0;
  for (int step = 0; step < 3000; ++step) {
    const std::size_t s = rng.Below(kSymbols.size());
    const std::string_view symbol = kSymbols[s];
    ModelAsset& m = model[s];
    const u128 amount = RandomAmount(rng);
    const std::size_t to = rng.Below(kAccounts);
    std::optional<Errc> expected;
    core::Result<core::Bytes> got = core::Bytes{};
    if (rng.Below(2) == 0) {
      // Mint, usually by the issuer.
      const std::size_t by = rng.Below(8) == 0 ? rng.Below(kAccounts) : s;
      if (amount == 0) {
        expected = Errc::kInvalidArgument;
      } else if (accounts[by] != m.issuer) {
        expected = Errc::kUnauthorized;
      } else if (m.supply > kMax - amount) {
        expected = Errc::kOverflow;
      } else {
        m.supply += amount;
        m.balances[to] += amount;  // <= supply: cannot wrap
      }
      chain.sender = accounts[by];
      got = chain.Call("asset", "mint", EncodeMint(symbol, accounts[to], amount));
    } else {
      const std::size_t from = rng.Below(kAccounts);
      if (amount == 0) {
        expected = Errc::kInvalidArgument;
      } else if (m.balances[from] < amount) {
        expected = Errc::kInsufficientFunds;
      } else {
        m.balances[from] -= amount;
        m.balances[to] += amount;
      }
      chain.sender = accounts[from];
      got = chain.Call("asset", "transfer", EncodeTransfer(symbol, accounts[to], amount));
    }
    INFO("step " << step);
    if (expected.has_value()) {
      REQUIRE_FALSE(got.has_value());
      REQUIRE(core::ErrcName(got.error().code) == core::ErrcName(*expected));
    } else {
      REQUIRE_MESSAGE(got.has_value(), got.error().Message());
      ++successes;
    }

    // Every account and supply, against the model; balances sum to supply.
    for (std::size_t t = 0; t < kSymbols.size(); ++t) {
      u128 sum = 0;
      for (std::size_t i = 0; i < kAccounts; ++i) {
        const u128 balance = Call(chain, "balance", EncodeBalance(kSymbols[t], accounts[i]));
        REQUIRE(balance == model[t].balances[i]);
        REQUIRE(sum <= kMax - balance);
        sum += balance;
      }
      auto supply = chain.Call("asset", "supply", EncodeSupply(kSymbols[t]));
      REQUIRE(supply.has_value());
      const AssetInfo info = core::DecodeExactly<AssetInfo>(*supply, "supply").value();
      REQUIRE(info.issuer == model[t].issuer);
      REQUIRE(info.total_supply == model[t].supply);
      REQUIRE(sum == info.total_supply);
    }
    // Only non-zero balances are stored: the asset records plus one key per holder.
    std::size_t holders = 0;
    for (const ModelAsset& asset : model) {
      for (const u128 balance : asset.balances) holders += balance != 0 ? 1 : 0;
    }
    REQUIRE(chain.state["asset"].size() == kSymbols.size() + holders);
  }
  // The run exercised successes as well as refusals.
  CHECK(successes > 100);
}

}  // namespace
}  // namespace asset_random_test
}  // namespace baylink::contracts::test
