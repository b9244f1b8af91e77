// SPDX-License-Identifier: Apache-2.0
//
// Shared fixtures of the contracts' tests: addresses, validator sets, a registry with the
// built-in contracts plus a forwarding contract for nested calls, and error checks.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/contracts/asset.h"
#include "baylink/contracts/contract.h"
#include "baylink/contracts/system.h"
#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/types.h"
#include "fake_context.h"
#include "test_dir.h"

namespace baylink::contracts::test {

// An address whose bytes are all `n`.
inline core::Address Addr(std::uint8_t n) {
  core::Address out;
  out.bytes.fill(n);
  return out;
}

// A validator set of `n` validators with distinct non-zero keys and powers 1..n.
inline core::ValidatorSet MakeValidators(std::size_t n) {
  std::vector<core::Validator> validators(n);
  for (std::size_t i = 0; i < n; ++i) {
    validators[i].public_key.bytes.fill(static_cast<std::uint8_t>(i + 1));
    validators[i].power = i + 1;
  }
  auto set = core::ValidatorSet::Create(std::move(validators));
  REQUIRE(set.has_value());
  return std::move(set).value();
}

// MakeBuiltinRegistry() plus a ForwardContract named "forward".
inline std::unique_ptr<Registry> MakeTestRegistry() {
  auto registry = MakeBuiltinRegistry();
  REQUIRE(registry.has_value());
  std::unique_ptr<Registry> out = std::move(registry).value();
  REQUIRE(out->Add(std::make_unique<ForwardContract>()).has_value());
  return out;
}

// A registry and a fake chain over it.
struct World {
  std::unique_ptr<Registry> registry = MakeTestRegistry();
  FakeChain chain{*registry};
};

inline Bytes Concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline std::string Str(ByteView b) { return std::string(b.begin(), b.end()); }

}  // namespace baylink::contracts::test

