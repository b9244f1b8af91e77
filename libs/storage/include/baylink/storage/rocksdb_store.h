// SPDX-License-Identifier: Apache-2.0
//
// The persistent KvStore: a RocksDB database in one directory. RocksDB stays behind this
// header (no RocksDB type appears in it).
#pragma once

#include <filesystem>
#include <memory>

#include "baylink/core/result.h"
#include "baylink/storage/kv.h"

namespace baylink::storage {

struct RocksDbOptions {
  // Create the directory and an empty database when `path` holds none.
  bool create_if_missing = true;
};

// Opens (or creates) the database in directory `path`. One process may hold a database open
// at a time, and only once: a second open of the same directory fails until the first store
// is destroyed. Destroying the store closes the database.
// Errors:
//  - kNotFound: no database at `path` and options.create_if_missing is false;
//  - kStorage: the database is locked by another open (another process, or another store in
//    this process), the files are corrupt, or another RocksDB failure; the message names the
//    path and what to do;
//  - kIo: the directory cannot be created or written (permissions, a file in the way, disk
//    full); the message names the path.
// Thread safety: the function may be called from any thread; the store is as kv.h says.
core::Result<std::unique_ptr<KvStore>> OpenRocksDb(const std::filesystem::path& path,
                                                   const RocksDbOptions& options = {});

}  // namespace baylink::storage
