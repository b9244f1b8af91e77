// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <array>

#include "crypto_test_util.h"
#include "test_random.h"

namespace baylink::crypto::testing {
namespace hash_test {
namespace {

void CheckHashVectors(const core::CryptoSuite& suite, const std::string& file) {
  const nlohmann::json doc = LoadVectors(file);
  REQUIRE(!doc["vectors"].empty());
  for (const auto& v : doc["vectors"]) {
    CAPTURE(v["name"].get<std::string>());
    const core::Bytes input = Hex(v["input_hex"].get<std::string>());
    CHECK(suite.Hash(input).ToHex() == v["digest"].get<std::string>());
  }
}

TEST_CASE("keccak-256 matches the published and independently computed vectors") {
  CheckHashVectors(Ecdsa(), "keccak256.json");
}

TEST_CASE("keccak-256 uses Ethereum's padding, not SHA3-256's") {
  // SHA3-256("") = a7ffc6f8bf1ed766...; Keccak-256("") = c5d24601... (keccak256.json).
  CHECK(Ecdsa().Hash(core::ByteView()).ToHex() !=
        "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST_CASE("sm3 matches GB/T 32905-2016 Appendix A on every sm backend") {
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    CheckHashVectors(*s.suite, "sm3.json");
  }
}

TEST_CASE("hashing parts equals hashing their concatenation at every split point") {
  TestRandom rng(Seed());
  core::Bytes data(300);
  rng.Fill(data);
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const core::Hash32 whole = s.suite->Hash(data);
    for (std::size_t cut = 0; cut <= data.size(); ++cut) {
      CAPTURE(cut);
      const core::ByteView all(data);
      REQUIRE(s.suite->Hash({all.first(cut), all.subspan(cut)}) == whole);
    }
    // Three uneven parts around the 136-byte Keccak block and the 64-byte SM3 block.
    const core::ByteView all(data);
    CHECK(s.suite->Hash({all.first(135), all.subspan(135, 2), all.subspan(137)}) == whole);
    CHECK(s.suite->Hash({core::ByteView(), all, core::ByteView()}) == whole);
  }
}

TEST_CASE("address is the last 20 bytes of the hash of X || Y") {
  TestRandom rng(Seed());
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    const core::Hash32 h = s.suite->Hash(kp.public_key.view());
    const core::Address a = s.suite->ToAddress(kp.public_key);
    CHECK(std::equal(a.bytes.begin(), a.bytes.end(), h.bytes.begin() + 12));
  }
}

TEST_CASE("system random fills buffers of any size with fresh bytes") {
  SystemRandom rng;
  std::array<std::uint8_t, 64> a{};
  std::array<std::uint8_t, 64> b{};
  rng.Fill(a);
  rng.Fill(b);
  CHECK(a != b);  // equal with probability 2^-512
  rng.Fill(std::span<std::uint8_t>());
  for (const NamedSuite& s : AllSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    CHECK(s.suite->ValidatePublicKey(kp.public_key).has_value());
  }
}

}  // namespace
}  // namespace hash_test
}  // namespace baylink::crypto::testing
