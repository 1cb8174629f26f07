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

// The bytes themselves are zeroed, not only the length: the string keeps its buffer after clear(), so
// its old storage can be read. Long enough to be on the heap (past the small-string buffer) and short.
TEST(Wipe, ZeroesTheBytesNotOnlyTheLength) {
  for (std::string s : {std::string("secret text"), std::string(200, 'k') + "secret"}) {
    const std::size_t n = s.size();
    const char* storage = s.data();
    Wipe(s);
    EXPECT_TRUE(s.empty());
    ASSERT_EQ(s.data(), storage) << "Wipe reallocated: the old buffer cannot be checked";
    ASSERT_GE(s.capacity(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(storage[i], '\0') << "byte " << i << " of " << n << " survived";
  }
  // Control: clear() alone leaves the bytes, so the check above can fail.
  std::string plain(200, 'k');
  const char* storage = plain.data();
  plain.clear();
  EXPECT_EQ(storage[1], 'k');
}

TEST(Wipe, ZeroesByteSpans) {
  Bytes b(64, 0xAB);
  Wipe(std::span<std::uint8_t>(b));
  EXPECT_EQ(b, Bytes(64, 0));
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
