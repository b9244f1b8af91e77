// SPDX-License-Identifier: Apache-2.0
//
// Validators as real processes on loopback (DESIGN §4): a 4-validator chain under load, with
// validators killed and restarted, an equivocating validator, and frames from outside the set.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "baylink/chain/node.h"
#include "baylink/client/header_source.h"
#include "baylink/consensus/messages.h"
#include "baylink/contracts/asset.h"
#include "baylink/contracts/system.h"
#include "baylink/lightclient/client.h"
#include "baylink/lightclient/commit.h"
#include "baylink/lightclient/follower.h"
#include "baylink/net/pubsub.h"
#include "node_fixtures.h"
#include "node_process.h"
#include "test_random.h"

namespace baylink::testing {
namespace consensus_test {
namespace {

using namespace std::chrono_literals;

std::uint64_t HeightOf(const ValidatorNetwork& net, std::size_t i) {
  auto client = net.Client(i, 1s);
  auto info = client->GetChainInfo();
  return info ? info->height : 0;
}

// Waits until node i reaches `height`; false after `timeout`.
bool AwaitHeight(const ValidatorNetwork& net, std::size_t i, std::uint64_t height,
                 std::chrono::seconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HeightOf(net, i) >= height) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::uint64_t MaxHeight(const ValidatorNetwork& net, const std::vector<std::size_t>& nodes) {
  std::uint64_t h = 0;
  for (std::size_t i : nodes) h = std::max(h, HeightOf(net, i));
  return h;
}

// Walks heights 1..up_to on node `from` the way a light client does: each header's set is the
// one the previous header announced (next_validators_hash), each certificate holds more than
// 2/3 of that set's power; and every node in `others` has the same header at each height.
void CheckChain(const ValidatorNetwork& net, std::size_t from, const std::vector<std::size_t>& others,
                std::uint64_t up_to) {
  const core::CryptoSuite& suite = net.suite();
  auto client = net.Client(from);
  auto genesis = client->GetHeader(0);
  REQUIRE(genesis);
  auto trusted = client->GetValidatorSet(1);
  REQUIRE(trusted);
  REQUIRE(trusted->Hash(suite) == genesis->header.next_validators_hash);
  core::Hash32 expected_parent = genesis->header.Hash(suite);
  for (std::uint64_t h = 1; h <= up_to; ++h) {
    auto signed_header = client->GetHeader(h);
    REQUIRE_MESSAGE(signed_header, "height " << h << ": " << signed_header.error().Message());
    const core::BlockHeader& header = signed_header->header;
    CHECK(header.parent_hash == expected_parent);
    REQUIRE_MESSAGE(header.validators_hash == trusted->Hash(suite),
                    "height " << h << " is signed by a set its parent did not announce");
    const core::Hash32 hash = header.Hash(suite);
    auto tally = lightclient::VerifyCommit(suite, net.options().chain_id, h, hash,
                                           signed_header->certificate, *trusted, nullptr, nullptr);
    REQUIRE_MESSAGE(tally, "height " << h << ": " << tally.error().Message());
    if (header.next_validators_hash != header.validators_hash) {
      auto next = client->GetValidatorSet(h + 1);
      REQUIRE(next);
      REQUIRE(next->Hash(suite) == header.next_validators_hash);
      trusted = std::move(next);
    }
    expected_parent = hash;
    for (std::size_t other : others) {
      auto theirs = net.Client(other)->GetHeader(h);
      REQUIRE_MESSAGE(theirs, "node " << other << " height " << h);
      CHECK_MESSAGE(theirs->header.Hash(suite) == hash,
                    "nodes " << from << " and " << other << " differ at height " << h);
    }
  }
}

// Sends asset transfers to the running validators in the background.
class Load {
 public:
  Load(const ValidatorNetwork& net, std::vector<std::atomic<bool>>& up, std::size_t senders)
      : m_net(net), m_up(up), m_rng(Seed()) {
    auto client = m_net.Client(0);
    for (std::size_t i = 0; i < senders; ++i) {
      m_accounts.push_back(NewAccount(m_net.suite(), m_rng));
    }
    std::vector<core::Transaction> setup;
    for (std::size_t i = 0; i < senders; ++i) {
      const std::string symbol = "L" + std::to_string(i);
      setup.push_back(AssetTx(m_net.suite(), m_net.options().chain_id, m_accounts[i], "create",
                              contracts::EncodeCreate(symbol)));
      setup.push_back(AssetTx(m_net.suite(), m_net.options().chain_id, m_accounts[i], "mint",
                              contracts::EncodeMint(symbol, m_accounts[i].address, 1'000'000'000)));
    }
    auto sent = client->SendTransactions(setup);
    REQUIRE(sent);
    for (const auto& r : *sent) REQUIRE(r);
    REQUIRE(client->WaitForTransaction(*sent->back(), 30s));
    m_thread = std::thread([this] { Run(); });
  }
  ~Load() { Stop(); }
  void Stop() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
  }
  std::uint64_t accepted() const { return m_accepted; }

 private:
  void Run() {
    std::size_t round = 0;
    while (!m_stop) {
      const std::size_t target = round++ % m_up.size();
      if (!m_up[target]) continue;
      std::vector<core::Transaction> batch;
      auto client = m_net.Client(target, 2s);
      for (std::size_t i = 0; i < m_accounts.size(); ++i) {
        auto nonce = client->GetNonce(m_accounts[i].address);
        if (!nonce) break;
        m_accounts[i].next_nonce = *nonce;
        batch.push_back(AssetTx(m_net.suite(), m_net.options().chain_id, m_accounts[i], "transfer",
                                contracts::EncodeTransfer("L" + std::to_string(i),
                                                          m_accounts[(i + 1) % m_accounts.size()].address,
                                                          1)));
      }
      if (auto sent = client->SendTransactions(batch)) {
        for (const auto& r : *sent) m_accepted += r.has_value() ? 1 : 0;
      }
      std::this_thread::sleep_for(100ms);
    }
  }

  const ValidatorNetwork& m_net;
  std::vector<std::atomic<bool>>& m_up;
  TestRandom m_rng;
  std::vector<Account> m_accounts;
  std::atomic<bool> m_stop{false};
  std::atomic<std::uint64_t> m_accepted{0};
  std::thread m_thread;
};

std::vector<std::size_t> Except(std::size_t n, std::vector<std::size_t> down) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::find(down.begin(), down.end(), i) == down.end()) out.push_back(i);
  }
  return out;
}

TEST_CASE("four validators keep committing under load while any one is down, and a restarted "
          "one catches up") {
  TempDir dir("consensus-one-down");
  ValidatorNetwork net(dir.path(), NetworkOptions{});
  net.StartAll();
  std::vector<std::atomic<bool>> up(4);
  for (auto& u : up) u = true;
  REQUIRE_MESSAGE(AwaitHeight(net, 0, 1), net.Logs());
  Load load(net, up, 8);
  for (std::size_t victim = 0; victim < 4; ++victim) {
    up[victim] = false;
    net.Kill(victim);
    const std::vector<std::size_t> alive = Except(4, {victim});
    const std::uint64_t h = MaxHeight(net, alive);
    for (std::size_t i : alive) {
      REQUIRE_MESSAGE(AwaitHeight(net, i, h + 4), "validator " << victim << " down\n" << net.Logs());
    }
    net.Start(victim);
    up[victim] = true;
    REQUIRE_MESSAGE(AwaitHeight(net, victim, MaxHeight(net, alive)), net.Logs());
  }
  load.Stop();
  CHECK(load.accepted() > 0);
  const std::uint64_t top = MaxHeight(net, {0, 1, 2, 3});
  for (std::size_t i = 0; i < 4; ++i) REQUIRE(AwaitHeight(net, i, top));
  CheckChain(net, 0, {1, 2, 3}, top);
}

TEST_CASE("with two of four validators down no block is made and nothing forks, and once they "
          "are restarted the chain continues") {
  TempDir dir("consensus-two-down");
  ValidatorNetwork net(dir.path(), NetworkOptions{});
  net.StartAll();
  REQUIRE_MESSAGE(AwaitHeight(net, 0, 2), net.Logs());
  net.Kill(2);
  net.Kill(3);
  const std::uint64_t before = MaxHeight(net, {0, 1});
  std::this_thread::sleep_for(4s);  // several heartbeats and round timeouts
  const std::uint64_t after = MaxHeight(net, {0, 1});
  // A block the stopped validators had already voted for may still complete; no more.
  CHECK(after <= before + 1);
  const std::uint64_t common = std::min(HeightOf(net, 0), HeightOf(net, 1));
  CheckChain(net, 0, {1}, common);
  net.Start(2);
  net.Start(3);
  for (std::size_t i = 0; i < 4; ++i) {
    REQUIRE_MESSAGE(AwaitHeight(net, i, after + 3), net.Logs());
  }
  CheckChain(net, 0, {1, 2, 3}, after + 3);
}

TEST_CASE("all four validators killed with SIGKILL and restarted continue the same chain") {
  TempDir dir("consensus-all-killed");
  ValidatorNetwork net(dir.path(), NetworkOptions{});
  net.StartAll();
  std::vector<std::atomic<bool>> up(4);
  for (auto& u : up) u = true;
  REQUIRE_MESSAGE(AwaitHeight(net, 0, 1), net.Logs());
  std::vector<core::Hash32> before;
  {
    Load load(net, up, 4);
    REQUIRE(AwaitHeight(net, 0, 5));
  }
  const std::uint64_t h = HeightOf(net, 0);
  for (std::uint64_t i = 1; i <= h; ++i) {
    auto header = net.Client(0)->GetHeader(i);
    REQUIRE(header);
    before.push_back(header->header.Hash(net.suite()));
  }
  for (std::size_t i = 0; i < 4; ++i) net.Kill(i);
  net.StartAll();
  for (std::size_t i = 0; i < 4; ++i) REQUIRE_MESSAGE(AwaitHeight(net, i, h + 3), net.Logs());
  for (std::uint64_t i = 1; i <= h; ++i) {
    auto header = net.Client(1)->GetHeader(i);
    REQUIRE(header);
    CHECK(header->header.Hash(net.suite()) == before[i - 1]);
  }
  CheckChain(net, 0, {1, 2, 3}, h + 3);
}

TEST_CASE("an equivocating validator's conflicting votes become evidence while certificates "
          "stay valid") {
  TempDir dir("consensus-equivocate");
  NetworkOptions options;
  options.equivocators = {3};
  ValidatorNetwork net(dir.path(), options);
  net.StartAll();
  REQUIRE_MESSAGE(AwaitHeight(net, 0, 6), net.Logs());
  auto evidence = net.Client(0)->GetEvidence();
  REQUIRE_MESSAGE(evidence, evidence.error().Message());
  REQUIRE_MESSAGE(!evidence->empty(), net.Log(0));
  for (const consensus::Evidence& e : *evidence) {
    CHECK(e.validator == 3);
    CHECK(e.chain_id == "hk");
    MESSAGE(e.Describe());
  }
  auto status = net.Client(0)->GetConsensusStatus();
  REQUIRE(status);
  CHECK(status->dropped["conflict"] > 0);
  CheckChain(net, 0, {1, 2, 3}, 6);
}

TEST_CASE("frames that are garbage, for another chain, too far ahead, replayed or signed "
          "outside the set are dropped and counted while consensus continues") {
  TempDir dir("consensus-bad-peer");
  const std::string intruder_endpoint = "tcp://127.0.0.1:" + std::to_string(FreePort());
  auto intruder = net::Publisher::Bind(intruder_endpoint);
  REQUIRE(intruder);
  NetworkOptions options;
  options.extra_peers = {intruder_endpoint};
  ValidatorNetwork net(dir.path(), options);
  net.StartAll();
  REQUIRE_MESSAGE(AwaitHeight(net, 0, 2), net.Logs());

  // A real frame from validator 1, to replay.
  auto listener = net::Subscriber::Connect(net.consensus_endpoint(1), {"c"});
  REQUIRE(listener);
  std::optional<core::Bytes> captured;
  for (int i = 0; i < 100 && !captured; ++i) {
    auto m = (*listener)->Receive(100ms);
    if (m && *m) captured = (*m)->payload;
  }
  REQUIRE(captured);

  TestRandom rng(Seed());
  const core::KeyPair stranger = net.suite().GenerateKey(rng);
  const auto vote_from = [&](std::uint32_t index, std::uint64_t at) {
    consensus::Vote vote;
    vote.type = consensus::VoteType::kPrepare;
    vote.height = at;
    vote.validator = index;
    vote.header_hash.bytes.fill(7);
    auto sig = net.suite().Sign(stranger.secret,
                                consensus::VoteDigest(net.suite(), "hk", vote.type, vote.height, 0,
                                                      vote.header_hash)
                                    .view());
    REQUIRE(sig);
    vote.signature = *sig;
    return vote;
  };
  const core::Bytes garbage = {0xde, 0xad, 0xbe, 0xef};
  const auto enough = [](const client::ConsensusStatus& s) {
    const auto get = [&](const char* k) {
      const auto it = s.dropped.find(k);
      return it == s.dropped.end() ? std::uint64_t{0} : it->second;
    };
    return get("malformed") >= 2 && get("bad_signature") >= 1 && get("unknown") >= 1 &&
           get("future") >= 1 && get("duplicate") + get("stale") >= 1;
  };
  bool counted = false;
  std::string seen;
  for (int i = 0; i < 100 && !counted; ++i) {
    // At the height the node works on now, so that only the fault itself is to blame.
    auto now = net.Client(0)->GetConsensusStatus();
    REQUIRE(now);
    const std::uint64_t height = now->height;
    const std::vector<core::Bytes> frames = {
        garbage,
        consensus::EncodeMessage("mo", vote_from(0, height)),          // another chain
        consensus::EncodeMessage("hk", vote_from(0, height)),          // not validator 0's key
        consensus::EncodeMessage("hk", vote_from(9, height)),          // no validator 9
        consensus::EncodeMessage("hk", vote_from(0, height + 1000)),   // far ahead
        *captured};                                                    // replayed
    for (const core::Bytes& frame : frames) REQUIRE((*intruder)->Publish("c", frame));
    std::this_thread::sleep_for(100ms);
    auto status = net.Client(0)->GetConsensusStatus();
    REQUIRE(status);
    counted = enough(*status);
    seen.clear();
    for (const auto& [reason, count] : status->dropped) seen += reason + "=" + std::to_string(count) + " ";
  }
  CHECK_MESSAGE(counted, "dropped: " << seen << "\n" << net.Log(0));
  const std::uint64_t h = MaxHeight(net, {0, 1, 2, 3});
  for (std::size_t i = 0; i < 4; ++i) REQUIRE_MESSAGE(AwaitHeight(net, i, h + 2), net.Logs());
  CheckChain(net, 0, {1, 2, 3}, h + 2);
}

// Sends a system-contract transaction signed by node `signer`'s validator key through node
// `via`, waits for it and returns its receipt's output (the test fails on a failed receipt).
core::Bytes SystemTx(const ValidatorNetwork& net, std::size_t signer, std::size_t via,
                     const std::string& method, core::Bytes args) {
  auto key = chain::KeyFile::Load(net.key_path(signer));
  REQUIRE(key);
  auto client = net.Client(via);
  auto nonce = client->GetNonce(net.suite().ToAddress(key->public_key));
  REQUIRE(nonce);
  core::Transaction tx;
  tx.chain_id = net.options().chain_id;
  tx.nonce = *nonce;
  tx.expiry_height = 1000000;
  tx.sender = key->public_key;
  tx.contract = std::string(contracts::kSystemContract);
  tx.method = method;
  tx.args = std::move(args);
  REQUIRE(tx.Sign(net.suite(), key->secret));
  auto hash = client->SendTransaction(tx);
  REQUIRE_MESSAGE(hash, hash.error().Message());
  REQUIRE_MESSAGE(client->WaitForTransaction(*hash, 30s), net.Logs());
  auto receipt = client->GetReceipt(*hash);
  REQUIRE(receipt);
  REQUIRE_MESSAGE(receipt->receipt.status == core::ReceiptStatus::kSuccess,
                  method << " by node " << signer << ": " << receipt->receipt.message);
  return receipt->receipt.output;
}

core::ValidatorSet SetOf(const ValidatorNetwork& net,
                         const std::vector<std::pair<std::size_t, std::uint64_t>>& members) {
  std::vector<core::Validator> validators;
  for (const auto& [node, power] : members) {
    auto key = chain::KeyFile::Load(net.key_path(node));
    REQUIRE(key);
    validators.push_back(core::Validator{key->public_key, power});
  }
  auto set = core::ValidatorSet::Create(validators);
  REQUIRE(set);
  return *set;
}

// Proposes `next` by `proposer` and approves it by each of `approvers` in turn; returns the
// height at which the last approval was committed (the new set signs the height after it).
std::uint64_t Rotate(const ValidatorNetwork& net, const core::ValidatorSet& next,
                     std::size_t proposer, const std::vector<std::size_t>& approvers) {
  auto id = contracts::DecodeProposalId(
      SystemTx(net, proposer, proposer, "propose", contracts::EncodeProposeArgs(next)));
  REQUIRE(id);
  bool applied = false;
  for (std::size_t approver : approvers) {
    REQUIRE_FALSE(applied);
    auto out = contracts::DecodeApproveOutput(
        SystemTx(net, approver, approver, "approve", contracts::EncodeApproveArgs(*id)));
    REQUIRE(out);
    applied = *out;
  }
  REQUIRE(applied);
  return MaxHeight(net, {proposer});
}

// The follower's store when nothing needs to survive the test.
class DiscardStore final : public lightclient::ClientStore {
 public:
  core::Status Save(const lightclient::UpdateChange&) override { return core::Ok(); }
};

// Waits until node `i` reports the set that signs its next height is `set`.
void AwaitSet(const ValidatorNetwork& net, std::size_t i, const core::ValidatorSet& set) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto current = net.Client(i)->GetValidatorSet();
    if (current && *current == set) return;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("node " << i << " never switched to the new validator set\n" << net.Logs());
}

TEST_CASE("validators are added, removed and reweighted through the system contract, and a "
          "light-client walk of the certificates follows every change") {
  TempDir dir("consensus-rotation");
  NetworkOptions options;
  options.spares = 1;  // node 4: follows, then joins
  ValidatorNetwork net(dir.path(), options);
  net.StartAll();
  REQUIRE_MESSAGE(AwaitHeight(net, 0, 2), net.Logs());

  // Add node 4: 3 of 4 approvals (the proposer's counts) pass 2/3.
  const core::ValidatorSet five = SetOf(net, {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}});
  Rotate(net, five, 0, {1, 2});
  AwaitSet(net, 0, five);
  const std::uint64_t joined = HeightOf(net, 0);
  REQUIRE_MESSAGE(AwaitHeight(net, 4, joined + 3), net.Logs());
  auto status = net.Client(4)->GetConsensusStatus();
  REQUIRE(status);
  CHECK(status->validator == std::optional<std::uint32_t>(4));

  // Remove node 3: 4 of 5 approvals needed.
  const core::ValidatorSet without_three = SetOf(net, {{0, 1}, {1, 1}, {2, 1}, {4, 1}});
  Rotate(net, without_three, 1, {0, 2, 4});
  AwaitSet(net, 0, without_three);
  net.Kill(3);  // no longer needed for a quorum
  REQUIRE_MESSAGE(AwaitHeight(net, 0, HeightOf(net, 0) + 3), net.Logs());

  // Reweight: node 0 gets 2 of 5; 0, 1 and 2 hold 3 of 4 now.
  const core::ValidatorSet weighted = SetOf(net, {{0, 2}, {1, 1}, {2, 1}, {4, 1}});
  Rotate(net, weighted, 2, {0, 1});
  AwaitSet(net, 0, weighted);
  // With node 4 also down, 0, 1 and 2 hold 4 of 5 (> 2/3): blocks continue.
  net.Kill(4);
  const std::uint64_t top = HeightOf(net, 0) + 3;
  REQUIRE_MESSAGE(AwaitHeight(net, 0, top), net.Logs());
  CheckChain(net, 0, {1, 2}, top);

  // A light client trusting only the genesis header follows the chain over RPC across the
  // three changes, then checks a receipt and state proofs the node serves (issue 5).
  const core::CryptoSuite& suite = net.suite();
  TestRandom rng(Seed());
  Account user = NewAccount(suite, rng);
  auto node = net.Client(0);
  const core::Transaction create =
      AssetTx(suite, "hk", user, "create", contracts::EncodeCreate("FOLLOW"));
  auto hash = node->SendTransaction(create);
  REQUIRE(hash);
  auto committed = node->WaitForTransaction(*hash, 30s);
  REQUIRE(committed);
  const std::uint64_t at = committed->height;

  auto genesis = node->GetHeader(0);
  auto genesis_set = node->GetValidatorSet(0);
  REQUIRE(genesis);
  REQUIRE(genesis_set);
  lightclient::ClientParams params;
  params.chain_id = "hk";
  params.suite = core::SuiteId::kEcdsa;
  params.trusting_period = std::chrono::hours(24 * 14);
  params.max_clock_drift = std::chrono::seconds(10);
  const auto now = std::chrono::system_clock::now();
  auto light = lightclient::LightClient::Create(suite, params, genesis->header, *genesis_set, now);
  REQUIRE_MESSAGE(light, light.error().Message());
  client::RpcHeaderSource source(*node, at);
  DiscardStore store;
  lightclient::Follower follower(suite, *light, source, store);
  for (int step = 0; step < 20 && light->latest_height() < at; ++step) {
    auto report = follower.Step(now);
    REQUIRE_MESSAGE(report, report.error().Message());
  }
  REQUIRE(light->latest_height() == at);

  auto receipt = node->GetReceipt(*hash);
  REQUIRE(receipt);
  REQUIRE(receipt->height == at);
  CHECK(light->VerifyReceipt(suite, at, receipt->receipt, receipt->proof));
  core::Transaction forged = create;
  forged.nonce += 1;
  core::Receipt other = receipt->receipt;
  other.tx_hash = forged.Hash(suite);
  CHECK_FALSE(light->VerifyReceipt(suite, at, other, receipt->proof));
  auto present = node->GetStateProof("asset", core::AsBytes("a/FOLLOW"), at);
  REQUIRE(present);
  REQUIRE(present->value);
  CHECK(light->VerifyStatePresence(suite, at, present->state_key, *present->value, present->proof));
  auto absent = node->GetStateProof("asset", core::AsBytes("a/NOPE"), at);
  REQUIRE(absent);
  REQUIRE_FALSE(absent->value);
  CHECK(light->VerifyStateAbsence(suite, at, absent->state_key, absent->proof));
}

}  // namespace
}  // namespace consensus_test
}  // namespace baylink::testing
