// SPDX-License-Identifier: Apache-2.0
//
// `baylink key new`: the file it writes is a KeyFile the node and the other commands load,
// and an existing file is never replaced.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "baylink/chain/node.h"
#include "baylink/crypto/suites.h"
#include "cli_runner.h"

namespace baylink::gateway::test {
namespace key_test {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("key new writes a key file that loads, for each suite, and prints its key and address") {
  TempDir dir;
  for (const char* suite_name : {"sm", "ecdsa"}) {
    CAPTURE(suite_name);
    const std::filesystem::path path = dir.path() / (std::string(suite_name) + ".key");
    const CliRun run = RunBaylink({"key", "new", "--suite", suite_name, "--out", path.string()});
    INFO("err: " << run.err);
    REQUIRE(run.code == 0);
    CHECK(run.err.empty());

    auto key = chain::KeyFile::Load(path);
    REQUIRE_MESSAGE(key.has_value(), key.error().Message());
    CHECK(key->suite == core::ParseSuiteId(suite_name).value());
    const auto suite = crypto::MakeSuite(key->suite);
    CHECK(run.out == "public_key " + key->public_key.ToHex() + "\naddress " +
                         suite->ToAddress(key->public_key).ToHex() + "\n");

    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
  }
  // Nothing but the two keys is left behind (no temporary files).
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 2);
}

TEST_CASE("key new makes a different key each time") {
  TempDir dir;
  const CliRun a = RunBaylink({"key", "new", "--suite", "ecdsa", "--out", (dir.path() / "a").string()});
  const CliRun b = RunBaylink({"key", "new", "--suite", "ecdsa", "--out", (dir.path() / "b").string()});
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  CHECK(a.out != b.out);
}

TEST_CASE("key new refuses to overwrite an existing file and leaves it unchanged") {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "validator.key";
  REQUIRE(RunBaylink({"key", "new", "--suite", "sm", "--out", path.string()}).code == 0);
  const std::string before = ReadAll(path);

  const CliRun again = RunBaylink({"key", "new", "--suite", "ecdsa", "--out", path.string()});
  CHECK(again.code == 1);
  CHECK(again.out.empty());
  CHECK(Has(again.err, path.string() + " already exists; key new never overwrites a key file"));
  CHECK(ReadAll(path) == before);

  // Any file, not only a key file.
  const std::filesystem::path other = dir.path() / "notes.txt";
  std::ofstream(other) << "keep me\n";
  CHECK(RunBaylink({"key", "new", "--suite", "sm", "--out", other.string()}).code == 1);
  CHECK(ReadAll(other) == "keep me\n");
}

TEST_CASE("key new fails clearly when the folder does not exist") {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "missing" / "k.key";
  const CliRun run = RunBaylink({"key", "new", "--suite", "sm", "--out", path.string()});
  CHECK(run.code == 1);
  CHECK(Has(run.err, "baylink: io: "));
  CHECK(Has(run.err, (dir.path() / "missing").string()));
  CHECK_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace key_test
}  // namespace baylink::gateway::test
