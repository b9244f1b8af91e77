// SPDX-License-Identifier: Apache-2.0
//
// The fixed chain and light client that fuzz_lightclient_update mutates headers against, and
// that make_seeds draws its seed headers from. Both build it from the same deterministic
// randomness; ecdsa signatures are deterministic (RFC 6979), so the seeds are exactly the
// chain's signed headers.
#pragma once

#include <chrono>
#include <memory>

#include "baylink/crypto/suites.h"
#include "baylink/lightclient/client.h"
#include "baylink/lightclient/testing/test_chain.h"

namespace baylink::fuzz {

class CountingRandom final : public core::RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>((m_i++ * 167) ^ 0x3c);
  }

 private:
  std::uint32_t m_i = 7;
};

struct LightClientFixture {
  std::unique_ptr<core::CryptoSuite> suite = crypto::MakeSuite(core::SuiteId::kEcdsa);
  CountingRandom rng;
  lightclient::testing::TestChain chain{*suite, rng,
                                        lightclient::testing::MakeValidators(*suite, rng, 4)};
  lightclient::LightClient client;

  LightClientFixture()
      : client(lightclient::LightClient::Create(*suite, chain.Params(), chain.Genesis().header,
                                                chain.Genesis().validators,
                                                chain.TimeOf(chain.first_height()))
                   .value()) {
    chain.Advance();
    chain.Reweight(0, 25);  // a validator-set change at height 3, so updates cross one
    chain.Advance();
    chain.Advance();
    chain.Advance();
  }

  std::chrono::system_clock::time_point Now() const {
    return chain.TimeOf(chain.latest_height()) + std::chrono::seconds(1);
  }
};

}  // namespace baylink::fuzz
