// SPDX-License-Identifier: Apache-2.0
#include "node_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "baylink/chain/node_cli.h"
#include "baylink/core/json.h"
#include "baylink/crypto/suites.h"
#include "build_paths.h"

extern char** environ;

namespace baylink::testing {

std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {

int RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "baylink-node");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return chain::RunNodeCli(static_cast<int>(args.size()), argv.data());
}

pid_t Spawn(const std::string& config, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::string program = kNodeProgram;
  std::vector<std::string> args = {program, "run", "--config", config};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "cannot start " << program);
  return pid;
}

// Waits until the node answers RPC; fails the test if it exits or stays silent for 20 s.
void AwaitRpc(pid_t& pid, client::NodeClient& client, const std::function<std::string()>& log) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      FAIL("baylink-node exited while starting; its log:\n" << log());
    }
    if (client.GetChainInfo()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("baylink-node did not answer RPC within 20 s; its log:\n" << log());
}

int Terminate(pid_t& pid, int signal) {
  REQUIRE(pid > 0);
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

DevNode::DevNode(const std::filesystem::path& dir, DevChainOptions options)
    : m_dir(dir), m_options(std::move(options)), m_suite(crypto::MakeSuite(m_options.suite)) {
  m_rpc_port = FreePort();
  m_events_port = FreePort();
  while (m_events_port == m_rpc_port) m_events_port = FreePort();
  const std::string suite(core::SuiteName(m_options.suite));
  REQUIRE(RunCli({"keygen", "--suite", suite, "--out", (dir / "validator.key").string()}) == 0);
  REQUIRE(RunCli({"init", "--chain-id", m_options.chain_id, "--suite", suite, "--validator-key",
                  (dir / "validator.key").string(), "--out", (dir / "chain").string(), "--dev",
                  "--block-interval-ms", std::to_string(m_options.block_interval_ms),
                  "--history", std::to_string(m_options.history), "--rpc-port",
                  std::to_string(m_rpc_port), "--events-port", std::to_string(m_events_port)}) == 0);
}

void DevNode::SetIdleCheckMs(std::uint64_t ms) {
  const std::filesystem::path path = m_dir / "chain" / "node.json";
  core::json::Json config = core::json::Json::parse(ReadAll(path));
  config["idle_check_ms"] = ms;
  std::ofstream(path) << config.dump(2);
}

DevNode::~DevNode() {
  if (m_pid > 0) Kill();
}

void DevNode::Start() {
  REQUIRE(m_pid <= 0);
  m_pid = Spawn((m_dir / "chain" / "node.json").string(), (m_dir / "node.log").string());
  auto client = Client(std::chrono::milliseconds(500));
  AwaitRpc(m_pid, *client, [this] { return Log(); });
}

int DevNode::Stop() { return Terminate(m_pid, SIGTERM); }

void DevNode::Kill() { (void)Terminate(m_pid, SIGKILL); }

std::unique_ptr<client::NodeClient> DevNode::Client(std::chrono::milliseconds timeout) const {
  return std::make_unique<client::NodeClient>("127.0.0.1", m_rpc_port, *m_suite, timeout);
}

std::string DevNode::Log() const { return ReadAll(m_dir / "node.log"); }

// ---- ValidatorNetwork ------------------------------------------------------------------

ValidatorNetwork::ValidatorNetwork(const std::filesystem::path& dir, NetworkOptions options)
    : m_dir(dir), m_options(std::move(options)), m_suite(crypto::MakeSuite(m_options.suite)) {
  const std::string suite(core::SuiteName(m_options.suite));
  const std::size_t total = m_options.validators + m_options.spares;
  std::vector<std::uint16_t> used;
  const auto fresh_port = [&used] {
    for (;;) {
      const std::uint16_t port = FreePort();
      if (std::find(used.begin(), used.end(), port) == used.end()) {
        used.push_back(port);
        return port;
      }
    }
  };
  m_nodes.resize(total);
  std::vector<std::string> init = {"init", "--chain-id", m_options.chain_id, "--suite", suite,
                                   "--out", (dir / "init").string(), "--block-interval-ms",
                                   std::to_string(m_options.block_interval_ms), "--heartbeat-ms",
                                   std::to_string(m_options.heartbeat_ms)};
  for (std::size_t i = 0; i < total; ++i) {
    std::filesystem::create_directories(dir / ("v" + std::to_string(i)));
    REQUIRE(RunCli({"keygen", "--suite", suite, "--out", key_path(i).string()}) == 0);
    if (i < m_options.validators) {
      init.push_back("--validator-key");
      init.push_back(key_path(i).string());
    }
    m_nodes[i].rpc_port = fresh_port();
    m_nodes[i].events_port = fresh_port();
    m_nodes[i].consensus_port = fresh_port();
  }
  REQUIRE(RunCli(init) == 0);
  std::filesystem::rename(dir / "init" / "genesis.json", dir / "genesis.json");
  for (std::size_t i = 0; i < total; ++i) {
    core::json::Json peers = core::json::Json::array();
    core::json::Json peer_rpc = core::json::Json::array();
    for (std::size_t j = 0; j < total; ++j) {
      if (j == i) continue;
      peers.push_back(consensus_endpoint(j));
      peer_rpc.push_back("127.0.0.1:" + std::to_string(m_nodes[j].rpc_port));
    }
    for (const std::string& extra : m_options.extra_peers) peers.push_back(extra);
    const bool equivocate = std::find(m_options.equivocators.begin(), m_options.equivocators.end(),
                                      i) != m_options.equivocators.end();
    core::json::Json consensus{{"listen", consensus_endpoint(i)},
                               {"peers", peers},
                               {"peer_rpc", peer_rpc},
                               {"propose_timeout_ms", m_options.propose_timeout_ms},
                               {"step_timeout_ms", m_options.step_timeout_ms},
                               {"round_increase_ms", m_options.round_increase_ms},
                               {"resend_ms", m_options.resend_ms}};
    if (equivocate) consensus["test_equivocate"] = true;
    const std::filesystem::path node_dir = dir / ("v" + std::to_string(i));
    const core::json::Json config{
        {"data_dir", "data"},
        {"genesis", "../genesis.json"},
        {"validator_key", "validator.key"},
        {"sync_commits", false},
        {"rpc", {{"address", "127.0.0.1"}, {"port", m_nodes[i].rpc_port}, {"threads", 1}}},
        {"events", {{"endpoint", "tcp://127.0.0.1:" + std::to_string(m_nodes[i].events_port)}}},
        {"consensus", consensus}};
    std::ofstream out(node_dir / "node.json");
    out << config.dump(2) << "\n";
    REQUIRE(out.good());
  }
}

ValidatorNetwork::~ValidatorNetwork() {
  for (Member& m : m_nodes) {
    if (m.pid > 0) (void)Terminate(m.pid, SIGKILL);
  }
}

std::string ValidatorNetwork::consensus_endpoint(std::size_t i) const {
  return "tcp://127.0.0.1:" + std::to_string(m_nodes[i].consensus_port);
}

std::filesystem::path ValidatorNetwork::key_path(std::size_t i) const {
  return m_dir / ("v" + std::to_string(i)) / "validator.key";
}

void ValidatorNetwork::Start(std::size_t i) {
  REQUIRE(m_nodes[i].pid <= 0);
  const std::filesystem::path node_dir = m_dir / ("v" + std::to_string(i));
  m_nodes[i].pid = Spawn((node_dir / "node.json").string(), (node_dir / "node.log").string());
  auto client = Client(i, std::chrono::milliseconds(500));
  AwaitRpc(m_nodes[i].pid, *client, [this, i] { return Log(i); });
}

void ValidatorNetwork::StartAll() {
  for (std::size_t i = 0; i < m_nodes.size(); ++i) Start(i);
}

int ValidatorNetwork::Stop(std::size_t i) { return Terminate(m_nodes[i].pid, SIGTERM); }

void ValidatorNetwork::Kill(std::size_t i) { (void)Terminate(m_nodes[i].pid, SIGKILL); }

std::unique_ptr<client::NodeClient> ValidatorNetwork::Client(
    std::size_t i, std::chrono::milliseconds timeout) const {
  return std::make_unique<client::NodeClient>("127.0.0.1", m_nodes[i].rpc_port, *m_suite, timeout);
}

std::string ValidatorNetwork::Log(std::size_t i) const {
  return ReadAll(m_dir / ("v" + std::to_string(i)) / "node.log");
}

std::string ValidatorNetwork::Logs() const {
  std::string out;
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    out += "---- node " + std::to_string(i) + " ----\n" + Log(i);
  }
  return out;
}

}  // namespace baylink::testing
