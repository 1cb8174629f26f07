#include "casepack/labels.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "json_reader.h"

namespace casepack {

std::string_view EmbeddedLabels();  // embedded_data.cpp, generated from schema/data/labels.json

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view ToString(Language l) { return l == Language::kWelsh ? "cy" : "en"; }
std::string_view LanguageTag(Language l) { return l == Language::kWelsh ? "cy-GB" : "en-GB"; }

Result<Language> ParseLanguage(std::string_view text) {
  const std::string t = Lower(text);
  if (t == "cy" || t == "cymraeg" || t == "welsh") return Language::kWelsh;
  if (t == "en" || t == "english" || t == "saesneg") return Language::kEnglish;
  return MakeError(ErrorCode::kInvalidArgument, "unknown language; known: cy (Cymraeg), en (English)");
}

Language LanguageFromLocale(const char* lc_all, const char* lc_messages, const char* lang) {
  for (const char* v : {lc_all, lc_messages, lang}) {
    if (v == nullptr || *v == '\0') continue;
    const std::string_view s(v);
    return s.substr(0, 2) == "cy" && (s.size() == 2 || s[2] == '_' || s[2] == '.' || s[2] == '@' || s[2] == '-')
               ? Language::kWelsh
               : Language::kEnglish;
  }
  return Language::kEnglish;
}

// ---- the catalogue ----

Result<LabelCatalogue> LabelCatalogue::Parse(std::string_view json_text) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  auto bad = [](std::string what) { return MakeError(ErrorCode::kInvalidArgument, "label catalogue: " + what); };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  internal::ObjectReader top(j);
  std::string format;
  if (auto st = top.String("format", &format); !st.ok()) return bad(st.error().message);
  if (format != "casepack-labels 1") return bad("format is not 'casepack-labels 1'");
  const nlohmann::json* labels = top.Get("labels");
  if (labels == nullptr || !labels->is_object()) return bad("labels: expected an object");
  if (auto st = top.Finish(); !st.ok()) return bad(st.error().message);
  LabelCatalogue c;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it.key().empty()) return bad("an entry has an empty key");
    internal::ObjectReader r(*it);
    LabelEntry e;
    Status st = r.CheckObject();
    if (st.ok()) st = r.String("en", &e.en);
    if (st.ok()) st = r.String("cy", &e.cy);
    if (st.ok()) st = r.Bool("confirm", &e.confirm, false);
    if (st.ok()) st = r.Finish();
    if (!st.ok()) return bad(it.key() + ": " + st.error().message);
    if (e.en.empty() || e.cy.empty()) return bad(it.key() + ": needs both languages, en and cy");
    c.entries_.emplace(it.key(), std::move(e));
  }
  return c;
}

const LabelCatalogue& LabelCatalogue::Embedded() {
  static const LabelCatalogue catalogue = [] {
    auto parsed = Parse(EmbeddedLabels());
    if (!parsed.ok()) std::abort();  // labels_test parses the same text
    return std::move(*parsed);
  }();
  return catalogue;
}

std::string_view LabelCatalogue::Get(std::string_view key, Language lang) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return key;
  return lang == Language::kWelsh ? it->second.cy : it->second.en;
}

std::string Label(Language lang, std::string_view key) { return std::string(LabelCatalogue::Embedded().Get(key, lang)); }

std::string Fill(std::string_view pattern, std::string_view name, std::string_view value) {
  std::string out(pattern);
  const std::string slot = "{" + std::string(name) + "}";
  if (auto at = out.find(slot); at != std::string::npos) out.replace(at, slot.size(), value);
  return out;
}

// ---- typed lookups: the key scheme of docs/labels.md ----

namespace {

std::string EventKey(EventType t) { return std::string(ToString(t)); }
// Key dates and sections are the process's: an APR's are the CPR's ("key-date.CPR.referral"), one entry each.
std::string ProcessKey(EventType t) { return EventKey(ProcessOf(t)); }

constexpr std::array<CaseStatus, 3> kCaseStatuses = {CaseStatus::kOpen, CaseStatus::kClosed, CaseStatus::kCancelled};
constexpr std::array<AttendanceStatus, 4> kAttendance = {AttendanceStatus::kInvited, AttendanceStatus::kAttended,
                                                         AttendanceStatus::kApologies, AttendanceStatus::kAbsent};
constexpr std::array<ActionStatus, 3> kActionStatuses = {ActionStatus::kOpen, ActionStatus::kDone, ActionStatus::kDropped};
constexpr std::array<StepState, 4> kStepStates = {StepState::kDone, StepState::kDue, StepState::kOverdue,
                                                  StepState::kWaiting};

std::string KeyOf(CaseStatus s) { return "case-status." + std::string(ToString(s)); }
std::string KeyOf(DocumentType t) { return "document-type." + std::string(ToString(t)); }
std::string KeyOf(AttendanceStatus s) { return "attendance." + std::string(ToString(s)); }
std::string KeyOf(ActionStatus s) { return "action-status." + std::string(ToString(s)); }
std::string KeyOf(StepState s) { return "step-state." + std::string(ToString(s)); }
std::string KeyOf(EventType t) { return "event-type." + EventKey(t); }
std::string KeyOf(EventType t, const KeyDateDef& d) { return "key-date." + ProcessKey(t) + "." + std::string(d.key); }
std::string KeyOf(EventType t, const NoteSectionDef& d) { return "section." + ProcessKey(t) + "." + std::string(d.key); }
std::string KeyOf(const FeedbackQuestionDef& q) { return "feedback." + std::string(q.key); }

constexpr std::string_view kRecipientStep = "report-to";

}  // namespace

std::string Label(Language lang, EventType t) { return Label(lang, KeyOf(t)); }
std::string Label(Language lang, CaseStatus s) { return Label(lang, KeyOf(s)); }
std::string Label(Language lang, DocumentType t) { return Label(lang, KeyOf(t)); }
std::string Label(Language lang, AttendanceStatus s) { return Label(lang, KeyOf(s)); }
std::string Label(Language lang, ActionStatus s) { return Label(lang, KeyOf(s)); }
std::string Label(Language lang, StepState s) { return Label(lang, KeyOf(s)); }
std::string KeyDateTitle(Language lang, EventType t, const KeyDateDef& def) { return Label(lang, KeyOf(t, def)); }
std::string SectionTitle(Language lang, EventType t, const NoteSectionDef& def) { return Label(lang, KeyOf(t, def)); }
std::string SectionPrompt(Language lang, EventType t, const NoteSectionDef& def) {
  return def.prompt.empty() ? std::string() : Label(lang, KeyOf(t, def) + ".prompt");
}
std::string FeedbackQuestionText(Language lang, const FeedbackQuestionDef& q) { return Label(lang, KeyOf(q)); }
std::string Label(Language lang, MasReferralReason r) { return Label(lang, "referral-reason." + std::string(ToString(r))); }
namespace {
std::string KeyedLabel(Language lang, std::string_view prefix, std::string_view key) {
  const std::string full = std::string(prefix) + std::string(key);
  return LabelCatalogue::Embedded().Has(full) ? Label(lang, full) : std::string(key);
}
}  // namespace
std::string StuckKindLabel(Language lang, std::string_view kind) { return KeyedLabel(lang, "stuck-kind.", kind); }
std::string AgencyKindLabel(Language lang, std::string_view kind) { return KeyedLabel(lang, "agency-kind.", kind); }
std::string ReportTargetLabel(Language lang, std::string_view to) { return KeyedLabel(lang, "reported-to.", to); }

std::string StepTitle(Language lang, const TimescaleStep& s) {
  if (s.key.rfind(std::string(kRecipientStep) + ":", 0) == 0) {
    // The fixed recipients (social worker, chair, Business Unit, LOG) have labels; attendees and agencies
    // are named as typed.
    const std::string fixed = "recipient." + s.key.substr(kRecipientStep.size() + 1);
    const auto& c = LabelCatalogue::Embedded();
    return Fill(Label(lang, "step." + std::string(kRecipientStep)), "name",
                c.Has(fixed) ? std::string(c.Get(fixed, lang)) : s.recipient);
  }
  if (s.key.rfind("action:", 0) == 0) return Fill(Label(lang, "step.action"), "what", s.recipient);
  const std::string key = "step." + s.key;
  return LabelCatalogue::Embedded().Has(key) ? Label(lang, key) : s.title;
}

std::string StepRule(Language lang, const TimescaleStep& s) {
  // A recipient step follows another step's rule: find the rule by its English text.
  for (const auto& [key, e] : LabelCatalogue::Embedded().entries()) {
    if (key.rfind("step.", 0) == 0 && key.size() > 5 && key.substr(key.size() - 5) == ".rule" && e.en == s.rule)
      return lang == Language::kWelsh ? e.cy : e.en;
  }
  return s.rule;
}

std::string StepNote(Language lang, const TimescaleStep& s) {
  if (s.note_key.empty()) return {};
  std::string text = Label(lang, s.note_key);
  if (s.note_date) text = Fill(text, "date", FormatDate(*s.note_date));
  if (!s.note_tail_key.empty()) text += Label(lang, s.note_tail_key);
  return text;
}

std::vector<std::string> DomainLabelKeys() {
  std::vector<std::string> keys;
  for (EventType t : AllEventTypes()) {
    keys.push_back(KeyOf(t));
    for (const auto& d : KeyDateDefs(t)) keys.push_back(KeyOf(t, d));
    for (const auto& d : NoteSections(t)) {
      keys.push_back(KeyOf(t, d));
      if (!d.prompt.empty()) keys.push_back(KeyOf(t, d) + ".prompt");
    }
  }
  for (auto s : kCaseStatuses) keys.push_back(KeyOf(s));
  for (auto t : AllDocumentTypes()) keys.push_back(KeyOf(t));
  for (auto s : kAttendance) keys.push_back(KeyOf(s));
  for (auto s : kActionStatuses) keys.push_back(KeyOf(s));
  for (auto s : kStepStates) keys.push_back(KeyOf(s));
  for (const auto& q : FeedbackQuestions()) keys.push_back(KeyOf(q));
  for (auto r : {MasReferralReason::kFifteenMonths, MasReferralReason::kStuck})
    keys.push_back("referral-reason." + std::string(ToString(r)));
  for (auto k : StuckCaseKinds()) keys.push_back("stuck-kind." + std::string(k));
  for (auto k : AgencyKinds()) keys.push_back("agency-kind." + std::string(k));
  for (auto k : ActionReportTargets()) keys.push_back("reported-to." + std::string(k));
  keys.push_back("step.action");
  keys.push_back("step.action.rule");
  keys.push_back("step." + std::string(kRecipientStep));
  for (const char* r : {"social-worker", "conference-chair", "business-unit", "log", "sub-group", "board", "welsh-government"}) keys.push_back(std::string("recipient.") + r);
  for (int i = 1; i <= 7; ++i) {
    keys.push_back("weekday." + std::to_string(i));
    keys.push_back("weekday-short." + std::to_string(i));
  }
  for (int i = 1; i <= 12; ++i) {
    keys.push_back("month." + std::to_string(i));
    keys.push_back("month-short." + std::to_string(i));
  }
  return keys;
}

// ---- dates ----

namespace {
std::string DateWith(const Date& d, Language lang, std::string_view weekday, std::string_view month) {
  const auto w = static_cast<int>(WeekdayOf(d));
  return Label(lang, std::string(weekday) + "." + std::to_string(w)) + " " + std::to_string(d.day) + " " +
         Label(lang, std::string(month) + "." + std::to_string(d.month)) + " " + std::to_string(d.year);
}
}  // namespace

std::string FormatLongDate(const Date& d, Language lang) { return DateWith(d, lang, "weekday", "month"); }
std::string FormatShortDate(const Date& d, Language lang) { return DateWith(d, lang, "weekday-short", "month-short"); }

}  // namespace casepack
