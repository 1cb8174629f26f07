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
  // How far ahead of our physical clock a received timestamp may move this clock. A received operation is
  // never refused for its timestamp (issue 11: a laptop three days fast had every edit dropped, for ever);
  // instead its effect is bounded: one laptop with its clock set to 2099 cannot drag every replica's clock
  // (and so every later edit's timestamp) into the future.
  static constexpr std::uint64_t kMaxDriftMillis = 24ULL * 60 * 60 * 1000;

  explicit HybridClock(HlcTimestamp last = {}) : last_(last) {}
  // A timestamp for a local event, strictly greater than every timestamp seen so far (capped as above).
  HlcTimestamp Now(std::uint64_t physical_millis);
  // Merges a received timestamp, taking at most physical_millis + kMaxDriftMillis from it.
  void Observe(HlcTimestamp received, std::uint64_t physical_millis);
  HlcTimestamp last() const { return last_; }

 private:
  HlcTimestamp last_;
};

// Milliseconds since the Unix epoch from the system clock.
std::uint64_t SystemMillis();

}  // namespace casepack
