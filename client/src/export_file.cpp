#include "casepack/export_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace casepack {

namespace {

Error WriteError(const std::filesystem::path& path, int err) {
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return MakeError(ErrorCode::kNoSpace, "cannot write " + path.string() + ": the disk is full", "nothing was written");
  return MakeError(ErrorCode::kIo, "cannot write " + path.string() + ": " + std::strerror(err), "nothing was written");
}

// Every byte, then fsync; errno on failure.
int WriteAll(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

}  // namespace

Status WriteExportFile(const std::filesystem::path& path, std::string_view bytes, bool replace) {
  std::error_code ec;
  const bool exists = std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found && !ec;
  if (exists && !replace)
    return MakeError(ErrorCode::kConflict, path.string() + " already exists", "choose another name");
  if (exists && std::filesystem::is_directory(path, ec))
    return MakeError(ErrorCode::kIo, "cannot write " + path.string() + ": it is a folder", "choose a file name");
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int unnamed = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (unnamed >= 0) {
    int err = WriteAll(unnamed, bytes);
    const std::string self = "/proc/self/fd/" + std::to_string(unnamed);
    if (err == 0 && exists && ::unlink(path.c_str()) != 0 && errno != ENOENT) err = errno;
    if (err == 0 && ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) != 0) err = errno;
    ::close(unnamed);
    return err == 0 ? Ok() : Status(WriteError(path, err));
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return WriteError(path, errno);
  // No O_TMPFILE here: the named file itself, removed on failure.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return WriteError(path, errno);
  const int err = WriteAll(fd, bytes);
  ::close(fd);
  if (err != 0) {
    ::unlink(path.c_str());
    return WriteError(path, err);
  }
  return Ok();
}

}  // namespace casepack
