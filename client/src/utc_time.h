// Private to the client library: the wall-clock time as an ISO 8601 UTC string, for "created at" style
// records. Retention decisions never use this (they use TrustedClock, which only moves forward).
#pragma once

#include <string>

#include "casepack/clock.h"

namespace casepack {

inline std::string UtcNowIso(const Clock& clock) { return FormatUtcIso(clock.NowMillis()); }

}  // namespace casepack
