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

// 001 Appendix 1's heading rows set the chronology's header with the rows, in one go; a wrong heading row
// refuses the whole file and leaves the header as it was.
TEST_F(WorkflowTest, ChronologyImportReadsTheHeadingIntoTheHeader) {
  InitStore();
  const std::string id = NewCase({"--type", "CPR", "--subject", "Baby R", "--area", "Merthyr Tydfil", "--date",
                                  "referral=14/09/2026"});
  Ok({"chronology", "header", id, "--completed-by", "Panel chair"});
  const std::string columns = "Date & Time,Source,Significant Event,Action Taken,Analysis\r\n";
  const std::string row = "12/01/2026 09:30,Police,Domestic incident reported,Referral,\r\n";

  const auto bad = tmp_ / "heading-bad.csv";
  WriteFile(bad, "Subject name,Baby R,,,\r\nTime Period Covered:,01/09/2026,31/08/2025,,\r\n" + columns + row);
  auto refused = Cli({"chronology", "import", id, bad.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "line 2: chronology header: the period covered ends (2025-08-31) before it starts")) << refused.err;
  EXPECT_EQ(Json({"chronology", "list", id, "--json"}).size(), 0u);
  EXPECT_EQ(Json({"chronology", "header", id, "--json"})["subject"], "") << "a refused file changed the header";

  const auto good = tmp_ / "heading.csv";
  WriteFile(good, "Practice Review Chronology,,,,\r\nSubject name,Baby R,,,\r\nTime Period Covered:,01/09/2025,31/08/2026,,\r\n"
                  "Version:,2,,,\r\n" + columns + row);
  EXPECT_TRUE(Contains(Ok({"chronology", "import", id, good.string()}), "and the file's heading into the chronology header"));
  const json header = Json({"chronology", "header", id, "--json"});
  EXPECT_EQ(header["subject"], "Baby R");
  EXPECT_EQ(header["from"], "2025-09-01");
  EXPECT_EQ(header["to"], "2026-08-31");
  EXPECT_EQ(header["version"], "2");
  EXPECT_EQ(header["completed_by"], "Panel chair") << "a field the file does not give is kept";
  EXPECT_EQ(Json({"chronology", "list", id, "--json"}).size(), 1u);
}

}  // namespace
}  // namespace casepack::testing
