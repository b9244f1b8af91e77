// SPDX-License-Identifier: Apache-2.0
#include "sm3.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>

#include "baylink/core/result.h"

namespace baylink::crypto::internal {
namespace {

// ENTL_A || ID_A || a || b || x_G || y_G: the part of Z_A that does not depend on the key
// (GB/T 32918.2 §5.5; curve parameters of GB/T 32918.5 §3.2, sm2p256v1).
constexpr std::array<std::uint8_t, 2 + 16 + 4 * 32> kUserHashPrefix = {
    // ENTL_A: bit length of ID_A, 16 bytes = 128 = 0x0080
    0x00, 0x80,
    // ID_A: "1234567812345678", the default user id (GM/T 0009-2012 §10)
    '1', '2', '3', '4', '5', '6', '7', '8', '1', '2', '3', '4', '5', '6', '7', '8',
    // a
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc,
    // b
    0x28, 0xe9, 0xfa, 0x9e, 0x9d, 0x9f, 0x5e, 0x34, 0x4d, 0x5a, 0x9e, 0x4b, 0xcf, 0x65, 0x09, 0xa7,
    0xf3, 0x97, 0x89, 0xf5, 0x15, 0xab, 0x8f, 0x92, 0xdd, 0xbc, 0xbd, 0x41, 0x4d, 0x94, 0x0e, 0x93,
    // x_G
    0x32, 0xc4, 0xae, 0x2c, 0x1f, 0x19, 0x81, 0x19, 0x5f, 0x99, 0x04, 0x46, 0x6a, 0x39, 0xc9, 0x94,
    0x8f, 0xe3, 0x0b, 0xbf, 0xf2, 0x66, 0x0b, 0xe1, 0x71, 0x5a, 0x45, 0x89, 0x33, 0x4c, 0x74, 0xc7,
    // y_G
    0xbc, 0x37, 0x36, 0xa2, 0xf4, 0xf6, 0x77, 0x9c, 0x59, 0xbd, 0xce, 0xe3, 0x6b, 0x69, 0x21, 0x53,
    0xd0, 0xa9, 0x87, 0x7c, 0xc6, 0x2a, 0x47, 0x40, 0x02, 0xdf, 0x32, 0xe5, 0x21, 0x39, 0xf0, 0xa0};

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One EVP_MD_CTX per thread, reused for every hash on that thread. EVP_MD_CTX_new +
// EVP_MD_CTX_free cost two allocations and the provider's context setup per call, which at
// 32-byte inputs is more than the compression function itself; EVP_DigestInit_ex2 with the
// same EVP_MD as last time only resets the state. Per thread, not per suite: a context
// cannot be shared between threads, and a lock would serialise hashing.
EVP_MD_CTX* ThreadMdCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  BAYLINK_ASSERT(ctx != nullptr, "EVP_MD_CTX_new failed (out of memory)");
  return ctx.get();
}

}  // namespace

Sm3::Sm3() : m_md(EVP_MD_fetch(nullptr, "SM3", nullptr)) {
  BAYLINK_ASSERT(m_md != nullptr, "OpenSSL has no SM3 (default provider not available?)");
}

Sm3::~Sm3() { EVP_MD_free(m_md); }

core::Hash32 Sm3::HashParts(std::span<const core::ByteView> parts) const {
  EVP_MD_CTX* ctx = ThreadMdCtx();
  // These calls fail only on allocation failure or a broken provider: bugs, not input.
  BAYLINK_ASSERT(EVP_DigestInit_ex2(ctx, m_md, nullptr) == 1, "SM3 init failed");
  for (const core::ByteView& part : parts) {
    BAYLINK_ASSERT(EVP_DigestUpdate(ctx, part.data(), part.size()) == 1, "SM3 update failed");
  }
  core::Hash32 out;
  unsigned int len = 0;
  BAYLINK_ASSERT(EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == 32,
                 "SM3 final failed");
  return out;
}

core::Hash32 Sm3::UserHash(const core::PublicKey& key) const {
  const std::array<core::ByteView, 2> parts = {
      core::ByteView(kUserHashPrefix.data(), kUserHashPrefix.size()), key.view()};
  return HashParts(parts);
}

core::Hash32 Sm3::Sm2Digest(const core::PublicKey& key, core::ByteView message) const {
  const core::Hash32 z = UserHash(key);
  const std::array<core::ByteView, 2> parts = {z.view(), message};
  return HashParts(parts);
}

}  // namespace baylink::crypto::internal
