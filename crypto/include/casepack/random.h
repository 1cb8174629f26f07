// Random identifiers and bytes from the system CSPRNG (libsodium randombytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "casepack/encoding.h"

namespace casepack {

Bytes RandomBytes(std::size_t n);
std::uint64_t RandomU64();
// A 128-bit random identifier as 32 lower-case hex characters (store ids, case ids, document ids).
std::string RandomId();

}  // namespace casepack
