// SPDX-License-Identifier: Apache-2.0
#include "fake_context.h"

#include <cstring>
#include <utility>

#include "baylink/core/codec.h"

namespace baylink::contracts::test {

using core::Errc;
using core::Fail;

core::Hash32 StubSuite::HashParts(std::span<const ByteView> parts) const {
  // Not a hash: contracts in these tests never hash. A position-mixed checksum keeps the
  // result a function of the input should one start to.
  core::Hash32 out;
  std::size_t i = 0;
  for (const ByteView part : parts) {
    for (const std::uint8_t byte : part) {
      out.bytes[i % out.bytes.size()] ^= static_cast<std::uint8_t>(byte + i);
      ++i;
    }
  }
  return out;
}

core::Status StubSuite::ValidatePublicKey(const core::PublicKey& key) const {
  if (key.IsZero()) return Fail(Errc::kBadPublicKey, "the zero point is not on the curve");
  return core::Ok();
}

core::Result<Bytes> FakeChain::Call(std::string_view contract, std::string_view method,
                                    ByteView args) {
  m_tx_first_event = events.size();
  return FakeContext::Dispatch(*this, contract, method, args, caller_contract, 1);
}

std::optional<Bytes> FakeChain::Read(std::string_view contract, ByteView key) const {
  const auto ns = state.find(contract);
  if (ns == state.end()) return std::nullopt;
  const auto it = ns->second.find(Bytes(key.begin(), key.end()));
  if (it == ns->second.end()) return std::nullopt;
  return it->second;
}

core::Result<Bytes> FakeContext::Dispatch(FakeChain& chain, std::string_view contract,
                                          std::string_view method, ByteView args,
                                          std::string caller, std::uint32_t depth) {
  if (depth > kMaxCallDepth) {
    return Fail(Errc::kUnsupported, "call depth " + std::to_string(depth) + " exceeds " +
                                        std::to_string(kMaxCallDepth));
  }
  Contract* callee = chain.registry().Find(contract);
  if (callee == nullptr) {
    return Fail(Errc::kNotFound, "no contract " + std::string(contract));
  }
  // The simplest correct rollback: a copy of everything, restored on failure.
  auto saved_state = chain.state;
  const std::size_t saved_events = chain.events.size();
  FakeContext context(chain, std::string(contract), std::move(caller), depth);
  auto out = callee->Invoke(context, method, args);
  if (!out) {
    chain.state = std::move(saved_state);
    chain.events.resize(saved_events);
  }
  return out;
}

core::Result<std::optional<Bytes>> FakeContext::Get(ByteView key) {
  if (key.size() > kMaxStateKeyBytes) return Fail(Errc::kInvalidArgument, "key too long");
  return m_chain.Read(m_contract, key);
}

core::Status FakeContext::CheckWritable(std::string_view what) const {
  if (m_chain.read_only) {
    return Fail(Errc::kUnsupported, std::string(what) + " refused: this is a read-only call");
  }
  return core::Ok();
}

core::Status FakeContext::Put(ByteView key, ByteView value) {
  BAYLINK_TRY(CheckWritable("write"));
  if (key.size() > kMaxStateKeyBytes || value.size() > kMaxStateValueBytes) {
    return Fail(Errc::kInvalidArgument, "key or value too large");
  }
  m_chain.state[m_contract][Bytes(key.begin(), key.end())] = Bytes(value.begin(), value.end());
  return core::Ok();
}

core::Status FakeContext::Delete(ByteView key) {
  BAYLINK_TRY(CheckWritable("delete"));
  if (key.size() > kMaxStateKeyBytes) return Fail(Errc::kInvalidArgument, "key too long");
  auto ns = m_chain.state.find(m_contract);
  if (ns != m_chain.state.end()) ns->second.erase(Bytes(key.begin(), key.end()));
  return core::Ok();
}

core::Status FakeContext::Emit(std::string_view topic, ByteView data) {
  BAYLINK_TRY(CheckWritable("event"));
  if (topic.size() > core::kMaxNameBytes || data.size() > core::kMaxEventDataBytes ||
      m_chain.events.size() - m_chain.tx_first_event() >= core::kMaxEvents) {
    return Fail(Errc::kOversized, "event over the limits");
  }
  m_chain.events.push_back(
      core::Event{m_contract, std::string(topic), Bytes(data.begin(), data.end())});
  return core::Ok();
}

core::Result<Bytes> FakeContext::Call(std::string_view contract, std::string_view method,
                                      ByteView args) {
  return Dispatch(m_chain, contract, method, args, m_contract, m_depth + 1);
}

core::Result<Bytes> ForwardContract::Invoke(CallContext& context, std::string_view method,
                                            ByteView args) {
  if (method != "forward" && method != "forward_then_fail") return UnknownMethod(*this, method);
  core::Reader r(args, "forward args");
  BAYLINK_ASSIGN_OR_RETURN(std::string contract, r.Text("contract"));
  BAYLINK_ASSIGN_OR_RETURN(std::string inner_method, r.Text("method"));
  BAYLINK_ASSIGN_OR_RETURN(Bytes inner_args, r.Blob("args"));
  BAYLINK_TRY(r.Finish());
  auto out = context.Call(contract, inner_method, inner_args);
  if (method == "forward_then_fail") {
    return Fail(Errc::kInvalidArgument, "forward_then_fail always fails");
  }
  return out;
}

Bytes ForwardContract::EncodeForward(std::string_view contract, std::string_view method,
                                     ByteView args) {
  core::Writer w;
  w.Text(contract).Text(method).Blob(args);
  return std::move(w).Take();
}

}  // namespace baylink::contracts::test
