// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/bytes.h"

namespace baylink::core {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(c));
  return buf;
}

}  // namespace

std::string ToHex(ByteView data) {
  std::string out;
  out.resize(2 + data.size() * 2);
  out[0] = '0';
  out[1] = 'x';
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 + 2 * i] = kDigits[data[i] >> 4];
    out[3 + 2 * i] = kDigits[data[i] & 0x0f];
  }
  return out;
}

Result<Bytes> FromHex(std::string_view text) {
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return Fail(Errc::kBadHex, "hex must start with 0x");
  }
  const std::string_view digits = text.substr(2);
  if (digits.size() % 2 != 0) {
    return Fail(Errc::kBadHex, "hex has an odd number of digits (" +
                                   std::to_string(digits.size()) + ")");
  }
  Bytes out(digits.size() / 2);
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    const int hi = HexValue(digits[i]);
    const int lo = HexValue(digits[i + 1]);
    if (hi < 0 || lo < 0) {
      const std::size_t bad = hi < 0 ? i : i + 1;
      return Fail(Errc::kBadHex, "bad hex digit " + Printable(digits[bad]) + " at position " +
                                     std::to_string(bad + 2));
    }
    out[i / 2] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  std::uint8_t acc = 0;
  for (std::size_t i = 0; i < a.size(); ++i) acc |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace baylink::core
