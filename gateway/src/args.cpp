// SPDX-License-Identifier: Apache-2.0
#include "args.h"

#include <algorithm>
#include <limits>

#include "baylink/contracts/asset.h"

namespace baylink::gateway {
namespace {

using core::Errc;

bool Contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

core::Error Invalid(std::string detail) { return core::Fail(Errc::kInvalidArgument, std::move(detail)); }

}  // namespace

const std::string* Args::Get(std::string_view name) const {
  const auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

core::Result<Args> ParseArgs(std::span<char* const> words, const OptionSpec& spec) {
  Args args;
  // Help first: `baylink asset mint --bogus --help` should still show mint's usage.
  for (const char* word : words) {
    const std::string_view w(word);
    if (w == "--help" || w == "-h") {
      args.help = true;
      return args;
    }
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view word(words[i]);
    if (word.size() < 2 || word.substr(0, 2) != "--") {
      if (args.positionals.size() >= spec.positionals.size()) {
        return Invalid("unexpected argument '" + std::string(word) + "'");
      }
      args.positionals.emplace_back(word);
      continue;
    }
    const std::string_view name = word.substr(2);
    const bool is_flag = Contains(spec.flags, name);
    if (!is_flag && !Contains(spec.valued, name)) {
      return Invalid("unknown option " + std::string(word));
    }
    if (args.Has(name)) return Invalid("option " + std::string(word) + " given twice");
    if (is_flag) {
      args.values.emplace(name, "");
      continue;
    }
    if (i + 1 >= words.size()) return Invalid("option " + std::string(word) + " needs a value");
    args.values.emplace(name, words[++i]);
  }
  if (args.positionals.size() < spec.positionals.size()) {
    return Invalid("missing " + std::string(spec.positionals[args.positionals.size()]));
  }
  return args;
}

core::Result<std::string> Required(const Args& args, std::string_view name) {
  const std::string* value = args.Get(name);
  if (value == nullptr) return Invalid("missing --" + std::string(name));
  return *value;
}

core::Result<std::uint64_t> ParseCount(std::string_view name, std::string_view text,
                                       std::uint64_t min, std::uint64_t max) {
  const std::string range = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  std::uint64_t value = 0;
  bool ok = !text.empty();
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      ok = false;
      break;
    }
    value = value * 10 + digit;
  }
  if (!ok || value < min || value > max) {
    return Invalid("--" + std::string(name) + " '" + std::string(text) + "': expected " + range);
  }
  return value;
}

core::Result<NodeAddress> ParseNodeAddress(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Invalid("--node '" + std::string(text) + "': " + std::string(why) +
                   "; expected HOST:PORT, e.g. 127.0.0.1:8545");
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address needs brackets");
  }
  if (host.empty()) return bad("no host");
  auto port = ParseCount("node", port_text, 1, 65535);
  if (!port) return bad("the port is not a number from 1 to 65535");
  return NodeAddress{std::string(host), static_cast<std::uint16_t>(*port)};
}

core::Result<core::u128> ParseAmount(std::string_view name, std::string_view text) {
  const std::string what = "--" + std::string(name) + " '" + std::string(text) + "'";
  if (text.find_first_of(".,") != std::string_view::npos) {
    return Invalid(what + ": amounts are whole numbers of the asset's smallest unit; "
                          "fractions are not accepted");
  }
  auto amount = core::U128FromString(text);
  if (!amount) return Invalid(what + ": " + amount.error().detail);
  if (*amount == 0) return Invalid(what + ": the amount must be above zero");
  return *amount;
}

core::Result<core::Address> ParseAddress(std::string_view name, std::string_view text) {
  auto address = core::Address::FromHex(text);
  if (!address) {
    return Invalid("--" + std::string(name) + " '" + std::string(text) +
                   "' is not an address (0x and 40 hex digits): " + address.error().detail);
  }
  return *address;
}

core::Result<core::Hash32> ParseTxHash(std::string_view text) {
  auto hash = core::Hash32::FromHex(text);
  if (!hash) {
    return Invalid("'" + std::string(text) +
                   "' is not a transaction hash (0x and 64 hex digits): " + hash.error().detail);
  }
  return *hash;
}

core::Result<std::string> ParseSymbol(std::string_view text) {
  if (core::Status s = contracts::ValidateSymbol(text); !s) {
    return Invalid("--symbol '" + std::string(text) + "': " + s.error().detail);
  }
  return std::string(text);
}

}  // namespace baylink::gateway
