// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/block.h"

namespace baylink::chain {

void Block::Encode(core::Writer& w) const {
  header.Encode(w);
  certificate.Encode(w);
  w.Count(transactions.size());
  for (const core::Transaction& tx : transactions) tx.Encode(w);
}

core::Bytes Block::Encode() const { return core::EncodeValue(*this); }

core::Result<Block> Block::Decode(core::ByteView data) {
  core::Reader r(data, "block");
  Block block;
  BAYLINK_ASSIGN_OR_RETURN(block.header, core::BlockHeader::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(block.certificate, core::CommitCertificate::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count, r.Count("transactions", kMaxBlockTxs));
  block.transactions.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    BAYLINK_ASSIGN_OR_RETURN(core::Transaction tx, core::Transaction::Decode(r));
    block.transactions.push_back(std::move(tx));
  }
  BAYLINK_TRY(r.Finish());
  return block;
}

core::Bytes EncodeBody(const std::vector<core::Transaction>& transactions) {
  core::Writer w;
  w.Count(transactions.size());
  for (const core::Transaction& tx : transactions) tx.Encode(w);
  return std::move(w).Take();
}

core::Result<std::vector<core::Transaction>> DecodeBody(core::ByteView body) {
  core::Reader r(body, "block body");
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count, r.Count("transactions", kMaxBlockTxs));
  std::vector<core::Transaction> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    auto tx = core::Transaction::Decode(r);
    if (!tx) {
      return core::Fail(tx.error().code,
                        "block body: transaction " + std::to_string(i) + ": " + tx.error().detail);
    }
    out.push_back(std::move(*tx));
  }
  BAYLINK_TRY(r.Finish());
  return out;
}

void BlockEvents::Encode(core::Writer& w) const {
  header.Encode(w);
  certificate.Encode(w);
  w.Count(events.size());
  for (const IndexedEvent& e : events) {
    w.Fixed(e.tx_hash).U32(e.tx_index);
    e.event.Encode(w);
  }
}

core::Bytes BlockEvents::Encode() const { return core::EncodeValue(*this); }

core::Result<BlockEvents> BlockEvents::Decode(core::ByteView data) {
  core::Reader r(data, "block events");
  BlockEvents out;
  BAYLINK_ASSIGN_OR_RETURN(out.header, core::BlockHeader::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(out.certificate, core::CommitCertificate::Decode(r));
  BAYLINK_ASSIGN_OR_RETURN(const std::uint32_t count,
                           r.Count("events", kMaxBlockTxs * std::uint32_t{16}));
  out.events.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    IndexedEvent e;
    BAYLINK_ASSIGN_OR_RETURN(e.tx_hash, r.Fixed<32>("event tx_hash"));
    BAYLINK_ASSIGN_OR_RETURN(e.tx_index, r.U32("event tx_index"));
    BAYLINK_ASSIGN_OR_RETURN(e.event, core::Event::Decode(r));
    out.events.push_back(std::move(e));
  }
  BAYLINK_TRY(r.Finish());
  return out;
}

}  // namespace baylink::chain
