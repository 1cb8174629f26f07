#include "casepack/kdf.h"

#include <sodium.h>

#include "casepack/random.h"

namespace casepack {

namespace {
// Upper bounds that a stored header may ask for. A tampered or hostile header must not be able to make
// an unlock allocate the whole machine or spin for an hour.
constexpr std::uint64_t kMaxOps = 64;
constexpr std::uint64_t kMaxMem = 4ULL << 30;  // 4 GiB
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
    return MakeError(ErrorCode::kCorrupt, "key derivation pass count is out of range");
  if (mem_limit < crypto_pwhash_MEMLIMIT_MIN || mem_limit > kMaxMem)
    return MakeError(ErrorCode::kCorrupt, "key derivation memory size is out of range");
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
