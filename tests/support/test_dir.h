// SPDX-License-Identifier: Apache-2.0
//
// Test helpers shared by every suite: a temporary directory per test, and a check that a
// Result failed with a given code and message.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "baylink/core/result.h"

namespace baylink::testing {

// A fresh directory under the system's temporary folder, named after `tag`, removed with
// everything in it when destroyed.
class TempDir {
 public:
  explicit TempDir(std::string_view tag = "test") {
    std::string name = (std::filesystem::temp_directory_path() /
                        ("baylink-" + std::string(tag) + "-XXXXXX"))
                           .string();
    REQUIRE(mkdtemp(name.data()) != nullptr);
    m_path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  std::string File(std::string_view name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

}  // namespace baylink::testing

// Checks that `expr` (a Result or Status) failed with `errc` and that its detail contains
// `text`.
#define CHECK_FAILS_WITH(expr, errc, text)                                      \
  do {                                                                          \
    const auto& check_result_ = (expr);                                         \
    REQUIRE_FALSE(check_result_.has_value());                                   \
    CHECK(::baylink::core::ErrcName(check_result_.error().code) ==              \
          ::baylink::core::ErrcName(errc));                                     \
    CHECK_MESSAGE(check_result_.error().detail.find(text) != std::string::npos, \
                  check_result_.error().detail);                                \
  } while (0)
