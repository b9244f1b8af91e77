// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/json.h"

#include <set>

namespace baylink::core::json {
namespace {

// Runs the type's own binary checks on a value built from JSON, so both forms accept the
// same set of values.
template <class T>
Result<T> Recheck(const T& value) {
  Writer w;
  value.Encode(w);
  return T::Decode(ByteView(w.bytes()));
}

Result<Event> EventFromJson(const Json& j) {
  ObjectReader o(j, "event");
  BAYLINK_TRY(o.Begin());
  Event e;
  BAYLINK_ASSIGN_OR_RETURN(e.contract, o.String("contract"));
  BAYLINK_ASSIGN_OR_RETURN(e.topic, o.String("topic"));
  BAYLINK_ASSIGN_OR_RETURN(e.data, o.Hex("data"));
  BAYLINK_TRY(o.Done());
  Writer w;
  e.Encode(w);
  Reader r(w.bytes(), "event");
  return Event::Decode(r);
}

}  // namespace

Json ToJson(const BlockHeader& h) {
  return Json{{"version", h.version},
              {"chain_id", h.chain_id},
              {"height", h.height},
              {"timestamp_ms", h.timestamp_ms},
              {"parent_hash", h.parent_hash.ToHex()},
              {"tx_root", h.tx_root.ToHex()},
              {"receipt_root", h.receipt_root.ToHex()},
              {"state_root", h.state_root.ToHex()},
              {"validators_hash", h.validators_hash.ToHex()},
              {"next_validators_hash", h.next_validators_hash.ToHex()},
              {"proposer", h.proposer}};
}

Json ToJson(const ValidatorSet& set) {
  Json validators = Json::array();
  for (const Validator& v : set.validators()) {
    validators.push_back(Json{{"public_key", v.public_key.ToHex()}, {"power", v.power}});
  }
  return Json{{"validators", std::move(validators)}};
}

Json ToJson(const CommitCertificate& c) {
  Json sigs = Json::array();
  for (const CommitSignature& s : c.signatures) {
    sigs.push_back(Json{{"validator_index", s.validator_index}, {"signature", ToHex(s.signature)}});
  }
  return Json{{"height", c.height},
              {"round", c.round},
              {"header_hash", c.header_hash.ToHex()},
              {"signatures", std::move(sigs)}};
}

Json ToJson(const Transaction& t) {
  return Json{{"chain_id", t.chain_id},         {"nonce", t.nonce},
              {"expiry_height", t.expiry_height}, {"sender", t.sender.ToHex()},
              {"contract", t.contract},          {"method", t.method},
              {"args", ToHex(t.args)},           {"signature", ToHex(t.signature)}};
}

Json ToJson(const Event& e) {
  return Json{{"contract", e.contract}, {"topic", e.topic}, {"data", ToHex(e.data)}};
}

Json ToJson(const Receipt& r) {
  Json events = Json::array();
  for (const Event& e : r.events) events.push_back(ToJson(e));
  return Json{{"tx_hash", r.tx_hash.ToHex()},
              {"status", std::string(ReceiptStatusName(r.status))},
              {"message", r.message},
              {"output", ToHex(r.output)},
              {"events", std::move(events)}};
}

template <>
Result<BlockHeader> FromJson<BlockHeader>(const Json& j) {
  ObjectReader o(j, "header");
  BAYLINK_TRY(o.Begin());
  BlockHeader h;
  BAYLINK_ASSIGN_OR_RETURN(h.version, o.U32("version"));
  BAYLINK_ASSIGN_OR_RETURN(h.chain_id, o.String("chain_id"));
  BAYLINK_ASSIGN_OR_RETURN(h.height, o.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(h.timestamp_ms, o.U64("timestamp_ms"));
  BAYLINK_ASSIGN_OR_RETURN(h.parent_hash, o.Fixed<32>("parent_hash"));
  BAYLINK_ASSIGN_OR_RETURN(h.tx_root, o.Fixed<32>("tx_root"));
  BAYLINK_ASSIGN_OR_RETURN(h.receipt_root, o.Fixed<32>("receipt_root"));
  BAYLINK_ASSIGN_OR_RETURN(h.state_root, o.Fixed<32>("state_root"));
  BAYLINK_ASSIGN_OR_RETURN(h.validators_hash, o.Fixed<32>("validators_hash"));
  BAYLINK_ASSIGN_OR_RETURN(h.next_validators_hash, o.Fixed<32>("next_validators_hash"));
  BAYLINK_ASSIGN_OR_RETURN(h.proposer, o.U32("proposer"));
  BAYLINK_TRY(o.Done());
  return Recheck(h);
}

template <>
Result<ValidatorSet> FromJson<ValidatorSet>(const Json& j) {
  ObjectReader o(j, "validator set");
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const Json* arr, o.Array("validators", kMaxValidators));
  std::vector<Validator> validators;
  for (const Json& item : *arr) {
    ObjectReader v(item, "validator");
    BAYLINK_TRY(v.Begin());
    Validator val;
    BAYLINK_ASSIGN_OR_RETURN(val.public_key, v.Fixed<64>("public_key"));
    BAYLINK_ASSIGN_OR_RETURN(val.power, v.U64("power"));
    BAYLINK_TRY(v.Done());
    validators.push_back(val);
  }
  BAYLINK_TRY(o.Done());
  return ValidatorSet::Create(std::move(validators));
}

template <>
Result<CommitCertificate> FromJson<CommitCertificate>(const Json& j) {
  ObjectReader o(j, "commit certificate");
  BAYLINK_TRY(o.Begin());
  CommitCertificate c;
  BAYLINK_ASSIGN_OR_RETURN(c.height, o.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(c.round, o.U32("round"));
  BAYLINK_ASSIGN_OR_RETURN(c.header_hash, o.Fixed<32>("header_hash"));
  BAYLINK_ASSIGN_OR_RETURN(const Json* arr, o.Array("signatures", kMaxValidators));
  for (const Json& item : *arr) {
    ObjectReader s(item, "commit signature");
    BAYLINK_TRY(s.Begin());
    CommitSignature sig;
    BAYLINK_ASSIGN_OR_RETURN(sig.validator_index, s.U32("validator_index"));
    BAYLINK_ASSIGN_OR_RETURN(sig.signature, s.Hex("signature"));
    BAYLINK_TRY(s.Done());
    c.signatures.push_back(std::move(sig));
  }
  BAYLINK_TRY(o.Done());
  return Recheck(c);
}

template <>
Result<Transaction> FromJson<Transaction>(const Json& j) {
  ObjectReader o(j, "transaction");
  BAYLINK_TRY(o.Begin());
  Transaction t;
  BAYLINK_ASSIGN_OR_RETURN(t.chain_id, o.String("chain_id"));
  BAYLINK_ASSIGN_OR_RETURN(t.nonce, o.U64("nonce"));
  BAYLINK_ASSIGN_OR_RETURN(t.expiry_height, o.U64("expiry_height"));
  BAYLINK_ASSIGN_OR_RETURN(t.sender, o.Fixed<64>("sender"));
  BAYLINK_ASSIGN_OR_RETURN(t.contract, o.String("contract"));
  BAYLINK_ASSIGN_OR_RETURN(t.method, o.String("method"));
  BAYLINK_ASSIGN_OR_RETURN(t.args, o.Hex("args"));
  BAYLINK_ASSIGN_OR_RETURN(t.signature, o.Hex("signature"));
  BAYLINK_TRY(o.Done());
  return Recheck(t);
}

template <>
Result<Event> FromJson<Event>(const Json& j) {
  return EventFromJson(j);
}

template <>
Result<Receipt> FromJson<Receipt>(const Json& j) {
  ObjectReader o(j, "receipt");
  BAYLINK_TRY(o.Begin());
  Receipt r;
  BAYLINK_ASSIGN_OR_RETURN(r.tx_hash, o.Fixed<32>("tx_hash"));
  BAYLINK_ASSIGN_OR_RETURN(std::string status, o.String("status"));
  if (status == "success") {
    r.status = ReceiptStatus::kSuccess;
  } else if (status == "failed") {
    r.status = ReceiptStatus::kFailed;
  } else {
    return o.Err(Errc::kMalformed, "status", "must be \"success\" or \"failed\"");
  }
  BAYLINK_ASSIGN_OR_RETURN(r.message, o.String("message"));
  BAYLINK_ASSIGN_OR_RETURN(r.output, o.Hex("output"));
  BAYLINK_ASSIGN_OR_RETURN(const Json* arr, o.Array("events", kMaxEvents));
  for (const Json& item : *arr) {
    BAYLINK_ASSIGN_OR_RETURN(Event e, EventFromJson(item));
    r.events.push_back(std::move(e));
  }
  BAYLINK_TRY(o.Done());
  return Recheck(r);
}

Result<Json> Parse(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Fail(Errc::kOversized, "JSON text is " + std::to_string(text.size()) +
                                      " bytes, above the limit of " + std::to_string(max_bytes));
  }
  // nlohmann keeps the last of two equal keys and nests without limit; both are refused here
  // because a strict API must not let two readers of one request see different values.
  struct Refused {
    Error error;
  };
  std::vector<std::set<std::string, std::less<>>> keys;
  auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth > kMaxJsonDepth) {
      throw Refused{Fail(Errc::kOversized, "JSON nests deeper than " +
                                               std::to_string(kMaxJsonDepth) + " levels")};
    }
    if (event == Json::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      keys.pop_back();
    } else if (event == Json::parse_event_t::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(key).second) {
        throw Refused{Fail(Errc::kMalformed, "JSON object repeats the key '" + key + "'")};
      }
    }
    return true;
  };
  // nlohmann throws on bad input; this adapter is where that stops (STYLE "Errors").
  try {
    return Json::parse(text, check);
  } catch (const Refused& refused) {
    return refused.error;
  } catch (const Json::exception& e) {
    return Fail(Errc::kMalformed, std::string("JSON does not parse: ") + e.what());
  }
}

}  // namespace baylink::core::json
