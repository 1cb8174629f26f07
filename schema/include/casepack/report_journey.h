// The report's journey: who each event's report goes to (MAS 003 §4.9: the child's social worker, the
// conference chair and the Business Unit; MAPM 002 §7: every attendee; MAPF 000 §6: the agencies involved
// and the Local Operational Group), the date each copy was sent, and the step per recipient that
// `deadlines` shows (sent / due / overdue). Pure. docs/reports.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/timescales.h"

namespace casepack {

struct ReportRecipient {
  std::string key;   // stable and readable: "social-worker", "attendee:health-health-visitor", "log"
  std::string role;  // "social-worker" | "conference-chair" | "business-unit" | "attendee" | "agency" | "log"
  std::string name;  // as printed: "Child's social worker", "Health (Health visitor)"
  std::optional<Date> sent_on;
};

// Who the report of this event goes to, before anything is sent: MAS the three fixed recipients; MAPM
// each attendee who attended; MAPF each agency that took part (attended), then the LOG; CPR/APR the Case
// Review Sub-Group, the Safeguarding Board and Welsh Government (001 process). In that order.
std::vector<ReportRecipient> ExpectedReportRecipients(EventType type, const std::vector<Attendance>& attendance);

// Merges what was recorded as sent (`sent`: key, role, name, date) into the expected list; a recorded
// recipient no longer expected (an attendee since removed) is kept, at the end.
std::vector<ReportRecipient> MergeReportRecipients(std::vector<ReportRecipient> expected,
                                                   const std::vector<ReportRecipient>& sent);

// "attendee:" + a slug of the name: lower case ASCII letters and digits, '-' between words.
std::string RecipientKey(std::string_view role, std::string_view name);

// One step per recipient ("report-to:<key>"), due when the event type's report step is (MAS: 2 weeks after
// the event; MAPM: 5 working days after the meeting; CPR/APR: 6 months after the referral; MAPF: no limit, so
// due with no date until sent).
std::vector<TimescaleStep> RecipientSteps(const CaseTimescales& t, const std::vector<ReportRecipient>& recipients);

nlohmann::json ToJson(const ReportRecipient& r);

}  // namespace casepack
