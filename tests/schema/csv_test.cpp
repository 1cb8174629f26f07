// Importing an agency's chronology (docs/chronology-csv.md): the vectors in tests/vectors/chronology_csv/
// parse (or are refused) as they say, and any table of fields survives FormatCsv then ParseCsv.
#include <gtest/gtest.h>

#include <random>

#include "casepack/csv.h"
#include "support/seed.h"
#include "support/vector_file.h"

namespace casepack {
namespace {

using testing::ReadVectorDir;

std::string Unescaped(std::string s) {
  for (std::size_t p = s.find("\\n"); p != std::string::npos; p = s.find("\\n", p + 1)) s.replace(p, 2, "\n");
  return s;
}

TEST(ChronologyCsv, EveryVectorParsesOrIsRefusedAsItSays) {
  const auto vectors = ReadVectorDir(std::filesystem::path(CASEPACK_VECTORS_DIR) / "chronology_csv");
  ASSERT_GE(vectors.size(), 20u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const std::string text(v.body.begin(), v.body.end());
    auto r = ParseChronologyCsv(text);
    auto file = ParseChronologyFile(text);
    EXPECT_EQ(r.ok(), file.ok());
    if (v.at("expect") == "success") {
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(std::to_string(r->size()), v.at("entries"));
      // The heading (001 Appendix 1), as subject|from|to|completed by|date|version; none when not given.
      const ChronologyHeader& h = file->header;
      auto date = [](const std::optional<Date>& d) { return d ? FormatDate(*d) : std::string(); };
      const std::string heading = h.empty() ? std::string()
                                            : h.subject + "|" + date(h.from) + "|" + date(h.to) + "|" + h.completed_by + "|" +
                                                  date(h.date) + "|" + h.version;
      EXPECT_EQ(heading, v.at("header"));
      const ChronologyEntry& first = r->front();
      EXPECT_EQ(FormatDateTime(first.when) + "|" + first.source, v.at("first"));
      if (!v.at("event").empty()) {
        EXPECT_EQ(first.significant_event, Unescaped(v.at("event")));
      }
    } else {
      ASSERT_EQ(v.at("expect"), "refused");
      ASSERT_FALSE(r.ok()) << "imported " << r->size() << " entries";
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(r.error().message.find(v.at("error")), std::string::npos) << r.error().message;
    }
  }
}

TEST(ChronologyCsv, TwelveBadRowsAreCountedAndTenListed) {
  std::string text = "Date & Time,Source,Significant Event,Action Taken,Analysis\n";
  for (int i = 0; i < 12; ++i) text += "32/01/2026,Police,Incident " + std::to_string(i) + ",None,\n";
  auto r = ParseChronologyCsv(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("12 row(s) cannot be imported, so none is: line 2: "), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("line 11: "), std::string::npos);
  EXPECT_EQ(r.error().message.find("line 12: "), std::string::npos) << "only ten are listed";
  EXPECT_NE(r.error().message.find("; and 2 more"), std::string::npos);
}

// Property: any fields (commas, quotes, CR, LF, spaces, Welsh letters, empty ones) written by FormatCsv read
// back the same. Fresh seed each run, printed.
TEST(ChronologyCsv, FormatThenParseGivesBackTheFields) {
  std::mt19937_64 rng(testing::FreshSeed("csv round trip"));
  const std::vector<std::string> pieces = {"a", "Tŷ", ",", "\"", "\r\n", "\n", " ", "\t", "ŵ", "x y", "", "\"\"", "1/1/18"};
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::vector<std::string>> rows(1 + rng() % 4);
    const std::size_t width = 1 + rng() % 6;
    for (auto& row : rows) {
      row.resize(width);
      for (auto& f : row)
        for (std::size_t k = rng() % 5; k > 0; --k) f += pieces[rng() % pieces.size()];
    }
    // A record of one empty field is a blank line, which ParseCsv skips: FormatCsv quotes it ("").
    auto parsed = ParseCsv(FormatCsv(rows));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << FormatCsv(rows);
    ASSERT_EQ(parsed->size(), rows.size()) << FormatCsv(rows);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::vector<std::string> expected = rows[i];
      for (auto& f : expected)  // a line break inside a field reads back as "\n"
        for (std::size_t p = f.find("\r\n"); p != std::string::npos; p = f.find("\r\n", p)) f.replace(p, 2, "\n");
      EXPECT_EQ((*parsed)[i].fields, expected) << FormatCsv(rows);
    }
  }
}

}  // namespace
}  // namespace casepack
