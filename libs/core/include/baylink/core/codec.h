// SPDX-License-Identifier: Apache-2.0
//
// The canonical binary codec: everything hashed, signed or stored is encoded with it
// (DESIGN §2). Rules:
//  - unsigned integers are fixed-width big-endian (u8, u16, u32, u64, u128);
//  - booleans are one byte, 0x00 or 0x01;
//  - byte strings and text are a u32 length then the bytes; text must be valid UTF-8;
//  - fixed-size values (hashes, keys) are their bytes, no length;
//  - sequences are a u32 count then the elements;
//  - optional values are a presence byte (0x00 or 0x01) then the value if present.
// Each value has exactly one encoding, so decode(x) succeeds only when encode(decode(x)) == x.
// A Reader rejects: truncation (kTruncated), bytes left over (kTrailingBytes, checked by
// Finish), lengths or counts above the caller's limit (kOversized), and non-canonical forms
// such as a boolean byte of 2 or invalid UTF-8 (kNonCanonical). Each error names the field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"

namespace baylink::core {

using u128 = unsigned __int128;

// Default bounds on one field, so a 4-byte length can never make a decoder allocate 4 GiB.
// Callers pass tighter limits where the data model has them.
inline constexpr std::uint32_t kMaxFieldBytes = 16u << 20;  // 16 MiB
inline constexpr std::uint32_t kMaxSequence = 1u << 20;

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::size_t reserve) { m_out.reserve(reserve); }

  Writer& U8(std::uint8_t v);
  Writer& U16(std::uint16_t v);
  Writer& U32(std::uint32_t v);
  Writer& U64(std::uint64_t v);
  Writer& U128(u128 v);
  Writer& Bool(bool v) { return U8(v ? 1 : 0); }
  // Length-prefixed. Requires data.size() <= UINT32_MAX (asserts: a bug, not input).
  Writer& Blob(ByteView data);
  Writer& Text(std::string_view text) { return Blob(AsBytes(text)); }
  // Fixed-size: raw bytes, no length.
  Writer& Raw(ByteView data);
  template <std::size_t N>
  Writer& Fixed(const FixedBytes<N>& v) { return Raw(v.view()); }
  // Count prefix of a sequence.
  Writer& Count(std::size_t n);

  const Bytes& bytes() const& { return m_out; }
  Bytes Take() && { return std::move(m_out); }

 private:
  Bytes m_out;
};

// Reads a canonical encoding. `context` prefixes error messages ("header: truncated ...").
// A Reader views the caller's buffer: the buffer must outlive it.
class Reader {
 public:
  explicit Reader(ByteView input, std::string_view context = "input")
      : m_in(input), m_context(context) {}

  // Each field reader takes the field's name for the error message.
  Result<std::uint8_t> U8(std::string_view field);
  Result<std::uint16_t> U16(std::string_view field);
  Result<std::uint32_t> U32(std::string_view field);
  Result<std::uint64_t> U64(std::string_view field);
  Result<u128> U128(std::string_view field);
  Result<bool> Bool(std::string_view field);
  // Length-prefixed bytes of at most max_len bytes (kOversized beyond).
  Result<Bytes> Blob(std::string_view field, std::uint32_t max_len = kMaxFieldBytes);
  // Length-prefixed UTF-8 text of at most max_len bytes; kNonCanonical if not UTF-8.
  Result<std::string> Text(std::string_view field, std::uint32_t max_len = kMaxFieldBytes);
  Result<ByteView> Raw(std::string_view field, std::size_t n);
  template <std::size_t N>
  Result<FixedBytes<N>> Fixed(std::string_view field) {
    auto raw = Raw(field, N);
    if (!raw) return std::move(raw).error();
    FixedBytes<N> out;
    std::memcpy(out.bytes.data(), raw->data(), N);
    return out;
  }
  // Count prefix of a sequence of at most max_count elements, each of at least
  // min_element_bytes: a count that cannot fit in the remaining input is kTruncated
  // before anything is allocated.
  Result<std::uint32_t> Count(std::string_view field, std::uint32_t max_count = kMaxSequence,
                              std::size_t min_element_bytes = 1);

  std::size_t remaining() const { return m_in.size() - m_pos; }
  // kTrailingBytes unless every byte was consumed.
  Status Finish() const;

  // An error about `field` in this reader's context, for callers' own checks.
  Error FieldError(Errc code, std::string_view field, std::string_view what) const;

 private:
  Result<ByteView> Take(std::string_view field, std::size_t n);

  ByteView m_in;
  std::size_t m_pos = 0;
  std::string_view m_context;
};

// The encoding of one value of a type with `void Encode(Writer&) const`.
template <class T>
Bytes EncodeValue(const T& value) {
  Writer w;
  value.Encode(w);
  return std::move(w).Take();
}

// Decodes exactly one value of a type with `static Result<T> Decode(Reader&)` from `data`:
// errors of T::Decode, and kTrailingBytes if anything follows it. `context` names the value
// in error messages.
template <class T>
Result<T> DecodeExactly(ByteView data, std::string_view context) {
  Reader r(data, context);
  auto value = T::Decode(r);
  if (!value) return std::move(value).error();
  BAYLINK_TRY(r.Finish());
  return value;
}

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Decimal text of a u128 ("340282366920938463463374607431768211455"), and strict parsing:
// digits only, no sign, no leading zeros except "0" itself, no overflow.
std::string U128ToString(u128 v);
Result<u128> U128FromString(std::string_view text);

}  // namespace baylink::core
