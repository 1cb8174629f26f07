#include "direct_file_writer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace casepack::internal {

namespace fs = std::filesystem;

namespace {

Error WriteError(const fs::path& path, int err) {
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return MakeError(ErrorCode::kNoSpace, "cannot write " + path.string() + ": the disk is full",
                     "free some space and try again; nothing was kept");
  return MakeError(ErrorCode::kIo, "cannot write " + path.string() + ": " + std::strerror(err));
}

// Buffered mode starts writeback every this many bytes (a hint; the final fsync decides).
constexpr std::uint64_t kWritebackStep = std::uint64_t{8} << 20;

// A batch buffer on its own huge page where the kernel offers them (THP "madvise" mode, Debian's default):
// a direct write pins the buffer's pages for the device, one 2 MiB page instead of 512 small ones, and
// filling it takes one fault instead of 512.
std::uint8_t* NewBatchBuffer(std::size_t bytes) {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  void* p = std::aligned_alloc(kHuge, bytes);
  if (p != nullptr) (void)::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without it, small pages
  return static_cast<std::uint8_t*>(p);
}

}  // namespace

Result<std::unique_ptr<DirectFileWriter>> DirectFileWriter::Create(const fs::path& path) {
  bool direct = true;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0600);
  if (fd < 0 && errno == EINVAL) {  // a file system without direct I/O
    direct = false;
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  }
  if (fd < 0) {
    const int err = errno;
    if (err == ENOSPC || err == EDQUOT) return WriteError(path, err);
    return MakeError(ErrorCode::kIo, "cannot create " + path.string() + ": " + std::strerror(err));
  }
  return std::unique_ptr<DirectFileWriter>(new DirectFileWriter(path, fd, direct));
}

DirectFileWriter::DirectFileWriter(fs::path path, int fd, bool direct)
    : path_(std::move(path)), fd_(fd), direct_(direct), fd_direct_(direct) {
  buffers_.reserve(kBuffers);  // never moved while the helper holds one
}

DirectFileWriter::~DirectFileWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_work_.notify_all();
  if (helper_.joinable()) helper_.join();
  for (Buffer& b : buffers_) std::free(b.data);
  ::close(fd_);
}

Status DirectFileWriter::EnsureBuffer() {
  if (!buffers_.empty()) return Ok();
  std::uint8_t* p = NewBatchBuffer(kBatchBytes);
  if (p == nullptr) return MakeError(ErrorCode::kIo, "cannot write " + path_.string() + ": out of memory");
  buffers_.push_back(Buffer{p, 0});
  current_ = 0;
  return Ok();
}

std::span<std::uint8_t> DirectFileWriter::Room(std::size_t bytes) {
  if (!direct_ || !EnsureBuffer().ok()) return {};
  Buffer& b = buffers_[current_];
  if (kBatchBytes - b.used < bytes) return {};
  return {b.data + b.used, bytes};
}

Status DirectFileWriter::Commit(std::size_t bytes) {
  Buffer& b = buffers_[current_];
  if (bytes > kBatchBytes - b.used) std::abort();  // more than Room lent
  b.used += bytes;
  if (b.used == kBatchBytes) return Submit();
  return Ok();
}

Status DirectFileWriter::Append(std::span<const std::uint8_t> bytes) {
  if (!direct_) return AppendBuffered(bytes);
  while (!bytes.empty()) {
    CP_RETURN_IF_ERROR(EnsureBuffer());
    Buffer& b = buffers_[current_];
    const std::size_t n = std::min(bytes.size(), kBatchBytes - b.used);
    std::memcpy(b.data + b.used, bytes.data(), n);
    b.used += n;
    bytes = bytes.subspan(n);
    if (b.used == kBatchBytes) CP_RETURN_IF_ERROR(Submit());
  }
  return Ok();
}

Status DirectFileWriter::AppendBuffered(std::span<const std::uint8_t> bytes) {
  CP_RETURN_IF_ERROR(WriteFully(bytes.data(), bytes.size()));
  offset_ += bytes.size();
  if (offset_ - writeback_from_ >= kWritebackStep) {
    (void)::sync_file_range(fd_, static_cast<off_t>(writeback_from_), static_cast<off_t>(offset_ - writeback_from_),
                            SYNC_FILE_RANGE_WRITE);
    writeback_from_ = offset_;
  }
  return Ok();
}

Status DirectFileWriter::Submit() {
  std::unique_lock<std::mutex> lock(mu_);
  if (error_) return *error_;
  if (!helper_.joinable() && !helper_failed_) {
    try {
      helper_ = std::thread([this] { Loop(); });
    } catch (const std::system_error&) {
      helper_failed_ = true;
    }
  }
  if (helper_failed_) {  // no helper: write it here
    lock.unlock();
    Buffer& b = buffers_[current_];
    CP_RETURN_IF_ERROR(WriteFully(b.data, b.used));
    offset_ += b.used;
    b.used = 0;
    return Ok();
  }
  offset_ += buffers_[current_].used;
  queue_.push_back(current_);
  cv_work_.notify_one();
  if (free_.empty() && buffers_.size() < kBuffers) {
    std::uint8_t* p = NewBatchBuffer(kBatchBytes);
    if (p == nullptr) {
      error_ = MakeError(ErrorCode::kIo, "cannot write " + path_.string() + ": out of memory");
      return *error_;
    }
    buffers_.push_back(Buffer{p, 0});
    current_ = buffers_.size() - 1;
    return Ok();
  }
  cv_free_.wait(lock, [&] { return !free_.empty(); });
  current_ = free_.front();
  free_.pop_front();
  buffers_[current_].used = 0;
  if (error_) return *error_;
  return Ok();
}

void DirectFileWriter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (stopping_) return;
    const std::size_t i = queue_.front();
    queue_.pop_front();
    helper_busy_ = true;
    const bool failed = error_.has_value();
    const std::uint8_t* data = buffers_[i].data;  // read under the lock: Submit may add buffers meanwhile
    const std::size_t used = buffers_[i].used;
    lock.unlock();
    Status s = failed ? Ok() : WriteFully(data, used);
    lock.lock();
    helper_busy_ = false;
    if (!s.ok() && !error_) error_ = s.error();
    free_.push_back(i);
    cv_free_.notify_all();
  }
}

Status DirectFileWriter::WriteFully(const std::uint8_t* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      // A direct write the kernel will not take as it is (it cut the count to a file size limit, say):
      // write the rest buffered, which then succeeds or says why not.
      if (errno == EINVAL && fd_direct_) {
        CP_RETURN_IF_ERROR(StopDirect());
        continue;
      }
      return WriteError(path_, errno);
    }
    data += w;
    n -= static_cast<std::size_t>(w);
    if (n > 0 && fd_direct_) CP_RETURN_IF_ERROR(StopDirect());  // the offset may no longer be aligned
  }
  return Ok();
}

Status DirectFileWriter::StopDirect() {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) return WriteError(path_, errno);
  fd_direct_ = false;
  return Ok();
}

Status DirectFileWriter::Finish() {
  if (direct_) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_free_.wait(lock, [&] { return queue_.empty() && !helper_busy_; });
      if (error_) return *error_;
    }
    if (!buffers_.empty()) {
      Buffer& b = buffers_[current_];
      const std::size_t aligned = b.used / kAlign * kAlign;
      CP_RETURN_IF_ERROR(WriteFully(b.data, aligned));
      if (b.used > aligned) {
        if (fd_direct_) CP_RETURN_IF_ERROR(StopDirect());
        CP_RETURN_IF_ERROR(WriteFully(b.data + aligned, b.used - aligned));
      }
      offset_ += b.used;
      b.used = 0;
    }
  }
  if (::fsync(fd_) != 0) return WriteError(path_, errno);
  return Ok();
}

}  // namespace casepack::internal
