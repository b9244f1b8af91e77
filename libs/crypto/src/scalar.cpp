// SPDX-License-Identifier: Apache-2.0
#include "scalar.h"

#include <cstring>

namespace baylink::crypto::internal {

core::Status CheckSecretScalar(core::ByteView raw, const Scalar& order, bool sm2) {
  if (raw.size() != 32) {
    return core::Fail(core::Errc::kBadLength,
                      "secret key must be 32 bytes, got " + std::to_string(raw.size()));
  }
  std::span<const std::uint8_t, 32> k(raw.data(), 32);
  if (IsZero(k)) {
    return core::Fail(core::Errc::kBadSecretKey, "secret key is zero; it must be in [1, n-1]");
  }
  if (CompareBe(k, order) >= 0) {
    return core::Fail(core::Errc::kBadSecretKey,
                      "secret key is not below the curve's group order n");
  }
  if (sm2) {
    Scalar n_minus_1 = order;
    n_minus_1[31] -= 1;  // the order is odd, so no borrow
    if (CompareBe(k, n_minus_1) == 0) {
      return core::Fail(core::Errc::kBadSecretKey,
                        "SM2 secret key n-1 cannot sign (1 + d = n); GB/T 32918.1 §6.1 "
                        "requires d in [1, n-2]");
    }
  }
  return core::Ok();
}

}  // namespace baylink::crypto::internal
