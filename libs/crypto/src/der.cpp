// SPDX-License-Identifier: Apache-2.0
//
// DER for SEQUENCE { INTEGER r, INTEGER s } (X.690 §8.3, §10.1), written out because the
// parser must be strict: OpenSSL's d2i accepts some non-minimal encodings we want to refuse.
#include <cstring>
#include <string>

#include "baylink/crypto/suites.h"

namespace baylink::crypto {
namespace {

using core::Errc;
using core::Fail;

constexpr std::uint8_t kTagSequence = 0x30;
constexpr std::uint8_t kTagInteger = 0x02;

// Minimal positive INTEGER content of a 32-byte big-endian unsigned value.
void AppendInteger(core::Bytes& out, const std::uint8_t* v) {
  std::size_t skip = 0;
  while (skip < 31 && v[skip] == 0) ++skip;
  const bool pad = (v[skip] & 0x80) != 0;  // keep the value positive
  const std::size_t len = 32 - skip + (pad ? 1 : 0);
  out.push_back(kTagInteger);
  out.push_back(static_cast<std::uint8_t>(len));
  if (pad) out.push_back(0x00);
  out.insert(out.end(), v + skip, v + 32);
}

// Reads a tag and a definite length in its minimal form; advances `pos`.
core::Result<std::size_t> ReadHeader(core::ByteView in, std::size_t& pos, std::uint8_t tag,
                                     const char* what) {
  if (pos + 2 > in.size()) {
    return Fail(Errc::kTruncated, std::string("DER signature ends before the ") + what +
                                      " header");
  }
  if (in[pos] != tag) {
    return Fail(Errc::kMalformed, std::string("DER signature: expected ") + what + " tag 0x" +
                                      (tag == kTagSequence ? "30" : "02") + ", got byte " +
                                      std::to_string(in[pos]));
  }
  const std::uint8_t first = in[pos + 1];
  pos += 2;
  if (first < 0x80) return static_cast<std::size_t>(first);
  if (first == 0x80) {
    return Fail(Errc::kNonCanonical,
                std::string("DER signature: indefinite length of the ") + what);
  }
  const std::size_t n = first & 0x7f;
  if (n > 2) {
    return Fail(Errc::kMalformed,
                std::string("DER signature: length of the ") + what + " is absurdly long");
  }
  if (pos + n > in.size()) {
    return Fail(Errc::kTruncated,
                std::string("DER signature ends inside the length of the ") + what);
  }
  std::size_t len = 0;
  for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[pos + i];
  pos += n;
  // Long form only for lengths >= 128, and without leading zero bytes (X.690 §10.1).
  if (len < 0x80 || (n == 2 && len < 0x100)) {
    return Fail(Errc::kNonCanonical, std::string("DER signature: long-form length ") +
                                         std::to_string(len) + " of the " + what +
                                         " where the short form is required");
  }
  return len;
}

core::Status ReadInteger(core::ByteView in, std::size_t& pos, std::size_t end, const char* name,
                         std::uint8_t* out32) {
  BAYLINK_ASSIGN_OR_RETURN(const std::size_t len,
                           ReadHeader(in.first(end), pos, kTagInteger, name));
  if (len == 0) {
    return Fail(Errc::kMalformed, std::string("DER signature: INTEGER ") + name + " is empty");
  }
  if (pos + len > end) {
    return Fail(Errc::kTruncated, std::string("DER signature ends inside INTEGER ") + name);
  }
  const std::uint8_t* p = in.data() + pos;
  if (p[0] & 0x80) {
    return Fail(Errc::kMalformed, std::string("DER signature: INTEGER ") + name +
                                      " is negative");
  }
  if (len > 1 && p[0] == 0x00 && (p[1] & 0x80) == 0) {
    return Fail(Errc::kNonCanonical, std::string("DER signature: INTEGER ") + name +
                                         " has a redundant leading zero byte");
  }
  std::size_t skip = (p[0] == 0x00 && len > 1) ? 1 : 0;
  if (len - skip > 32) {
    return Fail(Errc::kBadSignature, std::string("DER signature: ") + name +
                                         " is longer than 32 bytes");
  }
  std::memset(out32, 0, 32);
  std::memcpy(out32 + 32 - (len - skip), p + skip, len - skip);
  pos += len;
  return core::Ok();
}

}  // namespace

core::Result<core::Bytes> Sm2SignatureToDer(core::ByteView r_s) {
  if (r_s.size() != 64) {
    return Fail(Errc::kBadLength,
                "r || s must be 64 bytes, got " + std::to_string(r_s.size()));
  }
  core::Bytes body;
  body.reserve(70);
  AppendInteger(body, r_s.data());
  AppendInteger(body, r_s.data() + 32);
  core::Bytes out;
  out.reserve(body.size() + 2);
  out.push_back(kTagSequence);
  out.push_back(static_cast<std::uint8_t>(body.size()));  // at most 2 * 35 = 70 < 128
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

core::Result<core::Bytes> Sm2SignatureFromDer(core::ByteView der) {
  std::size_t pos = 0;
  BAYLINK_ASSIGN_OR_RETURN(const std::size_t seq_len,
                           ReadHeader(der, pos, kTagSequence, "SEQUENCE"));
  if (pos + seq_len > der.size()) {
    return Fail(Errc::kTruncated, "DER signature ends inside the SEQUENCE (" +
                                      std::to_string(der.size() - pos) + " of " +
                                      std::to_string(seq_len) + " bytes present)");
  }
  const std::size_t end = pos + seq_len;
  core::Bytes out(64);
  BAYLINK_TRY(ReadInteger(der, pos, end, "r", out.data()));
  BAYLINK_TRY(ReadInteger(der, pos, end, "s", out.data() + 32));
  if (pos != end) {
    return Fail(Errc::kTrailingBytes, "DER signature: " + std::to_string(end - pos) +
                                          " bytes after s inside the SEQUENCE");
  }
  if (end != der.size()) {
    return Fail(Errc::kTrailingBytes, "DER signature: " + std::to_string(der.size() - end) +
                                          " bytes after the SEQUENCE");
  }
  return out;
}

}  // namespace baylink::crypto
