// SPDX-License-Identifier: Apache-2.0
//
// Input: a 32-byte key, an encoded sparse-tree Proof, then a value. Soundness property: a
// presence proof that verifies names the key's true value; an absence proof that verifies is
// for a key the tree does not hold.
#include <memory>
#include <vector>

#include "baylink/core/sparse_merkle.h"
#include "baylink/crypto/suites.h"
#include "fuzz_common.h"

namespace {
using namespace baylink::core;

struct Fixture {
  std::unique_ptr<CryptoSuite> suite = baylink::crypto::MakeSuite(SuiteId::kSm);
  smt::MemoryNodeStore store;
  smt::SparseMerkleTree tree{*suite, store};
  Hash32 root;
  Fixture() {
    std::vector<smt::Change> changes;
    for (std::uint8_t i = 0; i < 40; ++i) {
      Hash32 key = suite->Hash(Bytes{i});
      changes.push_back(smt::Change{key, Bytes{i, i}});
    }
    // Keys that share long prefixes with a first byte the fuzzer can reach easily.
    for (std::uint8_t i = 0; i < 4; ++i) {
      Hash32 key;
      key.bytes[31] = i;
      changes.push_back(smt::Change{key, Bytes{static_cast<std::uint8_t>(100 + i)}});
    }
    root = tree.Update(smt::SparseMerkleTree::EmptyRoot(), changes).value();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  if (size < 32) return 0;
  Hash32 key;
  std::memcpy(key.bytes.data(), data, 32);
  Reader r(ByteView(data + 32, size - 32), "fuzz");
  auto proof = smt::Proof::Decode(r);
  if (!proof) return 0;
  const ByteView value(data + (size - r.remaining()), r.remaining());
  const auto truth = f.tree.Get(f.root, key).value();
  if (smt::VerifyPresence(*f.suite, f.root, key, value, *proof)) {
    baylink::fuzz::Require(truth.has_value() && Bytes(value.begin(), value.end()) == *truth,
                           "verified presence names the true value");
  }
  if (smt::VerifyAbsence(*f.suite, f.root, key, *proof)) {
    baylink::fuzz::Require(!truth.has_value(), "verified absence is for an absent key");
  }
  return 0;
}
