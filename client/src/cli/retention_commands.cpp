// casepack retention | purge | audit, and case hold | release (docs/retention.md, docs/audit.md).
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "casepack/trusted_clock.h"
#include "io.h"
#include "retention_view.h"
#include "casepack/text_width.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct Args {
  std::string case_id, reason, by, file, output, date;
  bool json = false, dry_run = false, force = false;
  int days = 30;
};

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw CommandFailed{r.error()};
  return std::move(r).value();
}

void PrintJson(const json& j) { std::cout << j.dump(2) << "\n"; }

// Who is acting: the store's author name if set, else the login name.
std::string Actor(Store& store, const std::string& by) {
  if (!by.empty()) return by;
  if (auto st = store.db().Prepare("SELECT value FROM meta WHERE key = 'author';"); st.ok()) {
    if (auto row = st->Step(); row.ok() && *row) return st->Text(0);
  }
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "device " + store.id().substr(0, 8);
}

void PrintPolicies(const PolicyRecord& r) {
  std::printf("retention policies, version %lld (%s%s%s)\n", static_cast<long long>(r.version), r.set_by.c_str(),
              r.set_at.empty() ? "" : ", ", r.set_at.c_str());
  for (const RetentionPolicy& p : r.policies) {
    std::string rules;
    for (const RetentionRule& rule : p.rules)
      rules += (rules.empty() ? "" : ", else ") + rule.after + " + " + std::to_string(rule.days) + " days";
    std::printf("  %-5s %s\n", std::string(ToString(p.event_type)).c_str(), rules.c_str());
  }
}

json ReportJson(const PurgeReport& r, bool dry_run) {
  json j = {{"dry_run", dry_run}, {"now", FormatInstant(r.now_millis)}, {"purged", json::array()},
            {"held", json::array()}, {"failed", json::array()}};
  for (const auto& c : r.purged) j["purged"].push_back(ToJson(c));
  for (const auto& c : r.held) j["held"].push_back(ToJson(c));
  for (const auto& [id, e] : r.failed) j["failed"].push_back({{"case_id", id}, {"error", e.message}});
  j["elapsed_ms"] = std::chrono::duration<double, std::milli>(r.elapsed).count();
  return j;
}

void PrintReport(const PurgeReport& r, bool dry_run) {
  if (!r.postponed.empty()) std::fprintf(stderr, "casepack: %s\n", r.postponed.c_str());
  std::printf("retention clock: %s\n", FormatInstant(r.now_millis).c_str());
  if (r.purged.empty()) std::printf("%s\n", dry_run ? "nothing would be purged now" : "nothing to purge");
  for (const auto& c : r.purged)
    std::printf("%s %s  %-4s  due %s\n", dry_run ? "would purge" : "purged", c.case_id.substr(0, 8).c_str(),
                std::string(ToString(c.event_type)).c_str(), DescribePurgeDate(c).c_str());
  for (const auto& c : r.held)
    std::printf("kept (legal hold) %s  %-4s  %s\n", c.case_id.substr(0, 8).c_str(),
                std::string(ToString(c.event_type)).c_str(), DescribePurgeDate(c).c_str());
  for (const auto& [id, e] : r.failed)
    std::printf("FAILED %s: %s (left intact; retried at the next open)\n", id.substr(0, 8).c_str(), e.message.c_str());
}

void PrintVerification(const AuditVerification& v, bool as_json, std::string_view what) {
  if (as_json) {
    PrintJson({{"ok", v.ok}, {"entries", v.entries},
               {"first_bad_seq", v.first_bad_seq ? json(*v.first_bad_seq) : json(nullptr)}, {"problem", v.problem}});
  } else if (v.ok) {
    std::printf("%.*s: %lld entries, chain and signatures verified\n", static_cast<int>(what.size()), what.data(),
                static_cast<long long>(v.entries));
  }
  if (!v.ok)
    Fail(ErrorCode::kCorrupt, std::string(what) + " fails verification at entry " + std::to_string(v.first_bad_seq.value_or(0)) +
                                  ": " + v.problem,
         "entries before it verified; keep this copy as evidence and report it to the Business Unit");
}

}  // namespace

// ---- helpers for the case commands (retention_view.h) ----

void AuditEvent(ClientSession& session, AuditKind kind, std::string_view case_id, std::string_view detail) {
  Must(AuditOf(session).Record(kind, case_id, detail));
}

void ShowCaseRetention(ClientSession& session, std::string_view case_id, json* out) {
  RetentionService& retention = RetentionOf(session);
  const CaseRetention r = Must(retention.ForCase(case_id));
  if (out != nullptr) {
    (*out)["retention"] = ToJson(r);
    return;
  }
  std::printf("\nretention\n  purge date  %s\n", DescribePurgeDate(r).c_str());
  if (r.hold)
    std::printf("  LEGAL HOLD  %s (placed by %s at %s): the case is not purged until the hold is released\n",
                r.hold->reason.c_str(), r.hold->held_by.c_str(), r.hold->held_at.c_str());
}

std::size_t ShowTombstones(ClientSession& session, json* out) {
  RetentionService& retention = RetentionOf(session);
  const auto tombstones = Must(retention.Tombstones());
  for (const Tombstone& t : tombstones) {
    if (out != nullptr) {
      json j = ToJson(t);
      j["id"] = t.case_id;
      j["status"] = "purged";
      out->push_back(j);
      continue;
    }
    std::printf("%s  %s  purged on %s  %s %s\n", t.case_id.substr(0, 8).c_str(), FitColumn(ToString(t.event_type), 4).c_str(),
                t.purged_at.substr(0, 10).c_str(), FitColumn(t.subject.name_or_initials, 24).c_str(), t.subject.area.c_str());
  }
  return tombstones.size();
}

std::map<std::string, CaseRetention> RetentionByCase(ClientSession& session, const Date& today) {
  RetentionService& retention = RetentionOf(session);
  std::map<std::string, CaseRetention> out;
  for (auto& r : Must(retention.ForAllCases(today))) out.emplace(r.case_id, std::move(r));
  return out;
}

// ---- commands ----

namespace {

void AddRetentionShow(CLI::App& parent, Context& ctx, Args& a) {
  auto* show = parent.add_subcommand("show", "show the policies in force and the retention clock");
  show->add_flag("--json", a.json, "machine-readable output");
  show->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack retention show");
    RetentionService& svc = RetentionOf(*session);
    const PolicyRecord r = Must(svc.CurrentPolicies());
    TrustedClock clock(StoreOf(*session).db(), session->clock());
    const std::int64_t now = Must(clock.Peek());
    if (a.json) {
      json j = ToJson(r);
      j["retention_clock"] = FormatInstant(now);
      PrintJson(j);
      return;
    }
    PrintPolicies(r);
    std::printf("retention clock: %s (never moves back)\n", FormatInstant(now).c_str());
  });
}

void AddRetentionSet(CLI::App& parent, Context& ctx, Args& a) {
  auto* set = parent.add_subcommand("set", "record new policies from a JSON file (the Business Unit's change)");
  set->add_option("--file", a.file, "JSON: {\"policies\": [{\"event_type\": \"MAS\", \"rules\": [...]}]}")->required();
  set->add_option("--by", a.by, "who decided it (default: the store's author or login name)");
  set->callback([&ctx, &a] {
    const std::string text = ReadTextInput(a.file, "policies");
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) Fail(ErrorCode::kInvalidArgument, a.file + " is not valid JSON", "nothing was changed");
    auto session = ctx.OpenSession("casepack retention set");
    RetentionService& svc = RetentionOf(*session);
    const PolicyRecord r = Must(svc.SetPolicies(j, Actor(StoreOf(*session), a.by)));
    PrintPolicies(r);
    // The new policy applies at once: a case it makes due is purged now, as at any open.
    const PurgeReport purged = Must(svc.PurgeDue());
    if (!purged.purged.empty()) std::printf("purged %zu case(s) now past their date\n", purged.purged.size());
  });
}

void AddRetentionDue(CLI::App& parent, Context& ctx, Args& a) {
  auto* due = parent.add_subcommand("due", "the cases whose purge falls in the next N days, for review and legal holds");
  due->add_option("--days", a.days, "how far ahead (default 30)")->check(CLI::Range(0, 3660));
  due->add_flag("--json", a.json, "machine-readable output");
  due->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack retention due");
    Store& store = StoreOf(*session);
    RetentionService& svc = RetentionOf(*session);
    const std::int64_t now = Must(TrustedClock(store.db(), store.clock()).Peek());
    const auto list = Must(svc.DueWithin(UtcDateOf(now), a.days));
    if (a.json) {
      json arr = json::array();
      for (const auto& c : list) {
        json j = ToJson(c);
        j["subject"] = c.subject.name_or_initials;
        j["area"] = c.subject.area;
        arr.push_back(std::move(j));
      }
      PrintJson({{"today", FormatDate(UtcDateOf(now))}, {"days", a.days}, {"cases", arr}});
      return;
    }
    std::printf("cases purged by %s (the next %d days; a purge never waits for a review, only a legal hold keeps a case)\n",
                FormatDate(Date::FromDayNumber(UtcDateOf(now).ToDayNumber() + a.days)).c_str(), a.days);
    if (list.empty()) std::printf("none\n");
    for (const auto& c : list)
      std::printf("%s  %s  %-4s  %-16s %-20s %s + %d days, policy version %lld%s\n",
                  FormatDate(c.deadline->purge_on).c_str(), c.case_id.substr(0, 8).c_str(),
                  std::string(ToString(c.event_type)).c_str(), c.subject.name_or_initials.c_str(), c.subject.area.c_str(),
                  c.deadline->rule_after.c_str(), c.deadline->days, static_cast<long long>(c.policy_version),
                  c.hold ? "  ON HOLD" : "");
  });
}

void AddRetentionReceipts(CLI::App& parent, Context& ctx, Args& a) {
  auto* receipts = parent.add_subcommand("receipts", "the signed purge receipts waiting for sync to report");
  receipts->add_flag("--json", a.json, "machine-readable output");
  receipts->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack retention receipts");
    RetentionService& svc = RetentionOf(*session);
    const auto all = Must(svc.Receipts());
    if (a.json) {
      json arr = json::array();
      for (const auto& r : all) arr.push_back(ToJson(r));
      PrintJson(arr);
      return;
    }
    if (all.empty()) std::printf("no purge receipts\n");
    for (const auto& r : all)
      std::printf("%s  purged %s  signature %s\n", r.case_id.substr(0, 8).c_str(), r.purged_at.c_str(),
                  VerifyPurgeReceipt(r) ? "valid" : "INVALID");
  });
}

void AddPurge(CLI::App& parent, Context& ctx, Args& a) {
  auto* purge = parent.add_subcommand("purge", "purge every case past its retention date (also done at every open)");
  purge->add_flag("--dry-run", a.dry_run, "show what would be purged and when, changing nothing");
  purge->add_flag("--json", a.json, "machine-readable output");
  purge->callback([&ctx, &a] {
    // The at-open purge is skipped here so that the command itself reports (or, dry, only shows) it.
    auto session = ctx.OpenSession("casepack purge", /*run_retention=*/false);
    RetentionService& svc = RetentionOf(*session);
    const PurgeReport r = Must(a.dry_run ? svc.PlanPurge() : svc.PurgeDue());
    if (a.json) PrintJson(ReportJson(r, a.dry_run)); else PrintReport(r, a.dry_run);
    if (a.dry_run && !a.json) {
      // Upcoming dates too, so "what would go and when" covers the future.
      const Date today = UtcDateOf(r.now_millis);
      for (const auto& [id, c] : RetentionByCase(*session, today))
        if (!c.due && !(c.hold && c.deadline && today >= c.deadline->purge_on))
          std::printf("later       %s  %-4s  %s\n", id.substr(0, 8).c_str(), std::string(ToString(c.event_type)).c_str(),
                      DescribePurgeDate(c).c_str());
    }
    if (!r.failed.empty()) Fail(ErrorCode::kIo, std::to_string(r.failed.size()) + " case(s) could not be purged");
  });
}

void AddClockConfirm(CLI::App& parent, Context& ctx, Args& a) {
  auto* confirm = parent.add_subcommand(
      "confirm", "confirm the device's date by typing it, after its clock jumped further than it can be believed");
  confirm->add_option("DATE", a.date, "today's date as the device shows it, DD/MM/YYYY or YYYY-MM-DD")->required();
  confirm->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack clock confirm", /*run_retention=*/false);
    Store& store = StoreOf(*session);
    const Date typed = ParseDateOption(a.date, "DATE");
    Check(TrustedClock(store.db(), store.clock()).ConfirmDate(typed));
    AuditEvent(*session, AuditKind::kPolicy, "", "device date confirmed by the user: " + FormatDate(typed));
    std::printf("the date %s is confirmed: retention runs on the device's clock again\n", FormatDate(typed).c_str());
    const PurgeReport purged = Must(RetentionOf(*session).PurgeDue());
    if (!purged.purged.empty()) std::printf("purged %zu case(s) past their retention date\n", purged.purged.size());
  });
}

void AddCaseHold(CLI::App& parent, Context& ctx, Args& a) {
  auto* hold = parent.add_subcommand("hold", "place a legal hold: the case is not purged until it is released");
  hold->add_option("CASE", a.case_id, "case id")->required();
  hold->add_option("--reason", a.reason, "why (e.g. court proceedings and reference)")->required();
  hold->add_option("--by", a.by, "who placed it (default: the store's author or login name)");
  hold->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack case hold");
    CaseService& cases = CasesOf(*session);
    const std::string id = Must(cases.ResolveCaseId(a.case_id));
    RetentionService& svc = RetentionOf(*session);
    Check(svc.PlaceHold(id, a.reason, Actor(StoreOf(*session), a.by)));
    std::printf("case %s is on legal hold: it will not be purged until released\n", id.substr(0, 8).c_str());
  });
}

void AddCaseRelease(CLI::App& parent, Context& ctx, Args& a) {
  auto* release = parent.add_subcommand("release", "release a legal hold; the retention schedule resumes");
  release->add_option("CASE", a.case_id, "case id")->required();
  release->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack case release");
    CaseService& cases = CasesOf(*session);
    const std::string id = Must(cases.ResolveCaseId(a.case_id));
    RetentionService& svc = RetentionOf(*session);
    Check(svc.ReleaseHold(id));
    std::printf("legal hold on case %s released\n", id.substr(0, 8).c_str());
    // The schedule resumes at once: a case already past its date goes now.
    const PurgeReport purged = Must(svc.PurgeDue());
    for (const auto& c : purged.purged)
      std::printf("case %s was past its retention date and has been purged\n", c.case_id.substr(0, 8).c_str());
  });
}

void AddAuditVerify(CLI::App& parent, Context& ctx, Args& a) {
  auto* verify = parent.add_subcommand("verify", "check the chain and signatures, offline");
  verify->add_option("--file", a.file, "verify an exported file instead of the store (no store or passphrase needed)");
  verify->add_flag("--json", a.json, "machine-readable output");
  verify->callback([&ctx, &a] {
    if (!a.file.empty()) {
      const std::string text = ReadTextInput(a.file, "audit export");
      PrintVerification(Must(VerifyAuditExport(text)), a.json, a.file);
      return;
    }
    auto session = ctx.OpenSession("casepack audit verify");
    Audit& log = AuditOf(*session);
    PrintVerification(Must(log.Verify()), a.json, "the audit log");
  });
}

void AddAuditExport(CLI::App& parent, Context& ctx, Args& a) {
  auto* exp = parent.add_subcommand("export", "write the audit log as JSON lines for the Business Unit");
  exp->add_option("-o,--output", a.output, "the file to write (- for standard output)")->required();
  exp->add_flag("--force", a.force, "replace the file if it exists");
  exp->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack audit export");
    Audit& log = AuditOf(*session);
    const std::string text = Must(log.ExportJsonLines());
    Output out(a.output, a.force);
    Check(out.Write(text));
    out.Commit();
    if (!out.is_stdout()) std::fprintf(stderr, "wrote %s\n", a.output.c_str());
  });
}

void AddAuditList(CLI::App& parent, Context& ctx, Args& a) {
  auto* list = parent.add_subcommand("list", "print the audit entries");
  list->add_flag("--json", a.json, "machine-readable output (the export's entry lines)");
  list->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack audit list");
    Audit& log = AuditOf(*session);
    for (const AuditEntry& e : Must(log.Entries())) {
      if (a.json) {
        std::printf("%s\n", json({{"seq", e.seq}, {"at", e.at}, {"kind", ToString(e.kind)}, {"case_id", e.case_id},
                                  {"detail", e.detail}}).dump().c_str());
      } else {
        std::printf("%6lld  %s  %-15s %-8s %s\n", static_cast<long long>(e.seq), e.at.c_str(),
                    std::string(ToString(e.kind)).c_str(), e.case_id.substr(0, 8).c_str(), e.detail.c_str());
      }
    }
  });
}

}  // namespace

void RegisterRetentionCommands(CLI::App& app, Context& ctx) {
  static Args a;

  auto* retention = app.add_subcommand("retention", "the retention policies: when each event type's cases are purged");
  retention->require_subcommand(1);
  AddRetentionShow(*retention, ctx, a);
  AddRetentionSet(*retention, ctx, a);
  AddRetentionDue(*retention, ctx, a);
  AddRetentionReceipts(*retention, ctx, a);

  AddPurge(app, ctx, a);

  // ---- the clock: confirming the device's date after a jump (docs/retention.md) ----
  auto* clock_cmd = app.add_subcommand("clock", "the retention clock");
  clock_cmd->require_subcommand(1);
  AddClockConfirm(*clock_cmd, ctx, a);

  // ---- legal hold: under `case` ----
  CLI::App* case_cmd = app.get_subcommand("case");
  AddCaseHold(*case_cmd, ctx, a);
  AddCaseRelease(*case_cmd, ctx, a);

  // ---- audit ----
  auto* audit = app.add_subcommand("audit", "the device's signed, hash-chained audit trail (no case content)");
  audit->require_subcommand(1);
  AddAuditVerify(*audit, ctx, a);
  AddAuditExport(*audit, ctx, a);
  AddAuditList(*audit, ctx, a);
}

}  // namespace casepack::cli
