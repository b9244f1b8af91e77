// SPDX-License-Identifier: Apache-2.0
//
// The node's side of consensus (DESIGN §4): runs consensus::Pbft on one thread, carries its
// frames over ZeroMQ (libs/net), executes and checks blocks through the Chain, persists what
// the validator signs before it is sent, commits decisions, catches up from peers' RPC when
// it falls behind (block sync), and passes transactions accepted over RPC on to the other
// validators (so any leader can include them; each node verifies a transaction once).
//
// Sockets: one PUB bound at `listen` carries topic "c" (consensus frames) and topic "t"
// (transaction batches: count ‖ encoded transactions); one SUB per topic connects to every
// peer's `listen`. Frames are authenticated by their validator signatures, so a frame from
// anywhere else is dropped by Pbft (and counted); transactions carry their senders'
// signatures and pass the usual admission checks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "baylink/chain/chain.h"
#include "baylink/chain/consensus_config.h"
#include "baylink/consensus/pbft.h"
#include "baylink/core/json.h"
#include "baylink/net/jsonrpc.h"
#include "baylink/net/pubsub.h"
#include "baylink/storage/kv.h"

namespace baylink::chain {


class ConsensusService final : public consensus::Host {
 public:
  using Committed = std::function<void(std::uint64_t height)>;
  using Log = std::function<void(std::string_view line)>;

  // Binds `listen`, connects to the peers and starts the consensus and gossip threads.
  // `secret`: the validator key, nullopt for a node that only follows. Requires: the others
  // outlive the service. Errors: binding and connecting (kIo naming the endpoint).
  static core::Result<std::unique_ptr<ConsensusService>> Start(
      const core::CryptoSuite& suite, Chain& chain, storage::KvStore& store,
      const ConsensusConfig& config, std::optional<core::SecretKey> secret, Committed committed,
      Log log);
  ~ConsensusService() override;  // Stop()
  void Stop();

  // Queues an encoded transaction accepted over RPC for the other validators (any thread).
  void Gossip(core::ByteView encoded);
  // Adds getConsensusStatus and getEvidence to `dispatcher` (served from any thread).
  void RegisterRpc(net::RpcDispatcher& dispatcher);
  std::string listen_endpoint() const;

  // consensus::Host (consensus thread only).
  core::Result<consensus::Candidate> BuildBlock(std::uint64_t height, std::uint32_t round) override;
  core::Status CheckBlock(const core::BlockHeader& header, core::ByteView body) override;
  core::Status Persist(const consensus::SignedRecord& record) override;
  core::Status SaveBlock(const core::Hash32& header_hash,
                         const consensus::Candidate& block) override;
  std::optional<consensus::Candidate> LoadBlock(const core::Hash32& header_hash) override;
  void Broadcast(core::ByteView frame) override;
  void Schedule(const consensus::Timer& timer, std::chrono::milliseconds after) override;
  void OnEvidence(const consensus::Evidence& evidence) override;

 private:
  ConsensusService(const core::CryptoSuite& suite, Chain& chain, storage::KvStore& store,
                   ConsensusConfig config, std::optional<core::SecretKey> secret,
                   Committed committed, Log log);
  void ConsensusLoop();
  void GossipLoop();
  void StartNext();
  void CommitDecision(consensus::Decision decision);
  void MaybeGo();
  void MaybeSync();
  std::size_t SyncFrom(const std::string& peer, std::size_t max_blocks);
  void UpdateStatus();
  void NoteDrop(const core::Error& error);
  core::Result<core::json::Json> EvidenceJson(const core::json::Json& params) const;

  using SteadyClock = std::chrono::steady_clock;
  struct Pending {
    SteadyClock::time_point due;
    consensus::Timer timer;
    bool operator>(const Pending& other) const { return due > other.due; }
  };

  const core::CryptoSuite& m_suite;
  Chain& m_chain;
  storage::KvStore& m_store;
  const ConsensusConfig m_config;
  const std::optional<core::SecretKey> m_secret;
  const Committed m_committed;
  const Log m_log;

  std::unique_ptr<net::Publisher> m_publisher;
  std::unique_ptr<net::Subscriber> m_frames;
  std::unique_ptr<net::Subscriber> m_txs;
  std::unique_ptr<consensus::Pbft> m_pbft;

  // Consensus thread only:
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> m_timers;
  std::map<core::Hash32, Proposal> m_executed;  // blocks of this height, by header hash
  std::map<core::Hash32, SteadyClock::time_point> m_built;  // when this node built them
  std::set<core::Hash32> m_evidence_seen;
  std::uint64_t m_evidence_seq = 0;
  std::optional<SteadyClock::time_point> m_behind_since;
  SteadyClock::time_point m_last_sync{};
  std::size_t m_sync_peer = 0;
  SteadyClock::time_point m_last_drop_log{};
  std::uint64_t m_drops_unlogged = 0;

  mutable std::mutex m_status_mutex;  // guards m_status
  core::json::Json m_status;

  std::mutex m_gossip_mutex;  // guards m_outgoing
  std::vector<core::Bytes> m_outgoing;

  std::atomic<bool> m_stop{false};
  std::thread m_consensus_thread;
  std::thread m_gossip_thread;
};

}  // namespace baylink::chain
