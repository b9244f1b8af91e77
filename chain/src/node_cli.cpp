// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/node_cli.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "baylink/chain/files.h"
#include "baylink/chain/node.h"
#include "baylink/crypto/suites.h"

namespace baylink::chain {
namespace {

constexpr const char* kUsage =
    "usage: baylink-node <command> [options]\n"
    "\n"
    "commands:\n"
    "  keygen --suite sm|ecdsa --out FILE\n"
    "      Writes a new validator key file (mode 0600) and prints its public key.\n"
    "  init --chain-id ID --suite sm|ecdsa --validator-key FILE [--validator-key FILE ...]\n"
    "       --out DIR [--dev] [--block-interval-ms N] [--heartbeat-ms N] [--history N]\n"
    "       [--rpc-port N] [--events-port N]\n"
    "      Writes DIR/genesis.json (the validators' public keys, power 1 each) and\n"
    "      DIR/node.json (data in DIR/data; with --dev, the first key produces blocks).\n"
    "  run --config FILE\n"
    "      Runs the node until SIGINT or SIGTERM.\n"
    "  help\n";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "baylink-node: %s\n\n%s", problem.c_str(), kUsage);
  return 2;
}

int Failed(const core::Error& error) {
  std::fprintf(stderr, "baylink-node: %s\n", error.Message().c_str());
  return 1;
}

// --name value pairs; repeated names keep every value. Flags in `flags` take no value.
struct Args {
  std::map<std::string, std::vector<std::string>> values;
  std::string problem;

  const std::string* One(const std::string& name) const {
    const auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second.back();
  }
  bool Has(const std::string& name) const { return values.contains(name); }
};

Args Parse(int argc, char** argv, int first, const std::vector<std::string>& known,
           const std::vector<std::string>& flags) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) {
      args.problem = "unexpected argument '" + name + "'";
      return args;
    }
    name = name.substr(2);
    const bool is_flag = std::find(flags.begin(), flags.end(), name) != flags.end();
    if (!is_flag && std::find(known.begin(), known.end(), name) == known.end()) {
      args.problem = "unknown option --" + name;
      return args;
    }
    if (is_flag) {
      args.values[name].push_back("true");
      continue;
    }
    if (i + 1 >= argc) {
      args.problem = "option --" + name + " needs a value";
      return args;
    }
    args.values[name].push_back(argv[++i]);
  }
  return args;
}

bool ParseU64(const std::string& text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

int Keygen(const Args& args) {
  const std::string* suite_name = args.One("suite");
  const std::string* out = args.One("out");
  if (suite_name == nullptr || out == nullptr) return Usage("keygen needs --suite and --out");
  auto suite_id = core::ParseSuiteId(*suite_name);
  if (!suite_id) return Failed(suite_id.error());
  if (std::filesystem::exists(*out)) {
    return Failed(core::Fail(core::Errc::kDuplicate, *out + " already exists; keygen never "
                                                            "overwrites a key"));
  }
  const auto suite = crypto::MakeSuite(*suite_id);
  crypto::SystemRandom rng;
  core::KeyPair pair = suite->GenerateKey(rng);
  const KeyFile key{*suite_id, pair.secret, pair.public_key};
  if (core::Status s = key.Save(*out); !s) return Failed(s.error());
  std::printf("public_key %s\naddress %s\n", pair.public_key.ToHex().c_str(),
              suite->ToAddress(pair.public_key).ToHex().c_str());
  return 0;
}

int Init(const Args& args) {
  const std::string* chain_id = args.One("chain-id");
  const std::string* suite_name = args.One("suite");
  const std::string* out = args.One("out");
  if (chain_id == nullptr || suite_name == nullptr || out == nullptr || !args.Has("validator-key")) {
    return Usage("init needs --chain-id, --suite, --out and at least one --validator-key");
  }
  auto suite_id = core::ParseSuiteId(*suite_name);
  if (!suite_id) return Failed(suite_id.error());
  Genesis genesis;
  genesis.chain_id = *chain_id;
  genesis.suite = *suite_id;
  genesis.timestamp_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::uint64_t value = 0;
  const std::pair<const char*, std::uint64_t*> numbers[] = {
      {"block-interval-ms", &genesis.params.block_interval_ms},
      {"heartbeat-ms", &genesis.params.heartbeat_ms},
      {"history", &genesis.params.history_heights}};
  for (const auto& [name, field] : numbers) {
    if (const std::string* text = args.One(name)) {
      if (!ParseU64(*text, value)) return Usage("--" + std::string(name) + " needs a number");
      *field = value;
    }
  }
  if (genesis.params.heartbeat_ms < genesis.params.block_interval_ms) {
    genesis.params.heartbeat_ms = genesis.params.block_interval_ms;
  }
  std::vector<core::Validator> validators;
  std::filesystem::path first_key;
  for (const std::string& path : args.values.at("validator-key")) {
    auto key = KeyFile::Load(path);
    if (!key) return Failed(key.error());
    if (key->suite != *suite_id) {
      return Failed(core::Fail(core::Errc::kInvalidArgument,
                               path + " holds a " + std::string(core::SuiteName(key->suite)) +
                                   " key; the chain uses " + *suite_name));
    }
    if (first_key.empty()) first_key = std::filesystem::absolute(path);
    validators.push_back(core::Validator{key->public_key, 1});
  }
  auto set = core::ValidatorSet::Create(std::move(validators));
  if (!set) return Failed(set.error());
  genesis.validators = std::move(*set);
  const auto suite = crypto::MakeSuite(*suite_id);
  if (core::Status s = genesis.Validate(*suite); !s) return Failed(s.error());

  std::uint64_t rpc_port = 8545;
  std::uint64_t events_port = 7545;
  if (const std::string* text = args.One("rpc-port"); text && (!ParseU64(*text, rpc_port) || rpc_port > 65535)) {
    return Usage("--rpc-port needs a port number");
  }
  if (const std::string* text = args.One("events-port"); text && (!ParseU64(*text, events_port) || events_port > 65535)) {
    return Usage("--events-port needs a port number");
  }
  std::error_code ec;
  std::filesystem::create_directories(*out, ec);
  if (ec) return Failed(core::Fail(core::Errc::kIo, "cannot create " + *out + ": " + ec.message()));
  const std::filesystem::path dir(*out);
  if (std::filesystem::exists(dir / "genesis.json")) {
    return Failed(core::Fail(core::Errc::kDuplicate, (dir / "genesis.json").string() +
                                                         " already exists; init never overwrites a chain"));
  }
  if (core::Status s = WriteFileAtomic(dir / "genesis.json", genesis.ToJson().dump(2) + "\n"); !s) {
    return Failed(s.error());
  }
  core::json::Json config{{"data_dir", "data"},
                          {"genesis", "genesis.json"},
                          {"validator_key", first_key.string()},
                          {"dev", args.Has("dev")},
                          {"rpc", {{"address", "127.0.0.1"}, {"port", rpc_port}}},
                          {"events", {{"endpoint", "tcp://127.0.0.1:" + std::to_string(events_port)}}}};
  if (core::Status s = WriteFileAtomic(dir / "node.json", config.dump(2) + "\n"); !s) {
    return Failed(s.error());
  }
  std::printf("wrote %s and %s\n", (dir / "genesis.json").c_str(), (dir / "node.json").c_str());
  return 0;
}

int Run(const Args& args) {
  const std::string* config_path = args.One("config");
  if (config_path == nullptr) return Usage("run needs --config FILE");
  auto config = NodeConfig::Load(*config_path);
  if (!config) return Failed(config.error());
  // Signals are taken by sigwait below, never by a handler: block them before any thread
  // starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto node = Node::Start(*config, StderrLog());
  if (!node) return Failed(node.error());
  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "baylink-node: %s received, stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*node)->Stop();
  return 0;
}

}  // namespace

int RunNodeCli(int argc, char** argv) {
  if (argc < 2) return Usage("a command is needed");
  const std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    std::printf("%s", kUsage);
    return 0;
  }
  if (command == "keygen") {
    Args args = Parse(argc, argv, 2, {"suite", "out"}, {});
    return args.problem.empty() ? Keygen(args) : Usage(args.problem);
  }
  if (command == "init") {
    Args args = Parse(argc, argv, 2,
                      {"chain-id", "suite", "validator-key", "out", "block-interval-ms",
                       "heartbeat-ms", "history", "rpc-port", "events-port"},
                      {"dev"});
    return args.problem.empty() ? Init(args) : Usage(args.problem);
  }
  if (command == "run") {
    Args args = Parse(argc, argv, 2, {"config"}, {});
    return args.problem.empty() ? Run(args) : Usage(args.problem);
  }
  return Usage("unknown command '" + command + "'");
}

}  // namespace baylink::chain
