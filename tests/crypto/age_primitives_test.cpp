// HKDF-SHA-256 against RFC 5869, Bech32 against BIP 173 and the age spec's key example, strict base64.
#include "casepack/age_primitives.h"

#include <gtest/gtest.h>

#include "casepack/age.h"

namespace casepack {
namespace {

Bytes Range(int from, int to) {
  Bytes b;
  for (int i = from; i <= to; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}

std::string HkdfHex(const Bytes& ikm, const Bytes& salt, const Bytes& info, std::size_t len) {
  auto okm = HkdfSha256(ikm, salt, AsText(info), len);
  EXPECT_TRUE(okm.ok());
  return HexEncode(okm->expose());
}

TEST(Hkdf, Rfc5869Case1) {
  EXPECT_EQ(HkdfHex(Bytes(22, 0x0b), Range(0x00, 0x0c), Range(0xf0, 0xf9), 42),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Hkdf, Rfc5869Case2LongInputs) {
  EXPECT_EQ(HkdfHex(Range(0x00, 0x4f), Range(0x60, 0xaf), Range(0xb0, 0xff), 82),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c"
            "2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST(Hkdf, Rfc5869Case3EmptySaltAndInfo) {
  EXPECT_EQ(HkdfHex(Bytes(22, 0x0b), {}, {}, 42),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(Base64Raw, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 100; ++n) {
    Bytes b = Range(0, static_cast<int>(n) - 1);
    auto d = Base64RawDecode(Base64RawEncode(b));
    ASSERT_TRUE(d.ok()) << n;
    EXPECT_EQ(*d, b);
  }
}

TEST(Base64Raw, RejectsPaddingWhitespaceAndNonCanonicalForms) {
  EXPECT_TRUE(Base64RawDecode("YQ").ok());
  EXPECT_FALSE(Base64RawDecode("YQ==").ok());  // padding
  EXPECT_FALSE(Base64RawDecode("YR").ok());    // non-zero trailing bits: same byte as "YQ"
  EXPECT_FALSE(Base64RawDecode("Y").ok());     // impossible length
  EXPECT_FALSE(Base64RawDecode("YQ\n").ok());
  EXPECT_FALSE(Base64RawDecode("Y Q").ok());
  EXPECT_FALSE(Base64RawDecode("YQ\r").ok());
  EXPECT_FALSE(Base64RawDecode("-_").ok());  // URL alphabet
}

TEST(Bech32, Bip173ValidStrings) {
  for (const char* s : {"A12UEL5L", "a12uel5l",
                        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
                        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
                        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    auto d = Bech32Decode(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.error().message;
    std::string hrp = d->hrp;
    if (std::string_view(s)[0] == 'A') hrp = "A";
    EXPECT_EQ(Bech32Encode(hrp, d->data), s);
  }
}

TEST(Bech32, Bip173InvalidStrings) {
  for (const char* s : {"\x20" "1nwldj5", "\x7f" "1axkwrx", "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx"
                        "x", "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee",
                        "A12uEL5L", "a12uel5m"}) {
    EXPECT_FALSE(Bech32Decode(s).ok()) << s;
  }
}

// The example from C2SP age.md ("The X25519 recipient type").
TEST(Bech32, AgeSpecExampleKeyPair) {
  auto id = X25519Identity::Parse("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->ToRecipient().ToString(), "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
  auto encoded = id->Encode();
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(AsText(encoded->expose()), "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
  auto r = X25519Recipient::Parse("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->public_key(), id->ToRecipient().public_key());
}

TEST(Bech32, AgeKeysRejectTyposAndWrongKinds) {
  // One character changed: the checksum catches it.
  auto typo = X25519Recipient::Parse("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("checksum"), std::string::npos);
  EXPECT_FALSE(X25519Recipient::Parse("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX").ok());
  EXPECT_FALSE(X25519Identity::Parse("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj").ok());
  // Mixed case.
  EXPECT_FALSE(X25519Identity::Parse("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEx").ok());
  // Messages never repeat the key.
  auto bad = X25519Identity::Parse("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEQ");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("GFPYY"), std::string::npos);
}

}  // namespace
}  // namespace casepack
