// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/merkle.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "merkle_test_suite.h"
#include "test_random.h"

namespace baylink::core::merkle {
namespace merkle_test {
namespace {

using testing::Seed;
using testing::TestRandom;
using testing::TreeTestSuites;

// ---- the reference: RFC 6962 §2.1 written out recursively, sharing no code with merkle.cpp --

std::uint64_t LargestPowerOfTwoBelow(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash32 RefLeaf(const CryptoSuite& suite, const Bytes& data) {
  Bytes input{0x00};
  input.insert(input.end(), data.begin(), data.end());
  return suite.Hash(input);
}

Hash32 RefNode(const CryptoSuite& suite, const Hash32& left, const Hash32& right) {
  Bytes input{0x01};
  input.insert(input.end(), left.bytes.begin(), left.bytes.end());
  input.insert(input.end(), right.bytes.begin(), right.bytes.end());
  return suite.Hash(input);
}

// MTH(D[n])
Hash32 RefTree(const CryptoSuite& suite, std::span<const Bytes> d) {
  if (d.empty()) return Hash32{};
  if (d.size() == 1) return RefLeaf(suite, d[0]);
  const std::size_t k = LargestPowerOfTwoBelow(d.size());
  return RefNode(suite, RefTree(suite, d.first(k)), RefTree(suite, d.subspan(k)));
}

// The published root: H(0x02 || n as u64 big-endian || MTH(D[n])), zero for no leaves.
Hash32 RefRoot(const CryptoSuite& suite, std::span<const Bytes> d) {
  if (d.empty()) return Hash32{};
  Bytes input{0x02};
  for (int i = 7; i >= 0; --i) input.push_back(static_cast<std::uint8_t>(d.size() >> (8 * i)));
  const Hash32 tree = RefTree(suite, d);
  input.insert(input.end(), tree.bytes.begin(), tree.bytes.end());
  return suite.Hash(input);
}

// PATH(m, D[n]), leaf side first.
std::vector<Hash32> RefPath(const CryptoSuite& suite, std::size_t m, std::span<const Bytes> d) {
  if (d.size() <= 1) return {};
  const std::size_t k = LargestPowerOfTwoBelow(d.size());
  std::vector<Hash32> path;
  if (m < k) {
    path = RefPath(suite, m, d.first(k));
    path.push_back(RefTree(suite, d.subspan(k)));
  } else {
    path = RefPath(suite, m - k, d.subspan(k));
    path.push_back(RefTree(suite, d.first(k)));
  }
  return path;
}

std::vector<Bytes> RandomLeaves(TestRandom& rng, std::size_t n) {
  std::vector<Bytes> leaves(n);
  for (Bytes& leaf : leaves) {
    leaf.resize(rng.Below(48));  // empty leaves included
    rng.Fill(leaf);
  }
  return leaves;
}

std::vector<Hash32> LeafHashes(const CryptoSuite& suite, std::span<const Bytes> leaves) {
  std::vector<Hash32> out;
  for (const Bytes& leaf : leaves) out.push_back(LeafHash(suite, leaf));
  return out;
}

Bytes EncodeProof(const InclusionProof& proof) {
  Writer w;
  proof.Encode(w);
  return std::move(w).Take();
}

Result<InclusionProof> DecodeProof(ByteView bytes) {
  Reader r(bytes, "test proof");
  BAYLINK_ASSIGN_OR_RETURN(InclusionProof proof, InclusionProof::Decode(r));
  BAYLINK_TRY(r.Finish());
  return proof;
}

// Decode then verify, as a light client receiving the proof bytes would.
Status DecodeAndVerify(const CryptoSuite& suite, const Hash32& root, ByteView leaf,
                       ByteView encoded) {
  BAYLINK_ASSIGN_OR_RETURN(InclusionProof proof, DecodeProof(encoded));
  return VerifyInclusion(suite, root, leaf, proof);
}

Errc CodeOf(const Status& s) { return s ? Errc{} : s.error().code; }
template <class T>
Errc CodeOf(const Result<T>& r) {
  return r ? Errc{} : r.error().code;
}

std::vector<std::size_t> InterestingSizes(TestRandom& rng) {
  std::vector<std::size_t> sizes = {0, 1, 2, 3, 4, 5, 6, 7};
  for (std::size_t p = 8; p <= 256; p *= 2) {
    sizes.insert(sizes.end(), {p - 1, p, p + 1});
  }
  for (int i = 0; i < 3; ++i) sizes.push_back(257 + rng.Below(300));
  return sizes;
}

TEST_CASE("merkle roots and proofs equal the RFC 6962 definition for many tree sizes") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    for (const std::size_t n : InterestingSizes(rng)) {
      INFO("leaf count " << n);
      const std::vector<Bytes> leaves = RandomLeaves(rng, n);
      const std::vector<Hash32> hashes = LeafHashes(*suite, leaves);
      const Hash32 root = Root(*suite, leaves);
      CHECK(root == RefRoot(*suite, leaves));
      CHECK(RootOfLeafHashes(*suite, hashes) == root);
      // Every index of small trees; a sample of larger ones (the reference is quadratic).
      const std::size_t step = n <= 70 ? 1 : n / 23;
      for (std::size_t i = 0; i < n; i += step) {
        INFO("index " << i);
        auto proof = Prove(*suite, hashes, i);
        REQUIRE(proof);
        CHECK(proof->index == i);
        CHECK(proof->leaf_count == n);
        CHECK(proof->path == RefPath(*suite, i, leaves));
        CHECK(PathLength(i, n) == proof->path.size());
        CHECK(VerifyInclusion(*suite, root, leaves[i], *proof));
        CHECK(VerifyInclusionOfLeafHash(*suite, root, hashes[i], *proof));
      }
    }
  }
}

TEST_CASE("merkle root of no leaves is the zero hash and of one leaf commits to its leaf hash") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    CHECK(Root(*suite, std::span<const Bytes>()) == Hash32{});
    CHECK(RootOfLeafHashes(*suite, std::span<const Hash32>()) == Hash32{});
    const std::vector<Bytes> one = {ToBytes("only")};
    Bytes count_one{0x02, 0, 0, 0, 0, 0, 0, 0, 1};
    const Hash32 only = LeafHash(*suite, one[0]);
    count_one.insert(count_one.end(), only.bytes.begin(), only.bytes.end());
    CHECK(Root(*suite, one) == suite->Hash(count_one));
    const Bytes prefixed = {0x00, 'o', 'n', 'l', 'y'};
    CHECK(LeafHash(*suite, one[0]) == suite->Hash(prefixed));
    auto proof = Prove(*suite, LeafHashes(*suite, one), 0);
    REQUIRE(proof);
    CHECK(proof->path.empty());
    CHECK(VerifyInclusion(*suite, Root(*suite, one), one[0], *proof));
  }
}

TEST_CASE("merkle leaves and inner nodes are domain separated") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    const std::vector<Bytes> leaves = {ToBytes("a"), ToBytes("b")};
    const Hash32 a = LeafHash(*suite, leaves[0]);
    const Hash32 b = LeafHash(*suite, leaves[1]);
    const Hash32 root = Root(*suite, leaves);
    Bytes count_two{0x02, 0, 0, 0, 0, 0, 0, 0, 2};
    const Hash32 top = NodeHash(*suite, a, b);
    count_two.insert(count_two.end(), top.bytes.begin(), top.bytes.end());
    CHECK(root == suite->Hash(count_two));
    // The inner node's preimage, presented as leaf data, is not the root's one-leaf tree.
    Bytes inner(a.bytes.begin(), a.bytes.end());
    inner.insert(inner.end(), b.bytes.begin(), b.bytes.end());
    CHECK(LeafHash(*suite, inner) != root);
    Bytes with_tag{0x01};
    with_tag.insert(with_tag.end(), inner.begin(), inner.end());
    CHECK(LeafHash(*suite, with_tag) != root);
  }
}

TEST_CASE("merkle tree never duplicates a leaf, so [a, b, c] and [a, b, c, c] differ") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    const std::vector<Bytes> three = {ToBytes("a"), ToBytes("b"), ToBytes("c")};
    const std::vector<Bytes> four = {ToBytes("a"), ToBytes("b"), ToBytes("c"), ToBytes("c")};
    const Hash32 root3 = Root(*suite, three);
    CHECK(root3 != Root(*suite, four));
    // The CVE-2012-2459 forgery: "c is leaf 3" under the three-leaf root.
    auto forged = Prove(*suite, LeafHashes(*suite, four), 3);
    REQUIRE(forged);
    CHECK_FALSE(VerifyInclusion(*suite, root3, four[3], *forged));
    // Nor does the real proof of leaf 2 pass as leaf 3 of four leaves.
    auto real = Prove(*suite, LeafHashes(*suite, three), 2);
    REQUIRE(real);
    InclusionProof shifted = *real;
    shifted.index = 3;
    shifted.leaf_count = 4;
    CHECK_FALSE(VerifyInclusion(*suite, root3, three[2], shifted));
  }
}

TEST_CASE("merkle root binds the leaf count, so a proof under another count is rejected") {
  // Without the count in the root, leaf 0 of four would also verify as "leaf 0 of 3" and
  // leaf 3 as "leaf 5 of 6" (the same turns from the top of the shape).
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    const std::vector<Bytes> four = {ToBytes("a"), ToBytes("b"), ToBytes("c"), ToBytes("d")};
    const Hash32 root = Root(*suite, four);
    const std::vector<Hash32> hashes = LeafHashes(*suite, four);
    auto first = Prove(*suite, hashes, 0);
    auto last = Prove(*suite, hashes, 3);
    REQUIRE(first);
    REQUIRE(last);
    InclusionProof first_of_three = *first;
    first_of_three.leaf_count = 3;
    CHECK(CodeOf(VerifyInclusion(*suite, root, four[0], first_of_three)) == Errc::kBadProof);
    InclusionProof fifth_of_six = *last;
    fifth_of_six.index = 5;
    fifth_of_six.leaf_count = 6;
    CHECK(CodeOf(VerifyInclusion(*suite, root, four[3], fifth_of_six)) == Errc::kBadProof);
    // With the count fixed, the index is bound: no other index of four leaves verifies.
    for (std::uint64_t index = 0; index < 4; ++index) {
      InclusionProof moved = *last;
      moved.index = index;
      CHECK(static_cast<bool>(VerifyInclusion(*suite, root, four[3], moved)) == (index == 3));
    }
  }
}

TEST_CASE("merkle path length follows the tree shape up to 2^64 - 1 leaves") {
  CHECK(PathLength(0, 1) == 0);
  CHECK(PathLength(0, 2) == 1);
  CHECK(PathLength(2, 3) == 1);  // the promoted right leaf
  CHECK(PathLength(0, 3) == 2);
  CHECK(PathLength(4, 5) == 1);
  CHECK(PathLength(0, 1u << 16) == 16);
  CHECK(PathLength(0, UINT64_MAX) == 64);
  // The last leaf: the right subtrees have 2^63 - 1, 2^62 - 1, ..., 1 leaves.
  CHECK(PathLength(UINT64_MAX - 1, UINT64_MAX) == 63);
  CHECK(PathLength(UINT64_MAX / 2, UINT64_MAX) == 64);  // the last of the left 2^63
  TestRandom rng(Seed());
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t count = 1 + rng.Next() % UINT64_MAX;
    CHECK(PathLength(rng.Below(count), count) <= kMaxPath);
  }
}

TEST_CASE("merkle proof codec round-trips: encode(decode(x)) == x") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    for (const std::size_t n : {1, 2, 3, 10, 64, 65, 300}) {
      const std::vector<Bytes> leaves = RandomLeaves(rng, n);
      const std::vector<Hash32> hashes = LeafHashes(*suite, leaves);
      const std::uint64_t index = rng.Below(n);
      auto proof = Prove(*suite, hashes, index);
      REQUIRE(proof);
      const Bytes encoded = EncodeProof(*proof);
      CHECK(encoded.size() == 8 + 8 + 4 + 32 * proof->path.size());
      auto decoded = DecodeProof(encoded);
      REQUIRE(decoded);
      CHECK(*decoded == *proof);
      CHECK(EncodeProof(*decoded) == encoded);
    }
  }
}

TEST_CASE("merkle proof verification rejects any flipped byte of the proof, leaf or root") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name << ", seed " << Seed());
    TestRandom rng(Seed());
    for (const std::size_t n : {1, 2, 3, 7, 8, 9, 33, 128}) {
      const std::vector<Bytes> leaves = RandomLeaves(rng, n);
      const std::vector<Hash32> hashes = LeafHashes(*suite, leaves);
      const Hash32 root = Root(*suite, leaves);
      for (const std::uint64_t index : {std::uint64_t{0}, rng.Below(n), n - 1}) {
        INFO("leaf " << index << " of " << n);
        auto proof = Prove(*suite, hashes, index);
        REQUIRE(proof);
        const Bytes encoded = EncodeProof(*proof);
        const Bytes& leaf = leaves[index];
        REQUIRE(DecodeAndVerify(*suite, root, leaf, encoded));
        for (const std::uint8_t flip :
             {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xff}}) {
          for (std::size_t i = 0; i < encoded.size(); ++i) {
            INFO("proof byte " << i << " ^ " << int{flip});
            Bytes mutated = encoded;
            mutated[i] ^= flip;
            if (!DecodeAndVerify(*suite, root, leaf, mutated)) continue;
            // Accepted: then it must still state a fact. The root binds the count, so only
            // a changed index can pass, and only where another leaf holds the same data.
            const InclusionProof accepted = DecodeProof(mutated).value();
            CHECK(accepted.leaf_count == n);
            CHECK(accepted.index < n);
            CHECK(leaves[accepted.index] == leaf);
          }
          for (std::size_t i = 0; i < leaf.size(); ++i) {
            Bytes mutated = leaf;
            mutated[i] ^= flip;
            CHECK(CodeOf(DecodeAndVerify(*suite, root, mutated, encoded)) == Errc::kBadProof);
          }
          for (std::size_t i = 0; i < Hash32::kSize; ++i) {
            Hash32 mutated = root;
            mutated.bytes[i] ^= flip;
            CHECK(CodeOf(DecodeAndVerify(*suite, mutated, leaf, encoded)) == Errc::kBadProof);
          }
        }
        // Growing or shrinking the leaf or the proof.
        Bytes longer_leaf = leaf;
        longer_leaf.push_back(0);
        CHECK_FALSE(DecodeAndVerify(*suite, root, longer_leaf, encoded));
        Bytes longer = encoded;
        longer.push_back(0);
        CHECK(CodeOf(DecodeProof(longer)) == Errc::kTrailingBytes);
        CHECK(CodeOf(DecodeProof(ByteView(encoded).first(encoded.size() - 1))) == Errc::kTruncated);
      }
    }
  }
}

TEST_CASE("merkle proof decoding names each malformed field") {
  const auto encode = [](std::uint64_t index, std::uint64_t count, std::uint32_t path_len,
                         std::size_t siblings) {
    Writer w;
    w.U64(index).U64(count).U32(path_len);
    for (std::size_t i = 0; i < siblings; ++i) w.Fixed(Hash32{});
    return std::move(w).Take();
  };
  SUBCASE("truncated") {
    CHECK(CodeOf(DecodeProof(Bytes{0, 0, 0})) == Errc::kTruncated);
    CHECK(CodeOf(DecodeProof(encode(0, 4, 2, 1))) == Errc::kTruncated);
  }
  SUBCASE("path longer than kMaxPath") {
    CHECK(CodeOf(DecodeProof(encode(0, 4, kMaxPath + 1, kMaxPath + 1))) == Errc::kOversized);
  }
  SUBCASE("index not below leaf_count") {
    CHECK(CodeOf(DecodeProof(encode(4, 4, 2, 2))) == Errc::kInvalidArgument);
    CHECK(CodeOf(DecodeProof(encode(0, 0, 0, 0))) == Errc::kInvalidArgument);
  }
  SUBCASE("path length other than the shape requires") {
    CHECK(CodeOf(DecodeProof(encode(0, 4, 1, 1))) == Errc::kProofDepth);
    CHECK(CodeOf(DecodeProof(encode(0, 4, 3, 3))) == Errc::kProofDepth);
    CHECK(CodeOf(DecodeProof(encode(4, 5, 2, 2))) == Errc::kProofDepth);
  }
  SUBCASE("well-formed") {
    auto ok = DecodeProof(encode(4, 5, 1, 1));
    REQUIRE(ok);
    CHECK(ok->path.size() == 1);
  }
}

TEST_CASE("merkle verification rejects each malformed proof with its named error") {
  for (const auto& [name, suite] : TreeTestSuites()) {
    INFO("suite " << name);
    const std::vector<Bytes> leaves = {ToBytes("a"), ToBytes("b"), ToBytes("c"), ToBytes("d"),
                                       ToBytes("e")};
    const Hash32 root = Root(*suite, leaves);
    auto proof = Prove(*suite, LeafHashes(*suite, leaves), 1);
    REQUIRE(proof);
    REQUIRE(VerifyInclusion(*suite, root, leaves[1], *proof));

    InclusionProof bad = *proof;
    bad.index = 5;
    CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[1], bad)) == Errc::kInvalidArgument);
    bad = *proof;
    bad.leaf_count = 0;
    bad.index = 0;
    CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[1], bad)) == Errc::kInvalidArgument);
    bad = *proof;
    bad.path.pop_back();
    CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[1], bad)) == Errc::kProofDepth);
    bad = *proof;
    bad.path.push_back(root);
    CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[1], bad)) == Errc::kProofDepth);
    bad = *proof;
    bad.path[0] = bad.path[1];
    CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[1], bad)) == Errc::kBadProof);
    CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[0], *proof)) == Errc::kBadProof);
    CHECK(CodeOf(VerifyInclusionOfLeafHash(*suite, root, Hash32{}, *proof)) == Errc::kBadProof);
    // Each other index of the same count fails on the hashes, not on the shape.
    for (std::uint64_t index = 0; index < leaves.size(); ++index) {
      if (index == 1 || PathLength(index, leaves.size()) != proof->path.size()) continue;
      bad = *proof;
      bad.index = index;
      CHECK(CodeOf(VerifyInclusion(*suite, root, leaves[1], bad)) == Errc::kBadProof);
    }
  }
}

TEST_CASE("merkle prove rejects an index outside the tree") {
  const testing::MixHashSuite suite;
  const std::vector<Hash32> hashes(3);
  CHECK(CodeOf(Prove(suite, hashes, 3)) == Errc::kInvalidArgument);
  CHECK(CodeOf(Prove(suite, std::span<const Hash32>(), 0)) == Errc::kInvalidArgument);
}

}  // namespace
}  // namespace merkle_test
}  // namespace baylink::core::merkle
