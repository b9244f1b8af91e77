// SPDX-License-Identifier: Apache-2.0
//
// A real `baylink-node --dev` process: transactions over RPC, receipts and state proofs
// verified against a certified header, the event stream across a subscriber restart, and
// bad input that must be refused while the node keeps serving.
#include <doctest/doctest.h>

#include <filesystem>
#include <span>
#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "baylink/contracts/asset.h"
#include "baylink/core/json.h"
#include "baylink/core/merkle.h"
#include "baylink/lightclient/commit.h"
#include "baylink/net/http.h"
#include "node_fixtures.h"
#include "node_process.h"
#include "test_random.h"

namespace baylink::testing {
namespace dev_node_test {
namespace {

using namespace std::chrono_literals;

// The header at `height`, with its certificate checked against the node's validator set for
// that height (whose hash must be the header's validators_hash).
client::SignedHeader CertifiedHeader(client::NodeClient& node, const core::CryptoSuite& suite,
                                     std::uint64_t height) {
  auto header = node.GetHeader(height);
  REQUIRE_MESSAGE(header, header.error().Message());
  auto set = node.GetValidatorSet(height);
  REQUIRE(set);
  REQUIRE(set->Hash(suite) == header->header.validators_hash);
  auto tally = lightclient::VerifyCommit(suite, header->header.chain_id, height,
                                         header->header.Hash(suite), header->certificate, *set,
                                         nullptr, nullptr);
  REQUIRE_MESSAGE(tally, tally.error().Message());
  return *header;
}

core::Bytes BalanceKey(const std::string& symbol, const core::Address& owner) {
  std::string key = "b/" + symbol + "/";
  core::Bytes out(key.begin(), key.end());
  out.insert(out.end(), owner.bytes.begin(), owner.bytes.end());
  return out;
}

void RunAssetFlow(core::SuiteId suite_id, const std::string& chain_id) {
  TempDir dir("dev-" + chain_id);
  DevNode node(dir.path(), DevChainOptions{chain_id, suite_id, 100, 10000});
  node.Start();
  const core::CryptoSuite& suite = node.suite();
  auto rpc = node.Client();
  TestRandom rng(Seed());
  Account issuer = NewAccount(suite, rng);
  Account bob = NewAccount(suite, rng);

  const auto create = AssetTx(suite, chain_id, issuer, "create", contracts::EncodeCreate("HKD"));
  const auto mint = AssetTx(suite, chain_id, issuer, "mint", contracts::EncodeMint("HKD", issuer.address, 1000));
  const auto transfer = AssetTx(suite, chain_id, issuer, "transfer",
                                contracts::EncodeTransfer("HKD", bob.address, 250));
  auto sent = rpc->SendTransactions({create, mint, transfer});
  REQUIRE(sent);
  for (auto& r : *sent) REQUIRE_MESSAGE(r, r.error().Message());
  auto committed = rpc->WaitForTransaction(transfer.Hash(suite), 20s);
  REQUIRE_MESSAGE(committed, committed.error().Message());

  // The receipt is a leaf of the certified header's receipt_root.
  auto receipt = rpc->GetReceipt(transfer.Hash(suite));
  REQUIRE(receipt);
  CHECK(receipt->receipt.status == core::ReceiptStatus::kSuccess);
  REQUIRE(receipt->receipt.events.size() == 1);
  CHECK(receipt->receipt.events[0].topic == "transferred");
  const client::SignedHeader header = CertifiedHeader(*rpc, suite, receipt->height);
  CHECK(core::merkle::VerifyInclusion(suite, header.header.receipt_root, receipt->receipt.Encode(),
                                      receipt->proof));
  // So is the transaction, against tx_root.
  auto block = rpc->GetBlock(receipt->height);
  REQUIRE(block);
  std::vector<core::Bytes> txs;
  for (const auto& tx : block->transactions) txs.push_back(tx.Encode());
  CHECK(core::merkle::Root(suite, txs) == header.header.tx_root);

  // Bob's balance is proven present with 250, a stranger's absent, at that height.
  auto proof = rpc->GetStateProof("asset", BalanceKey("HKD", bob.address), receipt->height);
  REQUIRE_MESSAGE(proof, proof.error().Message());
  CHECK(proof->state_root == header.header.state_root);
  REQUIRE(proof->value);
  CHECK(contracts::DecodeAmount(*proof->value).value() == 250);
  CHECK(core::smt::VerifyPresence(suite, header.header.state_root, proof->state_key, *proof->value,
                                  proof->proof));
  Account stranger = NewAccount(suite, rng);
  auto absent = rpc->GetStateProof("asset", BalanceKey("HKD", stranger.address), receipt->height);
  REQUIRE(absent);
  CHECK_FALSE(absent->value);
  CHECK(core::smt::VerifyAbsence(suite, header.header.state_root, absent->state_key, absent->proof));

  // Read-only calls agree.
  auto balance = rpc->Call("asset", "balance", contracts::EncodeBalance("HKD", issuer.address));
  REQUIRE(balance);
  CHECK(contracts::DecodeAmount(*balance).value() == 750);
  CHECK(node.Stop() == 0);
}

TEST_CASE("a dev node on the ecdsa suite commits asset transfers whose receipts and state proofs verify against a certified header") {
  RunAssetFlow(core::SuiteId::kEcdsa, "hk");
}

TEST_CASE("a dev node on the sm suite commits asset transfers whose receipts and state proofs verify against a certified header") {
  RunAssetFlow(core::SuiteId::kSm, "gd");
}

// How many times `phrase` occurs in `log`.
std::size_t Occurrences(const std::string& log, std::string_view phrase) {
  std::size_t n = 0;
  for (std::size_t at = log.find(phrase); at != std::string::npos; at = log.find(phrase, at + 1)) {
    ++n;
  }
  return n;
}

TEST_CASE("a dev node gives back what opening its store left in memory once, when it is first "
          "quiet") {
  TempDir dir("dev-start");
  DevNode node(dir.path(), DevChainOptions{"hk", core::SuiteId::kEcdsa, 100, 10000});
  node.SetIdleCheckMs(200);
  node.Start();
  const auto count = [&] { return Occurrences(node.Log(), "node: quiet after start"); };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (count() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  // Several more quiet periods: the release after start is not repeated.
  std::this_thread::sleep_for(1s);
  INFO(node.Log());
  CHECK(count() == 1);
  CHECK(node.Log().find("node: quiet after start; cached reads dropped, freed memory returned; "
                        "resident ") != std::string::npos);
  CHECK(node.Log().find("node: idle after") == std::string::npos);
  CHECK(node.Stop() == 0);
}

TEST_CASE("a dev node that goes idle after a burst flushes its store buffers and trims its heap, and leaves a trickle alone") {
  TempDir dir("dev-idle");
  DevNode node(dir.path(), DevChainOptions{"hk", core::SuiteId::kEcdsa, 100, 10000});
  node.SetIdleCheckMs(300);
  node.Start();
  const core::CryptoSuite& suite = node.suite();
  auto rpc = node.Client();
  TestRandom rng(Seed());
  Account issuer = NewAccount(suite, rng);
  std::vector<core::Transaction> txs;
  txs.push_back(AssetTx(suite, "hk", issuer, "create", contracts::EncodeCreate("HKD")));
  txs.push_back(AssetTx(suite, "hk", issuer, "mint",
                        contracts::EncodeMint("HKD", issuer.address, 1000000)));
  // A burst past the 1,000 transactions after which the store's buffers are flushed.
  for (int i = 0; i < 1100; ++i) {
    core::Address to;
    rng.Fill(std::span(to.bytes));
    txs.push_back(AssetTx(suite, "hk", issuer, "transfer", contracts::EncodeTransfer("HKD", to, 1)));
  }
  const auto count_tables = [&] {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(node.data_dir())) {
      if (entry.path().extension() == ".sst") ++n;
    }
    return n;
  };
  const std::size_t tables_before = count_tables();
  // The transfers first and the asset's creation last: nothing can run until all are in, so
  // the node never looks idle halfway through the burst.
  const auto send = [&](std::size_t first, std::size_t end) {
    const std::vector<core::Transaction> part(txs.begin() + static_cast<std::ptrdiff_t>(first),
                                              txs.begin() + static_cast<std::ptrdiff_t>(end));
    auto sent = rpc->SendTransactions(part);
    REQUIRE(sent);
    for (auto& r : *sent) REQUIRE_MESSAGE(r, r.error().Message());
  };
  for (std::size_t first = 2; first < txs.size(); first += 500) {
    send(first, std::min(txs.size(), first + 500));
  }
  send(0, 2);
  REQUIRE(rpc->WaitForTransaction(txs.back().Hash(suite), 30s));
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (node.Log().find("idle after 1102 transactions; store buffers flushed") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  INFO(node.Log());
  CHECK(node.Log().find("idle after 1102 transactions; store buffers flushed, state caches "
                        "dropped, freed memory returned; resident") != std::string::npos);
  CHECK(count_tables() > tables_before);
  // Everything committed is still there, before and after a restart.
  CHECK(rpc->GetTransaction(txs[500].Hash(suite)));
  CHECK(node.Stop() == 0);
  node.SetIdleCheckMs(1000);
  node.Start();
  rpc = node.Client();
  CHECK(rpc->GetTransaction(txs.back().Hash(suite)));

  // A trickle is left alone: a transfer every 250 ms, so each period of 1 s sees several
  // commits while the mempool, emptied by a block every 100 ms, is mostly empty when the node
  // looks. A whole quiet period after it, the node releases, naming the trickle's transactions.
  const auto releases = [&] { return Occurrences(node.Log(), "node: idle after"); };
  const std::size_t before_trickle = releases();
  constexpr int kTrickle = 25;
  core::Hash32 last;
  for (int i = 0; i < kTrickle; ++i) {
    core::Address to;
    rng.Fill(std::span(to.bytes));
    const core::Transaction tx =
        AssetTx(suite, "hk", issuer, "transfer", contracts::EncodeTransfer("HKD", to, 1));
    auto sent = rpc->SendTransactions({tx});
    REQUIRE(sent);
    REQUIRE_MESSAGE((*sent)[0], (*sent)[0].error().Message());
    last = tx.Hash(suite);
    std::this_thread::sleep_for(250ms);
  }
  REQUIRE(rpc->WaitForTransaction(last, 30s));
  CHECK(releases() == before_trickle);
  const auto quiet_deadline = std::chrono::steady_clock::now() + 20s;
  while (releases() == before_trickle && std::chrono::steady_clock::now() < quiet_deadline) {
    std::this_thread::sleep_for(100ms);
  }
  INFO(node.Log());
  CHECK(node.Log().find("idle after " + std::to_string(kTrickle) +
                        " transactions; state caches dropped, freed memory returned") !=
        std::string::npos);
  CHECK(node.Stop() == 0);
}

TEST_CASE("the event stream delivers every height in order, filling the gap after a subscriber restart") {
  TempDir dir("events");
  DevNode node(dir.path(), DevChainOptions{"mo", core::SuiteId::kEcdsa, 100, 10000});
  node.Start();
  const core::CryptoSuite& suite = node.suite();
  auto rpc = node.Client();
  TestRandom rng(Seed());
  Account issuer = NewAccount(suite, rng);
  std::vector<core::Hash32> event_txs;

  auto stream = client::EventStream::Open(node.events_endpoint(), *rpc, 0);
  REQUIRE(stream);
  std::uint64_t expected = 1;
  std::size_t events_seen = 0;
  const auto drain_until = [&](client::EventStream& s, std::uint64_t height) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (expected <= height && std::chrono::steady_clock::now() < deadline) {
      auto next = s.Next(500ms);
      REQUIRE_MESSAGE(next, next.error().Message());
      if (!*next) continue;
      REQUIRE((*next)->header.height == expected);  // in order, no gaps, no repeats
      events_seen += (*next)->events.size();
      ++expected;
    }
    REQUIRE(expected > height);
  };
  auto created = rpc->SendTransaction(AssetTx(suite, "mo", issuer, "create", contracts::EncodeCreate("MOP")));
  REQUIRE(created);
  REQUIRE(rpc->WaitForTransaction(*created, 20s));
  drain_until(**stream, rpc->GetChainInfo()->height);
  const std::uint64_t before_restart = (*stream)->delivered_height();
  stream->reset();  // the subscriber goes away while blocks with events keep coming

  for (int i = 0; i < 5; ++i) {
    auto minted = rpc->SendTransaction(
        AssetTx(suite, "mo", issuer, "mint", contracts::EncodeMint("MOP", issuer.address, 10)));
    REQUIRE(minted);
    REQUIRE(rpc->WaitForTransaction(*minted, 20s));
  }
  const std::uint64_t head = rpc->GetChainInfo()->height;
  REQUIRE(head > before_restart);
  auto resumed = client::EventStream::Open(node.events_endpoint(), *rpc, before_restart);
  REQUIRE(resumed);
  drain_until(**resumed, head);
  CHECK(events_seen == 6);  // one "created" and five "minted"
  CHECK(node.Stop() == 0);
}

// Sends a raw HTTP body to the node's RPC and returns the parsed answer.
core::json::Json RawRpc(std::uint16_t port, const std::string& body) {
  net::HttpClient http("127.0.0.1", port, 5s);
  auto response = http.Post("/", body);
  REQUIRE_MESSAGE(response, response.error().Message());
  auto json = core::json::Parse(response->body);
  REQUIRE_MESSAGE(json, response->body);
  return *json;
}

TEST_CASE("bad input over RPC gets a clear error naming the problem and the node keeps serving") {
  TempDir dir("badinput");
  DevNode node(dir.path(), DevChainOptions{"hk", core::SuiteId::kEcdsa, 100, 10000});
  node.Start();
  const core::CryptoSuite& suite = node.suite();
  auto rpc = node.Client();
  TestRandom rng(Seed());
  Account alice = NewAccount(suite, rng);

  SUBCASE("malformed JSON and wrong types") {
    auto parse = RawRpc(node.rpc_port(), "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ");
    CHECK(parse["error"]["code"] == -32700);
    auto types = RawRpc(node.rpc_port(),
                        R"({"jsonrpc":"2.0","id":1,"method":"getHeader","params":{"height":"x"}})");
    CHECK(types["error"]["code"] == -32602);
    CHECK(types["error"]["message"].get<std::string>().find("height") != std::string::npos);
    auto unknown_field = RawRpc(node.rpc_port(),
                                R"({"jsonrpc":"2.0","id":1,"method":"getChainInfo","params":{"x":1}})");
    CHECK(unknown_field["error"]["message"].get<std::string>().find("unknown field 'x'") != std::string::npos);
    auto bad_hex = RawRpc(node.rpc_port(),
                          R"({"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":{"tx":"0xzz"}})");
    CHECK(bad_hex["error"]["data"]["errc"] == "bad_hex");
    auto truncated = RawRpc(node.rpc_port(),
                            R"({"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":{"tx":"0x0001"}})");
    CHECK(truncated["error"]["data"]["errc"] == "truncated");
    auto method = RawRpc(node.rpc_port(), R"({"jsonrpc":"2.0","id":1,"method":"noSuchMethod"})");
    CHECK(method["error"]["code"] == -32601);
  }
  SUBCASE("transactions that must be refused at admission") {
    core::Transaction good = AssetTx(suite, "hk", alice, "create", contracts::EncodeCreate("AAA"));
    core::Transaction bad_signature = good;
    bad_signature.signature[5] ^= 1;
    auto r = rpc->SendTransaction(bad_signature);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::Errc::kBadSignature);

    Account other = NewAccount(suite, rng);
    auto wrong_chain = rpc->SendTransaction(AssetTx(suite, "gd", other, "create", contracts::EncodeCreate("BBB")));
    REQUIRE_FALSE(wrong_chain);
    CHECK(wrong_chain.error().code == core::Errc::kWrongChain);
    CHECK(wrong_chain.error().detail.find("gd") != std::string::npos);

    auto expired = rpc->SendTransaction(AssetTx(suite, "hk", other, "create", contracts::EncodeCreate("CCC"), 0));
    REQUIRE_FALSE(expired);
    CHECK(expired.error().code == core::Errc::kExpired);

    // Larger than the chain's max_tx_bytes (70000 by default): refused before decoding.
    auto big = RawRpc(node.rpc_port(), R"({"jsonrpc":"2.0","id":1,"method":"sendTransaction","params":{"tx":"0x)" +
                                           std::string(2 * 80000, '0') + "\"}}");
    CHECK(big["error"]["data"]["errc"] == "oversized");
    CHECK(big["error"]["message"].get<std::string>().find("limit is 70000") != std::string::npos);

    REQUIRE(rpc->SendTransaction(good));
    auto duplicate = rpc->SendTransaction(good);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().code == core::Errc::kDuplicate);
    REQUIRE(rpc->WaitForTransaction(good.Hash(suite), 20s));
    Account replay = alice;
    replay.next_nonce = 0;  // nonce 0 is used now
    auto reused = rpc->SendTransaction(AssetTx(suite, "hk", replay, "create", contracts::EncodeCreate("DDD")));
    REQUIRE_FALSE(reused);
    CHECK(reused.error().code == core::Errc::kStale);
    CHECK(reused.error().detail.find("next nonce is 1") != std::string::npos);
  }
  SUBCASE("calls that fail in execution give a failed receipt with the reason") {
    core::Transaction unknown_contract = AssetTx(suite, "hk", alice, "create", contracts::EncodeCreate("EEE"));
    unknown_contract.contract = "nosuch";
    REQUIRE(unknown_contract.Sign(suite, alice.key.secret));
    core::Transaction unknown_method = AssetTx(suite, "hk", alice, "melt", {});
    core::Transaction create = AssetTx(suite, "hk", alice, "create", contracts::EncodeCreate("FFF"));
    const core::u128 max = ~core::u128{0};
    core::Transaction mint_max = AssetTx(suite, "hk", alice, "mint", contracts::EncodeMint("FFF", alice.address, max));
    core::Transaction overflow = AssetTx(suite, "hk", alice, "mint", contracts::EncodeMint("FFF", alice.address, 1));
    auto sent = rpc->SendTransactions({unknown_contract, unknown_method, create, mint_max, overflow});
    REQUIRE(sent);
    for (auto& s : *sent) REQUIRE_MESSAGE(s, s.error().Message());
    REQUIRE(rpc->WaitForTransaction(overflow.Hash(suite), 20s));
    const auto receipt_of = [&](const core::Transaction& tx) {
      auto r = rpc->GetReceipt(tx.Hash(suite));
      REQUIRE(r);
      return r->receipt;
    };
    auto a = receipt_of(unknown_contract);
    CHECK(a.status == core::ReceiptStatus::kFailed);
    CHECK(a.message.find("no contract named nosuch") != std::string::npos);
    auto b = receipt_of(unknown_method);
    CHECK(b.status == core::ReceiptStatus::kFailed);
    CHECK(b.message.find("melt") != std::string::npos);
    CHECK(receipt_of(mint_max).status == core::ReceiptStatus::kSuccess);
    auto c = receipt_of(overflow);
    CHECK(c.status == core::ReceiptStatus::kFailed);
    CHECK(c.message.find("overflow") != std::string::npos);
    auto supply = rpc->Call("asset", "balance", contracts::EncodeBalance("FFF", alice.address));
    REQUIRE(supply);
    CHECK(contracts::DecodeAmount(*supply).value() == max);  // the failed mint left nothing
  }
  // Whatever came before, the node still answers.
  auto info = rpc->GetChainInfo();
  REQUIRE(info);
  CHECK(info->chain_id == "hk");
  CHECK(node.Stop() == 0);
}

}  // namespace
}  // namespace dev_node_test
}  // namespace baylink::testing
