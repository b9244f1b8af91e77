// SPDX-License-Identifier: Apache-2.0
//
// An in-memory KvStore with the semantics of kv.h, for tests. Nothing is persisted. It favours
// simplicity over speed: a snapshot copies the whole map and a scan copies the entries in its
// range before visiting them.
#pragma once

#include <memory>

#include "baylink/storage/kv.h"

namespace baylink::storage {

// A new, empty store. Never fails. Thread safety: as kv.h (a reader-writer mutex inside).
std::unique_ptr<KvStore> MakeMemoryKvStore();

}  // namespace baylink::storage
