// Importing an agency's chronology file through the real binary (001 Appendix 1 saved as CSV; format:
// docs/chronology-csv.md): every row is checked first, one wrong row imports nothing and names its line, a
// good file goes in whole, quoted commas and line breaks intact, merged in date order with what was there.
#include "workflow_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

TEST_F(WorkflowTest, ChronologyImportChecksEveryRowAndImportsAllOrNothing) {
  InitStore();
  const std::string id = NewCase({"--type", "MAPF", "--subject", "Baby T", "--area", "Torfaen", "--date",
                                  "referral-agreed=2026-09-01"});
  Ok({"chronology", "add", id, "--when", "02/03/2026 14:30", "--source", "Health", "--event", "Typed by hand"});
  const std::string header = "Date & Time,Source,Significant Event,Action Taken,Analysis\r\n";

  // One impossible date among good rows: refused with its line, nothing imported.
  const auto bad = tmp_ / "police-bad.csv";
  WriteFile(bad, "\xef\xbb\xbf" + header + "12/01/2026 09:30,Gwent Police,Incident,Referral,\r\n" +
                     "31/02/2026,Gwent Police,Visit,None,\r\n" + "1/1/18,SWP,Warrant executed,PPP,\r\n");
  auto refused = Cli({"chronology", "import", id, bad.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "2 row(s) cannot be imported, so none is")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "line 3: date '31/02/2026'")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "line 4: date '1/1/18'")) << refused.err;
  EXPECT_EQ(Json({"chronology", "list", id, "--json"}).size(), 1u) << "a refused file imported something";

  // The corrected file goes in whole; a quoted comma and line break survive; merged in date order.
  const auto good = tmp_ / "police.csv";
  WriteFile(good, "\xef\xbb\xbf" + header + "12/01/2026 09:30,Gwent Police,\"Call from neighbour, \"\"shouting\"\"\r\nOfficers attended\",Referral,\r\n" +
                      "2026-04-01,Gwent Police,Visit,None,Good practice\r\n");
  EXPECT_TRUE(Contains(Ok({"chronology", "import", id, good.string()}), "imported 2 chronology entries"));
  const json rows = Json({"chronology", "list", id, "--json"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["when"], "2026-01-12T09:30");
  EXPECT_EQ(rows[0]["significant_event"], "Call from neighbour, \"shouting\"\nOfficers attended");
  EXPECT_EQ(rows[1]["source"], "Health");
  EXPECT_EQ(rows[2]["analysis"], "Good practice");

  // A file that is not the 001 columns says what it needs.
  const auto other = tmp_ / "other.csv";
  WriteFile(other, "date,event\n2026-02-01,call\n");
  auto wrong = Cli({"chronology", "import", id, other.string()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(Contains(wrong.err, "the first row must name the five columns")) << wrong.err;
}

}  // namespace
}  // namespace casepack::testing
