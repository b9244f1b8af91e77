// SPDX-License-Identifier: Apache-2.0
//
// The follower: keeps a LightClient close to the head of its chain by fetching signed headers
// from an untrusted source and verifying them, skipping as many heights as the trust model
// allows and bisecting where it does not (DESIGN §5; the scheme of CometBFT light/
// VerifySkipping).
//
// Parts. The follower owns nothing: the caller lends the client, a HeaderSource (a node's RPC
// client, or a test double), a ClientStore (where each accepted change is persisted) and the
// crypto suite. It reads no clock (Step takes `now`), logs nothing, starts no thread and does
// no I/O of its own: given the same parts it does the same thing.
//
// Trust. Nothing a source returns is believed until LightClient::VerifyUpdate accepts it; a
// source can make the follower do (bounded) work or fail a step, never make the client trust
// a header its validators did not sign.
//
// Thread safety. A Follower is not thread-safe: one caller at a time, and nobody else may
// modify the lent client while Step runs (reading it between steps is fine).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/lightclient/client.h"
#include "baylink/lightclient/state.h"

namespace baylink::lightclient {

// Where the follower gets untrusted headers of one chain. Implemented by a node's RPC client;
// tests serve a TestChain.
//
// Errors: local failures (kUnavailable, kTimeout, kIo, ...) when the source cannot answer;
// kNotFound when it has no header at that height. The follower passes them on, adding the
// height it asked for.
// Thread safety: called by one Follower at a time; implementations need no locking for it.
class HeaderSource {
 public:
  virtual ~HeaderSource() = default;

  // The height of the newest header the source can serve. Untrusted: a source that claims a
  // height it cannot serve only fails the step (kNotFound from SignedHeaderAt).
  virtual core::Result<std::uint64_t> LatestHeight() = 0;

  // The header at `height`, its commit certificate and the validator set that signed it.
  virtual core::Result<SignedHeader> SignedHeaderAt(std::uint64_t height) = 0;
};

// Where the follower persists what the client accepts, so a restarted process can
// LightClient::Restore it.
// Thread safety: called by one Follower at a time.
class ClientStore {
 public:
  virtual ~ClientStore() = default;

  // Persists one accepted update atomically: put change.consensus_state under its height,
  // replace the client state with change.client_state, delete the consensus states at
  // change.pruned_heights. Either all of it is durable when this returns Ok, or none of it
  // (a later Restore must see the state before or after the change, never a mix).
  // Errors: local failures (kStorage, kIo, ...); the follower passes them on and does not
  // apply the change.
  virtual core::Status Save(const UpdateChange& change) = 0;
};

struct FollowerOptions {
  // The most header verifications (LightClient::VerifyUpdate calls) one Step makes. Each
  // verification fetches at most one header; a header refused for too little trusted
  // overlap is kept for the rest of the step and verified again, not fetched again. Bounds
  // the work a slow or lying source can cause per step. Must be at least 1.
  std::size_t max_verifications_per_step = 32;
  // Passed to every VerifyUpdate (parallel signature checks, pruning per update).
  VerifyOptions verify;
};

// What one Step did.
struct StepReport {
  std::uint64_t start_height = 0;    // the client's latest height when the step began
  std::uint64_t trusted_height = 0;  // the client's latest height when it ended
  // The source's latest height as read at the start of the step (may be below
  // start_height when the source lags; the step then does nothing).
  std::uint64_t target_height = 0;
  std::size_t headers_fetched = 0;  // SignedHeaderAt calls
  std::size_t verifications = 0;    // VerifyUpdate calls, accepted or not
  std::size_t updates_applied = 0;  // changes saved and applied
  // True when the step stopped at max_verifications_per_step before reaching
  // target_height: call Step again.
  bool more_remaining = false;
};

class Follower {
 public:
  // Requires that `client`, `source`, `store` and `suite` outlive the follower, that `suite`
  // is the client's (else every step fails with kInvalidArgument from VerifyUpdate), and
  // options.max_verifications_per_step >= 1 (asserts).
  Follower(const core::CryptoSuite& suite, LightClient& client, HeaderSource& source,
           ClientStore& store, FollowerOptions options = {});

  // Moves the client toward the source's latest height, at `now`:
  //   1. reads the source's latest height; at or below the client's, the step does nothing.
  //   2. tries to verify the target directly (one verification when the validator set is
  //      stable enough, however many heights it skips).
  //   3. when a header that skips heights is refused with kInsufficientTrust (the set the
  //      client trusts did not sign enough of it), tries the midpoint between the trusted
  //      height and that header first, recursively, then that header again from the new
  //      trusted height (bisection). A refused adjacent header (latest + 1) ends the step.
  //   4. persists each accepted change through ClientStore::Save, and applies it to the
  //      client only after Save returned Ok.
  //   5. stops after options.max_verifications_per_step verifications with more_remaining
  //      set; the pending bisection heights are kept, so the next Step continues where this
  //      one stopped and repeated steps reach the target even with a cap of 1.
  //
  // Errors (each message names the height involved; the code is passed on unchanged):
  //   - the source's (LatestHeight, SignedHeaderAt): local failures, kNotFound.
  //   - kMalformed: the source served a header of another height than the one asked for.
  //   - VerifyUpdate's, for any refusal other than a bisectable kInsufficientTrust: the
  //     header is not trusted; kFrozen and kExpired mean no header can pass until an
  //     operator acts.
  //   - ClientStore::Save's: that change is not applied.
  // On error the client keeps every update accepted earlier in the same step (each was
  // verified and persisted), read it from client(); nothing of the failing header is
  // applied, and the pending bisection heights are forgotten.
  //
  core::Result<StepReport> Step(std::chrono::system_clock::time_point now);

  const LightClient& client() const { return m_client; }
  const FollowerOptions& options() const { return m_options; }

 private:
  const core::CryptoSuite& m_suite;
  LightClient& m_client;
  HeaderSource& m_source;
  ClientStore& m_store;
  FollowerOptions m_options;
  // Heights still to verify, front the target, back the next to try; strictly decreasing
  // from front to back and all above the client's latest height while a step runs.
  std::vector<std::uint64_t> m_pending;
};

}  // namespace baylink::lightclient
