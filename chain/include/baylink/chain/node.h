// SPDX-License-Identifier: Apache-2.0
//
// The node service behind `baylink-node run`: the context that owns the store, the chain,
// the RPC server, the event publisher and (in `--dev` mode) the single validator that makes
// blocks. Configuration comes from a JSON file; every field is checked and an error names it.
//
// Configuration file (paths relative to the file's folder; optional fields show defaults):
//   { "data_dir": "data",                       required
//     "genesis": "genesis.json",                required
//     "validator_key": "validator.key",         required with "dev": true
//     "dev": false,                             single-validator block production
//     "rpc": { "address": "127.0.0.1", "port": 8545, "threads": 2,
//              "max_body_bytes": 4194304, "max_connections": 256, "timeout_ms": 10000,
//              "max_batch": 1000 },
//     "events": { "endpoint": "tcp://127.0.0.1:7545" },
//     "mempool": { "max_txs": 200000, "max_bytes": 268435456, "max_per_sender": 10000 },
//     "sync_commits": true,
//     "idle_check_ms": 10000,                   how often an idle node looks to give memory back
//     "consensus": {                            multi-validator PBFT (not with "dev")
//        "listen": "tcp://127.0.0.1:26000",     required: this node's consensus endpoint
//        "peers": ["tcp://127.0.0.1:26001"],    the other validators' listen endpoints
//        "peer_rpc": ["127.0.0.1:8546"],        other nodes' RPC (host:port) for block sync
//        "propose_timeout_ms": 3000, "step_timeout_ms": 1000, "round_increase_ms": 1000,
//        "resend_ms": 1000, "max_clock_drift_ms": 10000,
//        "test_equivocate": false } }           TEST ONLY: sign conflicting votes
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "baylink/chain/chain.h"
#include "baylink/chain/consensus_config.h"
#include "baylink/core/json.h"

namespace baylink::chain {

// The mempool journal's folder inside the data folder (beside RocksDB's files, which it
// leaves alone).
inline constexpr std::string_view kJournalFolder = "mempool-journal";

struct NodeConfig {
  std::filesystem::path data_dir;
  std::filesystem::path genesis;
  std::filesystem::path validator_key;  // empty when not a validator
  bool dev = false;
  std::string rpc_address = "127.0.0.1";
  std::uint16_t rpc_port = 8545;        // 0: an ephemeral port (tests)
  unsigned rpc_threads = 2;
  std::size_t rpc_max_body_bytes = 4u << 20;
  std::size_t rpc_max_connections = 256;
  std::uint64_t rpc_timeout_ms = 10000;
  std::size_t rpc_max_batch = 1000;
  std::string events_endpoint = "tcp://127.0.0.1:7545";  // port 0: ephemeral
  MempoolOptions mempool;
  bool sync_commits = true;
  std::uint64_t idle_check_ms = 10000;  // see Node::Start, "Memory"
  std::optional<ConsensusConfig> consensus;

  // Parses the JSON form; relative paths are taken from `base_dir`. Errors: kMalformed
  // naming the field (missing, wrong type, unknown), kInvalidArgument naming a field out of
  // range (ports, thread counts, limits), or "dev needs validator_key".
  static core::Result<NodeConfig> FromJson(const core::json::Json& j,
                                           const std::filesystem::path& base_dir);
  // Reads and parses a configuration file; errors are prefixed with its path.
  static core::Result<NodeConfig> Load(const std::filesystem::path& path);
};

// A key file (`baylink-node keygen`, `baylink key new`): JSON with the suite, the secret key,
// and, for people, the public key and address. Written with mode 0600.
struct KeyFile {
  core::SuiteId suite = core::SuiteId::kSm;
  core::SecretKey secret;
  core::PublicKey public_key;

  // Errors: ReadFile's; kMalformed naming the field; kBadSecretKey; kInvalidArgument when
  // the public key does not match the secret key.
  static core::Result<KeyFile> Load(const std::filesystem::path& path);
  core::Status Save(const std::filesystem::path& path) const;
};

// Where the node writes what happened (stderr by default). Thread-safe.
using LogSink = std::function<void(std::string_view line)>;
LogSink StderrLog();

class Node {
 public:
  // Opens the store and chain, binds RPC and the event stream, and in dev mode starts
  // producing blocks every block_interval_ms (when idle, every heartbeat_ms).
  // Memory: a busy node's heap grows with its mempool, request buffers and state caches.
  // Every idle_check_ms (default 10 s) it looks: once a whole period has passed with no
  // transaction committed and none pending, after some were, it drops the state's caches
  // and hands the freed heap back to the operating system (after 1,000 transactions or more,
  // flushing the store's write buffers first), so an idle node does not keep the high-water
  // mark of its last burst. A node serving a steady trickle is left alone: the release
  // stalls block production for tens of milliseconds.
  // Errors: those of the store, Chain::Open, the key file, binding (kIo naming the address),
  // kInvalidArgument when dev mode's key is not the only signer needed (its power must be
  // more than 2/3 of the genesis set's).
  static core::Result<std::unique_ptr<Node>> Start(const NodeConfig& config, LogSink log);
  ~Node();  // Stop()

  // Stops producing, serving and publishing; the store is closed cleanly. Idempotent.
  void Stop();

  std::uint16_t rpc_port() const;
  std::string events_endpoint() const;
  Chain& chain();

 private:
  struct Context;
  explicit Node(std::unique_ptr<Context> context);
  void ProduceLoop();
  void HousekeepLoop();
  static void PublishBlock(Context& context, std::uint64_t height);
  core::Status ProduceOne();

  std::unique_ptr<Context> m_context;
  std::mutex m_mutex;  // guards m_stop with m_wake
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_producer;
  std::thread m_housekeeper;  // returns freed memory to the system once the node goes idle
};

}  // namespace baylink::chain
