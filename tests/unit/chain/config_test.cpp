// SPDX-License-Identifier: Apache-2.0
//
// The node's inputs from files and the wire: the node configuration, the genesis (JSON and
// binary), key files, and the Block / BlockEvents encodings. Every rejection names what was
// wrong.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_dir.h"
#include "baylink/chain/block.h"
#include "baylink/chain/files.h"
#include "baylink/chain/genesis.h"
#include "baylink/chain/node.h"
#include "baylink/core/json.h"
#include "chain_fixtures.h"

namespace baylink::chain::test {
namespace config_test {
namespace {

using core::Bytes;
using core::Errc;
using core::json::Json;
using baylink::testing::TempDir;

core::Result<NodeConfig> ParseConfig(std::string_view text,
                                     const std::filesystem::path& base = "/srv/node") {
  auto json = core::json::Parse(text);
  REQUIRE_MESSAGE(json.has_value(), json.error().Message());
  return NodeConfig::FromJson(*json, base);
}

void WriteText(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// ---- NodeConfig ---------------------------------------------------------------------------

TEST_CASE("node config accepts the two required fields and applies every default") {
  auto config = ParseConfig(R"({"data_dir": "data", "genesis": "/etc/hk/genesis.json"})");
  REQUIRE_MESSAGE(config.has_value(), config.error().Message());
  CHECK(config->data_dir == std::filesystem::path("/srv/node/data"));
  CHECK(config->genesis == std::filesystem::path("/etc/hk/genesis.json"));  // absolute: kept
  CHECK(config->validator_key.empty());
  CHECK_FALSE(config->dev);
  const NodeConfig defaults;
  CHECK(config->rpc_address == "127.0.0.1");
  CHECK(config->rpc_port == 8545);
  CHECK(config->rpc_threads == defaults.rpc_threads);
  CHECK(config->rpc_max_body_bytes == defaults.rpc_max_body_bytes);
  CHECK(config->rpc_max_connections == defaults.rpc_max_connections);
  CHECK(config->rpc_timeout_ms == defaults.rpc_timeout_ms);
  CHECK(config->rpc_max_batch == defaults.rpc_max_batch);
  CHECK(config->events_endpoint == "tcp://127.0.0.1:7545");
  CHECK(config->mempool.max_txs == MempoolOptions{}.max_txs);
  CHECK(config->mempool.max_bytes == MempoolOptions{}.max_bytes);
  CHECK(config->mempool.max_per_sender == MempoolOptions{}.max_per_sender);
  CHECK(config->sync_commits);
  CHECK(config->idle_check_ms == 10000);
}

TEST_CASE("node config reads every optional field") {
  auto config = ParseConfig(R"({
    "data_dir": "d", "genesis": "g.json", "validator_key": "keys/v.key", "dev": true,
    "rpc": {"address": "0.0.0.0", "port": 0, "threads": 4, "max_body_bytes": 2048,
            "max_connections": 10, "timeout_ms": 500, "max_batch": 7},
    "events": {"endpoint": "ipc:///tmp/hk-events"},
    "mempool": {"max_txs": 50, "max_bytes": 65536, "max_per_sender": 5},
    "sync_commits": false, "idle_check_ms": 250})");
  REQUIRE_MESSAGE(config.has_value(), config.error().Message());
  CHECK(config->validator_key == std::filesystem::path("/srv/node/keys/v.key"));
  CHECK(config->dev);
  CHECK(config->rpc_address == "0.0.0.0");
  CHECK(config->rpc_port == 0);
  CHECK(config->rpc_threads == 4);
  CHECK(config->rpc_max_body_bytes == 2048);
  CHECK(config->rpc_max_connections == 10);
  CHECK(config->rpc_timeout_ms == 500);
  CHECK(config->rpc_max_batch == 7);
  CHECK(config->events_endpoint == "ipc:///tmp/hk-events");
  CHECK(config->mempool.max_txs == 50);
  CHECK(config->mempool.max_bytes == 65536);
  CHECK(config->mempool.max_per_sender == 5);
  CHECK_FALSE(config->sync_commits);
  CHECK(config->idle_check_ms == 250);
}

TEST_CASE("node config rejects unknown, missing and mistyped fields, naming each") {
  CHECK_FAILS_WITH(ParseConfig(R"([1, 2])"), Errc::kMalformed, "expected a JSON object");
  CHECK_FAILS_WITH(ParseConfig(R"({"genesis": "g"})"), Errc::kMalformed,
                   "field 'data_dir' is missing");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "datadir": "x"})"),
                   Errc::kMalformed, "unknown field 'datadir'");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "rpc": {"bind": "x"}})"),
                   Errc::kMalformed, "node config rpc: unknown field 'bind'");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "mempool": {"max": 1}})"),
                   Errc::kMalformed, "node config mempool: unknown field 'max'");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": 5, "genesis": "g"})"), Errc::kMalformed,
                   "field 'data_dir' must be a string");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "dev": "yes"})"),
                   Errc::kMalformed, "field 'dev' must be true or false");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "rpc": {"port": "8545"}})"),
                   Errc::kMalformed, "field 'port' must be a non-negative integer");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "rpc": {"port": -1}})"),
                   Errc::kMalformed, "field 'port' must be a non-negative integer");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "rpc": {"threads": 1.5}})"),
                   Errc::kMalformed, "field 'threads' must be a non-negative integer");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "rpc": 8545})"),
                   Errc::kMalformed, "node config rpc: expected a JSON object");
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "events": {}})"),
                   Errc::kMalformed, "field 'endpoint' is missing");
}

TEST_CASE("node config reads the consensus section and rejects each bad field, naming it") {
  const auto with = [](std::string_view consensus) {
    return ParseConfig(std::string(R"({"data_dir": "d", "genesis": "g", "validator_key": "k", )") +
                       R"("consensus": )" + std::string(consensus) + "}");
  };
  auto ok = with(R"({"listen": "tcp://127.0.0.1:27002", "peers": ["tcp://127.0.0.1:27012"],
                     "peer_rpc": ["127.0.0.1:27010"], "propose_timeout_ms": 2000,
                     "step_timeout_ms": 700, "round_increase_ms": 300, "resend_ms": 400,
                     "max_clock_drift_ms": 5000})");
  REQUIRE_MESSAGE(ok, ok.error().Message());
  REQUIRE(ok->consensus);
  CHECK(ok->consensus->listen == "tcp://127.0.0.1:27002");
  CHECK(ok->consensus->peers == std::vector<std::string>{"tcp://127.0.0.1:27012"});
  CHECK(ok->consensus->peer_rpc == std::vector<std::string>{"127.0.0.1:27010"});
  CHECK(ok->consensus->timeouts.propose == std::chrono::milliseconds(2000));
  CHECK(ok->consensus->timeouts.prepare == std::chrono::milliseconds(700));
  CHECK(ok->consensus->timeouts.commit == std::chrono::milliseconds(700));
  CHECK(ok->consensus->timeouts.per_round == std::chrono::milliseconds(300));
  CHECK(ok->consensus->timeouts.resend == std::chrono::milliseconds(400));
  CHECK(ok->consensus->max_clock_drift_ms == 5000);
  CHECK_FALSE(ok->consensus->equivocate);

  CHECK_FAILS_WITH(with(R"({})"), Errc::kMalformed, "listen");
  CHECK_FAILS_WITH(with(R"({"listen": "127.0.0.1:1"})"), Errc::kInvalidArgument,
                   "consensus.listen");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "peers": "tcp://b:2"})"), Errc::kMalformed,
                   "consensus.peers");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "peers": ["udp://b:2"]})"),
                   Errc::kInvalidArgument, "consensus.peers[0]");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "peer_rpc": ["b"]})"), Errc::kInvalidArgument,
                   "consensus.peer_rpc[0]");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "peer_rpc": ["b:70000"]})"),
                   Errc::kInvalidArgument, "consensus.peer_rpc[0]");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "peer_rpc": [7]})"), Errc::kMalformed,
                   "consensus.peer_rpc[0]");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "propose_timeout_ms": 5})"),
                   Errc::kInvalidArgument, "consensus.propose_timeout_ms");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "resend_ms": 0})"), Errc::kInvalidArgument,
                   "consensus.resend_ms");
  CHECK_FAILS_WITH(with(R"({"listen": "tcp://a:1", "timeout": 1})"), Errc::kMalformed, "timeout");
  CHECK_FAILS_WITH(
      ParseConfig(R"({"data_dir": "d", "genesis": "g", "validator_key": "k", "dev": true,
                      "consensus": {"listen": "tcp://a:1"}})"),
      Errc::kInvalidArgument, "exclude each other");
}

TEST_CASE("node config rejects numbers out of range, naming the field and the range") {
  const auto with = [](std::string_view inner) {
    return ParseConfig(R"({"data_dir": "d", "genesis": "g", )" + std::string(inner) + "}");
  };
  CHECK_FAILS_WITH(with(R"("rpc": {"port": 65536})"), Errc::kInvalidArgument,
                   "rpc.port is 65536; allowed 0..65535");
  CHECK_FAILS_WITH(with(R"("rpc": {"threads": 0})"), Errc::kInvalidArgument,
                   "rpc.threads is 0; allowed 1..64");
  CHECK_FAILS_WITH(with(R"("rpc": {"threads": 65})"), Errc::kInvalidArgument, "rpc.threads");
  CHECK_FAILS_WITH(with(R"("rpc": {"max_body_bytes": 1023})"), Errc::kInvalidArgument,
                   "rpc.max_body_bytes is 1023");
  CHECK_FAILS_WITH(with(R"("rpc": {"max_connections": 0})"), Errc::kInvalidArgument,
                   "rpc.max_connections");
  CHECK_FAILS_WITH(with(R"("rpc": {"timeout_ms": 9})"), Errc::kInvalidArgument,
                   "rpc.timeout_ms is 9");
  CHECK_FAILS_WITH(with(R"("rpc": {"max_batch": 0})"), Errc::kInvalidArgument, "rpc.max_batch");
  CHECK_FAILS_WITH(with(R"("mempool": {"max_txs": 0})"), Errc::kInvalidArgument,
                   "mempool.max_txs is 0");
  CHECK_FAILS_WITH(with(R"("mempool": {"max_bytes": 100})"), Errc::kInvalidArgument,
                   "mempool.max_bytes is 100");
  CHECK_FAILS_WITH(with(R"("mempool": {"max_per_sender": 0})"), Errc::kInvalidArgument,
                   "mempool.max_per_sender");
  CHECK_FAILS_WITH(with(R"("idle_check_ms": 99)"), Errc::kInvalidArgument,
                   "idle_check_ms is 99; allowed 100..3600000");
  CHECK_FAILS_WITH(with(R"("events": {"endpoint": "http://127.0.0.1:7545"})"),
                   Errc::kInvalidArgument, "events.endpoint 'http://127.0.0.1:7545' must start");
  // A port number that does not fit 64 bits is a type error, not a wrap-around.
  CHECK_FALSE(with(R"("rpc": {"port": 18446744073709617151})").has_value());
}

TEST_CASE("node config refuses dev mode without a validator key") {
  CHECK_FAILS_WITH(ParseConfig(R"({"data_dir": "d", "genesis": "g", "dev": true})"),
                   Errc::kInvalidArgument, "dev is true but validator_key is missing");
  CHECK(ParseConfig(R"({"data_dir": "d", "genesis": "g", "dev": false})").has_value());
}

TEST_CASE("node config files resolve paths from their folder and prefix errors with their path") {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "node.json";
  WriteText(path, R"({"data_dir": "data", "genesis": "genesis.json"})");
  auto config = NodeConfig::Load(path);
  REQUIRE_MESSAGE(config.has_value(), config.error().Message());
  CHECK(config->data_dir == dir.path() / "data");
  CHECK(config->genesis == dir.path() / "genesis.json");

  WriteText(path, R"({"data_dir": "data", "genesis": )");
  CHECK_FAILS_WITH(NodeConfig::Load(path), Errc::kMalformed, path.string() + ": ");
  WriteText(path, R"({"data_dir": "data"})");
  CHECK_FAILS_WITH(NodeConfig::Load(path), Errc::kMalformed,
                   path.string() + ": node config: field 'genesis' is missing");
  CHECK_FAILS_WITH(NodeConfig::Load(dir.path() / "absent.json"), Errc::kIo,
                   (dir.path() / "absent.json").string());
}

// ---- Genesis ------------------------------------------------------------------------------

Genesis SampleGenesis(core::SuiteId id) {
  const core::CryptoSuite& suite = Suite(id);
  Genesis g = MakeGenesis(suite, "hk", {Key(suite, 1).public_key, Key(suite, 2).public_key});
  g.params.max_block_txs = 777;
  g.params.heartbeat_ms = 12345;
  return g;
}

TEST_CASE("genesis survives a JSON round trip and a binary round trip") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    const Genesis g = SampleGenesis(id);
    CHECK(g.Validate(Suite(id)).has_value());
    const Json j = g.ToJson();
    CHECK(j["suite"] == std::string(core::SuiteName(id)));
    auto back = Genesis::FromJson(j);
    REQUIRE_MESSAGE(back.has_value(), back.error().Message());
    CHECK(*back == g);
    // Through text too, as a file would be.
    auto parsed = core::json::Parse(j.dump(2));
    REQUIRE(parsed.has_value());
    CHECK(Genesis::FromJson(*parsed).value() == g);

    auto decoded = Genesis::Decode(g.Encode());
    REQUIRE(decoded.has_value());
    CHECK(*decoded == g);
  }
}

TEST_CASE("genesis JSON rejects missing, unknown and malformed fields, naming them") {
  const Json good = SampleGenesis(core::SuiteId::kEcdsa).ToJson();
  {
    Json j = good;
    j.erase("timestamp_ms");
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed, "field 'timestamp_ms' is missing");
  }
  {
    Json j = good;
    j["comment"] = "hi";
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed, "unknown field 'comment'");
  }
  {
    Json j = good;
    j["params"]["block_time"] = 1;
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed,
                     "genesis params: unknown field 'block_time'");
  }
  {
    Json j = good;
    j["params"].erase("history_heights");
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed, "field 'history_heights' is missing");
  }
  {
    Json j = good;
    j["params"]["max_block_txs"] = 4294967296ull;
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed,
                     "field 'max_block_txs' must fit in 32 bits");
  }
  {
    Json j = good;
    j["suite"] = "rsa";
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed, "field 'suite'");
  }
  {
    Json j = good;
    j["chain_id"] = 7;
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kMalformed, "field 'chain_id' must be a string");
  }
  {
    Json j = good;
    j["validators"][0]["public_key"] = "0x1234";
    CHECK_FAILS_WITH(Genesis::FromJson(j), Errc::kBadLength, "public_key");
  }
  {
    Json j = good;
    j["validators"][0]["public_key"] = "zz";
    CHECK_FALSE(Genesis::FromJson(j).has_value());
  }
  {
    Json j = good;
    j["validators"] = Json::array();
    CHECK_FALSE(Genesis::FromJson(j).has_value());
  }
}

TEST_CASE("genesis validation names the chain id, the parameter or the validator at fault") {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  Genesis g = SampleGenesis(core::SuiteId::kEcdsa);
  {
    Genesis bad = g;
    bad.chain_id = "Hong Kong";
    CHECK_FAILS_WITH(bad.Validate(suite), Errc::kMalformed, "");
  }
  {
    Genesis bad = g;
    bad.params.max_block_txs = 0;
    CHECK_FAILS_WITH(bad.Validate(suite), Errc::kInvalidArgument, "max_block_txs is 0");
  }
  {
    Genesis bad = g;
    core::PublicKey off_curve;
    off_curve.bytes.fill(0x03);
    bad.validators =
        core::ValidatorSet::Create({core::Validator{g.validators.validators()[0].public_key, 1},
                                    core::Validator{off_curve, 1}})
            .value();
    CHECK_FAILS_WITH(bad.Validate(suite), Errc::kBadPublicKey, "genesis: validators[1].public_key");
  }
}

TEST_CASE("genesis binary decoding rejects truncated input, trailing bytes and unknown suites") {
  const Bytes encoded = SampleGenesis(core::SuiteId::kSm).Encode();
  for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
    CAPTURE(cut);
    const Bytes prefix(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_FAILS_WITH(Genesis::Decode(prefix), Errc::kTruncated, "");
  }
  Bytes trailing = encoded;
  trailing.push_back(0);
  CHECK_FAILS_WITH(Genesis::Decode(trailing), Errc::kTrailingBytes, "");
  Bytes bad_suite = encoded;
  bad_suite[4 + 2] = 9;  // Text("hk") is a 4-byte length and 2 bytes, then the suite byte
  CHECK_FAILS_WITH(Genesis::Decode(bad_suite), Errc::kMalformed, "suite");
}

TEST_CASE("genesis files load with errors prefixed by their path") {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "genesis.json";
  const Genesis g = SampleGenesis(core::SuiteId::kEcdsa);
  WriteText(path, g.ToJson().dump(2));
  CHECK(LoadGenesis(path).value() == g);
  Json j = g.ToJson();
  j["extra"] = true;
  WriteText(path, j.dump());
  CHECK_FAILS_WITH(LoadGenesis(path), Errc::kMalformed, path.string() + ": genesis: unknown field");
  WriteText(path, "{");
  CHECK_FAILS_WITH(LoadGenesis(path), Errc::kMalformed, path.string());
  CHECK_FAILS_WITH(LoadGenesis(dir.path() / "none.json"), Errc::kIo, "none.json");
}

// ---- KeyFile ------------------------------------------------------------------------------

TEST_CASE("key files round trip, with owner-only permissions") {
  TempDir dir;
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    const core::CryptoSuite& suite = Suite(id);
    const core::KeyPair keys = Key(suite, 42);
    const KeyFile file{id, keys.secret, keys.public_key};
    const std::filesystem::path path = dir.path() / (std::string(core::SuiteName(id)) + ".key");
    REQUIRE(file.Save(path).has_value());
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    auto loaded = KeyFile::Load(path);
    REQUIRE_MESSAGE(loaded.has_value(), loaded.error().Message());
    CHECK(loaded->suite == id);
    CHECK(core::ToHex(loaded->secret.Reveal()) == core::ToHex(keys.secret.Reveal()));
    CHECK(loaded->public_key == keys.public_key);
    // The file tells people the address too.
    auto json = core::json::Parse(ReadFile(path).value());
    REQUIRE(json.has_value());
    CHECK((*json)["address"] == suite.ToAddress(keys.public_key).ToHex());
  }
}

TEST_CASE("key files are refused when the public key or address does not belong to the secret") {
  TempDir dir;
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  const core::KeyPair keys = Key(suite, 1);
  const core::KeyPair other = Key(suite, 2);
  const std::filesystem::path path = dir.path() / "v.key";

  const KeyFile mismatched{core::SuiteId::kEcdsa, keys.secret, other.public_key};
  REQUIRE(mismatched.Save(path).has_value());
  CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kInvalidArgument,
                   "public_key or address does not belong to secret_key");

  // The right public key with another address.
  REQUIRE(KeyFile{core::SuiteId::kEcdsa, keys.secret, keys.public_key}.Save(path).has_value());
  Json j = core::json::Parse(ReadFile(path).value()).value();
  j["address"] = suite.ToAddress(other.public_key).ToHex();
  WriteText(path, j.dump());
  CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kInvalidArgument, "does not belong to secret_key");

  // A key of one suite read as the other: the public key does not match either.
  j = core::json::Parse(ReadFile(dir.path() / "v.key").value()).value();
  j["address"] = suite.ToAddress(keys.public_key).ToHex();
  j["suite"] = "sm";
  WriteText(path, j.dump());
  CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kInvalidArgument, "does not belong");
}

TEST_CASE("key files reject bad secrets, unknown suites and missing fields") {
  TempDir dir;
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  const core::KeyPair keys = Key(suite, 3);
  const std::filesystem::path path = dir.path() / "k.key";
  REQUIRE(KeyFile{core::SuiteId::kEcdsa, keys.secret, keys.public_key}.Save(path).has_value());
  const Json good = core::json::Parse(ReadFile(path).value()).value();
  {
    Json j = good;
    j["secret_key"] = "0x" + std::string(64, '0');
    WriteText(path, j.dump());
    CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kBadSecretKey, "secret_key");
  }
  {
    Json j = good;
    j["suite"] = "rsa";
    WriteText(path, j.dump());
    CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kMalformed, "suite");
  }
  {
    Json j = good;
    j.erase("public_key");
    WriteText(path, j.dump());
    CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kMalformed, "field 'public_key' is missing");
  }
  {
    Json j = good;
    j["note"] = "x";
    WriteText(path, j.dump());
    CHECK_FAILS_WITH(KeyFile::Load(path), Errc::kMalformed, "unknown field 'note'");
  }
  CHECK_FAILS_WITH(KeyFile::Load(dir.path() / "missing.key"), Errc::kIo, "missing.key");
}

// ---- Block and BlockEvents ----------------------------------------------------------------

Block SampleBlock() {
  const core::CryptoSuite& suite = Suite(core::SuiteId::kEcdsa);
  const Account alice = MakeAccount(suite, 7);
  Block block;
  block.header.chain_id = "hk";
  block.header.height = 12;
  block.header.timestamp_ms = 1767225600123;
  block.header.parent_hash.bytes.fill(0x11);
  block.header.state_root.bytes.fill(0x22);
  block.header.proposer = 2;
  block.transactions.push_back(
      SignedTx(suite, alice, "hk", 0, "asset", "create", contracts::EncodeCreate("HKD")));
  block.transactions.push_back(SignedTx(suite, alice, "hk", 1, "asset", "mint",
                                        contracts::EncodeMint("HKD", alice.address, 5)));
  const core::KeyPair validator = Key(suite, 8);
  block.certificate =
      Certify(suite, block.header, {{0, &validator.secret}, {3, &validator.secret}});
  return block;
}

TEST_CASE("blocks survive an encode/decode round trip and truncation is rejected") {
  const Block block = SampleBlock();
  const Bytes encoded = block.Encode();
  auto decoded = Block::Decode(encoded);
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
  CHECK(decoded->header == block.header);
  CHECK(decoded->certificate == block.certificate);
  CHECK(decoded->transactions == block.transactions);
  CHECK(decoded->Encode() == encoded);
  for (std::size_t cut = 0; cut < encoded.size(); cut += 7) {
    CAPTURE(cut);
    const Bytes prefix(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_FALSE(Block::Decode(prefix).has_value());
  }
  const Bytes last(encoded.begin(), encoded.end() - 1);
  CHECK_FAILS_WITH(Block::Decode(last), Errc::kTruncated, "");
  Bytes trailing = encoded;
  trailing.push_back(0);
  CHECK_FAILS_WITH(Block::Decode(trailing), Errc::kTrailingBytes, "");
  // An empty block (the genesis block's shape) too.
  Block empty;
  empty.header.chain_id = "hk";
  auto empty_back = Block::Decode(empty.Encode());
  REQUIRE(empty_back.has_value());
  CHECK(empty_back->transactions.empty());
}

TEST_CASE("block events survive an encode/decode round trip and truncation is rejected") {
  const Block block = SampleBlock();
  BlockEvents events;
  events.header = block.header;
  events.certificate = block.certificate;
  core::Hash32 tx0;
  tx0.bytes.fill(0xa0);
  core::Hash32 tx1;
  tx1.bytes.fill(0xa1);
  events.events.push_back(IndexedEvent{tx0, 0, core::Event{"asset", "created", Bytes{1, 2}}});
  events.events.push_back(IndexedEvent{tx1, 1, core::Event{"asset", "minted", Bytes{}}});
  events.events.push_back(IndexedEvent{tx1, 1, core::Event{"probe", "x.y", Bytes(300, 9)}});
  const Bytes encoded = events.Encode();
  auto decoded = BlockEvents::Decode(encoded);
  REQUIRE_MESSAGE(decoded.has_value(), decoded.error().Message());
  CHECK(*decoded == events);
  for (std::size_t cut = 0; cut < encoded.size(); cut += 5) {
    CAPTURE(cut);
    const Bytes prefix(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_FALSE(BlockEvents::Decode(prefix).has_value());
  }
  const Bytes last(encoded.begin(), encoded.end() - 1);
  CHECK_FAILS_WITH(BlockEvents::Decode(last), Errc::kTruncated, "");
  Bytes trailing = encoded;
  trailing.push_back(0);
  CHECK_FAILS_WITH(BlockEvents::Decode(trailing), Errc::kTrailingBytes, "");
  // An event with a malformed topic is refused, not carried.
  BlockEvents bad = events;
  bad.events[0].event.topic = "no spaces";
  CHECK_FALSE(BlockEvents::Decode(bad.Encode()).has_value());
}

}  // namespace
}  // namespace config_test
}  // namespace baylink::chain::test
