#include "casepack/secret.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "casepack/encoding.h"
#include "casepack/random.h"

namespace casepack {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>, "secrets must never be copied implicitly");
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytes, RandomIsRandomAndSized) {
  auto a = SecretBytes::Random(32);
  auto b = SecretBytes::Random(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(a->Equals(*b));
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  auto a = SecretBytes::CopyOf(AsBytes("key material"));
  SecretBytes moved = std::move(a).value();
  EXPECT_EQ(AsText(moved.expose()), "key material");
  SecretBytes target;
  target = std::move(moved);
  EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move): checking the documented state
  EXPECT_EQ(target.size(), 12u);
}

TEST(SecretBytes, CloneIsDeepAndEqual) {
  auto a = SecretBytes::CopyOf(AsBytes("abc"));
  auto b = a->Clone();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_NE(a->expose().data(), b->expose().data());
  b->expose_mutable()[0] = 'x';
  EXPECT_FALSE(a->Equals(*b));
}

TEST(Wipe, ClearsStrings) {
  std::string s = "secret text";
  Wipe(s);
  EXPECT_TRUE(s.empty());
}

TEST(Encoding, HexAndBase64RoundTrip) {
  Bytes b = RandomBytes(37);
  EXPECT_EQ(*HexDecode(HexEncode(b)), b);
  EXPECT_EQ(*Base64Decode(Base64Encode(b)), b);
  EXPECT_EQ(Base64Encode(AsBytes("foobar")), "Zm9vYmFy");  // RFC 4648 §10
  EXPECT_EQ(Base64Encode(AsBytes("fo")), "Zm8=");
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
}

TEST(RandomId, Is128BitHex) {
  const std::string a = RandomId(), b = RandomId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(HexDecode(a).ok());
}

}  // namespace
}  // namespace casepack
