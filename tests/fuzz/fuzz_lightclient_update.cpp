// SPDX-License-Identifier: Apache-2.0
//
// Input: an encoded SignedHeader (header, certificate, validator set). Soundness property:
// only the chain's validators hold the keys, so any update the client accepts is the chain's
// own header at that height; anything else is a named rejection, never a crash.
#include "fuzz_common.h"
#include "lightclient_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const baylink::fuzz::LightClientFixture f;
  auto signed_header = baylink::lightclient::SignedHeader::Decode(baylink::core::ByteView(data, size));
  if (!signed_header) return 0;
  auto change = f.client.VerifyUpdate(*f.suite, *signed_header, f.Now());
  if (!change) {
    baylink::fuzz::Require(!change.error().detail.empty(), "a rejection names its problem");
    return 0;
  }
  const std::uint64_t height = signed_header->header.height;
  baylink::fuzz::Require(height >= f.chain.first_height() && height <= f.chain.latest_height(),
                         "an accepted header is at a height the chain has");
  baylink::fuzz::Require(signed_header->header == f.chain.At(height).header,
                         "an accepted header is the chain's own header");
  return 0;
}
