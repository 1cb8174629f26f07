// Every fixed string of the reports, keyed by id (report_layout.h). The Welsh table goes beside this one.
#include <array>
#include <cstdlib>

#include "casepack/report_layout.h"

namespace casepack {

namespace {

struct Entry {
  RS id;
  std::string_view en;
};

constexpr Entry kEnglish[] = {
    {RS::kMarking, "OFFICIAL-SENSITIVE"},
    {RS::kPage, "Page"},
    {RS::kPageOf, "of"},
    {RS::kChild, "Child"},
    {RS::kEvent, "event"},
    {RS::kCaseReference, "Case reference"},
    {RS::kSubject, "Child"},
    {RS::kArea, "Local authority area"},
    {RS::kLeadAgency, "Lead agency"},
    {RS::kConvening, "Convening agency"},
    {RS::kFacilitators, "Facilitators"},
    {RS::kVenue, "Venue"},
    {RS::kConflictCount1, " value has concurrent edits that nobody has resolved yet; it is marked where it occurs with every value and who set it."},
    {RS::kConflictCountN, " values have concurrent edits that nobody has resolved yet; each is marked where it occurs with every value and who set it."},
    {RS::kConflictWord, "\u26A0 conflict: "},
    {RS::kAlsoValue, "also"},
    {RS::kSetBy, "set by"},
    {RS::kUnknown, "unknown"},
    {RS::kNotSet, "not set"},
    {RS::kAttendanceNotRecorded, "Attendance not recorded."},
    {RS::kAgency, "Agency"},
    {RS::kRole, "Role"},
    {RS::kName, "Name"},
    {RS::kStatus, "Status"},
    {RS::kReason, "Reason"},
    {RS::kDidNotRespond, "did not respond"},
    {RS::kNoReason, "no reason given"},
    {RS::kReasonGiven, "reason given: "},
    {RS::kNoActions, "No actions recorded."},
    {RS::kNo, "No."},
    {RS::kAction, "Action"},
    {RS::kOwner, "Owner"},
    {RS::kDue, "Due"},
    {RS::kNotRecorded, "Not recorded."},
    {RS::kOtherNotes, "Other notes"},
    {RS::kNoneRecorded, "None recorded."},
    {RS::kConflictsHeading, "Unresolved conflicts"},
    {RS::kConflictsIntro, "These fields hold concurrent values from different people; the first is the one used above, where each is also marked."},
    {RS::kDateTime, "Date & Time"},
    {RS::kSource, "Source"},
    {RS::kSignificantEvent, "Significant Event"},
    {RS::kActionTaken, "Action Taken"},
    {RS::kAnalysis, "Analysis"},
    {RS::kFeedbackTitle, "Multi-Agency Supervision (MAS): Participant Feedback"},
    {RS::kFeedbackIntro, "Participants' feedback on the MAS event (Appendix 2), for the Safeguarding Board Business Unit only. It is not part of the Summary Report and is not placed on the child's file."},
    {RS::kFeedbackForm, "Form"},
    {RS::kParticipant, "participant"},
    {RS::kDateOfSupervision, "Date of supervision"},
    {RS::kNotAnswered, "Not answered"},
    {RS::kYes, "Yes"},
    {RS::kNoAnswer, "No"},
    {RS::kNoFeedback, "No feedback forms recorded."},
    {RS::kSignatureHeading, "Signatures"},
    {RS::kSignature, "Signature"},
    {RS::kNamePrinted, "Name (print)"},
    {RS::kDate, "Date"},
    {RS::kFacilitator, "Facilitator"},
    {RS::kMas1, "1. Date of MAS event"},
    {RS::kMas2, "2. Did all relevant workers attend?"},
    {RS::kMasAllAttended, "Yes."},
    {RS::kMasMissing, "No. Agencies missing, with the reason given:"},
    {RS::kMas3, "3. Record of discussion"},
    {RS::kNoNotes, "No notes recorded."},
    {RS::kMas4, "4. Facilitator's comments / observations"},
    {RS::kActionsAgreed, "Actions agreed"},
    {RS::kMas5, "5. Return of this report"},
    {RS::kMasReturn, "Please return this report to the child's Social Worker, the Child Protection Conference chair and the Safeguarding Board Business Unit 2 weeks from the date of the Multi-Agency Supervision event"},
    {RS::kMasReturnBy, ": by "},
    {RS::kDateReturnedToBu, "Date returned to Business Unit"},
    {RS::kNotYetRecorded, "not yet recorded"},
    {RS::kChronologyAnnex, "Annex: chronology"},
    {RS::kMapfEventDate, "Date of learning event"},
    {RS::kParticipants, "Participants"},
    {RS::kMapfMissing, "Agencies invited but not present, with the reason given:"},
    {RS::kLearning, "Learning"},
    {RS::kNoLearning, "No learning recorded."},
    {RS::kFacilitatorComments, "Facilitator's comments"},
    {RS::kTimeline, "Merged multi-agency timeline"},
    {RS::kActionPlan, "Action plan"},
    {RS::kMapfAgreement, "The report and action plan must be agreed first by all agencies involved and then by the Local Operational Group, which holds responsibility for implementing the action plan (MAPF guidance §6)."},
    {RS::kComments, "Comments"},
    {RS::kDateLabel, "Date"},
    {RS::kNextReview, "Next review"},
    {RS::kNotAgreed, "not agreed"},
    {RS::kApologies, "Apologies and absences:"},
    {RS::kDistribution, "Distribution"},
    {RS::kMapmDistribution, "Minutes and actions arising to be distributed to all attendees, and where appropriate the family, within 5 working days"},
    {RS::kMinutesSent, "Minutes sent"},
    {RS::kTitleMas, "Multi-Agency Supervision (MAS): Facilitator's Summary of MAS Event"},
    {RS::kTitleMapf, "Multi-Agency Professional Forum (MAPF): Learning Report and Action Plan"},
    {RS::kTitleMapm, "Multi-Agency Professionals' Meeting (MAPM): Minutes"},
    {RS::kFeedbackOnly, "Participant feedback is recorded only for Multi-Agency Supervision events."},
    {RS::kRecipients, "Sent to"},
    {RS::kRecipient, "Recipient"},
    {RS::kSent, "Sent"},
    {RS::kNotYetSent, "not yet sent"},
    {RS::kReportDate, "Date of this report"},
};

// Index by id, checked once: every id has exactly one entry, in order.
constexpr bool TableComplete() {
  if (std::size(kEnglish) != static_cast<std::size_t>(RS::kCount)) return false;
  for (std::size_t i = 0; i < std::size(kEnglish); ++i)
    if (static_cast<std::size_t>(kEnglish[i].id) != i || kEnglish[i].en.empty()) return false;
  return true;
}
static_assert(TableComplete(), "report string table: one entry per RS id, in the enum's order");

}  // namespace

std::string_view ReportString(RS id) {
  const auto i = static_cast<std::size_t>(id);
  if (i >= std::size(kEnglish)) std::abort();
  return kEnglish[i].en;
}

}  // namespace casepack
