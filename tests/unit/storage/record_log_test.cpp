// SPDX-License-Identifier: Apache-2.0
//
// The record log (record_log.h): the same behaviour in memory and in files, and what only the
// files have (reopening, damage from a crash, foreign files).
#include "baylink/storage/record_log.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_dir.h"

namespace baylink::storage {
namespace record_log_test {
namespace {

using baylink::testing::TempDir;
using core::Bytes;
using core::ByteView;
using core::Errc;

Bytes S(std::string_view text) { return core::ToBytes(text); }

std::vector<std::string> Read(const RecordLog& log, ReplayReport* report = nullptr) {
  std::vector<std::string> out;
  auto replayed = log.Replay([&](ByteView record) {
    out.emplace_back(record.begin(), record.end());
  });
  REQUIRE_MESSAGE(replayed, replayed.error().Message());
  if (report) *report = *replayed;
  return out;
}

core::Status Add(RecordLog& log, std::initializer_list<std::string_view> texts) {
  std::vector<Bytes> owned;
  for (std::string_view text : texts) owned.push_back(S(text));
  std::vector<ByteView> views(owned.begin(), owned.end());
  return log.Append(views);
}

struct MemoryLog {
  static std::unique_ptr<RecordLog> Open(const TempDir&) { return MakeMemoryRecordLog(); }
};
struct FileLog {
  static std::unique_ptr<RecordLog> Open(const TempDir& dir) {
    auto log = OpenFileRecordLog(dir.path() / "log");
    REQUIRE_MESSAGE(log, log.error().Message());
    return std::move(log).value();
  }
};

std::vector<std::filesystem::path> Segments(const TempDir& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "log")) {
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace
}  // namespace record_log_test
}  // namespace baylink::storage

TYPE_TO_STRING(baylink::storage::record_log_test::MemoryLog);
TYPE_TO_STRING(baylink::storage::record_log_test::FileLog);

namespace baylink::storage {
namespace record_log_test {
namespace {

// The CRC one bit at a time, straight from its definition (reflected polynomial 0x82F63B78).
std::uint32_t BitwiseCrc32c(ByteView data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const std::uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return crc ^ 0xFFFFFFFFu;
}

// Crc32c (the instruction on CPUs that have it) and the table it falls back to.
using CrcFunction = std::uint32_t (*)(ByteView);
const std::array<std::pair<const char*, CrcFunction>, 2> kCrcPaths{{
    {"Crc32c", &Crc32c},
    {"Crc32cByTable", &Crc32cByTable},
}};

TEST_CASE("Crc32c and its table agree with the CRC's definition at every length and alignment") {
  Bytes data(308);
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<std::uint8_t>(i * 131 + 7);
  }
  for (const auto& [name, crc] : kCrcPaths) {
    CAPTURE(name);
    for (std::size_t offset = 0; offset < 8; ++offset) {
      for (std::size_t length = 0; length <= 300; ++length) {
        const ByteView view = ByteView(data).subspan(offset, length);
        REQUIRE(crc(view) == BitwiseCrc32c(view));
      }
    }
  }
}

TEST_CASE("Crc32c and its table match the Castagnoli check values") {
  // RFC 3720, B.4: 32 bytes of zeros, of ones, ascending and descending.
  Bytes zeros(32, 0x00);
  Bytes ones(32, 0xFF);
  Bytes up(32);
  Bytes down(32);
  for (std::size_t i = 0; i < 32; ++i) {
    up[i] = static_cast<std::uint8_t>(i);
    down[i] = static_cast<std::uint8_t>(31 - i);
  }
  for (const auto& [name, crc] : kCrcPaths) {
    CAPTURE(name);
    CHECK(crc(S("123456789")) == 0xE3069283u);
    CHECK(crc(ByteView{}) == 0u);
    CHECK(crc(zeros) == 0x8A9136AAu);
    CHECK(crc(ones) == 0x62A8AB43u);
    CHECK(crc(up) == 0x46DD794Eu);
    CHECK(crc(down) == 0x113FDB5Cu);
  }
}

TEST_CASE_TEMPLATE("a record log replays what was appended, in order", Log, MemoryLog, FileLog) {
  TempDir dir("reclog");
  auto log = Log::Open(dir);
  CHECK(log->bytes() == 0);
  CHECK(Read(*log).empty());
  REQUIRE(Add(*log, {"a", "", "ccc"}));
  REQUIRE(Add(*log, {}));
  REQUIRE(Add(*log, {"d"}));
  CHECK(Read(*log) == std::vector<std::string>{"a", "", "ccc", "d"});
  // Magic (8) + four record headers (4 × 8) + 5 bytes.
  CHECK(log->bytes() == 8 + 32 + 5);
  CHECK(log->Sync());

  SUBCASE("an oversized record is refused and nothing of its call is written") {
    Bytes big(kMaxRecordBytes + 1, 7);
    const Bytes small = S("e");
    std::vector<ByteView> views{small, big};
    CHECK_FAILS_WITH(log->Append(views), Errc::kOversized, "over the limit");
    CHECK(Read(*log).size() == 4);
  }
  SUBCASE("DropBefore a mark removes exactly what came before Seal") {
    const RecordLog::Mark mark = log->Seal();
    REQUIRE(Add(*log, {"after"}));
    CHECK(Read(*log).size() == 5);
    REQUIRE(log->DropBefore(mark));
    CHECK(Read(*log) == std::vector<std::string>{"after"});
    CHECK(log->bytes() == 8 + 8 + 5);
  }
  SUBCASE("sealing an empty segment keeps it current, and dropping before it keeps it") {
    const RecordLog::Mark first = log->Seal();
    CHECK(log->Seal() == first);
    REQUIRE(log->DropBefore(first));
    CHECK(log->bytes() == 0);
    REQUIRE(Add(*log, {"x"}));
    CHECK(log->Seal() == first + 1);
    REQUIRE(log->DropBefore(first));  // nothing older than the first mark is left
    CHECK(Read(*log) == std::vector<std::string>{"x"});
    REQUIRE(log->DropBefore(first + 1));
    CHECK(Read(*log).empty());
  }
  SUBCASE("a mark past the current segment does not drop the current one") {
    REQUIRE(log->DropBefore(1000));
    CHECK(Read(*log).size() == 4);
  }
}

TEST_CASE("a reopened file log replays every segment and appends to a new one") {
  TempDir dir("reclog");
  {
    auto log = FileLog::Open(dir);
    REQUIRE(Add(*log, {"one", "two"}));
    log->Seal();
    REQUIRE(Add(*log, {"three"}));
  }
  auto log = FileLog::Open(dir);
  CHECK(Read(*log) == std::vector<std::string>{"one", "two", "three"});
  CHECK(log->bytes() == 2 * 8 + 3 * 8 + 11);
  REQUIRE(Add(*log, {"four"}));
  CHECK(Segments(dir).size() == 3);
  const RecordLog::Mark mark = log->Seal();
  REQUIRE(log->DropBefore(mark));
  CHECK(Segments(dir).empty());
  REQUIRE(log->Sync());
  REQUIRE(Add(*log, {"five"}));
  REQUIRE(log->Sync());
  auto again = FileLog::Open(dir);
  CHECK(Read(*again) == std::vector<std::string>{"five"});
}

// Record r of thread t's call b: it names its thread and place; the longer ones make a torn or
// interleaved write visible to the checksum.
std::string Numbered(int t, int b, int r) {
  return std::to_string(t) + ":" + std::to_string(b) + ":" + std::to_string(r) +
         std::string(static_cast<std::size_t>(b % 97), 'x');
}

TEST_CASE("appenders on several threads, sealed and synced meanwhile, lose and mix nothing") {
  TempDir dir("reclog");
  constexpr int kThreads = 4;
  constexpr int kBatches = 1000;
  {
    auto log = FileLog::Open(dir);
    std::atomic<int> running{kThreads};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int b = 0; b < kBatches; ++b) {
          std::vector<Bytes> owned;  // one to three records a call
          for (int r = 0; r <= b % 3; ++r) owned.push_back(S(Numbered(t, b, r)));
          std::vector<ByteView> views(owned.begin(), owned.end());
          if (!log->Append(views)) ++failed;
        }
        --running;
      });
    }
    while (running > 0) {
      log->Seal();
      if (!log->Sync()) ++failed;  // no REQUIRE here: it would leave the threads unjoined
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(failed == 0);
    REQUIRE(log->Sync());
    std::uintmax_t on_disk = 0;
    for (const auto& segment : Segments(dir)) on_disk += std::filesystem::file_size(segment);
    CHECK(log->bytes() == on_disk);
  }
  ReplayReport report;
  const std::vector<std::string> records = Read(*FileLog::Open(dir), &report);
  CHECK(report.problems.empty());
  CHECK(report.skipped_bytes == 0);
  // Each thread's records come back whole, once each, in the order it appended them.
  std::vector<std::vector<std::string>> by_thread(kThreads);
  for (const std::string& record : records) {
    const int t = record.at(0) - '0';
    REQUIRE((t >= 0 && t < kThreads));
    by_thread[static_cast<std::size_t>(t)].push_back(record);
  }
  for (int t = 0; t < kThreads; ++t) {
    std::vector<std::string> expected;
    for (int b = 0; b < kBatches; ++b) {
      for (int r = 0; r <= b % 3; ++r) expected.push_back(Numbered(t, b, r));
    }
    CHECK(by_thread[static_cast<std::size_t>(t)] == expected);
  }
}

TEST_CASE("damage in a segment skips the rest of that segment only, and is reported") {
  TempDir dir("reclog");
  {
    auto log = FileLog::Open(dir);
    REQUIRE(Add(*log, {"kept", "torn"}));
    log->Seal();
    REQUIRE(Add(*log, {"next", "bad", "after"}));
    log->Seal();
    REQUIRE(Add(*log, {"last"}));
  }
  const auto files = Segments(dir);
  REQUIRE(files.size() == 3);
  // A crash cut the first segment's last record short.
  std::filesystem::resize_file(files[0], std::filesystem::file_size(files[0]) - 2);
  // A flipped byte in the second segment's second record ("bad": offset 8 + 12 + 8).
  {
    std::fstream f(files[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8 + 12 + 8);
    f.put('B');
  }
  // A third segment whose header is garbage.
  {
    std::ofstream f(dir.path() / "log" / "0000000000000009.journal", std::ios::binary);
    f << "not a log segment";
  }
  auto log = FileLog::Open(dir);
  ReplayReport report;
  CHECK(Read(*log, &report) == std::vector<std::string>{"kept", "next", "last"});
  CHECK(report.records == 3);
  CHECK(report.segments == 4);
  CHECK(report.skipped_bytes == (8 + 4 - 2) + (8 + 3 + 8 + 5) + 17);
  CHECK(report.problems.find("cut short") != std::string::npos);
  CHECK(report.problems.find("checksum") != std::string::npos);
  CHECK(report.problems.find("no segment header") != std::string::npos);
  // New records go after all of it and are read back.
  REQUIRE(Add(*log, {"new"}));
  CHECK(Read(*log).back() == "new");
}

TEST_CASE("a file log refuses a folder holding something that is not a segment") {
  TempDir dir("reclog");
  std::filesystem::create_directories(dir.path() / "log");
  std::ofstream(dir.path() / "log" / "notes.txt") << "hello";
  CHECK_FAILS_WITH(OpenFileRecordLog(dir.path() / "log"), Errc::kStorage, "notes.txt");
  std::filesystem::remove(dir.path() / "log" / "notes.txt");
  std::filesystem::create_directories(dir.path() / "log" / "0000000000000001.journal");
  CHECK_FAILS_WITH(OpenFileRecordLog(dir.path() / "log"), Errc::kStorage, "not a log segment");
}

TEST_CASE("a file log whose folder cannot be created names it") {
  TempDir dir("reclog");
  std::ofstream(dir.path() / "file") << "x";
  CHECK_FAILS_WITH(OpenFileRecordLog(dir.path() / "file" / "log"), Errc::kIo, "cannot create folder");
}

}  // namespace
}  // namespace record_log_test
}  // namespace baylink::storage
