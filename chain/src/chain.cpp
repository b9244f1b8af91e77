// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/chain.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "baylink/core/merkle.h"
#include "baylink/lightclient/commit.h"
#include "keys.h"

namespace baylink::chain {
namespace {

using core::Bytes;
using core::Errc;
using core::Hash32;

class LatestState final : public StateReader {
 public:
  explicit LatestState(const StateDb& state) : m_state(state) {}
  core::Result<std::optional<Bytes>> Get(const Hash32& key) const override {
    return m_state.Get(key);
  }

 private:
  const StateDb& m_state;
};

class StateAtRoot final : public StateReader {
 public:
  StateAtRoot(const StateDb& state, const Hash32& root) : m_state(state), m_root(root) {}
  core::Result<std::optional<Bytes>> Get(const Hash32& key) const override {
    return m_state.GetAt(m_root, key);
  }

 private:
  const StateDb& m_state;
  Hash32 m_root;
};

Bytes EncodeReceipts(const std::vector<core::Receipt>& receipts) {
  core::Writer w;
  w.Count(receipts.size());
  for (const core::Receipt& r : receipts) r.Encode(w);
  return std::move(w).Take();
}

core::Result<std::vector<core::Receipt>> DecodeReceipts(core::ByteView data) {
  core::Reader r(data, "stored receipts");
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count, r.Count("receipts", kMaxBlockTxs));
  std::vector<core::Receipt> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(core::Receipt receipt, core::Receipt::Decode(r));
    out.push_back(std::move(receipt));
  }
  BAYLINK_TRY(r.Finish());
  return out;
}

Hash32 SystemValidatorsKey(const core::CryptoSuite& suite) {
  return core::StateKey(suite, contracts::kSystemContract, core::AsBytes("validators"));
}

core::Error Corrupt(const core::Error& e, std::string_view what) {
  return core::Fail(Errc::kStorage, std::string(what) + " in the store is unreadable (" +
                                        e.Message() + "); the data folder is corrupt");
}

}  // namespace

Chain::Chain(const core::CryptoSuite& suite, storage::KvStore& store, storage::RecordLog& journal,
             const contracts::Registry& registry, Genesis genesis, ChainOptions options)
    : m_suite(suite),
      m_store(store),
      m_journal(journal),
      m_genesis(std::move(genesis)),
      m_options(options),
      m_state(suite, store, options.update_threads),
      m_executor(suite, registry, m_genesis.chain_id),
      m_mempool(suite, m_genesis.chain_id, [&] {
        MempoolOptions pool = options.mempool;
        pool.max_tx_bytes = std::min<std::size_t>(pool.max_tx_bytes, m_genesis.params.max_tx_bytes);
        return pool;
      }()) {}

Chain::~Chain() = default;

core::Result<std::unique_ptr<Chain>> Chain::Open(const core::CryptoSuite& suite,
                                                 storage::KvStore& store,
                                                 storage::RecordLog& journal,
                                                 const contracts::Registry& registry,
                                                 const Genesis& genesis, ChainOptions options) {
  BAYLINK_TRY(genesis.Validate(suite));
  std::unique_ptr<Chain> chain(new Chain(suite, store, journal, registry, genesis, options));
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored, store.Get(keys::Key(keys::kGenesis)));
  if (!stored) {
    BAYLINK_TRY(chain->InitGenesis());
  } else if (*stored != genesis.Encode()) {
    auto other = Genesis::Decode(*stored);
    return core::Fail(Errc::kConflict,
                      "the data folder holds chain " +
                          (other ? other->chain_id : std::string("(unreadable genesis)")) +
                          " begun from another genesis than the one given for chain " +
                          genesis.chain_id + "; use the genesis it was created with or a new "
                          "data folder");
  }
  BAYLINK_TRY(chain->LoadHead());
  BAYLINK_TRY(chain->ReloadJournal());
  return chain;
}

core::Status Chain::InitGenesis() {
  const BlockContext context{0, m_genesis.timestamp_ms};
  LatestState latest(m_state);
  BAYLINK_ASSIGN_OR_RETURN(
      Outcome outcome,
      m_executor.ExecuteGenesis(latest, context, contracts::kSystemContract, "init",
                                contracts::EncodeSystemInit(m_genesis.params, m_genesis.validators)));
  storage::WriteBatch batch;
  BAYLINK_ASSIGN_OR_RETURN(const Hash32 state_root,
                           m_state.Stage(Hash32{}, 0, outcome.changes, batch));
  Block block;
  block.header.chain_id = m_genesis.chain_id;
  block.header.height = 0;
  block.header.timestamp_ms = m_genesis.timestamp_ms;
  block.header.state_root = state_root;
  block.header.validators_hash = m_genesis.validators.Hash(m_suite);
  block.header.next_validators_hash = block.header.validators_hash;
  block.certificate.height = 0;
  block.certificate.header_hash = block.header.Hash(m_suite);
  batch.Put(keys::Key(keys::kGenesis), m_genesis.Encode());
  batch.Put(keys::WithHeight(keys::kBlock, 0), block.Encode());
  batch.Put(keys::WithHeight(keys::kReceipts, 0), EncodeReceipts({}));
  batch.Put(keys::With(keys::kValidators, block.header.validators_hash.view()),
            m_genesis.validators.Encode());
  core::Writer head;
  head.U64(0);
  batch.Put(keys::Key(keys::kHead), head.bytes());
  return m_store.Write(batch, storage::WriteOptions{true});
}

core::Status Chain::LoadHead() {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> head, m_store.Get(keys::Key(keys::kHead)));
  if (!head) return core::Fail(Errc::kStorage, "the data folder has a genesis but no head block");
  core::Reader r(*head, "head");
  auto height = r.U64("height");
  if (!height || !r.Finish()) return core::Fail(Errc::kStorage, "the stored head is not 8 bytes");
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Block> block, GetBlock(*height));
  if (!block) {
    return core::Fail(Errc::kStorage, "the head block " + std::to_string(*height) + " is missing");
  }
  BAYLINK_ASSIGN_OR_RETURN(std::optional<core::ValidatorSet> next,
                           GetValidatorSet(block->header.next_validators_hash));
  if (!next) return core::Fail(Errc::kStorage, "the head's next validator set is missing");
  std::unique_lock lock(m_head_mutex);
  m_head = block->header;
  m_head_certificate = block->certificate;
  m_next_validators = std::move(*next);
  return core::Ok();
}

core::Status Chain::ReloadJournal() {
  std::vector<Bytes> pending;
  // Earlier versions journaled each transaction under a key in the store.
  storage::WriteBatch legacy;
  BAYLINK_TRY(m_store.Scan(keys::Key(keys::kPool), [&](core::ByteView key, core::ByteView value) {
    legacy.Delete(key);
    pending.emplace_back(value.begin(), value.end());
    return storage::ScanStep::kContinue;
  }));
  BAYLINK_ASSIGN_OR_RETURN(m_journal_reload.replay, m_journal.Replay([&](core::ByteView record) {
    pending.emplace_back(record.begin(), record.end());
  }));
  // Everything read so far is before the mark; what Submit readmits is appended after it.
  const storage::RecordLog::Mark mark = m_journal.Seal();
  std::vector<core::ByteView> views(pending.begin(), pending.end());
  const std::vector<core::Result<Hash32>> results = Submit(views);
  // Those no longer admissible (included, expired, stale, pending already from an earlier
  // record) are forgotten. Those refused only by this node's present bounds (kFull;
  // kInvalidArgument, a nonce further ahead than max_per_sender), by a local failure, or by
  // another pending transaction with their nonce, are kept for the next start: they were
  // accepted, and an accepted transaction must not be lost.
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      ++m_journal_reload.readmitted;
      continue;
    }
    const Errc code = results[i].error().code;
    bool keep = code == Errc::kFull || code == Errc::kInvalidArgument || !core::IsRejectedInput(code);
    if (code == Errc::kDuplicate) {
      auto tx = core::Transaction::Decode(views[i]);
      keep = tx && !m_mempool.Contains(tx->Hash(m_suite));
    }
    if (keep) m_journal_kept.push_back(std::move(pending[i]));
  }
  m_journal_reload.kept = m_journal_kept.size();
  std::vector<core::ByteView> kept(m_journal_kept.begin(), m_journal_kept.end());
  BAYLINK_TRY(m_journal.Append(kept));
  BAYLINK_TRY(m_journal.Sync());
  BAYLINK_TRY(m_journal.DropBefore(mark));
  if (!legacy.empty()) BAYLINK_TRY(m_store.Write(legacy, storage::WriteOptions{true}));
  return m_journal.Sync();
}

core::Status Chain::TidyJournal() {
  std::vector<core::ByteView> records(m_journal_kept.begin(), m_journal_kept.end());
  // An empty pool settles everything journaled so far. It is checked again after sealing: a
  // transaction inserted before the second check makes the pool non-empty, and one inserted
  // after it is appended after the seal, so nothing pending is dropped.
  if (m_mempool.size() == 0) {
    const storage::RecordLog::Mark mark = m_journal.Seal();
    if (m_mempool.size() == 0) {
      if (!records.empty()) {
        BAYLINK_TRY(m_journal.Append(records));
        BAYLINK_TRY(m_journal.Sync());
      }
      return m_journal.DropBefore(mark);
    }
  }
  const std::uint64_t pending_bytes = m_mempool.bytes();
  if (m_journal.bytes() > 2 * pending_bytes + m_options.journal_slack_bytes) {
    // Every transaction appended before the seal and still pending is in the copy taken after
    // it; those appended after it are in the new segment.
    const storage::RecordLog::Mark mark = m_journal.Seal();
    std::vector<Bytes> encoded;
    for (const core::Transaction& tx : m_mempool.Pending()) encoded.push_back(tx.Encode());
    records.insert(records.end(), encoded.begin(), encoded.end());
    BAYLINK_TRY(m_journal.Append(records));
    BAYLINK_TRY(m_journal.Sync());
    return m_journal.DropBefore(mark);
  }
  return m_journal.Sync();
}

core::BlockHeader Chain::head() const {
  std::shared_lock lock(m_head_mutex);
  return m_head;
}

core::CommitCertificate Chain::head_certificate() const {
  std::shared_lock lock(m_head_mutex);
  return m_head_certificate;
}

core::ValidatorSet Chain::next_validators() const {
  std::shared_lock lock(m_head_mutex);
  return m_next_validators;
}

std::uint64_t Chain::oldest_state_height() const {
  const std::uint64_t height = head().height;
  const std::uint64_t keep = m_genesis.params.history_heights;
  return height + 1 > keep ? height + 1 - keep : 0;
}

core::Result<core::BlockHeader> Chain::StateHeader(std::uint64_t height) const {
  const std::uint64_t head_height = head().height;
  const std::uint64_t oldest = oldest_state_height();
  if (height > head_height || height < oldest) {
    return core::Fail(Errc::kNotFound, "state at height " + std::to_string(height) +
                                           " is not kept; this node serves heights " +
                                           std::to_string(oldest) + " to " +
                                           std::to_string(head_height));
  }
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Block> block, GetBlock(height));
  if (!block) return core::Fail(Errc::kNotFound, "no block at height " + std::to_string(height));
  return std::move(block->header);
}

core::Result<std::uint64_t> Chain::NextNonce(const core::Address& sender) const {
  return m_executor.NextNonce(LatestState(m_state), sender);
}

core::Result<std::optional<Block>> Chain::GetBlock(std::uint64_t height) const {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored,
                           m_store.Get(keys::WithHeight(keys::kBlock, height)));
  if (!stored) return std::optional<Block>{};
  auto block = Block::Decode(*stored);
  if (!block) return Corrupt(block.error(), "block " + std::to_string(height));
  return std::optional<Block>(std::move(*block));
}

core::Result<std::optional<std::vector<core::Receipt>>> Chain::GetReceipts(
    std::uint64_t height) const {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored,
                           m_store.Get(keys::WithHeight(keys::kReceipts, height)));
  if (!stored) return std::optional<std::vector<core::Receipt>>{};
  auto receipts = DecodeReceipts(*stored);
  if (!receipts) return Corrupt(receipts.error(), "receipts of block " + std::to_string(height));
  return std::optional<std::vector<core::Receipt>>(std::move(*receipts));
}

core::Result<std::optional<TxLocation>> Chain::FindTransaction(const Hash32& hash) const {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored,
                           m_store.Get(keys::With(keys::kTx, hash.view())));
  if (!stored) return std::optional<TxLocation>{};
  core::Reader r(*stored, "transaction index");
  TxLocation location;
  auto height = r.U64("height");
  auto index = r.U32("index");
  if (!height || !index || !r.Finish()) {
    return core::Fail(Errc::kStorage, "the index entry of transaction " + hash.ToHex() +
                                          " is malformed; the data folder is corrupt");
  }
  return std::optional<TxLocation>(TxLocation{*height, *index});
}

core::Result<std::optional<core::ValidatorSet>> Chain::GetValidatorSet(const Hash32& hash) const {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Bytes> stored,
                           m_store.Get(keys::With(keys::kValidators, hash.view())));
  if (!stored) return std::optional<core::ValidatorSet>{};
  auto set = core::ValidatorSet::Decode(*stored);
  if (!set) return Corrupt(set.error(), "validator set " + hash.ToHex());
  return std::optional<core::ValidatorSet>(std::move(*set));
}

core::Result<std::optional<BlockEvents>> Chain::GetBlockEvents(std::uint64_t height) const {
  BAYLINK_ASSIGN_OR_RETURN(std::optional<Block> block, GetBlock(height));
  if (!block) return std::optional<BlockEvents>{};
  BAYLINK_ASSIGN_OR_RETURN(std::optional<std::vector<core::Receipt>> receipts, GetReceipts(height));
  if (!receipts) return core::Fail(Errc::kStorage, "receipts of block " + std::to_string(height) +
                                                       " are missing");
  BlockEvents out{block->header, block->certificate, {}};
  for (std::size_t i = 0; i < receipts->size(); ++i) {
    for (const core::Event& e : (*receipts)[i].events) {
      out.events.push_back(IndexedEvent{(*receipts)[i].tx_hash, static_cast<std::uint32_t>(i), e});
    }
  }
  return std::optional<BlockEvents>(std::move(out));
}

std::vector<core::Result<Hash32>> Chain::Submit(std::span<const core::ByteView> encoded) {
  std::vector<core::Result<Hash32>> results;
  results.reserve(encoded.size());
  std::vector<core::ByteView> journal;
  std::vector<std::size_t> accepted;
  const std::uint64_t next_height = head().height + 1;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    // Refusals that need no signature come first: a transaction gossiped again, or one
    // already committed, costs no verification.
    auto checked = m_mempool.Precheck(encoded[i]);
    if (!checked) {
      results.emplace_back(std::move(checked).error());
      continue;
    }
    // A sender already pending has its nonce known to the pool; others are read in state.
    const Mempool::KnownNonce known = m_mempool.AccountNonce(checked->sender);
    auto nonce = known.nonce ? core::Result<std::uint64_t>(*known.nonce)
                             : NextNonce(checked->sender);
    if (!nonce) {
      results.emplace_back(std::move(nonce).error());
      continue;
    }
    if (core::Status s = m_mempool.Screen(*checked, next_height, *nonce); !s) {
      results.emplace_back(std::move(s).error());
      continue;
    }
    if (core::Status s = m_mempool.Verify(*checked); !s) {
      results.emplace_back(std::move(s).error());
      continue;
    }
    const Hash32 hash = checked->hash;
    if (core::Status s =
            m_mempool.Insert(std::move(*checked), next_height, *nonce, known.generation);
        !s) {
      results.emplace_back(std::move(s).error());
      continue;
    }
    journal.push_back(encoded[i]);
    accepted.push_back(i);
    results.emplace_back(hash);
  }
  if (!journal.empty()) {
    if (core::Status s = m_journal.Append(journal); !s) {
      // Not durable, so not accepted: take them back out.
      std::vector<Hash32> hashes;
      for (std::size_t i : accepted) hashes.push_back(*results[i]);
      (void)m_mempool.Remove(hashes, {}, 0, [](const core::Address&) {
        return core::Result<std::uint64_t>(std::uint64_t{0});
      });
      for (std::size_t i : accepted) results[i] = s.error();
    }
  }
  return results;
}

core::Result<Proposal> Chain::Propose(std::uint64_t timestamp_ms, std::uint32_t proposer) {
  const core::BlockHeader parent = head();
  const std::uint64_t height = parent.height + 1;
  const BlockContext context{height, std::max(timestamp_ms, parent.timestamp_ms + 1)};
  LatestState latest(m_state);
  const auto nonce_of = [this](const core::Address& a) { return NextNonce(a); };
  BAYLINK_ASSIGN_OR_RETURN(Mempool::Selection selection,
                           m_mempool.Select(m_genesis.params.max_block_txs,
                                            m_genesis.params.max_block_bytes, height, nonce_of));
  BAYLINK_ASSIGN_OR_RETURN(Outcome outcome,
                           m_executor.ExecuteBlock(latest, context, selection.txs, selection.hashes));
  return Build(parent, context, std::move(outcome), proposer);
}

core::Result<Proposal> Chain::Execute(const core::BlockHeader& header,
                                      std::vector<core::Transaction> transactions) {
  const core::BlockHeader parent = head();
  if (header.height != parent.height + 1) {
    return core::Fail(Errc::kInvalidArgument, "block " + std::to_string(header.height) +
                                                  " does not follow the head at " +
                                                  std::to_string(parent.height));
  }
  if (header.parent_hash != parent.Hash(m_suite)) {
    return core::Fail(Errc::kInvalidArgument, "block " + std::to_string(header.height) +
                                                  " names parent " + header.parent_hash.ToHex() +
                                                  ", not the head");
  }
  if (header.timestamp_ms <= parent.timestamp_ms) {
    return core::Fail(Errc::kBadTimestamp,
                      "block " + std::to_string(header.height) + " has timestamp " +
                          std::to_string(header.timestamp_ms) + ", not after its parent's " +
                          std::to_string(parent.timestamp_ms));
  }
  if (header.proposer >= next_validators().size()) {
    return core::Fail(Errc::kInvalidArgument,
                      "block " + std::to_string(header.height) + " names proposer " +
                          std::to_string(header.proposer) + "; the set has " +
                          std::to_string(next_validators().size()) + " validators");
  }
  if (transactions.size() > m_genesis.params.max_block_txs) {
    return core::Fail(Errc::kOversized, "block " + std::to_string(header.height) + " has " +
                                            std::to_string(transactions.size()) +
                                            " transactions; at most " +
                                            std::to_string(m_genesis.params.max_block_txs));
  }
  std::vector<Hash32> hashes;
  hashes.reserve(transactions.size());
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < transactions.size(); ++i) {
    const core::Transaction& tx = transactions[i];
    const std::string where = "block " + std::to_string(header.height) + " transaction " +
                              std::to_string(i) + ": ";
    const std::size_t size = tx.Encode().size();
    bytes += size;
    if (size > m_genesis.params.max_tx_bytes) {
      return core::Fail(Errc::kOversized, where + std::to_string(size) + " bytes; at most " +
                                              std::to_string(m_genesis.params.max_tx_bytes));
    }
    if (tx.chain_id != m_genesis.chain_id) {
      return core::Fail(Errc::kWrongChain, where + "for chain '" + tx.chain_id + "'");
    }
    hashes.push_back(tx.Hash(m_suite));
    // Verified once per node: at admission, or here for a transaction this node had not
    // received yet (noted, so its later arrival by gossip is not verified again).
    if (!m_mempool.HoldsVerified(hashes.back(), tx.signature)) {
      if (core::Status s = m_suite.Verify(tx.sender, hashes.back().view(), tx.signature); !s) {
        return core::Fail(s.error().code, where + s.error().detail);
      }
      m_mempool.NoteVerified(hashes.back(), tx.signature);
    }
  }
  if (bytes > m_genesis.params.max_block_bytes) {
    return core::Fail(Errc::kOversized, "block " + std::to_string(header.height) + " carries " +
                                            std::to_string(bytes) + " bytes of transactions; at "
                                            "most " +
                                            std::to_string(m_genesis.params.max_block_bytes));
  }
  const BlockContext context{header.height, header.timestamp_ms};
  LatestState latest(m_state);
  BAYLINK_ASSIGN_OR_RETURN(Outcome outcome,
                           m_executor.ExecuteBlock(latest, context, transactions, hashes));
  if (!outcome.left_out.empty()) {
    const LeftOut& left = outcome.left_out.front();
    return core::Fail(left.reason.code, "block " + std::to_string(header.height) +
                                            " includes transaction " + left.tx_hash.ToHex() +
                                            " that cannot run: " + left.reason.detail);
  }
  BAYLINK_ASSIGN_OR_RETURN(Proposal proposal,
                           Build(parent, context, std::move(outcome), header.proposer));
  const core::BlockHeader& mine = proposal.block.header;
  const auto differs = [&](std::string_view field) {
    return core::Fail(Errc::kInvalidArgument, "block " + std::to_string(header.height) + ": " +
                                                  std::string(field) +
                                                  " differs from the re-executed block's");
  };
  if (header.version != mine.version) return differs("version");
  if (header.chain_id != mine.chain_id) return differs("chain_id");
  if (header.tx_root != mine.tx_root) return differs("tx_root");
  if (header.receipt_root != mine.receipt_root) return differs("receipt_root");
  if (header.state_root != mine.state_root) return differs("state_root");
  if (header.validators_hash != mine.validators_hash) return differs("validators_hash");
  if (header.next_validators_hash != mine.next_validators_hash) {
    return differs("next_validators_hash");
  }
  if (header != mine) return differs("a header field");
  return proposal;
}

core::Result<Proposal> Chain::Build(const core::BlockHeader& parent, const BlockContext& context,
                                    Outcome outcome, std::uint32_t proposer) {
  const std::uint64_t height = context.height;
  Proposal proposal;
  // Pruning goes into the batch before the block's nodes: a node this block writes again
  // must survive its old stale entry (StateDb::StagePrune).
  const std::uint64_t keep = m_genesis.params.history_heights;
  if (height + 1 > keep) {
    BAYLINK_TRY(m_state.StagePrune(height + 1 - keep, m_options.prune_entries_per_block,
                                   proposal.batch));
  }
  BAYLINK_ASSIGN_OR_RETURN(const Hash32 state_root,
                           m_state.Stage(parent.state_root, height, outcome.changes, proposal.batch));

  std::vector<Hash32> tx_leaves;
  std::vector<Hash32> receipt_leaves;
  tx_leaves.reserve(outcome.included.size());
  receipt_leaves.reserve(outcome.receipts.size());
  for (const core::Transaction& tx : outcome.included) {
    tx_leaves.push_back(core::merkle::LeafHash(m_suite, tx.Encode()));
  }
  for (const core::Receipt& receipt : outcome.receipts) {
    receipt_leaves.push_back(core::merkle::LeafHash(m_suite, receipt.Encode()));
  }

  core::BlockHeader& header = proposal.block.header;
  header.chain_id = m_genesis.chain_id;
  header.height = height;
  header.timestamp_ms = context.timestamp_ms;
  header.parent_hash = parent.Hash(m_suite);
  header.tx_root = core::merkle::RootOfLeafHashes(m_suite, tx_leaves);
  header.receipt_root = core::merkle::RootOfLeafHashes(m_suite, receipt_leaves);
  header.state_root = state_root;
  header.validators_hash = parent.next_validators_hash;
  header.next_validators_hash = parent.next_validators_hash;
  header.proposer = proposer;
  const Hash32 validators_key = SystemValidatorsKey(m_suite);
  for (const core::smt::Change& change : outcome.changes) {
    if (change.key != validators_key || !change.value) continue;
    auto set = core::ValidatorSet::Decode(*change.value);
    if (!set) return Corrupt(set.error(), "the system contract's new validator set");
    header.next_validators_hash = set->Hash(m_suite);
    proposal.next_validators = std::move(*set);
  }
  proposal.block.transactions = std::move(outcome.included);
  proposal.receipts = std::move(outcome.receipts);
  proposal.tx_hashes = std::move(outcome.included_hashes);
  proposal.left_out = std::move(outcome.left_out);
  return proposal;
}

core::Status Chain::Commit(Proposal proposal, const core::CommitCertificate& certificate,
                          CertificateCheck check) {
  const core::BlockHeader parent = head();
  core::BlockHeader& header = proposal.block.header;
  if (header.height != parent.height + 1 || header.parent_hash != parent.Hash(m_suite)) {
    return core::Fail(Errc::kInvalidArgument,
                      "proposal for height " + std::to_string(header.height) +
                          " does not extend the head at " + std::to_string(parent.height));
  }
  const Hash32 header_hash = header.Hash(m_suite);
  if (check == CertificateCheck::kVerify) {
    const core::ValidatorSet signers = next_validators();
    BAYLINK_TRY(lightclient::VerifyCommit(m_suite, m_genesis.chain_id, header.height,
                                          header_hash, certificate, signers, nullptr, nullptr));
  } else if (certificate.height != header.height || certificate.header_hash != header_hash) {
    return core::Fail(Errc::kInvalidArgument,
                      "the certificate is for block " + std::to_string(certificate.height) + " " +
                          certificate.header_hash.ToHex() + ", not for block " +
                          std::to_string(header.height) + " " + header_hash.ToHex());
  }
  proposal.block.certificate = certificate;

  storage::WriteBatch& batch = proposal.batch;
  const std::uint64_t height = header.height;
  batch.Put(keys::WithHeight(keys::kBlock, height), proposal.block.Encode());
  batch.Put(keys::WithHeight(keys::kReceipts, height), EncodeReceipts(proposal.receipts));
  for (std::size_t i = 0; i < proposal.tx_hashes.size(); ++i) {
    core::Writer location;
    location.U64(height).U32(static_cast<std::uint32_t>(i));
    batch.Put(keys::With(keys::kTx, proposal.tx_hashes[i].view()), location.bytes());
  }
  std::vector<Hash32> done = proposal.tx_hashes;
  for (const LeftOut& left : proposal.left_out) {
    if (left.retry_later) continue;
    done.push_back(left.tx_hash);
  }
  std::sort(done.begin(), done.end());
  if (proposal.next_validators) {
    batch.Put(keys::With(keys::kValidators, header.next_validators_hash.view()),
              proposal.next_validators->Encode());
  }
  core::Writer head_value;
  head_value.U64(height);
  batch.Put(keys::Key(keys::kHead), head_value.bytes());
  BAYLINK_TRY(m_store.Write(batch, storage::WriteOptions{m_options.sync_commits}));

  {
    std::unique_lock lock(m_head_mutex);
    m_head = header;
    m_head_certificate = certificate;
    if (proposal.next_validators) m_next_validators = std::move(*proposal.next_validators);
  }
  m_transactions_committed += proposal.block.transactions.size();

  // The mempool follows the new head, and the journal the mempool. The block is durable from
  // here on, so a failure below must not report the commit as failed (the caller would not
  // publish the block): a transaction left in the mempool is never selected again (its nonce
  // is used) and leaves with its sender's next block or its expiry; a journal not tidied is
  // tidied by a later commit, and its extra records are refused again by a reload.
  // Each included transaction used its sender's nonce (a failed call too), and a sender's
  // transactions run in nonce order: the block's last one of each sender gives its next nonce.
  std::vector<std::pair<core::Address, std::uint64_t>> next_nonces;
  next_nonces.reserve(proposal.block.transactions.size());
  for (const core::Transaction& tx : proposal.block.transactions) {
    next_nonces.emplace_back(m_suite.ToAddress(tx.sender), tx.nonce + 1);
  }
  std::sort(next_nonces.begin(), next_nonces.end());
  std::vector<core::Address> senders;
  senders.reserve(next_nonces.size());
  for (std::size_t i = 0; i < next_nonces.size(); ++i) {
    if (i + 1 < next_nonces.size() && next_nonces[i + 1].first == next_nonces[i].first) continue;
    next_nonces[senders.size()] = next_nonces[i];  // the largest of each sender, in order
    senders.push_back(next_nonces[i].first);
  }
  next_nonces.resize(senders.size());
  (void)m_mempool.Remove(done, senders, height + 1, [&](const core::Address& a) {
    const auto it = std::lower_bound(
        next_nonces.begin(), next_nonces.end(), a,
        [](const auto& entry, const core::Address& address) { return entry.first < address; });
    if (it != next_nonces.end() && it->first == a) return core::Result<std::uint64_t>(it->second);
    return NextNonce(a);
  });
  m_journal_status = TidyJournal();
  return core::Ok();
}

core::Result<Bytes> Chain::Call(std::optional<std::uint64_t> height, const core::Address& sender,
                                std::string_view contract, std::string_view method,
                                core::ByteView args) const {
  const core::BlockHeader current = head();
  if (!height || *height == current.height) {
    LatestState latest(m_state);
    return m_executor.Call(latest, BlockContext{current.height, current.timestamp_ms}, sender,
                           contract, method, args);
  }
  BAYLINK_ASSIGN_OR_RETURN(const core::BlockHeader header, StateHeader(*height));
  StateAtRoot at(m_state, header.state_root);
  return m_executor.Call(at, BlockContext{*height, header.timestamp_ms}, sender, contract, method,
                         args);
}

}  // namespace baylink::chain
