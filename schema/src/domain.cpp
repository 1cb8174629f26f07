#include "casepack/domain.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "json_reader.h"

namespace casepack {

using internal::JsonError;
using internal::Named;
using internal::ObjectReader;
using nlohmann::json;

namespace {

Error Invalid(std::string message, std::string hint = {}) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(hint));
}

// Quotes an identifier-like value (a key, an enum name) in an error, shortened and with control
// characters replaced: it may come from a file, and errors end up on terminals.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  for (char c : text.substr(0, kMax)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (text.size() > kMax) out += "...";
  return out + "'";
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

template <typename E, std::size_t N>
Result<E> ParseEnum(std::string_view what, std::string_view text, const std::array<E, N>& all,
                    std::string_view (*to_string)(E)) {
  for (E e : all) {
    if (to_string(e) == text) return e;
  }
  std::string known;
  for (E e : all) known += (known.empty() ? "" : ", ") + std::string(to_string(e));
  return Invalid("unknown " + std::string(what) + " " + Quote(text) + "; known: " + known);
}

template <typename Def>
std::string KnownKeys(std::span<const Def> defs) {
  std::string out;
  for (const auto& d : defs) out += (out.empty() ? "" : ", ") + std::string(d.key);
  return out;
}

constexpr std::array<EventType, 5> kEventTypes = {EventType::kMas, EventType::kMapf, EventType::kMapm, EventType::kCpr,
                                                  EventType::kApr};
constexpr std::array<CaseStatus, 3> kCaseStatuses = {CaseStatus::kOpen, CaseStatus::kClosed, CaseStatus::kCancelled};
constexpr std::array<DocumentType, 9> kDocumentTypes = {
    DocumentType::kIcpcMinutes,    DocumentType::kRcpcMinutes,      DocumentType::kCoreGroupMinutes,
    DocumentType::kChildProtectionPlan, DocumentType::kCaseSummary, DocumentType::kBriefingPaper,
    DocumentType::kAgencyChronology, DocumentType::kAssessmentReport, DocumentType::kOther};
constexpr std::array<AttendanceStatus, 4> kAttendanceStatuses = {
    AttendanceStatus::kInvited, AttendanceStatus::kAttended, AttendanceStatus::kApologies, AttendanceStatus::kAbsent};
constexpr std::array<ActionStatus, 3> kActionStatuses = {ActionStatus::kOpen, ActionStatus::kDone,
                                                         ActionStatus::kDropped};

// ---- tables from the guidance ----

constexpr KeyDateDef kMasKeyDates[] = {
    {keydate::kMasReferralConference, "Conference where the MAS referral was agreed", "003 §4.2, §4.4"},
    {keydate::kMasEventBooked, "MAS event booked and core group invited", "003 §4.4, Appendix 1"},
    {keydate::kMasPapersReceived, "Papers (conference minutes, core group minutes, plan) received",
     "003 §4.6, Appendix 1"},
    {keydate::kMasEvent, "MAS event", "003 §4.7"},
    {keydate::kMasSummaryReportSent, "Summary Report sent", "003 §4.9, §4.11, Appendix 3"},
    {keydate::kMasFacilitatorsPrepare, "Facilitators' meeting before the event", "003 §4.8, Appendix 1"},
    {keydate::kMasFacilitatorsDebrief, "Facilitators' debrief after the event", "003 §4.8, Appendix 1"},
};
constexpr KeyDateDef kMapfKeyDates[] = {
    {keydate::kMapfReferralAgreed, "MAPF recommended by the Case Review Sub-Group", "000 §1"},
    {keydate::kMapfChairApproved, "MAPF approved by the Chair", "000 §1"},
    {keydate::kMapfPrinciplesAgreed, "Working principles agreed", "000 §4"},
    {keydate::kMapfPapersCirculated, "Briefing papers and case summaries circulated", "000 §8"},
    {keydate::kMapfEvent, "MAPF learning event", "000 §4"},
    {keydate::kMapfReportSent, "Report and action plan sent to the Local Operational Group", "000 §4, §6"},
    {keydate::kMapfLogAgreed, "Report and action plan agreed by the Local Operational Group", "000 §6"},
    {keydate::kMapfLogMonitored, "Last monitoring at a quarterly LOG meeting", "000 §9"},
};
constexpr KeyDateDef kMapmKeyDates[] = {
    {keydate::kMapmMeeting, "Professionals' meeting", "002 §7"},
    {keydate::kMapmMinutesSent, "Minutes and actions distributed", "002 §7"},
    {keydate::kMapmLastActionPlanReview, "Last action plan review", "002 §10"},
    {keydate::kMapmNextReview, "Agreed date of next review", "002 §7 item 12, §10"},
};
// CPR and APR (001; 004 "CPR Process"): referral, the Sub-Group's recommendation and the Chair's decision,
// Welsh Government informed, panel chair and reviewers, the panel, agencies' timelines merged, the family,
// the learning event, the draft report, the Board, publication.
constexpr KeyDateDef kPracticeReviewKeyDates[] = {
    {keydate::kPrReferral, "Referral received by the Business Unit", "001 Requests for a review; referral form"},
    {keydate::kPrSubGroupRecommended, "Review recommended by the Case Review Sub-Group",
     "001 Process for APRs/CPRs; referral form"},
    {keydate::kPrChairDecided, "Review agreed by the Safeguarding Board Chair", "001 referral form (Decision of the Chair)"},
    {keydate::kPrWelshGovernmentNotified, "Referral and recommendation sent to Welsh Government",
     "001 referral form; first panel agenda item 4"},
    {keydate::kPrReviewersAppointed, "Review Panel chair and reviewers appointed", "001 process; role profiles"},
    {keydate::kPrFirstPanel, "First Review Panel meeting", "001 Panel Timetable; first panel agenda"},
    {keydate::kPrTimelinesDue, "Deadline for the agencies' timelines", "001 Panel Timetable"},
    {keydate::kPrTimelineAgreed, "Merged timeline agreed", "001 process; 004 CPR Process"},
    {keydate::kPrFamilyMet, "Reviewers met the family", "001 Engagement with individuals, family and friends"},
    {keydate::kPrEvent, "Learning event", "001 process; 004 CPR Process"},
    {keydate::kPrDraftReport, "Draft report and action plan to the Case Review Sub-Group", "001 process; 004 CPR Process"},
    {keydate::kPrCompletionAgreed, "Anticipated completion date agreed by the Board", "001 referral form"},
    {keydate::kPrBoardPresented, "Final report and action plan presented to the Board", "001 Panel Timetable; 004 CPR Process"},
    {keydate::kPrPublished, "Final report sent to Welsh Government and published", "001 process; 004 CPR Process"},
};

constexpr NoteSectionDef kMasSections[] = {
    {"introductions", "Introductions: purpose and aims of the Multi-Agency Supervision",
     "Who is here and why? What is this supervision for, and what do we hope to achieve?", "003 Appendix 4"},
    {"story", "Story of the case so far", "What has brought us to this point? Any key central dilemmas / issues?",
     "003 Appendix 4"},
    {"protective-factors", "Protective factors / strengths", "", "003 Appendix 4 (Signs of Safety)"},
    {"risk-factors", "Risk factors / context of significant harm", "", "003 Appendix 4 (Signs of Safety)"},
    {"grey-areas", "Grey areas", "", "003 Appendix 4 (Signs of Safety)"},
    {"complicating-factors", "Complicating factors", "", "003 Appendix 4 (Signs of Safety)"},
    {"going-well", "What is going well?", "", "003 Appendix 4"},
    {"what-has-changed", "What has changed over the registration period?", "What feels different? What feels stuck?",
     "003 Appendix 4"},
    {"positive-outcome", "What does a positive outcome look like?", "What are we trying to achieve?",
     "003 Appendix 4"},
    {"inter-agency-working", "Is inter-agency working together effective?",
     "What is helping? What are the barriers if any?", "003 Appendix 4"},
    {"where-next", "Where to next?", "", "003 Appendix 4 (Closing)"},
    {"feedback-to-family", "Feedback to family", "", "003 Appendix 4 (Closing)"},
    {"evaluation", "Evaluating the supervision", "How did the supervision go? What helped, what would improve it?",
     "003 Appendix 4 (Closing)"},
};
constexpr NoteSectionDef kMapfSections[] = {
    {"working-principles", "Working principles agreed at the start",
     "Open and transparent learning, not apportioning blame; confidentiality; safe professional support and "
     "challenge", "000 §4"},
    {"working-well", "What's working well?", "", "000 §4 (Signs of Safety)"},
    {"worried-about", "What are we worried about?", "", "000 §4 (Signs of Safety)"},
    {"needs-to-happen", "What needs to happen?", "Clear practical goals", "000 §4 (Signs of Safety)"},
    {"learning-points", "Learning points",
     "Each learning point, including effective practice, with the relevant circumstances",
     "000 §4, §6; 001 report template"},
};
constexpr NoteSectionDef kMapmSections[] = {
    {"date-time-venue", "Date, time and venue", "", "002 §7 item 1"},
    {"introduction", "Introduction", "Who is in attendance and why", "002 §7 item 2"},
    {"attendance", "Attendance / apologies", "", "002 §7 item 3"},
    {"aim", "Aim of meeting", "What is the issue to be addressed?", "002 §7 item 4"},
    {"needs-before", "Needs, strengths and risks identified by the convening agency prior to the meeting", "",
     "002 §7 item 5"},
    {"new-information", "Additional or new information shared at the meeting", "From all agencies",
     "002 §7 item 6"},
    {"needs-during", "Other needs, strengths and risks identified during the meeting", "", "002 §7 item 7"},
    {"addressing-needs", "How to address these needs?", "What has already been tried?", "002 §7 item 8"},
    {"plan", "Plan to support the family",
     "Identify clearly who is responsible for which actions, with timescales clearly defined", "002 §7 item 9"},
    {"family-group-conference", "Has a Family Group Conference been considered?", "", "002 §7 item 10"},
    {"lead-practitioner", "Lead Practitioner",
     "Agreement about who is to continue as Lead Practitioner, if a change is deemed appropriate",
     "002 §7 item 11"},
    {"next-review", "Date of next review", "If the meeting agrees that this is required", "002 §7 item 12"},
};
// The 001 report template and the panel's work (terms of reference, Appendices A and B).
constexpr NoteSectionDef kPracticeReviewSections[] = {
    {"terms-of-reference", "Terms of reference",
     "The core tasks, and what the panel asked the review to have particular regard to", "001 Appendices A, B"},
    {"time-period", "Time period reviewed and why", "", "001 referral form; report template"},
    {"circumstances", "Circumstances resulting in the review",
     "A succinct anonymised account of the circumstances which required a review", "001 report template"},
    {"family-engagement", "Engagement with the individual and family",
     "Their messages, perspectives and experiences; how feedback will be given before publication",
     "001 Engagement with individuals, family and friends"},
    {"learning-points", "Practice and organisational learning",
     "Each learning point (including effective practice) with a brief outline of the relevant circumstances",
     "001 report template"},
    {"improving-systems", "Improving systems and practice",
     "What needs to be done differently in the future, and how this will improve practice and systems",
     "001 report template"},
    {"reviewer-statement", "Statement by the reviewers", "", "001 report template"},
};

constexpr FeedbackQuestionDef kFeedbackQuestions[] = {
    {1, "most-useful", "What did you find most useful about this event?", false},
    {2, "improve", "How could this event be improved?", false},
    {3, "barriers", "Were there any barriers to your participation?", true},
    {4, "overall-process",
     "Please comment on the overall process and your experience of this event (including facilitator style, "
     "where relevant)",
     false},
    {5, "take-away", "What will you take away with you or do differently, as a result of this event?", false},
    {6, "final-comments", "Final comments", false},
};

bool ValidId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

// ---- enums ----

std::string_view ToString(EventType t) {
  switch (t) {
    case EventType::kMas: return "MAS";
    case EventType::kMapf: return "MAPF";
    case EventType::kMapm: return "MAPM";
    case EventType::kCpr: return "CPR";
    case EventType::kApr: return "APR";
  }
  std::abort();
}

std::string_view LongName(EventType t) {
  switch (t) {
    case EventType::kMas: return "Multi-Agency Supervision";
    case EventType::kMapf: return "Multi-Agency Professional Forum";
    case EventType::kMapm: return "Multi-Agency Professionals' Meeting";
    case EventType::kCpr: return "Child Practice Review";
    case EventType::kApr: return "Adult Practice Review";
  }
  std::abort();
}

Result<EventType> ParseEventType(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return ParseEnum<EventType>("event type", upper, kEventTypes, &ToString);
}

std::span<const EventType> AllEventTypes() { return kEventTypes; }

EventType ProcessOf(EventType t) { return t == EventType::kApr ? EventType::kCpr : t; }

std::string_view ToString(CaseStatus s) {
  switch (s) {
    case CaseStatus::kOpen: return "open";
    case CaseStatus::kClosed: return "closed";
    case CaseStatus::kCancelled: return "cancelled";
  }
  std::abort();
}
Result<CaseStatus> ParseCaseStatus(std::string_view text) {
  return ParseEnum<CaseStatus>("case status", text, kCaseStatuses, &ToString);
}

std::string_view ToString(DocumentType t) {
  switch (t) {
    case DocumentType::kIcpcMinutes: return "icpc-minutes";
    case DocumentType::kRcpcMinutes: return "rcpc-minutes";
    case DocumentType::kCoreGroupMinutes: return "core-group-minutes";
    case DocumentType::kChildProtectionPlan: return "child-protection-plan";
    case DocumentType::kCaseSummary: return "case-summary";
    case DocumentType::kBriefingPaper: return "briefing-paper";
    case DocumentType::kAgencyChronology: return "agency-chronology";
    case DocumentType::kAssessmentReport: return "assessment-report";
    case DocumentType::kOther: return "other";
  }
  std::abort();
}

std::string_view DocumentTitle(DocumentType t) {
  switch (t) {
    case DocumentType::kIcpcMinutes: return "Initial Child Protection Conference minutes";
    case DocumentType::kRcpcMinutes: return "Review Child Protection Conference minutes";
    case DocumentType::kCoreGroupMinutes: return "Core Group minutes";
    case DocumentType::kChildProtectionPlan: return "Child Protection Plan";
    case DocumentType::kCaseSummary: return "Case summary";
    case DocumentType::kBriefingPaper: return "Briefing paper";
    case DocumentType::kAgencyChronology: return "Agency chronology";
    case DocumentType::kAssessmentReport: return "Assessment report";
    case DocumentType::kOther: return "Other";
  }
  std::abort();
}

Result<DocumentType> ParseDocumentType(std::string_view text) {
  return ParseEnum<DocumentType>("document type", text, kDocumentTypes, &ToString);
}
std::span<const DocumentType> AllDocumentTypes() { return kDocumentTypes; }

std::string_view ToString(AttendanceStatus s) {
  switch (s) {
    case AttendanceStatus::kInvited: return "invited";
    case AttendanceStatus::kAttended: return "attended";
    case AttendanceStatus::kApologies: return "apologies";
    case AttendanceStatus::kAbsent: return "absent";
  }
  std::abort();
}
Result<AttendanceStatus> ParseAttendanceStatus(std::string_view text) {
  return ParseEnum<AttendanceStatus>("attendance status", text, kAttendanceStatuses, &ToString);
}

std::string_view ToString(ActionStatus s) {
  switch (s) {
    case ActionStatus::kOpen: return "open";
    case ActionStatus::kDone: return "done";
    case ActionStatus::kDropped: return "dropped";
  }
  std::abort();
}
Result<ActionStatus> ParseActionStatus(std::string_view text) {
  return ParseEnum<ActionStatus>("action status", text, kActionStatuses, &ToString);
}

// ---- key dates and sections ----

std::span<const KeyDateDef> KeyDateDefs(EventType t) {
  switch (t) {
    case EventType::kMas: return kMasKeyDates;
    case EventType::kMapf: return kMapfKeyDates;
    case EventType::kMapm: return kMapmKeyDates;
    case EventType::kCpr:
    case EventType::kApr: return kPracticeReviewKeyDates;
  }
  std::abort();
}

Result<const KeyDateDef*> FindKeyDate(EventType t, std::string_view key) {
  const auto defs = KeyDateDefs(t);
  for (const auto& d : defs) {
    if (d.key == key) return &d;
  }
  return MakeError(ErrorCode::kNotFound, "unknown key date " + Quote(key) + " for " + std::string(ToString(t)) +
                                             "; known: " + KnownKeys(defs));
}

std::span<const NoteSectionDef> NoteSections(EventType t) {
  switch (t) {
    case EventType::kMas: return kMasSections;
    case EventType::kMapf: return kMapfSections;
    case EventType::kMapm: return kMapmSections;
    case EventType::kCpr:
    case EventType::kApr: return kPracticeReviewSections;
  }
  std::abort();
}

Result<const NoteSectionDef*> FindNoteSection(EventType t, std::string_view key) {
  const auto defs = NoteSections(t);
  for (const auto& d : defs) {
    if (d.key == key) return &d;
  }
  return MakeError(ErrorCode::kNotFound, "unknown section " + Quote(key) + " for " + std::string(ToString(t)) +
                                             "; known: " + KnownKeys(defs));
}

Status ValidateNotes(EventType t, const SectionNotes& notes) {
  for (const auto& [key, text] : notes) {
    auto found = FindNoteSection(t, key);
    if (!found.ok()) return Invalid(found.error().message);
  }
  return Ok();
}

std::span<const FeedbackQuestionDef> FeedbackQuestions() { return kFeedbackQuestions; }

Result<const FeedbackQuestionDef*> FindFeedbackQuestion(std::string_view key) {
  for (const auto& q : kFeedbackQuestions) {
    if (q.key == key) return &q;
  }
  return MakeError(ErrorCode::kNotFound, "unknown feedback question " + Quote(key) +
                                             "; known: " + KnownKeys(std::span<const FeedbackQuestionDef>(kFeedbackQuestions)));
}

// ---- case ----

std::optional<Date> Case::KeyDate(std::string_view key) const {
  auto it = key_dates.find(key);
  if (it == key_dates.end()) return std::nullopt;
  return it->second;
}

Status ValidateCase(const Case& c) {
  if (!ValidId(c.id)) {
    return Invalid("case id must be 1 to 64 letters, digits, '.', '_' or '-'", "e.g. MAS-2026-014");
  }
  if (Blank(c.subject.name_or_initials)) return Invalid("case subject has no name or initials");
  if (Blank(c.subject.area)) return Invalid("case subject has no area (local authority)");
  for (const auto& [key, date] : c.key_dates) {
    auto found = FindKeyDate(c.event_type, key);
    if (!found.ok()) return Invalid(found.error().message);
    if (!date.IsValid()) return Invalid("key date " + Quote(key) + " is not a valid date");
  }
  return Ok();
}

// ---- documents ----

Status ValidateDocumentMeta(const DocumentMeta& d) {
  if (!ValidId(d.id)) return Invalid("document id must be 1 to 64 letters, digits, '.', '_' or '-'");
  const std::string_view n = d.original_name;
  if (n.empty() || Blank(n)) return Invalid("document has no original file name");
  if (n.size() > 255) return Invalid("document file name longer than 255 bytes");
  if (n == "." || n == "..") return Invalid("document file name may not be '.' or '..'");
  for (char ch : n) {
    const auto u = static_cast<unsigned char>(ch);
    // The name is used later to write the file out: no directories, no terminal control characters.
    if (ch == '/' || ch == '\\') return Invalid("document file name may not contain '/' or '\\'");
    if (u < 0x20 || u == 0x7f) return Invalid("document file name contains a control character");
  }
  if (d.sha256.size() != 64 || !std::all_of(d.sha256.begin(), d.sha256.end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      })) {
    return Invalid("document sha256 must be 64 lower-case hex digits");
  }
  if (!d.received.IsValid()) return Invalid("document received date is not a valid date");
  if (Blank(d.sending_agency)) return Invalid("document has no sending agency");
  return Ok();
}

// ---- attendance ----

Status ValidateAttendance(const Attendance& a) {
  if (Blank(a.agency)) return Invalid("attendance entry has no agency");
  return Ok();
}

bool IsMissing(const Attendance& a) { return a.status != AttendanceStatus::kAttended; }

// ---- actions ----

std::string DescribeOwner(const Owner& o) {
  if (!o.role.empty() && !o.agency.empty()) return o.role + " (" + o.agency + ")";
  return o.role.empty() ? o.agency : o.role;
}

Status ValidateAction(const Action& a) {
  if (!ValidId(a.id)) return Invalid("action id must be 1 to 64 letters, digits, '.', '_' or '-'");
  if (Blank(a.what)) return Invalid("action " + a.id + " does not say what is to be done");
  if (a.owner.empty()) return Invalid("action " + a.id + " has no owner", "name an agency or a role");
  for (const auto& c : a.owner.candidates) {
    if (Blank(c.value.agency) && Blank(c.value.role)) {
      return Invalid("action " + a.id + " has an owner with neither agency nor role");
    }
  }
  if (a.due.empty()) return Invalid("action " + a.id + " has no due date", "timescales must be clearly defined");
  for (const auto& c : a.due.candidates) {
    if (!c.value.IsValid()) return Invalid("action " + a.id + " has an invalid due date");
  }
  return Ok();
}

Status ValidateFieldConflict(const FieldConflict& f) {
  if (Blank(f.field)) return Invalid("conflict does not name its field");
  if (f.values.empty()) return Invalid("conflict on " + Quote(f.field) + " has no values");
  return Ok();
}

// ---- chronology ----

Status ValidateChronologyEntry(const ChronologyEntry& e) {
  if (!e.when.date.IsValid()) return Invalid("chronology entry date is not a valid date");
  if (e.when.time && (e.when.time->hour < 0 || e.when.time->hour > 23 || e.when.time->minute < 0 ||
                      e.when.time->minute > 59)) {
    return Invalid("chronology entry time is not a valid time of day");
  }
  if (Blank(e.source)) return Invalid("chronology entry has no source agency");
  if (Blank(e.significant_event)) return Invalid("chronology entry has no significant event");
  return Ok();
}

std::vector<ChronologyEntry> MergeChronologies(const std::vector<std::vector<ChronologyEntry>>& per_agency) {
  std::vector<ChronologyEntry> out;
  for (const auto& list : per_agency) out.insert(out.end(), list.begin(), list.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const ChronologyEntry& a, const ChronologyEntry& b) { return a.when < b.when; });
  return out;
}

Status ValidateChronologyHeader(const ChronologyHeader& h) {
  constexpr std::size_t kMaxText = 200;
  for (const auto& [text, what] : {std::pair{&h.subject, "subject"}, std::pair{&h.completed_by, "completed by"},
                                   std::pair{&h.version, "version"}}) {
    if (text->size() > kMaxText) return Invalid("chronology header " + std::string(what) + " is longer than 200 bytes");
    if (std::any_of(text->begin(), text->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      return Invalid("chronology header " + std::string(what) + " must be one line");
  }
  for (const auto* d : {&h.from, &h.to, &h.date})
    if (*d && !(*d)->IsValid()) return Invalid("chronology header has an invalid date");
  if (h.from && h.to && *h.to < *h.from)
    return Invalid("chronology header: the period covered ends (" + FormatDate(*h.to) + ") before it starts (" +
                       FormatDate(*h.from) + ")",
                   "check --from and --to");
  return Ok();
}

// ---- feedback ----

Status ValidateParticipantFeedback(const ParticipantFeedback& f) {
  for (const auto& [key, text] : f.answers) {
    auto q = FindFeedbackQuestion(key);
    if (!q.ok()) return Invalid(q.error().message);
  }
  if (f.date && !f.date->IsValid()) return Invalid("feedback date is not a valid date");
  return Ok();
}

// ---- JSON: writers ----

json ToJson(const Date& d) { return FormatDate(d); }
json ToJson(const DateTime& dt) { return FormatDateTime(dt); }
json ToJson(const Owner& o) { return {{"agency", o.agency}, {"role", o.role}}; }

json ToJson(const SectionNotes& n) {
  json out = json::object();
  for (const auto& [k, v] : n) out[k] = v;
  return out;
}

json ToJson(const Case& c) {
  json dates = json::object();
  for (const auto& [k, d] : c.key_dates) dates[k] = FormatDate(d);
  return {{"id", c.id},
          {"event_type", ToString(c.event_type)},
          {"subject", {{"name_or_initials", c.subject.name_or_initials}, {"area", c.subject.area}}},
          {"lead_agency", c.lead_agency},
          {"venue", c.venue},
          {"key_dates", std::move(dates)},
          {"status", ToString(c.status)},
          {"legal_hold", c.legal_hold}};
}

json ToJson(const DocumentMeta& d) {
  return {{"id", d.id},
          {"type", ToString(d.type)},
          {"original_name", d.original_name},
          {"size", d.size},
          {"sha256", d.sha256},
          {"received", FormatDate(d.received)},
          {"sending_agency", d.sending_agency}};
}

json ToJson(const Attendance& a) {
  return {{"agency", a.agency}, {"role", a.role}, {"name", a.name}, {"status", ToString(a.status)},
          {"reason", a.reason}};
}

json ToJson(const FieldConflict& f) {
  return {{"subject", f.subject}, {"field", f.field}, {"values", ToJson(f.values)}};
}

json ToJson(const ActionPlanFields& p) {
  return {{"recommendation", p.recommendation}, {"rationale", p.rationale}, {"outcome", p.outcome},
          {"measure", p.measure}, {"progress", p.progress}};
}

json ToJson(const ActionReport& r) { return {{"to", r.to}, {"on", FormatDate(r.on)}}; }

json ToJson(const Action& a) {
  json out = {{"id", a.id},
              {"what", a.what},
              {"owner", ToJson(a.owner)},
              {"due", ToJson(a.due)},
              {"status", ToString(a.status)}};
  // Only when used: the JSON of an action without them is as before.
  if (!a.plan.empty()) out["plan"] = ToJson(a.plan);
  if (!a.reported.empty()) {
    out["reported"] = json::array();
    for (const auto& r : a.reported) out["reported"].push_back(ToJson(r));
  }
  return out;
}

json ToJson(const ChronologyEntry& e) {
  return {{"when", FormatDateTime(e.when)},
          {"source", e.source},
          {"significant_event", e.significant_event},
          {"action_taken", e.action_taken},
          {"analysis", e.analysis}};
}

json ToJson(const ChronologyHeader& h) {
  auto date = [](const std::optional<Date>& d) { return d ? json(FormatDate(*d)) : json(nullptr); };
  return {{"subject", h.subject}, {"from", date(h.from)}, {"to", date(h.to)},
          {"completed_by", h.completed_by}, {"date", date(h.date)}, {"version", h.version}};
}

json ToJson(const ParticipantFeedback& f) {
  json answers = json::object();
  for (const auto& [k, v] : f.answers) answers[k] = v;
  json out = {{"area", f.area},     {"facilitators", f.facilitators}, {"name", f.name},
              {"agency", f.agency}, {"role", f.role},                 {"answers", std::move(answers)}};
  out["date"] = f.date ? json(FormatDate(*f.date)) : json(nullptr);
  out["barriers"] = f.barriers ? json(*f.barriers) : json(nullptr);
  return out;
}

// ---- JSON: strict readers ----

template <>
Result<Date> FromJson<Date>(const json& j) {
  if (!j.is_string()) return Invalid("expected a date string YYYY-MM-DD");
  return ParseDate(j.get<std::string>());
}

template <>
Result<DateTime> FromJson<DateTime>(const json& j) {
  if (!j.is_string()) return Invalid("expected a date string YYYY-MM-DD or YYYY-MM-DDTHH:MM");
  return ParseDateTime(j.get<std::string>());
}

template <>
Result<Owner> FromJson<Owner>(const json& j) {
  ObjectReader r(j);
  CP_RETURN_IF_ERROR(r.CheckObject());
  Owner o;
  CP_RETURN_IF_ERROR(r.String("agency", &o.agency, false));
  CP_RETURN_IF_ERROR(r.String("role", &o.role, false));
  CP_RETURN_IF_ERROR(r.Finish());
  return o;
}

template <>
Result<SectionNotes> FromJson<SectionNotes>(const json& j) {
  if (!j.is_object()) return Invalid("expected an object of section key to text");
  SectionNotes out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string()) return JsonError(Quote(it.key()), "expected a string");
    out.emplace(it.key(), it->get<std::string>());
  }
  return out;
}

namespace {
template <typename T>
Result<Conflicted<T>> ConflictedFromJson(const json& j) {
  if (!j.is_array()) return Invalid("expected an array of {value, author, at}");
  Conflicted<T> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string where = "[" + std::to_string(i) + "]";
    ObjectReader r(j[i]);
    auto st = r.CheckObject();
    if (!st.ok()) return st.error().Context(where);
    Candidate<T> c;
    Status s = Ok();
    if constexpr (std::is_same_v<T, std::string>) {
      s = r.String("value", &c.value);
    } else {
      s = r.Parsed<T>("value", &c.value);
    }
    if (s.ok()) s = r.String("author", &c.author, false);
    if (s.ok()) s = r.String("at", &c.at, false);
    if (s.ok()) s = r.Finish();
    if (!s.ok()) return s.error().Context(where);
    out.candidates.push_back(std::move(c));
  }
  return out;
}
}  // namespace

template <>
Result<Conflicted<std::string>> FromJson<Conflicted<std::string>>(const json& j) {
  return ConflictedFromJson<std::string>(j);
}
template <>
Result<Conflicted<Owner>> FromJson<Conflicted<Owner>>(const json& j) {
  return ConflictedFromJson<Owner>(j);
}
template <>
Result<Conflicted<Date>> FromJson<Conflicted<Date>>(const json& j) {
  return ConflictedFromJson<Date>(j);
}

template <>
Result<Case> FromJson<Case>(const json& j) {
  return Named<Case>("case", [&]() -> Result<Case> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    Case c;
    CP_RETURN_IF_ERROR(r.String("id", &c.id));
    CP_RETURN_IF_ERROR(r.Enum<EventType>("event_type", &c.event_type, &ParseEventType));
    const json* subject = r.Get("subject");
    if (!subject) return JsonError("subject", "missing");
    {
      ObjectReader s(*subject);
      Status st = s.CheckObject();
      if (st.ok()) st = s.String("name_or_initials", &c.subject.name_or_initials);
      if (st.ok()) st = s.String("area", &c.subject.area);
      if (st.ok()) st = s.Finish();
      if (!st.ok()) return st.error().Context("subject");
    }
    CP_RETURN_IF_ERROR(r.String("lead_agency", &c.lead_agency, false));
    CP_RETURN_IF_ERROR(r.String("venue", &c.venue, false));
    if (const json* dates = r.Get("key_dates")) {
      if (!dates->is_object()) return JsonError("key_dates", "expected an object");
      for (auto it = dates->begin(); it != dates->end(); ++it) {
        auto d = FromJson<Date>(*it);
        if (!d.ok()) return d.error().Context("key_dates." + Quote(it.key()));
        c.key_dates.emplace(it.key(), *d);
      }
    }
    CP_RETURN_IF_ERROR(r.Enum<CaseStatus>("status", &c.status, &ParseCaseStatus, false));
    CP_RETURN_IF_ERROR(r.Bool("legal_hold", &c.legal_hold, false));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateCase(c));
    return c;
  });
}

template <>
Result<DocumentMeta> FromJson<DocumentMeta>(const json& j) {
  return Named<DocumentMeta>("document", [&]() -> Result<DocumentMeta> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    DocumentMeta d;
    CP_RETURN_IF_ERROR(r.String("id", &d.id));
    CP_RETURN_IF_ERROR(r.Enum<DocumentType>("type", &d.type, &ParseDocumentType));
    CP_RETURN_IF_ERROR(r.String("original_name", &d.original_name));
    CP_RETURN_IF_ERROR(r.Uint64("size", &d.size));
    CP_RETURN_IF_ERROR(r.String("sha256", &d.sha256));
    CP_RETURN_IF_ERROR(r.Parsed<Date>("received", &d.received));
    CP_RETURN_IF_ERROR(r.String("sending_agency", &d.sending_agency));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateDocumentMeta(d));
    return d;
  });
}

template <>
Result<Attendance> FromJson<Attendance>(const json& j) {
  return Named<Attendance>("attendance", [&]() -> Result<Attendance> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    Attendance a;
    CP_RETURN_IF_ERROR(r.String("agency", &a.agency));
    CP_RETURN_IF_ERROR(r.String("role", &a.role, false));
    CP_RETURN_IF_ERROR(r.String("name", &a.name, false));
    CP_RETURN_IF_ERROR(r.Enum<AttendanceStatus>("status", &a.status, &ParseAttendanceStatus));
    CP_RETURN_IF_ERROR(r.String("reason", &a.reason, false));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateAttendance(a));
    return a;
  });
}

template <>
Result<FieldConflict> FromJson<FieldConflict>(const json& j) {
  return Named<FieldConflict>("conflict", [&]() -> Result<FieldConflict> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    FieldConflict f;
    CP_RETURN_IF_ERROR(r.String("subject", &f.subject, false));
    CP_RETURN_IF_ERROR(r.String("field", &f.field));
    CP_RETURN_IF_ERROR(r.Parsed<Conflicted<std::string>>("values", &f.values));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateFieldConflict(f));
    return f;
  });
}

template <>
Result<Action> FromJson<Action>(const json& j) {
  return Named<Action>("action", [&]() -> Result<Action> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    Action a;
    CP_RETURN_IF_ERROR(r.String("id", &a.id));
    CP_RETURN_IF_ERROR(r.String("what", &a.what));
    CP_RETURN_IF_ERROR(r.Parsed<Conflicted<Owner>>("owner", &a.owner));
    CP_RETURN_IF_ERROR(r.Parsed<Conflicted<Date>>("due", &a.due));
    CP_RETURN_IF_ERROR(r.Enum<ActionStatus>("status", &a.status, &ParseActionStatus, false));
    CP_RETURN_IF_ERROR(r.Parsed<ActionPlanFields>("plan", &a.plan, false));
    CP_RETURN_IF_ERROR(r.Array<ActionReport>("reported", &a.reported));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateAction(a));
    return a;
  });
}

template <>
Result<ActionPlanFields> FromJson<ActionPlanFields>(const json& j) {
  return Named<ActionPlanFields>("plan", [&]() -> Result<ActionPlanFields> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ActionPlanFields p;
    CP_RETURN_IF_ERROR(r.String("recommendation", &p.recommendation, false));
    CP_RETURN_IF_ERROR(r.String("rationale", &p.rationale, false));
    CP_RETURN_IF_ERROR(r.String("outcome", &p.outcome, false));
    CP_RETURN_IF_ERROR(r.String("measure", &p.measure, false));
    CP_RETURN_IF_ERROR(r.String("progress", &p.progress, false));
    CP_RETURN_IF_ERROR(r.Finish());
    return p;
  });
}

template <>
Result<ActionReport> FromJson<ActionReport>(const json& j) {
  return Named<ActionReport>("reported", [&]() -> Result<ActionReport> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ActionReport a;
    CP_RETURN_IF_ERROR(r.String("to", &a.to));
    CP_RETURN_IF_ERROR(r.Parsed<Date>("on", &a.on));
    CP_RETURN_IF_ERROR(r.Finish());
    return a;
  });
}

template <>
Result<ChronologyEntry> FromJson<ChronologyEntry>(const json& j) {
  return Named<ChronologyEntry>("chronology entry", [&]() -> Result<ChronologyEntry> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ChronologyEntry e;
    CP_RETURN_IF_ERROR(r.Parsed<DateTime>("when", &e.when));
    CP_RETURN_IF_ERROR(r.String("source", &e.source));
    CP_RETURN_IF_ERROR(r.String("significant_event", &e.significant_event));
    CP_RETURN_IF_ERROR(r.String("action_taken", &e.action_taken, false));
    CP_RETURN_IF_ERROR(r.String("analysis", &e.analysis, false));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateChronologyEntry(e));
    return e;
  });
}

template <>
Result<ChronologyHeader> FromJson<ChronologyHeader>(const json& j) {
  return Named<ChronologyHeader>("chronology header", [&]() -> Result<ChronologyHeader> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ChronologyHeader h;
    CP_RETURN_IF_ERROR(r.String("subject", &h.subject, false));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("from", &h.from));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("to", &h.to));
    CP_RETURN_IF_ERROR(r.String("completed_by", &h.completed_by, false));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("date", &h.date));
    CP_RETURN_IF_ERROR(r.String("version", &h.version, false));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateChronologyHeader(h));
    return h;
  });
}

template <>
Result<ParticipantFeedback> FromJson<ParticipantFeedback>(const json& j) {
  return Named<ParticipantFeedback>("feedback", [&]() -> Result<ParticipantFeedback> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ParticipantFeedback f;
    CP_RETURN_IF_ERROR(r.String("area", &f.area, false));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("date", &f.date));
    CP_RETURN_IF_ERROR(r.String("facilitators", &f.facilitators, false));
    CP_RETURN_IF_ERROR(r.String("name", &f.name, false));
    CP_RETURN_IF_ERROR(r.String("agency", &f.agency, false));
    CP_RETURN_IF_ERROR(r.String("role", &f.role, false));
    CP_RETURN_IF_ERROR(r.OptionalBool("barriers", &f.barriers));
    if (const json* answers = r.Get("answers")) {
      auto a = FromJson<SectionNotes>(*answers);
      if (!a.ok()) return a.error().Context("answers");
      for (auto& [k, v] : *a) f.answers.emplace(k, v);
    }
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateParticipantFeedback(f));
    return f;
  });
}

}  // namespace casepack
