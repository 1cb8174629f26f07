#include "casepack/encoding.h"

#include <sodium.h>

namespace casepack {

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, "hex text has an odd length");
  if (hex.empty()) return Bytes();  // libsodium must not be handed a null output pointer
  Bytes out(hex.size() / 2);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size() || end != hex.data() + hex.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "not valid hex text");
  }
  return out;
}

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
  const std::size_t n = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(n, '\0');
  sodium_bin2base64(out.data(), n, bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.empty()) return Bytes();
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "not valid base64 text");
  }
  out.resize(len);
  return out;
}

}  // namespace casepack
