// A whole Multi-Agency Professional Forum case through the real binary (000: briefing papers, merged
// multi-agency timeline, learning, report and action plan for the Local Operational Group), and a
// Multi-Agency Professionals' Meeting's timescales around bank holidays (002 §7, §10).
#include <filesystem>

#include "workflow_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST_F(WorkflowTest, MapfCaseFromBriefingPapersToLearningReport) {
  InitStore();
  const std::string keys = Ok({"case", "keys", "--type", "MAPF"});
  for (const char* k : {"referral-agreed", "papers-circulated", "working-well", "worried-about", "needs-to-happen",
                        "learning-points", "briefing-paper", "case-summary", "agency-chronology"})
    EXPECT_TRUE(Contains(keys, k)) << k;

  const std::string id = NewCase({"--type", "MAPF", "--subject", "Baby T", "--area", "Torfaen", "--lead-agency",
                                  "Torfaen Children's Services", "--date", "referral-agreed=2026-09-01", "--date",
                                  "event=2026-10-20", "--facilitator", "Ceri Morgan"});
  const std::string c = id.substr(0, 4);  // the shortest prefix accepted

  // ---- briefing papers, a case summary and an agency chronology, from different agencies ----
  struct Doc {
    std::string file, type, from, bytes, id;
  };
  std::vector<Doc> docs = {
      {"case summary.txt", "case-summary", "Torfaen Children's Services", "Summary: Baby T, born 2025.\n", {}},
      {"briefing-health.pdf", "briefing-paper", "Aneurin Bevan UHB", BinaryDocument(130'001, 3), {}},
      {"chronology-police.csv", "agency-chronology", "Gwent Police", "date,event\n2026-02-01,call\n", {}},
  };
  for (auto& d : docs) {
    WriteFile(tmp_ / d.file, d.bytes);
    d.id = FirstWord(Ok({"doc", "add", c, (tmp_ / d.file).string(), "--type", d.type, "--from", d.from, "--received",
                         "2026-10-12"}));
  }
  for (const auto& d : docs) {
    const fs::path out = tmp_ / ("out-" + d.id);
    Ok({"doc", "export", c, d.id, "-o", out.string()});
    EXPECT_EQ(ReadFile(out), d.bytes) << d.file;
  }

  // ---- timescales: the only MAPF step is papers before the event (000 §8) ----
  auto steps = Deadlines(id, "2026-10-19");
  ASSERT_EQ(steps.size(), 1u) << "MAPF guidance sets no other time limit";
  EXPECT_EQ(steps["papers-circulated"]["state"], "due");
  EXPECT_EQ(steps["papers-circulated"]["due"], "2026-10-19");
  EXPECT_EQ(steps["papers-circulated"]["days_left"], 0);
  steps = Deadlines(id, "2026-10-20");
  EXPECT_EQ(steps["papers-circulated"]["state"], "overdue");
  Ok({"case", "set", c, "--date", "papers-circulated=2026-10-13"});
  steps = Deadlines(id, "2026-10-20");
  EXPECT_EQ(steps["papers-circulated"]["state"], "done");
  EXPECT_EQ(steps["papers-circulated"]["done_on"], "2026-10-13");
  EXPECT_EQ(steps["papers-circulated"]["late"], false);

  // ---- the event: participants, learning in the three Signs of Safety questions plus learning points ----
  Ok({"attend", c, "--agency", "Torfaen Children's Services", "--role", "Team manager", "--status", "attended"});
  Ok({"attend", c, "--agency", "Aneurin Bevan UHB", "--role", "Named nurse", "--name", "Siân Pritchard", "--status", "attended"});
  Ok({"attend", c, "--agency", "Gwent Police", "--status", "apologies", "--reason", "operational duties"});
  Ok({"attend", c, "--agency", "Probation", "--status", "invited"});

  WithStdin({"note", "add", c, "working-well"}, "Health visitors shared concerns early.\n");
  WithStdin({"note", "add", c, "worried-about"}, "Information from Gwent Police reached the team after 3 weeks.\n");
  WithStdin({"note", "set", c, "needs-to-happen"}, "A single point of contact for referrals.\n");
  WithStdin({"note", "set", c, "needs-to-happen"}, "A single point of contact for police referrals, named by Siân.\n");
  WithStdin({"note", "add", c, "learning-points"}, "Learning point one: escalate when a visit is refused.\n");
  WithStdin({"note", "add", c, "learning-points"}, "Learning point two: record the father in every assessment.\n");
  WithStdin({"comments", c}, "A constructive forum; all agencies contributed.\n");

  // Each agency's chronology, entered agency by agency, becomes one timeline in date order.
  Ok({"chronology", "add", c, "--when", "2026-02-01T08:05", "--source", "Gwent Police", "--event", "Call from neighbour"});
  Ok({"chronology", "add", c, "--when", "2026-04-11", "--source", "Gwent Police", "--event", "Arrest of father",
      "--action-taken", "Referral to CS"});
  Ok({"chronology", "add", c, "--when", "2026-01-15", "--source", "Aneurin Bevan UHB", "--event", "Birth",
      "--analysis", "No concerns noted"});
  Ok({"chronology", "add", c, "--when", "2026-03-02T14:30", "--source", "Aneurin Bevan UHB", "--event", "Bruise seen at clinic"});
  const json timeline = Json({"chronology", "list", c, "--json"});
  ASSERT_EQ(timeline.size(), 4u);
  EXPECT_EQ(timeline[0]["significant_event"], "Birth");
  EXPECT_EQ(timeline[1]["significant_event"], "Call from neighbour");
  EXPECT_EQ(timeline[2]["significant_event"], "Bruise seen at clinic");
  EXPECT_EQ(timeline[3]["significant_event"], "Arrest of father");
  EXPECT_EQ(timeline[3]["action_taken"], "Referral to CS");

  // ---- the action plan ----
  const std::string a1 = FirstWord(Ok({"action", "add", c, "--what", "Agree a police referral contact", "--owner-agency",
                                       "Gwent Police", "--due", "2026-12-01"}));
  const std::string a2 = FirstWord(Ok({"action", "add", c, "--what", "Audit assessments for fathers", "--owner-agency",
                                       "Torfaen Children's Services", "--owner-role", "Team manager", "--due", "2027-01-31"}));
  Ok({"action", "update", c, a1, "--owner-role", "Detective sergeant", "--owner-agency", "Gwent Police", "--due", "2026-11-27"});
  Ok({"action", "update", c, a2, "--status", "done"});
  const json actions = Json({"action", "list", c, "--json"});
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0]["id"], a1);
  EXPECT_EQ(actions[0]["owner"][0]["value"]["role"], "Detective sergeant");
  EXPECT_EQ(actions[0]["due"][0]["value"], "2026-11-27");
  EXPECT_EQ(actions[1]["status"], "done");

  // ---- the learning report and action plan, for the Local Operational Group ----
  for (const std::string format : {"md", "html"}) {
    SCOPED_TRACE(format);
    const std::string r = Report(id, format, "2026-10-30");
    const bool html = format == "html";
    EXPECT_TRUE(Contains(r, "Learning Report and Action Plan")) << r;
    EXPECT_TRUE(Contains(r, "Baby T"));
    EXPECT_TRUE(Contains(r, "Torfaen"));
    EXPECT_TRUE(Contains(r, "Tuesday 20 October 2026")) << "the learning event's date";
    EXPECT_TRUE(Contains(r, "Siân Pritchard"));
    EXPECT_TRUE(Contains(r, "Gwent Police: apologies; reason given: operational duties"));
    EXPECT_TRUE(Contains(r, "Probation: did not respond; no reason given"));
    EXPECT_TRUE(Contains(r, "Health visitors shared concerns early."));
    EXPECT_TRUE(Contains(r, "Information from Gwent Police reached the team after 3 weeks."));
    EXPECT_TRUE(Contains(r, "A single point of contact for police referrals, named by Siân."));
    EXPECT_TRUE(Contains(r, "Learning point one: escalate when a visit is refused."));
    EXPECT_TRUE(Contains(r, "Learning point two: record the father in every assessment."));
    EXPECT_TRUE(Contains(r, "A constructive forum; all agencies contributed."));
    EXPECT_TRUE(Contains(r, "Merged multi-agency timeline"));
    EXPECT_LT(r.find("Birth"), r.find("Call from neighbour"));
    EXPECT_LT(r.find("Bruise seen at clinic"), r.find("Arrest of father"));
    EXPECT_TRUE(Contains(r, "Action plan"));
    EXPECT_LT(r.find("Merged multi-agency timeline"), r.find("Action plan"));
    EXPECT_TRUE(Contains(r, "Agree a police referral contact"));
    EXPECT_TRUE(Contains(r, "Detective sergeant (Gwent Police)"));
    EXPECT_TRUE(Contains(r, "27/11/2026"));
    EXPECT_TRUE(Contains(r, html ? "Team manager (Torfaen Children&#39;s Services)" : "Team manager (Torfaen Children's Services)"));
    EXPECT_TRUE(Contains(r, "31/01/2027"));
    EXPECT_TRUE(Contains(r, "Local Operational Group"));
    EXPECT_FALSE(Contains(r, "Summary: Baby T, born 2025.")) << "document content is not part of the report";
  }
}

// Regression: chronology entries read back sorted by their random ids, so entries with the same date (or
// date and time) came out in a different order in every case, though the merged timeline must keep the
// order they were given in (domain.h MergeChronologies; 001 reads the timeline as a sequence).
TEST_F(WorkflowTest, ChronologyEntriesAtTheSameTimeKeepTheOrderGiven) {
  InitStore();
  const std::string c = NewCase({"--type", "MAPF", "--subject", "Baby T", "--area", "Torfaen"});
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"2026-06-02", "Police called to the home"},   {"2026-06-02", "Police arrest the father"},
      {"2026-06-02", "Health visitor told"},         {"2026-06-02T09:00", "Strategy discussion"},
      {"2026-06-02T09:00", "Section 47 enquiry opened"}, {"2026-06-02", "Mother taken to refuge"},
      {"2026-06-01", "Neighbour reports shouting"},
  };
  for (const auto& [when, what] : entries)
    Ok({"chronology", "add", c, "--when", when, "--source", "Gwent Police", "--event", what});
  const std::vector<std::string> expected = {"Neighbour reports shouting", "Police called to the home",
                                             "Police arrest the father",   "Health visitor told",
                                             "Mother taken to refuge",     "Strategy discussion",
                                             "Section 47 enquiry opened"};
  const json timeline = Json({"chronology", "list", c, "--json"});
  ASSERT_EQ(timeline.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(timeline[i]["significant_event"], expected[i]) << i;
}

// MAPM minutes and actions go out within 5 working days of the meeting (002 §7): weekends and England and
// Wales bank holidays do not count. Two meetings straddle bank holidays: the Spring bank holiday (Monday
// 25 May 2026) and Christmas (Friday 25 December 2026, Boxing Day substitute Monday 28 December).
TEST_F(WorkflowTest, MapmMinutesDueWithinFiveWorkingDaysAcrossBankHolidays) {
  InitStore();
  const std::string spring = NewCase({"--type", "MAPM", "--subject", "K.L.", "--area", "Cardiff", "--lead-agency",
                                      "Cardiff Children's Services", "--venue", "County Hall", "--date", "meeting=2027-05-27"});
  const std::string christmas = NewCase({"--type", "MAPM", "--subject", "M.N.", "--area", "Cardiff", "--date",
                                         "meeting=2026-12-21"});

  // Thursday 27 May 2027: Fri 28, (Mon 31 holiday), Tue 1, Wed 2, Thu 3, Fri 4 June. (A meeting in the
  // future: retention would purge a past MAPM case at the next command.)
  auto steps = Deadlines(spring, "2027-06-03");
  EXPECT_EQ(steps["minutes-sent"]["due"], "2027-06-04");
  EXPECT_EQ(steps["minutes-sent"]["state"], "due");
  EXPECT_EQ(steps["minutes-sent"]["days_left"], 1);
  EXPECT_EQ(steps["action-plan-review"]["due"], "2027-08-27") << "at least every 3 months";
  EXPECT_EQ(steps["action-plan-review"]["state"], "due");
  steps = Deadlines(spring, "2027-06-07");
  EXPECT_EQ(steps["minutes-sent"]["state"], "overdue");
  EXPECT_EQ(steps["minutes-sent"]["days_left"], -3);

  // Monday 21 December: Tue 22, Wed 23, Thu 24, (Fri 25, Mon 28 holidays), Tue 29, Wed 30.
  steps = Deadlines(christmas, "2026-12-29");
  EXPECT_EQ(steps["minutes-sent"]["due"], "2026-12-30");
  EXPECT_EQ(steps["minutes-sent"]["state"], "due");
  steps = Deadlines(christmas, "2026-12-31");
  EXPECT_EQ(steps["minutes-sent"]["state"], "overdue");

  // Sent on the last working day: done, on time. Sent a working day later: done, late.
  Ok({"case", "set", spring, "--date", "minutes-sent=2027-06-04"});
  Ok({"case", "set", christmas, "--date", "minutes-sent=2026-12-31"});
  steps = Deadlines(spring, "2027-06-07");
  EXPECT_EQ(steps["minutes-sent"]["state"], "done");
  EXPECT_EQ(steps["minutes-sent"]["late"], false);
  steps = Deadlines(christmas, "2027-01-04");
  EXPECT_EQ(steps["minutes-sent"]["state"], "done");
  EXPECT_EQ(steps["minutes-sent"]["late"], true);

  // A review recorded restarts the 3-month clock; past it, the review is overdue.
  Ok({"case", "set", spring, "--date", "last-action-plan-review=2027-08-10"});
  steps = Deadlines(spring, "2027-11-11");
  EXPECT_EQ(steps["action-plan-review"]["due"], "2027-11-10");
  EXPECT_EQ(steps["action-plan-review"]["state"], "overdue");

  // The minutes name the distribution date and the plan.
  Ok({"attend", spring, "--agency", "Health", "--role", "School nurse", "--status", "attended"});
  Ok({"attend", spring, "--agency", "Education", "--status", "apologies", "--reason", "exam invigilation"});
  WithStdin({"note", "add", spring, "aim"}, "Agree how to support K.L. back into school.\n");
  Ok({"action", "add", spring, "--what", "Phased return timetable", "--owner-agency", "Education", "--due", "2027-06-11"});
  for (const std::string format : {"md", "html"}) {
    SCOPED_TRACE(format);
    const std::string r = Report(spring, format, "2027-05-28");
    EXPECT_TRUE(Contains(r, "Minutes")) << r;
    EXPECT_TRUE(Contains(r, "Thursday 27 May 2027"));
    EXPECT_TRUE(Contains(r, "County Hall"));
    EXPECT_TRUE(Contains(r, "Education: apologies; reason given: exam invigilation"));
    EXPECT_TRUE(Contains(r, "Agree how to support K.L. back into school."));
    EXPECT_TRUE(Contains(r, "Phased return timetable"));
    EXPECT_TRUE(Contains(r, "11/06/2027"));
    EXPECT_TRUE(Contains(r, "within 5 working days: by Friday 4 June 2027"));
  }
}

}  // namespace
}  // namespace casepack::testing
