// Updates through the CLI change only what the command names: an attendee's role and name survive a
// change of status, an action's owning agency survives a change of owning role (and the other way round).
#include "workflow_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

// Regression: `attend --id` rewrote the whole attendee from the options given, so a status update without
// --role and --name erased them (and --agency had to be typed again); `action update --owner-role` alone
// erased the owning agency.
TEST_F(WorkflowTest, PartialUpdatesKeepWhatWasNotGiven) {
  InitStore();
  const std::string c = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport"});
  const std::string who = FirstWord(Ok({"attend", c, "--agency", "Education", "--role", "Head teacher", "--name",
                                        "Mr Jones", "--status", "invited"}));
  Ok({"attend", c, "--id", who, "--status", "apologies", "--reason", "staff training day"});
  json a = Show(c)["attendance"];
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["agency"], "Education");
  EXPECT_EQ(a[0]["role"], "Head teacher");
  EXPECT_EQ(a[0]["name"], "Mr Jones");
  EXPECT_EQ(a[0]["status"], "apologies");
  EXPECT_EQ(a[0]["reason"], "staff training day");
  Ok({"attend", c, "--id", who.substr(0, 6), "--agency", "Education", "--status", "absent"});
  a = Show(c)["attendance"];
  EXPECT_EQ(a[0]["role"], "Head teacher");
  EXPECT_EQ(a[0]["name"], "Mr Jones");
  EXPECT_EQ(a[0]["status"], "absent");
  EXPECT_EQ(a[0]["reason"], "staff training day");
  Ok({"attend", c, "--id", who, "--name", "Mrs Jones", "--reason", ""});
  a = Show(c)["attendance"];
  EXPECT_EQ(a[0]["name"], "Mrs Jones");
  EXPECT_EQ(a[0]["status"], "absent");
  EXPECT_EQ(a[0]["reason"], "");
  // Adding still needs the agency and the status: a usage error otherwise.
  auto r = Cli({"attend", c, "--agency", "Health"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "casepack: error: usage: --agency and --status are required to add an attendee")) << r.err;
  r = Cli({"attend", c, "--status", "attended"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Show(c)["attendance"].size(), 1u);

  const std::string act = Ok({"action", "add", c, "--what", "Refer to the safe sleep service", "--owner-agency", "Health",
                              "--owner-role", "Health visitor", "--due", "2026-12-04"});
  Ok({"action", "update", c, FirstWord(act), "--owner-role", "School nurse"});
  json owner = Json({"action", "list", c, "--json"})[0]["owner"];
  EXPECT_EQ(owner[0]["value"], (json{{"agency", "Health"}, {"role", "School nurse"}}));
  Ok({"action", "update", c, FirstWord(act), "--owner-agency", "Powys Teaching Health Board"});
  owner = Json({"action", "list", c, "--json"})[0]["owner"];
  EXPECT_EQ(owner[0]["value"], (json{{"agency", "Powys Teaching Health Board"}, {"role", "School nurse"}}));
  // Both given: both replaced; an explicitly empty role clears it.
  Ok({"action", "update", c, FirstWord(act), "--owner-agency", "Health", "--owner-role", ""});
  owner = Json({"action", "list", c, "--json"})[0]["owner"];
  EXPECT_EQ(owner[0]["value"], (json{{"agency", "Health"}, {"role", ""}}));
}

}  // namespace
}  // namespace casepack::testing
