#include "casepack/identity.h"

#include <sodium.h>

#include <cstring>

namespace casepack {

Result<Identity> Identity::Generate() {
  InitCrypto();
  CP_ASSIGN_OR_RETURN(SecretBytes x, SecretBytes::Random(kX25519SecretBytes));
  CP_ASSIGN_OR_RETURN(SecretBytes ed, SecretBytes::Zeroed(kEd25519SecretBytes));
  PublicIdentity pub;
  crypto_scalarmult_base(pub.x25519.data(), x.expose().data());
  crypto_sign_keypair(pub.ed25519.data(), ed.expose_mutable().data());
  return Identity(std::move(x), std::move(ed), pub);
}

Result<Identity> Identity::FromSecrets(SecretBytes x25519_secret, SecretBytes ed25519_secret) {
  InitCrypto();
  if (x25519_secret.size() != kX25519SecretBytes || ed25519_secret.size() != kEd25519SecretBytes)
    return MakeError(ErrorCode::kCorrupt, "identity key has the wrong size");
  PublicIdentity pub;
  crypto_scalarmult_base(pub.x25519.data(), x25519_secret.expose().data());
  crypto_sign_ed25519_sk_to_pk(pub.ed25519.data(), ed25519_secret.expose().data());
  // libsodium's secret key embeds the public key; recompute it from the seed so a stored key with a
  // substituted public half is caught rather than used to sign under someone else's name.
  std::array<std::uint8_t, kEd25519PublicBytes> from_seed{};
  CP_ASSIGN_OR_RETURN(SecretBytes check, SecretBytes::Zeroed(kEd25519SecretBytes));
  crypto_sign_seed_keypair(from_seed.data(), check.expose_mutable().data(), ed25519_secret.expose().data());
  if (sodium_memcmp(from_seed.data(), pub.ed25519.data(), kEd25519PublicBytes) != 0)
    return MakeError(ErrorCode::kCorrupt, "signing key does not match its public half");
  return Identity(std::move(x25519_secret), std::move(ed25519_secret), pub);
}

std::array<std::uint8_t, kSignatureBytes> Identity::Sign(std::span<const std::uint8_t> message) const {
  std::array<std::uint8_t, kSignatureBytes> sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), ed25519_secret_.expose().data());
  return sig;
}

bool VerifySignature(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                     std::span<const std::uint8_t> signature) {
  InitCrypto();
  if (public_key.size() != kEd25519PublicBytes || signature.size() != kSignatureBytes) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
}

Bytes SealToPublicKey(std::span<const std::uint8_t, kX25519PublicBytes> recipient, const SecretBytes& secret) {
  InitCrypto();
  Bytes out(secret.size() + crypto_box_SEALBYTES);
  crypto_box_seal(out.data(), secret.expose().data(), secret.size(), recipient.data());
  return out;
}

Result<SecretBytes> OpenSealed(const Identity& identity, std::span<const std::uint8_t> sealed) {
  if (sealed.size() < crypto_box_SEALBYTES) return MakeError(ErrorCode::kCorrupt, "sealed key is too short");
  CP_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Zeroed(sealed.size() - crypto_box_SEALBYTES));
  if (crypto_box_seal_open(out.expose_mutable().data(), sealed.data(), sealed.size(),
                           identity.public_keys().x25519.data(), identity.x25519_secret().expose().data()) != 0)
    return MakeError(ErrorCode::kAuthFailed, "sealed key is not for this identity or was altered");
  return out;
}

}  // namespace casepack
