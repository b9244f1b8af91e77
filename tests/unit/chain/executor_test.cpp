// SPDX-License-Identifier: Apache-2.0
//
// The executor: nonce rules, receipts, rollback of failed calls (nested frames included),
// the call-depth limit, read-only calls, sorted changes and determinism. A test-only `probe`
// contract, registered next to the built-ins, writes, emits, fails and recurses on request.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "baylink/chain/executor.h"
#include "baylink/contracts/asset.h"
#include "baylink/contracts/system.h"
#include "chain_fixtures.h"

namespace baylink::chain::test {
namespace executor_test {
namespace {

using core::Bytes;
using core::ByteView;
using core::Errc;
using core::Hash32;
using core::u128;

constexpr std::string_view kChain = "hk";

// A contract whose methods exercise the executor's frames.
class ProbeContract final : public contracts::Contract {
 public:
  std::string_view name() const override { return "probe"; }
  std::vector<std::string> methods() const override {
    return {"big_output",
            "call_whoami",
            "fail_after_write",
            "fail_long",
            "nested_fail",
            "read",
            "read_ignoring_errors",
            "recurse",
            "recurse_until_refused",
            "whoami",
            "write"};
  }

  core::Result<Bytes> Invoke(contracts::CallContext& c, std::string_view method,
                             ByteView args) override {
    if (method == "write") {
      BAYLINK_TRY(c.Put(core::AsBytes("k"), args));
      BAYLINK_TRY(c.Emit("wrote", args));
      return Bytes{};
    }
    if (method == "fail_after_write") {
      BAYLINK_TRY(c.Put(core::AsBytes("k"), args));
      BAYLINK_TRY(c.Emit("wrote", args));
      return core::Fail(Errc::kInvalidArgument, "probe asked to fail after writing");
    }
    if (method == "nested_fail") {
      // Writes, then calls a method that writes and fails, and carries on.
      BAYLINK_TRY(c.Put(core::AsBytes("outer"), args));
      BAYLINK_TRY(c.Emit("outer", args));
      auto inner = c.Call("probe", "fail_after_write", core::AsBytes("inner"));
      if (inner) return core::Fail(Errc::kInvalidArgument, "the inner call should fail");
      return core::ToBytes(inner.error().detail);
    }
    if (method == "recurse" || method == "recurse_until_refused") {
      const std::string key = "depth/" + std::to_string(c.depth());
      BAYLINK_TRY(c.Put(core::AsBytes(key), args));
      BAYLINK_TRY(c.Emit("depth", core::AsBytes(key)));
      auto deeper = c.Call("probe", method, args);
      if (deeper) return deeper;
      if (method == "recurse") return std::move(deeper).error();
      // The deepest frame reports its depth and the refusal; the frames above it stand.
      core::Writer w;
      w.U32(c.depth()).Text(deeper.error().Message());
      return std::move(w).Take();
    }
    if (method == "fail_long") {
      // An error message longer than a receipt holds, in UTF-8 text of `args`.
      std::string detail;
      while (detail.size() < 2 * core::kMaxMessageBytes) detail += Str(args);
      return core::Fail(Errc::kInvalidArgument, detail);
    }
    if (method == "big_output") {
      BAYLINK_TRY(c.Put(core::AsBytes("big"), core::AsBytes("x")));
      return Bytes(core::kMaxOutputBytes + 1, 0x42);
    }
    if (method == "read") {
      BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> value, c.Get(core::AsBytes("k")));
      return value ? *value : Bytes{};
    }
    if (method == "read_ignoring_errors") {
      // A contract that swallows a storage failure must not hide it from the executor.
      (void)c.Get(core::AsBytes("k"));
      return Bytes{};
    }
    if (method == "whoami") {
      core::Writer w;
      w.Text(c.caller_contract()).Fixed(c.sender()).U32(c.depth()).U64(c.height());
      w.U64(c.timestamp_ms()).Text(c.chain_id()).Bool(c.read_only());
      return std::move(w).Take();
    }
    if (method == "call_whoami") return c.Call("probe", "whoami", {});
    return contracts::UnknownMethod(*this, method);
  }
};

std::unique_ptr<contracts::Registry> RegistryWithProbe() {
  std::unique_ptr<contracts::Registry> registry = BuiltinRegistry();
  REQUIRE(registry->Add(std::make_unique<ProbeContract>()).has_value());
  return registry;
}

Hash32 ProbeKey(const core::CryptoSuite& suite, std::string_view key) {
  return core::StateKey(suite, "probe", core::AsBytes(key));
}

// An executor over a map-backed state, with a few accounts.
struct Fixture {
  explicit Fixture(core::SuiteId id = core::SuiteId::kEcdsa)
      : suite(Suite(id)), registry(RegistryWithProbe()), executor(suite, *registry, "hk") {
    for (std::uint64_t i = 0; i < 3; ++i) accounts.push_back(MakeAccount(suite, 10 + i));
  }

  core::Transaction Tx(std::size_t who, std::uint64_t nonce, std::string_view contract,
                       std::string_view method, ByteView args, std::uint64_t expiry = 1000) const {
    return SignedTx(suite, accounts[who], kChain, nonce, contract, method, args, expiry);
  }

  Outcome Run(const std::vector<core::Transaction>& txs, std::uint64_t height = 1) const {
    std::vector<Hash32> hashes;
    for (const core::Transaction& tx : txs) hashes.push_back(tx.Hash(suite));
    auto outcome = executor.ExecuteBlock(state, BlockContext{height, 5000 + height}, txs, hashes);
    REQUIRE_MESSAGE(outcome.has_value(), outcome.error().Message());
    CHECK(outcome->included.size() == outcome->receipts.size());
    CHECK(outcome->included.size() == outcome->included_hashes.size());
    for (std::size_t i = 0; i < outcome->receipts.size(); ++i) {
      CHECK(outcome->receipts[i].tx_hash == outcome->included_hashes[i]);
    }
    return std::move(outcome).value();
  }

  // Runs and commits (applies the changes to the state).
  Outcome RunAndApply(const std::vector<core::Transaction>& txs, std::uint64_t height = 1) {
    Outcome outcome = Run(txs, height);
    state.Apply(outcome.changes);
    return outcome;
  }

  std::uint64_t Nonce(std::size_t who) const {
    auto nonce = executor.NextNonce(state, accounts[who].address);
    REQUIRE(nonce.has_value());
    return *nonce;
  }

  u128 Balance(std::string_view symbol, std::size_t who) const {
    auto out = executor.Call(state, BlockContext{1, 0}, accounts[0].address, "asset", "balance",
                             contracts::EncodeBalance(symbol, accounts[who].address));
    REQUIRE_MESSAGE(out.has_value(), out.error().Message());
    return contracts::DecodeAmount(*out).value();
  }

  const core::CryptoSuite& suite;
  std::unique_ptr<contracts::Registry> registry;
  Executor executor;
  MapState state;
  std::vector<Account> accounts;
};

std::vector<Hash32> ChangedKeys(const Outcome& outcome) {
  std::vector<Hash32> keys;
  for (const core::smt::Change& c : outcome.changes) keys.push_back(c.key);
  return keys;
}

TEST_CASE("memory state applies values and deletions as a commit does") {
  MemoryState state;
  const auto filled = [](std::uint8_t byte) {
    Hash32 h;
    h.bytes.fill(byte);
    return h;
  };
  const Hash32 a = filled(0x0a);
  const Hash32 b = filled(0x0b);
  const Hash32 c = filled(0x0c);
  state.Set(a, core::ToBytes("old"));
  state.Set(b, core::ToBytes("gone soon"));
  const std::vector<core::smt::Change> changes{
      {a, core::ToBytes("new")}, {b, std::nullopt}, {c, Bytes{}}};
  state.Apply(changes);
  CHECK(state.Get(a).value() == std::optional<Bytes>(core::ToBytes("new")));
  CHECK_FALSE(state.Get(b).value().has_value());
  // An empty value is a value, not a deletion.
  CHECK(state.Get(c).value() == std::optional<Bytes>(Bytes{}));
  CHECK_FALSE(state.Get(filled(0x0d)).value().has_value());
  CHECK(state.values().size() == 2);
}

TEST_CASE("executor runs a block in order, counts nonces and records receipts and events") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    Fixture f(id);
    const Outcome outcome = f.RunAndApply({
        f.Tx(0, 0, "asset", "create", contracts::EncodeCreate("HKD")),
        f.Tx(0, 1, "asset", "mint", contracts::EncodeMint("HKD", f.accounts[1].address, 100)),
        f.Tx(1, 0, "asset", "transfer",
             contracts::EncodeTransfer("HKD", f.accounts[2].address, 30)),
    });
    REQUIRE(outcome.included.size() == 3);
    CHECK(outcome.left_out.empty());
    for (const core::Receipt& r : outcome.receipts) {
      CHECK(r.status == core::ReceiptStatus::kSuccess);
      CHECK(r.message.empty());
      REQUIRE(r.events.size() == 1);
      CHECK(r.events[0].contract == "asset");
    }
    CHECK(outcome.receipts[0].events[0].topic == "created");
    CHECK(outcome.receipts[1].events[0].topic == "minted");
    CHECK(outcome.receipts[2].events[0].topic == "transferred");
    CHECK(f.Nonce(0) == 2);
    CHECK(f.Nonce(1) == 1);
    CHECK(f.Nonce(2) == 0);
    CHECK(f.Balance("HKD", 1) == 70);
    CHECK(f.Balance("HKD", 2) == 30);
    // Nonces are state like any other: 8-byte big-endian under the account namespace.
    CHECK(f.state.values().at(NonceStateKey(f.suite, f.accounts[0].address)) == EncodeNonce(2));
    // The balance is stored where contracts/asset.h says.
    CHECK(f.state.values().at(
              core::StateKey(f.suite, "asset", BalanceKey("HKD", f.accounts[2].address))) ==
          contracts::EncodeAmount(30));
  }
}

TEST_CASE("executor leaves out a nonce ahead to retry later and drops a nonce below") {
  Fixture f;
  f.state.Set(NonceStateKey(f.suite, f.accounts[0].address), EncodeNonce(2));
  const std::vector<core::Transaction> txs = {
      f.Tx(0, 3, "probe", "write", core::AsBytes("ahead")),
      f.Tx(0, 1, "probe", "write", core::AsBytes("below")),
      f.Tx(0, 2, "probe", "write", core::AsBytes("next")),
      f.Tx(0, 3, "probe", "write", core::AsBytes("then")),  // fits after nonce 2 in the block
  };
  const Outcome outcome = f.Run(txs);
  REQUIRE(outcome.left_out.size() == 2);
  CHECK(outcome.left_out[0].tx_hash == txs[0].Hash(f.suite));
  CHECK(outcome.left_out[0].retry_later);
  CHECK(outcome.left_out[0].reason.code == Errc::kInvalidArgument);
  CHECK(outcome.left_out[0].reason.detail.find("nonce 3 of sender") != std::string::npos);
  CHECK(outcome.left_out[0].reason.detail.find("is ahead of its next nonce 2") !=
        std::string::npos);
  CHECK(outcome.left_out[1].tx_hash == txs[1].Hash(f.suite));
  CHECK_FALSE(outcome.left_out[1].retry_later);
  CHECK(outcome.left_out[1].reason.code == Errc::kStale);
  CHECK(outcome.left_out[1].reason.detail.find("is below its next nonce 2") != std::string::npos);
  REQUIRE(outcome.included.size() == 2);
  CHECK(outcome.included[0] == txs[2]);
  CHECK(outcome.included[1] == txs[3]);
}

TEST_CASE("executor leaves out a transaction for another chain or past its expiry") {
  Fixture f;
  const core::Transaction other_chain =
      SignedTx(f.suite, f.accounts[0], "gd", 0, "probe", "write", core::AsBytes("x"));
  const core::Transaction expired = f.Tx(0, 0, "probe", "write", core::AsBytes("x"), 4);
  const core::Transaction on_time = f.Tx(1, 0, "probe", "write", core::AsBytes("x"), 5);
  const Outcome outcome = f.Run({other_chain, expired, on_time}, /*height=*/5);
  REQUIRE(outcome.left_out.size() == 2);
  CHECK(outcome.left_out[0].reason.code == Errc::kWrongChain);
  CHECK_FALSE(outcome.left_out[0].retry_later);
  CHECK(outcome.left_out[1].reason.code == Errc::kExpired);
  CHECK(outcome.left_out[1].reason.detail == "transaction expired at height 4; the block is at 5");
  REQUIRE(outcome.included.size() == 1);
  CHECK(outcome.included[0] == on_time);
  // Left out means no nonce used.
  const std::vector<Hash32> changed = ChangedKeys(outcome);
  CHECK(std::find(changed.begin(), changed.end(), NonceStateKey(f.suite, f.accounts[0].address)) ==
        changed.end());
}

TEST_CASE(
    "a failed call uses its nonce but leaves no write or event, with the error in the receipt") {
  Fixture f;
  const Outcome outcome = f.RunAndApply({
      f.Tx(0, 0, "probe", "fail_after_write", core::AsBytes("lost")),
      f.Tx(0, 1, "asset", "transfer", contracts::EncodeTransfer("HKD", f.accounts[1].address, 1)),
      f.Tx(0, 2, "probe", "write", core::AsBytes("kept")),
  });
  REQUIRE(outcome.receipts.size() == 3);
  CHECK(outcome.receipts[0].status == core::ReceiptStatus::kFailed);
  CHECK(outcome.receipts[0].message == "invalid_argument: probe asked to fail after writing");
  CHECK(outcome.receipts[0].events.empty());
  CHECK(outcome.receipts[0].output.empty());
  CHECK(outcome.receipts[1].status == core::ReceiptStatus::kFailed);
  CHECK(outcome.receipts[1].message.find("not_found: asset.transfer: no asset HKD") == 0);
  CHECK(outcome.receipts[2].status == core::ReceiptStatus::kSuccess);
  CHECK(f.Nonce(0) == 3);
  // Only the last call's write stands.
  CHECK(outcome.changes.size() == 2);
  CHECK(f.state.values().at(ProbeKey(f.suite, "k")) == core::ToBytes("kept"));
}

TEST_CASE("a failed nested call is rolled back while its caller's writes and events stand") {
  Fixture f;
  const Outcome outcome =
      f.RunAndApply({f.Tx(0, 0, "probe", "nested_fail", core::AsBytes("outer-value"))});
  REQUIRE(outcome.receipts.size() == 1);
  const core::Receipt& r = outcome.receipts[0];
  REQUIRE(r.status == core::ReceiptStatus::kSuccess);
  CHECK(Str(r.output) == "probe asked to fail after writing");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].topic == "outer");
  CHECK(f.state.values().at(ProbeKey(f.suite, "outer")) == core::ToBytes("outer-value"));
  CHECK_FALSE(f.state.values().contains(ProbeKey(f.suite, "k")));
}

TEST_CASE("nested calls keep the sender and name the calling contract") {
  Fixture f;
  const Outcome outcome = f.Run({f.Tx(2, 0, "probe", "call_whoami", {})}, 7);
  REQUIRE(outcome.receipts.size() == 1);
  REQUIRE(outcome.receipts[0].status == core::ReceiptStatus::kSuccess);
  core::Writer want;
  want.Text("probe").Fixed(f.accounts[2].address).U32(2).U64(7).U64(5007).Text("hk").Bool(false);
  CHECK(outcome.receipts[0].output == want.bytes());
}

TEST_CASE("a call chain deeper than the limit fails the transaction and rolls back every frame") {
  Fixture f;
  const Outcome outcome = f.RunAndApply({f.Tx(0, 0, "probe", "recurse", core::AsBytes("v"))});
  REQUIRE(outcome.receipts.size() == 1);
  const core::Receipt& r = outcome.receipts[0];
  CHECK(r.status == core::ReceiptStatus::kFailed);
  CHECK(r.message ==
        "unsupported: call from probe to probe.recurse exceeds the call depth "
        "limit of " +
            std::to_string(contracts::kMaxCallDepth));
  CHECK(r.events.empty());
  // Nothing but the nonce changed.
  CHECK(ChangedKeys(outcome) == std::vector<Hash32>{NonceStateKey(f.suite, f.accounts[0].address)});
}

TEST_CASE("the call-depth limit lets exactly kMaxCallDepth frames run") {
  Fixture f;
  const Outcome outcome =
      f.RunAndApply({f.Tx(0, 0, "probe", "recurse_until_refused", core::AsBytes("v"))});
  REQUIRE(outcome.receipts.size() == 1);
  const core::Receipt& r = outcome.receipts[0];
  REQUIRE_MESSAGE(r.status == core::ReceiptStatus::kSuccess, r.message);
  core::Reader reader(r.output, "output");
  CHECK(reader.U32("depth").value() == contracts::kMaxCallDepth);
  CHECK(reader.Text("error").value().find("unsupported: call from probe") == 0);
  CHECK(r.events.size() == contracts::kMaxCallDepth);
  for (std::uint32_t d = 1; d <= contracts::kMaxCallDepth; ++d) {
    CHECK(f.state.values().contains(ProbeKey(f.suite, "depth/" + std::to_string(d))));
  }
  CHECK_FALSE(f.state.values().contains(
      ProbeKey(f.suite, "depth/" + std::to_string(contracts::kMaxCallDepth + 1))));
}

TEST_CASE("a call whose output exceeds the receipt limit fails and leaves no write") {
  Fixture f;
  const Outcome outcome = f.RunAndApply({f.Tx(0, 0, "probe", "big_output", {})});
  REQUIRE(outcome.receipts.size() == 1);
  const core::Receipt& r = outcome.receipts[0];
  CHECK(r.status == core::ReceiptStatus::kFailed);
  CHECK(r.output.empty());
  CHECK(r.message == "oversized: output of probe.big_output has " +
                         std::to_string(core::kMaxOutputBytes + 1) + " bytes; the limit is " +
                         std::to_string(core::kMaxOutputBytes));
  CHECK(ChangedKeys(outcome) == std::vector<Hash32>{NonceStateKey(f.suite, f.accounts[0].address)});
  // The receipt is one a block can carry.
  CHECK(core::Receipt::Decode(r.Encode()).has_value());
}

TEST_CASE("a failure message longer than a receipt holds is cut to valid text that decodes") {
  Fixture f;
  // "invalid_argument: " is 18 bytes, so the cut at 1024 bytes falls on byte 1006 of the
  // repeated unit: inside the 2-byte letter for the second unit, between characters for
  // the others.
  const std::vector<core::Transaction> txs = {
      f.Tx(0, 0, "probe", "fail_long", core::AsBytes("a\xc3\xa9")),
      f.Tx(0, 1, "probe", "fail_long",
           core::AsBytes("\xc3\xa9"
                         "a")),
      f.Tx(0, 2, "probe", "fail_long", core::AsBytes("aa\xc3\xa9")),
      f.Tx(0, 3, "probe", "fail_long", core::AsBytes("abc")),
  };
  const Outcome outcome = f.Run(txs);
  REQUIRE(outcome.receipts.size() == txs.size());
  for (const core::Receipt& r : outcome.receipts) {
    CHECK(r.status == core::ReceiptStatus::kFailed);
    CHECK(r.message.size() <= core::kMaxMessageBytes);
    CHECK(r.message.size() >= core::kMaxMessageBytes - 1);
    CHECK(core::IsValidUtf8(r.message));
    auto decoded = core::Receipt::Decode(r.Encode());
    REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
    CHECK(*decoded == r);
  }
  CHECK(outcome.receipts.back().message.size() == core::kMaxMessageBytes);
}

TEST_CASE("calls to an unknown contract or method fail with messages that list what exists") {
  Fixture f;
  const Outcome outcome = f.Run({
      f.Tx(0, 0, "bank", "pay", {}),
      f.Tx(0, 1, "asset", "burn", {}),
  });
  REQUIRE(outcome.receipts.size() == 2);
  CHECK(outcome.receipts[0].status == core::ReceiptStatus::kFailed);
  CHECK(outcome.receipts[0].message ==
        "not_found: no contract named bank; contracts: asset, probe, system");
  CHECK(outcome.receipts[1].status == core::ReceiptStatus::kFailed);
  CHECK(outcome.receipts[1].message.find("unsupported: contract asset has no method burn") == 0);
  CHECK(outcome.receipts[1].message.find("transfer") != std::string::npos);
  // Both still used their nonce.
  CHECK(ChangedKeys(outcome) == std::vector<Hash32>{NonceStateKey(f.suite, f.accounts[0].address)});
  auto call =
      f.executor.Call(f.state, BlockContext{1, 0}, f.accounts[0].address, "bank", "pay", {});
  CHECK_FAILS_WITH(call, Errc::kNotFound, "no contract named bank");
}

TEST_CASE("executor changes come out sorted by key with one change per key") {
  Fixture f;
  std::vector<core::Transaction> txs;
  txs.push_back(f.Tx(0, 0, "asset", "create", contracts::EncodeCreate("HKD")));
  for (std::uint64_t n = 1; n <= 6; ++n) {
    txs.push_back(
        f.Tx(0, n, "asset", "mint", contracts::EncodeMint("HKD", f.accounts[n % 3].address, n)));
  }
  txs.push_back(f.Tx(1, 0, "probe", "write", core::AsBytes("a")));
  txs.push_back(f.Tx(1, 1, "probe", "write", core::AsBytes("b")));  // same key again
  txs.push_back(f.Tx(2, 0, "probe", "write", core::AsBytes("c")));
  const Outcome outcome = f.Run(txs);
  const std::vector<Hash32> keys = ChangedKeys(outcome);
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
  // 3 nonces, the asset record, 3 balances, the probe key.
  CHECK(keys.size() == 8);
  for (const core::smt::Change& c : outcome.changes) {
    if (c.key == ProbeKey(f.suite, "k")) CHECK(c.value == core::ToBytes("c"));
  }
}

TEST_CASE("executor changes stay sorted and equal across executors for hundreds of keys") {
  // The block's writes live in a hash table whose order depends on a per-executor random
  // seed; the outcome must not.
  Fixture f;
  std::vector<core::Transaction> txs;
  txs.push_back(f.Tx(0, 0, "asset", "create", contracts::EncodeCreate("HKD")));
  for (std::uint64_t n = 1; n <= 300; ++n) {
    core::Address to;
    to.bytes[0] = static_cast<std::uint8_t>(n);
    to.bytes[1] = static_cast<std::uint8_t>(n >> 8);
    txs.push_back(f.Tx(0, n, "asset", "mint", contracts::EncodeMint("HKD", to, n)));
  }
  const Outcome a = f.Run(txs);
  REQUIRE(a.receipts.size() == txs.size());
  const std::vector<Hash32> keys = ChangedKeys(a);
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
  CHECK(keys.size() == 302);  // the nonce, the asset record, 300 balances

  const std::unique_ptr<contracts::Registry> registry = RegistryWithProbe();
  const Executor other(f.suite, *registry, "hk");
  std::vector<Hash32> hashes;
  for (const core::Transaction& tx : txs) hashes.push_back(tx.Hash(f.suite));
  auto b = other.ExecuteBlock(f.state, BlockContext{1, 5001}, txs, hashes);
  REQUIRE(b.has_value());
  CHECK(ChangedKeys(*b) == keys);
  REQUIRE(b->changes.size() == a.changes.size());
  for (std::size_t i = 0; i < a.changes.size(); ++i) {
    CHECK(a.changes[i].value == b->changes[i].value);
    CHECK(a.changes[i].prior_value_hash == b->changes[i].prior_value_hash);
  }
}

TEST_CASE("executor tells each change the hash of the key's value before the block") {
  Fixture f;
  const core::Address& one = f.accounts[1].address;
  const core::Address& two = f.accounts[2].address;
  f.RunAndApply({f.Tx(0, 0, "asset", "create", contracts::EncodeCreate("HKD")),
                 f.Tx(0, 1, "asset", "mint", contracts::EncodeMint("HKD", one, 50))});
  // Existing keys (account 0's nonce, account 1's balance, the supply) and new ones (account 1's
  // nonce, account 2's balance); account 1's balance is written twice in the block.
  const Outcome outcome =
      f.Run({f.Tx(0, 2, "asset", "mint", contracts::EncodeMint("HKD", one, 5)),
             f.Tx(1, 0, "asset", "transfer", contracts::EncodeTransfer("HKD", two, 7))});
  std::size_t told = 0;
  for (const core::smt::Change& c : outcome.changes) {
    auto before = f.state.Get(c.key);
    REQUIRE(before.has_value());
    if (*before) {
      REQUIRE(c.prior_value_hash.has_value());
      CHECK(*c.prior_value_hash == f.suite.Hash(**before));
      ++told;
    } else {
      CHECK_FALSE(c.prior_value_hash.has_value());
    }
  }
  CHECK(told >= 3);
  CHECK(told < outcome.changes.size());
}

TEST_CASE("executor gives the same outcome for the same block twice") {
  Fixture f;
  f.RunAndApply(
      {f.Tx(0, 0, "asset", "create", contracts::EncodeCreate("HKD")),
       f.Tx(0, 1, "asset", "mint", contracts::EncodeMint("HKD", f.accounts[1].address, 50))});
  const std::vector<core::Transaction> txs = {
      f.Tx(1, 0, "asset", "transfer", contracts::EncodeTransfer("HKD", f.accounts[2].address, 20)),
      f.Tx(1, 1, "asset", "transfer", contracts::EncodeTransfer("HKD", f.accounts[2].address, 40)),
      f.Tx(2, 0, "probe", "nested_fail", core::AsBytes("x")),
      f.Tx(2, 5, "probe", "write", core::AsBytes("later")),
      f.Tx(0, 0, "probe", "write", core::AsBytes("stale")),
      f.Tx(0, 2, "probe", "recurse", core::AsBytes("deep")),
  };
  const Outcome a = f.Run(txs, 3);
  // A second executor over a second registry, as another node would have.
  const std::unique_ptr<contracts::Registry> registry = RegistryWithProbe();
  const Executor other(f.suite, *registry, "hk");
  std::vector<Hash32> hashes;
  for (const core::Transaction& tx : txs) hashes.push_back(tx.Hash(f.suite));
  auto b = other.ExecuteBlock(f.state, BlockContext{3, 5003}, txs, hashes);
  REQUIRE(b.has_value());
  CHECK(a.included == b->included);
  CHECK(a.included_hashes == b->included_hashes);
  CHECK(a.receipts == b->receipts);
  REQUIRE(a.changes.size() == b->changes.size());
  for (std::size_t i = 0; i < a.changes.size(); ++i) {
    CHECK(a.changes[i].key == b->changes[i].key);
    CHECK(a.changes[i].value == b->changes[i].value);
  }
  REQUIRE(a.left_out.size() == b->left_out.size());
  for (std::size_t i = 0; i < a.left_out.size(); ++i) {
    CHECK(a.left_out[i].tx_hash == b->left_out[i].tx_hash);
    CHECK(a.left_out[i].reason.code == b->left_out[i].reason.code);
    CHECK(a.left_out[i].reason.detail == b->left_out[i].reason.detail);
    CHECK(a.left_out[i].retry_later == b->left_out[i].retry_later);
  }
  // The mix did what it says: a failed transfer, a nested rollback, a deep failure.
  REQUIRE(a.receipts.size() == 4);
  CHECK(a.receipts[0].status == core::ReceiptStatus::kSuccess);
  CHECK(a.receipts[1].status == core::ReceiptStatus::kFailed);
  CHECK(a.receipts[2].status == core::ReceiptStatus::kSuccess);
  CHECK(a.receipts[3].status == core::ReceiptStatus::kFailed);
  CHECK(a.left_out.size() == 2);
}

TEST_CASE("a read-only call reads state but refuses writes and events") {
  Fixture f;
  f.RunAndApply({f.Tx(0, 0, "probe", "write", core::AsBytes("stored")),
                 f.Tx(0, 1, "asset", "create", contracts::EncodeCreate("HKD"))});
  const BlockContext at{1, 5001};
  auto read = f.executor.Call(f.state, at, f.accounts[1].address, "probe", "read", {});
  REQUIRE(read.has_value());
  CHECK(*read == core::ToBytes("stored"));
  CHECK_FAILS_WITH(
      f.executor.Call(f.state, at, f.accounts[1].address, "probe", "write", core::AsBytes("x")),
      Errc::kUnsupported, "contract probe tried to write state in a read-only call");
  CHECK_FAILS_WITH(f.executor.Call(f.state, at, f.accounts[1].address, "asset", "create",
                                   contracts::EncodeCreate("MOP")),
                   Errc::kUnsupported, "read-only call");
  // The caller is who the call says, and the context is read-only.
  auto who = f.executor.Call(f.state, at, f.accounts[2].address, "probe", "whoami", {});
  REQUIRE(who.has_value());
  core::Writer want;
  want.Text("").Fixed(f.accounts[2].address).U32(1).U64(1).U64(5001).Text("hk").Bool(true);
  CHECK(*who == want.bytes());
  // Nothing changed, and no nonce was used.
  CHECK(f.state.values().at(ProbeKey(f.suite, "k")) == core::ToBytes("stored"));
  CHECK(f.Nonce(1) == 0);
  CHECK(f.Nonce(2) == 0);
}

TEST_CASE("a storage failure aborts the block even when a contract ignores it") {
  Fixture f;
  SUBCASE("reading a nonce") {
    f.state.FailReads(true);
    auto outcome =
        f.executor.ExecuteBlock(f.state, BlockContext{1, 0},
                                std::vector<core::Transaction>{f.Tx(0, 0, "probe", "read", {})},
                                std::vector<Hash32>{Hash32{}});
    CHECK_FAILS_WITH(outcome, Errc::kStorage, "injected storage failure");
  }
  SUBCASE("inside a contract") {
    f.state.FailKey(ProbeKey(f.suite, "k"));
    const core::Transaction tx = f.Tx(0, 0, "probe", "read_ignoring_errors", {});
    auto outcome =
        f.executor.ExecuteBlock(f.state, BlockContext{1, 0}, std::vector<core::Transaction>{tx},
                                std::vector<Hash32>{tx.Hash(f.suite)});
    CHECK_FAILS_WITH(outcome, Errc::kStorage, "injected storage failure");
    auto call = f.executor.Call(f.state, BlockContext{1, 0}, f.accounts[0].address, "probe",
                                "read_ignoring_errors", {});
    CHECK_FAILS_WITH(call, Errc::kStorage, "injected storage failure");
  }
}

TEST_CASE("executor reads a malformed stored nonce as a storage failure") {
  Fixture f;
  f.state.Set(NonceStateKey(f.suite, f.accounts[0].address), core::Bytes{1, 2, 3});
  CHECK_FAILS_WITH(f.executor.NextNonce(f.state, f.accounts[0].address), Errc::kStorage,
                   "not 8 bytes");
  auto outcome = f.executor.ExecuteBlock(
      f.state, BlockContext{1, 0}, std::vector<core::Transaction>{f.Tx(0, 0, "probe", "read", {})},
      std::vector<Hash32>{Hash32{}});
  CHECK_FAILS_WITH(outcome, Errc::kStorage, "not 8 bytes");
}

TEST_CASE("executor runs the genesis call and refuses a failing one") {
  Fixture f;
  const core::ValidatorSet validators =
      core::ValidatorSet::Create({core::Validator{f.accounts[0].keys.public_key, 1}}).value();
  const contracts::ChainParams params;
  auto outcome = f.executor.ExecuteGenesis(f.state, BlockContext{0, 1}, "system", "init",
                                           contracts::EncodeSystemInit(params, validators));
  REQUIRE_MESSAGE(outcome.has_value(), outcome.error().Message());
  CHECK(outcome->included.empty());
  CHECK(outcome->receipts.empty());
  REQUIRE(outcome->changes.size() == 2);
  f.state.Apply(outcome->changes);
  CHECK(f.state.values().at(core::StateKey(f.suite, "system", core::AsBytes("validators"))) ==
        validators.Encode());
  // init runs once.
  CHECK_FAILS_WITH(f.executor.ExecuteGenesis(f.state, BlockContext{0, 1}, "system", "init",
                                             contracts::EncodeSystemInit(params, validators)),
                   Errc::kInvalidArgument, "genesis call system.init failed: duplicate");
}

}  // namespace
}  // namespace executor_test
}  // namespace baylink::chain::test
