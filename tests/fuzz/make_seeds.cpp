// SPDX-License-Identifier: Apache-2.0
//
// Writes a seed corpus of valid inputs for each fuzz target, so short fuzz runs start from
// well-formed encodings and mutate them instead of guessing structure.
// Usage: make_seeds OUT_DIR   (creates OUT_DIR/<target>/seed-N)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "baylink/core/json.h"
#include "baylink/core/merkle.h"
#include "baylink/core/sparse_merkle.h"
#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"
#include "lightclient_fixture.h"

namespace {
using namespace baylink::core;
namespace fs = std::filesystem;

void Write(const fs::path& dir, const std::string& target, int n, ByteView data) {
  fs::create_directories(dir / target);
  std::ofstream out(dir / target / ("seed-" + std::to_string(n)), std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

class Counter final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>((m_i++ * 131) ^ 0x5a);
  }

 private:
  std::uint32_t m_i = 1;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  auto sm = baylink::crypto::MakeSuite(SuiteId::kSm);
  auto ecdsa = baylink::crypto::MakeSuite(SuiteId::kEcdsa);
  Counter rng;

  BlockHeader h;
  h.chain_id = "gd";
  h.height = 42;
  h.timestamp_ms = 1'700'000'000'000ULL;
  h.state_root = sm->Hash(AsBytes("state"));
  Write(dir, "fuzz_header", 0, h.Encode());

  const KeyPair a = ecdsa->GenerateKey(rng);
  const KeyPair b = ecdsa->GenerateKey(rng);
  const ValidatorSet set = ValidatorSet::Create({{a.public_key, 10}, {b.public_key, 20}}).value();
  Write(dir, "fuzz_validator_set", 0, set.Encode());

  CommitCertificate c{42, 0, h.Hash(*ecdsa), {}};
  c.signatures.push_back({0, ecdsa->Sign(a.secret, AsBytes("vote")).value()});
  c.signatures.push_back({1, ecdsa->Sign(b.secret, AsBytes("vote")).value()});
  Write(dir, "fuzz_certificate", 0, c.Encode());

  Transaction t;
  t.chain_id = "hk";
  t.nonce = 1;
  t.expiry_height = 100;
  t.sender = a.public_key;
  t.contract = "asset";
  t.method = "transfer";
  t.args = Bytes{1, 2, 3};
  (void)t.Sign(*ecdsa, a.secret);
  Write(dir, "fuzz_transaction", 0, t.Encode());

  Receipt r{t.Hash(*ecdsa), ReceiptStatus::kFailed, "balance too low", Bytes{7},
            {Event{"asset", "Transfer", Bytes{1}}}};
  Write(dir, "fuzz_receipt", 0, r.Encode());

  Write(dir, "fuzz_hex", 0, AsBytes("0x00ffAb"));
  const std::string j = json::ToJson(h).dump() + "";
  Write(dir, "fuzz_json", 0, AsBytes(j));
  Write(dir, "fuzz_json", 1, AsBytes(json::ToJson(r).dump()));
  Write(dir, "fuzz_json", 2, AsBytes(json::ToJson(c).dump()));

  // Must match the fixtures in fuzz_merkle_proof.cpp and fuzz_smt_proof.cpp.
  std::vector<Hash32> leaves;
  for (std::uint8_t i = 0; i < 13; ++i) {
    leaves.push_back(merkle::LeafHash(*ecdsa, Bytes{i, static_cast<std::uint8_t>(i * 7)}));
  }
  for (std::uint8_t i : {0, 6, 12}) {
    Writer w;
    merkle::Prove(*ecdsa, leaves, i).value().Encode(w);
    w.Raw(Bytes{i, static_cast<std::uint8_t>(i * 7)});
    Write(dir, "fuzz_merkle_proof", i, w.bytes());
  }

  smt::MemoryNodeStore store;
  smt::SparseMerkleTree tree(*sm, store);
  std::vector<smt::Change> changes;
  for (std::uint8_t i = 0; i < 40; ++i) changes.push_back({sm->Hash(Bytes{i}), Bytes{i, i}});
  for (std::uint8_t i = 0; i < 4; ++i) {
    Hash32 key;
    key.bytes[31] = i;
    changes.push_back({key, Bytes{static_cast<std::uint8_t>(100 + i)}});
  }
  const Hash32 root = tree.Update(smt::SparseMerkleTree::EmptyRoot(), changes).value();
  int n = 0;
  for (const Hash32& key : {sm->Hash(Bytes{3}), sm->Hash(Bytes{200}), Hash32{}}) {
    auto p = tree.Prove(root, key).value();
    Writer w;
    w.Fixed(key);
    p.proof.Encode(w);
    if (p.value) w.Raw(*p.value);
    Write(dir, "fuzz_smt_proof", n++, w.bytes());
  }

  const Bytes msg = ToBytes("baylink fuzz message");
  Bytes sig{0};
  const Bytes ecdsa_sig = ecdsa->Sign(a.secret, msg).value();
  sig.insert(sig.end(), ecdsa_sig.begin(), ecdsa_sig.end());
  Write(dir, "fuzz_signature", 0, sig);
  Bytes der{4};
  const Bytes sm_sig = sm->Sign(sm->GenerateKey(rng).secret, msg).value();
  const Bytes der_sig = baylink::crypto::Sm2SignatureToDer(sm_sig).value();
  der.insert(der.end(), der_sig.begin(), der_sig.end());
  Write(dir, "fuzz_signature", 1, der);
  const baylink::fuzz::LightClientFixture lc;
  for (std::uint64_t height = lc.chain.first_height() + 1; height <= lc.chain.latest_height();
       ++height) {
    Write(dir, "fuzz_lightclient_update", static_cast<int>(height), lc.chain.At(height).Encode());
  }
  std::printf("seed corpus written to %s\n", dir.c_str());
  return 0;
}
