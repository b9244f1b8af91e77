// SPDX-License-Identifier: Apache-2.0
#include <string_view>

#include "baylink/core/json.h"
#include "fuzz_common.h"

namespace {
template <class T>
void Check(const baylink::core::json::Json& j) {
  auto value = baylink::core::json::FromJson<T>(j);
  if (!value) return;
  auto again = baylink::core::json::FromJson<T>(baylink::core::json::ToJson(*value));
  baylink::fuzz::Require(again.has_value() && *again == *value, "json round-trips");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace baylink::core;
  auto parsed = json::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed) return 0;
  Check<BlockHeader>(*parsed);
  Check<ValidatorSet>(*parsed);
  Check<CommitCertificate>(*parsed);
  Check<Transaction>(*parsed);
  Check<Receipt>(*parsed);
  return 0;
}
