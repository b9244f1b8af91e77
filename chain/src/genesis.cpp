// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/genesis.h"

#include "baylink/chain/files.h"
#include "baylink/core/codec.h"

namespace baylink::chain {

using core::json::Json;
using core::json::ObjectReader;

core::Status Genesis::Validate(const core::CryptoSuite& crypto) const {
  BAYLINK_TRY(core::ValidateChainId(chain_id));
  BAYLINK_TRY(params.Validate());
  if (validators.size() == 0) {
    return core::Fail(core::Errc::kInvalidArgument, "genesis: validators is empty; a chain needs "
                                                    "at least one validator");
  }
  for (std::size_t i = 0; i < validators.size(); ++i) {
    if (auto s = crypto.ValidatePublicKey(validators.validators()[i].public_key); !s) {
      return core::Fail(s.error().code, "genesis: validators[" + std::to_string(i) +
                                            "].public_key: " + s.error().detail);
    }
  }
  return core::Ok();
}

core::Bytes Genesis::Encode() const {
  core::Writer w;
  w.Text(chain_id).U8(static_cast<std::uint8_t>(suite)).U64(timestamp_ms);
  params.Encode(w);
  validators.Encode(w);
  return std::move(w).Take();
}

core::Result<Genesis> Genesis::Decode(core::ByteView data) {
  core::Reader r(data, "genesis");
  Genesis g;
  BAYLINK_ASSIGN_OR_RETURN(g.chain_id, r.Text("chain_id", core::kMaxChainIdBytes));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint8_t suite, r.U8("suite"));
  if (suite != static_cast<std::uint8_t>(core::SuiteId::kSm) &&
      suite != static_cast<std::uint8_t>(core::SuiteId::kEcdsa)) {
    return r.FieldError(core::Errc::kMalformed, "suite", "is not a known suite");
  }
  g.suite = static_cast<core::SuiteId>(suite);
  BAYLINK_ASSIGN_OR_RETURN(g.timestamp_ms, r.U64("timestamp_ms"));
  BAYLINK_ASSIGN_OR_RETURN(g.params, contracts::ChainParams::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(g.validators, core::ValidatorSet::Decode(r));
  BAYLINK_TRY(r.Finish());
  return g;
}

Json Genesis::ToJson() const {
  Json validator_list = core::json::ToJson(validators)["validators"];
  return Json{{"chain_id", chain_id},
              {"suite", std::string(core::SuiteName(suite))},
              {"timestamp_ms", timestamp_ms},
              {"params",
               Json{{"block_interval_ms", params.block_interval_ms},
                    {"max_block_txs", params.max_block_txs},
                    {"max_block_bytes", params.max_block_bytes},
                    {"max_tx_bytes", params.max_tx_bytes},
                    {"history_heights", params.history_heights},
                    {"heartbeat_ms", params.heartbeat_ms}}},
              {"validators", std::move(validator_list)}};
}

core::Result<Genesis> Genesis::FromJson(const Json& j) {
  ObjectReader o(j, "genesis");
  BAYLINK_TRY(o.Begin());
  Genesis g;
  BAYLINK_ASSIGN_OR_RETURN(g.chain_id, o.String("chain_id"));
  BAYLINK_ASSIGN_OR_RETURN(const std::string suite, o.String("suite"));
  auto suite_id = core::ParseSuiteId(suite);
  if (!suite_id) return o.Err(core::Errc::kMalformed, "suite", suite_id.error().detail);
  g.suite = *suite_id;
  BAYLINK_ASSIGN_OR_RETURN(g.timestamp_ms, o.U64("timestamp_ms"));
  BAYLINK_ASSIGN_OR_RETURN(const Json* params, o.Field("params"));
  ObjectReader p(*params, "genesis params");
  BAYLINK_TRY(p.Begin());
  BAYLINK_ASSIGN_OR_RETURN(g.params.block_interval_ms, p.U64("block_interval_ms"));
  BAYLINK_ASSIGN_OR_RETURN(g.params.max_block_txs, p.U32("max_block_txs"));
  BAYLINK_ASSIGN_OR_RETURN(g.params.max_block_bytes, p.U32("max_block_bytes"));
  BAYLINK_ASSIGN_OR_RETURN(g.params.max_tx_bytes, p.U32("max_tx_bytes"));
  BAYLINK_ASSIGN_OR_RETURN(g.params.history_heights, p.U64("history_heights"));
  BAYLINK_ASSIGN_OR_RETURN(g.params.heartbeat_ms, p.U64("heartbeat_ms"));
  BAYLINK_TRY(p.Done());
  BAYLINK_ASSIGN_OR_RETURN(const Json* validators, o.Field("validators"));
  BAYLINK_ASSIGN_OR_RETURN(g.validators,
                           core::json::FromJson<core::ValidatorSet>(Json{{"validators", *validators}}));
  BAYLINK_TRY(o.Done());
  return g;
}

core::Result<Genesis> LoadGenesis(const std::filesystem::path& path) {
  BAYLINK_ASSIGN_OR_RETURN(const std::string text, ReadFile(path, 1u << 20));
  auto json = core::json::Parse(text);
  if (!json) return core::Fail(json.error().code, path.string() + ": " + json.error().detail);
  auto genesis = Genesis::FromJson(*json);
  if (!genesis) return core::Fail(genesis.error().code, path.string() + ": " + genesis.error().detail);
  return genesis;
}

}  // namespace baylink::chain
