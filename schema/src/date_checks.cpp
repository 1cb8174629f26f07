#include "casepack/date_checks.h"

#include <string_view>

namespace casepack {

namespace {

struct Order {
  EventType type;
  std::string_view later, earlier, why;
};

// Each pair: `later` cannot be before `earlier` (the same day is possible).
constexpr Order kOrders[] = {
    {EventType::kMas, keydate::kMasEventBooked, keydate::kMasReferralConference, "the event is booked after the conference that agreed it"},
    {EventType::kMas, keydate::kMasEvent, keydate::kMasReferralConference, "the event follows the conference that agreed it"},
    {EventType::kMas, keydate::kMasSummaryReportSent, keydate::kMasEvent, "the Summary Report is written after the event"},
    {EventType::kMapf, keydate::kMapfEvent, keydate::kMapfReferralAgreed, "the event follows its agreement"},
    {EventType::kMapf, keydate::kMapfReportSent, keydate::kMapfEvent, "the report follows the event"},
    {EventType::kMapf, keydate::kMapfChairApproved, keydate::kMapfReferralAgreed, "the Chair approves what the Sub-Group recommended"},
    {EventType::kMapf, keydate::kMapfEvent, keydate::kMapfChairApproved, "the event follows the Chair's approval"},
    {EventType::kMapf, keydate::kMapfLogAgreed, keydate::kMapfEvent, "the LOG agrees the report of the event"},
    {EventType::kMapf, keydate::kMapfLogMonitored, keydate::kMapfLogAgreed, "the LOG monitors the plan it agreed"},
    {EventType::kMas, keydate::kMasFacilitatorsDebrief, keydate::kMasEvent, "the facilitators debrief after the event"},
    {EventType::kMapm, keydate::kMapmMinutesSent, keydate::kMapmMeeting, "minutes are sent after the meeting"},
    {EventType::kMapm, keydate::kMapmLastActionPlanReview, keydate::kMapmMeeting, "the action plan is reviewed after the meeting"},
    {EventType::kMapm, keydate::kMapmNextReview, keydate::kMapmMeeting, "the next review follows the meeting"},
    // CPR and APR (an APR follows the CPR's process: ProcessOf).
    {EventType::kCpr, keydate::kPrSubGroupRecommended, keydate::kPrReferral, "the Sub-Group considers the referral"},
    {EventType::kCpr, keydate::kPrChairDecided, keydate::kPrSubGroupRecommended, "the Chair decides on the Sub-Group's recommendation"},
    {EventType::kCpr, keydate::kPrFirstPanel, keydate::kPrReferral, "the panel meets after the referral"},
    {EventType::kCpr, keydate::kPrEvent, keydate::kPrReferral, "the learning event follows the referral"},
    {EventType::kCpr, keydate::kPrDraftReport, keydate::kPrEvent, "the draft report follows the learning event"},
    {EventType::kCpr, keydate::kPrBoardPresented, keydate::kPrEvent, "the final report follows the learning event"},
    {EventType::kCpr, keydate::kPrPublished, keydate::kPrBoardPresented, "the report is published after the Board has it"},
};

}  // namespace

Status CheckKeyDatesPlausible(const Case& c, const Date& today, const std::set<std::string>& changed) {
  const Date limit = AddMonths(today, 12 * kMaxYearsAhead);
  for (const auto& key : changed) {
    const auto d = c.KeyDate(key);
    if (d && *d > limit)
      return MakeError(ErrorCode::kInvalidArgument,
                       key + " " + FormatDate(*d) + " is more than " + std::to_string(kMaxYearsAhead) + " years after today (" +
                           FormatDate(today) + "): no step is planned that far ahead, and deadlines and the purge date would move with it",
                       "check the year; nothing was changed");
  }
  for (const Order& o : kOrders) {
    if (o.type != ProcessOf(c.event_type) || (!changed.count(std::string(o.later)) && !changed.count(std::string(o.earlier)))) continue;
    const auto later = c.KeyDate(o.later), earlier = c.KeyDate(o.earlier);
    if (later && earlier && *later < *earlier)
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(o.later) + " " + FormatDate(*later) + " is before " + std::string(o.earlier) + " " +
                           FormatDate(*earlier) + ": " + std::string(o.why),
                       "check both dates ('casepack case show CASE'); nothing was changed");
  }
  return Ok();
}

}  // namespace casepack
