// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/tree_cache.h"

#include <cstdint>
#include <functional>

#include "baylink/core/result.h"

namespace baylink::chain {
namespace {

constexpr std::size_t kFirstSlots = 1024;


}  // namespace

TreeCache::TreeCache(std::size_t max_slots) : m_max_slots(max_slots) {
  BAYLINK_ASSERT(max_slots >= kFirstSlots && (max_slots & (max_slots - 1)) == 0,
                 "TreeCache max_slots must be a power of two of at least 1024");
}

std::size_t TreeCache::Home(const core::Hash32& hash) const {
  return std::hash<core::Hash32>{}(hash) & (m_slots.size() - 1);
}

std::optional<std::pair<core::Hash32, core::Hash32>> TreeCache::Find(
    const core::Hash32& hash) const {
  if (m_size == 0) return std::nullopt;
  const std::size_t mask = m_slots.size() - 1;
  // Terminates: the table is never more than 3/4 full.
  for (std::size_t i = Home(hash);; i = (i + 1) & mask) {
    const Slot& slot = m_slots[i];
    if (slot.hash.IsZero()) return std::nullopt;
    if (slot.hash == hash) return std::pair(slot.left, slot.right);
  }
}

void TreeCache::Grow() {
  std::vector<Slot> old = std::move(m_slots);
  m_slots.assign(old.empty() ? kFirstSlots : old.size() * 2, Slot{});
  const std::size_t mask = m_slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.hash.IsZero()) continue;
    std::size_t i = Home(slot.hash);
    while (!m_slots[i].hash.IsZero()) i = (i + 1) & mask;
    m_slots[i] = slot;
  }
}

bool TreeCache::Insert(const core::Hash32& hash, const core::Hash32& left,
                       const core::Hash32& right) {
  BAYLINK_ASSERT(!hash.IsZero(), "the empty subtree is not a cached node");
  if ((m_size + 1) * 4 > m_slots.size() * 3) {
    if (m_slots.size() >= m_max_slots) return false;
    Grow();
  }
  const std::size_t mask = m_slots.size() - 1;
  std::size_t i = Home(hash);
  while (!m_slots[i].hash.IsZero()) {
    if (m_slots[i].hash == hash) return true;  // content-addressed: the same children
    i = (i + 1) & mask;
  }
  m_slots[i] = Slot{hash, left, right};
  ++m_size;
  return true;
}

void TreeCache::Erase(const core::Hash32& hash) {
  if (m_size == 0) return;
  const std::size_t mask = m_slots.size() - 1;
  std::size_t hole = Home(hash);
  while (true) {
    if (m_slots[hole].hash.IsZero()) return;  // not cached
    if (m_slots[hole].hash == hash) break;
    hole = (hole + 1) & mask;
  }
  // Backward shift: move up each later entry of the run whose home is not between the hole
  // and its own slot, so every entry stays reachable from its home without tombstones.
  for (std::size_t j = (hole + 1) & mask; !m_slots[j].hash.IsZero(); j = (j + 1) & mask) {
    const std::size_t home = Home(m_slots[j].hash);
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      m_slots[hole] = m_slots[j];
      hole = j;
    }
  }
  m_slots[hole] = Slot{};
  --m_size;
}

void TreeCache::Clear() {
  m_slots = std::vector<Slot>();
  m_size = 0;
}

}  // namespace baylink::chain
