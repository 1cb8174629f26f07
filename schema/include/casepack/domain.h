// The domain: cases, documents, attendance, note sections, actions, chronologies, participant feedback
// and concurrent ("conflicted") values. Plain structs and pure functions: no storage, no sync, no I/O.
// Source guidance: /shared/domain (003 MAS, 000 MAPF, 002 MAPM, 001 chronology); map in docs/domain.md.
//
// Every type has
//   * a Validate…() returning Status (kInvalidArgument, message naming the field, never its content), and
//   * an explicit JSON form: `nlohmann::json ToJson(const T&)` and `Result<T> FromJson<T>(const json&)`.
// JSON is deliberately NOT wired into nlohmann's implicit to_json/from_json hooks, and there is no
// operator<<: these types hold a child's record, and conversion must be a visible call, never something a
// log line can do by accident. FromJson is strict: unknown fields, wrong types and invalid values are
// kInvalidArgument naming the JSON path ("case.key_dates.event: ..."); it validates what it parses.
//
// Stable machine keys (event types, statuses, section keys, key-date keys, document types) are part of
// the stored and transferred formats: never rename one, only add.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/result.h"

namespace casepack {

// Strict JSON parsing entry point; explicit specialisations for every domain type are defined in the
// library (using FromJson<T> with another T is a link error).
template <typename T>
[[nodiscard]] Result<T> FromJson(const nlohmann::json& j);

// ---- event types, statuses -----------------------------------------------------------------------------

enum class EventType {
  kMas,   // Multi-Agency Supervision (003)
  kMapf,  // Multi-Agency Professional Forum (000)
  kMapm,  // Multi-Agency Professionals' Meeting (002)
  kCpr,   // Child Practice Review (001, 004)
  kApr,   // Adult Practice Review (001): the same process as a CPR, for an adult at risk
};
std::string_view ToString(EventType t);      // "MAS", "MAPF", "MAPM", "CPR", "APR"
std::string_view LongName(EventType t);      // "Multi-Agency Supervision"
Result<EventType> ParseEventType(std::string_view text);  // case-insensitive "MAS"/"mas"
std::span<const EventType> AllEventTypes();
// The type whose process (key dates, note sections, timescales, date order) `t` follows: an APR follows
// the CPR's (001 guides both together); every other type its own.
EventType ProcessOf(EventType t);

enum class CaseStatus { kOpen, kClosed, kCancelled };
std::string_view ToString(CaseStatus s);  // "open", "closed", "cancelled"
Result<CaseStatus> ParseCaseStatus(std::string_view text);

// ---- key dates -----------------------------------------------------------------------------------------

// A dated milestone a case of some type records. Keys are per event type.
struct KeyDateDef {
  std::string_view key;     // "referral-conference"
  std::string_view title;   // "Conference where the MAS referral was agreed"
  std::string_view source;  // "003 §4.4"
};
std::span<const KeyDateDef> KeyDateDefs(EventType t);
// kNotFound: "unknown key date 'x' for MAS; known: referral-conference, …".
Result<const KeyDateDef*> FindKeyDate(EventType t, std::string_view key);

namespace keydate {
// MAS (003 §4, Appendix 1)
inline constexpr std::string_view kMasReferralConference = "referral-conference";
inline constexpr std::string_view kMasEventBooked = "event-booked";
inline constexpr std::string_view kMasPapersReceived = "papers-received";
inline constexpr std::string_view kMasEvent = "event";
inline constexpr std::string_view kMasSummaryReportSent = "summary-report-sent";
inline constexpr std::string_view kMasFacilitatorsPrepare = "facilitators-prepare";  // §4.8, before the event
inline constexpr std::string_view kMasFacilitatorsDebrief = "facilitators-debrief";  // §4.8, after it
// MAPF (000 §1, §6, §8)
inline constexpr std::string_view kMapfReferralAgreed = "referral-agreed";
inline constexpr std::string_view kMapfPapersCirculated = "papers-circulated";
inline constexpr std::string_view kMapfEvent = "event";
inline constexpr std::string_view kMapfReportSent = "report-sent";
inline constexpr std::string_view kMapfChairApproved = "chair-approved";        // 000 §1: the Chair approves
inline constexpr std::string_view kMapfPrinciplesAgreed = "principles-agreed";  // 000 §4
inline constexpr std::string_view kMapfLogAgreed = "log-agreed";                // 000 §6
inline constexpr std::string_view kMapfLogMonitored = "log-monitored";          // 000 §9: the last LOG review
// MAPM (002 §7, §10)
inline constexpr std::string_view kMapmMeeting = "meeting";
inline constexpr std::string_view kMapmMinutesSent = "minutes-sent";
inline constexpr std::string_view kMapmLastActionPlanReview = "last-action-plan-review";
inline constexpr std::string_view kMapmNextReview = "next-review";
// CPR and APR (001 "Process for APRs/CPRs/MAPF", referral form, Panel Timetable; 004 "CPR Process")
inline constexpr std::string_view kPrReferral = "referral";                          // received by the Business Unit
inline constexpr std::string_view kPrSubGroupRecommended = "sub-group-recommended";  // Case Review Sub-Group (JRG)
inline constexpr std::string_view kPrChairDecided = "chair-decided";                 // the Board Chair agreed
inline constexpr std::string_view kPrWelshGovernmentNotified = "welsh-government-notified";
inline constexpr std::string_view kPrReviewersAppointed = "reviewers-appointed";     // panel chair and reviewer(s)
inline constexpr std::string_view kPrFirstPanel = "first-panel";
inline constexpr std::string_view kPrTimelinesDue = "timelines-due";                 // deadline set by the first panel
inline constexpr std::string_view kPrTimelineAgreed = "timeline-agreed";             // the merged timeline
inline constexpr std::string_view kPrFamilyMet = "family-met";                       // reviewers met the family
inline constexpr std::string_view kPrEvent = "event";                                // the learning event
inline constexpr std::string_view kPrDraftReport = "draft-report";                   // draft report and plan to the Sub-Group
inline constexpr std::string_view kPrCompletionAgreed = "completion-agreed";         // anticipated completion, agreed by the Board
inline constexpr std::string_view kPrBoardPresented = "board-presented";             // final report presented to the Board
inline constexpr std::string_view kPrPublished = "published";                        // sent to Welsh Government, published
}  // namespace keydate

// ---- case ----------------------------------------------------------------------------------------------

struct Subject {
  std::string name_or_initials;  // as the referral gives it; initials preferred (001 hints)
  std::string area;              // local authority area, e.g. "Newport"; kept after purge (003 §4.10)
};

struct Case {
  std::string id;  // stable identifier: 1..64 of [A-Za-z0-9._-]
  EventType event_type = EventType::kMas;
  Subject subject;
  std::string lead_agency;  // MAPF: the lead agency (000 §6); MAPM: the convening agency (002 §5)
  std::string venue;        // optional
  std::map<std::string, Date, std::less<>> key_dates;  // keys from KeyDateDefs(event_type)
  CaseStatus status = CaseStatus::kOpen;
  bool legal_hold = false;  // court proceedings: suspends purge (003 §4.5); see retention_policy.h

  [[nodiscard]] std::optional<Date> KeyDate(std::string_view key) const;
};

// id format, subject name and area present, every key date known for the event type.
Status ValidateCase(const Case& c);
nlohmann::json ToJson(const Case& c);

// ---- documents -----------------------------------------------------------------------------------------

enum class DocumentType {
  kIcpcMinutes,          // Initial Child Protection Conference minutes
  kRcpcMinutes,          // Review Child Protection Conference minutes
  kCoreGroupMinutes,
  kChildProtectionPlan,
  kCaseSummary,          // MAPF (000 §8)
  kBriefingPaper,        // MAPF (000 §8)
  kAgencyChronology,     // 001 Appendix 1
  kAssessmentReport,     // MAPM: the convening agency's most recent assessment (002 §6)
  kOther,
};
std::string_view ToString(DocumentType t);  // "icpc-minutes", "rcpc-minutes", "core-group-minutes", …
std::string_view DocumentTitle(DocumentType t);  // "Initial Child Protection Conference minutes"
Result<DocumentType> ParseDocumentType(std::string_view text);
std::span<const DocumentType> AllDocumentTypes();

struct DocumentMeta {
  std::string id;
  DocumentType type = DocumentType::kOther;
  std::string original_name;  // base name only, as received: no '/', '\\', control characters
  std::uint64_t size = 0;     // bytes
  std::string sha256;         // 64 lower-case hex digits, of the plaintext file
  Date received;
  std::string sending_agency;
};
Status ValidateDocumentMeta(const DocumentMeta& d);
nlohmann::json ToJson(const DocumentMeta& d);

// ---- attendance ----------------------------------------------------------------------------------------

enum class AttendanceStatus { kInvited, kAttended, kApologies, kAbsent };
std::string_view ToString(AttendanceStatus s);  // "invited", "attended", "apologies", "absent"
Result<AttendanceStatus> ParseAttendanceStatus(std::string_view text);

struct Attendance {
  std::string agency;  // "Health", "Gwent Police"
  std::string role;    // "Health visitor"
  std::string name;    // optional
  AttendanceStatus status = AttendanceStatus::kInvited;
  std::string reason;  // why not attending (apologies/absent); optional
};
Status ValidateAttendance(const Attendance& a);
nlohmann::json ToJson(const Attendance& a);
// True for everyone who did not attend: apologies, absent, or invited with no answer by the time of the
// report. This is Appendix 3's "which agency was missing? Reason given".
bool IsMissing(const Attendance& a);

// ---- note sections -------------------------------------------------------------------------------------

struct NoteSectionDef {
  std::string_view key;     // stable machine key, e.g. "risk-factors"
  std::string_view title;   // human title, e.g. "Risk factors / context of significant harm"
  std::string_view prompt;  // the guidance's questions for the section, may be empty
  std::string_view source;  // "003 Appendix 4"
};
// In the guidance's order. MAS: Appendix 4; MAPF: 000 §4 plus learning points; MAPM: the 12 agenda
// items of 002 §7.
std::span<const NoteSectionDef> NoteSections(EventType t);
// kNotFound: "unknown section 'x' for MAS; known: story, protective-factors, …".
Result<const NoteSectionDef*> FindNoteSection(EventType t, std::string_view key);
// Notes keyed by section key: every key must be a section of `t`.
using SectionNotes = std::map<std::string, std::string, std::less<>>;
Status ValidateNotes(EventType t, const SectionNotes& notes);

// ---- concurrent values ---------------------------------------------------------------------------------

// One value of a field as set by one author. `at` is the writer's timestamp as text (ISO date-time or
// an HLC rendering); it is shown to people, never compared here.
template <typename T>
struct Candidate {
  T value{};
  std::string author;
  std::string at;
};

// A field that may hold several concurrent values (design: "keeps all concurrent values and shows the
// conflict until a person picks one"). candidates[0] is the value shown and used (the sync engine puts
// its register winner first); the others are concurrent alternatives. Empty means "not set".
template <typename T>
struct Conflicted {
  std::vector<Candidate<T>> candidates;

  static Conflicted Of(T v, std::string author = {}, std::string at = {}) {
    Conflicted c;
    c.candidates.push_back(Candidate<T>{std::move(v), std::move(author), std::move(at)});
    return c;
  }
  [[nodiscard]] bool empty() const { return candidates.empty(); }
  // REQUIRES: !empty().
  [[nodiscard]] const T& value() const { return candidates.at(0).value; }
  // Candidates whose value differs from value() (two people setting the same value is not a conflict),
  // first occurrence of each distinct value, in order.
  [[nodiscard]] std::vector<const Candidate<T>*> alternatives() const {
    std::vector<const Candidate<T>*> out;
    for (std::size_t i = 1; i < candidates.size(); ++i) {
      const auto& c = candidates[i];
      bool seen = c.value == candidates[0].value;
      for (const auto* o : out) seen = seen || o->value == c.value;
      if (!seen) out.push_back(&c);
    }
    return out;
  }
  [[nodiscard]] bool has_conflict() const { return !alternatives().empty(); }
  // A person picked a value: the conflict is over.
  void Resolve(T v, std::string author = {}, std::string at = {}) { *this = Of(std::move(v), std::move(author), std::move(at)); }
};

// A conflict on any field, already rendered to text, for the report's "unresolved conflicts" list:
// e.g. {"case", "event date", {"2026-03-04" by A, "2026-03-05" by B}}.
struct FieldConflict {
  std::string subject;  // what the field belongs to: "case", "action 3", "attendance: Health"
  std::string field;    // "event date"
  Conflicted<std::string> values;
};
Status ValidateFieldConflict(const FieldConflict& f);
nlohmann::json ToJson(const FieldConflict& f);

// ---- actions -------------------------------------------------------------------------------------------

struct Owner {
  std::string agency;  // "Health"
  std::string role;    // "Health visitor"; at least one of agency/role is set
  friend bool operator==(const Owner&, const Owner&) = default;
};
std::string DescribeOwner(const Owner& o);  // "Health visitor (Health)", "Health", "Health visitor"

enum class ActionStatus { kOpen, kDone, kDropped };
std::string_view ToString(ActionStatus s);  // "open", "done", "dropped"
Result<ActionStatus> ParseActionStatus(std::string_view text);

// The 001 action plan form (MAPF, reviews): recommendation, rationale, intended outcome, how success is
// measured, progress. Optional beside an action's what, owner, target date and status.
struct ActionPlanFields {
  std::string recommendation;
  std::string rationale;
  std::string outcome;   // intended outcome
  std::string measure;   // how will we measure the outcome?
  std::string progress;
  [[nodiscard]] bool empty() const {
    return recommendation.empty() && rationale.empty() && outcome.empty() && measure.empty() && progress.empty();
  }
  friend bool operator==(const ActionPlanFields&, const ActionPlanFields&) = default;
};

// An action reported back to line managers, the core group or the conference (003 §4.7); `to` is an
// ActionReportTargets() key (casepack/process.h).
struct ActionReport {
  std::string to;
  Date on;
  friend bool operator==(const ActionReport&, const ActionReport&) = default;
};

struct Action {
  std::string id;    // stable within the case
  std::string what;
  ActionPlanFields plan;               // 001 form; empty for MAS and MAPM unless given
  std::vector<ActionReport> reported;  // in ActionReportTargets() order
  // Owner and due date keep concurrent values (DESIGN "Sync model": losing one would hurt).
  Conflicted<Owner> owner;
  Conflicted<Date> due;
  ActionStatus status = ActionStatus::kOpen;
};
// what, owner and due date set; every owner candidate names an agency or a role.
Status ValidateAction(const Action& a);
nlohmann::json ToJson(const Action& a);

// ---- chronology ----------------------------------------------------------------------------------------

// One row of the 001 Appendix 1 chronology: Date & Time, Source, Significant Event, Action Taken, Analysis.
struct ChronologyEntry {
  DateTime when;
  std::string source;  // the agency or department
  std::string significant_event;
  std::string action_taken;
  std::string analysis;
};
Status ValidateChronologyEntry(const ChronologyEntry& e);
nlohmann::json ToJson(const ChronologyEntry& e);
// The merged multi-agency timeline: all entries in date order (DateTime ordering: an entry without a
// time comes before timed entries on the same day). Stable: equal times keep the order of the inputs,
// agency by agency as given, then each agency's own order.
std::vector<ChronologyEntry> MergeChronologies(const std::vector<std::vector<ChronologyEntry>>& per_agency);

// The heading of the 001 Appendix 1 chronology ("PRACTICE REVIEW CHRONOLOGY / SUBJECT NAME / Time Period
// Covered: Completed by: Date: Version:"), one per case's chronology. Every field optional.
struct ChronologyHeader {
  std::string subject;             // the subject's name or initials, as the chronology names them
  std::optional<Date> from, to;    // time period covered
  std::string completed_by;        // who completed the chronology (name, role, agency)
  std::optional<Date> date;        // when it was completed
  std::string version;             // e.g. "2", "v1.1"
  [[nodiscard]] bool empty() const {
    return subject.empty() && !from && !to && completed_by.empty() && !date && version.empty();
  }
  friend bool operator==(const ChronologyHeader&, const ChronologyHeader&) = default;
};
// The period runs forwards (from <= to); text fields one line (no control characters), at most 200 bytes.
Status ValidateChronologyHeader(const ChronologyHeader& h);
// {"subject", "from", "to", "completed_by", "date", "version"}: dates "YYYY-MM-DD" or null, texts "" when unset.
nlohmann::json ToJson(const ChronologyHeader& h);

// ---- participant feedback (MAS, 003 Appendix 2) ---------------------------------------------------------

struct FeedbackQuestionDef {
  int number;             // as on the form, 1..6
  std::string_view key;   // "most-useful"
  std::string_view text;  // "What did you find most useful about this event?"
  bool yes_no;            // question 3 asks Yes / No and then for a comment
};
std::span<const FeedbackQuestionDef> FeedbackQuestions();
Result<const FeedbackQuestionDef*> FindFeedbackQuestion(std::string_view key);

struct ParticipantFeedback {
  std::string area;         // "Local Authority Area where MAS Event took place"
  std::optional<Date> date; // "Date of Supervision"
  std::string facilitators; // "Name of Facilitators"
  std::string name;         // optional
  std::string agency;
  std::string role;         // "Your job role"
  std::optional<bool> barriers;  // question 3's Yes / No; nullopt if not answered
  std::map<std::string, std::string, std::less<>> answers;  // question key -> text
};
Status ValidateParticipantFeedback(const ParticipantFeedback& f);
nlohmann::json ToJson(const ParticipantFeedback& f);

// ---- JSON for small value types, used by the structs above ---------------------------------------------

nlohmann::json ToJson(const Date& d);          // "2026-03-04"
nlohmann::json ToJson(const DateTime& dt);     // "2026-03-04" or "2026-03-04T09:30"
nlohmann::json ToJson(const Owner& o);         // {"agency": …, "role": …}
nlohmann::json ToJson(const SectionNotes& n);  // {"story": "…", …}

template <typename T>
nlohmann::json ToJson(const Conflicted<T>& c) {
  // [{"value": …, "author": …, "at": …}, …]; first is the shown value.
  nlohmann::json out = nlohmann::json::array();
  for (const auto& cand : c.candidates) {
    nlohmann::json v;
    if constexpr (std::is_same_v<T, std::string>) {
      v = cand.value;
    } else {
      v = ToJson(cand.value);
    }
    out.push_back({{"value", std::move(v)}, {"author", cand.author}, {"at", cand.at}});
  }
  return out;
}

// Strict parsers (see the top of this file).
template <> Result<Date> FromJson<Date>(const nlohmann::json& j);
template <> Result<DateTime> FromJson<DateTime>(const nlohmann::json& j);
template <> Result<Owner> FromJson<Owner>(const nlohmann::json& j);
template <> Result<SectionNotes> FromJson<SectionNotes>(const nlohmann::json& j);
template <> Result<ActionPlanFields> FromJson<ActionPlanFields>(const nlohmann::json& j);
template <> Result<ActionReport> FromJson<ActionReport>(const nlohmann::json& j);
nlohmann::json ToJson(const ActionPlanFields& p);
nlohmann::json ToJson(const ActionReport& r);
template <> Result<Conflicted<std::string>> FromJson<Conflicted<std::string>>(const nlohmann::json& j);
template <> Result<Conflicted<Owner>> FromJson<Conflicted<Owner>>(const nlohmann::json& j);
template <> Result<Conflicted<Date>> FromJson<Conflicted<Date>>(const nlohmann::json& j);
template <> Result<Case> FromJson<Case>(const nlohmann::json& j);
template <> Result<DocumentMeta> FromJson<DocumentMeta>(const nlohmann::json& j);
template <> Result<Attendance> FromJson<Attendance>(const nlohmann::json& j);
template <> Result<FieldConflict> FromJson<FieldConflict>(const nlohmann::json& j);
template <> Result<Action> FromJson<Action>(const nlohmann::json& j);
template <> Result<ChronologyEntry> FromJson<ChronologyEntry>(const nlohmann::json& j);
template <> Result<ChronologyHeader> FromJson<ChronologyHeader>(const nlohmann::json& j);
template <> Result<ParticipantFeedback> FromJson<ParticipantFeedback>(const nlohmann::json& j);

}  // namespace casepack
