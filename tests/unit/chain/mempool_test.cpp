// SPDX-License-Identifier: Apache-2.0
//
// The mempool: every admission error with its code, selection order and bounds, and removal
// after a block. Transactions are signed with the real suites.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "baylink/chain/mempool.h"
#include "chain_fixtures.h"

namespace baylink::chain::test {
namespace mempool_test {
namespace {

using core::Bytes;
using core::Errc;
using core::Hash32;

constexpr std::string_view kChain = "hk";

// A pool with a few accounts and the nonces committed state would hold.
struct Pool {
  explicit Pool(core::SuiteId id = core::SuiteId::kEcdsa, MempoolOptions options = {})
      : suite(Suite(id)), pool(suite, std::string(kChain), options) {
    for (std::uint64_t i = 0; i < 4; ++i) accounts.push_back(MakeAccount(suite, i));
  }

  core::Transaction Tx(std::size_t who, std::uint64_t nonce, std::uint64_t expiry = 100,
                       std::string_view memo = "") {
    return SignedTx(
        suite, accounts[who], kChain, nonce, "asset", "transfer",
        contracts::EncodeTransfer("HKD", accounts[(who + 1) % 4].address, 1 + memo.size()), expiry);
  }

  CheckedTx Checked(const core::Transaction& tx) {
    auto checked = pool.Check(tx.Encode());
    REQUIRE_MESSAGE(checked.has_value(), checked.error().Message());
    return std::move(checked).value();
  }

  // Check + Insert against the committed nonces, for the block at `next_height`.
  core::Status Add(const core::Transaction& tx, std::uint64_t next_height = 1) {
    CheckedTx checked = Checked(tx);
    return pool.Insert(std::move(checked), next_height, NonceOf(suite.ToAddress(tx.sender)));
  }
  Hash32 AddOk(const core::Transaction& tx, std::uint64_t next_height = 1) {
    core::Status s = Add(tx, next_height);
    REQUIRE_MESSAGE(s.has_value(), s.error().Message());
    return tx.Hash(suite);
  }

  std::uint64_t NonceOf(const core::Address& a) const {
    const auto it = nonces.find(a);
    return it == nonces.end() ? 0 : it->second;
  }
  Mempool::NonceLookup Lookup() const {
    return [this](const core::Address& a) { return core::Result<std::uint64_t>(NonceOf(a)); };
  }
  // Lookup, counting its calls in `calls`.
  Mempool::NonceLookup CountingLookup(std::size_t& calls) const {
    return [this, &calls](const core::Address& a) {
      ++calls;
      return core::Result<std::uint64_t>(NonceOf(a));
    };
  }

  Mempool::Selection Select(std::size_t max_txs = 1000, std::size_t max_bytes = 1u << 20,
                            std::uint64_t height = 1) {
    auto selection = pool.Select(max_txs, max_bytes, height, Lookup());
    REQUIRE(selection.has_value());
    REQUIRE(selection->txs.size() == selection->hashes.size());
    for (std::size_t i = 0; i < selection->txs.size(); ++i) {
      CHECK(selection->txs[i].Hash(suite) == selection->hashes[i]);
    }
    return std::move(selection).value();
  }

  const core::CryptoSuite& suite;
  Mempool pool;
  std::vector<Account> accounts;
  std::map<core::Address, std::uint64_t> nonces;
};

// (sender index, nonce) of each selected transaction.
std::vector<std::pair<std::size_t, std::uint64_t>> Picked(const Pool& p,
                                                          const Mempool::Selection& s) {
  std::vector<std::pair<std::size_t, std::uint64_t>> out;
  for (const core::Transaction& tx : s.txs) {
    std::size_t who = 0;
    while (p.accounts[who].keys.public_key != tx.sender) ++who;
    out.emplace_back(who, tx.nonce);
  }
  return out;
}

using Picks = std::vector<std::pair<std::size_t, std::uint64_t>>;

TEST_CASE("mempool check accepts a signed transaction and reports its hash, sender and size") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    Pool p(id);
    const core::Transaction tx = p.Tx(0, 0);
    const Bytes encoded = tx.Encode();
    auto checked = p.pool.Check(encoded);
    REQUIRE_MESSAGE(checked.has_value(), checked.error().Message());
    CHECK(checked->tx == tx);
    CHECK(checked->hash == tx.Hash(p.suite));
    CHECK(checked->sender == p.accounts[0].address);
    CHECK(checked->size == encoded.size());
    REQUIRE(p.pool.Insert(std::move(checked).value(), 1, 0).has_value());
    CHECK(p.pool.Contains(tx.Hash(p.suite)));
    CHECK(p.pool.size() == 1);
    CHECK(p.pool.bytes() == encoded.size());
  }
}

TEST_CASE("mempool check refuses a transaction over max_tx_bytes before decoding it") {
  MempoolOptions options;
  options.max_tx_bytes = 300;
  Pool p(core::SuiteId::kEcdsa, options);
  core::Transaction tx = p.Tx(0, 0);
  tx.args.resize(400, 0x01);
  REQUIRE(tx.Sign(p.suite, p.accounts[0].keys.secret).has_value());
  CHECK_FAILS_WITH(p.pool.Check(tx.Encode()), Errc::kOversized, "the limit is 300");
  // Bytes that would not even decode are refused for their size first.
  CHECK_FAILS_WITH(p.pool.Check(Bytes(301, 0xff)), Errc::kOversized, "301 bytes");
  // Under the limit is fine.
  core::Transaction small = p.Tx(0, 0);
  CHECK(p.pool.Check(small.Encode()).has_value());
}

TEST_CASE("mempool check refuses truncated bytes and bytes after the transaction") {
  Pool p;
  const Bytes encoded = p.Tx(0, 0).Encode();
  for (const std::size_t cut :
       {std::size_t{0}, std::size_t{1}, encoded.size() / 2, encoded.size() - 1}) {
    CAPTURE(cut);
    const Bytes truncated(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_FAILS_WITH(p.pool.Check(truncated), Errc::kTruncated, "");
  }
  Bytes trailing = encoded;
  trailing.push_back(0);
  CHECK_FAILS_WITH(p.pool.Check(trailing), Errc::kTrailingBytes, "");
}

TEST_CASE("mempool check refuses a transaction for another chain naming both chains") {
  Pool p;
  const core::Transaction tx =
      SignedTx(p.suite, p.accounts[0], "gd", 0, "asset", "create", contracts::EncodeCreate("HKD"));
  CHECK_FAILS_WITH(p.pool.Check(tx.Encode()), Errc::kWrongChain,
                   "transaction is for chain gd; this node runs hk");
}

TEST_CASE("mempool check refuses a signature with one byte flipped, in either suite") {
  for (const core::SuiteId id : {core::SuiteId::kEcdsa, core::SuiteId::kSm}) {
    CAPTURE(core::SuiteName(id));
    Pool p(id);
    const core::Transaction tx = p.Tx(0, 0);
    const Bytes encoded = tx.Encode();
    // The signature is the last field: flip a byte inside r, and one inside s.
    const std::size_t sig = encoded.size() - tx.signature.size();
    for (const std::size_t at : {sig + 3, sig + 40}) {
      CAPTURE(at);
      Bytes mutated = encoded;
      mutated[at] ^= 0x01;
      CHECK_FAILS_WITH(p.pool.Check(mutated), Errc::kBadSignature, "");
    }
    // A change to the signed content (the args) breaks the signature too.
    core::Transaction changed = tx;
    changed.args.back() ^= 0x01;
    CHECK_FAILS_WITH(p.pool.Check(changed.Encode()), Errc::kBadSignature, "");
    // Signed by someone else than the sender it names.
    core::Transaction forged = tx;
    REQUIRE(forged.Sign(p.suite, p.accounts[1].keys.secret).has_value());
    CHECK_FAILS_WITH(p.pool.Check(forged.Encode()), Errc::kBadSignature, "");
    CHECK(p.pool.size() == 0);
  }
}

TEST_CASE("mempool screen refuses stale, expired and pending transactions without a signature") {
  Pool p;
  p.nonces[p.accounts[0].address] = 3;
  // A broken signature: Screen's refusals come from the nonce, expiry and hash alone.
  core::Transaction stale = p.Tx(0, 1);
  stale.signature.back() ^= 0x01;
  auto checked = p.pool.Precheck(stale.Encode());
  REQUIRE(checked.has_value());
  CHECK(checked->hash == stale.Hash(p.suite));
  CHECK(checked->sender == p.accounts[0].address);
  CHECK_FAILS_WITH(p.pool.Screen(*checked, 1, 3), Errc::kStale, "next nonce is 3");
  CHECK_FAILS_WITH(p.pool.Screen(*checked, 200, 0), Errc::kExpired, "expired at height 100");
  CHECK_FAILS_WITH(p.pool.Verify(*checked), Errc::kBadSignature, "");
  // A pending hash is refused before its signature is looked at.
  const core::Transaction fresh = p.Tx(0, 3);
  p.AddOk(fresh);
  auto again = p.pool.Precheck(fresh.Encode());
  REQUIRE(again.has_value());
  CHECK_FAILS_WITH(p.pool.Screen(*again, 1, 3), Errc::kDuplicate, "is already pending");
  // Precheck alone still refuses what needs no signature.
  CHECK_FAILS_WITH(p.pool.Precheck(Bytes{0x01}), Errc::kTruncated, "");
}

TEST_CASE("mempool verify trusts only the exact signature the block path noted") {
  Pool p;
  core::Transaction tx = p.Tx(0, 0);
  const Hash32 hash = tx.Hash(p.suite);
  const Bytes good = tx.signature;
  // A signature the block path verified is not verified again.
  p.pool.NoteVerified(hash, good);
  auto checked = p.pool.Precheck(tx.Encode());
  REQUIRE(checked.has_value());
  CHECK(p.pool.Verify(*checked).has_value());
  // Another signature over the same hash is verified, and fails.
  tx.signature.back() ^= 0x01;
  auto other = p.pool.Precheck(tx.Encode());
  REQUIRE(other.has_value());
  CHECK_FAILS_WITH(p.pool.Verify(*other), Errc::kBadSignature, "");
  // The note is what made the first pass: a noted bad signature would pass too, which is why
  // only the block path, after verifying, may note one.
  p.pool.NoteVerified(hash, tx.signature);
  CHECK(p.pool.Verify(*other).has_value());
  // Bounded: after 32,768 newer notes the first is forgotten and verified again.
  for (std::uint32_t i = 0; i < 32768; ++i) {
    Hash32 h;
    h.bytes[0] = static_cast<std::uint8_t>(i);
    h.bytes[1] = static_cast<std::uint8_t>(i >> 8);
    h.bytes[2] = 0xee;
    p.pool.NoteVerified(h, good);
  }
  CHECK_FAILS_WITH(p.pool.Verify(*other), Errc::kBadSignature, "");
}

TEST_CASE("mempool insert refuses a transaction that expires before the next block") {
  Pool p;
  CHECK_FAILS_WITH(p.Add(p.Tx(0, 0, /*expiry=*/5), /*next_height=*/6), Errc::kExpired,
                   "transaction expired at height 5; the next block is 6");
  // Expiring at the next block's height is still in time.
  CHECK(p.Add(p.Tx(0, 0, /*expiry=*/6), /*next_height=*/6).has_value());
}

TEST_CASE("mempool insert refuses a nonce already used and names the next nonce") {
  Pool p;
  p.nonces[p.accounts[0].address] = 3;
  CHECK_FAILS_WITH(p.Add(p.Tx(0, 2)), Errc::kStale, "nonce 2 already used by sender");
  CHECK_FAILS_WITH(p.Add(p.Tx(0, 0)), Errc::kStale, "next nonce is 3");
  CHECK(p.Add(p.Tx(0, 3)).has_value());
}

TEST_CASE(
    "mempool insert refuses the same transaction twice and a second one with a pending nonce") {
  Pool p;
  const core::Transaction tx = p.Tx(0, 0);
  const Hash32 hash = p.AddOk(tx);
  CHECK_FAILS_WITH(p.Add(tx), Errc::kDuplicate,
                   "transaction " + hash.ToHex() + " is already pending");
  // Another transaction with the same sender and nonce.
  const core::Transaction other = p.Tx(0, 0, 100, "other");
  REQUIRE(other.Hash(p.suite) != hash);
  CHECK_FAILS_WITH(p.Add(other), Errc::kDuplicate,
                   "nonce 0 of sender 0x" + p.accounts[0].address.ToHex().substr(2, 8));
  CHECK_FAILS_WITH(p.Add(other), Errc::kDuplicate,
                   "is already pending in transaction " + hash.ToHex());
  CHECK(p.pool.size() == 1);
  // Another sender may use the same nonce.
  CHECK(p.Add(p.Tx(1, 0)).has_value());
}

TEST_CASE("mempool insert refuses a nonce too far ahead of the sender's next nonce") {
  MempoolOptions options;
  options.max_per_sender = 4;
  Pool p(core::SuiteId::kEcdsa, options);
  p.nonces[p.accounts[0].address] = 10;
  CHECK_FAILS_WITH(p.Add(p.Tx(0, 20)), Errc::kInvalidArgument,
                   "is too far ahead of its next nonce 10 (at most 4)");
  CHECK(p.Add(p.Tx(0, 13)).has_value());  // a gap is allowed within the bound
  CHECK(p.pool.size() == 1);
}

TEST_CASE("mempool insert refuses a sender at its bound and a full pool, with kFull") {
  SUBCASE("per sender") {
    MempoolOptions options;
    options.max_per_sender = 3;
    Pool p(core::SuiteId::kEcdsa, options);
    for (std::uint64_t n = 0; n < 3; ++n) p.AddOk(p.Tx(0, n));
    // Committed state moved on but the pool has not been cleaned yet: the sender still holds
    // three pending transactions.
    p.nonces[p.accounts[0].address] = 1;
    CHECK_FAILS_WITH(p.Add(p.Tx(0, 3)), Errc::kFull,
                     "has 3 pending transactions, the limit; retry later");
    CHECK(p.Add(p.Tx(1, 0)).has_value());  // other senders are not affected
  }
  SUBCASE("pool count") {
    MempoolOptions options;
    options.max_txs = 2;
    Pool p(core::SuiteId::kEcdsa, options);
    p.AddOk(p.Tx(0, 0));
    p.AddOk(p.Tx(1, 0));
    CHECK_FAILS_WITH(p.Add(p.Tx(2, 0)), Errc::kFull, "the mempool is full (2 transactions");
    CHECK(p.pool.size() == 2);
  }
  SUBCASE("pool bytes") {
    Pool probe;
    const std::size_t size = probe.Tx(0, 0).Encode().size();
    MempoolOptions options;
    options.max_bytes = 2 * size + size / 2;
    Pool p(core::SuiteId::kEcdsa, options);
    p.AddOk(p.Tx(0, 0));
    p.AddOk(p.Tx(1, 0));
    CHECK_FAILS_WITH(p.Add(p.Tx(2, 0)), Errc::kFull, "retry later");
    CHECK(p.pool.bytes() == 2 * size);
  }
}

TEST_CASE(
    "mempool select takes consecutive nonces per sender from the account nonce, senders in arrival "
    "order") {
  Pool p;
  // Sender 1 arrives first, then 0, then 2.
  p.AddOk(p.Tx(1, 1));
  p.AddOk(p.Tx(0, 5));
  p.AddOk(p.Tx(1, 0));
  p.AddOk(p.Tx(0, 3));
  p.AddOk(p.Tx(0, 4));
  p.AddOk(p.Tx(0, 7));  // after a gap at 6: waits
  p.AddOk(p.Tx(2, 1));  // nonce 0 missing: waits
  p.AddOk(p.Tx(1, 3));  // after a gap at 2: waits
  p.nonces[p.accounts[0].address] = 3;
  CHECK(Picked(p, p.Select()) == Picks{{1, 0}, {1, 1}, {0, 3}, {0, 4}, {0, 5}});

  // Committed state moves on (0's nonce 3 used): selection starts at the new nonce.
  p.nonces[p.accounts[0].address] = 4;
  CHECK(Picked(p, p.Select()) == Picks{{1, 0}, {1, 1}, {0, 4}, {0, 5}});
  // The missing nonce arrives.
  p.AddOk(p.Tx(2, 0));
  CHECK(Picked(p, p.Select()) == Picks{{1, 0}, {1, 1}, {0, 4}, {0, 5}, {2, 0}, {2, 1}});
}

TEST_CASE("mempool select respects max_txs and max_bytes") {
  Pool p;
  for (std::uint64_t n = 0; n < 3; ++n) p.AddOk(p.Tx(0, n));
  for (std::uint64_t n = 0; n < 3; ++n) p.AddOk(p.Tx(1, n));
  const std::size_t size = p.Tx(0, 0).Encode().size();
  CHECK(Picked(p, p.Select(4)) == Picks{{0, 0}, {0, 1}, {0, 2}, {1, 0}});
  CHECK(Picked(p, p.Select(0)).empty());
  // Two and a half transactions' bytes: the sender's run stops at the one that does not fit.
  CHECK(Picked(p, p.Select(1000, 2 * size + size / 2)) == Picks{{0, 0}, {0, 1}});
  CHECK(Picked(p, p.Select(1000, size - 1)).empty());
}

TEST_CASE("mempool select skips expired transactions and what follows them") {
  Pool p;
  p.AddOk(p.Tx(0, 0, /*expiry=*/10));
  p.AddOk(p.Tx(0, 1, /*expiry=*/5));
  p.AddOk(p.Tx(0, 2, /*expiry=*/10));
  p.AddOk(p.Tx(1, 0, /*expiry=*/3));
  p.AddOk(p.Tx(2, 0, /*expiry=*/20));
  CHECK(Picked(p, p.Select(1000, 1u << 20, 5)) == Picks{{0, 0}, {0, 1}, {0, 2}, {2, 0}});
  CHECK(Picked(p, p.Select(1000, 1u << 20, 6)) == Picks{{0, 0}, {2, 0}});
}

TEST_CASE("mempool select passes on a failure of the nonce lookup") {
  Pool p;
  p.AddOk(p.Tx(0, 0));
  auto selection = p.pool.Select(10, 1u << 20, 1, [](const core::Address&) {
    return core::Result<std::uint64_t>(core::Fail(Errc::kStorage, "disk gone"));
  });
  CHECK_FAILS_WITH(selection, Errc::kStorage, "disk gone");
}

TEST_CASE("mempool remove drops included, stale and expired transactions and returns them") {
  Pool p;
  const Hash32 a0 = p.AddOk(p.Tx(0, 0));
  const Hash32 a1 = p.AddOk(p.Tx(0, 1));
  const Hash32 a2 = p.AddOk(p.Tx(0, 2));
  const Hash32 b0 = p.AddOk(p.Tx(1, 0));
  const Hash32 b1 = p.AddOk(p.Tx(1, 1, /*expiry=*/4));
  const Hash32 c0 = p.AddOk(p.Tx(2, 0, /*expiry=*/9));
  const std::size_t size = p.Tx(0, 0).Encode().size();
  REQUIRE(p.pool.size() == 6);

  // The block at height 4 included a0 and b0; sender 0 also used nonce 1 in it (another
  // transaction of the same nonce); b1 expires at 4, so it cannot enter block 5.
  p.nonces[p.accounts[0].address] = 2;
  p.nonces[p.accounts[1].address] = 1;
  auto removed =
      p.pool.Remove({a0, b0}, {p.accounts[0].address, p.accounts[1].address}, 5, p.Lookup());
  REQUIRE(removed.has_value());
  std::vector<Hash32> got = *removed;
  std::vector<Hash32> want = {a0, b0, a1, b1};
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  CHECK(got == want);
  CHECK(p.pool.size() == 2);
  CHECK(p.pool.bytes() == 2 * size);
  CHECK(p.pool.Contains(a2));
  CHECK(p.pool.Contains(c0));
  CHECK_FALSE(p.pool.Contains(a1));
  // Removing what is gone is a no-op.
  auto again = p.pool.Remove({a0, b0}, {}, 5, p.Lookup());
  REQUIRE(again.has_value());
  CHECK(again->empty());
  // The freed nonce slot is usable again, and the sender's next run is selected.
  CHECK(Picked(p, p.Select(1000, 1u << 20, 5)) == Picks{{0, 2}, {2, 0}});
  // Expiry alone (no hashes, no senders) removes c0 once block 10 is next.
  auto expired = p.pool.Remove({}, {}, 10, p.Lookup());
  REQUIRE(expired.has_value());
  CHECK(*expired == std::vector<Hash32>{c0});
  CHECK(p.pool.size() == 1);
}

// Whether another thread can take the pool's lock within a second, asked from inside a nonce
// lookup: Select and Remove must call their lookups (which read state) without holding it,
// so that admission goes on meanwhile. The helper thread is waited for before returning.
bool PoolLockFreeDuringLookup(const Mempool& pool) {
  std::atomic<bool> got{false};
  std::thread other([&] {
    (void)pool.size();
    got = true;
  });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!got && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool free = got;
  other.detach();  // if the lock was held, it finishes once the caller releases it
  return free;
}

TEST_CASE("mempool select and remove look up nonces without holding the pool's lock") {
  Pool p;
  const Hash32 a0 = p.AddOk(p.Tx(0, 0));
  p.AddOk(p.Tx(1, 0));
  std::size_t lookups = 0;
  std::size_t locked = 0;
  const Mempool::NonceLookup lookup = [&](const core::Address& a) {
    ++lookups;
    if (!PoolLockFreeDuringLookup(p.pool)) ++locked;
    return core::Result<std::uint64_t>(p.NonceOf(a));
  };
  auto selection = p.pool.Select(10, 1u << 20, 1, lookup);
  REQUIRE(selection.has_value());
  CHECK(selection->txs.size() == 2);
  CHECK(lookups == 2);
  p.nonces[p.accounts[0].address] = 1;
  auto removed = p.pool.Remove({a0}, {p.accounts[0].address, p.accounts[1].address}, 2, lookup);
  REQUIRE(removed.has_value());
  CHECK(*removed == std::vector<Hash32>{a0});
  // Sender 0 left with a0, so only sender 1 is looked up.
  CHECK(lookups == 3);
  CHECK(locked == 0);
  // Give any helper left waiting on the lock time to finish before the pool goes.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

TEST_CASE("mempool keeps a pending sender's nonce: selection does not look it up, and a "
          "block's remove moves it on") {
  Pool p;
  const core::Address& a = p.accounts[0].address;
  const Mempool::KnownNonce before = p.pool.AccountNonce(a);
  CHECK_FALSE(before.nonce.has_value());  // not pending: look it up in state
  const Hash32 n0 = p.Tx(0, 0).Hash(p.suite);
  REQUIRE(p.pool.Insert(p.Checked(p.Tx(0, 0)), 1, 0, before.generation).has_value());
  CHECK(p.pool.AccountNonce(a).nonce == std::optional<std::uint64_t>(0));
  REQUIRE(p.pool.Insert(p.Checked(p.Tx(0, 1)), 1, 0, p.pool.AccountNonce(a).generation).has_value());
  std::size_t lookups = 0;
  const Mempool::NonceLookup lookup = p.CountingLookup(lookups);
  auto selection = p.pool.Select(10, 1u << 20, 1, lookup);
  REQUIRE(selection.has_value());
  CHECK(Picked(p, *selection) == Picks{{0, 0}, {0, 1}});
  CHECK(lookups == 0);
  // A block took nonce 0: the remove reports nonce 1, which the pool keeps.
  p.nonces[a] = 1;
  auto removed = p.pool.Remove({n0}, {a}, 2, lookup);
  REQUIRE(removed.has_value());
  CHECK(lookups == 1);
  const Mempool::KnownNonce after = p.pool.AccountNonce(a);
  CHECK(after.nonce == std::optional<std::uint64_t>(1));
  CHECK(after.generation > before.generation);
  selection = p.pool.Select(10, 1u << 20, 2, lookup);
  REQUIRE(selection.has_value());
  CHECK(Picked(p, *selection) == Picks{{0, 1}});
  CHECK(lookups == 1);
}

TEST_CASE("mempool does not keep a nonce found before a remove, and selection looks that sender "
          "up again") {
  Pool p;
  const core::Address& a = p.accounts[1].address;
  // Admission finds nonce 0 in state; meanwhile a block (from another validator) takes the
  // sender's nonce 0, and its remove runs before the insert.
  const Mempool::KnownNonce known = p.pool.AccountNonce(a);
  p.nonces[a] = 1;
  REQUIRE(p.pool.Remove({}, {a}, 2, p.Lookup()).has_value());
  REQUIRE(p.pool.Insert(p.Checked(p.Tx(1, 1)), 2, 0, known.generation).has_value());
  CHECK_FALSE(p.pool.AccountNonce(a).nonce.has_value());
  std::size_t lookups = 0;
  const Mempool::NonceLookup lookup = p.CountingLookup(lookups);
  // Had the pool kept nonce 0, the sender's nonce 1 would never be selected.
  auto selection = p.pool.Select(10, 1u << 20, 2, lookup);
  REQUIRE(selection.has_value());
  CHECK(Picked(p, *selection) == Picks{{1, 1}});
  CHECK(lookups == 1);
  // Without a generation the value is not kept either.
  REQUIRE(p.pool.Insert(p.Checked(p.Tx(2, 0)), 2, 0).has_value());
  CHECK_FALSE(p.pool.AccountNonce(p.accounts[2].address).nonce.has_value());
}

TEST_CASE("mempool select takes in a sender that arrives while nonces are looked up, and "
          "passes over one that left") {
  Pool p;
  const Hash32 a0 = p.AddOk(p.Tx(0, 0));
  p.AddOk(p.Tx(1, 0));
  p.AddOk(p.Tx(1, 1));
  bool changed = false;
  const Mempool::NonceLookup lookup = [&](const core::Address& a) {
    if (!changed) {
      changed = true;
      // Another thread's admission, and a failed journal write taking a0 back out.
      p.AddOk(p.Tx(2, 0));
      auto removed = p.pool.Remove({a0}, {}, 0, p.Lookup());
      REQUIRE(removed.has_value());
    }
    return core::Result<std::uint64_t>(p.NonceOf(a));
  };
  auto selection = p.pool.Select(10, 1u << 20, 1, lookup);
  REQUIRE(selection.has_value());
  CHECK(Picked(p, *selection) == Picks{{1, 0}, {1, 1}, {2, 0}});
}

TEST_CASE("mempool remove finds expired transactions by height among many, and the pool stays "
          "consistent") {
  MempoolOptions options;
  options.max_per_sender = 1000;
  Pool p(core::SuiteId::kEcdsa, options);
  // Sender s's nonce n expires at 10 + (n % 7): several per height, interleaved.
  std::map<std::uint64_t, std::vector<Hash32>> by_expiry;
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::uint64_t n = 0; n < 30; ++n) {
      const std::uint64_t expiry = 10 + (n % 7);
      by_expiry[expiry].push_back(p.AddOk(p.Tx(s, n, expiry)));
    }
  }
  const std::size_t size = p.Tx(0, 0).Encode().size();
  std::size_t left = 90;
  for (std::uint64_t next = 10; next <= 17; ++next) {
    auto removed = p.pool.Remove({}, {}, next, p.Lookup());
    REQUIRE(removed.has_value());
    std::vector<Hash32> want = next > 10 ? by_expiry[next - 1] : std::vector<Hash32>{};
    std::vector<Hash32> got = *removed;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    CHECK(got == want);
    left -= want.size();
    CHECK(p.pool.size() == left);
    CHECK(p.pool.bytes() == left * size);
  }
  CHECK(p.pool.size() == 0);
  // A transaction removed by expiry can be admitted again with a later expiry, and is then
  // removed by its new expiry, not the old one.
  const Hash32 again = p.AddOk(p.Tx(0, 0, 40), 17);
  auto kept = p.pool.Remove({}, {}, 40, p.Lookup());
  REQUIRE(kept.has_value());
  CHECK(kept->empty());
  auto gone = p.pool.Remove({}, {}, 41, p.Lookup());
  REQUIRE(gone.has_value());
  CHECK(*gone == std::vector<Hash32>{again});
}

}  // namespace
}  // namespace mempool_test
}  // namespace baylink::chain::test
