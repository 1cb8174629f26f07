// The PDF and Word writers in process (also under ASan): they produce whole files, refuse a missing
// font, and survive hostile text. The files themselves are read back by the real tools in
// tests/reports/report_files_test.py.
#include "casepack/render.h"

#include <gtest/gtest.h>

#include <random>

#include "schema/test_fixtures.h"

namespace casepack {
namespace {

ReportLayout MasLayout() { return BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport); }

TEST(RenderPdf, WritesATaggedPdfWithItsLanguage) {
  auto pdf = RenderPdf(MasLayout());
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf->find("/StructTreeRoot"), std::string::npos);
  EXPECT_NE(pdf->find("/Marked true"), std::string::npos);
  EXPECT_NE(pdf->find("/Lang (en-GB)"), std::string::npos);
}

// Welsh first, then English: the catalog says cy-GB and every structure element of the English half says
// en-GB (set with qpdf after cairo, which cannot). tests/reports checks the tree with pikepdf.
TEST(RenderPdf, BilingualReportTagsTheEnglishElements) {
  const auto layout = BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport, ReportLanguage::kBilingual);
  auto pdf = RenderPdf(layout);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  EXPECT_NE(pdf->find("/Lang (cy-GB)"), std::string::npos);
  std::size_t tagged = 0;
  for (auto at = pdf->find("/Lang (en-GB)"); at != std::string::npos; at = pdf->find("/Lang (en-GB)", at + 1)) ++tagged;
  EXPECT_GT(tagged, 50u) << "every element of the English half";
  auto welsh = RenderPdf(BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport, ReportLanguage::kWelsh));
  ASSERT_TRUE(welsh.ok());
  EXPECT_EQ(welsh->find("/Lang (en-GB)"), std::string::npos);
  auto word = RenderDocx(layout);
  ASSERT_TRUE(word.ok()) << word.error().message;
}

TEST(RenderPdf, MissingFontIsAnErrorNotAFallback) {
  RenderOptions o;
  o.font_family = "No Such Font Family";
  auto pdf = RenderPdf(MasLayout(), o);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(pdf.error().message, "font 'No Such Font Family' is not installed");
  EXPECT_FALSE(RenderDocx(MasLayout(), o).ok());
}

TEST(RenderDocx, IsAZipWithTheWordParts) {
  auto word = RenderDocx(MasLayout());
  ASSERT_TRUE(word.ok()) << word.error().message;
  EXPECT_EQ(word->rfind("PK\x03\x04", 0), 0u);
  for (const char* part : {"[Content_Types].xml", "word/document.xml", "word/styles.xml", "word/footer1.xml"})
    EXPECT_NE(word->find(part), std::string::npos) << part;
  EXPECT_EQ(*word, *RenderDocx(MasLayout())) << "the same report gives the same bytes";
}

// Hostile text: invalid UTF-8, NUL and control characters, very long words, markup look-alikes, in
// every kind of block. Both writers must finish; seed printed, replayable with CASEPACK_TEST_SEED.
TEST(Render, HostileTextNeverBreaksAWriter) {
  const char* env = std::getenv("CASEPACK_TEST_SEED");
  const unsigned seed = env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  SCOPED_TRACE("CASEPACK_TEST_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  auto junk = [&] {
    std::string s;
    const int n = static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 6) {
        case 0: s += static_cast<char>(rng() % 256); break;
        case 1: s += "<w:t>&amp;</p>"; break;
        case 2: s += std::string(static_cast<std::size_t>(rng() % 300), 'W'); break;
        case 3: s += "\n\n"; break;
        case 4: s += "ŵŷïâ"; break;
        default: s += " word"; break;
      }
    }
    return s;
  };
  auto in = testing::MasReportInput();
  in.notes["story"] = junk();
  in.facilitator_comments = junk();
  in.case_record.subject.name_or_initials = junk();
  for (auto& a : in.attendance) a.reason = junk();
  ReportLayout layout = BuildReportLayout(in, ReportDocument::kReport);
  layout.blocks.push_back({LayoutBlock::Kind::kTable, 2, {}, {}, false, {"a", junk()}, {1, 1}, {{{junk(), junk(), {}}}}, {}, {}});
  auto pdf = RenderPdf(layout);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  auto word = RenderDocx(layout);
  ASSERT_TRUE(word.ok()) << word.error().message;
}

}  // namespace
}  // namespace casepack
