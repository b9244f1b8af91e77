// SPDX-License-Identifier: Apache-2.0
//
// The command line's option parser and the parsers of its values. Every error is
// kInvalidArgument (a usage error: exit code 2) and names the option and what it accepts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"

namespace baylink::gateway {

// What one command accepts after its name.
struct OptionSpec {
  std::vector<std::string_view> valued;  // --name VALUE
  std::vector<std::string_view> flags;   // --name
  std::vector<std::string_view> positionals;  // names of the bare words, all required
};

struct Args {
  std::map<std::string, std::string, std::less<>> values;  // option name (no "--") -> value;
                                                           // "" for flags
  std::vector<std::string> positionals;
  bool help = false;  // --help or -h was given: nothing else was checked

  // The option's value, or nullptr when it was not given.
  const std::string* Get(std::string_view name) const;
  bool Has(std::string_view name) const { return values.find(name) != values.end(); }
};

// Parses `words` against `spec`. `--help` (or `-h`) anywhere sets `help` and stops parsing,
// so that help works even on an otherwise bad command line.
// Errors: an option not in `spec`; a valued option without a value; an option given twice;
// a bare word beyond `spec.positionals` or a missing one.
core::Result<Args> ParseArgs(std::span<char* const> words, const OptionSpec& spec);

// The value of --`name`. Errors: "missing --name".
core::Result<std::string> Required(const Args& args, std::string_view name);

// A decimal count in [min, max] for --`name`: digits only.
core::Result<std::uint64_t> ParseCount(std::string_view name, std::string_view text,
                                       std::uint64_t min, std::uint64_t max);

struct NodeAddress {
  std::string host;
  std::uint16_t port = 0;
};
// HOST:PORT (an IPv6 literal in brackets: [::1]:8545); port 1..65535.
core::Result<NodeAddress> ParseNodeAddress(std::string_view text);

// An amount of an asset's smallest unit for --`name`: decimal digits, above zero, at most
// 2^128 - 1 (core::U128FromString, which also refuses leading zeros). "1.5" is refused:
// assets have no fractional units.
core::Result<core::u128> ParseAmount(std::string_view name, std::string_view text);

// An address for --`name`: 0x and 40 hex digits.
core::Result<core::Address> ParseAddress(std::string_view name, std::string_view text);

// A transaction hash: 0x and 64 hex digits.
core::Result<core::Hash32> ParseTxHash(std::string_view text);

// An asset symbol for --symbol (contracts::ValidateSymbol).
core::Result<std::string> ParseSymbol(std::string_view text);

}  // namespace baylink::gateway
