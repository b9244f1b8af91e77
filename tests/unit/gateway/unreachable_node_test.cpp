// SPDX-License-Identifier: Apache-2.0
//
// Every command that talks to a node fails with exit code 1 and says which node it could not
// reach when nothing listens there (port 1 on the loopback address: connections are refused
// at once). Running against a live node is covered by the integration and e2e suites.
#include "cli_runner.h"

namespace baylink::gateway::test {
namespace unreachable_node_test {
namespace {

const std::string kAddress = "0x" + std::string(40, 'b');
const std::string kHash = "0x" + std::string(64, '2');

void CheckUnreachable(const CliRun& run) {
  INFO("err: " << run.err);
  CHECK(run.code == 1);
  CHECK(Has(run.err, "baylink: "));
  CHECK(Has(run.err, "cannot reach node at 127.0.0.1:1"));
  CHECK(Has(run.err, "--node"));
  CHECK_FALSE(Has(run.err, "usage:"));
  CHECK(run.out.empty());
}

CliRun Against(std::vector<std::string> args) {
  args.insert(args.begin(), {"--node", "127.0.0.1:1", "--timeout-ms", "5000"});
  return RunBaylink(std::move(args));
}

TEST_CASE("read-only commands against a closed port fail saying the node cannot be reached") {
  CheckUnreachable(Against({"chain", "info"}));
  CheckUnreachable(Against({"asset", "balance", "--symbol", "HKD", "--owner", kAddress}));
  CheckUnreachable(Against({"asset", "supply", "--symbol", "HKD"}));
  CheckUnreachable(Against({"tx", "get", kHash}));
}

TEST_CASE("the node address may also follow the command") {
  CheckUnreachable(RunBaylink({"chain", "info", "--node", "127.0.0.1:1"}));
}

TEST_CASE("transaction commands against a closed port load the key, then fail saying the node cannot be reached") {
  TempDir dir;
  const std::string key = (dir.path() / "sender.key").string();
  REQUIRE(RunBaylink({"key", "new", "--suite", "sm", "--out", key}).code == 0);
  CheckUnreachable(Against({"asset", "create", "--key", key, "--symbol", "HKD"}));
  CheckUnreachable(Against({"asset", "mint", "--key", key, "--symbol", "HKD", "--to", kAddress,
                            "--amount", "100"}));
  CheckUnreachable(Against({"asset", "transfer", "--key", key, "--symbol", "HKD", "--to", kAddress,
                            "--amount", "1", "--no-wait"}));
}

TEST_CASE("a transaction command with a missing key file fails naming the file before contacting the node") {
  TempDir dir;
  const std::string key = (dir.path() / "absent.key").string();
  const CliRun run = Against({"asset", "create", "--key", key, "--symbol", "HKD"});
  CHECK(run.code == 1);
  CHECK(Has(run.err, key));
  CHECK_FALSE(Has(run.err, "cannot reach node"));
}

}  // namespace
}  // namespace unreachable_node_test
}  // namespace baylink::gateway::test
