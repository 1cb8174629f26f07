#include "casepack/report.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "json_reader.h"

namespace casepack {

using internal::ObjectReader;
using nlohmann::json;

namespace {

// ---- a small document model, so Markdown and HTML carry exactly the same content ---------------------

// A piece of user or generated text, plus an optional warning (a conflict) shown after it and styled.
struct Text {
  std::string main;
  std::string warning;
};

struct Block {
  enum class Kind { kHeading, kParagraph, kFields, kTable, kList, kAlert };
  Kind kind = Kind::kParagraph;
  int level = 2;                                     // kHeading
  Text text;                                         // kHeading, kParagraph, kAlert
  std::vector<std::pair<std::string, Text>> fields;  // kFields: label -> value
  std::vector<std::string> headers;                  // kTable
  std::vector<std::vector<Text>> rows;               // kTable
  std::vector<Text> items;                           // kList
};

class Doc {
 public:
  std::string title;
  std::vector<Block> blocks;

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
    b.text = {std::move(t), std::move(warning)};
    blocks.push_back(std::move(b));
  }
  void Alert(std::string t) {
    Block b;
    b.kind = Block::Kind::kAlert;
    b.text.main = std::move(t);
    blocks.push_back(std::move(b));
  }
  void Fields(std::vector<std::pair<std::string, Text>> f) {
    Block b;
    b.kind = Block::Kind::kFields;
    b.fields = std::move(f);
    blocks.push_back(std::move(b));
  }
  void Table(std::vector<std::string> headers, std::vector<std::vector<Text>> rows) {
    Block b;
    b.kind = Block::Kind::kTable;
    b.headers = std::move(headers);
    b.rows = std::move(rows);
    blocks.push_back(std::move(b));
  }
  void List(std::vector<Text> items) {
    Block b;
    b.kind = Block::Kind::kList;
    b.items = std::move(items);
    blocks.push_back(std::move(b));
  }
};

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

std::string Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Splits text into paragraphs (separated by blank lines); each paragraph keeps its single line breaks.
std::vector<std::vector<std::string>> Paragraphs(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> cur;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(pos, nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Blank(line)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(std::move(line));
    }
    pos = nl + 1;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// ---- Markdown -------------------------------------------------------------------------------------------

// Escapes one line of user text for CommonMark/GFM: inline syntax everywhere and, when the text starts a
// block (a paragraph line, a list item), block syntax at its start. '<' and '&' are escaped too, because
// Markdown viewers pass raw HTML through.
std::string MdEscapeLine(std::string_view line, bool block_start = true) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') out += line[i++];
  // Block markers at the start of a line: headings, lists, quotes, rules, ordered lists ("1.").
  std::size_t j = i;
  while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
  const bool ordered = block_start && j > i && j < line.size() && (line[j] == '.' || line[j] == ')');
  for (std::size_t k = i; k < line.size(); ++k) {
    const char c = line[k];
    const bool start = k == i;
    // '&' only where it could begin an entity reference ("&lt;", "&#60;"); "Date & Time" stays readable.
    const bool entity = c == '&' && k + 1 < line.size() &&
                        (std::isalnum(static_cast<unsigned char>(line[k + 1])) || line[k + 1] == '#');
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '<' || c == '>' ||
        c == '|' || entity || c == '~' || c == '#' || c == '!' ||
        (block_start && start && (c == '-' || c == '+' || c == '=')) || (ordered && k == j)) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// Table cells, list items, field values: one line, line breaks as <br>. Only the very start of the text
// can start a block (a list item's content), and only when `block_start`.
std::string MdInline(std::string_view text, bool block_start = false) {
  std::string out;
  for (const auto& para : Paragraphs(text)) {
    for (const auto& line : para) {
      const bool first = out.empty();
      if (!first) out += "<br>";
      out += MdEscapeLine(Trim(line), block_start && first);
    }
  }
  return out;
}

std::string MdText(const Text& t, bool block_start = false) {
  std::string out = MdInline(t.main, block_start);
  if (!t.warning.empty()) out += (out.empty() ? "" : " ") + std::string("**") + MdInline(t.warning) + "**";
  return out;
}

std::string RenderMarkdown(const Doc& doc) {
  std::string out = "# " + MdEscapeLine(doc.title, false) + "\n";
  for (const auto& b : doc.blocks) {
    out += "\n";
    switch (b.kind) {
      case Block::Kind::kHeading:
        out += std::string(static_cast<std::size_t>(std::clamp(b.level, 2, 6)), '#') + " " +
               MdEscapeLine(b.text.main, false) + "\n";
        break;
      case Block::Kind::kParagraph: {
        const auto paras = Paragraphs(b.text.main);
        bool first = true;
        for (const auto& p : paras) {
          if (!first) out += "\n";
          first = false;
          for (std::size_t i = 0; i < p.size(); ++i) {
            out += MdEscapeLine(p[i]) + (i + 1 < p.size() ? "  \n" : "\n");
          }
        }
        if (!b.text.warning.empty()) out += "\n**" + MdInline(b.text.warning) + "**\n";
        break;
      }
      case Block::Kind::kAlert: out += "> **" + MdInline(b.text.main) + "**\n"; break;
      case Block::Kind::kFields:
        for (const auto& [label, value] : b.fields) {
          // A label that is a question ("How could this event be improved?") takes no colon.
          const bool question = !label.empty() && label.back() == '?';
          out += "- **" + MdEscapeLine(label, false) + (question ? "**" : ":**") + " " + MdText(value) + "\n";
        }
        break;
      case Block::Kind::kTable: {
        out += "|";
        for (const auto& h : b.headers) out += " " + MdEscapeLine(h, false) + " |";
        out += "\n|";
        for (std::size_t i = 0; i < b.headers.size(); ++i) out += " --- |";
        out += "\n";
        for (const auto& row : b.rows) {
          out += "|";
          for (const auto& cell : row) out += " " + MdText(cell) + " |";
          out += "\n";
        }
        break;
      }
      case Block::Kind::kList:
        for (const auto& item : b.items) out += "- " + MdText(item, true) + "\n";
        break;
    }
  }
  return out;
}

// ---- HTML -----------------------------------------------------------------------------------------------

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab/newline have no business in a report.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "&#xFFFD;";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string HtmlInline(std::string_view text) {  // line breaks become <br>
  std::string out;
  for (const auto& para : Paragraphs(text)) {
    for (const auto& line : para) {
      if (!out.empty()) out += "<br>";
      out += HtmlEscape(Trim(line));
    }
  }
  return out;
}

std::string HtmlText(const Text& t) {
  std::string out = HtmlInline(t.main);
  if (!t.warning.empty()) {
    out += (out.empty() ? "" : " ") + std::string("<span class=\"conflict\">") + HtmlInline(t.warning) + "</span>";
  }
  return out;
}

constexpr std::string_view kCss = R"css(
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #111; max-width: 50em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 16pt; border-bottom: 2px solid #333; padding-bottom: 0.2em; }
h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 11.5pt; margin-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #777; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
dl.fields { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em; }
dl.fields dt { font-weight: bold; }
dl.fields dd { margin: 0; }
.conflict { color: #8a1c00; font-weight: bold; }
.alert { border: 2px solid #8a1c00; padding: 0.4em 0.6em; color: #8a1c00; font-weight: bold; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  @page { margin: 18mm 15mm; }
  h1, h2, h3 { page-break-after: avoid; break-after: avoid; }
  tr, .alert, dl.fields { page-break-inside: avoid; break-inside: avoid; }
  th { background: #e8e8e8 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

std::string RenderHtml(const Doc& doc) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      HtmlEscape(doc.title) + "</title>\n<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n<h1>" +
      HtmlEscape(doc.title) + "</h1>\n";
  for (const auto& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading: {
        const std::string tag = "h" + std::to_string(std::clamp(b.level, 2, 6));
        out += "<" + tag + ">" + HtmlEscape(b.text.main) + "</" + tag + ">\n";
        break;
      }
      case Block::Kind::kParagraph:
        for (const auto& p : Paragraphs(b.text.main)) {
          out += "<p>";
          for (std::size_t i = 0; i < p.size(); ++i) out += (i ? "<br>" : "") + HtmlEscape(p[i]);
          out += "</p>\n";
        }
        if (!b.text.warning.empty()) out += "<p class=\"conflict\">" + HtmlInline(b.text.warning) + "</p>\n";
        break;
      case Block::Kind::kAlert: out += "<p class=\"alert\">" + HtmlInline(b.text.main) + "</p>\n"; break;
      case Block::Kind::kFields:
        out += "<dl class=\"fields\">\n";
        for (const auto& [label, value] : b.fields) {
          out += "<dt>" + HtmlEscape(label) + "</dt><dd>" + HtmlText(value) + "</dd>\n";
        }
        out += "</dl>\n";
        break;
      case Block::Kind::kTable:
        out += "<table>\n<thead><tr>";
        for (const auto& h : b.headers) out += "<th>" + HtmlEscape(h) + "</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (const auto& row : b.rows) {
          out += "<tr>";
          for (const auto& cell : row) out += "<td>" + HtmlText(cell) + "</td>";
          out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
        break;
      case Block::Kind::kList:
        out += "<ul>\n";
        for (const auto& item : b.items) out += "<li>" + HtmlText(item) + "</li>\n";
        out += "</ul>\n";
        break;
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

// ---- content shared by the three reports ------------------------------------------------------------------

constexpr std::string_view kWarn = "\u26A0 conflict: ";  // ⚠

std::string DescribeCandidateSource(const std::string& author, const std::string& at) {
  if (author.empty() && at.empty()) return {};
  std::string s = " (set by " + (author.empty() ? std::string("unknown") : author);
  if (!at.empty()) s += " at " + at;
  return s + ")";
}

template <typename T, typename F>
Text ConflictedText(const Conflicted<T>& c, F describe, std::string_view unset = "not set") {
  if (c.empty()) return {std::string(unset), {}};
  Text t{describe(c.value()), {}};
  const auto alts = c.alternatives();
  if (!alts.empty()) {
    t.main += DescribeCandidateSource(c.candidates[0].author, c.candidates[0].at);
    std::string w(kWarn);
    bool first = true;
    for (const auto* a : alts) {
      w += (first ? "also '" : "; also '") + describe(a->value) + "'" + DescribeCandidateSource(a->author, a->at);
      first = false;
    }
    t.warning = std::move(w);
  }
  return t;
}

std::string DateOr(const std::optional<Date>& d, std::string_view otherwise) {
  return d ? FormatLongDate(*d) : std::string(otherwise);
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string ShortDate(const Date& d) { return FormatUkDate(d); }

int CountConflicts(const ReportInput& in) {
  int n = 0;
  for (const auto& a : in.actions) n += (a.owner.has_conflict() ? 1 : 0) + (a.due.has_conflict() ? 1 : 0);
  for (const auto& f : in.conflicts) n += f.values.has_conflict() ? 1 : 0;
  return n;
}

void CaseBasics(const ReportInput& in, Doc* doc, std::string_view lead_label) {
  const Case& c = in.case_record;
  std::vector<std::pair<std::string, Text>> f;
  f.push_back({"Subject", {c.subject.name_or_initials, {}}});
  f.push_back({"Local authority area", {c.subject.area, {}}});
  f.push_back({"Case reference", {c.id, {}}});
  if (!c.lead_agency.empty()) f.push_back({std::string(lead_label), {c.lead_agency, {}}});
  if (!in.facilitators.empty()) f.push_back({"Facilitators", {Join(in.facilitators, ", "), {}}});
  if (!c.venue.empty()) f.push_back({"Venue", {c.venue, {}}});
  doc->Fields(std::move(f));
  const int conflicts = CountConflicts(in);
  if (conflicts > 0) {
    doc->Alert(std::string(kWarn) + std::to_string(conflicts) +
               (conflicts == 1 ? " value has" : " values have") +
               " concurrent edits that nobody has resolved yet; each is shown where it occurs with every "
               "value and who set it.");
  }
}

void AttendanceTable(const ReportInput& in, Doc* doc) {
  if (in.attendance.empty()) {
    doc->Para("No attendance recorded.");
    return;
  }
  std::vector<std::vector<Text>> rows;
  for (const auto& a : in.attendance) {
    rows.push_back({{a.agency, {}}, {a.role, {}}, {a.name, {}}, {std::string(ToString(a.status)), {}}, {a.reason, {}}});
  }
  doc->Table({"Agency", "Role", "Name", "Status", "Reason"}, std::move(rows));
}

std::vector<Text> MissingList(const ReportInput& in) {
  std::vector<Text> out;
  for (const auto& a : in.attendance) {
    if (!IsMissing(a)) continue;
    std::string who = a.agency + (a.role.empty() ? "" : " (" + a.role + ")");
    std::string status = a.status == AttendanceStatus::kInvited ? "did not respond" : std::string(ToString(a.status));
    std::string reason = Blank(a.reason) ? "no reason given" : "reason given: " + a.reason;
    out.push_back({who + ": " + status + "; " + reason, {}});
  }
  return out;
}

void ActionsTable(const ReportInput& in, Doc* doc) {
  if (in.actions.empty()) {
    doc->Para("No actions recorded.");
    return;
  }
  std::vector<std::vector<Text>> rows;
  int n = 0;
  for (const auto& a : in.actions) {
    rows.push_back({{std::to_string(++n), {}},
                    {a.what, {}},
                    ConflictedText(a.owner, [](const Owner& o) { return DescribeOwner(o); }),
                    ConflictedText(a.due, [](const Date& d) { return ShortDate(d); }),
                    {std::string(ToString(a.status)), {}}});
  }
  doc->Table({"No.", "Action", "Owner", "Due", "Status"}, std::move(rows));
}

// Renders sections in the guidance's order; with `all`, empty ones say so (a minutes format), else they
// are left out. Returns whether anything was written.
bool Sections(const ReportInput& in, Doc* doc, int level, bool all) {
  bool any = false;
  for (const auto& def : NoteSections(in.case_record.event_type)) {
    auto it = in.notes.find(def.key);
    const bool has = it != in.notes.end() && !Blank(it->second);
    if (!has && !all) continue;
    doc->Heading(level, std::string(def.title));
    doc->Para(has ? it->second : "Not recorded.");
    any = any || has;
  }
  return any;
}

void OtherNotes(const ReportInput& in, Doc* doc) {
  bool heading = false;
  for (const auto& [key, text] : in.notes) {
    if (FindNoteSection(in.case_record.event_type, key).ok() || Blank(text)) continue;
    if (!heading) {
      doc->Heading(2, "Other notes");
      heading = true;
    }
    doc->Heading(3, key);
    doc->Para(text);
  }
}

void CommentsSection(const ReportInput& in, Doc* doc, const std::string& title, bool always) {
  if (Blank(in.facilitator_comments) && !always) return;
  doc->Heading(2, title);
  doc->Para(Blank(in.facilitator_comments) ? "None recorded." : in.facilitator_comments);
}

void ConflictsSection(const ReportInput& in, Doc* doc) {
  std::vector<Text> items;
  for (const auto& f : in.conflicts) {
    const std::string where = (f.subject.empty() ? "" : f.subject + ", ") + f.field;
    Text t = ConflictedText(f.values, [](const std::string& s) { return s; });
    if (t.warning.empty()) continue;  // all candidates agree: nothing to resolve
    items.push_back({where + ": " + t.main, t.warning});
  }
  if (items.empty()) return;
  doc->Heading(2, "Unresolved conflicts");
  doc->Para("These fields hold concurrent values from different people; the first is the one used above.");
  doc->List(std::move(items));
}

void ChronologyTable(const ReportInput& in, Doc* doc, const std::string& title) {
  if (in.chronology.empty()) return;
  doc->Heading(2, title);
  auto merged = MergeChronologies({in.chronology});
  std::vector<std::vector<Text>> rows;
  for (const auto& e : merged) {
    rows.push_back({{FormatUkDateTime(e.when), {}},
                    {e.source, {}},
                    {e.significant_event, {}},
                    {e.action_taken, {}},
                    {e.analysis, {}}});
  }
  doc->Table({"Date & Time", "Source", "Significant Event", "Action Taken", "Analysis"}, std::move(rows));
}

void FeedbackAnnex(const ReportInput& in, Doc* doc) {
  if (in.feedback.empty()) return;
  doc->Heading(2, "Annex: participant feedback (" + std::to_string(in.feedback.size()) +
                      (in.feedback.size() == 1 ? " form)" : " forms)"));
  int n = 0;
  for (const auto& f : in.feedback) {
    std::string who = f.agency.empty() ? "participant" : f.agency;
    if (!f.role.empty()) who += ", " + f.role;
    doc->Heading(3, "Form " + std::to_string(++n) + ": " + who);
    std::vector<std::pair<std::string, Text>> fields;
    if (!f.area.empty()) fields.push_back({"Local authority area", {f.area, {}}});
    if (f.date) fields.push_back({"Date of supervision", {FormatLongDate(*f.date), {}}});
    if (!f.facilitators.empty()) fields.push_back({"Facilitators", {f.facilitators, {}}});
    if (!f.name.empty()) fields.push_back({"Name", {f.name, {}}});
    for (const auto& q : FeedbackQuestions()) {
      auto it = f.answers.find(q.key);
      std::string answer = it == f.answers.end() ? std::string() : it->second;
      if (q.yes_no) {
        const std::string yn = f.barriers ? (*f.barriers ? "Yes" : "No") : "Not answered";
        answer = Blank(answer) ? yn : yn + ". " + answer;
      } else if (Blank(answer)) {
        answer = "Not answered";
      }
      fields.push_back({std::to_string(q.number) + ". " + std::string(q.text), {answer, {}}});
    }
    for (const auto& [key, text] : f.answers) {  // keys from a newer form: shown, not dropped
      if (!FindFeedbackQuestion(key).ok()) fields.push_back({key, {text, {}}});
    }
    doc->Fields(std::move(fields));
  }
}

void SignOff(const ReportInput& in, Doc* doc) {
  doc->Fields({{"Signed", {in.facilitators.empty() ? std::string("") : Join(in.facilitators, ", "), {}}},
               {"Date", {in.report_date ? FormatLongDate(*in.report_date) : std::string(""), {}}},
               {"Local Authority", {in.case_record.subject.area, {}}}});
}

// ---- the three reports ----------------------------------------------------------------------------------

Doc MasReport(const ReportInput& in) {
  const Case& c = in.case_record;
  Doc doc;
  doc.title = ReportTitle(c.event_type);
  CaseBasics(in, &doc, "Lead agency");
  const auto event = c.KeyDate(keydate::kMasEvent);

  doc.Heading(2, "1. Date of MAS event");
  doc.Para(DateOr(event, "Not recorded."));

  doc.Heading(2, "2. Did all relevant workers attend?");
  const auto missing = MissingList(in);
  if (in.attendance.empty()) {
    doc.Para("Attendance not recorded.");
  } else if (missing.empty()) {
    doc.Para("Yes.");
  } else {
    doc.Para("No. Agencies missing, with the reason given:");
    doc.List(missing);
  }
  AttendanceTable(in, &doc);

  doc.Heading(2, "3. Record of discussion");
  if (!Sections(in, &doc, 3, false)) doc.Para("No notes recorded.");
  OtherNotes(in, &doc);

  CommentsSection(in, &doc, "4. Facilitator's comments / observations", true);

  doc.Heading(2, "Actions agreed");
  ActionsTable(in, &doc);

  doc.Heading(2, "5. Return of this report");
  std::string ret =
      "Please return this report to the child's Social Worker, the Child Protection Conference chair and the "
      "Safeguarding Board Business Unit 2 weeks from the date of the Multi-Agency Supervision event";
  ret += event ? ": by " + FormatLongDate(AddDays(*event, 14)) + "." : ".";
  doc.Para(ret);
  doc.Fields({{"Date returned to Business Unit",
               {DateOr(c.KeyDate(keydate::kMasSummaryReportSent), "not yet recorded"), {}}}});

  ConflictsSection(in, &doc);
  SignOff(in, &doc);
  ChronologyTable(in, &doc, "Annex: chronology");
  FeedbackAnnex(in, &doc);
  return doc;
}

Doc MapfReport(const ReportInput& in) {
  const Case& c = in.case_record;
  Doc doc;
  doc.title = ReportTitle(c.event_type);
  CaseBasics(in, &doc, "Lead agency");
  doc.Fields({{"Date of learning event", {DateOr(c.KeyDate(keydate::kMapfEvent), "not recorded"), {}}}});

  doc.Heading(2, "Participants");
  const auto missing = MissingList(in);
  if (!missing.empty()) {
    doc.Para("Agencies invited but not present, with the reason given:");
    doc.List(missing);
  }
  AttendanceTable(in, &doc);

  doc.Heading(2, "Learning");
  if (!Sections(in, &doc, 3, false)) doc.Para("No learning recorded.");
  OtherNotes(in, &doc);
  CommentsSection(in, &doc, "Facilitator's comments", false);

  ChronologyTable(in, &doc, "Merged multi-agency timeline");

  doc.Heading(2, "Action plan");
  ActionsTable(in, &doc);
  doc.Para(
      "The report and action plan must be agreed first by all agencies involved and then by the Local "
      "Operational Group, which holds responsibility for implementing the action plan (MAPF guidance §6).");

  ConflictsSection(in, &doc);
  SignOff(in, &doc);
  FeedbackAnnex(in, &doc);
  return doc;
}

Doc MapmReport(const ReportInput& in, const WorkingDayCalendar& calendar) {
  const Case& c = in.case_record;
  Doc doc;
  doc.title = ReportTitle(c.event_type);
  CaseBasics(in, &doc, "Convening agency");
  const auto meeting = c.KeyDate(keydate::kMapmMeeting);
  const auto text = [&](std::string_view key) -> std::string {
    auto it = in.notes.find(key);
    return it == in.notes.end() ? std::string() : it->second;
  };

  int n = 0;
  for (const auto& def : NoteSections(c.event_type)) {
    doc.Heading(2, std::to_string(++n) + ". " + std::string(def.title));
    const std::string body = text(def.key);
    const std::string_view key = def.key;
    if (key == "date-time-venue") {
      doc.Fields({{"Date", {DateOr(meeting, "not recorded"), {}}},
                  {"Venue", {c.venue.empty() ? std::string("not recorded") : c.venue, {}}}});
    } else if (key == "attendance") {
      AttendanceTable(in, &doc);
      const auto missing = MissingList(in);
      if (!missing.empty()) {
        doc.Para("Apologies and absences:");
        doc.List(missing);
      }
    } else if (key == "plan") {
      ActionsTable(in, &doc);
    } else if (key == "next-review") {
      doc.Fields({{"Next review", {DateOr(c.KeyDate(keydate::kMapmNextReview), "not agreed"), {}}}});
    }
    const bool structured = key == "date-time-venue" || key == "attendance" || key == "plan" || key == "next-review";
    if (!Blank(body)) {
      doc.Para(body);
    } else if (!structured) {
      doc.Para("Not recorded.");
    }
  }
  OtherNotes(in, &doc);
  CommentsSection(in, &doc, "Comments", false);

  doc.Heading(2, "Distribution");
  std::string dist =
      "Minutes and actions arising to be distributed to all attendees, and where appropriate the family, within "
      "5 working days";
  dist += meeting ? ": by " + FormatLongDate(calendar.AddWorkingDays(*meeting, 5)) + "." : ".";
  doc.Para(dist);
  doc.Fields({{"Minutes sent", {DateOr(c.KeyDate(keydate::kMapmMinutesSent), "not yet recorded"), {}}}});

  ConflictsSection(in, &doc);
  ChronologyTable(in, &doc, "Annex: chronology");
  FeedbackAnnex(in, &doc);
  return doc;
}

}  // namespace

std::string_view ToString(ReportFormat f) { return f == ReportFormat::kHtml ? "html" : "md"; }
std::string_view FileExtension(ReportFormat f) { return f == ReportFormat::kHtml ? ".html" : ".md"; }

Result<ReportFormat> ParseReportFormat(std::string_view text) {
  if (text == "md" || text == "markdown") return ReportFormat::kMarkdown;
  if (text == "html") return ReportFormat::kHtml;
  return MakeError(ErrorCode::kInvalidArgument, "unknown report format; known: md, html");
}

std::string ReportTitle(EventType t) {
  switch (t) {
    case EventType::kMas: return "Multi-Agency Supervision (MAS): Facilitator's Summary of MAS Event";
    case EventType::kMapf: return "Multi-Agency Professional Forum (MAPF): Learning Report and Action Plan";
    case EventType::kMapm: return "Multi-Agency Professionals' Meeting (MAPM): Minutes";
  }
  std::abort();
}

Status ValidateReportInput(const ReportInput& in) {
  CP_RETURN_IF_ERROR(ValidateCase(in.case_record));
  CP_RETURN_IF_ERROR(ValidateNotes(in.case_record.event_type, in.notes));
  for (const auto& a : in.attendance) CP_RETURN_IF_ERROR(ValidateAttendance(a));
  for (const auto& a : in.actions) CP_RETURN_IF_ERROR(ValidateAction(a));
  for (const auto& e : in.chronology) CP_RETURN_IF_ERROR(ValidateChronologyEntry(e));
  for (const auto& f : in.feedback) CP_RETURN_IF_ERROR(ValidateParticipantFeedback(f));
  for (const auto& f : in.conflicts) CP_RETURN_IF_ERROR(ValidateFieldConflict(f));
  if (in.report_date && !in.report_date->IsValid()) {
    return MakeError(ErrorCode::kInvalidArgument, "report date is not a valid date");
  }
  return Ok();
}

std::string RenderReport(const ReportInput& in, ReportFormat format) {
  Doc doc;
  switch (in.case_record.event_type) {
    case EventType::kMas: doc = MasReport(in); break;
    case EventType::kMapf: doc = MapfReport(in); break;
    case EventType::kMapm: doc = MapmReport(in, WorkingDayCalendar::EnglandAndWales()); break;
  }
  return format == ReportFormat::kHtml ? RenderHtml(doc) : RenderMarkdown(doc);
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
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateReportInput(in));
    return in;
  };
  auto result = body();
  if (!result.ok()) return result.error().Context("report input");
  return result;
}

}  // namespace casepack
