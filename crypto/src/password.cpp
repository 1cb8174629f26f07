#include "casepack/password.h"

#include <sodium.h>

#include <cmath>

namespace casepack {

double PasswordBits(const PasswordOptions& options) {
  return std::log2(static_cast<double>(kPasswordAlphabet.size())) * options.groups * options.group_size;
}

Result<SecretBytes> GeneratePassword(const PasswordOptions& options) {
  if (options.groups < 1 || options.groups > 64 || options.group_size < 1 || options.group_size > 64) {
    return MakeError(ErrorCode::kInvalidArgument, "password groups and group size must be between 1 and 64");
  }
  if (PasswordBits(options) < kPasswordMinBits) {
    return MakeError(ErrorCode::kInvalidArgument, "the password would be weaker than 100 bits",
                     "use more or longer groups");
  }
  const auto groups = static_cast<std::size_t>(options.groups);
  const auto size = static_cast<std::size_t>(options.group_size);
  CP_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Zeroed(groups * size + groups - 1));
  auto text = out.expose_mutable();
  std::size_t pos = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    if (g > 0) text[pos++] = '-';
    for (std::size_t i = 0; i < size; ++i) {
      // randombytes_uniform rejects out-of-range values, so every symbol is equally likely.
      const std::uint32_t k = randombytes_uniform(static_cast<std::uint32_t>(kPasswordAlphabet.size()));
      text[pos++] = static_cast<std::uint8_t>(kPasswordAlphabet[k]);
    }
  }
  return out;
}

}  // namespace casepack
