// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/rpc_service.h"

#include <utility>

#include "baylink/core/merkle.h"

namespace baylink::chain {
namespace {

using core::Errc;
using core::Hash32;
using core::json::ObjectReader;
using net::Json;

const Json& Params(const Json& params) {
  static const Json kEmpty = Json::object();
  return params.is_null() ? kEmpty : params;
}

std::string Hex(core::ByteView bytes) { return core::ToHex(bytes); }

// The height a request names (optional field), defaulting to the head.
core::Result<std::uint64_t> HeightOr(ObjectReader& o, const Chain& chain) {
  if (o.Has("height")) return o.U64("height");
  return chain.head().height;
}

core::Result<Block> BlockAt(const Chain& chain, std::uint64_t height) {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Block> block, chain.GetBlock(height));
  if (!block) {
    return core::Fail(Errc::kNotFound, "no block at height " + std::to_string(height) +
                                           "; the head is at " +
                                           std::to_string(chain.head().height));
  }
  return std::move(*block);
}

Json HeaderJson(const Chain& chain, const Block& block) {
  return Json{{"hash", block.header.Hash(chain.suite()).ToHex()},
              {"header", core::json::ToJson(block.header)},
              {"certificate", core::json::ToJson(block.certificate)},
              {"raw_header", Hex(block.header.Encode())},
              {"raw_certificate", Hex(block.certificate.Encode())}};
}

// Admits every sendTransaction of one request (a batch is admitted with one journal
// write): each params entry decoded on its own, then Chain::Submit over those that decoded.
std::vector<core::Result<Json>> SendTransactions(Chain& chain, const AcceptedTx& on_accepted,
                                                 const std::vector<const Json*>& params) {
  std::vector<core::Result<Json>> answers;
  answers.reserve(params.size());
  std::vector<core::Bytes> raws;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto raw = [&]() -> core::Result<core::Bytes> {
      ObjectReader o(Params(*params[i]), "sendTransaction params");
      BAYLINK_TRY(o.Begin());
      BAYLINK_ASSIGN_OR_RETURN(core::Bytes tx, o.Hex("tx"));
      BAYLINK_TRY(o.Done());
      return tx;
    }();
    if (!raw) {
      answers.emplace_back(std::move(raw).error());
      continue;
    }
    answers.emplace_back(Json());
    raws.push_back(std::move(*raw));
    positions.push_back(i);
  }
  std::vector<core::ByteView> views(raws.begin(), raws.end());
  std::vector<core::Result<Hash32>> results = chain.Submit(views);
  for (std::size_t k = 0; k < positions.size(); ++k) {
    if (!results[k]) {
      answers[positions[k]] = core::Fail(results[k].error().code,
                                         "transaction rejected: " + results[k].error().detail);
      continue;
    }
    if (on_accepted) on_accepted(views[k]);
    answers[positions[k]] = Json{{"hash", results[k]->ToHex()}};
  }
  return answers;
}

// Reads {hash} from `params` and finds where that transaction was committed. Errors: the
// params' errors; kNotFound saying whether the transaction is pending (`pending_note` is
// appended then) or unknown.
core::Result<TxLocation> LocateTransaction(Chain& chain, const Json& params, std::string_view method,
                                        std::string_view pending_note) {
  ObjectReader o(Params(params), std::string(method) + " params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const Hash32 hash, o.Fixed<32>("hash"));
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(std::optional<TxLocation> location, chain.FindTransaction(hash));
  if (!location) {
    return core::Fail(Errc::kNotFound, chain.mempool().Contains(hash)
                                           ? "transaction " + hash.ToHex() + " is pending" +
                                                 std::string(pending_note)
                                           : "no transaction " + hash.ToHex());
  }
  return *location;
}

core::Result<Json> GetTransaction(Chain& chain, const Json& params) {
  BAYLINK_ASSIGN_OR_RETURN(const TxLocation location,
                           LocateTransaction(chain, params, "getTransaction", ""));
  BAYLINK_ASSIGN_OR_RETURN(Block block, BlockAt(chain, location.height));
  const core::Transaction& tx = block.transactions.at(location.index);
  return Json{{"status", "committed"},
              {"height", location.height},
              {"index", location.index},
              {"tx", core::json::ToJson(tx)},
              {"raw", Hex(tx.Encode())}};
}

core::Result<Json> GetReceipt(Chain& chain, const Json& params) {
  BAYLINK_ASSIGN_OR_RETURN(
      const TxLocation location,
      LocateTransaction(chain, params, "getReceipt", "; its receipt comes with its block"));
  BAYLINK_ASSIGN_OR_RETURN(std::optional<std::vector<core::Receipt>> receipts,
                           chain.GetReceipts(location.height));
  if (!receipts || location.index >= receipts->size()) {
    return core::Fail(Errc::kStorage, "receipts of block " + std::to_string(location.height) +
                                          " are missing");
  }
  std::vector<Hash32> leaves;
  leaves.reserve(receipts->size());
  for (const core::Receipt& r : *receipts) {
    leaves.push_back(core::merkle::LeafHash(chain.suite(), r.Encode()));
  }
  BAYLINK_ASSIGN_OR_RETURN(core::merkle::InclusionProof proof,
                           core::merkle::Prove(chain.suite(), leaves, location.index));
  const core::Receipt& receipt = (*receipts)[location.index];
  return Json{{"height", location.height},
              {"index", location.index},
              {"receipt", core::json::ToJson(receipt)},
              {"raw", Hex(receipt.Encode())},
              {"proof", Hex(core::EncodeValue(proof))}};
}

core::Result<Json> GetHeader(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getHeader params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t height, HeightOr(o, chain));
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(Block block, BlockAt(chain, height));
  return HeaderJson(chain, block);
}

core::Result<Json> GetBlock(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getBlock params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t height, o.U64("height"));
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(Block block, BlockAt(chain, height));
  Json out = HeaderJson(chain, block);
  Json txs = Json::array();
  for (const core::Transaction& tx : block.transactions) txs.push_back(core::json::ToJson(tx));
  out["transactions"] = std::move(txs);
  out["raw"] = Hex(block.Encode());
  return out;
}

core::Result<Json> GetBlockEvents(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getBlockEvents params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t height, o.U64("height"));
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(std::optional<BlockEvents> events, chain.GetBlockEvents(height));
  if (!events) return core::Fail(Errc::kNotFound, "no block at height " + std::to_string(height));
  return Json{{"height", height}, {"raw", Hex(events->Encode())}};
}

core::Result<Json> GetStateProof(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getStateProof params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::string contract, o.String("contract"));
  BAYLINK_ASSIGN_OR_RETURN(const core::Bytes key, o.Hex("key"));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t height, HeightOr(o, chain));
  BAYLINK_TRY(o.Done());
  BAYLINK_TRY(core::ValidateName("contract", contract));
  BAYLINK_ASSIGN_OR_RETURN(const core::BlockHeader header, chain.StateHeader(height));
  const Hash32 state_key = core::StateKey(chain.suite(), contract, key);
  BAYLINK_ASSIGN_OR_RETURN(core::smt::SparseMerkleTree::ProofWithValue proof,
                           chain.state().Prove(header.state_root, state_key));
  return Json{{"height", height},
              {"state_root", header.state_root.ToHex()},
              {"state_key", state_key.ToHex()},
              {"value", proof.value ? Json(Hex(*proof.value)) : Json(nullptr)},
              {"proof", Hex(core::EncodeValue(proof.proof))}};
}

core::Result<Json> GetValidatorSet(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getValidatorSet params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t height, HeightOr(o, chain));
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(Block block, BlockAt(chain, height));
  BAYLINK_ASSIGN_OR_RETURN(std::optional<core::ValidatorSet> set,
                           chain.GetValidatorSet(block.header.validators_hash));
  if (!set) {
    return core::Fail(Errc::kStorage, "validator set " + block.header.validators_hash.ToHex() +
                                          " is missing from the store");
  }
  return Json{{"height", height},
              {"hash", block.header.validators_hash.ToHex()},
              {"validators", core::json::ToJson(*set)["validators"]},
              {"raw", Hex(set->Encode())}};
}

core::Result<Json> GetNonce(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getNonce params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const core::Address address, o.Fixed<20>("address"));
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t nonce, chain.NextNonce(address));
  return Json{{"address", address.ToHex()}, {"next_nonce", nonce}};
}

core::Result<Json> GetChainInfo(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "getChainInfo params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_TRY(o.Done());
  const core::BlockHeader head = chain.head();
  return Json{{"chain_id", chain.genesis().chain_id},
              {"suite", std::string(core::SuiteName(chain.genesis().suite))},
              {"height", head.height},
              {"head_hash", head.Hash(chain.suite()).ToHex()},
              {"timestamp_ms", head.timestamp_ms},
              {"oldest_state_height", chain.oldest_state_height()},
              {"mempool_size", chain.mempool().size()},
              {"validators", chain.next_validators().size()}};
}

core::Result<Json> CallMethod(Chain& chain, const Json& params) {
  ObjectReader o(Params(params), "call params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::string contract, o.String("contract"));
  BAYLINK_ASSIGN_OR_RETURN(const std::string method, o.String("method"));
  BAYLINK_ASSIGN_OR_RETURN(const core::Bytes args, o.Hex("args"));
  std::optional<std::uint64_t> height;
  if (o.Has("height")) {
    BAYLINK_ASSIGN_OR_RETURN(height, o.U64("height"));
  }
  core::Address sender;
  if (o.Has("sender")) {
    BAYLINK_ASSIGN_OR_RETURN(sender, o.Fixed<20>("sender"));
  }
  BAYLINK_TRY(o.Done());
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes output, chain.Call(height, sender, contract, method, args));
  return Json{{"height", height.value_or(chain.head().height)}, {"output", Hex(output)}};
}

}  // namespace

void RegisterRpcMethods(net::RpcDispatcher& dispatcher, Chain& chain, AcceptedTx on_accepted) {
  const auto add = [&](std::string name, core::Result<Json> (*fn)(Chain&, const Json&)) {
    dispatcher.Add(std::move(name), [&chain, fn](const Json& params) { return fn(chain, params); });
  };
  dispatcher.AddBatched("sendTransaction", [&chain, on_accepted](const std::vector<const Json*>& params) {
    return SendTransactions(chain, on_accepted, params);
  });
  add("getTransaction", GetTransaction);
  add("getReceipt", GetReceipt);
  add("getHeader", GetHeader);
  add("getBlock", GetBlock);
  add("getBlockEvents", GetBlockEvents);
  add("getStateProof", GetStateProof);
  add("getValidatorSet", GetValidatorSet);
  add("getNonce", GetNonce);
  add("getChainInfo", GetChainInfo);
  add("call", CallMethod);
}

}  // namespace baylink::chain
