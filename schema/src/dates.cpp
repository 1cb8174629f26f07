#include "casepack/dates.h"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace casepack {

namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// Howard Hinnant's days_from_civil / civil_from_days (public domain), proleptic Gregorian.
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int ToInt(std::string_view digits) {  // REQUIRES: AllDigits, short
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

Error Invalid(std::string message, std::string hint = {}) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(hint));
}

// Quotes user text in an error message, shortened: dates are not case content, but a caller may pass
// a whole field by mistake and we do not want that echoed at length.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (char c : text.substr(0, kMax)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (text.size() > kMax) out += "...";
  return out + "'";
}

Result<TimeOfDay> ParseTime(std::string_view text, std::string_view whole) {
  if (text.size() != 5 || text[2] != ':' || !AllDigits(text.substr(0, 2)) || !AllDigits(text.substr(3, 2))) {
    return Invalid("not a time of day: " + Quote(whole), "write the time as HH:MM, 24-hour, e.g. 09:30");
  }
  const int h = ToInt(text.substr(0, 2));
  const int m = ToInt(text.substr(3, 2));
  if (h > 23) return Invalid("hour " + std::to_string(h) + " out of range in " + Quote(whole));
  if (m > 59) return Invalid("minute " + std::to_string(m) + " out of range in " + Quote(whole));
  return TimeOfDay{h, m};
}

std::string TwoDigits(int v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

std::string FormatTime(const TimeOfDay& t) { return TwoDigits(t.hour) + ":" + TwoDigits(t.minute); }

}  // namespace

std::string_view ToString(Weekday d) {
  static constexpr std::array<std::string_view, 7> kNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                             "Friday", "Saturday", "Sunday"};
  return kNames[static_cast<std::size_t>(static_cast<int>(d) - 1)];
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) std::abort();
  return month == 2 && IsLeapYear(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

bool Date::IsValid() const {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

std::int64_t Date::ToDayNumber() const {
  if (!IsValid()) std::abort();
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

Date Date::FromDayNumber(std::int64_t days) {
  Date d = CivilFromDays(days);
  if (!d.IsValid()) std::abort();
  return d;
}

Result<Date> MakeDate(int year, int month, int day) {
  const std::string shown = std::to_string(year) + "-" + TwoDigits(month) + "-" + TwoDigits(day);
  if (year < 1 || year > 9999) return Invalid(shown + ": year " + std::to_string(year) + " out of range 1..9999");
  if (month < 1 || month > 12) {
    return Invalid(shown + ": month " + std::to_string(month) + " out of range 1..12");
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Invalid(shown + ": day " + std::to_string(day) + " is not in " +
                   std::string(kMonthNames[static_cast<std::size_t>(month - 1)]) + " " + std::to_string(year) +
                   " (it has " + std::to_string(DaysInMonth(year, month)) + " days)");
  }
  return Date{year, month, day};
}

Result<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2)) || !AllDigits(text.substr(8, 2))) {
    return Invalid("not a date: " + Quote(text), "write dates as YYYY-MM-DD, e.g. 2026-03-04");
  }
  return MakeDate(ToInt(text.substr(0, 4)), ToInt(text.substr(5, 2)), ToInt(text.substr(8, 2)));
}

Result<Date> ParseUkDate(std::string_view text) {
  const auto s1 = text.find('/');
  const auto s2 = s1 == std::string_view::npos ? s1 : text.find('/', s1 + 1);
  if (s2 == std::string_view::npos) {
    return Invalid("not a date: " + Quote(text), "write dates as DD/MM/YYYY, e.g. 04/03/2026");
  }
  const auto d = text.substr(0, s1), m = text.substr(s1 + 1, s2 - s1 - 1), y = text.substr(s2 + 1);
  if (!AllDigits(d) || !AllDigits(m) || !AllDigits(y) || d.size() > 2 || m.size() > 2 || y.size() != 4) {
    return Invalid("not a date: " + Quote(text), "write dates as DD/MM/YYYY, e.g. 04/03/2026");
  }
  return MakeDate(ToInt(y), ToInt(m), ToInt(d));
}

std::string FormatDate(const Date& d) {
  std::string y = std::to_string(d.year);
  while (y.size() < 4) y = "0" + y;
  return y + "-" + TwoDigits(d.month) + "-" + TwoDigits(d.day);
}

std::string FormatUkDate(const Date& d) {
  std::string y = std::to_string(d.year);
  while (y.size() < 4) y = "0" + y;
  return TwoDigits(d.day) + "/" + TwoDigits(d.month) + "/" + y;
}

std::string FormatLongDate(const Date& d) {
  return std::string(ToString(WeekdayOf(d))) + " " + std::to_string(d.day) + " " +
         std::string(kMonthNames[static_cast<std::size_t>(d.month - 1)]) + " " + std::to_string(d.year);
}

namespace {
// The first and last day a Date can hold: arithmetic stops there rather than leave the range. (constexpr:
// dates are computed during other files' static initialisation, e.g. a test's "182 days from today".)
constexpr std::int64_t kFirstDay = DaysFromCivil(1, 1, 1), kLastDay = DaysFromCivil(9999, 12, 31);
static_assert(kFirstDay == -719162 && kLastDay == 2932896);
}  // namespace

Date AddDays(const Date& d, std::int64_t days) {
  const std::int64_t n = d.ToDayNumber();
  // (days may be anything a caller computed: clamp before adding, so that the sum cannot overflow)
  return Date::FromDayNumber(std::clamp(days, kFirstDay - n, kLastDay - n) + n);
}
Date AddWeeks(const Date& d, std::int64_t weeks) { return AddDays(d, weeks * 7); }

Date AddMonths(const Date& d, int months) {
  if (!d.IsValid()) std::abort();
  const std::int64_t index = std::clamp(std::int64_t{d.year} * 12 + (d.month - 1) + months, std::int64_t{12},
                                        std::int64_t{9999} * 12 + 11);
  const int y = static_cast<int>(index / 12);
  const int m = static_cast<int>(index % 12) + 1;
  return Date{y, m, std::min(d.day, DaysInMonth(y, m))};
}

Weekday WeekdayOf(const Date& d) {
  // 1970-01-01 was a Thursday (ISO weekday 4).
  const std::int64_t n = d.ToDayNumber();
  const std::int64_t iso = ((n % 7 + 7) % 7 + 3) % 7 + 1;
  return static_cast<Weekday>(iso);
}

std::int64_t DaysBetween(const Date& from, const Date& to) { return to.ToDayNumber() - from.ToDayNumber(); }

Result<DateTime> ParseDateTime(std::string_view text) {
  if (text.size() == 10) {
    CP_ASSIGN_OR_RETURN(Date d, ParseDate(text));
    return DateTime{d, std::nullopt};
  }
  if (text.size() != 16 || text[10] != 'T') {
    return Invalid("not a date and time: " + Quote(text),
                   "write YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2026-03-04T09:30");
  }
  CP_ASSIGN_OR_RETURN(Date d, ParseDate(text.substr(0, 10)));
  CP_ASSIGN_OR_RETURN(TimeOfDay t, ParseTime(text.substr(11), text));
  return DateTime{d, t};
}

Result<DateTime> ParseUkDateTime(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos) {
    CP_ASSIGN_OR_RETURN(Date d, ParseUkDate(text));
    return DateTime{d, std::nullopt};
  }
  CP_ASSIGN_OR_RETURN(Date d, ParseUkDate(text.substr(0, space)));
  CP_ASSIGN_OR_RETURN(TimeOfDay t, ParseTime(text.substr(space + 1), text));
  return DateTime{d, t};
}

std::string FormatDateTime(const DateTime& dt) {
  return dt.time ? FormatDate(dt.date) + "T" + FormatTime(*dt.time) : FormatDate(dt.date);
}

std::string FormatUkDateTime(const DateTime& dt) {
  return dt.time ? FormatUkDate(dt.date) + " " + FormatTime(*dt.time) : FormatUkDate(dt.date);
}

// ---- working days ------------------------------------------------------------------------------------

Result<WorkingDayCalendar> WorkingDayCalendar::Parse(std::string_view text) {
  WorkingDayCalendar cal;
  int line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "bank holidays line " + std::to_string(line_no);
    if (line.size() < 12 || line[10] != ' ') {
      return Invalid(where + ": expected 'YYYY-MM-DD Name'");
    }
    auto date = ParseDate(line.substr(0, 10));
    if (!date.ok()) return date.error().Context(where);
    std::string_view name = line.substr(11);
    if (name.find_first_not_of(' ') == std::string_view::npos) return Invalid(where + ": holiday has no name");
    if (!cal.holidays_.empty() && !(cal.holidays_.back().date < *date)) {
      return Invalid(where + ": " + FormatDate(*date) + " is not after the previous line's date",
                     "keep the file sorted, one line per date");
    }
    cal.holidays_.push_back(BankHoliday{*date, std::string(name)});
  }
  return cal;
}

bool WorkingDayCalendar::IsBankHoliday(const Date& d) const {
  return std::binary_search(holidays_.begin(), holidays_.end(), BankHoliday{d, {}},
                            [](const BankHoliday& a, const BankHoliday& b) { return a.date < b.date; });
}

bool WorkingDayCalendar::IsWorkingDay(const Date& d) const {
  const Weekday w = WeekdayOf(d);
  return w != Weekday::kSaturday && w != Weekday::kSunday && !IsBankHoliday(d);
}

Date WorkingDayCalendar::AddWorkingDays(const Date& d, int n) const {
  if (n < 0) std::abort();
  Date cur = d;
  const Date last = Date::FromDayNumber(kLastDay);
  while (n > 0 && cur < last) {  // (the last day a Date holds is as far as it goes)
    cur = AddDays(cur, 1);
    if (IsWorkingDay(cur)) --n;
  }
  return cur;
}

int WorkingDayCalendar::WorkingDaysBetween(const Date& from, const Date& to) const {
  int n = 0;
  for (Date cur = from; cur < to;) {
    cur = AddDays(cur, 1);
    if (IsWorkingDay(cur)) ++n;
  }
  return n;
}

std::optional<int> WorkingDayCalendar::FirstYear() const {
  if (holidays_.empty()) return std::nullopt;
  return holidays_.front().date.year;
}

std::optional<int> WorkingDayCalendar::LastYear() const {
  if (holidays_.empty()) return std::nullopt;
  return holidays_.back().date.year;
}

const WorkingDayCalendar& WorkingDayCalendar::EnglandAndWales() {
  // The embedded list is checked by tests; failing to parse it is a build defect, hence abort.
  static const WorkingDayCalendar kCalendar = [] {
    auto parsed = Parse(EmbeddedEnglandAndWalesBankHolidays());
    if (!parsed.ok()) std::abort();
    return std::move(parsed).value();
  }();
  return kCalendar;
}

}  // namespace casepack
