// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/json.h"
#include "types_fixtures.h"

using namespace baylink::core;
using baylink::testing::SampleHeader;
using baylink::testing::SampleReceipt;
using baylink::testing::Seed;
using baylink::testing::TestRandom;
using json::Json;

TEST_CASE("json forms round-trip headers, receipts, certificates, transactions and sets") {
  TestRandom rng(Seed());
  const BlockHeader h = SampleHeader(rng);
  CHECK(json::FromJson<BlockHeader>(json::ToJson(h)).value() == h);
  const Receipt r = SampleReceipt(rng);
  CHECK(json::FromJson<Receipt>(json::ToJson(r)).value() == r);
  CommitCertificate c{5, 1, baylink::testing::RandomHash(rng), {{0, Bytes(65, 3)}, {2, Bytes(65, 4)}}};
  CHECK(json::FromJson<CommitCertificate>(json::ToJson(c)).value() == c);
  Transaction t;
  t.chain_id = "mo";
  t.nonce = 3;
  t.expiry_height = 9;
  t.contract = "asset";
  t.method = "mint";
  t.args = Bytes{5};
  t.signature = Bytes(65, 1);
  CHECK(json::FromJson<Transaction>(json::ToJson(t)).value() == t);
  PublicKey k1, k2;
  k1.bytes[0] = 1;
  k2.bytes[0] = 2;
  const ValidatorSet set = ValidatorSet::Create({{k1, 5}, {k2, 6}}).value();
  CHECK(json::FromJson<ValidatorSet>(json::ToJson(set)).value() == set);
}

TEST_CASE("json parsing names a missing field, an unknown field and a wrong type") {
  TestRandom rng(Seed());
  Json j = json::ToJson(SampleHeader(rng));

  Json missing = j;
  missing.erase("state_root");
  auto m = json::FromJson<BlockHeader>(missing);
  REQUIRE_FALSE(m);
  CHECK(m.error().code == Errc::kMalformed);
  CHECK(m.error().detail.find("'state_root' is missing") != std::string::npos);

  Json extra = j;
  extra["surprise"] = 1;
  auto e = json::FromJson<BlockHeader>(extra);
  REQUIRE_FALSE(e);
  CHECK(e.error().detail.find("unknown field 'surprise'") != std::string::npos);

  for (Json bad : {Json(-1), Json(1.5), Json("10"), Json(nullptr)}) {
    Json wrong = j;
    wrong["height"] = bad;
    auto w = json::FromJson<BlockHeader>(wrong);
    REQUIRE_FALSE(w);
    CHECK(w.error().detail.find("'height'") != std::string::npos);
  }

  Json bad_hex = j;
  bad_hex["tx_root"] = "0x1234";
  CHECK(json::FromJson<BlockHeader>(bad_hex).error().code == Errc::kBadLength);
  bad_hex["tx_root"] = "1234";
  CHECK(json::FromJson<BlockHeader>(bad_hex).error().code == Errc::kBadHex);

  CHECK(json::FromJson<BlockHeader>(Json::array()).error().code == Errc::kMalformed);
}

TEST_CASE("json values pass the same checks as their binary decoding") {
  TestRandom rng(Seed());
  Json j = json::ToJson(SampleHeader(rng));
  j["chain_id"] = "Not A Chain";
  CHECK(json::FromJson<BlockHeader>(j).error().code == Errc::kMalformed);
  Json r = json::ToJson(SampleReceipt(rng));
  r["status"] = "success";  // with a message: not canonical
  CHECK(json::FromJson<Receipt>(r).error().code == Errc::kNonCanonical);
  r["status"] = "maybe";
  CHECK(json::FromJson<Receipt>(r).error().code == Errc::kMalformed);
}

TEST_CASE("json text parsing refuses bad syntax, repeated keys, deep nesting and oversize") {
  CHECK(json::Parse("{\"a\": 1}").value()["a"] == 1);
  auto syntax = json::Parse("{\"a\": }");
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().code == Errc::kMalformed);
  auto dup = json::Parse("{\"a\": 1, \"a\": 2}");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().detail.find("repeats the key 'a'") != std::string::npos);
  CHECK(json::Parse("{\"x\": {\"a\": 1}, \"y\": {\"a\": 2}}"));
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  CHECK(json::Parse(deep).error().code == Errc::kOversized);
  CHECK(json::Parse("[1,2,3]", 4).error().code == Errc::kOversized);
}
