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

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "baylink/chain/node_cli.h"
#include "baylink/core/json.h"
#include "baylink/crypto/suites.h"

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

DevNode::~DevNode() {
  if (m_pid > 0) Kill();
}

void DevNode::Start() {
  REQUIRE(m_pid <= 0);
  const std::string config = (m_dir / "chain" / "node.json").string();
  const std::string log = (m_dir / "node.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::string program = BAYLINK_NODE_PATH;
  std::vector<std::string> args = {program, "run", "--config", config};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "cannot start " << program);
  m_pid = pid;
  auto client = Client(std::chrono::milliseconds(500));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      FAIL("baylink-node exited while starting; its log:\n" << Log());
    }
    if (client->GetChainInfo()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("baylink-node did not answer RPC within 20 s; its log:\n" << Log());
}

int DevNode::Stop() {
  REQUIRE(m_pid > 0);
  ::kill(m_pid, SIGTERM);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void DevNode::Kill() {
  REQUIRE(m_pid > 0);
  ::kill(m_pid, SIGKILL);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
}

std::unique_ptr<client::NodeClient> DevNode::Client(std::chrono::milliseconds timeout) const {
  return std::make_unique<client::NodeClient>("127.0.0.1", m_rpc_port, *m_suite, timeout);
}

std::string DevNode::Log() const {
  std::ifstream in(m_dir / "node.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace baylink::testing
