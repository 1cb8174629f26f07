// The one source of "now" (in the style of leveldb's Env::NowMicros). Everything that needs the wall-clock
// time, the hybrid logical clock of operations, "created at" records, retention's trusted clock, takes a
// Clock; SystemClock() is the only place that reads the system time. Tests and benchmarks inject their own
// (ManualClock), so no test depends on today's date unless it asks for it.
//
// Thread safety: NowMillis may be called from any thread at once (SystemClock and ManualClock are safe).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace casepack {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, UTC. Not monotonic: a wall clock can be set back (the retention
  // clock, client/include/casepack/trusted_clock.h, and the HLC, hlc.h, guard against that themselves).
  virtual std::int64_t NowMillis() const = 0;
};

// The system's real-time clock. The returned object lives for the whole program.
const Clock& SystemClock();

// A clock that says what it is told: for tests and benchmarks. Starts at `start` and moves only by Set or
// Advance (by any amount, backwards too, to test what a clock set back does).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start) : now_(start) {}
  std::int64_t NowMillis() const override { return now_.load(std::memory_order_relaxed); }
  void Set(std::int64_t millis) { now_.store(millis, std::memory_order_relaxed); }
  void Advance(std::int64_t millis) { now_.fetch_add(millis, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_;
};

// "2027-06-01T00:00:00Z" (UTC, whole seconds), the form every "created at" style record uses.
std::string FormatUtcIso(std::int64_t millis);

}  // namespace casepack
