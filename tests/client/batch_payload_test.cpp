// A sealed batch's payload (client/src/batch_payload.h): xz written, xz or the older zlib form read, and
// every other input refused without decompressing beyond the limit.
#include "batch_payload.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace casepack {
namespace {

Bytes TypedWeek(std::size_t n) {
  std::mt19937 rng(7);
  const std::string words[] = {"the ", "core ", "group ", "met ", "Mam ", "plan ", "school ", "\n"};
  Bytes out;
  while (out.size() < n) {
    const std::string& w = words[rng() % std::size(words)];
    out.insert(out.end(), w.begin(), w.end());
  }
  out.resize(n);
  return out;
}

// The form stores wrote before issue 18: the size as 4 bytes big endian, then a zlib stream.
Bytes OldZlibPayload(const Bytes& batch) {
  uLongf n = compressBound(static_cast<uLong>(batch.size()));
  Bytes out(4 + n);
  for (int b = 0; b < 4; ++b) out[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(batch.size() >> (24 - 8 * b));
  EXPECT_EQ(compress2(out.data() + 4, &n, batch.data(), static_cast<uLong>(batch.size()), 9), Z_OK);
  out.resize(4 + n);
  return out;
}

TEST(Issue18BatchPayload, XzRoundTripsDeterministicallyAndBeatsDeflate) {
  const Bytes batch = TypedWeek(300000);
  const Bytes xz = CompressBatchPayload(batch);
  EXPECT_EQ(CompressBatchPayload(batch), xz) << "a batch pushed again must be the same bytes";
  ASSERT_GE(xz.size(), 6u);
  EXPECT_EQ(xz[0], 0xFD);
  EXPECT_LT(xz.size(), OldZlibPayload(batch).size());
  auto back = DecompressBatchPayload(xz, batch.size());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, batch);
}

TEST(Issue18BatchPayload, ReadsTheZlibPayloadsOlderStoresPushed) {
  const Bytes batch = TypedWeek(5000);
  auto back = DecompressBatchPayload(OldZlibPayload(batch), 1u << 20);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, batch);
}

TEST(Issue18BatchPayload, RefusesWhatIsNotOnePayloadWhole) {
  const Bytes batch = TypedWeek(20000);
  const Bytes xz = CompressBatchPayload(batch);
  Bytes truncated(xz.begin(), xz.end() - 1);
  Bytes trailing = xz;
  trailing.push_back(0);
  Bytes flipped = xz;
  flipped[xz.size() / 2] ^= 0x40;
  Bytes zlib_trailing = OldZlibPayload(batch);
  zlib_trailing.push_back(0);
  for (const Bytes& bad : {Bytes{}, Bytes{0x42}, truncated, trailing, flipped, zlib_trailing}) {
    auto r = DecompressBatchPayload(bad, 1u << 20);
    ASSERT_FALSE(r.ok()) << bad.size() << " bytes accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  }
}

TEST(Issue18BatchPayload, ABombIsRefusedAtTheLimitNotDecompressedWhole) {
  const Bytes zeros(8u << 20, 0);  // 8 MiB of zeros: about 1 KB of xz
  const Bytes bomb = CompressBatchPayload(zeros);
  ASSERT_LT(bomb.size(), 8u << 10);
  auto r = DecompressBatchPayload(bomb, 1u << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_FALSE(DecompressBatchPayload(OldZlibPayload(Bytes(2u << 20, 0)), 1u << 20).ok());
  // Exactly at the limit is allowed.
  EXPECT_TRUE(DecompressBatchPayload(CompressBatchPayload(Bytes(1u << 20, 1)), 1u << 20).ok());
}

}  // namespace
}  // namespace casepack
