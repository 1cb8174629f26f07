// The clock that decides retention: it only moves forward. "Retention now" is the latest of the system
// time, the latest server time this store has seen, and the latest time the store itself has recorded;
// the result is written back to the store's meta table, so setting the laptop's clock back afterwards
// delays nothing (DESIGN.md "Retention"; docs/retention.md).
//
// Times are milliseconds since the Unix epoch, UTC. Not thread safe: one TrustedClock per Database use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "casepack/clock.h"
#include "casepack/dates.h"
#include "casepack/db.h"
#include "casepack/result.h"

namespace casepack {

// A device time this far past everything the store has seen (the last command's time and the latest
// authenticated server time) is not believed until a server or the user confirms it: 31 days.
inline constexpr std::int64_t kClockJumpLimitMillis = 31LL * 24 * 3600 * 1000;

// "2027-06-01T00:00:00Z" (UTC, whole seconds).
std::string FormatInstant(std::int64_t millis);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight UTC); kInvalidArgument otherwise.
[[nodiscard]] Result<std::int64_t> ParseInstant(std::string_view text);
// The UTC calendar day of an instant. Deadlines are civil days; a purge "on D" happens from 00:00 UTC on D.
Date UtcDateOf(std::int64_t millis);

// One reading of the retention clock.
struct ClockReading {
  std::int64_t system = 0;    // the device's time now
  std::int64_t baseline = 0;  // max(last recorded time, latest server time); 0 when the store has seen none
  std::int64_t now = 0;       // the time retention uses: max(system, baseline); baseline while a jump is unconfirmed
  bool unconfirmed_jump = false;  // system > baseline + kClockJumpLimitMillis (and baseline > 0)
};
// The one line every command prints while a jump is unconfirmed (without the "casepack: " prefix).
std::string DescribeClockJump(const ClockReading& r);

class TrustedClock {
 public:
  // meta keys (values: decimal milliseconds).
  static constexpr std::string_view kRecordedKey = "retention_clock_ms";
  static constexpr std::string_view kServerKey = "retention_server_time_ms";

  // REQUIRES: `db` and `clock` outlive this object; `db` has the meta table (migration 1).
  TrustedClock(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The reading: the clock's time, what the store has seen, and whether the clock jumped too far.
  [[nodiscard]] Result<ClockReading> Read();
  // max(clock time, latest server time seen, latest recorded time); records it (never moving the
  // recorded value back) and returns it. While a jump is unconfirmed nothing is recorded and the
  // baseline is returned. Errors from the database.
  [[nodiscard]] Result<std::int64_t> Advance();
  // The same time without recording it (for read-only views such as a dry run).
  [[nodiscard]] Result<std::int64_t> Peek();
  // The user confirms the device's date by typing it: `typed` must be the system clock's date (UTC, or
  // the local date, which differs around midnight); then the system time is recorded. kInvalidArgument
  // naming both dates otherwise.
  [[nodiscard]] Status ConfirmDate(const Date& typed);
  // For the sync layer: a time the (authenticated) server reported. Kept if later than the one seen
  // before; also advances the recorded time. A server time earlier than what was seen is ignored.
  [[nodiscard]] Status ObserveServerTime(std::int64_t server_millis);

  // The recorded values (0 when none), for status displays and tests.
  [[nodiscard]] Result<std::int64_t> Recorded();
  [[nodiscard]] Result<std::int64_t> LatestServerTime();

 private:
  Result<std::int64_t> ReadMeta(std::string_view key);
  Status RaiseMeta(std::string_view key, std::int64_t value);
  Database& db_;
  const Clock& clock_;
};

}  // namespace casepack
