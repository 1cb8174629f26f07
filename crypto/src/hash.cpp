#include "casepack/hash.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>

#include "casepack/secret.h"

namespace casepack {

struct Sha256Hasher::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256Digest Sha256(std::span<const std::uint8_t> bytes) {
  Sha256Digest out{};
  unsigned int len = 0;
  // Fails only when libcrypto cannot allocate: a programmer-level fault, not an input error.
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
    std::abort();
  return out;
}

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) std::abort();
}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::span<const std::uint8_t> bytes) {
  if (EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size()) != 1) std::abort();
}

Sha256Digest Sha256Hasher::Final() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

std::array<std::uint8_t, 32> Blake2b256(std::span<const std::uint8_t> bytes) {
  InitCrypto();
  std::array<std::uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), bytes.data(), bytes.size(), nullptr, 0);
  return out;
}

}  // namespace casepack
