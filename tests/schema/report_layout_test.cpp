// The layout every report writer shares: the Summary without feedback, feedback on its own, the
// signature block, conflicts where they occur, the case reference, the string table.
#include "casepack/report_layout.h"

#include <gtest/gtest.h>

#include "casepack/report_journey.h"
#include "schema/test_fixtures.h"

namespace casepack {
namespace {

using testing::D;

std::string AllText(const ReportLayout& l) {
  std::string s = l.title + "\n";
  for (const auto& b : l.blocks) {
    s += b.text.main + " " + b.text.warning + "\n";
    for (const auto& [k, v] : b.fields) s += k + " " + v.main + " " + v.warning + "\n";
    for (const auto& h : b.headers) s += h + "\n";
    for (const auto& r : b.rows)
      for (const auto& c : r) s += c.main + " " + c.warning + "\n";
    for (const auto& i : b.items) s += i.main + " " + i.warning + "\n";
    for (const auto& r : b.signatories) s += r + "\n";
  }
  return s;
}

TEST(CaseReference, VectorsFromDocsReports) {
  // docs/reports.md lists these; FNV-1a 64 of the id, top 40 bits in Crockford base 32.
  EXPECT_EQ(CaseReference(EventType::kMas, "e413e7fe224e1b85f2bd83f2f0f18565"), "MAS-AX1D-BSPZ");
  EXPECT_EQ(CaseReference(EventType::kMapf, ""), "MAPF-SFS9-SS44");
  EXPECT_EQ(CaseReference(EventType::kMapm, "a"), "MAPM-NXHX-RK46");
}

TEST(SubjectInitials, FromNamesOrInitials) {
  EXPECT_EQ(SubjectInitials("A.B."), "A.B.");
  EXPECT_EQ(SubjectInitials("alys ap bevan"), "A.A.B.");
  EXPECT_EQ(SubjectInitials("Ŵyn Ïfan"), "Ŵ.Ï.");
  EXPECT_EQ(SubjectInitials(""), "");
}

TEST(ReportLayout, MasSummaryHoldsNoFeedbackAndTheFeedbackDocumentDoes) {
  auto in = testing::MasReportInput();
  ParticipantFeedback f;
  f.agency = "Health";
  f.role = "Health visitor";
  f.answers["overall-process"] = "UNIQUE-FEEDBACK-ANSWER about the facilitators' style";
  in.feedback.push_back(f);
  const std::string summary = AllText(BuildReportLayout(in, ReportDocument::kReport));
  EXPECT_EQ(summary.find("UNIQUE-FEEDBACK-ANSWER"), std::string::npos);
  const ReportLayout fb = BuildReportLayout(in, ReportDocument::kFeedback);
  EXPECT_NE(AllText(fb).find("UNIQUE-FEEDBACK-ANSWER"), std::string::npos);
  bool stacked = false;  // long questions above their answers, never in a label column
  for (const auto& b : fb.blocks) stacked = stacked || (b.kind == LayoutBlock::Kind::kFields && b.stacked);
  EXPECT_TRUE(stacked);
}

TEST(ReportLayout, SignatureLinesNotTypedNames) {
  const ReportLayout l = BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport);
  int slots = 0;
  for (const auto& b : l.blocks)
    if (b.kind == LayoutBlock::Kind::kSignature) slots += static_cast<int>(b.signatories.size());
  EXPECT_EQ(slots, 2);
  const std::string md = RenderTextLayout(l, ReportFormat::kMarkdown);
  EXPECT_EQ(md.find("Signed:"), std::string::npos);
  EXPECT_NE(md.find("Date returned to Business Unit"), std::string::npos);
}

TEST(ReportLayout, AttendanceNotRecordedSaidOnce) {
  auto in = testing::MasReportInput();
  in.attendance.clear();
  const std::string text = AllText(BuildReportLayout(in, ReportDocument::kReport));
  const auto first = text.find("Attendance not recorded");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("Attendance not recorded", first + 1), std::string::npos);
  EXPECT_EQ(text.find("No attendance recorded"), std::string::npos);
}

TEST(ReportLayout, KeyDateConflictMarkedWhereTheDateIsShown) {
  auto in = testing::MasReportInput();
  FieldConflict f{"case", "MAS event", {}};
  f.values.candidates = {{"2026-04-08", "J. Evans", "2026-04-01T10:00"}, {"2026-04-09", "R. Price", "2026-04-01T10:01"}};
  in.conflicts.push_back(f);
  const ReportLayout l = BuildReportLayout(in, ReportDocument::kReport);
  bool marked_in_section_1 = false;
  for (std::size_t i = 0; i + 1 < l.blocks.size(); ++i)
    if (l.blocks[i].text.main == "1. Date of MAS event")
      marked_in_section_1 = l.blocks[i + 1].text.warning.find("2026-04-09") != std::string::npos;
  EXPECT_TRUE(marked_in_section_1);
}

TEST(ReportLayout, RunningHeaderHasInitialsEventDateAndReference) {
  const ReportLayout l = BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport);
  EXPECT_EQ(l.running_header, "Child A.B. · MAS event 8 April 2026 · " + l.case_reference);
  EXPECT_EQ(l.marking, "OFFICIAL-SENSITIVE");
}

TEST(ReportStrings, EveryIdHasText) {
  for (int i = 0; i < static_cast<int>(RS::kCount); ++i) EXPECT_FALSE(ReportString(static_cast<RS>(i)).empty()) << i;
}

TEST(ReportJourney, RecipientsPerEventType) {
  const std::vector<Attendance> att = {{"Health", "Health visitor", "", AttendanceStatus::kAttended, ""},
                                       {"Health", "GP", "", AttendanceStatus::kAttended, ""},
                                       {"Police", "PPU", "", AttendanceStatus::kApologies, "court"}};
  auto mas = ExpectedReportRecipients(EventType::kMas, att);
  ASSERT_EQ(mas.size(), 3u);
  EXPECT_EQ(mas[2].key, "business-unit");
  auto mapm = ExpectedReportRecipients(EventType::kMapm, att);
  ASSERT_EQ(mapm.size(), 2u);  // those who attended
  EXPECT_EQ(mapm[0].key, "attendee:health-health-visitor");
  auto mapf = ExpectedReportRecipients(EventType::kMapf, att);
  ASSERT_EQ(mapf.size(), 2u);  // Health once, then the LOG
  EXPECT_EQ(mapf[1].key, "log");
}

TEST(ReportJourney, StepsSentDueOverdue) {
  Case c = testing::MasCase();
  c.key_dates["event"] = D("2026-04-08");
  auto recipients = ExpectedReportRecipients(EventType::kMas, {});
  recipients[0].sent_on = D("2026-04-10");
  const auto before = RecipientSteps(ComputeTimescales(c, D("2026-04-20")), recipients);
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(before[0].state, StepState::kDone);
  EXPECT_EQ(before[1].state, StepState::kDue);
  EXPECT_EQ(*before[1].due, D("2026-04-22"));
  const auto after = RecipientSteps(ComputeTimescales(c, D("2026-04-23")), recipients);
  EXPECT_EQ(after[2].state, StepState::kOverdue);
}

}  // namespace
}  // namespace casepack
