// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/codec.h"
#include "test_random.h"

using namespace baylink::core;

TEST_CASE("integers encode big-endian at fixed width") {
  Writer w;
  w.U8(0x01).U16(0x0203).U32(0x04050607).U64(0x08090a0b0c0d0e0fULL);
  CHECK(ToHex(w.bytes()) == "0x0102030405060708090a0b0c0d0e0f");
  Writer w128;
  w128.U128((static_cast<u128>(1) << 64) | 2);
  CHECK(ToHex(w128.bytes()) == "0x00000000000000010000000000000002");
}

TEST_CASE("every codec field round-trips and decode then encode gives the same bytes") {
  baylink::testing::TestRandom rng(baylink::testing::Seed());
  for (int i = 0; i < 200; ++i) {
    const std::uint8_t a = static_cast<std::uint8_t>(rng.Next());
    const std::uint16_t b = static_cast<std::uint16_t>(rng.Next());
    const std::uint32_t c = static_cast<std::uint32_t>(rng.Next());
    const std::uint64_t d = rng.Next();
    const u128 e = (static_cast<u128>(rng.Next()) << 64) | rng.Next();
    const bool f = rng.Next() & 1;
    Bytes blob(rng.Below(100));
    rng.Fill(blob);
    Hash32 h;
    rng.Fill(h.bytes);
    Writer w;
    w.U8(a).U16(b).U32(c).U64(d).U128(e).Bool(f).Blob(blob).Text("gd-chain").Fixed(h).Count(3);

    Reader r(w.bytes());
    CHECK(r.U8("a").value() == a);
    CHECK(r.U16("b").value() == b);
    CHECK(r.U32("c").value() == c);
    CHECK(r.U64("d").value() == d);
    CHECK(r.U128("e").value() == e);
    CHECK(r.Bool("f").value() == f);
    CHECK(r.Blob("blob").value() == blob);
    CHECK(r.Text("text").value() == "gd-chain");
    CHECK(r.Fixed<32>("h").value() == h);
    CHECK(r.Count("n", 10, 0).value() == 3);
    CHECK(r.Finish());
  }
}

TEST_CASE("decoding rejects truncation at every length short of the whole") {
  Writer w;
  w.U32(7).U64(9).Blob(Bytes{1, 2, 3}).Text("hk");
  const Bytes full = w.bytes();
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    Reader r(ByteView(full.data(), cut), "sample");
    auto out = [&]() -> Status {
      BAYLINK_TRY(r.U32("a"));
      BAYLINK_TRY(r.U64("b"));
      BAYLINK_TRY(r.Blob("c"));
      BAYLINK_TRY(r.Text("d"));
      return Ok();
    }();
    REQUIRE_FALSE(out);
    CHECK(out.error().code == Errc::kTruncated);
    CHECK(out.error().detail.find("sample: field '") == 0);
  }
}

TEST_CASE("decoding rejects trailing bytes") {
  Writer w;
  w.U32(1).U8(0);
  Reader r(w.bytes(), "sample");
  CHECK(r.U32("a").value() == 1);
  auto fin = r.Finish();
  REQUIRE_FALSE(fin);
  CHECK(fin.error().code == Errc::kTrailingBytes);
  CHECK(fin.error().detail.find("1 bytes left") != std::string::npos);
}

TEST_CASE("decoding rejects a length above the field's limit before reading it") {
  Writer w;
  w.U32(1000);
  Reader r(w.bytes());
  auto blob = r.Blob("payload", 999);
  REQUIRE_FALSE(blob);
  CHECK(blob.error().code == Errc::kOversized);
  CHECK(blob.error().detail.find("payload") != std::string::npos);

  Writer huge;
  huge.U32(0xffffffffu);
  Reader r2(huge.bytes());
  auto big = r2.Blob("payload");
  REQUIRE_FALSE(big);
  CHECK(big.error().code == Errc::kOversized);
}

TEST_CASE("decoding rejects a count above its limit or beyond the remaining input") {
  Writer w;
  w.U32(5);
  Reader r(w.bytes());
  auto over = r.Count("items", 4);
  REQUIRE_FALSE(over);
  CHECK(over.error().code == Errc::kOversized);

  Writer w2;
  w2.U32(1000).U8(0);
  Reader r2(w2.bytes());
  auto too_many = r2.Count("items", 100000, 8);
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().code == Errc::kTruncated);
}

TEST_CASE("decoding rejects a boolean other than 0 or 1 as non-canonical") {
  for (int v = 2; v < 256; v += 37) {
    Writer w;
    w.U8(static_cast<std::uint8_t>(v));
    Reader r(w.bytes());
    auto b = r.Bool("flag");
    REQUIRE_FALSE(b);
    CHECK(b.error().code == Errc::kNonCanonical);
  }
}

TEST_CASE("decoding rejects text that is not valid UTF-8") {
  const char* bad[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80",
                       "\xc3", "\xf8\x88\x80\x80\x80"};
  for (const char* s : bad) {
    Writer w;
    w.Text(s);
    Reader r(w.bytes());
    auto t = r.Text("name");
    REQUIRE_FALSE(t);
    CHECK(t.error().code == Errc::kNonCanonical);
  }
  CHECK(IsValidUtf8("粤港澳大湾区"));
  CHECK(IsValidUtf8("\xf0\x9f\x98\x80"));
}

TEST_CASE("u128 amounts print and parse as canonical decimal text") {
  const u128 max = ~static_cast<u128>(0);
  CHECK(U128ToString(max) == "340282366920938463463374607431768211455");
  CHECK(U128FromString("340282366920938463463374607431768211455").value() == max);
  CHECK(U128FromString("0").value() == 0);
  CHECK(U128ToString(0) == "0");
  CHECK(U128FromString("340282366920938463463374607431768211456").error().code == Errc::kOversized);
  CHECK(U128FromString("007").error().code == Errc::kNonCanonical);
  CHECK(U128FromString("-1").error().code == Errc::kMalformed);
  CHECK(U128FromString("").error().code == Errc::kMalformed);
  CHECK(U128FromString("1e3").error().code == Errc::kMalformed);
}
