// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/bytes.h"
#include "test_random.h"

using namespace baylink::core;

TEST_CASE("hex round-trips any bytes through lower-case 0x text") {
  baylink::testing::TestRandom rng(baylink::testing::Seed());
  for (int n = 0; n < 64; ++n) {
    Bytes b(static_cast<std::size_t>(n));
    rng.Fill(b);
    const std::string text = ToHex(b);
    CHECK(text.substr(0, 2) == "0x");
    CHECK(FromHex(text).value() == b);
  }
  CHECK(ToHex(Bytes{0xab, 0x01}) == "0xab01");
  CHECK(FromHex("0xAB01").value() == Bytes{0xab, 0x01});
  CHECK(FromHex("0x").value().empty());
}

TEST_CASE("hex parsing rejects a missing prefix, an odd length and a bad digit by name") {
  auto missing = FromHex("abcd");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::kBadHex);
  CHECK(missing.error().detail.find("0x") != std::string::npos);

  auto odd = FromHex("0xabc");
  REQUIRE_FALSE(odd);
  CHECK(odd.error().code == Errc::kBadHex);
  CHECK(odd.error().detail.find("odd") != std::string::npos);

  auto digit = FromHex("0xab0g");
  REQUIRE_FALSE(digit);
  CHECK(digit.error().code == Errc::kBadHex);
  CHECK(digit.error().detail.find("'g' at position 5") != std::string::npos);

  CHECK_FALSE(FromHex(""));
  CHECK_FALSE(FromHex("0"));
  CHECK_FALSE(FromHex("0x0 "));
  CHECK_FALSE(FromHex(std::string("0x0\0", 4)));
}

TEST_CASE("fixed-size values reject the wrong number of bytes") {
  auto short_hash = Hash32::FromHex("0x" + std::string(62, 'a'));
  REQUIRE_FALSE(short_hash);
  CHECK(short_hash.error().code == Errc::kBadLength);
  auto long_addr = Address::FromView(Bytes(21, 1));
  REQUIRE_FALSE(long_addr);
  CHECK(long_addr.error().code == Errc::kBadLength);
  const auto ok = Address::FromHex("0x" + std::string(40, 'f'));
  REQUIRE(ok);
  CHECK(ok->ToHex() == "0x" + std::string(40, 'f'));
  CHECK_FALSE(ok->IsZero());
  CHECK(Hash32{}.IsZero());
}

TEST_CASE("constant-time equality compares content and length") {
  CHECK(ConstantTimeEquals(Bytes{1, 2, 3}, Bytes{1, 2, 3}));
  CHECK_FALSE(ConstantTimeEquals(Bytes{1, 2, 3}, Bytes{1, 2, 4}));
  CHECK_FALSE(ConstantTimeEquals(Bytes{1, 2, 3}, Bytes{1, 2}));
}
