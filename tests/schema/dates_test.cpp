#include "casepack/dates.h"

#include <gtest/gtest.h>

#include <limits>

#include <random>

namespace casepack {
namespace {

Date CheckedDate(std::string_view s) {
  auto d = ParseDate(s);
  EXPECT_TRUE(d.ok()) << s << ": " << (d.ok() ? "" : d.error().message);
  return d.ok() ? *d : Date{};
}

TEST(Dates, ParsesAndFormatsIso) {
  auto d = ParseDate("2026-03-04");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->month, 3);
  EXPECT_EQ(d->day, 4);
  EXPECT_EQ(FormatDate(*d), "2026-03-04");
  EXPECT_EQ(FormatUkDate(*d), "04/03/2026");
  EXPECT_EQ(FormatLongDate(*d), "Wednesday 4 March 2026");
}

TEST(Dates, RejectsImpossibleDatesWithClearMessages) {
  auto feb30 = ParseDate("2026-02-30");
  ASSERT_FALSE(feb30.ok());
  EXPECT_EQ(feb30.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(feb30.error().message.find("day 30"), std::string::npos) << feb30.error().message;
  EXPECT_NE(feb30.error().message.find("February 2026"), std::string::npos) << feb30.error().message;

  auto month13 = ParseDate("2026-13-01");
  ASSERT_FALSE(month13.ok());
  EXPECT_NE(month13.error().message.find("month 13"), std::string::npos) << month13.error().message;

  EXPECT_FALSE(ParseDate("2026-00-10").ok());
  EXPECT_FALSE(ParseDate("2026-04-31").ok());
  EXPECT_FALSE(ParseDate("2026-04-00").ok());
  EXPECT_FALSE(ParseDate("0000-01-01").ok());
}

TEST(Dates, LeapYears) {
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_TRUE(ParseDate("2000-02-29").ok());
  EXPECT_FALSE(ParseDate("2025-02-29").ok());
  EXPECT_FALSE(ParseDate("1900-02-29").ok());
  EXPECT_FALSE(ParseDate("2100-02-29").ok());
}

TEST(Dates, StrictSyntax) {
  for (std::string_view bad : {"", "2026-3-04", "2026-03-4", "26-03-04", " 2026-03-04", "2026-03-04 ",
                               "2026/03/04", "20260304", "2026-03-04T", "+026-03-04", "2026-0x-04",
                               "2026-03-04x", "２０26-03-04"}) {
    auto r = ParseDate(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
  }
  auto r = ParseDate("04/03/2026");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().hint.find("YYYY-MM-DD"), std::string::npos);
}

TEST(Dates, UkFormat) {
  EXPECT_EQ(*ParseUkDate("04/03/2026"), CheckedDate("2026-03-04"));
  EXPECT_EQ(*ParseUkDate("4/3/2026"), CheckedDate("2026-03-04"));
  EXPECT_FALSE(ParseUkDate("1/1/18").ok());  // two-digit years are ambiguous
  EXPECT_FALSE(ParseUkDate("30/02/2026").ok());
  EXPECT_FALSE(ParseUkDate("2026-03-04").ok());
  EXPECT_FALSE(ParseUkDate("04/03/2026/1").ok());
  EXPECT_FALSE(ParseUkDate("004/03/2026").ok());
}

TEST(Dates, Arithmetic) {
  EXPECT_EQ(AddDays(CheckedDate("2026-12-31"), 1), CheckedDate("2027-01-01"));
  EXPECT_EQ(AddDays(CheckedDate("2024-02-28"), 1), CheckedDate("2024-02-29"));
  EXPECT_EQ(AddDays(CheckedDate("2026-03-01"), -1), CheckedDate("2026-02-28"));
  EXPECT_EQ(AddWeeks(CheckedDate("2026-03-02"), 6), CheckedDate("2026-04-13"));
  EXPECT_EQ(AddWeeks(CheckedDate("2026-03-02"), -1), CheckedDate("2026-02-23"));
  EXPECT_EQ(DaysBetween(CheckedDate("2026-03-02"), CheckedDate("2026-04-27")), 56);
  EXPECT_EQ(DaysBetween(CheckedDate("2026-04-27"), CheckedDate("2026-03-02")), -56);
  EXPECT_EQ(DaysBetween(CheckedDate("2024-01-01"), CheckedDate("2025-01-01")), 366);
}

TEST(Dates, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(AddMonths(CheckedDate("2026-01-31"), 1), CheckedDate("2026-02-28"));
  EXPECT_EQ(AddMonths(CheckedDate("2024-01-31"), 1), CheckedDate("2024-02-29"));
  EXPECT_EQ(AddMonths(CheckedDate("2026-11-30"), 3), CheckedDate("2027-02-28"));
  EXPECT_EQ(AddMonths(CheckedDate("2026-04-02"), 3), CheckedDate("2026-07-02"));
  EXPECT_EQ(AddMonths(CheckedDate("2026-03-31"), -1), CheckedDate("2026-02-28"));
  EXPECT_EQ(AddMonths(CheckedDate("2026-01-15"), -1), CheckedDate("2025-12-15"));
  EXPECT_EQ(AddMonths(CheckedDate("2026-01-15"), 24), CheckedDate("2028-01-15"));
}

// Found by an outside test: an event on 9999-09-03 (its purge date past 9999-12-31) aborted casepack, and a
// pack carrying one left every command aborting. Arithmetic now stops at the last (and first) day a Date
// holds, and the working-day walks end there.
TEST(Dates, ArithmeticStopsAtTheEndsOfTheCalendar) {
  EXPECT_EQ(AddDays(CheckedDate("9999-09-03"), 4 * 365), CheckedDate("9999-12-31"));
  EXPECT_EQ(AddDays(CheckedDate("9999-12-31"), 1), CheckedDate("9999-12-31"));
  EXPECT_EQ(AddDays(CheckedDate("0001-01-05"), -10), CheckedDate("0001-01-01"));
  EXPECT_EQ(AddDays(CheckedDate("2026-12-03"), std::numeric_limits<std::int64_t>::max()), CheckedDate("9999-12-31"));
  EXPECT_EQ(AddDays(CheckedDate("2026-12-03"), std::numeric_limits<std::int64_t>::min()), CheckedDate("0001-01-01"));
  EXPECT_EQ(AddWeeks(CheckedDate("9999-12-01"), 10), CheckedDate("9999-12-31"));
  EXPECT_EQ(AddMonths(CheckedDate("9999-11-15"), 3), CheckedDate("9999-12-15"));
  EXPECT_EQ(AddMonths(CheckedDate("0001-03-31"), -5), CheckedDate("0001-01-31"));
  EXPECT_EQ(AddMonths(CheckedDate("2026-12-03"), std::numeric_limits<int>::max()), CheckedDate("9999-12-03"));
  const WorkingDayCalendar& calendar = WorkingDayCalendar::EnglandAndWales();
  EXPECT_EQ(calendar.AddWorkingDays(CheckedDate("9999-12-20"), 100), CheckedDate("9999-12-31"));
  EXPECT_EQ(calendar.WorkingDaysBetween(CheckedDate("9999-12-24"), CheckedDate("9999-12-31")), 5);
  EXPECT_EQ(calendar.WorkingDaysBetween(CheckedDate("9999-12-31"), CheckedDate("9999-12-31")), 0);
}

TEST(Dates, Weekdays) {
  EXPECT_EQ(WeekdayOf(CheckedDate("1970-01-01")), Weekday::kThursday);
  EXPECT_EQ(WeekdayOf(CheckedDate("1969-12-31")), Weekday::kWednesday);
  EXPECT_EQ(WeekdayOf(CheckedDate("2000-01-01")), Weekday::kSaturday);
  EXPECT_EQ(WeekdayOf(CheckedDate("2026-11-22")), Weekday::kSunday);
  EXPECT_EQ(WeekdayOf(CheckedDate("2026-03-02")), Weekday::kMonday);
  EXPECT_EQ(ToString(Weekday::kFriday), "Friday");
}

TEST(Dates, DateTimeParseAndOrder) {
  auto a = ParseDateTime("2026-03-04T09:30");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->time.has_value());
  EXPECT_EQ(a->time->hour, 9);
  EXPECT_EQ(a->time->minute, 30);
  EXPECT_EQ(FormatDateTime(*a), "2026-03-04T09:30");
  EXPECT_EQ(FormatUkDateTime(*a), "04/03/2026 09:30");

  auto b = ParseDateTime("2026-03-04");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->time.has_value());
  EXPECT_EQ(FormatDateTime(*b), "2026-03-04");
  EXPECT_LT(*b, *a);  // untimed sorts first on its day
  EXPECT_LT(*a, *ParseDateTime("2026-03-05"));

  for (std::string_view bad : {"2026-03-04T24:00", "2026-03-04T12:60", "2026-03-04T9:30", "2026-03-04 09:30",
                               "2026-03-04T09:30:00", "2026-03-04T09-30", "2026-02-30T10:00"}) {
    EXPECT_FALSE(ParseDateTime(bad).ok()) << bad;
  }
  auto uk = ParseUkDateTime("01/01/2018 23:59");
  ASSERT_TRUE(uk.ok());
  EXPECT_EQ(FormatDateTime(*uk), "2018-01-01T23:59");
  EXPECT_TRUE(ParseUkDateTime("01/01/2018").ok());
  EXPECT_FALSE(ParseUkDateTime("01/01/2018 25:00").ok());
}

TEST(Dates, MakeDateValidates) {
  EXPECT_TRUE(MakeDate(2026, 2, 28).ok());
  EXPECT_FALSE(MakeDate(2026, 2, 29).ok());
  EXPECT_FALSE(MakeDate(10000, 1, 1).ok());
  EXPECT_FALSE((Date{2026, 2, 30}.IsValid()));
}

// Property: day numbers and text forms agree for random dates; consecutive days advance the weekday.
TEST(Dates, PropertyRoundTripAndWeekdaySuccession) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const std::int64_t lo = Date{1, 1, 1}.ToDayNumber();
  const std::int64_t hi = Date{9999, 12, 30}.ToDayNumber();
  std::uniform_int_distribution<std::int64_t> dist(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t n = dist(rng);
    const Date d = Date::FromDayNumber(n);
    ASSERT_TRUE(d.IsValid()) << "seed " << seed << " n " << n;
    ASSERT_EQ(d.ToDayNumber(), n) << "seed " << seed;
    auto parsed = ParseDate(FormatDate(d));
    ASSERT_TRUE(parsed.ok()) << "seed " << seed << " " << FormatDate(d);
    ASSERT_EQ(*parsed, d) << "seed " << seed;
    const Date next = AddDays(d, 1);
    ASSERT_LT(d, next) << "seed " << seed;
    ASSERT_EQ(static_cast<int>(WeekdayOf(next)), static_cast<int>(WeekdayOf(d)) % 7 + 1) << "seed " << seed;
  }
}

}  // namespace
}  // namespace casepack
