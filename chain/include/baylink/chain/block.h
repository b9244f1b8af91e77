// SPDX-License-Identifier: Apache-2.0
//
// What a node stores per height and what its event stream carries (DESIGN §3).
#pragma once

#include <cstdint>
#include <vector>

#include "baylink/core/codec.h"
#include "baylink/core/result.h"
#include "baylink/core/types.h"

namespace baylink::chain {

// Most transactions in one block (also bounded by the chain's max_block_txs).
inline constexpr std::uint32_t kMaxBlockTxs = 100000;

// A committed block: its header, the certificate that committed it (empty signatures for the
// genesis block, which is trusted by configuration), and its transactions in order.
struct Block {
  core::BlockHeader header;
  core::CommitCertificate certificate;
  std::vector<core::Transaction> transactions;

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  // Errors: the codec's and those of the contained types' decoders.
  static core::Result<Block> Decode(core::ByteView data);
};

// One contract event with where it came from.
// A block's body as consensus proposes it: count ‖ transactions (the block without header and
// certificate). Errors of DecodeBody: the codec's (at most kMaxBlockTxs transactions) and the
// transaction decoder's, naming the position.
core::Bytes EncodeBody(const std::vector<core::Transaction>& transactions);
core::Result<std::vector<core::Transaction>> DecodeBody(core::ByteView body);

struct IndexedEvent {
  core::Hash32 tx_hash;
  std::uint32_t tx_index = 0;
  core::Event event;
  friend bool operator==(const IndexedEvent&, const IndexedEvent&) = default;
};

// The event-stream message for one committed height: the header, its certificate and every
// event of the block's successful transactions, in order. Exactly one per height, so a
// subscriber sees a gap as a jump in height and fetches the missing ones over RPC
// (getBlockEvents returns the same encoding).
struct BlockEvents {
  core::BlockHeader header;
  core::CommitCertificate certificate;
  std::vector<IndexedEvent> events;

  void Encode(core::Writer& w) const;
  core::Bytes Encode() const;
  static core::Result<BlockEvents> Decode(core::ByteView data);
  friend bool operator==(const BlockEvents&, const BlockEvents&) = default;
};

// Where a transaction sits: block height and index in the block.
struct TxLocation {
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  friend bool operator==(const TxLocation&, const TxLocation&) = default;
};

}  // namespace baylink::chain
