// SPDX-License-Identifier: Apache-2.0
//
// Parses the command line, finds the command and runs it (RunCli's contract in cli.h).
#include "baylink/gateway/cli.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "commands.h"

namespace baylink::gateway {
namespace {

constexpr std::string_view kGlobalOptions =
    "global options (before the command, or among a node command's options):\n"
    "  --node HOST:PORT   the node's RPC address (default 127.0.0.1:8545)\n"
    "  --timeout-ms N     the longest one request to the node may take (default 10000)\n"
    "  --help             this text; after a command, that command's usage\n";

constexpr std::string_view kTxOptions =
    "transaction options (asset create, mint, transfer):\n"
    "  --expiry-blocks N  the transaction expires N blocks after the node's height (default 100)\n"
    "  --wait-ms N        how long to wait for it to be committed (default 30000)\n"
    "  --no-wait          print its hash once the node accepted it; do not wait\n";

constexpr std::string_view kValues =
    "Amounts are whole numbers of the asset's smallest unit (decimal digits, at most\n"
    "2^128 - 1). Addresses are 0x and 40 hex digits; hashes 0x and 64.\n"
    "Exit status: 0 success, 1 failure, 2 bad usage.\n";

struct Command {
  std::string_view group;
  std::string_view name;
  std::string_view synopsis;  // after "baylink "
  std::string_view summary;   // indented lines, each ending in '\n'
  OptionSpec spec;
  bool talks_to_node = false;  // accepts --node and --timeout-ms
  bool sends_tx = false;       // accepts the transaction options
  int (*run)(Cli&, const Args&) = nullptr;
};

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"key", "new", "key new --suite sm|ecdsa --out FILE",
       "      Writes a new key file (mode 0600; never replaces an existing file) and prints\n"
       "      its public key and address.\n",
       {{"suite", "out"}, {}, {}}, false, false, KeyNew},
      {"chain", "info", "chain info",
       "      Prints the node's chain id, crypto suite, height, head hash and mempool size.\n",
       {}, true, false, ChainInfo},
      {"asset", "create", "asset create --key FILE --symbol SYM [transaction options]",
       "      Creates asset SYM; the key's address becomes its issuer.\n",
       {{"key", "symbol"}, {}, {}}, true, true, AssetCreate},
      {"asset", "mint",
       "asset mint --key FILE --symbol SYM --to ADDRESS --amount AMOUNT [transaction options]",
       "      Mints AMOUNT of SYM to ADDRESS; the key must be SYM's issuer.\n",
       {{"key", "symbol", "to", "amount"}, {}, {}}, true, true, AssetMint},
      {"asset", "transfer",
       "asset transfer --key FILE --symbol SYM --to ADDRESS --amount AMOUNT [transaction options]",
       "      Moves AMOUNT of SYM from the key's address to ADDRESS.\n",
       {{"key", "symbol", "to", "amount"}, {}, {}}, true, true, AssetTransfer},
      {"asset", "balance", "asset balance --symbol SYM --owner ADDRESS",
       "      Prints the balance of ADDRESS in SYM (0 if it never held any).\n",
       {{"symbol", "owner"}, {}, {}}, true, false, AssetBalance},
      {"asset", "supply", "asset supply --symbol SYM",
       "      Prints the issuer and total supply of SYM.\n",
       {{"symbol"}, {}, {}}, true, false, AssetSupply},
      {"tx", "get", "tx get HASH",
       "      Prints where a transaction was committed and its receipt (result, message,\n"
       "      events), or that it is pending.\n",
       {{}, {}, {"HASH"}}, true, false, TxGet},
  };
  return commands;
}

std::string CommandUsage(const Command& c) {
  std::string text = "usage: baylink [global options] " + std::string(c.synopsis) + "\n" +
                     std::string(c.summary);
  if (c.sends_tx) text += "\n" + std::string(kTxOptions);
  if (c.talks_to_node) text += "\n" + std::string(kGlobalOptions);
  return text;
}

std::string GroupUsage(std::string_view group) {
  std::string text = "usage:\n";
  bool sends_tx = false;
  for (const Command& c : Commands()) {
    if (c.group != group) continue;
    text += "  baylink [global options] " + std::string(c.synopsis) + "\n" + std::string(c.summary);
    sends_tx = sends_tx || c.sends_tx;
  }
  if (sends_tx) text += "\n" + std::string(kTxOptions);
  return text + "\n" + std::string(kGlobalOptions);
}

std::string FullUsage() {
  std::string text = "usage: baylink [global options] <command> [options]\n\ncommands:\n";
  for (const Command& c : Commands()) {
    text += "  " + std::string(c.synopsis) + "\n" + std::string(c.summary);
  }
  text += "  help\n      Prints this text.\n\n";
  text += std::string(kGlobalOptions) + "\n" + std::string(kTxOptions) + "\n" + std::string(kValues);
  return text;
}

int Help(const Cli& cli, const std::string& text) {
  std::fprintf(cli.out, "%s", text.c_str());
  return 0;
}

// Applies --node and --timeout-ms from `args` to `cli`.
core::Status ApplyNodeOptions(Cli& cli, const Args& args) {
  if (const std::string* text = args.Get("node")) {
    BAYLINK_ASSIGN_OR_RETURN(const NodeAddress address, ParseNodeAddress(*text));
    cli.host = address.host;
    cli.port = address.port;
  }
  if (const std::string* text = args.Get("timeout-ms")) {
    BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t ms, ParseCount("timeout-ms", *text, 1, 3'600'000));
    cli.timeout = std::chrono::milliseconds(ms);
  }
  return core::Ok();
}

core::Error Problem(std::string detail) { return core::Fail(core::Errc::kInvalidArgument, std::move(detail)); }

}  // namespace

int RunCli(int argc, char** argv, std::FILE* out, std::FILE* err) {
  Cli cli;
  cli.out = out;
  cli.err = err;
  cli.usage = FullUsage();
  const std::span<char* const> words(argv + 1, argc > 1 ? static_cast<std::size_t>(argc - 1) : 0);

  // Global options come before the first bare word (the command group).
  std::size_t first = 0;
  while (first < words.size() && words[first][0] == '-') {
    const std::string_view word(words[first]);
    first += (word == "--node" || word == "--timeout-ms") ? 2 : 1;
  }
  first = std::min(first, words.size());
  const OptionSpec global_spec{{"node", "timeout-ms"}, {}, {}};
  auto global = ParseArgs(words.first(first), global_spec);
  if (!global) return cli.Usage(global.error());
  if (global->help) return Help(cli, FullUsage());
  if (core::Status s = ApplyNodeOptions(cli, *global); !s) return cli.Usage(s.error());
  if (first == words.size()) return cli.Usage(Problem("a command is needed"));

  const std::string_view group(words[first]);
  if (group == "help") return Help(cli, FullUsage());
  bool known_group = false;
  for (const Command& c : Commands()) known_group = known_group || c.group == group;
  if (!known_group) return cli.Usage(Problem("unknown command '" + std::string(group) + "'"));
  cli.usage = GroupUsage(group);
  if (first + 1 == words.size()) {
    return cli.Usage(Problem("'" + std::string(group) + "' needs a subcommand"));
  }
  const std::string_view name(words[first + 1]);
  if (name == "--help" || name == "-h" || name == "help") return Help(cli, GroupUsage(group));
  const Command* command = nullptr;
  for (const Command& c : Commands()) {
    if (c.group == group && c.name == name) command = &c;
  }
  if (command == nullptr) {
    return cli.Usage(Problem("unknown command '" + std::string(group) + " " + std::string(name) + "'"));
  }

  cli.usage = CommandUsage(*command);
  OptionSpec spec = command->spec;
  if (command->talks_to_node) {
    spec.valued.insert(spec.valued.end(), {"node", "timeout-ms"});
  }
  if (command->sends_tx) {
    spec.valued.insert(spec.valued.end(), {"expiry-blocks", "wait-ms"});
    spec.flags.push_back("no-wait");
  }
  auto args = ParseArgs(words.subspan(first + 2), spec);
  if (!args) return cli.Usage(args.error());
  if (args->help) return Help(cli, CommandUsage(*command));
  for (std::string_view option : {"node", "timeout-ms"}) {
    if (global->Has(option) && args->Has(option)) {
      return cli.Usage(Problem("option --" + std::string(option) + " given twice"));
    }
  }
  if (core::Status s = ApplyNodeOptions(cli, *args); !s) return cli.Usage(s.error());
  return command->run(cli, *args);
}

}  // namespace baylink::gateway
