#include "casepack/random.h"

#include <sodium.h>

#include "casepack/secret.h"

namespace casepack {

Bytes RandomBytes(std::size_t n) {
  InitCrypto();
  Bytes out(n);
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

std::uint64_t RandomU64() {
  std::uint64_t v = 0;
  InitCrypto();
  randombytes_buf(&v, sizeof v);
  return v;
}

std::string RandomId() { return HexEncode(RandomBytes(16)); }

}  // namespace casepack
