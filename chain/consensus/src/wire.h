// SPDX-License-Identifier: Apache-2.0
//
// The message bodies of the wire format (messages.h), shared by frames, evidence and the
// signed record.
#pragma once

#include "baylink/consensus/messages.h"
#include "baylink/core/codec.h"

namespace baylink::consensus::wire {

void EncodeVote(core::Writer& w, const Vote& vote);
core::Result<Vote> DecodeVote(core::Reader& r);
void EncodeProposal(core::Writer& w, const Proposal& proposal);
core::Result<Proposal> DecodeProposal(core::Reader& r);
void EncodeBody(core::Writer& w, const Message& message);

}  // namespace baylink::consensus::wire
