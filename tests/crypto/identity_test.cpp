#include "casepack/identity.h"

#include <gtest/gtest.h>

namespace casepack {
namespace {

SecretBytes SecretFromHex(std::string_view hex) {
  auto b = HexDecode(hex);
  return std::move(SecretBytes::CopyOf(*b)).value();
}

// RFC 8032 §7.1 TEST 1 (empty message) and RFC 7748 §6.1 (Alice).
constexpr std::string_view kEdSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kEdPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kEdSig =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
constexpr std::string_view kAliceSecret = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr std::string_view kAlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

Identity RfcIdentity() {
  auto identity = Identity::FromSecrets(SecretFromHex(kAliceSecret),
                                        SecretFromHex(std::string(kEdSeed) + std::string(kEdPublic)));
  EXPECT_TRUE(identity.ok());
  return std::move(identity).value();
}

TEST(Identity, RfcVectors) {
  Identity id = RfcIdentity();
  EXPECT_EQ(HexEncode(id.public_keys().x25519), kAlicePublic);
  EXPECT_EQ(HexEncode(id.public_keys().ed25519), kEdPublic);
  auto sig = id.Sign({});
  EXPECT_EQ(HexEncode(sig), kEdSig);
  EXPECT_TRUE(VerifySignature(id.public_keys().ed25519, {}, sig));
}

TEST(Identity, SubstitutedPublicHalfIsRefused) {
  std::string tampered = std::string(kEdSeed) + std::string(kEdPublic);
  tampered[70] = tampered[70] == 'a' ? 'b' : 'a';
  auto id = Identity::FromSecrets(SecretFromHex(kAliceSecret), SecretFromHex(tampered));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kCorrupt);
}

TEST(Identity, SignaturesFailOnAnyChange) {
  auto id = Identity::Generate();
  ASSERT_TRUE(id.ok());
  const std::string msg = "POST /v1/cases";
  auto sig = id->Sign(AsBytes(msg));
  EXPECT_TRUE(VerifySignature(id->public_keys().ed25519, AsBytes(msg), sig));
  EXPECT_FALSE(VerifySignature(id->public_keys().ed25519, AsBytes("POST /v1/cases/"), sig));
  sig[0] ^= 1;
  EXPECT_FALSE(VerifySignature(id->public_keys().ed25519, AsBytes(msg), sig));
  EXPECT_FALSE(VerifySignature(std::span<const std::uint8_t>(), AsBytes(msg), sig));
}

TEST(Identity, SealedKeyOnlyOpensForItsRecipient) {
  auto alice = Identity::Generate();
  auto bob = Identity::Generate();
  auto case_key = SecretBytes::Random(32);
  Bytes sealed = SealToPublicKey(alice->public_keys().x25519, *case_key);
  auto opened = OpenSealed(*alice, sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(*case_key));
  EXPECT_EQ(OpenSealed(*bob, sealed).error().code, ErrorCode::kAuthFailed);
  sealed.back() ^= 1;
  EXPECT_EQ(OpenSealed(*alice, sealed).error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(OpenSealed(*alice, Bytes(10)).error().code, ErrorCode::kCorrupt);
}

TEST(Identity, RoundTripThroughStoredSecrets) {
  auto a = Identity::Generate();
  auto x = a->x25519_secret().Clone();
  auto ed = a->ed25519_secret().Clone();
  auto b = Identity::FromSecrets(std::move(x).value(), std::move(ed).value());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->public_keys().x25519, b->public_keys().x25519);
  EXPECT_EQ(a->public_keys().ed25519, b->public_keys().ed25519);
}

}  // namespace
}  // namespace casepack
