// Timescales: for one case, each step its event type's guidance sets a limit for, with the due date and
// whether it is done, due or overdue as of a given day. Rules and their sources are in docs/domain.md:
//   MAS  (003 §4.4, §4.6, §4.7, §4.9, §4.11, Appendix 1) — calendar days/weeks from the conference
//        where the referral was agreed, and from the event;
//   MAPM (002 §7, §10) — minutes within 5 working days; action plan review at least every 3 months;
//   MAPF (000) — the guidance sets no time limits; the one ordering it states (papers before the event,
//        000 §8) is the only step reported;
//   CPR/APR (001) — the report within 6 months of the referral; agencies' timelines by the panel's
//        deadline, before the learning event.
// Pure: "today" is a parameter (the caller decides which clock to trust).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/domain.h"

namespace casepack {

enum class StepState {
  kDone,     // the step's key date is recorded (see `late` for whether it met the limit)
  kDue,      // not done; today is on or before the due date
  kOverdue,  // not done; today is after the due date
  kWaiting,  // not done; the due date depends on a key date not yet recorded (e.g. the event date)
};
std::string_view ToString(StepState s);  // "done", "due", "overdue", "waiting"

struct TimescaleStep {
  std::string key;     // stable: "event-booked", "summary-report", "minutes-sent", …
  std::string title;   // "Event booked and core group invited"
  std::string rule;    // "within 2 weeks of the referral conference"
  std::string source;  // "003 §4.4"
  std::optional<Date> due;      // absent when kWaiting
  StepState state = StepState::kWaiting;
  std::optional<Date> done_on;  // the key date that completed the step, when kDone
  bool late = false;            // kDone after the due date
  std::string note;             // optional explanation, e.g. "scheduled for … , after the limit" (English)
  // The same note as catalogue keys (labels.json "step-note.*"), so it reads in any language (StepNote).
  std::string note_key;         // empty: no note
  std::optional<Date> note_date;
  std::string note_tail_key;    // e.g. "step-note.after-limit", or empty
  std::string recipient;        // recipient steps ("report-to:…"): the recipient's name; action steps: the action
};

struct CaseTimescales {
  std::string case_id;
  EventType event_type = EventType::kMas;
  Date today;
  std::vector<TimescaleStep> steps;  // in process order
};

// Every documented step for the case's type. Never fails: missing key dates give kWaiting steps.
// A closed or cancelled case reports only steps already done (nothing is due on a finished case).
// The calendar matters only for working-day rules (MAPM minutes).
CaseTimescales ComputeTimescales(const Case& c, const Date& today,
                                 const WorkingDayCalendar& calendar = WorkingDayCalendar::EnglandAndWales());

// One step per open action with a target date ("action:ID"): due until that date, overdue after it (an
// action done or dropped is no longer a deadline). Case content: the step's title names the action.
std::vector<TimescaleStep> ActionSteps(const std::vector<Action>& actions, const Date& today);

// The `casepack deadlines --json` form:
// {"case_id": "...", "event_type": "MAS", "today": "2026-03-04",
//  "steps": [{"key", "title", "rule", "source", "due" (date|null), "state", "done_on" (date|null),
//             "late", "days_left" (due - today, int|null; negative when overdue), "note"}]}
nlohmann::json ToJson(const CaseTimescales& t);

}  // namespace casepack
