// Civil dates and the working-day calendar. A Date is a day on the calendar as people in England and
// Wales write it ("the conference was on 3 March"), with no time zone: deadlines in the guidance are
// counted in calendar days, weeks, months or working days from such dates, so converting through
// instants would only add daylight-saving and midnight bugs. A DateTime adds an optional wall-clock
// time, for chronology entries ("Date & Time", 001 Appendix 1).
//
// Text forms are strict ISO 8601: `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM`. Parsers reject anything else,
// including impossible dates (2026-02-30, month 13), with a kInvalidArgument naming the problem.
// All functions are pure and thread safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/result.h"

namespace casepack {

enum class Weekday { kMonday = 1, kTuesday, kWednesday, kThursday, kFriday, kSaturday, kSunday };
std::string_view ToString(Weekday d);  // "Monday"

// A proleptic Gregorian calendar date, years 1..9999. Aggregate for ease of use; a Date built by hand
// may be invalid (check IsValid()), every Date returned by this API is valid.
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..DaysInMonth

  [[nodiscard]] bool IsValid() const;
  // Days since 1970-01-01 (negative before). REQUIRES: IsValid().
  [[nodiscard]] std::int64_t ToDayNumber() const;
  // REQUIRES: the result lies in years 1..9999 (aborts otherwise: deadlines never get near).
  [[nodiscard]] static Date FromDayNumber(std::int64_t days);

  friend auto operator<=>(const Date&, const Date&) = default;
  friend bool operator==(const Date&, const Date&) = default;
};

// kInvalidArgument if the fields do not form a real date ("2026-02-30: day 30 is past the end of February").
Result<Date> MakeDate(int year, int month, int day);
// Strict `YYYY-MM-DD`: exactly four-digit year, two-digit month and day, no surrounding space.
Result<Date> ParseDate(std::string_view text);
// `DD/MM/YYYY` (also `D/M/YYYY`), the form agencies' chronologies use (001, "The format explained").
Result<Date> ParseUkDate(std::string_view text);
std::string FormatDate(const Date& d);    // "2026-03-04"
std::string FormatUkDate(const Date& d);  // "04/03/2026"
std::string FormatLongDate(const Date& d);  // "Wednesday 4 March 2026", for reports

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);  // REQUIRES: 1 <= month <= 12

// REQUIRES for all arithmetic: d.IsValid(). A result beyond the years 1..9999 stops at 0001-01-01 or
// 9999-12-31: a purge date or a deadline that far out means "not in any lifetime", and a date a person or a
// pack gave must never end the program (an outside test's event on 9999-09-03 aborted every command).
Date AddDays(const Date& d, std::int64_t days);
Date AddWeeks(const Date& d, std::int64_t weeks);
// Same day number `months` later (or earlier); clamps to the month's last day, so 31 January + 1 month
// is 28 (or 29) February. This is how "every three months" (002 §10) is counted.
Date AddMonths(const Date& d, int months);
Weekday WeekdayOf(const Date& d);
// to - from, in days (negative if `to` is earlier).
std::int64_t DaysBetween(const Date& from, const Date& to);

struct TimeOfDay {
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  friend auto operator<=>(const TimeOfDay&, const TimeOfDay&) = default;
  friend bool operator==(const TimeOfDay&, const TimeOfDay&) = default;
};

// A date with an optional time of day (local wall-clock time, as written in the record).
// Ordering: by date, then an entry without a time sorts before any timed entry on the same day.
struct DateTime {
  Date date;
  std::optional<TimeOfDay> time;
  friend auto operator<=>(const DateTime&, const DateTime&) = default;
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (24-hour). kInvalidArgument otherwise.
Result<DateTime> ParseDateTime(std::string_view text);
// `DD/MM/YYYY` or `DD/MM/YYYY HH:MM`.
Result<DateTime> ParseUkDateTime(std::string_view text);
std::string FormatDateTime(const DateTime& dt);    // "2026-03-04" or "2026-03-04T09:30"
std::string FormatUkDateTime(const DateTime& dt);  // "04/03/2026" or "04/03/2026 09:30"

struct BankHoliday {
  Date date;
  std::string name;
};

// Which days are working days: Monday to Friday, except listed bank holidays. The list is data (see
// schema/data/bank-holidays-england-and-wales.txt and docs/domain.md), not code, because governments
// add one-off holidays at a few months' notice.
class WorkingDayCalendar {
 public:
  // Parses the bank-holiday file format: one `YYYY-MM-DD Name` per line; '#' comments and blank lines
  // ignored; dates unique and ascending. kInvalidArgument with the line number on any other input.
  [[nodiscard]] static Result<WorkingDayCalendar> Parse(std::string_view text);
  // England and Wales, from the list compiled into the library (parsed once, on first use).
  static const WorkingDayCalendar& EnglandAndWales();

  [[nodiscard]] bool IsBankHoliday(const Date& d) const;
  [[nodiscard]] bool IsWorkingDay(const Date& d) const;
  // The n-th working day after `d` (n >= 0; n == 0 returns d itself, working day or not).
  // "Within 5 working days" of a Monday meeting is the following Monday.
  [[nodiscard]] Date AddWorkingDays(const Date& d, int n) const;
  // Working days in (from, to]: how many working days have passed since `from` by `to`; 0 if to <= from.
  [[nodiscard]] int WorkingDaysBetween(const Date& from, const Date& to) const;
  // The years the list covers; dates outside it are treated as having no bank holidays (callers that
  // care, such as `casepack deadlines`, can warn using these).
  [[nodiscard]] std::optional<int> FirstYear() const;
  [[nodiscard]] std::optional<int> LastYear() const;
  [[nodiscard]] const std::vector<BankHoliday>& holidays() const { return holidays_; }

 private:
  std::vector<BankHoliday> holidays_;  // ascending by date
};

// The embedded bank-holiday file, verbatim (for `casepack` to show or export).
std::string_view EmbeddedEnglandAndWalesBankHolidays();

}  // namespace casepack
