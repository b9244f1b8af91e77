// SPDX-License-Identifier: Apache-2.0
//
// The chain data model of DESIGN §3: BlockHeader, CommitCertificate, ValidatorSet,
// Transaction, Receipt, Event. Each type has a canonical binary encoding (codec.h) used for
// hashing, signing and storage:
//   void Encode(Writer&) const;            appends the encoding
//   Bytes Encode() const;                  the encoding alone
//   static Result<T> Decode(Reader&);      reads one value (leaves the rest of the input)
//   static Result<T> Decode(ByteView);     reads exactly one value; trailing bytes rejected
// Decoding is strict: besides the codec's own errors it rejects values the data model forbids
// (listed per type) so that every accepted value re-encodes to the same bytes.
// Hashes are computed through a CryptoSuite and always recomputed by the verifier
// (never taken from a peer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::core {

// ---- limits of the data model ----------------------------------------------------------
inline constexpr std::uint32_t kMaxChainIdBytes = 32;
inline constexpr std::uint32_t kMaxNameBytes = 64;          // contract, method, event topic
inline constexpr std::uint32_t kMaxArgsBytes = 64u << 10;   // transaction arguments
inline constexpr std::uint32_t kMaxSignatureBytes = 65;     // the larger suite's signature
inline constexpr std::uint32_t kMaxValidators = 1024;
inline constexpr std::uint32_t kMaxOutputBytes = 1u << 20;  // receipt output
inline constexpr std::uint32_t kMaxEvents = 1024;           // events in one receipt
inline constexpr std::uint32_t kMaxEventDataBytes = 64u << 10;
inline constexpr std::uint32_t kMaxMessageBytes = 1024;     // receipt failure message
// Validator powers sum to at most this, so 3 * total never overflows a u64.
inline constexpr std::uint64_t kMaxTotalPower = std::uint64_t{1} << 60;
inline constexpr std::uint32_t kHeaderVersion = 1;

// A chain id is 1..32 characters of [a-z0-9-], starting with a letter or digit ("gd", "hk").
// Errors: kMalformed naming the offending character or length.
Status ValidateChainId(std::string_view chain_id);
// A contract, method or topic name is 1..64 characters of [A-Za-z0-9_.-].
// Errors: kMalformed.
Status ValidateName(std::string_view what, std::string_view name);

// ---- BlockHeader -----------------------------------------------------------------------
struct BlockHeader {
  std::uint32_t version = kHeaderVersion;
  std::string chain_id;
  std::uint64_t height = 0;
  std::uint64_t timestamp_ms = 0;  // milliseconds since the Unix epoch, set by the proposer
  Hash32 parent_hash;
  Hash32 tx_root;
  Hash32 receipt_root;
  Hash32 state_root;
  Hash32 validators_hash;       // ValidatorSet::Hash of the set that signs this header
  Hash32 next_validators_hash;  // ... of the set that signs height + 1
  std::uint32_t proposer = 0;   // index of the proposer in the signing set

  void Encode(Writer& w) const;
  Bytes Encode() const;
  // Errors: codec errors; kUnsupported (version other than kHeaderVersion); kMalformed
  // (chain id).
  static Result<BlockHeader> Decode(Reader& r);
  static Result<BlockHeader> Decode(ByteView data);
  // H(canonical encoding).
  Hash32 Hash(const CryptoSuite& suite) const;
  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

// ---- ValidatorSet ----------------------------------------------------------------------
struct Validator {
  PublicKey public_key;
  std::uint64_t power = 0;
  friend bool operator==(const Validator&, const Validator&) = default;
};

class ValidatorSet {
 public:
  ValidatorSet() = default;

  // Builds a set, checking it: 1..kMaxValidators entries, every power > 0, no public key
  // twice, total power <= kMaxTotalPower. The order given is the order of indices used by
  // certificates and proposers.
  // Errors: kMalformed (empty, zero power), kDuplicate (a key twice), kOversized (too many
  // entries or too much power).
  static Result<ValidatorSet> Create(std::vector<Validator> validators);

  const std::vector<Validator>& validators() const { return m_validators; }
  std::size_t size() const { return m_validators.size(); }
  std::uint64_t TotalPower() const { return m_total_power; }
  // Index of `key` in the set, or -1.
  std::int64_t IndexOf(const PublicKey& key) const;

  // Merkle root (merkle.h) over the encodings of the entries (public key || power), in order.
  Hash32 Hash(const CryptoSuite& suite) const;

  void Encode(Writer& w) const;
  Bytes Encode() const;
  // Errors: codec errors and those of Create.
  static Result<ValidatorSet> Decode(Reader& r);
  static Result<ValidatorSet> Decode(ByteView data);
  friend bool operator==(const ValidatorSet&, const ValidatorSet&) = default;

 private:
  std::vector<Validator> m_validators;
  std::uint64_t m_total_power = 0;
};

// ---- CommitCertificate -----------------------------------------------------------------
struct CommitSignature {
  std::uint32_t validator_index = 0;  // index in the header's ValidatorSet
  Bytes signature;                    // suite signature over CommitVoteDigest
  friend bool operator==(const CommitSignature&, const CommitSignature&) = default;
};

struct CommitCertificate {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  Hash32 header_hash;
  // Canonical order: strictly increasing validator_index, so an encoded certificate never
  // names a signer twice. (Verifiers still count each signer once; see light-clients.)
  std::vector<CommitSignature> signatures;

  void Encode(Writer& w) const;
  Bytes Encode() const;
  // Errors: codec errors; kOversized (more than kMaxValidators signatures, a signature over
  // kMaxSignatureBytes); kNonCanonical (indices not strictly increasing).
  static Result<CommitCertificate> Decode(Reader& r);
  static Result<CommitCertificate> Decode(ByteView data);
  friend bool operator==(const CommitCertificate&, const CommitCertificate&) = default;
};

// The digest each commit vote signs (DESIGN §3):
//   H("baylink/commit/v1" || chain_id || height || round || header_hash)
// with chain_id length-prefixed and integers big-endian, so a vote cannot be replayed on
// another chain, height or round.
// The sparse-tree key of `key` in `contract`'s state namespace (DESIGN §3): H over the
// canonical encoding of (contract as a length-prefixed text, then key's raw bytes), so no two
// (contract, key) pairs share an encoding.
Hash32 StateKey(const CryptoSuite& suite, std::string_view contract, ByteView key);

Hash32 CommitVoteDigest(const CryptoSuite& suite, std::string_view chain_id,
                        std::uint64_t height, std::uint32_t round, const Hash32& header_hash);

// ---- Transaction -----------------------------------------------------------------------
struct Transaction {
  std::string chain_id;
  std::uint64_t nonce = 0;
  std::uint64_t expiry_height = 0;  // last height at which the transaction may be included
  PublicKey sender;
  std::string contract;
  std::string method;
  Bytes args;
  Bytes signature;  // suite signature over Hash(); excluded from the hash

  // The encoding without the signature: what Hash() covers.
  void EncodeUnsigned(Writer& w) const;
  void Encode(Writer& w) const;
  Bytes Encode() const;
  // Errors: codec errors; kMalformed (chain id, contract or method name); kOversized (args
  // over kMaxArgsBytes, signature over kMaxSignatureBytes).
  static Result<Transaction> Decode(Reader& r);
  static Result<Transaction> Decode(ByteView data);
  // H(EncodeUnsigned): the transaction's id and what the sender signs.
  Hash32 Hash(const CryptoSuite& suite) const;
  // Fills `signature`. Errors: those of CryptoSuite::Sign.
  Status Sign(const CryptoSuite& suite, const SecretKey& secret);
  // Checks `signature` against `sender`. Errors: those of CryptoSuite::Verify.
  Status VerifySignature(const CryptoSuite& suite) const;
  friend bool operator==(const Transaction&, const Transaction&) = default;
};

// ---- Event and Receipt -----------------------------------------------------------------
struct Event {
  std::string contract;
  std::string topic;
  Bytes data;

  void Encode(Writer& w) const;
  // Errors: codec errors; kMalformed (names); kOversized (data).
  static Result<Event> Decode(Reader& r);
  friend bool operator==(const Event&, const Event&) = default;
};

enum class ReceiptStatus : std::uint8_t {
  kSuccess = 0,
  kFailed = 1,  // the call failed; its writes were rolled back; `message` says why
};
std::string_view ReceiptStatusName(ReceiptStatus status);  // "success" / "failed"

struct Receipt {
  Hash32 tx_hash;
  ReceiptStatus status = ReceiptStatus::kSuccess;
  std::string message;  // empty on success; on failure, what went wrong
  Bytes output;
  std::vector<Event> events;

  void Encode(Writer& w) const;
  Bytes Encode() const;
  // Errors: codec errors; kNonCanonical (unknown status, or a message on success);
  // kOversized (output, message, too many events).
  static Result<Receipt> Decode(Reader& r);
  static Result<Receipt> Decode(ByteView data);
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

}  // namespace baylink::core
