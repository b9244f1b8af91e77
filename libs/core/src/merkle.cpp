// SPDX-License-Identifier: Apache-2.0
#include "baylink/core/merkle.h"

#include <string>

namespace baylink::core::merkle {
namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;
constexpr std::uint8_t kCountPrefix = 0x02;

// The published root: H(0x02 || leaf_count as u64 big-endian || root of the tree shape).
// Binding the count here makes (index, leaf_count) of a verified proof facts of the root.
Hash32 CommitCount(const CryptoSuite& suite, std::uint64_t leaf_count, const Hash32& tree_root) {
  std::uint8_t prefix[9];
  prefix[0] = kCountPrefix;
  for (int i = 0; i < 8; ++i) prefix[1 + i] = static_cast<std::uint8_t>(leaf_count >> (56 - 8 * i));
  return suite.Hash({ByteView(prefix, sizeof prefix), tree_root.view()});
}

// The tree is walked bottom-up, which gives the RFC 6962 shape when a level of odd length
// promotes its last node unchanged to the next level (never pairing it with a copy of itself:
// that is the duplicated-leaf trap of the header's WARNING). At each level, the node on the
// path has position `pos` among the level's nodes, of which `last` is the highest position:
//  - pos odd:              it is a right child; its sibling (pos - 1) is on the left;
//  - pos even, pos < last: it is a left child; its sibling (pos + 1) is on the right;
//  - pos even, pos == last: it is promoted; no sibling at this level, no path entry.
enum class Turn { kSiblingLeft, kSiblingRight, kPromoted };

Turn TurnAt(std::uint64_t pos, std::uint64_t last) {
  if (pos & 1) return Turn::kSiblingLeft;
  return pos < last ? Turn::kSiblingRight : Turn::kPromoted;
}

// Replaces the first `n` entries of `level` (n > 1) by the level above them; returns its
// length. In place: entry i of the next level is written after entries 2i, 2i+1 were read.
std::size_t NextLevel(const CryptoSuite& suite, std::vector<Hash32>& level, std::size_t n) {
  std::size_t out = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    level[out++] = NodeHash(suite, level[i], level[i + 1]);
  }
  if (n & 1) level[out++] = level[n - 1];  // promoted, not duplicated
  return out;
}

}  // namespace

Hash32 LeafHash(const CryptoSuite& suite, ByteView data) {
  const std::uint8_t prefix = kLeafPrefix;
  return suite.Hash({ByteView(&prefix, 1), data});
}

Hash32 NodeHash(const CryptoSuite& suite, const Hash32& left, const Hash32& right) {
  const std::uint8_t prefix = kNodePrefix;
  return suite.Hash({ByteView(&prefix, 1), left.view(), right.view()});
}

Hash32 Root(const CryptoSuite& suite, std::span<const Bytes> leaves) {
  std::vector<Hash32> hashes;
  hashes.reserve(leaves.size());
  for (const Bytes& leaf : leaves) hashes.push_back(LeafHash(suite, leaf));
  return RootOfLeafHashes(suite, hashes);
}

Hash32 RootOfLeafHashes(const CryptoSuite& suite, std::span<const Hash32> leaf_hashes) {
  if (leaf_hashes.empty()) return Hash32{};
  std::vector<Hash32> level(leaf_hashes.begin(), leaf_hashes.end());
  for (std::size_t n = level.size(); n > 1;) n = NextLevel(suite, level, n);
  return CommitCount(suite, leaf_hashes.size(), level[0]);
}

std::size_t PathLength(std::uint64_t index, std::uint64_t leaf_count) {
  BAYLINK_ASSERT(index < leaf_count, "PathLength requires index < leaf_count");
  std::size_t length = 0;
  for (std::uint64_t pos = index, last = leaf_count - 1; last > 0; pos >>= 1, last >>= 1) {
    if (TurnAt(pos, last) != Turn::kPromoted) ++length;
  }
  return length;
}

void InclusionProof::Encode(Writer& w) const {
  w.U64(index).U64(leaf_count).Count(path.size());
  for (const Hash32& h : path) w.Fixed(h);
}

Result<InclusionProof> InclusionProof::Decode(Reader& r) {
  InclusionProof proof;
  BAYLINK_ASSIGN_OR_RETURN(proof.index, r.U64("merkle proof index"));
  BAYLINK_ASSIGN_OR_RETURN(proof.leaf_count, r.U64("merkle proof leaf_count"));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count,
                           r.Count("merkle proof path", kMaxPath, Hash32::kSize));
  // The shape checks come before reading the siblings so a proof of the wrong shape costs
  // no allocation; they are the same checks VerifyInclusion makes.
  if (proof.index >= proof.leaf_count) {
    return r.FieldError(Errc::kInvalidArgument, "merkle proof index",
                        "index " + std::to_string(proof.index) + " is not below leaf_count " +
                            std::to_string(proof.leaf_count));
  }
  const std::size_t expected = PathLength(proof.index, proof.leaf_count);
  if (count != expected) {
    return r.FieldError(
        Errc::kProofDepth, "merkle proof path",
        "has " + std::to_string(count) + " siblings; leaf " + std::to_string(proof.index) + " of " +
            std::to_string(proof.leaf_count) + " needs " + std::to_string(expected));
  }
  proof.path.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(Hash32 sibling, r.Fixed<Hash32::kSize>("merkle proof sibling"));
    proof.path.push_back(sibling);
  }
  return proof;
}

Result<InclusionProof> Prove(const CryptoSuite& suite, std::span<const Hash32> leaf_hashes,
                             std::uint64_t index) {
  if (index >= leaf_hashes.size()) {
    return Fail(Errc::kInvalidArgument, "merkle proof requested for leaf " + std::to_string(index) +
                                            " of a tree of " + std::to_string(leaf_hashes.size()) +
                                            " leaves");
  }
  InclusionProof proof;
  proof.index = index;
  proof.leaf_count = leaf_hashes.size();
  proof.path.reserve(PathLength(index, proof.leaf_count));
  // Bottom-up as in RootOfLeafHashes, taking the path node's sibling at each level.
  std::vector<Hash32> level(leaf_hashes.begin(), leaf_hashes.end());
  std::uint64_t pos = index;
  std::size_t n = level.size();
  while (n > 1) {
    switch (TurnAt(pos, n - 1)) {
      case Turn::kSiblingLeft:
        proof.path.push_back(level[pos - 1]);
        break;
      case Turn::kSiblingRight:
        proof.path.push_back(level[pos + 1]);
        break;
      case Turn::kPromoted:
        break;
    }
    n = NextLevel(suite, level, n);
    pos >>= 1;
  }
  return proof;
}

Status VerifyInclusion(const CryptoSuite& suite, const Hash32& trusted_root, ByteView leaf_data,
                       const InclusionProof& proof) {
  return VerifyInclusionOfLeafHash(suite, trusted_root, LeafHash(suite, leaf_data), proof);
}

Status VerifyInclusionOfLeafHash(const CryptoSuite& suite, const Hash32& trusted_root,
                                 const Hash32& leaf_hash, const InclusionProof& proof) {
  // Shape first (cheap, and it fixes every left/right turn from (index, leaf_count) alone so
  // the prover chooses nothing but sibling values), then the hashing.
  if (proof.index >= proof.leaf_count) {
    return Fail(Errc::kInvalidArgument, "merkle proof index " + std::to_string(proof.index) +
                                            " is not below its leaf_count " +
                                            std::to_string(proof.leaf_count));
  }
  const std::size_t expected = PathLength(proof.index, proof.leaf_count);
  if (proof.path.size() != expected) {
    return Fail(Errc::kProofDepth, "merkle proof has " + std::to_string(proof.path.size()) +
                                       " siblings; leaf " + std::to_string(proof.index) + " of " +
                                       std::to_string(proof.leaf_count) + " needs " +
                                       std::to_string(expected));
  }
  Hash32 node = leaf_hash;
  std::size_t next = 0;
  for (std::uint64_t pos = proof.index, last = proof.leaf_count - 1; last > 0;
       pos >>= 1, last >>= 1) {
    switch (TurnAt(pos, last)) {
      case Turn::kSiblingLeft:
        node = NodeHash(suite, proof.path[next++], node);
        break;
      case Turn::kSiblingRight:
        node = NodeHash(suite, node, proof.path[next++]);
        break;
      case Turn::kPromoted:
        break;
    }
  }
  node = CommitCount(suite, proof.leaf_count, node);
  if (node != trusted_root) {
    return Fail(Errc::kBadProof, "merkle proof for leaf " + std::to_string(proof.index) + " of " +
                                     std::to_string(proof.leaf_count) + " leads to root " +
                                     node.ToHex() + ", not the trusted root " +
                                     trusted_root.ToHex());
  }
  return Ok();
}

}  // namespace baylink::core::merkle
