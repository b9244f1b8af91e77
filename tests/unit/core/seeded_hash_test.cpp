// SPDX-License-Identifier: Apache-2.0
//
// SeededHash: stable for one seed, different across seeds, and spread over buckets.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "baylink/core/seeded_hash.h"

namespace baylink::core::test {
namespace seeded_hash_test {
namespace {

Hash32 KeyWithLead(std::uint64_t lead) {
  Hash32 key;
  for (std::size_t i = 0; i < 8; ++i) key.bytes[i] = static_cast<std::uint8_t>(lead >> (8 * i));
  return key;
}

TEST_CASE("seeded hash is a function of the seed and the leading eight bytes") {
  const SeededHash<32> one{1234};
  Hash32 a = KeyWithLead(42);
  Hash32 b = a;
  b.bytes[31] = 0xff;  // past the leading eight bytes
  CHECK(one(a) == one(a));
  CHECK(one(a) == one(b));
  CHECK(one(a) != one(KeyWithLead(43)));
  CHECK(one(a) != SeededHash<32>{1235}(a));
  const SeededHash<20> address_hash{1234};
  Address address;
  address.bytes[0] = 42;
  CHECK(address_hash(address) == one(a));  // same leading bytes, same seed
}

TEST_CASE("random hash seeds differ from call to call") {
  std::set<std::uint64_t> seeds;
  for (int i = 0; i < 16; ++i) seeds.insert(RandomHashSeed());
  CHECK(seeds.size() == 16);
}

TEST_CASE("keys that differ only in the high bits of their leading word spread over buckets") {
  // 1,000 keys in at least 1,024 buckets: a well-mixed hash leaves no bucket near a dozen
  // (the chance is below one in a billion).
  std::unordered_map<Hash32, int, SeededHash<32>> table(0, SeededHash<32>{RandomHashSeed()});
  table.reserve(1024);
  for (std::uint64_t i = 0; i < 1000; ++i) table.emplace(KeyWithLead(i << 40), 0);
  std::size_t largest = 0;
  for (std::size_t b = 0; b < table.bucket_count(); ++b) {
    largest = std::max(largest, table.bucket_size(b));
  }
  CHECK(largest <= 12);
}

}  // namespace
}  // namespace seeded_hash_test
}  // namespace baylink::core::test
