// The layout model of a report: what every writer renders, so Markdown, HTML, PDF, Word and the desktop
// window's preview carry exactly the same content. BuildReportLayout turns the case data into blocks
// (headings, paragraphs, label/value fields, tables, lists, alerts, a signature block); the writers only
// decide how each block looks. Pure and free of I/O. Format and fixed strings: docs/reports.md.
//
// A layout holds case content: never log it; write it only where the user asked by name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/labels.h"
#include "casepack/report.h"

namespace casepack {

// Which document of the event. The participants' feedback (MAS Appendix 2) is its own document for the
// Business Unit only: it never appears in the report that goes on the child's file.
enum class ReportDocument { kReport, kFeedback };

// A piece of text plus an optional warning (an unresolved conflict) shown right after it and styled.
// `lang` is a BCP 47 tag when the span differs from the document's language (Welsh in an English
// report), empty otherwise.
struct LayoutText {
  std::string main;
  std::string warning;
  std::string lang;
};

struct LayoutBlock {
  enum class Kind {
    kHeading,    // level 2..3 (the title is level 1)
    kParagraph,  // text; blank lines separate paragraphs, single line breaks stay
    kFields,     // label -> value; `stacked`: the label on its own line above the value (long questions)
    kTable,      // header cells, rows; `widths` are relative column weights
    kList,       // bulleted items
    kAlert,      // a framed warning (conflict count)
    kSignature,  // lines to sign, print a name and date by hand: one per signatory slot
  };
  Kind kind = Kind::kParagraph;
  int level = 2;
  LayoutText text;
  std::vector<std::pair<std::string, LayoutText>> fields;
  bool stacked = false;
  std::vector<std::string> headers;
  std::vector<double> widths;
  std::vector<std::vector<LayoutText>> rows;
  std::vector<LayoutText> items;
  std::vector<std::string> signatories;  // kSignature: the role on each slot ("Facilitator"); `headers` holds
                                        // the three line labels (signature, name, date)
  // The block's language when it differs from the document's (the English half of a bilingual report):
  // every piece of fixed text and content in it. Empty otherwise.
  std::string lang;
  bool page_break = false;  // start a new page (the English half of a bilingual report)
};

struct ReportLayout {
  std::string title;
  std::string language = "en-GB";  // the document's language (PDF /Lang, Word w:lang, HTML lang)
  std::string marking;             // the protective marking, "OFFICIAL-SENSITIVE", in header and footer
  std::string case_reference;      // CaseReference(): "MAS-7K3F-9Q2D"
  std::string running_header;      // "Child A.B. · MAS event 4 March 2026 · MAS-7K3F-9Q2D"
  std::string page_label;          // "Page"; writers print "Page N of M"
  std::string page_of;             // "of"
  std::vector<LayoutBlock> blocks;
};

// Which language a report is written in. Bilingual: the Welsh document, then the English one (Welsh
// first, as the Welsh Language Standards ask), the English blocks tagged "en-GB".
enum class ReportLanguage { kEnglish, kWelsh, kBilingual };
// "en", "cy", "cy+en" (also "both", "bilingual"). kInvalidArgument otherwise.
Result<ReportLanguage> ParseReportLanguage(std::string_view text);

// The document for `which` of the case's event. Every fixed string comes from ReportString() in the
// report's language; dates are written in it ("Dydd Gwener 27 Tachwedd 2026").
ReportLayout BuildReportLayout(const ReportInput& in, ReportDocument which,
                               ReportLanguage lang = ReportLanguage::kEnglish);

// Markdown or HTML of a layout (the text formats; PDF and Word are in render/).
// REQUIRES: format is kMarkdown or kHtml.
std::string RenderTextLayout(const ReportLayout& layout, ReportFormat format);

// The human case reference printed on reports instead of the internal id: the event type and eight
// Crockford base-32 characters of a 64-bit FNV-1a hash of the case id, "MAS-7K3F-9Q2D". Stable (the id
// never changes), derivable on any device offline, no server needed. docs/reports.md has vectors.
std::string CaseReference(EventType type, std::string_view case_id);

// Text split into paragraphs (separated by blank lines); each keeps its single line breaks as lines.
std::vector<std::vector<std::string>> ReportParagraphs(std::string_view text);

// "A.B." from "A.B.", "Alys Bevan" or "alys ap bevan" (first letter of each word, capitals).
std::string SubjectInitials(std::string_view name_or_initials);

// ---- fixed strings: one table keyed by id, their text in both languages in the label catalogue ------------

enum class RS : std::uint16_t {
  kMarking, kPage, kPageOf, kChild, kEvent, kCaseReference, kSubject, kArea, kLeadAgency, kConvening,
  kFacilitators, kVenue, kConflictCount1, kConflictCountN, kConflictWord, kAlsoValue, kSetBy, kUnknown,
  kNotSet, kAttendanceNotRecorded, kAgency, kRole, kName, kStatus, kReason, kDidNotRespond, kNoReason,
  kReasonGiven, kNoActions, kNo, kAction, kOwner, kDue, kNotRecorded, kOtherNotes, kNoneRecorded,
  kConflictsHeading, kConflictsIntro, kDateTime, kSource, kSignificantEvent, kActionTaken, kAnalysis,
  kFeedbackTitle, kFeedbackIntro, kFeedbackForm, kParticipant, kDateOfSupervision, kNotAnswered, kYes,
  kNoAnswer, kNoFeedback, kSignatureHeading, kSignature, kNamePrinted, kDate, kFacilitator,
  kMas1, kMas2, kMasAllAttended, kMasMissing, kMas3, kNoNotes, kMas4, kActionsAgreed, kMas5, kMasReturn,
  kMasReturnBy, kDateReturnedToBu, kNotYetRecorded, kChronologyAnnex, kMapfEventDate, kParticipants,
  kMapfMissing, kLearning, kNoLearning, kFacilitatorComments, kTimeline, kActionPlan, kMapfAgreement,
  kComments, kDateLabel, kNextReview, kNotAgreed, kApologies, kDistribution, kMapmDistribution,
  kMinutesSent, kTitleMas, kTitleMapf, kTitleMapm, kFeedbackOnly, kRecipients, kRecipient, kSent,
  kNotYetSent, kReportDate, kAt,
  kTime, kChair, kMinuteTaker, kMapmFamily, kFamilyAwareness, kInformsFamily, kMinutesToFamily,
  kReviews, kReviewHeld, kNextReviewAgreed, kReviewNote, kNoReviews, kLateReview,
  // issue 16: the processes around the event (casepack/process.h)
  kMasProcess, kReferralReason, kStuckKind, kReferralDetail, kNotReferred, kRationale, kPapers, kPaperMissing,
  kSummaryWriter, kReportedBack, kNotReportedBack, kReferralRoute, kPlanningGroup, kAgencyKind, kCoOpted,
  kAgreed, kNotYetAgreed, kMissingAgencies, kAgreement, kRecommendation, kIntendedOutcome, kMeasure,
  kProgress, kTargetDate, kAllAgenciesAgreed,
  // CPR and APR (001), the chronology's header (001 Appendix 1)
  kTitleCpr, kTitleApr, kAdult, kReviewProcess, kPanelChairAgency, kReportDue, kTheReview, kReviewersComments,
  kChronologySubject, kPeriodCovered, kCompletedBy, kVersion, kCount
};

// A fixed string's text in `lang`, from the label catalogue (casepack/labels.h); its catalogue key,
// "report.marking".
std::string_view ReportString(RS id, Language lang = Language::kEnglish);
std::string ReportStringKey(RS id);

}  // namespace casepack
