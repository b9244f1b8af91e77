// SPDX-License-Identifier: Apache-2.0
//
// The command line's parsing: help, usage errors and the checks on every value, all of which
// run before a file is read or the node is contacted (so no node is needed here: the default
// --node is never reached, and a test that reached it would fail with exit code 1, not 2).
#include "cli_runner.h"

namespace baylink::gateway::test {
namespace cli_test {
namespace {

const std::string kAddress = "0x" + std::string(40, 'a');
const std::string kHash = "0x" + std::string(64, '1');

// Checks a usage error: exit code 2, a message holding `problem` on err, the usage after it, nothing on out.
void CheckUsage(const CliRun& run, const std::string& problem) {
  INFO("err: " << run.err);
  CHECK(run.code == 2);
  CHECK(run.err.rfind("baylink: ", 0) == 0);
  CHECK(Has(run.err, problem));
  CHECK(Has(run.err, "usage:"));
  CHECK(run.out.empty());
}

std::vector<std::string> Mint(const std::string& amount, const std::string& to = kAddress) {
  return {"asset", "mint", "--key", "unused.key", "--symbol", "HKD", "--to", to, "--amount", amount};
}

TEST_CASE("help prints the whole usage on out and exits 0") {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
    const CliRun run = RunBaylink(args);
    CHECK(run.code == 0);
    CHECK(run.err.empty());
    for (const char* part : {"key new --suite sm|ecdsa --out FILE", "chain info", "asset create",
                             "asset mint", "asset transfer", "asset balance", "asset supply",
                             "tx get HASH", "--node HOST:PORT", "--timeout-ms N", "--expiry-blocks N",
                             "--no-wait", "Exit status"}) {
      CHECK_MESSAGE(Has(run.out, part), part);
    }
  }
}

TEST_CASE("help after a command group or a command prints only what it names") {
  const CliRun group = RunBaylink({"asset", "--help"});
  CHECK(group.code == 0);
  CHECK(Has(group.out, "asset mint"));
  CHECK(Has(group.out, "asset balance"));
  CHECK_FALSE(Has(group.out, "key new"));

  const CliRun command = RunBaylink({"asset", "mint", "--help"});
  CHECK(command.code == 0);
  CHECK(Has(command.out, "asset mint --key FILE --symbol SYM --to ADDRESS --amount AMOUNT"));
  CHECK(Has(command.out, "--wait-ms N"));
  CHECK_FALSE(Has(command.out, "asset transfer"));

  const CliRun key = RunBaylink({"key", "new", "-h"});
  CHECK(key.code == 0);
  CHECK(Has(key.out, "key new --suite"));
  CHECK_FALSE(Has(key.out, "--node"));  // key new never talks to a node
}

TEST_CASE("help wins over anything wrong on the same command line") {
  const CliRun run = RunBaylink({"asset", "mint", "--bogus", "--amount", "1.5", "--help"});
  CHECK(run.code == 0);
  CHECK(Has(run.out, "asset mint"));
}

TEST_CASE("a missing command is a usage error") {
  CheckUsage(RunBaylink({}), "a command is needed");
  CheckUsage(RunBaylink({"--node", "127.0.0.1:9"}), "a command is needed");
  CheckUsage(RunBaylink({"asset"}), "'asset' needs a subcommand");
}

TEST_CASE("an unknown command is a usage error that names it") {
  CheckUsage(RunBaylink({"frobnicate"}), "unknown command 'frobnicate'");
  CheckUsage(RunBaylink({"asset", "burn", "--symbol", "HKD"}), "unknown command 'asset burn'");
  CheckUsage(RunBaylink({"chain", "status"}), "unknown command 'chain status'");
}

TEST_CASE("an unknown, repeated or incomplete option is a usage error that names it") {
  CheckUsage(RunBaylink({"chain", "info", "--bogus"}), "unknown option --bogus");
  CheckUsage(RunBaylink({"--bogus", "chain", "info"}), "unknown option --bogus");
  CheckUsage(RunBaylink({"key", "new", "--suite", "sm", "--out", "k", "--node", "127.0.0.1:1"}),
             "unknown option --node");
  CheckUsage(RunBaylink({"asset", "supply", "--symbol"}), "option --symbol needs a value");
  CheckUsage(RunBaylink({"asset", "supply", "--symbol", "A", "--symbol", "B"}),
             "option --symbol given twice");
  CheckUsage(RunBaylink({"--node", "127.0.0.1:1", "chain", "info", "--node", "127.0.0.1:2"}),
             "option --node given twice");
  CheckUsage(RunBaylink({"chain", "info", "extra"}), "unexpected argument 'extra'");
}

TEST_CASE("a missing required option is a usage error that names it") {
  CheckUsage(RunBaylink({"key", "new", "--suite", "sm"}), "missing --out");
  CheckUsage(RunBaylink({"key", "new", "--out", "k"}), "missing --suite");
  CheckUsage(RunBaylink({"asset", "create", "--symbol", "HKD"}), "missing --key");
  CheckUsage(RunBaylink({"asset", "create", "--key", "k"}), "missing --symbol");
  CheckUsage(RunBaylink({"asset", "mint", "--key", "k", "--symbol", "HKD", "--to", kAddress}),
             "missing --amount");
  CheckUsage(RunBaylink({"asset", "transfer", "--key", "k", "--symbol", "HKD", "--amount", "5"}),
             "missing --to");
  CheckUsage(RunBaylink({"asset", "balance", "--symbol", "HKD"}), "missing --owner");
  CheckUsage(RunBaylink({"tx", "get"}), "missing HASH");
}

TEST_CASE("an amount that is not a whole number above zero is a usage error") {
  const CliRun fraction = RunBaylink(Mint("1.5"));
  CheckUsage(fraction, "--amount '1.5'");
  CHECK(Has(fraction.err, "whole numbers"));
  CheckUsage(RunBaylink(Mint("0")), "--amount '0': the amount must be above zero");
  CheckUsage(RunBaylink(Mint("-3")), "--amount '-3'");
  CheckUsage(RunBaylink(Mint("1e6")), "--amount '1e6'");
  CheckUsage(RunBaylink(Mint("007")), "--amount '007'");
  CheckUsage(RunBaylink(Mint("")), "--amount ''");
  // 2^128: one more than the largest amount.
  CheckUsage(RunBaylink(Mint("340282366920938463463374607431768211456")),
             "--amount '340282366920938463463374607431768211456'");
}

TEST_CASE("an address that is not 0x and 40 hex digits is a usage error") {
  CheckUsage(RunBaylink(Mint("5", "0x1234")), "--to '0x1234' is not an address");
  CheckUsage(RunBaylink(Mint("5", std::string(40, 'a'))), "is not an address");
  CheckUsage(RunBaylink(Mint("5", "0x" + std::string(39, 'a') + "g")), "is not an address");
  CheckUsage(RunBaylink({"asset", "balance", "--symbol", "HKD", "--owner", "alice"}),
             "--owner 'alice' is not an address");
}

TEST_CASE("a symbol the asset contract would refuse is a usage error") {
  CheckUsage(RunBaylink({"asset", "supply", "--symbol", "H K D"}), "--symbol 'H K D'");
  CheckUsage(RunBaylink({"asset", "supply", "--symbol", std::string(17, 'A')}), "--symbol");
  CheckUsage(RunBaylink({"asset", "supply", "--symbol", ""}), "--symbol ''");
}

TEST_CASE("a malformed transaction hash is a usage error") {
  CheckUsage(RunBaylink({"tx", "get", "0x12"}), "'0x12' is not a transaction hash");
  CheckUsage(RunBaylink({"tx", "get", std::string(64, '1')}), "is not a transaction hash");
  CheckUsage(RunBaylink({"tx", "get", kHash, kHash}), "unexpected argument");
}

TEST_CASE("node, timeout and transaction options are checked") {
  CheckUsage(RunBaylink({"--node", "localhost", "chain", "info"}), "--node 'localhost': no port");
  CheckUsage(RunBaylink({"--node", "127.0.0.1:99999", "chain", "info"}), "--node '127.0.0.1:99999'");
  CheckUsage(RunBaylink({"--node", ":8545", "chain", "info"}), "no host");
  CheckUsage(RunBaylink({"--node", "::1:8545", "chain", "info"}), "an IPv6 address needs brackets");
  CheckUsage(RunBaylink({"--timeout-ms", "0", "chain", "info"}), "--timeout-ms '0'");
  CheckUsage(RunBaylink({"chain", "info", "--timeout-ms", "soon"}), "--timeout-ms 'soon'");
  CheckUsage(RunBaylink({"asset", "create", "--key", "k", "--symbol", "HKD", "--expiry-blocks", "0"}),
             "--expiry-blocks '0'");
  CheckUsage(RunBaylink({"asset", "create", "--key", "k", "--symbol", "HKD", "--no-wait",
                         "--wait-ms", "10"}),
             "--wait-ms and --no-wait exclude each other");
  CheckUsage(RunBaylink({"asset", "balance", "--symbol", "HKD", "--owner", kAddress, "--no-wait"}),
             "unknown option --no-wait");
}

TEST_CASE("an unknown suite for key new is a usage error") {
  CheckUsage(RunBaylink({"key", "new", "--suite", "rsa", "--out", "k"}), "--suite: unknown crypto suite 'rsa'");
}

}  // namespace
}  // namespace cli_test
}  // namespace baylink::gateway::test
