// SPDX-License-Identifier: Apache-2.0
//
// libgcrypt's one-time process initialisation, shared by SM3 and the gcrypt SM2 engine.
#pragma once

namespace baylink::crypto::internal {

// Initialises libgcrypt once per process (idempotent, thread-safe). Its operations are
// thread-safe afterwards. Asserts if the library is older than the headers.
void InitGcryptOnce();

}  // namespace baylink::crypto::internal
