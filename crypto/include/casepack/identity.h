// A user's device identity: an X25519 key pair (for receiving case keys and age files) and an Ed25519
// key pair (for signing operations, requests and receipts). Made at `casepack init`, stored only wrapped.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "casepack/encoding.h"
#include "casepack/secret.h"

namespace casepack {

inline constexpr std::size_t kX25519PublicBytes = 32;
inline constexpr std::size_t kX25519SecretBytes = 32;
inline constexpr std::size_t kEd25519PublicBytes = 32;
inline constexpr std::size_t kEd25519SecretBytes = 64;  // libsodium's seed || public key form
inline constexpr std::size_t kSignatureBytes = 64;

struct PublicIdentity {
  std::array<std::uint8_t, kX25519PublicBytes> x25519{};
  std::array<std::uint8_t, kEd25519PublicBytes> ed25519{};
};

class Identity {
 public:
  // Fresh random key pairs. kNoSpace if secure memory is unavailable.
  [[nodiscard]] static Result<Identity> Generate();
  // From stored secret keys; the public halves are recomputed, never trusted from storage.
  // kCorrupt if the sizes are wrong.
  [[nodiscard]] static Result<Identity> FromSecrets(SecretBytes x25519_secret, SecretBytes ed25519_secret);

  const PublicIdentity& public_keys() const { return public_; }
  const SecretBytes& x25519_secret() const { return x25519_secret_; }
  const SecretBytes& ed25519_secret() const { return ed25519_secret_; }

  std::array<std::uint8_t, kSignatureBytes> Sign(std::span<const std::uint8_t> message) const;

 private:
  Identity(SecretBytes x, SecretBytes ed, PublicIdentity pub)
      : x25519_secret_(std::move(x)), ed25519_secret_(std::move(ed)), public_(pub) {}
  SecretBytes x25519_secret_;
  SecretBytes ed25519_secret_;
  PublicIdentity public_;
};

// true iff `signature` is a valid Ed25519 signature of `message` by `public_key`.
bool VerifySignature(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                     std::span<const std::uint8_t> signature);

// Anonymous public-key encryption (crypto_box_seal) of a secret to a member's X25519 key.
Bytes SealToPublicKey(std::span<const std::uint8_t, kX25519PublicBytes> recipient, const SecretBytes& secret);
// kAuthFailed if not sealed to this identity or altered.
Result<SecretBytes> OpenSealed(const Identity& identity, std::span<const std::uint8_t> sealed);

}  // namespace casepack
