// SPDX-License-Identifier: Apache-2.0
//
// The native-contract interface (DESIGN §2 contracts/): what every node runs, the same way.
//
// A contract is a named object with methods. The executor (chain/) calls a method with a
// CallContext that gives the contract its caller, the block's height and time, reads and
// writes in the contract's own state namespace, events, and nested calls to other contracts.
// A call either returns its output (its writes and events then stand, unless an enclosing
// call fails) or an Error, and then every write and event of the call, nested calls included,
// is rolled back by the executor; the error's message becomes the receipt's message.
//
// Determinism (consensus path): a contract's result may depend only on its arguments, the
// context and the state it reads. No clock, no randomness, no floating point, no iteration
// over unordered containers, no threads, no I/O.
//
// Arguments and outputs use the canonical binary codec (core/codec.h); each contract's
// header documents the layout of every method.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::contracts {

using core::Bytes;
using core::ByteView;

// Nested calls deeper than this fail with kUnsupported (the top-level call is depth 1).
inline constexpr std::uint32_t kMaxCallDepth = 8;
// Largest key and value a contract may write.
inline constexpr std::size_t kMaxStateKeyBytes = 256;
inline constexpr std::size_t kMaxStateValueBytes = 64u << 10;

// What a contract sees of the world during one call. Implemented by the executor (and by a
// fake in unit tests). Not thread-safe: one call runs on one thread.
class CallContext {
 public:
  virtual ~CallContext() = default;

  // The address of the account that signed the transaction (suite.ToAddress of its key).
  // Nested calls keep it.
  virtual const core::Address& sender() const = 0;
  // The contract that made this call, or "" when the transaction called it directly.
  virtual std::string_view caller_contract() const = 0;
  // The height and timestamp of the block being executed (for read-only calls: the height
  // read and its header's timestamp).
  virtual std::uint64_t height() const = 0;
  virtual std::uint64_t timestamp_ms() const = 0;
  virtual std::string_view chain_id() const = 0;
  virtual const core::CryptoSuite& suite() const = 0;
  // True in a read-only call (RPC `call`): Put, Delete and Emit fail with kUnsupported.
  virtual bool read_only() const = 0;
  // Depth of this call: 1 for the transaction's own call.
  virtual std::uint32_t depth() const = 0;

  // Reads `key` in the calling contract's namespace, seeing this call's own earlier writes.
  // Errors: kInvalidArgument (key longer than kMaxStateKeyBytes); local failures (kStorage,
  // kIo) which the executor treats as fatal for the block, not as a failed call.
  virtual core::Result<std::optional<Bytes>> Get(ByteView key) = 0;
  // Writes or deletes `key` in the calling contract's namespace. Errors: kInvalidArgument
  // (key or value too large), kUnsupported (read-only call).
  virtual core::Status Put(ByteView key, ByteView value) = 0;
  virtual core::Status Delete(ByteView key) = 0;
  // Records an event (contract = the calling contract). Errors: kUnsupported (read-only
  // call), kOversized (topic or data over the core limits, or too many events).
  virtual core::Status Emit(std::string_view topic, ByteView data) = 0;
  // Calls another contract's method; its writes and events join this call's on success and
  // are dropped on failure (the caller may then continue, or return the error).
  // Errors: the callee's error; kNotFound (no such contract); kUnsupported (depth over
  // kMaxCallDepth).
  virtual core::Result<Bytes> Call(std::string_view contract, std::string_view method,
                                   ByteView args) = 0;
};

class Contract {
 public:
  virtual ~Contract() = default;
  // A name valid for core::ValidateName, unique in a registry.
  virtual std::string_view name() const = 0;
  // Every method name, sorted.
  virtual std::vector<std::string> methods() const = 0;
  // Runs `method`. Errors: kUnsupported naming the unknown method and listing the known
  // ones; otherwise what the method documents (kMalformed for undecodable args, ...).
  virtual core::Result<Bytes> Invoke(CallContext& context, std::string_view method,
                                     ByteView args) = 0;
};

// The set of contracts a node runs, by name. Built once at startup, then read-only (so any
// thread may Find concurrently).
class Registry {
 public:
  // Errors: kDuplicate (a contract with that name is registered), kInvalidArgument (bad
  // name).
  core::Status Add(std::unique_ptr<Contract> contract);
  // The contract, or nullptr.
  Contract* Find(std::string_view name) const;
  // Registered names, sorted.
  std::vector<std::string> names() const;

 private:
  std::map<std::string, std::unique_ptr<Contract>, std::less<>> m_contracts;
};

// A registry holding every built-in contract: `system` and `asset`.
core::Result<std::unique_ptr<Registry>> MakeBuiltinRegistry();

// The error a contract returns for an unknown method: kUnsupported, "contract <name> has no
// method <method>; its methods are a, b, c".
core::Error UnknownMethod(const Contract& contract, std::string_view method);

}  // namespace baylink::contracts
