// SPDX-License-Identifier: Apache-2.0
//
// The state types, their validation and canonical encodings (state.h, evidence.h), and the
// helpers of internal.h.
#include "baylink/lightclient/state.h"

#include <chrono>
#include <cstdio>
#include <numeric>
#include <string>
#include <utility>

#include "baylink/lightclient/evidence.h"
#include "internal.h"

namespace baylink::lightclient {

using core::Bytes;
using core::ByteView;
using core::Errc;
using core::Fail;
using core::Reader;
using core::Result;
using core::Status;
using core::Writer;

namespace {

Status ReadVersion(Reader& r) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint8_t version, r.U8("version"));
  if (version != kStateEncodingVersion) {
    return r.FieldError(Errc::kUnsupported, "version",
                        "is " + std::to_string(version) + "; this build reads version " +
                            std::to_string(kStateEncodingVersion));
  }
  return core::Ok();
}

Result<Timestamp> ReadTimestamp(Reader& r, std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint64_t ms, r.U64(field));
  if (ms > static_cast<std::uint64_t>(kMaxTimestampMs)) {
    return r.FieldError(Errc::kOversized, field,
                        "is " + std::to_string(ms) + " ms, above the limit of 2^62 ms");
  }
  return Timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(ms)));
}

void WriteTimestamp(Writer& w, Timestamp t) {
  // Every Timestamp this library builds or decodes is in [0, kMaxTimestampMs].
  BAYLINK_ASSERT(t.time_since_epoch().count() >= 0, "negative timestamp in a light-client state");
  w.U64(static_cast<std::uint64_t>(t.time_since_epoch().count()));
}

// Reads the presence byte of an optional value.
Result<bool> ReadPresence(Reader& r, std::string_view field) { return r.Bool(field); }

Status CheckDuration(std::string_view name, std::chrono::milliseconds value, bool allow_zero) {
  const bool too_small = allow_zero ? value.count() < 0 : value.count() <= 0;
  if (too_small || value > kMaxDuration) {
    return Fail(Errc::kInvalidArgument,
                std::string(name) + " is " + std::to_string(value.count()) + " ms; it must be " +
                    (allow_zero ? "at least 0" : "above 0") + " and at most 2^53 ms");
  }
  return core::Ok();
}

Result<std::chrono::milliseconds> ReadDuration(Reader& r, std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint64_t ms, r.U64(field));
  if (ms > static_cast<std::uint64_t>(kMaxDuration.count())) {
    return r.FieldError(Errc::kInvalidArgument, field,
                        "is " + std::to_string(ms) + " ms, above the limit of 2^53 ms");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

}  // namespace

Timestamp HeaderTime(const core::BlockHeader& header) {
  BAYLINK_ASSERT(header.timestamp_ms <= static_cast<std::uint64_t>(kMaxTimestampMs),
                 "HeaderTime on a header time the verifier did not bound");
  return Timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(header.timestamp_ms)));
}

// ---- TrustThreshold ---------------------------------------------------------------------

Result<TrustThreshold> TrustThreshold::Create(std::uint64_t numerator, std::uint64_t denominator) {
  if (denominator == 0) {
    return Fail(Errc::kInvalidArgument, "trust threshold has a zero denominator");
  }
  // 1/3 <= n/d < 1, compared without division: 3n >= d and n < d (u128: 3n may exceed u64).
  if (core::u128{numerator} * 3 < core::u128{denominator} || numerator >= denominator) {
    return Fail(Errc::kInvalidArgument, "trust threshold " + std::to_string(numerator) + "/" +
                                            std::to_string(denominator) + " is outside [1/3, 1)");
  }
  const std::uint64_t g = std::gcd(numerator, denominator);
  TrustThreshold t;
  t.m_numerator = numerator / g;
  t.m_denominator = denominator / g;
  return t;
}

bool TrustThreshold::IsExceededBy(std::uint64_t part, std::uint64_t total) const {
  BAYLINK_ASSERT(part <= total && total <= core::kMaxTotalPower, "power beyond the set's limit");
  // part / total > n / d  <=>  part * d > total * n; each product < 2^124.
  return core::u128{part} * m_denominator > core::u128{total} * m_numerator;
}

std::uint64_t TrustThreshold::MaxInsufficient(std::uint64_t total) const {
  BAYLINK_ASSERT(total <= core::kMaxTotalPower, "power beyond the set's limit");
  // floor(total * n / d) <= total < 2^61: the narrowing is exact.
  return static_cast<std::uint64_t>(core::u128{total} * m_numerator / m_denominator);
}

std::string TrustThreshold::ToString() const {
  return std::to_string(m_numerator) + "/" + std::to_string(m_denominator);
}

void TrustThreshold::Encode(Writer& w) const { w.U64(m_numerator).U64(m_denominator); }

Result<TrustThreshold> TrustThreshold::Decode(Reader& r) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint64_t numerator, r.U64("trust_threshold.numerator"));
  BAYLINK_ASSIGN_OR_RETURN(std::uint64_t denominator, r.U64("trust_threshold.denominator"));
  BAYLINK_ASSIGN_OR_RETURN(TrustThreshold t, Create(numerator, denominator));
  if (t.m_numerator != numerator) {
    return r.FieldError(Errc::kNonCanonical, "trust_threshold",
                        "is " + std::to_string(numerator) + "/" + std::to_string(denominator) +
                            "; the canonical form is " + t.ToString());
  }
  return t;
}

// ---- ClientParams -----------------------------------------------------------------------

Status ClientParams::Validate() const {
  BAYLINK_TRY(core::ValidateChainId(chain_id));
  if (suite != core::SuiteId::kSm && suite != core::SuiteId::kEcdsa) {
    return Fail(Errc::kInvalidArgument, "unknown suite id " +
                                            std::to_string(static_cast<int>(suite)) +
                                            "; accepted: 1 (sm), 2 (ecdsa)");
  }
  BAYLINK_TRY(CheckDuration("trusting period", trusting_period, /*allow_zero=*/false));
  BAYLINK_TRY(CheckDuration("max clock drift", max_clock_drift, /*allow_zero=*/true));
  return core::Ok();
}

void ClientParams::Encode(Writer& w) const {
  w.Text(chain_id).U8(static_cast<std::uint8_t>(suite));
  trust_threshold.Encode(w);
  // Validate keeps both durations in [0, 2^53]: the conversion is exact.
  w.U64(static_cast<std::uint64_t>(trusting_period.count()));
  w.U64(static_cast<std::uint64_t>(max_clock_drift.count()));
}

Result<ClientParams> ClientParams::Decode(Reader& r) {
  ClientParams p;
  BAYLINK_ASSIGN_OR_RETURN(p.chain_id, r.Text("chain_id", core::kMaxChainIdBytes));
  BAYLINK_ASSIGN_OR_RETURN(std::uint8_t suite, r.U8("suite"));
  p.suite = static_cast<core::SuiteId>(suite);
  BAYLINK_ASSIGN_OR_RETURN(p.trust_threshold, TrustThreshold::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(p.trusting_period, ReadDuration(r, "trusting_period_ms"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_clock_drift, ReadDuration(r, "max_clock_drift_ms"));
  BAYLINK_TRY(p.Validate());
  return p;
}

// ---- ConsensusState ---------------------------------------------------------------------

ConsensusState ConsensusState::FromHeader(const core::BlockHeader& header,
                                          const core::Hash32& header_hash) {
  ConsensusState s;
  s.height = header.height;
  s.timestamp = HeaderTime(header);
  s.header_hash = header_hash;
  s.tx_root = header.tx_root;
  s.receipt_root = header.receipt_root;
  s.state_root = header.state_root;
  s.validators_hash = header.validators_hash;
  s.next_validators_hash = header.next_validators_hash;
  return s;
}

void ConsensusState::Encode(Writer& w) const {
  w.U8(kStateEncodingVersion).U64(height);
  WriteTimestamp(w, timestamp);
  w.Fixed(header_hash).Fixed(tx_root).Fixed(receipt_root).Fixed(state_root);
  w.Fixed(validators_hash).Fixed(next_validators_hash);
}

Bytes ConsensusState::Encode() const { return core::EncodeValue(*this); }

Result<ConsensusState> ConsensusState::Decode(Reader& r) {
  ConsensusState s;
  BAYLINK_TRY(ReadVersion(r));
  BAYLINK_ASSIGN_OR_RETURN(s.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(s.timestamp, ReadTimestamp(r, "timestamp_ms"));
  BAYLINK_ASSIGN_OR_RETURN(s.header_hash, r.Fixed<32>("header_hash"));
  BAYLINK_ASSIGN_OR_RETURN(s.tx_root, r.Fixed<32>("tx_root"));
  BAYLINK_ASSIGN_OR_RETURN(s.receipt_root, r.Fixed<32>("receipt_root"));
  BAYLINK_ASSIGN_OR_RETURN(s.state_root, r.Fixed<32>("state_root"));
  BAYLINK_ASSIGN_OR_RETURN(s.validators_hash, r.Fixed<32>("validators_hash"));
  BAYLINK_ASSIGN_OR_RETURN(s.next_validators_hash, r.Fixed<32>("next_validators_hash"));
  return s;
}

Result<ConsensusState> ConsensusState::Decode(ByteView data) {
  return core::DecodeExactly<ConsensusState>(data, "consensus state");
}

// ---- ClientState ------------------------------------------------------------------------

void ClientState::Encode(Writer& w) const {
  w.U8(kStateEncodingVersion);
  params.Encode(w);
  w.U64(latest_height).Bool(frozen_height.has_value());
  if (frozen_height) w.U64(*frozen_height);
  validators.Encode(w);
}

Bytes ClientState::Encode() const { return core::EncodeValue(*this); }

Result<ClientState> ClientState::Decode(Reader& r) {
  ClientState s;
  BAYLINK_TRY(ReadVersion(r));
  BAYLINK_ASSIGN_OR_RETURN(s.params, ClientParams::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(s.latest_height, r.U64("latest_height"));
  BAYLINK_ASSIGN_OR_RETURN(bool frozen, ReadPresence(r, "frozen_height"));
  if (frozen) {
    BAYLINK_ASSIGN_OR_RETURN(std::uint64_t height, r.U64("frozen_height"));
    s.frozen_height = height;
  }
  BAYLINK_ASSIGN_OR_RETURN(s.validators, core::ValidatorSet::Decode(r));
  return s;
}

Result<ClientState> ClientState::Decode(ByteView data) {
  return core::DecodeExactly<ClientState>(data, "client state");
}

// ---- SignedHeader -----------------------------------------------------------------------

void SignedHeader::Encode(Writer& w) const {
  header.Encode(w);
  certificate.Encode(w);
  validators.Encode(w);
}

Bytes SignedHeader::Encode() const { return core::EncodeValue(*this); }

Result<SignedHeader> SignedHeader::Decode(Reader& r) {
  SignedHeader s;
  BAYLINK_ASSIGN_OR_RETURN(s.header, core::BlockHeader::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(s.certificate, core::CommitCertificate::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(s.validators, core::ValidatorSet::Decode(r));
  return s;
}

Result<SignedHeader> SignedHeader::Decode(ByteView data) {
  return core::DecodeExactly<SignedHeader>(data, "signed header");
}

// ---- Misbehaviour -----------------------------------------------------------------------

void Misbehaviour::Encode(Writer& w) const {
  first.Encode(w);
  w.Bool(second.has_value());
  if (second) second->Encode(w);
  w.U64(trusted_height);
  trusted_validators.Encode(w);
}

Bytes Misbehaviour::Encode() const { return core::EncodeValue(*this); }

Result<Misbehaviour> Misbehaviour::Decode(Reader& r) {
  Misbehaviour m;
  BAYLINK_ASSIGN_OR_RETURN(m.first, SignedHeader::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(bool has_second, ReadPresence(r, "second"));
  if (has_second) {
    BAYLINK_ASSIGN_OR_RETURN(m.second, SignedHeader::Decode(r));
  }
  BAYLINK_ASSIGN_OR_RETURN(m.trusted_height, r.U64("trusted_height"));
  BAYLINK_ASSIGN_OR_RETURN(m.trusted_validators, core::ValidatorSet::Decode(r));
  return m;
}

Result<Misbehaviour> Misbehaviour::Decode(ByteView data) {
  return core::DecodeExactly<Misbehaviour>(data, "misbehaviour");
}

// ---- Evidence ---------------------------------------------------------------------------

std::string_view MisbehaviourKindName(MisbehaviourKind kind) {
  switch (kind) {
    case MisbehaviourKind::kConflictingHeaders:
      return "conflicting_headers";
    case MisbehaviourKind::kConflictsWithTrusted:
      return "conflicts_with_trusted";
  }
  return "unknown";
}

void Evidence::Encode(Writer& w) const {
  w.U8(kStateEncodingVersion).Text(chain_id).U64(height).U8(static_cast<std::uint8_t>(kind));
  first.Encode(w);
  w.Bool(second.has_value());
  if (second) second->Encode(w);
  w.Bool(trusted.has_value());
  if (trusted) trusted->Encode(w);
  WriteTimestamp(w, detected_at);
}

Bytes Evidence::Encode() const { return core::EncodeValue(*this); }

Result<Evidence> Evidence::Decode(Reader& r) {
  Evidence e;
  BAYLINK_TRY(ReadVersion(r));
  BAYLINK_ASSIGN_OR_RETURN(e.chain_id, r.Text("chain_id", core::kMaxChainIdBytes));
  if (auto valid = core::ValidateChainId(e.chain_id); !valid) {
    return r.FieldError(Errc::kMalformed, "chain_id", valid.error().detail);
  }
  BAYLINK_ASSIGN_OR_RETURN(e.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(std::uint8_t kind, r.U8("kind"));
  if (kind != static_cast<std::uint8_t>(MisbehaviourKind::kConflictingHeaders) &&
      kind != static_cast<std::uint8_t>(MisbehaviourKind::kConflictsWithTrusted)) {
    return r.FieldError(Errc::kNonCanonical, "kind",
                        "is " + std::to_string(kind) + "; known kinds are 1 and 2");
  }
  e.kind = static_cast<MisbehaviourKind>(kind);
  BAYLINK_ASSIGN_OR_RETURN(e.first, SignedHeader::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(bool has_second, ReadPresence(r, "second"));
  if (has_second) {
    BAYLINK_ASSIGN_OR_RETURN(e.second, SignedHeader::Decode(r));
  }
  BAYLINK_ASSIGN_OR_RETURN(bool has_trusted, ReadPresence(r, "trusted"));
  if (has_trusted) {
    BAYLINK_ASSIGN_OR_RETURN(e.trusted, ConsensusState::Decode(r));
  }
  BAYLINK_ASSIGN_OR_RETURN(e.detected_at, ReadTimestamp(r, "detected_at_ms"));
  return e;
}

Result<Evidence> Evidence::Decode(ByteView data) { return core::DecodeExactly<Evidence>(data, "evidence"); }

// ---- internal.h -------------------------------------------------------------------------

namespace detail {

std::int64_t NowMs(std::chrono::system_clock::time_point now) {
  return std::chrono::floor<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

bool OutsideTrustingPeriod(const ConsensusState& state, std::chrono::milliseconds trusting_period,
                           std::int64_t now_ms) {
  return state.timestamp.time_since_epoch().count() + trusting_period.count() <= now_ms;
}

bool BeyondClockDrift(std::uint64_t header_ms, std::int64_t now_ms,
                      std::chrono::milliseconds max_clock_drift) {
  return static_cast<__int128>(header_ms) >
         static_cast<__int128>(now_ms) + static_cast<__int128>(max_clock_drift.count());
}

core::Error Rejected(std::string_view action, core::Errc code, std::string_view what) {
  std::string detail(action);
  detail += " rejected: ";
  detail += what;
  return core::Error{code, std::move(detail)};
}

std::string Short(const core::Hash32& hash) {
  return core::ToHex(core::ByteView(hash.data(), 4)) + "..";
}

std::string FormatTime(Timestamp time) {
  const std::int64_t ms = time.time_since_epoch().count();
  const std::string raw = std::to_string(ms) + " ms";
  // Calendar form for years 1970..9999 only; beyond, the raw count says it all.
  if (ms < 0 || ms >= std::int64_t{253402300800000}) return raw;
  const auto days = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss<std::chrono::milliseconds> clock{time - days};
  char text[40];
  std::snprintf(
      text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return std::string(text) + " (" + raw + ")";
}

std::string ClientName(const ClientParams& params) {
  return "the light client of chain '" + params.chain_id + "'";
}

}  // namespace detail
}  // namespace baylink::lightclient
