// Checks the embedded England-and-Wales bank-holiday list two ways: known published dates (including
// every one-off change), and an independent recomputation of the standing rules for each year.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "casepack/dates.h"
#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using testing::D;

const WorkingDayCalendar& Cal() { return WorkingDayCalendar::EnglandAndWales(); }

TEST(BankHolidays, EmbeddedListParsesAndCovers2020To2030) {
  auto parsed = WorkingDayCalendar::Parse(EmbeddedEnglandAndWalesBankHolidays());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(Cal().FirstYear(), 2020);
  ASSERT_TRUE(Cal().LastYear().has_value());
  EXPECT_GE(*Cal().LastYear(), 2030);
  for (const auto& h : Cal().holidays()) {
    const Weekday w = WeekdayOf(h.date);
    EXPECT_NE(w, Weekday::kSaturday) << FormatDate(h.date);
    EXPECT_NE(w, Weekday::kSunday) << FormatDate(h.date);
    EXPECT_FALSE(h.name.empty());
  }
}

TEST(BankHolidays, EmbeddedTextIsTheDataFile) {
  const std::string path = std::string(CASEPACK_SOURCE_DIR) + "/schema/data/bank-holidays-england-and-wales.txt";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), EmbeddedEnglandAndWalesBankHolidays()) << "rebuild after editing the data file";
}

TEST(BankHolidays, KnownPublishedDates) {
  for (std::string_view d : {
           "2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25",
           "2020-12-28", "2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30",
           "2021-12-27", "2021-12-28", "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02",
           "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27", "2023-01-02", "2023-04-07",
           "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
           "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25",
           "2024-12-26", "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
           "2025-12-25", "2025-12-26", "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
           "2026-08-31", "2026-12-25", "2026-12-28", "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
           "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"}) {
    EXPECT_TRUE(Cal().IsBankHoliday(D(d))) << d;
  }
  // The usual dates that one-off changes moved: not holidays.
  EXPECT_FALSE(Cal().IsBankHoliday(D("2020-05-04")));  // early May moved to VE day
  EXPECT_FALSE(Cal().IsBankHoliday(D("2022-05-30")));  // spring moved to 2 June
  EXPECT_FALSE(Cal().IsBankHoliday(D("2026-12-26")));  // Saturday: substitute on the 28th
  EXPECT_FALSE(Cal().IsBankHoliday(D("2026-03-17")));  // St Patrick's Day is Northern Ireland only
  // 2020-2027 has exactly 8 a year except 2022 (10) and 2023 (9).
  std::map<int, int> per_year;
  for (const auto& h : Cal().holidays()) per_year[h.date.year]++;
  for (int y = 2020; y <= 2030; ++y) {
    EXPECT_EQ(per_year[y], y == 2022 ? 10 : y == 2023 ? 9 : 8) << y;
  }
}

// Independent of the generator: the "Meeus/Jones/Butcher" Gregorian computus.
Date Easter(int y) {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  return Date{y, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1};
}

Date NthWeekday(int y, int month, Weekday w, bool last) {
  Date d = last ? Date{y, month, DaysInMonth(y, month)} : Date{y, month, 1};
  while (WeekdayOf(d) != w) d = AddDays(d, last ? -1 : 1);
  return d;
}

Date NextWeekdayOnOrAfter(Date d) {
  while (WeekdayOf(d) == Weekday::kSaturday || WeekdayOf(d) == Weekday::kSunday) d = AddDays(d, 1);
  return d;
}

TEST(BankHolidays, StandingRulesHoldEveryYear) {
  EXPECT_EQ(Easter(2024), D("2024-03-31"));
  EXPECT_EQ(Easter(2026), D("2026-04-05"));
  EXPECT_EQ(Easter(2030), D("2030-04-21"));
  for (int y = 2020; y <= 2030; ++y) {
    SCOPED_TRACE(y);
    std::set<Date> expected;
    expected.insert(NextWeekdayOnOrAfter(Date{y, 1, 1}));
    expected.insert(AddDays(Easter(y), -2));
    expected.insert(AddDays(Easter(y), 1));
    expected.insert(y == 2020 ? D("2020-05-08") : NthWeekday(y, 5, Weekday::kMonday, false));
    if (y == 2023) expected.insert(D("2023-05-08"));
    if (y == 2022) {
      expected.insert(D("2022-06-02"));
      expected.insert(D("2022-06-03"));
      expected.insert(D("2022-09-19"));
    } else {
      expected.insert(NthWeekday(y, 5, Weekday::kMonday, true));
    }
    expected.insert(NthWeekday(y, 8, Weekday::kMonday, true));
    // Christmas and Boxing Day: each on its day if a weekday, else the next weekday not already taken.
    const Date christmas = NextWeekdayOnOrAfter(Date{y, 12, 25});
    Date boxing = NextWeekdayOnOrAfter(Date{y, 12, 26});
    if (boxing == christmas) boxing = NextWeekdayOnOrAfter(AddDays(christmas, 1));
    expected.insert(christmas);
    expected.insert(boxing);

    std::set<Date> actual;
    for (const auto& h : Cal().holidays()) {
      if (h.date.year == y) actual.insert(h.date);
    }
    EXPECT_EQ(actual, expected);
  }
}

TEST(WorkingDays, SkipWeekendsAndBankHolidays) {
  EXPECT_TRUE(Cal().IsWorkingDay(D("2026-03-02")));
  EXPECT_FALSE(Cal().IsWorkingDay(D("2026-03-07")));  // Saturday
  EXPECT_FALSE(Cal().IsWorkingDay(D("2026-04-03")));  // Good Friday
  // Monday + 5 working days = next Monday.
  EXPECT_EQ(Cal().AddWorkingDays(D("2026-03-02"), 5), D("2026-03-09"));
  // Over Easter: Thu 2 April 2026; Fri 3 and Mon 6 are bank holidays.
  EXPECT_EQ(Cal().AddWorkingDays(D("2026-04-02"), 5), D("2026-04-13"));
  // Over Christmas 2026 (Boxing Day substitute on Mon 28) and New Year 2027.
  EXPECT_EQ(Cal().AddWorkingDays(D("2026-12-23"), 5), D("2027-01-04"));
  // From a weekend day.
  EXPECT_EQ(Cal().AddWorkingDays(D("2026-03-07"), 1), D("2026-03-09"));
  EXPECT_EQ(Cal().AddWorkingDays(D("2026-03-07"), 0), D("2026-03-07"));
  EXPECT_EQ(Cal().WorkingDaysBetween(D("2026-03-02"), D("2026-03-09")), 5);
  EXPECT_EQ(Cal().WorkingDaysBetween(D("2026-04-02"), D("2026-04-13")), 5);
  EXPECT_EQ(Cal().WorkingDaysBetween(D("2026-03-09"), D("2026-03-02")), 0);
}

TEST(WorkingDays, ParseRejectsBadFilesWithLineNumbers) {
  auto unsorted = WorkingDayCalendar::Parse("# c\n2026-01-01 New Year\n2025-12-25 Christmas\n");
  ASSERT_FALSE(unsorted.ok());
  EXPECT_NE(unsorted.error().message.find("line 3"), std::string::npos) << unsorted.error().message;

  auto bad_date = WorkingDayCalendar::Parse("2026-02-30 Nonsense\n");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().message.find("line 1"), std::string::npos);
  EXPECT_NE(bad_date.error().message.find("day 30"), std::string::npos);

  EXPECT_FALSE(WorkingDayCalendar::Parse("2026-01-01\n").ok());
  EXPECT_FALSE(WorkingDayCalendar::Parse("2026-01-01  \n").ok());
  EXPECT_FALSE(WorkingDayCalendar::Parse("2026-01-01\tNew Year\n").ok());
  EXPECT_FALSE(WorkingDayCalendar::Parse("2026-01-01 A\n2026-01-01 B\n").ok());  // duplicate

  auto crlf = WorkingDayCalendar::Parse("\r\n2026-01-01 New Year\r\n");
  ASSERT_TRUE(crlf.ok());
  ASSERT_EQ(crlf->holidays().size(), 1u);
  EXPECT_EQ(crlf->holidays()[0].name, "New Year");

  auto empty = WorkingDayCalendar::Parse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->FirstYear().has_value());
  EXPECT_TRUE(empty->IsWorkingDay(D("2026-12-25")));
}

}  // namespace
}  // namespace casepack
