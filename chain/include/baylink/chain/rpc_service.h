// SPDX-License-Identifier: Apache-2.0
//
// The node's JSON-RPC 2.0 methods (issue 3 deliverable 4), registered on a dispatcher.
// Params are named (a JSON object; an absent params member is an empty object). Byte
// strings are 0x-hex; chain types use core/json.h's forms; proofs, and every value a client
// must check, also come as the hex of their canonical encoding ("raw" / "proof") so a client
// verifies exactly the bytes that were hashed.
//
//   sendTransaction  {tx: hex}                      -> {hash}
//   getTransaction   {hash}                         -> {status: "committed", height, index,
//                                                       tx, raw}; kNotFound whose message says
//                                                       "is pending" while it waits in the pool
//   getReceipt       {hash}                         -> {height, index, receipt, raw, proof}
//                      (proof: merkle::InclusionProof against the header's receipt_root)
//   getHeader        {height?}                      -> {hash, header, certificate,
//                                                       raw_header, raw_certificate}
//   getBlock         {height}                       -> {hash, header, certificate,
//                                                       transactions, raw}
//   getBlockEvents   {height}                       -> {height, raw}  (BlockEvents, as streamed)
//   getStateProof    {contract, key: hex, height?}  -> {height, state_root, state_key,
//                                                       value: hex | null, proof}
//   getValidatorSet  {height?}                      -> {height, hash, validators}
//                      (the set that signs that height)
//   getNonce         {address}                      -> {address, next_nonce}
//   getChainInfo     {}                             -> {chain_id, suite, height, head_hash,
//                                                       timestamp_ms, oldest_state_height,
//                                                       mempool_size, validators}
//   call             {contract, method, args: hex, height?, sender?} -> {height, output}
// Errors are the Chain's, mapped by net::RpcErrorCode; unknown params fields are kMalformed.
#pragma once

#include <functional>

#include "baylink/chain/chain.h"
#include "baylink/net/jsonrpc.h"

namespace baylink::chain {

// Called with each transaction sendTransaction accepted (its encoding), e.g. to pass it on to
// the other validators. Runs on the RPC thread that accepted it; must not block for long.
using AcceptedTx = std::function<void(core::ByteView encoded)>;

// Registers every method above on `dispatcher`. Requires: chain outlives the dispatcher's
// use. Thread safety: the handlers may run concurrently (Chain's queries and Submit are).
void RegisterRpcMethods(net::RpcDispatcher& dispatcher, Chain& chain,
                        AcceptedTx on_accepted = nullptr);

}  // namespace baylink::chain
