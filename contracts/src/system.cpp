// SPDX-License-Identifier: Apache-2.0
//
// The `system` contract: chain parameters and the validator set, written once at genesis
// (system.h lists the methods and the order of their checks).
#include "baylink/contracts/system.h"

#include <string>
#include <utility>
#include <vector>

#include "internal.h"

namespace baylink::contracts {

using core::Bytes;
using core::ByteView;
using core::Errc;
using core::Fail;
using core::Result;

namespace {

template <class T>
core::Status CheckRange(std::string_view field, T value, T min, T max) {
  if (value >= min && value <= max) return core::Ok();
  return Fail(Errc::kInvalidArgument, "chain params: " + std::string(field) + " is " +
                                          std::to_string(value) + "; allowed " +
                                          std::to_string(min) + ".." + std::to_string(max));
}

class SystemContract final : public Contract {
 public:
  std::string_view name() const override { return kSystemContract; }

  std::vector<std::string> methods() const override { return {"init", "params", "validators"}; }

  Result<Bytes> Invoke(CallContext& context, std::string_view method, ByteView args) override {
    if (method == "init") return Init(context, args);
    if (method == "params") return Read(context, method, args, kSystemParamsKey);
    if (method == "validators") return Read(context, method, args, kSystemValidatorsKey);
    return UnknownMethod(*this, method);
  }

 private:
  struct InitArgs {
    ChainParams params;
    core::ValidatorSet validators;

    static Result<InitArgs> Decode(core::Reader& r) {
      InitArgs out;
      BAYLINK_ASSIGN_OR_RETURN(out.params, ChainParams::Decode(r));
      BAYLINK_ASSIGN_OR_RETURN(out.validators, core::ValidatorSet::Decode(r));
      return out;
    }
  };

  Result<Bytes> Init(CallContext& context, ByteView args) {
    // 1. Who and when, before looking at anything the caller sent: only the genesis block's
    //    own transaction may set up the chain, never a contract acting for someone.
    if (!context.caller_contract().empty()) {
      return Fail(Errc::kUnauthorized, "system.init may not be called by a contract (called by " +
                                           std::string(context.caller_contract()) +
                                           "); only the genesis transaction calls it");
    }
    if (context.height() != 0) {
      return Fail(Errc::kUnauthorized,
                  "system.init runs only in the genesis block (height 0); this is height " +
                      std::to_string(context.height()));
    }
    // 2. Once only: a second init in the genesis would silently replace the first.
    BAYLINK_ASSIGN_OR_RETURN(auto existing, context.Get(core::AsBytes(kSystemParamsKey)));
    if (existing.has_value()) {
      return Fail(Errc::kDuplicate, "system is already initialised; init runs once, at genesis");
    }
    // 3-5. The arguments: decodable, parameters in range, keys on the chain's curve.
    BAYLINK_ASSIGN_OR_RETURN(InitArgs init,
                             detail::DecodeArgs<InitArgs>(args, kSystemContract, "init"));
    BAYLINK_TRY(init.params.Validate());
    const std::vector<core::Validator>& validators = init.validators.validators();
    for (std::size_t i = 0; i < validators.size(); ++i) {
      if (auto valid = context.suite().ValidatePublicKey(validators[i].public_key); !valid) {
        return Fail(valid.error().code, "system.init: validator " + std::to_string(i) +
                                            " (key " + validators[i].public_key.ToHex() +
                                            ") is not valid on suite " +
                                            std::string(context.suite().Name()) + ": " +
                                            valid.error().detail);
      }
    }
    BAYLINK_TRY(context.Put(core::AsBytes(kSystemParamsKey), init.params.Encode()));
    BAYLINK_TRY(context.Put(core::AsBytes(kSystemValidatorsKey), init.validators.Encode()));
    return Bytes{};
  }

  // The stored encoding as written by init: it was validated then, and nothing else writes
  // these keys.
  Result<Bytes> Read(CallContext& context, std::string_view method, ByteView args,
                     std::string_view key) {
    BAYLINK_TRY(detail::RequireNoArgs(args, kSystemContract, method));
    BAYLINK_ASSIGN_OR_RETURN(auto value, context.Get(core::AsBytes(key)));
    if (!value.has_value()) {
      return Fail(Errc::kNotFound, "system." + std::string(method) +
                                       ": the system contract is not initialised (the genesis "
                                       "block must call system.init)");
    }
    return std::move(*value);
  }
};

}  // namespace

void ChainParams::Encode(core::Writer& w) const {
  w.U64(block_interval_ms).U32(max_block_txs).U32(max_block_bytes).U32(max_tx_bytes);
  w.U64(history_heights).U64(heartbeat_ms);
}

Bytes ChainParams::Encode() const { return core::EncodeValue(*this); }

Result<ChainParams> ChainParams::Decode(core::Reader& r) {
  ChainParams p;
  BAYLINK_ASSIGN_OR_RETURN(p.block_interval_ms, r.U64("block_interval_ms"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_block_txs, r.U32("max_block_txs"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_block_bytes, r.U32("max_block_bytes"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_tx_bytes, r.U32("max_tx_bytes"));
  BAYLINK_ASSIGN_OR_RETURN(p.history_heights, r.U64("history_heights"));
  BAYLINK_ASSIGN_OR_RETURN(p.heartbeat_ms, r.U64("heartbeat_ms"));
  return p;
}

core::Status ChainParams::Validate() const {
  BAYLINK_TRY(CheckRange("block_interval_ms", block_interval_ms, kMinBlockIntervalMs,
                         kMaxBlockIntervalMs));
  BAYLINK_TRY(CheckRange("max_block_txs", max_block_txs, kMinBlockTxs, kMaxBlockTxs));
  BAYLINK_TRY(CheckRange("max_block_bytes", max_block_bytes, kMinBlockBytes, kMaxBlockBytes));
  BAYLINK_TRY(CheckRange("max_tx_bytes", max_tx_bytes, kMinTxBytes, kMaxTxBytes));
  BAYLINK_TRY(
      CheckRange("history_heights", history_heights, kMinHistoryHeights, kMaxHistoryHeights));
  BAYLINK_TRY(CheckRange("heartbeat_ms", heartbeat_ms, kMinBlockIntervalMs, kMaxHeartbeatMs));
  if (max_tx_bytes > max_block_bytes) {
    return Fail(Errc::kInvalidArgument,
                "chain params: max_tx_bytes is " + std::to_string(max_tx_bytes) +
                    "; allowed " + std::to_string(kMinTxBytes) + ".." +
                    std::to_string(max_block_bytes) +
                    " (at most max_block_bytes, or no transaction of that size fits a block)");
  }
  if (heartbeat_ms < block_interval_ms) {
    return Fail(Errc::kInvalidArgument,
                "chain params: heartbeat_ms is " + std::to_string(heartbeat_ms) + "; allowed " +
                    std::to_string(block_interval_ms) + ".." + std::to_string(kMaxHeartbeatMs) +
                    " (at least block_interval_ms)");
  }
  return core::Ok();
}

std::unique_ptr<Contract> MakeSystemContract() { return std::make_unique<SystemContract>(); }

Bytes EncodeSystemInit(const ChainParams& params, const core::ValidatorSet& validators) {
  core::Writer w;
  params.Encode(w);
  validators.Encode(w);
  return std::move(w).Take();
}

}  // namespace baylink::contracts
