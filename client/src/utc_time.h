// Private to the client library: the wall-clock time as an ISO 8601 UTC string, for "created at" style
// records. Retention decisions never use this (they use TrustedClock, which only moves forward).
#pragma once

#include <ctime>
#include <string>

namespace casepack {

inline std::string UtcNowIso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace casepack
