#include "casepack/process.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "json_reader.h"

namespace casepack {

using internal::Named;
using internal::ObjectReader;
using nlohmann::json;

namespace {

Error Invalid(std::string message, std::string hint = {}) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(hint));
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// 003 §1.3, in its order.
constexpr std::array<std::string_view, 8> kStuckKinds = {
    "practitioners-stuck",       // core group practitioners feel 'stuck' as to how best to proceed
    "drift",                     // complex cases with evidence of drift
    "repeat-registration",       // a second (or multiple) period of registration
    "split-decisions",           // regular split decisions amongst core group practitioners
    "plan-not-coming-together",  // child protection planning is not coming together
    "difficult-family",          // difficult families to work with, to avoid de-sensitisation
    "second-review-no-progress", // at the second review, no significant progress
    "other",
};

// 000 §7: the three required, then those co-opted as required, then the Business Unit and "other".
constexpr std::array<std::string_view, 3> kRequiredAgencies = {"local-authority", "health-board", "police"};
constexpr std::array<std::string_view, 11> kAgencyKinds = {
    "local-authority", "health-board", "police",        "education",     "probation",     "housing",
    "fire-and-rescue", "cafcass",      "commissioning", "business-unit", "other"};

constexpr std::array<DocumentType, 4> kMasPapers = {DocumentType::kIcpcMinutes, DocumentType::kRcpcMinutes,
                                                    DocumentType::kCoreGroupMinutes, DocumentType::kChildProtectionPlan};

constexpr std::array<std::string_view, 3> kReportTargets = {"line-managers", "core-group", "conference"};

template <std::size_t N>
Status CheckKey(std::string_view what, std::string_view key, const std::array<std::string_view, N>& known) {
  if (std::find(known.begin(), known.end(), key) != known.end()) return Ok();
  std::string list;
  for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
  std::string shown(key.substr(0, 40));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return Invalid("unknown " + std::string(what) + " '" + shown + "'", "known: " + list);
}
}  // namespace

// ---- MAS referral ----

std::string_view ToString(MasReferralReason r) {
  return r == MasReferralReason::kStuck ? "stuck" : "15-months";
}

Result<MasReferralReason> ParseMasReferralReason(std::string_view text) {
  if (text == "15-months") return MasReferralReason::kFifteenMonths;
  if (text == "stuck") return MasReferralReason::kStuck;
  return Invalid("unknown referral reason '" + std::string(text.substr(0, 40)) + "'",
                 "known: 15-months (4th conference / 3rd review), stuck (003 §1.3)");
}

std::span<const std::string_view> StuckCaseKinds() { return kStuckKinds; }
Status CheckStuckCaseKind(std::string_view kind) { return CheckKey("kind of stuck case", kind, kStuckKinds); }

Status ValidateMasReferral(const MasReferral& r) {
  if (r.reason == MasReferralReason::kStuck) {
    if (r.stuck_kind.empty())
      return Invalid("a 'stuck' referral needs its kind (003 §1.3)", "give --kind; 'casepack referral --help' lists them");
    CP_RETURN_IF_ERROR(CheckStuckCaseKind(r.stuck_kind));
    if (r.stuck_kind == "other" && Blank(r.detail))
      return Invalid("a 'stuck' case of kind 'other' needs a description", "say what makes it stuck with --detail");
  } else if (!r.stuck_kind.empty()) {
    return Invalid("a kind of stuck case is given for a 15-months referral", "use --reason stuck, or leave out --kind");
  }
  if (!r.referred && Blank(r.rationale))
    return Invalid("a case not referred needs the conference's rationale (003 §1.3, §4.2)", "give --rationale");
  if (r.decided && !r.decided->IsValid()) return Invalid("the decision date is not a valid date");
  return Ok();
}

json ToJson(const MasReferral& r) {
  json j = {{"referred", r.referred}, {"reason", ToString(r.reason)}, {"stuck_kind", r.stuck_kind},
            {"detail", r.detail},     {"rationale", r.rationale}};
  j["decided"] = r.decided ? json(FormatDate(*r.decided)) : json(nullptr);
  return j;
}

template <>
Result<MasReferral> FromJson<MasReferral>(const json& j) {
  return Named<MasReferral>("referral", [&]() -> Result<MasReferral> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    MasReferral m;
    CP_RETURN_IF_ERROR(r.Bool("referred", &m.referred));
    CP_RETURN_IF_ERROR(r.Enum<MasReferralReason>("reason", &m.reason, &ParseMasReferralReason));
    CP_RETURN_IF_ERROR(r.String("stuck_kind", &m.stuck_kind, false));
    CP_RETURN_IF_ERROR(r.String("detail", &m.detail, false));
    CP_RETURN_IF_ERROR(r.String("rationale", &m.rationale, false));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("decided", &m.decided));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidateMasReferral(m));
    return m;
  });
}

// ---- MAS papers ----

std::span<const DocumentType> MasPaperTypes() { return kMasPapers; }

std::vector<PaperCheck> MasPapersChecklist(const std::vector<DocumentMeta>& documents) {
  std::vector<PaperCheck> out;
  for (DocumentType t : kMasPapers) {
    PaperCheck p{t, std::nullopt};
    for (const auto& d : documents)
      if (d.type == t && (!p.received || d.received < *p.received)) p.received = d.received;
    out.push_back(p);
  }
  return out;
}

std::optional<Date> MasPapersComplete(const std::vector<PaperCheck>& checklist) {
  if (checklist.empty()) return std::nullopt;
  std::optional<Date> last;
  for (const auto& p : checklist) {
    if (!p.received) return std::nullopt;
    if (!last || *p.received > *last) last = p.received;
  }
  return last;
}

json ToJson(const PaperCheck& p) {
  return {{"type", ToString(p.type)}, {"received", p.received ? json(FormatDate(*p.received)) : json(nullptr)}};
}

// ---- MAPF planning group ----

std::span<const std::string_view> AgencyKinds() { return kAgencyKinds; }
std::span<const std::string_view> RequiredAgencyKinds() { return kRequiredAgencies; }
Status CheckAgencyKind(std::string_view kind) { return CheckKey("agency kind", kind, kAgencyKinds); }

Status ValidatePlanningMember(const PlanningMember& m) {
  CP_RETURN_IF_ERROR(CheckAgencyKind(m.kind));
  if (Blank(m.agency)) return Invalid("a planning group member needs its agency", "give --agency");
  if (m.agreed && !m.agreed->IsValid()) return Invalid("the agreement date is not a valid date");
  return Ok();
}

json ToJson(const PlanningMember& m) {
  json j = {{"id", m.id},     {"kind", m.kind}, {"agency", m.agency},
            {"name", m.name}, {"role", m.role}, {"co_opted", m.co_opted}};
  j["agreed"] = m.agreed ? json(FormatDate(*m.agreed)) : json(nullptr);
  return j;
}

template <>
Result<PlanningMember> FromJson<PlanningMember>(const json& j) {
  return Named<PlanningMember>("planning group member", [&]() -> Result<PlanningMember> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    PlanningMember m;
    CP_RETURN_IF_ERROR(r.String("id", &m.id, false));
    CP_RETURN_IF_ERROR(r.String("kind", &m.kind));
    CP_RETURN_IF_ERROR(r.String("agency", &m.agency));
    CP_RETURN_IF_ERROR(r.String("name", &m.name, false));
    CP_RETURN_IF_ERROR(r.String("role", &m.role, false));
    CP_RETURN_IF_ERROR(r.Bool("co_opted", &m.co_opted, false));
    CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("agreed", &m.agreed));
    CP_RETURN_IF_ERROR(r.Finish());
    CP_RETURN_IF_ERROR(ValidatePlanningMember(m));
    return m;
  });
}

std::vector<std::string_view> MissingRequiredAgencies(const std::vector<PlanningMember>& group) {
  std::vector<std::string_view> out;
  for (auto kind : kRequiredAgencies)
    if (std::none_of(group.begin(), group.end(), [&](const PlanningMember& m) { return m.kind == kind; }))
      out.push_back(kind);
  return out;
}

std::vector<const PlanningMember*> NotYetAgreed(const std::vector<PlanningMember>& group) {
  std::vector<const PlanningMember*> out;
  // The Business Unit supports the process (000 §7); it is not a party whose agreement is needed.
  for (const auto& m : group)
    if (!m.agreed && m.kind != "business-unit") out.push_back(&m);
  return out;
}

// ---- the record ----

json ToJson(const ProcessRecord& p) {
  json j = json::object();
  if (p.mas_referral) j["mas_referral"] = ToJson(*p.mas_referral);
  if (!p.report_writer.empty()) j["report_writer"] = p.report_writer;
  if (!p.papers.empty()) {
    j["papers"] = json::array();
    for (const auto& x : p.papers) j["papers"].push_back(ToJson(x));
  }
  if (!p.planning_group.empty()) {
    j["planning_group"] = json::array();
    for (const auto& m : p.planning_group) j["planning_group"].push_back(ToJson(m));
  }
  return j;
}

namespace {
Result<PaperCheck> PaperFromJson(const json& j) {
  ObjectReader r(j);
  CP_RETURN_IF_ERROR(r.CheckObject());
  PaperCheck p;
  CP_RETURN_IF_ERROR(r.Enum<DocumentType>("type", &p.type, &ParseDocumentType));
  CP_RETURN_IF_ERROR(r.OptionalParsed<Date>("received", &p.received));
  CP_RETURN_IF_ERROR(r.Finish());
  return p;
}
}  // namespace

template <>
Result<ProcessRecord> FromJson<ProcessRecord>(const json& j) {
  return Named<ProcessRecord>("process", [&]() -> Result<ProcessRecord> {
    ObjectReader r(j);
    CP_RETURN_IF_ERROR(r.CheckObject());
    ProcessRecord p;
    std::optional<MasReferral> referral;
    CP_RETURN_IF_ERROR(r.OptionalParsed<MasReferral>("mas_referral", &referral));
    p.mas_referral = referral;
    CP_RETURN_IF_ERROR(r.String("report_writer", &p.report_writer, false));
    CP_RETURN_IF_ERROR(r.Array<PlanningMember>("planning_group", &p.planning_group));
    if (const json* papers = r.Get("papers")) {
      if (!papers->is_array()) return Invalid("papers: expected an array");
      for (const auto& x : *papers) {
        auto pc = PaperFromJson(x);
        if (!pc.ok()) return pc.error().Context("papers");
        p.papers.push_back(*pc);
      }
    }
    CP_RETURN_IF_ERROR(r.Finish());
    return p;
  });
}

// ---- actions reported back ----

std::span<const std::string_view> ActionReportTargets() { return kReportTargets; }
Status CheckActionReportTarget(std::string_view to) { return CheckKey("report target", to, kReportTargets); }

}  // namespace casepack
