#include "casepack/report.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

#include "casepack/report_layout.h"
#include "json_reader.h"
#include "report_internal.h"

namespace casepack {

using internal::Blank;
using internal::ObjectReader;
using nlohmann::json;

namespace internal {

std::string Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace internal

std::string CaseReference(EventType type, std::string_view case_id) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (char c : case_id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string code;
  for (int i = 0; i < 8; ++i) {  // the top 40 bits, 5 at a time
    code += kCrockford[(h >> (59 - 5 * i)) & 31U];
    if (i == 3) code += '-';
  }
  std::string prefix(ToString(type));
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  return prefix + "-" + code;
}

std::string SubjectInitials(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (std::size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    len = std::min(len, name.size() - i);
    const bool sep = c < 0x80 && (std::isspace(c) || c == '.' || c == '-' || c == '\'' || c == ',');
    if (sep) {
      word_start = true;
    } else if (word_start) {
      std::string ch(name.substr(i, len));
      if (len == 1) ch[0] = static_cast<char>(std::toupper(c));
      out += ch + ".";
      word_start = false;
    }
    i += len;
  }
  return out;
}

namespace {

using Text = LayoutText;
using Block = LayoutBlock;

// The language the document being built is written in. Set only by BuildReportLayout, for the duration
// of one build on this thread (LanguageScope), so the many small builders below need not pass it along.
thread_local Language g_lang = Language::kEnglish;

class LanguageScope {
 public:
  explicit LanguageScope(Language l) : saved_(g_lang) { g_lang = l; }
  ~LanguageScope() { g_lang = saved_; }
  LanguageScope(const LanguageScope&) = delete;
  LanguageScope& operator=(const LanguageScope&) = delete;

 private:
  Language saved_;
};

std::string S(RS id) { return std::string(ReportString(id, g_lang)); }
std::string LongDate(const Date& d) { return FormatLongDate(d, g_lang); }
std::string DayMonthYear(const Date& d) {
  return std::to_string(d.day) + " " + Label(g_lang, "month." + std::to_string(d.month)) + " " + std::to_string(d.year);
}

class Doc : public ReportLayout {
 public:
  void Heading(int level, std::string t) {
    Block b;
    b.kind = Block::Kind::kHeading;
    b.level = level;
    b.text.main = std::move(t);
    blocks.push_back(std::move(b));
  }
  void Para(std::string t, std::string warning = {}) {
    Block b;
    b.kind = Block::Kind::kParagraph;
    b.text = {std::move(t), std::move(warning), {}};
    blocks.push_back(std::move(b));
  }
  void Alert(std::string t) {
    Block b;
    b.kind = Block::Kind::kAlert;
    b.text.main = std::move(t);
    blocks.push_back(std::move(b));
  }
  void Fields(std::vector<std::pair<std::string, Text>> f, bool stacked = false) {
    Block b;
    b.kind = Block::Kind::kFields;
    b.fields = std::move(f);
    b.stacked = stacked;
    blocks.push_back(std::move(b));
  }
  void Table(std::vector<std::string> headers, std::vector<double> widths, std::vector<std::vector<Text>> rows) {
    Block b;
    b.kind = Block::Kind::kTable;
    b.headers = std::move(headers);
    b.widths = std::move(widths);
    b.rows = std::move(rows);
    blocks.push_back(std::move(b));
  }
  void List(std::vector<Text> items) {
    Block b;
    b.kind = Block::Kind::kList;
    b.items = std::move(items);
    blocks.push_back(std::move(b));
  }
  void Signature(std::vector<std::string> roles) {
    Block b;
    b.kind = Block::Kind::kSignature;
    b.signatories = std::move(roles);
    b.headers = {S(RS::kSignature), S(RS::kNamePrinted), S(RS::kDate)};
    blocks.push_back(std::move(b));
  }
};

std::string DescribeCandidateSource(const std::string& author, const std::string& at) {
  if (author.empty() && at.empty()) return {};
  std::string s = " (" + S(RS::kSetBy) + " " + (author.empty() ? S(RS::kUnknown) : author);
  if (!at.empty()) s += " " + S(RS::kAt) + " " + at;
  return s + ")";
}

template <typename T, typename F>
Text ConflictedText(const Conflicted<T>& c, F describe, std::string unset = S(RS::kNotSet)) {
  if (c.empty()) return {std::move(unset), {}, {}};
  Text t{describe(c.value()), {}, {}};
  const auto alts = c.alternatives();
  if (!alts.empty()) {
    t.main += DescribeCandidateSource(c.candidates[0].author, c.candidates[0].at);
    std::string w = S(RS::kConflictWord);
    bool first = true;
    for (const auto* a : alts) {
      w += (first ? "" : "; ") + S(RS::kAlsoValue) + " '" + describe(a->value) + "'" +
           DescribeCandidateSource(a->author, a->at);
      first = false;
    }
    t.warning = std::move(w);
  }
  return t;
}

// The warning for a conflict on (subject, field), to mark it where the value is shown; empty if none.
std::string ConflictAt(const ReportInput& in, std::string_view subject, std::string_view field) {
  for (const auto& f : in.conflicts) {
    if (f.subject != subject || f.field != field || !f.values.has_conflict()) continue;
    return ConflictedText(f.values, [](const std::string& v) { return v; }).warning;
  }
  return {};
}

std::string KeyDateTitle(EventType t, std::string_view key) {
  auto def = FindKeyDate(t, key);
  return def.ok() ? std::string((*def)->title) : std::string(key);
}

// A key date, with its conflict marked where it is shown.
Text KeyDateText(const ReportInput& in, std::string_view key, std::string otherwise) {
  const Case& c = in.case_record;
  const auto d = c.KeyDate(key);
  return {d ? LongDate(*d) : std::move(otherwise), ConflictAt(in, "case", KeyDateTitle(c.event_type, key)), {}};
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

int CountConflicts(const ReportInput& in) {
  int n = 0;
  for (const auto& a : in.actions) n += (a.owner.has_conflict() ? 1 : 0) + (a.due.has_conflict() ? 1 : 0);
  for (const auto& f : in.conflicts) n += f.values.has_conflict() ? 1 : 0;
  return n;
}

std::string_view EventKey(EventType t) {
  switch (t) {
    case EventType::kMas: return keydate::kMasEvent;
    case EventType::kMapf: return keydate::kMapfEvent;
    case EventType::kMapm: return keydate::kMapmMeeting;
    case EventType::kCpr:
    case EventType::kApr: return keydate::kPrEvent;
  }
  std::abort();
}

// Who the case is about: an APR's subject is an adult (001).
RS SubjectWord(EventType t) { return t == EventType::kApr ? RS::kAdult : RS::kChild; }

void Frame(const ReportInput& in, Doc* doc, std::string title) {
  const Case& c = in.case_record;
  doc->title = std::move(title);
  doc->marking = S(RS::kMarking);
  doc->page_label = S(RS::kPage);
  doc->page_of = S(RS::kPageOf);
  doc->case_reference = CaseReference(c.event_type, c.id);
  std::string type(ToString(c.event_type));
  std::transform(type.begin(), type.end(), type.begin(), [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
  const auto event = c.KeyDate(EventKey(c.event_type));
  doc->running_header = S(SubjectWord(c.event_type)) + " " + SubjectInitials(c.subject.name_or_initials) + " \u00B7 " +
                        Fill(S(RS::kEvent), "type", type) + " " + (event ? DayMonthYear(*event) : "-") + " \u00B7 " +
                        doc->case_reference;
}

void CaseBasics(const ReportInput& in, Doc* doc, RS lead_label) {
  const Case& c = in.case_record;
  std::vector<std::pair<std::string, Text>> f;
  f.push_back({S(RS::kCaseReference), {doc->case_reference, {}, {}}});
  // As recorded; the header has initials.
  f.push_back({S(c.event_type == EventType::kApr ? RS::kAdult : RS::kSubject), {c.subject.name_or_initials, {}, {}}});
  f.push_back({S(RS::kArea), {c.subject.area, {}, {}}});
  if (!c.lead_agency.empty()) f.push_back({S(lead_label), {c.lead_agency, {}, {}}});
  if (!in.facilitators.empty()) f.push_back({S(RS::kFacilitators), {Join(in.facilitators, ", "), {}, {}}});
  if (!c.venue.empty()) f.push_back({S(RS::kVenue), {c.venue, {}, {}}});
  if (in.report_date) f.push_back({S(RS::kReportDate), {LongDate(*in.report_date), {}, {}}});
  doc->Fields(std::move(f));
  const int conflicts = CountConflicts(in);
  if (conflicts > 0) {
    doc->Alert(S(RS::kConflictWord) + std::to_string(conflicts) + S(conflicts == 1 ? RS::kConflictCount1 : RS::kConflictCountN));
  }
}

std::string Who(const Attendance& a) { return a.agency + (a.role.empty() ? "" : " (" + a.role + ")"); }

// The attendance table; says "Attendance not recorded." (once) when there is none.
void AttendanceTable(const ReportInput& in, Doc* doc) {
  if (in.attendance.empty()) {
    doc->Para(S(RS::kAttendanceNotRecorded));
    return;
  }
  std::vector<std::vector<Text>> rows;
  for (const auto& a : in.attendance) {
    rows.push_back({{a.agency, {}, {}}, {a.role, {}, {}}, {a.name, {}, {}},
                    {Label(g_lang, a.status), ConflictAt(in, "attendance: " + Who(a), "status"), {}},
                    {a.reason, {}, {}}});
  }
  doc->Table({S(RS::kAgency), S(RS::kRole), S(RS::kName), S(RS::kStatus), S(RS::kReason)}, {3, 3, 3, 2, 3},
             std::move(rows));
}

std::vector<Text> MissingList(const ReportInput& in) {
  std::vector<Text> out;
  for (const auto& a : in.attendance) {
    if (!IsMissing(a)) continue;
    std::string status = a.status == AttendanceStatus::kInvited ? S(RS::kDidNotRespond) : Label(g_lang, a.status);
    std::string reason = Blank(a.reason) ? S(RS::kNoReason) : S(RS::kReasonGiven) + a.reason;
    out.push_back({Who(a) + ": " + status + "; " + reason, {}, {}});
  }
  return out;
}

// The actions; with `form_001`, in the 001 action plan form (recommendation, rationale, intended outcome,
// measure of success, progress beside owner, target date and status: the MAPF report).
void ActionsTable(const ReportInput& in, Doc* doc, bool form_001 = false) {
  if (in.actions.empty()) {
    doc->Para(S(RS::kNoActions));
    return;
  }
  std::vector<std::vector<Text>> rows;
  int n = 0;
  for (const auto& a : in.actions) {
    std::vector<Text> row = {{std::to_string(++n), {}, {}}};
    if (form_001) {
      row.push_back({a.plan.recommendation.empty() ? a.what : a.plan.recommendation + ": " + a.what, {}, {}});
      for (const std::string* f : {&a.plan.rationale, &a.plan.outcome, &a.plan.measure, &a.plan.progress})
        row.push_back({*f, {}, {}});
    } else {
      row.push_back({a.what, {}, {}});
    }
    row.push_back(ConflictedText(a.owner, [](const Owner& o) { return DescribeOwner(o); }));
    row.push_back(ConflictedText(a.due, [](const Date& d) { return FormatUkDate(d); }));
    row.push_back({Label(g_lang, a.status), ConflictAt(in, "action: " + a.what, "status"), {}});
    rows.push_back(std::move(row));
  }
  if (form_001) {
    doc->Table({S(RS::kNo), S(RS::kRecommendation), S(RS::kRationale), S(RS::kIntendedOutcome), S(RS::kMeasure),
                S(RS::kProgress), S(RS::kOwner), S(RS::kTargetDate), S(RS::kStatus)},
               {1.2, 3.6, 2.4, 2.4, 2.4, 2.2, 2.4, 2.6, 1.8}, std::move(rows));
  } else {
    doc->Table({S(RS::kNo), S(RS::kAction), S(RS::kOwner), S(RS::kDue), S(RS::kStatus)}, {1, 7, 4, 2.4, 2}, std::move(rows));
  }
}

// Renders sections in the guidance's order; with `all`, empty ones say so (a minutes format), else they
// are left out. Returns whether anything was written.
bool Sections(const ReportInput& in, Doc* doc, int level, bool all) {
  bool any = false;
  for (const auto& def : NoteSections(in.case_record.event_type)) {
    auto it = in.notes.find(def.key);
    const bool has = it != in.notes.end() && !Blank(it->second);
    if (!has && !all) continue;
    doc->Heading(level, SectionTitle(g_lang, in.case_record.event_type, def));
    doc->Para(has ? it->second : S(RS::kNotRecorded));
    any = any || has;
  }
  return any;
}

void OtherNotes(const ReportInput& in, Doc* doc) {
  bool heading = false;
  for (const auto& [key, text] : in.notes) {
    if (FindNoteSection(in.case_record.event_type, key).ok() || Blank(text)) continue;
    if (!heading) {
      doc->Heading(2, S(RS::kOtherNotes));
      heading = true;
    }
    doc->Heading(3, key);
    doc->Para(text);
  }
}

void CommentsSection(const ReportInput& in, Doc* doc, const std::string& title, bool always) {
  if (Blank(in.facilitator_comments) && !always) return;
  doc->Heading(2, title);
  doc->Para(Blank(in.facilitator_comments) ? S(RS::kNoneRecorded) : in.facilitator_comments);
}

void ConflictsSection(const ReportInput& in, Doc* doc) {
  std::vector<Text> items;
  for (const auto& f : in.conflicts) {
    const std::string where = (f.subject.empty() ? "" : f.subject + ", ") + f.field;
    Text t = ConflictedText(f.values, [](const std::string& s) { return s; });
    if (t.warning.empty()) continue;  // all candidates agree: nothing to resolve
    items.push_back({where + ": " + t.main, t.warning, {}});
  }
  if (items.empty()) return;
  doc->Heading(2, S(RS::kConflictsHeading));
  doc->Para(S(RS::kConflictsIntro));
  doc->List(std::move(items));
}

void ChronologyTable(const ReportInput& in, Doc* doc, const std::string& title) {
  if (in.chronology.empty() && in.chronology_header.empty()) return;
  doc->Heading(2, title);
  // 001 Appendix 1's heading: subject, time period covered, completed by, date, version.
  if (const ChronologyHeader& h = in.chronology_header; !h.empty()) {
    std::vector<std::pair<std::string, Text>> f;
    if (!h.subject.empty()) f.push_back({S(RS::kChronologySubject), {h.subject, {}, {}}});
    if (h.from || h.to)
      f.push_back({S(RS::kPeriodCovered), {(h.from ? LongDate(*h.from) : "?") + " \u2013 " + (h.to ? LongDate(*h.to) : "?"), {}, {}}});
    if (!h.completed_by.empty()) f.push_back({S(RS::kCompletedBy), {h.completed_by, {}, {}}});
    if (h.date) f.push_back({S(RS::kDateLabel), {LongDate(*h.date), {}, {}}});
    if (!h.version.empty()) f.push_back({S(RS::kVersion), {h.version, {}, {}}});
    doc->Fields(std::move(f));
  }
  if (in.chronology.empty()) return;
  auto merged = MergeChronologies({in.chronology});
  std::vector<std::vector<Text>> rows;
  rows.reserve(merged.size());
  for (const auto& e : merged) {
    rows.push_back({{FormatUkDateTime(e.when), {}, {}},
                    {e.source, {}, {}},
                    {e.significant_event, {}, {}},
                    {e.action_taken, {}, {}},
                    {e.analysis, {}, {}}});
  }
  doc->Table({S(RS::kDateTime), S(RS::kSource), S(RS::kSignificantEvent), S(RS::kActionTaken), S(RS::kAnalysis)},
             {2.2, 2, 4, 3, 3}, std::move(rows));
}

// Lines to sign and date by hand: one slot per facilitator (at least two, the usual pair).
void SignOff(const ReportInput& in, Doc* doc) {
  doc->Heading(2, S(RS::kSignatureHeading));
  const std::size_t slots = std::max<std::size_t>(2, in.facilitators.size());
  doc->Signature(std::vector<std::string>(slots, S(RS::kFacilitator)));
}

// A key date as a field: its title in the report's language, the date or `otherwise`.
std::pair<std::string, Text> KeyDateField(const ReportInput& in, std::string_view key, std::string otherwise) {
  const EventType t = in.case_record.event_type;
  auto def = FindKeyDate(t, key);
  return {def.ok() ? casepack::KeyDateTitle(g_lang, t, **def) : std::string(key), KeyDateText(in, key, std::move(otherwise))};
}

// MAS: the referral (003 §1.3, §4.2), the papers of §4.6, the facilitators' meetings of §4.8 and who
// completes the Summary Report (Appendix 1).
void MasProcess(const ReportInput& in, Doc* doc) {
  const ProcessRecord& p = in.process;
  doc->Heading(2, S(RS::kMasProcess));
  std::vector<std::pair<std::string, Text>> f;
  if (p.mas_referral) {
    const MasReferral& r = *p.mas_referral;
    f.push_back({S(RS::kReferralReason), {Label(g_lang, r.reason), {}, {}}});
    if (!r.stuck_kind.empty()) f.push_back({S(RS::kStuckKind), {StuckKindLabel(g_lang, r.stuck_kind), {}, {}}});
    if (!r.detail.empty()) f.push_back({S(RS::kReferralDetail), {r.detail, {}, {}}});
    if (!r.referred) f.push_back({S(RS::kNotReferred), {r.rationale, {}, {}}});
  } else {
    f.push_back({S(RS::kReferralReason), {S(RS::kNotRecorded), {}, {}}});
  }
  f.push_back(KeyDateField(in, keydate::kMasFacilitatorsPrepare, S(RS::kNotRecorded)));
  f.push_back(KeyDateField(in, keydate::kMasFacilitatorsDebrief, S(RS::kNotRecorded)));
  f.push_back({S(RS::kSummaryWriter), {p.report_writer.empty() ? S(RS::kNotRecorded) : p.report_writer, {}, {}}});
  doc->Fields(std::move(f));
  if (p.papers.empty()) return;
  doc->Para(S(RS::kPapers));
  std::vector<Text> items;
  for (const auto& paper : p.papers)
    items.push_back({Label(g_lang, paper.type) + ": " + (paper.received ? LongDate(*paper.received) : S(RS::kPaperMissing)), {}, {}});
  doc->List(std::move(items));
}

// MAS: to whom each action went back (003 §4.7: line managers, core groups / conferences).
void ActionsReportedBack(const ReportInput& in, Doc* doc) {
  if (in.actions.empty()) return;
  doc->Para(S(RS::kReportedBack));
  std::vector<Text> items;
  int n = 0;
  for (const auto& a : in.actions) {
    std::string to;
    for (const auto& r : a.reported) to += (to.empty() ? "" : "; ") + ReportTargetLabel(g_lang, r.to) + " " + LongDate(r.on);
    items.push_back({std::to_string(++n) + ". " + a.what + ": " + (to.empty() ? S(RS::kNotReportedBack) : to), {}, {}});
  }
  doc->List(std::move(items));
}

// MAPF: the referral route (000 §1) and the planning group (000 §7), each agency's agreement (000 §6).
void MapfProcess(const ReportInput& in, Doc* doc) {
  doc->Heading(2, S(RS::kReferralRoute));
  doc->Fields({KeyDateField(in, keydate::kMapfReferralAgreed, S(RS::kNotRecorded)),
               KeyDateField(in, keydate::kMapfChairApproved, S(RS::kNotRecorded)),
               KeyDateField(in, keydate::kMapfPrinciplesAgreed, S(RS::kNotRecorded))});
  doc->Heading(2, S(RS::kPlanningGroup));
  const auto& group = in.process.planning_group;
  const auto missing = MissingRequiredAgencies(group);
  if (!missing.empty()) {
    std::string list;
    for (auto k : missing) list += (list.empty() ? "" : ", ") + AgencyKindLabel(g_lang, k);
    doc->Alert(S(RS::kMissingAgencies) + list);
  }
  if (group.empty()) return;
  std::vector<std::vector<Text>> rows;
  for (const auto& m : group) {
    rows.push_back({{m.agency, {}, {}},
                    {AgencyKindLabel(g_lang, m.kind) + (m.co_opted ? " (" + S(RS::kCoOpted) + ")" : ""), {}, {}},
                    {m.name, {}, {}},
                    {m.role, {}, {}},
                    {m.agreed ? LongDate(*m.agreed) : S(RS::kNotYetAgreed), {}, {}}});
  }
  doc->Table({S(RS::kAgency), S(RS::kAgencyKind), S(RS::kName), S(RS::kRole), S(RS::kAgreed)}, {4, 3, 3, 3, 3},
             std::move(rows));
}

// MAPF: agreed by every agency, then by the LOG (000 §6), and monitored at its quarterly meetings (000 §9).
void MapfAgreement(const ReportInput& in, Doc* doc) {
  doc->Heading(3, S(RS::kAgreement));
  std::optional<Date> all;
  const auto& group = in.process.planning_group;
  if (!group.empty() && NotYetAgreed(group).empty())
    for (const auto& m : group)
      if (m.agreed && (!all || *m.agreed > *all)) all = m.agreed;
  doc->Fields({{S(RS::kAllAgenciesAgreed), {all ? LongDate(*all) : S(RS::kNotYetAgreed), {}, {}}},
               KeyDateField(in, keydate::kMapfLogAgreed, S(RS::kNotYetAgreed)),
               KeyDateField(in, keydate::kMapfLogMonitored, S(RS::kNotYetRecorded))});
}

// ---- the documents ----------------------------------------------------------------------------------------

Doc MasReport(const ReportInput& in) {
  const Case& c = in.case_record;
  Doc doc;
  Frame(in, &doc, S(RS::kTitleMas));
  CaseBasics(in, &doc, RS::kLeadAgency);

  doc.Heading(2, S(RS::kMas1));
  const Text event = KeyDateText(in, keydate::kMasEvent, S(RS::kNotRecorded));
  doc.Para(event.main, event.warning);

  doc.Heading(2, S(RS::kMas2));
  const auto missing = MissingList(in);
  if (!in.attendance.empty()) {
    if (missing.empty()) {
      doc.Para(S(RS::kMasAllAttended));
    } else {
      doc.Para(S(RS::kMasMissing));
      doc.List(missing);
    }
  }
  AttendanceTable(in, &doc);

  doc.Heading(2, S(RS::kMas3));
  if (!Sections(in, &doc, 3, false)) doc.Para(S(RS::kNoNotes));
  OtherNotes(in, &doc);

  CommentsSection(in, &doc, S(RS::kMas4), true);

  doc.Heading(2, S(RS::kActionsAgreed));
  ActionsTable(in, &doc);
  ActionsReportedBack(in, &doc);

  doc.Heading(2, S(RS::kMas5));
  const auto event_date = c.KeyDate(keydate::kMasEvent);
  std::string ret = S(RS::kMasReturn);
  ret += event_date ? S(RS::kMasReturnBy) + LongDate(AddDays(*event_date, 14)) + "." : ".";
  doc.Para(ret);
  doc.Fields({{S(RS::kDateReturnedToBu), KeyDateText(in, keydate::kMasSummaryReportSent, S(RS::kNotYetRecorded))}});

  MasProcess(in, &doc);
  ConflictsSection(in, &doc);
  SignOff(in, &doc);
  ChronologyTable(in, &doc, S(RS::kChronologyAnnex));
  return doc;
}

// A learning event's report (MAPF, CPR/APR): its participants (those missing with the reason given), the
// sections under `learning`, the comments, the merged timeline, the action plan in the 001 form.
void LearningEventBody(const ReportInput& in, Doc* doc, RS learning, RS comments) {
  doc->Heading(2, S(RS::kParticipants));
  const auto missing = MissingList(in);
  if (!missing.empty()) {
    doc->Para(S(RS::kMapfMissing));
    doc->List(missing);
  }
  AttendanceTable(in, doc);

  doc->Heading(2, S(learning));
  if (!Sections(in, doc, 3, false)) doc->Para(S(RS::kNoLearning));
  OtherNotes(in, doc);
  CommentsSection(in, doc, S(comments), false);

  ChronologyTable(in, doc, S(RS::kTimeline));

  doc->Heading(2, S(RS::kActionPlan));
  ActionsTable(in, doc, /*form_001=*/true);
}

Doc MapfReport(const ReportInput& in) {
  Doc doc;
  Frame(in, &doc, S(RS::kTitleMapf));
  CaseBasics(in, &doc, RS::kLeadAgency);
  doc.Fields({{S(RS::kMapfEventDate), KeyDateText(in, keydate::kMapfEvent, S(RS::kNotRecorded))}});
  MapfProcess(in, &doc);

  LearningEventBody(in, &doc, RS::kLearning, RS::kFacilitatorComments);
  doc.Para(S(RS::kMapfAgreement));
  MapfAgreement(in, &doc);

  ConflictsSection(in, &doc);
  SignOff(in, &doc);
  return doc;
}

// CPR and APR: the practice review's report (001 "Process for APRs/CPRs", report template, Review Action
// Plan): the process and its key dates, the learning event, the review's sections, the merged timeline
// under its header, the action plan in the 001 form.
Doc PracticeReviewReport(const ReportInput& in) {
  const Case& c = in.case_record;
  Doc doc;
  Frame(in, &doc, S(c.event_type == EventType::kApr ? RS::kTitleApr : RS::kTitleCpr));
  CaseBasics(in, &doc, RS::kPanelChairAgency);

  doc.Heading(2, S(RS::kReviewProcess));
  std::vector<std::pair<std::string, Text>> dates;
  for (const KeyDateDef& def : KeyDateDefs(c.event_type)) {
    dates.push_back(KeyDateField(in, def.key, S(RS::kNotRecorded)));
    if (def.key == keydate::kPrReferral) {  // 001 referral form: "6 months from date of referral"
      const auto referral = c.KeyDate(keydate::kPrReferral);
      dates.push_back({S(RS::kReportDue), {referral ? LongDate(AddMonths(*referral, 6)) : S(RS::kNotRecorded), {}, {}}});
    }
  }
  doc.Fields(std::move(dates));

  LearningEventBody(in, &doc, RS::kTheReview, RS::kReviewersComments);

  ConflictsSection(in, &doc);
  SignOff(in, &doc);
  return doc;
}

std::string_view FamilyKey(FamilyAwareness a) {
  switch (a) {
    case FamilyAwareness::kNotInformed: return "mapm-family.not-informed";
    case FamilyAwareness::kInformed: return "mapm-family.informed";
    case FamilyAwareness::kAgreed: return "mapm-family.agreed";
    case FamilyAwareness::kObjected: return "mapm-family.objected";
  }
  std::abort();
}

// 002 §10: every review of the action plan, with the next one it agreed; one agreed more than three
// months on is flagged where it stands.
void MapmReviewsTable(const ReportInput& in, Doc* doc) {
  const MapmRecord& m = in.mapm;
  doc->Heading(3, S(RS::kReviews));
  std::vector<MapmReview> reviews;
  for (const auto& [id, r] : m.reviews) reviews.push_back(r);
  const auto late = LateReviews(in.case_record.KeyDate(keydate::kMapmMeeting), reviews,
                                in.case_record.KeyDate(keydate::kMapmNextReview));
  const auto flag = [&](const Date& next, const Date& after) -> std::string {
    for (const auto& l : late)
      if (l.next == next && l.after == after) return Fill(S(RS::kLateReview), "name", LongDate(after));
    return {};
  };
  if (reviews.empty()) {
    doc->Para(S(RS::kNoReviews));
  } else {
    std::vector<std::vector<Text>> rows;
    for (const auto& r : reviews)
      rows.push_back({{LongDate(r.held), {}, {}},
                      {r.next ? LongDate(*r.next) : S(RS::kNotAgreed), r.next ? flag(*r.next, r.held) : std::string(), {}},
                      {r.note, {}, {}}});
    doc->Table({S(RS::kReviewHeld), S(RS::kNextReviewAgreed), S(RS::kReviewNote)}, {2, 3, 4}, std::move(rows));
  }
  // The case's agreed next review, when it follows the meeting (no review yet) too late.
  if (const auto next = in.case_record.KeyDate(keydate::kMapmNextReview)) {
    for (const auto& l : late)
      if (l.next == *next && std::none_of(reviews.begin(), reviews.end(), [&](const MapmReview& r) { return r.held == l.after; }))
        doc->Para(S(RS::kNextReview) + ": " + LongDate(*next), Fill(S(RS::kLateReview), "name", LongDate(l.after)));
  }
}

Doc MapmReport(const ReportInput& in, const WorkingDayCalendar& calendar) {
  const Case& c = in.case_record;
  const MapmRecord& m = in.mapm;
  Doc doc;
  Frame(in, &doc, S(RS::kTitleMapm));
  CaseBasics(in, &doc, RS::kConvening);
  const auto meeting = c.KeyDate(keydate::kMapmMeeting);
  const auto text = [&](std::string_view key) -> std::string {
    auto it = in.notes.find(key);
    return it == in.notes.end() ? std::string() : it->second;
  };

  int n = 0;
  for (const auto& def : NoteSections(c.event_type)) {
    doc.Heading(2, std::to_string(++n) + ". " + SectionTitle(g_lang, c.event_type, def));
    const std::string body = text(def.key);
    const std::string_view key = def.key;
    if (key == "date-time-venue") {
      const auto or_not = [](const std::string& v) { return Text{v.empty() ? S(RS::kNotRecorded) : v, {}, {}}; };
      doc.Fields({{S(RS::kDateLabel), KeyDateText(in, keydate::kMapmMeeting, S(RS::kNotRecorded))},
                  {S(RS::kTime), or_not(m.meeting_time ? FormatTimeOfDay(*m.meeting_time) : std::string())},
                  {S(RS::kVenue), or_not(c.venue)},
                  {S(RS::kChair), {m.chair.empty() ? S(RS::kNotRecorded) : m.chair, ConflictAt(in, "case", "chair"), {}}},
                  {S(RS::kMinuteTaker), {m.minute_taker.empty() ? S(RS::kNotRecorded) : m.minute_taker,
                                         ConflictAt(in, "case", "minute-taker"), {}}}});
    } else if (key == "attendance") {
      AttendanceTable(in, &doc);
      const auto missing = MissingList(in);
      if (!missing.empty()) {
        doc.Para(S(RS::kApologies));
        doc.List(missing);
      }
    } else if (key == "plan") {
      ActionsTable(in, &doc);
    } else if (key == "next-review") {
      doc.Fields({{S(RS::kNextReview), KeyDateText(in, keydate::kMapmNextReview, S(RS::kNotAgreed))}});
      MapmReviewsTable(in, &doc);
    }
    const bool structured = key == "date-time-venue" || key == "attendance" || key == "plan" || key == "next-review";
    if (!Blank(body)) {
      doc.Para(body);
    } else if (!structured) {
      doc.Para(S(RS::kNotRecorded));
    }
  }
  OtherNotes(in, &doc);
  CommentsSection(in, &doc, S(RS::kComments), false);

  // 002 §8, §9: who tells the child and family the outcome, and what the family knew of the meeting.
  doc.Heading(2, S(RS::kMapmFamily));
  doc.Fields({{S(RS::kFamilyAwareness), {m.family ? Label(g_lang, FamilyKey(*m.family)) : S(RS::kNotRecorded),
                                         ConflictAt(in, "case", "family"), {}}},
              {S(RS::kInformsFamily), {m.informs_family.empty() ? S(RS::kNotRecorded) : m.informs_family,
                                       ConflictAt(in, "case", "informs family"), {}}},
              {S(RS::kMinutesToFamily), {m.minutes_to_family ? S(RS::kYes) : S(RS::kNo), {}, {}}}});

  doc.Heading(2, S(RS::kDistribution));
  std::string dist = S(RS::kMapmDistribution);
  dist += meeting ? S(RS::kMasReturnBy) + LongDate(calendar.AddWorkingDays(*meeting, 5)) + "." : ".";
  doc.Para(dist);
  if (!in.distribution.empty()) {
    std::vector<std::vector<Text>> rows;
    for (const auto& r : in.distribution)
      rows.push_back({{r.role == "family" ? S(RS::kMapmFamily) : r.name, {}, {}},
                      {r.sent_on ? LongDate(*r.sent_on) : S(RS::kNotYetSent), {}, {}}});
    doc.Table({S(RS::kRecipient), S(RS::kSent)}, {3, 2}, std::move(rows));
  }
  doc.Fields({{S(RS::kMinutesSent), KeyDateText(in, keydate::kMapmMinutesSent, S(RS::kNotYetRecorded))}});

  ConflictsSection(in, &doc);
  ChronologyTable(in, &doc, S(RS::kChronologyAnnex));
  return doc;
}

// MAS Appendix 2, for the Business Unit only. Questions are long: each is printed above its answer
// (stacked), so no writer has to squeeze it into a label column.
Doc FeedbackDocument(const ReportInput& in) {
  Doc doc;
  Frame(in, &doc, S(RS::kFeedbackTitle));
  doc.Fields({{S(RS::kCaseReference), {doc.case_reference, {}, {}}},
              {S(RS::kArea), {in.case_record.subject.area, {}, {}}},
              {S(RS::kDateOfSupervision), KeyDateText(in, keydate::kMasEvent, S(RS::kNotRecorded))}});
  doc.Para(S(in.case_record.event_type == EventType::kMas ? RS::kFeedbackIntro : RS::kFeedbackOnly));
  if (in.feedback.empty()) doc.Para(S(RS::kNoFeedback));
  int n = 0;
  for (const auto& f : in.feedback) {
    std::string who = f.agency.empty() ? S(RS::kParticipant) : f.agency;
    if (!f.role.empty()) who += ", " + f.role;
    doc.Heading(2, S(RS::kFeedbackForm) + " " + std::to_string(++n) + ": " + who);
    std::vector<std::pair<std::string, Text>> about;
    if (!f.area.empty()) about.push_back({S(RS::kArea), {f.area, {}, {}}});
    if (f.date) about.push_back({S(RS::kDateOfSupervision), {LongDate(*f.date), {}, {}}});
    if (!f.facilitators.empty()) about.push_back({S(RS::kFacilitators), {f.facilitators, {}, {}}});
    if (!f.name.empty()) about.push_back({S(RS::kName), {f.name, {}, {}}});
    if (!about.empty()) doc.Fields(std::move(about));
    std::vector<std::pair<std::string, Text>> answers;
    for (const auto& q : FeedbackQuestions()) {
      auto it = f.answers.find(q.key);
      std::string answer = it == f.answers.end() ? std::string() : it->second;
      if (q.yes_no) {
        const std::string yn = f.barriers ? S(*f.barriers ? RS::kYes : RS::kNoAnswer) : S(RS::kNotAnswered);
        answer = Blank(answer) ? yn : yn + ". " + answer;
      } else if (Blank(answer)) {
        answer = S(RS::kNotAnswered);
      }
      answers.push_back({std::to_string(q.number) + ". " + FeedbackQuestionText(g_lang, q), {answer, {}, {}}});
    }
    for (const auto& [key, value] : f.answers) {  // keys from a newer form: shown, not dropped
      if (!FindFeedbackQuestion(key).ok()) answers.push_back({key, {value, {}, {}}});
    }
    doc.Fields(std::move(answers), true);
  }
  return doc;
}

}  // namespace

std::string_view ToString(ReportFormat f) {
  switch (f) {
    case ReportFormat::kMarkdown: return "md";
    case ReportFormat::kHtml: return "html";
    case ReportFormat::kPdf: return "pdf";
    case ReportFormat::kDocx: return "docx";
  }
  std::abort();
}
std::string_view FileExtension(ReportFormat f) {
  switch (f) {
    case ReportFormat::kMarkdown: return ".md";
    case ReportFormat::kHtml: return ".html";
    case ReportFormat::kPdf: return ".pdf";
    case ReportFormat::kDocx: return ".docx";
  }
  std::abort();
}

Result<ReportFormat> ParseReportFormat(std::string_view text) {
  if (text == "md" || text == "markdown") return ReportFormat::kMarkdown;
  if (text == "html") return ReportFormat::kHtml;
  if (text == "pdf") return ReportFormat::kPdf;
  if (text == "docx" || text == "word") return ReportFormat::kDocx;
  return MakeError(ErrorCode::kInvalidArgument, "unknown report format; known: pdf, docx, html, md");
}

std::string ReportTitle(EventType t, Language lang) {
  LanguageScope scope(lang);
  switch (t) {
    case EventType::kMas: return S(RS::kTitleMas);
    case EventType::kMapf: return S(RS::kTitleMapf);
    case EventType::kMapm: return S(RS::kTitleMapm);
    case EventType::kCpr: return S(RS::kTitleCpr);
    case EventType::kApr: return S(RS::kTitleApr);
  }
  std::abort();
}

namespace {

ReportLayout BuildIn(const ReportInput& in, ReportDocument which, Language lang) {
  LanguageScope scope(lang);
  Doc doc = [&] {
    if (which == ReportDocument::kFeedback) return FeedbackDocument(in);
    switch (in.case_record.event_type) {
      case EventType::kMas: return MasReport(in);
      case EventType::kMapf: return MapfReport(in);
      case EventType::kMapm: return MapmReport(in, WorkingDayCalendar::EnglandAndWales());
      case EventType::kCpr:
      case EventType::kApr: return PracticeReviewReport(in);
    }
    std::abort();
  }();
  doc.language = std::string(LanguageTag(lang));
  return doc;
}

}  // namespace

ReportLayout BuildReportLayout(const ReportInput& in, ReportDocument which, ReportLanguage lang) {
  if (lang == ReportLanguage::kEnglish) return BuildIn(in, which, Language::kEnglish);
  ReportLayout out = BuildIn(in, which, Language::kWelsh);
  if (lang == ReportLanguage::kWelsh) return out;
  // Bilingual, Welsh first (Welsh Language Standards): the whole Welsh document, then the whole English
  // one on a new page under its own level-1 title, every block of it tagged as English. The frame (marking,
  // page numbers) carries both languages; the running header is the Welsh one.
  const ReportLayout en = BuildIn(in, which, Language::kEnglish);
  const std::string tag(LanguageTag(Language::kEnglish));
  LayoutBlock title;
  title.kind = LayoutBlock::Kind::kHeading;
  title.level = 1;
  title.page_break = true;
  title.text.main = en.title;
  out.blocks.push_back(std::move(title));
  for (const auto& b : en.blocks) out.blocks.push_back(b);
  for (auto it = out.blocks.end() - static_cast<std::ptrdiff_t>(en.blocks.size() + 1); it != out.blocks.end(); ++it)
    it->lang = tag;
  out.marking += " / " + en.marking;
  out.page_label += " / " + en.page_label;
  out.page_of += " / " + en.page_of;
  return out;
}

Result<ReportLanguage> ParseReportLanguage(std::string_view text) {
  if (text == "cy+en" || text == "both" || text == "bilingual" || text == "dwyieithog") return ReportLanguage::kBilingual;
  auto l = ParseLanguage(text);
  if (!l.ok()) return MakeError(ErrorCode::kInvalidArgument, "unknown report language; known: cy, en, cy+en (bilingual)");
  return *l == Language::kWelsh ? ReportLanguage::kWelsh : ReportLanguage::kEnglish;
}

std::string RenderReport(const ReportInput& in, ReportFormat format) {
  return RenderTextLayout(BuildReportLayout(in, ReportDocument::kReport), format);
}

Status ValidateReportInput(const ReportInput& in) {
  CP_RETURN_IF_ERROR(ValidateCase(in.case_record));
  CP_RETURN_IF_ERROR(ValidateNotes(in.case_record.event_type, in.notes));
  for (const auto& a : in.attendance) CP_RETURN_IF_ERROR(ValidateAttendance(a));
  for (const auto& a : in.actions) CP_RETURN_IF_ERROR(ValidateAction(a));
  for (const auto& e : in.chronology) CP_RETURN_IF_ERROR(ValidateChronologyEntry(e));
  CP_RETURN_IF_ERROR(ValidateChronologyHeader(in.chronology_header));
  for (const auto& f : in.feedback) CP_RETURN_IF_ERROR(ValidateParticipantFeedback(f));
  for (const auto& f : in.conflicts) CP_RETURN_IF_ERROR(ValidateFieldConflict(f));
  if (in.report_date && !in.report_date->IsValid()) {
    return MakeError(ErrorCode::kInvalidArgument, "report date is not a valid date");
  }
  return Ok();
}

// ---- JSON ----

json ToJson(const ReportInput& in) {
  auto list = [](const auto& v) {
    json a = json::array();
    for (const auto& x : v) a.push_back(ToJson(x));
    return a;
  };
  json out = {{"case", ToJson(in.case_record)},
              {"facilitators", in.facilitators},
              {"attendance", list(in.attendance)},
              {"notes", ToJson(in.notes)},
              {"facilitator_comments", in.facilitator_comments},
              {"actions", list(in.actions)},
              {"chronology", list(in.chronology)},
              {"feedback", list(in.feedback)},
              {"conflicts", list(in.conflicts)}};
  out["report_date"] = in.report_date ? json(FormatDate(*in.report_date)) : json(nullptr);
  if (!in.mapm.empty()) out["mapm"] = ToJson(in.mapm);
  if (!in.distribution.empty()) out["distribution"] = list(in.distribution);
  if (!in.process.empty()) out["process"] = ToJson(in.process);
  if (!in.chronology_header.empty()) out["chronology_header"] = ToJson(in.chronology_header);
  return out;
}

template <>
Result<ReportInput> FromJson<ReportInput>(const json& j) {
  auto body = [&]() -> Result<ReportInput> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ReportInput in;
    CP_RETURN_IF_ERROR(r.Parsed<Case>("case", &in.case_record));
    if (const json* f = r.Get("facilitators")) {
      if (!f->is_array()) return internal::JsonError("facilitators", "expected an array of strings");
      for (const auto& name : *f) {
        if (!name.is_string()) return internal::JsonError("facilitators", "expected an array of strings");
        in.facilitators.push_back(name.get<std::string>());
      }
    }
    CP_RETURN_IF_ERROR(r.Array<Attendance>("attendance", &in.attendance));
    CP_RETURN_IF_ERROR(r.Parsed<SectionNotes>("notes", &in.notes, false));
    CP_RETURN_IF_ERROR(r.String("facilitator_comments", &in.facilitator_comments, false));
    CP_RETURN_IF_ERROR(r.Array<Action>("actions", &in.actions));
    CP_RETURN_IF_ERROR(r.Array<ChronologyEntry>("chronology", &in.chronology));
    CP_RETURN_IF_ERROR(r.Array<ParticipantFeedback>("feedback", &in.feedback));
    CP_RETURN_IF_ERROR(r.Array<FieldConflict>("conflicts", &in.conflicts));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("report_date", &in.report_date));
    if (const json* m = r.Get("mapm")) {
      auto mapm = MapmRecordFromJson(*m);
      if (!mapm.ok()) return mapm.error().Context("mapm");
      in.mapm = std::move(mapm).value();
    }
    if (const json* d = r.Get("distribution")) {
      if (!d->is_array()) return internal::JsonError("distribution", "expected an array");
      for (const auto& x : *d) {
        ObjectReader e(x);
        ReportRecipient rec;
        Status st = e.CheckObject();
        if (st.ok()) st = e.String("key", &rec.key);
        if (st.ok()) st = e.String("role", &rec.role, false);
        if (st.ok()) st = e.String("name", &rec.name, false);
        if (st.ok()) st = e.OptionalParsed<Date>("sent_on", &rec.sent_on);
        if (st.ok()) st = e.Finish();
        if (!st.ok()) return st.error().Context("distribution");
        in.distribution.push_back(std::move(rec));
      }
    }
    CP_RETURN_IF_ERROR(r.Parsed<ProcessRecord>("process", &in.process, false));
    CP_RETURN_IF_ERROR(r.Parsed<ChronologyHeader>("chronology_header", &in.chronology_header, false));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateReportInput(in));
    return in;
  };
  auto result = body();
  if (!result.ok()) return result.error().Context("report input");
  return result;
}

}  // namespace casepack
