#include "casepack/timescales.h"

#include "casepack/labels.h"

#include <algorithm>
#include <cstdlib>

namespace casepack {

namespace {

using nlohmann::json;

// A step's note, by catalogue key; `note` keeps its English for --json.
void SetNote(TimescaleStep& s, std::string key, std::optional<Date> date = std::nullopt, std::string tail_key = "") {
  s.note_key = std::move(key);
  s.note_date = date;
  s.note_tail_key = std::move(tail_key);
  s.note = StepNote(Language::kEnglish, s);
}

TimescaleStep MakeStep(std::string key, std::string title, std::string rule, std::string source,
                       std::optional<Date> due, std::optional<Date> done_on, const Date& today) {
  TimescaleStep s;
  s.key = std::move(key);
  s.title = std::move(title);
  s.rule = std::move(rule);
  s.source = std::move(source);
  s.due = due;
  if (done_on) {
    s.state = StepState::kDone;
    s.done_on = done_on;
    s.late = due.has_value() && *done_on > *due;
  } else if (!due) {
    s.state = StepState::kWaiting;
  } else {
    s.state = today <= *due ? StepState::kDue : StepState::kOverdue;
  }
  return s;
}

std::optional<Date> Plus(const std::optional<Date>& d, std::int64_t days) {
  if (!d) return std::nullopt;
  return AddDays(*d, days);
}

void MasSteps(const Case& c, const Date& today, std::vector<TimescaleStep>* out) {
  const auto conference = c.KeyDate(keydate::kMasReferralConference);
  const auto event = c.KeyDate(keydate::kMasEvent);
  const auto report = c.KeyDate(keydate::kMasSummaryReportSent);

  out->push_back(MakeStep("event-booked", "Event booked and core group invited",
                          "within 2 weeks of the conference where the referral was agreed",
                          "003 §4.4, Appendix 1", Plus(conference, 14), c.KeyDate(keydate::kMasEventBooked),
                          today));

  auto papers = MakeStep("papers-received", "Papers received (conference and core group minutes, plan)",
                         "at least 1 week before the event", "003 §4.6, Appendix 1", Plus(event, -7),
                         c.KeyDate(keydate::kMasPapersReceived), today);
  if (papers.state == StepState::kWaiting) SetNote(papers, "step-note.follows-event");
  out->push_back(std::move(papers));

  // The recorded event date may be a booking in the future: the event is done only once that day has come.
  const bool held = event.has_value() && *event <= today;
  auto step = MakeStep("event", "MAS event held", "within 6 weeks of the conference where the referral was agreed",
                       "003 §4.7", Plus(conference, 42), held ? event : std::nullopt, today);
  if (event && !held) {
    SetNote(step, "step-note.scheduled", *event, step.due && *event > *step.due ? "step-note.after-limit" : "");
  }
  out->push_back(std::move(step));

  auto summary = MakeStep("summary-report", "Summary Report sent to social worker, conference chair and Business Unit",
                          "within 2 weeks of the event", "003 §4.9, Appendix 1", Plus(event, 14),
                          report, today);
  if (summary.state == StepState::kWaiting) SetNote(summary, "step-note.follows-event");
  out->push_back(std::move(summary));

  out->push_back(MakeStep("conference-to-report", "Conference to Summary Report received by the Business Unit",
                          "no longer than 8 weeks from the conference where the referral was agreed", "003 §4.11",
                          Plus(conference, 56), report, today));
}

void MapfSteps(const Case& c, const Date& today, std::vector<TimescaleStep>* out) {
  // 000 §8 says only "circulated before each event"; the last day that satisfies it is the day before.
  auto step = MakeStep("papers-circulated", "Briefing papers and case summaries circulated",
                       "before the event (no period is set)", "000 §8", Plus(c.KeyDate(keydate::kMapfEvent), -1),
                       c.KeyDate(keydate::kMapfPapersCirculated), today);
  if (step.state == StepState::kWaiting) SetNote(step, "step-note.follows-event");
  out->push_back(std::move(step));

  // Recurring once the LOG has agreed the plan (000 §6): monitored at its quarterly meetings (000 §9).
  const auto agreed = c.KeyDate(keydate::kMapfLogAgreed);
  if (!agreed) return;
  Date base = *agreed;
  if (const auto last = c.KeyDate(keydate::kMapfLogMonitored); last && *last > base) base = *last;
  out->push_back(MakeStep("log-monitoring", "Action plan monitored at a quarterly LOG meeting",
                          "every quarter once the LOG has agreed the plan", "000 §9", AddMonths(base, 3),
                          std::nullopt, today));
}

void MapmSteps(const Case& c, const Date& today, const WorkingDayCalendar& calendar,
               std::vector<TimescaleStep>* out) {
  const auto meeting = c.KeyDate(keydate::kMapmMeeting);
  std::optional<Date> minutes_due;
  if (meeting) minutes_due = calendar.AddWorkingDays(*meeting, 5);
  out->push_back(MakeStep("minutes-sent", "Minutes and actions distributed to all attendees",
                          "within 5 working days of the meeting", "002 §7", minutes_due,
                          c.KeyDate(keydate::kMapmMinutesSent), today));

  // Recurring: never "done"; the next review is due 3 months after the last one (or the meeting).
  const auto last = c.KeyDate(keydate::kMapmLastActionPlanReview);
  std::optional<Date> base = last ? last : meeting;
  if (last && meeting && *meeting > *last) base = meeting;  // a later meeting reviews the plan too (002 §7)
  std::optional<Date> review_due;
  if (base) review_due = AddMonths(*base, 3);
  auto review = MakeStep("action-plan-review", "Action plan reviewed", "at least every 3 months", "002 §10",
                         review_due, std::nullopt, today);
  if (const auto next = c.KeyDate(keydate::kMapmNextReview)) {
    SetNote(review, "step-note.review-agreed", *next,
            review_due && *next > *review_due ? "step-note.after-3-months" : "");
  }
  out->push_back(std::move(review));
}

// CPR and APR (001). The referral form asks "Will the report be completed within Guidance timeframe? i.e. 6
// months from date of referral": the one limit the guidance sets (calendar months; no working days). The
// agencies' timelines are due by the deadline the first panel sets (Panel Timetable) and are merged before
// the learning event (001 process; 004 "CPR Process").
void PracticeReviewSteps(const Case& c, const Date& today, std::vector<TimescaleStep>* out) {
  std::optional<Date> timelines_due = c.KeyDate(keydate::kPrTimelinesDue);
  if (!timelines_due) timelines_due = Plus(c.KeyDate(keydate::kPrEvent), -1);
  auto timelines = MakeStep("agency-timelines", "Agencies' timelines received and merged",
                            "by the panel's deadline, before the learning event", "001 Panel Timetable, process",
                            timelines_due, c.KeyDate(keydate::kPrTimelineAgreed), today);
  if (timelines.state == StepState::kWaiting) SetNote(timelines, "step-note.follows-event");
  out->push_back(std::move(timelines));

  const auto referral = c.KeyDate(keydate::kPrReferral);
  std::optional<Date> report_due;
  if (referral) report_due = AddMonths(*referral, 6);
  auto report = MakeStep("review-report", "Review report completed and presented to the Board",
                         "within 6 months of the referral", "001 referral form", report_due,
                         c.KeyDate(keydate::kPrBoardPresented), today);
  // The referral form asks for an anticipated completion date "to be agreed by Board" when, say, a
  // prosecution delays the review: shown beside the guidance's limit, flagged when it is later.
  if (const auto agreed = c.KeyDate(keydate::kPrCompletionAgreed); agreed && report.state != StepState::kDone)
    SetNote(report, "step-note.completion-agreed", *agreed, report_due && *agreed > *report_due ? "step-note.after-6-months" : "");
  out->push_back(std::move(report));
}

}  // namespace

std::string_view ToString(StepState s) {
  switch (s) {
    case StepState::kDone: return "done";
    case StepState::kDue: return "due";
    case StepState::kOverdue: return "overdue";
    case StepState::kWaiting: return "waiting";
  }
  std::abort();
}

CaseTimescales ComputeTimescales(const Case& c, const Date& today, const WorkingDayCalendar& calendar) {
  CaseTimescales t;
  t.case_id = c.id;
  t.event_type = c.event_type;
  t.today = today;
  switch (c.event_type) {
    case EventType::kMas: MasSteps(c, today, &t.steps); break;
    case EventType::kMapf: MapfSteps(c, today, &t.steps); break;
    case EventType::kMapm: MapmSteps(c, today, calendar, &t.steps); break;
    case EventType::kCpr:
    case EventType::kApr: PracticeReviewSteps(c, today, &t.steps); break;
  }
  if (c.status != CaseStatus::kOpen) {
    std::erase_if(t.steps, [](const TimescaleStep& s) { return s.state != StepState::kDone; });
  }
  return t;
}

std::vector<TimescaleStep> ActionSteps(const std::vector<Action>& actions, const Date& today) {
  std::vector<TimescaleStep> out;
  for (const Action& a : actions) {
    if (a.status != ActionStatus::kOpen || a.due.empty()) continue;
    auto step = MakeStep("action:" + a.id, "Action: " + a.what, "by its target date", "003 §4.7, 002 §7, 001",
                         a.due.value(), std::nullopt, today);
    step.recipient = a.what;  // StepTitle names the action in any language
    out.push_back(std::move(step));
  }
  return out;
}

json ToJson(const CaseTimescales& t) {
  json steps = json::array();
  for (const auto& s : t.steps) {
    json j = {{"key", s.key},     {"title", s.title},           {"rule", s.rule},
              {"source", s.source}, {"state", ToString(s.state)}, {"late", s.late},
              {"note", s.note}};
    j["due"] = s.due ? json(FormatDate(*s.due)) : json(nullptr);
    j["done_on"] = s.done_on ? json(FormatDate(*s.done_on)) : json(nullptr);
    j["days_left"] = s.due && s.state != StepState::kDone ? json(DaysBetween(t.today, *s.due)) : json(nullptr);
    steps.push_back(std::move(j));
  }
  return {{"case_id", t.case_id},
          {"event_type", ToString(t.event_type)},
          {"today", FormatDate(t.today)},
          {"steps", std::move(steps)}};
}

}  // namespace casepack
