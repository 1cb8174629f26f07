// The building blocks of the age v1 format (docs/age.md) that libsodium 1.0.18 does not provide as such:
// HKDF-SHA-256 (RFC 5869, from crypto_auth_hmacsha256), Bech32 (BIP 173, without its length limit) and the
// strict unpadded base64 that age headers use. Exposed for tests and fuzzing; the format itself is in age.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "casepack/encoding.h"
#include "casepack/secret.h"

namespace casepack {

// HKDF-SHA-256 (RFC 5869): Extract with `salt` (empty means 32 zero bytes, as the RFC says), then Expand
// with `info` to `length` bytes. REQUIRES: 0 < length <= 255 * 32. Never fails otherwise; kNoSpace only if
// secure memory is exhausted.
[[nodiscard]] Result<SecretBytes> HkdfSha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                                             std::string_view info, std::size_t length);

// Unpadded standard base64 (RFC 4648 §4 alphabet, no '='), as used in age headers.
std::string Base64RawEncode(std::span<const std::uint8_t> bytes);
// Strict decoder: kCorrupt on any character outside the alphabet (including '=', CR, LF, space), on a length
// that no encoder produces (n % 4 == 1) and on non-zero trailing bits (a non-canonical encoding).
Result<Bytes> Base64RawDecode(std::string_view text);

// Bech32 (BIP 173, not bech32m). Encoding: `hrp` as given (callers pass lower or upper case; the checksum is
// always computed over the lower-case form), data converted 8→5 bits with zero padding; the output is in the
// case of `hrp`. No length limit, as the age spec says.
std::string Bech32Encode(std::string_view hrp, std::span<const std::uint8_t> data);

struct Bech32Decoded {
  std::string hrp;  // lower case
  Bytes data;       // 8-bit bytes
};
// kInvalidArgument with a precise reason: mixed case, no separator, empty or invalid human-readable part,
// a character outside the Bech32 set, a wrong checksum, or padding bits that are non-zero or too many.
Result<Bech32Decoded> Bech32Decode(std::string_view text);

}  // namespace casepack
