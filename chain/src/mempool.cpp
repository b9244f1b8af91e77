// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/mempool.h"

#include <algorithm>
#include <utility>

namespace baylink::chain {

using core::Errc;

namespace {
std::string Short(const core::Address& a) { return a.ToHex().substr(0, 10) + ".."; }
}  // namespace

Mempool::Mempool(const core::CryptoSuite& suite, std::string chain_id, MempoolOptions options)
    : m_suite(suite),
      m_chain_id(std::move(chain_id)),
      m_options(options),
      m_seed(core::RandomHashSeed()),
      m_entries(0, core::SeededHash<core::Hash32::kSize>{m_seed}),
      m_senders(0, core::SeededHash<core::Address::kSize>{m_seed}),
      m_verified(0, core::SeededHash<core::Hash32::kSize>{m_seed}) {}

core::Result<CheckedTx> Mempool::Precheck(core::ByteView encoded) const {
  if (encoded.size() > m_options.max_tx_bytes) {
    return core::Fail(Errc::kOversized, "transaction has " + std::to_string(encoded.size()) +
                                            " bytes; the limit is " +
                                            std::to_string(m_options.max_tx_bytes));
  }
  BAYLINK_ASSIGN_OR_RETURN(core::Transaction tx, core::Transaction::Decode(encoded));
  if (tx.chain_id != m_chain_id) {
    return core::Fail(Errc::kWrongChain,
                      "transaction is for chain " + tx.chain_id + "; this node runs " + m_chain_id);
  }
  // The transaction's hash is the signed digest; computed once for both uses.
  CheckedTx out;
  out.hash = tx.Hash(m_suite);
  out.sender = m_suite.ToAddress(tx.sender);
  out.size = encoded.size();
  out.tx = std::move(tx);
  return out;
}

core::Status Mempool::Screen(const CheckedTx& checked, std::uint64_t next_height,
                             std::uint64_t account_nonce) const {
  const core::Transaction& tx = checked.tx;
  if (tx.expiry_height < next_height) {
    return core::Fail(Errc::kExpired, "transaction expired at height " +
                                          std::to_string(tx.expiry_height) +
                                          "; the next block is " + std::to_string(next_height));
  }
  if (tx.nonce < account_nonce) {
    return core::Fail(Errc::kStale, "nonce " + std::to_string(tx.nonce) +
                                        " already used by sender " + Short(checked.sender) +
                                        "; next nonce is " + std::to_string(account_nonce));
  }
  if (tx.nonce - account_nonce >= m_options.max_per_sender) {
    return core::Fail(Errc::kInvalidArgument,
                      "nonce " + std::to_string(tx.nonce) + " of sender " + Short(checked.sender) +
                          " is too far ahead of its next nonce " + std::to_string(account_nonce) +
                          " (at most " + std::to_string(m_options.max_per_sender) + ")");
  }
  std::lock_guard lock(m_mutex);
  return NotPendingLocked(checked.hash);
}

core::Status Mempool::NotPendingLocked(const core::Hash32& hash) const {
  if (m_entries.contains(hash)) {
    return core::Fail(Errc::kDuplicate, "transaction " + hash.ToHex() + " is already pending");
  }
  return core::Ok();
}

core::Status Mempool::Verify(const CheckedTx& checked) const {
  {
    std::lock_guard lock(m_verified_mutex);
    const auto it = m_verified.find(checked.hash);
    if (it != m_verified.end() && it->second == checked.tx.signature) return core::Ok();
  }
  return m_suite.Verify(checked.tx.sender, checked.hash.view(), checked.tx.signature);
}

core::Result<CheckedTx> Mempool::Check(core::ByteView encoded) const {
  BAYLINK_ASSIGN_OR_RETURN(CheckedTx out, Precheck(encoded));
  BAYLINK_TRY(Verify(out));
  return out;
}

void Mempool::NoteVerified(const core::Hash32& hash, core::ByteView signature) {
  constexpr std::size_t kKept = 32768;
  std::lock_guard lock(m_verified_mutex);
  auto [it, added] = m_verified.try_emplace(hash);
  it->second.assign(signature.begin(), signature.end());
  if (!added) return;
  m_verified_order.push_back(hash);
  if (m_verified_order.size() > kKept) {
    m_verified.erase(m_verified_order.front());
    m_verified_order.pop_front();
  }
}

Mempool::KnownNonce Mempool::AccountNonce(const core::Address& sender) const {
  std::lock_guard lock(m_mutex);
  KnownNonce out{m_generation, std::nullopt};
  const auto it = m_senders.find(sender);
  if (it != m_senders.end()) out.nonce = it->second.account_nonce;
  return out;
}

core::Status Mempool::Insert(CheckedTx checked, std::uint64_t next_height,
                             std::uint64_t account_nonce,
                             std::optional<std::uint64_t> nonce_generation) {
  BAYLINK_TRY(Screen(checked, next_height, account_nonce));
  const core::Transaction& tx = checked.tx;
  std::lock_guard lock(m_mutex);
  BAYLINK_TRY(NotPendingLocked(checked.hash));  // again: another thread may have added it since
  auto sender_it = m_senders.find(checked.sender);
  if (sender_it != m_senders.end()) {
    const auto pending = sender_it->second.by_nonce.find(tx.nonce);
    if (pending != sender_it->second.by_nonce.end()) {
      return core::Fail(Errc::kDuplicate, "nonce " + std::to_string(tx.nonce) + " of sender " +
                                              Short(checked.sender) +
                                              " is already pending in transaction " +
                                              pending->second.ToHex());
    }
    if (sender_it->second.by_nonce.size() >= m_options.max_per_sender) {
      return core::Fail(Errc::kFull, "sender " + Short(checked.sender) + " has " +
                                         std::to_string(m_options.max_per_sender) +
                                         " pending transactions, the limit; retry later");
    }
  }
  if (m_entries.size() >= m_options.max_txs ||
      m_bytes + checked.size > m_options.max_bytes) {
    return core::Fail(Errc::kFull, "the mempool is full (" + std::to_string(m_entries.size()) +
                                       " transactions, " + std::to_string(m_bytes) +
                                       " bytes); retry later");
  }
  if (sender_it == m_senders.end()) {
    // A nonce found before the last Remove may predate that block: not kept.
    std::optional<std::uint64_t> known;
    if (nonce_generation == m_generation) known = account_nonce;
    sender_it = m_senders.emplace(checked.sender, Sender{m_next_arrival, {}, known}).first;
    m_arrivals.emplace(m_next_arrival++, checked.sender);
  }
  sender_it->second.by_nonce.emplace(tx.nonce, checked.hash);
  m_by_expiry.try_emplace(tx.expiry_height, 0, core::SeededHash<core::Hash32::kSize>{m_seed})
      .first->second.insert(checked.hash);
  m_bytes += checked.size;
  m_entries.emplace(checked.hash, Entry{std::move(checked.tx), checked.sender, checked.size});
  return core::Ok();
}

core::Result<Mempool::Selection> Mempool::Select(std::size_t max_txs, std::size_t max_bytes,
                                                 std::uint64_t height,
                                                 const NonceLookup& next_nonce) const {
  // The senders that can fill the block, in arrival order: their pending counts reach max_txs.
  // Those whose nonce the pool does not know are looked up in state.
  struct Looked {
    std::uint64_t arrival;
    core::Address address;
    std::uint64_t nonce = 0;
  };
  std::vector<Looked> looked;
  {
    std::lock_guard lock(m_mutex);
    std::size_t pending = 0;
    for (const auto& [arrival, address] : m_arrivals) {
      if (pending >= max_txs) break;
      const Sender& sender = m_senders.at(address);
      if (!sender.account_nonce) looked.push_back(Looked{arrival, address});
      pending += sender.by_nonce.size();
    }
  }
  for (Looked& l : looked) {
    BAYLINK_ASSIGN_OR_RETURN(l.nonce, next_nonce(l.address));
  }

  Selection out;
  std::size_t bytes = 0;
  std::lock_guard lock(m_mutex);
  auto next_looked = looked.begin();
  for (const auto& [arrival, address] : m_arrivals) {
    if (out.txs.size() >= max_txs) break;
    // Senders that left since the look are passed over; one that arrived since is looked up
    // here (arrival numbers only grow, so it is not in `looked`).
    while (next_looked != looked.end() && next_looked->arrival < arrival) ++next_looked;
    const Sender& sender = m_senders.at(address);
    std::uint64_t nonce = 0;
    if (sender.account_nonce) {
      nonce = *sender.account_nonce;
    } else if (next_looked != looked.end() && next_looked->arrival == arrival) {
      nonce = next_looked->nonce;
    } else {
      BAYLINK_ASSIGN_OR_RETURN(nonce, next_nonce(address));
    }
    for (auto it = sender.by_nonce.lower_bound(nonce);
         it != sender.by_nonce.end() && it->first == nonce && out.txs.size() < max_txs;
         ++it, ++nonce) {
      const Entry& entry = m_entries.at(it->second);
      if (entry.tx.expiry_height < height) break;
      if (bytes + entry.size > max_bytes) break;
      bytes += entry.size;
      out.txs.push_back(entry.tx);
      out.hashes.push_back(it->second);
    }
  }
  return out;
}

void Mempool::EraseLocked(const core::Hash32& hash) {
  const auto it = m_entries.find(hash);
  if (it == m_entries.end()) return;
  const auto sender_it = m_senders.find(it->second.sender);
  if (sender_it != m_senders.end()) {
    sender_it->second.by_nonce.erase(it->second.tx.nonce);
    if (sender_it->second.by_nonce.empty()) {
      m_arrivals.erase(sender_it->second.arrival);
      m_senders.erase(sender_it);
    }
  }
  if (const auto expiry = m_by_expiry.find(it->second.tx.expiry_height);
      expiry != m_by_expiry.end()) {
    expiry->second.erase(hash);
    if (expiry->second.empty()) m_by_expiry.erase(expiry);
  }
  m_bytes -= it->second.size;
  m_entries.erase(it);
}

core::Result<std::vector<core::Hash32>> Mempool::Remove(
    const std::vector<core::Hash32>& hashes, const std::vector<core::Address>& senders,
    std::uint64_t next_height, const NonceLookup& next_nonce) {
  // First the given hashes; then the nonces of the listed senders that still have pending
  // transactions, looked up unlocked; then what those nonces and the height make stale.
  std::vector<core::Hash32> removed;
  std::vector<std::pair<core::Address, std::uint64_t>> nonces;
  {
    std::lock_guard lock(m_mutex);
    ++m_generation;
    for (const core::Hash32& hash : hashes) {
      if (m_entries.contains(hash)) {
        EraseLocked(hash);
        removed.push_back(hash);
      }
    }
    for (const core::Address& address : senders) {
      if (m_senders.contains(address)) nonces.emplace_back(address, 0);
    }
  }
  for (auto& [address, nonce] : nonces) {
    BAYLINK_ASSIGN_OR_RETURN(nonce, next_nonce(address));
  }

  std::lock_guard lock(m_mutex);
  for (const auto& [address, nonce] : nonces) {
    const auto sender_it = m_senders.find(address);
    if (sender_it == m_senders.end()) continue;
    sender_it->second.account_nonce = nonce;
    std::vector<core::Hash32> used;
    for (auto it = sender_it->second.by_nonce.begin();
         it != sender_it->second.by_nonce.end() && it->first < nonce; ++it) {
      used.push_back(it->second);
    }
    for (const core::Hash32& hash : used) {
      EraseLocked(hash);
      removed.push_back(hash);
    }
  }
  while (!m_by_expiry.empty() && m_by_expiry.begin()->first < next_height) {
    std::vector<core::Hash32> expired(m_by_expiry.begin()->second.begin(),
                                      m_by_expiry.begin()->second.end());
    std::sort(expired.begin(), expired.end());
    m_by_expiry.erase(m_by_expiry.begin());
    for (const core::Hash32& hash : expired) {
      EraseLocked(hash);
      removed.push_back(hash);
    }
  }
  return removed;
}

bool Mempool::HoldsVerified(const core::Hash32& hash, core::ByteView signature) const {
  std::lock_guard lock(m_mutex);
  const auto it = m_entries.find(hash);
  return it != m_entries.end() &&
         std::equal(it->second.tx.signature.begin(), it->second.tx.signature.end(),
                    signature.begin(), signature.end());
}

bool Mempool::Contains(const core::Hash32& hash) const {
  std::lock_guard lock(m_mutex);
  return m_entries.contains(hash);
}

std::vector<core::Transaction> Mempool::Pending() const {
  std::lock_guard lock(m_mutex);
  std::vector<core::Transaction> out;
  out.reserve(m_entries.size());
  for (const auto& [arrival, address] : m_arrivals) {
    const auto sender = m_senders.find(address);
    if (sender == m_senders.end()) continue;
    for (const auto& [nonce, hash] : sender->second.by_nonce) {
      out.push_back(m_entries.at(hash).tx);
    }
  }
  return out;
}

std::size_t Mempool::size() const {
  std::lock_guard lock(m_mutex);
  return m_entries.size();
}

std::size_t Mempool::bytes() const {
  std::lock_guard lock(m_mutex);
  return m_bytes;
}

}  // namespace baylink::chain
