// SPDX-License-Identifier: Apache-2.0
#include "baylink/client/node_client.h"

#include <thread>
#include <utility>

#include "baylink/core/json.h"

namespace baylink::client {
namespace {

using core::Errc;
using core::Hash32;
using net::Json;

core::Error Bad(std::string_view method, std::string_view what) {
  return core::Fail(Errc::kMalformed, "node's answer to " + std::string(method) + ": " + std::string(what));
}

// A hex string member of an answer, decoded.
core::Result<core::Bytes> HexMember(const Json& answer, std::string_view method, const char* name) {
  if (!answer.is_object() || !answer.contains(name) || !answer[name].is_string()) {
    return Bad(method, std::string("member '") + name + "' is missing or not a string");
  }
  auto bytes = core::FromHex(answer[name].get<std::string>());
  if (!bytes) return Bad(method, std::string("member '") + name + "': " + bytes.error().detail);
  return std::move(*bytes);
}

core::Result<std::uint64_t> U64Member(const Json& answer, std::string_view method, const char* name) {
  if (!answer.is_object() || !answer.contains(name) || !answer[name].is_number_unsigned()) {
    return Bad(method, std::string("member '") + name + "' is missing or not an unsigned integer");
  }
  return answer[name].get<std::uint64_t>();
}

template <class T>
core::Result<T> Decoded(core::Result<T> value, std::string_view method, const char* name) {
  if (!value) return Bad(method, std::string(name) + ": " + value.error().Message());
  return value;
}

Json HeightParams(std::optional<std::uint64_t> height) {
  Json params = Json::object();
  if (height) params["height"] = *height;
  return params;
}

}  // namespace

NodeClient::NodeClient(std::string host, std::uint16_t port, const core::CryptoSuite& suite,
                       std::chrono::milliseconds timeout)
    : m_rpc(std::move(host), port, timeout), m_suite(suite) {}

core::Result<Hash32> NodeClient::SendTransaction(const core::Transaction& tx) {
  BAYLINK_ASSIGN_OR_RETURN(std::vector<core::Result<Hash32>> results, SendTransactions({tx}));
  return std::move(results.front());
}

core::Result<std::vector<core::Result<Hash32>>> NodeClient::SendTransactions(
    const std::vector<core::Transaction>& txs) {
  std::vector<std::pair<std::string, Json>> calls;
  calls.reserve(txs.size());
  for (const core::Transaction& tx : txs) {
    calls.emplace_back("sendTransaction", Json{{"tx", core::ToHex(tx.Encode())}});
  }
  BAYLINK_ASSIGN_OR_RETURN(std::vector<core::Result<Json>> answers, m_rpc.CallBatch(calls));
  std::vector<core::Result<Hash32>> out;
  out.reserve(answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i]) {
      out.emplace_back(std::move(answers[i]).error());
      continue;
    }
    auto raw = HexMember(*answers[i], "sendTransaction", "hash");
    if (!raw) {
      out.emplace_back(std::move(raw).error());
      continue;
    }
    auto hash = Hash32::FromView(*raw);
    if (!hash || *hash != txs[i].Hash(m_suite)) {
      out.emplace_back(Bad("sendTransaction", "the hash is not the transaction's own"));
      continue;
    }
    out.emplace_back(*hash);
  }
  return out;
}

core::Result<CommittedTx> NodeClient::GetTransaction(const Hash32& hash) {
  constexpr std::string_view kMethod = "getTransaction";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json{{"hash", hash.ToHex()}}));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes raw, HexMember(answer, kMethod, "raw"));
  CommittedTx out;
  BAYLINK_ASSIGN_OR_RETURN(out.tx, Decoded(core::Transaction::Decode(raw), kMethod, "raw"));
  if (out.tx.Hash(m_suite) != hash) return Bad(kMethod, "returned another transaction");
  BAYLINK_ASSIGN_OR_RETURN(out.height, U64Member(answer, kMethod, "height"));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t index, U64Member(answer, kMethod, "index"));
  out.index = static_cast<std::uint32_t>(index);
  return out;
}

core::Result<ReceiptWithProof> NodeClient::GetReceipt(const Hash32& hash) {
  constexpr std::string_view kMethod = "getReceipt";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json{{"hash", hash.ToHex()}}));
  ReceiptWithProof out;
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes raw, HexMember(answer, kMethod, "raw"));
  BAYLINK_ASSIGN_OR_RETURN(out.receipt, Decoded(core::Receipt::Decode(raw), kMethod, "raw"));
  if (out.receipt.tx_hash != hash) return Bad(kMethod, "returned another transaction's receipt");
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes proof, HexMember(answer, kMethod, "proof"));
  BAYLINK_ASSIGN_OR_RETURN(out.proof,
                           Decoded(core::DecodeExactly<core::merkle::InclusionProof>(proof, "receipt proof"),
                                   kMethod, "proof"));
  BAYLINK_ASSIGN_OR_RETURN(out.height, U64Member(answer, kMethod, "height"));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t index, U64Member(answer, kMethod, "index"));
  out.index = static_cast<std::uint32_t>(index);
  if (out.proof.index != out.index) return Bad(kMethod, "the proof is for another index");
  return out;
}

core::Result<SignedHeader> NodeClient::GetHeader(std::optional<std::uint64_t> height) {
  constexpr std::string_view kMethod = "getHeader";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, HeightParams(height)));
  SignedHeader out;
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes header, HexMember(answer, kMethod, "raw_header"));
  BAYLINK_ASSIGN_OR_RETURN(out.header, Decoded(core::BlockHeader::Decode(header), kMethod, "raw_header"));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes cert, HexMember(answer, kMethod, "raw_certificate"));
  BAYLINK_ASSIGN_OR_RETURN(out.certificate,
                           Decoded(core::CommitCertificate::Decode(cert), kMethod, "raw_certificate"));
  if (height && out.header.height != *height) return Bad(kMethod, "returned another height");
  return out;
}

core::Result<chain::Block> NodeClient::GetBlock(std::uint64_t height) {
  constexpr std::string_view kMethod = "getBlock";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json{{"height", height}}));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes raw, HexMember(answer, kMethod, "raw"));
  BAYLINK_ASSIGN_OR_RETURN(chain::Block block, Decoded(chain::Block::Decode(raw), kMethod, "raw"));
  if (block.header.height != height) return Bad(kMethod, "returned another height");
  return block;
}

core::Result<chain::BlockEvents> NodeClient::GetBlockEvents(std::uint64_t height) {
  constexpr std::string_view kMethod = "getBlockEvents";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json{{"height", height}}));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes raw, HexMember(answer, kMethod, "raw"));
  BAYLINK_ASSIGN_OR_RETURN(chain::BlockEvents events,
                           Decoded(chain::BlockEvents::Decode(raw), kMethod, "raw"));
  if (events.header.height != height) return Bad(kMethod, "returned another height");
  return events;
}

core::Result<StateProof> NodeClient::GetStateProof(std::string_view contract, core::ByteView key,
                                                   std::optional<std::uint64_t> height) {
  constexpr std::string_view kMethod = "getStateProof";
  Json params = HeightParams(height);
  params["contract"] = std::string(contract);
  params["key"] = core::ToHex(key);
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, params));
  StateProof out;
  out.state_key = core::StateKey(m_suite, contract, key);
  BAYLINK_ASSIGN_OR_RETURN(out.height, U64Member(answer, kMethod, "height"));
  if (height && out.height != *height) return Bad(kMethod, "returned another height");
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes root, HexMember(answer, kMethod, "state_root"));
  BAYLINK_ASSIGN_OR_RETURN(out.state_root, Decoded(Hash32::FromView(root), kMethod, "state_root"));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes proof, HexMember(answer, kMethod, "proof"));
  BAYLINK_ASSIGN_OR_RETURN(out.proof, Decoded(core::DecodeExactly<core::smt::Proof>(proof, "state proof"),
                                              kMethod, "proof"));
  if (!answer.contains("value")) return Bad(kMethod, "member 'value' is missing");
  if (!answer["value"].is_null()) {
    BAYLINK_ASSIGN_OR_RETURN(core::Bytes value, HexMember(answer, kMethod, "value"));
    out.value = std::move(value);
  }
  return out;
}

core::Result<core::ValidatorSet> NodeClient::GetValidatorSet(std::optional<std::uint64_t> height) {
  constexpr std::string_view kMethod = "getValidatorSet";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, HeightParams(height)));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes raw, HexMember(answer, kMethod, "raw"));
  return Decoded(core::ValidatorSet::Decode(raw), kMethod, "raw");
}

core::Result<std::uint64_t> NodeClient::GetNonce(const core::Address& address) {
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call("getNonce", Json{{"address", address.ToHex()}}));
  return U64Member(answer, "getNonce", "next_nonce");
}

core::Result<ChainInfo> NodeClient::GetChainInfo() {
  constexpr std::string_view kMethod = "getChainInfo";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json::object()));
  ChainInfo info;
  if (!answer.is_object() || !answer.contains("chain_id") || !answer["chain_id"].is_string() ||
      !answer.contains("suite") || !answer["suite"].is_string()) {
    return Bad(kMethod, "chain_id or suite is missing");
  }
  info.chain_id = answer["chain_id"].get<std::string>();
  BAYLINK_ASSIGN_OR_RETURN(info.suite, Decoded(core::ParseSuiteId(answer["suite"].get<std::string>()),
                                               kMethod, "suite"));
  BAYLINK_ASSIGN_OR_RETURN(info.height, U64Member(answer, kMethod, "height"));
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes head, HexMember(answer, kMethod, "head_hash"));
  BAYLINK_ASSIGN_OR_RETURN(info.head_hash, Decoded(Hash32::FromView(head), kMethod, "head_hash"));
  BAYLINK_ASSIGN_OR_RETURN(info.timestamp_ms, U64Member(answer, kMethod, "timestamp_ms"));
  BAYLINK_ASSIGN_OR_RETURN(info.oldest_state_height, U64Member(answer, kMethod, "oldest_state_height"));
  BAYLINK_ASSIGN_OR_RETURN(info.mempool_size, U64Member(answer, kMethod, "mempool_size"));
  return info;
}

core::Result<ConsensusStatus> NodeClient::GetConsensusStatus() {
  constexpr std::string_view kMethod = "getConsensusStatus";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json::object()));
  if (!answer.is_object()) return Bad(kMethod, "the answer is not an object");
  ConsensusStatus status;
  BAYLINK_ASSIGN_OR_RETURN(status.height, U64Member(answer, kMethod, "height"));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t round, U64Member(answer, kMethod, "round"));
  status.round = static_cast<std::uint32_t>(round);
  if (!answer.contains("step") || !answer["step"].is_string() || !answer.contains("waiting") ||
      !answer["waiting"].is_boolean() || !answer.contains("dropped") ||
      !answer["dropped"].is_object() || !answer.contains("validator")) {
    return Bad(kMethod, "step, waiting, validator or dropped is missing");
  }
  status.step = answer["step"].get<std::string>();
  status.waiting = answer["waiting"].get<bool>();
  if (answer["validator"].is_number_unsigned()) {
    status.validator = answer["validator"].get<std::uint32_t>();
  }
  BAYLINK_ASSIGN_OR_RETURN(status.highest_seen_height,
                           U64Member(answer, kMethod, "highest_seen_height"));
  BAYLINK_ASSIGN_OR_RETURN(status.evidence, U64Member(answer, kMethod, "evidence"));
  for (const auto& [reason, count] : answer["dropped"].items()) {
    if (!count.is_number_unsigned()) return Bad(kMethod, "a dropped count is not a number");
    status.dropped[reason] = count.get<std::uint64_t>();
  }
  return status;
}

core::Result<std::vector<consensus::Evidence>> NodeClient::GetEvidence() {
  constexpr std::string_view kMethod = "getEvidence";
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call(kMethod, Json::object()));
  if (!answer.is_object() || !answer.contains("evidence") || !answer["evidence"].is_array()) {
    return Bad(kMethod, "evidence is missing");
  }
  std::vector<consensus::Evidence> out;
  for (const Json& item : answer["evidence"]) {
    BAYLINK_ASSIGN_OR_RETURN(core::Bytes raw, HexMember(item, kMethod, "raw"));
    BAYLINK_ASSIGN_OR_RETURN(consensus::Evidence evidence,
                             Decoded(consensus::Evidence::Decode(raw), kMethod, "raw"));
    out.push_back(std::move(evidence));
  }
  return out;
}

core::Result<core::Bytes> NodeClient::Call(std::string_view contract, std::string_view method,
                                           core::ByteView args, std::optional<std::uint64_t> height) {
  Json params = HeightParams(height);
  params["contract"] = std::string(contract);
  params["method"] = std::string(method);
  params["args"] = core::ToHex(args);
  BAYLINK_ASSIGN_OR_RETURN(Json answer, m_rpc.Call("call", params));
  return HexMember(answer, "call", "output");
}

core::Result<CommittedTx> NodeClient::WaitForTransaction(const Hash32& hash,
                                                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto found = GetTransaction(hash);
    if (found || found.error().code != Errc::kNotFound) return found;
    if (std::chrono::steady_clock::now() >= deadline) {
      return core::Fail(Errc::kTimeout, "transaction " + hash.ToHex() + " was not committed within " +
                                            std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

core::Result<std::unique_ptr<EventStream>> EventStream::Open(const std::string& endpoint,
                                                             NodeClient& rpc,
                                                             std::uint64_t after_height) {
  BAYLINK_ASSIGN_OR_RETURN(std::unique_ptr<net::Subscriber> subscriber,
                           net::Subscriber::Connect(endpoint, {"block"}));
  return std::unique_ptr<EventStream>(new EventStream(std::move(subscriber), rpc, after_height));
}

EventStream::EventStream(std::unique_ptr<net::Subscriber> subscriber, NodeClient& rpc,
                         std::uint64_t after)
    : m_subscriber(std::move(subscriber)), m_rpc(rpc), m_delivered(after), m_seen_height(after) {}

core::Result<std::optional<chain::BlockEvents>> EventStream::Next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // A gap we know of is filled over RPC first, one height per call.
    if (m_seen_height > m_delivered) {
      BAYLINK_ASSIGN_OR_RETURN(chain::BlockEvents events, m_rpc.GetBlockEvents(m_delivered + 1));
      ++m_delivered;
      return std::optional<chain::BlockEvents>(std::move(events));
    }
    const auto now = std::chrono::steady_clock::now();
    const auto left = now >= deadline ? std::chrono::milliseconds(0)
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    BAYLINK_ASSIGN_OR_RETURN(std::optional<net::PubSubMessage> message, m_subscriber->Receive(left));
    if (!message) {
      // Quiet stream: ask the node whether we missed the latest heights (the stream may have
      // dropped them while we were away), so a subscriber never waits forever on a gap.
      BAYLINK_ASSIGN_OR_RETURN(ChainInfo info, m_rpc.GetChainInfo());
      if (info.height > m_delivered) {
        m_seen_height = std::max(m_seen_height, info.height);
        continue;
      }
      return std::optional<chain::BlockEvents>{};
    }
    auto events = chain::BlockEvents::Decode(message->payload);
    if (!events) {
      return core::Fail(Errc::kMalformed, "event stream message: " + events.error().Message());
    }
    const std::uint64_t height = events->header.height;
    if (height <= m_delivered) continue;  // already delivered (filled over RPC)
    if (height == m_delivered + 1) {
      m_delivered = height;
      m_seen_height = std::max(m_seen_height, height);
      return std::optional<chain::BlockEvents>(std::move(*events));
    }
    m_seen_height = std::max(m_seen_height, height);  // a gap: fill it, this one comes later
  }
}

}  // namespace baylink::client
