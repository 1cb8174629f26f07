#include "casepack/retention_policy.h"

#include <algorithm>

#include "json_reader.h"

namespace casepack {

using internal::JsonError;
using internal::ObjectReader;
using nlohmann::json;

namespace {
constexpr int kMaxDays = 3650;

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidArgument, std::move(message)); }
}  // namespace

RetentionPolicy DefaultRetentionPolicy(EventType t) {
  switch (t) {
    case EventType::kMas:
      return {t,
              {{std::string(keydate::kMasSummaryReportSent), 90},
               {std::string(keydate::kMasEvent), 120},
               {std::string(keydate::kMasReferralConference), 180}}};
    case EventType::kMapf:
      return {t,
              {{std::string(keydate::kMapfReportSent), 90},
               {std::string(keydate::kMapfEvent), 180},
               {std::string(keydate::kMapfReferralAgreed), 365}}};
    case EventType::kMapm:
      return {t,
              {{std::string(keydate::kMapmLastActionPlanReview), 120},
               {std::string(keydate::kMapmMinutesSent), 120},
               {std::string(keydate::kMapmMeeting), 150}}};
    case EventType::kCpr:
    case EventType::kApr:
      return {t,
              {{std::string(keydate::kPrPublished), 90},
               {std::string(keydate::kPrBoardPresented), 180},
               {std::string(keydate::kPrReferral), 365}}};
  }
  std::abort();
}

std::vector<RetentionPolicy> DefaultRetentionPolicies() {
  std::vector<RetentionPolicy> out;
  for (EventType t : AllEventTypes()) out.push_back(DefaultRetentionPolicy(t));
  return out;
}

Status ValidateRetentionPolicy(const RetentionPolicy& p) {
  const std::string type(ToString(p.event_type));
  if (p.rules.empty()) return Invalid("retention policy for " + type + " has no rules");
  for (const auto& r : p.rules) {
    auto found = FindKeyDate(p.event_type, r.after);
    if (!found.ok()) return Invalid("retention policy: " + found.error().message);
    if (r.days < 0 || r.days > kMaxDays) {
      return Invalid("retention policy for " + type + ": days after " + r.after + " must be 0.." +
                     std::to_string(kMaxDays));
    }
  }
  return Ok();
}

Result<RetentionDeadline> ComputeRetentionDeadline(const Case& c, const RetentionPolicy& p) {
  if (p.event_type != c.event_type) {
    return Invalid("retention policy for " + std::string(ToString(p.event_type)) + " applied to a " +
                   std::string(ToString(c.event_type)) + " case");
  }
  CP_RETURN_IF_ERROR(ValidateRetentionPolicy(p));
  std::string wanted;
  for (const auto& r : p.rules) {
    if (auto anchor = c.KeyDate(r.after)) {
      return RetentionDeadline{AddDays(*anchor, r.days), r.after, *anchor, r.days};
    }
    wanted += (wanted.empty() ? "" : ", ") + r.after;
  }
  return MakeError(ErrorCode::kNotFound, "case " + c.id + " has no key date the retention policy counts from",
                   "record one of: " + wanted);
}

bool IsPurgeDue(const Case& c, const RetentionPolicy& p, const Date& today) {
  if (c.legal_hold) return false;
  auto d = ComputeRetentionDeadline(c, p);
  return d.ok() && today >= d->purge_on;
}

json ToJson(const RetentionPolicy& p) {
  json rules = json::array();
  for (const auto& r : p.rules) rules.push_back({{"after", r.after}, {"days", r.days}});
  return {{"event_type", ToString(p.event_type)}, {"rules", std::move(rules)}};
}

json ToJson(const RetentionDeadline& d) {
  return {{"purge_on", FormatDate(d.purge_on)}, {"after", d.rule_after}, {"anchor", FormatDate(d.anchor)},
          {"days", d.days}};
}

namespace {
Result<RetentionRule> RuleFromJson(const json& j) {
  ObjectReader r(j);
  CP_RETURN_IF_ERROR(r.CheckObject());
  RetentionRule rule;
  CP_RETURN_IF_ERROR(r.String("after", &rule.after));
  CP_RETURN_IF_ERROR(r.Int("days", &rule.days));
  CP_RETURN_IF_ERROR(r.Finish());
  return rule;
}
}  // namespace

template <>
Result<RetentionPolicy> FromJson<RetentionPolicy>(const json& j) {
  auto body = [&]() -> Result<RetentionPolicy> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    RetentionPolicy p;
    CP_RETURN_IF_ERROR(r.Enum<EventType>("event_type", &p.event_type, &ParseEventType));
    const json* rules = r.Get("rules");
    if (!rules) return JsonError("rules", "missing");
    if (!rules->is_array()) return JsonError("rules", "expected an array");
    for (std::size_t i = 0; i < rules->size(); ++i) {
      auto rule = RuleFromJson((*rules)[i]);
      if (!rule.ok()) return rule.error().Context("rules[" + std::to_string(i) + "]");
      p.rules.push_back(std::move(rule).value());
    }
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateRetentionPolicy(p));
    return p;
  };
  auto result = body();
  if (!result.ok()) return result.error().Context("retention policy");
  return result;
}

json RetentionPoliciesToJson(const std::vector<RetentionPolicy>& policies) {
  json list = json::array();
  for (const auto& p : policies) list.push_back(ToJson(p));
  return {{"policies", std::move(list)}};
}

Result<std::vector<RetentionPolicy>> RetentionPoliciesFromJson(const json& j) {
  ObjectReader r(j);
  CP_RETURN_IF_ERROR(r.CheckObject());
  std::vector<RetentionPolicy> given;
  CP_RETURN_IF_ERROR(r.Array<RetentionPolicy>("policies", &given, true));
  CP_RETURN_IF_ERROR(r.Finish());
  std::vector<RetentionPolicy> out = DefaultRetentionPolicies();
  std::vector<EventType> seen;
  for (auto& p : given) {
    if (std::find(seen.begin(), seen.end(), p.event_type) != seen.end()) {
      return Invalid("retention policies: more than one policy for " + std::string(ToString(p.event_type)));
    }
    seen.push_back(p.event_type);
    for (auto& d : out) {
      if (d.event_type == p.event_type) d = std::move(p);
    }
  }
  return out;
}

}  // namespace casepack
