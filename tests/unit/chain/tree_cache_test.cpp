// SPDX-License-Identifier: Apache-2.0
//
// TreeCache against a std::map model: random inserts, erases and lookups on a table small
// enough to fill, with hashes chosen to collide in their home slots so that removal must
// shift entries back. The seed is printed by the test main; replay with --seed=N.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "baylink/chain/tree_cache.h"
#include "test_random.h"

namespace baylink::chain::test {
namespace tree_cache_test {
namespace {

using core::Hash32;
using ::baylink::testing::TestRandom;

// A hash whose first 8 bytes (its home slot) take one of `homes` values: long probe runs.
Hash32 CollidingHash(TestRandom& rng, std::uint64_t homes) {
  Hash32 h;
  rng.Fill(h.bytes);
  const std::uint64_t home = rng.Below(homes) + 1;  // never all zero
  std::memcpy(h.data(), &home, sizeof home);
  return h;
}

TEST_CASE("tree cache agrees with a map through inserts, erases and a full table") {
  const std::uint64_t seed = ::baylink::testing::Seed();
  INFO("seed " << seed << " (replay with --seed=" << seed << ")");
  TestRandom rng(seed);
  TreeCache cache(1024);  // holds at most 768
  std::map<Hash32, std::pair<Hash32, Hash32>> model;
  std::vector<Hash32> known;
  for (int step = 0; step < 20000; ++step) {
    const std::uint64_t op = rng.Below(10);
    if (op < 5 || known.empty()) {
      const Hash32 h = CollidingHash(rng, 64);
      Hash32 left, right;
      rng.Fill(left.bytes);
      rng.Fill(right.bytes);
      const bool added = cache.Insert(h, left, right);
      CHECK(added == (model.size() < 768));
      if (added) {
        model.emplace(h, std::pair(left, right));
        known.push_back(h);
      }
    } else if (op < 8) {
      const Hash32 h = known[static_cast<std::size_t>(rng.Below(known.size()))];
      cache.Erase(h);
      model.erase(h);
    } else {
      const Hash32 h = rng.Below(2) == 0 ? known[static_cast<std::size_t>(rng.Below(known.size()))]
                                         : CollidingHash(rng, 64);
      const auto found = cache.Find(h);
      const auto it = model.find(h);
      REQUIRE(found.has_value() == (it != model.end()));
      if (found) CHECK(*found == it->second);
    }
    REQUIRE(cache.size() == model.size());
  }
  // Every entry the model holds is still reachable after all the shifting.
  for (const auto& [h, children] : model) {
    const auto found = cache.Find(h);
    REQUIRE(found.has_value());
    CHECK(*found == children);
  }
  CHECK(cache.bytes() <= 1024 * 96);
  cache.Clear();
  CHECK(cache.size() == 0);
  CHECK(cache.bytes() == 0);
  CHECK_FALSE(cache.Find(model.begin()->first).has_value());
}

TEST_CASE("tree cache keeps one entry for a node inserted twice") {
  TreeCache cache(1024);
  Hash32 h, left, right;
  h.bytes[0] = 1;
  left.bytes[0] = 2;
  right.bytes[0] = 3;
  CHECK(cache.Insert(h, left, right));
  CHECK(cache.Insert(h, left, right));
  CHECK(cache.size() == 1);
  cache.Erase(h);
  CHECK(cache.size() == 0);
  cache.Erase(h);  // absent: nothing happens
  CHECK(cache.size() == 0);
}

}  // namespace
}  // namespace tree_cache_test
}  // namespace baylink::chain::test
