// SPDX-License-Identifier: Apache-2.0
//
// A light client's HeaderSource over a node's RPC (DESIGN §5): the follower
// (lightclient/follower.h) asks it for signed headers and the validator sets that signed
// them. Nothing it returns is trusted: the follower verifies every header before its client
// accepts it, so any node (or a relayer's proxy) may serve it.
#pragma once

#include <cstdint>
#include <optional>

#include "baylink/client/node_client.h"
#include "baylink/lightclient/follower.h"

namespace baylink::client {

class RpcHeaderSource final : public lightclient::HeaderSource {
 public:
  // `max_height`: serve as if the chain ended there (to follow up to a chosen height).
  // Requires: `node` outlives the source. Thread safety: as NodeClient (one thread).
  explicit RpcHeaderSource(NodeClient& node, std::optional<std::uint64_t> max_height = {});

  // The node's head height (capped at max_height). Errors: NodeClient's.
  core::Result<std::uint64_t> LatestHeight() override;
  // getHeader (header and certificate) and getValidatorSet (the set that signs `height`).
  // Errors: NodeClient's (kNotFound when the node has no such height).
  core::Result<lightclient::SignedHeader> SignedHeaderAt(std::uint64_t height) override;

 private:
  NodeClient& m_node;
  const std::optional<std::uint64_t> m_max_height;
};

}  // namespace baylink::client
