// Dates for tests and benchmarks, taken from today: the real date, or the one libfaketime gives every
// process in CI's shifted runs (packaging/calendar-shift.sh). A scenario built on them stays ahead of the
// retention purge and the deadlines whatever the calendar says. Scenarios that need one fixed calendar
// (bank holidays, working days) inject their "now" instead (CASEPACK_FAKE_NOW, --today) and never meet
// the real clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "casepack/dates.h"

namespace casepack::testing {

// Today's UTC calendar day, by the system clock.
inline Date TodayUtc() {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

// "YYYY-MM-DD", `days` from today (negative: in the past).
inline std::string DaysFromToday(std::int64_t days) { return FormatDate(AddDays(TodayUtc(), days)); }

}  // namespace casepack::testing
