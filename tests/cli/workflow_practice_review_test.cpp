// Child and Adult Practice Reviews through the real binary (001 "Process for APRs/CPRs", referral form,
// Panel Timetable, report template; 004 "CPR Process"): the key dates from referral to publication, typed as
// the guidance writes them (DD/MM/YYYY); the one limit 001 sets (the report within 6 months of the
// referral) and the agencies' timelines before the learning event in `deadlines`; the review's sections;
// the chronology's header (001 Appendix 1); the report in English and Welsh; its journey to the Sub-Group,
// the Board and Welsh Government; and retention, which purges an APR like any other case.
#include "workflow_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

TEST_F(WorkflowTest, CprFromReferralToBoardWithTimescalesHeaderAndBilingualReport) {
  InitStore();
  const std::string keys = Ok({"case", "keys", "--type", "cpr"});
  for (const char* k : {"referral", "sub-group-recommended", "chair-decided", "first-panel", "timelines-due",
                        "timeline-agreed", "event", "draft-report", "board-presented", "published",
                        "terms-of-reference", "learning-points", "improving-systems"})
    EXPECT_TRUE(Contains(keys, k)) << k;
  EXPECT_TRUE(Contains(keys, "A succinct anonymised account of the circumstances")) << "the template's prompts are shown";
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "case", "keys", "--type", "APR"}), "Atgyfeiriad wedi dod i law'r Uned Fusnes"));

  const std::string id = NewCase({"--type", "cpr", "--subject", "Baby R", "--area", "Merthyr Tydfil", "--lead-agency",
                                  "South Wales Police", "--date", "referral=14/09/2026", "--facilitator", "Dr Ann Reviewer"});
  json show = Show(id);
  EXPECT_EQ(show["event_type"], "CPR");
  EXPECT_EQ(show["key_dates"]["referral"], "2026-09-14") << "DD/MM/YYYY is read as the guidance writes it";

  // ---- timescales: the report within 6 months of the referral (001 referral form) ----
  auto steps = Deadlines(id, "2026-12-01");
  ASSERT_EQ(steps.size(), 2u) << "001 sets one limit, and the timelines come before the learning event";
  EXPECT_EQ(steps["review-report"]["due"], "2027-03-14");
  EXPECT_EQ(steps["review-report"]["state"], "due");
  EXPECT_EQ(steps["agency-timelines"]["state"], "waiting");
  EXPECT_EQ(steps["agency-timelines"]["note"], "the due date follows from the event date");

  // The panel's deadline for the agencies' timelines, then the learning event; the merged timeline late.
  Ok({"case", "set", id, "--date", "sub-group-recommended=21/09/2026", "--date", "chair-decided=23/09/2026", "--date",
      "first-panel=05/10/2026", "--date", "timelines-due=06/11/2026", "--date", "event=20/01/2027"});
  steps = Deadlines(id, "2026-12-01");
  EXPECT_EQ(steps["agency-timelines"]["due"], "2026-11-06");
  EXPECT_EQ(steps["agency-timelines"]["state"], "overdue");
  Ok({"case", "set", id, "--date", "timeline-agreed=01/12/2026"});
  steps = Deadlines(id, "2026-12-01");
  EXPECT_EQ(steps["agency-timelines"]["state"], "done");
  EXPECT_EQ(steps["agency-timelines"]["late"], true);

  // A draft report before the learning event cannot be right: refused with the reason, nothing changed.
  auto refused = Cli({"case", "set", id, "--date", "draft-report=02/01/2027"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "the draft report follows the learning event")) << refused.err;
  EXPECT_FALSE(Show(id)["key_dates"].contains("draft-report"));

  // The Board agrees a later completion (say a prosecution runs): shown beside the limit, in text too.
  Ok({"case", "set", id, "--date", "completion-agreed=30/04/2027"});
  steps = Deadlines(id, "2026-12-01");
  EXPECT_EQ(steps["review-report"]["note"], "the Board agreed completion by 2027-04-30, after the 6-month limit");
  const std::string text = Ok({"deadlines", "--today", "2026-12-01"});
  EXPECT_TRUE(Contains(text, "Review report completed and presented to the Board")) << text;
  EXPECT_TRUE(Contains(text, "after the 6-month limit")) << text;
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "deadlines", "--today", "2026-12-01"}), "o fewn 6 mis i'r atgyfeiriad"));

  // ---- the review: sections, the learning event, the action plan, the chronology under its header ----
  WithStdin({"note", "add", id, "terms-of-reference"}, "Examine inter-agency working in the 12 months before the injury.\n");
  WithStdin({"note", "add", id, "learning-points"}, "Learning point one: the father was never assessed.\n");
  Ok({"attend", id, "--agency", "Cwm Taf Morgannwg UHB", "--role", "Health visitor", "--status", "attended"});
  Ok({"attend", id, "--agency", "Education", "--status", "apologies", "--reason", "term starts"});
  Ok({"action", "add", id, "--what", "Assess every adult in the household", "--owner-agency", "Children's Services",
      "--due", "2027-06-30", "--recommendation", "Think family", "--outcome", "No adult unassessed"});
  Ok({"chronology", "add", id, "--when", "03/02/2026 10:15", "--source", "Health", "--event", "Missed 6-8 week check"});

  EXPECT_TRUE(Contains(Ok({"chronology", "header", id}), "no header yet"));
  Ok({"chronology", "header", id, "--subject", "Baby R", "--from", "01/09/2025", "--to", "31/08/2026",
      "--completed-by", "Safeguarding lead, Health", "--date", "2026-10-30", "--version", "2"});
  json header = Json({"chronology", "header", id, "--json"});
  EXPECT_EQ(header, json({{"subject", "Baby R"}, {"from", "2025-09-01"}, {"to", "2026-08-31"},
                          {"completed_by", "Safeguarding lead, Health"}, {"date", "2026-10-30"}, {"version", "2"}}));
  EXPECT_EQ(Show(id)["chronology_header"], header);
  // Only the options given change; "" clears one; a period that ends before it starts is refused.
  Ok({"chronology", "header", id, "--version", "3", "--date", ""});
  header = Json({"chronology", "header", id, "--json"});
  EXPECT_EQ(header["version"], "3");
  EXPECT_EQ(header["date"], nullptr);
  EXPECT_EQ(header["from"], "2025-09-01");
  auto backwards = Cli({"chronology", "header", id, "--to", "01/01/2025"});
  EXPECT_EQ(backwards.exit_code, 1);
  EXPECT_TRUE(Contains(backwards.err, "the period covered ends (2025-01-01) before it starts (2025-09-01)")) << backwards.err;
  EXPECT_EQ(Json({"chronology", "header", id, "--json"})["to"], "2026-08-31");
  const std::string listed = Ok({"chronology", "list", id});
  EXPECT_TRUE(Contains(listed, "Time period covered")) << listed;
  EXPECT_TRUE(Contains(listed, "01/09/2025 \u2013 31/08/2026")) << listed;
  EXPECT_TRUE(Contains(listed, "Missed 6-8 week check")) << listed;
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "chronology", "list", id}), "Y cyfnod dan sylw"));

  // ---- the report, in English and in Welsh ----
  const std::string md = Report(id, "md", "2026-12-01");
  for (const char* s : {"Child Practice Review (CPR): Report and Action Plan", "The review process",
                        "Referral received by the Business Unit", "Monday 14 September 2026",
                        "Report due (6 months from the referral)", "Sunday 14 March 2027",
                        "Agency chairing the Review Panel", "South Wales Police", "Practice and organisational learning",
                        "the father was never assessed", "Time period covered", "Safeguarding lead, Health",
                        "Missed 6-8 week check", "Think family", "Education", "term starts"})
    EXPECT_TRUE(Contains(md, s)) << s << "\n" << md;
  const auto cy_file = tmp_ / "cpr-cy.md";
  Ok({"--lang", "cy", "report", id, "--format", "md", "--date", "2026-12-01", "-o", cy_file.string()});
  const std::string cy = ReadFile(cy_file);
  for (const char* s : {"Adolygiad Ymarfer Plant (CPR): Adroddiad a Chynllun Gweithredu", "Proses yr adolygiad",
                        "Atgyfeiriad wedi dod i law'r Uned Fusnes", "Dysgu ymarfer a sefydliadol", "Y cyfnod dan sylw",
                        "Cwblhawyd gan"})
    EXPECT_TRUE(Contains(cy, s)) << s << "\n" << cy;

  // ---- the report's journey: the Sub-Group, the Board, Welsh Government; the last sets `published` ----
  Ok({"case", "set", id, "--date", "event=20/11/2026", "--date", "draft-report=25/11/2026", "--date",
      "board-presented=30/11/2026"});
  const json recipients = Json({"report", "recipients", id, "--json"});
  ASSERT_EQ(recipients.size(), 3u);
  EXPECT_EQ(recipients[0]["key"], "sub-group");
  EXPECT_EQ(recipients[1]["key"], "board");
  EXPECT_EQ(recipients[2]["key"], "welsh-government");
  for (const char* r : {"sub-group", "board"}) Ok({"report", "sent", id, "--recipient", r, "--date", "2026-11-30"});
  EXPECT_FALSE(Show(id)["key_dates"].contains("published"));
  Ok({"report", "sent", id, "--recipient", "welsh", "--date", "2026-12-01"});
  EXPECT_EQ(Show(id)["key_dates"]["published"], "2026-12-01");
  steps = Deadlines(id, "2026-12-01");
  EXPECT_EQ(steps["review-report"]["state"], "done");
  EXPECT_EQ(steps["review-report"]["done_on"], "2026-11-30");
  EXPECT_EQ(steps["review-report"]["late"], false);
  // Published: kept 90 days for queries (docs/domain.md "Retention"), then purged like any case.
  EXPECT_TRUE(Contains(Ok({"case", "show", id}), "purge date  2027-03-01 (published + 90 days)"));
}

TEST_F(WorkflowTest, AprIsAnAdultsReviewAndIsPurgedLikeTheOthers) {
  InitStore();
  const std::string live = NewCase({"--type", "APR", "--subject", "Mr J.", "--area", "Rhondda Cynon Taf", "--date",
                                    "referral=2026-10-01"});
  EXPECT_EQ(Show(live)["event_type"], "APR");
  EXPECT_TRUE(Contains(Ok({"case", "show", live}), "purge date  2027-10-01 (referral + 365 days)"))
      << "before the report, a year from the referral";
  const std::string md = Report(live, "md", "2026-12-01");
  EXPECT_TRUE(Contains(md, "Adult Practice Review (APR): Report and Action Plan")) << md;
  EXPECT_TRUE(Contains(md, "Adult")) << md;
  EXPECT_EQ(Deadlines(live, "2026-12-01")["review-report"]["due"], "2027-04-01");

  // A review published long ago: the next command purges it and keeps only its basics.
  const std::string old = NewCase({"--type", "APR", "--subject", "Mrs K.", "--area", "Bridgend", "--date",
                                   "referral=01/01/2026", "--date", "event=01/03/2026", "--date", "board-presented=01/06/2026",
                                   "--date", "published=01/07/2026", "--past-purge-date"});
  const std::string list = Ok({"case", "list"});
  EXPECT_TRUE(Contains(list, old.substr(0, 8) + "  APR   purged on 2026-12-01")) << list;
  EXPECT_TRUE(Contains(list, "Bridgend")) << list;
  auto gone = Cli({"case", "show", old});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_TRUE(Contains(gone.err, "was purged on 2026-12-01 under the retention policy")) << gone.err;
  EXPECT_EQ(Show(live)["event_type"], "APR") << "the other review is untouched";
}

}  // namespace
}  // namespace casepack::testing
