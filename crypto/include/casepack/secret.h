// Key material and other secrets: held in sodium_malloc'd memory (guard pages, mlock'd, excluded from
// core dumps where the kernel allows), zeroed when destroyed, never copied implicitly, never printed.
// There is no operator<<, no JSON conversion and no implicit conversion to a string: expose() is the one
// greppable way to reach the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "casepack/result.h"

namespace casepack {

// Must be called once before any other casepack crypto call; safe to call again. Aborts if libsodium
// cannot initialise (no usable randomness), since nothing secure can be done then.
void InitCrypto();

class SecretBytes {
 public:
  // An empty secret (size 0). Useful as a moved-from or not-yet-filled value.
  SecretBytes() = default;
  // Zero-filled secret of n bytes. Returns kNoSpace if secure memory cannot be allocated.
  [[nodiscard]] static Result<SecretBytes> Zeroed(std::size_t n);
  // n bytes from the system CSPRNG.
  [[nodiscard]] static Result<SecretBytes> Random(std::size_t n);
  // Copies `bytes` into secure memory. The caller remains responsible for wiping its own copy.
  [[nodiscard]] static Result<SecretBytes> CopyOf(std::span<const std::uint8_t> bytes);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  // An explicit deep copy, for the rare place that needs two owners.
  [[nodiscard]] Result<SecretBytes> Clone() const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const std::uint8_t> expose() const { return {data_, size_}; }
  std::span<std::uint8_t> expose_mutable() { return {data_, size_}; }

  // Constant-time comparison.
  bool Equals(const SecretBytes& other) const;

 private:
  SecretBytes(std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  void Release();
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Wipes a buffer that held secret or case content, in a way the compiler cannot optimise away.
void Wipe(std::span<std::uint8_t> bytes);
void Wipe(std::string& s);

}  // namespace casepack
