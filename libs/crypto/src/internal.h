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

}  // namespace baylink::crypto::internal
