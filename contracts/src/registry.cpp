// SPDX-License-Identifier: Apache-2.0
//
// The registry of native contracts, the unknown-method error every contract shares, and the
// argument helpers of internal.h.
#include <string>
#include <utility>

#include "baylink/contracts/asset.h"
#include "baylink/contracts/contract.h"
#include "baylink/contracts/system.h"
#include "baylink/core/types.h"
#include "internal.h"

namespace baylink::contracts {

using core::Errc;
using core::Fail;

core::Status Registry::Add(std::unique_ptr<Contract> contract) {
  BAYLINK_ASSERT(contract != nullptr, "Registry::Add needs a contract");
  const std::string_view name = contract->name();
  if (auto valid = core::ValidateName("contract name", name); !valid) {
    return Fail(Errc::kInvalidArgument, "cannot register contract: " + valid.error().detail);
  }
  if (m_contracts.find(name) != m_contracts.end()) {
    return Fail(Errc::kDuplicate, "cannot register contract " + std::string(name) +
                                      ": a contract with that name is already registered");
  }
  std::string key(name);
  m_contracts.emplace(std::move(key), std::move(contract));
  return core::Ok();
}

Contract* Registry::Find(std::string_view name) const {
  const auto it = m_contracts.find(name);
  return it == m_contracts.end() ? nullptr : it->second.get();
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  out.reserve(m_contracts.size());
  for (const auto& entry : m_contracts) out.push_back(entry.first);  // std::map: sorted
  return out;
}

core::Result<std::unique_ptr<Registry>> MakeBuiltinRegistry() {
  auto registry = std::make_unique<Registry>();
  BAYLINK_TRY(registry->Add(MakeSystemContract()));
  BAYLINK_TRY(registry->Add(MakeAssetContract()));
  return registry;
}

core::Error UnknownMethod(const Contract& contract, std::string_view method) {
  std::string detail = "contract " + std::string(contract.name()) + " has no method " +
                       std::string(method) + "; its methods are ";
  const std::vector<std::string> methods = contract.methods();
  for (std::size_t i = 0; i < methods.size(); ++i) {
    if (i != 0) detail += ", ";
    detail += methods[i];
  }
  return Fail(Errc::kUnsupported, std::move(detail));
}

namespace detail {

std::string MethodName(std::string_view contract, std::string_view method) {
  std::string out(contract);
  out += '.';
  out += method;
  return out;
}

core::Error MalformedArgs(std::string_view contract, std::string_view method,
                          const core::Error& cause) {
  return Fail(Errc::kMalformed,
              "malformed arguments for " + MethodName(contract, method) + ": " + cause.Message());
}

core::Status RequireNoArgs(core::ByteView args, std::string_view contract,
                           std::string_view method) {
  if (args.empty()) return core::Ok();
  return Fail(Errc::kMalformed, "malformed arguments for " + MethodName(contract, method) +
                                    ": it takes no arguments, got " +
                                    std::to_string(args.size()) + " bytes");
}

}  // namespace detail
}  // namespace baylink::contracts
