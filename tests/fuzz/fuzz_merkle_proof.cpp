// SPDX-License-Identifier: Apache-2.0
//
// Input: an encoded InclusionProof followed by leaf data. Soundness property: a proof that
// verifies against the fixed tree must prove the true leaf at its index.
#include <memory>
#include <vector>

#include "baylink/core/merkle.h"
#include "baylink/crypto/suites.h"
#include "fuzz_common.h"

namespace {
using namespace baylink::core;

struct Fixture {
  std::unique_ptr<CryptoSuite> suite = baylink::crypto::MakeSuite(SuiteId::kEcdsa);
  std::vector<Bytes> leaves;
  Hash32 root;
  Fixture() {
    for (std::uint8_t i = 0; i < 13; ++i) leaves.push_back(Bytes{i, static_cast<std::uint8_t>(i * 7)});
    root = merkle::Root(*suite, leaves);
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture f;
  Reader r(ByteView(data, size), "fuzz");
  auto proof = merkle::InclusionProof::Decode(r);
  if (!proof) return 0;
  Writer w;
  proof->Encode(w);
  baylink::fuzz::Require(w.bytes().size() == size - r.remaining() &&
                             std::equal(w.bytes().begin(), w.bytes().end(), data),
                         "proof decode then encode gives back the input");
  const ByteView leaf(data + (size - r.remaining()), r.remaining());
  if (merkle::VerifyInclusion(*f.suite, f.root, leaf, *proof)) {
    baylink::fuzz::Require(proof->leaf_count == f.leaves.size(), "verified proof has the true count");
    const Bytes& truth = f.leaves.at(proof->index);
    baylink::fuzz::Require(Bytes(leaf.begin(), leaf.end()) == truth, "verified leaf is the true leaf");
  }
  return 0;
}
