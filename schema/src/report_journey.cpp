#include "casepack/report_journey.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "casepack/report_layout.h"

namespace casepack {

std::string RecipientKey(std::string_view role, std::string_view name) {
  std::string slug;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? std::string(role) : std::string(role) + ":" + slug;
}

std::vector<ReportRecipient> ExpectedReportRecipients(EventType type, const std::vector<Attendance>& attendance) {
  std::vector<ReportRecipient> out;
  switch (type) {
    case EventType::kMas:
      out.push_back({"social-worker", "social-worker", "Child's social worker", {}});
      out.push_back({"conference-chair", "conference-chair", "Child protection conference chair", {}});
      out.push_back({"business-unit", "business-unit", "Safeguarding Board Business Unit", {}});
      break;
    case EventType::kMapm:
      for (const auto& a : attendance) {
        if (a.status != AttendanceStatus::kAttended) continue;
        const std::string name = a.agency + (a.role.empty() ? "" : " (" + a.role + ")") + (a.name.empty() ? "" : ", " + a.name);
        out.push_back({RecipientKey("attendee", name), "attendee", name, {}});
      }
      break;
    case EventType::kMapf: {
      std::set<std::string> seen;
      for (const auto& a : attendance) {
        if (a.status != AttendanceStatus::kAttended || !seen.insert(a.agency).second) continue;
        out.push_back({RecipientKey("agency", a.agency), "agency", a.agency, {}});
      }
      out.push_back({"log", "log", "Local Operational Group", {}});
      break;
    }
    case EventType::kCpr:
    case EventType::kApr:
      // 001 process: the draft to the Sub-Group, the final report to the Board, then Welsh Government.
      out.push_back({"sub-group", "sub-group", "Case Review Sub-Group", {}});
      out.push_back({"board", "board", "Safeguarding Board", {}});
      out.push_back({"welsh-government", "welsh-government", "Welsh Government", {}});
      break;
  }
  return out;
}

std::vector<ReportRecipient> MergeReportRecipients(std::vector<ReportRecipient> expected,
                                                   const std::vector<ReportRecipient>& sent) {
  for (const auto& s : sent) {
    auto it = std::find_if(expected.begin(), expected.end(), [&](const ReportRecipient& e) { return e.key == s.key; });
    if (it == expected.end()) {
      expected.push_back(s);
    } else if (s.sent_on) {
      it->sent_on = s.sent_on;
    }
  }
  return expected;
}

std::vector<TimescaleStep> RecipientSteps(const CaseTimescales& t, const std::vector<ReportRecipient>& recipients) {
  std::optional<Date> due;
  std::string rule = "no time limit in the guidance";
  std::string source = "000 §6";
  for (const auto& s : t.steps) {
    if (s.key == "summary-report" || s.key == "minutes-sent" || s.key == "review-report") {
      due = s.due;
      rule = s.rule;
      source = s.source;
    }
  }
  std::vector<TimescaleStep> out;
  for (const auto& r : recipients) {
    TimescaleStep step;
    step.key = "report-to:" + r.key;
    step.title = "Report to " + r.name;
    step.recipient = r.name;
    step.rule = rule;
    step.source = source;
    step.due = due;
    if (r.sent_on) {
      step.state = StepState::kDone;
      step.done_on = r.sent_on;
      step.late = due && *r.sent_on > *due;
    } else if (!due) {
      step.state = t.event_type == EventType::kMapf ? StepState::kDue : StepState::kWaiting;
    } else {
      step.state = t.today > *due ? StepState::kOverdue : StepState::kDue;
    }
    out.push_back(std::move(step));
  }
  return out;
}

nlohmann::json ToJson(const ReportRecipient& r) {
  return {{"key", r.key}, {"role", r.role}, {"name", r.name},
          {"sent_on", r.sent_on ? nlohmann::json(FormatDate(*r.sent_on)) : nlohmann::json(nullptr)}};
}

}  // namespace casepack
