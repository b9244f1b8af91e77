// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/types.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  baylink::fuzz::DecodeRoundTrip<baylink::core::Receipt>(data, size);
  return 0;
}
