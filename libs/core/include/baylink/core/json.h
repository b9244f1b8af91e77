// SPDX-License-Identifier: Apache-2.0
//
// JSON forms of the core chain types, for APIs (RPC, gateway) and configuration. JSON is for
// people and APIs; anything hashed, signed or stored uses the binary codec (DESIGN §2).
//
// Conventions:
//  - byte strings, hashes and keys are "0x"-prefixed lower-case hex;
//  - integers of up to 64 bits are JSON numbers (unsigned, integral); u128 amounts are
//    decimal strings (u128 does not fit a JSON number exactly);
//  - enums are their lower-case names ("success", "failed").
// Parsing is strict: the value must be an object with exactly the documented fields, each of
// the documented type; unknown fields, missing fields, negative or fractional numbers and bad
// hex are errors that name the field (kMalformed, kBadHex, kBadLength), and the resulting value
// passes the same checks as its binary Decode.
//
// This target (baylink::core_json) is the one place core types meet nlohmann/json.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "baylink/core/result.h"
#include "baylink/core/types.h"

namespace baylink::core::json {

using Json = nlohmann::json;

Json ToJson(const BlockHeader& header);
Json ToJson(const ValidatorSet& set);
Json ToJson(const CommitCertificate& certificate);
Json ToJson(const Transaction& tx);
Json ToJson(const Event& event);
Json ToJson(const Receipt& receipt);

// FromJson<T>(j) for T in {BlockHeader, ValidatorSet, CommitCertificate, Transaction, Event,
// Receipt}. Errors as described above, plus those of the type's checks (e.g. ValidatorSet
// duplicates).
template <class T>
Result<T> FromJson(const Json& j);

// Reads the fields of one JSON object strictly: every field must be read exactly once by
// name, and Done() rejects fields nobody asked for.
//
// Usage: Begin(), then one typed read per field, then Done(). Errors name the object (`what`)
// and the field: kMalformed (missing, wrong type, unknown field), kBadHex / kBadLength (hex
// fields), kOversized (arrays over their bound).
class ObjectReader {
 public:
  ObjectReader(const Json& j, std::string_view what) : m_j(j), m_what(what) {}

  Status Begin() const {
    if (!m_j.is_object()) return Fail(Errc::kMalformed, m_what + ": expected a JSON object");
    return Ok();
  }

  // True when the object has `name` (an optional field); does not mark it read.
  bool Has(std::string_view name) const { return m_j.is_object() && m_j.contains(name); }

  Result<const Json*> Field(std::string_view name) {
    const auto it = m_j.find(name);
    if (it == m_j.end()) return Err(Errc::kMalformed, name, "is missing");
    m_seen.emplace(name);
    return &*it;
  }

  Result<std::uint64_t> U64(std::string_view name) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* v, Field(name));
    if (!v->is_number_unsigned()) {
      return Err(Errc::kMalformed, name, "must be a non-negative integer");
    }
    return v->get<std::uint64_t>();
  }

  Result<std::uint32_t> U32(std::string_view name) {
    BAYLINK_ASSIGN_OR_RETURN(std::uint64_t v, U64(name));
    if (v > UINT32_MAX) return Err(Errc::kMalformed, name, "must fit in 32 bits");
    return static_cast<std::uint32_t>(v);
  }

  Result<bool> Bool(std::string_view name) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* v, Field(name));
    if (!v->is_boolean()) return Err(Errc::kMalformed, name, "must be true or false");
    return v->get<bool>();
  }

  Result<std::string> String(std::string_view name) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* v, Field(name));
    if (!v->is_string()) return Err(Errc::kMalformed, name, "must be a string");
    return v->get<std::string>();
  }

  Result<Bytes> Hex(std::string_view name) {
    BAYLINK_ASSIGN_OR_RETURN(std::string s, String(name));
    auto bytes = FromHex(s);
    if (!bytes) return Err(bytes.error().code, name, bytes.error().detail);
    return std::move(bytes).value();
  }

  template <std::size_t N>
  Result<FixedBytes<N>> Fixed(std::string_view name) {
    BAYLINK_ASSIGN_OR_RETURN(Bytes raw, Hex(name));
    auto v = FixedBytes<N>::FromView(raw);
    if (!v) return Err(v.error().code, name, v.error().detail);
    return std::move(v).value();
  }

  Result<const Json*> Array(std::string_view name, std::size_t max) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* v, Field(name));
    if (!v->is_array()) return Err(Errc::kMalformed, name, "must be an array");
    if (v->size() > max) {
      return Err(Errc::kOversized, name, "has more than " + std::to_string(max) + " elements");
    }
    return v;
  }

  Status Done() const {
    for (auto it = m_j.begin(); it != m_j.end(); ++it) {
      if (!m_seen.count(it.key())) {
        return Fail(Errc::kMalformed, m_what + ": unknown field '" + it.key() + "'");
      }
    }
    return Ok();
  }

  Error Err(Errc code, std::string_view name, std::string_view what) const {
    return Error{code, m_what + ": field '" + std::string(name) + "' " + std::string(what)};
  }

 private:
  const Json& m_j;
  std::string m_what;
  std::set<std::string, std::less<>> m_seen;
};

inline constexpr int kMaxJsonDepth = 64;

// Parses JSON text without throwing. Errors: kMalformed with the parser's position, or naming
// a key that an object repeats; kOversized when text is larger than max_bytes or nests deeper
// than kMaxJsonDepth.
Result<Json> Parse(std::string_view text, std::size_t max_bytes = 16u << 20);

}  // namespace baylink::core::json
