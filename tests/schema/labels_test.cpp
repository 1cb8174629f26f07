// The label catalogue (casepack/labels.h): both languages everywhere, nothing unused, the English the same
// as the domain's, Welsh dates, the language from the locale, Welsh sorting, and the reports' vectors in
// Welsh, English and bilingual.
#include "casepack/labels.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "casepack/collation.h"
#include "casepack/timescales.h"
#include "casepack/report_journey.h"
#include "casepack/report_layout.h"
#include "schema/test_fixtures.h"

namespace casepack {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A case of type `t` with every key date on `day`.
Case FullyDated(EventType t, const Date& day) {
  Case c;
  c.id = "c";
  c.event_type = t;
  c.subject = {"A", "B"};
  for (const auto& d : KeyDateDefs(t)) c.key_dates[std::string(d.key)] = day;
  return c;
}

// Every step key the timescales produce, from a case of each type with every key date set, and with none.
std::set<std::string> StepKeys() {
  std::set<std::string> keys;
  const Date today = testing::D("2026-03-01");
  for (EventType t : AllEventTypes()) {
    const Case c = FullyDated(t, today);
    Case undated = c;
    undated.key_dates.clear();
    for (const Case& x : {c, undated})
      for (const auto& s : ComputeTimescales(x, today).steps) keys.insert(s.key);
  }
  return keys;
}

TEST(Labels, TheFileParsesAndEveryEntryHasBothLanguages) {
  const auto parsed = LabelCatalogue::Parse(ReadFile(std::filesystem::path(CASEPACK_SOURCE_DIR) / "schema/data/labels.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entries().size(), LabelCatalogue::Embedded().entries().size()) << "the build embeds the file";
  for (const auto& [key, e] : parsed->entries()) {
    EXPECT_FALSE(e.en.empty()) << key;
    EXPECT_FALSE(e.cy.empty()) << key;
  }
}

TEST(Labels, ParseRefusesAnEntryWithoutBothLanguages) {
  const auto err = [](std::string_view text) {
    auto r = LabelCatalogue::Parse(text);
    return r.ok() ? std::string("parsed") : r.error().message;
  };
  EXPECT_EQ(err(R"({"format": "casepack-labels 1", "labels": {"a": {"en": "x"}}})"),
            "label catalogue: a: cy: missing");
  EXPECT_EQ(err(R"({"format": "casepack-labels 1", "labels": {"a": {"en": "x", "cy": ""}}})"),
            "label catalogue: a: needs both languages, en and cy");
  EXPECT_EQ(err(R"({"format": "casepack-labels 1", "labels": {"a": {"en": "x", "cy": "y", "fr": "z"}}})"),
            "label catalogue: a: unknown field 'fr'");
  EXPECT_EQ(err(R"({"format": "casepack-labels 2", "labels": {}})"), "label catalogue: format is not 'casepack-labels 1'");
  EXPECT_EQ(err("not json"), "label catalogue: not a JSON object");
}

// Every entry is used: by the typed lookups over the domain's tables, by the reports' fixed strings, by the
// timescale steps, or named literally in the sources (the CLI's words). Every key those need exists.
TEST(Labels, NoEntryIsUnusedAndNoneIsMissing) {
  std::set<std::string> needed;
  for (const auto& k : DomainLabelKeys()) needed.insert(k);
  for (int i = 0; i < static_cast<int>(RS::kCount); ++i) needed.insert(ReportStringKey(static_cast<RS>(i)));
  for (const auto& k : StepKeys()) {
    needed.insert("step." + k);
    needed.insert("step." + k + ".rule");
  }
  needed.insert("step.report-to.rule");  // the recipient steps' rule when the guidance sets none
  std::string sources;
  for (const char* dir : {"client/src", "client/src/cli", "desktop/src", "schema/src", "render/src"}) {
    for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(CASEPACK_SOURCE_DIR) / dir))
      if (f.path().extension() == ".cpp") sources += ReadFile(f.path());
  }
  const auto& entries = LabelCatalogue::Embedded().entries();
  for (const auto& [key, e] : entries) {
    const bool literal = sources.find("\"" + key + "\"") != std::string::npos;
    EXPECT_TRUE(needed.count(key) || literal) << "unused catalogue entry: " << key;
  }
  for (const auto& key : needed) EXPECT_TRUE(entries.count(key)) << "missing catalogue entry: " << key;
}

// docs/welsh-terms.md lists every entry with both forms and whether it is still to be confirmed.
TEST(Labels, TheTermListHasEveryEntry) {
  const std::string doc = ReadFile(std::filesystem::path(CASEPACK_SOURCE_DIR) / "docs/welsh-terms.md");
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
    return out;
  };
  for (const auto& [key, e] : LabelCatalogue::Embedded().entries()) {
    const std::string row = "| `" + key + "` | " + cell(e.en) + " | " + cell(e.cy) + " | " + (e.confirm ? "**confirm**" : "check") + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << row;
  }
}

// The domain tables keep their English (it is in stored data, errors and the JSON forms): the catalogue's
// English must say the same.
TEST(Labels, EnglishIsTheDomainsEnglish) {
  const auto en = Language::kEnglish;
  for (EventType t : AllEventTypes()) {
    EXPECT_EQ(Label(en, t), LongName(t));
    for (const auto& d : KeyDateDefs(t)) EXPECT_EQ(KeyDateTitle(en, t, d), d.title);
    for (const auto& d : NoteSections(t)) {
      EXPECT_EQ(SectionTitle(en, t, d), d.title);
      EXPECT_EQ(SectionPrompt(en, t, d), d.prompt);
    }
  }
  for (DocumentType d : AllDocumentTypes()) EXPECT_EQ(Label(en, d), DocumentTitle(d));
  for (const auto& q : FeedbackQuestions()) EXPECT_EQ(FeedbackQuestionText(en, q), q.text);
  for (auto s : {AttendanceStatus::kInvited, AttendanceStatus::kAttended, AttendanceStatus::kApologies, AttendanceStatus::kAbsent})
    EXPECT_EQ(Label(en, s), ToString(s));
  const Date today = testing::D("2026-03-01");
  for (EventType t : AllEventTypes()) {
    for (const auto& s : ComputeTimescales(FullyDated(t, today), today).steps) {
      EXPECT_EQ(StepTitle(en, s), s.title) << s.key;
      EXPECT_EQ(StepRule(en, s), s.rule) << s.key;
      EXPECT_NE(StepTitle(Language::kWelsh, s), s.title) << s.key;
    }
  }
}

// The fixed report recipients (report_journey.h) have labels whose English is the recipient's name; those
// named by the case (attendees, agencies) keep their names.
TEST(Labels, RecipientStepsNameTheRecipientInTheLanguage) {
  int fixed = 0;
  for (EventType t : AllEventTypes()) {
    for (const auto& r : ExpectedReportRecipients(t, {{"Iechyd", "Ymwelydd iechyd", "", AttendanceStatus::kAttended, ""}})) {
      TimescaleStep s;
      s.key = "report-to:" + r.key;
      s.recipient = r.name;
      const std::string label = "recipient." + r.key;
      if (LabelCatalogue::Embedded().Has(label)) {
        ++fixed;
        EXPECT_EQ(Label(Language::kEnglish, label), r.name);
        EXPECT_EQ(StepTitle(Language::kWelsh, s), "Adroddiad i " + Label(Language::kWelsh, label));
      } else {
        EXPECT_EQ(StepTitle(Language::kWelsh, s), "Adroddiad i " + r.name) << r.key;
      }
      EXPECT_EQ(StepTitle(Language::kEnglish, s), "Report to " + r.name);
    }
  }
  EXPECT_EQ(fixed, 10) << "MAS 3, MAPF's LOG, and the Sub-Group, Board and Welsh Government of a CPR and an APR";
}

TEST(Labels, WelshDates) {
  EXPECT_EQ(FormatLongDate(testing::D("2026-11-27"), Language::kWelsh), "Dydd Gwener 27 Tachwedd 2026");
  EXPECT_EQ(FormatLongDate(testing::D("2026-11-27"), Language::kEnglish), "Friday 27 November 2026");
  EXPECT_EQ(FormatShortDate(testing::D("2026-11-27"), Language::kWelsh), "Gwe 27 Tach 2026");
  EXPECT_EQ(FormatShortDate(testing::D("2027-02-01"), Language::kWelsh), "Llun 1 Chwef 2027");
  EXPECT_EQ(FormatLongDate(testing::D("2026-03-04"), Language::kEnglish), FormatLongDate(testing::D("2026-03-04")));
  // A week from today: seven different Welsh weekday names, each "Dydd …".
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  std::set<std::string> names;
  for (int i = 0; i < 7; ++i) {
    const std::string s = FormatLongDate(Date::FromDayNumber(days + i), Language::kWelsh);
    EXPECT_EQ(s.rfind("Dydd ", 0), 0u) << s;
    names.insert(s.substr(0, s.find(' ', 5)));
  }
  EXPECT_EQ(names.size(), 7u);
}

TEST(Labels, LanguageFromTheLocale) {
  EXPECT_EQ(LanguageFromLocale(nullptr, nullptr, "cy_GB.UTF-8"), Language::kWelsh);
  EXPECT_EQ(LanguageFromLocale(nullptr, nullptr, "en_GB.UTF-8"), Language::kEnglish);
  EXPECT_EQ(LanguageFromLocale("", "cy_GB.UTF-8", "en_GB.UTF-8"), Language::kWelsh);
  EXPECT_EQ(LanguageFromLocale("C", "cy_GB.UTF-8", nullptr), Language::kEnglish) << "LC_ALL wins";
  EXPECT_EQ(LanguageFromLocale(nullptr, nullptr, "cy"), Language::kWelsh);
  EXPECT_EQ(LanguageFromLocale(nullptr, nullptr, "cyrl"), Language::kEnglish);
  EXPECT_EQ(LanguageFromLocale(nullptr, nullptr, nullptr), Language::kEnglish);
  EXPECT_EQ(*ParseLanguage("CY"), Language::kWelsh);
  EXPECT_FALSE(ParseLanguage("fr").ok());
}

// The Welsh alphabet: a b c ch d dd e f ff g ng h i j l ll m n o p ph r rh s t th u w y.
TEST(WelshSorting, DigraphsAreLettersOfTheirOwn) {
  std::vector<std::string> names = {"Lowri", "Llinos", "Chris", "Catrin", "Dylan", "Dafydd", "Ddwyryd", "Ffion", "Fiona",
                                    "Rhys", "Rachel", "Thomas", "Tudur", "Phil", "Peredur", "Ŵyn", "Wyn", "Angharad", "Angela"};
  SortNames(names, Language::kWelsh);
  const std::vector<std::string> welsh = {"Angela", "Angharad", "Catrin", "Chris", "Dafydd", "Dylan", "Ddwyryd", "Fiona", "Ffion",
                                          "Lowri", "Llinos", "Peredur", "Phil", "Rachel", "Rhys", "Tudur", "Thomas", "Wyn", "Ŵyn"};
  EXPECT_EQ(names, welsh);
  SortNames(names, Language::kEnglish);
  const std::vector<std::string> english = {"Angela", "Angharad", "Catrin", "Chris", "Dafydd", "Ddwyryd", "Dylan", "Ffion", "Fiona",
                                            "Llinos", "Lowri", "Peredur", "Phil", "Rachel", "Rhys", "Thomas", "Tudur", "Wyn", "Ŵyn"};
  EXPECT_EQ(names, english);
  const NameCollator cy(Language::kWelsh);
  EXPECT_TRUE(cy.Less("Lowri", "Llinos"));
  EXPECT_TRUE(cy.Less("Catrin", "Chris"));
  EXPECT_TRUE(cy.Less("Ynys Môn", "Ystrad"));
  EXPECT_TRUE(cy.Less("Ceredigion", "Conwy"));
  EXPECT_TRUE(cy.Less("Conwy", "Chwilog"));
}

// ---- report vectors: section headings and dates in each language ----

std::vector<std::string> Headings(const ReportLayout& l) {
  std::vector<std::string> out;
  for (const auto& b : l.blocks)
    if (b.kind == LayoutBlock::Kind::kHeading && b.level == 2) out.push_back(b.text.main);
  return out;
}

// The MAS Summary's vectors in each language: language tag, running header, section headings, dates.
TEST(ReportLanguages, MasSummaryHeadingsAndDates) {
  struct Vector {
    ReportLanguage lang;
    std::string tag, header, return_by;
    std::vector<std::string> headings;
  };
  const Vector vectors[] = {
      {ReportLanguage::kWelsh, "cy-GB", "Plentyn A.B. \u00B7 digwyddiad MAS 8 Ebrill 2026", "erbyn Dydd Mercher 22 Ebrill 2026.",
       {"1. Dyddiad y digwyddiad MAS", "2. A ddaeth pob gweithiwr perthnasol?", "3. Cofnod o'r drafodaeth",
        "4. Sylwadau / arsylwadau'r hwylusydd", "Camau gweithredu a gytunwyd", "5. Dychwelyd yr adroddiad hwn", "Proses yr MAS",
        "Llofnodion"}},
      {ReportLanguage::kEnglish, "en-GB", "Child A.B. \u00B7 MAS event 8 April 2026", "by Wednesday 22 April 2026.",
       {"1. Date of MAS event", "2. Did all relevant workers attend?", "3. Record of discussion",
        "4. Facilitator's comments / observations", "Actions agreed", "5. Return of this report", "The MAS process",
        "Signatures"}},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.tag);
    const ReportLayout l = BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport, v.lang);
    EXPECT_EQ(l.language, v.tag);
    EXPECT_EQ(l.running_header, v.header + " \u00B7 " + l.case_reference);
    EXPECT_EQ(Headings(l), v.headings);
    EXPECT_NE(RenderTextLayout(l, ReportFormat::kMarkdown).find(v.return_by), std::string::npos) << "event + 2 weeks";
  }
}

TEST(ReportLanguages, MasSummaryInWelshBody) {
  const ReportLayout l = BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport, ReportLanguage::kWelsh);
  EXPECT_EQ(l.title, "Goruchwyliaeth Amlasiantaethol (MAS): Crynodeb yr Hwylusydd o'r Digwyddiad MAS");
  EXPECT_EQ(l.marking, "SWYDDOGOL-SENSITIF");
  const std::string md = RenderTextLayout(l, ReportFormat::kMarkdown);
  EXPECT_NE(md.find("Dydd Mercher 8 Ebrill 2026"), std::string::npos) << "event date";
  EXPECT_NE(md.find("### Hanes yr achos hyd yma"), std::string::npos);
  EXPECT_NE(md.find("| Newport Children's Services | Social worker | S. Jones | yn bresennol |"), std::string::npos);
  EXPECT_NE(md.find("Education (Teacher): ymddiheuriadau; rheswm a roddwyd: illness"), std::string::npos);
  EXPECT_NE(md.find("Llofnod: "), std::string::npos);
  EXPECT_EQ(md.find("Page"), std::string::npos);
}

TEST(ReportLanguages, MapmMinutesInWelsh) {
  ReportInput in = testing::MasReportInput();
  in.case_record.event_type = EventType::kMapm;
  in.case_record.key_dates = {{"meeting", testing::D("2026-11-27")}};
  in.notes = {{"aim", "Deall yr anghenion."}};
  const ReportLayout l = BuildReportLayout(in, ReportDocument::kReport, ReportLanguage::kWelsh);
  const auto h = Headings(l);
  ASSERT_GE(h.size(), 12u);
  EXPECT_EQ(h[0], "1. Dyddiad, amser a lleoliad");
  EXPECT_EQ(h[3], "4. Nod y cyfarfod");
  EXPECT_EQ(h[11], "12. Dyddiad yr adolygiad nesaf");
  const std::string md = RenderTextLayout(l, ReportFormat::kMarkdown);
  EXPECT_NE(md.find("Dydd Gwener 27 Tachwedd 2026"), std::string::npos);
  EXPECT_NE(md.find("cyn pen 5 diwrnod gwaith: erbyn Dydd Gwener 4 Rhagfyr 2026."), std::string::npos);
}

TEST(ReportLanguages, FeedbackFormInWelsh) {
  ReportInput in = testing::MasReportInput();
  ParticipantFeedback f;
  f.agency = "Iechyd";
  f.barriers = false;
  in.feedback = {f};
  const ReportLayout l = BuildReportLayout(in, ReportDocument::kFeedback, ReportLanguage::kWelsh);
  const std::string md = RenderTextLayout(l, ReportFormat::kMarkdown);
  EXPECT_NE(md.find("Goruchwyliaeth Amlasiantaethol (MAS): Adborth gan Gyfranogwyr"), std::string::npos);
  EXPECT_NE(md.find("3. A oedd unrhyw rwystrau i'ch cyfranogiad?** Nac oedd"), std::string::npos) << md;
}

TEST(ReportLanguages, BilingualIsWelshFirstThenEnglishTaggedAsEnglish) {
  const ReportLayout l = BuildReportLayout(testing::MasReportInput(), ReportDocument::kReport, ReportLanguage::kBilingual);
  EXPECT_EQ(l.language, "cy-GB");
  EXPECT_EQ(l.marking, "SWYDDOGOL-SENSITIF / OFFICIAL-SENSITIVE");
  EXPECT_EQ(l.page_label, "Tudalen / Page");
  std::size_t english_title = l.blocks.size();
  for (std::size_t i = 0; i < l.blocks.size(); ++i) {
    if (l.blocks[i].kind == LayoutBlock::Kind::kHeading && l.blocks[i].level == 1) english_title = i;
  }
  ASSERT_LT(english_title, l.blocks.size());
  EXPECT_EQ(l.blocks[english_title].text.main, "Multi-Agency Supervision (MAS): Facilitator's Summary of MAS Event");
  EXPECT_TRUE(l.blocks[english_title].page_break);
  for (std::size_t i = 0; i < l.blocks.size(); ++i) EXPECT_EQ(l.blocks[i].lang, i < english_title ? "" : "en-GB") << i;
  const std::string html = RenderTextLayout(l, ReportFormat::kHtml);
  EXPECT_NE(html.find("<html lang=\"cy-GB\">"), std::string::npos);
  EXPECT_NE(html.find("<h1 lang=\"en-GB\" class=\"new-page\">Multi-Agency Supervision"), std::string::npos);
  EXPECT_NE(html.find("<h2 lang=\"en-GB\">1. Date of MAS event</h2>"), std::string::npos);
  EXPECT_LT(html.find("<h2>1. Dyddiad y digwyddiad MAS</h2>"), html.find("<h2 lang=\"en-GB\">1. Date of MAS event</h2>"))
      << "Welsh first";
  const std::string md = RenderTextLayout(l, ReportFormat::kMarkdown);
  EXPECT_LT(md.find("Dydd Mercher 8 Ebrill 2026"), md.find("Wednesday 8 April 2026"));
}

// Every note timescales.cpp writes reads in Welsh, with its date kept; the English is what --json keeps.
TEST(Labels, StepNotesInWelsh) {
  struct Case {
    std::string key, tail, en, cy;
  };
  const Case cases[] = {
      {"step-note.follows-event", "", "the due date follows from the event date",
       "mae'r dyddiad dyledus yn dilyn o ddyddiad y digwyddiad"},
      {"step-note.scheduled", "", "scheduled for 2031-02-03", "wedi'i drefnu ar gyfer 2031-02-03"},
      {"step-note.scheduled", "step-note.after-limit", "scheduled for 2031-02-03, after the limit",
       "wedi'i drefnu ar gyfer 2031-02-03, ar ôl y terfyn"},
      {"step-note.review-agreed", "step-note.after-3-months", "next review agreed for 2031-02-03, after the 3-month limit",
       "cytunwyd ar yr adolygiad nesaf ar gyfer 2031-02-03, ar ôl y terfyn o 3 mis"},
  };
  for (const Case& c : cases) {
    TimescaleStep s;
    s.note_key = c.key;
    s.note_date = c.key == "step-note.follows-event" ? std::nullopt : std::optional<Date>(Date{2031, 2, 3});
    s.note_tail_key = c.tail;
    EXPECT_EQ(StepNote(Language::kWelsh, s), c.cy);
    EXPECT_EQ(StepNote(Language::kEnglish, s), c.en);
  }
  EXPECT_EQ(StepNote(Language::kWelsh, TimescaleStep{}), "");
}

// Every note the timescales write comes from the catalogue: English as --json keeps it, and Welsh.
TEST(Labels, EveryNoteTheTimescalesWriteHasAWelshForm) {
  const Date today{2031, 6, 1};
  for (EventType t : AllEventTypes()) {
    Case c;
    c.event_type = t;
    for (const KeyDateDef& d : KeyDateDefs(t)) c.key_dates.emplace(std::string(d.key), Date{2031, 9, 1});
    for (const bool dated : {false, true}) {
      Case cc = dated ? c : Case{c.id, t};
      const CaseTimescales ts = ComputeTimescales(cc, today);
      for (const auto& step : ts.steps)
        if (!step.note.empty()) {
          EXPECT_EQ(StepNote(Language::kEnglish, step), step.note);
          EXPECT_NE(StepNote(Language::kWelsh, step), step.note) << step.note;
        }
    }
  }
}

}  // namespace
}  // namespace casepack
