#include "casepack/kdf.h"

#include <sodium.h>

#include <string>

#include "casepack/random.h"

namespace casepack {

namespace {
// Upper bounds that a stored header may ask for, checked before any work: a tampered or hostile header
// must not drive an 8 GB laptop into swap or spin for minutes before "wrong passphrase". Twice the
// default's passes over twice its memory: at most about 2 s and 512 MiB (docs/store.md).
constexpr std::uint64_t kMaxOps = 10;
constexpr std::uint64_t kMaxMem = 512ULL << 20;  // 512 MiB
}  // namespace

KdfParams KdfParams::Default() {
  // Tuned on the reference machine (2 cores, Debian 12, libsodium 1.0.18): 5 passes over 256 MiB take
  // about 0.52 s (crypto_pwhash is single-lane). See docs/store.md and the unlock benchmark.
  return KdfParams{5, 256ULL << 20, RandomBytes(kSaltBytes)};
}

KdfParams KdfParams::CheapForTests() {
  return KdfParams{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN, RandomBytes(kSaltBytes)};
}

Status KdfParams::Validate() const {
  if (salt.size() != kSaltBytes) return MakeError(ErrorCode::kCorrupt, "key derivation salt has the wrong size");
  if (ops_limit < crypto_pwhash_OPSLIMIT_MIN || ops_limit > kMaxOps)
    return MakeError(ErrorCode::kCorrupt, "key derivation asks for " + std::to_string(ops_limit) +
                                              " passes; the bounds are " + std::to_string(crypto_pwhash_OPSLIMIT_MIN) +
                                              " to " + std::to_string(kMaxOps));
  if (mem_limit < crypto_pwhash_MEMLIMIT_MIN || mem_limit > kMaxMem)
    return MakeError(ErrorCode::kCorrupt, "key derivation asks for " + std::to_string(mem_limit) +
                                              " bytes of memory; the bounds are " +
                                              std::to_string(crypto_pwhash_MEMLIMIT_MIN) + " to " +
                                              std::to_string(kMaxMem) + " (512 MiB)");
  return Ok();
}

Result<SecretBytes> DeriveKey(std::string_view passphrase, const KdfParams& params) {
  CP_RETURN_IF_ERROR(params.Validate());
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Zeroed(32));
  if (crypto_pwhash(key.expose_mutable().data(), key.size(), passphrase.data(), passphrase.size(),
                    params.salt.data(), params.ops_limit, static_cast<std::size_t>(params.mem_limit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kNoSpace, "not enough memory for key derivation");
  }
  return key;
}

}  // namespace casepack
