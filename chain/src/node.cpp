// SPDX-License-Identifier: Apache-2.0
#include "baylink/chain/node.h"

#include <chrono>
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <ctime>
#include <utility>

#include "baylink/chain/files.h"
#include "baylink/core/thread_name.h"
#include "consensus_service.h"
#include "baylink/chain/rpc_service.h"
#include "baylink/crypto/suites.h"
#include "baylink/net/http.h"
#include "baylink/net/jsonrpc.h"
#include "baylink/net/pubsub.h"
#include "baylink/storage/rocksdb_store.h"

namespace baylink::chain {
namespace {

using core::Errc;
using core::json::Json;
using core::json::ObjectReader;

core::Error Range(std::string_view field, std::uint64_t value, std::uint64_t low,
                  std::uint64_t high) {
  return core::Fail(Errc::kInvalidArgument, "node config: " + std::string(field) + " is " +
                                                std::to_string(value) + "; allowed " +
                                                std::to_string(low) + ".." + std::to_string(high));
}

// Reads an optional unsigned field into `out` when present, checked against [low, high].
template <class T>
core::Status OptionalU64(ObjectReader& o, std::string_view name, std::string_view path, T& out,
                         std::uint64_t low, std::uint64_t high) {
  if (!o.Has(name)) return core::Ok();
  BAYLINK_ASSIGN_OR_RETURN(const std::uint64_t v, o.U64(name));
  if (v < low || v > high) return Range(path, v, low, high);
  out = static_cast<T>(v);
  return core::Ok();
}

// Hands the heap's free pages back to the operating system. glibc keeps freed memory in its
// arenas (one per thread that allocated) until trimmed; other C libraries return memory on
// their own terms.
void ReturnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// This process's resident memory (VmRSS), or 0 where /proc does not say.
long ResidentKiB() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return 0;
  char line[256];
  long kib = 0;
  while (std::fgets(line, sizeof line, status) != nullptr) {
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  }
  std::fclose(status);
  return kib;
}

// " (store: write buffers A MiB, ...)" for the log lines (nothing for a store that cannot
// tell).
std::string StoreMemory(const storage::KvStore& store) {
  const storage::KvStore::MemoryUsage usage = store.memory_usage();
  const auto mib = [](std::uint64_t bytes) { return std::to_string((bytes + (1u << 19)) >> 20); };
  if (usage.write_buffers == 0 && usage.read_cache == 0 && usage.table_readers == 0) return "";
  return " (store: write buffers " + mib(usage.write_buffers) + " MiB, read cache " +
         mib(usage.read_cache) + " MiB, table readers " + mib(usage.table_readers) + " MiB)";
}

std::uint64_t NowMs() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

core::Result<std::vector<std::string>> Strings(ObjectReader& o, std::string_view name,
                                              std::string_view path) {
  std::vector<std::string> out;
  if (!o.Has(name)) return out;
  BAYLINK_ASSIGN_OR_RETURN(const Json* list, o.Field(name));
  if (!list->is_array() || list->size() > 1024) {
    return core::Fail(Errc::kMalformed, "node config: " + std::string(path) +
                                            " must be an array of at most 1024 strings");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_string()) {
      return core::Fail(Errc::kMalformed, "node config: " + std::string(path) + "[" +
                                              std::to_string(i) + "] must be a string");
    }
    out.push_back((*list)[i].get<std::string>());
  }
  return out;
}

core::Status Endpoint(std::string_view path, const std::string& endpoint) {
  if (endpoint.rfind("tcp://", 0) != 0 && endpoint.rfind("ipc://", 0) != 0) {
    return core::Fail(Errc::kInvalidArgument, "node config: " + std::string(path) + " '" +
                                                  endpoint + "' must start with tcp:// or ipc://");
  }
  return core::Ok();
}

core::Result<ConsensusConfig> ConsensusFromJson(const Json& j) {
  ObjectReader o(j, "node config consensus");
  BAYLINK_TRY(o.Begin());
  ConsensusConfig c;
  BAYLINK_ASSIGN_OR_RETURN(c.listen, o.String("listen"));
  BAYLINK_TRY(Endpoint("consensus.listen", c.listen));
  BAYLINK_ASSIGN_OR_RETURN(c.peers, Strings(o, "peers", "consensus.peers"));
  for (std::size_t i = 0; i < c.peers.size(); ++i) {
    BAYLINK_TRY(Endpoint("consensus.peers[" + std::to_string(i) + "]", c.peers[i]));
  }
  BAYLINK_ASSIGN_OR_RETURN(c.peer_rpc, Strings(o, "peer_rpc", "consensus.peer_rpc"));
  for (std::size_t i = 0; i < c.peer_rpc.size(); ++i) {
    if (!ParsePeerRpc(c.peer_rpc[i])) {
      return core::Fail(Errc::kInvalidArgument, "node config: consensus.peer_rpc[" +
                                                    std::to_string(i) + "] '" + c.peer_rpc[i] +
                                                    "' must be host:port");
    }
  }
  std::uint64_t propose = 3000, step = 1000, increase = 1000, resend = 1000;
  BAYLINK_TRY(OptionalU64(o, "propose_timeout_ms", "consensus.propose_timeout_ms", propose, 10,
                          600000));
  BAYLINK_TRY(OptionalU64(o, "step_timeout_ms", "consensus.step_timeout_ms", step, 10, 600000));
  BAYLINK_TRY(OptionalU64(o, "round_increase_ms", "consensus.round_increase_ms", increase, 0,
                          600000));
  BAYLINK_TRY(OptionalU64(o, "resend_ms", "consensus.resend_ms", resend, 10, 600000));
  BAYLINK_TRY(OptionalU64(o, "max_clock_drift_ms", "consensus.max_clock_drift_ms",
                          c.max_clock_drift_ms, 0, 3600000));
  if (o.Has("test_equivocate")) {
    BAYLINK_ASSIGN_OR_RETURN(c.equivocate, o.Bool("test_equivocate"));
  }
  BAYLINK_TRY(o.Done());
  c.timeouts.propose = std::chrono::milliseconds(propose);
  c.timeouts.prepare = std::chrono::milliseconds(step);
  c.timeouts.commit = std::chrono::milliseconds(step);
  c.timeouts.per_round = std::chrono::milliseconds(increase);
  c.timeouts.resend = std::chrono::milliseconds(resend);
  return c;
}

}  // namespace

core::Result<NodeConfig> NodeConfig::FromJson(const Json& j, const std::filesystem::path& base) {
  ObjectReader o(j, "node config");
  BAYLINK_TRY(o.Begin());
  NodeConfig c;
  const auto path_of = [&](const std::string& p) {
    const std::filesystem::path path(p);
    return path.is_absolute() ? path : base / path;
  };
  BAYLINK_ASSIGN_OR_RETURN(const std::string data_dir, o.String("data_dir"));
  c.data_dir = path_of(data_dir);
  BAYLINK_ASSIGN_OR_RETURN(const std::string genesis, o.String("genesis"));
  c.genesis = path_of(genesis);
  if (o.Has("validator_key")) {
    BAYLINK_ASSIGN_OR_RETURN(const std::string key, o.String("validator_key"));
    c.validator_key = path_of(key);
  }
  if (o.Has("dev")) {
    BAYLINK_ASSIGN_OR_RETURN(c.dev, o.Bool("dev"));
  }
  if (o.Has("sync_commits")) {
    BAYLINK_ASSIGN_OR_RETURN(c.sync_commits, o.Bool("sync_commits"));
  }
  BAYLINK_TRY(OptionalU64(o, "idle_check_ms", "idle_check_ms", c.idle_check_ms, 100, 3600000));
  if (o.Has("rpc")) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* rpc, o.Field("rpc"));
    ObjectReader r(*rpc, "node config rpc");
    BAYLINK_TRY(r.Begin());
    if (r.Has("address")) {
      BAYLINK_ASSIGN_OR_RETURN(c.rpc_address, r.String("address"));
    }
    BAYLINK_TRY(OptionalU64(r, "port", "rpc.port", c.rpc_port, 0, 65535));
    BAYLINK_TRY(OptionalU64(r, "threads", "rpc.threads", c.rpc_threads, 1, 64));
    BAYLINK_TRY(OptionalU64(r, "max_body_bytes", "rpc.max_body_bytes", c.rpc_max_body_bytes,
                            1024, 256u << 20));
    BAYLINK_TRY(OptionalU64(r, "max_connections", "rpc.max_connections", c.rpc_max_connections,
                            1, 100000));
    BAYLINK_TRY(OptionalU64(r, "timeout_ms", "rpc.timeout_ms", c.rpc_timeout_ms, 10, 3600000));
    BAYLINK_TRY(OptionalU64(r, "max_batch", "rpc.max_batch", c.rpc_max_batch, 1, 100000));
    BAYLINK_TRY(r.Done());
  }
  if (o.Has("events")) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* events, o.Field("events"));
    ObjectReader e(*events, "node config events");
    BAYLINK_TRY(e.Begin());
    BAYLINK_ASSIGN_OR_RETURN(c.events_endpoint, e.String("endpoint"));
    BAYLINK_TRY(e.Done());
    if (c.events_endpoint.rfind("tcp://", 0) != 0 && c.events_endpoint.rfind("ipc://", 0) != 0) {
      return core::Fail(Errc::kInvalidArgument, "node config: events.endpoint '" +
                                                    c.events_endpoint +
                                                    "' must start with tcp:// or ipc://");
    }
  }
  if (o.Has("mempool")) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* pool, o.Field("mempool"));
    ObjectReader m(*pool, "node config mempool");
    BAYLINK_TRY(m.Begin());
    BAYLINK_TRY(OptionalU64(m, "max_txs", "mempool.max_txs", c.mempool.max_txs, 1, 10000000));
    BAYLINK_TRY(OptionalU64(m, "max_bytes", "mempool.max_bytes", c.mempool.max_bytes, 1u << 16,
                            std::uint64_t{16} << 30));
    BAYLINK_TRY(OptionalU64(m, "max_per_sender", "mempool.max_per_sender",
                            c.mempool.max_per_sender, 1, 1000000));
    BAYLINK_TRY(m.Done());
  }
  if (o.Has("consensus")) {
    BAYLINK_ASSIGN_OR_RETURN(const Json* section, o.Field("consensus"));
    BAYLINK_ASSIGN_OR_RETURN(c.consensus, ConsensusFromJson(*section));
  }
  BAYLINK_TRY(o.Done());
  if (c.dev && c.consensus) {
    return core::Fail(Errc::kInvalidArgument,
                      "node config: dev and consensus exclude each other; dev makes blocks "
                      "alone, consensus with the other validators");
  }
  if (c.dev && c.validator_key.empty()) {
    return core::Fail(Errc::kInvalidArgument,
                      "node config: dev is true but validator_key is missing; dev mode signs "
                      "blocks with that key");
  }
  return c;
}

core::Result<NodeConfig> NodeConfig::Load(const std::filesystem::path& path) {
  BAYLINK_ASSIGN_OR_RETURN(const std::string text, ReadFile(path, 1u << 20));
  auto json = core::json::Parse(text);
  if (!json) return core::Fail(json.error().code, path.string() + ": " + json.error().detail);
  auto config = FromJson(*json, path.parent_path());
  if (!config) return core::Fail(config.error().code, path.string() + ": " + config.error().detail);
  return config;
}

core::Result<KeyFile> KeyFile::Load(const std::filesystem::path& path) {
  BAYLINK_ASSIGN_OR_RETURN(const std::string text, ReadFile(path, 64u << 10));
  auto json = core::json::Parse(text);
  if (!json) return core::Fail(json.error().code, path.string() + ": " + json.error().detail);
  ObjectReader o(*json, path.string());
  BAYLINK_TRY(o.Begin());
  BAYLINK_ASSIGN_OR_RETURN(const std::string suite_name, o.String("suite"));
  BAYLINK_ASSIGN_OR_RETURN(const core::Bytes secret, o.Hex("secret_key"));
  BAYLINK_ASSIGN_OR_RETURN(const core::PublicKey public_key, o.Fixed<64>("public_key"));
  BAYLINK_ASSIGN_OR_RETURN(const std::string address, o.String("address"));
  BAYLINK_TRY(o.Done());
  auto suite_id = core::ParseSuiteId(suite_name);
  if (!suite_id) return core::Fail(Errc::kMalformed, path.string() + ": suite: " + suite_id.error().detail);
  const std::unique_ptr<core::CryptoSuite> suite = crypto::MakeSuite(*suite_id);
  auto key = suite->ImportSecretKey(secret);
  if (!key) return core::Fail(key.error().code, path.string() + ": secret_key: " + key.error().detail);
  BAYLINK_ASSIGN_OR_RETURN(const core::PublicKey derived, suite->DerivePublicKey(*key));
  if (derived != public_key || suite->ToAddress(derived).ToHex() != address) {
    return core::Fail(Errc::kInvalidArgument, path.string() + ": public_key or address does not "
                                                              "belong to secret_key");
  }
  return KeyFile{*suite_id, std::move(*key), public_key};
}

core::Status KeyFile::Save(const std::filesystem::path& path) const {
  const std::unique_ptr<core::CryptoSuite> crypto_suite = crypto::MakeSuite(suite);
  const Json j{{"suite", std::string(core::SuiteName(suite))},
               {"secret_key", core::ToHex(secret.Reveal())},
               {"public_key", public_key.ToHex()},
               {"address", crypto_suite->ToAddress(public_key).ToHex()}};
  return WriteFileAtomic(path, j.dump(2) + "\n", 0600);
}

LogSink StderrLog() {
  static std::mutex mutex;
  return [](std::string_view line) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "%s %.*s\n", stamp, static_cast<int>(line.size()), line.data());
  };
}

// Everything the node owns, in construction order (destroyed in reverse: the producer and
// servers stop before the chain and store they use).
struct Node::Context {
  NodeConfig config;
  LogSink log;
  Genesis genesis;
  std::unique_ptr<core::CryptoSuite> suite;
  std::unique_ptr<contracts::Registry> registry;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<storage::RecordLog> journal;  // the mempool's, under the data folder
  std::unique_ptr<Chain> chain;
  std::optional<KeyFile> validator;
  std::uint32_t validator_index = 0;
  std::unique_ptr<net::RpcDispatcher> dispatcher;
  std::unique_ptr<net::HttpServer> rpc;
  std::unique_ptr<net::Publisher> publisher;
  std::unique_ptr<ConsensusService> consensus;
  std::uint64_t last_block_ms = 0;
};

core::Result<std::unique_ptr<Node>> Node::Start(const NodeConfig& config, LogSink log) {
  auto context = std::make_unique<Context>();
  context->config = config;
  context->log = log ? std::move(log) : StderrLog();
  BAYLINK_ASSIGN_OR_RETURN(context->genesis, LoadGenesis(config.genesis));
  context->suite = crypto::MakeSuite(context->genesis.suite);
  BAYLINK_ASSIGN_OR_RETURN(context->registry, contracts::MakeBuiltinRegistry());
  BAYLINK_ASSIGN_OR_RETURN(context->store, storage::OpenRocksDb(config.data_dir));
  ChainOptions options;
  options.mempool = config.mempool;
  options.sync_commits = config.sync_commits;
  options.update_threads = 2;
  BAYLINK_ASSIGN_OR_RETURN(context->journal,
                           storage::OpenFileRecordLog(config.data_dir / kJournalFolder));
  BAYLINK_ASSIGN_OR_RETURN(context->chain,
                           Chain::Open(*context->suite, *context->store, *context->journal,
                                       *context->registry, context->genesis, options));
  Chain& chain = *context->chain;
  if (const JournalReload& reload = chain.journal_reload(); reload.replay.records > 0 ||
                                                            !reload.replay.problems.empty()) {
    context->log("node: mempool journal: " + std::to_string(reload.replay.records) +
                 " transactions read, " + std::to_string(reload.readmitted) +
                 " back in the mempool, " + std::to_string(reload.kept) +
                 " kept for a later start" +
                 (reload.replay.problems.empty()
                      ? std::string()
                      : "; damage skipped (a crash cut a write short): " + reload.replay.problems));
  }
  if (!config.validator_key.empty()) {
    BAYLINK_ASSIGN_OR_RETURN(KeyFile key, KeyFile::Load(config.validator_key));
    if (key.suite != context->genesis.suite) {
      return core::Fail(Errc::kInvalidArgument,
                        "validator key " + config.validator_key.string() + " is for suite " +
                            std::string(core::SuiteName(key.suite)) + "; chain " +
                            context->genesis.chain_id + " uses " +
                            std::string(core::SuiteName(context->genesis.suite)));
    }
    context->validator = std::move(key);
  }
  if (config.dev) {
    const core::ValidatorSet set = chain.next_validators();
    const std::int64_t index = set.IndexOf(context->validator->public_key);
    if (index < 0 || set.validators()[static_cast<std::size_t>(index)].power * 3 <=
                         set.TotalPower() * 2) {
      return core::Fail(Errc::kInvalidArgument,
                        "dev mode: the validator key " + config.validator_key.string() +
                            " must hold more than 2/3 of the power of the chain's validator "
                            "set (it signs every block alone)");
    }
    context->validator_index = static_cast<std::uint32_t>(index);
  }
  context->dispatcher =
      std::make_unique<net::RpcDispatcher>(net::RpcDispatcher::Options{config.rpc_max_batch});
  Context* raw = context.get();
  RegisterRpcMethods(*context->dispatcher, chain, [raw](core::ByteView tx) {
    if (raw->consensus) raw->consensus->Gossip(tx);
  });
  net::HttpServerOptions http;
  http.bind_address = config.rpc_address;
  http.port = config.rpc_port;
  http.threads = config.rpc_threads;
  http.max_body_bytes = config.rpc_max_body_bytes;
  http.max_connections = config.rpc_max_connections;
  http.request_timeout = std::chrono::milliseconds(config.rpc_timeout_ms);
  BAYLINK_ASSIGN_OR_RETURN(context->publisher, net::Publisher::Bind(config.events_endpoint));
  if (config.consensus) {
    std::optional<core::SecretKey> secret;
    if (context->validator) secret = context->validator->secret;
    const auto publish = [raw](std::uint64_t height) { PublishBlock(*raw, height); };
    BAYLINK_ASSIGN_OR_RETURN(
        context->consensus,
        ConsensusService::Start(*context->suite, chain, *context->store, *config.consensus,
                                std::move(secret), publish, context->log));
    context->consensus->RegisterRpc(*context->dispatcher);
  }
  BAYLINK_ASSIGN_OR_RETURN(context->rpc,
                           net::HttpServer::Start(http, context->dispatcher->AsHttpHandler()));
  const core::BlockHeader head = chain.head();
  context->last_block_ms = NowMs();
  context->log("node: chain " + context->genesis.chain_id + " (" +
               std::string(core::SuiteName(context->genesis.suite)) + ") at height " +
               std::to_string(head.height) + ", " + std::to_string(chain.mempool().size()) +
               " pending transactions; rpc on " + config.rpc_address + ":" +
               std::to_string(context->rpc->port()) + ", events on " +
               context->publisher->endpoint() + (config.dev ? ", dev validator" : "") +
               (context->consensus
                    ? ", consensus on " + context->consensus->listen_endpoint() + " with " +
                          std::to_string(config.consensus->peers.size()) + " peers" +
                          (context->validator ? " as a validator" : " as a follower")
                    : std::string()) +
               "; resident " + std::to_string(ResidentKiB() / 1024) + " MiB" +
               StoreMemory(*context->store));
  std::unique_ptr<Node> node(new Node(std::move(context)));
  if (config.dev) {
    node->m_producer = std::thread([n = node.get()] {
      core::NameThisThread("producer");
      n->ProduceLoop();
    });
  }
  node->m_housekeeper = std::thread([n = node.get()] {
    core::NameThisThread("housekeeper");
    n->HousekeepLoop();
  });
  return node;
}

Node::Node(std::unique_ptr<Context> context) : m_context(std::move(context)) {}

Node::~Node() { Stop(); }

void Node::Stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stop) return;
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_producer.joinable()) m_producer.join();
  if (m_housekeeper.joinable()) m_housekeeper.join();
  if (m_context->rpc) m_context->rpc->Stop();
  if (m_context->consensus) m_context->consensus->Stop();
  m_context->log("node: stopped at height " + std::to_string(m_context->chain->head().height));
}

std::uint16_t Node::rpc_port() const { return m_context->rpc->port(); }
std::string Node::events_endpoint() const { return m_context->publisher->endpoint(); }
Chain& Node::chain() { return *m_context->chain; }

void Node::ProduceLoop() {
  const auto interval = std::chrono::milliseconds(m_context->genesis.params.block_interval_ms);
  auto next = std::chrono::steady_clock::now() + interval;
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_wake.wait_until(lock, next, [this] { return m_stop; });
    if (m_stop) break;
    next += interval;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval;  // fell behind: do not burst
    lock.unlock();
    if (core::Status s = ProduceOne(); !s) {
      m_context->log("node: block production failed: " + s.error().Message());
    }
    lock.lock();
  }
}

void Node::HousekeepLoop() {
  const auto period = std::chrono::milliseconds(m_context->config.idle_check_ms);
  // Fewer transactions than this since the last release only trim the heap: flushing the
  // store after every trickle would leave a small table file each time.
  constexpr std::uint64_t kFlushAfterTransactions = 1000;
  Context& c = *m_context;
  std::uint64_t seen = c.chain->transactions_committed();
  std::uint64_t unreleased = 0;  // transactions committed since the last release
  // Quiet looks after a release that trim the heap again: RocksDB frees a flushed memtable
  // only when nothing refers to it any more (after a later write, such as a heartbeat block).
  constexpr int kTrimsAfterRelease = 3;
  int trims_left = 0;
  // The first quiet period after start releases too: opening a store can leave much memory
  // behind (replaying its log, loading the index and filter blocks of many level-0 files,
  // the compactions that follow), with no transaction committed to show for it.
  bool first_quiet = true;
  std::unique_lock lock(m_mutex);
  while (!m_wake.wait_for(lock, period, [this] { return m_stop; })) {
    const std::uint64_t committed = c.chain->transactions_committed();
    const std::uint64_t since = committed - seen;
    seen = committed;
    unreleased += since;
    // Idle: a whole period without a committed transaction, and nothing pending. Releasing
    // stalls the node for a moment (the flush, and the trim holds the allocator), so a node
    // serving a trickle of transactions, whose mempool is often empty, is left alone.
    if (since != 0 || c.chain->mempool().size() != 0) {
      trims_left = 0;
      continue;
    }
    const bool after_start = first_quiet && unreleased == 0;
    first_quiet = false;
    if (unreleased == 0 && trims_left == 0 && !after_start) continue;
    lock.unlock();
    if (after_start) {
      // Only the cached reads and the heap: a flush would write a table file for a few
      // heartbeat blocks. Later quiet periods trim again, once compactions have let go.
      c.store->DropCachedReads();
      ReturnFreedMemory();
      trims_left = kTrimsAfterRelease;
      c.log("node: quiet after start; cached reads dropped, freed memory returned; resident " +
            std::to_string(ResidentKiB() / 1024) + " MiB" + StoreMemory(*c.store));
    } else if (unreleased == 0) {
      // Compactions may have let go of cached blocks since the release.
      c.store->DropCachedReads();
      ReturnFreedMemory();
      --trims_left;
    } else {
      c.chain->ReleaseMemory();
      if (unreleased >= kFlushAfterTransactions) {
        const core::Status flushed = c.store->ReleaseMemory();
        ReturnFreedMemory();
        c.log("node: idle after " + std::to_string(unreleased) + " transactions; " +
              (flushed ? std::string("store buffers flushed")
                       : "store buffers not flushed (" + flushed.error().Message() + ")") +
              ", state caches dropped, freed memory returned; resident " +
              std::to_string(ResidentKiB() / 1024) + " MiB" + StoreMemory(*c.store));
      } else {
        ReturnFreedMemory();
        c.log("node: idle after " + std::to_string(unreleased) +
              " transactions; state caches dropped, freed memory returned; resident " +
              std::to_string(ResidentKiB() / 1024) + " MiB" + StoreMemory(*c.store));
      }
      unreleased = 0;
      trims_left = kTrimsAfterRelease;
    }
    lock.lock();
  }
}

void Node::PublishBlock(Context& c, std::uint64_t height) {
  auto events = c.chain->GetBlockEvents(height);
  if (!events || !*events) {
    c.log("node: reading block " + std::to_string(height) + " to publish failed");
    return;
  }
  if (core::Status s = c.publisher->Publish("block", (*events)->Encode()); !s) {
    c.log("node: publishing block " + std::to_string(height) + " failed: " + s.error().Message());
  }
}

core::Status Node::ProduceOne() {
  Context& c = *m_context;
  const std::uint64_t now = NowMs();
  if (c.chain->mempool().size() == 0 && now - c.last_block_ms < c.genesis.params.heartbeat_ms) {
    return core::Ok();  // idle: only a heartbeat block every heartbeat_ms
  }
  BAYLINK_ASSIGN_OR_RETURN(Proposal proposal, c.chain->Propose(now, c.validator_index));
  // The dev validator's vote is the whole certificate (DESIGN §3 vote digest); the consensus
  // issue replaces this with PBFT's prepare/commit rounds on the same Propose/Commit path.
  const core::BlockHeader& header = proposal.block.header;
  const core::Hash32 header_hash = header.Hash(*c.suite);
  const core::Hash32 digest =
      core::CommitVoteDigest(*c.suite, header.chain_id, header.height, 0, header_hash);
  BAYLINK_ASSIGN_OR_RETURN(core::Bytes signature, c.suite->Sign(c.validator->secret, digest.view()));
  core::CommitCertificate certificate{header.height, 0, header_hash,
                                      {core::CommitSignature{c.validator_index, std::move(signature)}}};
  const std::size_t txs = proposal.block.transactions.size();
  const std::size_t left_out = proposal.left_out.size();
  const std::uint64_t height = header.height;
  BAYLINK_TRY(c.chain->Commit(std::move(proposal), certificate));
  if (const core::Status& journal = c.chain->journal_status(); !journal) {
    c.log("node: block " + std::to_string(height) + " committed, but tidying the mempool "
          "journal failed (retried after the next block): " + journal.error().Message());
  }
  c.last_block_ms = now;
  PublishBlock(c, height);
  c.log("node: committed block " + std::to_string(height) + " with " + std::to_string(txs) +
        " transactions" + (left_out ? ", " + std::to_string(left_out) + " left out" : std::string()));
  return core::Ok();
}

}  // namespace baylink::chain
