// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/result.h"

using namespace baylink::core;

namespace result_test {
namespace {
Result<int> Half(int v) {
  if (v % 2 != 0) return Fail(Errc::kInvalidArgument, std::to_string(v) + " is odd");
  return v / 2;
}
Result<int> Quarter(int v) {
  BAYLINK_ASSIGN_OR_RETURN(int h, Half(v));
  return Half(h);
}
Status Check(int v) {
  BAYLINK_TRY(Half(v));
  return Ok();
}
}  // namespace

TEST_CASE("result carries a value or an error and propagates errors through the macros") {
  CHECK(Quarter(8).value() == 2);
  auto bad = Quarter(6);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::kInvalidArgument);
  CHECK(bad.error().Message() == "invalid_argument: 3 is odd");
  CHECK(Check(4));
  CHECK_FALSE(Check(5));
}

TEST_CASE("error codes split into rejected input and local failure") {
  CHECK(IsRejectedInput(Errc::kTruncated));
  CHECK(IsRejectedInput(Errc::kBadSignature));
  CHECK(IsRejectedInput(Errc::kLocked));
  CHECK_FALSE(IsRejectedInput(Errc::kIo));
  CHECK_FALSE(IsRejectedInput(Errc::kStorage));
  CHECK_FALSE(IsRejectedInput(Errc::kTimeout));
  CHECK(ErrcName(Errc::kNonCanonical) == "non_canonical");
  CHECK(ErrcName(Errc::kCryptoBackend) == "crypto_backend");
}

TEST_CASE("error code names map back to their codes and unknown names to nothing") {
  CHECK(ErrcFromName("bad_signature") == Errc::kBadSignature);
  CHECK(ErrcFromName("malformed") == Errc::kMalformed);
  CHECK(ErrcFromName("crypto_backend") == Errc::kCryptoBackend);
  CHECK(ErrcFromName("unknown") == std::nullopt);
  CHECK(ErrcFromName("") == std::nullopt);
  CHECK(ErrcFromName("Bad_Signature") == std::nullopt);
  for (int v = 0; v <= 0xffff; ++v) {
    const auto code = static_cast<Errc>(v);
    if (ErrcName(code) == "unknown") continue;
    CHECK(ErrcFromName(ErrcName(code)) == code);
  }
}

}  // namespace result_test
