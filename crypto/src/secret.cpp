#include "casepack/secret.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace casepack {

void InitCrypto() {
  if (sodium_init() < 0) std::abort();
}

Result<SecretBytes> SecretBytes::Zeroed(std::size_t n) {
  InitCrypto();
  if (n == 0) return SecretBytes();
  auto* p = static_cast<std::uint8_t*>(sodium_malloc(n));
  if (p == nullptr) return MakeError(ErrorCode::kNoSpace, "cannot allocate secure memory");
  std::memset(p, 0, n);
  return SecretBytes(p, n);
}

Result<SecretBytes> SecretBytes::Random(std::size_t n) {
  CP_ASSIGN_OR_RETURN(SecretBytes s, Zeroed(n));
  if (n > 0) randombytes_buf(s.data_, n);
  return s;
}

Result<SecretBytes> SecretBytes::CopyOf(std::span<const std::uint8_t> bytes) {
  CP_ASSIGN_OR_RETURN(SecretBytes s, Zeroed(bytes.size()));
  if (!bytes.empty()) std::memcpy(s.data_, bytes.data(), bytes.size());
  return s;
}

Result<SecretBytes> SecretBytes::Clone() const { return CopyOf(expose()); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() { Release(); }

void SecretBytes::Release() {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free zeroes before unmapping
  data_ = nullptr;
  size_ = 0;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  if (size_ != other.size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

void Wipe(std::span<std::uint8_t> bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

void Wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace casepack
