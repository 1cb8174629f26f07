// The blob format (docs/blobs.md): the vectors in tests/vectors/blob_stream/, written by the code before
// it moved into crypto/, must open (or fail) as they say; the ones that open must come out of the sealer
// byte for byte given their stream header. Also: sizes around the chunk boundary round-trip.
#include <gtest/gtest.h>

#include <cstring>

#include "blob_stream_internal.h"
#include "casepack/blob_stream.h"
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

}  // namespace
}  // namespace casepack
