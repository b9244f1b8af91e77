// SPDX-License-Identifier: Apache-2.0
//
// The `asset` contract (DESIGN §6 "Assets"): fungible tokens, each with one issuer who alone
// mints it. Amounts are core::u128; every sum is checked, so no amount ever wraps.
//
// Symbols are 1..kMaxSymbolBytes characters of [A-Za-z0-9._/-] ("HKD", and voucher paths
// such as "hk/HKD" for tokens that came from another chain).
//
// State in the contract's namespace (keys are bytes):
//   "a/" + symbol                          -> AssetInfo, encoded
//   "b/" + symbol + "/" + 20 address bytes -> the owner's balance: u128, 16 bytes big-endian.
//                                             Never zero: a balance that becomes zero is
//                                             deleted. (The address has a fixed size, so the
//                                             key is unambiguous although a symbol may hold
//                                             '/'.)
// Invariant: for every asset, the sum of its balances equals its total_supply.
//
// Methods. Arguments and outputs use the canonical codec; every method checks, in order:
//   1. the args decode exactly (DecodeExactly: trailing bytes rejected), else kMalformed
//      naming the method ("malformed arguments for asset.mint: truncated: ...");
//   2. the symbol is valid (ValidateSymbol), else kInvalidArgument;
//   3. for mint and transfer, the amount is not zero, else kInvalidArgument;
//   4. the asset exists (except for create), else kNotFound;
// then the method's own checks below. Every check runs before the first write, so a failed
// call leaves no trace even before the executor rolls it back. Writes and events fail with
// the context's errors (kUnsupported in a read-only call).
//
//   create    CreateArgs; output empty. The issuer is context.sender(). kDuplicate if the
//             symbol exists ("asset HKD already exists, issued by 0x.."). Event "created",
//             data = Text(symbol) ‖ issuer (20 bytes).
//   mint      MintArgs; output empty. kUnauthorized naming the issuer unless called directly
//             by a transaction (caller_contract() == "") whose sender is the issuer.
//             kOverflow naming the asset and the amounts if the total supply or the
//             recipient's balance would exceed 2^128 - 1. Event "minted",
//             data = Text(symbol) ‖ to ‖ U128(amount).
//   transfer  TransferArgs; output empty. Moves `amount` from context.sender() to `to`.
//             kInsufficientFunds ("balance of 0x.. in HKD is 5, transfer needs 7").
//             kOverflow if the recipient's balance would exceed 2^128 - 1 (impossible while
//             the invariant holds; checked anyway). A transfer to oneself is allowed: it
//             checks the balance and changes nothing. Event "transferred",
//             data = Text(symbol) ‖ from ‖ to ‖ U128(amount).
//   balance   BalanceArgs; output U128 (16 bytes, DecodeAmount): the owner's balance, 0 for
//             an owner that never held the asset.
//   supply    SupplyArgs; output AssetInfo, encoded.
// State that does not decode (never written by this contract) is kStorage: the executor
// treats it as a local failure, not as the caller's fault.
//
// WARNING: context.sender() is the transaction's signer also in nested calls (contract.h), so
// a contract that calls asset.transfer spends its caller's tokens. Every contract is a
// native built-in (no user deployment), and each one that calls transfer must move only
// what its caller asked for. Minting is refused in nested calls altogether.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "baylink/contracts/contract.h"
#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"

namespace baylink::contracts {

inline constexpr std::string_view kAssetContract = "asset";
inline constexpr std::size_t kMaxSymbolBytes = 16;

// Errors: kInvalidArgument when `symbol` is empty, longer than kMaxSymbolBytes, or holds a
// character outside [A-Za-z0-9._/-] (the message names its position).
core::Status ValidateSymbol(std::string_view symbol);

// What the contract knows of one asset ("a/" + symbol).
struct AssetInfo {
  core::Address issuer;
  core::u128 total_supply = 0;

  // Encoding: issuer (20 bytes) ‖ U128(total_supply).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: codec errors naming the field.
  static core::Result<AssetInfo> Decode(core::Reader& r);
  friend bool operator==(const AssetInfo&, const AssetInfo&) = default;
};

// The arguments of each method. Decode reads the codec only (errors: codec errors naming
// the field); the contract checks the symbol and the amount after decoding.
struct CreateArgs {
  std::string symbol;

  // Encoding: Text(symbol).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  static core::Result<CreateArgs> Decode(core::Reader& r);
  friend bool operator==(const CreateArgs&, const CreateArgs&) = default;
};

struct MintArgs {
  std::string symbol;
  core::Address to;
  core::u128 amount = 0;

  // Encoding: Text(symbol) ‖ to (20 bytes) ‖ U128(amount).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  static core::Result<MintArgs> Decode(core::Reader& r);
  friend bool operator==(const MintArgs&, const MintArgs&) = default;
};

struct TransferArgs {
  std::string symbol;
  core::Address to;
  core::u128 amount = 0;

  // Encoding: Text(symbol) ‖ to (20 bytes) ‖ U128(amount).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  static core::Result<TransferArgs> Decode(core::Reader& r);
  friend bool operator==(const TransferArgs&, const TransferArgs&) = default;
};

struct BalanceArgs {
  std::string symbol;
  core::Address owner;

  // Encoding: Text(symbol) ‖ owner (20 bytes).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  static core::Result<BalanceArgs> Decode(core::Reader& r);
  friend bool operator==(const BalanceArgs&, const BalanceArgs&) = default;
};

struct SupplyArgs {
  std::string symbol;

  // Encoding: Text(symbol).
  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  static core::Result<SupplyArgs> Decode(core::Reader& r);
  friend bool operator==(const SupplyArgs&, const SupplyArgs&) = default;
};

// Argument builders for tools and tests: the encodings of the structs above. They do not
// validate (a tool may want to send bad input on purpose).
core::Bytes EncodeCreate(std::string_view symbol);
core::Bytes EncodeMint(std::string_view symbol, const core::Address& to, core::u128 amount);
core::Bytes EncodeTransfer(std::string_view symbol, const core::Address& to, core::u128 amount);
core::Bytes EncodeBalance(std::string_view symbol, const core::Address& owner);
core::Bytes EncodeSupply(std::string_view symbol);

// An amount as the contract stores and outputs it: U128, 16 bytes big-endian.
core::Bytes EncodeAmount(core::u128 amount);
// Reads exactly one amount (the output of `balance`, a balance value in state).
// Errors: kTruncated (fewer than 16 bytes), kTrailingBytes (more).
core::Result<core::u128> DecodeAmount(core::ByteView data);

// A new `asset` contract. It holds no state of its own (all state is in the CallContext), so
// one instance serves every call, on any thread.
std::unique_ptr<Contract> MakeAssetContract();

}  // namespace baylink::contracts
