// Writes a new file's bytes to the disk past the page cache (O_DIRECT), from a helper thread, for a file
// that must be durable before anything names it (a document's blob; private to client/).
//
// Why: an import fsyncs the blob before its record commits, so every byte goes to the disk anyway. A
// buffered write(2) first copies each byte into the page cache on the caller's core (and, when memory is
// short, reclaims pages there too): 30 to 290 ms of CPU per 100 MB on this kind of machine, on the thread
// that is also hashing and encrypting. A direct write moves the bytes from our buffer to the device with
// no copy, and the helper thread sleeps while the device works, so the CPU is left to the cryptography.
//
// Bytes are gathered into 2 MiB page-aligned batches (one huge page each where the kernel offers them);
// each full batch is written by the helper, the last partial one by Finish (its tail that is not a
// multiple of the block size buffered) before its fsync. Where the file system refuses O_DIRECT, or the
// helper thread cannot start, the same bytes are written buffered on the caller's thread, with writeback
// started every few MiB (sync_file_range): slower, never different.
//
// Not thread-safe: one thread at a time may append (the blob sealer's helper, after the caller wrote the
// blob's head), and Finish comes after the last append has returned.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "casepack/blob_stream.h"
#include "casepack/result.h"

namespace casepack::internal {

class DirectFileWriter final : public BlobOutput {
 public:
  static constexpr std::size_t kBatchBytes = std::size_t{2} << 20;  // a direct write's size (2 MiB: fewer
                                                                    // fresh pages than 4, as fast here)
  // Creates `path` (O_CREAT | O_TRUNC, mode 0600). kNoSpace/kIo on failure.
  static Result<std::unique_ptr<DirectFileWriter>> Create(const std::filesystem::path& path);
  DirectFileWriter(const DirectFileWriter&) = delete;
  DirectFileWriter& operator=(const DirectFileWriter&) = delete;
  // Stops the helper (after its current write) and closes the file; the caller removes a file it abandons.
  ~DirectFileWriter() override;

  // Appends. The first write error (kNoSpace, kIo) is returned by this or a later call; nothing after it is
  // written.
  [[nodiscard]] Status Append(std::span<const std::uint8_t> bytes);
  // BlobOutput: the blob sealer seals straight into the current batch where a chunk fits (no copy);
  // Write is Append.
  std::span<std::uint8_t> Room(std::size_t bytes) override;
  [[nodiscard]] Status Commit(std::size_t bytes) override;
  [[nodiscard]] Status Write(std::span<const std::uint8_t> bytes) override { return Append(bytes); }
  // Writes what is left, waits for every write, fsyncs the file. Call once; nothing may follow but the
  // destructor.
  [[nodiscard]] Status Finish();

  // Whether the file is being written past the page cache (false where the file system refuses O_DIRECT).
  bool direct() const { return direct_; }

 private:
  struct Buffer {
    std::uint8_t* data = nullptr;  // kBatchBytes, page-aligned
    std::size_t used = 0;
  };
  static constexpr std::size_t kBuffers = 3;  // one being filled, two queued or being written
  static constexpr std::size_t kAlign = 4096;

  DirectFileWriter(std::filesystem::path path, int fd, bool direct);
  Status AppendBuffered(std::span<const std::uint8_t> bytes);
  Status EnsureBuffer();  // the first batch buffer, made on first use
  // Hands the current buffer to the helper and takes a free one (waiting for the helper if none is free).
  Status Submit();
  void Loop();
  // write(2) until done or failed, at the file's current offset. A short direct write leaves the offset
  // unaligned, so the rest (and the whole file after it) is written buffered.
  Status WriteFully(const std::uint8_t* data, std::size_t n);
  Status StopDirect();

  std::filesystem::path path_;
  int fd_;
  bool direct_;                       // batches for the helper (else every Append writes at once)
  bool fd_direct_;                    // the descriptor has O_DIRECT: touched by whichever thread writes
  std::uint64_t offset_ = 0;          // bytes written or handed to the helper
  std::uint64_t writeback_from_ = 0;  // buffered mode: start of the range not yet handed to writeback

  std::vector<Buffer> buffers_;
  std::size_t current_ = 0;           // index into buffers_ of the batch being filled
  std::mutex mu_;
  std::condition_variable cv_work_, cv_free_;
  std::deque<std::size_t> queue_;     // full batches for the helper, oldest first
  std::deque<std::size_t> free_;      // batches the helper has written
  bool helper_busy_ = false;
  bool stopping_ = false;
  bool helper_failed_ = false;        // the helper could not start: full batches are written by Submit
  std::optional<Error> error_;        // the first write error, by either thread
  std::thread helper_;
};

}  // namespace casepack::internal
