#include "casepack/aead.h"

#include <gtest/gtest.h>

#include "casepack/encoding.h"

namespace casepack {
namespace {

TEST(Aead, RoundTripWithAssociatedData) {
  auto key = SecretBytes::Random(kAeadKeyBytes);
  ASSERT_TRUE(key.ok());
  const std::string msg = "the core group met on Tuesday";
  Bytes sealed = AeadSeal(*key, AsBytes(msg), AsBytes("store-1"));
  EXPECT_EQ(sealed.size(), msg.size() + kAeadOverhead);
  auto opened = AeadOpen(*key, sealed, AsBytes("store-1"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(AsText(*opened), msg);
}

TEST(Aead, WrongAssociatedDataFails) {
  auto key = SecretBytes::Random(kAeadKeyBytes);
  Bytes sealed = AeadSeal(*key, AsBytes("x"), AsBytes("store-1"));
  auto opened = AeadOpen(*key, sealed, AsBytes("store-2"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kAuthFailed);
}

TEST(Aead, EveryFlippedBitFails) {
  auto key = SecretBytes::Random(kAeadKeyBytes);
  Bytes sealed = AeadSeal(*key, AsBytes("abc"), {});
  for (std::size_t i = 0; i < sealed.size() * 8; ++i) {
    Bytes t = sealed;
    t[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    EXPECT_FALSE(AeadOpen(*key, t, {}).ok()) << "bit " << i;
  }
}

TEST(Aead, TruncatedIsCorrupt) {
  auto key = SecretBytes::Random(kAeadKeyBytes);
  Bytes sealed = AeadSeal(*key, AsBytes("abc"), {});
  sealed.resize(kAeadOverhead - 1);
  auto opened = AeadOpen(*key, sealed, {});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kCorrupt);
}

TEST(Aead, KeyWrapRoundTrip) {
  auto kek = SecretBytes::Random(32);
  auto dek = SecretBytes::Random(32);
  Bytes wrapped = WrapKey(*kek, *dek, AsBytes("ad"));
  auto back = UnwrapKey(*kek, wrapped, AsBytes("ad"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->Equals(*dek));
  auto other = SecretBytes::Random(32);
  EXPECT_EQ(UnwrapKey(*other, wrapped, AsBytes("ad")).error().code, ErrorCode::kAuthFailed);
}

}  // namespace
}  // namespace casepack
