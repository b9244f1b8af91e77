// SPDX-License-Identifier: Apache-2.0
//
// Creating a light client from a trusted header, restoring one from persisted state, and the
// small checks every lifecycle step shares.
#include <iterator>
#include <string>
#include <utility>

#include "baylink/lightclient/client.h"
#include "internal.h"

namespace baylink::lightclient {

using core::Errc;
using core::Fail;
using core::Result;
using core::Status;

Result<LightClient> LightClient::Create(const core::CryptoSuite& suite, ClientParams params,
                                        const core::BlockHeader& trusted_header,
                                        const core::ValidatorSet& trusted_validators,
                                        std::chrono::system_clock::time_point now) {
  // Params first: every later check reads them.
  if (auto valid = params.Validate(); !valid) {
    return Fail(valid.error().code, "client creation rejected: " + valid.error().detail);
  }
  if (suite.Id() != params.suite) {
    return Fail(Errc::kInvalidArgument, "client creation rejected: the params name the " +
                                            std::string(core::SuiteName(params.suite)) +
                                            " suite, but the " + std::string(suite.Name()) +
                                            " suite was passed");
  }
  if (trusted_header.chain_id != params.chain_id) {
    return Fail(Errc::kWrongChain, "client creation rejected: the trusted header is of chain '" +
                                       trusted_header.chain_id + "', the client follows '" +
                                       params.chain_id + "'");
  }
  // Time before hashing: an operator who picked a stale or mistyped checkpoint learns so
  // first. A header beyond now + drift is refused as an update would refuse it; one already
  // outside the trusting period would make a client that can never be updated.
  const std::int64_t now_ms = detail::NowMs(now);
  if (detail::BeyondClockDrift(trusted_header.timestamp_ms, now_ms, params.max_clock_drift)) {
    return Fail(Errc::kBadTimestamp,
                "client creation rejected: the trusted header's time " +
                    std::to_string(trusted_header.timestamp_ms) +
                    " ms is beyond now + max clock drift (" +
                    std::to_string(now_ms + params.max_clock_drift.count()) + " ms)");
  }
  // Bounded by now + drift above, so the header time fits a Timestamp.
  const ConsensusState trusted =
      ConsensusState::FromHeader(trusted_header, trusted_header.Hash(suite));
  if (detail::OutsideTrustingPeriod(trusted, params.trusting_period, now_ms)) {
    return Fail(Errc::kExpired, "client creation rejected: the trusted header of " +
                                    detail::FormatTime(trusted.timestamp) +
                                    " is older than the trusting period (" +
                                    std::to_string(params.trusting_period.count()) +
                                    " ms); pick a recent checkpoint");
  }
  const core::Hash32 set_hash = trusted_validators.Hash(suite);
  if (set_hash != trusted_header.validators_hash) {
    return Fail(Errc::kBadProof, "client creation rejected: the validator set hashes to " +
                                     detail::Short(set_hash) + ", the header commits to " +
                                     detail::Short(trusted_header.validators_hash));
  }
  if (trusted_header.proposer >= trusted_validators.size()) {
    return Fail(Errc::kMalformed, "client creation rejected: proposer index " +
                                      std::to_string(trusted_header.proposer) +
                                      " is outside the validator set of " +
                                      std::to_string(trusted_validators.size()));
  }

  LightClient client;
  client.m_state.params = std::move(params);
  client.m_state.latest_height = trusted_header.height;
  client.m_state.validators = trusted_validators;
  client.m_consensus.emplace(trusted.height, trusted);
  return client;
}

Result<LightClient> LightClient::Restore(const core::CryptoSuite& suite, ClientState client_state,
                                         std::vector<ConsensusState> consensus_states) {
  const std::string what = "client restore rejected: ";
  if (auto valid = client_state.params.Validate(); !valid) {
    return Fail(valid.error().code, what + valid.error().detail);
  }
  if (suite.Id() != client_state.params.suite) {
    return Fail(Errc::kInvalidArgument,
                what + "the state is of the " +
                    std::string(core::SuiteName(client_state.params.suite)) + " suite, but the " +
                    std::string(suite.Name()) + " suite was passed");
  }
  LightClient client;
  for (ConsensusState& s : consensus_states) {
    const std::uint64_t height = s.height;
    if (!client.m_consensus.emplace(height, std::move(s)).second) {
      return Fail(Errc::kDuplicate,
                  what + "two consensus states at height " + std::to_string(height));
    }
  }
  const auto latest = client.m_consensus.find(client_state.latest_height);
  if (latest == client.m_consensus.end()) {
    return Fail(Errc::kMalformed, what + "no consensus state at the latest height " +
                                      std::to_string(client_state.latest_height));
  }
  if (std::next(latest) != client.m_consensus.end()) {
    return Fail(Errc::kMalformed, what + "a consensus state at height " +
                                      std::to_string(client.m_consensus.rbegin()->first) +
                                      ", above the latest height " +
                                      std::to_string(client_state.latest_height));
  }
  for (auto it = client.m_consensus.begin(); std::next(it) != client.m_consensus.end(); ++it) {
    const ConsensusState& next = std::next(it)->second;
    if (next.timestamp <= it->second.timestamp) {
      return Fail(Errc::kMalformed,
                  what + "the consensus state at height " + std::to_string(next.height) +
                      " is not later than the one at height " + std::to_string(it->first));
    }
  }
  const core::Hash32 set_hash = client_state.validators.Hash(suite);
  if (set_hash != latest->second.validators_hash) {
    return Fail(Errc::kBadProof, what + "the validator set hashes to " + detail::Short(set_hash) +
                                     ", the latest consensus state to " +
                                     detail::Short(latest->second.validators_hash));
  }
  client.m_state = std::move(client_state);
  return client;
}

const ConsensusState* LightClient::consensus_state(std::uint64_t height) const {
  const auto it = m_consensus.find(height);
  return it == m_consensus.end() ? nullptr : &it->second;
}

const ConsensusState& LightClient::latest_consensus_state() const {
  const ConsensusState* latest = consensus_state(m_state.latest_height);
  BAYLINK_ASSERT(latest != nullptr, "light client without a state at its latest height");
  return *latest;
}

Status LightClient::CheckSuite(const core::CryptoSuite& suite, std::string_view action) const {
  if (suite.Id() == m_state.params.suite) return core::Ok();
  return detail::Rejected(action, Errc::kInvalidArgument,
                          detail::ClientName(m_state.params) + " uses the " + std::string(core::SuiteName(m_state.params.suite)) +
                  " suite, but the " + std::string(suite.Name()) + " suite was passed");
}

Status LightClient::CheckNotFrozen(std::string_view action) const {
  if (!m_state.frozen()) return core::Ok();
  return detail::Rejected(action, Errc::kFrozen,
                          detail::ClientName(m_state.params) + " is frozen by misbehaviour at height " + std::to_string(*m_state.frozen_height) +
                  "; it verifies nothing until governance resets it");
}

Result<const ConsensusState*> LightClient::TrustedAt(std::uint64_t height,
                                                     std::string_view action) const {
  if (const ConsensusState* s = consensus_state(height)) return s;
  std::string range = m_consensus.empty() ? std::string("none")
                                          : std::to_string(m_consensus.begin()->first) + ".." +
                                                std::to_string(m_consensus.rbegin()->first);
  return Fail(Errc::kNotFound, std::string(action) +
                                   " rejected: " + detail::ClientName(m_state.params) +
                                   " does not trust height " + std::to_string(height) + " (" +
                                   std::to_string(m_consensus.size()) + " trusted heights in " +
                                   range + "; update the client to that height first)");
}

}  // namespace baylink::lightclient
