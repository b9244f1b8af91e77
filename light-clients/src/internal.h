// SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the light client's source files; not part of its public face.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/types.h"
#include "baylink/lightclient/state.h"

namespace baylink::lightclient::detail {

// Milliseconds since the epoch of `now`, rounded down: the verifier's view of the clock.
// Because times and durations are whole milliseconds, now >= t exactly when NowMs(now) >= t,
// so rounding never turns a failing check into a passing one.
std::int64_t NowMs(std::chrono::system_clock::time_point now);

// True when `state` can no longer anchor a new header at `now_ms`:
// state.timestamp + trusting_period <= now (DESIGN §5: the trusted state must be younger than
// the trusting period). Exact: both terms are below 2^63 (kMaxTimestampMs, kMaxDuration).
bool OutsideTrustingPeriod(const ConsensusState& state, std::chrono::milliseconds trusting_period,
                           std::int64_t now_ms);

// True when a header claiming `header_ms` lies beyond now + max_clock_drift. Exact for every
// input (signed 128-bit: now may precede the epoch, header_ms may be any u64).
bool BeyondClockDrift(std::uint64_t header_ms, std::int64_t now_ms,
                      std::chrono::milliseconds max_clock_drift);

// Step 1 of VerifyCommit (commit.h): the certificate is for `height`, then for
// `header_hash`. Errors: kInvalidArgument naming both values.
core::Status CheckCertificateBinding(const core::CommitCertificate& certificate,
                                     std::uint64_t height, const core::Hash32& header_hash);

// The error of a refused lifecycle step: "<action> rejected: <what>", e.g. "update rejected:
// header is of chain 'gd', ...". Every refusal of create, update, misbehaviour and the proof
// checks reads this way.
core::Error Rejected(std::string_view action, core::Errc code, std::string_view what);

// "0x1a2b3c4d.." : the first four bytes of a hash, for messages.
std::string Short(const core::Hash32& hash);
// "2024-05-01T12:00:00.000Z (1714564800000 ms)" for a message or a description.
std::string FormatTime(Timestamp time);
// "the light client of chain 'hk'".
std::string ClientName(const ClientParams& params);

}  // namespace baylink::lightclient::detail
