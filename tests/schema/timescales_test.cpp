#include "casepack/timescales.h"

#include <gtest/gtest.h>

#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using testing::D;

const TimescaleStep& Step(const CaseTimescales& t, std::string_view key) {
  for (const auto& s : t.steps) {
    if (s.key == key) return s;
  }
  ADD_FAILURE() << "no step " << key;
  static const TimescaleStep kNone;
  return kNone;
}

TEST(Timescales, MasFreshReferral) {
  // Conference Monday 2 March 2026; today 10 March.
  const auto t = ComputeTimescales(testing::MasCase(), D("2026-03-10"));
  ASSERT_EQ(t.steps.size(), 5u);
  EXPECT_EQ(t.steps[0].key, "event-booked");
  EXPECT_EQ(Step(t, "event-booked").due, D("2026-03-16"));  // 2 weeks
  EXPECT_EQ(Step(t, "event-booked").state, StepState::kDue);
  EXPECT_EQ(Step(t, "papers-received").state, StepState::kWaiting);  // needs the event date
  EXPECT_FALSE(Step(t, "papers-received").due.has_value());
  EXPECT_EQ(Step(t, "event").due, D("2026-04-13"));  // 6 weeks
  EXPECT_EQ(Step(t, "event").state, StepState::kDue);
  EXPECT_EQ(Step(t, "summary-report").state, StepState::kWaiting);
  EXPECT_EQ(Step(t, "conference-to-report").due, D("2026-04-27"));  // 8 weeks
  EXPECT_EQ(Step(t, "conference-to-report").source, "003 §4.11");
}

TEST(Timescales, MasOverdueBooking) {
  auto t = ComputeTimescales(testing::MasCase(), D("2026-03-16"));
  EXPECT_EQ(Step(t, "event-booked").state, StepState::kDue);  // the due day itself is still in time
  t = ComputeTimescales(testing::MasCase(), D("2026-03-17"));
  EXPECT_EQ(Step(t, "event-booked").state, StepState::kOverdue);
}

TEST(Timescales, MasAllDoneInTime) {
  Case c = testing::MasCase();
  c.key_dates["event-booked"] = D("2026-03-10");
  c.key_dates["papers-received"] = D("2026-03-31");
  c.key_dates["event"] = D("2026-04-08");
  c.key_dates["summary-report-sent"] = D("2026-04-20");
  const auto t = ComputeTimescales(c, D("2026-05-01"));
  for (const auto& s : t.steps) {
    EXPECT_EQ(s.state, StepState::kDone) << s.key;
    EXPECT_FALSE(s.late) << s.key;
  }
  EXPECT_EQ(Step(t, "papers-received").due, D("2026-04-01"));
  EXPECT_EQ(Step(t, "summary-report").due, D("2026-04-22"));
  EXPECT_EQ(Step(t, "summary-report").done_on, D("2026-04-20"));
}

TEST(Timescales, MasLateStepsAreFlagged) {
  Case c = testing::MasCase();
  c.key_dates["event-booked"] = D("2026-03-20");  // 18 days
  c.key_dates["papers-received"] = D("2026-04-06");  // 2 days before the event
  c.key_dates["event"] = D("2026-04-08");
  c.key_dates["summary-report-sent"] = D("2026-04-28");  // 20 days after; 57 days after the conference
  const auto t = ComputeTimescales(c, D("2026-05-01"));
  EXPECT_TRUE(Step(t, "event-booked").late);
  EXPECT_TRUE(Step(t, "papers-received").late);
  EXPECT_FALSE(Step(t, "event").late);
  EXPECT_TRUE(Step(t, "summary-report").late);
  EXPECT_TRUE(Step(t, "conference-to-report").late);
}

TEST(Timescales, MasEventBookedAfterTheLimit) {
  Case c = testing::MasCase();
  c.key_dates["event"] = D("2026-04-20");  // limit is 13 April
  const auto t = ComputeTimescales(c, D("2026-03-20"));
  const auto& ev = Step(t, "event");
  EXPECT_EQ(ev.state, StepState::kDue);  // not held yet
  EXPECT_NE(ev.note.find("scheduled for 2026-04-20, after the limit"), std::string::npos) << ev.note;
  EXPECT_EQ(Step(t, "papers-received").due, D("2026-04-13"));
  EXPECT_EQ(Step(t, "papers-received").state, StepState::kDue);
  EXPECT_EQ(Step(t, "summary-report").due, D("2026-05-04"));
  // Once the day has passed, the event is done, late.
  const auto later = ComputeTimescales(c, D("2026-04-21"));
  EXPECT_EQ(Step(later, "event").state, StepState::kDone);
  EXPECT_TRUE(Step(later, "event").late);
}

TEST(Timescales, MasWithoutConferenceWaits) {
  Case c = testing::MasCase();
  c.key_dates.clear();
  const auto t = ComputeTimescales(c, D("2026-03-20"));
  for (const auto& s : t.steps) EXPECT_EQ(s.state, StepState::kWaiting) << s.key;
}

TEST(Timescales, MapmMinutesInFiveWorkingDaysOverEaster) {
  Case c;
  c.id = "MAPM-1";
  c.event_type = EventType::kMapm;
  c.subject = {"C.D.", "Torfaen"};
  c.key_dates = {{"meeting", D("2026-04-02")}};  // Thursday before Good Friday
  auto t = ComputeTimescales(c, D("2026-04-13"));
  const auto& minutes = Step(t, "minutes-sent");
  EXPECT_EQ(minutes.due, D("2026-04-13"));
  EXPECT_EQ(minutes.state, StepState::kDue);
  EXPECT_EQ(minutes.source, "002 §7");
  t = ComputeTimescales(c, D("2026-04-14"));
  EXPECT_EQ(Step(t, "minutes-sent").state, StepState::kOverdue);

  EXPECT_EQ(Step(t, "action-plan-review").due, D("2026-07-02"));
  c.key_dates["last-action-plan-review"] = D("2026-06-15");
  c.key_dates["next-review"] = D("2026-10-01");
  c.key_dates["minutes-sent"] = D("2026-04-09");
  t = ComputeTimescales(c, D("2026-09-16"));
  EXPECT_EQ(Step(t, "minutes-sent").state, StepState::kDone);
  const auto& review = Step(t, "action-plan-review");
  EXPECT_EQ(review.due, D("2026-09-15"));
  EXPECT_EQ(review.state, StepState::kOverdue);
  EXPECT_NE(review.note.find("after the 3-month limit"), std::string::npos) << review.note;
}

TEST(Timescales, MapmUsesTheGivenCalendar) {
  Case c;
  c.id = "MAPM-2";
  c.event_type = EventType::kMapm;
  c.subject = {"C.D.", "Torfaen"};
  c.key_dates = {{"meeting", D("2026-04-02")}};
  const auto none = WorkingDayCalendar::Parse("").value();
  const auto t = ComputeTimescales(c, D("2026-04-03"), none);
  EXPECT_EQ(Step(t, "minutes-sent").due, D("2026-04-09"));
}

TEST(Timescales, MapfOnlyWhatTheGuidanceSays) {
  Case c;
  c.id = "MAPF-1";
  c.event_type = EventType::kMapf;
  c.subject = {"E.F.", "Ceredigion"};
  c.key_dates = {{"event", D("2026-05-12")}};
  const auto t = ComputeTimescales(c, D("2026-05-01"));
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_EQ(t.steps[0].key, "papers-circulated");
  EXPECT_EQ(t.steps[0].due, D("2026-05-11"));
  EXPECT_EQ(t.steps[0].source, "000 §8");
}

TEST(Timescales, ClosedCaseShowsOnlyDoneSteps) {
  Case c = testing::MasCase();
  c.key_dates["event-booked"] = D("2026-03-10");
  c.status = CaseStatus::kCancelled;
  const auto t = ComputeTimescales(c, D("2026-06-01"));
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_EQ(t.steps[0].key, "event-booked");
}

TEST(Timescales, JsonForDeadlines) {
  Case c = testing::MasCase();
  c.key_dates["event-booked"] = D("2026-03-10");
  const auto j = ToJson(ComputeTimescales(c, D("2026-04-20")));
  EXPECT_EQ(j["case_id"], "MAS-2026-014");
  EXPECT_EQ(j["event_type"], "MAS");
  EXPECT_EQ(j["today"], "2026-04-20");
  ASSERT_EQ(j["steps"].size(), 5u);
  const auto& booked = j["steps"][0];
  EXPECT_EQ(booked["state"], "done");
  EXPECT_EQ(booked["done_on"], "2026-03-10");
  EXPECT_TRUE(booked["days_left"].is_null());
  const auto& event = j["steps"][2];
  EXPECT_EQ(event["key"], "event");
  EXPECT_EQ(event["state"], "overdue");
  EXPECT_EQ(event["due"], "2026-04-13");
  EXPECT_EQ(event["days_left"], -7);
  const auto& papers = j["steps"][1];
  EXPECT_EQ(papers["state"], "waiting");
  EXPECT_TRUE(papers["due"].is_null());
  for (const auto& s : j["steps"]) {
    for (const char* k : {"key", "title", "rule", "source", "due", "state", "done_on", "late", "days_left", "note"}) {
      EXPECT_TRUE(s.contains(k)) << k;
    }
  }
}

// CPR/APR (001 referral form): the report within 6 months of the referral, in calendar months (a referral on
// 31 August is due on the last day of February); the agencies' timelines by the panel's deadline, else the
// day before the learning event; an APR follows the same process.
TEST(Timescales, PracticeReviewReportWithinSixMonthsOfReferral) {
  for (EventType type : {EventType::kCpr, EventType::kApr}) {
    Case c;
    c.id = "pr";
    c.event_type = type;
    c.subject = {"R", "Merthyr Tydfil"};
    c.key_dates["referral"] = D("2026-08-31");
    auto t = ComputeTimescales(c, D("2027-02-28"));
    ASSERT_EQ(t.steps.size(), 2u);
    EXPECT_EQ(Step(t, "review-report").due, D("2027-02-28"));
    EXPECT_EQ(Step(t, "review-report").state, StepState::kDue);
    EXPECT_EQ(Step(t, "agency-timelines").state, StepState::kWaiting);
    EXPECT_EQ(ComputeTimescales(c, D("2027-03-01")).steps[1].state, StepState::kOverdue);

    c.key_dates["event"] = D("2026-12-10");
    EXPECT_EQ(Step(ComputeTimescales(c, D("2026-12-01")), "agency-timelines").due, D("2026-12-09"));
    c.key_dates["timelines-due"] = D("2026-11-20");
    EXPECT_EQ(Step(ComputeTimescales(c, D("2026-12-01")), "agency-timelines").state, StepState::kOverdue);

    c.key_dates["completion-agreed"] = D("2027-01-31");
    EXPECT_EQ(Step(ComputeTimescales(c, D("2026-12-01")), "review-report").note, "the Board agreed completion by 2027-01-31");
    c.key_dates["completion-agreed"] = D("2027-05-31");
    EXPECT_EQ(Step(ComputeTimescales(c, D("2026-12-01")), "review-report").note,
              "the Board agreed completion by 2027-05-31, after the 6-month limit");

    c.key_dates["board-presented"] = D("2027-03-02");
    t = ComputeTimescales(c, D("2027-04-01"));
    EXPECT_EQ(Step(t, "review-report").state, StepState::kDone);
    EXPECT_TRUE(Step(t, "review-report").late);
    EXPECT_EQ(Step(t, "review-report").note, "") << "nothing to say of a completion date once the report is done";
  }
}

}  // namespace
}  // namespace casepack
