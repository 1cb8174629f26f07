// Generated passwords for transfer packs: the Business Unit reads one to an agency over the phone, so it
// uses only characters that cannot be confused when spoken or handwritten, in short groups.
#pragma once

#include <string_view>

#include "casepack/result.h"
#include "casepack/secret.h"

namespace casepack {

// 31 symbols: digits 2–9 and lower-case letters without i, l and o (no 0/O, 1/l/I confusion).
inline constexpr std::string_view kPasswordAlphabet = "23456789abcdefghjkmnpqrstuvwxyz";
inline constexpr double kPasswordMinBits = 100.0;

struct PasswordOptions {
  int groups = 5;      // separated by '-'
  int group_size = 5;  // characters per group; 25 characters ≈ 123.9 bits
};

// log2(31) * groups * group_size: the strength of a generated password in bits.
double PasswordBits(const PasswordOptions& options);

// A password such as "k7m2x-9qhtw-…" from the system CSPRNG (uniform per character, by rejection sampling
// in randombytes_uniform), returned as ASCII text in secure memory. kInvalidArgument if the options give
// fewer than kPasswordMinBits bits or a group count/size outside 1…64.
[[nodiscard]] Result<SecretBytes> GeneratePassword(const PasswordOptions& options = {});

}  // namespace casepack
