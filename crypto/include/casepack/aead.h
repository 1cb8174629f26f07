// XChaCha20-Poly1305 (IETF) for wrapping keys and sealing small records. Output layout:
// nonce (24 bytes) || ciphertext || tag (16 bytes). Associated data binds a ciphertext to its context
// (e.g. the store id), so a wrapped key cannot be moved to another store unnoticed.
#pragma once

#include <cstdint>
#include <span>

#include "casepack/encoding.h"
#include "casepack/secret.h"

namespace casepack {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 24;
inline constexpr std::size_t kAeadTagBytes = 16;
inline constexpr std::size_t kAeadOverhead = kAeadNonceBytes + kAeadTagBytes;

// REQUIRES: key.size() == kAeadKeyBytes. Never fails for valid keys.
Bytes AeadSeal(const SecretBytes& key, std::span<const std::uint8_t> plaintext,
               std::span<const std::uint8_t> associated_data);
// Opens into ordinary memory (for non-secret or case payloads). kAuthFailed if the key, data or
// associated data do not match; kCorrupt if the input is too short to be a sealed box.
Result<Bytes> AeadOpen(const SecretBytes& key, std::span<const std::uint8_t> sealed,
                       std::span<const std::uint8_t> associated_data);

// Key wrapping: the plaintext is itself a secret and is returned in secure memory.
Bytes WrapKey(const SecretBytes& wrapping_key, const SecretBytes& key,
              std::span<const std::uint8_t> associated_data);
Result<SecretBytes> UnwrapKey(const SecretBytes& wrapping_key, std::span<const std::uint8_t> wrapped,
                              std::span<const std::uint8_t> associated_data);

}  // namespace casepack
