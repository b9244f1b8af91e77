// SPDX-License-Identifier: Apache-2.0
//
// Inner nodes of the current state tree in memory (StateDb's "Tree cache"), keyed by their
// hash, so that a block's update reads only the levels below them from the store.
//
// Nodes are content-addressed, so a cached node is right whichever block wrote it; what the
// cache's owner keeps in step is only which nodes are worth their memory (the current tree's,
// removed when they go stale). An open-addressing table (linear probing, backward-shift
// removal) of fixed-size slots: no allocation per node, about 100 bytes each.
//
// Thread safety: Find may run on several threads at once; Insert, Erase and Clear need the
// caller to exclude every other call.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "baylink/core/bytes.h"

namespace baylink::chain {

class TreeCache {
 public:
  // `max_slots` (a power of two) bounds the table: about 100 bytes per slot, and it holds at
  // most 3/4 of them. The default (24 MiB) holds 196,608 nodes (a tree's upper 17 levels
  // have 131,071).
  explicit TreeCache(std::size_t max_slots = std::size_t{1} << 18);

  // The inner node's children, when cached.
  std::optional<std::pair<core::Hash32, core::Hash32>> Find(const core::Hash32& hash) const;
  // Adds an inner node; returns false (and adds nothing) when the table is full.
  bool Insert(const core::Hash32& hash, const core::Hash32& left, const core::Hash32& right);
  void Erase(const core::Hash32& hash);
  // Drops every node and frees the table.
  void Clear();

  std::size_t size() const { return m_size; }
  // Bytes of the table (what the cache holds in the heap).
  std::size_t bytes() const { return m_slots.size() * sizeof(Slot); }

 private:
  struct Slot {
    core::Hash32 hash;  // all zero: empty (no node hashes to zero; the empty subtree is not stored)
    core::Hash32 left;
    core::Hash32 right;
  };
  std::size_t Home(const core::Hash32& hash) const;
  void Grow();

  std::size_t m_max_slots;
  std::vector<Slot> m_slots;
  std::size_t m_size = 0;
};

}  // namespace baylink::chain
