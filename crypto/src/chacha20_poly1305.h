// ChaCha20 and Poly1305 (RFC 8439) for the bulk paths: age payload chunks and document blobs (private to
// crypto/).
//
// Why not libsodium here: its ChaCha20 and Poly1305 run at about 1.1 GB/s on this hardware, OpenSSL's
// (AVX2/AVX-512 code paths) at about 3.7 GB/s, and a transfer pack of a 100 MB document passes through
// three of these streams (blob decrypt, age encrypt; age decrypt, blob encrypt). The constructions stay
// the same byte for byte: the age STREAM chunk and libsodium's crypto_secretstream_xchacha20poly1305
// message, rebuilt from the two primitives. The tests check both against libsodium and the vectors.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace casepack::internal {

// out = in XOR ChaCha20(key, nonce) keystream starting at block `counter`; in == out is allowed.
void ChaCha20Xor(const std::uint8_t key[32], const std::uint8_t nonce[12], std::uint32_t counter, const std::uint8_t* in,
                 std::uint8_t* out, std::size_t len);

// A one-time Poly1305 authenticator. The key is wiped by the library when the object goes.
class Poly1305 {
 public:
  explicit Poly1305(const std::uint8_t key[32]);
  Poly1305(const Poly1305&) = delete;
  Poly1305& operator=(const Poly1305&) = delete;
  ~Poly1305();
  void Update(const std::uint8_t* data, std::size_t len);
  // Zero bytes up to the next multiple of 16 of `len` (RFC 8439's padding of the AAD and the ciphertext).
  void Pad16(std::size_t len);
  void UpdateLe64(std::uint64_t v);
  void Final(std::uint8_t tag[16]);

 private:
  void* ctx_;
};

// Poly1305 key of a ChaCha20-Poly1305 message: the first 32 bytes of keystream block 0.
void PolyKey(const std::uint8_t key[32], const std::uint8_t nonce[12], std::uint8_t out[32]);

// ChaCha20-Poly1305 IETF with empty associated data (the age payload chunk), detached tag, in place.
void AeadEncryptInPlace(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<std::uint8_t> data,
                        std::uint8_t tag[16]);
// Checks the tag without touching the ciphertext (so a chunk can be tried again with another nonce).
bool AeadVerify(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<const std::uint8_t> ciphertext,
                const std::uint8_t tag[16]);
void AeadDecryptInPlace(const std::uint8_t key[32], const std::uint8_t nonce[12], std::span<std::uint8_t> data);

// libsodium's crypto_secretstream_xchacha20poly1305 push and pull on libsodium's own state (initialised by
// its init_push/init_pull; rekeying, which only a 2^32nd message or an explicit tag causes, is done by
// libsodium). Same signatures, same bytes, same failures.
void SecretStreamPush(crypto_secretstream_xchacha20poly1305_state& state, std::uint8_t* c, const std::uint8_t* m,
                      std::size_t mlen, std::span<const std::uint8_t> ad, std::uint8_t tag);
// Returns false (and leaves the state as it was) if the message does not verify. REQUIRES: clen >= ABYTES.
bool SecretStreamPull(crypto_secretstream_xchacha20poly1305_state& state, std::uint8_t* m, std::uint8_t& tag,
                      const std::uint8_t* c, std::size_t clen, std::span<const std::uint8_t> ad);

}  // namespace casepack::internal
