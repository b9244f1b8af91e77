// SPDX-License-Identifier: Apache-2.0
//
// Misbehaviour (what a relayer or gateway submits) and Evidence (what the light client returns
// when it accepts it and freezes). DESIGN §5: two valid certificates for different headers at
// one height, or a valid header that conflicts with a trusted one, freeze the client and
// yield evidence a person can inspect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/types.h"
#include "baylink/lightclient/state.h"

namespace baylink::lightclient {

// A claim that the chain signed two different headers at one height.
//
// Each header the client does not already trust at that height is verified from an anchor:
// a height the client trusts at or below the conflict (`trusted_height`) and the validator
// set that signed it (`trusted_validators`, which must hash to that consensus state's
// validators_hash; the client keeps only its latest set, so the submitter brings older ones).
// A header passes from the anchor when it is the adjacent height and its validators_hash is
// the anchor's next_validators_hash, or else when validators holding more than the trust
// threshold of the anchor set signed it; and always when more than 2/3 of its own set did.
struct Misbehaviour {
  SignedHeader first;
  // The other header at the same height. Absent: `first` conflicts with the header the
  // client trusts at that height (which the client knows by hash only).
  std::optional<SignedHeader> second;
  std::uint64_t trusted_height = 0;
  core::ValidatorSet trusted_validators;

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: those of SignedHeader::Decode and core::ValidatorSet::Decode; kNonCanonical (a
  // presence byte other than 0 or 1).
  static core::Result<Misbehaviour> Decode(core::Reader& r);
  static core::Result<Misbehaviour> Decode(core::ByteView data);
  friend bool operator==(const Misbehaviour&, const Misbehaviour&) = default;
};

enum class MisbehaviourKind : std::uint8_t {
  // Two headers at one height, each with a valid certificate from a set the client trusts;
  // the client trusted neither.
  kConflictingHeaders = 1,
  // A header with a valid certificate differs from the header the client trusts at its
  // height.
  kConflictsWithTrusted = 2,
};
// "conflicting_headers" / "conflicts_with_trusted".
std::string_view MisbehaviourKindName(MisbehaviourKind kind);

// Proof, kept by the caller and shown to people, that the chain misbehaved. Everything in it
// was verified when the client accepted the misbehaviour; a decoded Evidence from elsewhere
// is only a claim until its Misbehaviour is verified again.
struct Evidence {
  std::string chain_id;
  std::uint64_t height = 0;  // the height of the conflict
  MisbehaviourKind kind = MisbehaviourKind::kConflictingHeaders;
  SignedHeader first;
  std::optional<SignedHeader> second;
  // What the client trusted at `height` when it froze, if anything.
  std::optional<ConsensusState> trusted;
  Timestamp detected_at{};  // the `now` the client was given

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: codec errors; kUnsupported (a version other than kStateEncodingVersion);
  // kNonCanonical (an unknown kind, a presence byte other than 0 or 1); kMalformed (chain
  // id); kOversized (detected_at above kMaxTimestampMs); those of the parts' Decode.
  static core::Result<Evidence> Decode(core::Reader& r);
  static core::Result<Evidence> Decode(core::ByteView data);

  // Several lines of plain text for an operator: chain, height, kind, when it was detected,
  // and for each header its hash (as its certificate names it), time, roots, validator-set
  // hashes, round and signers; then the public keys that signed both headers (the
  // equivocators) with their power. No JSON; the layout may change between versions.
  std::string Describe() const;
  friend bool operator==(const Evidence&, const Evidence&) = default;
};

}  // namespace baylink::lightclient
