// The project's hash functions, so that no module outside crypto/ reaches for a digest library:
// SHA-256 (FIPS 180-4; through OpenSSL's libcrypto, which uses the CPU's SHA extensions where present) and
// BLAKE2b-256 (libsodium's crypto_generichash, unkeyed).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace casepack {

inline constexpr std::size_t kSha256Bytes = 32;
using Sha256Digest = std::array<std::uint8_t, kSha256Bytes>;

// SHA-256 of a whole byte string.
Sha256Digest Sha256(std::span<const std::uint8_t> bytes);

// SHA-256 of a stream, fed piece by piece; gives the same digest as Sha256() over the concatenation.
// Not thread safe; one object per stream.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::span<const std::uint8_t> bytes);
  // REQUIRES: called at most once; Update may not follow.
  Sha256Digest Final();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// BLAKE2b with a 32-byte output and no key (the store header's checksum, docs/store.md).
std::array<std::uint8_t, 32> Blake2b256(std::span<const std::uint8_t> bytes);

}  // namespace casepack
