// SPDX-License-Identifier: Apache-2.0
//
// Runs the `baylink` command line in-process and captures what it printed.
#pragma once

#include <doctest/doctest.h>

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "baylink/gateway/cli.h"
#include "test_dir.h"

namespace baylink::gateway::test {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// `baylink <args...>`.
inline CliRun RunBaylink(std::vector<std::string> args) {
  args.insert(args.begin(), "baylink");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  char* out_buf = nullptr;
  char* err_buf = nullptr;
  std::size_t out_len = 0;
  std::size_t err_len = 0;
  std::FILE* out = open_memstream(&out_buf, &out_len);
  std::FILE* err = open_memstream(&err_buf, &err_len);
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  CliRun run;
  run.code = RunCli(static_cast<int>(args.size()), argv.data(), out, err);
  std::fclose(out);
  std::fclose(err);
  run.out.assign(out_buf, out_len);
  run.err.assign(err_buf, err_len);
  std::free(out_buf);
  std::free(err_buf);
  return run;
}

using baylink::testing::TempDir;

// True when `text` contains `part`; keeps CHECKs readable and their failures informative.
inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace baylink::gateway::test
