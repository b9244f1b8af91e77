// SPDX-License-Identifier: Apache-2.0
//
// The state a light client of one chain keeps (DESIGN §5), and the signed headers it is fed.
//
//  - ClientParams: what the operator chose when the client was created (chain, suite, trust
//    threshold, trusting period, allowed clock drift). Never changes.
//  - ClientState: the params plus what moves: the latest trusted height, the validator set
//    that signed it, and whether misbehaviour froze the client.
//  - ConsensusState: what the client trusts about one verified height (header hash, time,
//    roots, validator-set hashes). One per verified height, until pruned.
//  - SignedHeader: a header with its commit certificate and the validator set that signed it;
//    the unit of an update and of misbehaviour.
//
// Every type has a canonical encoding (core/codec.h) so callers can persist and send it:
//   void Encode(core::Writer&) const;           appends the encoding
//   core::Bytes Encode() const;                 the encoding alone
//   static Result<T> Decode(core::Reader&);     reads one value (leaves the rest of the input)
//   static Result<T> Decode(core::ByteView);    reads exactly one value; trailing bytes rejected
// Decoding is strict: besides the codec's own errors it rejects every value the type forbids
// (listed per type), so each accepted value re-encodes to the same bytes.
//
// Times: a Timestamp is milliseconds since the Unix epoch (the unit of
// BlockHeader::timestamp_ms); durations are std::chrono::milliseconds. Both are held far
// enough from the limits of their 64-bit representation (kMaxDuration, kMaxTimestamp) that
// every sum the verifier forms stays exact.
//
// Thread safety: these are plain values; concurrent reads are safe, a write needs exclusive
// access.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"

namespace baylink::lightclient {

// Milliseconds since the Unix epoch, as BlockHeader::timestamp_ms.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// The longest trusting period or clock drift accepted: 2^53 ms (about 285,000 years). Large
// enough never to be a real constraint, small enough that now + drift and
// time + trusting_period never overflow.
inline constexpr std::chrono::milliseconds kMaxDuration{std::int64_t{1} << 53};
// The latest Timestamp a consensus state may carry: 2^62 ms since the epoch. Headers are only
// trusted when they are at most now + drift, which is far below this.
inline constexpr std::int64_t kMaxTimestampMs = std::int64_t{1} << 62;

// Version byte leading the encodings of ClientState and ConsensusState (persisted data).
inline constexpr std::uint8_t kStateEncodingVersion = 1;

// The time a header claims: BlockHeader::timestamp_ms as a Timestamp. Requires
// header.timestamp_ms <= kMaxTimestampMs (asserts; the verifier checks it before calling).
Timestamp HeaderTime(const core::BlockHeader& header);

// ---- TrustThreshold ---------------------------------------------------------------------
// The fraction of a trusted validator set's power that must also have signed a header that
// skips heights (DESIGN §5). Accepted values: 1/3 <= numerator/denominator < 1. Below 1/3 a
// skip could be signed by validators that are all byzantine under the trust model (DESIGN
// §1); at 1 or above no skip could ever pass. Held reduced (gcd 1), so each value has one
// encoding.
class TrustThreshold {
 public:
  // 1/3, the default (DESIGN §5).
  TrustThreshold() = default;

  // Reduces numerator/denominator. Errors: kInvalidArgument when denominator is zero or the
  // value lies outside [1/3, 1).
  static core::Result<TrustThreshold> Create(std::uint64_t numerator, std::uint64_t denominator);

  std::uint64_t numerator() const { return m_numerator; }
  std::uint64_t denominator() const { return m_denominator; }

  // True when part / total > numerator / denominator, computed exactly (u128). Requires
  // part <= total <= core::kMaxTotalPower.
  bool IsExceededBy(std::uint64_t part, std::uint64_t total) const;
  // The largest power that does not exceed the threshold of `total`: "more than this many
  // needed". Requires total <= core::kMaxTotalPower.
  std::uint64_t MaxInsufficient(std::uint64_t total) const;
  // "1/3".
  std::string ToString() const;

  void Encode(core::Writer& w) const;
  // Errors: codec errors; kInvalidArgument (as Create); kNonCanonical (not reduced).
  static core::Result<TrustThreshold> Decode(core::Reader& r);
  friend bool operator==(const TrustThreshold&, const TrustThreshold&) = default;

 private:
  std::uint64_t m_numerator = 1;
  std::uint64_t m_denominator = 3;
};

// ---- ClientParams -----------------------------------------------------------------------
struct ClientParams {
  std::string chain_id;                      // the chain this client follows
  core::SuiteId suite = core::SuiteId::kSm;  // the chain's crypto suite (fixed at genesis)
  TrustThreshold trust_threshold;            // for headers that skip heights
  // How long a trusted state may be used to verify a newer header. Choose it below the
  // chain's unbonding or governance delay, so validators that left the set can still be held
  // to account for what they sign inside it.
  std::chrono::milliseconds trusting_period{0};
  // How far a header's time may run ahead of the caller's `now` (clock skew between the
  // chain's proposers and the verifier).
  std::chrono::milliseconds max_clock_drift{0};

  // Errors: kMalformed (chain id, as core::ValidateChainId); kInvalidArgument (an unknown
  // suite, trusting_period not in (0, kMaxDuration], max_clock_drift not in
  // [0, kMaxDuration]).
  core::Status Validate() const;

  void Encode(core::Writer& w) const;
  // Fields: chain_id (text), suite (u8), trust_threshold (u64 numerator, u64 denominator),
  // trusting_period and max_clock_drift (u64 milliseconds).
  // Errors: codec errors, those of TrustThreshold::Decode and of Validate.
  static core::Result<ClientParams> Decode(core::Reader& r);
  friend bool operator==(const ClientParams&, const ClientParams&) = default;
};

// ---- ConsensusState ---------------------------------------------------------------------
// What the client trusts about one verified height. Every field comes from a header whose
// certificate the client verified; header_hash is recomputed with the suite, never taken
// from a peer.
struct ConsensusState {
  std::uint64_t height = 0;
  Timestamp timestamp{};
  core::Hash32 header_hash;
  core::Hash32 tx_root;
  core::Hash32 receipt_root;
  core::Hash32 state_root;
  core::Hash32 validators_hash;       // the set that signed this height
  core::Hash32 next_validators_hash;  // the set that signs height + 1

  // The state a verified header establishes. Requires header.timestamp_ms <=
  // kMaxTimestampMs and header_hash == header.Hash(suite) (the verifier's own computation).
  static ConsensusState FromHeader(const core::BlockHeader& header,
                                   const core::Hash32& header_hash);

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: codec errors; kUnsupported (a version other than kStateEncodingVersion);
  // kOversized (timestamp above kMaxTimestampMs).
  static core::Result<ConsensusState> Decode(core::Reader& r);
  static core::Result<ConsensusState> Decode(core::ByteView data);
  friend bool operator==(const ConsensusState&, const ConsensusState&) = default;
};

// ---- ClientState ------------------------------------------------------------------------
struct ClientState {
  ClientParams params;
  std::uint64_t latest_height = 0;
  // Set once misbehaviour is proven: the height of the conflict. A frozen client verifies
  // nothing until governance replaces it (DESIGN §5).
  std::optional<std::uint64_t> frozen_height;
  // The validator set that signed latest_height (it hashes to that consensus state's
  // validators_hash): the trusted set a skipping update is checked against.
  core::ValidatorSet validators;

  bool frozen() const { return frozen_height.has_value(); }

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: codec errors; kUnsupported (a version other than kStateEncodingVersion); those
  // of ClientParams::Decode and core::ValidatorSet::Decode.
  static core::Result<ClientState> Decode(core::Reader& r);
  static core::Result<ClientState> Decode(core::ByteView data);
  friend bool operator==(const ClientState&, const ClientState&) = default;
};

// ---- SignedHeader -----------------------------------------------------------------------
// A header, its commit certificate and the validator set that signed it: everything needed
// to check the header from a trusted state. All three come from an untrusted peer.
struct SignedHeader {
  core::BlockHeader header;
  core::CommitCertificate certificate;
  core::ValidatorSet validators;

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: those of the three parts' Decode.
  static core::Result<SignedHeader> Decode(core::Reader& r);
  static core::Result<SignedHeader> Decode(core::ByteView data);
  friend bool operator==(const SignedHeader&, const SignedHeader&) = default;
};

}  // namespace baylink::lightclient
