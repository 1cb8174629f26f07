#include "casepack/case_order.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "casepack/collation.h"
#include "casepack/timescales.h"

namespace casepack {

Result<CaseOrder> ParseCaseOrder(std::string_view s) {
  if (s == "subject") return CaseOrder::kSubject;
  if (s == "deadline") return CaseOrder::kDeadline;
  return MakeError(ErrorCode::kInvalidArgument, "unknown order '" + std::string(s) + "'", "use subject or deadline");
}

std::optional<Date> NextDeadline(const CaseSummary& c, const Date& today) {
  if (c.status != CaseStatus::kOpen) return std::nullopt;
  std::optional<Date> next;
  for (const TimescaleStep& step : ComputeTimescales(c.AsCase(), today).steps) {
    if (step.state == StepState::kDone || !step.due) continue;
    if (!next || *step.due < *next) next = step.due;
  }
  return next;
}

void SortCases(std::vector<CaseSummary>& cases, CaseOrder order, Language lang, const Date& today) {
  const NameCollator collator(lang);
  struct Keyed {
    CaseSummary summary;
    std::int64_t deadline;  // day number; cases without one last
  };
  std::vector<Keyed> keyed;
  keyed.reserve(cases.size());
  for (auto& c : cases) {
    const auto next = NextDeadline(c, today);
    keyed.push_back({std::move(c), next ? next->ToDayNumber() : INT64_MAX});
  }
  auto by_subject = [&](const Keyed& a, const Keyed& b) {
    return collator.Compare(a.summary.subject.name_or_initials, b.summary.subject.name_or_initials);
  };
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    const int subject = by_subject(a, b);
    if (order == CaseOrder::kSubject && subject != 0) return subject < 0;
    if (a.deadline != b.deadline) return a.deadline < b.deadline;
    if (subject != 0) return subject < 0;
    return a.summary.id < b.summary.id;
  });
  cases.clear();
  for (auto& k : keyed) cases.push_back(std::move(k.summary));
}

}  // namespace casepack
