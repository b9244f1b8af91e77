// SPDX-License-Identifier: Apache-2.0
//
// The chain's key layout in its one key-value store. Every prefix is listed here so no two
// parts of the node can collide.
#pragma once

#include <cstdint>
#include <string_view>

#include "baylink/core/bytes.h"
#include "baylink/core/codec.h"

namespace baylink::chain::keys {

inline constexpr std::string_view kNode = "smt/";      // state tree nodes (StateDb)
inline constexpr std::string_view kStale = "stale/";   // stale index (StateDb)
inline constexpr std::string_view kFlat = "s/";        // latest state values (StateDb)
inline constexpr std::string_view kBlock = "b/";       // u64 height -> Block
inline constexpr std::string_view kReceipts = "r/";    // u64 height -> receipts
inline constexpr std::string_view kTx = "t/";          // tx hash -> TxLocation
inline constexpr std::string_view kValidators = "vs/"; // validator-set hash -> ValidatorSet
inline constexpr std::string_view kPool = "p/";        // tx hash -> pending tx (journal of earlier versions; read once, then deleted)
inline constexpr std::string_view kHead = "m/head";    // u64 height of the last block
inline constexpr std::string_view kGenesis = "m/genesis";  // the genesis this store began with
inline constexpr std::string_view kPruned = "m/pruned";    // u64 height pruned up to
inline constexpr std::string_view kSigned = "c/signed";    // consensus::SignedRecord
inline constexpr std::string_view kEvidence = "c/ev/";     // u64 height, u64 seq -> Evidence
inline constexpr std::string_view kKeptBlock = "c/blk/";   // u64 height, hash -> header, body

inline core::Bytes With(std::string_view prefix, core::ByteView rest) {
  core::Bytes out(prefix.begin(), prefix.end());
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

inline core::Bytes WithHeight(std::string_view prefix, std::uint64_t height) {
  core::Writer w;
  w.Raw(core::AsBytes(prefix)).U64(height);
  return std::move(w).Take();
}

inline core::Bytes Key(std::string_view fixed) { return core::Bytes(fixed.begin(), fixed.end()); }

}  // namespace baylink::chain::keys
