// SPDX-License-Identifier: Apache-2.0
//
// The context every command runs in and the commands themselves; cli.cpp parses the command
// line and picks one.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "args.h"
#include "baylink/client/node_client.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::gateway {

// What a command needs from outside: where to write and which node to talk to. Built once
// per RunCli call; commands get a reference.
struct Cli {
  std::FILE* out = nullptr;
  std::FILE* err = nullptr;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8545;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);  // each request to the node
  std::string usage;  // the running command's usage, printed after a usage error

  // Prints "baylink: <problem>" and the usage to err; returns 2.
  int Usage(const core::Error& problem) const;
  // Prints "baylink: <error>" to err; returns 1.
  int Failed(const core::Error& error) const;
  // Prints "baylink: <text>" to err; returns 1.
  int Failed(std::string_view text) const;
  // Prints "name value" to out.
  void Print(std::string_view name, std::string_view value) const;
  std::string NodeName() const;  // "127.0.0.1:8545"
};

// A connection to the node with its chain's suite and what the node said about its chain.
struct Session {
  std::unique_ptr<core::CryptoSuite> suite;  // declared first: `client` refers to it
  std::unique_ptr<client::NodeClient> client;
  client::ChainInfo info;
};

// Connects to cli's node and reads its chain info. With `expected_suite` (the suite of the
// key that will sign), a chain of another suite is kInvalidArgument naming both.
// Errors: those of NodeError.
core::Result<Session> OpenSession(const Cli& cli, std::optional<core::SuiteId> expected_suite);

// An error of a call to the node, reworded for a person: transport failures (kUnavailable,
// kTimeout, kIo) become "cannot reach node at HOST:PORT ..." with what to check; anything
// else (the node's answer) is prefixed with the node and `what` was asked. The code is kept.
core::Error NodeError(const Cli& cli, std::string_view what, const core::Error& error);

// Each returns the exit code (RunCli's contract). `args` passed the command's OptionSpec.
int KeyNew(Cli& cli, const Args& args);
int ChainInfo(Cli& cli, const Args& args);
int TxGet(Cli& cli, const Args& args);
int AssetCreate(Cli& cli, const Args& args);
int AssetMint(Cli& cli, const Args& args);
int AssetTransfer(Cli& cli, const Args& args);
int AssetBalance(Cli& cli, const Args& args);
int AssetSupply(Cli& cli, const Args& args);

}  // namespace baylink::gateway
