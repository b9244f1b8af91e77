// SPDX-License-Identifier: Apache-2.0
//
// Runs a real `baylink-node --dev` process on loopback for integration and end-to-end tests:
// keys and genesis are made with the node's own command line (keygen, init), the process is
// started with posix_spawn, and it is stopped with SIGTERM or killed with SIGKILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "baylink/client/node_client.h"
#include "baylink/core/suite.h"
#include "test_dir.h"

namespace baylink::testing {

// A loopback TCP port that was free a moment ago.
std::uint16_t FreePort();

struct DevChainOptions {
  std::string chain_id = "hk";
  core::SuiteId suite = core::SuiteId::kEcdsa;
  std::uint64_t block_interval_ms = 200;
  std::uint64_t history = 10000;
};

// One dev chain's files and its node process.
class DevNode {
 public:
  // Writes the validator key, genesis and node config under `dir`. Fails the test on error.
  DevNode(const std::filesystem::path& dir, DevChainOptions options);
  ~DevNode();  // kills a running process

  // Sets the node config's idle_check_ms (before Start).
  void SetIdleCheckMs(std::uint64_t ms);
  // Starts the process and waits (up to 20 s) until its RPC answers. Fails the test if not.
  void Start();
  // SIGTERM and wait for a clean exit; returns the exit status.
  int Stop();
  // SIGKILL (a crash) and reap.
  void Kill();
  bool running() const { return m_pid > 0; }

  std::uint16_t rpc_port() const { return m_rpc_port; }
  std::string events_endpoint() const { return "tcp://127.0.0.1:" + std::to_string(m_events_port); }
  const core::CryptoSuite& suite() const { return *m_suite; }
  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path data_dir() const { return m_dir / "chain" / "data"; }
  std::filesystem::path genesis_path() const { return m_dir / "chain" / "genesis.json"; }
  std::unique_ptr<client::NodeClient> Client(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // The node's stderr so far (for failure messages).
  std::string Log() const;

 private:
  std::filesystem::path m_dir;
  DevChainOptions m_options;
  std::unique_ptr<core::CryptoSuite> m_suite;
  std::uint16_t m_rpc_port = 0;
  std::uint16_t m_events_port = 0;
  pid_t m_pid = -1;
};

struct NetworkOptions {
  std::string chain_id = "hk";
  core::SuiteId suite = core::SuiteId::kEcdsa;
  std::size_t validators = 4;  // in the genesis set, power 1 each
  std::size_t spares = 0;      // extra nodes with keys, not in the genesis set (followers)
  std::uint64_t block_interval_ms = 200;
  std::uint64_t heartbeat_ms = 1000;
  std::uint64_t propose_timeout_ms = 1000;
  std::uint64_t step_timeout_ms = 500;
  std::uint64_t round_increase_ms = 250;
  std::uint64_t resend_ms = 300;
  std::vector<std::size_t> equivocators;   // nodes started with test_equivocate
  std::vector<std::string> extra_peers;    // consensus endpoints every node also connects to
};

// A multi-validator chain on loopback: node i's key, config and data live under dir/v<i>;
// every node lists every other one as a consensus peer and an RPC peer for block sync.
class ValidatorNetwork {
 public:
  ValidatorNetwork(const std::filesystem::path& dir, NetworkOptions options);
  ~ValidatorNetwork();  // kills running processes

  std::size_t size() const { return m_nodes.size(); }
  // Starts node i and waits (up to 20 s) until its RPC answers.
  void Start(std::size_t i);
  void StartAll();
  int Stop(std::size_t i);  // SIGTERM; the exit status
  void Kill(std::size_t i);  // SIGKILL
  bool running(std::size_t i) const { return m_nodes[i].pid > 0; }

  std::uint16_t rpc_port(std::size_t i) const { return m_nodes[i].rpc_port; }
  std::string consensus_endpoint(std::size_t i) const;
  std::filesystem::path key_path(std::size_t i) const;
  const core::CryptoSuite& suite() const { return *m_suite; }
  const NetworkOptions& options() const { return m_options; }
  std::unique_ptr<client::NodeClient> Client(
      std::size_t i, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::string Log(std::size_t i) const;
  // Every node's log, for failure messages.
  std::string Logs() const;

 private:
  struct Member {
    std::uint16_t rpc_port = 0;
    std::uint16_t events_port = 0;
    std::uint16_t consensus_port = 0;
    pid_t pid = -1;
  };
  std::filesystem::path m_dir;
  NetworkOptions m_options;
  std::unique_ptr<core::CryptoSuite> m_suite;
  std::vector<Member> m_nodes;
};

}  // namespace baylink::testing
