// SPDX-License-Identifier: Apache-2.0
//
// Chain: genesis, the Submit → Propose → Commit cycle with a one-validator certificate,
// queries (blocks, receipts, events, transactions, calls, state proofs), refusal of bad
// certificates without side effects, reopening (head and mempool journal), a foreign
// genesis, and the kept state history.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "baylink/chain/chain.h"
#include "baylink/contracts/asset.h"
#include "baylink/contracts/system.h"
#include "baylink/core/merkle.h"
#include "baylink/storage/memory_store.h"
#include "chain_fixtures.h"

namespace baylink::chain::test {
namespace chain_test {
namespace {

using core::Bytes;
using core::Errc;
using core::Hash32;
using core::u128;

// A store that fails writes on request (fault injection through the KvStore interface):
// after `writes_left` more successful writes, every write fails until disarmed.
class FailingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void FailAfter(std::size_t writes_left) { m_writes_left = writes_left; }
  void Disarm() { m_writes_left.reset(); }
  std::size_t failed() const { return m_failed; }

  core::Status Write(const storage::WriteBatch& batch, storage::WriteOptions options) override {
    if (m_writes_left) {
      if (*m_writes_left == 0) {
        ++m_failed;
        return core::Fail(Errc::kStorage, "injected write failure");
      }
      --*m_writes_left;
    }
    return ForwardingStore::Write(batch, options);
  }

 private:
  std::optional<std::size_t> m_writes_left;
  std::size_t m_failed = 0;
};

// A journal that fails its writes (Append, Sync, DropBefore) while armed.
class FailingLog final : public storage::RecordLog {
 public:
  void Arm() { m_armed = true; }
  void Disarm() { m_armed = false; }
  std::size_t failed() const { return m_failed; }
  storage::RecordLog& inner() { return *m_inner; }

  core::Result<storage::ReplayReport> Replay(const Visitor& visit) const override {
    return m_inner->Replay(visit);
  }
  core::Status Append(std::span<const core::ByteView> records) override {
    BAYLINK_TRY(Injected());
    return m_inner->Append(records);
  }
  core::Status Sync() override {
    BAYLINK_TRY(Injected());
    return m_inner->Sync();
  }
  Mark Seal() override { return m_inner->Seal(); }
  core::Status DropBefore(Mark mark) override {
    BAYLINK_TRY(Injected());
    return m_inner->DropBefore(mark);
  }
  std::uint64_t bytes() const override { return m_inner->bytes(); }

 private:
  core::Status Injected() {
    if (!m_armed) return core::Ok();
    ++m_failed;
    return core::Fail(Errc::kIo, "injected journal failure");
  }

  std::unique_ptr<storage::RecordLog> m_inner = storage::MakeMemoryRecordLog();
  bool m_armed = false;
  std::size_t m_failed = 0;
};

// The records of a journal, in order.
std::vector<Bytes> JournalRecords(const storage::RecordLog& log) {
  std::vector<Bytes> out;
  auto replayed = log.Replay([&](core::ByteView r) { out.emplace_back(r.begin(), r.end()); });
  REQUIRE_MESSAGE(replayed.has_value(), replayed.error().Message());
  return out;
}

// A chain of one validator on a memory store, with three users.
struct Fixture {
  explicit Fixture(core::SuiteId id = core::SuiteId::kEcdsa, std::string chain_id = "hk")
      : suite(Suite(id)),
        validator(MakeAccount(suite, 100)),
        registry(BuiltinRegistry()),
        store(std::make_unique<FailingStore>(storage::MakeMemoryKvStore())),
        journal(std::make_unique<FailingLog>()),
        genesis(MakeGenesis(suite, chain_id, {validator.keys.public_key})) {
    for (std::uint64_t i = 0; i < 3; ++i) users.push_back(MakeAccount(suite, 200 + i));
    Open();
  }

  void Open(ChainOptions options = {}) {
    chain.reset();
    auto opened = Chain::Open(suite, *store, *journal, *registry, genesis, options);
    REQUIRE_MESSAGE(opened.has_value(), opened.error().Message());
    chain = std::move(opened).value();
  }

  core::Transaction Tx(std::size_t who, std::uint64_t nonce, std::string_view method,
                       const Bytes& args, std::uint64_t expiry = 1000) const {
    return SignedTx(suite, users[who], genesis.chain_id, nonce, "asset", method, args, expiry);
  }

  core::Result<Hash32> Submit(const core::Transaction& tx) {
    const Bytes encoded = tx.Encode();
    const core::ByteView view = encoded;
    std::vector<core::Result<Hash32>> results = chain->Submit(std::span(&view, 1));
    REQUIRE(results.size() == 1);
    return results[0];
  }
  Hash32 SubmitOk(const core::Transaction& tx) {
    auto hash = Submit(tx);
    REQUIRE_MESSAGE(hash.has_value(), hash.error().Message());
    CHECK(*hash == tx.Hash(suite));
    return *hash;
  }

  core::CommitCertificate Certificate(const core::BlockHeader& header) const {
    return Certify(suite, header, {{0, &validator.keys.secret}});
  }

  Proposal Propose(std::uint64_t timestamp_ms = 0) {
    auto proposal = chain->Propose(timestamp_ms, 0);
    REQUIRE_MESSAGE(proposal.has_value(), proposal.error().Message());
    return std::move(proposal).value();
  }

  // Proposes and commits one block; returns its header.
  core::BlockHeader Produce(std::uint64_t timestamp_ms = 0) {
    Proposal proposal = Propose(timestamp_ms);
    const core::BlockHeader header = proposal.block.header;
    core::Status s = chain->Commit(std::move(proposal), Certificate(header));
    REQUIRE_MESSAGE(s.has_value(), s.error().Message());
    CHECK(chain->head() == header);
    return header;
  }

  core::Result<u128> Balance(std::string_view symbol, std::size_t who,
                             std::optional<std::uint64_t> height = std::nullopt) const {
    auto out = chain->Call(height, users[0].address, "asset", "balance",
                           contracts::EncodeBalance(symbol, users[who].address));
    if (!out) return std::move(out).error();
    return contracts::DecodeAmount(*out);
  }

  // The balance, failing the test (not aborting it) when the call fails.
  u128 BalanceOk(std::string_view symbol, std::size_t who,
                 std::optional<std::uint64_t> height = std::nullopt) const {
    auto balance = Balance(symbol, who, height);
    REQUIRE_MESSAGE(balance.has_value(), balance.error().Message());
    return *balance;
  }

  Hash32 BalanceStateKey(std::string_view symbol, std::size_t who) const {
    return core::StateKey(suite, "asset", BalanceKey(symbol, users[who].address));
  }

  const core::CryptoSuite& suite;
  Account validator;
  std::vector<Account> users;
  std::unique_ptr<contracts::Registry> registry;
  std::unique_ptr<FailingStore> store;
  std::unique_ptr<FailingLog> journal;
  Genesis genesis;
  std::unique_ptr<Chain> chain;
};

// Issues HKD (user 0 is the issuer) and mints `amount` to user 1 in one block.
core::BlockHeader IssueAndMint(Fixture& f, u128 amount) {
  f.SubmitOk(f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")));
  f.SubmitOk(f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[1].address, amount)));
  return f.Produce();
}

TEST_CASE("a chain opens on an empty store at its genesis block") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    Fixture f(id);
    const core::BlockHeader head = f.chain->head();
    CHECK(head.height == 0);
    CHECK(head.chain_id == "hk");
    CHECK(head.timestamp_ms == f.genesis.timestamp_ms);
    CHECK(head.validators_hash == f.genesis.validators.Hash(f.suite));
    CHECK(head.next_validators_hash == f.genesis.validators.Hash(f.suite));
    CHECK(f.chain->next_validators() == f.genesis.validators);
    CHECK(f.chain->oldest_state_height() == 0);
    auto block = f.chain->GetBlock(0);
    REQUIRE(block.has_value());
    REQUIRE(block->has_value());
    CHECK((*block)->header == head);
    CHECK((*block)->certificate.signatures.empty());
    CHECK((*block)->certificate.header_hash == head.Hash(f.suite));
    CHECK((*block)->transactions.empty());
    // The system contract holds the genesis parameters, provably.
    auto params = f.chain->Call(std::nullopt, f.users[0].address, "system", "params", {});
    REQUIRE(params.has_value());
    CHECK(*params == f.genesis.params.Encode());
    const Hash32 key = core::StateKey(f.suite, "system", core::AsBytes("validators"));
    auto proof = f.chain->state().Prove(head.state_root, key);
    REQUIRE(proof.has_value());
    REQUIRE(proof->value.has_value());
    CHECK(core::smt::VerifyPresence(f.suite, head.state_root, key, f.genesis.validators.Encode(),
                                    proof->proof)
              .has_value());
    CHECK(f.chain->GetBlock(1).value() == std::nullopt);
  }
}

TEST_CASE("submitted transactions are proposed, certified, committed and served with proofs") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    Fixture f(id);
    const core::BlockHeader genesis_head = f.chain->head();
    const std::vector<core::Transaction> txs = {
        f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")),
        f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[1].address, 100)),
        f.Tx(1, 0, "transfer", contracts::EncodeTransfer("HKD", f.users[2].address, 30)),
        f.Tx(2, 0, "transfer", contracts::EncodeTransfer("HKD", f.users[1].address, 31)),
    };
    std::vector<Hash32> hashes;
    for (const core::Transaction& tx : txs) hashes.push_back(f.SubmitOk(tx));
    CHECK(f.chain->mempool().size() == 4);

    Proposal proposal = f.Propose(1);  // earlier than genesis: raised to parent + 1
    const core::BlockHeader header = proposal.block.header;
    CHECK(header.height == 1);
    CHECK(header.timestamp_ms == genesis_head.timestamp_ms + 1);
    CHECK(header.parent_hash == genesis_head.Hash(f.suite));
    CHECK(header.validators_hash == genesis_head.next_validators_hash);
    CHECK(proposal.block.transactions == txs);
    CHECK(proposal.tx_hashes == hashes);
    CHECK(proposal.left_out.empty());
    // Nothing is visible before the commit.
    CHECK(f.chain->head() == genesis_head);
    CHECK_FAILS_WITH(f.Balance("HKD", 1), Errc::kNotFound, "");

    const core::CommitCertificate certificate = f.Certificate(header);
    REQUIRE(f.chain->Commit(std::move(proposal), certificate).has_value());
    CHECK(f.chain->head() == header);
    CHECK(f.chain->head_certificate() == certificate);
    CHECK(f.chain->mempool().size() == 0);

    // The block, its roots and its receipts.
    auto block = f.chain->GetBlock(1).value();
    REQUIRE(block.has_value());
    CHECK(block->header == header);
    CHECK(block->certificate == certificate);
    CHECK(block->transactions == txs);
    auto receipts = f.chain->GetReceipts(1).value();
    REQUIRE(receipts.has_value());
    REQUIRE(receipts->size() == 4);
    std::vector<Hash32> tx_leaves;
    std::vector<Hash32> receipt_leaves;
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK((*receipts)[i].tx_hash == hashes[i]);
      tx_leaves.push_back(core::merkle::LeafHash(f.suite, txs[i].Encode()));
      receipt_leaves.push_back(core::merkle::LeafHash(f.suite, (*receipts)[i].Encode()));
    }
    CHECK(header.tx_root == core::merkle::RootOfLeafHashes(f.suite, tx_leaves));
    CHECK(header.receipt_root == core::merkle::RootOfLeafHashes(f.suite, receipt_leaves));
    CHECK((*receipts)[2].status == core::ReceiptStatus::kSuccess);
    CHECK((*receipts)[3].status == core::ReceiptStatus::kFailed);
    CHECK((*receipts)[3].message.find("insufficient_funds") == 0);

    // Where each transaction sits.
    for (std::uint32_t i = 0; i < 4; ++i) {
      CHECK(f.chain->FindTransaction(hashes[i]).value() == TxLocation{1, i});
    }
    CHECK(f.chain->FindTransaction(Hash32{}).value() == std::nullopt);

    // The event stream message: successful transactions' events, in order.
    auto events = f.chain->GetBlockEvents(1).value();
    REQUIRE(events.has_value());
    CHECK(events->header == header);
    CHECK(events->certificate == certificate);
    REQUIRE(events->events.size() == 3);
    CHECK(events->events[0].event.topic == "created");
    CHECK(events->events[1].event.topic == "minted");
    CHECK(events->events[2].event.topic == "transferred");
    for (std::uint32_t i = 0; i < 3; ++i) {
      CHECK(events->events[i].tx_index == i);
      CHECK(events->events[i].tx_hash == hashes[i]);
    }
    CHECK(f.chain->GetBlockEvents(2).value() == std::nullopt);
    auto genesis_events = f.chain->GetBlockEvents(0).value();
    REQUIRE(genesis_events.has_value());
    CHECK(genesis_events->events.empty());

    // Balances by call, and by a state proof against the committed header's state root.
    CHECK(f.BalanceOk("HKD", 1) == 70);
    CHECK(f.BalanceOk("HKD", 2) == 30);
    const Hash32 key = f.BalanceStateKey("HKD", 2);
    auto proof = f.chain->state().Prove(header.state_root, key);
    REQUIRE(proof.has_value());
    CHECK(proof->value == contracts::EncodeAmount(30));
    CHECK(core::smt::VerifyPresence(f.suite, header.state_root, key, contracts::EncodeAmount(30),
                                    proof->proof)
              .has_value());
    CHECK_FALSE(core::smt::VerifyPresence(f.suite, header.state_root, key,
                                          contracts::EncodeAmount(31), proof->proof)
                    .has_value());
    // The issuer holds none: a proof of absence.
    const Hash32 none = f.BalanceStateKey("HKD", 0);
    auto absent = f.chain->state().Prove(header.state_root, none);
    REQUIRE(absent.has_value());
    CHECK_FALSE(absent->value.has_value());
    CHECK(core::smt::VerifyAbsence(f.suite, header.state_root, none, absent->proof).has_value());
  }
}

TEST_CASE("commit refuses a bad certificate and leaves everything as it was") {
  Fixture f;
  const Hash32 hash = f.SubmitOk(f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")));
  const Proposal proposal = f.Propose();
  const core::BlockHeader& header = proposal.block.header;
  const core::BlockHeader before = f.chain->head();
  const Account outsider = MakeAccount(f.suite, 999);

  struct Case {
    std::string name;
    core::CommitCertificate certificate;
    Errc code;
  };
  std::vector<Case> cases;
  {
    core::CommitCertificate c = f.Certificate(header);
    c.signatures.clear();
    cases.push_back({"no signature", c, Errc::kInsufficientPower});
  }
  {
    core::CommitCertificate c = f.Certificate(header);
    c.signatures[0].signature[5] ^= 0x01;
    cases.push_back({"a flipped signature byte", c, Errc::kBadSignature});
  }
  cases.push_back({"signed by a key outside the set",
                   Certify(f.suite, header, {{0, &outsider.keys.secret}}), Errc::kBadSignature});
  {
    core::CommitCertificate c = f.Certificate(header);
    c.height = 2;
    cases.push_back({"another height", c, Errc::kInvalidArgument});
  }
  {
    core::BlockHeader other = header;
    other.timestamp_ms += 1;
    cases.push_back({"another header", f.Certificate(other), Errc::kInvalidArgument});
  }
  {
    core::CommitCertificate c = f.Certificate(header);
    c.signatures[0].validator_index = 1;
    cases.push_back({"a validator index outside the set", c, Errc::kMalformed});
  }
  for (const Case& c : cases) {
    CAPTURE(c.name);
    core::Status s = f.chain->Commit(proposal, c.certificate);
    REQUIRE_FALSE(s.has_value());
    CHECK(core::ErrcName(s.error().code) == core::ErrcName(c.code));
    CHECK(f.chain->head() == before);
    CHECK(f.chain->GetBlock(1).value() == std::nullopt);
    CHECK(f.chain->GetReceipts(1).value() == std::nullopt);
    CHECK(f.chain->FindTransaction(hash).value() == std::nullopt);
    CHECK(f.chain->mempool().Contains(hash));
    CHECK_FAILS_WITH(f.chain->Call(std::nullopt, f.users[0].address, "asset", "supply",
                                   contracts::EncodeSupply("HKD")),
                     Errc::kNotFound, "no asset HKD");
  }
  // A caller that verified the signatures itself still gets the height and header compared.
  for (const std::string name : {"another height", "another header"}) {
    CAPTURE(name);
    const auto it = std::find_if(cases.begin(), cases.end(),
                                 [&](const Case& c) { return c.name == name; });
    REQUIRE(it != cases.end());
    CHECK_FAILS_WITH(f.chain->Commit(proposal, it->certificate,
                                     Chain::CertificateCheck::kSignaturesVerified),
                     Errc::kInvalidArgument, "the certificate is for block");
    CHECK(f.chain->head() == before);
  }
  // The same proposal with a good certificate commits.
  REQUIRE(f.chain->Commit(proposal, f.Certificate(header)).has_value());
  CHECK(f.chain->head() == header);
  CHECK(f.chain->FindTransaction(hash).value() == TxLocation{1, 0});
  // It cannot be committed twice: it no longer extends the head.
  CHECK_FAILS_WITH(f.chain->Commit(proposal, f.Certificate(header)), Errc::kInvalidArgument,
                   "does not extend the head at 1");
}

TEST_CASE("submit answers each transaction with its own result") {
  Fixture f;
  const core::Transaction good = f.Tx(0, 0, "create", contracts::EncodeCreate("HKD"));
  const core::Transaction wrong_chain =
      SignedTx(f.suite, f.users[1], "gd", 0, "asset", "create", contracts::EncodeCreate("X"));
  core::Transaction forged = f.Tx(2, 0, "create", contracts::EncodeCreate("Y"));
  forged.signature[10] ^= 0x01;
  const std::vector<Bytes> encoded = {good.Encode(), wrong_chain.Encode(), forged.Encode(),
                                      good.Encode(), Bytes{0x01, 0x02}};
  const std::vector<core::ByteView> views(encoded.begin(), encoded.end());
  std::vector<core::Result<Hash32>> results = f.chain->Submit(views);
  REQUIRE(results.size() == 5);
  REQUIRE(results[0].has_value());
  CHECK(*results[0] == good.Hash(f.suite));
  CHECK_FAILS_WITH(results[1], Errc::kWrongChain, "");
  CHECK_FAILS_WITH(results[2], Errc::kBadSignature, "");
  CHECK_FAILS_WITH(results[3], Errc::kDuplicate, "");
  CHECK_FAILS_WITH(results[4], Errc::kTruncated, "");
  CHECK(f.chain->mempool().size() == 1);
  // Admission uses the committed nonce: once nonce 0 is in a block, it is stale.
  f.Produce();
  CHECK_FAILS_WITH(f.Submit(good), Errc::kStale, "next nonce is 1");
}

TEST_CASE("a transaction with a nonce ahead waits in the mempool until the gap is filled") {
  Fixture f;
  const Hash32 later =
      f.SubmitOk(f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[0].address, 5)));
  const core::BlockHeader first = f.Produce();
  CHECK(f.chain->GetBlock(1).value()->transactions.empty());
  CHECK(f.chain->mempool().Contains(later));
  f.SubmitOk(f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")));
  f.Produce(first.timestamp_ms + 1000);
  CHECK(f.chain->GetBlock(2).value()->transactions.size() == 2);
  CHECK(f.chain->FindTransaction(later).value() == TxLocation{2, 1});
  CHECK(f.BalanceOk("HKD", 0) == 5);
  CHECK(f.chain->head().timestamp_ms == first.timestamp_ms + 1000);
}

TEST_CASE("a sender pending across blocks has its nonce followed by the pool: a used nonce is "
          "refused and the next block resumes after the last one included") {
  Fixture f;
  f.chain.reset();
  f.genesis.params.max_block_txs = 2;
  f.store = std::make_unique<FailingStore>(storage::MakeMemoryKvStore());
  f.journal = std::make_unique<FailingLog>();
  f.Open();
  f.SubmitOk(f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")));
  f.SubmitOk(f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[0].address, 10)));
  f.SubmitOk(f.Tx(0, 2, "transfer", contracts::EncodeTransfer("HKD", f.users[1].address, 1)));
  f.Produce();
  CHECK(f.chain->GetBlock(1).value()->transactions.size() == 2);
  CHECK(f.chain->mempool().AccountNonce(f.users[0].address).nonce == std::optional<std::uint64_t>(2));
  // Nonce 1 went into block 1: another transaction with it is stale, though user 0 is pending.
  CHECK_FAILS_WITH(
      f.Submit(f.Tx(0, 1, "transfer", contracts::EncodeTransfer("HKD", f.users[2].address, 1))),
      Errc::kStale, "next nonce is 2");
  f.SubmitOk(f.Tx(0, 3, "transfer", contracts::EncodeTransfer("HKD", f.users[2].address, 2)));
  f.Produce();
  const auto second = f.chain->GetBlock(2).value();
  REQUIRE(second->transactions.size() == 2);
  CHECK(second->transactions[0].nonce == 2);
  CHECK(second->transactions[1].nonce == 3);
  CHECK(f.chain->mempool().size() == 0);
  CHECK(f.BalanceOk("HKD", 1) == 1);
  CHECK(f.BalanceOk("HKD", 2) == 2);
}

TEST_CASE("reopening the chain keeps its head and puts pending transactions back in the mempool") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    Fixture f(id);
    const Hash32 committed = f.SubmitOk(f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")));
    const core::BlockHeader head = f.Produce();
    const core::CommitCertificate certificate = f.chain->head_certificate();
    const Hash32 pending =
        f.SubmitOk(f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[2].address, 9)));

    f.Open();
    CHECK(f.chain->head() == head);
    CHECK(f.chain->head_certificate() == certificate);
    CHECK(f.chain->next_validators() == f.genesis.validators);
    CHECK(f.chain->mempool().size() == 1);
    CHECK(f.chain->mempool().Contains(pending));
    CHECK_FALSE(f.chain->mempool().Contains(committed));

    // The reloaded transaction goes into the next block, and after that nothing comes back.
    f.Produce();
    CHECK(f.chain->FindTransaction(pending).value() == TxLocation{2, 0});
    CHECK(f.BalanceOk("HKD", 2) == 9);
    f.Open();
    CHECK(f.chain->head().height == 2);
    CHECK(f.chain->mempool().size() == 0);
  }
}

TEST_CASE("a failed journal write rejects every transaction of the submit call") {
  Fixture f;
  const core::Transaction a = f.Tx(0, 0, "create", contracts::EncodeCreate("HKD"));
  const core::Transaction b = f.Tx(1, 0, "create", contracts::EncodeCreate("MOP"));
  const core::Transaction bad =
      SignedTx(f.suite, f.users[2], "gd", 0, "asset", "create", contracts::EncodeCreate("X"));
  const std::vector<Bytes> encoded = {a.Encode(), bad.Encode(), b.Encode()};
  const std::vector<core::ByteView> views(encoded.begin(), encoded.end());
  f.journal->Arm();
  std::vector<core::Result<Hash32>> results = f.chain->Submit(views);
  REQUIRE(results.size() == 3);
  CHECK_FAILS_WITH(results[0], Errc::kIo, "injected journal failure");
  CHECK_FAILS_WITH(results[1], Errc::kWrongChain, "");
  CHECK_FAILS_WITH(results[2], Errc::kIo, "injected journal failure");
  CHECK(f.journal->failed() == 1);
  CHECK(f.chain->mempool().size() == 0);
  CHECK(JournalRecords(*f.journal).empty());
  // Nothing was half-accepted: the same transactions go in once the journal works again.
  f.journal->Disarm();
  results = f.chain->Submit(views);
  CHECK(results[0].has_value());
  CHECK(results[2].has_value());
  CHECK(f.chain->mempool().size() == 2);
  CHECK(JournalRecords(*f.journal) == std::vector<Bytes>{encoded[0], encoded[2]});
}

TEST_CASE("a commit whose block write fails changes nothing and can be retried") {
  Fixture f;
  const Hash32 hash = f.SubmitOk(f.Tx(0, 0, "create", contracts::EncodeCreate("HKD")));
  const Proposal proposal = f.Propose();
  const core::CommitCertificate certificate = f.Certificate(proposal.block.header);
  const core::BlockHeader before = f.chain->head();
  f.store->FailAfter(0);
  CHECK_FAILS_WITH(f.chain->Commit(proposal, certificate), Errc::kStorage,
                   "injected write failure");
  CHECK(f.chain->head() == before);
  CHECK(f.chain->GetBlock(1).value() == std::nullopt);
  CHECK(f.chain->FindTransaction(hash).value() == std::nullopt);
  CHECK(f.chain->mempool().Contains(hash));
  CHECK_FAILS_WITH(f.chain->Call(std::nullopt, f.users[0].address, "asset", "supply",
                                 contracts::EncodeSupply("HKD")),
                   Errc::kNotFound, "");
  f.store->Disarm();
  REQUIRE(f.chain->Commit(proposal, certificate).has_value());
  CHECK(f.chain->head() == proposal.block.header);
  CHECK(f.chain->FindTransaction(hash).value() == TxLocation{1, 0});
  // After a reopen the chain is the same.
  f.Open();
  CHECK(f.chain->head() == proposal.block.header);
}

TEST_CASE("a commit reports success once its block is durable, even if tidying the journal fails") {
  Fixture f;
  // A transaction that waits for a nonce gap and expires with block 1: committing block 1
  // drops it from the mempool, and then the emptied journal.
  const Hash32 waiting = f.SubmitOk(
      f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[0].address, 1), /*expiry=*/1));
  Proposal proposal = f.Propose();
  REQUIRE(proposal.block.transactions.empty());
  const core::BlockHeader header = proposal.block.header;
  f.journal->Arm();
  const core::Status committed = f.chain->Commit(std::move(proposal), f.Certificate(header));
  CHECK_MESSAGE(committed.has_value(), committed.error().Message());
  CHECK(f.journal->failed() == 1);
  CHECK_FAILS_WITH(f.chain->journal_status(), Errc::kIo, "injected journal failure");
  CHECK(f.chain->head() == header);
  CHECK(f.chain->GetBlock(1).value().has_value());
  CHECK_FALSE(f.chain->mempool().Contains(waiting));
  CHECK(JournalRecords(*f.journal).size() == 1);
  // The next commit tidies it.
  f.journal->Disarm();
  f.Produce();
  CHECK(f.chain->journal_status().has_value());
  CHECK(JournalRecords(*f.journal).empty());
  CHECK(f.journal->bytes() == 0);
}

TEST_CASE("a journal entry left behind is refused again and forgotten by a reopen") {
  Fixture f;
  const Hash32 waiting = f.SubmitOk(
      f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[0].address, 1), /*expiry=*/1));
  Proposal proposal = f.Propose();
  const core::BlockHeader header = proposal.block.header;
  f.journal->Arm();
  REQUIRE(f.chain->Commit(std::move(proposal), f.Certificate(header)).has_value());
  f.journal->Disarm();
  REQUIRE(JournalRecords(*f.journal).size() == 1);
  f.Open();
  CHECK(f.chain->head() == header);
  CHECK(f.chain->mempool().size() == 0);
  CHECK_FALSE(f.chain->mempool().Contains(waiting));
  CHECK(f.chain->journal_reload().replay.records == 1);
  CHECK(f.chain->journal_reload().readmitted == 0);
  CHECK(f.chain->journal_reload().kept == 0);
  CHECK(JournalRecords(*f.journal).empty());
}

TEST_CASE("the journal is dropped when the mempool empties and rewritten when it outgrows it") {
  ChainOptions options;
  options.journal_slack_bytes = 0;
  Fixture f;
  f.Open(options);
  const core::Transaction create = f.Tx(0, 0, "create", contracts::EncodeCreate("HKD"));
  f.SubmitOk(create);
  f.Produce();
  CHECK(JournalRecords(*f.journal).empty());
  CHECK(f.journal->bytes() == 0);

  // One transaction goes into the block, one waits for a nonce gap: the journal holds both,
  // more than twice what is pending, so the commit rewrites it to the waiting one.
  const core::Transaction mint =
      f.Tx(0, 1, "mint", contracts::EncodeMint("HKD", f.users[0].address, 5));
  const core::Transaction waiting =
      f.Tx(1, 3, "create", contracts::EncodeCreate("MOP"));
  f.SubmitOk(mint);
  f.SubmitOk(waiting);
  CHECK(JournalRecords(*f.journal).size() == 2);
  f.Produce();
  CHECK(f.chain->mempool().size() == 1);
  CHECK(JournalRecords(*f.journal) == std::vector<Bytes>{waiting.Encode()});
  // And a reopen finds it.
  f.Open(options);
  CHECK(f.chain->mempool().Contains(waiting.Hash(f.suite)));
  CHECK(f.chain->journal_reload().readmitted == 1);
}

TEST_CASE("reopening reads the journal keys of earlier versions once, and each record once") {
  Fixture f;
  const core::Transaction a = f.Tx(0, 0, "create", contracts::EncodeCreate("HKD"));
  const core::Transaction b = f.Tx(1, 0, "create", contracts::EncodeCreate("MOP"));
  // Earlier versions kept "p/" + hash -> transaction in the store.
  Bytes key = core::ToBytes("p/");
  const Hash32 hash_a = a.Hash(f.suite);
  key.insert(key.end(), hash_a.view().begin(), hash_a.view().end());
  REQUIRE(f.store->Put(key, a.Encode()).has_value());
  // The same transaction twice in the journal (a rewrite raced with its append).
  const Bytes encoded_b = b.Encode();
  const std::vector<core::ByteView> twice = {encoded_b, encoded_b};
  REQUIRE(f.journal->Append(twice).has_value());
  f.Open();
  CHECK(f.chain->mempool().size() == 2);
  CHECK(f.chain->mempool().Contains(hash_a));
  CHECK(f.chain->mempool().Contains(b.Hash(f.suite)));
  CHECK(f.chain->journal_reload().replay.records == 2);
  CHECK(f.chain->journal_reload().readmitted == 2);
  CHECK(f.store->Get(key).value() == std::nullopt);
  // The journal now holds each once, and they survive another reopen.
  CHECK(JournalRecords(*f.journal).size() == 2);
  f.Open();
  CHECK(f.chain->mempool().size() == 2);
}

TEST_CASE("reopening with a smaller mempool keeps the journaled transactions it cannot hold") {
  Fixture f;
  std::vector<Hash32> hashes;
  for (std::size_t who = 0; who < 3; ++who) {
    hashes.push_back(
        f.SubmitOk(f.Tx(who, 0, "create", contracts::EncodeCreate("T" + std::to_string(who)))));
  }
  ChainOptions small;
  small.mempool.max_txs = 2;
  f.Open(small);
  CHECK(f.chain->mempool().size() == 2);
  CHECK(f.chain->journal_reload().readmitted == 2);
  CHECK(f.chain->journal_reload().kept == 1);
  // Accepted means durable: the one that did not fit is still there on the next start.
  f.Open();
  CHECK(f.chain->mempool().size() == 3);
  for (const Hash32& hash : hashes) CHECK(f.chain->mempool().Contains(hash));
  // Kept through the commits of a run too: a block empties the pool, not the kept record.
  f.Open(small);
  f.Produce();
  CHECK(f.chain->mempool().size() == 0);
  CHECK(JournalRecords(*f.journal).size() == 1);
  f.Open();
  CHECK(f.chain->mempool().size() == 1);
  std::size_t committed = 0;
  for (const Hash32& hash : hashes) committed += f.chain->FindTransaction(hash).value() ? 1 : 0;
  CHECK(committed == 2);
}

TEST_CASE("opening a store begun with another genesis is refused as a conflict") {
  Fixture f;
  f.Produce();
  SUBCASE("another chain id") {
    Genesis other = f.genesis;
    other.chain_id = "gd";
    auto opened = Chain::Open(f.suite, *f.store, *f.journal, *f.registry, other, ChainOptions{});
    CHECK_FAILS_WITH(opened, Errc::kConflict,
                     "holds chain hk begun from another genesis than the one given for chain gd");
  }
  SUBCASE("the same chain id, another genesis time") {
    Genesis other = f.genesis;
    other.timestamp_ms += 1;
    auto opened = Chain::Open(f.suite, *f.store, *f.journal, *f.registry, other, ChainOptions{});
    CHECK_FAILS_WITH(opened, Errc::kConflict, "another genesis");
  }
  SUBCASE("another validator set") {
    Genesis other = MakeGenesis(f.suite, "hk", {MakeAccount(f.suite, 5).keys.public_key});
    auto opened = Chain::Open(f.suite, *f.store, *f.journal, *f.registry, other, ChainOptions{});
    CHECK_FAILS_WITH(opened, Errc::kConflict, "another genesis");
  }
  // The store is untouched: the right genesis still opens it at its head.
  f.Open();
  CHECK(f.chain->head().height == 1);
}

TEST_CASE("opening refuses an invalid genesis") {
  Fixture f;
  auto store = storage::MakeMemoryKvStore();
  Genesis bad = f.genesis;
  bad.params.history_heights = 1;
  CHECK_FAILS_WITH(Chain::Open(f.suite, *store, *f.journal, *f.registry, bad, ChainOptions{}),
                   Errc::kInvalidArgument, "history_heights");
  Genesis bad_key = f.genesis;
  core::PublicKey off_curve;
  off_curve.bytes.fill(0x07);
  bad_key.validators = core::ValidatorSet::Create({core::Validator{off_curve, 1}}).value();
  CHECK_FAILS_WITH(Chain::Open(f.suite, *store, *f.journal, *f.registry, bad_key, ChainOptions{}),
                   Errc::kBadPublicKey, "validators[0].public_key");
}

TEST_CASE("calls and proofs are served for the kept history and refused before it") {
  Fixture f;
  IssueAndMint(f, 1000);  // height 1
  // Each later block moves one unit from user 1 to user 2.
  std::vector<core::BlockHeader> headers = {f.chain->GetBlock(0).value()->header, f.chain->head()};
  for (std::uint64_t n = 0; n < 24; ++n) {
    f.SubmitOk(f.Tx(1, n, "transfer", contracts::EncodeTransfer("HKD", f.users[2].address, 1)));
    headers.push_back(f.Produce());
  }
  const std::uint64_t head = f.chain->head().height;
  REQUIRE(head == 25);
  const std::uint64_t history = f.genesis.params.history_heights;
  const std::uint64_t oldest = head + 1 - history;
  CHECK(f.chain->oldest_state_height() == oldest);

  // Every kept height answers with the balance it had, by call and by proof.
  for (std::uint64_t h = oldest; h <= head; ++h) {
    CAPTURE(h);
    const u128 moved = h - 1;
    CHECK(f.BalanceOk("HKD", 2, h) == moved);
    CHECK(f.BalanceOk("HKD", 1, h) == 1000 - moved);
    const Hash32 key = f.BalanceStateKey("HKD", 1);
    auto proof = f.chain->state().Prove(headers[h].state_root, key);
    REQUIRE_MESSAGE(proof.has_value(), proof.error().Message());
    CHECK(core::smt::VerifyPresence(f.suite, headers[h].state_root, key,
                                    contracts::EncodeAmount(1000 - moved), proof->proof)
              .has_value());
  }
  // Before the history, and beyond the head: not found, naming what is served.
  CHECK_FAILS_WITH(f.Balance("HKD", 2, oldest - 1), Errc::kNotFound,
                   "state at height " + std::to_string(oldest - 1) + " is not kept");
  CHECK_FAILS_WITH(f.Balance("HKD", 2, 1), Errc::kNotFound,
                   "this node serves heights " + std::to_string(oldest) + " to 25");
  CHECK_FAILS_WITH(f.Balance("HKD", 2, 26), Errc::kNotFound, "is not kept");
  // The pruned roots are gone from the store (their balances all differ from kept ones).
  CHECK_FAILS_WITH(f.chain->state().GetAt(headers[2].state_root, f.BalanceStateKey("HKD", 1)),
                   Errc::kNotFound, "");
  // Blocks themselves are kept.
  CHECK(f.chain->GetBlock(1).value().has_value());
}

}  // namespace
}  // namespace chain_test
}  // namespace baylink::chain::test
