// SPDX-License-Identifier: Apache-2.0
//
// Follower::Step: skipping verification with bisection (follower.h; CometBFT light/
// VerifySkipping), bounded per step, persisting before applying.
#include "baylink/lightclient/follower.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace baylink::lightclient {

using core::Errc;
using core::Fail;

namespace {

// The same error, its message prefixed with what the follower was doing.
core::Error Context(core::Error error, const std::string& what) {
  error.detail = what + ": " + error.detail;
  return error;
}

}  // namespace

Follower::Follower(const core::CryptoSuite& suite, LightClient& client, HeaderSource& source,
                   ClientStore& store, FollowerOptions options)
    : m_suite(suite),
      m_client(client),
      m_source(source),
      m_store(store),
      m_options(std::move(options)) {
  BAYLINK_ASSERT(m_options.max_verifications_per_step >= 1,
                 "FollowerOptions::max_verifications_per_step must be at least 1");
}

core::Result<StepReport> Follower::Step(std::chrono::system_clock::time_point now) {
  StepReport report;
  report.start_height = m_client.latest_height();
  report.trusted_height = report.start_height;

  auto latest = m_source.LatestHeight();
  if (!latest) {
    return Context(std::move(latest).error(), "follower: the source's latest height");
  }
  report.target_height = *latest;

  // Bring the pending heights in line with the client (someone may have updated it between
  // steps) and the target (the source may have moved on, or back).
  std::erase_if(m_pending, [&](std::uint64_t h) {
    return h <= m_client.latest_height() || h > report.target_height;
  });
  if (report.target_height <= m_client.latest_height()) {
    m_pending.clear();
    return report;
  }
  if (m_pending.empty() || m_pending.front() < report.target_height) {
    m_pending.insert(m_pending.begin(), report.target_height);
  }

  // Headers fetched in this step and not yet trusted: a header refused for too little
  // trusted overlap is verified again after each pivot, without fetching it again. At most
  // one per bisection level, so at most 64.
  std::map<std::uint64_t, SignedHeader> fetched;

  while (!m_pending.empty()) {
    if (report.verifications == m_options.max_verifications_per_step) {
      report.more_remaining = true;
      return report;
    }
    const std::uint64_t height = m_pending.back();
    const std::uint64_t trusted = m_client.latest_height();
    BAYLINK_ASSERT(height > trusted, "a pending height is above the trusted height");

    auto it = fetched.find(height);
    if (it == fetched.end()) {
      ++report.headers_fetched;
      auto untrusted = m_source.SignedHeaderAt(height);
      if (!untrusted) {
        m_pending.clear();
        return Context(std::move(untrusted).error(),
                       "follower: fetching header " + std::to_string(height) + " from the source");
      }
      // Checked here, not by VerifyUpdate (which accepts any height above the trusted one),
      // because bisection relies on each header being at the height it was asked for.
      if (untrusted->header.height != height) {
        m_pending.clear();
        return Fail(Errc::kMalformed, "follower: asked the source for header " +
                                          std::to_string(height) + ", it served header " +
                                          std::to_string(untrusted->header.height));
      }
      it = fetched.emplace(height, std::move(untrusted).value()).first;
    }

    ++report.verifications;
    auto change = m_client.VerifyUpdate(m_suite, it->second, now, m_options.verify);
    if (!change) {
      // Bisect only where it can help: a skip the trusted set did not sign enough of. An
      // adjacent header is checked against next_validators_hash, so no pivot lies between.
      if (change.error().code == Errc::kInsufficientTrust && height > trusted + 1) {
        m_pending.push_back(trusted + (height - trusted) / 2);
        continue;
      }
      m_pending.clear();
      return Context(std::move(change).error(), "follower: header " + std::to_string(height) +
                                                    " from the source refused (trusted height " +
                                                    std::to_string(trusted) + ")");
    }

    // Persist first: a crash after Save and before Apply restores to the new state; a failed
    // Save leaves both the store and the client at the old one.
    if (auto saved = m_store.Save(*change); !saved) {
      m_pending.clear();
      return Context(std::move(saved).error(),
                     "follower: saving the update to height " + std::to_string(height));
    }
    m_client.Apply(*change);
    ++report.updates_applied;
    report.trusted_height = height;
    m_pending.pop_back();
    fetched.erase(fetched.begin(), fetched.upper_bound(height));
  }
  return report;
}

}  // namespace baylink::lightclient
