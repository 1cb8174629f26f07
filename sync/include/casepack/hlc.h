// Hybrid logical clock (Kulkarni et al. 2014): a 64-bit timestamp that follows wall-clock time where it
// can and still orders causally related events when clocks disagree. Layout: the upper 48 bits are
// milliseconds since the Unix epoch, the lower 16 a logical counter.
#pragma once

#include <cstdint>

#include "casepack/result.h"

namespace casepack {

struct HlcTimestamp {
  std::uint64_t value = 0;
  static constexpr int kCounterBits = 16;
  std::uint64_t millis() const { return value >> kCounterBits; }
  std::uint16_t counter() const { return static_cast<std::uint16_t>(value & 0xFFFF); }
  static HlcTimestamp From(std::uint64_t millis, std::uint16_t counter) {
    return {(millis << kCounterBits) | counter};
  }
  auto operator<=>(const HlcTimestamp&) const = default;
};

class HybridClock {
 public:
  // A received timestamp more than this far ahead of our physical clock is refused, so that one laptop
  // with its clock set to 2099 cannot make its edits win every register forever.
  static constexpr std::uint64_t kMaxDriftMillis = 24ULL * 60 * 60 * 1000;

  explicit HybridClock(HlcTimestamp last = {}) : last_(last) {}

  // A timestamp for a local event, strictly greater than every timestamp seen so far.
  HlcTimestamp Now(std::uint64_t physical_millis);
  // Merges a received timestamp. kInvalidArgument if it is implausibly far in the future.
  Status Observe(HlcTimestamp received, std::uint64_t physical_millis);
  HlcTimestamp last() const { return last_; }

 private:
  HlcTimestamp last_;
};

// Milliseconds since the Unix epoch from the system clock.
std::uint64_t SystemMillis();

}  // namespace casepack
