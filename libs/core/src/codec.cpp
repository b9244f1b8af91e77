// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/codec.h"

#include <algorithm>

namespace baylink::core {

// ---- Writer ----------------------------------------------------------------------------

Writer& Writer::U8(std::uint8_t v) {
  m_out.push_back(v);
  return *this;
}

Writer& Writer::U16(std::uint16_t v) {
  m_out.push_back(static_cast<std::uint8_t>(v >> 8));
  m_out.push_back(static_cast<std::uint8_t>(v));
  return *this;
}

Writer& Writer::U32(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) m_out.push_back(static_cast<std::uint8_t>(v >> shift));
  return *this;
}

Writer& Writer::U64(std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) m_out.push_back(static_cast<std::uint8_t>(v >> shift));
  return *this;
}

Writer& Writer::U128(u128 v) {
  U64(static_cast<std::uint64_t>(v >> 64));
  return U64(static_cast<std::uint64_t>(v));
}

Writer& Writer::Blob(ByteView data) {
  BAYLINK_ASSERT(data.size() <= UINT32_MAX, "blob longer than a u32 length can carry");
  U32(static_cast<std::uint32_t>(data.size()));
  return Raw(data);
}

Writer& Writer::Raw(ByteView data) {
  m_out.insert(m_out.end(), data.begin(), data.end());
  return *this;
}

Writer& Writer::Count(std::size_t n) {
  BAYLINK_ASSERT(n <= UINT32_MAX, "sequence longer than a u32 count can carry");
  return U32(static_cast<std::uint32_t>(n));
}

// ---- Reader ----------------------------------------------------------------------------

Error Reader::FieldError(Errc code, std::string_view field, std::string_view what) const {
  std::string detail(m_context);
  detail += ": field '";
  detail += field;
  detail += "' ";
  detail += what;
  return Error{code, std::move(detail)};
}

Result<ByteView> Reader::Take(std::string_view field, std::size_t n) {
  if (remaining() < n) {
    return FieldError(Errc::kTruncated, field,
                      "needs " + std::to_string(n) + " bytes at offset " + std::to_string(m_pos) +
                          " but only " + std::to_string(remaining()) + " remain");
  }
  ByteView out = m_in.subspan(m_pos, n);
  m_pos += n;
  return out;
}

namespace {
std::uint64_t BigEndian(ByteView b) {
  std::uint64_t v = 0;
  for (std::uint8_t byte : b) v = (v << 8) | byte;
  return v;
}
}  // namespace

Result<std::uint8_t> Reader::U8(std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(ByteView b, Take(field, 1));
  return b[0];
}

Result<std::uint16_t> Reader::U16(std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(ByteView b, Take(field, 2));
  return static_cast<std::uint16_t>(BigEndian(b));
}

Result<std::uint32_t> Reader::U32(std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(ByteView b, Take(field, 4));
  return static_cast<std::uint32_t>(BigEndian(b));
}

Result<std::uint64_t> Reader::U64(std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(ByteView b, Take(field, 8));
  return BigEndian(b);
}

Result<u128> Reader::U128(std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(ByteView b, Take(field, 16));
  return (static_cast<u128>(BigEndian(b.first(8))) << 64) | BigEndian(b.subspan(8));
}

Result<bool> Reader::Bool(std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint8_t v, U8(field));
  if (v > 1) {
    return FieldError(Errc::kNonCanonical, field,
                      "is a boolean encoded as " + std::to_string(v) + "; only 0 and 1 are canonical");
  }
  return v == 1;
}

Result<Bytes> Reader::Blob(std::string_view field, std::uint32_t max_len) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint32_t len, U32(field));
  if (len > max_len) {
    return FieldError(Errc::kOversized, field,
                      "has length " + std::to_string(len) + ", above the limit of " +
                          std::to_string(max_len) + " bytes");
  }
  BAYLINK_ASSIGN_OR_RETURN(ByteView b, Take(field, len));
  return Bytes(b.begin(), b.end());
}

Result<std::string> Reader::Text(std::string_view field, std::uint32_t max_len) {
  BAYLINK_ASSIGN_OR_RETURN(Bytes b, Blob(field, max_len));
  std::string text(b.begin(), b.end());
  if (!IsValidUtf8(text)) return FieldError(Errc::kNonCanonical, field, "is not valid UTF-8");
  return text;
}

Result<ByteView> Reader::Raw(std::string_view field, std::size_t n) { return Take(field, n); }

Result<std::uint32_t> Reader::Count(std::string_view field, std::uint32_t max_count,
                                    std::size_t min_element_bytes) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint32_t n, U32(field));
  if (n > max_count) {
    return FieldError(Errc::kOversized, field,
                      "has " + std::to_string(n) + " elements, above the limit of " +
                          std::to_string(max_count));
  }
  // Refuse before allocating: n elements cannot fit in what is left.
  if (min_element_bytes > 0 && n > remaining() / min_element_bytes) {
    return FieldError(Errc::kTruncated, field,
                      "claims " + std::to_string(n) + " elements but only " +
                          std::to_string(remaining()) + " bytes remain");
  }
  return n;
}

Status Reader::Finish() const {
  if (remaining() != 0) {
    return Error{Errc::kTrailingBytes, std::string(m_context) + ": " +
                                           std::to_string(remaining()) +
                                           " bytes left after a complete encoding"};
  }
  return Ok();
}

// ---- helpers ---------------------------------------------------------------------------

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte first, overlong 0xc0/0xc1, or above 0xf4
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xd800 && cp <= 0xdfff) return false;                            // surrogate
    if (cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

std::string U128ToString(u128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v != 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<u128> U128FromString(std::string_view text) {
  if (text.empty()) return Fail(Errc::kMalformed, "amount is empty; expected decimal digits");
  if (text.size() > 1 && text[0] == '0') {
    return Fail(Errc::kNonCanonical, "amount '" + std::string(text) + "' has a leading zero");
  }
  constexpr u128 kMax = ~static_cast<u128>(0);
  u128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Fail(Errc::kMalformed,
                  "amount '" + std::string(text) + "' has a non-digit; expected decimal digits");
    }
    const unsigned digit = static_cast<unsigned>(c - '0');
    if (v > (kMax - digit) / 10) {
      return Fail(Errc::kOversized, "amount '" + std::string(text) + "' exceeds 2^128 - 1");
    }
    v = v * 10 + digit;
  }
  return v;
}

}  // namespace baylink::core
