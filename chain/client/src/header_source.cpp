// SPDX-License-Identifier: Apache-2.0
#include "baylink/client/header_source.h"

#include <algorithm>
#include <utility>

namespace baylink::client {

RpcHeaderSource::RpcHeaderSource(NodeClient& node, std::optional<std::uint64_t> max_height)
    : m_node(node), m_max_height(max_height) {}

core::Result<std::uint64_t> RpcHeaderSource::LatestHeight() {
  BAYLINK_ASSIGN_OR_RETURN(const ChainInfo info, m_node.GetChainInfo());
  return m_max_height ? std::min(info.height, *m_max_height) : info.height;
}

core::Result<lightclient::SignedHeader> RpcHeaderSource::SignedHeaderAt(std::uint64_t height) {
  if (m_max_height && height > *m_max_height) {
    return core::Fail(core::Errc::kNotFound, "height " + std::to_string(height) +
                                                 " is above the source's limit " +
                                                 std::to_string(*m_max_height));
  }
  BAYLINK_ASSIGN_OR_RETURN(SignedHeader signed_header, m_node.GetHeader(height));
  BAYLINK_ASSIGN_OR_RETURN(core::ValidatorSet validators, m_node.GetValidatorSet(height));
  return lightclient::SignedHeader{std::move(signed_header.header),
                                   std::move(signed_header.certificate), std::move(validators)};
}

}  // namespace baylink::client
