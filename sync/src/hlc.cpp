#include "casepack/hlc.h"

#include "casepack/clock.h"

#include <algorithm>
#include <chrono>

namespace casepack {

HlcTimestamp HybridClock::Now(std::uint64_t physical_millis) {
  const std::uint64_t wall = std::max(physical_millis, last_.millis());
  if (wall == last_.millis()) {
    // Counter overflow borrows a millisecond rather than wrapping: monotonicity matters more than accuracy.
    last_ = last_.counter() == 0xFFFF ? HlcTimestamp::From(wall + 1, 0) : HlcTimestamp{last_.value + 1};
  } else {
    last_ = HlcTimestamp::From(wall, 0);
  }
  return last_;
}

void HybridClock::Observe(HlcTimestamp received, std::uint64_t physical_millis) {
  const HlcTimestamp cap = HlcTimestamp::From(physical_millis + kMaxDriftMillis, 0);
  last_ = std::max(last_, std::min(received, cap));
}

std::uint64_t SystemMillis() { return static_cast<std::uint64_t>(SystemClock().NowMillis()); }

}  // namespace casepack
