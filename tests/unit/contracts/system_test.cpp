// SPDX-License-Identifier: Apache-2.0
//
// The system contract: ChainParams (codec and ranges) and the init / params / validators
// methods, with every error they document.
#include <doctest/doctest.h>

#include <functional>

#include "contracts_fixtures.h"

namespace baylink::contracts::test {
namespace system_test {
namespace {

using core::Errc;

core::Bytes Key(std::string_view text) { return core::ToBytes(text); }

// A chain at the genesis height, ready for system.init.
struct Genesis : World {
  Genesis() { chain.height = 0; }
  ChainParams params;
  core::ValidatorSet validators = MakeValidators(4);
  core::Result<core::Bytes> Init() {
    return chain.Call("system", "init", EncodeSystemInit(params, validators));
  }
};

TEST_CASE("chain params encode every field in declaration order, big-endian, and decode back") {
  ChainParams params;
  params.block_interval_ms = 0x0102030405060708;
  params.max_block_txs = 0x11121314;
  params.max_block_bytes = 0x21222324;
  params.max_tx_bytes = 0x31323334;
  params.history_heights = 0x4142434445464748;
  params.heartbeat_ms = 0x5152535455565758;
  const core::Bytes encoded = params.Encode();
  REQUIRE(encoded.size() == 8 + 4 + 4 + 4 + 8 + 8);
  CHECK(core::ToHex(encoded) ==
        "0x0102030405060708" "11121314" "21222324" "31323334" "4142434445464748"
        "5152535455565758");
  auto decoded = core::DecodeExactly<ChainParams>(encoded, "params");
  REQUIRE(decoded.has_value());
  CHECK(*decoded == params);
  CHECK(core::DecodeExactly<ChainParams>(ChainParams{}.Encode(), "params").value() ==
        ChainParams{});
}

TEST_CASE("chain params decoding names the field that is cut short and refuses trailing bytes") {
  const core::Bytes encoded = ChainParams{}.Encode();
  CHECK_FAILS_WITH(core::DecodeExactly<ChainParams>(ByteView(encoded).first(10), "params"),
                   Errc::kTruncated, "max_block_txs");
  CHECK_FAILS_WITH(core::DecodeExactly<ChainParams>(ByteView(encoded).first(35), "params"),
                   Errc::kTruncated, "heartbeat_ms");
  core::Bytes longer = encoded;
  longer.push_back(0);
  CHECK_FAILS_WITH(core::DecodeExactly<ChainParams>(longer, "params"), Errc::kTrailingBytes, "");
}

TEST_CASE("the default chain params and the bounds of every range are valid") {
  CHECK(ChainParams{}.Validate().has_value());
  ChainParams low;
  low.block_interval_ms = kMinBlockIntervalMs;
  low.max_block_txs = kMinBlockTxs;
  low.max_block_bytes = kMinBlockBytes;
  low.max_tx_bytes = kMinTxBytes;
  low.history_heights = kMinHistoryHeights;
  low.heartbeat_ms = kMinBlockIntervalMs;
  CHECK(low.Validate().has_value());
  ChainParams high;
  high.block_interval_ms = kMaxBlockIntervalMs;
  high.max_block_txs = kMaxBlockTxs;
  high.max_block_bytes = kMaxBlockBytes;
  high.max_tx_bytes = kMaxTxBytes;
  high.history_heights = kMaxHistoryHeights;
  high.heartbeat_ms = kMaxHeartbeatMs;
  CHECK(high.Validate().has_value());
}

TEST_CASE("chain params validation names each field out of range, its value and the range") {
  struct Case {
    std::function<void(ChainParams&)> change;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](ChainParams& p) { p.block_interval_ms = 9; }, "block_interval_ms is 9; allowed 10..600000"},
      {[](ChainParams& p) { p.block_interval_ms = 600001; p.heartbeat_ms = 700000; },
       "block_interval_ms is 600001; allowed 10..600000"},
      {[](ChainParams& p) { p.max_block_txs = 0; }, "max_block_txs is 0; allowed 1..100000"},
      {[](ChainParams& p) { p.max_block_txs = 100001; }, "max_block_txs is 100001; allowed 1..100000"},
      {[](ChainParams& p) { p.max_block_bytes = 1023; p.max_tx_bytes = 256; },
       "max_block_bytes is 1023; allowed 1024..67108864"},
      {[](ChainParams& p) { p.max_block_bytes = (64u << 20) + 1; },
       "max_block_bytes is 67108865; allowed 1024..67108864"},
      {[](ChainParams& p) { p.max_tx_bytes = 255; }, "max_tx_bytes is 255; allowed 256..1048576"},
      {[](ChainParams& p) { p.max_tx_bytes = (1u << 20) + 1; },
       "max_tx_bytes is 1048577; allowed 256..1048576"},
      {[](ChainParams& p) { p.history_heights = 15; },
       "history_heights is 15; allowed 16..1000000000"},
      {[](ChainParams& p) { p.history_heights = 1000000001; },
       "history_heights is 1000000001; allowed 16..1000000000"},
      {[](ChainParams& p) { p.heartbeat_ms = 86400001; },
       "heartbeat_ms is 86400001; allowed 10..86400000"},
      {[](ChainParams& p) { p.block_interval_ms = 5000; p.heartbeat_ms = 4999; },
       "heartbeat_ms is 4999; allowed 5000..86400000 (at least block_interval_ms)"},
      {[](ChainParams& p) { p.max_block_bytes = 4096; p.max_tx_bytes = 4097; },
       "max_tx_bytes is 4097; allowed 256..4096 (at most max_block_bytes"},
  };
  for (const Case& c : cases) {
    ChainParams params;
    c.change(params);
    INFO(c.message);
    CHECK_FAILS_WITH(params.Validate(), Errc::kInvalidArgument, "chain params: " + c.message);
  }
}

TEST_CASE("system init at genesis stores the params and validators that the read methods return") {
  Genesis g;
  g.params.block_interval_ms = 250;
  auto out = g.Init();
  REQUIRE(out.has_value());
  CHECK(out->empty());
  CHECK(g.chain.Read("system", Key("params")) == g.params.Encode());
  CHECK(g.chain.Read("system", Key("validators")) == g.validators.Encode());
  CHECK(g.chain.events.empty());

  g.chain.height = 7;
  g.chain.read_only = true;
  auto params = g.chain.Call("system", "params", {});
  REQUIRE(params.has_value());
  CHECK(core::DecodeExactly<ChainParams>(*params, "params").value() == g.params);
  auto validators = g.chain.Call("system", "validators", {});
  REQUIRE(validators.has_value());
  CHECK(core::ValidatorSet::Decode(*validators).value() == g.validators);
}

TEST_CASE("system init args are the params encoding followed by the validator set encoding") {
  const ChainParams params;
  const core::ValidatorSet validators = MakeValidators(2);
  CHECK(EncodeSystemInit(params, validators) == Concat(params.Encode(), validators.Encode()));
}

TEST_CASE("system init runs only once") {
  Genesis g;
  REQUIRE(g.Init().has_value());
  g.params.block_interval_ms = 2000;
  g.params.heartbeat_ms = 20000;
  CHECK_FAILS_WITH(g.Init(), Errc::kDuplicate, "system is already initialised");
  CHECK(g.chain.Read("system", Key("params")) == ChainParams{}.Encode());
}

TEST_CASE("system init is refused after the genesis block") {
  Genesis g;
  g.chain.height = 1;
  CHECK_FAILS_WITH(g.Init(), Errc::kUnauthorized,
                   "system.init runs only in the genesis block (height 0); this is height 1");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system init is refused when a contract calls it, even at genesis") {
  Genesis g;
  const core::Bytes init = EncodeSystemInit(g.params, g.validators);
  CHECK_FAILS_WITH(g.chain.Call("forward", "forward",
                                ForwardContract::EncodeForward("system", "init", init)),
                   Errc::kUnauthorized, "may not be called by a contract (called by forward)");
  g.chain.caller_contract = "xa";
  CHECK_FAILS_WITH(g.Init(), Errc::kUnauthorized, "called by xa");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system init refuses params out of range and writes nothing") {
  Genesis g;
  g.params.max_block_txs = 0;
  CHECK_FAILS_WITH(g.Init(), Errc::kInvalidArgument, "max_block_txs is 0");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system init refuses args that are truncated, empty or followed by extra bytes") {
  Genesis g;
  const core::Bytes init = EncodeSystemInit(g.params, g.validators);
  CHECK_FAILS_WITH(g.chain.Call("system", "init", {}), Errc::kMalformed,
                   "malformed arguments for system.init: truncated");
  CHECK_FAILS_WITH(g.chain.Call("system", "init", ByteView(init).first(init.size() - 1)),
                   Errc::kMalformed, "field 'validators'");
  core::Bytes longer = init;
  longer.push_back(0);
  CHECK_FAILS_WITH(g.chain.Call("system", "init", longer), Errc::kMalformed,
                   "malformed arguments for system.init: trailing_bytes");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system init refuses a validator set that is empty or names a key twice") {
  Genesis g;
  core::Writer empty;
  g.params.Encode(empty);
  empty.Count(0);
  CHECK_FAILS_WITH(g.chain.Call("system", "init", empty.bytes()), Errc::kMalformed,
                   "malformed arguments for system.init: malformed: validator set is empty");

  core::Writer twice;
  g.params.Encode(twice);
  twice.Count(2);
  const core::Validator v = g.validators.validators()[0];
  twice.Fixed(v.public_key).U64(1).Fixed(v.public_key).U64(2);
  CHECK_FAILS_WITH(g.chain.Call("system", "init", twice.bytes()), Errc::kMalformed,
                   "validator 1 repeats public key");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system init refuses a validator key that is not on the suite's curve") {
  Genesis g;
  std::vector<core::Validator> validators = g.validators.validators();
  validators[2].public_key = core::PublicKey{};
  g.validators = core::ValidatorSet::Create(validators).value();
  CHECK_FAILS_WITH(g.Init(), Errc::kBadPublicKey, "system.init: validator 2 (key 0x0000");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system init in a read-only call is refused and writes nothing") {
  Genesis g;
  g.chain.read_only = true;
  CHECK_FAILS_WITH(g.Init(), Errc::kUnsupported, "read-only");
  CHECK(g.chain.state.empty());
}

TEST_CASE("system read methods fail with not found before init") {
  World world;
  CHECK_FAILS_WITH(world.chain.Call("system", "params", {}), Errc::kNotFound,
                   "system.params: the system contract is not initialised");
  CHECK_FAILS_WITH(world.chain.Call("system", "validators", {}), Errc::kNotFound,
                   "system.validators: the system contract is not initialised");
}

TEST_CASE("system read methods refuse arguments") {
  Genesis g;
  REQUIRE(g.Init().has_value());
  const core::Bytes one = {0};
  CHECK_FAILS_WITH(g.chain.Call("system", "params", one), Errc::kMalformed,
                   "malformed arguments for system.params: it takes no arguments, got 1 bytes");
  CHECK_FAILS_WITH(g.chain.Call("system", "validators", one), Errc::kMalformed,
                   "system.validators");
}

}  // namespace
}  // namespace system_test
}  // namespace baylink::contracts::test
