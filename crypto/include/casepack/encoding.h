// Byte/text encodings used in headers, identifiers and formats. Pure functions, no secrets assumed:
// do not pass secret material to these unless the result is itself treated as a secret.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/result.h"

namespace casepack {

using Bytes = std::vector<std::uint8_t>;

std::string HexEncode(std::span<const std::uint8_t> bytes);
// Lower- or upper-case hex, even length. kInvalidArgument otherwise.
Result<Bytes> HexDecode(std::string_view hex);

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(std::span<const std::uint8_t> bytes);
Result<Bytes> Base64Decode(std::string_view text);

inline std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsText(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace casepack
