// A whole Multi-Agency Supervision case through the real binary, as a facilitator runs it offline (003):
// case pack in, event recorded, timescales watched, Facilitator's Summary (Appendix 3) out. Every value
// put in is read back through the CLI's own output and found in the report.
#include <filesystem>

#include "workflow_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST_F(WorkflowTest, MasCaseFromPackToSummaryReport) {
  InitStore();
  const std::string keys = Ok({"case", "keys", "--type", "MAS"});
  for (const char* k : {"referral-conference", "event-booked", "papers-received", "event", "summary-report-sent",
                        "story", "protective-factors", "risk-factors", "where-next", "icpc-minutes"})
    EXPECT_TRUE(Contains(keys, k)) << k;

  // The referral conference (Monday 2 November 2026) starts every MAS clock.
  const std::string id = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--venue",
                                  "Civic Centre", "--date", "referral-conference=2026-11-02", "--facilitator",
                                  "Alex Jones", "--facilitator", "Bethan Hughes"});
  const std::string c = id.substr(0, 6);  // a unique prefix works everywhere an id does

  // ---- the case pack: minutes and plan, one of them binary and several chunks long ----
  struct Doc {
    std::string file, type, from, bytes, id;
  };
  std::vector<Doc> docs = {
      {"ICPC minutes 2026-05.pdf", "icpc-minutes", "Newport Children's Services", BinaryDocument(200'000, 1), {}},
      {"core-group.txt", "core-group-minutes", "Newport Children's Services", "Core group met on 20 October.\n", {}},
      {"plan.docx", "child-protection-plan", "Newport Children's Services", BinaryDocument(65'536, 2), {}},
  };
  for (auto& d : docs) {
    WriteFile(tmp_ / d.file, d.bytes);
    const std::string out = Ok({"doc", "add", c, (tmp_ / d.file).string(), "--type", d.type, "--from", d.from,
                                "--received", "2026-11-24"});
    d.id = FirstWord(out);
    EXPECT_TRUE(Contains(out, Sha256Of(tmp_ / d.file))) << out;
  }
  const json listed = Json({"doc", "list", id, "--json"});
  ASSERT_EQ(listed.size(), docs.size());
  for (const auto& d : docs) {
    const auto it = std::find_if(listed.begin(), listed.end(), [&](const json& j) { return j["id"] == d.id; });
    ASSERT_NE(it, listed.end()) << d.file;
    EXPECT_EQ((*it)["original_name"], d.file);
    EXPECT_EQ((*it)["type"], d.type);
    EXPECT_EQ((*it)["size"], d.bytes.size());
    EXPECT_EQ((*it)["sha256"], Sha256Of(tmp_ / d.file));
    EXPECT_EQ((*it)["received"], "2026-11-24");
    EXPECT_EQ((*it)["sending_agency"], d.from);
    // Exported back byte for byte, to a file and to standard output, by full id and by prefix.
    const fs::path out = tmp_ / ("exported-" + d.id);
    Ok({"doc", "export", id, d.id.substr(0, 5), "-o", out.string()});
    EXPECT_EQ(ReadFile(out), d.bytes) << d.file;
    EXPECT_EQ(fs::status(out).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write)
        << "a decrypted document is readable by its owner only";
    EXPECT_EQ(Ok({"doc", "export", c, d.id, "-o", "-"}), d.bytes) << d.file;
  }

  // ---- timescales before anything is booked: the booking is due, then overdue; the rest waits ----
  auto steps = Deadlines(id, "2026-11-16");
  EXPECT_EQ(steps["event-booked"]["state"], "due");
  EXPECT_EQ(steps["event-booked"]["days_left"], 0);
  EXPECT_EQ(steps["papers-received"]["state"], "waiting") << "its due date follows from the event date";
  EXPECT_EQ(steps["summary-report"]["state"], "waiting");
  EXPECT_EQ(steps["event"]["state"], "due");
  steps = Deadlines(id, "2026-11-17");
  EXPECT_EQ(steps["event-booked"]["state"], "overdue");
  Ok({"case", "set", c, "--date", "event-booked=2026-11-12", "--date", "papers-received=2026-11-24", "--date",
      "event=2026-12-01"});

  // ---- attendance, with apologies and an absence, each with a reason ----
  Ok({"attend", c, "--agency", "Health", "--role", "Health visitor", "--name", "Siân Evans", "--status", "attended"});
  Ok({"attend", c, "--agency", "Newport Children's Services", "--role", "Social worker", "--status", "attended"});
  Ok({"attend", c, "--agency", "Gwent Police", "--role", "PPU officer", "--status", "apologies", "--reason",
      "court appearance"});
  const std::string school = FirstWord(Ok({"attend", c, "--agency", "Education", "--role", "Head teacher", "--status", "invited"}));
  Ok({"attend", c, "--id", school, "--agency", "Education", "--role", "Head teacher", "--status", "absent", "--reason",
      "no cover for the class"});

  // ---- notes in several sections: add, add again, set, set again (an edit), UTF-8 throughout ----
  WithStdin({"note", "add", c, "story"}, "Siân (mum) and J.S. moved to Newport in 2025.\n");
  WithStdin({"note", "add", c, "story"}, "Registered under neglect since August 2025.");
  WriteFile(tmp_ / "protective.txt", "Grandmother Gwenllïan visits daily.\n");
  Ok({"note", "add", c, "protective-factors", "--file", (tmp_ / "protective.txt").string()});
  WithStdin({"note", "set", c, "risk-factors"}, "Missed health appointments; unsafe sleeping.\n");
  WithStdin({"note", "set", c, "risk-factors"}, "Missed health appointments (4 of 6); unsafe sleeping arrangements.\n");
  WithStdin({"note", "set", c, "where-next"}, "Core group to meet within two weeks.\n");
  WithStdin({"comments", c}, "Workers were open and reflective; the map helped to separate risk from worry.\n");

  const json notes = Json({"note", "show", c, "--json"});
  EXPECT_EQ(notes["story"], "Siân (mum) and J.S. moved to Newport in 2025.\nRegistered under neglect since August 2025.");
  EXPECT_EQ(notes["protective-factors"], "Grandmother Gwenllïan visits daily.\n");
  EXPECT_EQ(notes["risk-factors"], "Missed health appointments (4 of 6); unsafe sleeping arrangements.\n");
  EXPECT_EQ(notes["where-next"], "Core group to meet within two weeks.\n");
  EXPECT_EQ(notes.size(), 4u) << notes.dump();
  const json one = Json({"note", "show", c, "risk-factors", "--json"});
  EXPECT_EQ(one.size(), 1u);

  // ---- actions: added, then owner, due date and status changed ----
  const std::string a1 = Ok({"action", "add", c, "--what", "Arrange a core group meeting", "--owner-agency",
                             "Newport Children's Services", "--owner-role", "Social worker", "--due", "2026-12-11"});
  const std::string a2 = Ok({"action", "add", c, "--what", "Refer to the safe sleep service", "--owner-agency", "Health",
                             "--due", "2026-12-18"});
  const std::string a3 = Ok({"action", "add", c, "--what", "Share attendance record with the school nurse",
                             "--owner-role", "Education welfare officer", "--due", "2027-01-08"});
  Ok({"action", "update", c, FirstWord(a2), "--owner-agency", "Health", "--owner-role", "Health visitor", "--due",
      "2026-12-04"});
  Ok({"action", "update", c, FirstWord(a1).substr(0, 6), "--status", "done"});
  Ok({"action", "update", c, FirstWord(a3), "--status", "dropped", "--what", "Share attendance record with school nurse"});
  const json actions = Json({"action", "list", c, "--json"});
  ASSERT_EQ(actions.size(), 3u);
  // In due-date order.
  EXPECT_EQ(actions[0]["what"], "Refer to the safe sleep service");
  EXPECT_EQ(actions[0]["owner"][0]["value"], (json{{"agency", "Health"}, {"role", "Health visitor"}}));
  EXPECT_EQ(actions[0]["owner"].size(), 1u) << "an update by the same author is not a conflict";
  EXPECT_EQ(actions[0]["due"][0]["value"], "2026-12-04");
  EXPECT_EQ(actions[0]["status"], "open");
  EXPECT_EQ(actions[1]["what"], "Arrange a core group meeting");
  EXPECT_EQ(actions[1]["status"], "done");
  EXPECT_EQ(actions[2]["what"], "Share attendance record with school nurse");
  EXPECT_EQ(actions[2]["status"], "dropped");
  EXPECT_EQ(actions[2]["owner"][0]["value"], (json{{"agency", ""}, {"role", "Education welfare officer"}}));

  // ---- chronology from two agencies, entered agency by agency, merged in date order ----
  const std::vector<std::vector<std::string>> chronology = {
      {"2026-03-14T10:15", "Health", "Missed 8-month check", "Letter sent", "Pattern of missed checks"},
      {"2026-06-02", "Health", "Home visit: unsafe sleeping seen", "Advice given", ""},
      {"2026-01-20T23:40", "Gwent Police", "Domestic incident reported", "PPN to Children's Services", ""},
      {"2026-06-02T18:00", "Gwent Police", "Welfare check", "No further action", "Same day as the health visit"},
  };
  for (const auto& e : chronology)
    Ok({"chronology", "add", c, "--when", e[0], "--source", e[1], "--event", e[2], "--action-taken", e[3], "--analysis", e[4]});
  const json timeline = Json({"chronology", "list", c, "--json"});
  ASSERT_EQ(timeline.size(), 4u);
  const std::vector<std::string> order = {"2026-01-20T23:40", "2026-03-14T10:15", "2026-06-02", "2026-06-02T18:00"};
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(timeline[i]["when"], order[i]) << i;
  EXPECT_EQ(timeline[0]["source"], "Gwent Police");
  EXPECT_EQ(timeline[3]["analysis"], "Same day as the health visit");

  // ---- participant feedback (Appendix 2) ----
  const std::string questions = Ok({"feedback", "questions"});
  EXPECT_TRUE(Contains(questions, "most-useful")) << questions;
  Ok({"feedback", "add", c, "--agency", "Health", "--role", "Health visitor", "--barriers", "no", "--answer",
      "most-useful=Hearing how the police saw the risk", "--answer", "take-away=Check sleeping at every visit"});
  Ok({"feedback", "add", c, "--agency", "Gwent Police", "--role", "PPU officer", "--name", "Rhys", "--barriers", "yes",
      "--answer", "barriers=Could join only by phone"});

  // ---- deadlines as of three days: before the report is due, after, and once it is sent ----
  steps = Deadlines(id, "2026-12-10");
  EXPECT_EQ(steps["event-booked"]["state"], "done");
  EXPECT_EQ(steps["event-booked"]["due"], "2026-11-16");
  EXPECT_EQ(steps["event-booked"]["late"], false);
  EXPECT_EQ(steps["papers-received"]["state"], "done");
  EXPECT_EQ(steps["papers-received"]["due"], "2026-11-24");  // at least one week before the event
  EXPECT_EQ(steps["event"]["state"], "done");
  EXPECT_EQ(steps["event"]["due"], "2026-12-14");  // within 6 weeks of the conference
  EXPECT_EQ(steps["summary-report"]["state"], "due");
  EXPECT_EQ(steps["summary-report"]["due"], "2026-12-15");  // within 2 weeks of the event
  EXPECT_EQ(steps["summary-report"]["days_left"], 5);
  EXPECT_EQ(steps["conference-to-report"]["state"], "due");
  EXPECT_EQ(steps["conference-to-report"]["due"], "2026-12-28");  // no longer than 8 weeks

  steps = Deadlines(id, "2026-12-17");
  EXPECT_EQ(steps["summary-report"]["state"], "overdue");
  EXPECT_EQ(steps["summary-report"]["days_left"], -2);
  EXPECT_EQ(steps["conference-to-report"]["state"], "due");

  // The human form says the same.
  const std::string human = Ok({"deadlines", "--today", "2026-12-17"});
  EXPECT_TRUE(Contains(human, id.substr(0, 8))) << human;
  EXPECT_TRUE(Contains(human, "overdue  2026-12-15")) << human;

  // ---- the Facilitator's Summary, Markdown and HTML ----
  for (const std::string format : {"md", "html"}) {
    SCOPED_TRACE(format);
    const std::string r = Report(id, format, "2026-12-14");
    const bool html = format == "html";
    if (html) {
      EXPECT_EQ(r.rfind("<!DOCTYPE html>", 0), 0u) << r.substr(0, 80);
      EXPECT_FALSE(Contains(r, "<script")) << "reports carry no scripts";
      EXPECT_FALSE(Contains(r, "src=")) << "nor external resources";
      EXPECT_FALSE(Contains(r, "<link"));
      EXPECT_FALSE(Contains(r, "http://"));
      EXPECT_FALSE(Contains(r, "https://"));
    }
    EXPECT_TRUE(Contains(r, "Facilitator")) << r;
    EXPECT_TRUE(Contains(r, "J.S."));
    EXPECT_TRUE(Contains(r, "Newport"));
    EXPECT_TRUE(Contains(r, "Alex Jones"));
    EXPECT_TRUE(Contains(r, "Bethan Hughes"));
    // 1. date of the event; 2. attendance, and who was missing with the reason given.
    EXPECT_TRUE(Contains(r, "Tuesday 1 December 2026"));
    EXPECT_TRUE(Contains(r, "Siân Evans"));
    EXPECT_TRUE(Contains(r, "Gwent Police (PPU officer): apologies; reason given: court appearance"));
    EXPECT_TRUE(Contains(r, "Education (Head teacher): absent; reason given: no cover for the class"));
    EXPECT_FALSE(Contains(r, "Health (Health visitor): ")) << "Health attended and is not missing";
    // 3. record of discussion, from the notes, under their section titles.
    EXPECT_TRUE(Contains(r, "Story of the case so far"));
    EXPECT_TRUE(Contains(r, "Siân (mum) and J.S. moved to Newport in 2025."));
    EXPECT_TRUE(Contains(r, "Registered under neglect since August 2025."));
    EXPECT_TRUE(Contains(r, "Grandmother Gwenllïan visits daily."));
    EXPECT_TRUE(Contains(r, "Missed health appointments (4 of 6); unsafe sleeping arrangements."));
    EXPECT_FALSE(Contains(r, "Missed health appointments; unsafe sleeping.")) << "the replaced text must be gone";
    EXPECT_TRUE(Contains(r, "Core group to meet within two weeks."));
    EXPECT_LT(r.find("Story of the case so far"), r.find("Protective factors")) << "Appendix 4 order";
    // 4. facilitator's comments.
    EXPECT_TRUE(Contains(r, "Workers were open and reflective; the map helped to separate risk from worry."));
    // Actions with owners, due dates and status.
    EXPECT_TRUE(Contains(r, "Refer to the safe sleep service"));
    EXPECT_TRUE(Contains(r, "Health visitor (Health)"));
    EXPECT_TRUE(Contains(r, "04/12/2026"));
    EXPECT_TRUE(Contains(r, html ? "Social worker (Newport Children&#39;s Services)"
                                 : "Social worker (Newport Children's Services)"));
    EXPECT_TRUE(Contains(r, "11/12/2026"));
    EXPECT_TRUE(Contains(r, "Education welfare officer"));
    EXPECT_TRUE(Contains(r, "dropped"));
    // 5. return date: two weeks from the event.
    EXPECT_TRUE(Contains(r, "by Tuesday 15 December 2026"));
    EXPECT_TRUE(Contains(r, "Monday 14 December 2026")) << "the report's date";
    // Annex: the merged chronology.
    EXPECT_TRUE(Contains(r, "Domestic incident reported"));
    EXPECT_LT(r.find("Domestic incident reported"), r.find("Missed 8-month check"));
    // Participant feedback is not in the Summary (it goes on the child's file): it is its own document.
    EXPECT_FALSE(Contains(r, "Hearing how the police saw the risk"));
    EXPECT_FALSE(Contains(r, "Could join only by phone"));
    // The documents' content never reaches the report.
    EXPECT_FALSE(Contains(r, "Core group met on 20 October."));
  }

  // The feedback, for the Business Unit only.
  Ok({"report", id, "--feedback", "--format", "md", "-o", (tmp_ / "feedback.md").string()});
  const std::string feedback = ReadFile(tmp_ / "feedback.md");
  EXPECT_TRUE(Contains(feedback, "Hearing how the police saw the risk"));
  EXPECT_TRUE(Contains(feedback, "Could join only by phone"));

  // The Summary Report sent: the steps are done, the report records the date returned.
  Ok({"case", "set", c, "--date", "summary-report-sent=2026-12-14"});
  steps = Deadlines(id, "2026-12-17");
  EXPECT_EQ(steps["summary-report"]["state"], "done");
  EXPECT_EQ(steps["summary-report"]["done_on"], "2026-12-14");
  EXPECT_EQ(steps["summary-report"]["late"], false);
  EXPECT_EQ(steps["conference-to-report"]["state"], "done");
  EXPECT_TRUE(Contains(Report(id, "md", "2026-12-14"), "Monday 14 December 2026"));

  // Everything is in the case, once.
  const json shown = Show(id);
  EXPECT_EQ(shown["documents"].size(), 3u);
  EXPECT_EQ(shown["attendance"].size(), 4u) << "updating an attendee must not add one";
  EXPECT_EQ(shown["actions"].size(), 3u);
  EXPECT_EQ(shown["chronology"].size(), 4u);
  EXPECT_EQ(shown["feedback"].size(), 2u);
  EXPECT_EQ(shown["facilitator_comments"], "Workers were open and reflective; the map helped to separate risk from worry.\n");
  EXPECT_EQ(shown["conflicts"].size(), 0u);
  const json status = Json({"status", "--json"});
  EXPECT_EQ(status["counts"]["cases"], 1);
  EXPECT_EQ(status["counts"]["documents"], 3);

  // A closed case has nothing due.
  Ok({"case", "set", c, "--status", "closed"});
  for (const auto& t : Json({"deadlines", "--today", "2027-06-01", "--json"})) EXPECT_NE(t["case_id"], id);
}

// Regression: feedback forms read back sorted by random ids, so the feedback document's "Form 1, Form 2, …"
// came out in a different order from the order the forms were entered in.
TEST_F(WorkflowTest, FeedbackFormsKeepTheOrderEntered) {
  InitStore();
  const std::string c = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--date", "event=2026-12-01"});
  const std::vector<std::string> agencies = {"Health", "Gwent Police", "Education", "Probation", "Housing", "CAMHS"};
  for (const auto& agency : agencies) Ok({"feedback", "add", c, "--agency", agency, "--role", "Practitioner"});
  const json forms = Show(c)["feedback"];
  ASSERT_EQ(forms.size(), agencies.size());
  for (std::size_t i = 0; i < agencies.size(); ++i) EXPECT_EQ(forms[i]["agency"], agencies[i]) << i;
  Ok({"report", c, "--feedback", "--format", "md", "-o", (tmp_ / "feedback.md").string()});
  const std::string r = ReadFile(tmp_ / "feedback.md");
  for (std::size_t i = 0; i < agencies.size(); ++i)
    EXPECT_TRUE(Contains(r, "Form " + std::to_string(i + 1) + ": " + agencies[i] + ", Practitioner")) << i;
}

}  // namespace
}  // namespace casepack::testing
