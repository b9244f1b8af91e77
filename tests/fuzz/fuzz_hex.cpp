// SPDX-License-Identifier: Apache-2.0
#include <string_view>

#include "baylink/core/bytes.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace baylink::core;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = FromHex(text);
  if (!parsed) return 0;
  // Accepted text differs from the canonical form only in the case of its letters.
  const std::string canonical = ToHex(*parsed);
  baylink::fuzz::Require(canonical.size() == text.size(), "hex length preserved");
  baylink::fuzz::Require(FromHex(canonical).value() == *parsed, "hex round-trips");
  return 0;
}
