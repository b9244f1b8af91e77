// SPDX-License-Identifier: Apache-2.0
//
// What every benchmark program shares: a seeded generator (so runs compare), one instance of
// each suite, and a setup check.
#pragma once

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "baylink/core/bytes.h"
#include "baylink/core/suite.h"
#include "baylink/core/types.h"
#include "baylink/crypto/suites.h"

namespace baylink::bench {

// splitmix64 as a RandomSource: deterministic keys and data.
class BenchRandom : public core::RandomSource {
 public:
  explicit BenchRandom(std::uint64_t seed = 42) : m_state(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  void Fill(std::span<std::uint8_t> out) override {
    for (std::size_t i = 0; i < out.size(); i += 8) {
      const std::uint64_t v = Next();
      std::memcpy(out.data() + i, &v, std::min<std::size_t>(8, out.size() - i));
    }
  }
  core::Hash32 Hash() {
    core::Hash32 h;
    Fill(std::span<std::uint8_t>(h.data(), h.size()));
    return h;
  }

 private:
  std::uint64_t m_state;
};

// The default instance of each suite, made once per process.
inline const core::CryptoSuite& Suite(core::SuiteId id) {
  static const auto sm = crypto::MakeSuite(core::SuiteId::kSm);
  static const auto ecdsa = crypto::MakeSuite(core::SuiteId::kEcdsa);
  return id == core::SuiteId::kSm ? *sm : *ecdsa;
}

// Aborts the program when a benchmark's setup does not hold (its figures would be void).
inline void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "benchmark setup failed: %s\n", what);
    std::abort();
  }
}

// The calling thread's CPU time so far.
inline double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A /proc stat file (of a process or of one of its threads): the command name and the CPU
// seconds (user + system) used so far. The name may hold spaces: the fields are counted after
// its closing parenthesis. Empty name and 0 when the file cannot be read.
struct StatCpu {
  std::string name;
  double seconds = 0;
};

inline StatCpu ReadStatCpu(const std::filesystem::path& stat_file) {
  std::ifstream stat(stat_file);
  const std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  // Fields after the name: state (3) ... utime (14), stime (15), in clock ticks.
  std::size_t at = close + 2;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int field = 3; field <= 15 && at < text.size(); ++field) {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    if (field == 14) utime = std::stoull(text.substr(at, end - at));
    if (field == 15) stime = std::stoull(text.substr(at, end - at));
    at = end + 1;
  }
  return StatCpu{text.substr(open + 1, close - open - 1),
                 static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK))};
}

// CPU seconds this process's live threads have used so far, summed by thread name. A thread
// that ended is missing from it, so the difference of two readings accounts for the threads
// alive at both; the rest of the process's CPU is in no name.
inline std::map<std::string, double> CpuByThreadName() {
  std::map<std::string, double> seconds;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    const StatCpu thread = ReadStatCpu(entry.path() / "stat");
    if (!thread.name.empty()) seconds[thread.name] += thread.seconds;
  }
  return seconds;
}

inline std::vector<core::Hash32> Hashes(const core::CryptoSuite& suite,
                                        const std::vector<core::Transaction>& txs) {
  std::vector<core::Hash32> hashes;
  hashes.reserve(txs.size());
  for (const auto& tx : txs) hashes.push_back(tx.Hash(suite));
  return hashes;
}

// The verify bound: transactions verified per second on `threads` threads (each taking every
// `threads`-th transaction), and the CPU time one verification took (the threads' own CPU
// clocks).
struct VerifyBound {
  double rate = 0;
  double cpu_us = 0;
};

inline VerifyBound VerifyRate(const core::CryptoSuite& suite,
                              const std::vector<core::Transaction>& txs,
                              const std::vector<core::Hash32>& hashes, unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  std::vector<double> cpu(threads, 0.0);
  std::atomic<bool> ok{true};
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const double cpu_start = ThreadCpuSeconds();
      for (std::size_t i = t; i < txs.size(); i += threads) {
        if (!suite.Verify(txs[i].sender, hashes[i].view(), txs[i].signature)) ok = false;
      }
      cpu[t] = ThreadCpuSeconds() - cpu_start;
    });
  }
  for (auto& w : workers) w.join();
  Require(ok, "verify");
  double cpu_total = 0;
  for (double c : cpu) cpu_total += c;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return VerifyBound{static_cast<double>(txs.size()) / seconds,
                     cpu_total * 1e6 / static_cast<double>(txs.size())};
}

}  // namespace baylink::bench
