// SPDX-License-Identifier: Apache-2.0
//
// An in-memory stand-in for the executor, for the contracts' unit tests: per-contract state in
// ordered maps, the events emitted, and a CallContext with a configurable sender, height,
// caller contract and read-only flag. Calls dispatch through a Registry; a failed call (at
// any depth) rolls back its writes and events, as contract.h requires of the executor.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/contracts/contract.h"
#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"

namespace baylink::contracts::test {

// A suite for contracts that never sign or hash: it accepts every public key except the
// all-zero one (kBadPublicKey), so tests can provoke a key the curve refuses.
class StubSuite final : public core::CryptoSuite {
 public:
  core::SuiteId Id() const override { return core::SuiteId::kEcdsa; }
  core::Hash32 HashParts(std::span<const ByteView> parts) const override;
  std::size_t SignatureSize() const override { return 65; }
  core::KeyPair GenerateKey(core::RandomSource&) const override { return {}; }
  core::Result<core::SecretKey> ImportSecretKey(ByteView) const override { return Unsupported(); }
  core::Result<core::PublicKey> DerivePublicKey(const core::SecretKey&) const override {
    return Unsupported();
  }
  core::Status ValidatePublicKey(const core::PublicKey& key) const override;
  core::Result<Bytes> Sign(const core::SecretKey&, ByteView) const override {
    return Unsupported();
  }
  core::Status Verify(const core::PublicKey&, ByteView, ByteView) const override {
    return Unsupported();
  }
  core::Result<core::PublicKey> Recover(ByteView, ByteView) const override {
    return Unsupported();
  }

 private:
  static core::Error Unsupported() {
    return core::Fail(core::Errc::kUnsupported, "the stub suite neither signs nor verifies");
  }
};

using ContractState = std::map<Bytes, Bytes>;

// The fake executor. Public fields are the knobs of the next Call.
class FakeChain {
 public:
  explicit FakeChain(const Registry& registry) : m_registry(registry) {}

  core::Address sender;
  std::string caller_contract;  // "" for a transaction's own call
  std::uint64_t height = 1;
  std::uint64_t timestamp_ms = 1700000000000;
  bool read_only = false;
  std::string chain_id = "hk";

  // Runs `contract`.`method` as the top-level call (depth 1), like one transaction. On error
  // nothing it did stays.
  core::Result<Bytes> Call(std::string_view contract, std::string_view method, ByteView args);

  // State of each contract, by contract name, and every event that stands, in order.
  std::map<std::string, ContractState, std::less<>> state;
  std::vector<core::Event> events;

  const Registry& registry() const { return m_registry; }
  const core::CryptoSuite& suite() const { return m_suite; }

  // The value at `key` in `contract`'s namespace.
  std::optional<Bytes> Read(std::string_view contract, ByteView key) const;

  // Index in `events` of the first event of the current top-level call (its receipt).
  std::size_t tx_first_event() const { return m_tx_first_event; }

 private:
  std::size_t m_tx_first_event = 0;
  const Registry& m_registry;
  StubSuite m_suite;
};

class FakeContext final : public CallContext {
 public:
  FakeContext(FakeChain& chain, std::string contract, std::string caller, std::uint32_t depth)
      : m_chain(chain), m_contract(std::move(contract)), m_caller(std::move(caller)),
        m_depth(depth) {}

  const core::Address& sender() const override { return m_chain.sender; }
  std::string_view caller_contract() const override { return m_caller; }
  std::uint64_t height() const override { return m_chain.height; }
  std::uint64_t timestamp_ms() const override { return m_chain.timestamp_ms; }
  std::string_view chain_id() const override { return m_chain.chain_id; }
  const core::CryptoSuite& suite() const override { return m_chain.suite(); }
  bool read_only() const override { return m_chain.read_only; }
  std::uint32_t depth() const override { return m_depth; }

  core::Result<std::optional<Bytes>> Get(ByteView key) override;
  core::Status Put(ByteView key, ByteView value) override;
  core::Status Delete(ByteView key) override;
  core::Status Emit(std::string_view topic, ByteView data) override;
  core::Result<Bytes> Call(std::string_view contract, std::string_view method,
                           ByteView args) override;

  // Invokes `contract` with this context's settings, rolling back on failure.
  static core::Result<Bytes> Dispatch(FakeChain& chain, std::string_view contract,
                                      std::string_view method, ByteView args,
                                      std::string caller, std::uint32_t depth);

 private:
  core::Status CheckWritable(std::string_view what) const;

  FakeChain& m_chain;
  std::string m_contract;
  std::string m_caller;
  std::uint32_t m_depth;
};

// A contract for nested calls. Method "forward": args Text(contract) ‖ Text(method) ‖
// Blob(args); calls that method through the context and returns its output.
// Method "forward_then_fail": the same, then fails with kInvalidArgument whatever happened.
class ForwardContract final : public Contract {
 public:
  explicit ForwardContract(std::string name = "forward") : m_name(std::move(name)) {}
  std::string_view name() const override { return m_name; }
  std::vector<std::string> methods() const override { return {"forward", "forward_then_fail"}; }
  core::Result<Bytes> Invoke(CallContext& context, std::string_view method,
                             ByteView args) override;

  static Bytes EncodeForward(std::string_view contract, std::string_view method, ByteView args);

 private:
  std::string m_name;
};

}  // namespace baylink::contracts::test
