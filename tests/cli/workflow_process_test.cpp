// Issue 16: the guidance's processes around the event, through the real binary — the MAS referral, its
// papers, the facilitators' meetings, Appendix 4 in full, actions reported back and overdue, participant
// feedback (003); the MAPF referral route, planning group, agreements and action plan (000, 001).
#include <filesystem>

#include "workflow_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

std::string StateOf(const std::map<std::string, json>& steps, const std::string& key) {
  auto it = steps.find(key);
  return it == steps.end() ? "absent" : it->second["state"].get<std::string>();
}

TEST_F(WorkflowTest, MasReferralReasonIsRecordedAndANotReferredCaseNeedsItsRationale) {
  InitStore();
  const std::string id = NewCase({"--type", "MAS", "--subject", "R.T.", "--area", "Torfaen", "--date",
                                  "referral-conference=2026-11-02"});
  // A stuck case needs its kind (003 §1.3); "other" needs a description; not referring needs the rationale.
  auto r = Cli({"referral", id, "--reason", "stuck"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "needs its kind")) << r.err;
  r = Cli({"referral", id, "--reason", "stuck", "--kind", "other"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "description")) << r.err;
  r = Cli({"referral", id, "--reason", "stuck", "--kind", "sideways"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "plan-not-coming-together")) << "the hint lists the kinds: " << r.err;
  r = Cli({"referral", id, "--not-referred"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "rationale")) << r.err;
  EXPECT_FALSE(Show(id)["process"].contains("mas_referral")) << "a refused referral changes nothing";

  Ok({"referral", id, "--not-referred", "--rationale", "Plan progressing; deregistration expected at next review",
      "--decided", "2026-11-02"});
  json p = Show(id)["process"]["mas_referral"];
  EXPECT_EQ(p["referred"], false);
  EXPECT_EQ(p["reason"], "15-months");
  EXPECT_EQ(p["rationale"], "Plan progressing; deregistration expected at next review");
  EXPECT_EQ(p["decided"], "2026-11-02");

  Ok({"referral", id, "--reason", "stuck", "--kind", "drift", "--detail", "three plans, no change"});
  p = Show(id)["process"]["mas_referral"];
  EXPECT_EQ(p["referred"], true);
  EXPECT_EQ(p["reason"], "stuck");
  EXPECT_EQ(p["stuck_kind"], "drift");
  EXPECT_TRUE(Contains(Ok({"case", "show", id}), "complex case with evidence of drift"));
  const std::string report = Report(id, "md", "2026-12-01");
  EXPECT_TRUE(Contains(report, "Reason for referral")) << report;
  EXPECT_TRUE(Contains(report, "complex case with evidence of drift")) << report;
  EXPECT_TRUE(Contains(report, "three plans, no change")) << report;
  const std::string welsh = ReadFile([&] {
    const auto f = tmp_ / "cy.md";
    Ok({"--lang", "cy", "report", id, "--format", "md", "--date", "2026-12-01", "-o", f.string()});
    return f;
  }());
  EXPECT_TRUE(Contains(welsh, "Rheswm dros atgyfeirio")) << welsh;
  EXPECT_TRUE(Contains(welsh, "achos cymhleth gyda thystiolaeth o ddrifft")) << welsh;

  // MAS only.
  const std::string mapf = NewCase({"--type", "MAPF", "--subject", "A.B.", "--area", "Powys"});
  r = Cli({"referral", mapf, "--reason", "15-months"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "MAS cases")) << r.err;
}

TEST_F(WorkflowTest, MasPapersReceivedIsDoneWhenAllFourPapersAreInAndTheListSaysWhichAreMissing) {
  InitStore();
  const std::string id = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--date",
                                  "referral-conference=2026-11-02", "--date", "event=2026-12-10"});
  auto add = [&](const std::string& type, const std::string& received) {
    const auto file = tmp_ / (type + ".txt");
    WriteFile(file, "the " + type + " of J.S.\n");
    Ok({"doc", "add", id, file.string(), "--type", type, "--from", "Newport Children's Services", "--received", received});
  };
  add("icpc-minutes", "2026-11-20");
  add("core-group-minutes", "2026-11-21");
  std::string papers = Ok({"doc", "papers", id});
  EXPECT_TRUE(Contains(papers, "missing: rcpc-minutes, child-protection-plan")) << papers;
  EXPECT_FALSE(Show(id)["key_dates"].contains("papers-received"));
  EXPECT_EQ(StateOf(Deadlines(id, "2026-12-04"), "papers-received"), "overdue") << "due a week before the event";

  add("child-protection-plan", "2026-11-25");
  add("rcpc-minutes", "2026-11-23");
  papers = Ok({"doc", "papers", id});
  EXPECT_TRUE(Contains(papers, "all four papers are in")) << papers;
  EXPECT_FALSE(Contains(papers, "missing:")) << papers;
  EXPECT_EQ(Show(id)["key_dates"]["papers-received"], "2026-11-25") << "the day the last of the four came in";
  const auto steps = Deadlines(id, "2026-12-04");
  EXPECT_EQ(StateOf(steps, "papers-received"), "done");
  EXPECT_EQ(steps.at("papers-received")["late"], false);
  const json list = Json({"doc", "papers", id, "--json"});
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0]["type"], "icpc-minutes");
  EXPECT_EQ(list[0]["received"], "2026-11-20");
  EXPECT_TRUE(Contains(Report(id, "md", "2026-12-10"), "Papers for the facilitators"));
}

TEST_F(WorkflowTest, MasFacilitatorsMeetingsReportWriterAndAppendix4InFull) {
  InitStore();
  const std::string keys = Ok({"case", "keys", "--type", "MAS"});
  for (const char* k : {"facilitators-prepare", "facilitators-debrief", "introductions", "evaluation",
                        "Evaluating the supervision", "What is this supervision for"})
    EXPECT_TRUE(Contains(keys, k)) << k << "\n" << keys;
  const std::string id = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--date",
                                  "referral-conference=2026-11-02", "--date", "event=2026-11-27"});
  Ok({"case", "set", id, "--date", "facilitators-prepare=2026-11-26", "--date", "facilitators-debrief=2026-11-27",
      "--report-writer", "Bethan Hughes"});
  const json shown = Show(id);
  EXPECT_EQ(shown["key_dates"]["facilitators-prepare"], "2026-11-26");
  EXPECT_EQ(shown["key_dates"]["facilitators-debrief"], "2026-11-27");
  EXPECT_EQ(shown["process"]["report_writer"], "Bethan Hughes");

  WithStdin({"note", "add", id, "introductions"}, "Core group introduced; aims agreed.\n");
  WithStdin({"note", "add", id, "evaluation"}, "All found the space to reflect useful.\n");
  const std::string notes = Ok({"note", "show", id, "introductions"});
  EXPECT_TRUE(Contains(notes, "What is this supervision for")) << "the section's questions are shown: " << notes;

  const std::string report = Report(id, "md", "2026-12-01");
  for (const char* s : {"Facilitators' meeting before the event", "Thursday 26 November 2026", "Summary Report completed by",
                        "Bethan Hughes", "Introductions: purpose and aims", "Core group introduced; aims agreed.",
                        "Evaluating the supervision", "All found the space to reflect useful."})
    EXPECT_TRUE(Contains(report, s)) << s << "\n" << report;
}

TEST_F(WorkflowTest, MasActionPastItsDueDateIsOverdueInDeadlinesAndWhomItWasReportedToIsRecorded) {
  InitStore();
  const std::string id = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--date",
                                  "referral-conference=2026-11-02"});
  const std::string act = FirstWord(Ok({"action", "add", id, "--what", "Refer to family support", "--owner-agency",
                                        "Newport Children's Services", "--due", "2026-12-10"}));
  auto steps = Deadlines(id, "2026-12-10");
  EXPECT_EQ(StateOf(steps, "action:" + act), "due");
  steps = Deadlines(id, "2026-12-11");
  EXPECT_EQ(StateOf(steps, "action:" + act), "overdue");
  EXPECT_EQ(steps["action:" + act]["days_left"], -1);
  const std::string text = Ok({"deadlines", "--today", "2026-12-11"});
  EXPECT_TRUE(Contains(text, "Action: Refer to family support")) << text;
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "deadlines", "--today", "2026-12-11"}), "Cam gweithredu: Refer to family support"));

  auto r = Cli({"action", "report", id, act, "--to", "head-office", "--on", "2026-12-02"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "line-managers")) << r.err;
  Ok({"action", "report", id, act, "--to", "line-managers", "--on", "2026-12-02"});
  Ok({"action", "report", id, act.substr(0, 5), "--to", "core-group", "--on", "2026-12-03"});
  const json actions = Json({"action", "list", id, "--json"});
  ASSERT_EQ(actions.size(), 1u);
  ASSERT_EQ(actions[0]["reported"].size(), 2u);
  EXPECT_EQ(actions[0]["reported"][0]["to"], "line-managers");
  EXPECT_EQ(actions[0]["reported"][0]["on"], "2026-12-02");
  EXPECT_EQ(actions[0]["reported"][1]["to"], "core-group");
  const std::string report = Report(id, "md", "2026-12-04");
  EXPECT_TRUE(Contains(report, "Refer to family support: line managers Wednesday 2 December 2026; core group")) << report;

  Ok({"action", "update", id, act, "--status", "done"});
  EXPECT_EQ(StateOf(Deadlines(id, "2026-12-11"), "action:" + act), "absent") << "a done action is no longer a deadline";
}

TEST_F(WorkflowTest, MasFeedbackFormsAreListedEditedAndDeletedAndStayOffTheChildsReport) {
  InitStore();
  const std::string id = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--date", "event=2026-11-27"});
  const std::string form = FirstWord(Ok({"feedback", "add", id, "--agency", "Health", "--role", "Health visitor",
                                         "--answer", "most-useful=Time to reflect together"}));
  Ok({"feedback", "add", id, "--agency", "Gwent Police", "--role", "PPU officer", "--barriers", "no"});
  std::string list = Ok({"feedback", "list", id});
  EXPECT_TRUE(Contains(list, form)) << list;
  EXPECT_TRUE(Contains(list, "Time to reflect together")) << list;
  EXPECT_TRUE(Contains(list, "Gwent Police")) << list;

  Ok({"feedback", "set", id, form, "--role", "School nurse", "--answer", "improve=A longer session"});
  json forms = Json({"feedback", "list", id, "--json"});
  ASSERT_EQ(forms.size(), 2u);
  EXPECT_EQ(forms[0]["id"], form) << "an edited form keeps its id and place";
  EXPECT_EQ(forms[0]["role"], "School nurse");
  EXPECT_EQ(forms[0]["agency"], "Health") << "only the options given change";
  EXPECT_EQ(forms[0]["answers"]["most-useful"], "Time to reflect together");
  EXPECT_EQ(forms[0]["answers"]["improve"], "A longer session");
  auto r = Cli({"feedback", "set", id, "ffff", "--role", "x"});
  EXPECT_NE(r.exit_code, 0);

  // The Business Unit's document has it; the child's report does not.
  const auto fb = tmp_ / "feedback.md";
  Ok({"report", id, "--feedback", "--format", "md", "--date", "2026-12-01", "-o", fb.string()});
  EXPECT_TRUE(Contains(ReadFile(fb), "A longer session"));
  EXPECT_FALSE(Contains(Report(id, "md", "2026-12-01"), "A longer session"));

  Ok({"feedback", "rm", id, form});
  forms = Json({"feedback", "list", id, "--json"});
  ASSERT_EQ(forms.size(), 1u);
  EXPECT_EQ(forms[0]["agency"], "Gwent Police");
}

TEST_F(WorkflowTest, MapfReferralRouteAndPlanningGroupWithEveryAgencyBeforeTheLog) {
  InitStore();
  const std::string id = NewCase({"--type", "MAPF", "--subject", "Baby T", "--area", "Powys", "--lead-agency",
                                  "Powys Children's Services", "--date", "referral-agreed=2026-09-01"});
  // The route: the Case Review Sub-Group recommends, the Chair approves (000 §1); principles at the start (§4).
  auto r = Cli({"case", "set", id, "--date", "chair-approved=2026-08-20"});
  EXPECT_NE(r.exit_code, 0) << "the Chair approves what the Sub-Group recommended";
  EXPECT_TRUE(Contains(r.err, "chair-approved")) << r.err;
  Ok({"case", "set", id, "--date", "chair-approved=2026-09-08", "--date", "event=2026-10-20", "--date",
      "principles-agreed=2026-10-20"});
  WithStdin({"note", "add", id, "working-principles"}, "No blame; what is said here stays here.\n");

  // The planning group: a member per agency; at least the Local Authority, the Health Board and the Police.
  const std::string la = FirstWord(Ok({"planning", "add", id, "--agency", "Powys Children's Services", "--kind",
                                       "local-authority", "--name", "Rhian Price", "--role", "Team manager"}));
  const std::string hb = FirstWord(Ok({"planning", "add", id, "--agency", "Powys Teaching Health Board", "--kind",
                                       "health-board"}));
  const std::string school = FirstWord(Ok({"planning", "add", id, "--agency", "Ysgol y Cwm", "--kind", "education",
                                           "--co-opted"}));
  r = Cli({"planning", "add", id, "--agency", "Somebody", "--kind", "astrology"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "health-board")) << r.err;
  std::string listed = Ok({"planning", "list", id});
  EXPECT_TRUE(Contains(listed, "missing (000 §7 requires them): police")) << listed;
  json group = Json({"planning", "list", id, "--json"});
  EXPECT_EQ(group["missing"], json::array({"police"}));
  EXPECT_EQ(group["members"].size(), 3u);

  // The LOG agrees only after every agency (000 §6): refused while the police are missing, then while an
  // agency has not agreed, naming it.
  r = Cli({"planning", "log-agreed", id, "--on", "2026-11-20"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "police")) << r.err;
  const std::string police = FirstWord(Ok({"planning", "add", id, "--agency", "Dyfed-Powys Police", "--kind", "police"}));
  Ok({"planning", "agree", id, la, "--on", "2026-11-02"});
  Ok({"planning", "agree", id, hb.substr(0, 5), "--on", "2026-11-03"});
  Ok({"planning", "agree", id, police, "--on", "2026-11-04"});
  r = Cli({"planning", "log-agreed", id, "--on", "2026-11-20"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "Ysgol y Cwm")) << r.err;
  EXPECT_FALSE(Show(id)["key_dates"].contains("log-agreed")) << "a refused agreement changes nothing";
  Ok({"planning", "agree", id, school, "--on", "2026-11-05"});
  Ok({"planning", "log-agreed", id, "--on", "2026-11-20"});
  EXPECT_EQ(Show(id)["key_dates"]["log-agreed"], "2026-11-20");
  group = Json({"planning", "list", id, "--json"});
  EXPECT_TRUE(group["missing"].empty());
  for (const auto& m : group["members"]) EXPECT_FALSE(m["agreed"].is_null()) << m.dump();

  // Quarterly LOG monitoring (000 §9): due three months after the agreement, then after each monitoring.
  auto steps = Deadlines(id, "2027-02-20");
  EXPECT_EQ(steps["log-monitoring"]["state"], "due");
  EXPECT_EQ(steps["log-monitoring"]["due"], "2027-02-20");
  EXPECT_EQ(Deadlines(id, "2027-02-21")["log-monitoring"]["state"], "overdue");
  Ok({"case", "set", id, "--date", "log-monitored=2027-02-18"});
  EXPECT_EQ(Deadlines(id, "2027-02-21")["log-monitoring"]["due"], "2027-05-18");

  // The report carries the route, the group with each agreement and the LOG's.
  const std::string report = Report(id, "md", "2026-12-01");
  for (const char* s : {"Referral route", "MAPF recommended by the Case Review Sub-Group", "Tuesday 1 September 2026",
                        "MAPF approved by the Chair", "Tuesday 8 September 2026", "Planning group", "Powys Teaching Health Board",
                        "Health Board", "Ysgol y Cwm", "co-opted", "Thursday 5 November 2026", "Agreed by every agency",
                        "Report and action plan agreed by the Local Operational Group", "Friday 20 November 2026",
                        "Working principles agreed at the start", "No blame; what is said here stays here."})
    EXPECT_TRUE(Contains(report, s)) << s << "\n" << report;

  // A member removed (audited) is gone from the list.
  Ok({"planning", "rm", id, school});
  EXPECT_EQ(Json({"planning", "list", id, "--json"})["members"].size(), 3u);
}

TEST_F(WorkflowTest, MapfActionPlanInThe001Form) {
  InitStore();
  const std::string id = NewCase({"--type", "MAPF", "--subject", "Baby T", "--area", "Powys", "--date", "event=2026-10-20"});
  const std::string act = FirstWord(Ok({"action", "add", id, "--what", "Joint training on pre-birth assessment",
                                        "--owner-agency", "Powys Teaching Health Board", "--due", "2027-03-31",
                                        "--recommendation", "R1: pre-birth assessments start by 20 weeks",
                                        "--rationale", "Assessment began at 36 weeks", "--outcome", "Earlier planning",
                                        "--measure", "Audit of 10 cases"}));
  Ok({"action", "update", id, act, "--progress", "Dates set for January"});
  const json actions = Json({"action", "list", id, "--json"});
  ASSERT_EQ(actions.size(), 1u);
  const json plan = actions[0]["plan"];
  EXPECT_EQ(plan["recommendation"], "R1: pre-birth assessments start by 20 weeks");
  EXPECT_EQ(plan["rationale"], "Assessment began at 36 weeks");
  EXPECT_EQ(plan["outcome"], "Earlier planning");
  EXPECT_EQ(plan["measure"], "Audit of 10 cases");
  EXPECT_EQ(plan["progress"], "Dates set for January");
  EXPECT_TRUE(Contains(Ok({"action", "list", id}), "measure: Audit of 10 cases"));
  const std::string report = Report(id, "md", "2026-12-01");
  for (const char* s : {"Recommendation and action", "Intended outcome", "Measure of success", "Progress", "Target date",
                        "R1: pre-birth assessments start by 20 weeks", "Assessment began at 36 weeks", "Earlier planning",
                        "Audit of 10 cases", "Dates set for January", "31/03/2027"})
    EXPECT_TRUE(Contains(report, s)) << s << "\n" << report;
  EXPECT_EQ(StateOf(Deadlines(id, "2027-04-01"), "action:" + act), "overdue");
}

}  // namespace
}  // namespace casepack::testing
