// SPDX-License-Identifier: Apache-2.0
//
// One regional chain's replicated state machine on disk: blocks and their indexes, receipts,
// provable state, the mempool and its journal. Consensus (or `--dev`'s single validator)
// drives it through Propose and Commit; RPC reads it.
//
// Atomicity. Commit writes one WriteBatch (synced): the block, its receipts, the transaction
// index, the state (new tree nodes, stale index, flat values), the validator set, the new
// head, and a bounded slice of pruning. A crash at any moment leaves the previous head
// intact, nothing half-written.
//
// The mempool journal. Accepted transactions are appended to a RecordLog (one write per
// Submit call) before Submit returns, so a restart puts them back in the mempool: after a
// process crash always, after a machine crash when the log was synced, which Commit does
// after every block that leaves transactions pending. The log is never read while running.
// It is tidied after each commit: dropped whole when the mempool has emptied, rewritten
// from the mempool's pending transactions when it has grown past twice their size plus
// ChainOptions::journal_slack_bytes. Entries of transactions that were committed, expired or
// dropped may stay in it until then; a reload refuses them again (stale, expired) and
// forgets them.
//
// Heights: the genesis block is height 0 (its certificate has no signatures: it is trusted
// by configuration); produced blocks start at 1.
//
// Thread safety: queries and Submit from any thread; Propose and Commit from one thread at a
// time (the producer), and a Proposal must be committed (or dropped) before the next Propose.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "baylink/chain/block.h"
#include "baylink/chain/executor.h"
#include "baylink/chain/genesis.h"
#include "baylink/chain/mempool.h"
#include "baylink/chain/state_db.h"
#include "baylink/contracts/contract.h"
#include "baylink/storage/kv.h"
#include "baylink/storage/record_log.h"

namespace baylink::chain {

struct ChainOptions {
  MempoolOptions mempool;
  unsigned update_threads = 1;           // state-tree rebuild threads per block
  std::size_t prune_entries_per_block = 50000;  // bound on pruning work per commit
  bool sync_commits = true;              // fsync each commit (survives a machine crash)
  // How far the mempool journal may grow past twice the pending transactions' size before
  // a commit rewrites it.
  std::uint64_t journal_slack_bytes = 32u << 20;
};

// What reopening the journal found (Chain::Open).
struct JournalReload {
  storage::ReplayReport replay;  // records read, damage skipped
  std::uint64_t readmitted = 0;  // back in the mempool
  std::uint64_t kept = 0;        // refused for now (pool full, a local failure), kept for later
};

// A block executed on top of the head, not yet committed.
struct Proposal {
  Block block;  // certificate not yet set
  std::vector<core::Receipt> receipts;
  std::vector<core::Hash32> tx_hashes;
  std::vector<LeftOut> left_out;
  storage::WriteBatch batch;  // state operations staged by StateDb
  std::optional<core::ValidatorSet> next_validators;  // set when the block changed the set
};

class Chain {
 public:
  // Opens the chain in `store`: writes the genesis block when the store is empty, otherwise
  // checks that the store began with this same genesis (kConflict naming both chain ids when
  // not) and loads the head; then reloads the mempool from `journal` (and from the journal
  // keys earlier versions kept in the store, which it then deletes), rewriting the journal to
  // what it readmitted plus what it kept. Errors: Genesis::Validate's; kConflict; kStorage /
  // kIo. Requires: suite, store, journal and registry outlive the chain.
  static core::Result<std::unique_ptr<Chain>> Open(const core::CryptoSuite& suite,
                                                   storage::KvStore& store,
                                                   storage::RecordLog& journal,
                                                   const contracts::Registry& registry,
                                                   const Genesis& genesis, ChainOptions options);
  ~Chain();

  const Genesis& genesis() const { return m_genesis; }
  const core::CryptoSuite& suite() const { return m_suite; }
  const Executor& executor() const { return m_executor; }
  const StateDb& state() const { return m_state; }
  Mempool& mempool() { return m_mempool; }

  // The last committed block's header and certificate.
  core::BlockHeader head() const;
  core::CommitCertificate head_certificate() const;
  // Transactions in the blocks this object committed since it was opened (for a node to
  // tell a burst of work from heartbeat blocks).
  std::uint64_t transactions_committed() const { return m_transactions_committed.load(); }
  // Frees the state's tree cache (StateDb::ReleaseMemory), for a node that has gone idle.
  void ReleaseMemory() { m_state.ReleaseMemory(); }
  // The oldest height whose state proofs are still served.
  std::uint64_t oldest_state_height() const;
  // The header at `height` when its state is still kept (oldest_state_height() to the head).
  // Errors: kNotFound naming the heights served; kStorage / kIo.
  core::Result<core::BlockHeader> StateHeader(std::uint64_t height) const;
  // The sender's next nonce in the latest committed state. Errors: kStorage / kIo.
  core::Result<std::uint64_t> NextNonce(const core::Address& sender) const;

  // Each: nullopt when the height or hash is unknown. Errors: kStorage / kIo.
  core::Result<std::optional<Block>> GetBlock(std::uint64_t height) const;
  core::Result<std::optional<std::vector<core::Receipt>>> GetReceipts(std::uint64_t height) const;
  core::Result<std::optional<TxLocation>> FindTransaction(const core::Hash32& hash) const;
  core::Result<std::optional<core::ValidatorSet>> GetValidatorSet(const core::Hash32& hash) const;
  // The stream message of a committed height.
  core::Result<std::optional<BlockEvents>> GetBlockEvents(std::uint64_t height) const;

  // Admits encoded transactions: Check (signature) on the calling thread, then Insert, then
  // one journal append for those accepted. One result per input, in order. A local failure
  // writing the journal fails every accepted one of the call (nothing is half-accepted).
  std::vector<core::Result<core::Hash32>> Submit(std::span<const core::ByteView> encoded);

  // Executes a block at head + 1 from the mempool. `timestamp_ms` is raised to the
  // parent's + 1 when not later. Errors: local failures only.
  core::Result<Proposal> Propose(std::uint64_t timestamp_ms, std::uint32_t proposer);
  // Executes a block another validator proposed (or a peer served during block sync) on top of
  // the head and checks that it reproduces `header` exactly. Every transaction is checked as
  // admission would (chain id, size, signature; the signature only when the mempool has not
  // already verified that transaction), the block's limits (max_block_txs, max_block_bytes),
  // and every transaction must be included (none left out). The timestamp must be after the
  // parent's; the caller bounds it from above with its clock.
  // Errors: kInvalidArgument (not for head + 1, wrong parent, a header field that differs from
  // the re-executed one, naming it), kOversized (limits), kBadTimestamp, the transaction
  // checks' errors naming the position, local failures.
  core::Result<Proposal> Execute(const core::BlockHeader& header,
                                 std::vector<core::Transaction> transactions);
  // Commits a proposal with its certificate. With kVerify the certificate is checked here
  // against the head's validators (height, header hash and > 2/3 of the power). With
  // kSignaturesVerified the caller has already checked exactly that (consensus verified each
  // vote as it arrived and tallied the power; block sync ran lightclient::VerifyCommit), so
  // only the height and header hash are compared and no signature is checked twice.
  // Errors: kInvalidArgument (not for head + 1, or a certificate for another height or
  // header), the certificate's errors, local failures (then nothing was written). Once the
  // block is written, the journal is tidied (see above); a failure there does not fail the
  // commit and is reported by journal_status().
  enum class CertificateCheck { kVerify, kSignaturesVerified };
  core::Status Commit(Proposal proposal, const core::CommitCertificate& certificate,
                      CertificateCheck check = CertificateCheck::kVerify);

  // A read-only call against the latest state (or the state at `height`, when within the
  // kept history). Errors: kNotFound (height unknown or pruned), the call's errors.
  core::Result<core::Bytes> Call(std::optional<std::uint64_t> height, const core::Address& sender,
                                 std::string_view contract, std::string_view method,
                                 core::ByteView args) const;

  // The validator set that signs head + 1.
  core::ValidatorSet next_validators() const;

  // What Open found in the journal.
  const JournalReload& journal_reload() const { return m_journal_reload; }
  // The last failure tidying or syncing the journal after a commit, or Ok; cleared by the next
  // tidy that succeeds. Thread safety: the producer's thread (the one that commits).
  const core::Status& journal_status() const { return m_journal_status; }

 private:
  Chain(const core::CryptoSuite& suite, storage::KvStore& store, storage::RecordLog& journal,
        const contracts::Registry& registry, Genesis genesis, ChainOptions options);
  core::Status InitGenesis();
  core::Status LoadHead();
  core::Status ReloadJournal();
  // After a commit: drops, rewrites or syncs the journal (see the file comment).
  core::Status TidyJournal();
  // Stages the executed block on top of `parent` (shared by Propose and Execute).
  core::Result<Proposal> Build(const core::BlockHeader& parent, const BlockContext& context,
                               Outcome outcome, std::uint32_t proposer);

  const core::CryptoSuite& m_suite;
  storage::KvStore& m_store;
  storage::RecordLog& m_journal;
  const Genesis m_genesis;
  const ChainOptions m_options;
  StateDb m_state;
  Executor m_executor;
  Mempool m_mempool;

  mutable std::shared_mutex m_head_mutex;  // guards the three members below
  core::BlockHeader m_head;
  core::CommitCertificate m_head_certificate;
  core::ValidatorSet m_next_validators;
  std::atomic<std::uint64_t> m_transactions_committed{0};

  // Journal records refused at reload only for now; appended again whenever the journal is
  // rewritten. Used by Open and then by the committing thread only.
  std::vector<core::Bytes> m_journal_kept;
  JournalReload m_journal_reload;
  core::Status m_journal_status = core::Ok();
};

}  // namespace baylink::chain
