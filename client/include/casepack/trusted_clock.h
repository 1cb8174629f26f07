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

// The testing aid: when set, CASEPACK_FAKE_NOW ("2027-06-01T00:00:00Z" or "2027-06-01") replaces the
// system time. It cannot delay a purge: the store's recorded maximum still applies, so a fake time
// earlier than what the store has seen is simply outvoted.
inline constexpr const char* kFakeNowVariable = "CASEPACK_FAKE_NOW";

// The clock the client library uses when none is injected: SystemClock(), or CASEPACK_FAKE_NOW when that
// is set and well formed. The one place outside SystemClock() that decides "now"; the variable is read on
// each call (tests set it for a scope). Removing it from shipped binaries belongs to the local-faults work:
// then this returns SystemClock() and nothing else changes.
const Clock& EnvironmentClock();
// kInvalidArgument if CASEPACK_FAKE_NOW is set but malformed (the CLI refuses to run rather than silently
// fall back to some other time).
[[nodiscard]] Status CheckFakeNow();

// "2027-06-01T00:00:00Z" (UTC, whole seconds).
std::string FormatInstant(std::int64_t millis);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight UTC); kInvalidArgument otherwise.
[[nodiscard]] Result<std::int64_t> ParseInstant(std::string_view text);
// The UTC calendar day of an instant. Deadlines are civil days; a purge "on D" happens from 00:00 UTC on D.
Date UtcDateOf(std::int64_t millis);

class TrustedClock {
 public:
  // meta keys (values: decimal milliseconds).
  static constexpr std::string_view kRecordedKey = "retention_clock_ms";
  static constexpr std::string_view kServerKey = "retention_server_time_ms";

  // REQUIRES: `db` and `clock` outlive this object; `db` has the meta table (migration 1).
  explicit TrustedClock(Database& db, const Clock& clock = EnvironmentClock()) : db_(db), clock_(clock) {}

  // max(clock time, latest server time seen, latest recorded time); records it (never moving the
  // recorded value back) and returns it. Errors from the database.
  [[nodiscard]] Result<std::int64_t> Advance();
  // The same maximum without recording it (for read-only views such as a dry run).
  [[nodiscard]] Result<std::int64_t> Peek();
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
