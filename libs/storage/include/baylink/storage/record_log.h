// SPDX-License-Identifier: Apache-2.0
//
// An append-only log of byte records, for data that is written often, read back only after a
// restart, and thrown away in bulk (the mempool's admission journal). Outside the key-value
// store, an append costs one write(2) and nothing in the store's commit path.
//
// The log is a sequence of segments numbered upwards. Records are appended to the current
// segment; Seal ends it (later appends go to a new one) and returns a Mark; DropBefore deletes
// every segment older than a mark. Replay visits every record of every segment, oldest first.
//
// Durability. Append returns once the records are in the operating system's hands: they
// survive a crash of the process, not of the machine. Sync makes everything appended so far
// survive a machine crash too.
//
// Files (OpenFileRecordLog). A folder holding segments named `<number, 16 digits>.journal`.
// Each segment starts with the 8 bytes "BLRECLG1"; each record is its length (u32, little
// endian), the CRC-32C of its bytes (u32, little endian), then the bytes. A record cut short
// by a crash or failing its checksum ends that segment's replay: what follows it in that
// segment is skipped and reported. An opened log never appends to a segment that existed
// before it was opened.
//
// Thread safety: every method may be called from any thread, concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "baylink/core/bytes.h"
#include "baylink/core/result.h"

namespace baylink::storage {

// The largest record a log accepts (and the largest length Replay believes).
inline constexpr std::size_t kMaxRecordBytes = 16u << 20;

// What a replay found.
struct ReplayReport {
  std::uint64_t records = 0;
  std::uint64_t segments = 0;
  std::uint64_t skipped_bytes = 0;  // after a cut-short or corrupt record
  std::string problems;             // one sentence per damaged segment; empty when none
};

class RecordLog {
 public:
  using Mark = std::uint64_t;
  // Called with each record; the view is valid only during the call.
  using Visitor = std::function<void(core::ByteView record)>;

  virtual ~RecordLog() = default;

  // Visits every record in append order. Damage (a cut-short or corrupt record, a segment
  // without its header) is not an error: it is reported and the rest of that segment skipped.
  // Errors: kIo (a segment could not be read, naming it).
  virtual core::Result<ReplayReport> Replay(const Visitor& visit) const = 0;
  // Appends the records to the current segment in one write. Errors: kOversized (a record over
  // kMaxRecordBytes; nothing written), kIo naming the file (then none of them is kept as far as
  // the log can tell: a partial write is cut back, and the segment is sealed either way).
  virtual core::Status Append(std::span<const core::ByteView> records) = 0;
  // Flushes every segment with unsynced records, and the folder when segments were created or
  // deleted, to stable storage. Errors: kIo naming the file.
  virtual core::Status Sync() = 0;
  // Ends the current segment and returns the mark of the next one: DropBefore(mark) then
  // deletes everything appended before this call and nothing appended after it. When the
  // current segment holds no records it stays current (no empty segments pile up).
  virtual Mark Seal() = 0;
  // Deletes the segments older than `mark`. Errors: kIo naming the file (those deleted before
  // it stay deleted).
  virtual core::Status DropBefore(Mark mark) = 0;
  // Bytes in the log's segments, headers included.
  virtual std::uint64_t bytes() const = 0;
};

// Opens (creating when missing) the log in folder `dir`. Errors: kIo naming the path;
// kStorage naming a file in the folder that is not a segment.
core::Result<std::unique_ptr<RecordLog>> OpenFileRecordLog(const std::filesystem::path& dir);

// A log kept in memory, for tests: the same behaviour, nothing persisted, never fails.
std::unique_ptr<RecordLog> MakeMemoryRecordLog();

// CRC-32C (Castagnoli) of `data`, as the file log stores it: with SSE4.2's crc32 instruction
// where the CPU has it, else by table.
std::uint32_t Crc32c(core::ByteView data);
// The same CRC by table on every CPU: what Crc32c falls back to. Public so that tests run this
// path on machines that have the instruction.
std::uint32_t Crc32cByTable(core::ByteView data);

}  // namespace baylink::storage
