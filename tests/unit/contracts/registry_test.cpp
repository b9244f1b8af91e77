// SPDX-License-Identifier: Apache-2.0
//
// The registry and the unknown-method error shared by every contract.
#include <doctest/doctest.h>

#include <algorithm>

#include "contracts_fixtures.h"

namespace baylink::contracts::test {
namespace registry_test {
namespace {

using core::Errc;

TEST_CASE("the builtin registry holds the system and asset contracts, found by name") {
  auto registry = MakeBuiltinRegistry();
  REQUIRE(registry.has_value());
  CHECK((*registry)->names() == std::vector<std::string>{"asset", "system"});
  Contract* asset = (*registry)->Find("asset");
  REQUIRE(asset != nullptr);
  CHECK(asset->name() == "asset");
  Contract* system = (*registry)->Find(kSystemContract);
  REQUIRE(system != nullptr);
  CHECK(system->name() == "system");
  CHECK((*registry)->Find("xa") == nullptr);
  CHECK((*registry)->Find("") == nullptr);
}

TEST_CASE("a registry lists its names sorted whatever the order they were added in") {
  Registry registry;
  REQUIRE(registry.Add(std::make_unique<ForwardContract>("zeta")).has_value());
  REQUIRE(registry.Add(std::make_unique<ForwardContract>("alpha")).has_value());
  REQUIRE(registry.Add(std::make_unique<ForwardContract>("mu")).has_value());
  CHECK(registry.names() == std::vector<std::string>{"alpha", "mu", "zeta"});
}

TEST_CASE("a registry refuses a second contract with a name already registered") {
  Registry registry;
  REQUIRE(registry.Add(MakeAssetContract()).has_value());
  CHECK_FAILS_WITH(registry.Add(MakeAssetContract()), Errc::kDuplicate,
                   "cannot register contract asset: a contract with that name is already");
  CHECK(registry.names() == std::vector<std::string>{"asset"});
}

TEST_CASE("a registry refuses a contract whose name is not a valid name") {
  Registry registry;
  CHECK_FAILS_WITH(registry.Add(std::make_unique<ForwardContract>("")), Errc::kInvalidArgument,
                   "contract name must be 1 to 64 characters, got 0");
  CHECK_FAILS_WITH(registry.Add(std::make_unique<ForwardContract>("has space")),
                   Errc::kInvalidArgument, "position 3");
  CHECK_FAILS_WITH(registry.Add(std::make_unique<ForwardContract>(std::string(65, 'a'))),
                   Errc::kInvalidArgument, "got 65");
  CHECK(registry.names().empty());
}

TEST_CASE("contracts list their methods sorted") {
  const std::unique_ptr<Contract> contracts[] = {MakeAssetContract(), MakeSystemContract()};
  for (const auto& contract : contracts) {
    const auto methods = contract->methods();
    CHECK(std::is_sorted(methods.begin(), methods.end()));
  }
  CHECK(MakeAssetContract()->methods() ==
        std::vector<std::string>{"balance", "create", "mint", "supply", "transfer"});
  CHECK(MakeSystemContract()->methods() ==
        std::vector<std::string>{"approve", "init", "params", "proposal", "propose",
                                 "validators"});
}

TEST_CASE("an unknown method is unsupported and the message lists the contract's methods") {
  World world;
  CHECK_FAILS_WITH(world.chain.Call("asset", "burn", {}), Errc::kUnsupported,
                   "contract asset has no method burn; its methods are balance, create, mint, "
                   "supply, transfer");
  CHECK_FAILS_WITH(world.chain.Call("system", "rotate", {}), Errc::kUnsupported,
                   "contract system has no method rotate; its methods are approve, init, "
                   "params, proposal, propose, validators");
  const core::Error error = UnknownMethod(*MakeAssetContract(), "x");
  CHECK(error.code == Errc::kUnsupported);
  CHECK(error.detail ==
        "contract asset has no method x; its methods are balance, create, mint, supply, "
        "transfer");
}

}  // namespace
}  // namespace registry_test
}  // namespace baylink::contracts::test
