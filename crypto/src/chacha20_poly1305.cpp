#include "chacha20_poly1305.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>
#include <cstring>
#include <limits>

namespace casepack::internal {

namespace {

// OpenSSL fails here only when it cannot allocate or its build lacks the algorithm: nothing a caller could
// handle, and continuing would produce unauthenticated bytes.
[[noreturn]] void Fatal() { std::abort(); }

const EVP_MAC* Poly1305Mac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_POLY1305, nullptr);
    if (m == nullptr) Fatal();
    return m;
  }();
  return mac;
}

void StoreLe64(std::uint64_t v, std::uint8_t out[8]) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

const std::uint8_t kZeros[64] = {};

}  // namespace

void ChaCha20Xor(const std::uint8_t key[32], const std::uint8_t nonce[12], std::uint32_t counter, const std::uint8_t* in,
                 std::uint8_t* out, std::size_t len) {
  // OpenSSL's ChaCha20 IV is the 32-bit block counter (little endian) followed by the 96-bit nonce.
  std::uint8_t iv[16];
  for (int i = 0; i < 4; ++i) iv[i] = static_cast<std::uint8_t>(counter >> (8 * i));
  std::memcpy(iv + 4, nonce, 12);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr || EVP_EncryptInit_ex(ctx, EVP_chacha20(), nullptr, key, iv) != 1) Fatal();
  while (len > 0) {
    const std::size_t step = std::min<std::size_t>(len, std::numeric_limits<int>::max() / 2);
    int done = 0;
    if (EVP_EncryptUpdate(ctx, out, &done, in, static_cast<int>(step)) != 1 || static_cast<std::size_t>(done) != step)
      Fatal();
    in += step;
    out += step;
    len -= step;
  }
  EVP_CIPHER_CTX_free(ctx);  // cleanses the key schedule
}

Poly1305::Poly1305(const std::uint8_t key[32]) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(const_cast<EVP_MAC*>(Poly1305Mac()));
  if (ctx == nullptr || EVP_MAC_init(ctx, key, 32, nullptr) != 1) Fatal();
  ctx_ = ctx;
}

Poly1305::~Poly1305() { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(ctx_)); }

void Poly1305::Update(const std::uint8_t* data, std::size_t len) {
  if (len > 0 && EVP_MAC_update(static_cast<EVP_MAC_CTX*>(ctx_), data, len) != 1) Fatal();
}

void Poly1305::Pad16(std::size_t len) { Update(kZeros, (0x10 - (len & 0xf)) & 0xf); }

void Poly1305::UpdateLe64(std::uint64_t v) {
  std::uint8_t b[8];
  StoreLe64(v, b);
  Update(b, sizeof b);
}

void Poly1305::Final(std::uint8_t tag[16]) {
  std::size_t n = 0;
  if (EVP_MAC_final(static_cast<EVP_MAC_CTX*>(ctx_), tag, &n, 16) != 1 || n != 16) Fatal();
}

void PolyKey(const std::uint8_t key[32], const std::uint8_t nonce[12], std::uint8_t out[32]) {
  ChaCha20Xor(key, nonce, 0, kZeros, out, 32);
}

namespace {

// RFC 8439 §2.8 tag over empty associated data and `ciphertext`.
void AeadTag(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<const std::uint8_t> ciphertext,
             std::uint8_t tag[16]) {
  std::uint8_t otk[32];
  PolyKey(key, nonce, otk);
  Poly1305 mac(otk);
  OPENSSL_cleanse(otk, sizeof otk);
  mac.Update(ciphertext.data(), ciphertext.size());
  mac.Pad16(ciphertext.size());
  mac.UpdateLe64(0);
  mac.UpdateLe64(ciphertext.size());
  mac.Final(tag);
}

}  // namespace

void AeadEncryptInPlace(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<std::uint8_t> data,
                        std::uint8_t tag[16]) {
  ChaCha20Xor(key, nonce, 1, data.data(), data.data(), data.size());
  AeadTag(key, nonce, data, tag);
}

bool AeadVerify(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<const std::uint8_t> ciphertext,
                const std::uint8_t tag[16]) {
  std::uint8_t computed[16];
  AeadTag(key, nonce, ciphertext, computed);
  const bool ok = CRYPTO_memcmp(computed, tag, 16) == 0;
  OPENSSL_cleanse(computed, sizeof computed);
  return ok;
}

void AeadDecryptInPlace(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<std::uint8_t> data) {
  ChaCha20Xor(key, nonce, 1, data.data(), data.data(), data.size());
}

// --- libsodium's secretstream message (libsodium 1.0.18, crypto_secretstream_xchacha20poly1305.c) ----------

namespace {

constexpr std::size_t kCounterBytes = 4;  // the state's nonce: 32-bit counter || 64-bit inonce
constexpr std::size_t kInonceBytes = 8;
constexpr std::size_t kBlock = 64;

// MAC over ad || pad || block || c || libsodium's pad (mlen & 0xf zeros: its "(0x10 - 64 + mlen) & 0xf",
// a misalignment it keeps for compatibility) || le64(adlen) || le64(64 + mlen).
void StreamMac(const crypto_secretstream_xchacha20poly1305_state& state, std::span<const std::uint8_t> ad,
               const std::uint8_t block[kBlock], const std::uint8_t* c, std::size_t mlen, std::uint8_t mac[16]) {
  std::uint8_t otk[32];
  PolyKey(state.k, state.nonce, otk);
  Poly1305 poly(otk);
  OPENSSL_cleanse(otk, sizeof otk);
  poly.Update(ad.data(), ad.size());
  poly.Pad16(ad.size());
  poly.Update(block, kBlock);
  poly.Update(c, mlen);
  poly.Update(kZeros, (0x10 - kBlock + mlen) & 0xf);
  poly.UpdateLe64(ad.size());
  poly.UpdateLe64(kBlock + mlen);
  poly.Final(mac);
}

void Advance(crypto_secretstream_xchacha20poly1305_state& state, const std::uint8_t mac[16], std::uint8_t tag) {
  for (std::size_t i = 0; i < kInonceBytes; ++i)
    state.nonce[kCounterBytes + i] ^= mac[i];
  sodium_increment(state.nonce, kCounterBytes);
  if ((tag & crypto_secretstream_xchacha20poly1305_TAG_REKEY) != 0 || sodium_is_zero(state.nonce, kCounterBytes))
    crypto_secretstream_xchacha20poly1305_rekey(&state);
}

}  // namespace

void SecretStreamPush(crypto_secretstream_xchacha20poly1305_state& state, std::uint8_t* c, const std::uint8_t* m,
                      std::size_t mlen, std::span<const std::uint8_t> ad, std::uint8_t tag) {
  std::uint8_t block[kBlock] = {};
  block[0] = tag;
  ChaCha20Xor(state.k, state.nonce, 1, block, block, kBlock);
  c[0] = block[0];
  ChaCha20Xor(state.k, state.nonce, 2, m, c + 1, mlen);
  std::uint8_t* mac = c + 1 + mlen;
  StreamMac(state, ad, block, c + 1, mlen, mac);
  OPENSSL_cleanse(block, sizeof block);
  Advance(state, mac, tag);
}

bool SecretStreamPull(crypto_secretstream_xchacha20poly1305_state& state, std::uint8_t* m, std::uint8_t& tag,
                      const std::uint8_t* c, std::size_t clen, std::span<const std::uint8_t> ad) {
  const std::size_t mlen = clen - crypto_secretstream_xchacha20poly1305_ABYTES;
  std::uint8_t block[kBlock] = {};
  block[0] = c[0];
  ChaCha20Xor(state.k, state.nonce, 1, block, block, kBlock);
  const std::uint8_t plain_tag = block[0];
  block[0] = c[0];
  std::uint8_t mac[16];
  StreamMac(state, ad, block, c + 1, mlen, mac);
  OPENSSL_cleanse(block, sizeof block);
  if (CRYPTO_memcmp(mac, c + 1 + mlen, sizeof mac) != 0) {
    OPENSSL_cleanse(mac, sizeof mac);
    return false;
  }
  ChaCha20Xor(state.k, state.nonce, 2, c + 1, m, mlen);
  tag = plain_tag;
  Advance(state, mac, plain_tag);
  return true;
}

}  // namespace casepack::internal
