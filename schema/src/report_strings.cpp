// Every fixed string of the reports, keyed by id (report_layout.h): the id's catalogue key here, the text in
// both languages in the label catalogue (schema/data/labels.json, "report.<key>").
#include <array>
#include <cstdlib>

#include "casepack/labels.h"
#include "casepack/report_layout.h"

namespace casepack {

namespace {

struct Entry {
  RS id;
  std::string_view key;
};

constexpr Entry kKeys[] = {
    {RS::kMarking, "marking"},
    {RS::kPage, "page"},
    {RS::kPageOf, "page-of"},
    {RS::kChild, "child"},
    {RS::kEvent, "event"},
    {RS::kCaseReference, "case-reference"},
    {RS::kSubject, "subject"},
    {RS::kArea, "area"},
    {RS::kLeadAgency, "lead-agency"},
    {RS::kConvening, "convening"},
    {RS::kFacilitators, "facilitators"},
    {RS::kVenue, "venue"},
    {RS::kConflictCount1, "conflict-count-1"},
    {RS::kConflictCountN, "conflict-count-n"},
    {RS::kConflictWord, "conflict-word"},
    {RS::kAlsoValue, "also"},
    {RS::kSetBy, "set-by"},
    {RS::kUnknown, "unknown"},
    {RS::kNotSet, "not-set"},
    {RS::kAttendanceNotRecorded, "attendance-not-recorded"},
    {RS::kAgency, "agency"},
    {RS::kRole, "role"},
    {RS::kName, "name"},
    {RS::kStatus, "status"},
    {RS::kReason, "reason"},
    {RS::kDidNotRespond, "did-not-respond"},
    {RS::kNoReason, "no-reason"},
    {RS::kReasonGiven, "reason-given"},
    {RS::kNoActions, "no-actions"},
    {RS::kNo, "no"},
    {RS::kAction, "action"},
    {RS::kOwner, "owner"},
    {RS::kDue, "due"},
    {RS::kNotRecorded, "not-recorded"},
    {RS::kOtherNotes, "other-notes"},
    {RS::kNoneRecorded, "none-recorded"},
    {RS::kConflictsHeading, "conflicts-heading"},
    {RS::kConflictsIntro, "conflicts-intro"},
    {RS::kDateTime, "date-time"},
    {RS::kSource, "source"},
    {RS::kSignificantEvent, "significant-event"},
    {RS::kActionTaken, "action-taken"},
    {RS::kAnalysis, "analysis"},
    {RS::kFeedbackTitle, "feedback-title"},
    {RS::kFeedbackIntro, "feedback-intro"},
    {RS::kFeedbackForm, "feedback-form"},
    {RS::kParticipant, "participant"},
    {RS::kDateOfSupervision, "date-of-supervision"},
    {RS::kNotAnswered, "not-answered"},
    {RS::kYes, "yes"},
    {RS::kNoAnswer, "no-answer"},
    {RS::kNoFeedback, "no-feedback"},
    {RS::kSignatureHeading, "signature-heading"},
    {RS::kSignature, "signature"},
    {RS::kNamePrinted, "name-printed"},
    {RS::kDate, "date"},
    {RS::kFacilitator, "facilitator"},
    {RS::kMas1, "mas-1"},
    {RS::kMas2, "mas-2"},
    {RS::kMasAllAttended, "mas-all-attended"},
    {RS::kMasMissing, "mas-missing"},
    {RS::kMas3, "mas-3"},
    {RS::kNoNotes, "no-notes"},
    {RS::kMas4, "mas-4"},
    {RS::kActionsAgreed, "actions-agreed"},
    {RS::kMas5, "mas-5"},
    {RS::kMasReturn, "mas-return"},
    {RS::kMasReturnBy, "mas-return-by"},
    {RS::kDateReturnedToBu, "date-returned-to-bu"},
    {RS::kNotYetRecorded, "not-yet-recorded"},
    {RS::kChronologyAnnex, "chronology-annex"},
    {RS::kMapfEventDate, "mapf-event-date"},
    {RS::kParticipants, "participants"},
    {RS::kMapfMissing, "mapf-missing"},
    {RS::kLearning, "learning"},
    {RS::kNoLearning, "no-learning"},
    {RS::kFacilitatorComments, "facilitator-comments"},
    {RS::kTimeline, "timeline"},
    {RS::kActionPlan, "action-plan"},
    {RS::kMapfAgreement, "mapf-agreement"},
    {RS::kComments, "comments"},
    {RS::kDateLabel, "date-label"},
    {RS::kNextReview, "next-review"},
    {RS::kNotAgreed, "not-agreed"},
    {RS::kApologies, "apologies"},
    {RS::kDistribution, "distribution"},
    {RS::kMapmDistribution, "mapm-distribution"},
    {RS::kMinutesSent, "minutes-sent"},
    {RS::kTitleMas, "title-mas"},
    {RS::kTitleMapf, "title-mapf"},
    {RS::kTitleMapm, "title-mapm"},
    {RS::kFeedbackOnly, "feedback-only"},
    {RS::kRecipients, "recipients"},
    {RS::kRecipient, "recipient"},
    {RS::kSent, "sent"},
    {RS::kNotYetSent, "not-yet-sent"},
    {RS::kReportDate, "report-date"},
    {RS::kAt, "at"},
    {RS::kTime, "time"},
    {RS::kChair, "chair"},
    {RS::kMinuteTaker, "minute-taker"},
    {RS::kMapmFamily, "mapm-family"},
    {RS::kFamilyAwareness, "family-awareness"},
    {RS::kInformsFamily, "informs-family"},
    {RS::kMinutesToFamily, "minutes-to-family"},
    {RS::kReviews, "reviews"},
    {RS::kReviewHeld, "review-held"},
    {RS::kNextReviewAgreed, "next-review-agreed"},
    {RS::kReviewNote, "review-note"},
    {RS::kNoReviews, "no-reviews"},
    {RS::kLateReview, "late-review"},
    {RS::kMasProcess, "mas-process"},
    {RS::kReferralReason, "referral-reason"},
    {RS::kStuckKind, "stuck-kind"},
    {RS::kReferralDetail, "referral-detail"},
    {RS::kNotReferred, "not-referred"},
    {RS::kRationale, "rationale"},
    {RS::kPapers, "papers"},
    {RS::kPaperMissing, "paper-missing"},
    {RS::kSummaryWriter, "summary-writer"},
    {RS::kReportedBack, "reported-back"},
    {RS::kNotReportedBack, "not-reported-back"},
    {RS::kReferralRoute, "referral-route"},
    {RS::kPlanningGroup, "planning-group"},
    {RS::kAgencyKind, "agency-kind"},
    {RS::kCoOpted, "co-opted"},
    {RS::kAgreed, "agreed"},
    {RS::kNotYetAgreed, "not-yet-agreed"},
    {RS::kMissingAgencies, "missing-agencies"},
    {RS::kAgreement, "agreement"},
    {RS::kRecommendation, "recommendation"},
    {RS::kIntendedOutcome, "intended-outcome"},
    {RS::kMeasure, "measure"},
    {RS::kProgress, "progress"},
    {RS::kTargetDate, "target-date"},
    {RS::kAllAgenciesAgreed, "all-agencies-agreed"},
    {RS::kTitleCpr, "title-cpr"},
    {RS::kTitleApr, "title-apr"},
    {RS::kAdult, "adult"},
    {RS::kReviewProcess, "review-process"},
    {RS::kPanelChairAgency, "panel-chair-agency"},
    {RS::kReportDue, "report-due"},
    {RS::kTheReview, "the-review"},
    {RS::kReviewersComments, "reviewers-comments"},
    {RS::kChronologySubject, "chronology-subject"},
    {RS::kPeriodCovered, "period-covered"},
    {RS::kCompletedBy, "completed-by"},
    {RS::kVersion, "version"},
};

// Index by id, checked once: every id has exactly one entry, in order.
constexpr bool TableComplete() {
  if (std::size(kKeys) != static_cast<std::size_t>(RS::kCount)) return false;
  for (std::size_t i = 0; i < std::size(kKeys); ++i)
    if (static_cast<std::size_t>(kKeys[i].id) != i || kKeys[i].key.empty()) return false;
  return true;
}
static_assert(TableComplete(), "report string table: one entry per RS id, in the enum's order");

}  // namespace

std::string ReportStringKey(RS id) {
  const auto i = static_cast<std::size_t>(id);
  if (i >= std::size(kKeys)) std::abort();
  return "report." + std::string(kKeys[i].key);
}

std::string_view ReportString(RS id, Language lang) { return LabelCatalogue::Embedded().Get(ReportStringKey(id), lang); }

}  // namespace casepack
