// SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the crypto tests: vector files, hex, and the list of every suite
// configuration (ecdsa, and sm on each SM2 backend) so each property is checked on all.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"
#include "build_paths.h"
#include "test_random.h"

namespace baylink::crypto::testing {

using baylink::testing::Seed;
using baylink::testing::TestRandom;

inline nlohmann::json LoadVectors(const std::string& name) {
  const std::string path = std::string(baylink::testing::kVectorsDir) + "/" + name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!doc.is_discarded(), path << " is not valid JSON");
  REQUIRE_MESSAGE(doc.contains("source"), path << " must name its source");
  return doc;
}

inline core::Bytes Hex(const std::string& text) {
  auto out = core::FromHex(text);
  REQUIRE_MESSAGE(out.has_value(), "bad hex in test data: " << text);
  return std::move(out).value();
}

template <class Fixed>
Fixed FixedHex(const std::string& text) {
  auto out = Fixed::FromHex(text);
  REQUIRE_MESSAGE(out.has_value(), "bad fixed-size hex in test data: " << text);
  return *out;
}

struct NamedSuite {
  std::string name;
  std::shared_ptr<core::CryptoSuite> suite;
};

// ecdsa, then sm on every SM2 backend. Made once per test process: suites are meant to be
// shared, and making them is the slow part.
inline const std::vector<NamedSuite>& AllSuites() {
  static const std::vector<NamedSuite> suites = [] {
    std::vector<NamedSuite> out;
    out.push_back({"ecdsa", MakeSuite(core::SuiteId::kEcdsa)});
    for (Sm2Backend b : {Sm2Backend::kOpenSsl, Sm2Backend::kBotan, Sm2Backend::kGcrypt}) {
      out.push_back({"sm/" + std::string(Sm2BackendName(b)), MakeSmSuite(b)});
    }
    return out;
  }();
  return suites;
}

inline std::vector<NamedSuite> SmSuites() {
  std::vector<NamedSuite> out;
  for (const NamedSuite& s : AllSuites()) {
    if (s.suite->Id() == core::SuiteId::kSm) out.push_back(s);
  }
  return out;
}

inline const core::CryptoSuite& Ecdsa() { return *AllSuites().front().suite; }

}  // namespace baylink::crypto::testing
