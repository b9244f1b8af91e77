// SPDX-License-Identifier: Apache-2.0
//
// `baylink chain info` and `baylink tx get`.
#include <string>

#include "commands.h"

namespace baylink::gateway {

int ChainInfo(Cli& cli, const Args& /*args: no options*/) {
  auto session = OpenSession(cli, std::nullopt);
  if (!session) return cli.Failed(session.error());
  const client::ChainInfo& info = session->info;
  cli.Print("chain_id", info.chain_id);
  cli.Print("suite", core::SuiteName(info.suite));
  cli.Print("height", std::to_string(info.height));
  cli.Print("head_hash", info.head_hash.ToHex());
  cli.Print("mempool_size", std::to_string(info.mempool_size));
  return 0;
}

int TxGet(Cli& cli, const Args& args) {
  auto hash = ParseTxHash(args.positionals.at(0));
  if (!hash) return cli.Usage(hash.error());
  auto session = OpenSession(cli, std::nullopt);
  if (!session) return cli.Failed(session.error());
  client::NodeClient& node = *session->client;

  auto committed = node.GetTransaction(*hash);
  if (!committed) {
    if (committed.error().code != core::Errc::kNotFound) {
      return cli.Failed(NodeError(cli, "getTransaction", committed.error()));
    }
    // The client answers kNotFound both for a transaction waiting in the mempool and for
    // one the node never saw; the node's message tells them apart (rpc_service.cpp says
    // "transaction 0x.. is pending" for the first).
    if (committed.error().detail.find("is pending") != std::string::npos) {
      cli.Print("tx_hash", hash->ToHex());
      cli.Print("status", "pending");
      return 0;
    }
    return cli.Failed(core::Fail(core::Errc::kNotFound,
                                 "transaction " + hash->ToHex() + " is neither committed nor pending at "
                                 "the node at " + cli.NodeName()));
  }
  auto receipt = node.GetReceipt(*hash);
  if (!receipt) return cli.Failed(NodeError(cli, "getReceipt", receipt.error()));

  cli.Print("tx_hash", hash->ToHex());
  cli.Print("status", "committed");
  cli.Print("height", std::to_string(committed->height));
  cli.Print("index", std::to_string(committed->index));
  cli.Print("contract", committed->tx.contract + "." + committed->tx.method);
  cli.Print("nonce", std::to_string(committed->tx.nonce));
  cli.Print("result", core::ReceiptStatusName(receipt->receipt.status));
  if (!receipt->receipt.message.empty()) cli.Print("message", receipt->receipt.message);
  if (!receipt->receipt.output.empty()) cli.Print("output", core::ToHex(receipt->receipt.output));
  for (const core::Event& event : receipt->receipt.events) {
    cli.Print("event", event.contract + " " + event.topic + " " + core::ToHex(event.data));
  }
  return 0;
}

}  // namespace baylink::gateway
