#include "casepack/age_primitives.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

namespace casepack {

Result<SecretBytes> HkdfSha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                               std::string_view info, std::size_t length) {
  constexpr std::size_t kHash = crypto_auth_hmacsha256_BYTES;
  if (length == 0 || length > 255 * kHash) std::abort();  // REQUIRES
  InitCrypto();
  // Extract. HMAC pads its key with zeros to the block size, so an empty salt is the RFC's HashLen zeros.
  CP_ASSIGN_OR_RETURN(SecretBytes prk, SecretBytes::Zeroed(kHash));
  crypto_auth_hmacsha256_state st;
  // libsodium declares its pointers non-null even for zero lengths.
  static const std::uint8_t kEmpty[1] = {0};
  crypto_auth_hmacsha256_init(&st, salt.empty() ? kEmpty : salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&st, ikm.empty() ? kEmpty : ikm.data(), ikm.size());
  crypto_auth_hmacsha256_final(&st, prk.expose_mutable().data());

  // Expand: T(i) = HMAC(PRK, T(i-1) || info || i).
  CP_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Zeroed(length));
  CP_ASSIGN_OR_RETURN(SecretBytes t, SecretBytes::Zeroed(kHash));
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < length; ++i) {
    crypto_auth_hmacsha256_init(&st, prk.expose().data(), kHash);
    if (i > 1) crypto_auth_hmacsha256_update(&st, t.expose().data(), kHash);
    crypto_auth_hmacsha256_update(&st, info.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(info.data()),
                                  info.size());
    crypto_auth_hmacsha256_update(&st, &i, 1);
    crypto_auth_hmacsha256_final(&st, t.expose_mutable().data());
    const std::size_t n = std::min(kHash, length - done);
    std::copy_n(t.expose().data(), n, out.expose_mutable().data() + done);
    done += n;
  }
  sodium_memzero(&st, sizeof st);
  return out;
}

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string Base64RawEncode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

Result<Bytes> Base64RawDecode(std::string_view text) {
  if (text.size() % 4 == 1) return MakeError(ErrorCode::kCorrupt, "base64 text has an impossible length");
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = B64Value(c);
    if (v < 0) return MakeError(ErrorCode::kCorrupt, "base64 text contains a character outside the alphabet");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits (2 or 4) must be zero, or two encodings would decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return MakeError(ErrorCode::kCorrupt, "base64 text is not canonical (non-zero trailing bits)");
  }
  return out;
}

namespace {

constexpr char kBech32Charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

std::uint32_t Bech32Polymod(std::span<const std::uint8_t> values) {
  constexpr std::array<std::uint32_t, 5> kGen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk = 1;
  for (std::uint8_t v : values) {
    const std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i)
      if ((top >> i) & 1) chk ^= kGen[static_cast<std::size_t>(i)];
  }
  return chk;
}

Bytes HrpExpand(std::string_view lower_hrp) {
  Bytes out;
  out.reserve(lower_hrp.size() * 2 + 1);
  for (char c : lower_hrp) out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5));
  out.push_back(0);
  for (char c : lower_hrp) out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) & 31));
  return out;
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

std::string Bech32Encode(std::string_view hrp, std::span<const std::uint8_t> data) {
  std::string lower_hrp;
  bool upper = false;
  for (char c : hrp) {
    if (c >= 'A' && c <= 'Z') upper = true;
    lower_hrp += ToLower(c);
  }
  Bytes values;  // 5-bit groups
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back(static_cast<std::uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) values.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));

  Bytes check = HrpExpand(lower_hrp);
  check.insert(check.end(), values.begin(), values.end());
  check.insert(check.end(), 6, 0);
  const std::uint32_t mod = Bech32Polymod(check) ^ 1;
  for (int i = 0; i < 6; ++i) values.push_back(static_cast<std::uint8_t>((mod >> (5 * (5 - i))) & 31));

  std::string out = lower_hrp + "1";
  for (std::uint8_t v : values) out += kBech32Charset[v];
  if (upper)
    for (char& c : out) c = ToUpper(c);
  return out;
}

Result<Bech32Decoded> Bech32Decode(std::string_view text) {
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return MakeError(ErrorCode::kInvalidArgument, "bech32 text contains an invalid character");
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  if (has_lower && has_upper) return MakeError(ErrorCode::kInvalidArgument, "bech32 text mixes upper and lower case");
  const std::size_t sep = text.rfind('1');
  if (sep == std::string_view::npos) return MakeError(ErrorCode::kInvalidArgument, "bech32 text has no separator");
  if (sep == 0) return MakeError(ErrorCode::kInvalidArgument, "bech32 text has an empty prefix");
  if (text.size() - sep - 1 < 6) return MakeError(ErrorCode::kInvalidArgument, "bech32 text is too short");

  Bech32Decoded out;
  for (char c : text.substr(0, sep)) out.hrp += ToLower(c);
  Bytes values;
  for (char c : text.substr(sep + 1)) {
    const char* p = std::char_traits<char>::find(kBech32Charset, 32, ToLower(c));
    if (p == nullptr) return MakeError(ErrorCode::kInvalidArgument, "bech32 text contains an invalid character");
    values.push_back(static_cast<std::uint8_t>(p - kBech32Charset));
  }
  Bytes check = HrpExpand(out.hrp);
  check.insert(check.end(), values.begin(), values.end());
  if (Bech32Polymod(check) != 1) return MakeError(ErrorCode::kInvalidArgument, "bech32 checksum does not match (a typo?)");
  values.resize(values.size() - 6);

  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t v : values) {
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) {
    Wipe(out.data);
    return MakeError(ErrorCode::kInvalidArgument, "bech32 data has invalid padding");
  }
  sodium_memzero(&acc, sizeof acc);
  return out;
}

}  // namespace casepack
