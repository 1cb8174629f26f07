// Retention: when a case's content must be purged (003 §4.10: facilitators and the Business Unit keep
// nothing but basics such as name and area after the review period). A policy is data, one per event
// type: an ordered list of rules "N days after key date K"; the first rule whose key date the case has
// recorded decides. So MAS reads "90 days after the Summary Report is sent, or, if no report is
// recorded, 120 days after the event, or, failing that, 180 days after the referral conference".
// Defaults and their reasoning: docs/domain.md. Pure functions; the purge itself is the client's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/result.h"

namespace casepack {

struct RetentionRule {
  std::string after;  // a key date of the policy's event type, e.g. "summary-report-sent"
  int days = 0;       // 0..3650
  friend bool operator==(const RetentionRule&, const RetentionRule&) = default;
};

struct RetentionPolicy {
  EventType event_type = EventType::kMas;
  std::vector<RetentionRule> rules;  // first applicable wins; at least one
  friend bool operator==(const RetentionPolicy&, const RetentionPolicy&) = default;
};

// One policy per event type, in AllEventTypes() order.
std::vector<RetentionPolicy> DefaultRetentionPolicies();
RetentionPolicy DefaultRetentionPolicy(EventType t);

// At least one rule; every `after` a key date of the event type; days within 0..3650.
Status ValidateRetentionPolicy(const RetentionPolicy& p);

struct RetentionDeadline {
  Date purge_on;     // content is purged at the start of this day
  std::string rule_after;  // the key date the applied rule counts from
  Date anchor;       // that key date's value
  int days = 0;
};

// kInvalidArgument if the policy is for another event type or invalid; kNotFound if the case has none
// of the policy's key dates recorded (the message lists them, so the caller can ask for one).
// Legal hold is not considered here: see IsPurgeDue.
Result<RetentionDeadline> ComputeRetentionDeadline(const Case& c, const RetentionPolicy& p);

// True when the deadline exists, today >= purge_on, and the case is not under legal hold.
bool IsPurgeDue(const Case& c, const RetentionPolicy& p, const Date& today);

// {"event_type": "MAS", "rules": [{"after": "summary-report-sent", "days": 90}, …]}
nlohmann::json ToJson(const RetentionPolicy& p);
nlohmann::json ToJson(const RetentionDeadline& d);
template <> Result<RetentionPolicy> FromJson<RetentionPolicy>(const nlohmann::json& j);
// {"policies": [policy, …]}: at most one per event type; types not listed keep their default.
nlohmann::json RetentionPoliciesToJson(const std::vector<RetentionPolicy>& policies);
Result<std::vector<RetentionPolicy>> RetentionPoliciesFromJson(const nlohmann::json& j);

}  // namespace casepack
