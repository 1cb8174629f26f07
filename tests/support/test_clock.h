// The device's time for a test, injected in-process through SetSystemTimeSource (never an environment
// variable: the shipped binaries have no such aid). Tests in one binary run one at a time.
#pragma once

#include <cstdint>
#include <string>

#include "casepack/store.h"
#include "casepack/trusted_clock.h"

namespace casepack::testing {

class TestClock {
 public:
  explicit TestClock(const std::string& when) {
    Set(when);
    SetSystemTimeSource([this]() -> Result<std::int64_t> { return now_; });
  }
  ~TestClock() { SetSystemTimeSource({}); }
  TestClock(const TestClock&) = delete;
  TestClock& operator=(const TestClock&) = delete;

  // The device's clock now reads `when` ("2027-06-01" or "…T00:00:00Z"; anything else reads as an error).
  void Set(const std::string& when) { now_ = ParseInstant(when); }
  void SetMillis(std::int64_t millis) { now_ = millis; }
  std::int64_t Millis() const { return now_.ok() ? *now_ : 0; }

  // Ordinary use until `when`: the device is used (its clock recorded) at least every `step_days`
  // days, so no jump is ever seen. Ends with the clock at `when`, not yet recorded.
  void Pass(Store& store, const std::string& when, int step_days = 30) {
    const std::int64_t target = *ParseInstant(when);
    const std::int64_t step = static_cast<std::int64_t>(step_days) * 86400000;
    while (now_.ok() && *now_ + step < target) {
      now_ = *now_ + step;
      (void)TrustedClock(store.db()).Advance();
    }
    now_ = target;
  }

 private:
  Result<std::int64_t> now_ = std::int64_t{0};
};

}  // namespace casepack::testing
