// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/result.h"

#include <limits>
#include <map>

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
    case Errc::kUnauthorized: return "unauthorized";
    case Errc::kInsufficientFunds: return "insufficient_funds";
    case Errc::kOverflow: return "overflow";
    case Errc::kFull: return "full";
    case Errc::kIo: return "io";
    case Errc::kStorage: return "storage";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kTimeout: return "timeout";
    case Errc::kCryptoBackend: return "crypto_backend";
  }
  return "unknown";
}

std::optional<Errc> ErrcFromName(std::string_view name) {
  // Built once from ErrcName over every value of the underlying type, so a code added to the
  // enum and to ErrcName is found here without a second list to keep in step.
  static const std::map<std::string_view, Errc, std::less<>> kByName = [] {
    std::map<std::string_view, Errc, std::less<>> out;
    for (std::uint32_t v = 0; v <= std::numeric_limits<std::uint16_t>::max(); ++v) {
      const auto code = static_cast<Errc>(v);
      const std::string_view code_name = ErrcName(code);
      if (code_name != "unknown") out.emplace(code_name, code);
    }
    return out;
  }();
  const auto it = kByName.find(name);
  if (it == kByName.end()) return std::nullopt;
  return it->second;
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
