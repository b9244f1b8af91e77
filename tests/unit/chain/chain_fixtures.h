// SPDX-License-Identifier: Apache-2.0
//
// Shared fixtures of the chain tests: suites, deterministic keys, signed transactions, a
// StateReader over state in memory, a one-validator genesis, certificates, and error checks.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "baylink/chain/executor.h"
#include "baylink/chain/genesis.h"
#include "baylink/contracts/asset.h"
#include "baylink/contracts/contract.h"
#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"
#include "baylink/storage/kv.h"
#include "test_dir.h"
#include "test_random.h"

namespace baylink::chain::test {

// A store that passes every call to another; fault-injecting and counting stores override
// what they watch.
class ForwardingStore : public storage::KvStore {
 public:
  explicit ForwardingStore(std::unique_ptr<storage::KvStore> inner) : m_inner(std::move(inner)) {}
  core::Result<std::optional<core::Bytes>> Get(core::ByteView key) const override {
    return m_inner->Get(key);
  }
  core::Status Write(const storage::WriteBatch& batch, storage::WriteOptions options) override {
    return m_inner->Write(batch, options);
  }
  core::Status Scan(core::ByteView prefix, const storage::ScanVisitor& visit) const override {
    return m_inner->Scan(prefix, visit);
  }
  core::Result<std::unique_ptr<storage::Snapshot>> GetSnapshot() const override {
    return m_inner->GetSnapshot();
  }

 private:
  std::unique_ptr<storage::KvStore> m_inner;
};

// One suite per id for the whole test process: making a suite is the expensive part.
inline const core::CryptoSuite& Suite(core::SuiteId id) {
  static const std::unique_ptr<core::CryptoSuite> sm = crypto::MakeSuite(core::SuiteId::kSm);
  static const std::unique_ptr<core::CryptoSuite> ecdsa = crypto::MakeSuite(core::SuiteId::kEcdsa);
  return id == core::SuiteId::kSm ? *sm : *ecdsa;
}

// A key pair fixed by `n` (a deterministic generator seeded with n), so failures replay.
inline core::KeyPair Key(const core::CryptoSuite& suite, std::uint64_t n) {
  ::baylink::testing::TestRandom rng(0x6b6579u + n);
  return suite.GenerateKey(rng);
}

// An account: its keys and address.
struct Account {
  core::KeyPair keys;
  core::Address address;
};

inline Account MakeAccount(const core::CryptoSuite& suite, std::uint64_t n) {
  core::KeyPair keys = Key(suite, n);
  const core::Address address = suite.ToAddress(keys.public_key);
  return Account{std::move(keys), address};
}

// A signed transaction.
inline core::Transaction SignedTx(const core::CryptoSuite& suite, const Account& from,
                                  std::string_view chain_id, std::uint64_t nonce,
                                  std::string_view contract, std::string_view method,
                                  core::ByteView args, std::uint64_t expiry_height = 1000000) {
  core::Transaction tx;
  tx.chain_id = std::string(chain_id);
  tx.nonce = nonce;
  tx.expiry_height = expiry_height;
  tx.sender = from.keys.public_key;
  tx.contract = std::string(contract);
  tx.method = std::string(method);
  tx.args = core::Bytes(args.begin(), args.end());
  REQUIRE(tx.Sign(suite, from.keys.secret).has_value());
  return tx;
}

// The asset contract's state key of `owner`'s balance in `symbol` (contracts/asset.h).
inline core::Bytes BalanceKey(std::string_view symbol, const core::Address& owner) {
  core::Bytes key = core::ToBytes("b/" + std::string(symbol) + "/");
  key.insert(key.end(), owner.bytes.begin(), owner.bytes.end());
  return key;
}

inline core::Hash32 NonceStateKey(const core::CryptoSuite& suite, const core::Address& a) {
  return core::StateKey(suite, kAccountNamespace, a.view());
}

inline core::Bytes EncodeNonce(std::uint64_t nonce) {
  core::Writer w;
  w.U64(nonce);
  return std::move(w).Take();
}

// A StateReader over values in memory (chain::MemoryState), the committed state a block
// executes on, that counts its reads and can be made to fail.
class MapState final : public StateReader {
 public:
  core::Result<std::optional<core::Bytes>> Get(const core::Hash32& key) const override {
    ++m_reads;
    if (m_fail || (m_fail_key && *m_fail_key == key)) {
      return core::Fail(core::Errc::kStorage, "injected storage failure");
    }
    return m_state.Get(key);
  }
  // Applies an outcome's changes, as a commit would.
  void Apply(const std::vector<core::smt::Change>& changes) { m_state.Apply(changes); }
  void Set(const core::Hash32& key, core::Bytes value) { m_state.Set(key, std::move(value)); }
  void FailReads(bool fail) { m_fail = fail; }
  void FailKey(const core::Hash32& key) { m_fail_key = key; }
  std::size_t reads() const { return m_reads; }
  const MemoryState::Values& values() const { return m_state.values(); }

 private:
  MemoryState m_state;
  bool m_fail = false;
  std::optional<core::Hash32> m_fail_key;
  mutable std::size_t m_reads = 0;
};

inline std::unique_ptr<contracts::Registry> BuiltinRegistry() {
  auto registry = contracts::MakeBuiltinRegistry();
  REQUIRE(registry.has_value());
  return std::move(registry).value();
}

// A genesis of chain `chain_id` with the given validators (power 1 each).
inline Genesis MakeGenesis(const core::CryptoSuite& suite, std::string_view chain_id,
                           const std::vector<core::PublicKey>& validators) {
  Genesis g;
  g.chain_id = std::string(chain_id);
  g.suite = suite.Id();
  g.timestamp_ms = 1767225600000;
  g.params.history_heights = 16;
  std::vector<core::Validator> entries;
  for (const core::PublicKey& key : validators) entries.push_back(core::Validator{key, 1});
  auto set = core::ValidatorSet::Create(std::move(entries));
  REQUIRE(set.has_value());
  g.validators = std::move(set).value();
  return g;
}

// A certificate for `header` signed by `signers` (index in the set, secret key), round 0.
inline core::CommitCertificate Certify(
    const core::CryptoSuite& suite, const core::BlockHeader& header,
    const std::vector<std::pair<std::uint32_t, const core::SecretKey*>>& signers) {
  core::CommitCertificate cert;
  cert.height = header.height;
  cert.round = 0;
  cert.header_hash = header.Hash(suite);
  const core::Hash32 digest =
      core::CommitVoteDigest(suite, header.chain_id, header.height, 0, cert.header_hash);
  for (const auto& [index, secret] : signers) {
    auto signature = suite.Sign(*secret, digest.view());
    REQUIRE(signature.has_value());
    cert.signatures.push_back(core::CommitSignature{index, std::move(signature).value()});
  }
  return cert;
}

inline std::string Str(core::ByteView b) { return std::string(b.begin(), b.end()); }

}  // namespace baylink::chain::test

