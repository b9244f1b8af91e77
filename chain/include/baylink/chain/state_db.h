// SPDX-License-Identifier: Apache-2.0
//
// Provable state on the key-value store (DESIGN §3 state_root): the sparse Merkle tree's
// nodes, a flat index of the latest values, and pruning of versions older than the history
// a node keeps.
//
// Keys in the store (all under prefixes this class owns):
//   "smt/" ‖ node hash            -> u64 height the node was last written ‖ node record
//   "stale/" ‖ u64 height ‖ u32 chunk -> up to 512 node hashes, concatenated (the nodes
//                                 that left the tree at that height)
//   "s/" ‖ state key              -> value (the latest committed value; absent = no value)
//
// Pruning. A node that left the tree at height h is needed only by versions below h. Once
// those are outside the kept history it is deleted, unless it was written again after it
// went stale (content addressing: a key set back to an old value recreates old nodes), which
// the height in its record tells.
//
// Staging. Nothing is written by this class: Stage and StagePrune add operations to the
// caller's WriteBatch, which commits together with the block (one atomic batch). Stage reads
// the committed store, so each staged batch must be written before the next Stage.
//
// Tree cache. The inner nodes of the current tree's upper 17 levels (depth 0 to 16: at most
// 131,071 nodes, all those of a tree of up to about 100,000 keys) stay in memory across
// Stages (TreeCache, a table of at most 24 MiB): a block rewrites the upper levels, and the
// next block would otherwise read every node its predecessor did not rewrite from the store,
// one by one. Each Stage moves the nodes that went stale out and its new upper nodes in; the
// cache fills from the nodes Stages write, so it is cold after a start. Nodes are addressed
// by their content, so a cached node is right whether or not the block that wrote it was
// committed; only Stage (which reads from a committed root, whose nodes are never pruned)
// uses the cache. ReleaseMemory frees it, for a node that has gone idle.
//
// Thread safety: Get, GetAt and Prove may run concurrently with each other and with one
// Stage/StagePrune at a time; ReleaseMemory with any of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

#include "baylink/chain/tree_cache.h"
#include "baylink/core/bytes.h"
#include "baylink/core/result.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/suite.h"
#include "baylink/storage/kv.h"

namespace baylink::chain {

class StateDb {
 public:
  // `update_threads`: threads one Stage may use to rebuild the tree (see SparseMerkleTree).
  // Requires: suite and store outlive this object.
  StateDb(const core::CryptoSuite& suite, storage::KvStore& store, unsigned update_threads = 1);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // The latest committed value of `state_key` (core::StateKey), from the flat index.
  // Errors: kStorage / kIo.
  core::Result<std::optional<core::Bytes>> Get(const core::Hash32& state_key) const;
  // The value under a historical root. Errors: kNotFound (the root's nodes were pruned or
  // never stored), kStorage / kIo.
  core::Result<std::optional<core::Bytes>> GetAt(const core::Hash32& root,
                                                 const core::Hash32& state_key) const;
  // A presence or absence proof under `root`. Errors: as GetAt.
  core::Result<core::smt::SparseMerkleTree::ProofWithValue> Prove(
      const core::Hash32& root, const core::Hash32& state_key) const;

  // Applies `changes` to the tree at `parent_root` as the state of `height`; adds the new
  // nodes, the stale index entries and the flat-index updates to `batch` and returns the new
  // root. Errors: those of SparseMerkleTree::UpdateTracked (kDuplicate key in the batch,
  // kOversized value, kNotFound for a missing parent node) and store failures.
  core::Result<core::Hash32> Stage(const core::Hash32& parent_root, std::uint64_t height,
                                   std::span<const core::smt::Change> changes,
                                   storage::WriteBatch& batch);

  // Adds to `batch` the deletion of nodes that went stale at heights <= `up_to_height` (and
  // were not written again since), with their stale entries: at most `max_entries` stale
  // nodes, oldest first, so each call's work is bounded (a chunk the bound cuts is rewritten
  // with the rest). Returns how many stale nodes it took; fewer
  // than max_entries means none is left up to that height. Must be added to a batch before
  // that batch's Stage operations (a node the new block writes again must survive).
  // Errors: kStorage / kIo.
  core::Result<std::size_t> StagePrune(std::uint64_t up_to_height, std::size_t max_entries,
                                       storage::WriteBatch& batch);

  // Number of tree nodes stored (a full scan; for tests and operations).
  core::Result<std::size_t> CountNodes() const;

  // Frees the tree cache (waiting for a Stage that is running); the next Stages read from the
  // store until they have refilled it.
  void ReleaseMemory();
  // Inner nodes in the tree cache (for tests and operations).
  std::size_t tree_cache_size() const;

 private:
  class Nodes;

  // Moves the stale nodes out of the tree cache and the new upper ones into it.
  void KeepUpperLevels(const core::Hash32& root, std::span<const core::Hash32> stale,
                       std::span<const std::pair<core::Hash32, core::Bytes>> written);

  const core::CryptoSuite& m_suite;
  storage::KvStore& m_store;
  unsigned m_update_threads;
  mutable std::mutex m_cache_mutex;  // held by Stage and ReleaseMemory
  TreeCache m_tree_cache;
};

}  // namespace baylink::chain
