// SPDX-License-Identifier: Apache-2.0
#include "baylink/lightclient/testing/test_chain.h"

#include <algorithm>
#include <utility>

namespace baylink::lightclient::testing {

using core::BlockHeader;
using core::Hash32;

core::ValidatorSet ToSet(const TestValidators& validators) {
  std::vector<core::Validator> entries;
  entries.reserve(validators.size());
  for (const TestValidator& v : validators) entries.push_back({v.key.public_key, v.power});
  auto set = core::ValidatorSet::Create(std::move(entries));
  BAYLINK_ASSERT(set.has_value(), "test validators do not form a valid set");
  return std::move(set).value();
}

TestValidators MakeValidators(const core::CryptoSuite& suite, core::RandomSource& rng,
                              std::size_t count, std::uint64_t power) {
  TestValidators out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back({suite.GenerateKey(rng), power});
  return out;
}

std::chrono::system_clock::time_point ToSystemTime(Timestamp time) {
  return std::chrono::system_clock::time_point(time.time_since_epoch());
}

TestChain::TestChain(const core::CryptoSuite& suite, core::RandomSource& rng,
                     TestValidators validators, Options options)
    : m_suite(suite), m_rng(rng), m_options(std::move(options)) {
  BAYLINK_ASSERT(!validators.empty(), "a test chain needs validators");
  m_next = validators;
  m_pending = std::move(validators);
  Produce(Block{});
}

std::uint64_t TestChain::latest_height() const {
  return m_options.first_height + m_headers.size() - 1;
}

const SignedHeader& TestChain::At(std::uint64_t height) const {
  BAYLINK_ASSERT(height >= m_options.first_height && height <= latest_height(),
                 "TestChain::At a height not produced");
  return m_headers[height - m_options.first_height];
}

const TestValidators& TestChain::ValidatorsAt(std::uint64_t height) const {
  BAYLINK_ASSERT(height >= m_options.first_height && height <= latest_height(),
                 "TestChain::ValidatorsAt a height not produced");
  return m_signers[height - m_options.first_height];
}

std::chrono::system_clock::time_point TestChain::TimeOf(std::uint64_t height) const {
  return ToSystemTime(HeaderTime(At(height).header));
}

void TestChain::AddValidator(std::uint64_t power) { m_pending.push_back(FreshValidator(power)); }

void TestChain::RemoveValidator(std::size_t index) {
  BAYLINK_ASSERT(index < m_pending.size() && m_pending.size() > 1,
                 "RemoveValidator outside the pending set, or of its last member");
  m_pending.erase(m_pending.begin() + static_cast<std::ptrdiff_t>(index));
}

void TestChain::Reweight(std::size_t index, std::uint64_t power) {
  BAYLINK_ASSERT(index < m_pending.size() && power > 0, "Reweight outside the pending set");
  m_pending[index].power = power;
}

void TestChain::ReplaceAll(const std::vector<std::uint64_t>& powers) {
  BAYLINK_ASSERT(!powers.empty(), "ReplaceAll with no validators");
  m_pending.clear();
  for (std::uint64_t power : powers) m_pending.push_back(FreshValidator(power));
}

const SignedHeader& TestChain::Advance() { return Produce(Block{}); }
const SignedHeader& TestChain::Advance(const Block& block) { return Produce(block); }

const SignedHeader& TestChain::Produce(const Block& block) {
  BlockHeader h;
  h.chain_id = m_options.chain_id;
  if (m_headers.empty()) {
    h.height = m_options.first_height;
    h.timestamp_ms = static_cast<std::uint64_t>(m_options.genesis_time.time_since_epoch().count());
  } else {
    const BlockHeader& parent = m_headers.back().header;
    const auto interval = block.interval.count() > 0 ? block.interval : m_options.block_interval;
    h.height = parent.height + 1;
    h.timestamp_ms = parent.timestamp_ms + static_cast<std::uint64_t>(interval.count());
    h.parent_hash = parent.Hash(m_suite);
  }
  h.tx_root = block.tx_root ? *block.tx_root : RandomHash();
  h.receipt_root = block.receipt_root ? *block.receipt_root : RandomHash();
  h.state_root = block.state_root ? *block.state_root : RandomHash();
  h.validators_hash = ToSet(m_next).Hash(m_suite);
  h.next_validators_hash = ToSet(m_pending).Hash(m_suite);
  h.proposer = static_cast<std::uint32_t>(h.height % m_next.size());

  std::vector<std::size_t> signers;
  if (block.signers) signers = *block.signers;
  m_headers.push_back(Sign(h, m_next, signers, block.round));
  m_signers.push_back(m_next);
  m_next = m_pending;
  return m_headers.back();
}

SignedHeader TestChain::Sign(const BlockHeader& header, const TestValidators& validators,
                             std::span<const std::size_t> signers, std::uint32_t round) const {
  SignedHeader out;
  out.header = header;
  out.validators = ToSet(validators);
  out.certificate.height = header.height;
  out.certificate.round = round;
  out.certificate.header_hash = header.Hash(m_suite);
  const Hash32 digest = core::CommitVoteDigest(m_suite, header.chain_id, header.height, round,
                                               out.certificate.header_hash);
  std::vector<std::size_t> who(signers.begin(), signers.end());
  if (who.empty()) {
    for (std::size_t i = 0; i < validators.size(); ++i) who.push_back(i);
  }
  std::sort(who.begin(), who.end());  // the canonical order: increasing index
  for (std::size_t i : who) {
    BAYLINK_ASSERT(i < validators.size(), "signer outside the test validators");
    auto signature = m_suite.Sign(validators[i].key.secret, digest.view());
    BAYLINK_ASSERT(signature.has_value(), "test signing failed");
    out.certificate.signatures.push_back(
        core::CommitSignature{static_cast<std::uint32_t>(i), std::move(signature).value()});
  }
  return out;
}

SignedHeader TestChain::Fork(std::uint64_t height, const Hash32& state_root) const {
  BlockHeader h = At(height).header;
  BAYLINK_ASSERT(h.state_root != state_root, "Fork with the same state root");
  h.state_root = state_root;
  return Sign(h, ValidatorsAt(height));
}

ClientParams TestChain::Params(std::chrono::milliseconds trusting_period,
                               std::chrono::milliseconds max_clock_drift) const {
  ClientParams p;
  p.chain_id = m_options.chain_id;
  p.suite = m_suite.Id();
  p.trusting_period = trusting_period;
  p.max_clock_drift = max_clock_drift;
  return p;
}

Hash32 TestChain::RandomHash() {
  Hash32 h;
  m_rng.Fill(std::span<std::uint8_t>(h.data(), h.size()));
  return h;
}

TestValidator TestChain::FreshValidator(std::uint64_t power) {
  return TestValidator{m_suite.GenerateKey(m_rng), power};
}

// ---- attacks ----------------------------------------------------------------------------

SignedHeader WithRepeatedSigner(SignedHeader signed_header, std::size_t position) {
  auto& sigs = signed_header.certificate.signatures;
  BAYLINK_ASSERT(position < sigs.size(), "WithRepeatedSigner outside the certificate");
  const core::CommitSignature copy = sigs[position];
  sigs.insert(sigs.begin() + static_cast<std::ptrdiff_t>(position) + 1, copy);
  return signed_header;
}

SignedHeader WithSignerOutsideSet(SignedHeader signed_header) {
  auto& sigs = signed_header.certificate.signatures;
  BAYLINK_ASSERT(!sigs.empty(), "WithSignerOutsideSet on an empty certificate");
  core::CommitSignature extra = sigs.back();
  extra.validator_index = static_cast<std::uint32_t>(signed_header.validators.size());
  sigs.push_back(std::move(extra));
  return signed_header;
}

SignedHeader WithSignatures(SignedHeader signed_header, std::span<const std::size_t> positions) {
  std::vector<core::CommitSignature> kept;
  for (std::size_t p : positions) {
    BAYLINK_ASSERT(p < signed_header.certificate.signatures.size(),
                   "WithSignatures outside the certificate");
    kept.push_back(signed_header.certificate.signatures[p]);
  }
  signed_header.certificate.signatures = std::move(kept);
  return signed_header;
}

SignedHeader WithCorruptSignature(SignedHeader signed_header, std::size_t position) {
  auto& sigs = signed_header.certificate.signatures;
  BAYLINK_ASSERT(position < sigs.size() && !sigs[position].signature.empty(),
                 "WithCorruptSignature outside the certificate");
  sigs[position].signature[sigs[position].signature.size() / 2] ^= 0x01;
  return signed_header;
}

}  // namespace baylink::lightclient::testing
