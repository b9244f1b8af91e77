// SPDX-License-Identifier: Apache-2.0
//
// The asset contract: every method, its state layout and events, and every error it
// documents.
#include <doctest/doctest.h>

#include "contracts_fixtures.h"

namespace baylink::contracts::test {
namespace asset_test {
namespace {

using core::Address;
using core::Errc;
using core::u128;

constexpr u128 kMax = ~u128{0};

core::Bytes AssetKey(std::string_view symbol) { return core::ToBytes("a/" + std::string(symbol)); }

core::Bytes BalanceKey(std::string_view symbol, const Address& owner) {
  return Concat(core::ToBytes("b/" + std::string(symbol) + "/"), owner.view());
}

// A world with an issuer and two account holders.
struct Assets : World {
  Address issuer = Addr(0x11);
  Address alice = Addr(0xa1);
  Address bob = Addr(0xb0);

  core::Result<core::Bytes> As(const Address& who, std::string_view method, ByteView args) {
    chain.sender = who;
    return chain.Call("asset", method, args);
  }
  void Create(std::string_view symbol) { REQUIRE(As(issuer, "create", EncodeCreate(symbol))); }
  void Mint(std::string_view symbol, const Address& to, u128 amount) {
    REQUIRE(As(issuer, "mint", EncodeMint(symbol, to, amount)));
  }
  u128 BalanceOf(std::string_view symbol, const Address& owner) {
    auto out = As(bob, "balance", EncodeBalance(symbol, owner));
    REQUIRE(out.has_value());
    return DecodeAmount(*out).value();
  }
  AssetInfo Supply(std::string_view symbol) {
    auto out = As(bob, "supply", EncodeSupply(symbol));
    REQUIRE(out.has_value());
    return core::DecodeExactly<AssetInfo>(*out, "supply").value();
  }
  std::optional<core::Bytes> Stored(const core::Bytes& key) const {
    return chain.Read("asset", key);
  }
};

TEST_CASE("asset create records the sender as issuer with no supply and emits created") {
  Assets a;
  auto out = a.As(a.issuer, "create", EncodeCreate("HKD"));
  REQUIRE(out.has_value());
  CHECK(out->empty());
  CHECK(a.Stored(AssetKey("HKD")) == AssetInfo{a.issuer, 0}.Encode());
  CHECK(a.chain.state["asset"].size() == 1);
  REQUIRE(a.chain.events.size() == 1);
  CHECK(a.chain.events[0].contract == "asset");
  CHECK(a.chain.events[0].topic == "created");
  core::Writer data;
  data.Text("HKD").Fixed(a.issuer);
  CHECK(a.chain.events[0].data == data.bytes());
  CHECK(a.Supply("HKD") == AssetInfo{a.issuer, 0});
}

TEST_CASE("asset create refuses a symbol that already exists and names its issuer") {
  Assets a;
  a.Create("HKD");
  CHECK_FAILS_WITH(a.As(a.alice, "create", EncodeCreate("HKD")), Errc::kDuplicate,
                   "asset HKD already exists, issued by " + a.issuer.ToHex());
  CHECK_FAILS_WITH(a.As(a.issuer, "create", EncodeCreate("HKD")), Errc::kDuplicate,
                   "already exists");
  CHECK(a.Supply("HKD").issuer == a.issuer);
  CHECK(a.chain.events.size() == 1);
  // Symbols are case-sensitive: "hkd" is another asset.
  REQUIRE(a.As(a.alice, "create", EncodeCreate("hkd")));
  CHECK(a.Supply("hkd").issuer == a.alice);
}

TEST_CASE("asset symbols are 1 to 16 characters of letters, digits and . _ / -") {
  Assets a;
  for (const std::string_view symbol :
       {"H", "HKD", "hk/HKD", "gd/hk/e-CNY_1.0", "0123456789ABCDEF", "a.b", "-", "/"}) {
    INFO(symbol);
    CHECK(ValidateSymbol(symbol).has_value());
    CHECK(a.As(a.issuer, "create", EncodeCreate(symbol)).has_value());
  }
  struct Bad {
    std::string symbol;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {"", "asset symbol must be 1 to 16 characters, got 0"},
      {"0123456789ABCDEFG", "asset symbol must be 1 to 16 characters, got 17"},
      {"HK D", "outside [A-Za-z0-9._/-] at position 2"},
      {"HKD$", "at position 3"},
      {"HK:D", "at position 2"},
      {std::string("HK\0D", 4), "at position 2"},
      {"\xc3\xa9", "at position 0"},
  };
  const std::size_t stored = a.chain.state["asset"].size();
  for (const Bad& b : bad) {
    INFO(b.message);
    CHECK_FAILS_WITH(ValidateSymbol(b.symbol), Errc::kInvalidArgument, b.message);
    CHECK_FAILS_WITH(a.As(a.issuer, "create", EncodeCreate(b.symbol)), Errc::kInvalidArgument,
                     b.message);
    CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint(b.symbol, a.alice, 1)),
                     Errc::kInvalidArgument, b.message);
    CHECK_FAILS_WITH(a.As(a.issuer, "transfer", EncodeTransfer(b.symbol, a.alice, 1)),
                     Errc::kInvalidArgument, b.message);
    CHECK_FAILS_WITH(a.As(a.issuer, "balance", EncodeBalance(b.symbol, a.alice)),
                     Errc::kInvalidArgument, b.message);
    CHECK_FAILS_WITH(a.As(a.issuer, "supply", EncodeSupply(b.symbol)), Errc::kInvalidArgument,
                     b.message);
  }
  CHECK(a.chain.state["asset"].size() == stored);
}

TEST_CASE("asset mint by the issuer credits the recipient and the supply and emits minted") {
  Assets a;
  a.Create("HKD");
  auto out = a.As(a.issuer, "mint", EncodeMint("HKD", a.alice, 500));
  REQUIRE(out.has_value());
  CHECK(out->empty());
  a.Mint("HKD", a.alice, 20);
  a.Mint("HKD", a.bob, 3);
  CHECK(a.BalanceOf("HKD", a.alice) == u128{520});
  CHECK(a.BalanceOf("HKD", a.bob) == u128{3});
  CHECK(a.Supply("HKD") == AssetInfo{a.issuer, 523});
  CHECK(a.Stored(BalanceKey("HKD", a.alice)) == EncodeAmount(520));
  REQUIRE(a.chain.events.size() == 4);
  CHECK(a.chain.events[1].topic == "minted");
  core::Writer data;
  data.Text("HKD").Fixed(a.alice).U128(500);
  CHECK(a.chain.events[1].data == data.bytes());
}

TEST_CASE("asset mint by anyone but the issuer is unauthorized and names the issuer") {
  Assets a;
  a.Create("HKD");
  CHECK_FAILS_WITH(a.As(a.alice, "mint", EncodeMint("HKD", a.alice, 5)), Errc::kUnauthorized,
                   "asset.mint: only the issuer of HKD (" + a.issuer.ToHex() +
                       ") may mint; the sender is " + a.alice.ToHex());
  CHECK(a.Supply("HKD").total_supply == u128{0});
  CHECK(a.BalanceOf("HKD", a.alice) == u128{0});
}

TEST_CASE("asset mint through another contract is unauthorized even when the issuer signed") {
  Assets a;
  a.Create("HKD");
  a.chain.sender = a.issuer;
  const core::Bytes mint = EncodeMint("HKD", a.issuer, 5);
  CHECK_FAILS_WITH(
      a.chain.Call("forward", "forward", ForwardContract::EncodeForward("asset", "mint", mint)),
      Errc::kUnauthorized,
      "only the issuer of HKD (" + a.issuer.ToHex() +
          ") may mint, in a transaction that calls asset directly; this call comes from "
          "contract forward");
  CHECK(a.Supply("HKD").total_supply == u128{0});
}

TEST_CASE("asset mint, transfer, balance and supply of an unknown asset are not found") {
  Assets a;
  a.Create("HKD");
  CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint("MOP", a.alice, 1)), Errc::kNotFound,
                   "asset.mint: no asset MOP exists; create it first");
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("MOP", a.bob, 1)), Errc::kNotFound,
                   "asset.transfer: no asset MOP exists");
  CHECK_FAILS_WITH(a.As(a.alice, "balance", EncodeBalance("MOP", a.bob)), Errc::kNotFound,
                   "asset.balance: no asset MOP exists");
  CHECK_FAILS_WITH(a.As(a.alice, "supply", EncodeSupply("MOP")), Errc::kNotFound,
                   "asset.supply: no asset MOP exists");
}

TEST_CASE("asset mint and transfer refuse a zero amount") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 10);
  CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint("HKD", a.alice, 0)), Errc::kInvalidArgument,
                   "asset.mint: the amount must be at least 1, got 0");
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("HKD", a.bob, 0)),
                   Errc::kInvalidArgument, "asset.transfer: the amount must be at least 1, got 0");
  // The amount is checked before the asset is looked up.
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("MOP", a.bob, 0)),
                   Errc::kInvalidArgument, "at least 1");
}

TEST_CASE("asset mint refuses to overflow the total supply and names the asset and amounts") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, kMax - 10);
  CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint("HKD", a.bob, 11)), Errc::kOverflow,
                   "asset.mint: minting 11 HKD would overflow the total supply of HKD "
                   "(340282366920938463463374607431768211445); the most is "
                   "340282366920938463463374607431768211455");
  a.Mint("HKD", a.bob, 10);
  CHECK(a.Supply("HKD").total_supply == kMax);
  CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint("HKD", a.bob, 1)), Errc::kOverflow,
                   "minting 1 HKD");
  CHECK(a.BalanceOf("HKD", a.bob) == u128{10});
  CHECK(a.BalanceOf("HKD", a.alice) == kMax - 10);
}

TEST_CASE("asset mint refuses to overflow a balance even when the supply has room") {
  // Unreachable while sum(balances) == supply holds; the check still guards the sum.
  Assets a;
  a.Create("HKD");
  a.chain.state["asset"][BalanceKey("HKD", a.alice)] = EncodeAmount(kMax);
  CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint("HKD", a.alice, 1)), Errc::kOverflow,
                   "asset.mint: minting 1 HKD would overflow the balance of " + a.alice.ToHex() +
                       " in HKD (340282366920938463463374607431768211455)");
  CHECK(a.Supply("HKD").total_supply == u128{0});
}

TEST_CASE("asset transfer moves the amount and deletes a balance that reaches zero") {
  Assets a;
  a.Create("hk/HKD");
  a.Mint("hk/HKD", a.alice, 100);
  auto out = a.As(a.alice, "transfer", EncodeTransfer("hk/HKD", a.bob, 30));
  REQUIRE(out.has_value());
  CHECK(out->empty());
  CHECK(a.BalanceOf("hk/HKD", a.alice) == u128{70});
  CHECK(a.BalanceOf("hk/HKD", a.bob) == u128{30});
  CHECK(a.Stored(BalanceKey("hk/HKD", a.bob)) == EncodeAmount(30));
  REQUIRE(a.chain.events.size() == 3);
  CHECK(a.chain.events[2].topic == "transferred");
  core::Writer data;
  data.Text("hk/HKD").Fixed(a.alice).Fixed(a.bob).U128(30);
  CHECK(a.chain.events[2].data == data.bytes());

  REQUIRE(a.As(a.alice, "transfer", EncodeTransfer("hk/HKD", a.bob, 70)));
  CHECK(a.BalanceOf("hk/HKD", a.alice) == u128{0});
  CHECK_FALSE(a.Stored(BalanceKey("hk/HKD", a.alice)).has_value());
  CHECK(a.BalanceOf("hk/HKD", a.bob) == u128{100});
  CHECK(a.Supply("hk/HKD").total_supply == u128{100});
  // Exactly the asset record and one balance remain.
  CHECK(a.chain.state["asset"].size() == 2);
}

TEST_CASE("asset transfer needs enough balance and says what there is and what is needed") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 5);
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("HKD", a.bob, 7)),
                   Errc::kInsufficientFunds,
                   "balance of " + a.alice.ToHex() + " in HKD is 5, transfer needs 7");
  CHECK_FAILS_WITH(a.As(a.bob, "transfer", EncodeTransfer("HKD", a.alice, 1)),
                   Errc::kInsufficientFunds,
                   "balance of " + a.bob.ToHex() + " in HKD is 0, transfer needs 1");
  CHECK(a.BalanceOf("HKD", a.alice) == u128{5});
  CHECK(a.BalanceOf("HKD", a.bob) == u128{0});
  CHECK(a.chain.events.size() == 2);
}

TEST_CASE("asset transfer to oneself changes nothing but still checks the balance") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 5);
  const auto before = a.chain.state;
  REQUIRE(a.As(a.alice, "transfer", EncodeTransfer("HKD", a.alice, 5)));
  CHECK(a.chain.state == before);
  CHECK(a.chain.events.back().topic == "transferred");
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("HKD", a.alice, 6)),
                   Errc::kInsufficientFunds, "is 5, transfer needs 6");
  CHECK(a.BalanceOf("HKD", a.alice) == u128{5});
}

TEST_CASE("asset transfer refuses to overflow the recipient's balance") {
  // Unreachable while sum(balances) == supply holds; the check still guards the sum.
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 2);
  a.chain.state["asset"][BalanceKey("HKD", a.bob)] = EncodeAmount(kMax - 1);
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("HKD", a.bob, 2)), Errc::kOverflow,
                   "asset.transfer: receiving 2 HKD would overflow the balance of " +
                       a.bob.ToHex() + " in HKD (340282366920938463463374607431768211454)");
  CHECK(a.BalanceOf("HKD", a.alice) == u128{2});
}

TEST_CASE("asset transfer called through another contract spends the signer's tokens") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 9);
  a.chain.sender = a.alice;
  REQUIRE(a.chain.Call("forward", "forward",
                       ForwardContract::EncodeForward("asset", "transfer",
                                                      EncodeTransfer("HKD", a.bob, 4))));
  CHECK(a.BalanceOf("HKD", a.alice) == u128{5});
  CHECK(a.BalanceOf("HKD", a.bob) == u128{4});
  // A caller that fails after the transfer takes it back with it (executor rollback).
  a.chain.sender = a.alice;
  CHECK_FAILS_WITH(a.chain.Call("forward", "forward_then_fail",
                                ForwardContract::EncodeForward("asset", "transfer",
                                                               EncodeTransfer("HKD", a.bob, 5))),
                   Errc::kInvalidArgument, "always fails");
  CHECK(a.BalanceOf("HKD", a.alice) == u128{5});
}

TEST_CASE("asset balance is zero for an owner that never held the asset") {
  Assets a;
  a.Create("HKD");
  auto out = a.As(a.alice, "balance", EncodeBalance("HKD", Addr(0x77)));
  REQUIRE(out.has_value());
  CHECK(*out == core::Bytes(16, 0));
  CHECK(DecodeAmount(*out).value() == u128{0});
}

TEST_CASE("asset supply returns the issuer and the total supply") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 12);
  auto out = a.As(a.alice, "supply", EncodeSupply("HKD"));
  REQUIRE(out.has_value());
  CHECK(*out == AssetInfo{a.issuer, 12}.Encode());
}

TEST_CASE("every asset method refuses args that do not decode or carry trailing bytes") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 10);
  struct Method {
    std::string name;
    core::Bytes args;
  };
  const std::vector<Method> methods = {
      {"create", EncodeCreate("EUR")},
      {"mint", EncodeMint("HKD", a.alice, 1)},
      {"transfer", EncodeTransfer("HKD", a.bob, 1)},
      {"balance", EncodeBalance("HKD", a.alice)},
      {"supply", EncodeSupply("HKD")},
  };
  const auto before = a.chain.state;
  for (const Method& m : methods) {
    INFO(m.name);
    const std::string prefix = "malformed arguments for asset." + m.name + ": ";
    CHECK_FAILS_WITH(a.As(a.issuer, m.name, {}), Errc::kMalformed, prefix + "truncated");
    CHECK_FAILS_WITH(a.As(a.issuer, m.name, ByteView(m.args).first(m.args.size() - 1)),
                     Errc::kMalformed, prefix + "truncated");
    core::Bytes longer = m.args;
    longer.push_back(0);
    CHECK_FAILS_WITH(a.As(a.issuer, m.name, longer), Errc::kMalformed,
                     prefix + "trailing_bytes");
  }
  // A symbol that is not UTF-8 does not decode as text.
  core::Writer bad_text;
  bad_text.Blob(core::Bytes{0xff});
  CHECK_FAILS_WITH(a.As(a.issuer, "create", bad_text.bytes()), Errc::kMalformed,
                   "malformed arguments for asset.create: non_canonical");
  CHECK(a.chain.state == before);
}

TEST_CASE("a read-only call refuses create, mint and transfer but answers balance and supply") {
  Assets a;
  a.Create("HKD");
  a.Mint("HKD", a.alice, 10);
  const auto before = a.chain.state;
  const std::size_t events = a.chain.events.size();
  a.chain.read_only = true;
  CHECK_FAILS_WITH(a.As(a.issuer, "create", EncodeCreate("EUR")), Errc::kUnsupported,
                   "read-only");
  CHECK_FAILS_WITH(a.As(a.issuer, "mint", EncodeMint("HKD", a.alice, 1)), Errc::kUnsupported,
                   "read-only");
  CHECK_FAILS_WITH(a.As(a.alice, "transfer", EncodeTransfer("HKD", a.bob, 1)),
                   Errc::kUnsupported, "read-only");
  CHECK(a.chain.state == before);
  CHECK(a.chain.events.size() == events);
  CHECK(a.BalanceOf("HKD", a.alice) == u128{10});
  CHECK(a.Supply("HKD").total_supply == u128{10});
}

TEST_CASE("asset state that does not decode is a storage failure, not the caller's fault") {
  Assets a;
  a.Create("HKD");
  a.chain.state["asset"][BalanceKey("HKD", a.alice)] = core::Bytes{1, 2, 3};
  CHECK_FAILS_WITH(a.As(a.bob, "balance", EncodeBalance("HKD", a.alice)), Errc::kStorage,
                   "asset state is damaged: the balance of " + a.alice.ToHex() + " of HKD");
  a.chain.state["asset"][AssetKey("EUR")] = core::Bytes{9};
  CHECK_FAILS_WITH(a.As(a.bob, "supply", EncodeSupply("EUR")), Errc::kStorage,
                   "the asset record of EUR does not decode");
}

TEST_CASE("asset arguments, asset info and amounts round-trip through the codec") {
  const Address to = Addr(0x42);
  const u128 amount = (u128{0x0102030405060708} << 64) | 0x090a0b0c0d0e0f10;

  const MintArgs mint{"hk/HKD", to, amount};
  core::Writer expected;
  expected.U32(6).Raw(core::AsBytes("hk/HKD")).Fixed(to).U128(amount);
  CHECK(mint.Encode() == expected.bytes());
  CHECK(EncodeMint("hk/HKD", to, amount) == mint.Encode());
  CHECK(core::DecodeExactly<MintArgs>(mint.Encode(), "args").value() == mint);

  const TransferArgs transfer{"HKD", to, amount};
  CHECK(EncodeTransfer("HKD", to, amount) == transfer.Encode());
  CHECK(core::DecodeExactly<TransferArgs>(transfer.Encode(), "args").value() == transfer);

  const CreateArgs create{"MOP"};
  CHECK(EncodeCreate("MOP") == create.Encode());
  CHECK(core::DecodeExactly<CreateArgs>(create.Encode(), "args").value() == create);

  const BalanceArgs balance{"MOP", to};
  CHECK(EncodeBalance("MOP", to) == balance.Encode());
  CHECK(core::DecodeExactly<BalanceArgs>(balance.Encode(), "args").value() == balance);

  const SupplyArgs supply{"MOP"};
  CHECK(EncodeSupply("MOP") == supply.Encode());
  CHECK(core::DecodeExactly<SupplyArgs>(supply.Encode(), "args").value() == supply);

  const AssetInfo info{to, amount};
  CHECK(info.Encode() == Concat(to.view(), EncodeAmount(amount)));
  CHECK(core::DecodeExactly<AssetInfo>(info.Encode(), "info").value() == info);

  const core::Bytes encoded = EncodeAmount(amount);
  CHECK(core::ToHex(encoded) == "0x0102030405060708090a0b0c0d0e0f10");
  CHECK(DecodeAmount(encoded).value() == amount);
  CHECK(DecodeAmount(EncodeAmount(kMax)).value() == kMax);
  CHECK_FAILS_WITH(DecodeAmount(ByteView(encoded).first(15)), Errc::kTruncated, "amount");
  core::Bytes longer = encoded;
  longer.push_back(0);
  CHECK_FAILS_WITH(DecodeAmount(longer), Errc::kTrailingBytes, "");
}

}  // namespace
}  // namespace asset_test
}  // namespace baylink::contracts::test
