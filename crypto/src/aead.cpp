#include "casepack/aead.h"

#include <sodium.h>

#include <cstdlib>

namespace casepack {

static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

Bytes AeadSeal(const SecretBytes& key, std::span<const std::uint8_t> plaintext,
               std::span<const std::uint8_t> associated_data) {
  if (key.size() != kAeadKeyBytes) std::abort();
  InitCrypto();
  Bytes out(kAeadNonceBytes + plaintext.size() + kAeadTagBytes);
  randombytes_buf(out.data(), kAeadNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kAeadNonceBytes, &written, plaintext.data(),
                                             plaintext.size(), associated_data.data(), associated_data.size(),
                                             nullptr, out.data(), key.expose().data());
  return out;
}

namespace {
Status OpenInto(const SecretBytes& key, std::span<const std::uint8_t> sealed,
                std::span<const std::uint8_t> associated_data, std::uint8_t* out) {
  if (key.size() != kAeadKeyBytes) std::abort();
  if (sealed.size() < kAeadOverhead) return MakeError(ErrorCode::kCorrupt, "sealed data is too short");
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &written, nullptr, sealed.data() + kAeadNonceBytes,
                                                 sealed.size() - kAeadNonceBytes, associated_data.data(),
                                                 associated_data.size(), sealed.data(), key.expose().data()) != 0) {
    return MakeError(ErrorCode::kAuthFailed, "decryption failed: wrong key or altered data");
  }
  return Ok();
}
}  // namespace

Result<Bytes> AeadOpen(const SecretBytes& key, std::span<const std::uint8_t> sealed,
                       std::span<const std::uint8_t> associated_data) {
  Bytes out(sealed.size() >= kAeadOverhead ? sealed.size() - kAeadOverhead : 0);
  CP_RETURN_IF_ERROR(OpenInto(key, sealed, associated_data, out.data()));
  return out;
}

Bytes WrapKey(const SecretBytes& wrapping_key, const SecretBytes& key,
              std::span<const std::uint8_t> associated_data) {
  return AeadSeal(wrapping_key, key.expose(), associated_data);
}

Result<SecretBytes> UnwrapKey(const SecretBytes& wrapping_key, std::span<const std::uint8_t> wrapped,
                              std::span<const std::uint8_t> associated_data) {
  if (wrapped.size() < kAeadOverhead) return MakeError(ErrorCode::kCorrupt, "wrapped key is too short");
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Zeroed(wrapped.size() - kAeadOverhead));
  CP_RETURN_IF_ERROR(OpenInto(wrapping_key, wrapped, associated_data, key.expose_mutable().data()));
  return key;
}

}  // namespace casepack
