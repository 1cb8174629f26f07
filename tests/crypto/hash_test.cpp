// SHA-256 against FIPS 180-4's examples, and incremental hashing against one-shot (libsodium's
// metamorphic check); BLAKE2b-256 against its reference answer for "abc".
#include <gtest/gtest.h>

#include <random>

#include "casepack/encoding.h"
#include "casepack/hash.h"

namespace casepack {
namespace {

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256Hasher h;
  const std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(AsBytes(a));
  EXPECT_EQ(HexEncode(h.Final()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  Bytes data(std::uniform_int_distribution<std::size_t>(0, 300000)(rng));
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  Sha256Hasher h;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t n = std::min(data.size() - pos, std::uniform_int_distribution<std::size_t>(0, 70000)(rng));
    h.Update(std::span<const std::uint8_t>(data).subspan(pos, n));
    pos += n;
  }
  EXPECT_EQ(h.Final(), Sha256(data));
}

TEST(Blake2b256, KnownAnswer) {
  // RFC 7693 gives BLAKE2b-512("abc"); this is the 256-bit output of the reference implementation.
  EXPECT_EQ(HexEncode(Blake2b256(AsBytes("abc"))), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

}  // namespace
}  // namespace casepack
