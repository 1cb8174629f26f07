// The blob format (docs/blobs.md): the vectors in tests/vectors/blob_stream/, written by the code before
// it moved into crypto/, must open (or fail) as they say; the ones that open must come out of the sealer
// byte for byte given their stream header. Also: sizes around the chunk boundary round-trip; blobs of
// several of the sealer's batches (sealed on its helper thread) are libsodium's own stream byte for byte;
// a failing sink or source ends the seal with its error and nothing is written after it.
#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "blob_stream_internal.h"
#include "casepack/blob_stream.h"
#include "casepack/random.h"
#include "support/vector_file.h"

namespace casepack {
namespace {

using testing::ReadVectorDir;

SecretBytes Key(const Bytes& b) { return std::move(SecretBytes::CopyOf(b)).value(); }

ByteSource From(const Bytes& bytes, std::size_t& pos) {
  return [&bytes, &pos](std::span<std::uint8_t> buf) -> Result<std::size_t> {
    const std::size_t n = std::min(buf.size(), bytes.size() - pos);
    if (n > 0) std::memcpy(buf.data(), bytes.data() + pos, n);  // an empty vector's data() may be null
    pos += n;
    return n;
  };
}
ByteSink Into(Bytes& out) {
  return [&out](std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return Ok();
  };
}

TEST(BlobStream, Vectors) {
  const auto vectors = ReadVectorDir(std::filesystem::path(CASEPACK_VECTORS_DIR) / "blob_stream");
  ASSERT_GE(vectors.size(), 14u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const SecretBytes key = Key(v.hex("key"));
    Bytes plain;
    std::size_t pos = 0;
    Status s = OpenBlobStream(key, v.at("case id"), v.at("blob id"), From(v.body, pos), Into(plain));
    const std::string& expect = v.at("expect");
    if (expect == "success") {
      ASSERT_TRUE(s.ok()) << s.error().message;
      EXPECT_EQ(std::to_string(plain.size()), v.at("size"));
      EXPECT_EQ(HexEncode(Sha256(plain)), v.at("payload"));
      // Sealing the plaintext again under the vector's stream header gives the vector.
      ASSERT_GE(v.body.size(), 40u);
      std::array<std::uint8_t, internal::kBlobStreamHeaderBytes> header{};
      std::memcpy(header.data(), v.body.data() + 16, header.size());
      Bytes again;
      BlobInfo info;
      pos = 0;
      ASSERT_TRUE(internal::SealBlobStreamWithHeader(key, v.at("case id"), v.at("blob id"), header, From(plain, pos),
                                                     Into(again), 1u << 30, info)
                      .ok());
      EXPECT_EQ(again, v.body);
      EXPECT_EQ(HexEncode(info.sha256), v.at("payload"));
      EXPECT_EQ(info.size, plain.size());
    } else {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code, expect == "corrupt" ? ErrorCode::kCorrupt : ErrorCode::kAuthFailed) << s.error().message;
    }
  }
}

TEST(BlobStream, RoundTripsAroundTheChunkBoundary) {
  auto key = SecretBytes::Random(kBlobKeyBytes);
  ASSERT_TRUE(key.ok());
  for (std::size_t n : {std::size_t{1}, kBlobChunkBytes - 1, kBlobChunkBytes, kBlobChunkBytes + 1, 3 * kBlobChunkBytes}) {
    Bytes plain(n);
    for (std::size_t i = 0; i < n; ++i) plain[i] = static_cast<std::uint8_t>(i * 31);
    Bytes sealed, back;
    BlobInfo info;
    std::size_t pos = 0;
    ASSERT_TRUE(SealBlobStream(*key, "case", "blob", From(plain, pos), Into(sealed), 1u << 30, info).ok());
    EXPECT_EQ(info.size, n);
    EXPECT_EQ(info.sha256, Sha256(plain));
    const std::size_t chunks = (n + kBlobChunkBytes - 1) / kBlobChunkBytes;
    EXPECT_EQ(sealed.size(), 40 + n + 17 * chunks) << n;
    pos = 0;
    ASSERT_TRUE(OpenBlobStream(*key, "case", "blob", From(sealed, pos), Into(back)).ok()) << n;
    EXPECT_EQ(back, plain);
  }
}

TEST(BlobStream, EmptyAndOversizedSourcesAreRefused) {
  auto key = SecretBytes::Random(kBlobKeyBytes);
  ASSERT_TRUE(key.ok());
  Bytes sealed, empty, big(100);
  BlobInfo info;
  std::size_t pos = 0;
  Status s = SealBlobStream(*key, "c", "b", From(empty, pos), Into(sealed), 1000, info);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  pos = 0;
  s = SealBlobStream(*key, "c", "b", From(big, pos), Into(sealed), 99, info);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

// The blob as libsodium's own crypto_secretstream_xchacha20poly1305_push writes it, under `header`.
Bytes ReferenceBlob(const SecretBytes& key, std::string_view case_id, std::string_view blob_id, const Bytes& plain,
                    const std::array<std::uint8_t, internal::kBlobStreamHeaderBytes>& header) {
  crypto_secretstream_xchacha20poly1305_state st;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&st, header.data(), key.expose().data()) != 0) std::abort();
  const std::string ad = "casepack-blob-1\n" + std::string(case_id) + "\n" + std::string(blob_id);
  Bytes out(AsBytes(std::string_view("casepack-blob-1\n")).begin(), AsBytes(std::string_view("casepack-blob-1\n")).end());
  out.insert(out.end(), header.begin(), header.end());
  for (std::size_t pos = 0; pos < plain.size(); pos += kBlobChunkBytes) {
    const std::size_t n = std::min(kBlobChunkBytes, plain.size() - pos);
    const bool last = pos + n == plain.size();
    Bytes c(n + crypto_secretstream_xchacha20poly1305_ABYTES);
    crypto_secretstream_xchacha20poly1305_push(&st, c.data(), nullptr, plain.data() + pos, n,
                                               reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                               last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    out.insert(out.end(), c.begin(), c.end());
  }
  return out;
}

// The sealer gathers 16 chunks to a batch and seals batches on a helper thread, holding a full batch back
// until it knows whether its last chunk is the final one: sizes on and around every such boundary.
TEST(BlobStream, BatchesSealedOnTheHelperAreLibsodiumsStreamByteForByte) {
  auto key = SecretBytes::Random(kBlobKeyBytes);
  ASSERT_TRUE(key.ok());
  std::array<std::uint8_t, internal::kBlobStreamHeaderBytes> header{};
  randombytes_buf(header.data(), header.size());
  const std::size_t batch = 16 * kBlobChunkBytes;
  for (std::size_t n : {batch - 1, batch, batch + 1, 2 * batch, 2 * batch + kBlobChunkBytes, 3 * batch, 3 * batch + 7,
                        7 * batch + kBlobChunkBytes - 1}) {
    SCOPED_TRACE(n);
    Bytes plain(n);
    randombytes_buf(plain.data(), plain.size());
    // The source hands out odd-sized pieces, so chunks are filled by several reads.
    std::size_t pos = 0;
    ByteSource ragged = [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      const std::size_t k = std::min({buf.size(), plain.size() - pos, std::size_t{50000}});
      if (k > 0) std::memcpy(buf.data(), plain.data() + pos, k);
      pos += k;
      return k;
    };
    Bytes sealed;
    BlobInfo info;
    ASSERT_TRUE(internal::SealBlobStreamWithHeader(*key, "case", "blob", header, ragged, Into(sealed), 1u << 30, info).ok());
    EXPECT_EQ(info.size, n);
    EXPECT_EQ(info.sha256, Sha256(plain));
    EXPECT_TRUE(sealed == ReferenceBlob(*key, "case", "blob", plain, header)) << "differs from libsodium's stream";
    Bytes back;
    pos = 0;
    ASSERT_TRUE(OpenBlobStream(*key, "case", "blob", From(sealed, pos), Into(back)).ok());
    EXPECT_TRUE(back == plain);
  }
}

// An output that lends memory from its own buffer, with room for a chunk only now and then (every third
// call), as the blob store's direct writer does at the end of each of its batches.
class LendingOutput final : public BlobOutput {
 public:
  std::span<std::uint8_t> Room(std::size_t bytes) override {
    if (++asked_ % 3 == 0) return {};
    lent_.resize(bytes);
    return lent_;
  }
  Status Commit(std::size_t bytes) override {
    if (bytes > lent_.size()) std::abort();
    held.insert(held.end(), lent_.begin(), lent_.begin() + static_cast<std::ptrdiff_t>(bytes));
    ++commits;
    return Ok();
  }
  Status Write(std::span<const std::uint8_t> bytes) override {
    held.insert(held.end(), bytes.begin(), bytes.end());
    ++writes;
    return Ok();
  }
  Bytes held;
  int commits = 0, writes = 0;

 private:
  Bytes lent_;
  int asked_ = 0;
};

TEST(BlobStream, ChunksSealedIntoLentMemoryOrWrittenAreTheSameStream) {
  auto key = SecretBytes::Random(kBlobKeyBytes);
  ASSERT_TRUE(key.ok());
  std::array<std::uint8_t, internal::kBlobStreamHeaderBytes> header{};
  randombytes_buf(header.data(), header.size());
  const Bytes plain = RandomBytes(3 * 16 * kBlobChunkBytes + 12345);
  std::size_t pos = 0;
  LendingOutput out;
  BlobInfo info;
  ASSERT_TRUE(internal::SealBlobStreamWithHeader(*key, "case", "blob", header, From(plain, pos), out, 1u << 30, info).ok());
  EXPECT_GT(out.commits, 0);
  EXPECT_GT(out.writes, 2);  // the magic, the header, and chunks for which no room was lent
  EXPECT_TRUE(out.held == ReferenceBlob(*key, "case", "blob", plain, header)) << "differs from libsodium's stream";
}

TEST(BlobStream, ASinkErrorOnTheHelperEndsTheSealWithThatErrorAndNothingIsWrittenAfter) {
  auto key = SecretBytes::Random(kBlobKeyBytes);
  ASSERT_TRUE(key.ok());
  const Bytes plain(5 * 16 * kBlobChunkBytes + 3, 0x5a);
  for (int fail_at : {0, 1, 2, 3}) {  // the magic, the header, the first batch, a later batch
    SCOPED_TRACE(fail_at);
    std::size_t pos = 0;
    std::atomic<int> calls{0};
    std::atomic<bool> returned{false}, late{false};
    ByteSink sink = [&](std::span<const std::uint8_t>) -> Status {
      if (returned) late = true;
      const int i = calls++;
      if (i == fail_at) return MakeError(ErrorCode::kNoSpace, "disk full in the test");
      return Ok();
    };
    BlobInfo info;
    Status s = SealBlobStream(*key, "c", "b", From(plain, pos), sink, 1u << 30, info);
    returned = true;
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kNoSpace);
    EXPECT_EQ(calls.load(), fail_at + 1) << "the sink was called after it failed";
    std::this_thread::yield();
    EXPECT_FALSE(late.load());
  }
}

TEST(BlobStream, ASourceErrorOrTheLimitMidwayEndsTheSealAndTheSinkIsNotCalledAfterItReturns) {
  auto key = SecretBytes::Random(kBlobKeyBytes);
  ASSERT_TRUE(key.ok());
  const std::size_t total = 4 * 16 * kBlobChunkBytes;
  for (bool limit : {false, true}) {
    SCOPED_TRACE(limit);
    std::size_t given = 0;
    ByteSource source = [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      if (!limit && given >= total / 2) return MakeError(ErrorCode::kIo, "the source failed");
      const std::size_t k = std::min(buf.size(), total - given);
      std::memset(buf.data(), 1, k);
      given += k;
      return k;
    };
    std::atomic<bool> returned{false}, late{false};
    std::atomic<std::size_t> written{0};
    ByteSink sink = [&](std::span<const std::uint8_t> b) -> Status {
      if (returned) late = true;
      written += b.size();
      return Ok();
    };
    BlobInfo info;
    Status s = SealBlobStream(*key, "c", "b", source, sink, limit ? total / 3 : total * 2, info);
    returned = true;
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, limit ? ErrorCode::kInvalidArgument : ErrorCode::kIo) << s.error().message;
    EXPECT_LT(written.load(), total);
    EXPECT_FALSE(late.load());
  }
}

}  // namespace
}  // namespace casepack
