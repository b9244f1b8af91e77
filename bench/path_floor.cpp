// SPDX-License-Identifier: Apache-2.0
//
// The least a node can spend on a transfer besides its signature check, and so the highest
// ratio to the verify bound any node could reach on this machine with the protocol and the
// storage that issues 3 and 4 fix.
//
//   path_floor --suite sm|ecdsa [--txs N] [--senders N] [--block N] [--runs N]
//
// It signs `txs` asset transfers (the senders taking turns, each to a fresh address, as
// `node_load throughput` sends them), measures the verify bound on two threads as
// node_load does (CPU per verification: V), then does, block by block, only the work the
// protocol requires of every validator for those transfers and nothing else:
//   hashing: each transaction's hash (its id, the signed message), its tx_root leaf over its
//     encoding, a receipt leaf (a success receipt without events: the real one carries the
//     asset's event), and both roots;
//   state:   the sparse-tree keys of what a transfer changes (the sender's nonce and balance,
//     the recipient's balance; each key once per block), and the tree update in memory
//     (one thread, nodes in an in-memory store; no reads from disk, no pruning bookkeeping);
//   write:   one synced RocksDB batch per block (through libs/storage) holding the block's new
//     tree nodes, one index entry per transaction and the block's transactions and receipts
//     (values are counted as if kept inside their leaves: no flat copies).
// Left out of R: RPC, JSON and hex decoding, the mempool and its journal, execution of
// the contract, nonce checks, RocksDB's background flushes and compactions, consensus and
// gossip. Each part is timed with the calling thread's CPU clock; R is their sum per
// transfer. With both cores busy all the time and every left-out part free, a node commits
// 2 / (V + R) transfers per second against a bound of 2 / V: the ceiling is V / (V + R), the
// same for four validators against issue 4's bound (each validator verifies and commits
// every transfer once). Runs the floor `runs` times (fresh tree and store each time) and
// prints each, then the median.
//
// It also measures L, the least any node could spend beside the check, whatever the layout
// of its tree and store: the protocol's hash calls replayed alone; decoding each transfer
// out of the JSON-RPC batch bodies node_load sends (500 calls each), with the node's JSON
// parser, hex and Transaction::Decode; the asset contract run through chain::Executor on
// state in memory (no store, no tree), timed with an executor over the plain suite and so
// including its own hash calls (the state keys, which the first part also counts, the
// sender's address, prior-value hashes); less all of those hash calls, replayed alone from a
// second, untimed run that notes them; and a synced per-block write to a second RocksDB
// store of only the index entries, the block, its receipts and each changed value (no tree
// nodes at all). V / (V + L) is then a ceiling for any tree layout built on this executor,
// codec and store. Receipts carry no event (the real one carries the asset's), so L is low.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "baylink/chain/executor.h"
#include "baylink/contracts/asset.h"
#include "baylink/core/codec.h"
#include "baylink/core/json.h"
#include "baylink/core/merkle.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/types.h"
#include "baylink/storage/rocksdb_store.h"
#include "bench_support.h"
#include "rpc_bodies.h"

namespace baylink::bench {
namespace {

using core::Bytes;
using core::Hash32;

struct Options {
  core::SuiteId suite = core::SuiteId::kEcdsa;
  std::size_t txs = 40000;
  std::size_t senders = 500;
  std::size_t block = 5000;
  std::size_t runs = 3;
};

double ThreadCpuUs() { return ThreadCpuSeconds() * 1e6; }

// Forwards to a suite and notes the length of every input it hashes, so the same hash work
// can be replayed alone afterwards: the hashing the protocol itself asks for, at the suite's
// speed, with nothing around it.
class RecordingSuite final : public core::CryptoSuite {
 public:
  explicit RecordingSuite(const core::CryptoSuite& inner) : m_inner(inner) {}
  core::SuiteId Id() const override { return m_inner.Id(); }
  Hash32 HashParts(std::span<const core::ByteView> parts) const override {
    std::size_t bytes = 0;
    for (const core::ByteView& part : parts) bytes += part.size();
    if (into != nullptr) into->push_back(static_cast<std::uint32_t>(bytes));
    return m_inner.HashParts(parts);
  }
  std::size_t SignatureSize() const override { return m_inner.SignatureSize(); }
  core::KeyPair GenerateKey(core::RandomSource& rng) const override {
    return m_inner.GenerateKey(rng);
  }
  core::Result<core::SecretKey> ImportSecretKey(core::ByteView raw) const override {
    return m_inner.ImportSecretKey(raw);
  }
  core::Result<core::PublicKey> DerivePublicKey(const core::SecretKey& secret) const override {
    return m_inner.DerivePublicKey(secret);
  }
  core::Status ValidatePublicKey(const core::PublicKey& key) const override {
    return m_inner.ValidatePublicKey(key);
  }
  core::Result<Bytes> Sign(const core::SecretKey& secret, core::ByteView message) const override {
    return m_inner.Sign(secret, message);
  }
  core::Status Verify(const core::PublicKey& key, core::ByteView message,
                      core::ByteView signature) const override {
    return m_inner.Verify(key, message, signature);
  }
  core::Result<core::PublicKey> Recover(core::ByteView message,
                                        core::ByteView signature) const override {
    return m_inner.Recover(message, signature);
  }

  // Single-threaded use only (the floor runs on one thread).
  // Where the lengths of the inputs hashed go (nothing is noted while null).
  mutable std::vector<std::uint32_t>* into = nullptr;
  mutable std::vector<std::uint32_t> lengths;       // the protocol's hash calls
  mutable std::vector<std::uint32_t> exec_lengths;  // the executor's

 private:
  const core::CryptoSuite& m_inner;
};

// CPU time of hashing inputs of the recorded lengths again, one after another.
double ReplayHashesUs(const core::CryptoSuite& suite, const std::vector<std::uint32_t>& lengths) {
  std::uint32_t longest = 0;
  for (std::uint32_t n : lengths) longest = std::max(longest, n);
  Bytes input(longest, 0x5a);
  const double start = ThreadCpuUs();
  for (std::uint32_t n : lengths) {
    const Hash32 h = suite.Hash(core::ByteView(input.data(), n));
    input[0] ^= h.bytes[0];  // each input depends on the last hash: nothing is skipped
  }
  return ThreadCpuUs() - start;
}

struct Account {
  core::KeyPair key;
  core::Address address;
  std::string symbol;
  std::uint64_t nonce = 0;
};

// Who sends each transfer and to whom, beside the signed transactions (same index).
struct Route {
  std::size_t from = 0;
  core::Address to;
};

void SignTransfers(const core::CryptoSuite& suite, std::vector<Account>& senders,
                   std::size_t count, BenchRandom& rng, std::vector<core::Transaction>& txs,
                   std::vector<Route>& routes) {
  txs.reserve(count);
  routes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Route route;
    route.from = i % senders.size();
    Account& s = senders[route.from];
    rng.Fill(std::span(route.to.bytes));
    core::Transaction tx;
    tx.chain_id = "bench";
    tx.nonce = s.nonce++;
    tx.expiry_height = 1u << 30;
    tx.sender = s.key.public_key;
    tx.contract = "asset";
    tx.method = "transfer";
    tx.args = contracts::EncodeTransfer(s.symbol, route.to, 1);
    Require(static_cast<bool>(tx.Sign(suite, s.key.secret)), "sign");
    txs.push_back(std::move(tx));
    routes.push_back(route);
  }
}

// Keeps the nodes in memory and also hands each update's new nodes to the block's batch.
class CapturingStore final : public core::smt::NodeStore {
 public:
  core::Result<std::optional<Bytes>> Get(const Hash32& node_hash) const override {
    return m_memory.Get(node_hash);
  }
  core::Status Write(std::span<const std::pair<Hash32, Bytes>> nodes) override {
    for (const auto& [hash, record] : nodes) {
      Bytes key{'n'};
      key.insert(key.end(), hash.bytes.begin(), hash.bytes.end());
      batch->Put(key, record);
    }
    return m_memory.Write(nodes);
  }
  storage::WriteBatch* batch = nullptr;

 private:
  core::smt::MemoryNodeStore m_memory;
};

Bytes U64Value(std::uint64_t v) {
  core::Writer w;
  w.U64(v);
  return std::move(w).Take();
}

Bytes U128Value(core::u128 v) {
  core::Writer w;
  w.U128(v);
  return std::move(w).Take();
}

struct Floor {
  // The least any layout of the tree and the store could need (per transfer), beside R:
  double decode_us = 0;     // the transfer out of its JSON-RPC batch: parse, hex, decode
  double parse_us = 0;      // of it, the JSON parse
  double exec_us = 0;       // the asset contract's run on state in memory, beside its hash calls
  double min_write_us = 0;  // one synced batch per block with no tree nodes at all
  double hash_us = 0;   // per transfer
  double state_us = 0;   // keys_us and the tree update
  double keys_us = 0;    // the changed keys (their hashes) and values, once per block
  double write_us = 0;
  double nodes_per_transfer = 0;
  double hash_calls_per_transfer = 0;
  double replayed_hashes_us = 0;  // the same hash calls alone
  double total() const { return hash_us + state_us + write_us; }
  // The protocol's hash calls alone, the transport's decode, execution beside its hash calls
  // and the tree-less write.
  double least() const { return replayed_hashes_us + decode_us + exec_us + min_write_us; }
};

// Decodes the transfers out of the bodies with the node's JSON parser (a failure throws);
// returns how many it decoded. Adds the CPU time of the JSON parse alone to `parse_us`.
std::uint64_t DecodeBodies(const std::vector<std::string>& bodies, double& parse_us) {
  std::uint64_t decoded = 0;
  for (const std::string& body : bodies) {
    const double start = ThreadCpuUs();
    const core::json::Json calls = core::json::Parse(body).value();
    parse_us += ThreadCpuUs() - start;
    for (const core::json::Json& call : calls) {
      const auto& hex = call.at("params").at("tx").get_ref<const std::string&>();
      const Bytes raw = core::FromHex(hex).value();
      const core::Transaction tx = core::Transaction::Decode(raw).value();
      decoded += tx.signature.empty() ? 0 : 1;
    }
  }
  return decoded;
}

// One index entry per transaction of the block at `height`: its hash -> (height, position).
void PutIndexEntries(const std::vector<Hash32>& ids, std::uint64_t height,
                     storage::WriteBatch& batch) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Bytes key{'t'};
    key.insert(key.end(), ids[i].bytes.begin(), ids[i].bytes.end());
    core::Writer location;
    location.U64(height).U32(static_cast<std::uint32_t>(i));
    batch.Put(key, location.bytes());
  }
}

// Runs one genesis-level call (sender the zero address) into `state`.
void GenesisCall(const chain::Executor& executor, chain::MemoryState& state,
                 std::string_view method, const Bytes& args) {
  chain::Outcome outcome = executor.ExecuteGenesis(state, {0, 0}, "asset", method, args).value();
  state.Apply(outcome.changes);
}

Floor RunFloor(const core::CryptoSuite& real_suite, const contracts::Registry& registry,
               const std::vector<Account>& senders, const std::vector<core::Transaction>& txs,
               const std::vector<Route>& routes, std::size_t block_size) {
  RecordingSuite suite(real_suite);
  // The asset contract run for real, on state in memory: each sender's asset is created (its
  // issuer the zero address, as at genesis) and minted to the sender, nonces untouched.
  const chain::Executor executor(suite, registry, "bench");
  const chain::Executor timed_executor(real_suite, registry, "bench");
  chain::MemoryState state;
  for (const Account& s : senders) {
    GenesisCall(executor, state, "create", contracts::EncodeCreate(s.symbol));
    GenesisCall(executor, state, "mint",
                contracts::EncodeMint(s.symbol, s.address, core::u128{1} << 100));
  }
  char name[] = "/tmp/baylink-floor-XXXXXX";
  Require(mkdtemp(name) != nullptr, "mkdtemp");
  const std::filesystem::path dir = name;
  Floor f;
  {
    auto store = storage::OpenRocksDb(dir / "db").value();
    auto least_store = storage::OpenRocksDb(dir / "least").value();
    std::uint64_t decoded = 0;
    CapturingStore nodes;
    core::smt::SparseMerkleTree tree(suite, nodes, 1);
    storage::WriteBatch setup;
    nodes.batch = &setup;
    // The senders' accounts before the first block: a nonce and a balance each.
    std::vector<core::smt::Change> initial;
    for (const Account& s : senders) {
      initial.push_back({core::StateKey(suite, "account", s.address.view()), U64Value(0)});
      Bytes balance_key = core::ToBytes("b/" + s.symbol + "/");
      balance_key.insert(balance_key.end(), s.address.bytes.begin(), s.address.bytes.end());
      initial.push_back(
          {core::StateKey(suite, "asset", balance_key), U128Value(core::u128{1} << 100)});
    }
    Hash32 root = tree.Update(core::smt::SparseMerkleTree::EmptyRoot(), initial).value();
    Require(static_cast<bool>(store->Write(setup, storage::WriteOptions{true})), "setup write");

    suite.into = &suite.lengths;
    std::vector<std::uint64_t> next_nonce(senders.size(), 0);
    std::vector<core::u128> balance(senders.size(), core::u128{1} << 100);
    std::size_t node_ops = 0;
    for (std::size_t first = 0; first < txs.size(); first += block_size) {
      const std::size_t last = std::min(txs.size(), first + block_size);
      const std::uint64_t height = first / block_size + 1;

      // The transport: the transfers out of the JSON-RPC batches they arrive in.
      const std::vector<std::string> bodies =
          SendTransactionBodies(std::span(txs).subspan(first, last - first), 500);
      const double decode_start = ThreadCpuUs();
      decoded += DecodeBodies(bodies, f.parse_us);
      f.decode_us += ThreadCpuUs() - decode_start;

      // Hashing: ids, tx_root and receipt_root.
      double t0 = ThreadCpuUs();
      std::vector<Hash32> ids;
      std::vector<Hash32> tx_leaves;
      std::vector<Hash32> receipt_leaves;
      Bytes block_body;
      Bytes receipts_body;
      for (std::size_t i = first; i < last; ++i) {
        ids.push_back(txs[i].Hash(suite));
        const Bytes encoded = txs[i].Encode();
        tx_leaves.push_back(core::merkle::LeafHash(suite, encoded));
        block_body.insert(block_body.end(), encoded.begin(), encoded.end());
        core::Receipt receipt;
        receipt.tx_hash = ids.back();
        const Bytes receipt_encoded = receipt.Encode();
        receipt_leaves.push_back(core::merkle::LeafHash(suite, receipt_encoded));
        receipts_body.insert(receipts_body.end(), receipt_encoded.begin(), receipt_encoded.end());
      }
      const Hash32 tx_root = core::merkle::RootOfLeafHashes(suite, tx_leaves);
      const Hash32 receipt_root = core::merkle::RootOfLeafHashes(suite, receipt_leaves);
      double t1 = ThreadCpuUs();
      f.hash_us += t1 - t0;

      // Execution: the block's transfers through the asset contract (not part of R), timed
      // over the plain suite; then run again, untimed, to note the hash calls it made. It
      // writes nothing, so both runs read the same state.
      const std::span<const core::Transaction> block_txs =
          std::span(txs).subspan(first, last - first);
      const chain::BlockContext context{height, height * 1000};
      const double exec_start = ThreadCpuUs();
      const chain::Outcome outcome =
          timed_executor.ExecuteBlock(state, context, block_txs, ids).value();
      f.exec_us += ThreadCpuUs() - exec_start;
      suite.into = &suite.exec_lengths;
      Require(executor.ExecuteBlock(state, context, block_txs, ids).value().changes.size() ==
                  outcome.changes.size(),
              "the noting run matches");
      suite.into = &suite.lengths;
      Require(outcome.included.size() == last - first && outcome.left_out.empty(),
              "every transfer executes");
      for (const core::Receipt& receipt : outcome.receipts) {
        Require(receipt.status == core::ReceiptStatus::kSuccess, "every transfer succeeds");
      }
      state.Apply(outcome.changes);
      t1 = ThreadCpuUs();

      // State: each changed key hashed once per block, then the tree.
      std::map<Hash32, Bytes> changed;
      std::vector<std::optional<std::pair<Hash32, Hash32>>> sender_keys(senders.size());
      for (std::size_t i = first; i < last; ++i) {
        const Route& t = routes[i];
        const Account& s = senders[t.from];
        auto& keys = sender_keys[t.from];
        if (!keys) {
          Bytes from_key = core::ToBytes("b/" + s.symbol + "/");
          from_key.insert(from_key.end(), s.address.bytes.begin(), s.address.bytes.end());
          keys.emplace(core::StateKey(suite, "account", s.address.view()),
                       core::StateKey(suite, "asset", from_key));
        }
        changed[keys->first] = U64Value(++next_nonce[t.from]);
        changed[keys->second] = U128Value(--balance[t.from]);
        Bytes to_key = core::ToBytes("b/" + s.symbol + "/");
        to_key.insert(to_key.end(), t.to.bytes.begin(), t.to.bytes.end());
        changed[core::StateKey(suite, "asset", to_key)] = U128Value(1);
      }
      std::vector<core::smt::Change> changes;
      changes.reserve(changed.size());
      for (auto& [key, value] : changed) changes.push_back({key, std::move(value)});
      const double t_keys = ThreadCpuUs();
      f.keys_us += t_keys - t1;
      storage::WriteBatch batch;
      nodes.batch = &batch;
      root = tree.Update(root, changes).value();
      double t2 = ThreadCpuUs();
      f.state_us += t2 - t1;
      node_ops += batch.size();

      // The block's one synced batch.
      PutIndexEntries(ids, height, batch);
      core::Writer block_key;
      block_key.U64(height);
      Bytes header{tx_root.bytes.begin(), tx_root.bytes.end()};
      header.insert(header.end(), receipt_root.bytes.begin(), receipt_root.bytes.end());
      header.insert(header.end(), root.bytes.begin(), root.bytes.end());
      block_body.insert(block_body.end(), header.begin(), header.end());
      Bytes stored_block{'B'};
      stored_block.insert(stored_block.end(), block_key.bytes().begin(), block_key.bytes().end());
      Bytes stored_receipts{'R'};
      stored_receipts.insert(stored_receipts.end(), block_key.bytes().begin(),
                             block_key.bytes().end());
      batch.Put(stored_block, block_body);
      batch.Put(stored_receipts, receipts_body);
      Require(static_cast<bool>(store->Write(batch, storage::WriteOptions{true})), "block write");
      const double t3 = ThreadCpuUs();
      f.write_us += t3 - t2;

      // The same block with no tree nodes: only each changed value, flat, beside the index
      // entries, the block and its receipts (a bound for any layout of the tree).
      storage::WriteBatch least;
      PutIndexEntries(ids, height, least);
      for (const core::smt::Change& change : changes) {
        Bytes key{'v'};
        key.insert(key.end(), change.key.bytes.begin(), change.key.bytes.end());
        least.Put(key, *change.value);
      }
      least.Put(stored_block, block_body);
      least.Put(stored_receipts, receipts_body);
      Require(static_cast<bool>(least_store->Write(least, storage::WriteOptions{true})),
              "tree-less block write");
      f.min_write_us += ThreadCpuUs() - t3;
    }
    suite.into = nullptr;
    const auto n = static_cast<double>(txs.size());
    f.hash_calls_per_transfer = static_cast<double>(suite.lengths.size()) / n;
    f.replayed_hashes_us = ReplayHashesUs(real_suite, suite.lengths) / n;
    // Execution beside all the hash calls it makes (its state keys are among the protocol's
    // hash calls above; the sender's address and prior-value hashes are counted nowhere).
    f.exec_us = std::max(0.0, f.exec_us - ReplayHashesUs(real_suite, suite.exec_lengths)) / n;
    f.hash_us /= n;
    f.state_us /= n;
    f.keys_us /= n;
    f.write_us /= n;
    f.decode_us /= n;
    f.parse_us /= n;
    f.min_write_us /= n;
    Require(decoded == txs.size(), "every transfer decoded");
    f.nodes_per_transfer = static_cast<double>(node_ops) / n;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return f;
}

int Main(const Options& o) {
  const core::CryptoSuite& suite = Suite(o.suite);
  const std::string suite_name(core::SuiteName(o.suite));
  const std::unique_ptr<contracts::Registry> registry = contracts::MakeBuiltinRegistry().value();
  BenchRandom rng(7);
  std::vector<Account> senders(o.senders);
  for (std::size_t i = 0; i < senders.size(); ++i) {
    senders[i].key = suite.GenerateKey(rng);
    senders[i].address = suite.ToAddress(senders[i].key.public_key);
    senders[i].symbol = "S" + std::to_string(i);
  }
  std::vector<core::Transaction> txs;
  std::vector<Route> routes;
  SignTransfers(suite, senders, o.txs, rng, txs, routes);
  const std::vector<Hash32> hashes = Hashes(suite, txs);

  const VerifyBound before = VerifyRate(suite, txs, hashes, 2);
  std::vector<Floor> floors;
  for (std::size_t run = 0; run < o.runs; ++run) {
    floors.push_back(RunFloor(suite, *registry, senders, txs, routes, o.block));
    const Floor& f = floors.back();
    std::printf("path_floor suite=%s run %zu: hashing %.2f us, state %.2f us (keys %.2f, tree %.2f; %.1f new tree nodes), "
                "write %.2f us per transfer; R = %.2f us; the %.1f hash calls per transfer among "
                "them, replayed alone: %.2f us; least (those calls, the JSON-RPC decode %.2f us "
                "(its JSON parse %.2f), execution beside its hash calls %.2f us, the tree-less "
                "write %.2f us) %.2f us\n",
                suite_name.c_str(), run + 1, f.hash_us, f.state_us, f.keys_us, f.state_us - f.keys_us,
                f.nodes_per_transfer,
                f.write_us, f.total(), f.hash_calls_per_transfer, f.replayed_hashes_us,
                f.decode_us, f.parse_us, f.exec_us, f.min_write_us, f.least());
  }
  const VerifyBound after = VerifyRate(suite, txs, hashes, 2);
  const double v = (before.cpu_us + after.cpu_us) / 2;
  std::sort(floors.begin(), floors.end(),
            [](const Floor& a, const Floor& b) { return a.total() < b.total(); });
  const Floor& median = floors[floors.size() / 2];
  std::vector<double> replays;
  for (const Floor& f : floors) replays.push_back(f.replayed_hashes_us);
  std::sort(replays.begin(), replays.end());
  const double hashing_alone = replays[replays.size() / 2];
  std::vector<double> leasts;
  for (const Floor& f : floors) leasts.push_back(f.least());
  std::sort(leasts.begin(), leasts.end());
  const double least = leasts[leasts.size() / 2];
  const double r = median.total();
  std::printf("path_floor suite=%s txs=%zu senders=%zu block=%zu: V = %.2f us of CPU per "
              "verification (2 threads: %.0f tx/s before, %.0f after); R = %.2f us (median of "
              "%zu); ceiling V / (V + R) = %.3f; 0.80 needs R <= V / 4 = %.2f us, 0.70 needs "
              "R <= 3V / 7 = %.2f us; the protocol's hashing alone (median) %.2f us\n",
              suite_name.c_str(), o.txs, o.senders, o.block, v, before.rate, after.rate, r,
              floors.size(), v / (v + r), v / 4, 3 * v / 7, hashing_alone);
  std::printf("path_floor suite=%s: least for any tree layout L = hashing alone + JSON-RPC "
              "decode + execution + tree-less write = %.2f us (median); ceiling V / (V + L) = "
              "%.3f\n",
              suite_name.c_str(), least, v / (v + least));
  return 0;
}

}  // namespace
}  // namespace baylink::bench

int main(int argc, char** argv) {
  baylink::bench::Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name == "--help" || name == "-h") {
      std::printf("usage: path_floor [--suite sm|ecdsa] [--txs N] [--senders N] [--block N] "
                  "[--runs N]\n(see the head of bench/path_floor.cpp)\n");
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "path_floor: %s needs a value\n", name.c_str());
      return 2;
    }
    const std::string value = argv[i + 1];
    try {
      if (name == "--suite") {
        auto id = baylink::core::ParseSuiteId(value);
        if (!id) {
          std::fprintf(stderr, "path_floor: %s\n", id.error().Message().c_str());
          return 2;
        }
        o.suite = *id;
      } else if (name == "--txs") {
        o.txs = std::stoul(value);
      } else if (name == "--senders") {
        o.senders = std::stoul(value);
      } else if (name == "--block") {
        o.block = std::stoul(value);
      } else if (name == "--runs") {
        o.runs = std::stoul(value);
      } else {
        std::fprintf(stderr, "path_floor: unknown option %s (see --help)\n", name.c_str());
        return 2;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "path_floor: %s wants a number, not '%s'\n", name.c_str(), value.c_str());
      return 2;
    }
  }
  if (o.txs == 0 || o.senders == 0 || o.block == 0 || o.runs == 0) {
    std::fprintf(stderr, "path_floor: --txs, --senders, --block and --runs must be positive\n");
    return 2;
  }
  return baylink::bench::Main(o);
}
