// SPDX-License-Identifier: Apache-2.0
#include "node_fixtures.h"

#include <doctest/doctest.h>

namespace baylink::testing {

Account NewAccount(const core::CryptoSuite& suite, core::RandomSource& rng) {
  Account a;
  a.key = suite.GenerateKey(rng);
  a.address = suite.ToAddress(a.key.public_key);
  return a;
}

core::Transaction AssetTx(const core::CryptoSuite& suite, const std::string& chain_id,
                          Account& account, const std::string& method, core::Bytes args,
                          std::uint64_t expiry_height) {
  core::Transaction tx;
  tx.chain_id = chain_id;
  tx.nonce = account.next_nonce++;
  tx.expiry_height = expiry_height;
  tx.sender = account.key.public_key;
  tx.contract = "asset";
  tx.method = method;
  tx.args = std::move(args);
  REQUIRE(tx.Sign(suite, account.key.secret));
  return tx;
}

}  // namespace baylink::testing
