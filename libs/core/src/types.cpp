// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/types.h"

#include <unordered_set>

#include "baylink/core/merkle.h"

namespace baylink::core {
namespace {

bool IsChainIdChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

Result<std::string> ReadChainId(Reader& r) {
  BAYLINK_ASSIGN_OR_RETURN(std::string id, r.Text("chain_id", kMaxChainIdBytes));
  BAYLINK_TRY(ValidateChainId(id));
  return id;
}

Result<std::string> ReadName(Reader& r, std::string_view field) {
  BAYLINK_ASSIGN_OR_RETURN(std::string name, r.Text(field, kMaxNameBytes));
  BAYLINK_TRY(ValidateName(field, name));
  return name;
}

}  // namespace

Status ValidateChainId(std::string_view chain_id) {
  if (chain_id.empty() || chain_id.size() > kMaxChainIdBytes) {
    return Fail(Errc::kMalformed, "chain id must be 1 to " + std::to_string(kMaxChainIdBytes) +
                                      " characters, got " + std::to_string(chain_id.size()));
  }
  if (chain_id[0] == '-') return Fail(Errc::kMalformed, "chain id must not start with '-'");
  for (std::size_t i = 0; i < chain_id.size(); ++i) {
    if (!IsChainIdChar(chain_id[i])) {
      return Fail(Errc::kMalformed, "chain id has a character outside [a-z0-9-] at position " +
                                        std::to_string(i));
    }
  }
  return Ok();
}

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Fail(Errc::kMalformed, std::string(what) + " must be 1 to " +
                                      std::to_string(kMaxNameBytes) + " characters, got " +
                                      std::to_string(name.size()));
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i])) {
      return Fail(Errc::kMalformed, std::string(what) +
                                        " has a character outside [A-Za-z0-9_.-] at position " +
                                        std::to_string(i));
    }
  }
  return Ok();
}

// ---- BlockHeader -----------------------------------------------------------------------

void BlockHeader::Encode(Writer& w) const {
  w.U32(version).Text(chain_id).U64(height).U64(timestamp_ms);
  w.Fixed(parent_hash).Fixed(tx_root).Fixed(receipt_root).Fixed(state_root);
  w.Fixed(validators_hash).Fixed(next_validators_hash).U32(proposer);
}

Bytes BlockHeader::Encode() const { return EncodeValue(*this); }

Result<BlockHeader> BlockHeader::Decode(Reader& r) {
  BlockHeader h;
  BAYLINK_ASSIGN_OR_RETURN(h.version, r.U32("version"));
  if (h.version != kHeaderVersion) {
    return r.FieldError(Errc::kUnsupported, "version",
                        "is " + std::to_string(h.version) + "; this build reads version " +
                            std::to_string(kHeaderVersion));
  }
  BAYLINK_ASSIGN_OR_RETURN(h.chain_id, ReadChainId(r));
  BAYLINK_ASSIGN_OR_RETURN(h.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(h.timestamp_ms, r.U64("timestamp_ms"));
  BAYLINK_ASSIGN_OR_RETURN(h.parent_hash, r.Fixed<32>("parent_hash"));
  BAYLINK_ASSIGN_OR_RETURN(h.tx_root, r.Fixed<32>("tx_root"));
  BAYLINK_ASSIGN_OR_RETURN(h.receipt_root, r.Fixed<32>("receipt_root"));
  BAYLINK_ASSIGN_OR_RETURN(h.state_root, r.Fixed<32>("state_root"));
  BAYLINK_ASSIGN_OR_RETURN(h.validators_hash, r.Fixed<32>("validators_hash"));
  BAYLINK_ASSIGN_OR_RETURN(h.next_validators_hash, r.Fixed<32>("next_validators_hash"));
  BAYLINK_ASSIGN_OR_RETURN(h.proposer, r.U32("proposer"));
  return h;
}

Result<BlockHeader> BlockHeader::Decode(ByteView data) {
  return DecodeExactly<BlockHeader>(data, "header");
}

Hash32 BlockHeader::Hash(const CryptoSuite& suite) const { return suite.Hash(Encode()); }

// ---- ValidatorSet ----------------------------------------------------------------------

Result<ValidatorSet> ValidatorSet::Create(std::vector<Validator> validators) {
  if (validators.empty()) return Fail(Errc::kMalformed, "validator set is empty");
  if (validators.size() > kMaxValidators) {
    return Fail(Errc::kOversized, "validator set has " + std::to_string(validators.size()) +
                                      " entries, above the limit of " +
                                      std::to_string(kMaxValidators));
  }
  std::unordered_set<PublicKey> seen;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < validators.size(); ++i) {
    const Validator& v = validators[i];
    if (v.power == 0) {
      return Fail(Errc::kMalformed, "validator " + std::to_string(i) + " has zero power");
    }
    if (!seen.insert(v.public_key).second) {
      return Fail(Errc::kDuplicate, "validator " + std::to_string(i) + " repeats public key " +
                                        v.public_key.ToHex().substr(0, 18) + "..");
    }
    if (v.power > kMaxTotalPower - total) {
      return Fail(Errc::kOversized, "validator powers sum above the limit of 2^60");
    }
    total += v.power;
  }
  ValidatorSet set;
  set.m_validators = std::move(validators);
  set.m_total_power = total;
  return set;
}

std::int64_t ValidatorSet::IndexOf(const PublicKey& key) const {
  for (std::size_t i = 0; i < m_validators.size(); ++i) {
    if (m_validators[i].public_key == key) return static_cast<std::int64_t>(i);
  }
  return -1;
}

Hash32 ValidatorSet::Hash(const CryptoSuite& suite) const {
  std::vector<Hash32> leaves;
  leaves.reserve(m_validators.size());
  for (const Validator& v : m_validators) {
    Writer w(PublicKey::kSize + 8);
    w.Fixed(v.public_key).U64(v.power);
    leaves.push_back(merkle::LeafHash(suite, w.bytes()));
  }
  return merkle::RootOfLeafHashes(suite, leaves);
}

void ValidatorSet::Encode(Writer& w) const {
  w.Count(m_validators.size());
  for (const Validator& v : m_validators) w.Fixed(v.public_key).U64(v.power);
}

Bytes ValidatorSet::Encode() const { return EncodeValue(*this); }

Result<ValidatorSet> ValidatorSet::Decode(Reader& r) {
  BAYLINK_ASSIGN_OR_RETURN(std::uint32_t n,
                           r.Count("validators", kMaxValidators, PublicKey::kSize + 8));
  std::vector<Validator> validators(n);
  for (Validator& v : validators) {
    BAYLINK_ASSIGN_OR_RETURN(v.public_key, r.Fixed<64>("validator.public_key"));
    BAYLINK_ASSIGN_OR_RETURN(v.power, r.U64("validator.power"));
  }
  return Create(std::move(validators));
}

Result<ValidatorSet> ValidatorSet::Decode(ByteView data) {
  return DecodeExactly<ValidatorSet>(data, "validator set");
}

// ---- CommitCertificate -----------------------------------------------------------------

void CommitCertificate::Encode(Writer& w) const {
  w.U64(height).U32(round).Fixed(header_hash).Count(signatures.size());
  for (const CommitSignature& s : signatures) w.U32(s.validator_index).Blob(s.signature);
}

Bytes CommitCertificate::Encode() const { return EncodeValue(*this); }

Result<CommitCertificate> CommitCertificate::Decode(Reader& r) {
  CommitCertificate c;
  BAYLINK_ASSIGN_OR_RETURN(c.height, r.U64("height"));
  BAYLINK_ASSIGN_OR_RETURN(c.round, r.U32("round"));
  BAYLINK_ASSIGN_OR_RETURN(c.header_hash, r.Fixed<32>("header_hash"));
  BAYLINK_ASSIGN_OR_RETURN(std::uint32_t n, r.Count("signatures", kMaxValidators, 8));
  c.signatures.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    CommitSignature& s = c.signatures[i];
    BAYLINK_ASSIGN_OR_RETURN(s.validator_index, r.U32("signature.validator_index"));
    if (i > 0 && s.validator_index <= c.signatures[i - 1].validator_index) {
      return r.FieldError(Errc::kNonCanonical, "signature.validator_index",
                          "is " + std::to_string(s.validator_index) + " after " +
                              std::to_string(c.signatures[i - 1].validator_index) +
                              "; indices must strictly increase");
    }
    BAYLINK_ASSIGN_OR_RETURN(s.signature, r.Blob("signature.signature", kMaxSignatureBytes));
  }
  return c;
}

Result<CommitCertificate> CommitCertificate::Decode(ByteView data) {
  return DecodeExactly<CommitCertificate>(data, "commit certificate");
}

Hash32 CommitVoteDigest(const CryptoSuite& suite, std::string_view chain_id,
                        std::uint64_t height, std::uint32_t round, const Hash32& header_hash) {
  Writer w(96);
  w.Raw(AsBytes("baylink/commit/v1")).Text(chain_id).U64(height).U32(round).Fixed(header_hash);
  return suite.Hash(w.bytes());
}

// ---- Transaction -----------------------------------------------------------------------

void Transaction::EncodeUnsigned(Writer& w) const {
  w.Text(chain_id).U64(nonce).U64(expiry_height).Fixed(sender);
  w.Text(contract).Text(method).Blob(args);
}

void Transaction::Encode(Writer& w) const {
  EncodeUnsigned(w);
  w.Blob(signature);
}

Bytes Transaction::Encode() const { return EncodeValue(*this); }

Result<Transaction> Transaction::Decode(Reader& r) {
  Transaction t;
  BAYLINK_ASSIGN_OR_RETURN(t.chain_id, ReadChainId(r));
  BAYLINK_ASSIGN_OR_RETURN(t.nonce, r.U64("nonce"));
  BAYLINK_ASSIGN_OR_RETURN(t.expiry_height, r.U64("expiry_height"));
  BAYLINK_ASSIGN_OR_RETURN(t.sender, r.Fixed<64>("sender"));
  BAYLINK_ASSIGN_OR_RETURN(t.contract, ReadName(r, "contract"));
  BAYLINK_ASSIGN_OR_RETURN(t.method, ReadName(r, "method"));
  BAYLINK_ASSIGN_OR_RETURN(t.args, r.Blob("args", kMaxArgsBytes));
  BAYLINK_ASSIGN_OR_RETURN(t.signature, r.Blob("signature", kMaxSignatureBytes));
  return t;
}

Result<Transaction> Transaction::Decode(ByteView data) {
  return DecodeExactly<Transaction>(data, "transaction");
}

Hash32 Transaction::Hash(const CryptoSuite& suite) const {
  Writer w(160 + args.size());
  EncodeUnsigned(w);
  return suite.Hash(w.bytes());
}

Status Transaction::Sign(const CryptoSuite& suite, const SecretKey& secret) {
  const Hash32 digest = Hash(suite);
  BAYLINK_ASSIGN_OR_RETURN(signature, suite.Sign(secret, digest.view()));
  return Ok();
}

Status Transaction::VerifySignature(const CryptoSuite& suite) const {
  const Hash32 digest = Hash(suite);
  return suite.Verify(sender, digest.view(), signature);
}

// ---- Event and Receipt -----------------------------------------------------------------

void Event::Encode(Writer& w) const { w.Text(contract).Text(topic).Blob(data); }

Result<Event> Event::Decode(Reader& r) {
  Event e;
  BAYLINK_ASSIGN_OR_RETURN(e.contract, ReadName(r, "event.contract"));
  BAYLINK_ASSIGN_OR_RETURN(e.topic, ReadName(r, "event.topic"));
  BAYLINK_ASSIGN_OR_RETURN(e.data, r.Blob("event.data", kMaxEventDataBytes));
  return e;
}

std::string_view ReceiptStatusName(ReceiptStatus status) {
  switch (status) {
    case ReceiptStatus::kSuccess: return "success";
    case ReceiptStatus::kFailed: return "failed";
  }
  return "unknown";
}

void Receipt::Encode(Writer& w) const {
  w.Fixed(tx_hash).U8(static_cast<std::uint8_t>(status)).Text(message).Blob(output);
  w.Count(events.size());
  for (const Event& e : events) e.Encode(w);
}

Bytes Receipt::Encode() const { return EncodeValue(*this); }

Result<Receipt> Receipt::Decode(Reader& r) {
  Receipt rc;
  BAYLINK_ASSIGN_OR_RETURN(rc.tx_hash, r.Fixed<32>("tx_hash"));
  BAYLINK_ASSIGN_OR_RETURN(std::uint8_t status, r.U8("status"));
  if (status > static_cast<std::uint8_t>(ReceiptStatus::kFailed)) {
    return r.FieldError(Errc::kNonCanonical, "status",
                        "is " + std::to_string(status) + "; known values are 0 and 1");
  }
  rc.status = static_cast<ReceiptStatus>(status);
  BAYLINK_ASSIGN_OR_RETURN(rc.message, r.Text("message", kMaxMessageBytes));
  if (rc.status == ReceiptStatus::kSuccess && !rc.message.empty()) {
    return r.FieldError(Errc::kNonCanonical, "message", "must be empty on success");
  }
  BAYLINK_ASSIGN_OR_RETURN(rc.output, r.Blob("output", kMaxOutputBytes));
  // An event is at least three 4-byte lengths plus two 1-byte names.
  BAYLINK_ASSIGN_OR_RETURN(std::uint32_t n, r.Count("events", kMaxEvents, 14));
  rc.events.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(Event e, Event::Decode(r));
    rc.events.push_back(std::move(e));
  }
  return rc;
}

Result<Receipt> Receipt::Decode(ByteView data) { return DecodeExactly<Receipt>(data, "receipt"); }

Hash32 StateKey(const CryptoSuite& suite, std::string_view contract, ByteView key) {
  Writer w(4 + contract.size() + key.size());
  w.Text(contract).Raw(key);
  return suite.Hash(w.bytes());
}

}  // namespace baylink::core
