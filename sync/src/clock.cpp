#include "casepack/clock.h"

#include <chrono>
#include <ctime>

namespace casepack {

namespace {

class RealClock final : public Clock {
 public:
  std::int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

const Clock& SystemClock() {
  static const RealClock clock;
  return clock;
}

std::string FormatUtcIso(std::int64_t millis) {
  std::int64_t secs = millis / 1000;
  if (millis < 0 && millis % 1000 != 0) --secs;
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace casepack
