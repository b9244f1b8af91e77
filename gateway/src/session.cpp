// SPDX-License-Identifier: Apache-2.0
#include <utility>

#include "baylink/crypto/suites.h"
#include "commands.h"

namespace baylink::gateway {

int Cli::Usage(const core::Error& problem) const {
  std::fprintf(err, "baylink: %s\n\n%s", problem.detail.c_str(), usage.c_str());
  return 2;
}

int Cli::Failed(const core::Error& error) const { return Failed(error.Message()); }

int Cli::Failed(std::string_view text) const {
  std::fprintf(err, "baylink: %.*s\n", static_cast<int>(text.size()), text.data());
  return 1;
}

void Cli::Print(std::string_view name, std::string_view value) const {
  std::fprintf(out, "%.*s %.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(value.size()), value.data());
}

std::string Cli::NodeName() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

core::Error NodeError(const Cli& cli, std::string_view what, const core::Error& error) {
  switch (error.code) {
    case core::Errc::kUnavailable:
    case core::Errc::kTimeout:
    case core::Errc::kIo:
      return core::Fail(error.code, "cannot reach node at " + cli.NodeName() + " (" +
                                        std::string(what) + "): " + error.detail +
                                        "; check that the node runs and that --node names its "
                                        "RPC address");
    default: {
      // The node's messages often begin with the method already ("asset.supply: no asset
      // XYZ exists"): say it once.
      const bool named = error.detail.rfind(std::string(what) + ":", 0) == 0;
      return core::Fail(error.code, "node at " + cli.NodeName() + ": " +
                                        (named ? "" : std::string(what) + ": ") + error.detail);
    }
  }
}

core::Result<Session> OpenSession(const Cli& cli, std::optional<core::SuiteId> expected_suite) {
  // The client needs a suite before the node can say which one its chain uses. The suite
  // recomputes hashes and state keys (node_client.h), and the chain info answer carries
  // neither, so any suite serves for this first call; the client is rebuilt when the guess
  // was wrong.
  Session session;
  session.suite = crypto::MakeSuite(expected_suite.value_or(core::SuiteId::kSm));
  session.client = std::make_unique<client::NodeClient>(cli.host, cli.port, *session.suite, cli.timeout);
  auto info = session.client->GetChainInfo();
  if (!info) return NodeError(cli, "getChainInfo", info.error());
  session.info = std::move(*info);
  if (session.info.suite == session.suite->Id()) return session;
  if (expected_suite) {
    return core::Fail(core::Errc::kInvalidArgument,
                      "the key is for suite " + std::string(core::SuiteName(*expected_suite)) +
                          " but chain " + session.info.chain_id + " at " + cli.NodeName() +
                          " uses " + std::string(core::SuiteName(session.info.suite)) +
                          "; use a key made with --suite " +
                          std::string(core::SuiteName(session.info.suite)));
  }
  session.client.reset();
  session.suite = crypto::MakeSuite(session.info.suite);
  session.client = std::make_unique<client::NodeClient>(cli.host, cli.port, *session.suite, cli.timeout);
  return session;
}

}  // namespace baylink::gateway
