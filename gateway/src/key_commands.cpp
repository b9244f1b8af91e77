// SPDX-License-Identifier: Apache-2.0
//
// `baylink key new`.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "baylink/chain/node.h"
#include "baylink/crypto/suites.h"
#include "commands.h"

namespace baylink::gateway {
namespace {

// Publishes the finished file `temp` as `path` unless `path` exists. link(2) fails with
// EEXIST instead of replacing, so two commands racing for one name cannot overwrite each
// other's key (a check before a rename could).
core::Status PublishNew(const std::filesystem::path& temp, const std::filesystem::path& path) {
  const int linked = ::link(temp.c_str(), path.c_str());
  const int saved_errno = errno;
  ::unlink(temp.c_str());
  if (linked == 0) return core::Ok();
  if (saved_errno == EEXIST) {
    return core::Fail(core::Errc::kDuplicate,
                      path.string() + " already exists; key new never overwrites a key file");
  }
  return core::Fail(core::Errc::kIo, "cannot create " + path.string() + ": " + std::strerror(saved_errno));
}

}  // namespace

int KeyNew(Cli& cli, const Args& args) {
  auto suite_name = Required(args, "suite");
  if (!suite_name) return cli.Usage(suite_name.error());
  auto out_path = Required(args, "out");
  if (!out_path) return cli.Usage(out_path.error());
  auto suite_id = core::ParseSuiteId(*suite_name);
  if (!suite_id) return cli.Usage(core::Fail(core::Errc::kInvalidArgument, "--suite: " + suite_id.error().detail));
  const std::filesystem::path path(*out_path);
  // Checked early for a clear message before any work; PublishNew is what guarantees it.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) || std::filesystem::is_symlink(path, ec)) {
    return cli.Failed(core::Fail(core::Errc::kDuplicate, path.string() + " already exists; key new "
                                                                          "never overwrites a key file"));
  }

  const auto suite = crypto::MakeSuite(*suite_id);
  crypto::SystemRandom rng;
  core::KeyPair pair = suite->GenerateKey(rng);
  const chain::KeyFile key{*suite_id, pair.secret, pair.public_key};

  // A name no other run picks: the process id and fresh random bytes.
  std::uint8_t nonce[8];
  rng.Fill(nonce);
  const std::filesystem::path temp = path.string() + ".new-" + std::to_string(::getpid()) + "-" +
                                     core::ToHex(core::ByteView(nonce, sizeof nonce)).substr(2);
  if (core::Status s = key.Save(temp); !s) {
    ::unlink(temp.c_str());
    return cli.Failed(s.error());
  }
  if (core::Status s = PublishNew(temp, path); !s) return cli.Failed(s.error());
  cli.Print("public_key", pair.public_key.ToHex());
  cli.Print("address", suite->ToAddress(pair.public_key).ToHex());
  return 0;
}

}  // namespace baylink::gateway
