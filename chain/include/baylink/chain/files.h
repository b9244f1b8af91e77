// SPDX-License-Identifier: Apache-2.0
//
// Small file helpers for configuration and key files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "baylink/core/result.h"

namespace baylink::chain {

// The whole file, at most max_bytes. Errors: kIo naming the path and the OS reason;
// kOversized when larger.
core::Result<std::string> ReadFile(const std::filesystem::path& path,
                                   std::size_t max_bytes = 16u << 20);

// Writes `content` to `path` atomically (a temporary file in the same folder, fsync, rename),
// with permission bits `mode` (e.g. 0600 for secret keys). Errors: kIo naming the path.
core::Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content,
                             unsigned mode = 0644);

}  // namespace baylink::chain
