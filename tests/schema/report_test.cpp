#include "casepack/report.h"
#include "casepack/report_layout.h"

#include <gtest/gtest.h>

#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using testing::D;

bool Has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Asserts that the needles occur in this order.
void ExpectInOrder(const std::string& text, std::initializer_list<std::string_view> needles) {
  std::size_t pos = 0;
  for (auto n : needles) {
    const auto found = text.find(n, pos);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << n;
    pos = found + n.size();
  }
}

TEST(Report, MasFacilitatorsSummaryMarkdown) {
  const auto in = testing::MasReportInput();
  ASSERT_TRUE(ValidateReportInput(in).ok());
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  ExpectInOrder(md, {"# Multi-Agency Supervision (MAS): Facilitator's Summary of MAS Event",
                     "## 1. Date of MAS event", "Wednesday 8 April 2026",
                     "## 2. Did all relevant workers attend?", "No. Agencies missing, with the reason given:",
                     "## 3. Record of discussion", "### Story of the case so far",
                     "### Risk factors / context of significant harm", "### Where to next?",
                     "## 4. Facilitator's comments / observations", "Good engagement",
                     "## Actions agreed", "## 5. Return of this report", "by Wednesday 22 April 2026",
                     "Date returned to Business Unit"});
  // Missing agencies with reasons (Appendix 3 item 2), including one who never answered.
  EXPECT_TRUE(Has(md, "Education (Teacher): apologies; reason given: illness")) << md;
  EXPECT_TRUE(Has(md, "Gwent Police (PPU officer): did not respond; no reason given")) << md;
  // Attendance table.
  EXPECT_TRUE(Has(md, "| Agency | Role | Name | Status | Reason |"));
  EXPECT_TRUE(Has(md, "| Newport Children's Services | Social worker | S. Jones | attended |  |")) << md;
  // Only sections with notes are listed; paragraphs survive.
  EXPECT_FALSE(Has(md, "Grey areas"));
  EXPECT_TRUE(Has(md, "Registered since 2024.\n\nSecond paragraph of the story."));
  // Actions with owners and due dates.
  EXPECT_TRUE(Has(md, "| 2 | Share the chronology with school | Social worker (Newport Children's Services) | "
                      "30/04/2026 | open |"))
      << md;
  // Lines to sign by hand, not typed names; the human case reference, not the internal id.
  EXPECT_FALSE(Has(md, "Signed:"));
  EXPECT_TRUE(Has(md, "Name (print)"));
  EXPECT_TRUE(Has(md, CaseReference(EventType::kMas, in.case_record.id)));
}

TEST(Report, ConflictsAreShownNotHidden) {
  const auto in = testing::MasReportInput();
  for (auto format : {ReportFormat::kMarkdown, ReportFormat::kHtml}) {
    const std::string out = RenderReport(in, format);
    EXPECT_TRUE(Has(out, "Health visitor (Aneurin Bevan UHB) (set by J. Evans at 2026-04-08T11:00)")) << out;
    const std::string also = format == ReportFormat::kHtml
                                 ? "\u26A0 conflict: also &#39;Social worker (Newport Children&#39;s Services)&#39; "
                                   "(set by R. Price at 2026-04-08T11:02)"
                                 : "\u26A0 conflict: also 'Social worker (Newport Children's Services)' "
                                   "(set by R. Price at 2026-04-08T11:02)";
    EXPECT_TRUE(Has(out, also)) << out;
    EXPECT_TRUE(Has(out, "1 value has concurrent edits")) << out;
  }
}

TEST(Report, FieldConflictsListed) {
  auto in = testing::MasReportInput();
  FieldConflict fc{"case", "event date", Conflicted<std::string>::Of("2026-04-08", "J. Evans", "t1")};
  fc.values.candidates.push_back({"2026-04-09", "R. Price", "t2"});
  in.conflicts.push_back(fc);
  FieldConflict agreed{"case", "venue", Conflicted<std::string>::Of("Room 4", "A", "t1")};
  agreed.values.candidates.push_back({"Room 4", "B", "t2"});  // same value twice: nothing to resolve
  in.conflicts.push_back(agreed);
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  EXPECT_TRUE(Has(md, "## Unresolved conflicts"));
  EXPECT_TRUE(Has(md, "case, event date: 2026-04-08 (set by J. Evans at t1) **\u26A0 conflict: also "
                      "'2026-04-09' (set by R. Price at t2)**"))
      << md;
  EXPECT_FALSE(Has(md, "case, venue"));
  EXPECT_TRUE(Has(md, "2 values have concurrent edits"));
}

TEST(Report, HtmlIsSelfContainedAndEscaped) {
  auto in = testing::MasReportInput();
  in.notes["grey-areas"] = "<script>alert('x')</script> & \"quotes\"";
  in.attendance[0].name = "<img src=x onerror=alert(1)>";
  in.actions[1].what = "Check </td></tr></table> breakout";
  const std::string html = RenderReport(in, ReportFormat::kHtml);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(Has(html, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(Has(html, "<style>"));
  EXPECT_TRUE(Has(html, "@media print"));
  EXPECT_TRUE(Has(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;")) << html;
  EXPECT_TRUE(Has(html, "&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(Has(html, "Check &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt; breakout"));
  // Nothing executable or fetched.
  EXPECT_FALSE(Has(html, "<script"));
  EXPECT_FALSE(Has(html, "<img"));
  EXPECT_FALSE(Has(html, "<link"));
  EXPECT_FALSE(Has(html, "http:"));
  EXPECT_FALSE(Has(html, "https:"));
  EXPECT_FALSE(Has(html, "url("));
  EXPECT_FALSE(Has(html, "@import"));
  // Structure: the sections are there too.
  ExpectInOrder(html, {"<h1>Multi-Agency Supervision (MAS): Facilitator&#39;s Summary of MAS Event</h1>",
                       "<h2>1. Date of MAS event</h2>", "<h2>2. Did all relevant workers attend?</h2>",
                       "<h3>Grey areas</h3>", "<h2>4. Facilitator&#39;s comments / observations</h2>",
                       "</html>"});
  EXPECT_TRUE(Has(html, "<p>Registered since 2024.</p>\n<p>Second paragraph of the story.</p>"));
}

TEST(Report, MarkdownEscapesSyntaxAndHtml) {
  auto in = testing::MasReportInput();
  in.notes["grey-areas"] = "<script>alert(1)</script>\n# not a heading\n1. not a list\n- nor this\n*bold* [link](x)";
  in.actions[1].what = "pipe | in a cell\nsecond line";
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  EXPECT_FALSE(Has(md, "<script>"));
  EXPECT_TRUE(Has(md, "\\<script\\>alert(1)\\</script\\>"));
  EXPECT_TRUE(Has(md, "\\# not a heading"));
  EXPECT_TRUE(Has(md, "1\\. not a list"));
  EXPECT_TRUE(Has(md, "\\- nor this"));
  EXPECT_TRUE(Has(md, "\\*bold\\* \\[link\\](x)"));
  in.notes["grey-areas"] = "AT&amp;T & co &#60;";
  const std::string md2 = RenderReport(in, ReportFormat::kMarkdown);
  EXPECT_TRUE(Has(md2, "AT\\&amp;T & co \\&\\#60;")) << md2;
  EXPECT_TRUE(Has(md, "pipe \\| in a cell<br>second line"));
}

TEST(Report, EveryoneAttendedAndNothingRecorded) {
  ReportInput in;
  in.case_record = testing::MasCase();
  in.attendance = {{"Health", "Health visitor", "", AttendanceStatus::kAttended, ""}};
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  EXPECT_TRUE(Has(md, "## 2. Did all relevant workers attend?\n\nYes.\n"));
  EXPECT_TRUE(Has(md, "## 1. Date of MAS event\n\nNot recorded."));
  EXPECT_TRUE(Has(md, "No notes recorded."));
  EXPECT_TRUE(Has(md, "No actions recorded."));
  EXPECT_TRUE(Has(md, "date of the Multi-Agency Supervision event."));  // no return date without an event
  EXPECT_FALSE(Has(md, "concurrent edits"));
}

TEST(Report, UnknownSectionsAreShownAndFlagged) {
  auto in = testing::MasReportInput();
  in.notes["what-we-forgot"] = "still here";
  EXPECT_FALSE(ValidateReportInput(in).ok());
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  ExpectInOrder(md, {"## Other notes", "### what-we-forgot", "still here"});
}

TEST(Report, FeedbackDocumentUsesAppendix2Questions) {
  auto in = testing::MasReportInput();
  ParticipantFeedback f;
  f.agency = "Education";
  f.role = "Teacher";
  f.barriers = true;
  f.answers = {{"most-useful", "Hearing from health"}, {"barriers", "Short notice"}};
  in.feedback.push_back(f);
  EXPECT_FALSE(Has(RenderReport(in, ReportFormat::kMarkdown), "Hearing from health")) << "feedback is not in the Summary";
  const std::string md = RenderTextLayout(BuildReportLayout(in, ReportDocument::kFeedback), ReportFormat::kMarkdown);
  ExpectInOrder(md, {"# Multi-Agency Supervision (MAS): Participant Feedback", "## Form 1: Education, Teacher",
                     "1. What did you find most useful about this event?** Hearing from health",
                     "2. How could this event be improved?** Not answered",
                     "3. Were there any barriers to your participation?** Yes. Short notice",
                     "6. Final comments:** Not answered"});
}

TEST(Report, MapfLearningReportAndActionPlan) {
  ReportInput in;
  in.case_record.id = "MAPF-2026-3";
  in.case_record.event_type = EventType::kMapf;
  in.case_record.subject = {"G.H.", "Pembrokeshire"};
  in.case_record.lead_agency = "Pembrokeshire County Council";
  in.case_record.key_dates = {{"event", D("2026-05-12")}};
  in.attendance = {{"Dyfed-Powys Police", "DS", "", AttendanceStatus::kAttended, ""},
                   {"Hywel Dda UHB", "School nurse", "", AttendanceStatus::kAbsent, "on leave"}};
  in.notes = {{"working-well", "Good school links."},
              {"worried-about", "Missed appointments."},
              {"learning-points", "Share health information sooner."}};
  in.chronology = MergeChronologies(
      {{{ParseDateTime("2025-02-01T10:00").value(), "Police", "Call-out", "Visit", "Timely"}},
       {{ParseDateTime("2025-01-15").value(), "Health", "Missed appointment", "Letter sent", "Should have rung"}}});
  in.actions = {testing::MakeAction("a1", "Review information-sharing protocol", {"Hywel Dda UHB", ""}, "2026-07-01")};
  ASSERT_TRUE(ValidateReportInput(in).ok()) << ValidateReportInput(in).error().message;
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  ExpectInOrder(md, {"# Multi-Agency Professional Forum (MAPF): Learning Report and Action Plan",
                     "Lead agency:** Pembrokeshire County Council", "Tuesday 12 May 2026", "## Participants",
                     "Hywel Dda UHB (School nurse): absent; reason given: on leave", "## Learning",
                     "### What's working well?", "### What are we worried about?", "### Learning points",
                     "## Merged multi-agency timeline",
                     "| Date & Time | Source | Significant Event | Action Taken | Analysis |",
                     "| 15/01/2025 | Health | Missed appointment | Letter sent | Should have rung |",
                     "| 01/02/2025 10:00 | Police |", "## Action plan", "Review information-sharing protocol",
                     "Local Operational Group"});
  EXPECT_FALSE(Has(md, "What needs to happen?"));  // nothing recorded there
}

TEST(Report, MapmMinutesFollowTheAgenda) {
  ReportInput in;
  in.case_record.id = "MAPM-7";
  in.case_record.event_type = EventType::kMapm;
  in.case_record.subject = {"J.K.", "Caerphilly"};
  in.case_record.lead_agency = "Caerphilly Education";
  in.case_record.venue = "Ty Penallta";
  in.case_record.key_dates = {{"meeting", D("2026-04-02")}, {"next-review", D("2026-06-25")}};
  in.attendance = {{"Caerphilly Education", "Head teacher", "", AttendanceStatus::kAttended, ""},
                   {"Health", "GP", "", AttendanceStatus::kApologies, "surgery"}};
  in.notes = {{"aim", "Agree a plan for attendance."}, {"lead-practitioner", "Head teacher continues."}};
  in.actions = {testing::MakeAction("a1", "Meet the family", {"Caerphilly Education", "Head teacher"}, "2026-04-16")};
  const std::string md = RenderReport(in, ReportFormat::kMarkdown);
  ExpectInOrder(md, {"# Multi-Agency Professionals' Meeting (MAPM): Minutes", "Convening agency:** Caerphilly Education",
                     "## 1. Date, time and venue", "Thursday 2 April 2026", "Ty Penallta", "## 2. Introduction",
                     "## 3. Attendance / apologies", "| Health | GP |", "Health (GP): apologies; reason given: surgery",
                     "## 4. Aim of meeting", "Agree a plan for attendance.",
                     "## 5. Needs, strengths and risks identified by the convening agency prior to the meeting",
                     "Not recorded.", "## 6. Additional or new information shared at the meeting",
                     "## 7. Other needs, strengths and risks identified during the meeting",
                     "## 8. How to address these needs?", "## 9. Plan to support the family", "Meet the family",
                     "## 10. Has a Family Group Conference been considered?", "## 11. Lead Practitioner",
                     "Head teacher continues.", "## 12. Date of next review", "Thursday 25 June 2026",
                     "## Distribution", "within 5 working days: by Monday 13 April 2026."});
}

TEST(Report, FormatsParse) {
  EXPECT_EQ(*ParseReportFormat("md"), ReportFormat::kMarkdown);
  EXPECT_EQ(*ParseReportFormat("markdown"), ReportFormat::kMarkdown);
  EXPECT_EQ(*ParseReportFormat("html"), ReportFormat::kHtml);
  EXPECT_EQ(*ParseReportFormat("pdf"), ReportFormat::kPdf);
  EXPECT_EQ(*ParseReportFormat("docx"), ReportFormat::kDocx);
  EXPECT_FALSE(ParseReportFormat("odt").ok());
  EXPECT_EQ(FileExtension(ReportFormat::kHtml), ".html");
}

}  // namespace
}  // namespace casepack
