// SPDX-License-Identifier: Apache-2.0
//
// Constructors of the suite implementations, shared between the files of libs/crypto.
#pragma once

#include <memory>

#include "baylink/core/suite.h"
#include "baylink/crypto/suites.h"

namespace baylink::crypto::internal {

std::unique_ptr<core::CryptoSuite> NewEcdsaSuite();
std::unique_ptr<core::CryptoSuite> NewSmSuite(Sm2Backend backend);

// Draws 32-byte scalars from `rng` until the suite's ImportSecretKey accepts one, and derives
// its public key: the GenerateKey of every suite.
core::KeyPair GenerateKeyPair(const core::CryptoSuite& suite, core::RandomSource& rng);

}  // namespace baylink::crypto::internal
