// The blob file writer (client/src/direct_file_writer.h): what is appended, in any pieces, is what the
// file holds after Finish, on either side of every alignment and batch boundary; a file size limit hit
// at an unaligned or an aligned place is "disk is full", never a hang or a short file taken for whole;
// a writer dropped half way stops its helper.
#include "direct_file_writer.h"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "casepack/random.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;
using internal::DirectFileWriter;

constexpr std::size_t kMiB = std::size_t{1} << 20;

class DirectFileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Beside the build, not in /tmp: the file system the store would be on (tmpfs may refuse O_DIRECT).
    dir_ = fs::current_path() / ("direct-writer-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Bytes ReadAll(const fs::path& p) {
    Bytes out(fs::file_size(p));
    std::ifstream in(p, std::ios::binary);
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
    return out;
  }

  // ext4 (the build directory here and in CI) takes direct writes: there the buffered fallback must not
  // be what was tested.
  bool ExpectDirect() const {
    struct statfs fs_info {};
    return ::statfs(dir_.c_str(), &fs_info) == 0 && fs_info.f_type == EXT4_SUPER_MAGIC;
  }

  fs::path dir_;
};

TEST_F(DirectFileWriterTest, WritesExactlyWhatWasAppendedAroundEveryBoundary) {
  const Bytes data = RandomBytes(13 * kMiB + 4097);
  constexpr std::size_t kBatch = DirectFileWriter::kBatchBytes;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4096}, std::size_t{4097},
                        kBatch - 1, kBatch, kBatch + 1, 3 * kBatch + 4096, 6 * kBatch, 13 * kMiB + 4097}) {
    for (std::size_t piece : {std::size_t{65553}, std::size_t{1000003}}) {
      SCOPED_TRACE(std::to_string(n) + " bytes in pieces of " + std::to_string(piece));
      const fs::path p = dir_ / "f";
      auto w = DirectFileWriter::Create(p);
      ASSERT_TRUE(w.ok()) << w.error().message;
      for (std::size_t pos = 0; pos < n; pos += piece)
        ASSERT_TRUE((*w)->Append(std::span<const std::uint8_t>(data.data() + pos, std::min(piece, n - pos))).ok());
      ASSERT_TRUE((*w)->Finish().ok());
      const bool direct = (*w)->direct();
      if (ExpectDirect()) {
        EXPECT_TRUE(direct) << "ext4 refused O_DIRECT?";
      }
      w->reset();
      const Bytes got = ReadAll(p);
      ASSERT_EQ(got.size(), n) << (direct ? "direct" : "buffered");
      EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
    }
  }
}

// RLIMIT_FSIZE cuts a write at the limit: a direct write so cut is refused by the kernel (its length is
// no longer aligned), and the writer goes on buffered to hear "file too large".
TEST_F(DirectFileWriterTest, AFileSizeLimitIsTheDiskIsFullWhereverItFalls) {
  const Bytes data = RandomBytes(10 * kMiB);
  for (rlim_t limit : {rlim_t{100000}, rlim_t{DirectFileWriter::kBatchBytes}, rlim_t{6 * kMiB + 4096}, rlim_t{10 * kMiB - 1}}) {
    SCOPED_TRACE(limit);
    const fs::path p = dir_ / ("limited-" + std::to_string(limit));
    const pid_t pid = fork();
    if (pid == 0) {
      std::signal(SIGXFSZ, SIG_IGN);
      rlimit lim{limit, limit};
      setrlimit(RLIMIT_FSIZE, &lim);
      auto w = DirectFileWriter::Create(p);
      if (!w.ok()) _exit(10);
      Status s = Ok();
      for (std::size_t pos = 0; pos < data.size() && s.ok(); pos += 65553)
        s = (*w)->Append(std::span<const std::uint8_t>(data.data() + pos, std::min<std::size_t>(65553, data.size() - pos)));
      if (s.ok()) s = (*w)->Finish();
      if (s.ok()) _exit(0);
      _exit(s.error().code == ErrorCode::kNoSpace && s.error().message.find("disk is full") != std::string::npos ? 42 : 11);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 42);
    EXPECT_LE(fs::file_size(p), limit);
  }
}

TEST_F(DirectFileWriterTest, DroppedHalfWayItStopsItsHelperAndClosesTheFile) {
  const Bytes data = RandomBytes(9 * kMiB);
  const fs::path p = dir_ / "dropped";
  {
    auto w = DirectFileWriter::Create(p);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data).ok());  // two batches handed to the helper, one partly filled
  }
  // The file is the caller's to remove; what was written is a prefix of what was appended.
  const Bytes got = ReadAll(p);
  EXPECT_LE(got.size(), data.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

TEST_F(DirectFileWriterTest, ADirectoryThatIsNotThereIsAClearError) {
  auto w = DirectFileWriter::Create(dir_ / "missing" / "f");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kIo);
  EXPECT_NE(w.error().message.find("cannot create"), std::string::npos) << w.error().message;
}

}  // namespace
}  // namespace casepack
