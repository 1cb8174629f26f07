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

namespace casepack {
namespace {

// draft-irtf-cfrg-xchacha-03 §A.3.1: the layout nonce || ciphertext || tag opens to the known plaintext.
TEST(Aead, XChaChaDraftVector) {
  auto key = SecretBytes::CopyOf(*HexDecode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"));
  const Bytes aad = *HexDecode("50515253c0c1c2c3c4c5c6c7");
  const std::string sealed_hex =
      "404142434445464748494a4b4c4d4e4f5051525354555657"
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
      "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e"
      "c0875924c1c7987947deafd8780acf49";
  auto opened = AeadOpen(*key, *HexDecode(sealed_hex), aad);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(AsText(*opened),
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
            "sunscreen would be it.");
}

}  // namespace
}  // namespace casepack
