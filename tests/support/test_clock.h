// The device's time for a test: a ManualClock (casepack/clock.h) that tests pass to the Store they open
// (Store::Create/Open take a Clock), never an environment variable: the shipped binaries have no such aid.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "casepack/clock.h"
#include "casepack/store.h"
#include "casepack/trusted_clock.h"

namespace casepack::testing {

class TestClock {
 public:
  explicit TestClock(const std::string& when) : clock_(Parse(when)) {}
  TestClock(const TestClock&) = delete;
  TestClock& operator=(const TestClock&) = delete;

  // The clock to inject (Store::Create/Open, services, TrustedClock).
  const Clock& clock() const { return clock_; }
  operator const Clock&() const { return clock_; }  // NOLINT: passed where a Clock is asked for

  // The device's clock now reads `when` ("2027-06-01" or "…T00:00:00Z").
  void Set(const std::string& when) { clock_.Set(Parse(when)); }
  void SetMillis(std::int64_t millis) { clock_.Set(millis); }
  std::int64_t Millis() const { return clock_.NowMillis(); }

  // Ordinary use until `when`: the device is used (its clock recorded) at least every `step_days`
  // days, so no jump is ever seen. Ends with the clock at `when`, not yet recorded.
  void Pass(Store& store, const std::string& when, int step_days = 30) {
    const std::int64_t target = Parse(when);
    const std::int64_t step = static_cast<std::int64_t>(step_days) * 86400000;
    while (clock_.NowMillis() + step < target) {
      clock_.Advance(step);
      (void)TrustedClock(store.db(), clock_).Advance();
    }
    clock_.Set(target);
  }

 private:
  static std::int64_t Parse(const std::string& when) {
    auto t = ParseInstant(when);
    if (!t.ok()) {
      std::fprintf(stderr, "TestClock: not an instant: %s\n", when.c_str());
      std::abort();
    }
    return *t;
  }
  ManualClock clock_;
};

}  // namespace casepack::testing
