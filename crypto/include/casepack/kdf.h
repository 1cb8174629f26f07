// Passphrase-based key derivation: Argon2id (libsodium crypto_pwhash). The parameters are stored beside
// the salt so that a store made with one setting opens with it forever, and a stronger default only
// applies to new stores or a passphrase change.
#pragma once

#include <cstdint>
#include <string_view>

#include "casepack/encoding.h"
#include "casepack/secret.h"

namespace casepack {

struct KdfParams {
  static constexpr std::size_t kSaltBytes = 16;
  std::uint64_t ops_limit = 0;    // Argon2id passes (crypto_pwhash opslimit)
  std::uint64_t mem_limit = 0;    // bytes (crypto_pwhash memlimit)
  Bytes salt;                     // kSaltBytes random bytes

  // The production default: about 0.5 s with 256 MiB (5 passes) on the reference machine (2 cores, see docs/store.md).
  static KdfParams Default();
  // A deliberately cheap setting for tests only (libsodium's minimum); never the default.
  static KdfParams CheapForTests();
  // Rejects settings weaker than libsodium's minimum or absurdly large (a tampered header must not make
  // us allocate 1 TiB): kInvalidArgument/kCorrupt.
  Status Validate() const;
};

// Derives a 32-byte key. Fails with kNoSpace if the memory cost cannot be allocated.
[[nodiscard]] Result<SecretBytes> DeriveKey(std::string_view passphrase, const KdfParams& params);

}  // namespace casepack
