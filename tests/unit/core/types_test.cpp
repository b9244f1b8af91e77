// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"
#include "types_fixtures.h"

using namespace baylink::core;
using baylink::testing::RandomHash;
using baylink::testing::SampleHeader;
using baylink::testing::SampleReceipt;
using baylink::testing::Seed;
using baylink::testing::TestRandom;

namespace types_test {
namespace {

std::unique_ptr<CryptoSuite> Suite(SuiteId id) { return baylink::crypto::MakeSuite(id); }

ValidatorSet SampleSet(const CryptoSuite& suite, TestRandom& rng, int n) {
  std::vector<Validator> vs;
  for (int i = 0; i < n; ++i) {
    vs.push_back(Validator{suite.GenerateKey(rng).public_key, 1 + rng.Below(100)});
  }
  return ValidatorSet::Create(std::move(vs)).value();
}

Transaction SampleTx(const CryptoSuite& suite, TestRandom& rng, SecretKey& secret_out) {
  KeyPair kp = suite.GenerateKey(rng);
  Transaction t;
  t.chain_id = "hk";
  t.nonce = 7;
  t.expiry_height = 1000;
  t.sender = kp.public_key;
  t.contract = "asset";
  t.method = "transfer";
  t.args = Bytes{1, 2, 3, 4};
  REQUIRE(t.Sign(suite, kp.secret));
  secret_out = kp.secret;
  return t;
}

// Every single-byte flip of `encoded` is either refused by Decode or decodes to a value whose
// hash differs: no flip yields the same value (so a signed or certified hash catches it).
template <class T, class HashFn>
void ExpectEveryFlipRejectedOrChanged(const Bytes& encoded, HashFn hash_of) {
  const T original = T::Decode(encoded).value();
  const Hash32 original_hash = hash_of(original);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes mutated = encoded;
      mutated[i] ^= mask;
      auto decoded = T::Decode(mutated);
      if (decoded) {
        CHECK_MESSAGE(hash_of(*decoded) != original_hash, "flip at byte " << i);
        CHECK(decoded->Encode() == mutated);  // whatever decodes is canonical
      }
    }
  }
}

}  // namespace

TEST_CASE("chain types round-trip through the canonical codec") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kEcdsa);
  const BlockHeader h = SampleHeader(rng);
  CHECK(BlockHeader::Decode(h.Encode()).value() == h);

  const ValidatorSet set = SampleSet(*suite, rng, 7);
  CHECK(ValidatorSet::Decode(set.Encode()).value() == set);

  CommitCertificate c{h.height, 2, h.Hash(*suite), {}};
  for (std::uint32_t i : {0u, 2u, 5u}) c.signatures.push_back({i, Bytes(65, static_cast<std::uint8_t>(i))});
  CHECK(CommitCertificate::Decode(c.Encode()).value() == c);

  SecretKey sk;
  const Transaction t = SampleTx(*suite, rng, sk);
  CHECK(Transaction::Decode(t.Encode()).value() == t);

  const Receipt r = SampleReceipt(rng);
  CHECK(Receipt::Decode(r.Encode()).value() == r);
}

TEST_CASE("header hash is the suite hash of its encoding and differs between suites") {
  TestRandom rng(Seed());
  const BlockHeader h = SampleHeader(rng);
  auto sm = Suite(SuiteId::kSm);
  auto ecdsa = Suite(SuiteId::kEcdsa);
  CHECK(h.Hash(*sm) == sm->Hash(h.Encode()));
  CHECK(h.Hash(*ecdsa) == ecdsa->Hash(h.Encode()));
  CHECK(h.Hash(*sm) != h.Hash(*ecdsa));
}

TEST_CASE("every single-byte flip of an encoded header or certificate is refused or changes its hash") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kSm);
  const BlockHeader h = SampleHeader(rng);
  ExpectEveryFlipRejectedOrChanged<BlockHeader>(
      h.Encode(), [&](const BlockHeader& x) { return x.Hash(*suite); });
  CommitCertificate c{h.height, 1, h.Hash(*suite), {{0, Bytes(64, 1)}, {3, Bytes(64, 2)}}};
  ExpectEveryFlipRejectedOrChanged<CommitCertificate>(
      c.Encode(), [&](const CommitCertificate& x) { return suite->Hash(x.Encode()); });
  const ValidatorSet set = SampleSet(*suite, rng, 4);
  ExpectEveryFlipRejectedOrChanged<ValidatorSet>(
      set.Encode(), [&](const ValidatorSet& x) { return x.Hash(*suite); });
}

TEST_CASE("every single-byte flip of a signed transaction is refused by decode or by its signature") {
  TestRandom rng(Seed());
  for (SuiteId id : {SuiteId::kSm, SuiteId::kEcdsa}) {
    auto suite = Suite(id);
    SecretKey sk;
    const Transaction t = SampleTx(*suite, rng, sk);
    REQUIRE(t.VerifySignature(*suite));
    const Bytes encoded = t.Encode();
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      Bytes mutated = encoded;
      mutated[i] ^= 0x01;
      auto decoded = Transaction::Decode(mutated);
      if (decoded) CHECK_MESSAGE(!decoded->VerifySignature(*suite), "flip at byte " << i);
    }
  }
}

TEST_CASE("transaction hash excludes the signature") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kEcdsa);
  SecretKey sk;
  Transaction t = SampleTx(*suite, rng, sk);
  const Hash32 before = t.Hash(*suite);
  t.signature.assign(65, 0);
  CHECK(t.Hash(*suite) == before);
  t.nonce += 1;
  CHECK(t.Hash(*suite) != before);
}

TEST_CASE("commit vote digest binds chain id, height, round and header hash") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kEcdsa);
  const Hash32 hh = RandomHash(rng);
  const Hash32 base = CommitVoteDigest(*suite, "gd", 10, 0, hh);
  CHECK(base == CommitVoteDigest(*suite, "gd", 10, 0, hh));
  CHECK(base != CommitVoteDigest(*suite, "hk", 10, 0, hh));
  CHECK(base != CommitVoteDigest(*suite, "gd", 11, 0, hh));
  CHECK(base != CommitVoteDigest(*suite, "gd", 10, 1, hh));
  CHECK(base != CommitVoteDigest(*suite, "gd", 10, 0, RandomHash(rng)));
}

TEST_CASE("header decoding rejects an unknown version and a bad chain id") {
  TestRandom rng(Seed());
  BlockHeader h = SampleHeader(rng);
  h.version = 2;
  auto v = BlockHeader::Decode(h.Encode());
  REQUIRE_FALSE(v);
  CHECK(v.error().code == Errc::kUnsupported);

  for (const char* bad : {"", "GD", "g d", "-gd", "a-very-long-chain-identifier-of-33"}) {
    BlockHeader x = SampleHeader(rng);
    x.chain_id = bad;
    auto d = BlockHeader::Decode(x.Encode());
    REQUIRE_FALSE(d);
    CHECK_MESSAGE((d.error().code == Errc::kMalformed || d.error().code == Errc::kOversized),
                  bad);
  }
  CHECK(ValidateChainId("gd"));
  CHECK(ValidateChainId("macau-2"));
}

TEST_CASE("validator sets refuse emptiness, zero power, a repeated key and too much power") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kEcdsa);
  const PublicKey a = suite->GenerateKey(rng).public_key;
  const PublicKey b = suite->GenerateKey(rng).public_key;
  CHECK(ValidatorSet::Create({}).error().code == Errc::kMalformed);
  CHECK(ValidatorSet::Create({{a, 0}}).error().code == Errc::kMalformed);
  CHECK(ValidatorSet::Create({{a, 1}, {a, 2}}).error().code == Errc::kDuplicate);
  CHECK(ValidatorSet::Create({{a, kMaxTotalPower}, {b, 1}}).error().code == Errc::kOversized);
  const ValidatorSet ok = ValidatorSet::Create({{a, 3}, {b, 4}}).value();
  CHECK(ok.TotalPower() == 7);
  CHECK(ok.IndexOf(b) == 1);

  // The same checks run on decode.
  Writer w;
  w.Count(2).Fixed(a).U64(1).Fixed(a).U64(1);
  CHECK(ValidatorSet::Decode(w.bytes()).error().code == Errc::kDuplicate);
  Writer many;
  many.Count(kMaxValidators + 1);
  CHECK(ValidatorSet::Decode(many.bytes()).error().code == Errc::kOversized);
}

TEST_CASE("validator set hash depends on order and power") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kSm);
  const PublicKey a = suite->GenerateKey(rng).public_key;
  const PublicKey b = suite->GenerateKey(rng).public_key;
  const Hash32 ab = ValidatorSet::Create({{a, 1}, {b, 1}}).value().Hash(*suite);
  CHECK(ab != ValidatorSet::Create({{b, 1}, {a, 1}}).value().Hash(*suite));
  CHECK(ab != ValidatorSet::Create({{a, 1}, {b, 2}}).value().Hash(*suite));
  CHECK(ab == ValidatorSet::Create({{a, 1}, {b, 1}}).value().Hash(*suite));
}

TEST_CASE("certificate decoding refuses repeated or unordered signers and oversized signatures") {
  CommitCertificate c;
  c.signatures = {{1, Bytes(64, 1)}, {1, Bytes(64, 2)}};
  auto dup = CommitCertificate::Decode(c.Encode());
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == Errc::kNonCanonical);
  c.signatures = {{2, Bytes(64, 1)}, {1, Bytes(64, 2)}};
  CHECK(CommitCertificate::Decode(c.Encode()).error().code == Errc::kNonCanonical);
  c.signatures = {{0, Bytes(66, 1)}};
  CHECK(CommitCertificate::Decode(c.Encode()).error().code == Errc::kOversized);
}

TEST_CASE("transaction decoding refuses bad names, oversized args and trailing bytes") {
  TestRandom rng(Seed());
  auto suite = Suite(SuiteId::kEcdsa);
  SecretKey sk;
  Transaction t = SampleTx(*suite, rng, sk);
  Transaction bad_contract = t;
  bad_contract.contract = "as set";
  CHECK(Transaction::Decode(bad_contract.Encode()).error().code == Errc::kMalformed);
  Transaction empty_method = t;
  empty_method.method = "";
  CHECK(Transaction::Decode(empty_method.Encode()).error().code == Errc::kMalformed);
  Transaction big = t;
  big.args.assign(kMaxArgsBytes + 1, 0);
  CHECK(Transaction::Decode(big.Encode()).error().code == Errc::kOversized);
  Bytes padded = t.Encode();
  padded.push_back(0);
  CHECK(Transaction::Decode(padded).error().code == Errc::kTrailingBytes);
}

TEST_CASE("receipt decoding refuses an unknown status and a message on success") {
  TestRandom rng(Seed());
  Receipt r = SampleReceipt(rng);
  Bytes enc = r.Encode();
  enc[32] = 7;  // status byte follows the 32-byte tx hash
  CHECK(Receipt::Decode(enc).error().code == Errc::kNonCanonical);
  r.status = ReceiptStatus::kSuccess;
  CHECK(Receipt::Decode(r.Encode()).error().code == Errc::kNonCanonical);
  r.message.clear();
  CHECK(Receipt::Decode(r.Encode()));
  Receipt bad_event = SampleReceipt(rng);
  bad_event.events[0].topic = "";
  CHECK(Receipt::Decode(bad_event.Encode()).error().code == Errc::kMalformed);
}

}  // namespace types_test
