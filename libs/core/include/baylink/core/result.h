// SPDX-License-Identifier: Apache-2.0
//
// Result<T> and Error: the one channel for expected failures (shared/STYLE.md "Errors").
//
// Error codes fall in two groups:
//  - rejected input: the sender of the data is at fault (malformed, bad signature, ...);
//    retrying the same input can never succeed. Log at debug, rate-limited.
//  - local failure: I/O, storage, unavailable, timeout; retrying may help.
// Bugs (broken invariants) are not Errors: they abort through BAYLINK_ASSERT.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace baylink::core {

enum class Errc : std::uint16_t {
  // --- rejected input ---------------------------------------------------------------
  kMalformed = 100,      // input does not parse (bad JSON shape, bad enum value, ...)
  kBadHex,               // hex text: missing 0x, odd length, or a non-hex digit
  kBadLength,            // a fixed-size value has the wrong number of bytes
  kTruncated,            // an encoding ends before a field is complete
  kTrailingBytes,        // bytes remain after a complete encoding
  kOversized,            // a length or count exceeds its limit
  kNonCanonical,         // decodes, but is not the unique canonical encoding
  kBadSignature,         // signature malformed, high-s, or does not verify
  kBadPublicKey,         // not a point on the curve, or the point at infinity
  kBadSecretKey,         // zero or not below the group order
  kBadProof,             // a Merkle proof does not lead to the expected root
  kProofDepth,           // a Merkle proof has the wrong number of siblings
  kWrongChain,           // chain id does not match
  kExpired,              // past a deadline or trusting period
  kInsufficientPower,    // signers hold too little voting power
  kInsufficientTrust,    // too little of a trusted set signed a header that skips heights:
                         // verify an intermediate header first (bisection)
  kLocked,               // a key is locked by a cross-chain transaction
  kDuplicate,            // already seen / already present
  kNotFound,             // the requested item does not exist
  kUnsupported,          // the operation is not available (e.g. recovery on the sm suite)
  kInvalidArgument,      // a parameter is outside its documented domain
  kStale,                // for a height (or nonce) already passed; only newer ones are accepted
  kBadTimestamp,         // a time outside the accepted window (not after the last, or too far ahead)
  kConflict,             // contradicts something already trusted (e.g. another header at a height)
  kFrozen,               // the verifier froze on proven misbehaviour and accepts nothing until reset
  kUnauthorized,         // the sender may not do this (e.g. mint by someone not the issuer)
  kInsufficientFunds,    // a balance is lower than the amount to move
  kOverflow,             // an amount would exceed its type's range
  kFull,                 // a bounded queue (mempool, per-sender slots) has no room; retry later
  // --- local failure ----------------------------------------------------------------
  kIo = 500,             // file or socket I/O failed
  kStorage,              // the key-value store failed
  kUnavailable,          // a peer or service cannot be reached
  kTimeout,              // an operation did not finish in time
  kCryptoBackend,        // a crypto library call failed for a reason other than the input
};

// Stable lower_snake_case name of a code, e.g. "bad_signature". Used in logs and APIs.
std::string_view ErrcName(Errc code);

// The code whose ErrcName is `name`, or nullopt when no code has that name (the inverse of
// ErrcName, for errors that crossed an API as text).
std::optional<Errc> ErrcFromName(std::string_view name);

// True when the code belongs to the rejected-input group.
constexpr bool IsRejectedInput(Errc code) { return static_cast<std::uint16_t>(code) < 500; }

struct Error {
  Errc code = Errc::kMalformed;
  std::string detail;  // what was wrong and, where it helps, what to do

  // "bad_signature: signature does not verify for key 0x3f.."
  std::string Message() const;
};

// Builds an Error; reads well at return sites: `return Fail(Errc::kTruncated, "...")`.
inline Error Fail(Errc code, std::string detail) { return Error{code, std::move(detail)}; }

[[noreturn]] void AssertFail(const char* expr, const char* file, int line, const char* msg);

}  // namespace baylink::core

// Aborts on a broken invariant (a bug). Never use on input from outside the process.
#define BAYLINK_ASSERT(cond, msg)                                              \
  do {                                                                         \
    if (!(cond)) ::baylink::core::AssertFail(#cond, __FILE__, __LINE__, msg);  \
  } while (0)

namespace baylink::core {

// std::expected-shaped: holds a T or an Error. Accessing the wrong side is a bug (asserts).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { Check(); return std::get<0>(m_v); }
  const T& value() const& { Check(); return std::get<0>(m_v); }
  T&& value() && { Check(); return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    BAYLINK_ASSERT(!has_value(), "Result::error() on a value");
    return std::get<1>(m_v);
  }
  Error&& error() && {
    BAYLINK_ASSERT(!has_value(), "Result::error() on a value");
    return std::get<1>(std::move(m_v));
  }

 private:
  void Check() const { BAYLINK_ASSERT(has_value(), "Result::value() on an error"); }
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}  // NOLINT: implicit

  bool has_value() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  void value() const { BAYLINK_ASSERT(m_ok, "Result<void>::value() on an error"); }

  const Error& error() const& {
    BAYLINK_ASSERT(!m_ok, "Result::error() on a value");
    return m_error;
  }
  Error&& error() && {
    BAYLINK_ASSERT(!m_ok, "Result::error() on a value");
    return std::move(m_error);
  }

 private:
  Error m_error;
  bool m_ok = true;
};

using Status = Result<void>;
inline Status Ok() { return Status(); }

}  // namespace baylink::core

#define BAYLINK_CONCAT_INNER(a, b) a##b
#define BAYLINK_CONCAT(a, b) BAYLINK_CONCAT_INNER(a, b)

// Propagates the error of a Result-returning expression.
#define BAYLINK_TRY(expr)                                            \
  do {                                                               \
    auto&& baylink_try_result = (expr);                              \
    if (!baylink_try_result) return std::move(baylink_try_result).error(); \
  } while (0)

// `BAYLINK_ASSIGN_OR_RETURN(auto x, Parse(...));` declares/assigns x or propagates the error.
#define BAYLINK_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto BAYLINK_CONCAT(baylink_result_, __LINE__) = (expr);                   \
  if (!BAYLINK_CONCAT(baylink_result_, __LINE__))                            \
    return std::move(BAYLINK_CONCAT(baylink_result_, __LINE__)).error();     \
  lhs = std::move(BAYLINK_CONCAT(baylink_result_, __LINE__)).value()
