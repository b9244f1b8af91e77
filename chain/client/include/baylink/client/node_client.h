// SPDX-License-Identifier: Apache-2.0
//
// The C++ client of a node's RPC and event stream (issue 3 deliverable 6), for tests now and
// relayers and gateways later. Every value a caller must trust is returned decoded from its
// canonical bytes (the "raw" and "proof" members of the RPC answers), never from the JSON
// convenience fields, and headers are returned for the caller to verify (a light client,
// light-clients/), not trusted here.
//
// Thread safety: a NodeClient holds one connection: use one per thread. An EventStream is
// used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "baylink/chain/block.h"
#include "baylink/consensus/messages.h"
#include "baylink/core/merkle.h"
#include "baylink/core/result.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/types.h"
#include "baylink/net/jsonrpc.h"
#include "baylink/net/pubsub.h"

namespace baylink::client {

struct ChainInfo {
  std::string chain_id;
  core::SuiteId suite = core::SuiteId::kSm;
  std::uint64_t height = 0;
  core::Hash32 head_hash;
  std::uint64_t timestamp_ms = 0;
  std::uint64_t oldest_state_height = 0;
  std::uint64_t mempool_size = 0;
};

struct SignedHeader {
  core::BlockHeader header;
  core::CommitCertificate certificate;
};

struct ReceiptWithProof {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  core::Receipt receipt;
  core::merkle::InclusionProof proof;  // against the header's receipt_root at `height`
};

struct StateProof {
  std::uint64_t height = 0;
  core::Hash32 state_root;          // as the node claims; check it against a trusted header
  core::Hash32 state_key;           // core::StateKey(suite, contract, key), recomputed here
  std::optional<core::Bytes> value;  // nullopt: an absence proof
  core::smt::Proof proof;
};

// A validator's view of consensus (getConsensusStatus).
struct ConsensusStatus {
  std::uint64_t height = 0;  // the height being decided
  std::uint32_t round = 0;
  std::string step;          // "propose", "prepare" or "commit"
  bool waiting = false;      // idle: no work and no heartbeat due yet
  std::optional<std::uint32_t> validator;  // own index in the set, when a validator
  std::uint64_t highest_seen_height = 0;
  std::uint64_t evidence = 0;  // pieces of evidence recorded since start
  // Frames dropped, by reason: malformed, stale, unknown, duplicate, bad_signature,
  // conflict, future.
  std::map<std::string, std::uint64_t> dropped;
};

struct CommittedTx {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  core::Transaction tx;
};

// Errors of every call: the transport's (kUnavailable, kTimeout, kIo), the node's error
// objects mapped back to their codes (net::RpcClient), and kMalformed when an answer's raw
// bytes do not decode or disagree with the request (another height, another key).
class NodeClient {
 public:
  // `suite`: the chain's suite (to recompute state keys and hashes). Requires: it outlives
  // the client.
  NodeClient(std::string host, std::uint16_t port, const core::CryptoSuite& suite,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The hash the node assigned (checked against the transaction's own hash).
  core::Result<core::Hash32> SendTransaction(const core::Transaction& tx);
  // One JSON-RPC batch of sendTransaction calls: one result per transaction, in order.
  core::Result<std::vector<core::Result<core::Hash32>>> SendTransactions(
      const std::vector<core::Transaction>& txs);
  // kNotFound while the transaction is pending or unknown.
  core::Result<CommittedTx> GetTransaction(const core::Hash32& hash);
  core::Result<ReceiptWithProof> GetReceipt(const core::Hash32& hash);
  // The head when `height` is nullopt.
  core::Result<SignedHeader> GetHeader(std::optional<std::uint64_t> height = std::nullopt);
  core::Result<chain::Block> GetBlock(std::uint64_t height);
  core::Result<chain::BlockEvents> GetBlockEvents(std::uint64_t height);
  core::Result<StateProof> GetStateProof(std::string_view contract, core::ByteView key,
                                         std::optional<std::uint64_t> height = std::nullopt);
  // The set that signs `height` (head when nullopt); checked against `height`'s header by
  // the caller (its validators_hash).
  core::Result<core::ValidatorSet> GetValidatorSet(std::optional<std::uint64_t> height = std::nullopt);
  core::Result<std::uint64_t> GetNonce(const core::Address& address);
  core::Result<ChainInfo> GetChainInfo();
  // Nodes running consensus only (kUnsupported as "method not found" otherwise).
  core::Result<ConsensusStatus> GetConsensusStatus();
  // The equivocation evidence the node recorded, oldest height first (at most 1000), each
  // decoded from its raw bytes.
  core::Result<std::vector<consensus::Evidence>> GetEvidence();
  // A read-only call; the output bytes.
  core::Result<core::Bytes> Call(std::string_view contract, std::string_view method,
                                 core::ByteView args,
                                 std::optional<std::uint64_t> height = std::nullopt);

  // Polls getTransaction until the transaction is committed or `timeout` passes (kTimeout).
  core::Result<CommittedTx> WaitForTransaction(const core::Hash32& hash,
                                               std::chrono::milliseconds timeout);

 private:
  net::RpcClient m_rpc;
  const core::CryptoSuite& m_suite;
};

// Follows a node's committed blocks in order, without gaps: messages come from the event
// stream; when one is missing (the subscriber was down, or ZeroMQ dropped it) the gap is
// filled over RPC, so Next returns every height after `after_height` exactly once, in order.
class EventStream {
 public:
  // Subscribes to `endpoint` (the node's events endpoint) and delivers heights above
  // `after_height`. `rpc` fills gaps; requires: it outlives the stream. Errors: kIo.
  static core::Result<std::unique_ptr<EventStream>> Open(const std::string& endpoint,
                                                         NodeClient& rpc,
                                                         std::uint64_t after_height);

  // The next height's block events, or nullopt if none arrived within `timeout`. Errors:
  // the subscriber's and the client's (a failed gap fill; the next call retries it),
  // kMalformed for a stream message that does not decode.
  core::Result<std::optional<chain::BlockEvents>> Next(std::chrono::milliseconds timeout);

  // The last height delivered.
  std::uint64_t delivered_height() const { return m_delivered; }

 private:
  EventStream(std::unique_ptr<net::Subscriber> subscriber, NodeClient& rpc, std::uint64_t after);

  std::unique_ptr<net::Subscriber> m_subscriber;
  NodeClient& m_rpc;
  std::uint64_t m_delivered;
  std::uint64_t m_seen_height = 0;  // highest height heard of on the stream
};

}  // namespace baylink::client
