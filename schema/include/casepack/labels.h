// The catalogue of domain labels in Welsh and English: event types, case statuses, key dates, note
// sections and their prompts, document types, attendance and action statuses, feedback questions,
// timescale steps and their states, day and month names, every fixed string of the reports, and the few
// words the CLI prints. It is data (schema/data/labels.json, compiled in; format in docs/labels.md), not
// code: the English in domain.cpp and timescales.cpp stays the stable machine-facing text, and a test
// checks the catalogue's English matches it, that every entry has both languages and that every entry is
// used. Terms and what still needs a Welsh-speaking practitioner's check: docs/welsh-terms.md.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/process.h"
#include "casepack/result.h"
#include "casepack/timescales.h"

namespace casepack {

enum class Language { kEnglish, kWelsh };
std::string_view ToString(Language l);     // "en", "cy"
std::string_view LanguageTag(Language l);  // BCP 47: "en-GB", "cy-GB"
// "en", "cy" (also "english", "cymraeg", "welsh", any case). kInvalidArgument otherwise.
Result<Language> ParseLanguage(std::string_view text);
// The POSIX rule for LC_MESSAGES: the first set, non-empty one of LC_ALL, LC_MESSAGES, LANG decides;
// Welsh when it starts with "cy" ("cy_GB.UTF-8", "cy"), English otherwise (also when none is set).
// Pure: the caller passes getenv's results (null for unset).
Language LanguageFromLocale(const char* lc_all, const char* lc_messages, const char* lang);

struct LabelEntry {
  std::string en;
  std::string cy;
  bool confirm = false;  // to be confirmed by a Welsh-speaking practitioner before release
};

class LabelCatalogue {
 public:
  // The file format of docs/labels.md: {"format": "casepack-labels 1", "labels": {KEY: {"en", "cy",
  // "confirm"?}}}. Strict: kInvalidArgument naming the key for a missing or empty language, an unknown
  // member, a wrong type.
  [[nodiscard]] static Result<LabelCatalogue> Parse(std::string_view json_text);
  // The catalogue compiled into the library (parsed once; aborts if it does not parse, which a test
  // rules out).
  static const LabelCatalogue& Embedded();

  // The text of `key` in `lang`; the key itself when there is no such entry (visible, and a test fails).
  [[nodiscard]] std::string_view Get(std::string_view key, Language lang) const;
  [[nodiscard]] bool Has(std::string_view key) const { return entries_.find(key) != entries_.end(); }
  [[nodiscard]] const std::map<std::string, LabelEntry, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, LabelEntry, std::less<>> entries_;
};

// Lookups in the embedded catalogue.
std::string Label(Language lang, std::string_view key);
// `pattern` with "{name}" replaced by `value` (first occurrence).
std::string Fill(std::string_view pattern, std::string_view name, std::string_view value);

std::string Label(Language lang, EventType t);          // the long name
std::string Label(Language lang, CaseStatus s);
std::string Label(Language lang, DocumentType t);
std::string Label(Language lang, AttendanceStatus s);
std::string Label(Language lang, ActionStatus s);
std::string Label(Language lang, StepState s);
std::string KeyDateTitle(Language lang, EventType t, const KeyDateDef& def);
std::string SectionTitle(Language lang, EventType t, const NoteSectionDef& def);
std::string SectionPrompt(Language lang, EventType t, const NoteSectionDef& def);  // empty when none
std::string FeedbackQuestionText(Language lang, const FeedbackQuestionDef& q);
// casepack/process.h: the MAS referral's reason, the §1.3 kinds of stuck case, agency kinds (000 §7), to
// whom an action was reported back (003 §4.7). An unknown key is returned as it is.
std::string Label(Language lang, MasReferralReason r);
std::string StuckKindLabel(Language lang, std::string_view kind);
std::string AgencyKindLabel(Language lang, std::string_view kind);
std::string ReportTargetLabel(Language lang, std::string_view to);
// A timescale step's title and rule; recipient steps ("report-to:…") name their recipient.
std::string StepTitle(Language lang, const TimescaleStep& s);
std::string StepRule(Language lang, const TimescaleStep& s);
// A step's note ("scheduled for 2027-01-20, after the limit") in `lang`, from its catalogue keys (empty if
// it has none); TimescaleStep::note keeps the English for --json.
std::string StepNote(Language lang, const TimescaleStep& s);

// The catalogue keys the typed lookups above use for every value the domain defines (the test that no
// entry is unused compares this, plus the keys named literally in the sources, with the catalogue).
std::vector<std::string> DomainLabelKeys();

// "Wednesday 4 March 2026" / "Dydd Mercher 4 Mawrth 2026" (reports).
std::string FormatLongDate(const Date& d, Language lang);
// "Wed 4 Mar 2026" / "Mer 4 Maw 2026" (the window).
std::string FormatShortDate(const Date& d, Language lang);

}  // namespace casepack
