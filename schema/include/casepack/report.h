// Reports: the document an event produces, rendered from plain data to Markdown or to one printable,
// self-contained HTML file.
//   MAS  — the Facilitator's Summary of the MAS event (003 Appendix 3), with actions, the return date
//          (event + 2 weeks, 003 §4.9) and a signature block; participant feedback (Appendix 2) is a
//          separate document for the Business Unit (ReportDocument::kFeedback in report_layout.h);
//   MAPF — the learning report and action plan for the Local Operational Group (000 §4, §6), with the
//          merged multi-agency timeline (001 chronology format);
//   MAPM — the minutes in the suggested format of 002 §7 (12 numbered items), with actions arising and
//          the 5-working-day distribution date;
//   CPR/APR — the practice review's report (001 template): the review process and its key dates (report
//          due 6 months from the referral), the learning event's participants, the review's sections,
//          the merged timeline under its header, and the 001 action plan.
// Nothing given is dropped: notes under unknown section keys appear under "Other notes", the chronology
// appears as an annex for any event type, and concurrent values ("conflicts") are shown where
// they occur and counted at the top — never silently resolved.
//
// Pure and free of I/O: returns text, the caller decides where it goes (and must treat it as case
// content: never log it, write it only to an encrypted store or to a file the user asked for by name).
// The input holds no key material, so a report can never contain any. All user text is escaped: HTML
// special characters in HTML; Markdown and inline-HTML syntax in Markdown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/labels.h"
#include "casepack/mapm.h"
#include "casepack/report_journey.h"
#include "casepack/process.h"
#include "casepack/result.h"

namespace casepack {

// Markdown and HTML are written here; PDF and Word by render/ (casepack/render.h) from the same layout
// (casepack/report_layout.h).
enum class ReportFormat { kMarkdown, kHtml, kPdf, kDocx };
std::string_view ToString(ReportFormat f);                     // "md", "html", "pdf", "docx"
Result<ReportFormat> ParseReportFormat(std::string_view text);  // "md", "markdown", "html", "pdf", "docx", "word"
std::string_view FileExtension(ReportFormat f);                // ".md", ".html", ".pdf", ".docx"
inline bool IsTextFormat(ReportFormat f) { return f == ReportFormat::kMarkdown || f == ReportFormat::kHtml; }

struct ReportInput {
  Case case_record;
  std::vector<std::string> facilitators;  // names, as they sign the report
  std::vector<Attendance> attendance;
  SectionNotes notes;                 // section key -> merged plain text (see NoteSections)
  std::string facilitator_comments;   // MAS Appendix 3 item 4; "comments" for the other types
  std::vector<Action> actions;
  std::vector<ChronologyEntry> chronology;  // rendered in date order (stable)
  ChronologyHeader chronology_header;       // 001 Appendix 1's heading, shown above the timeline
  std::vector<ParticipantFeedback> feedback;
  std::vector<FieldConflict> conflicts;  // conflicts on fields other than actions' owner/due
  std::optional<Date> report_date;       // the date the report is signed
  // MAPM (002): chair, minute-taker, time, the family, the action plan's reviews; and the minutes'
  // distribution list (every attendee, the family where appropriate) with the date each was sent.
  MapmRecord mapm;
  std::vector<ReportRecipient> distribution;
  ProcessRecord process;                 // the referral, papers, planning group (casepack/process.h)
};

// Every part valid (ValidateCase, ValidateNotes for the case's type, ValidateAction, …). RenderReport
// does not require this (it renders whatever it is given); call it before sending a report out.
Status ValidateReportInput(const ReportInput& in);

std::string ReportTitle(EventType t, Language lang = Language::kEnglish);  // "Multi-Agency Supervision (MAS): Facilitator's Summary of MAS Event"

// The whole report (never the participants' feedback: see report_layout.h) as one string: Markdown
// (CommonMark + GFM tables) or a complete HTML5 document with inline CSS (including @media print), no
// scripts and no external resources. REQUIRES: IsTextFormat(format).
std::string RenderReport(const ReportInput& in, ReportFormat format);

nlohmann::json ToJson(const ReportInput& in);
template <> Result<ReportInput> FromJson<ReportInput>(const nlohmann::json& j);

}  // namespace casepack
