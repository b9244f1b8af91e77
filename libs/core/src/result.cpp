// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/result.h"

namespace baylink::core {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kMalformed: return "malformed";
    case Errc::kBadHex: return "bad_hex";
    case Errc::kBadLength: return "bad_length";
    case Errc::kTruncated: return "truncated";
    case Errc::kTrailingBytes: return "trailing_bytes";
    case Errc::kOversized: return "oversized";
    case Errc::kNonCanonical: return "non_canonical";
    case Errc::kBadSignature: return "bad_signature";
    case Errc::kBadPublicKey: return "bad_public_key";
    case Errc::kBadSecretKey: return "bad_secret_key";
    case Errc::kBadProof: return "bad_proof";
    case Errc::kProofDepth: return "proof_depth";
    case Errc::kWrongChain: return "wrong_chain";
    case Errc::kExpired: return "expired";
    case Errc::kInsufficientPower: return "insufficient_power";
    case Errc::kInsufficientTrust: return "insufficient_trust";
    case Errc::kLocked: return "locked";
    case Errc::kDuplicate: return "duplicate";
    case Errc::kNotFound: return "not_found";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kStale: return "stale";
    case Errc::kBadTimestamp: return "bad_timestamp";
    case Errc::kConflict: return "conflict";
    case Errc::kFrozen: return "frozen";
    case Errc::kIo: return "io";
    case Errc::kStorage: return "storage";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kTimeout: return "timeout";
    case Errc::kCryptoBackend: return "crypto_backend";
  }
  return "unknown";
}

std::string Error::Message() const {
  std::string out(ErrcName(code));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

void AssertFail(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "baylink: invariant broken at %s:%d: %s (%s)\n", file, line, msg, expr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace baylink::core
