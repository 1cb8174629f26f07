#include "casepack/blob_store.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "casepack/random.h"
#include "support/process.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;

ByteSource FromBytes(const Bytes& data, std::size_t step = 10000) {
  auto pos = std::make_shared<std::size_t>(0);
  return [&data, pos, step](std::span<std::uint8_t> buf) -> Result<std::size_t> {
    const std::size_t n = std::min({buf.size(), data.size() - *pos, step});
    if (n > 0) std::memcpy(buf.data(), data.data() + *pos, n);
    *pos += n;
    return n;
  };
}

Result<Bytes> ReadBlob(const BlobStore& store, const SecretBytes& key, std::string_view case_id, std::string_view id) {
  Bytes out;
  Status s = store.Get(key, case_id, id, [&](std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return Ok();
  });
  if (!s.ok()) return s.error();
  return out;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  testing::TempDir tmp_;
  BlobStore store_{tmp_ / "blobs"};
  SecretBytes key_ = std::move(SecretBytes::Random(32)).value();
};

TEST_F(BlobStoreTest, RoundTripAtChunkBoundaries) {
  for (std::size_t size : {std::size_t{1}, BlobStore::kChunkBytes - 1, BlobStore::kChunkBytes,
                           BlobStore::kChunkBytes + 1, 3 * BlobStore::kChunkBytes + 17}) {
    const Bytes data = RandomBytes(size);
    auto info = store_.Put(key_, "case-1", FromBytes(data), 1 << 30);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->size, size);
    EXPECT_EQ(info->sha256, Sha256(data));
    auto back = ReadBlob(store_, key_, "case-1", info->blob_id);
    ASSERT_TRUE(back.ok()) << size << ": " << back.error().message;
    EXPECT_EQ(*back, data) << size;
  }
}

TEST_F(BlobStoreTest, Sha256MatchesKnownAnswer) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(BlobStoreTest, PlaintextNeverOnDisk) {
  const std::string text = "Minutes of the Review Child Protection Conference for Tobias Fenwick";
  Bytes data(text.begin(), text.end());
  auto info = store_.Put(key_, "case-1", FromBytes(data), 1 << 20);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(testing::AllBytesBelow(tmp_.path()).find("Tobias"), std::string::npos);
}

TEST_F(BlobStoreTest, WrongCaseWrongKeyFlippedOrTruncatedIsRefused) {
  const Bytes data = RandomBytes(150000);
  auto info = store_.Put(key_, "case-1", FromBytes(data), 1 << 30);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(ReadBlob(store_, key_, "case-2", info->blob_id).error().code, ErrorCode::kAuthFailed);
  auto other = SecretBytes::Random(32);
  EXPECT_FALSE(ReadBlob(store_, *other, "case-1", info->blob_id).ok());

  const fs::path path = store_.PathOf(info->blob_id);
  const std::string original = testing::ReadFile(path);
  for (std::size_t at : {std::size_t{3}, std::size_t{20}, std::size_t{100}, original.size() / 2, original.size() - 1}) {
    std::string damaged = original;
    damaged[at] ^= 0x40;
    testing::WriteFile(path, damaged);
    EXPECT_FALSE(ReadBlob(store_, key_, "case-1", info->blob_id).ok()) << "flip at " << at;
  }
  for (std::size_t len : {std::size_t{10}, std::size_t{40}, 16 + 24 + BlobStore::kChunkBytes + 17, original.size() - 1}) {
    testing::WriteFile(path, original.substr(0, len));
    EXPECT_FALSE(ReadBlob(store_, key_, "case-1", info->blob_id).ok()) << "truncated to " << len;
  }
  testing::WriteFile(path, original + "x");
  EXPECT_FALSE(ReadBlob(store_, key_, "case-1", info->blob_id).ok()) << "trailing data accepted";
  EXPECT_EQ(ReadBlob(store_, key_, "case-1", "0123").error().code, ErrorCode::kNotFound);
}

// Several MiB: hashed and sealed batch by batch on helpers, written past the page cache in batches, the tail
// buffered (docs/blobs.md); the file is the format's size and opens to the same bytes.
TEST_F(BlobStoreTest, AManyMegabyteDocumentRoundTripsThroughTheDirectWriter) {
  for (std::size_t n : {std::size_t{4} << 20, (std::size_t{9} << 20) + 4093}) {
    SCOPED_TRACE(n);
    const Bytes data = RandomBytes(n);
    auto put = store_.Put(key_, "c", FromBytes(data, 300000), 1 << 30);
    ASSERT_TRUE(put.ok()) << put.error().message;
    EXPECT_EQ(put->size, n);
    EXPECT_EQ(put->sha256, Sha256(data));
    const std::size_t chunks = (n + BlobStore::kChunkBytes - 1) / BlobStore::kChunkBytes;
    EXPECT_EQ(fs::file_size(store_.PathOf(put->blob_id)), 40 + n + 17 * chunks);
    auto back = ReadBlob(store_, key_, "c", put->blob_id);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(*back == data);
  }
}

TEST_F(BlobStoreTest, EmptyOrOversizedKeepsNothing) {
  const Bytes empty;
  EXPECT_EQ(store_.Put(key_, "c", FromBytes(empty), 100).error().code, ErrorCode::kInvalidArgument);
  const Bytes big = RandomBytes(300000);
  auto r = store_.Put(key_, "c", FromBytes(big), 200000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("larger than the limit"), std::string::npos);
  // Nothing kept, not even the directory the first Put made.
  EXPECT_FALSE(fs::exists(tmp_ / "blobs"));
  // A directory that was there before stays, empty.
  fs::create_directories(tmp_ / "blobs");
  ASSERT_FALSE(store_.Put(key_, "c", FromBytes(big), 200000).ok());
  EXPECT_TRUE(fs::is_empty(tmp_ / "blobs"));
}

TEST_F(BlobStoreTest, FullDiskKeepsNothing) {
  fs::create_directories(tmp_ / "blobs");
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{100000, 100000};
    setrlimit(RLIMIT_FSIZE, &lim);
    const Bytes data = RandomBytes(500000);
    auto r = store_.Put(key_, "c", FromBytes(data), 1 << 30);
    _exit(r.ok() ? 0 : (r.error().code == ErrorCode::kNoSpace ? 42 : 11));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_TRUE(fs::is_empty(tmp_ / "blobs"));
}

}  // namespace
}  // namespace casepack
