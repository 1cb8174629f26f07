// A Multi-Agency Professionals' Meeting's own record through the real binary (002): the chair and the
// minute-taker as roles of their own (§5, §6), the meeting's time (§7 item 1), the minutes' distribution list
// with the family where appropriate and the date each was sent (§7), who informs the child and family of the
// outcome (§8), what the family knew of the meeting (§9), and every review of the action plan (§10), a next
// review more than three months on flagged in the text output, not only in --json.
#include "workflow_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

TEST_F(WorkflowTest, MapmChairMinuteTakerTimeFamilyDistributionAndEveryReview) {
  InitStore();
  const std::string id = NewCase({"--type", "MAPM", "--subject", "Gwenllïan P", "--area", "Cardiff", "--lead-agency",
                                  "Cardiff Children's Services", "--venue", "County Hall", "--date", "meeting=2026-09-01"});
  const std::string c = id.substr(0, 6);
  Ok({"case", "set", c, "--chair", "Rhian Lewis (Health)", "--minute-taker", "Owain Rees (Education)", "--meeting-time",
      "14:30", "--informs-family", "Lead practitioner (Children's Services)", "--family", "not-informed",
      "--minutes-to-family", "yes"});
  Ok({"attend", c, "--agency", "Health", "--role", "School nurse", "--status", "attended"});
  Ok({"attend", c, "--agency", "Education", "--role", "Head teacher", "--status", "attended"});

  const json m = Show(id)["mapm"];
  EXPECT_EQ(m["chair"], "Rhian Lewis (Health)");
  EXPECT_EQ(m["minute_taker"], "Owain Rees (Education)");
  EXPECT_EQ(m["meeting_time"], "14:30");
  EXPECT_EQ(m["informs_family"], "Lead practitioner (Children's Services)");
  EXPECT_EQ(m["family"], "not-informed");
  EXPECT_EQ(m["minutes_to_family"], true);
  const std::string shown = Ok({"case", "show", c});
  for (const char* s : {"Chair:", "Rhian Lewis (Health)", "Minute-taker:", "14:30",
                        "Not told of the meeting (the invited agencies agreed)", "Lead practitioner (Children's Services)"})
    EXPECT_TRUE(Contains(shown, s)) << s << "\n" << shown;

  // Refused with the reason: the roles on another type, a time that is not one, an unknown family answer.
  const std::string mas = NewCase({"--type", "MAS", "--subject", "A.B.", "--area", "Newport"});
  auto wrong_type = Cli({"case", "set", mas, "--chair", "Someone"});
  EXPECT_EQ(wrong_type.exit_code, 1);
  EXPECT_TRUE(Contains(wrong_type.err, "are for MAPM cases")) << wrong_type.err;
  auto bad_time = Cli({"case", "set", c, "--meeting-time", "25:00"});
  EXPECT_EQ(bad_time.exit_code, 1);
  EXPECT_TRUE(Contains(bad_time.err, "is not a time of day")) << bad_time.err;
  auto bad_family = Cli({"case", "set", c, "--family", "maybe"});
  EXPECT_EQ(bad_family.exit_code, 1);
  EXPECT_TRUE(Contains(bad_family.err, "unknown family answer")) << bad_family.err;
  EXPECT_EQ(Show(id)["mapm"]["meeting_time"], "14:30") << "a refused change changed something";
  // A time typed on the wrong case is cleared with an empty value.
  Ok({"case", "set", c, "--meeting-time", ""});
  EXPECT_TRUE(Show(id)["mapm"]["meeting_time"].is_null()) << Show(id)["mapm"].dump();
  Ok({"case", "set", c, "--meeting-time", "14:30"});

  // The distribution list: every attendee, and the family; each with the date sent.
  json recipients = Json({"report", "recipients", c, "--json"});
  ASSERT_EQ(recipients.size(), 3u) << recipients.dump();
  EXPECT_EQ(recipients[2]["key"], "family");
  EXPECT_TRUE(Contains(Ok({"report", "sent", c, "--recipient", "family", "--date", "04/09/2026"}),
                       "recorded as sent to The child and family on 2026-09-04"));
  recipients = Json({"report", "recipients", c, "--json"});
  EXPECT_EQ(recipients[2]["sent_on"], "2026-09-04");

  // Every review is kept; the key dates follow the latest; a next review more than three months after the
  // review that agreed it is flagged where people read, not only in --json.
  const std::string r1 = FirstWord(Ok({"review", "add", c, "--held", "2026-11-25", "--next", "2027-03-31", "--note",
                                       "Attendance improving"}));
  const std::string added = Ok({"review", "add", c, "--held", "2026-10-20", "--next", "2026-11-25"});
  EXPECT_FALSE(Contains(added, "⚠")) << added;
  const json dates = Show(id)["key_dates"];
  EXPECT_EQ(dates["last-action-plan-review"], "2026-11-25") << "an earlier review moved the latest back";
  EXPECT_EQ(dates["next-review"], "2027-03-31");
  const json listed = Json({"review", "list", c, "--json"});
  ASSERT_EQ(listed["reviews"].size(), 2u);
  EXPECT_EQ(listed["reviews"][0]["held"], "2026-10-20");
  EXPECT_EQ(listed["reviews"][1]["note"], "Attendance improving");
  ASSERT_EQ(listed["late"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["late"][0]["limit"], "2027-02-25");
  const std::string text = Ok({"review", "list", c});
  EXPECT_TRUE(Contains(text, "⚠ more than three months after 2026-11-25")) << text;
  EXPECT_TRUE(Contains(Ok({"case", "show", c}), "⚠ more than three months after 2026-11-25"));

  // The minutes carry it all, in English and in Welsh.
  const std::string md = Report(id, "md", "2026-12-01");
  for (const char* s : {"Chair", "Rhian Lewis (Health)", "Minute-taker", "Owain Rees (Education)", "14:30",
                        "Reviews of the action plan", "Attendance improving", "more than three months after",
                        "Informs the child and family of the outcome", "The child and family", "4 September 2026"})
    EXPECT_TRUE(Contains(md, s)) << s;
  const auto welsh = tmp_ / "cofnodion.md";
  Ok({"--lang", "cy", "report", c, "--format", "md", "--date", "2026-12-01", "-o", welsh.string()});
  const std::string cy = ReadFile(welsh);
  for (const char* s : {"Cadeirydd", "Cofnodwr", "Adolygiadau o'r cynllun gweithredu"}) EXPECT_TRUE(Contains(cy, s)) << s;

  // A review recorded on the wrong case goes, audited like any row.
  EXPECT_TRUE(Contains(Ok({"review", "rm", c, r1}), "deleted review"));
  EXPECT_EQ(Json({"review", "list", c, "--json"})["reviews"].size(), 1u);
}

}  // namespace
}  // namespace casepack::testing
