// The OpenSSL-backed bulk primitives (crypto/src/chacha20_poly1305.h) against libsodium, which the formats
// were first written with: every message sealed by one opens with the other, byte for byte the same, for
// random lengths around the block and padding boundaries, random associated data and every tag. Seeded;
// the seed is printed on failure.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "chacha20_poly1305.h"

namespace casepack {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes Random(std::mt19937_64& rng, std::size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

std::size_t RandomLength(std::mt19937_64& rng) {
  static const std::size_t kEdges[] = {0, 1, 15, 16, 17, 47, 48, 49, 63, 64, 65, 127, 128, 129, 4095, 65536};
  return rng() % 3 == 0 ? kEdges[rng() % std::size(kEdges)] + rng() % 2 : rng() % 70000;
}

TEST(ChaCha20Poly1305, AeadMatchesLibsodiumAndRefusesAnyChange) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  ASSERT_GE(sodium_init(), 0);
  for (int round = 0; round < 200; ++round) {
    const Bytes key = Random(rng, 32), nonce = Random(rng, 12), plain = Random(rng, RandomLength(rng));
    Bytes ours = plain;
    std::uint8_t tag[16];
    internal::AeadEncryptInPlace(key.data(), nonce.data(), ours, tag);
    // One spare byte each: libsodium declares its pointers non-null even for an empty message.
    Bytes theirs(plain.size() + 1), plain_buf = plain;
    plain_buf.push_back(0);
    std::uint8_t their_tag[16];
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(theirs.data(), their_tag, nullptr, plain_buf.data(), plain.size(),
                                                       nullptr, 0, nullptr, nonce.data(), key.data());
    theirs.pop_back();
    ASSERT_EQ(ours, theirs) << "round " << round;
    ASSERT_EQ(0, std::memcmp(tag, their_tag, 16)) << "round " << round;
    ASSERT_TRUE(internal::AeadVerify(key.data(), nonce.data(), ours, tag));
    Bytes opened = ours;
    internal::AeadDecryptInPlace(key.data(), nonce.data(), opened);
    ASSERT_EQ(opened, plain);
    // One flipped bit anywhere, in the ciphertext or the tag, fails.
    const std::size_t bit = rng() % ((ours.size() + 16) * 8);
    if (bit / 8 < ours.size()) {
      ours[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    } else {
      tag[bit / 8 - ours.size()] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    }
    EXPECT_FALSE(internal::AeadVerify(key.data(), nonce.data(), ours, tag)) << "round " << round;
  }
}

TEST(ChaCha20Poly1305, SecretStreamMatchesLibsodiumBothWays) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  ASSERT_GE(sodium_init(), 0);
  const std::uint8_t kTags[] = {0, crypto_secretstream_xchacha20poly1305_TAG_PUSH,
                                crypto_secretstream_xchacha20poly1305_TAG_REKEY,
                                crypto_secretstream_xchacha20poly1305_TAG_FINAL};
  for (int stream = 0; stream < 20; ++stream) {
    const Bytes key = Random(rng, crypto_secretstream_xchacha20poly1305_KEYBYTES);
    std::uint8_t header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_state sodium_push, ours_push, sodium_pull, ours_pull;
    crypto_secretstream_xchacha20poly1305_init_push(&sodium_push, header, key.data());
    crypto_secretstream_xchacha20poly1305_init_pull(&ours_push, header, key.data());
    crypto_secretstream_xchacha20poly1305_init_pull(&sodium_pull, header, key.data());
    crypto_secretstream_xchacha20poly1305_init_pull(&ours_pull, header, key.data());
    for (int msg = 0; msg < 12; ++msg) {
      const Bytes m = Random(rng, RandomLength(rng)), ad = Random(rng, rng() % 3 == 0 ? 0 : rng() % 40);
      const std::uint8_t tag = kTags[rng() % std::size(kTags)];
      Bytes theirs(m.size() + crypto_secretstream_xchacha20poly1305_ABYTES), ours(theirs.size()), m_buf = m;
      m_buf.push_back(0);  // libsodium's pointers must not be null, even for an empty message
      crypto_secretstream_xchacha20poly1305_push(&sodium_push, theirs.data(), nullptr, m_buf.data(), m.size(),
                                                 ad.empty() ? nullptr : ad.data(), ad.size(), tag);
      internal::SecretStreamPush(ours_push, ours.data(), m.data(), m.size(), ad, tag);
      ASSERT_EQ(ours, theirs) << "stream " << stream << " message " << msg;
      // Ours opens libsodium's message; libsodium opens ours.
      Bytes out(m.size());
      std::uint8_t got_tag = 0xee;
      ASSERT_TRUE(internal::SecretStreamPull(ours_pull, out.data(), got_tag, theirs.data(), theirs.size(), ad));
      EXPECT_EQ(out, m);
      EXPECT_EQ(got_tag, tag);
      Bytes out2(m.size() + 1);
      unsigned char sodium_tag = 0xee;
      ASSERT_EQ(0, crypto_secretstream_xchacha20poly1305_pull(&sodium_pull, out2.data(), nullptr, &sodium_tag, ours.data(),
                                                              ours.size(), ad.empty() ? nullptr : ad.data(), ad.size()));
      out2.pop_back();
      EXPECT_EQ(out2, m);
      EXPECT_EQ(sodium_tag, tag);
    }
    // A changed byte fails, and the state is left as it was: the untouched message still opens after.
    const Bytes m = Random(rng, 1 + rng() % 1000);
    Bytes c(m.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
    internal::SecretStreamPush(ours_push, c.data(), m.data(), m.size(), {}, 0);
    Bytes bad = c;
    bad[rng() % bad.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    Bytes out(m.size());
    std::uint8_t got_tag = 0;
    EXPECT_FALSE(internal::SecretStreamPull(ours_pull, out.data(), got_tag, bad.data(), bad.size(), {}));
    ASSERT_TRUE(internal::SecretStreamPull(ours_pull, out.data(), got_tag, c.data(), c.size(), {}));
    EXPECT_EQ(out, m);
  }
}

}  // namespace
}  // namespace casepack
