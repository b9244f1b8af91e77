// SPDX-License-Identifier: Apache-2.0
#include "gcrypt_util.h"

#include <gcrypt.h>

#include <mutex>

#include "baylink/core/result.h"

namespace baylink::crypto::internal {

// libgcrypt must be initialised once per process before use (and, per its manual, by the
// application; libs/crypto is its only user in Baylink).
void InitGcryptOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P) == 0) {  // else someone else did
      BAYLINK_ASSERT(gcry_check_version(GCRYPT_VERSION) != nullptr,
                     "libgcrypt is older than the headers Baylink was built with");
      // Secure memory needs privileges and mlock limits we do not want to require; secrets
      // live in libgcrypt only for the duration of one signing call.
      gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
      gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    }
    // libgcrypt fills a process-wide table of curve primes on its first elliptic-curve
    // context, without a lock: threads that make their first contexts at the same moment each
    // fill it and all but one leak their entries. One context made here fills it before any
    // other thread can use libgcrypt.
    gcry_ctx_t warm = nullptr;
    BAYLINK_ASSERT(gcry_mpi_ec_new(&warm, nullptr, "sm2p256v1") == 0,
                   "libgcrypt does not know the curve sm2p256v1");
    gcry_ctx_release(warm);
  });
}

}  // namespace baylink::crypto::internal
