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

inline constexpr int kMaxJsonDepth = 64;

// Parses JSON text without throwing. Errors: kMalformed with the parser's position, or naming
// a key that an object repeats; kOversized when text is larger than max_bytes or nests deeper
// than kMaxJsonDepth.
Result<Json> Parse(std::string_view text, std::size_t max_bytes = 16u << 20);

}  // namespace baylink::core::json
