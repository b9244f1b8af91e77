// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/executor.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "baylink/core/seeded_hash.h"

namespace baylink::chain {
namespace {

using core::Bytes;
using core::ByteView;
using core::Errc;
using core::Hash32;
// A frame's writes (few; merged into the block's in key order).
using Writes = std::map<Hash32, std::optional<Bytes>>;
// The block's writes and reads: thousands of keys in a large block, looked up for every
// read. Never iterated in an order that reaches the outcome (ToChanges sorts).
using BlockValues = std::unordered_map<Hash32, std::optional<Bytes>, core::SeededHash<32>>;
BlockValues NewValues(std::uint64_t seed) { return BlockValues(0, core::SeededHash<32>{seed}); }

// The state of one block's (or one read-only call's) execution.
struct Run {
  const core::CryptoSuite& suite;
  const contracts::Registry& registry;
  const StateReader& base;
  std::string_view chain_id;
  BlockContext block;
  core::Address sender;
  bool read_only = false;
  BlockValues block_writes;            // committed by earlier transactions of the block
  BlockValues base_reads;              // what the block read from `base` (not for read_only)
  std::size_t events_in_tx = 0;        // bounded by core::kMaxEvents per receipt
  std::optional<core::Error> local_failure;  // a storage failure: aborts the block
};

// Reads `key` from the block's base, remembering the value: ToChanges tells the state tree
// each written key's value before the block, which saves it reading the key's old leaf.
core::Result<std::optional<Bytes>> ReadBase(Run& run, const Hash32& key) {
  if (!run.read_only) {
    if (const auto it = run.base_reads.find(key); it != run.base_reads.end()) return it->second;
  }
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> value, run.base.Get(key));
  if (!run.read_only) run.base_reads.emplace(key, value);
  return value;
}

class Frame final : public contracts::CallContext {
 public:
  Frame(Run& run, Frame* parent, std::string contract, std::string caller_contract,
        std::uint32_t depth)
      : m_run(run),
        m_parent(parent),
        m_contract(std::move(contract)),
        m_caller_contract(std::move(caller_contract)),
        m_depth(depth) {}

  const core::Address& sender() const override { return m_run.sender; }
  std::string_view caller_contract() const override { return m_caller_contract; }
  std::uint64_t height() const override { return m_run.block.height; }
  std::uint64_t timestamp_ms() const override { return m_run.block.timestamp_ms; }
  std::string_view chain_id() const override { return m_run.chain_id; }
  const core::CryptoSuite& suite() const override { return m_run.suite; }
  bool read_only() const override { return m_run.read_only; }
  std::uint32_t depth() const override { return m_depth; }

  core::Result<std::optional<Bytes>> Get(ByteView key) override {
    BAYLINK_TRY(CheckKey(key));
    const Hash32 state_key = core::StateKey(m_run.suite, m_contract, key);
    for (const Frame* f = this; f != nullptr; f = f->m_parent) {
      const auto it = f->m_writes.find(state_key);
      if (it != f->m_writes.end()) return it->second;
    }
    const auto it = m_run.block_writes.find(state_key);
    if (it != m_run.block_writes.end()) return it->second;
    auto value = ReadBase(m_run, state_key);
    if (!value && !m_run.local_failure) m_run.local_failure = value.error();
    return value;
  }

  core::Status Put(ByteView key, ByteView value) override {
    BAYLINK_TRY(CheckWritable("write state"));
    BAYLINK_TRY(CheckKey(key));
    if (value.size() > contracts::kMaxStateValueBytes) {
      return core::Fail(Errc::kInvalidArgument,
                        "contract " + m_contract + " wrote a value of " +
                            std::to_string(value.size()) + " bytes; the limit is " +
                            std::to_string(contracts::kMaxStateValueBytes));
    }
    m_writes.insert_or_assign(core::StateKey(m_run.suite, m_contract, key),
                              Bytes(value.begin(), value.end()));
    return core::Ok();
  }

  core::Status Delete(ByteView key) override {
    BAYLINK_TRY(CheckWritable("delete state"));
    BAYLINK_TRY(CheckKey(key));
    m_writes.insert_or_assign(core::StateKey(m_run.suite, m_contract, key), std::nullopt);
    return core::Ok();
  }

  core::Status Emit(std::string_view topic, ByteView data) override {
    BAYLINK_TRY(CheckWritable("emit events"));
    BAYLINK_TRY(core::ValidateName("event topic", topic));
    if (data.size() > core::kMaxEventDataBytes) {
      return core::Fail(Errc::kOversized, "event " + std::string(topic) + " of contract " +
                                              m_contract + " carries " +
                                              std::to_string(data.size()) +
                                              " bytes; the limit is " +
                                              std::to_string(core::kMaxEventDataBytes));
    }
    if (m_run.events_in_tx >= core::kMaxEvents) {
      return core::Fail(Errc::kOversized, "a transaction may emit at most " +
                                              std::to_string(core::kMaxEvents) + " events");
    }
    ++m_run.events_in_tx;
    m_events.push_back(core::Event{m_contract, std::string(topic), Bytes(data.begin(), data.end())});
    return core::Ok();
  }

  core::Result<Bytes> Call(std::string_view contract, std::string_view method,
                           ByteView args) override {
    if (m_depth >= contracts::kMaxCallDepth) {
      return core::Fail(Errc::kUnsupported, "call from " + m_contract + " to " +
                                                std::string(contract) + "." +
                                                std::string(method) + " exceeds the call depth "
                                                "limit of " +
                                                std::to_string(contracts::kMaxCallDepth));
    }
    return Invoke(contract, method, args, this);
  }

  // Runs contract.method in a child frame of `parent` (or a top frame when parent is null);
  // on success the child's writes and events join the parent (or stay in `top`).
  static core::Result<Bytes> RunTop(Run& run, std::string_view contract,
                                 std::string_view method, ByteView args, Frame& top) {
    contracts::Contract* target = run.registry.Find(contract);
    if (target == nullptr) return UnknownContract(run, contract);
    return target->Invoke(top, method, args);
  }

  Writes& writes() { return m_writes; }
  std::vector<core::Event>& events() { return m_events; }

 private:
  static core::Error UnknownContract(const Run& run, std::string_view contract) {
    std::string names;
    for (const std::string& name : run.registry.names()) {
      names += names.empty() ? "" : ", ";
      names += name;
    }
    return core::Fail(Errc::kNotFound,
                      "no contract named " + std::string(contract) + "; contracts: " + names);
  }

  core::Result<Bytes> Invoke(std::string_view contract, std::string_view method, ByteView args,
                             Frame* parent) {
    contracts::Contract* target = m_run.registry.Find(contract);
    if (target == nullptr) return UnknownContract(m_run, contract);
    Frame child(m_run, parent, std::string(contract), m_contract, m_depth + 1);
    const std::size_t events_before = m_run.events_in_tx;
    core::Result<Bytes> out = target->Invoke(child, method, args);
    if (!out) {
      m_run.events_in_tx = events_before;
      return out;
    }
    for (auto& [key, value] : child.m_writes) m_writes.insert_or_assign(key, std::move(value));
    for (core::Event& e : child.m_events) m_events.push_back(std::move(e));
    return out;
  }

  core::Status CheckKey(ByteView key) const {
    if (key.size() > contracts::kMaxStateKeyBytes) {
      return core::Fail(Errc::kInvalidArgument,
                        "contract " + m_contract + " used a state key of " +
                            std::to_string(key.size()) + " bytes; the limit is " +
                            std::to_string(contracts::kMaxStateKeyBytes));
    }
    return core::Ok();
  }
  core::Status CheckWritable(std::string_view what) const {
    if (m_run.read_only) {
      return core::Fail(Errc::kUnsupported, "contract " + m_contract + " tried to " +
                                                std::string(what) + " in a read-only call");
    }
    return core::Ok();
  }

  Run& m_run;
  Frame* m_parent;
  std::string m_contract;
  std::string m_caller_contract;
  std::uint32_t m_depth;
  Writes m_writes;
  std::vector<core::Event> m_events;
};

// Reads through the block's accumulated writes to the base.
core::Result<std::optional<Bytes>> ReadThrough(Run& run, const Hash32& key) {
  const auto it = run.block_writes.find(key);
  if (it != run.block_writes.end()) return it->second;
  return ReadBase(run, key);
}

Hash32 NonceKey(const core::CryptoSuite& suite, const core::Address& address) {
  return core::StateKey(suite, kAccountNamespace, address.view());
}

core::Result<std::uint64_t> DecodeNonce(const std::optional<Bytes>& stored) {
  if (!stored) return std::uint64_t{0};
  core::Reader r(*stored, "stored nonce");
  auto nonce = r.U64("nonce");
  if (!nonce || !r.Finish()) {
    return core::Fail(Errc::kStorage, "a stored account nonce is not 8 bytes; the state is corrupt");
  }
  return *nonce;
}

// Executes one call as a transaction: a top frame whose writes and events, on success, join
// the block. Returns the receipt; a local failure is left in run.local_failure.
core::Receipt ExecuteCall(Run& run, const Hash32& tx_hash, std::string_view contract,
                          std::string_view method, ByteView args) {
  run.events_in_tx = 0;
  Frame top(run, nullptr, std::string(contract), "", 1);
  core::Result<Bytes> out = Frame::RunTop(run, contract, method, args, top);
  // An output too large for a receipt fails the call like any other error, before its
  // writes and events join the block, so they are dropped with it.
  if (out && out->size() > core::kMaxOutputBytes) {
    out = core::Fail(Errc::kOversized, "output of " + std::string(contract) + "." +
                                           std::string(method) + " has " +
                                           std::to_string(out->size()) + " bytes; the limit is " +
                                           std::to_string(core::kMaxOutputBytes));
  }
  core::Receipt receipt;
  receipt.tx_hash = tx_hash;
  if (out) {
    for (auto& [key, value] : top.writes()) run.block_writes.insert_or_assign(key, std::move(value));
    receipt.status = core::ReceiptStatus::kSuccess;
    receipt.output = std::move(*out);
    receipt.events = std::move(top.events());
  } else {
    receipt.status = core::ReceiptStatus::kFailed;
    std::string message = out.error().Message();
    if (message.size() > core::kMaxMessageBytes) {
      // Cut at a character boundary: the message is codec text, which must be valid UTF-8,
      // or the stored receipts would not decode again.
      std::size_t end = core::kMaxMessageBytes;
      while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
      message.resize(end);
    }
    receipt.message = std::move(message);
  }
  return receipt;
}

std::vector<core::smt::Change> ToChanges(Run& run) {
  std::vector<BlockValues::iterator> written;
  written.reserve(run.block_writes.size());
  for (auto it = run.block_writes.begin(); it != run.block_writes.end(); ++it) {
    written.push_back(it);
  }
  std::sort(written.begin(), written.end(),
            [](const auto& a, const auto& b) { return a->first < b->first; });
  std::vector<core::smt::Change> changes;
  changes.reserve(written.size());
  for (const auto& entry : written) {
    auto& [key, value] = *entry;
    core::smt::Change change{key, std::move(value), std::nullopt};
    // Every key a contract writes was usually read first (a balance, a nonce).
    if (const auto it = run.base_reads.find(key); it != run.base_reads.end() && it->second) {
      change.prior_value_hash = run.suite.Hash(*it->second);
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace

MemoryState::MemoryState() : m_values(0, core::SeededHash<32>{core::RandomHashSeed()}) {}

core::Result<std::optional<Bytes>> MemoryState::Get(const core::Hash32& state_key) const {
  const auto it = m_values.find(state_key);
  if (it == m_values.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

void MemoryState::Apply(std::span<const core::smt::Change> changes) {
  for (const core::smt::Change& c : changes) {
    if (c.value) {
      m_values.insert_or_assign(c.key, *c.value);
    } else {
      m_values.erase(c.key);
    }
  }
}

void MemoryState::Set(const core::Hash32& state_key, Bytes value) {
  m_values.insert_or_assign(state_key, std::move(value));
}

Executor::Executor(const core::CryptoSuite& suite, const contracts::Registry& registry,
                   std::string chain_id)
    : m_suite(suite),
      m_registry(registry),
      m_chain_id(std::move(chain_id)),
      m_hash_seed(core::RandomHashSeed()) {}

core::Result<std::uint64_t> Executor::NextNonce(const StateReader& base,
                                                const core::Address& sender) const {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored, base.Get(NonceKey(m_suite, sender)));
  return DecodeNonce(stored);
}

core::Result<Outcome> Executor::ExecuteBlock(const StateReader& base, const BlockContext& block,
                                             std::span<const core::Transaction> candidates,
                                             std::span<const Hash32> hashes) const {
  BAYLINK_ASSERT(candidates.size() == hashes.size(), "one hash per candidate transaction");
  Run run{m_suite, m_registry, base, m_chain_id, block, {}, false, NewValues(m_hash_seed),
          NewValues(m_hash_seed), 0, std::nullopt};
  Outcome outcome;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const core::Transaction& tx = candidates[i];
    const Hash32& hash = hashes[i];
    if (tx.chain_id != m_chain_id) {
      outcome.left_out.push_back({hash, core::Fail(Errc::kWrongChain,
                                                   "transaction is for chain " + tx.chain_id +
                                                       ", this is " + m_chain_id), false});
      continue;
    }
    if (tx.expiry_height < block.height) {
      outcome.left_out.push_back(
          {hash, core::Fail(Errc::kExpired, "transaction expired at height " +
                                                std::to_string(tx.expiry_height) +
                                                "; the block is at " + std::to_string(block.height)),
           false});
      continue;
    }
    run.sender = m_suite.ToAddress(tx.sender);
    const Hash32 nonce_key = NonceKey(m_suite, run.sender);
    BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored, ReadThrough(run, nonce_key));
    BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t next, DecodeNonce(stored));
    if (tx.nonce != next) {
      const bool later = tx.nonce > next;
      outcome.left_out.push_back(
          {hash, core::Fail(later ? Errc::kInvalidArgument : Errc::kStale,
                            "nonce " + std::to_string(tx.nonce) + " of sender 0x" +
                                run.sender.ToHex().substr(2, 8) + ".. is " +
                                (later ? "ahead of" : "below") + " its next nonce " +
                                std::to_string(next)),
           later});
      continue;
    }
    core::Writer w;
    w.U64(next + 1);
    run.block_writes.insert_or_assign(nonce_key, std::move(w).Take());
    core::Receipt receipt = ExecuteCall(run, hash, tx.contract, tx.method, tx.args);
    if (run.local_failure) return *run.local_failure;
    outcome.included.push_back(tx);
    outcome.included_hashes.push_back(hash);
    outcome.receipts.push_back(std::move(receipt));
  }
  outcome.changes = ToChanges(run);
  return outcome;
}

core::Result<Outcome> Executor::ExecuteGenesis(const StateReader& base, const BlockContext& block,
                                               std::string_view contract,
                                               std::string_view method, ByteView args) const {
  Run run{m_suite, m_registry, base, m_chain_id, block, {}, false, NewValues(m_hash_seed),
          NewValues(m_hash_seed), 0, std::nullopt};
  core::Receipt receipt = ExecuteCall(run, Hash32{}, contract, method, args);
  if (run.local_failure) return *run.local_failure;
  if (receipt.status != core::ReceiptStatus::kSuccess) {
    return core::Fail(Errc::kInvalidArgument, "genesis call " + std::string(contract) + "." +
                                                  std::string(method) +
                                                  " failed: " + receipt.message);
  }
  Outcome outcome;
  outcome.changes = ToChanges(run);
  return outcome;
}

core::Result<Bytes> Executor::Call(const StateReader& base, const BlockContext& block,
                                   const core::Address& sender, std::string_view contract,
                                   std::string_view method, ByteView args) const {
  Run run{m_suite, m_registry, base, m_chain_id, block, sender, true, NewValues(m_hash_seed),
          NewValues(m_hash_seed), 0, std::nullopt};
  Frame top(run, nullptr, std::string(contract), "", 1);
  core::Result<Bytes> out = Frame::RunTop(run, contract, method, args, top);
  if (run.local_failure) return *run.local_failure;
  return out;
}

}  // namespace baylink::chain
