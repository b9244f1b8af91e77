// SPDX-License-Identifier: Apache-2.0
//
// The node's load generator and commit benchmark (issue 3 targets).
//
//   node_load throughput --suite sm|ecdsa [--txs N] [--senders N] [--batch N] [--clients N]
//                        [--interval MS]
//     Runs a --dev node in this process (its real RPC server and block producer), sends
//     pre-signed asset transfers in JSON-RPC batches from `clients` client threads (one
//     connection each, default 2) to a node with a block interval of MS (default 250), and reports
//     transfers committed per second. The bound, measured in the same run, is the
//     signature-verification rate of the same transactions on the node's two RPC threads
//     (one verification per transaction per node), just before the run and again just after
//     it, averaged. Prints the ratio, the process's CPU per committed transfer against one
//     verification's (the share of the CPU the checks took), and that CPU by thread name (RPC
//     threads, block producer, RocksDB's background threads, threads that ended).
//   node_load commit --suite sm|ecdsa [--txs N] [--accounts N]
//     Builds a chain on RocksDB with N accounts holding balances, fills the mempool with
//     `txs` transfers and reports the time of Propose + Commit of one block (execution,
//     state update, one atomic synced write) as a share of a 1 s block interval.
//   node_load idle --suite sm|ecdsa [--accounts N] [--seconds N] [--load N]
//     Builds such a chain, starts the real `baylink-node run` (a --dev node; --node PATH,
//     default the one built with this program) on it, lets it idle and reports that
//     process's CPU share and resident memory. --dir PATH keeps the built chain there and
//     reuses it on the next run (building 1M accounts takes minutes). --load N first sends N
//     transfers (to fresh addresses, from new senders) to that node, waits for them to
//     commit and for the node to log that it went idle, so what is measured is a node that
//     was just busy.
//   node_load network --suite sm|ecdsa [--txs N] [--senders N] [--batch N] [--samples N]
//     Runs four validators (PBFT over ZeroMQ on loopback, each with its own RocksDB, RPC and
//     threads) in this process. Throughput: pre-signed transfers are sent in JSON-RPC batches
//     to the four nodes in turn; transfers committed per second, against the bound measured
//     in the same run (before and after it, averaged): 2 cores x the one-thread verify rate
//     / 4 validators (each validator verifies each transaction once). Latency at light load:
//     `samples` single transfers one after another; for each block the proposer reports the
//     time from building it to committing it (execution, three message delays, the synced
//     vote and block writes); p50 and p99 of those, against a ZeroMQ round trip on loopback
//     measured in the same run, and the floor that persisting each vote before sending it
//     puts under any such latency on this machine: three message delays and two phases of
//     three validators' synced vote writes at once (also measured in the same run).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "baylink/chain/chain.h"
#include "baylink/chain/files.h"
#include "baylink/chain/node.h"
#include "baylink/client/node_client.h"
#include "baylink/contracts/asset.h"
#include "baylink/core/json.h"
#include "baylink/crypto/suites.h"
#include "baylink/net/http.h"
#include "baylink/net/pubsub.h"
#include "baylink/storage/record_log.h"
#include "baylink/storage/rocksdb_store.h"
#include "bench_support.h"
#include "build_paths.h"
#include "rpc_bodies.h"

namespace baylink::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Options {
  std::string mode;
  core::SuiteId suite = core::SuiteId::kEcdsa;
  std::size_t txs = 40000;
  std::size_t senders = 1000;
  std::size_t batch = 500;
  std::size_t accounts = 100000;
  int seconds = 20;
  std::size_t samples = 50;
  std::size_t clients = 2;  // throughput: concurrent client connections
  std::uint64_t interval_ms = 250;  // throughput: the dev node's block interval
  std::size_t load = 0;     // idle: transfers sent to the node before it idles
  std::string node_program = ::baylink::testing::kNodeProgram;
  std::filesystem::path dir;  // idle: keep (and reuse) the built chain here
};

struct Sender {
  core::KeyPair key;
  core::Address address;
  std::uint64_t nonce = 0;
};

core::Transaction Tx(const core::CryptoSuite& suite, const std::string& chain_id, Sender& s,
                     std::string method, core::Bytes args) {
  core::Transaction tx;
  tx.chain_id = chain_id;
  tx.nonce = s.nonce++;
  tx.expiry_height = 1u << 30;
  tx.sender = s.key.public_key;
  tx.contract = "asset";
  tx.method = std::move(method);
  tx.args = std::move(args);
  Require(static_cast<bool>(tx.Sign(suite, s.key.secret)), "sign");
  return tx;
}

// A temporary chain folder: key, genesis, config.
struct ChainDir {
  std::filesystem::path dir;
  chain::Genesis genesis;
  chain::KeyFile key;

  bool keep = false;  // a folder named by --dir: kept, and reused when it holds a chain

  // A temporary folder, or `kept` when not empty: reused as it is if it already holds a
  // key and genesis (a chain built by an earlier run), else created there.
  ChainDir(const core::CryptoSuite& suite, core::SuiteId id, std::uint64_t interval_ms,
           BenchRandom& rng, const std::filesystem::path& kept = {}) {
    if (!kept.empty()) {
      dir = kept;
      keep = true;
      if (std::filesystem::exists(dir / "genesis.json")) {
        genesis = chain::LoadGenesis(dir / "genesis.json").value();
        key = chain::KeyFile::Load(dir / "validator.key").value();
        Require(genesis.suite == id, "--dir holds a chain of another suite");
        return;
      }
      std::filesystem::create_directories(dir);
    } else {
      char name[] = "/tmp/baylink-bench-XXXXXX";
      Require(mkdtemp(name) != nullptr, "mkdtemp");
      dir = name;
    }
    core::KeyPair pair = suite.GenerateKey(rng);
    key = chain::KeyFile{id, pair.secret, pair.public_key};
    Require(static_cast<bool>(key.Save(dir / "validator.key")), "save key");
    genesis.chain_id = "bench";
    genesis.suite = id;
    genesis.timestamp_ms = 1;
    genesis.params.block_interval_ms = interval_ms;
    genesis.params.max_block_txs = 100000;
    genesis.params.max_block_bytes = 64u << 20;
    genesis.params.heartbeat_ms = 10000;
    genesis.validators = core::ValidatorSet::Create({{pair.public_key, 1}}).value();
    Require(static_cast<bool>(chain::WriteFileAtomic(dir / "genesis.json", genesis.ToJson().dump())),
            "write genesis");
  }
  ~ChainDir() {
    if (keep) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  chain::NodeConfig Config() const {
    chain::NodeConfig c;
    c.data_dir = dir / "data";
    c.genesis = dir / "genesis.json";
    c.validator_key = dir / "validator.key";
    c.dev = true;
    c.rpc_port = 0;
    c.events_endpoint = "tcp://127.0.0.1:0";
    c.mempool.max_txs = 1000000;
    c.mempool.max_bytes = 1u << 30;
    return c;
  }
};

// Senders, each owning an asset with a large balance, set up through `submit`.
std::vector<Sender> MakeSenders(const core::CryptoSuite& suite, std::size_t n, BenchRandom& rng) {
  std::vector<Sender> senders(n);
  for (Sender& s : senders) {
    s.key = suite.GenerateKey(rng);
    s.address = suite.ToAddress(s.key.public_key);
  }
  return senders;
}

std::string Symbol(std::size_t i) { return "S" + std::to_string(i); }

// Sender i creates asset Symbol(first_symbol + i) and mints itself a balance of it.
std::vector<core::Transaction> SetupTxs(const core::CryptoSuite& suite, std::vector<Sender>& senders,
                                        std::size_t first_symbol = 0) {
  std::vector<core::Transaction> txs;
  for (std::size_t i = 0; i < senders.size(); ++i) {
    const std::string symbol = Symbol(first_symbol + i);
    txs.push_back(Tx(suite, "bench", senders[i], "create", contracts::EncodeCreate(symbol)));
    txs.push_back(Tx(suite, "bench", senders[i], "mint",
                     contracts::EncodeMint(symbol, senders[i].address, core::u128{1} << 100)));
  }
  return txs;
}

// `count` transfers of one unit each to fresh addresses, the senders taking turns.
std::vector<core::Transaction> Transfers(const core::CryptoSuite& suite, std::vector<Sender>& senders,
                                         std::size_t count, BenchRandom& rng,
                                         std::size_t first_symbol = 0) {
  std::vector<core::Transaction> txs;
  txs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t from = i % senders.size();
    core::Address to;
    rng.Fill(std::span(to.bytes));
    txs.push_back(Tx(suite, "bench", senders[from], "transfer",
                     contracts::EncodeTransfer(Symbol(first_symbol + from), to, 1)));
  }
  return txs;
}

// Posts bodies first, first + step, ... ; body i goes to ports[i % ports.size()].
void SendTo(const std::vector<std::uint16_t>& ports, const std::vector<std::string>& bodies,
            std::size_t first, std::size_t step) {
  std::vector<std::unique_ptr<net::HttpClient>> clients;
  for (std::uint16_t port : ports) {
    clients.push_back(
        std::make_unique<net::HttpClient>("127.0.0.1", port, std::chrono::seconds(60)));
  }
  for (std::size_t i = first; i < bodies.size(); i += step) {
    auto r = clients[i % clients.size()]->Post("/", bodies[i]);
    Require(r && r->status == 200, "rpc batch");
    Require(r->body.find("\"error\"") == std::string::npos, "a transaction was refused");
  }
}

void Send(std::uint16_t port, const std::vector<std::string>& bodies, std::size_t first,
          std::size_t step) {
  SendTo({port}, bodies, first, step);
}

// Posts every body from `clients` threads at once, one connection each (thread i takes bodies
// i, i + clients, ...).
void SendConcurrently(const std::vector<std::uint16_t>& ports,
                      const std::vector<std::string>& bodies, std::size_t clients) {
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < clients; ++i) {
    threads.emplace_back(SendTo, std::cref(ports), std::cref(bodies), i, clients);
  }
  for (auto& thread : threads) thread.join();
}

// Waits until every admitted transaction is in a block.
void WaitCommitted(chain::Chain& chain) {
  while (chain.mempool().size() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// Fields of /proc/<pid>/status and /proc/<pid>/stat.
long StatusKiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

double CpuSecondsOf(pid_t pid) {
  return ReadStatCpu("/proc/" + std::to_string(pid) + "/stat").seconds;
}

// The bound of a run: measured just before it and again just after it, and averaged, so that a
// change in how busy the shared machine is during the run moves the bound with it, in part.
VerifyBound MeanBound(const VerifyBound& before, const VerifyBound& after) {
  return VerifyBound{(before.rate + after.rate) / 2, (before.cpu_us + after.cpu_us) / 2};
}

// The run's CPU per committed transfer (the whole process: node(s) and load generator) and the
// share of it the floor of `verifications` signature checks per transfer takes. The target's
// ratio is about this share times the cores' busy fraction. CPU time still varies with what
// else the host runs (one verification's took 260-335 us for sm in runs minutes apart), so
// this share is noisy too, but it tells a slower node from a faster bound.
void PrintCpuShare(const char* mode, core::SuiteId suite, double cpu_seconds, std::size_t txs,
                   double verify_cpu_us, std::size_t verifications) {
  const double per_tx_us = cpu_seconds * 1e6 / static_cast<double>(txs);
  const double floor_us = verify_cpu_us * static_cast<double>(verifications);
  std::printf("%s suite=%s cpu per transfer %.1f us; %zu verification(s) %.1f us; verification "
              "share %.2f\n",
              mode, std::string(core::SuiteName(suite)).c_str(), per_tx_us, verifications, floor_us,
              floor_us / per_tx_us);
}

// The run's CPU per committed transfer by thread name (the load generator's client threads are
// named like the program), largest first.
void PrintThreadCpu(const char* mode, const std::map<std::string, double>& start,
                    const std::map<std::string, double>& end, double cpu_used, std::size_t txs) {
  std::vector<std::pair<double, std::string>> used;
  double named = 0;
  for (const auto& [name, seconds] : end) {
    const auto before = start.find(name);
    const double delta = seconds - (before == start.end() ? 0.0 : before->second);
    if (delta <= 0) continue;
    used.emplace_back(delta, name);
    named += delta;
  }
  std::sort(used.rbegin(), used.rend());
  const double per_tx = 1e6 / static_cast<double>(txs);
  std::printf("%s cpu per transfer by thread:", mode);
  for (const auto& [seconds, name] : used) std::printf(" %s %.1f us;", name.c_str(), seconds * per_tx);
  std::printf(" in threads that ended %.1f us\n", std::max(0.0, cpu_used - named) * per_tx);
}

int Throughput(const Options& o) {
  const core::CryptoSuite& suite = Suite(o.suite);
  BenchRandom rng(1);
  ChainDir dir(suite, o.suite, o.interval_ms, rng);
  std::vector<Sender> senders = MakeSenders(suite, o.senders, rng);
  const auto setup = SetupTxs(suite, senders);
  const auto transfers = Transfers(suite, senders, o.txs, rng);
  chain::NodeConfig config = dir.Config();
  config.sync_commits = true;
  auto node = chain::Node::Start(config, [](std::string_view) {});
  Require(static_cast<bool>(node), "start node");
  chain::Chain& chain = (*node)->chain();
  Send((*node)->rpc_port(), SendTransactionBodies(setup, o.batch), 0, 1);
  WaitCommitted(chain);
  const auto bodies = SendTransactionBodies(transfers, o.batch);
  const auto hashes = Hashes(suite, transfers);
  const VerifyBound before = VerifyRate(suite, transfers, hashes, 2);
  const std::uint64_t start_height = chain.head().height;
  const auto threads_start = CpuByThreadName();
  const double cpu_start = CpuSecondsOf(getpid());
  const auto start = Clock::now();
  SendConcurrently({(*node)->rpc_port()}, bodies, o.clients);
  const double admitted = Seconds(Clock::now() - start);
  WaitCommitted(chain);
  const double total = Seconds(Clock::now() - start);
  const std::uint64_t blocks = chain.head().height - start_height;
  const double cpu_used = CpuSecondsOf(getpid()) - cpu_start;
  const auto threads_end = CpuByThreadName();
  const double busy = cpu_used / total;
  (*node)->Stop();
  const double rate = static_cast<double>(o.txs) / total;
  const VerifyBound after = VerifyRate(suite, transfers, hashes, 2);
  const VerifyBound verify = MeanBound(before, after);
  const double bound = verify.rate;
  std::printf("throughput suite=%s txs=%zu senders=%zu batch=%zu clients=%zu: admitted in %.2f s, committed in "
              "%.2f s over %llu blocks -> %.0f tx/s; verify bound (2 threads) %.0f tx/s (before %.0f, "
              "after %.0f); ratio %.2f; cores busy %.2f of 2\n",
              std::string(core::SuiteName(o.suite)).c_str(), o.txs, o.senders, o.batch, o.clients, admitted,
              total, static_cast<unsigned long long>(blocks), rate, bound, before.rate, after.rate,
              rate / bound, busy);
  PrintCpuShare("throughput", o.suite, cpu_used, o.txs, verify.cpu_us, 1);
  PrintThreadCpu("throughput", threads_start, threads_end, cpu_used, o.txs);
  return 0;
}

// A chain on RocksDB with `accounts` balances (one asset per sender, transfers to fresh
// addresses create the accounts), built block by block through Propose/Commit.
struct BuiltChain {
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<storage::RecordLog> journal;
  std::unique_ptr<contracts::Registry> registry;
  std::unique_ptr<chain::Chain> chain;
  std::vector<Sender> senders;
};

core::CommitCertificate Certify(const core::CryptoSuite& suite, const chain::KeyFile& key,
                                const core::BlockHeader& header) {
  const core::Hash32 hash = header.Hash(suite);
  const core::Hash32 digest = core::CommitVoteDigest(suite, header.chain_id, header.height, 0, hash);
  return core::CommitCertificate{header.height, 0, hash, {{0, suite.Sign(key.secret, digest.view()).value()}}};
}

void Fill(chain::Chain& c, const std::vector<core::Transaction>& txs) {
  std::vector<core::Bytes> encoded;
  for (const auto& tx : txs) encoded.push_back(tx.Encode());
  std::vector<core::ByteView> views(encoded.begin(), encoded.end());
  for (auto& r : c.Submit(views)) Require(static_cast<bool>(r), "submit");
}

void CommitAll(const core::CryptoSuite& suite, const ChainDir& dir, chain::Chain& c) {
  while (c.mempool().size() > 0) {
    auto p = c.Propose(c.head().timestamp_ms + 1000, 0);
    Require(static_cast<bool>(p), "propose");
    const auto cert = Certify(suite, dir.key, p->block.header);
    Require(static_cast<bool>(c.Commit(std::move(*p), cert)), "commit");
  }
}

BuiltChain Build(const core::CryptoSuite& suite, const ChainDir& dir, std::size_t accounts, BenchRandom& rng) {
  BuiltChain b;
  b.store = storage::OpenRocksDb(dir.dir / "data").value();
  b.journal = storage::OpenFileRecordLog(dir.dir / "data" / chain::kJournalFolder).value();
  b.registry = contracts::MakeBuiltinRegistry().value();
  chain::ChainOptions options;
  options.update_threads = 2;
  options.mempool.max_txs = 1000000;
  options.mempool.max_bytes = 1u << 30;
  b.chain =
      chain::Chain::Open(suite, *b.store, *b.journal, *b.registry, dir.genesis, options).value();
  b.senders = MakeSenders(suite, 100, rng);
  Fill(*b.chain, SetupTxs(suite, b.senders));
  CommitAll(suite, dir, *b.chain);
  for (std::size_t done = 0; done < accounts; done += 50000) {
    Fill(*b.chain, Transfers(suite, b.senders, std::min<std::size_t>(50000, accounts - done), rng));
    CommitAll(suite, dir, *b.chain);
    std::fprintf(stderr, "built %zu accounts\n", std::min(accounts, done + 50000));
  }
  return b;
}

int CommitBench(const Options& o) {
  const core::CryptoSuite& suite = Suite(o.suite);
  BenchRandom rng(2);
  ChainDir dir(suite, o.suite, 1000, rng);
  BuiltChain b = Build(suite, dir, o.accounts, rng);
  std::vector<double> times;
  std::vector<double> propose_times;
  for (int rep = 0; rep < 5; ++rep) {
    Fill(*b.chain, Transfers(suite, b.senders, o.txs, rng));
    const auto start = Clock::now();
    auto p = b.chain->Propose(b.chain->head().timestamp_ms + 1000, 0);
    Require(static_cast<bool>(p) && p->block.transactions.size() == o.txs, "propose all");
    const auto proposed = Clock::now();
    // Signing the certificate is consensus's cost, not the commit's: not timed.
    const auto cert = Certify(suite, dir.key, p->block.header);
    const auto commit_start = Clock::now();
    Require(static_cast<bool>(b.chain->Commit(std::move(*p), cert)), "commit");
    times.push_back(Seconds(proposed - start) + Seconds(Clock::now() - commit_start));
    propose_times.push_back(Seconds(proposed - start));
  }
  std::sort(times.begin(), times.end());
  std::sort(propose_times.begin(), propose_times.end());
  std::printf("commit: of which propose (execution and state staging) median %.1f ms\n",
              propose_times[2] * 1e3);
  std::printf("commit suite=%s accounts=%zu txs=%zu: propose+commit median %.1f ms (min %.1f, max %.1f) "
              "= %.1f%% of a 1 s interval\n",
              std::string(core::SuiteName(o.suite)).c_str(), o.accounts, o.txs, times[2] * 1e3,
              times[0] * 1e3, times[4] * 1e3, times[2] * 100);
  return 0;
}

// A loopback port that was free a moment ago.
std::uint16_t FreePort() {
  auto probe = net::Publisher::Bind("tcp://127.0.0.1:0");
  Require(static_cast<bool>(probe), "bind a probe");
  const std::string endpoint = (*probe)->endpoint();
  return static_cast<std::uint16_t>(std::stoul(endpoint.substr(endpoint.rfind(':') + 1)));
}

// Heavy load on the spawned node before it idles: `o.load` transfers to fresh addresses from
// 200 new senders, each with an asset of its own, sent in RPC batches from two connections.
// Returns once every sender's last transfer is committed.
void LoadSpawned(const core::CryptoSuite& suite, std::uint16_t rpc_port, const Options& o) {
  const auto seed = static_cast<std::uint64_t>(
      std::chrono::system_clock::now().time_since_epoch().count());
  BenchRandom rng(seed);
  // New keys and asset symbols on every run, so a reused --dir takes the load again.
  const std::size_t first_symbol = 1000000000 + seed % 1000000000;
  std::vector<Sender> senders = MakeSenders(suite, 200, rng);
  const auto setup = SetupTxs(suite, senders, first_symbol);
  const auto transfers = Transfers(suite, senders, o.load, rng, first_symbol);
  const auto bodies = SendTransactionBodies(transfers, o.batch);
  client::NodeClient client("127.0.0.1", rpc_port, suite, std::chrono::seconds(30));
  const auto start = Clock::now();
  Send(rpc_port, SendTransactionBodies(setup, o.batch), 0, 1);
  Require(static_cast<bool>(client.WaitForTransaction(setup.back().Hash(suite),
                                                      std::chrono::minutes(2))),
          "the load's setup was not committed within 2 minutes");
  SendConcurrently({rpc_port}, bodies, 2);
  // Each sender's transfers commit in nonce order: its last one commits last.
  for (std::size_t i = transfers.size() - std::min(transfers.size(), senders.size());
       i < transfers.size(); ++i) {
    Require(static_cast<bool>(client.WaitForTransaction(transfers[i].Hash(suite),
                                                        std::chrono::minutes(10))),
            "the load was not committed within 10 minutes");
  }
  std::fprintf(stderr, "load: %zu transfers (and %zu setup transactions) committed in %.1f s\n",
               transfers.size(), setup.size(), Seconds(Clock::now() - start));
}

// Builds the chain in this process, closes it, then runs the real `baylink-node run` on it
// and measures that process alone: its CPU over `seconds` and its resident memory.
int Idle(const Options& o) {
  const core::CryptoSuite& suite = Suite(o.suite);
  BenchRandom rng(3);
  ChainDir dir(suite, o.suite, 1000, rng, o.dir);
  const std::filesystem::path built = dir.dir / "built-accounts";
  if (std::filesystem::exists(built)) {
    std::ifstream in(built);
    std::size_t accounts = 0;
    in >> accounts;
    Require(accounts == o.accounts, "--dir holds a chain built with another --accounts");
    std::fprintf(stderr, "reusing the chain in %s\n", dir.dir.c_str());
  } else {
    {
      BuiltChain b = Build(suite, dir, o.accounts, rng);
    }  // closed: the node opens the same store
    Require(static_cast<bool>(chain::WriteFileAtomic(built, std::to_string(o.accounts))),
            "write built-accounts");
  }
  const std::uint16_t rpc_port = FreePort();
  const core::json::Json config{
      {"data_dir", "data"},
      {"genesis", "genesis.json"},
      {"validator_key", "validator.key"},
      {"dev", true},
      {"rpc", {{"address", "127.0.0.1"}, {"port", rpc_port}}},
      {"events", {{"endpoint", "tcp://127.0.0.1:" + std::to_string(FreePort())}}}};
  Require(static_cast<bool>(chain::WriteFileAtomic(dir.dir / "node.json", config.dump(2))),
          "write node.json");
  std::string program = o.node_program;
  std::string run = "run";
  std::string flag = "--config";
  std::string path = (dir.dir / "node.json").string();
  std::vector<char*> argv = {program.data(), run.data(), flag.data(), path.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (dir.dir / "node.log").string();
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Require(rc == 0, "start baylink-node (pass its path with --node)");
  net::HttpClient client("127.0.0.1", rpc_port, std::chrono::seconds(5));
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (true) {
    auto r = client.Post("/", R"({"jsonrpc":"2.0","id":1,"method":"getChainInfo"})");
    if (r && r->status == 200) break;
    int status = 0;
    Require(::waitpid(pid, &status, WNOHANG) != pid, "baylink-node exited; see its log");
    Require(Clock::now() < deadline, "baylink-node did not answer within 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (o.load > 0) {
    // The node says when it goes idle (a whole quiet idle_check_ms after the last commit):
    // the idle figures start there, not while it is still winding down from the load.
    const auto releases = [&log] {
      std::ifstream in(log);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::size_t n = 0;
      for (std::size_t at = text.find("node: idle after"); at != std::string::npos;
           at = text.find("node: idle after", at + 1)) {
        ++n;
      }
      return n;
    };
    const std::size_t released_before = releases();
    LoadSpawned(suite, rpc_port, o);
    std::fprintf(stderr, "after the load: rss %.1f MiB (peak %.1f MiB)\n",
                 static_cast<double>(StatusKiB(pid, "VmRSS")) / 1024,
                 static_cast<double>(StatusKiB(pid, "VmHWM")) / 1024);
    const auto loaded = Clock::now();
    const double cpu_loaded = CpuSecondsOf(pid);
    while (releases() == released_before) {
      Require(Clock::now() - loaded < std::chrono::minutes(2),
              "the node did not report going idle within 2 minutes of the load");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const double wind_down = Seconds(Clock::now() - loaded);
    std::fprintf(stderr, "went idle %.1f s after the load (cpu %.2f%% of one core meanwhile); rss %.1f MiB\n",
                 wind_down, (CpuSecondsOf(pid) - cpu_loaded) / wind_down * 100,
                 static_cast<double>(StatusKiB(pid, "VmRSS")) / 1024);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double cpu0 = CpuSecondsOf(pid);
  const auto t0 = Clock::now();
  // Reported every 10 s as well, so a start-up cost (RocksDB compaction) shows as such.
  double last_cpu = cpu0;
  auto last = t0;
  for (int waited = 0; waited < o.seconds;) {
    const int step = std::min(10, o.seconds - waited);
    std::this_thread::sleep_for(std::chrono::seconds(step));
    waited += step;
    const double now_cpu = CpuSecondsOf(pid);
    const auto now = Clock::now();
    std::fprintf(stderr, "  %3d s: cpu %.2f%% of one core, rss %.1f MiB\n", waited,
                 (now_cpu - last_cpu) / Seconds(now - last) * 100,
                 static_cast<double>(StatusKiB(pid, "VmRSS")) / 1024);
    last_cpu = now_cpu;
    last = now;
  }
  const double cpu = (CpuSecondsOf(pid) - cpu0) / Seconds(Clock::now() - t0);
  const long rss = StatusKiB(pid, "VmRSS");
  const long peak = StatusKiB(pid, "VmHWM");
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::printf("idle suite=%s accounts=%zu load=%zu: baylink-node cpu %.2f%% of one core over %d s; rss %.1f MiB "
              "(peak %.1f MiB); exit %s\n",
              std::string(core::SuiteName(o.suite)).c_str(), o.accounts, o.load, cpu * 100,
              o.seconds,
              static_cast<double>(rss) / 1024, static_cast<double>(peak) / 1024,
              WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "clean" : "not clean");
  return 0;
}


// The median round trip of one small message between two ZeroMQ PUB/SUB pairs on loopback.
double ZmqRoundTripUs() {
  auto a = net::Publisher::Bind("tcp://127.0.0.1:0").value();
  auto b = net::Publisher::Bind("tcp://127.0.0.1:0").value();
  auto from_a = net::Subscriber::Connect(a->endpoint(), {""}).value();
  auto from_b = net::Subscriber::Connect(b->endpoint(), {""}).value();
  const core::Bytes ping(200, 1);
  // Until both subscriptions are through.
  for (int i = 0; i < 200; ++i) {
    Require(static_cast<bool>(a->Publish("p", ping)), "publish");
    Require(static_cast<bool>(b->Publish("p", ping)), "publish");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    bool got_a = false, got_b = false;
    while (auto m = from_a->Receive(std::chrono::milliseconds(0))) {
      if (!*m) break;
      got_a = true;
    }
    while (auto m = from_b->Receive(std::chrono::milliseconds(0))) {
      if (!*m) break;
      got_b = true;
    }
    if (got_a && got_b) break;
  }
  std::vector<double> us;
  std::thread echo([&] {
    for (int i = 0; i < 1000; ++i) {
      auto m = from_a->Receive(std::chrono::seconds(2));
      if (!m || !*m) return;
      (void)b->Publish("p", (*m)->payload);
    }
  });
  for (int i = 0; i < 1000; ++i) {
    const auto t0 = Clock::now();
    Require(static_cast<bool>(a->Publish("p", ping)), "publish");
    auto m = from_b->Receive(std::chrono::seconds(2));
    Require(m && *m, "echo");
    us.push_back(Seconds(Clock::now() - t0) * 1e6);
  }
  echo.join();
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

// The median latency of one small synced write to RocksDB in `dir` (what a validator pays to
// persist each vote before sending it).
double SyncedWriteUs(const std::filesystem::path& dir) {
  auto store = storage::OpenRocksDb(dir).value();
  std::vector<double> us;
  for (int i = 0; i < 200; ++i) {
    storage::WriteBatch batch;
    const core::Bytes key = {1, 2, 3};
    const core::Bytes value(300, static_cast<std::uint8_t>(i));
    batch.Put(key, value);
    const auto t0 = Clock::now();
    Require(static_cast<bool>(store->Write(batch, storage::WriteOptions{true})), "synced write");
    us.push_back(Seconds(Clock::now() - t0) * 1e6);
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

// The median time until `writers` validators sharing this machine's disk have each made one
// small synced write, all starting at once: what a PBFT phase (every validator persisting its
// vote before sending it) costs when three of the four write in the same moment.
double SyncedWritesAtOnceUs(const std::filesystem::path& dir, std::size_t writers) {
  std::filesystem::create_directories(dir);
  std::vector<std::unique_ptr<storage::KvStore>> stores;
  for (std::size_t i = 0; i < writers; ++i) {
    stores.push_back(storage::OpenRocksDb(dir / ("w" + std::to_string(i))).value());
  }
  constexpr int kRounds = 200;
  std::barrier start(static_cast<std::ptrdiff_t>(writers + 1));
  std::barrier done(static_cast<std::ptrdiff_t>(writers + 1));
  std::vector<std::thread> threads;
  std::atomic<bool> ok{true};
  for (std::size_t w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kRounds; ++i) {
        start.arrive_and_wait();
        storage::WriteBatch batch;
        batch.Put(core::Bytes{1, 2, 3}, core::Bytes(300, static_cast<std::uint8_t>(i)));
        if (!stores[w]->Write(batch, storage::WriteOptions{true})) ok = false;
        done.arrive_and_wait();
      }
    });
  }
  std::vector<double> us;
  for (int i = 0; i < kRounds; ++i) {
    start.arrive_and_wait();
    const auto t0 = Clock::now();
    done.arrive_and_wait();
    us.push_back(Seconds(Clock::now() - t0) * 1e6);
  }
  for (auto& t : threads) t.join();
  Require(ok, "synced writes at once");
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

int Network(const Options& o) {
  const core::CryptoSuite& suite = Suite(o.suite);
  BenchRandom rng(4);
  constexpr std::size_t kValidators = 4;
  ChainDir dir(suite, o.suite, 100, rng);
  std::vector<chain::KeyFile> keys;
  std::vector<core::Validator> members;
  for (std::size_t i = 0; i < kValidators; ++i) {
    const core::KeyPair pair = suite.GenerateKey(rng);
    keys.push_back(chain::KeyFile{o.suite, pair.secret, pair.public_key});
    members.push_back(core::Validator{pair.public_key, 1});
    Require(static_cast<bool>(keys.back().Save(dir.dir / ("v" + std::to_string(i) + ".key"))),
            "save key");
  }
  dir.genesis.validators = core::ValidatorSet::Create(members).value();
  Require(static_cast<bool>(chain::WriteFileAtomic(dir.dir / "genesis.json",
                                                   dir.genesis.ToJson().dump())),
          "write genesis");
  std::vector<std::uint16_t> consensus_ports;
  for (std::size_t i = 0; i < kValidators; ++i) consensus_ports.push_back(FreePort());
  std::mutex log_mutex;
  std::vector<double> consensus_ms;  // guarded by log_mutex
  // Only blocks above this height are sampled: a node logs a commit after its head and mempool
  // show it, so the line of the last setup block can arrive after the samples began.
  std::uint64_t sample_above = std::numeric_limits<std::uint64_t>::max();  // guarded by log_mutex
  const auto log = [&](std::string_view line) {
    constexpr std::string_view kCommitted = "consensus: committed block ";
    constexpr std::string_view kBuilt = "; built here ";
    const std::size_t at = line.find(kBuilt);
    const std::size_t block = line.find(kCommitted);
    if (at == std::string_view::npos || block == std::string_view::npos) return;
    const std::uint64_t height =
        std::stoull(std::string(line.substr(block + kCommitted.size())));
    std::lock_guard lock(log_mutex);
    if (height <= sample_above) return;
    consensus_ms.push_back(std::stod(std::string(line.substr(at + kBuilt.size()))) / 1000.0);
  };
  std::vector<std::unique_ptr<chain::Node>> nodes;
  for (std::size_t i = 0; i < kValidators; ++i) {
    chain::NodeConfig c = dir.Config();
    c.dev = false;
    c.data_dir = dir.dir / ("data" + std::to_string(i));
    c.validator_key = dir.dir / ("v" + std::to_string(i) + ".key");
    c.rpc_threads = 1;
    c.sync_commits = true;
    chain::ConsensusConfig consensus;
    consensus.listen = "tcp://127.0.0.1:" + std::to_string(consensus_ports[i]);
    for (std::size_t j = 0; j < kValidators; ++j) {
      if (j != i) consensus.peers.push_back("tcp://127.0.0.1:" + std::to_string(consensus_ports[j]));
    }
    c.consensus = consensus;
    auto node = chain::Node::Start(c, log);
    Require(static_cast<bool>(node), "start a validator");
    nodes.push_back(std::move(*node));
  }
  // No block-sync peers: their RPC ports are ephemeral and known only now, and consensus
  // needs none while every validator is up.
  const auto all_idle = [&] {
    for (auto& node : nodes) {
      if (node->chain().mempool().size() > 0) return false;
    }
    const std::uint64_t h = nodes[0]->chain().head().height;
    for (auto& node : nodes) {
      if (node->chain().head().height != h) return false;
    }
    return true;
  };
  const auto wait_idle = [&] {
    while (!all_idle()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };

  std::vector<Sender> senders = MakeSenders(suite, o.senders, rng);
  const auto setup = SetupTxs(suite, senders);
  Send(nodes[0]->rpc_port(), SendTransactionBodies(setup, o.batch), 0, 1);
  wait_idle();

  // Latency at light load first (small blocks), then throughput.
  {
    std::lock_guard lock(log_mutex);
    sample_above = nodes[0]->chain().head().height;
  }
  for (std::size_t i = 0; i < o.samples; ++i) {
    const auto one = Transfers(suite, senders, 1, rng);
    Send(nodes[i % kValidators]->rpc_port(), SendTransactionBodies(one, 1), 0, 1);
    wait_idle();
  }
  std::vector<double> latencies;
  {
    std::lock_guard lock(log_mutex);
    latencies = consensus_ms;
  }
  std::sort(latencies.begin(), latencies.end());
  const double rtt_us = ZmqRoundTripUs();
  const double fsync_us = SyncedWriteUs(dir.dir / "fsync-probe");
  const double phase_write_us = SyncedWritesAtOnceUs(dir.dir / "fsync-phase-probe", 3);

  const auto transfers = Transfers(suite, senders, o.txs, rng);
  const auto bodies = SendTransactionBodies(transfers, o.batch);
  const auto hashes = Hashes(suite, transfers);
  const VerifyBound before = VerifyRate(suite, transfers, hashes, 1);
  const std::uint64_t start_height = nodes[0]->chain().head().height;
  const double cpu_start = CpuSecondsOf(getpid());
  const auto start = Clock::now();
  std::vector<std::uint16_t> ports;
  for (auto& node : nodes) ports.push_back(node->rpc_port());
  SendConcurrently(ports, bodies, 2);
  const double admitted = Seconds(Clock::now() - start);
  wait_idle();
  const double total = Seconds(Clock::now() - start);
  const std::uint64_t blocks = nodes[0]->chain().head().height - start_height;
  const double cpu_used = CpuSecondsOf(getpid()) - cpu_start;
  const double busy = cpu_used / total;
  for (auto& node : nodes) node->Stop();
  const double rate = static_cast<double>(o.txs) / total;
  const VerifyBound after = VerifyRate(suite, transfers, hashes, 1);
  const VerifyBound verify = MeanBound(before, after);
  const double one_core = verify.rate;
  const double bound = 2 * one_core / kValidators;
  const auto pct = [&](double q) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1,
                                                        static_cast<std::size_t>(q * latencies.size()))];
  };
  std::printf("network suite=%s validators=4 txs=%zu batch=%zu: admitted in %.2f s, committed in "
              "%.2f s over %llu blocks -> %.0f tx/s; bound 2 x %.0f / 4 = %.0f tx/s (one core before "
              "%.0f, after %.0f); ratio %.2f; cores busy %.2f of 2\n",
              std::string(core::SuiteName(o.suite)).c_str(), o.txs, o.batch, admitted, total,
              static_cast<unsigned long long>(blocks), rate, one_core, bound, before.rate, after.rate,
              rate / bound, busy);
  PrintCpuShare("network", o.suite, cpu_used, o.txs, verify.cpu_us, kValidators);
  std::printf("network suite=%s light-load commit latency (build to commit, at the proposer) over "
              "%zu blocks: p50 %.2f ms, p99 %.2f ms; zmq round trip on loopback %.0f us; one "
              "synced write %.0f us\n",
              std::string(core::SuiteName(o.suite)).c_str(), latencies.size(), pct(0.5), pct(0.99),
              rtt_us, fsync_us);
  // With every vote persisted before it is sent, a block's path holds at least three message
  // delays (proposal, prepares, commits) and two vote writes after the proposal (prepare,
  // commit), each a phase in which the other validators write at once; the block's own write
  // and every signature check and execution come on top.
  const double floor_ms = (1.5 * rtt_us + 2 * phase_write_us) / 1000;
  std::printf("network suite=%s latency floor with votes persisted before they are sent: 1.5 round "
              "trips + 2 vote phases of %.0f us (3 validators writing at once) = %.2f ms, against "
              "the target's 3 round trips = %.2f ms, both before execution\n",
              std::string(core::SuiteName(o.suite)).c_str(), phase_write_us, floor_ms,
              3 * rtt_us / 1000);
  return 0;
}

}  // namespace
}  // namespace baylink::bench

int main(int argc, char** argv) {
  using baylink::bench::Options;
  Options o;
  if (argc < 2) {
    std::fprintf(stderr, "usage: node_load throughput|commit|idle|network [--suite sm|ecdsa] [--txs N] "
                         "[--senders N] [--batch N] [--clients N] [--interval MS] [--accounts N] [--seconds N] [--samples N] [--node PATH] [--dir PATH] [--load N]\n");
    return 2;
  }
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--suite") {
      o.suite = baylink::core::ParseSuiteId(value).value();
    } else if (name == "--txs") {
      o.txs = std::stoul(value);
    } else if (name == "--senders") {
      o.senders = std::stoul(value);
    } else if (name == "--batch") {
      o.batch = std::stoul(value);
    } else if (name == "--accounts") {
      o.accounts = std::stoul(value);
    } else if (name == "--load") {
      o.load = std::stoul(value);
    } else if (name == "--interval") {
      o.interval_ms = std::stoull(value);
    } else if (name == "--clients") {
      o.clients = std::stoul(value);
    } else if (name == "--samples") {
      o.samples = std::stoul(value);
    } else if (name == "--seconds") {
      o.seconds = std::stoi(value);
    } else if (name == "--node") {
      o.node_program = value;
    } else if (name == "--dir") {
      o.dir = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", name.c_str());
      return 2;
    }
  }
  if (o.mode == "throughput") return baylink::bench::Throughput(o);
  if (o.mode == "commit") return baylink::bench::CommitBench(o);
  if (o.mode == "idle") return baylink::bench::Idle(o);
  if (o.mode == "network") return baylink::bench::Network(o);
  std::fprintf(stderr, "unknown mode %s\n", o.mode.c_str());
  return 2;
}
