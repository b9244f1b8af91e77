// SPDX-License-Identifier: Apache-2.0
//
// A deterministic simulation of validators running consensus::Pbft (DESIGN §4): one thread,
// a virtual clock and one event queue holding the frames in flight, the timers the state
// machines asked for and the scripted faults. Nothing sleeps.
//
// Faults: the network drops, delays (at random, so it also reorders), duplicates and
// partitions frames (partitions start and heal at virtual times); validators crash at random
// times, also between persisting a signature and sending it, and restart from their "disk"
// (the last SignedRecord and the decided chain); one validator may equivocate, signing two
// votes or two proposals at one height and round with its own key.
//
// Checked after every event: no two nodes decide different headers at one height; every
// decided block extends its node's chain and carries a certificate whose signatures verify
// against the commit vote digest and hold more than 2/3 of the power; no honest validator
// ever signs two different messages of one kind at one height and round (also across
// restarts), sends anything it had not persisted first, or is accused by evidence; every
// evidence reported holds. Once faults stop, every node must reach a target height within a
// bounded virtual time (liveness).
//
// Seeds: run i of a test case uses Seed() + i (Seed() is printed by the test main); a failing
// run prints its seed, and `--seed=<that seed>` replays it as run 0.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "baylink/consensus/messages.h"
#include "baylink/consensus/pbft.h"
#include "baylink/core/merkle.h"
#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"
#include "test_random.h"

namespace core = baylink::core;
namespace consensus = baylink::consensus;
using baylink::testing::Seed;
using baylink::testing::TestRandom;
using namespace std::chrono_literals;

namespace pbft_sim_test {
namespace {

constexpr std::string_view kChain = "sim";
constexpr std::uint64_t kGenesisTimeMs = 1'700'000'000'000ULL;
// How often each node looks whether it fell behind (block sync).
constexpr std::uint64_t kSyncEveryMs = 200;
// Events kept for the report of a failing run.
constexpr std::size_t kTraceEntries = 80;

consensus::PbftOptions SimOptions() {
  consensus::PbftOptions options;
  options.timeouts.propose = 150ms;
  options.timeouts.prepare = 80ms;
  options.timeouts.commit = 80ms;
  options.timeouts.per_round = 40ms;
  options.timeouts.max = 1000ms;
  options.timeouts.resend = 100ms;
  return options;
}

std::size_t MaxFrame() { return consensus::PbftOptions{}.max_frame_bytes; }

std::string Short(const core::Hash32& hash) {
  return hash.IsZero() ? std::string("nil") : hash.ToHex().substr(0, 10) + "..";
}

core::Hash32 TxRoot(const core::CryptoSuite& suite, core::ByteView body) {
  const std::vector<core::Bytes> leaves{core::Bytes(body.begin(), body.end())};
  return core::merkle::Root(suite, leaves);
}

core::Hash32 RandomHash(TestRandom& rng) {
  core::Hash32 h;
  rng.Fill(h.bytes);
  return h;
}

core::Bytes RandomBody(TestRandom& rng) {
  core::Bytes body(1 + rng.Below(48));
  rng.Fill(body);
  return body;
}

std::string_view TimerName(consensus::TimerKind kind) {
  switch (kind) {
    case consensus::TimerKind::kPropose:
      return "propose";
    case consensus::TimerKind::kPrepare:
      return "prepare";
    case consensus::TimerKind::kCommit:
      return "commit";
    case consensus::TimerKind::kResend:
      return "resend";
  }
  return "unknown";
}

// ---- scenarios ---------------------------------------------------------------------------

struct Partition {
  std::uint64_t start_ms = 0;
  std::uint64_t end_ms = 0;  // healed at this time
  std::vector<int> side;     // per node; nodes on different sides cannot talk
};

struct Crash {
  std::size_t node = 0;
  std::uint64_t at_ms = 0;
  std::uint64_t down_ms = 0;
};

struct Scenario {
  std::vector<std::uint64_t> powers;
  // Drops, partitions and crashes happen before this time only; after it the network still
  // delays, reorders and duplicates, but delivers everything.
  std::uint64_t faults_end_ms = 0;
  std::uint32_t drop_permille = 0;
  std::uint32_t duplicate_permille = 0;
  std::uint64_t min_delay_ms = 1;
  std::uint64_t max_delay_ms = 20;
  std::vector<Partition> partitions;
  std::vector<Crash> crashes;
  // Nodes that may crash right after a Persist, before sending what they persisted.
  std::vector<std::size_t> crash_prone;
  std::uint32_t crash_after_persist_permille = 0;
  std::optional<std::size_t> equivocator;
  // Liveness: every node reaches max(min_height, highest height decided when faults stop +
  // heights_after_faults) within liveness_bound_ms after faults stop.
  std::uint64_t min_height = 6;
  std::uint64_t heights_after_faults = 2;
  std::uint64_t liveness_bound_ms = 20'000;

  std::string Describe() const {
    std::ostringstream out;
    out << "powers [";
    for (std::size_t i = 0; i < powers.size(); ++i) out << (i ? "," : "") << powers[i];
    out << "], faults until " << faults_end_ms << " ms, drop " << drop_permille
        << "/1000, duplicate " << duplicate_permille << "/1000, delay " << min_delay_ms << ".."
        << max_delay_ms << " ms";
    for (const Partition& p : partitions) {
      out << ", partition [" << p.start_ms << "," << p.end_ms << ") sides ";
      for (int s : p.side) out << s;
    }
    for (const Crash& c : crashes) {
      out << ", crash node " << c.node << " at " << c.at_ms << " for " << c.down_ms << " ms";
    }
    for (std::size_t n : crash_prone) {
      out << ", node " << n << " crashes after " << crash_after_persist_permille
          << "/1000 of its writes";
    }
    if (equivocator) out << ", node " << *equivocator << " equivocates";
    return out.str();
  }
};

// Most runs: four validators of equal power. Some: weighted sets in which every validator
// holds less than a third of the power, so that any single one may fail.
std::vector<std::uint64_t> RandomPowers(TestRandom& rng) {
  switch (rng.Below(8)) {
    case 0:
      return {2, 2, 2, 1};
    case 1:
      return {4, 3, 3, 3};
    case 2:
      return {3, 2, 2, 2, 1};
    default:
      return {1, 1, 1, 1};
  }
}

std::vector<Partition> RandomPartitions(TestRandom& rng, std::size_t n,
                                        std::uint64_t faults_end_ms, std::uint64_t max_count) {
  std::vector<Partition> out;
  std::uint64_t t = rng.Below(faults_end_ms / 2 + 1);
  for (std::uint64_t k = rng.Below(max_count + 1); k > 0 && t + 50 < faults_end_ms; --k) {
    Partition p;
    p.start_ms = t;
    p.end_ms = std::min(faults_end_ms - 1, t + 100 + rng.Below(700));
    p.side.assign(n, 0);
    for (;;) {
      for (int& s : p.side) s = static_cast<int>(rng.Below(2));
      const auto zeros = std::count(p.side.begin(), p.side.end(), 0);
      if (zeros != 0 && zeros != static_cast<std::ptrdiff_t>(n)) break;
    }
    out.push_back(p);
    t = p.end_ms + rng.Below(300);
  }
  return out;
}

std::vector<Crash> RandomCrashes(TestRandom& rng, std::size_t n, std::uint64_t faults_end_ms,
                                 std::uint64_t count, std::uint64_t max_down_ms) {
  std::vector<Crash> out;
  for (std::uint64_t k = 0; k < count; ++k) {
    Crash c;
    c.node = rng.Below(n);
    c.at_ms = 1 + rng.Below(faults_end_ms - 100);
    c.down_ms = std::min(10 + rng.Below(max_down_ms), faults_end_ms - 1 - c.at_ms);
    out.push_back(c);
  }
  return out;
}

// Everything at once: loss, duplication, reordering, partitions, crashes.
Scenario FaultyScenario(TestRandom& rng) {
  Scenario s;
  s.powers = RandomPowers(rng);
  const std::size_t n = s.powers.size();
  s.faults_end_ms = 500 + rng.Below(700);
  static constexpr std::uint32_t kDrops[] = {0, 50, 150, 300};
  s.drop_permille = kDrops[rng.Below(4)];
  s.duplicate_permille = 50;
  s.min_delay_ms = 1;
  s.max_delay_ms = 5 + rng.Below(40);
  s.partitions = RandomPartitions(rng, n, s.faults_end_ms, 2);
  s.crashes = RandomCrashes(rng, n, s.faults_end_ms, rng.Below(3), 500);
  if (rng.Below(4) == 0) {
    s.crash_prone = {rng.Below(n)};
    s.crash_after_persist_permille = 20 + static_cast<std::uint32_t>(rng.Below(80));
  }
  return s;
}

// Frequent crashes, most of them between a Persist and the sending of what it persisted.
Scenario RestartScenario(TestRandom& rng) {
  Scenario s;
  s.powers = RandomPowers(rng);
  const std::size_t n = s.powers.size();
  s.faults_end_ms = 800 + rng.Below(600);
  s.drop_permille = rng.Below(2) == 0 ? 0 : 50;
  s.duplicate_permille = 50;
  s.max_delay_ms = 5 + rng.Below(30);
  s.crashes = RandomCrashes(rng, n, s.faults_end_ms, 2 + rng.Below(4), 200);
  s.crash_prone = {rng.Below(n)};
  if (rng.Below(2) == 0) {
    const std::size_t other = (s.crash_prone[0] + 1 + rng.Below(n - 1)) % n;
    s.crash_prone.push_back(other);
  }
  s.crash_after_persist_permille = 150 + static_cast<std::uint32_t>(rng.Below(200));
  return s;
}

// One validator signs conflicting messages; the network is mildly lossy.
Scenario EquivocatorScenario(TestRandom& rng) {
  Scenario s;
  s.powers = RandomPowers(rng);
  const std::size_t n = s.powers.size();
  s.faults_end_ms = 500 + rng.Below(500);
  s.drop_permille = rng.Below(2) == 0 ? 0 : 50;
  s.duplicate_permille = 50;
  s.max_delay_ms = 5 + rng.Below(30);
  s.partitions = RandomPartitions(rng, n, s.faults_end_ms, 1);
  s.equivocator = rng.Below(n);
  return s;
}

// ---- the simulation ----------------------------------------------------------------------

struct Block {
  core::BlockHeader header;
  core::Bytes body;
  core::CommitCertificate certificate;
  core::Hash32 hash;
};

struct Stats {
  std::uint64_t events = 0;
  std::uint64_t decisions = 0;   // by a node's own Pbft
  std::uint64_t syncs = 0;       // blocks copied by block sync
  std::uint64_t crashes = 0;
  std::uint64_t restored = 0;    // restarts given a SignedRecord of the height
  std::uint64_t equivocations = 0;
  std::uint64_t evidence = 0;
  std::uint32_t max_round = 0;   // highest certificate round
  std::uint64_t target = 0;
  std::uint64_t end_ms = 0;
};

struct Outcome {
  std::string failure;  // empty: every invariant held
  Stats stats;
};

class Sim;

// The Host of one validator: forwards to the simulation, which owns every node's state.
class SimHost final : public consensus::Host {
 public:
  SimHost(Sim& sim, std::size_t index) : m_sim(sim), m_index(index) {}
  core::Result<consensus::Candidate> BuildBlock(std::uint64_t height, std::uint32_t round) override;
  core::Status CheckBlock(const core::BlockHeader& header, core::ByteView body) override;
  core::Status Persist(const consensus::SignedRecord& record) override;
  core::Status SaveBlock(const core::Hash32& hash, const consensus::Candidate& block) override;
  std::optional<consensus::Candidate> LoadBlock(const core::Hash32& hash) override;
  void Broadcast(core::ByteView frame) override;
  void Schedule(const consensus::Timer& timer, std::chrono::milliseconds after) override;
  void OnEvidence(const consensus::Evidence& evidence) override;

 private:
  Sim& m_sim;
  const std::size_t m_index;
};

class Sim {
 public:
  Sim(const core::CryptoSuite& suite, Scenario scenario, std::uint64_t seed)
      : m_suite(suite), m_scenario(std::move(scenario)), m_rng(seed) {
    const std::size_t n = m_scenario.powers.size();
    std::vector<core::Validator> validators;
    m_nodes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      m_nodes[i].key = m_suite.GenerateKey(m_rng);
      m_nodes[i].host = std::make_unique<SimHost>(*this, i);
      validators.push_back(core::Validator{m_nodes[i].key.public_key, m_scenario.powers[i]});
    }
    m_validators = core::ValidatorSet::Create(std::move(validators)).value();
    m_validators_hash = m_validators.Hash(m_suite);
    m_genesis.chain_id = std::string(kChain);
    m_genesis.height = 0;
    m_genesis.timestamp_ms = kGenesisTimeMs;
    m_genesis.validators_hash = m_validators_hash;
    m_genesis.next_validators_hash = m_validators_hash;
    m_genesis_hash = m_genesis.Hash(m_suite);
    m_side.assign(n, 0);
  }

  Outcome Run() {
    for (std::size_t k = 0; k < m_scenario.partitions.size(); ++k) {
      Event start{.at_ms = m_scenario.partitions[k].start_ms, .kind = EventKind::kPartition};
      start.index = k;
      Push(std::move(start));
      Push(Event{.at_ms = m_scenario.partitions[k].end_ms, .kind = EventKind::kHeal});
    }
    for (const Crash& c : m_scenario.crashes) {
      Push(Event{.at_ms = c.at_ms, .kind = EventKind::kCrash, .node = c.node});
      Push(Event{.at_ms = c.at_ms + c.down_ms, .kind = EventKind::kRestart, .node = c.node});
    }
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
      Push(Event{.at_ms = kSyncEveryMs + 13 * i, .kind = EventKind::kSyncTick, .node = i});
    }
    for (std::size_t i = 0; i < m_nodes.size() && m_failure.empty(); ++i) {
      StartNode(i, /*restart=*/false);
      AfterEvent(i);
    }

    const std::uint64_t deadline = m_scenario.faults_end_ms + m_scenario.liveness_bound_ms;
    while (m_failure.empty()) {
      if (m_queue.empty()) {
        Fail("the event queue ran dry");
        break;
      }
      std::pop_heap(m_queue.begin(), m_queue.end(), EventLater{});
      Event event = std::move(m_queue.back());
      m_queue.pop_back();
      m_now = event.at_ms;
      if (m_stats.target == 0 && m_now >= m_scenario.faults_end_ms) {
        m_stats.target = std::max(m_scenario.min_height,
                                  MaxHeight() + m_scenario.heights_after_faults);
      }
      if (m_now > deadline) {
        Fail("liveness: " + std::to_string(m_scenario.liveness_bound_ms) +
             " ms after faults stopped, not every node reached height " +
             std::to_string(m_stats.target));
        break;
      }
      Dispatch(std::move(event));
      ++m_stats.events;
      if (m_failure.empty()) CheckSafety();
      if (m_stats.target != 0 && AllReached(m_stats.target)) break;
    }
    m_stats.end_ms = m_now;
    return Outcome{m_failure, m_stats};
  }

  // ---- Host callbacks of node i ----------------------------------------------------------

  core::Result<consensus::Candidate> BuildBlock(std::size_t i, std::uint64_t height,
                                                std::uint32_t round) {
    Node& node = m_nodes[i];
    if (height != node.chain.size() + 1) {
      Fail("node " + std::to_string(i) + ": BuildBlock for height " + std::to_string(height) +
           " while its chain ends at " + std::to_string(node.chain.size()));
      return core::Fail(core::Errc::kUnavailable, "sim: not at that height");
    }
    if (node.pbft && node.pbft->Proposer(round) != i) {
      Fail("node " + std::to_string(i) + ": BuildBlock for round " + std::to_string(round) +
           " whose leader is " + std::to_string(node.pbft->Proposer(round)));
    }
    const core::BlockHeader& parent = Head(node);
    consensus::Candidate c;
    c.body = RandomBody(m_rng);
    c.header.chain_id = std::string(kChain);
    c.header.height = height;
    c.header.timestamp_ms = std::max(parent.timestamp_ms + 1, kGenesisTimeMs + m_now);
    c.header.parent_hash = HeadHash(node);
    c.header.tx_root = TxRoot(m_suite, c.body);
    c.header.validators_hash = m_validators_hash;
    c.header.next_validators_hash = m_validators_hash;
    c.header.proposer = static_cast<std::uint32_t>(i);
    return c;
  }

  core::Status SaveBlock(std::size_t i, const core::Hash32& hash, const consensus::Candidate& block) {
    m_nodes[i].disk_blocks[{block.header.height, hash}] = block;
    return core::Ok();
  }

  std::optional<consensus::Candidate> LoadBlock(std::size_t i, const core::Hash32& hash) {
    Node& node = m_nodes[i];
    const auto it = node.disk_blocks.find({node.chain.size() + 1, hash});
    if (it == node.disk_blocks.end()) return std::nullopt;
    return it->second;
  }

  core::Status CheckBlock(std::size_t i, const core::BlockHeader& header, core::ByteView body) {
    Node& node = m_nodes[i];
    // The Host contract: at most once per distinct (header, body) at a height (per instance).
    if (++node.checked[{header.height, header.Hash(m_suite), m_suite.Hash(body)}] > 1) {
      Fail("node " + std::to_string(i) + ": CheckBlock called twice for header " +
           Short(header.Hash(m_suite)) + " at height " + std::to_string(header.height));
    }
    const std::string why = WhyNotNext(node, header, body);
    if (!why.empty()) return core::Fail(core::Errc::kMalformed, why);
    return core::Ok();
  }

  core::Status Persist(std::size_t i, const consensus::SignedRecord& record) {
    Node& node = m_nodes[i];
    if (node.dying) return core::Fail(core::Errc::kIo, "sim: the node is crashing");
    core::Bytes bytes = record.Encode();
    auto decoded = consensus::SignedRecord::Decode(bytes);
    if (!decoded) {
      Fail("node " + std::to_string(i) + ": its SignedRecord does not decode: " +
           decoded.error().Message());
    } else if (*decoded != record) {
      Fail("node " + std::to_string(i) + ": its SignedRecord changes through Encode/Decode");
    }
    if (record.height != node.chain.size() + 1) {
      Fail("node " + std::to_string(i) + ": persisted a record of height " +
           std::to_string(record.height) + " while its chain ends at " +
           std::to_string(node.chain.size()));
    }
    node.disk_record = std::move(bytes);
    node.persisted = record;
    if (m_now < m_scenario.faults_end_ms && CrashProne(i) &&
        m_rng.Below(1000) < m_scenario.crash_after_persist_permille) {
      node.dying = true;  // what this call persisted is durable; nothing after it is sent
    }
    return core::Ok();
  }

  void Broadcast(std::size_t i, core::ByteView view) {
    Node& node = m_nodes[i];
    core::Bytes frame(view.begin(), view.end());
    if (node.dying) {
      Trace("node " + std::to_string(i) + " crashes before sending", frame);
      return;
    }
    CheckSent(i, frame);
    Trace("node " + std::to_string(i) + " sends", frame);
    if (m_scenario.equivocator == i) {
      Equivocate(i, frame);
      return;
    }
    for (std::size_t j = 0; j < m_nodes.size(); ++j) {
      if (j != i) Send(i, j, frame, /*reliable=*/false);
    }
  }

  void Schedule(std::size_t i, const consensus::Timer& timer, std::chrono::milliseconds after) {
    if (after.count() < 0) {
      Fail("node " + std::to_string(i) + ": a timer scheduled " +
           std::to_string(after.count()) + " ms in the past");
      return;
    }
    Event e{.at_ms = m_now + static_cast<std::uint64_t>(after.count()),
            .kind = EventKind::kTimer,
            .node = i};
    e.incarnation = m_nodes[i].incarnation;
    e.timer = timer;
    Push(std::move(e));
  }

  void OnEvidence(std::size_t i, const consensus::Evidence& evidence) {
    ++m_stats.evidence;
    if (m_scenario.equivocator != evidence.validator) {
      Fail("node " + std::to_string(i) + " accused validator " +
           std::to_string(evidence.validator) + ", which is honest: " + evidence.Describe());
      return;
    }
    const std::string why = WhyEvidenceFails(evidence);
    if (!why.empty()) {
      Fail("node " + std::to_string(i) + " reported evidence that does not hold (" + why +
           "): " + evidence.Describe());
    }
  }

 private:
  enum class EventKind : std::uint8_t {
    kDeliver, kTimer, kSyncTick, kCrash, kRestart, kPartition, kHeal
  };
  struct Event {
    std::uint64_t at_ms = 0;
    std::uint64_t seq = 0;
    EventKind kind = EventKind::kDeliver;
    std::size_t node = 0;         // the receiver, or the node the event is about
    std::size_t from = 0;         // kDeliver: the sender
    std::uint64_t incarnation = 0;  // kTimer: the Pbft instance that asked for it
    core::Bytes frame{};
    consensus::Timer timer{};
    std::size_t index = 0;        // kPartition: which one
  };
  struct EventLater {
    bool operator()(const Event& a, const Event& b) const {
      return std::tie(a.at_ms, a.seq) > std::tie(b.at_ms, b.seq);
    }
  };
  struct Node {
    core::KeyPair key;
    std::unique_ptr<SimHost> host;
    std::unique_ptr<consensus::Pbft> pbft;  // null while crashed
    std::uint64_t incarnation = 0;
    bool dying = false;  // crashed in the middle of the current event
    // CheckBlock calls of this incarnation, per (height, header hash, body hash).
    std::map<std::tuple<std::uint64_t, core::Hash32, core::Hash32>, int> checked;
    // Blocks kept by SaveBlock, per (height, header hash): on the disk, survive crashes.
    std::map<std::pair<std::uint64_t, core::Hash32>, consensus::Candidate> disk_blocks;
    // The disk: survives crashes.
    std::optional<core::Bytes> disk_record;  // the last SignedRecord persisted, encoded
    std::vector<Block> chain;                // decided blocks of heights 1, 2, ...
    // What the last Persist made durable, to check that every frame sent was persisted.
    std::optional<consensus::SignedRecord> persisted;
  };
  struct TraceEntry {
    std::uint64_t at_ms = 0;
    std::string text;
    core::Bytes frame;
  };

  // ---- events ----------------------------------------------------------------------------

  void Push(Event e) {
    e.seq = m_next_seq++;
    m_queue.push_back(std::move(e));
    std::push_heap(m_queue.begin(), m_queue.end(), EventLater{});
  }

  void Dispatch(Event e) {
    const std::size_t i = e.node;
    Node& node = m_nodes[i];
    switch (e.kind) {
      case EventKind::kDeliver: {
        if (!node.pbft || !Linked(e.from, i)) return;  // lost: down, or cut off meanwhile
        const core::Status status = node.pbft->OnFrame(e.frame);
        Trace("node " + std::to_string(i) + " <- " + std::to_string(e.from) + " " +
                  (status ? std::string("used") : std::string(core::ErrcName(status.error().code))),
              std::move(e.frame));
        AfterEvent(i);
        return;
      }
      case EventKind::kTimer:
        if (!node.pbft || node.incarnation != e.incarnation) return;
        Trace("node " + std::to_string(i) + " timer " + std::string(TimerName(e.timer.kind)) +
              " h=" + std::to_string(e.timer.height) + " r=" + std::to_string(e.timer.round));
        node.pbft->OnTimer(e.timer);
        AfterEvent(i);
        return;
      case EventKind::kSyncTick:
        Push(Event{.at_ms = m_now + kSyncEveryMs, .kind = EventKind::kSyncTick, .node = i});
        if (!node.pbft) return;
        Sync(i);
        AfterEvent(i);
        return;
      case EventKind::kCrash:
        if (node.pbft) CrashNode(i, "scripted crash");
        return;
      case EventKind::kRestart:
        if (node.pbft) return;
        StartNode(i, /*restart=*/true);
        AfterEvent(i);
        return;
      case EventKind::kPartition:
        m_side = m_scenario.partitions[e.index].side;
        Trace("partition starts");
        return;
      case EventKind::kHeal:
        m_side.assign(m_nodes.size(), 0);
        Trace("partition heals");
        return;
    }
  }

  // After node i handled an event: commit what it decided; finish a crash that began during
  // the event.
  void AfterEvent(std::size_t i) {
    TakeDecisions(i);
    if (m_nodes[i].dying) {
      CrashNode(i, "crash right after a write");
      Push(Event{.at_ms = m_now + 1 + m_rng.Below(200), .kind = EventKind::kRestart, .node = i});
    }
  }

  // ---- nodes -----------------------------------------------------------------------------

  void StartNode(std::size_t i, bool restart) {
    Node& node = m_nodes[i];
    node.pbft = std::make_unique<consensus::Pbft>(m_suite, std::string(kChain), node.key.secret,
                                                  *node.host, SimOptions());
    const std::uint64_t height = node.chain.size() + 1;
    std::optional<consensus::SignedRecord> record;
    if (restart && node.disk_record) {
      auto decoded = consensus::SignedRecord::Decode(*node.disk_record);
      if (!decoded) {
        Fail("node " + std::to_string(i) + ": the record on its disk does not decode: " +
             decoded.error().Message());
        return;
      }
      if (decoded->height > height) {
        Fail("node " + std::to_string(i) + ": the record on its disk is for height " +
             std::to_string(decoded->height) + " but its chain ends at " +
             std::to_string(node.chain.size()));
        return;
      }
      if (decoded->height == height) {
        record = std::move(decoded).value();
        ++m_stats.restored;
      }
    }
    Trace("node " + std::to_string(i) + (restart ? " restarts" : " starts") + " at height " +
          std::to_string(height) + (record ? " with its record" : ""));
    StartHeight(i, height, record);
  }

  void StartHeight(std::size_t i, std::uint64_t height,
                   const std::optional<consensus::SignedRecord>& record) {
    Node& node = m_nodes[i];
    const core::Status status = node.pbft->StartHeight(height, m_validators, record, false);
    // A Persist refused because the node is crashing is the only acceptable failure.
    if (!status && !node.dying) {
      Fail("node " + std::to_string(i) + ": StartHeight(" + std::to_string(height) +
           ") failed: " + status.error().Message());
      return;
    }
    if (node.pbft->own_index() != i) {
      Fail("node " + std::to_string(i) + ": own_index() is not its index in the set");
    }
  }

  void CrashNode(std::size_t i, std::string_view why) {
    Node& node = m_nodes[i];
    node.pbft.reset();
    ++node.incarnation;
    node.dying = false;
    node.checked.clear();
    ++m_stats.crashes;
    Trace("node " + std::to_string(i) + " down: " + std::string(why));
  }

  void TakeDecisions(std::size_t i) {
    Node& node = m_nodes[i];
    while (m_failure.empty() && node.pbft) {
      std::optional<consensus::Decision> decision = node.pbft->TakeDecision();
      if (!decision) return;
      ++m_stats.decisions;
      Commit(i, std::move(*decision), "decided");
    }
  }

  // Block sync, kept simple: a node that saw frames of a later height (or a certificate for a
  // block it lacks) copies the decided block of its height from a node it can reach, after
  // checking it as it checks its own decisions, and starts the next height.
  void Sync(std::size_t i) {
    Node& node = m_nodes[i];
    while (m_failure.empty() && node.pbft && !node.dying) {
      const consensus::Pbft& pbft = *node.pbft;
      const std::uint64_t height = pbft.height();
      if (pbft.highest_seen_height() <= height && pbft.certified_without_body().IsZero()) return;
      std::optional<std::size_t> source;
      for (std::size_t k = 1; k < m_nodes.size() && !source; ++k) {
        const std::size_t j = (i + k) % m_nodes.size();
        if (m_nodes[j].pbft && Linked(i, j) && m_nodes[j].chain.size() >= height) source = j;
      }
      if (!source) return;
      const Block copy = m_nodes[*source].chain[height - 1];
      ++m_stats.syncs;
      Commit(i, consensus::Decision{copy.header, copy.body, copy.certificate},
             "synced from node " + std::to_string(*source));
    }
  }

  // Appends a decided block to node i's chain after checking it, then starts the next height.
  void Commit(std::size_t i, consensus::Decision decision, const std::string& how) {
    Node& node = m_nodes[i];
    const std::string who = "node " + std::to_string(i) + " " + how;
    const std::uint64_t height = node.chain.size() + 1;
    if (node.pbft->height() != height) {
      Fail(who + ": its Pbft is at height " + std::to_string(node.pbft->height()) +
           " while its chain ends at " + std::to_string(node.chain.size()));
      return;
    }
    if (decision.header.height != height) {
      Fail(who + " a block of height " + std::to_string(decision.header.height) +
           " at height " + std::to_string(height));
      return;
    }
    if (const std::string why = WhyNotNext(node, decision.header, decision.body); !why.empty()) {
      Fail(who + " a block that does not extend its chain: " + why);
      return;
    }
    if (const std::string why = WhyCertificateFails(decision.header, decision.certificate);
        !why.empty()) {
      Fail(who + " a block with a bad certificate: " + why);
      return;
    }
    const core::Hash32 hash = decision.header.Hash(m_suite);
    const auto [it, first] = m_decided.emplace(height, hash);
    if (!first && it->second != hash) {
      Fail("SAFETY: " + who + " " + Short(hash) + " at height " + std::to_string(height) +
           " where " + Short(it->second) + " was decided before");
      return;
    }
    m_stats.max_round = std::max(m_stats.max_round, decision.certificate.round);
    Trace(who + " height " + std::to_string(height) + " " + Short(hash) + " in round " +
          std::to_string(decision.certificate.round));
    node.chain.push_back(Block{std::move(decision.header), std::move(decision.body),
                               std::move(decision.certificate), hash});
    StartHeight(i, height + 1, std::nullopt);
  }

  // ---- the network -----------------------------------------------------------------------

  bool Linked(std::size_t a, std::size_t b) const { return m_side[a] == m_side[b]; }

  void Send(std::size_t from, std::size_t to, const core::Bytes& frame, bool reliable) {
    const bool faulty = m_now < m_scenario.faults_end_ms;
    if (!reliable && faulty && m_rng.Below(1000) < m_scenario.drop_permille) return;
    if (!Linked(from, to)) return;
    const int copies = m_rng.Below(1000) < m_scenario.duplicate_permille ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      const std::uint64_t delay =
          m_scenario.min_delay_ms +
          m_rng.Below(m_scenario.max_delay_ms - m_scenario.min_delay_ms + 1);
      Event e{.at_ms = m_now + delay, .kind = EventKind::kDeliver, .node = to, .from = from};
      e.frame = frame;
      Push(std::move(e));
    }
  }

  // The equivocator (test only): the first time its Pbft sends a vote or a proposal of a
  // height and round, the harness signs a conflicting one with the same key. One peer, chosen
  // at random, receives both without loss (so someone can always catch it); each other peer
  // receives one of the two.
  void Equivocate(std::size_t i, const core::Bytes& frame) {
    const Node& node = m_nodes[i];
    auto message = consensus::DecodeMessage(kChain, frame, MaxFrame());
    std::optional<core::Bytes> other_frame;
    if (message && std::holds_alternative<consensus::Vote>(*message)) {
      const auto& vote = std::get<consensus::Vote>(*message);
      if (vote.validator == i &&
          m_equivocated_votes.emplace(vote.type, vote.height, vote.round).second) {
        consensus::Vote other = vote;
        other.header_hash =
            vote.is_nil() || m_rng.Below(2) == 0 ? RandomHash(m_rng) : core::Hash32{};
        const core::Hash32 digest = consensus::VoteDigest(m_suite, kChain, other.type,
                                                          other.height, other.round,
                                                          other.header_hash);
        other.signature = m_suite.Sign(node.key.secret, digest.view()).value();
        other_frame = consensus::EncodeMessage(kChain, other);
      }
    } else if (message) {
      const auto& proposal = std::get<consensus::Proposal>(*message);
      if (proposal.proposer == i &&
          m_equivocated_proposals.emplace(proposal.height, proposal.round).second) {
        consensus::Proposal other = proposal;
        other.body = RandomBody(m_rng);
        other.header.tx_root = TxRoot(m_suite, other.body);
        const core::Hash32 digest =
            consensus::ProposalDigest(m_suite, kChain, other, other.header.Hash(m_suite));
        other.signature = m_suite.Sign(node.key.secret, digest.view()).value();
        other_frame = consensus::EncodeMessage(kChain, other);
      }
    }
    if (!other_frame) {
      for (std::size_t j = 0; j < m_nodes.size(); ++j) {
        if (j != i) Send(i, j, frame, /*reliable=*/false);
      }
      return;
    }
    ++m_stats.equivocations;
    Trace("node " + std::to_string(i) + " equivocates with", *other_frame);
    std::size_t witness = m_rng.Below(m_nodes.size() - 1);
    if (witness >= i) ++witness;
    for (std::size_t j = 0; j < m_nodes.size(); ++j) {
      if (j == i) continue;
      if (j == witness) {
        const bool other_first = m_rng.Below(2) == 0;
        Send(i, j, other_first ? *other_frame : frame, /*reliable=*/true);
        Send(i, j, other_first ? frame : *other_frame, /*reliable=*/true);
      } else {
        Send(i, j, m_rng.Below(2) == 0 ? frame : *other_frame, /*reliable=*/false);
      }
    }
  }

  // ---- checks ----------------------------------------------------------------------------

  bool CrashProne(std::size_t i) const {
    return std::find(m_scenario.crash_prone.begin(), m_scenario.crash_prone.end(), i) !=
           m_scenario.crash_prone.end();
  }

  const core::BlockHeader& Head(const Node& node) const {
    return node.chain.empty() ? m_genesis : node.chain.back().header;
  }
  const core::Hash32& HeadHash(const Node& node) const {
    return node.chain.empty() ? m_genesis_hash : node.chain.back().hash;
  }

  // Why `header` with `body` is not a valid next block of node's chain; empty when it is.
  std::string WhyNotNext(const Node& node, const core::BlockHeader& header,
                         core::ByteView body) const {
    const core::BlockHeader& parent = Head(node);
    if (header.chain_id != kChain) return "chain id '" + header.chain_id + "'";
    if (header.height != parent.height + 1) {
      return "height " + std::to_string(header.height) + " after " +
             std::to_string(parent.height);
    }
    if (header.parent_hash != HeadHash(node)) {
      return "parent " + Short(header.parent_hash) + ", head is " + Short(HeadHash(node));
    }
    if (header.timestamp_ms <= parent.timestamp_ms) return "timestamp not after the parent's";
    if (header.tx_root != TxRoot(m_suite, body)) return "tx_root does not match the body";
    if (header.validators_hash != m_validators_hash ||
        header.next_validators_hash != m_validators_hash) {
      return "validators hash";
    }
    if (header.proposer >= m_nodes.size()) return "proposer index out of the set";
    return "";
  }

  std::string WhyCertificateFails(const core::BlockHeader& header,
                                  const core::CommitCertificate& certificate) const {
    const core::Hash32 hash = header.Hash(m_suite);
    if (certificate.height != header.height) return "certificate height differs";
    if (certificate.header_hash != hash) return "certificate names another header";
    auto reencoded = core::CommitCertificate::Decode(certificate.Encode());
    if (!reencoded || *reencoded != certificate) return "certificate is not canonical";
    const core::Hash32 digest = consensus::VoteDigest(
        m_suite, kChain, consensus::VoteType::kCommit, header.height, certificate.round, hash);
    if (digest != core::CommitVoteDigest(m_suite, kChain, header.height, certificate.round,
                                         hash)) {
      return "the commit VoteDigest is not core::CommitVoteDigest";
    }
    std::uint64_t power = 0;
    std::optional<std::uint32_t> previous;
    for (const core::CommitSignature& s : certificate.signatures) {
      if (previous && s.validator_index <= *previous) return "signers not strictly increasing";
      previous = s.validator_index;
      if (s.validator_index >= m_validators.size()) return "signer outside the set";
      const core::Validator& v = m_validators.validators()[s.validator_index];
      if (const core::Status ok = m_suite.Verify(v.public_key, digest.view(), s.signature); !ok) {
        return "signature of validator " + std::to_string(s.validator_index) +
               " does not verify: " + ok.error().Message();
      }
      power += v.power;
    }
    if (3 * power <= 2 * m_validators.TotalPower()) {
      return "signers hold " + std::to_string(power) + " of " +
             std::to_string(m_validators.TotalPower()) + ", not more than 2/3";
    }
    return "";
  }

  std::string WhyEvidenceFails(const consensus::Evidence& e) const {
    if (e.chain_id != kChain) return "chain id '" + e.chain_id + "'";
    if (e.validator >= m_validators.size()) return "validator outside the set";
    if (e.public_key != m_validators.validators()[e.validator].public_key) {
      return "public key is not the validator's";
    }
    if (e.Describe().empty()) return "Describe() is empty";
    auto again = consensus::Evidence::Decode(e.Encode());
    if (!again) return "Encode() does not decode: " + again.error().Message();
    if (*again != e) return "changes through Encode/Decode";
    if (e.first.index() != e.second.index()) return "messages of two kinds";
    if (e.first == e.second) return "the same message twice";
    if (const auto* a = std::get_if<consensus::Vote>(&e.first)) {
      const auto& b = std::get<consensus::Vote>(e.second);
      if (a->type != b.type || a->height != b.height || a->round != b.round) {
        return "votes of different types, heights or rounds";
      }
      if (a->header_hash == b.header_hash) return "votes for the same block";
      if (a->validator != e.validator || b.validator != e.validator) return "vote by another";
      if (e.height() != a->height) return "height() is not the votes' height";
      for (const consensus::Vote* v : {a, &b}) {
        const core::Hash32 digest = consensus::VoteDigest(m_suite, kChain, v->type, v->height,
                                                          v->round, v->header_hash);
        if (!m_suite.Verify(e.public_key, digest.view(), v->signature)) {
          return "a vote's signature does not verify";
        }
      }
      return "";
    }
    const auto& a = std::get<consensus::Proposal>(e.first);
    const auto& b = std::get<consensus::Proposal>(e.second);
    if (a.height != b.height || a.round != b.round) return "proposals of different rounds";
    if (a.proposer != e.validator || b.proposer != e.validator) return "proposal by another";
    if (e.height() != a.height) return "height() is not the proposals' height";
    for (const consensus::Proposal* p : {&a, &b}) {
      const core::Hash32 digest =
          consensus::ProposalDigest(m_suite, kChain, *p, p->header.Hash(m_suite));
      if (!m_suite.Verify(e.public_key, digest.view(), p->signature)) {
        return "a proposal's signature does not verify";
      }
    }
    return "";
  }

  // Every frame an honest node sends: it decodes; its signature verifies; and when it is the
  // node's own message (not one of another validator's it relays), it was persisted before it
  // left and the validator never signed a different message of that kind at that height and
  // round (over the whole run, across restarts).
  void CheckSent(std::size_t i, const core::Bytes& frame) {
    const Node& node = m_nodes[i];
    const std::string who = "validator " + std::to_string(i);
    auto message = consensus::DecodeMessage(kChain, frame, MaxFrame());
    if (!message) {
      Fail(who + " sent a frame that does not decode: " + message.error().Message());
      return;
    }
    const bool fresh = m_verified_frames.insert(frame).second;
    if (const auto* vote = std::get_if<consensus::Vote>(&*message)) {
      const std::string what = std::string(consensus::VoteTypeName(vote->type)) + " vote at height " +
                               std::to_string(vote->height) + " round " +
                               std::to_string(vote->round);
      if (vote->validator != i) {
        // Relaying another validator's signed vote is allowed (it cannot be forged).
        if (vote->validator >= m_nodes.size()) {
          Fail(who + " sent a " + what + " of validator " + std::to_string(vote->validator) +
               ", outside the set");
        } else if (fresh) {
          const core::Hash32 digest = consensus::VoteDigest(
              m_suite, kChain, vote->type, vote->height, vote->round, vote->header_hash);
          if (!m_suite.Verify(m_nodes[vote->validator].key.public_key, digest.view(),
                              vote->signature)) {
            Fail(who + " relayed a " + what + " of validator " +
                 std::to_string(vote->validator) + " whose signature does not verify");
          }
        }
        return;
      }
      const auto [it, first] =
          m_signed_votes.emplace(std::tuple(i, vote->type, vote->height, vote->round),
                                 vote->header_hash);
      if (!first && it->second != vote->header_hash) {
        Fail(who + " signed two different " + what + ": " + Short(it->second) + " then " +
             Short(vote->header_hash) + " (incarnation " + std::to_string(node.incarnation) +
             ")");
        return;
      }
      const bool persisted =
          node.persisted && node.persisted->height == vote->height &&
          std::any_of(node.persisted->votes.begin(), node.persisted->votes.end(),
                      [&](const consensus::Vote& v) {
                        return v.type == vote->type && v.height == vote->height &&
                               v.round == vote->round && v.header_hash == vote->header_hash;
                      });
      if (!persisted) Fail(who + " sent a " + what + " it had not persisted");
      if (fresh) {
        const core::Hash32 digest = consensus::VoteDigest(m_suite, kChain, vote->type,
                                                          vote->height, vote->round,
                                                          vote->header_hash);
        if (!m_suite.Verify(node.key.public_key, digest.view(), vote->signature)) {
          Fail(who + " sent a " + what + " whose signature does not verify");
        }
      }
      return;
    }
    const auto& proposal = std::get<consensus::Proposal>(*message);
    const std::string what = "proposal at height " + std::to_string(proposal.height) +
                             " round " + std::to_string(proposal.round);
    const core::Hash32 hash = proposal.header.Hash(m_suite);
    if (proposal.proposer != i) {
      // Relaying another validator's signed proposal is allowed (it cannot be forged).
      if (proposal.proposer >= m_nodes.size()) {
        Fail(who + " sent a " + what + " of validator " + std::to_string(proposal.proposer) +
             ", outside the set");
      } else if (fresh) {
        const core::Hash32 digest = consensus::ProposalDigest(m_suite, kChain, proposal, hash);
        if (!m_suite.Verify(m_nodes[proposal.proposer].key.public_key, digest.view(),
                            proposal.signature)) {
          Fail(who + " relayed a " + what + " of validator " +
               std::to_string(proposal.proposer) + " whose signature does not verify");
        }
      }
      return;
    }
    const auto [it, first] =
        m_signed_proposals.emplace(std::tuple(i, proposal.height, proposal.round), hash);
    if (!first && it->second != hash) {
      Fail(who + " signed two different " + what + ": " + Short(it->second) + " then " +
           Short(hash) + " (incarnation " + std::to_string(node.incarnation) + ")");
      return;
    }
    const bool persisted =
        node.persisted && node.persisted->height == proposal.height &&
        std::any_of(node.persisted->proposals.begin(), node.persisted->proposals.end(),
                    [&](const consensus::Proposal& p) {
                      return p.round == proposal.round && p.header == proposal.header &&
                             p.valid_round == proposal.valid_round;
                    });
    if (!persisted) Fail(who + " sent a " + what + " it had not persisted");
    if (fresh) {
      const core::Hash32 digest = consensus::ProposalDigest(m_suite, kChain, proposal, hash);
      if (!m_suite.Verify(node.key.public_key, digest.view(), proposal.signature)) {
        Fail(who + " sent a " + what + " whose signature does not verify");
      }
    }
  }

  // No two nodes hold different blocks at one height.
  void CheckSafety() {
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
      const std::vector<Block>& chain = m_nodes[i].chain;
      for (std::size_t k = 0; k < chain.size(); ++k) {
        const auto it = m_decided.find(k + 1);
        if (it == m_decided.end() || it->second != chain[k].hash) {
          Fail("SAFETY: node " + std::to_string(i) + " holds " + Short(chain[k].hash) +
               " at height " + std::to_string(k + 1) + ", which is not the block decided there");
          return;
        }
      }
    }
  }

  std::uint64_t MaxHeight() const {
    std::uint64_t h = 0;
    for (const Node& node : m_nodes) h = std::max<std::uint64_t>(h, node.chain.size());
    return h;
  }

  bool AllReached(std::uint64_t target) const {
    return std::all_of(m_nodes.begin(), m_nodes.end(), [&](const Node& node) {
      return node.pbft && node.chain.size() >= target;
    });
  }

  // ---- reporting -------------------------------------------------------------------------

  void Trace(std::string text, core::Bytes frame = {}) {
    m_trace.push_back(TraceEntry{m_now, std::move(text), std::move(frame)});
    if (m_trace.size() > kTraceEntries) m_trace.pop_front();
  }

  std::string DescribeFrame(const core::Bytes& frame) const {
    auto message = consensus::DecodeMessage(kChain, frame, MaxFrame());
    if (!message) return "undecodable frame (" + message.error().Message() + ")";
    if (const auto* v = std::get_if<consensus::Vote>(&*message)) {
      return std::string(consensus::VoteTypeName(v->type)) + " h=" + std::to_string(v->height) +
             " r=" + std::to_string(v->round) + " " + Short(v->header_hash) + " by " +
             std::to_string(v->validator);
    }
    const auto& p = std::get<consensus::Proposal>(*message);
    return "proposal h=" + std::to_string(p.height) + " r=" + std::to_string(p.round) +
           " vr=" + (p.valid_round == consensus::kNoRound ? std::string("none")
                                                           : std::to_string(p.valid_round)) +
           " " + Short(p.header.Hash(m_suite)) + " by " + std::to_string(p.proposer);
  }

  void Fail(const std::string& what) {
    if (!m_failure.empty()) return;
    std::ostringstream out;
    out << "at " << m_now << " ms: " << what << "\n  scenario: " << m_scenario.Describe()
        << "\n  target height " << m_stats.target << "\n";
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
      const Node& node = m_nodes[i];
      out << "  node " << i << ": chain " << node.chain.size();
      if (node.pbft) {
        out << ", height " << node.pbft->height() << " round " << node.pbft->round() << " step "
            << consensus::StepName(node.pbft->step()) << ", seen height "
            << node.pbft->highest_seen_height();
        const consensus::DropCounters& d = node.pbft->drops();
        out << ", drops malformed " << d.malformed << " stale " << d.stale << " unknown "
            << d.unknown << " duplicate " << d.duplicate << " bad_signature "
            << d.bad_signature << " conflict " << d.conflict << " future " << d.future;
      } else {
        out << ", down";
      }
      if (node.persisted) {
        out << ", record: height " << node.persisted->height << " round "
            << node.persisted->round << " lock "
            << (node.persisted->locked_round == consensus::kNoRound
                    ? std::string("none")
                    : std::to_string(node.persisted->locked_round) + " " +
                          Short(node.persisted->locked_hash));
      }
      out << "\n";
    }
    out << "  last events:\n";
    for (const TraceEntry& t : m_trace) {
      out << "    " << t.at_ms << " ms " << t.text;
      if (!t.frame.empty()) out << ": " << DescribeFrame(t.frame);
      out << "\n";
    }
    m_failure = out.str();
  }

  const core::CryptoSuite& m_suite;
  const Scenario m_scenario;
  TestRandom m_rng;
  std::vector<Node> m_nodes;
  core::ValidatorSet m_validators;
  core::Hash32 m_validators_hash;
  core::BlockHeader m_genesis;
  core::Hash32 m_genesis_hash;

  std::uint64_t m_now = 0;
  std::uint64_t m_next_seq = 0;
  std::vector<Event> m_queue;  // a min-heap on (at_ms, seq)
  std::vector<int> m_side;     // partition side per node; all equal when healed

  std::map<std::uint64_t, core::Hash32> m_decided;  // the first block decided per height
  std::map<std::tuple<std::size_t, consensus::VoteType, std::uint64_t, std::uint32_t>,
           core::Hash32>
      m_signed_votes;
  std::map<std::tuple<std::size_t, std::uint64_t, std::uint32_t>, core::Hash32>
      m_signed_proposals;
  std::set<core::Bytes> m_verified_frames;
  std::set<std::tuple<consensus::VoteType, std::uint64_t, std::uint32_t>> m_equivocated_votes;
  std::set<std::pair<std::uint64_t, std::uint32_t>> m_equivocated_proposals;

  Stats m_stats;
  std::string m_failure;
  std::deque<TraceEntry> m_trace;
};

core::Result<consensus::Candidate> SimHost::BuildBlock(std::uint64_t height,
                                                       std::uint32_t round) {
  return m_sim.BuildBlock(m_index, height, round);
}
core::Status SimHost::CheckBlock(const core::BlockHeader& header, core::ByteView body) {
  return m_sim.CheckBlock(m_index, header, body);
}
core::Status SimHost::Persist(const consensus::SignedRecord& record) {
  return m_sim.Persist(m_index, record);
}
core::Status SimHost::SaveBlock(const core::Hash32& hash, const consensus::Candidate& block) {
  return m_sim.SaveBlock(m_index, hash, block);
}
std::optional<consensus::Candidate> SimHost::LoadBlock(const core::Hash32& hash) {
  return m_sim.LoadBlock(m_index, hash);
}
void SimHost::Broadcast(core::ByteView frame) { m_sim.Broadcast(m_index, frame); }
void SimHost::Schedule(const consensus::Timer& timer, std::chrono::milliseconds after) {
  m_sim.Schedule(m_index, timer, after);
}
void SimHost::OnEvidence(const consensus::Evidence& evidence) {
  m_sim.OnEvidence(m_index, evidence);
}

// ---- running many seeds ------------------------------------------------------------------

struct Totals {
  std::size_t runs = 0;
  std::size_t failures = 0;
  Stats sum;
  std::uint64_t runs_with_evidence = 0;
};

// Runs `runs` simulations, run i from seed Seed() + i (the scenario and the simulation both
// drawn from it), and reports every failing seed so that it can be replayed alone.
Totals RunSeeds(const std::string& what, std::size_t runs,
                const std::function<Scenario(TestRandom&)>& make_scenario) {
  auto suite = baylink::crypto::MakeSuite(core::SuiteId::kEcdsa);
  const std::uint64_t base = Seed();
  Totals totals;
  for (std::size_t i = 0; i < runs; ++i) {
    const std::uint64_t seed = base + i;
    TestRandom rng(seed);
    Scenario scenario = make_scenario(rng);
    Sim sim(*suite, std::move(scenario), rng.Next());
    const Outcome outcome = sim.Run();
    ++totals.runs;
    const Stats& s = outcome.stats;
    totals.sum.events += s.events;
    totals.sum.decisions += s.decisions;
    totals.sum.syncs += s.syncs;
    totals.sum.crashes += s.crashes;
    totals.sum.restored += s.restored;
    totals.sum.equivocations += s.equivocations;
    totals.sum.evidence += s.evidence;
    totals.sum.max_round = std::max(totals.sum.max_round, s.max_round);
    totals.sum.target = std::max(totals.sum.target, s.target);
    totals.sum.end_ms = std::max(totals.sum.end_ms, s.end_ms);
    if (s.evidence > 0) ++totals.runs_with_evidence;
    if (!outcome.failure.empty()) {
      ++totals.failures;
      if (totals.failures <= 3) {
        FAIL_CHECK(what << ": seed " << seed << " failed (replay alone with --seed=" << seed
                        << "; it is then run 0)\n"
                        << outcome.failure);
      } else {
        FAIL_CHECK(what << ": seed " << seed << " failed too: "
                        << outcome.failure.substr(0, outcome.failure.find('\n')));
      }
    }
  }
  MESSAGE(what << ": " << totals.runs << " runs from seed " << base << ", " << totals.failures
               << " failed; " << totals.sum.decisions << " decisions, " << totals.sum.syncs
               << " blocks synced, " << totals.sum.crashes << " crashes ("
               << totals.sum.restored << " restarts with a record), "
               << totals.sum.equivocations << " equivocations, " << totals.sum.evidence
               << " evidence reports, highest certificate round " << totals.sum.max_round
               << ", latest end " << totals.sum.end_ms << " virtual ms, " << totals.sum.events
               << " events");
  return totals;
}

}  // namespace

TEST_CASE("on a network that loses nothing every height is decided in round 0") {
  const Totals totals = RunSeeds("lossless", 10, [](TestRandom& rng) {
    Scenario s;
    s.powers = RandomPowers(rng);
    s.duplicate_permille = 0;
    s.max_delay_ms = 10;
    s.min_height = 8;
    s.heights_after_faults = 0;
    return s;
  });
  CHECK(totals.failures == 0);
  CHECK(totals.sum.max_round == 0);
  CHECK(totals.sum.evidence == 0);
}

TEST_CASE("validators never decide two blocks at one height and all reach the target height "
          "once drops, partitions and crashes stop") {
  const Totals totals = RunSeeds("faulty network", 200, FaultyScenario);
  CHECK(totals.failures == 0);
  CHECK(totals.sum.evidence == 0);
}

TEST_CASE("a validator cut off by a partition catches up by block sync once it heals") {
  const Totals totals = RunSeeds("isolated validator", 5, [](TestRandom& rng) {
    Scenario s;
    s.powers = {1, 1, 1, 1};
    s.faults_end_ms = 800 + rng.Below(400);
    s.max_delay_ms = 5 + rng.Below(20);
    const std::size_t isolated = rng.Below(4);
    Partition p;
    p.start_ms = 0;
    p.end_ms = s.faults_end_ms;
    p.side.assign(4, 0);
    p.side[isolated] = 1;
    s.partitions.push_back(p);
    return s;
  });
  CHECK(totals.failures == 0);
  CHECK(totals.sum.syncs > 0);
}

TEST_CASE("an equivocating validator is reported with evidence and cannot split the honest "
          "validators") {
  const Totals totals = RunSeeds("equivocator", 30, EquivocatorScenario);
  CHECK(totals.failures == 0);
  CHECK(totals.sum.equivocations > 0);
  // Every run has a peer receive both of a conflicting pair many times over; the second one
  // is stale (no evidence) when that peer has already decided the height, which a fast
  // decision makes possible in a few runs.
  CHECK(totals.runs_with_evidence * 5 >= totals.runs * 4);
}

TEST_CASE("a validator restarted from its signed record never signs two different messages "
          "at one height, round and step") {
  // The check itself runs in every simulation (Sim::CheckSent); these runs crash validators
  // often, most of the time between persisting a signature and sending it.
  const Totals totals = RunSeeds("restarts", 40, RestartScenario);
  CHECK(totals.failures == 0);
  CHECK(totals.sum.crashes > 0);
  CHECK(totals.sum.restored > 0);
}

}  // namespace pbft_sim_test
