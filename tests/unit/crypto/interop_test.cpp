// SPDX-License-Identifier: Apache-2.0
//
// Interop with the `openssl` command line (OpenSSL 3), and the PEM / DER helpers it needs.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto_test_util.h"
#include "test_dir.h"
#include "test_random.h"

namespace baylink::crypto::testing {
namespace interop_test {
namespace {

using core::Errc;

using baylink::testing::TempDir;

void WriteFile(const std::string& path, core::ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}
void WriteFile(const std::string& path, const std::string& text) {
  WriteFile(path, core::AsBytes(text));
}
core::Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  return core::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct CommandResult {
  int exit_code;
  std::string output;
};
// Runs `command` through the shell with stderr folded into the output.
CommandResult Run(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) output += buf.data();
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

bool HaveOpenSslCli() { return Run("openssl version").exit_code == 0; }

constexpr const char* kDistId = "-pkeyopt distid:1234567812345678";

// --------------------------------------------------------------------------------------
// DER

TEST_CASE("der round-trips r || s, including leading zeros and high bits") {
  TestRandom rng(Seed());
  for (int i = 0; i < 200; ++i) {
    core::Bytes rs(64);
    rng.Fill(rs);
    if (i % 4 == 1) std::fill(rs.begin(), rs.begin() + 1 + i % 31, 0);  // short r
    if (i % 4 == 2) rs[32] |= 0x80;                                      // s needs a pad byte
    if (i % 4 == 3) std::fill(rs.begin() + 32, rs.begin() + 60, 0);      // short s
    auto der = Sm2SignatureToDer(rs);
    REQUIRE(der.has_value());
    auto back = Sm2SignatureFromDer(*der);
    REQUIRE_MESSAGE(back.has_value(), back.error().Message());
    CHECK(*back == rs);
  }
  CHECK(Sm2SignatureToDer(core::Bytes(63)).error().code == Errc::kBadLength);
}

TEST_CASE("der parsing rejects every non-canonical or malformed encoding with a named error") {
  // r = 1, s = 0x80 (needs a pad byte): 30 07 02 01 01 02 02 00 80
  const core::Bytes good = Hex("0x300702010102020080");
  REQUIRE(Sm2SignatureFromDer(good).has_value());
  struct Case {
    const char* name;
    const char* hex;
    Errc code;
  };
  const Case cases[] = {
      {"empty", "0x", Errc::kTruncated},
      {"not a sequence", "0x310702010102020080", Errc::kMalformed},
      {"sequence longer than input", "0x300802010102020080", Errc::kTruncated},
      {"sequence shorter than contents", "0x300602010102020080", Errc::kTruncated},
      {"trailing byte after sequence", "0x30070201010202008000", Errc::kTrailingBytes},
      {"trailing byte inside sequence", "0x30080201010202008000", Errc::kTrailingBytes},
      {"long-form length that fits short form", "0x30810702010102020080", Errc::kNonCanonical},
      {"indefinite length", "0x308002010102020080", Errc::kNonCanonical},
      {"r with redundant leading zero", "0x3008020200010202008000", Errc::kNonCanonical},
      {"s without its pad byte is negative", "0x3006020101020180", Errc::kMalformed},
      {"integer tag wrong", "0x300703010102020080", Errc::kMalformed},
      {"missing s", "0x3003020101", Errc::kTruncated},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const core::Bytes input = Hex(c.hex);
    auto out = Sm2SignatureFromDer(input);
    REQUIRE_FALSE(out.has_value());
    CHECK_MESSAGE(out.error().code == c.code, out.error().Message());
  }
  // An empty INTEGER (length 0) is malformed.
  CHECK(Sm2SignatureFromDer(Hex("0x30050200020180")).error().code == Errc::kMalformed);
  // r of 33 significant bytes.
  core::Bytes big = Hex("0x3026022101" + std::string(64, 'f') + "020101");
  CHECK(Sm2SignatureFromDer(big).error().code == Errc::kBadSignature);
}

TEST_CASE("der parsing never crashes on random and truncated input") {
  TestRandom rng(Seed());
  const core::Bytes good = *Sm2SignatureToDer(core::Bytes(64, 0x42));
  for (std::size_t len = 0; len < good.size(); ++len) {
    CHECK_FALSE(Sm2SignatureFromDer(core::ByteView(good).first(len)).has_value());
  }
  for (int i = 0; i < 2000; ++i) {
    core::Bytes junk(rng.Below(80));
    rng.Fill(junk);
    if (!junk.empty() && i % 2 == 0) junk[0] = 0x30;
    (void)Sm2SignatureFromDer(junk);
  }
}

// --------------------------------------------------------------------------------------
// PEM

TEST_CASE("public key pem round-trips for both suites and refuses the other suite's curve") {
  TestRandom rng(Seed());
  for (core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    auto suite = MakeSuite(id);
    const core::KeyPair kp = suite->GenerateKey(rng);
    auto pem = ExportPublicKeyPem(id, kp.public_key);
    REQUIRE(pem.has_value());
    CHECK(pem->find("-----BEGIN PUBLIC KEY-----") == 0);
    auto back = ImportPublicKeyPem(id, *pem);
    REQUIRE_MESSAGE(back.has_value(), back.error().Message());
    CHECK(*back == kp.public_key);
    const core::SuiteId other = id == core::SuiteId::kSm ? core::SuiteId::kEcdsa
                                                         : core::SuiteId::kSm;
    CHECK(ImportPublicKeyPem(other, *pem).error().code == Errc::kUnsupported);
    auto secret_pem = ExportSecretKeyPem(id, kp.secret);
    REQUIRE(secret_pem.has_value());
    CHECK(secret_pem->find("-----BEGIN PRIVATE KEY-----") == 0);
  }
  CHECK(ImportPublicKeyPem(core::SuiteId::kSm, "not a pem").error().code == Errc::kMalformed);
  core::PublicKey off;
  off.bytes[0] = 1;
  CHECK(ExportPublicKeyPem(core::SuiteId::kSm, off).error().code == Errc::kBadPublicKey);
  std::array<std::uint8_t, 32> zero{};
  CHECK(ExportSecretKeyPem(core::SuiteId::kEcdsa, core::SecretKey(zero)).error().code ==
        Errc::kBadSecretKey);
}

// --------------------------------------------------------------------------------------
// openssl command line

TEST_CASE("an SM2 signature made by the openssl command line verifies on every backend") {
  // deploy/install-deps.sh installs the openssl command line: its absence is a failure.
  REQUIRE_MESSAGE(HaveOpenSslCli(), "openssl command line not found; run deploy/install-deps.sh");
  TestRandom rng(Seed());
  TempDir dir;
  auto suite = MakeSuite(core::SuiteId::kSm);
  const core::KeyPair kp = suite->GenerateKey(rng);
  WriteFile(dir.File("key.pem"), *ExportSecretKeyPem(core::SuiteId::kSm, kp.secret));
  core::Bytes message(100);
  rng.Fill(message);
  WriteFile(dir.File("msg.bin"), message);

  const CommandResult r = Run("openssl pkeyutl -sign -rawin -digest sm3 " + std::string(kDistId) +
                              " -inkey " + dir.File("key.pem") + " -in " + dir.File("msg.bin") +
                              " -out " + dir.File("sig.der"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  auto r_s = Sm2SignatureFromDer(ReadFile(dir.File("sig.der")));
  REQUIRE_MESSAGE(r_s.has_value(), r_s.error().Message());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::Status st = s.suite->Verify(kp.public_key, message, *r_s);
    CHECK_MESSAGE(st.has_value(), (st ? "" : st.error().Message()));
  }

  // Without distid OpenSSL 3 signs with an empty user id: a different Z_A, so we reject it.
  const CommandResult no_id = Run("openssl pkeyutl -sign -rawin -digest sm3 -inkey " +
                                  dir.File("key.pem") + " -in " + dir.File("msg.bin") +
                                  " -out " + dir.File("sig-noid.der"));
  REQUIRE_MESSAGE(no_id.exit_code == 0, no_id.output);
  auto r_s_noid = Sm2SignatureFromDer(ReadFile(dir.File("sig-noid.der")));
  REQUIRE(r_s_noid.has_value());
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    CHECK(s.suite->Verify(kp.public_key, message, *r_s_noid).error().code ==
          Errc::kBadSignature);
  }
}

TEST_CASE("SM2 signatures from every backend verify with the openssl command line") {
  // deploy/install-deps.sh installs the openssl command line: its absence is a failure.
  REQUIRE_MESSAGE(HaveOpenSslCli(), "openssl command line not found; run deploy/install-deps.sh");
  TestRandom rng(Seed());
  TempDir dir;
  for (const NamedSuite& s : SmSuites()) {
    CAPTURE(s.name);
    const core::KeyPair kp = s.suite->GenerateKey(rng);
    WriteFile(dir.File("pub.pem"), *ExportPublicKeyPem(core::SuiteId::kSm, kp.public_key));
    core::Bytes message(57);
    rng.Fill(message);
    WriteFile(dir.File("msg.bin"), message);
    auto sig = s.suite->Sign(kp.secret, message);
    REQUIRE(sig.has_value());
    WriteFile(dir.File("sig.der"), *Sm2SignatureToDer(*sig));
    const std::string verify = "openssl pkeyutl -verify -rawin -digest sm3 " +
                               std::string(kDistId) + " -pubin -inkey " + dir.File("pub.pem") +
                               " -sigfile " + dir.File("sig.der") + " -in ";
    const CommandResult ok = Run(verify + dir.File("msg.bin"));
    CHECK_MESSAGE(ok.exit_code == 0, ok.output);
    CHECK(ok.output.find("Signature Verified Successfully") != std::string::npos);
    // And the CLI rejects it for another message, so the check above means something.
    message[0] ^= 1;
    WriteFile(dir.File("msg2.bin"), message);
    CHECK(Run(verify + dir.File("msg2.bin")).exit_code != 0);
  }
}

TEST_CASE("ecdsa signatures verify with the openssl command line over the Keccak-256 digest") {
  // deploy/install-deps.sh installs the openssl command line: its absence is a failure.
  REQUIRE_MESSAGE(HaveOpenSslCli(), "openssl command line not found; run deploy/install-deps.sh");
  // OpenSSL 3.0 has no Keccak-256, so the CLI checks the ECDSA part over our digest.
  TestRandom rng(Seed());
  TempDir dir;
  const core::CryptoSuite& suite = Ecdsa();
  const core::KeyPair kp = suite.GenerateKey(rng);
  WriteFile(dir.File("pub.pem"), *ExportPublicKeyPem(core::SuiteId::kEcdsa, kp.public_key));
  const core::Bytes message = core::ToBytes("baylink interop");
  const core::Bytes sig = *suite.Sign(kp.secret, message);
  WriteFile(dir.File("digest.bin"), suite.Hash(message).view());
  WriteFile(dir.File("sig.der"), *Sm2SignatureToDer(core::ByteView(sig).first(64)));
  const CommandResult r = Run("openssl pkeyutl -verify -pubin -inkey " + dir.File("pub.pem") +
                              " -in " + dir.File("digest.bin") + " -sigfile " +
                              dir.File("sig.der"));
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  const CommandResult text = Run("openssl pkey -pubin -noout -text -in " + dir.File("pub.pem"));
  CHECK(text.output.find("secp256k1") != std::string::npos);
}

}  // namespace
}  // namespace interop_test
}  // namespace baylink::crypto::testing
