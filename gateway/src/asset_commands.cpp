// SPDX-License-Identifier: Apache-2.0
//
// `baylink asset ...`: create, mint and transfer send signed transactions; balance and
// supply are read-only calls.
#include <limits>
#include <string>
#include <utility>

#include "baylink/chain/node.h"
#include "baylink/contracts/asset.h"
#include "commands.h"

namespace baylink::gateway {
namespace {

using std::chrono::milliseconds;

constexpr std::uint64_t kDefaultExpiryBlocks = 100;
constexpr std::uint64_t kMaxExpiryBlocks = 1'000'000'000;
constexpr std::uint64_t kDefaultWaitMs = 30'000;
constexpr std::uint64_t kMaxWaitMs = 24ull * 3600 * 1000;

// How a transaction is sent: --expiry-blocks, --wait-ms, --no-wait.
struct SendOptions {
  std::uint64_t expiry_blocks = kDefaultExpiryBlocks;
  std::optional<milliseconds> wait = milliseconds(kDefaultWaitMs);  // nullopt: do not wait
};

core::Result<SendOptions> ParseSendOptions(const Args& args) {
  SendOptions options;
  if (const std::string* text = args.Get("expiry-blocks")) {
    BAYLINK_ASSIGN_OR_RETURN(options.expiry_blocks, ParseCount("expiry-blocks", *text, 1, kMaxExpiryBlocks));
  }
  if (const std::string* text = args.Get("wait-ms")) {
    if (args.Has("no-wait")) {
      return core::Fail(core::Errc::kInvalidArgument, "--wait-ms and --no-wait exclude each other");
    }
    BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t wait_ms, ParseCount("wait-ms", *text, 1, kMaxWaitMs));
    options.wait = milliseconds(wait_ms);
  }
  if (args.Has("no-wait")) options.wait.reset();
  return options;
}

// The inputs every transaction command shares, checked before anything is read or sent.
struct TxInputs {
  std::string key_path;
  std::string symbol;
  SendOptions send;
};

core::Result<std::string> SymbolOption(const Args& args) {
  BAYLINK_ASSIGN_OR_RETURN(const std::string symbol, Required(args, "symbol"));
  return ParseSymbol(symbol);
}

core::Result<TxInputs> ParseTxInputs(const Args& args) {
  TxInputs in;
  BAYLINK_ASSIGN_OR_RETURN(in.key_path, Required(args, "key"));
  BAYLINK_ASSIGN_OR_RETURN(in.symbol, SymbolOption(args));
  BAYLINK_ASSIGN_OR_RETURN(in.send, ParseSendOptions(args));
  return in;
}

// --to and --amount of mint and transfer.
struct Recipient {
  core::Address to;
  core::u128 amount = 0;
};

core::Result<Recipient> ParseRecipient(const Args& args) {
  Recipient r;
  BAYLINK_ASSIGN_OR_RETURN(const std::string to, Required(args, "to"));
  BAYLINK_ASSIGN_OR_RETURN(r.to, ParseAddress("to", to));
  BAYLINK_ASSIGN_OR_RETURN(const std::string amount, Required(args, "amount"));
  BAYLINK_ASSIGN_OR_RETURN(r.amount, ParseAmount("amount", amount));
  return r;
}

// Signs asset.`method`(`call_args`) with the key at in.key_path, sends it and, unless told not
// to, waits for its receipt. Prints tx_hash, then height and status once committed.
int SendAssetTx(Cli& cli, const TxInputs& in, std::string_view method, core::Bytes call_args) {
  auto key = chain::KeyFile::Load(in.key_path);
  if (!key) return cli.Failed(key.error());
  auto session = OpenSession(cli, key->suite);
  if (!session) return cli.Failed(session.error());
  client::NodeClient& node = *session->client;
  const core::CryptoSuite& suite = *session->suite;

  const core::Address sender = suite.ToAddress(key->public_key);
  auto nonce = node.GetNonce(sender);
  if (!nonce) return cli.Failed(NodeError(cli, "getNonce for " + sender.ToHex(), nonce.error()));
  const std::uint64_t height = session->info.height;
  if (height > std::numeric_limits<std::uint64_t>::max() - in.send.expiry_blocks) {
    return cli.Failed(core::Fail(core::Errc::kOverflow, "the node's height " + std::to_string(height) +
                                                            " plus --expiry-blocks overflows"));
  }

  core::Transaction tx;
  tx.chain_id = session->info.chain_id;
  tx.nonce = *nonce;
  tx.expiry_height = height + in.send.expiry_blocks;
  tx.sender = key->public_key;
  tx.contract = std::string(contracts::kAssetContract);
  tx.method = std::string(method);
  tx.args = std::move(call_args);
  if (core::Status s = tx.Sign(suite, key->secret); !s) return cli.Failed(s.error());

  const std::string what = "asset." + std::string(method);
  auto hash = node.SendTransaction(tx);
  if (!hash) return cli.Failed(NodeError(cli, what, hash.error()));
  cli.Print("tx_hash", hash->ToHex());
  if (!in.send.wait) {
    cli.Print("status", "pending");
    return 0;
  }

  auto committed = node.WaitForTransaction(*hash, *in.send.wait);
  if (!committed) {
    if (committed.error().code == core::Errc::kTimeout) {
      return cli.Failed(core::Fail(
          core::Errc::kTimeout,
          "transaction " + hash->ToHex() + " was not committed within " +
              std::to_string(in.send.wait->count()) + " ms; it may still be (it expires after height " +
              std::to_string(tx.expiry_height) + "): look with `baylink tx get " + hash->ToHex() + "`"));
    }
    return cli.Failed(NodeError(cli, "getTransaction", committed.error()));
  }
  auto receipt = node.GetReceipt(*hash);
  if (!receipt) return cli.Failed(NodeError(cli, "getReceipt", receipt.error()));
  cli.Print("height", std::to_string(receipt->height));
  cli.Print("status", core::ReceiptStatusName(receipt->receipt.status));
  if (receipt->receipt.status != core::ReceiptStatus::kSuccess) {
    cli.Print("message", receipt->receipt.message);
    // The receipt's message already names its error code (the executor writes it).
    return cli.Failed("transaction " + hash->ToHex() + " (" + what + ") failed at height " +
                      std::to_string(receipt->height) + ": " + receipt->receipt.message);
  }
  return 0;
}

// A read-only call of asset.`method`; the output bytes.
core::Result<core::Bytes> CallAsset(const Cli& cli, std::string_view method, const core::Bytes& call_args) {
  BAYLINK_ASSIGN_OR_RETURN(Session session, OpenSession(cli, std::nullopt));
  auto output = session.client->Call(contracts::kAssetContract, method, call_args);
  if (!output) return NodeError(cli, "asset." + std::string(method), output.error());
  return std::move(*output);
}

}  // namespace

int AssetCreate(Cli& cli, const Args& args) {
  auto in = ParseTxInputs(args);
  if (!in) return cli.Usage(in.error());
  return SendAssetTx(cli, *in, "create", contracts::EncodeCreate(in->symbol));
}

int AssetMint(Cli& cli, const Args& args) {
  auto in = ParseTxInputs(args);
  if (!in) return cli.Usage(in.error());
  auto r = ParseRecipient(args);
  if (!r) return cli.Usage(r.error());
  return SendAssetTx(cli, *in, "mint", contracts::EncodeMint(in->symbol, r->to, r->amount));
}

int AssetTransfer(Cli& cli, const Args& args) {
  auto in = ParseTxInputs(args);
  if (!in) return cli.Usage(in.error());
  auto r = ParseRecipient(args);
  if (!r) return cli.Usage(r.error());
  return SendAssetTx(cli, *in, "transfer", contracts::EncodeTransfer(in->symbol, r->to, r->amount));
}

int AssetBalance(Cli& cli, const Args& args) {
  auto symbol = SymbolOption(args);
  if (!symbol) return cli.Usage(symbol.error());
  auto owner_text = Required(args, "owner");
  if (!owner_text) return cli.Usage(owner_text.error());
  auto owner = ParseAddress("owner", *owner_text);
  if (!owner) return cli.Usage(owner.error());
  auto output = CallAsset(cli, "balance", contracts::EncodeBalance(*symbol, *owner));
  if (!output) return cli.Failed(output.error());
  auto amount = contracts::DecodeAmount(*output);
  if (!amount) {
    return cli.Failed(core::Fail(amount.error().code, "the node's answer to asset.balance is not an "
                                                      "amount: " + amount.error().detail));
  }
  std::fprintf(cli.out, "%s\n", core::U128ToString(*amount).c_str());
  return 0;
}

int AssetSupply(Cli& cli, const Args& args) {
  auto symbol = SymbolOption(args);
  if (!symbol) return cli.Usage(symbol.error());
  auto output = CallAsset(cli, "supply", contracts::EncodeSupply(*symbol));
  if (!output) return cli.Failed(output.error());
  auto info = core::DecodeExactly<contracts::AssetInfo>(*output, "asset.supply output");
  if (!info) {
    return cli.Failed(core::Fail(info.error().code, "the node's answer to asset.supply does not "
                                                    "decode: " + info.error().detail));
  }
  cli.Print("symbol", *symbol);
  cli.Print("issuer", info->issuer.ToHex());
  cli.Print("total_supply", core::U128ToString(info->total_supply));
  return 0;
}

}  // namespace baylink::gateway
