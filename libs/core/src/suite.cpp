// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/suite.h"

#include <cstring>

namespace baylink::core {

std::string_view SuiteName(SuiteId id) {
  switch (id) {
    case SuiteId::kSm: return "sm";
    case SuiteId::kEcdsa: return "ecdsa";
  }
  return "unknown";
}

Result<SuiteId> ParseSuiteId(std::string_view name) {
  if (name == "sm") return SuiteId::kSm;
  if (name == "ecdsa") return SuiteId::kEcdsa;
  return Fail(Errc::kInvalidArgument,
              "unknown crypto suite '" + std::string(name) + "'; expected \"sm\" or \"ecdsa\"");
}

SecretKey::~SecretKey() {
  // A volatile pointer keeps the compiler from dropping the wipe of a dying object.
  volatile std::uint8_t* p = m_bytes.data();
  for (std::size_t i = 0; i < m_bytes.size(); ++i) p[i] = 0;
}

Address CryptoSuite::ToAddress(const PublicKey& key) const {
  const Hash32 digest = Hash(key.view());
  Address out;
  std::memcpy(out.bytes.data(), digest.bytes.data() + 12, Address::kSize);
  return out;
}

}  // namespace baylink::core
