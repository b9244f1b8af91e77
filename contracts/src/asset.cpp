// SPDX-License-Identifier: Apache-2.0
//
// The `asset` contract (asset.h lists the methods, the state layout and the order of checks).
#include "baylink/contracts/asset.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "internal.h"

namespace baylink::contracts {

using core::Address;
using core::Bytes;
using core::ByteView;
using core::Errc;
using core::Fail;
using core::Result;
using core::u128;

namespace {

constexpr u128 kMaxAmount = ~u128{0};

bool IsSymbolChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '/' || c == '-';
}

std::string Amount(u128 v) { return core::U128ToString(v); }

Bytes AssetKey(std::string_view symbol) {
  Bytes key = core::ToBytes("a/");
  key.insert(key.end(), symbol.begin(), symbol.end());
  return key;
}

Bytes BalanceKey(std::string_view symbol, const Address& owner) {
  Bytes key = core::ToBytes("b/");
  key.insert(key.end(), symbol.begin(), symbol.end());
  key.push_back('/');
  key.insert(key.end(), owner.bytes.begin(), owner.bytes.end());
  return key;
}

// Stored values were written by this contract; one that does not decode means the state is
// damaged, which is a local failure (kStorage), not the caller's fault.
core::Error DamagedState(std::string_view what, std::string_view symbol, const core::Error& cause) {
  return Fail(Errc::kStorage, "asset state is damaged: " + std::string(what) + " of " +
                                  std::string(symbol) + " does not decode: " + cause.Message());
}

// Step 3 of the checks asset.h lists for mint and transfer.
core::Status CheckAmount(std::string_view method, u128 amount) {
  if (amount != 0) return core::Ok();
  return Fail(Errc::kInvalidArgument, "asset." + std::string(method) +
                                          ": the amount must be at least 1, got 0");
}

class AssetContract final : public Contract {
 public:
  std::string_view name() const override { return kAssetContract; }

  std::vector<std::string> methods() const override {
    return {"balance", "create", "mint", "supply", "transfer"};
  }

  Result<Bytes> Invoke(CallContext& context, std::string_view method, ByteView args) override {
    if (method == "create") return Create(context, args);
    if (method == "mint") return Mint(context, args);
    if (method == "transfer") return Transfer(context, args);
    if (method == "balance") return Balance(context, args);
    if (method == "supply") return Supply(context, args);
    return UnknownMethod(*this, method);
  }

 private:
  template <class T>
  static Result<T> Decode(ByteView args, std::string_view method) {
    BAYLINK_ASSIGN_OR_RETURN(T decoded, detail::DecodeArgs<T>(args, kAssetContract, method));
    BAYLINK_TRY(ValidateSymbol(decoded.symbol));
    return decoded;
  }

  static Result<std::optional<AssetInfo>> FindAsset(CallContext& context,
                                                    std::string_view symbol) {
    BAYLINK_ASSIGN_OR_RETURN(auto raw, context.Get(AssetKey(symbol)));
    if (!raw.has_value()) return std::optional<AssetInfo>();
    auto info = core::DecodeExactly<AssetInfo>(*raw, "asset info");
    if (!info) return DamagedState("the asset record", symbol, info.error());
    return std::optional<AssetInfo>(std::move(*info));
  }

  static Result<AssetInfo> RequireAsset(CallContext& context, std::string_view method,
                                        std::string_view symbol) {
    BAYLINK_ASSIGN_OR_RETURN(auto info, FindAsset(context, symbol));
    if (!info.has_value()) {
      return Fail(Errc::kNotFound, "asset." + std::string(method) + ": no asset " +
                                       std::string(symbol) + " exists; create it first");
    }
    return std::move(*info);
  }

  static Result<u128> ReadBalance(CallContext& context, std::string_view symbol,
                                  const Address& owner) {
    BAYLINK_ASSIGN_OR_RETURN(auto raw, context.Get(BalanceKey(symbol, owner)));
    if (!raw.has_value()) return u128{0};
    auto amount = DecodeAmount(*raw);
    if (!amount) return DamagedState("the balance of " + owner.ToHex(), symbol, amount.error());
    return *amount;
  }

  // Balances of zero are not stored (asset.h), so every stored balance is positive.
  static core::Status WriteBalance(CallContext& context, std::string_view symbol,
                                   const Address& owner, u128 amount) {
    const Bytes key = BalanceKey(symbol, owner);
    if (amount == 0) return context.Delete(key);
    return context.Put(key, EncodeAmount(amount));
  }

  static Result<Bytes> Create(CallContext& context, ByteView args) {
    BAYLINK_ASSIGN_OR_RETURN(CreateArgs a, Decode<CreateArgs>(args, "create"));
    BAYLINK_ASSIGN_OR_RETURN(auto existing, FindAsset(context, a.symbol));
    if (existing.has_value()) {
      return Fail(Errc::kDuplicate, "asset " + a.symbol + " already exists, issued by " +
                                        existing->issuer.ToHex());
    }
    const AssetInfo info{context.sender(), 0};
    BAYLINK_TRY(context.Put(AssetKey(a.symbol), info.Encode()));
    core::Writer event;
    event.Text(a.symbol).Fixed(info.issuer);
    BAYLINK_TRY(context.Emit("created", event.bytes()));
    return Bytes{};
  }

  static Result<Bytes> Mint(CallContext& context, ByteView args) {
    BAYLINK_ASSIGN_OR_RETURN(MintArgs a, Decode<MintArgs>(args, "mint"));
    BAYLINK_TRY(CheckAmount("mint", a.amount));
    BAYLINK_ASSIGN_OR_RETURN(AssetInfo info, RequireAsset(context, "mint", a.symbol));
    // Only the issuer, signing the transaction that calls asset directly: a contract the
    // issuer happens to call must not be able to mint in its name.
    if (!context.caller_contract().empty()) {
      return Fail(Errc::kUnauthorized,
                  "asset.mint: only the issuer of " + a.symbol + " (" + info.issuer.ToHex() +
                      ") may mint, in a transaction that calls asset directly; this call comes "
                      "from contract " + std::string(context.caller_contract()));
    }
    if (context.sender() != info.issuer) {
      return Fail(Errc::kUnauthorized, "asset.mint: only the issuer of " + a.symbol + " (" +
                                           info.issuer.ToHex() + ") may mint; the sender is " +
                                           context.sender().ToHex());
    }
    if (info.total_supply > kMaxAmount - a.amount) {
      return Fail(Errc::kOverflow, "asset.mint: minting " + Amount(a.amount) + " " + a.symbol +
                                       " would overflow the total supply of " + a.symbol +
                                       " (" + Amount(info.total_supply) + "); the most is " +
                                       Amount(kMaxAmount));
    }
    BAYLINK_ASSIGN_OR_RETURN(u128 balance, ReadBalance(context, a.symbol, a.to));
    if (balance > kMaxAmount - a.amount) {
      return Fail(Errc::kOverflow, "asset.mint: minting " + Amount(a.amount) + " " + a.symbol +
                                       " would overflow the balance of " + a.to.ToHex() +
                                       " in " + a.symbol + " (" + Amount(balance) +
                                       "); the most is " + Amount(kMaxAmount));
    }
    info.total_supply += a.amount;
    BAYLINK_TRY(context.Put(AssetKey(a.symbol), info.Encode()));
    BAYLINK_TRY(WriteBalance(context, a.symbol, a.to, balance + a.amount));
    core::Writer event;
    event.Text(a.symbol).Fixed(a.to).U128(a.amount);
    BAYLINK_TRY(context.Emit("minted", event.bytes()));
    return Bytes{};
  }

  static Result<Bytes> Transfer(CallContext& context, ByteView args) {
    BAYLINK_ASSIGN_OR_RETURN(TransferArgs a, Decode<TransferArgs>(args, "transfer"));
    BAYLINK_TRY(CheckAmount("transfer", a.amount));
    BAYLINK_TRY(RequireAsset(context, "transfer", a.symbol));
    const Address& from = context.sender();
    BAYLINK_ASSIGN_OR_RETURN(u128 from_balance, ReadBalance(context, a.symbol, from));
    if (from_balance < a.amount) {
      return Fail(Errc::kInsufficientFunds, "balance of " + from.ToHex() + " in " + a.symbol +
                                                " is " + Amount(from_balance) +
                                                ", transfer needs " + Amount(a.amount));
    }
    if (a.to != from) {
      // Both new balances are computed, and the recipient's checked, before either is
      // written.
      BAYLINK_ASSIGN_OR_RETURN(u128 to_balance, ReadBalance(context, a.symbol, a.to));
      if (to_balance > kMaxAmount - a.amount) {
        return Fail(Errc::kOverflow, "asset.transfer: receiving " + Amount(a.amount) + " " +
                                         a.symbol + " would overflow the balance of " +
                                         a.to.ToHex() + " in " + a.symbol + " (" +
                                         Amount(to_balance) + "); the most is " +
                                         Amount(kMaxAmount));
      }
      BAYLINK_TRY(WriteBalance(context, a.symbol, from, from_balance - a.amount));
      BAYLINK_TRY(WriteBalance(context, a.symbol, a.to, to_balance + a.amount));
    }
    core::Writer event;
    event.Text(a.symbol).Fixed(from).Fixed(a.to).U128(a.amount);
    BAYLINK_TRY(context.Emit("transferred", event.bytes()));
    return Bytes{};
  }

  static Result<Bytes> Balance(CallContext& context, ByteView args) {
    BAYLINK_ASSIGN_OR_RETURN(BalanceArgs a, Decode<BalanceArgs>(args, "balance"));
    BAYLINK_TRY(RequireAsset(context, "balance", a.symbol));
    BAYLINK_ASSIGN_OR_RETURN(u128 balance, ReadBalance(context, a.symbol, a.owner));
    return EncodeAmount(balance);
  }

  static Result<Bytes> Supply(CallContext& context, ByteView args) {
    BAYLINK_ASSIGN_OR_RETURN(SupplyArgs a, Decode<SupplyArgs>(args, "supply"));
    BAYLINK_ASSIGN_OR_RETURN(AssetInfo info, RequireAsset(context, "supply", a.symbol));
    return info.Encode();
  }
};

}  // namespace

core::Status ValidateSymbol(std::string_view symbol) {
  if (symbol.empty() || symbol.size() > kMaxSymbolBytes) {
    return Fail(Errc::kInvalidArgument, "asset symbol must be 1 to " +
                                            std::to_string(kMaxSymbolBytes) +
                                            " characters, got " + std::to_string(symbol.size()));
  }
  for (std::size_t i = 0; i < symbol.size(); ++i) {
    if (!IsSymbolChar(symbol[i])) {
      return Fail(Errc::kInvalidArgument,
                  "asset symbol has a character outside [A-Za-z0-9._/-] at position " +
                      std::to_string(i));
    }
  }
  return core::Ok();
}

void AssetInfo::Encode(core::Writer& w) const { w.Fixed(issuer).U128(total_supply); }
Bytes AssetInfo::Encode() const { return core::EncodeValue(*this); }
Result<AssetInfo> AssetInfo::Decode(core::Reader& r) {
  AssetInfo out;
  BAYLINK_ASSIGN_OR_RETURN(out.issuer, r.Fixed<Address::kSize>("issuer"));
  BAYLINK_ASSIGN_OR_RETURN(out.total_supply, r.U128("total_supply"));
  return out;
}

void CreateArgs::Encode(core::Writer& w) const { w.Text(symbol); }
Bytes CreateArgs::Encode() const { return core::EncodeValue(*this); }
Result<CreateArgs> CreateArgs::Decode(core::Reader& r) {
  CreateArgs out;
  BAYLINK_ASSIGN_OR_RETURN(out.symbol, r.Text("symbol"));
  return out;
}

void MintArgs::Encode(core::Writer& w) const { w.Text(symbol).Fixed(to).U128(amount); }
Bytes MintArgs::Encode() const { return core::EncodeValue(*this); }
Result<MintArgs> MintArgs::Decode(core::Reader& r) {
  MintArgs out;
  BAYLINK_ASSIGN_OR_RETURN(out.symbol, r.Text("symbol"));
  BAYLINK_ASSIGN_OR_RETURN(out.to, r.Fixed<Address::kSize>("to"));
  BAYLINK_ASSIGN_OR_RETURN(out.amount, r.U128("amount"));
  return out;
}

void TransferArgs::Encode(core::Writer& w) const { w.Text(symbol).Fixed(to).U128(amount); }
Bytes TransferArgs::Encode() const { return core::EncodeValue(*this); }
Result<TransferArgs> TransferArgs::Decode(core::Reader& r) {
  TransferArgs out;
  BAYLINK_ASSIGN_OR_RETURN(out.symbol, r.Text("symbol"));
  BAYLINK_ASSIGN_OR_RETURN(out.to, r.Fixed<Address::kSize>("to"));
  BAYLINK_ASSIGN_OR_RETURN(out.amount, r.U128("amount"));
  return out;
}

void BalanceArgs::Encode(core::Writer& w) const { w.Text(symbol).Fixed(owner); }
Bytes BalanceArgs::Encode() const { return core::EncodeValue(*this); }
Result<BalanceArgs> BalanceArgs::Decode(core::Reader& r) {
  BalanceArgs out;
  BAYLINK_ASSIGN_OR_RETURN(out.symbol, r.Text("symbol"));
  BAYLINK_ASSIGN_OR_RETURN(out.owner, r.Fixed<Address::kSize>("owner"));
  return out;
}

void SupplyArgs::Encode(core::Writer& w) const { w.Text(symbol); }
Bytes SupplyArgs::Encode() const { return core::EncodeValue(*this); }
Result<SupplyArgs> SupplyArgs::Decode(core::Reader& r) {
  SupplyArgs out;
  BAYLINK_ASSIGN_OR_RETURN(out.symbol, r.Text("symbol"));
  return out;
}

Bytes EncodeCreate(std::string_view symbol) { return CreateArgs{std::string(symbol)}.Encode(); }
Bytes EncodeMint(std::string_view symbol, const Address& to, u128 amount) {
  return MintArgs{std::string(symbol), to, amount}.Encode();
}
Bytes EncodeTransfer(std::string_view symbol, const Address& to, u128 amount) {
  return TransferArgs{std::string(symbol), to, amount}.Encode();
}
Bytes EncodeBalance(std::string_view symbol, const Address& owner) {
  return BalanceArgs{std::string(symbol), owner}.Encode();
}
Bytes EncodeSupply(std::string_view symbol) { return SupplyArgs{std::string(symbol)}.Encode(); }

Bytes EncodeAmount(u128 amount) {
  core::Writer w(16);
  w.U128(amount);
  return std::move(w).Take();
}

namespace {
struct AmountValue {
  u128 value = 0;
  static Result<AmountValue> Decode(core::Reader& r) {
    BAYLINK_ASSIGN_OR_RETURN(u128 v, r.U128("amount"));
    return AmountValue{v};
  }
};
}  // namespace

Result<u128> DecodeAmount(ByteView data) {
  BAYLINK_ASSIGN_OR_RETURN(AmountValue amount, core::DecodeExactly<AmountValue>(data, "amount"));
  return amount.value;
}

std::unique_ptr<Contract> MakeAssetContract() { return std::make_unique<AssetContract>(); }

}  // namespace baylink::contracts
