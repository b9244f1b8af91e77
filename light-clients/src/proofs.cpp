// SPDX-License-Identifier: Apache-2.0
//
// Proofs at a trusted height (DESIGN §5): transaction and receipt inclusion against
// tx_root / receipt_root, state presence and absence against state_root. The client's part
// is choosing the root: only from a consensus state it verified, only while not frozen. The
// proof checks themselves are core's (merkle.h, sparse_merkle.h).
#include <string>

#include "baylink/lightclient/client.h"
#include "internal.h"

namespace baylink::lightclient {

using core::Fail;
using core::Result;
using core::Status;

namespace {

// Prefixes a proof failure with what was being proven and where.
Status Explain(Status status, std::string_view what, std::uint64_t height) {
  if (status) return status;
  return Fail(status.error().code, std::string(what) + " proof rejected at height " +
                                       std::to_string(height) + ": " + status.error().detail);
}

}  // namespace

// Suite, then frozen, then height: the order of client.h. Frozen comes before the height so
// that a frozen client answers the same way for every height.
Result<const ConsensusState*> LightClient::StateForProof(const core::CryptoSuite& suite,
                                                         std::uint64_t height,
                                                         std::string_view action) const {
  BAYLINK_TRY(CheckSuite(suite, action));
  BAYLINK_TRY(CheckNotFrozen(action));
  return TrustedAt(height, action);
}

Status LightClient::VerifyTransaction(const core::CryptoSuite& suite, std::uint64_t height,
                                      const core::Transaction& transaction,
                                      const core::merkle::InclusionProof& proof) const {
  BAYLINK_ASSIGN_OR_RETURN(const ConsensusState* state,
                           StateForProof(suite, height, "transaction proof"));
  return Explain(core::merkle::VerifyInclusion(suite, state->tx_root, transaction.Encode(), proof),
                 "transaction", height);
}

Status LightClient::VerifyReceipt(const core::CryptoSuite& suite, std::uint64_t height,
                                  const core::Receipt& receipt,
                                  const core::merkle::InclusionProof& proof) const {
  BAYLINK_ASSIGN_OR_RETURN(const ConsensusState* state,
                           StateForProof(suite, height, "receipt proof"));
  return Explain(core::merkle::VerifyInclusion(suite, state->receipt_root, receipt.Encode(), proof),
                 "receipt", height);
}

Status LightClient::VerifyStatePresence(const core::CryptoSuite& suite, std::uint64_t height,
                                        const core::Hash32& key, core::ByteView value,
                                        const core::smt::Proof& proof) const {
  BAYLINK_ASSIGN_OR_RETURN(const ConsensusState* state,
                           StateForProof(suite, height, "state presence proof"));
  return Explain(core::smt::VerifyPresence(suite, state->state_root, key, value, proof),
                 "state presence", height);
}

Status LightClient::VerifyStateAbsence(const core::CryptoSuite& suite, std::uint64_t height,
                                       const core::Hash32& key,
                                       const core::smt::Proof& proof) const {
  BAYLINK_ASSIGN_OR_RETURN(const ConsensusState* state,
                           StateForProof(suite, height, "state absence proof"));
  return Explain(core::smt::VerifyAbsence(suite, state->state_root, key, proof), "state absence",
                 height);
}

}  // namespace baylink::lightclient
