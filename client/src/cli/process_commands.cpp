// casepack referral | doc papers | planning: the process around the event (casepack/process.h) — the MAS
// referral and its papers (003 §1.3, §4.2, §4.6), the MAPF planning group and its agreements (000 §6, §7).
#include <cstdio>

#include "case_cli.h"
#include "io.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct ProcessOptions {
  std::string case_id, member, reason = "15-months", kind, detail, rationale, decided, agency, name, role, on;
  bool not_referred = false, co_opted = false, json = false;
};

std::string KeyList(std::span<const std::string_view> keys) {
  std::string out;
  for (auto k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

void AddReferral(CLI::App& app, Context& ctx, ProcessOptions& a) {
  auto* cmd = app.add_subcommand("referral", "MAS: record why the case was referred (003 §1.3, §4.2), or why a case past "
                                             "15 months was not");
  cmd->add_option("CASE", a.case_id, "case id")->required();
  cmd->add_option("--reason", a.reason, "15-months (4th conference / 3rd review; the default) or stuck");
  cmd->add_option("--kind", a.kind, "for a stuck case, one of: " + KeyList(StuckCaseKinds()));
  cmd->add_option("--detail", a.detail, "what makes the case stuck (required for --kind other)");
  cmd->add_flag("--not-referred", a.not_referred, "the conference decided not to refer (needs --rationale)");
  cmd->add_option("--rationale", a.rationale, "the conference's rationale for not referring (003 §1.3)");
  cmd->add_option("--decided", a.decided, "the date of the conference that decided, DD/MM/YYYY or YYYY-MM-DD");
  cmd->callback([&ctx, &a] {
    MasReferral r;
    r.reason = Must(ParseMasReferralReason(a.reason), "--reason");
    r.stuck_kind = a.kind;
    r.detail = a.detail;
    r.referred = !a.not_referred;
    r.rationale = a.rationale;
    if (!a.decided.empty()) r.decided = ParseDateOption(a.decided, "--decided");
    Check(ValidateMasReferral(r));
    auto s = OpenCases(ctx, "casepack referral", a.case_id);
    Check(s.cases->SetMasReferral(s.case_id, r));
    std::printf("referral recorded: %s\n", Label(ctx.lang, r.reason).c_str());
  });
}

void PrintPapers(const std::vector<PaperCheck>& papers, Language lang) {
  std::string missing;
  for (const auto& p : papers) {
    std::printf("  %-22s %-10s %s\n", std::string(ToString(p.type)).c_str(),
                p.received ? FormatDate(*p.received).c_str() : "missing", Label(lang, p.type).c_str());
    if (!p.received) missing += (missing.empty() ? "" : ", ") + std::string(ToString(p.type));
  }
  if (missing.empty()) std::printf("all four papers are in (003 §4.6)\n");
  else std::printf("missing: %s (add each with 'casepack doc add CASE FILE --type TYPE')\n", missing.c_str());
}

void AddPapers(CLI::App& app, Context& ctx, ProcessOptions& a) {
  auto* cmd = app.get_subcommand("doc")->add_subcommand(
      "papers", "MAS: the four papers of 003 §4.6 (ICPC and RCPC minutes, recent core group minutes, current plan): "
                "which are in, which are missing");
  cmd->add_option("CASE", a.case_id, "case id")->required();
  cmd->add_flag("--json", a.json, "machine-readable output");
  cmd->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack doc papers", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (d.record.event_type != EventType::kMas)
      Fail(ErrorCode::kInvalidArgument, "the papers checklist is for MAS cases; this case is " + std::string(ToString(d.record.event_type)));
    if (a.json) {
      json arr = json::array();
      for (const auto& p : d.process.papers) arr.push_back(ToJson(p));
      PrintJson(arr);
      return;
    }
    PrintPapers(d.process.papers, ctx.lang);
  });
}

void PrintPlanningGroup(const std::vector<PlanningMember>& group, Language lang) {
  for (const auto& m : group) {
    std::printf("  %s  %s, %s%s%s%s: %s\n", m.id.c_str(), m.agency.c_str(), AgencyKindLabel(lang, m.kind).c_str(),
                m.co_opted ? " (co-opted)" : "", m.name.empty() ? "" : ("; " + m.name).c_str(),
                m.role.empty() ? "" : (", " + m.role).c_str(),
                m.agreed ? ("agreed " + FormatDate(*m.agreed)).c_str() : "not yet agreed");
  }
  std::string missing;
  for (auto k : MissingRequiredAgencies(group)) missing += (missing.empty() ? "" : ", ") + std::string(k);
  if (!missing.empty()) std::printf("missing (000 §7 requires them): %s\n", missing.c_str());
}

void AddPlanning(CLI::App& app, Context& ctx, ProcessOptions& a) {
  auto* group = app.add_subcommand("planning", "MAPF: the planning group (000 §7) and the agreement of the report and "
                                               "action plan by every agency, then the Local Operational Group (000 §6)");
  group->require_subcommand(1);
  auto* add = group->add_subcommand("add", "add a member agency (at least local-authority, health-board and police)");
  add->add_option("CASE", a.case_id, "case id")->required();
  add->add_option("--agency", a.agency, "the agency, as it names itself")->required();
  add->add_option("--kind", a.kind, "one of: " + KeyList(AgencyKinds()))->required();
  add->add_option("--name", a.name, "the representative's name");
  add->add_option("--role", a.role, "the representative's role");
  add->add_flag("--co-opted", a.co_opted, "co-opted as required (000 §7)");
  add->callback([&ctx, &a] {
    Check(CheckAgencyKind(a.kind));
    PlanningMember m{{}, a.kind, a.agency, a.name, a.role, a.co_opted, std::nullopt};
    auto s = OpenCases(ctx, "casepack planning add", a.case_id);
    std::printf("%s\n", Must(s.cases->AddPlanningMember(s.case_id, m)).c_str());
  });
  auto* list = group->add_subcommand("list", "the planning group, each agency's agreement, and the required agencies missing");
  list->add_option("CASE", a.case_id, "case id")->required();
  list->add_flag("--json", a.json, "machine-readable output");
  list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack planning list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& m : d.process.planning_group) arr.push_back(ToJson(m));
      json missing = json::array();
      for (auto k : MissingRequiredAgencies(d.process.planning_group)) missing.push_back(std::string(k));
      PrintJson({{"members", arr}, {"missing", missing}});
      return;
    }
    PrintPlanningGroup(d.process.planning_group, ctx.lang);
  });
  auto* agree = group->add_subcommand("agree", "record that a member's agency agreed the report and action plan (000 §6)");
  agree->add_option("CASE", a.case_id, "case id")->required();
  agree->add_option("MEMBER", a.member, "the member's id (as listed), or its first 4 or more characters")->required();
  agree->add_option("--on", a.on, "the date, DD/MM/YYYY or YYYY-MM-DD")->required();
  agree->callback([&ctx, &a] {
    const Date on = ParseDateOption(a.on, "--on");
    auto s = OpenCases(ctx, "casepack planning agree", a.case_id);
    Check(s.cases->RecordMemberAgreement(s.case_id, a.member, on));
    std::printf("agreement recorded\n");
  });
  auto* log = group->add_subcommand("log-agreed", "record that the Local Operational Group agreed the report and action "
                                                  "plan (after every agency); its quarterly monitoring then shows in 'deadlines'");
  log->add_option("CASE", a.case_id, "case id")->required();
  log->add_option("--on", a.on, "the date, DD/MM/YYYY or YYYY-MM-DD")->required();
  log->callback([&ctx, &a] {
    const Date on = ParseDateOption(a.on, "--on");
    auto s = OpenCases(ctx, "casepack planning log-agreed", a.case_id);
    Check(s.cases->RecordLogAgreement(s.case_id, on));
    std::printf("agreed by the Local Operational Group on %s\n", FormatDate(on).c_str());
  });
  AddRemove(*group, ctx, CaseTable::kPlanningGroup, "planning group member");
}

}  // namespace

void RegisterProcessCommands(CLI::App& app, Context& ctx) {
  static ProcessOptions options;
  AddReferral(app, ctx, options);
  AddPapers(app, ctx, options);
  AddPlanning(app, ctx, options);
}

// `case show`: the referral, papers and planning group, where the case type has them.
void PrintProcess(const CaseDetail& d, Language lang) {
  const ProcessRecord& p = d.process;
  if (d.record.event_type == EventType::kMas) {
    std::printf("\nreferral\n");
    if (!p.mas_referral) {
      std::printf("  not recorded ('casepack referral CASE --reason …')\n");
    } else {
      const MasReferral& r = *p.mas_referral;
      std::printf("  %s%s%s\n", Label(lang, r.reason).c_str(), r.stuck_kind.empty() ? "" : (": " + StuckKindLabel(lang, r.stuck_kind)).c_str(),
                  r.detail.empty() ? "" : (" — " + r.detail).c_str());
      if (!r.referred) std::printf("  not referred; rationale: %s\n", r.rationale.c_str());
      if (r.decided) std::printf("  decided %s\n", FormatDate(*r.decided).c_str());
    }
    std::printf("  Summary Report written by: %s\n", p.report_writer.empty() ? "-" : p.report_writer.c_str());
    std::printf("\npapers (003 §4.6)\n");
    PrintPapers(p.papers, lang);
  }
  if (d.record.event_type == EventType::kMapf) {
    std::printf("\nplanning group (%zu)\n", p.planning_group.size());
    PrintPlanningGroup(p.planning_group, lang);
  }
}

}  // namespace casepack::cli
