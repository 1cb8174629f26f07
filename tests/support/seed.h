// Seeds for property tests: fresh each run, printed, replayable.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace casepack::testing {

// CASEPACK_SEED if set (a replay), else a fresh random seed. Printed either way, so that any failure can
// be replayed with CASEPACK_SEED=<the printed seed>.
inline std::uint64_t FreshSeed(const char* what) {
  std::uint64_t seed;
  if (const char* s = std::getenv("CASEPACK_SEED"); s != nullptr && *s != '\0') {
    seed = std::strtoull(s, nullptr, 10);
  } else {
    std::random_device rd;
    seed = (static_cast<std::uint64_t>(rd()) << 32) | rd();
  }
  std::printf("%s: seed %llu (replay with CASEPACK_SEED=%llu)\n", what, static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace casepack::testing
