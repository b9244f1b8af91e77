// SPDX-License-Identifier: Apache-2.0
//
// The `system` contract: chain parameters, written once at genesis, and the validator set,
// written at genesis and changed by governance (system.h lists the methods, the state layout
// and the order of their checks).
#include "baylink/contracts/system.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "internal.h"

namespace baylink::contracts {

using core::Bytes;
using core::ByteView;
using core::Errc;
using core::Fail;
using core::PublicKey;
using core::Result;
using core::ValidatorSet;

namespace {

constexpr std::string_view kNextIdKey = "gov/next_id";
constexpr std::string_view kOpenKey = "gov/open";
constexpr std::string_view kSetPrefix = "gov/set/";
constexpr std::string_view kApprovalsPrefix = "gov/approvals/";

// "gov/set/" or "gov/approvals/" followed by the id, 8 bytes big-endian.
Bytes ProposalKey(std::string_view prefix, std::uint64_t id) {
  core::Writer w(prefix.size() + 8);
  w.Raw(core::AsBytes(prefix)).U64(id);
  return std::move(w).Take();
}

// Governance state is written only by this contract; a value that does not decode means the
// state is damaged, a local failure (kStorage), not the caller's fault.
core::Error DamagedState(std::string_view what, const core::Error& cause) {
  return Fail(Errc::kStorage, "system state is damaged: " + std::string(what) +
                                  " does not decode: " + cause.Message());
}

// "gov/open" lists a proposal whose own keys are absent: written together, so never.
core::Error MissingState(std::string_view what) {
  return Fail(Errc::kStorage, "system state is damaged: " + std::string(what) + " is missing");
}

// One entry of "gov/open": the facts of a proposal that never change while it is stored.
struct OpenEntry {
  std::uint64_t id = 0;
  PublicKey proposer;
  std::uint64_t proposed_height = 0;
  std::uint64_t expiry_height = 0;
};

struct OpenList {
  std::vector<OpenEntry> entries;  // ids strictly increasing

  void Encode(core::Writer& w) const {
    w.Count(entries.size());
    for (const OpenEntry& e : entries) {
      w.U64(e.id).Fixed(e.proposer).U64(e.proposed_height).U64(e.expiry_height);
    }
  }

  static Result<OpenList> Decode(core::Reader& r) {
    OpenList out;
    BAYLINK_ASSIGN_OR_RETURN(std::uint32_t n, r.Count("open", kMaxOpenValidatorProposals,
                                                      8 + PublicKey::kSize + 8 + 8));
    out.entries.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      OpenEntry& e = out.entries[i];
      BAYLINK_ASSIGN_OR_RETURN(e.id, r.U64("open.id"));
      if (i > 0 && e.id <= out.entries[i - 1].id) {
        return r.FieldError(Errc::kNonCanonical, "open.id", "does not increase");
      }
      BAYLINK_ASSIGN_OR_RETURN(e.proposer, r.Fixed<PublicKey::kSize>("open.proposer"));
      BAYLINK_ASSIGN_OR_RETURN(e.proposed_height, r.U64("open.proposed_height"));
      BAYLINK_ASSIGN_OR_RETURN(e.expiry_height, r.U64("open.expiry_height"));
    }
    return out;
  }

  // The entry with `id`, or nullptr.
  const OpenEntry* Find(std::uint64_t id) const {
    for (const OpenEntry& e : entries) {
      if (e.id == id) return &e;
    }
    return nullptr;
  }
};

// A list of approving keys, as stored under "gov/approvals/<id>".
struct Approvals {
  std::vector<PublicKey> keys;

  void Encode(core::Writer& w) const {
    w.Count(keys.size());
    for (const PublicKey& k : keys) w.Fixed(k);
  }

  static Result<Approvals> Decode(core::Reader& r) {
    Approvals out;
    BAYLINK_ASSIGN_OR_RETURN(std::uint32_t n,
                             r.Count("approvers", core::kMaxValidators, PublicKey::kSize));
    out.keys.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      BAYLINK_ASSIGN_OR_RETURN(out.keys[i], r.Fixed<PublicKey::kSize>("approver"));
    }
    // Distinct keys: a key counted twice would count its power twice.
    std::vector<PublicKey> sorted = out.keys;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return r.FieldError(Errc::kDuplicate, "approver",
                          "names " + std::adjacent_find(sorted.begin(), sorted.end())->ToHex() +
                              " twice");
    }
    return out;
  }

  bool Contains(const PublicKey& key) const {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  }
};

// The args of approve and proposal.
struct IdArgs {
  std::uint64_t id = 0;
  static Result<IdArgs> Decode(core::Reader& r) {
    IdArgs out;
    BAYLINK_ASSIGN_OR_RETURN(out.id, r.U64("id"));
    return out;
  }
};

// DESIGN §4: more than 2/3 of the current power. Both sides are at most 3 * kMaxTotalPower
// < 2^62, so nothing overflows, and nothing is rounded.
bool Passes(std::uint64_t approved_power, std::uint64_t total_power) {
  return 3 * approved_power > 2 * total_power;
}

// The power in `set` of the approvers that are members of it. The sum runs over the set in
// its own order (a vector, never an unordered container), and the keys are distinct, so no
// power counts twice.
std::uint64_t ApprovedPower(const ValidatorSet& set, const Approvals& approvals) {
  std::vector<PublicKey> sorted = approvals.keys;
  std::sort(sorted.begin(), sorted.end());
  std::uint64_t power = 0;
  for (const core::Validator& v : set.validators()) {
    if (std::binary_search(sorted.begin(), sorted.end(), v.public_key)) power += v.power;
  }
  return power;
}

std::string PowerText(std::uint64_t approved, std::uint64_t total) {
  return std::to_string(approved) + " of " + std::to_string(total);
}

template <class T>
core::Status CheckRange(std::string_view field, T value, T min, T max) {
  if (value >= min && value <= max) return core::Ok();
  return Fail(Errc::kInvalidArgument, "chain params: " + std::string(field) + " is " +
                                          std::to_string(value) + "; allowed " +
                                          std::to_string(min) + ".." + std::to_string(max));
}

class SystemContract final : public Contract {
 public:
  std::string_view name() const override { return kSystemContract; }

  std::vector<std::string> methods() const override {
    return {"approve", "init", "params", "proposal", "propose", "validators"};
  }

  Result<Bytes> Invoke(CallContext& context, std::string_view method, ByteView args) override {
    if (method == "init") return Init(context, args);
    if (method == "params") return Read(context, method, args, kSystemParamsKey);
    if (method == "validators") return Read(context, method, args, kSystemValidatorsKey);
    if (method == "propose") return Propose(context, args);
    if (method == "approve") return Approve(context, args);
    if (method == "proposal") return Proposal(context, args);
    return UnknownMethod(*this, method);
  }

 private:
  struct InitArgs {
    ChainParams params;
    core::ValidatorSet validators;

    static Result<InitArgs> Decode(core::Reader& r) {
      InitArgs out;
      BAYLINK_ASSIGN_OR_RETURN(out.params, ChainParams::Decode(r));
      BAYLINK_ASSIGN_OR_RETURN(out.validators, core::ValidatorSet::Decode(r));
      return out;
    }
  };

  Result<Bytes> Init(CallContext& context, ByteView args) {
    // 1. Who and when, before looking at anything the caller sent: only the genesis block's
    //    own transaction may set up the chain, never a contract acting for someone.
    if (!context.caller_contract().empty()) {
      return Fail(Errc::kUnauthorized, "system.init may not be called by a contract (called by " +
                                           std::string(context.caller_contract()) +
                                           "); only the genesis transaction calls it");
    }
    if (context.height() != 0) {
      return Fail(Errc::kUnauthorized,
                  "system.init runs only in the genesis block (height 0); this is height " +
                      std::to_string(context.height()));
    }
    // 2. Once only: a second init in the genesis would silently replace the first.
    BAYLINK_ASSIGN_OR_RETURN(auto existing, context.Get(core::AsBytes(kSystemParamsKey)));
    if (existing.has_value()) {
      return Fail(Errc::kDuplicate, "system is already initialised; init runs once, at genesis");
    }
    // 3-5. The arguments: decodable, parameters in range, keys on the chain's curve.
    BAYLINK_ASSIGN_OR_RETURN(InitArgs init,
                             detail::DecodeArgs<InitArgs>(args, kSystemContract, "init"));
    BAYLINK_TRY(init.params.Validate());
    const std::vector<core::Validator>& validators = init.validators.validators();
    for (std::size_t i = 0; i < validators.size(); ++i) {
      if (auto valid = context.suite().ValidatePublicKey(validators[i].public_key); !valid) {
        return Fail(valid.error().code, "system.init: validator " + std::to_string(i) +
                                            " (key " + validators[i].public_key.ToHex() +
                                            ") is not valid on suite " +
                                            std::string(context.suite().Name()) + ": " +
                                            valid.error().detail);
      }
    }
    BAYLINK_TRY(context.Put(core::AsBytes(kSystemParamsKey), init.params.Encode()));
    BAYLINK_TRY(context.Put(core::AsBytes(kSystemValidatorsKey), init.validators.Encode()));
    return Bytes{};
  }

  // The stored encoding as written by init (or, for "validators", by a governance change):
  // it was validated before it was written.
  Result<Bytes> Read(CallContext& context, std::string_view method, ByteView args,
                     std::string_view key) {
    BAYLINK_TRY(detail::RequireNoArgs(args, kSystemContract, method));
    BAYLINK_ASSIGN_OR_RETURN(auto value, context.Get(core::AsBytes(key)));
    if (!value.has_value()) {
      return Fail(Errc::kNotFound, "system." + std::string(method) +
                                       ": the system contract is not initialised (the genesis "
                                       "block must call system.init)");
    }
    return std::move(*value);
  }

  // ---- Governance (system.h: propose, approve, proposal) --------------------------------

  // The checks every governance write shares: a direct call (step 1 of propose and approve).
  static core::Status RequireDirectCall(CallContext& context, std::string_view method) {
    if (context.caller_contract().empty()) return core::Ok();
    return Fail(Errc::kUnauthorized,
                "system." + std::string(method) + " may not be called by a contract (called by " +
                    std::string(context.caller_contract()) +
                    "); a validator calls it directly in its own transaction");
  }

  static Result<ValidatorSet> ReadCurrentSet(CallContext& context, std::string_view method) {
    BAYLINK_ASSIGN_OR_RETURN(auto raw, context.Get(core::AsBytes(kSystemValidatorsKey)));
    if (!raw.has_value()) {
      return Fail(Errc::kNotFound, "system." + std::string(method) +
                                       ": the system contract is not initialised (the genesis "
                                       "block must call system.init)");
    }
    auto set = ValidatorSet::Decode(*raw);
    if (!set) return DamagedState("the validator set", set.error());
    return std::move(*set);
  }

  // The key of the current validator whose address is the sender's. Step "the sender is a
  // validator of the current set" of propose and approve.
  static Result<PublicKey> RequireValidator(CallContext& context, std::string_view method,
                                            const ValidatorSet& current) {
    for (const core::Validator& v : current.validators()) {
      if (context.suite().ToAddress(v.public_key) == context.sender()) return v.public_key;
    }
    return Fail(Errc::kUnauthorized,
                "system." + std::string(method) + ": the sender " + context.sender().ToHex() +
                    " is not a validator of the current set (" +
                    std::to_string(current.size()) +
                    " validators); only a current validator may " + std::string(method) +
                    " a validator set change");
  }

  static Result<OpenList> ReadOpen(CallContext& context) {
    BAYLINK_ASSIGN_OR_RETURN(auto raw, context.Get(core::AsBytes(kOpenKey)));
    if (!raw.has_value()) return OpenList{};
    auto open = core::DecodeExactly<OpenList>(*raw, "open proposals");
    if (!open) return DamagedState("the list of open proposals", open.error());
    return std::move(*open);
  }

  static core::Status WriteOpen(CallContext& context, const OpenList& open) {
    if (open.entries.empty()) return context.Delete(core::AsBytes(kOpenKey));
    return context.Put(core::AsBytes(kOpenKey), core::EncodeValue(open));
  }

  static Result<Approvals> ReadApprovals(CallContext& context, std::uint64_t id) {
    BAYLINK_ASSIGN_OR_RETURN(auto raw, context.Get(ProposalKey(kApprovalsPrefix, id)));
    if (!raw.has_value()) {
      return MissingState("the approval list of open proposal " + std::to_string(id));
    }
    auto approvals = core::DecodeExactly<Approvals>(*raw, "approvals");
    if (!approvals) {
      return DamagedState("the approval list of proposal " + std::to_string(id),
                          approvals.error());
    }
    return std::move(*approvals);
  }

  static Result<ValidatorSet> ReadProposedSet(CallContext& context, std::uint64_t id) {
    BAYLINK_ASSIGN_OR_RETURN(auto raw, context.Get(ProposalKey(kSetPrefix, id)));
    if (!raw.has_value()) {
      return MissingState("the new set of open proposal " + std::to_string(id));
    }
    auto set = ValidatorSet::Decode(*raw);
    if (!set) return DamagedState("the new set of proposal " + std::to_string(id), set.error());
    return std::move(*set);
  }

  static core::Status DeleteProposal(CallContext& context, std::uint64_t id) {
    BAYLINK_TRY(context.Delete(ProposalKey(kSetPrefix, id)));
    return context.Delete(ProposalKey(kApprovalsPrefix, id));
  }

  // Installs `new_set` (the chain rotates at the next height) and announces it. The caller
  // removes the proposal's own state.
  static core::Status Install(CallContext& context, std::uint64_t id,
                              const ValidatorSet& new_set) {
    BAYLINK_TRY(context.Put(core::AsBytes(kSystemValidatorsKey), new_set.Encode()));
    core::Writer event;
    event.U64(id).Fixed(new_set.Hash(context.suite()));
    return context.Emit(kValidatorSetChangedEvent, event.bytes());
  }

  static Bytes EncodeBool(bool value) {
    core::Writer w;
    w.Bool(value);
    return std::move(w).Take();
  }

  static Result<Bytes> Propose(CallContext& context, ByteView args) {
    // 1-3. Who, before decoding up to 64 KiB of arguments: outsiders are refused cheaply.
    BAYLINK_TRY(RequireDirectCall(context, "propose"));
    BAYLINK_ASSIGN_OR_RETURN(ValidatorSet current, ReadCurrentSet(context, "propose"));
    BAYLINK_ASSIGN_OR_RETURN(PublicKey proposer, RequireValidator(context, "propose", current));
    // 4. The set decodes exactly, so ValidatorSet::Create's rules hold.
    BAYLINK_ASSIGN_OR_RETURN(ValidatorSet new_set,
                             detail::DecodeArgs<ValidatorSet>(args, kSystemContract, "propose"));
    // 5. Every key on the chain's curve: a set with a key nobody can sign for would lose
    //    that validator's power for good.
    const std::vector<core::Validator>& validators = new_set.validators();
    for (std::size_t i = 0; i < validators.size(); ++i) {
      if (auto valid = context.suite().ValidatePublicKey(validators[i].public_key); !valid) {
        return Fail(valid.error().code, "system.propose: validator " + std::to_string(i) +
                                            " (key " + validators[i].public_key.ToHex() +
                                            ") is not valid on suite " +
                                            std::string(context.suite().Name()) + ": " +
                                            valid.error().detail);
      }
    }
    // 6. It must fit under "validators", or approving it would fail at the last step.
    const Bytes encoded = new_set.Encode();
    if (encoded.size() > kMaxStateValueBytes) {
      return Fail(Errc::kOversized,
                  "system.propose: the new set has " + std::to_string(new_set.size()) +
                      " validators; at most " + std::to_string(kMaxValidatorsInState) +
                      " fit in the contract's state");
    }
    // 7. A no-op would only use a slot.
    if (new_set == current) {
      return Fail(Errc::kInvalidArgument,
                  "system.propose: the new set equals the current set; nothing would change");
    }
    // 8. Room: expired proposals leave first, so that stale ones never hold slots.
    BAYLINK_ASSIGN_OR_RETURN(OpenList open, ReadOpen(context));
    OpenList live;
    for (const OpenEntry& e : open.entries) {
      if (context.height() > e.expiry_height) {
        BAYLINK_TRY(DeleteProposal(context, e.id));
      } else {
        live.entries.push_back(e);
      }
    }
    std::size_t mine = 0;
    for (const OpenEntry& e : live.entries) {
      if (e.proposer != proposer) continue;
      if (++mine >= kMaxOpenProposalsPerValidator) {
        return Fail(Errc::kFull, "system.propose: validator " + proposer.ToHex() +
                                     " already has open proposal " + std::to_string(e.id) +
                                     " (a validator may have " +
                                     std::to_string(kMaxOpenProposalsPerValidator) +
                                     " open); wait until it is applied or expires after height " +
                                     std::to_string(e.expiry_height));
      }
    }
    if (live.entries.size() >= kMaxOpenValidatorProposals) {
      return Fail(Errc::kFull, "system.propose: " + std::to_string(live.entries.size()) +
                                   " proposals are open, the most allowed; retry after one is "
                                   "applied or expires (the first expires after height " +
                                   std::to_string(live.entries.front().expiry_height) + ")");
    }

    // The id: counted up, never reused, so approvals can never land on a different set.
    std::uint64_t id = 1;
    BAYLINK_ASSIGN_OR_RETURN(auto next_raw, context.Get(core::AsBytes(kNextIdKey)));
    if (next_raw.has_value()) {
      auto next = core::DecodeExactly<IdArgs>(*next_raw, "next proposal id");
      if (!next) return DamagedState("the next proposal id", next.error());
      id = next->id;
    }
    if (id == UINT64_MAX) {
      return Fail(Errc::kOversized, "system.propose: proposal ids are used up");
    }
    BAYLINK_TRY(context.Put(core::AsBytes(kNextIdKey), EncodeApproveArgs(id + 1)));
    BAYLINK_TRY(context.Emit(kValidatorSetProposedEvent, EncodeApproveArgs(id)));

    Approvals approvals;
    approvals.keys.push_back(proposer);
    if (Passes(ApprovedPower(current, approvals), current.TotalPower())) {
      // Nobody else's approval is needed; storing the proposal would leave it waiting for
      // an approval that cannot come from the proposer (kDuplicate).
      BAYLINK_TRY(WriteOpen(context, live));
      BAYLINK_TRY(Install(context, id, new_set));
      return EncodeApproveArgs(id);
    }

    const std::uint64_t height = context.height();
    const std::uint64_t expiry = height > UINT64_MAX - kValidatorProposalLifetime
                                     ? UINT64_MAX
                                     : height + kValidatorProposalLifetime;
    live.entries.push_back(OpenEntry{id, proposer, height, expiry});
    BAYLINK_TRY(WriteOpen(context, live));
    BAYLINK_TRY(context.Put(ProposalKey(kSetPrefix, id), encoded));
    BAYLINK_TRY(context.Put(ProposalKey(kApprovalsPrefix, id), core::EncodeValue(approvals)));
    return EncodeApproveArgs(id);
  }

  static Result<Bytes> Approve(CallContext& context, ByteView args) {
    // 1-4. Who and what, as system.h lists them.
    BAYLINK_TRY(RequireDirectCall(context, "approve"));
    BAYLINK_ASSIGN_OR_RETURN(IdArgs a, detail::DecodeArgs<IdArgs>(args, kSystemContract,
                                                                  "approve"));
    BAYLINK_ASSIGN_OR_RETURN(ValidatorSet current, ReadCurrentSet(context, "approve"));
    BAYLINK_ASSIGN_OR_RETURN(PublicKey approver, RequireValidator(context, "approve", current));
    // 5-6. The proposal is there and still open.
    BAYLINK_ASSIGN_OR_RETURN(OpenList open, ReadOpen(context));
    const OpenEntry* found = open.Find(a.id);
    if (found == nullptr) {
      return Fail(Errc::kNotFound, "system.approve: no proposal " + std::to_string(a.id) +
                                       " is open (never made, already applied, or expired and "
                                       "removed)");
    }
    const OpenEntry entry = *found;
    if (context.height() > entry.expiry_height) {
      return Fail(Errc::kExpired, "system.approve: proposal " + std::to_string(a.id) +
                                      " expired after height " +
                                      std::to_string(entry.expiry_height) + "; this is height " +
                                      std::to_string(context.height()) +
                                      "; propose the set again");
    }
    // 7. Approvals are counted against the current set, which may have changed since they
    //    were given: those of keys that left it are dropped (they do not count, and dropping
    //    them keeps the list within the set's size).
    BAYLINK_ASSIGN_OR_RETURN(Approvals stored, ReadApprovals(context, a.id));
    const bool repeated = stored.Contains(approver);
    Approvals approvals;
    for (const PublicKey& k : stored.keys) {
      if (current.IndexOf(k) >= 0) approvals.keys.push_back(k);
    }
    if (!repeated) approvals.keys.push_back(approver);
    const std::uint64_t approved = ApprovedPower(current, approvals);
    if (Passes(approved, current.TotalPower())) {
      BAYLINK_ASSIGN_OR_RETURN(ValidatorSet new_set, ReadProposedSet(context, a.id));
      BAYLINK_TRY(DeleteProposal(context, a.id));
      std::erase_if(open.entries, [&](const OpenEntry& e) { return e.id == a.id; });
      BAYLINK_TRY(WriteOpen(context, open));
      BAYLINK_TRY(Install(context, a.id, new_set));
      return EncodeBool(true);
    }
    if (repeated) {
      return Fail(Errc::kDuplicate, "system.approve: validator " + approver.ToHex() +
                                        " already approved proposal " + std::to_string(a.id) +
                                        "; its approvals hold " +
                                        PowerText(approved, current.TotalPower()) +
                                        " of the current power, and more than 2/3 is needed");
    }
    BAYLINK_TRY(context.Put(ProposalKey(kApprovalsPrefix, a.id), core::EncodeValue(approvals)));
    return EncodeBool(false);
  }

  static Result<Bytes> Proposal(CallContext& context, ByteView args) {
    BAYLINK_ASSIGN_OR_RETURN(IdArgs a, detail::DecodeArgs<IdArgs>(args, kSystemContract,
                                                                  "proposal"));
    BAYLINK_ASSIGN_OR_RETURN(OpenList open, ReadOpen(context));
    const OpenEntry* entry = open.Find(a.id);
    if (entry == nullptr) {
      return Fail(Errc::kNotFound, "system.proposal: no proposal " + std::to_string(a.id) +
                                       " is stored (never made, already applied, or expired and "
                                       "removed)");
    }
    ValidatorSetProposal out;
    out.id = entry->id;
    out.proposer = entry->proposer;
    out.proposed_height = entry->proposed_height;
    out.expiry_height = entry->expiry_height;
    BAYLINK_ASSIGN_OR_RETURN(out.new_validators, ReadProposedSet(context, a.id));
    BAYLINK_ASSIGN_OR_RETURN(Approvals approvals, ReadApprovals(context, a.id));
    out.approvers = std::move(approvals.keys);
    return out.Encode();
  }
};

}  // namespace

void ChainParams::Encode(core::Writer& w) const {
  w.U64(block_interval_ms).U32(max_block_txs).U32(max_block_bytes).U32(max_tx_bytes);
  w.U64(history_heights).U64(heartbeat_ms);
}

Bytes ChainParams::Encode() const { return core::EncodeValue(*this); }

Result<ChainParams> ChainParams::Decode(core::Reader& r) {
  ChainParams p;
  BAYLINK_ASSIGN_OR_RETURN(p.block_interval_ms, r.U64("block_interval_ms"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_block_txs, r.U32("max_block_txs"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_block_bytes, r.U32("max_block_bytes"));
  BAYLINK_ASSIGN_OR_RETURN(p.max_tx_bytes, r.U32("max_tx_bytes"));
  BAYLINK_ASSIGN_OR_RETURN(p.history_heights, r.U64("history_heights"));
  BAYLINK_ASSIGN_OR_RETURN(p.heartbeat_ms, r.U64("heartbeat_ms"));
  return p;
}

core::Status ChainParams::Validate() const {
  BAYLINK_TRY(CheckRange("block_interval_ms", block_interval_ms, kMinBlockIntervalMs,
                         kMaxBlockIntervalMs));
  BAYLINK_TRY(CheckRange("max_block_txs", max_block_txs, kMinBlockTxs, kMaxBlockTxs));
  BAYLINK_TRY(CheckRange("max_block_bytes", max_block_bytes, kMinBlockBytes, kMaxBlockBytes));
  BAYLINK_TRY(CheckRange("max_tx_bytes", max_tx_bytes, kMinTxBytes, kMaxTxBytes));
  BAYLINK_TRY(
      CheckRange("history_heights", history_heights, kMinHistoryHeights, kMaxHistoryHeights));
  BAYLINK_TRY(CheckRange("heartbeat_ms", heartbeat_ms, kMinBlockIntervalMs, kMaxHeartbeatMs));
  if (max_tx_bytes > max_block_bytes) {
    return Fail(Errc::kInvalidArgument,
                "chain params: max_tx_bytes is " + std::to_string(max_tx_bytes) +
                    "; allowed " + std::to_string(kMinTxBytes) + ".." +
                    std::to_string(max_block_bytes) +
                    " (at most max_block_bytes, or no transaction of that size fits a block)");
  }
  if (heartbeat_ms < block_interval_ms) {
    return Fail(Errc::kInvalidArgument,
                "chain params: heartbeat_ms is " + std::to_string(heartbeat_ms) + "; allowed " +
                    std::to_string(block_interval_ms) + ".." + std::to_string(kMaxHeartbeatMs) +
                    " (at least block_interval_ms)");
  }
  return core::Ok();
}

void ValidatorSetProposal::Encode(core::Writer& w) const {
  w.U64(id).Fixed(proposer).U64(proposed_height).U64(expiry_height);
  new_validators.Encode(w);
  Approvals{approvers}.Encode(w);
}

Bytes ValidatorSetProposal::Encode() const { return core::EncodeValue(*this); }

Result<ValidatorSetProposal> ValidatorSetProposal::Decode(core::Reader& r) {
  ValidatorSetProposal p;
  BAYLINK_ASSIGN_OR_RETURN(p.id, r.U64("id"));
  BAYLINK_ASSIGN_OR_RETURN(p.proposer, r.Fixed<PublicKey::kSize>("proposer"));
  BAYLINK_ASSIGN_OR_RETURN(p.proposed_height, r.U64("proposed_height"));
  BAYLINK_ASSIGN_OR_RETURN(p.expiry_height, r.U64("expiry_height"));
  BAYLINK_ASSIGN_OR_RETURN(p.new_validators, ValidatorSet::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(Approvals approvals, Approvals::Decode(r));
  p.approvers = std::move(approvals.keys);
  return p;
}

Bytes EncodeProposeArgs(const ValidatorSet& new_validators) { return new_validators.Encode(); }

Bytes EncodeApproveArgs(std::uint64_t id) {
  core::Writer w(8);
  w.U64(id);
  return std::move(w).Take();
}

Result<std::uint64_t> DecodeProposalId(ByteView output) {
  BAYLINK_ASSIGN_OR_RETURN(IdArgs decoded, core::DecodeExactly<IdArgs>(output, "proposal id"));
  return decoded.id;
}

Result<bool> DecodeApproveOutput(ByteView output) {
  core::Reader r(output, "approve output");
  BAYLINK_ASSIGN_OR_RETURN(bool applied, r.Bool("applied"));
  BAYLINK_TRY(r.Finish());
  return applied;
}

std::unique_ptr<Contract> MakeSystemContract() { return std::make_unique<SystemContract>(); }

Bytes EncodeSystemInit(const ChainParams& params, const core::ValidatorSet& validators) {
  core::Writer w;
  params.Encode(w);
  validators.Encode(w);
  return std::move(w).Take();
}

}  // namespace baylink::contracts
