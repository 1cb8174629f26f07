#include "case_cli.h"

#include <cstdio>
#include <iostream>

#include "casepack/audit.h"
#include "io.h"

namespace casepack::cli {

CaseSession OpenCases(Context& ctx, std::string_view purpose, const std::string& case_arg) {
  CaseSession s;
  const std::uint64_t document_limit = DocumentLimitFromEnvironment();
  s.session = ctx.OpenSession(purpose, /*run_retention=*/true, document_limit);
  s.cases = &CasesOf(*s.session);
  if (!case_arg.empty()) s.case_id = Must(s.cases->ResolveCaseId(case_arg));
  if (!s.case_id.empty()) {
    // docs/audit.md. On a full disk the access cannot be recorded; reading must still work (a command
    // that writes fails on its own write, changing nothing), so this one says so and goes on.
    auto recorded = AuditOf(*s.session).Record(AuditKind::kCaseOpen, s.case_id, purpose);
    if (!recorded.ok() && recorded.error().code == ErrorCode::kNoSpace)
      ctx.full_disk_notes.push_back("this access could not be added to the audit log");
    else if (!recorded.ok()) throw CommandFailed{recorded.error()};
  }
  return s;
}

// A store may hold bytes that are not UTF-8 (written by an older casepack, or sent by a member): they are
// shown as U+FFFD rather than stop the listing.
void PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

namespace {

std::string DescribeConflicted(const Conflicted<Owner>& c) {
  if (c.empty()) return "-";
  std::string s = DescribeOwner(c.value());
  for (const auto* alt : c.alternatives()) s += "  [CONFLICT: also " + DescribeOwner(alt->value) + " by " + alt->author + "]";
  return s;
}
std::string DescribeConflicted(const Conflicted<Date>& c) {
  if (c.empty()) return "-";
  std::string s = FormatDate(c.value());
  for (const auto* alt : c.alternatives()) s += "  [CONFLICT: also " + FormatDate(alt->value) + " by " + alt->author + "]";
  return s;
}

}  // namespace

void PrintActions(const std::vector<Action>& actions) {
  if (actions.empty()) {
    std::printf("  (no actions)\n");
    return;
  }
  for (const auto& a : actions) {
    std::printf("  %s  [%s] %s\n      owner: %s\n      due:   %s\n", a.id.c_str(), std::string(ToString(a.status)).c_str(),
                a.what.c_str(), DescribeConflicted(a.owner).c_str(), DescribeConflicted(a.due).c_str());
    // The 001 action plan form, where given.
    const std::pair<const char*, const std::string*> plan[] = {{"recommendation", &a.plan.recommendation},
                                                               {"rationale", &a.plan.rationale},
                                                               {"outcome", &a.plan.outcome},
                                                               {"measure", &a.plan.measure},
                                                               {"progress", &a.plan.progress}};
    for (const auto& [name, value] : plan)
      if (!value->empty()) std::printf("      %s: %s\n", name, value->c_str());
    for (const auto& r : a.reported) std::printf("      reported to %s on %s\n", r.to.c_str(), FormatDate(r.on).c_str());
  }
}

void AddRemove(CLI::App& group, Context& ctx, CaseTable table, std::string_view what) {
  struct Args {
    std::string case_id, row_id;
  };
  auto a = std::make_shared<Args>();
  const std::string noun(what);
  auto* rm = group.add_subcommand("rm", "delete " + noun + " (e.g. one added to the wrong case); the audit log records the "
                                        "deletion, never the content");
  rm->add_option("CASE", a->case_id, "case id")->required();
  rm->add_option("ID", a->row_id, "the " + noun + "'s id (as listed), or its first 4 or more characters")->required();
  rm->callback([&ctx, a, table, noun] {
    auto s = OpenCases(ctx, "casepack " + noun + " rm", a->case_id);
    Check(s.cases->DeleteRow(s.case_id, table, a->row_id));
    std::printf("deleted %s %s\n", noun.c_str(), a->row_id.c_str());
  });
}

}  // namespace casepack::cli
