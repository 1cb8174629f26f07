#include "casepack/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "casepack/encoding.h"
#include "casepack/random.h"
#include "direct_file_writer.h"

namespace casepack {

namespace fs = std::filesystem;

namespace {

Error FileError(std::string_view what, const fs::path& path, int err) {
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return MakeError(ErrorCode::kNoSpace, std::string(what) + " " + path.string() + ": the disk is full",
                     "free some space and try again; nothing was kept");
  return MakeError(ErrorCode::kIo, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// Reads exactly n bytes unless the file ends; returns the count.
Result<std::size_t> ReadUpTo(int fd, std::uint8_t* data, std::size_t n, const fs::path& path) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, data + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return FileError("cannot read", path, errno);
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

}  // namespace

fs::path BlobStore::PathOf(std::string_view blob_id) const { return dir_ / (std::string(blob_id) + ".blob"); }

Result<BlobInfo> BlobStore::Put(const SecretBytes& case_key, std::string_view case_id, const ByteSource& source,
                                std::uint64_t max_size, std::string_view wanted_id) {
  std::error_code ec;
  const bool made_dir = !HasDirectory();
  fs::create_directories(dir_, ec);
  if (ec) return FileError("cannot create", dir_, ec.value());

  BlobInfo info;
  info.blob_id = wanted_id.empty() ? RandomId() : std::string(wanted_id);
  if (info.blob_id.size() != 32 || !HexDecode(info.blob_id).ok())
    return MakeError(ErrorCode::kInvalidArgument, "a blob id must be 32 hex characters");
  const fs::path final_path = PathOf(info.blob_id);
  const fs::path tmp_path = dir_ / (info.blob_id + ".tmp");
  // The blob must be on disk before the record that names it commits, so its fsync waits for every byte;
  // it is written past the page cache from a helper thread while this one hashes and encrypts
  // (direct_file_writer.h).
  auto writer = internal::DirectFileWriter::Create(tmp_path);
  if (!writer.ok()) {
    if (made_dir) RemoveDirectoryIfEmpty();
    return writer.error();
  }
  Status result = SealBlobStream(case_key, case_id, info.blob_id, source, **writer, max_size, info);
  if (result.ok()) result = (*writer)->Finish();
  writer->reset();  // closes the file
  if (result.ok() && ::rename(tmp_path.c_str(), final_path.c_str()) != 0) result = FileError("cannot write", final_path, errno);
  if (!result.ok()) {
    ::unlink(tmp_path.c_str());
    if (made_dir) RemoveDirectoryIfEmpty();
    return result.error();
  }
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return info;
}

Status BlobStore::Get(const SecretBytes& case_key, std::string_view case_id, std::string_view blob_id,
                      const ByteSink& sink) const {
  const fs::path path = PathOf(blob_id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return MakeError(ErrorCode::kNotFound, "the document's stored bytes are not on this device",
                       "if it came from a colleague, run 'casepack sync' to fetch it");
    return FileError("cannot read", path, errno);
  }
  Status result = OpenBlobStream(case_key, case_id, blob_id,
                                 [&](std::span<std::uint8_t> buf) { return ReadUpTo(fd, buf.data(), buf.size(), path); },
                                 sink);
  ::close(fd);
  return result;
}

bool BlobStore::HasDirectory() const {
  std::error_code ec;
  return fs::is_directory(dir_, ec);
}

void BlobStore::RemoveDirectoryIfEmpty() const {
  std::error_code ec;
  fs::remove(dir_, ec);  // fails, leaving it, unless it is empty
}

Status BlobStore::Remove(std::string_view blob_id) const {
  const fs::path path = PathOf(blob_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return FileError("cannot remove", path, errno);
  return Ok();
}

}  // namespace casepack
