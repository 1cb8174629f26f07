// The CLI in Welsh: labels from the catalogue when the locale is Welsh (LANG, LC_MESSAGES, LC_ALL) or with
// --lang cy; reports in Welsh, English or bilingual.
#include "workflow_support.h"

namespace casepack::testing {
namespace {

RunOptions Locale(std::string lang) { return {.env = {{"LANG", std::move(lang)}}}; }

// The tests below date their cases from today, so they run the shipped binary on the system clock (which
// the calendar-shift run moves with the test: now_ cleared), not WorkflowTest's fixed test clock: a date
// typed 20 days before today must be 20 days before the binary's today too, or it is refused as implausible.

TEST_F(WorkflowTest, CaseKeysInWelshFromTheLocale) {
  InitStore();
  const std::string cy = Ok({"case", "keys", "--type", "MAS"}, Locale("cy_GB.UTF-8"));
  for (const char* s : {"dyddiadau allweddol MAS:", "Y gynhadledd lle cytunwyd ar yr atgyfeiriad MAS", "adrannau nodiadau MAS:",
                        "Hanes yr achos hyd yma", "mathau o ddogfen:", "Cofnodion y Gynhadledd Amddiffyn Plant Gychwynnol",
                        "referral-conference", "icpc-minutes"})
    EXPECT_TRUE(Contains(cy, s)) << s << "\n" << cy;
  EXPECT_FALSE(Contains(cy, "key dates of"));
  const std::string en = Ok({"--lang", "en", "case", "keys", "--type", "MAS"}, Locale("cy_GB.UTF-8"));
  EXPECT_TRUE(Contains(en, "key dates of MAS:")) << "--lang wins over the locale";
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "case", "keys", "--type", "MAPM"}), "Nod y cyfarfod"));
  RunOptions lc_all = Locale("cy_GB.UTF-8");
  lc_all.env["LC_ALL"] = "C";
  EXPECT_TRUE(Contains(Ok({"case", "keys", "--type", "MAS"}, lc_all), "key dates of MAS:")) << "LC_ALL wins over LANG";
  auto bad = Cli({"--lang", "fr", "case", "keys", "--type", "MAS"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(WorkflowTest, DeadlinesInWelsh) {
  now_.clear();  // the system clock (above)
  InitStore();
  NewCase({"--type", "MAS", "--subject", "G.A.D.", "--area", "Ynys Môn", "--date",
           "referral-conference=" + DaysFromToday(-20)});
  const std::string cy = Ok({"deadlines"}, Locale("cy_GB.UTF-8"));
  for (const char* s : {"yn hwyr", "Trefnu'r digwyddiad a gwahodd y grŵp craidd",
                        "cyn pen 2 wythnos ar ôl y gynhadledd lle cytunwyd ar yr atgyfeiriad", "yn aros",
                        "Cynnal y digwyddiad MAS", "dileu"})
    EXPECT_TRUE(Contains(cy, s)) << s << "\n" << cy;
  EXPECT_TRUE(Contains(cy, "mae'r dyddiad dyledus yn dilyn o ddyddiad y digwyddiad")) << "step notes in Welsh\n" << cy;
  EXPECT_FALSE(Contains(cy, "the due date follows")) << cy;
  // The purge line: its date and rule, the key date named in Welsh; and a case on legal hold.
  EXPECT_TRUE(Contains(cy, "(Y gynhadledd lle cytunwyd ar yr atgyfeiriad MAS + 180 diwrnod)")) << cy;
  const std::string id = NewCase({"--type", "MAS", "--subject", "H.B.", "--area", "Gwynedd", "--date",
                                  "referral-conference=" + DaysFromToday(-20), "--date", "event=" + DaysFromToday(-2),
                                  "--date", "summary-report-sent=" + DaysFromToday(-1)});
  const std::string dated = Ok({"deadlines"}, Locale("cy_GB.UTF-8"));
  EXPECT_TRUE(Contains(dated, " diwrnod)")) << dated;
  EXPECT_FALSE(Contains(dated, " days)")) << dated;
  Ok({"case", "hold", id, "--reason", "Cais gan y llys"});
  EXPECT_TRUE(Contains(Ok({"deadlines"}, Locale("cy_GB.UTF-8")), "wedi'i atal (ataliad cyfreithiol ers "));
  const std::string en = Ok({"deadlines"});
  EXPECT_TRUE(Contains(en, " days)")) << en;
  EXPECT_TRUE(Contains(en, "on hold (legal hold since ")) << en;
  EXPECT_TRUE(Contains(en, "overdue")) << en;
  EXPECT_TRUE(Contains(en, "Event booked and core group invited")) << en;
  EXPECT_FALSE(Contains(en, "Trefnu"));
}

TEST_F(WorkflowTest, ReportsInWelshEnglishAndBilingual) {
  now_.clear();  // the system clock (above)
  InitStore();
  const std::string id = NewCase({"--type", "MAS", "--subject", "G.A.D.", "--area", "Ynys Môn", "--date",
                                  "referral-conference=" + DaysFromToday(-20), "--date", "event=" + DaysFromToday(-2)});
  const std::string cy = Ok({"--lang", "cy", "report", id, "--format", "md", "-o", "-"});
  EXPECT_TRUE(Contains(cy, "# Goruchwyliaeth Amlasiantaethol (MAS): Crynodeb yr Hwylusydd o'r Digwyddiad MAS")) << cy;
  EXPECT_TRUE(Contains(cy, "## 1. Dyddiad y digwyddiad MAS"));
  EXPECT_TRUE(Contains(cy, "Dydd ")) << "dates in Welsh";
  const std::string both = Ok({"report", id, "--bilingual", "--format", "html", "-o", "-"});
  EXPECT_TRUE(Contains(both, "<html lang=\"cy-GB\">"));
  EXPECT_TRUE(Contains(both, "<h2 lang=\"en-GB\">1. Date of MAS event</h2>"));
  EXPECT_LT(both.find("1. Dyddiad y digwyddiad MAS"), both.find("1. Date of MAS event"));
  const std::string en = Ok({"report", id, "--format", "md", "-o", "-"});
  EXPECT_TRUE(Contains(en, "## 1. Date of MAS event"));
}

}  // namespace
}  // namespace casepack::testing
