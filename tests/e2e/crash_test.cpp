// SPDX-License-Identifier: Apache-2.0
//
// Crash safety of a real node (issue 3): SIGKILL at random moments while it commits blocks
// under load. After every restart no accepted transaction is lost, and at the end the state
// root of every block equals a fresh replay of the blocks from genesis.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "baylink/chain/chain.h"
#include "baylink/chain/executor.h"
#include "baylink/chain/state_db.h"
#include "baylink/contracts/asset.h"
#include "baylink/storage/memory_store.h"
#include "baylink/storage/record_log.h"
#include "baylink/storage/rocksdb_store.h"
#include "node_fixtures.h"
#include "node_process.h"
#include "test_random.h"

namespace baylink::testing {
namespace crash_test {
namespace {

using namespace std::chrono_literals;

constexpr int kRounds = 20;
constexpr std::size_t kSenders = 8;

// Waits until the node's mempool is empty, then reads every sender's next nonce.
void Resync(client::NodeClient& rpc, std::vector<Account>& senders) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    auto info = rpc.GetChainInfo();
    REQUIRE(info);
    if (info->mempool_size == 0) break;
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                    "the mempool did not drain: " << info->mempool_size << " left");
    std::this_thread::sleep_for(50ms);
  }
  for (Account& a : senders) {
    auto nonce = rpc.GetNonce(a.address);
    REQUIRE(nonce);
    a.next_nonce = *nonce;
  }
}

class FlatReader final : public chain::StateReader {
 public:
  explicit FlatReader(const chain::StateDb& db) : m_db(db) {}
  core::Result<std::optional<core::Bytes>> Get(const core::Hash32& key) const override {
    return m_db.Get(key);
  }

 private:
  const chain::StateDb& m_db;
};

TEST_CASE("a node killed with SIGKILL while committing under load loses no accepted transaction and replays to the same state") {
  TempDir dir("crash");
  DevNode node(dir.path(), DevChainOptions{"hk", core::SuiteId::kEcdsa, 50, 10000});
  const core::CryptoSuite& suite = node.suite();
  TestRandom rng(Seed());
  std::vector<Account> senders;
  for (std::size_t i = 0; i < kSenders; ++i) senders.push_back(NewAccount(suite, rng));

  node.Start();
  {
    auto rpc = node.Client();
    std::vector<core::Transaction> setup;
    for (std::size_t i = 0; i < kSenders; ++i) {
      const std::string symbol = "T" + std::to_string(i);
      setup.push_back(AssetTx(suite, "hk", senders[i], "create", contracts::EncodeCreate(symbol)));
      setup.push_back(AssetTx(suite, "hk", senders[i], "mint",
                              contracts::EncodeMint(symbol, senders[i].address, 1'000'000'000)));
    }
    auto sent = rpc->SendTransactions(setup);
    REQUIRE(sent);
    for (auto& r : *sent) REQUIRE(r);
    REQUIRE(rpc->WaitForTransaction(setup.back().Hash(suite), 30s));
  }

  std::vector<core::Hash32> accepted;
  for (int round = 0; round < kRounds; ++round) {
    auto rpc = node.Client();
    Resync(*rpc, senders);
    std::atomic<bool> stop{false};
    std::thread load([&] {
      auto client = node.Client(2s);
      std::size_t turn = 0;
      while (!stop) {
        std::vector<core::Transaction> batch;
        for (int i = 0; i < 20; ++i) {
          Account& from = senders[turn++ % kSenders];
          const Account& to = senders[turn % kSenders];
          const std::string symbol = "T" + std::to_string((turn - 1) % kSenders);
          batch.push_back(AssetTx(suite, "hk", from, "transfer",
                                  contracts::EncodeTransfer(symbol, to.address, 1)));
        }
        auto sent = client->SendTransactions(batch);
        if (!sent) break;  // the node is gone
        for (std::size_t i = 0; i < sent->size(); ++i) {
          if ((*sent)[i]) accepted.push_back(batch[i].Hash(suite));
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng.Next() % 900));
    node.Kill();
    stop = true;
    load.join();
    node.Start();
  }

  // Every accepted transaction is committed once the node has worked through its journal.
  auto rpc = node.Client();
  Resync(*rpc, senders);
  INFO("accepted transactions: " << accepted.size());
  REQUIRE(accepted.size() > 0);
  for (const core::Hash32& hash : accepted) {
    auto tx = rpc->GetTransaction(hash);
    REQUIRE_MESSAGE(tx, "accepted transaction " << hash.ToHex() << " was lost: " << tx.error().Message());
  }
  REQUIRE(node.Stop() == 0);

  // A fresh replay of the stored blocks from genesis reaches every block's state root.
  auto genesis = chain::LoadGenesis(node.genesis_path());
  REQUIRE(genesis);
  auto registry = contracts::MakeBuiltinRegistry();
  REQUIRE(registry);
  auto disk = storage::OpenRocksDb(node.data_dir());
  REQUIRE(disk);
  // The journal was checked above through the restarted node; these opens leave it alone.
  auto unused_journal = storage::MakeMemoryRecordLog();
  auto stored = chain::Chain::Open(suite, **disk, *unused_journal, **registry, *genesis, {});
  REQUIRE(stored);
  auto memory = storage::MakeMemoryKvStore();
  auto fresh = chain::Chain::Open(suite, *memory, *unused_journal, **registry, *genesis, {});
  REQUIRE(fresh);
  chain::StateDb replay(suite, *memory);
  chain::Executor executor(suite, **registry, genesis->chain_id);
  core::Hash32 root = (*fresh)->head().state_root;
  const std::uint64_t head = (*stored)->head().height;
  INFO("blocks: " << head);
  for (std::uint64_t height = 1; height <= head; ++height) {
    auto block = (*stored)->GetBlock(height);
    REQUIRE(block);
    REQUIRE(*block);
    std::vector<core::Hash32> hashes;
    for (const auto& tx : (*block)->transactions) hashes.push_back(tx.Hash(suite));
    FlatReader reader(replay);
    auto outcome = executor.ExecuteBlock(reader, {height, (*block)->header.timestamp_ms},
                                         (*block)->transactions, hashes);
    REQUIRE(outcome);
    REQUIRE(outcome->left_out.empty());
    storage::WriteBatch batch;
    auto next = replay.Stage(root, height, outcome->changes, batch);
    REQUIRE(next);
    REQUIRE((*memory).Write(batch));
    root = *next;
    REQUIRE_MESSAGE(root == (*block)->header.state_root, "state diverges at height " << height);
  }
  CHECK(root == (*stored)->head().state_root);
}

}  // namespace
}  // namespace crash_test
}  // namespace baylink::testing
