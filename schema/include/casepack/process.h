// The guidance's processes around an event, beyond its key dates and notes (issue 16):
//   MAS  (003) — the referral's reason (§1.3, §4.2, §4.3) and, for a case past 15 months that is not
//        referred, the rationale; the four papers of §4.6 as a checklist derived from the documents added;
//        who writes the Summary Report (Appendix 1);
//   MAPF (000) — the planning group (§7): a member per agency, at least the Local Authority, the Health
//        Board and the Police, others co-opted; each member agency's agreement to the report and action
//        plan (§6), before the Local Operational Group's.
// Plain structs and pure functions, as domain.h: explicit JSON, strict FromJson, no operator<<.
// Stable machine keys (reasons, stuck-case kinds, agency kinds) are part of the stored format: only add.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/result.h"

namespace casepack {

// ---- MAS referral (003 §1.3, §4.2, §4.3) ----------------------------------------------------------------

enum class MasReferralReason {
  kFifteenMonths,  // "15-months": registration continued at the 4th conference / 3rd review
  kStuck,          // "stuck": an alternative case of §1.3
};
std::string_view ToString(MasReferralReason r);  // "15-months", "stuck"
Result<MasReferralReason> ParseMasReferralReason(std::string_view text);

// The §1.3 alternative ("stuck") cases, in the guidance's order; "other" for a case the list does not name
// ("this is not an exhaustive list").
std::span<const std::string_view> StuckCaseKinds();
Status CheckStuckCaseKind(std::string_view kind);  // kInvalidArgument listing the kinds

struct MasReferral {
  bool referred = true;          // false: a case past 15 months not referred (§1.3: rationale recorded)
  MasReferralReason reason = MasReferralReason::kFifteenMonths;
  std::string stuck_kind;        // a StuckCaseKinds() key; required when reason is kStuck
  std::string detail;            // optional: what makes it stuck (required for kind "other")
  std::string rationale;         // required when !referred (§1.3, §4.2: the conference's rationale)
  std::optional<Date> decided;   // the conference that decided (optional; the MAS key date is the referral's)
  friend bool operator==(const MasReferral&, const MasReferral&) = default;
};
Status ValidateMasReferral(const MasReferral& r);
nlohmann::json ToJson(const MasReferral& r);
template <> Result<MasReferral> FromJson<MasReferral>(const nlohmann::json& j);

// ---- MAS papers (003 §4.6) ------------------------------------------------------------------------------

// ICPC minutes, RCPC minutes, recent core group minutes, current Child Protection Plan.
std::span<const DocumentType> MasPaperTypes();
struct PaperCheck {
  DocumentType type = DocumentType::kOther;
  std::optional<Date> received;  // the earliest received date of a document of this type; none: missing
};
// One row per MasPaperTypes() entry, in that order.
std::vector<PaperCheck> MasPapersChecklist(const std::vector<DocumentMeta>& documents);
// The day the last of the four came in, when all are in; nullopt while any is missing.
std::optional<Date> MasPapersComplete(const std::vector<PaperCheck>& checklist);
nlohmann::json ToJson(const PaperCheck& p);

// ---- MAPF planning group (000 §7) and agreement (000 §6) ------------------------------------------------

// Agency kinds: the three every planning group must have, then those co-opted as required, and "other".
std::span<const std::string_view> AgencyKinds();
std::span<const std::string_view> RequiredAgencyKinds();  // local-authority, health-board, police
Status CheckAgencyKind(std::string_view kind);             // kInvalidArgument listing the kinds

struct PlanningMember {
  std::string id;
  std::string kind;     // an AgencyKinds() key
  std::string agency;   // as the agency names itself: "Powys Teaching Health Board"
  std::string name;     // the representative (optional)
  std::string role;     // optional
  bool co_opted = false;
  std::optional<Date> agreed;  // the agency agreed the report and action plan (000 §6)
};
Status ValidatePlanningMember(const PlanningMember& m);
nlohmann::json ToJson(const PlanningMember& m);
template <> Result<PlanningMember> FromJson<PlanningMember>(const nlohmann::json& j);
// The required kinds no member has, in RequiredAgencyKinds() order.
std::vector<std::string_view> MissingRequiredAgencies(const std::vector<PlanningMember>& group);
// Members whose agency has not yet agreed the report and action plan.
std::vector<const PlanningMember*> NotYetAgreed(const std::vector<PlanningMember>& group);

// ---- what a case records of its process -----------------------------------------------------------------

struct ProcessRecord {
  std::optional<MasReferral> mas_referral;
  std::string report_writer;                  // MAS: who completes the Summary Report (Appendix 1)
  std::vector<PaperCheck> papers;             // MAS: derived from the documents (empty for other types)
  std::vector<PlanningMember> planning_group; // MAPF
  [[nodiscard]] bool empty() const {
    return !mas_referral && report_writer.empty() && papers.empty() && planning_group.empty();
  }
};
nlohmann::json ToJson(const ProcessRecord& p);
template <> Result<ProcessRecord> FromJson<ProcessRecord>(const nlohmann::json& j);

// ---- actions reported back (003 §4.7) -------------------------------------------------------------------

// "line-managers", "core-group", "conference".
std::span<const std::string_view> ActionReportTargets();
Status CheckActionReportTarget(std::string_view to);

}  // namespace casepack
