// SPDX-License-Identifier: Apache-2.0
#include "consensus_service.h"

#include <algorithm>
#include <utility>

#include "baylink/chain/block.h"
#include "baylink/core/thread_name.h"
#include "baylink/lightclient/commit.h"
#include "keys.h"

namespace baylink::chain {
namespace {

using core::Errc;
using core::Hash32;
using core::json::Json;

constexpr std::string_view kFramesTopic = "c";
constexpr std::string_view kTxsTopic = "t";
constexpr std::size_t kMaxTxsPerGossip = 2000;
constexpr std::size_t kMaxSyncBlocksPerStep = 64;
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kSyncGrace = std::chrono::milliseconds(400);

std::uint64_t NowMs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

core::Result<std::pair<std::string, std::uint16_t>> ParsePeerRpc(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) == 0 ||
      std::stoul(port) > 65535) {
    return core::Fail(Errc::kInvalidArgument, "peer rpc '" + text + "' must be host:port");
  }
  return std::make_pair(text.substr(0, colon), static_cast<std::uint16_t>(std::stoul(port)));
}

ConsensusService::ConsensusService(const core::CryptoSuite& suite, Chain& chain,
                                   storage::KvStore& store, ConsensusConfig config,
                                   std::optional<core::SecretKey> secret, Committed committed,
                                   Log log)
    : m_suite(suite),
      m_chain(chain),
      m_store(store),
      m_config(std::move(config)),
      m_secret(std::move(secret)),
      m_committed(std::move(committed)),
      m_log(std::move(log)) {}

core::Result<std::unique_ptr<ConsensusService>> ConsensusService::Start(
    const core::CryptoSuite& suite, Chain& chain, storage::KvStore& store,
    const ConsensusConfig& config, std::optional<core::SecretKey> secret, Committed committed,
    Log log) {
  for (const std::string& peer : config.peer_rpc) BAYLINK_TRY(ParsePeerRpc(peer));
  std::unique_ptr<ConsensusService> service(new ConsensusService(
      suite, chain, store, config, std::move(secret), std::move(committed), std::move(log)));
  consensus::PbftOptions options;
  options.timeouts = config.timeouts;
  options.max_frame_bytes = std::size_t{chain.genesis().params.max_block_bytes} + (1u << 20);
  BAYLINK_ASSIGN_OR_RETURN(service->m_publisher, net::Publisher::Bind(config.listen, 100000));
  if (!config.peers.empty()) {
    BAYLINK_ASSIGN_OR_RETURN(
        service->m_frames,
        net::Subscriber::ConnectAll(config.peers, {std::string(kFramesTopic)}, 100000,
                                    static_cast<std::int64_t>(options.max_frame_bytes)));
    BAYLINK_ASSIGN_OR_RETURN(
        service->m_txs,
        net::Subscriber::ConnectAll(config.peers, {std::string(kTxsTopic)}, 10000,
                                    static_cast<std::int64_t>(options.max_frame_bytes)));
  }
  service->m_pbft = std::make_unique<consensus::Pbft>(suite, chain.genesis().chain_id,
                                                      service->m_secret, *service, options);
  service->m_consensus_thread = std::thread([s = service.get()] {
    core::NameThisThread("consensus");
    s->ConsensusLoop();
  });
  if (service->m_txs) {
    service->m_gossip_thread = std::thread([s = service.get()] {
      core::NameThisThread("gossip");
      s->GossipLoop();
    });
  }
  return service;
}

ConsensusService::~ConsensusService() { Stop(); }

void ConsensusService::Stop() {
  m_stop = true;
  if (m_consensus_thread.joinable()) m_consensus_thread.join();
  if (m_gossip_thread.joinable()) m_gossip_thread.join();
}

std::string ConsensusService::listen_endpoint() const { return m_publisher->endpoint(); }

void ConsensusService::Gossip(core::ByteView encoded) {
  if (!m_txs) return;
  std::lock_guard lock(m_gossip_mutex);
  m_outgoing.emplace_back(encoded.begin(), encoded.end());
}

// ---- consensus thread ----------------------------------------------------------------------

void ConsensusService::ConsensusLoop() {
  StartNext();
  while (!m_stop) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kPoll);
    if (!m_timers.empty()) {
      const auto until = std::chrono::ceil<std::chrono::milliseconds>(m_timers.top().due -
                                                                      SteadyClock::now());
      wait = std::clamp(until, std::chrono::milliseconds(0), wait);
    }
    if (m_frames) {
      auto message = m_frames->Receive(wait);
      // Drain what is queued, bounded so timers still fire under a flood.
      for (int i = 0; i < 512 && message && *message; ++i) {
        if (core::Status s = m_pbft->OnFrame((*message)->payload); !s) NoteDrop(s.error());
        if (auto decision = m_pbft->TakeDecision()) CommitDecision(std::move(*decision));
        message = m_frames->Receive(std::chrono::milliseconds(0));
      }
      if (!message) {
        m_log("consensus: receiving failed: " + message.error().Message());
        std::this_thread::sleep_for(kPoll);
      }
    } else {
      std::this_thread::sleep_for(wait);
    }
    while (!m_timers.empty() && m_timers.top().due <= SteadyClock::now()) {
      const consensus::Timer timer = m_timers.top().timer;
      m_timers.pop();
      m_pbft->OnTimer(timer);
    }
    if (auto decision = m_pbft->TakeDecision()) CommitDecision(std::move(*decision));
    MaybeSync();
    MaybeGo();
    UpdateStatus();
  }
}

void ConsensusService::StartNext() {
  const std::uint64_t height = m_chain.head().height + 1;
  std::optional<consensus::SignedRecord> record;
  auto stored = m_store.Get(keys::Key(keys::kSigned));
  if (!stored) {
    m_log("consensus: reading the signed record failed: " + stored.error().Message());
  } else if (*stored) {
    auto decoded = consensus::SignedRecord::Decode(**stored);
    if (!decoded) {
      m_log("consensus: the signed record is unreadable (" + decoded.error().Message() +
            "); the data folder is corrupt");
    } else if (decoded->height == height) {
      record = std::move(*decoded);
      m_log("consensus: resuming height " + std::to_string(height) + " at round " +
            std::to_string(record->round) + " with " + std::to_string(record->votes.size()) +
            " signed votes");
    }
  }
  // Blocks kept for heights already committed are of no further use.
  storage::WriteBatch old;
  (void)m_store.Scan(core::AsBytes(keys::kKeptBlock), [&](core::ByteView key, core::ByteView) {
    core::Reader r(key.subspan(keys::kKeptBlock.size()), "kept block key");
    auto kept_height = r.U64("height");
    if (kept_height && *kept_height >= height) return storage::ScanStep::kStop;
    old.Delete(key);
    return storage::ScanStep::kContinue;
  });
  if (!old.empty()) (void)m_store.Write(old);
  m_executed.clear();
  m_built.clear();
  m_timers = {};
  m_behind_since.reset();
  (void)m_pbft->StartHeight(height, m_chain.next_validators(), record, /*wait=*/true);
  MaybeGo();
}

void ConsensusService::MaybeGo() {
  if (!m_pbft->waiting()) return;
  const core::BlockHeader head = m_chain.head();
  const auto& params = m_chain.genesis().params;
  const std::uint64_t now = NowMs();
  const bool work = m_chain.mempool().size() > 0 && now >= head.timestamp_ms + params.block_interval_ms;
  const bool heartbeat = now >= head.timestamp_ms + params.heartbeat_ms;
  if (work || heartbeat) m_pbft->Go();
}

void ConsensusService::CommitDecision(consensus::Decision decision) {
  const std::uint64_t height = decision.header.height;
  const Hash32 hash = decision.header.Hash(m_suite);
  std::optional<Proposal> proposal;
  if (auto it = m_executed.find(hash); it != m_executed.end()) {
    proposal = std::move(it->second);
  } else {
    auto txs = DecodeBody(decision.body);
    if (!txs) {
      m_log("consensus: decided block " + std::to_string(height) + " has an unreadable body: " +
            txs.error().Message());
      return;
    }
    auto executed = m_chain.Execute(decision.header, std::move(*txs));
    if (!executed) {
      m_log("consensus: decided block " + std::to_string(height) + " does not execute here: " +
            executed.error().Message());
      return;
    }
    proposal = std::move(*executed);
  }
  const std::size_t txs = proposal->block.transactions.size();
  // Pbft verified every vote of the certificate as it arrived and tallied their power.
  if (core::Status s = m_chain.Commit(std::move(*proposal), decision.certificate,
                                      Chain::CertificateCheck::kSignaturesVerified);
      !s) {
    m_log("consensus: committing block " + std::to_string(height) + " failed: " +
          s.error().Message());
    return;
  }
  if (const core::Status& journal = m_chain.journal_status(); !journal) {
    m_log("consensus: block " + std::to_string(height) + " committed, but tidying the mempool "
          "journal failed (retried after the next block): " + journal.error().Message());
  }
  // For a block built here: the time from building it (execution included) to its commit.
  std::string latency;
  if (const auto built = m_built.find(hash); built != m_built.end()) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() -
                                                                          built->second);
    latency = "; built here " + std::to_string(us.count()) + " us before";
  }
  m_log("consensus: committed block " + std::to_string(height) + " round " +
        std::to_string(decision.certificate.round) + " with " + std::to_string(txs) +
        " transactions, " + std::to_string(decision.certificate.signatures.size()) +
        " signatures" + latency);
  if (m_committed) m_committed(height);
  StartNext();
}

void ConsensusService::MaybeSync() {
  const bool behind = m_pbft->highest_seen_height() > m_pbft->height() ||
                      m_pbft->certified_without_body() != Hash32{};
  if (!behind || m_config.peer_rpc.empty()) {
    m_behind_since.reset();
    return;
  }
  const auto now = SteadyClock::now();
  if (!m_behind_since) m_behind_since = now;
  // A frame of the next height right after a decision elsewhere is normal: give our own
  // consensus a moment before fetching, unless we are clearly behind.
  const bool far = m_pbft->highest_seen_height() > m_pbft->height() + 1;
  if (!far && now - *m_behind_since < kSyncGrace) return;
  if (now - m_last_sync < kSyncGrace) return;
  m_last_sync = now;
  std::size_t fetched = 0;
  for (std::size_t tries = 0; tries < m_config.peer_rpc.size() && fetched == 0; ++tries) {
    const std::string& peer = m_config.peer_rpc[m_sync_peer % m_config.peer_rpc.size()];
    fetched = SyncFrom(peer, kMaxSyncBlocksPerStep);
    if (fetched == 0) ++m_sync_peer;
  }
  if (fetched > 0) StartNext();
}

std::size_t ConsensusService::SyncFrom(const std::string& peer, std::size_t max_blocks) {
  auto address = ParsePeerRpc(peer);
  if (!address) return 0;
  net::RpcClient rpc(address->first, address->second, std::chrono::seconds(5));
  std::size_t fetched = 0;
  while (fetched < max_blocks && !m_stop) {
    const std::uint64_t height = m_chain.head().height + 1;
    auto answer = rpc.Call("getBlock", Json{{"height", height}});
    if (!answer) {
      if (answer.error().code != Errc::kNotFound) {
        m_log("consensus: block sync from " + peer + " failed: " + answer.error().Message());
      }
      break;
    }
    const Json* raw = answer->is_object() && answer->contains("raw") ? &(*answer)["raw"] : nullptr;
    auto bytes = raw != nullptr && raw->is_string()
                     ? core::FromHex(raw->get<std::string>())
                     : core::Result<core::Bytes>(core::Fail(Errc::kMalformed, "no raw block"));
    if (!bytes) {
      m_log("consensus: block sync from " + peer + ": malformed answer: " + bytes.error().Message());
      break;
    }
    auto block = Block::Decode(*bytes);
    if (!block || block->header.height != height) {
      m_log("consensus: block sync from " + peer + ": block " + std::to_string(height) +
            " is malformed" + (block ? std::string(" (wrong height)") : ": " + block.error().Message()));
      break;
    }
    // The certificate first, against the set this node trusts for the height (as a light
    // client would), so a forged block costs a few signature checks and no execution.
    const Hash32 hash = block->header.Hash(m_suite);
    if (auto tally = lightclient::VerifyCommit(m_suite, m_chain.genesis().chain_id, height, hash,
                                               block->certificate, m_chain.next_validators(),
                                               nullptr, nullptr);
        !tally) {
      m_log("consensus: block sync from " + peer + ": block " + std::to_string(height) +
            " refused: " + tally.error().Message());
      break;
    }
    auto executed = m_chain.Execute(block->header, std::move(block->transactions));
    if (!executed) {
      m_log("consensus: block sync from " + peer + ": block " + std::to_string(height) +
            " does not execute: " + executed.error().Message());
      break;
    }
    if (core::Status s = m_chain.Commit(std::move(*executed), block->certificate,
                                        Chain::CertificateCheck::kSignaturesVerified);
        !s) {
      m_log("consensus: block sync: committing block " + std::to_string(height) + " failed: " +
            s.error().Message());
      break;
    }
    ++fetched;
    if (m_committed) m_committed(height);
  }
  if (fetched > 0) {
    m_log("consensus: caught up " + std::to_string(fetched) + " blocks from " + peer + " to height " +
          std::to_string(m_chain.head().height));
  }
  return fetched;
}

void ConsensusService::NoteDrop(const core::Error& error) {
  // Rejected input is the sender's fault: logged at most once a second, with how many more.
  const auto now = SteadyClock::now();
  ++m_drops_unlogged;
  if (now - m_last_drop_log < std::chrono::seconds(1)) return;
  m_log("consensus: dropped a frame: " + error.Message() +
        (m_drops_unlogged > 1 ? " (and " + std::to_string(m_drops_unlogged - 1) + " more since)"
                              : std::string()));
  m_drops_unlogged = 0;
  m_last_drop_log = now;
}

void ConsensusService::UpdateStatus() {
  const consensus::DropCounters& d = m_pbft->drops();
  Json status{{"height", m_pbft->height()},
              {"round", m_pbft->round()},
              {"step", std::string(consensus::StepName(m_pbft->step()))},
              {"waiting", m_pbft->waiting()},
              {"validator", m_pbft->own_index() ? Json(*m_pbft->own_index()) : Json(nullptr)},
              {"highest_seen_height", m_pbft->highest_seen_height()},
              {"evidence", m_evidence_seq},
              {"dropped",
               Json{{"malformed", d.malformed},
                    {"stale", d.stale},
                    {"unknown", d.unknown},
                    {"duplicate", d.duplicate},
                    {"bad_signature", d.bad_signature},
                    {"conflict", d.conflict},
                    {"future", d.future}}}};
  std::lock_guard lock(m_status_mutex);
  m_status = std::move(status);
}

// ---- Host ----------------------------------------------------------------------------------

core::Result<consensus::Candidate> ConsensusService::BuildBlock(std::uint64_t height,
                                                                std::uint32_t round) {
  const auto own = m_pbft->own_index();
  if (!own) return core::Fail(Errc::kUnavailable, "not a validator");
  const SteadyClock::time_point started = SteadyClock::now();
  auto proposal = m_chain.Propose(NowMs(), *own);
  if (!proposal) {
    m_log("consensus: building block " + std::to_string(height) + " round " +
          std::to_string(round) + " failed: " + proposal.error().Message());
    return std::move(proposal).error();
  }
  consensus::Candidate candidate{proposal->block.header, EncodeBody(proposal->block.transactions)};
  const Hash32 hash = candidate.header.Hash(m_suite);
  m_executed.emplace(hash, std::move(*proposal));
  m_built.emplace(hash, started);
  return candidate;
}

core::Status ConsensusService::CheckBlock(const core::BlockHeader& header, core::ByteView body) {
  if (header.timestamp_ms > NowMs() + m_config.max_clock_drift_ms) {
    return core::Fail(Errc::kBadTimestamp, "block " + std::to_string(header.height) +
                                               " has timestamp " +
                                               std::to_string(header.timestamp_ms) +
                                               ", too far ahead of this node's clock");
  }
  BAYLINK_ASSIGN_OR_RETURN(std::vector<core::Transaction> txs, DecodeBody(body));
  auto executed = m_chain.Execute(header, std::move(txs));
  if (!executed) {
    m_log("consensus: refusing proposed block " + std::to_string(header.height) + ": " +
          executed.error().Message());
    return std::move(executed).error();
  }
  m_executed.emplace(header.Hash(m_suite), std::move(*executed));
  return core::Ok();
}

core::Status ConsensusService::Persist(const consensus::SignedRecord& record) {
  storage::WriteBatch batch;
  batch.Put(keys::Key(keys::kSigned), record.Encode());
  return m_store.Write(batch, storage::WriteOptions{true});
}

namespace {

core::Bytes KeptBlockKey(std::uint64_t height, const Hash32& hash) {
  core::Writer key;
  key.Raw(core::AsBytes(keys::kKeptBlock)).U64(height).Fixed(hash);
  return std::move(key).Take();
}

}  // namespace

core::Status ConsensusService::SaveBlock(const Hash32& header_hash,
                                         const consensus::Candidate& block) {
  // Not synced here: the Persist that follows is, and it makes every earlier write durable.
  core::Writer value;
  block.header.Encode(value);
  value.Blob(block.body);
  storage::WriteBatch batch;
  batch.Put(KeptBlockKey(block.header.height, header_hash), value.bytes());
  return m_store.Write(batch);
}

std::optional<consensus::Candidate> ConsensusService::LoadBlock(const Hash32& header_hash) {
  auto stored = m_store.Get(KeptBlockKey(m_pbft->height(), header_hash));
  if (!stored || !*stored) return std::nullopt;
  core::Reader r(**stored, "kept block");
  auto header = core::BlockHeader::Decode(r);
  if (!header) return std::nullopt;
  auto body = r.Blob("body", consensus::kMaxBodyBytes);
  if (!body || !r.Finish() || header->Hash(m_suite) != header_hash) {
    m_log("consensus: a kept block of height " + std::to_string(m_pbft->height()) +
          " is unreadable; the data folder is corrupt");
    return std::nullopt;
  }
  return consensus::Candidate{std::move(*header), std::move(*body)};
}

void ConsensusService::Broadcast(core::ByteView frame) {
  if (core::Status s = m_publisher->Publish(kFramesTopic, frame); !s) {
    m_log("consensus: sending failed: " + s.error().Message());
  }
  if (!m_config.equivocate || !m_secret) return;
  // TEST ONLY: a faulty validator that contradicts each of its votes with a nil vote.
  auto message = consensus::DecodeMessage(m_chain.genesis().chain_id, frame, frame.size());
  if (!message || !std::holds_alternative<consensus::Vote>(*message)) return;
  consensus::Vote vote = std::get<consensus::Vote>(*message);
  if (vote.is_nil()) return;
  vote.header_hash = Hash32{};
  auto signature = m_suite.Sign(*m_secret, consensus::VoteDigest(m_suite, m_chain.genesis().chain_id,
                                                                 vote.type, vote.height, vote.round,
                                                                 vote.header_hash)
                                               .view());
  if (!signature) return;
  vote.signature = std::move(*signature);
  (void)m_publisher->Publish(kFramesTopic,
                             consensus::EncodeMessage(m_chain.genesis().chain_id, vote));
}

void ConsensusService::Schedule(const consensus::Timer& timer, std::chrono::milliseconds after) {
  m_timers.push(Pending{SteadyClock::now() + after, timer});
}

void ConsensusService::OnEvidence(const consensus::Evidence& evidence) {
  const core::Bytes encoded = evidence.Encode();
  if (!m_evidence_seen.insert(m_suite.Hash(encoded)).second) return;
  core::Writer key;
  key.Raw(core::AsBytes(keys::kEvidence)).U64(evidence.height()).U64(m_evidence_seq++);
  storage::WriteBatch batch;
  batch.Put(key.bytes(), encoded);
  if (core::Status s = m_store.Write(batch, storage::WriteOptions{true}); !s) {
    m_log("consensus: storing evidence failed: " + s.error().Message());
  }
  m_log("consensus: EVIDENCE: " + evidence.Describe());
}

// ---- RPC and gossip ------------------------------------------------------------------------

core::Result<Json> ConsensusService::EvidenceJson(const Json& params) const {
  const Json object = params.is_null() ? Json::object() : params;
  core::json::ObjectReader o(object, "getEvidence params");
  BAYLINK_TRY(o.Begin());
  BAYLINK_TRY(o.Done());
  Json list = Json::array();
  core::Status failed = core::Ok();
  BAYLINK_TRY(m_store.Scan(core::AsBytes(keys::kEvidence), [&](core::ByteView, core::ByteView value) {
    auto evidence = consensus::Evidence::Decode(value);
    if (!evidence) {
      failed = core::Fail(Errc::kStorage, "stored evidence is unreadable: " + evidence.error().detail);
      return storage::ScanStep::kStop;
    }
    list.push_back(Json{{"height", evidence->height()},
                        {"validator", evidence->validator},
                        {"description", evidence->Describe()},
                        {"raw", core::ToHex(value)}});
    return list.size() >= 1000 ? storage::ScanStep::kStop : storage::ScanStep::kContinue;
  }));
  BAYLINK_TRY(failed);
  return Json{{"evidence", std::move(list)}};
}

void ConsensusService::RegisterRpc(net::RpcDispatcher& dispatcher) {
  dispatcher.Add("getConsensusStatus", [this](const Json&) -> core::Result<Json> {
    std::lock_guard lock(m_status_mutex);
    return m_status;
  });
  dispatcher.Add("getEvidence", [this](const Json& params) { return EvidenceJson(params); });
}

void ConsensusService::GossipLoop() {
  while (!m_stop) {
    auto message = m_txs->Receive(std::chrono::milliseconds(20));
    if (message && *message) {
      auto txs = [&]() -> core::Result<std::vector<core::Bytes>> {
        core::Reader r((*message)->payload, "transaction gossip");
        BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count,
                                 r.Count("transactions", kMaxTxsPerGossip));
        std::vector<core::Bytes> out;
        for (std::uint32_t i = 0; i < count; ++i) {
          BAYLINK_ASSIGN_OR_RETURN(core::Bytes tx, r.Blob("transaction", m_chain.genesis().params.max_tx_bytes));
          out.push_back(std::move(tx));
        }
        BAYLINK_TRY(r.Finish());
        return out;
      }();
      if (txs) {
        std::vector<core::ByteView> views(txs->begin(), txs->end());
        (void)m_chain.Submit(views);  // each passes admission on its own; refusals are normal
      }
    }
    std::vector<core::Bytes> outgoing;
    {
      std::lock_guard lock(m_gossip_mutex);
      outgoing.swap(m_outgoing);
    }
    for (std::size_t start = 0; start < outgoing.size(); start += kMaxTxsPerGossip) {
      const std::size_t end = std::min(outgoing.size(), start + kMaxTxsPerGossip);
      core::Writer w;
      w.Count(end - start);
      for (std::size_t i = start; i < end; ++i) w.Blob(outgoing[i]);
      (void)m_publisher->Publish(kTxsTopic, w.bytes());
    }
  }
}

}  // namespace baylink::chain
