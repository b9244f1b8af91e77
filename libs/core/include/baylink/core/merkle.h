// SPDX-License-Identifier: Apache-2.0
//
// Binary Merkle trees for tx_root and receipt_root (DESIGN §3), with inclusion proofs.
//
// Hashing, with domain separation so that an inner node can never pass as a leaf:
//   leaf = H(0x00 || data)            node = H(0x01 || left || right)
//   root = H(0x02 || n || tree)       (n the leaf count, u64 big-endian)
// Shape (as RFC 6962 §2.1): for n > 1 leaves, the left subtree holds the largest power of
// two k < n leaves and the right subtree the remaining n - k; `tree` is the top node of that
// shape (for one leaf, its leaf hash). The root of no leaves is the all-zero hash (no
// hashing): no proof verifies against it.
//
// WARNING: the duplicated-leaf trap. Trees that pad an odd level by repeating its last node
// (as Bitcoin's does) give the lists [a, b, c] and [a, b, c, c] the same root, so a proof
// for "the fourth transaction" can be forged (CVE-2012-2459). This shape never duplicates a
// node (an odd level promotes its last node unchanged), and the verifier derives the exact
// path length and every left/right turn from (index, leaf_count), rejecting any other
// length (kProofDepth).
//
// The root commits to the leaf count, so a verified proof's (index, leaf_count) are facts of
// the root: RFC 6962's bare shape lets one path verify under every (index, leaf_count) that
// makes the same turns (leaf 0 of 4 as "leaf 0 of 3"), which the count prefix rules out.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/suite.h"

namespace baylink::core::merkle {

// Proofs are at most 64 siblings deep (2^64 leaves).
inline constexpr std::size_t kMaxPath = 64;

Hash32 LeafHash(const CryptoSuite& suite, ByteView data);
Hash32 NodeHash(const CryptoSuite& suite, const Hash32& left, const Hash32& right);

// Root over leaf data items, in order.
Hash32 Root(const CryptoSuite& suite, std::span<const Bytes> leaves);
// Root over precomputed leaf hashes (LeafHash of each item), in order.
Hash32 RootOfLeafHashes(const CryptoSuite& suite, std::span<const Hash32> leaf_hashes);

struct InclusionProof {
  std::uint64_t index = 0;       // position of the leaf, 0-based
  std::uint64_t leaf_count = 0;  // number of leaves in the tree
  std::vector<Hash32> path;      // sibling hashes, from the leaf's level up to the root

  void Encode(Writer& w) const;
  // Errors: the codec's, kOversized (path over kMaxPath), kInvalidArgument (index >=
  // leaf_count), kProofDepth (path length differs from what (index, leaf_count) requires).
  static Result<InclusionProof> Decode(Reader& r);
  friend bool operator==(const InclusionProof&, const InclusionProof&) = default;
};

// Number of siblings a proof for `index` in a tree of `leaf_count` leaves must carry.
// Requires index < leaf_count.
std::size_t PathLength(std::uint64_t index, std::uint64_t leaf_count);

// Proof for leaf `index`; costs O(leaf_hashes.size()) hashes (it recomputes the tree).
// Errors: kInvalidArgument when index >= leaf_hashes.size().
Result<InclusionProof> Prove(const CryptoSuite& suite, std::span<const Hash32> leaf_hashes,
                             std::uint64_t index);

// Checks that `leaf_data` is leaf proof.index of the proof.leaf_count leaves of the tree with
// root `trusted_root`.
// Errors: kInvalidArgument (index >= leaf_count or leaf_count == 0), kProofDepth (path
// length differs from PathLength), kBadProof (recomputed root differs).
Status VerifyInclusion(const CryptoSuite& suite, const Hash32& trusted_root, ByteView leaf_data,
                       const InclusionProof& proof);
// The same with the leaf hash already computed. WARNING: pass a hash computed with LeafHash
// from data you hold; a hash taken from the prover could be an inner node's.
Status VerifyInclusionOfLeafHash(const CryptoSuite& suite, const Hash32& trusted_root,
                                 const Hash32& leaf_hash, const InclusionProof& proof);

}  // namespace baylink::core::merkle
