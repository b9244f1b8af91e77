// SPDX-License-Identifier: Apache-2.0
//
// Signing and sending asset transactions to a dev node, for the node's tests.
#pragma once

#include <cstdint>
#include <string>

#include "baylink/client/node_client.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"

namespace baylink::testing {

// An account with a key and the next nonce it will use.
struct Account {
  core::KeyPair key;
  core::Address address;
  std::uint64_t next_nonce = 0;
};

Account NewAccount(const core::CryptoSuite& suite, core::RandomSource& rng);

// A signed transaction of `account` (taking its next nonce) calling asset.method(args).
core::Transaction AssetTx(const core::CryptoSuite& suite, const std::string& chain_id,
                          Account& account, const std::string& method, core::Bytes args,
                          std::uint64_t expiry_height = 1000000);

}  // namespace baylink::testing
