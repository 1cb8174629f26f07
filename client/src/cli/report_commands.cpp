// casepack report: the event's report (or, --feedback, the MAS participants' feedback for the Business
// Unit) as PDF, Word, HTML or Markdown. Rendering is render/'s; this file only picks and writes.
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include <iostream>

#include "casepack/cases.h"
#include "casepack/report_render.h"
#include "cli.h"
#include "io.h"
#include "pack_targets.h"
#include "retention_view.h"

namespace casepack::cli {

namespace {

struct ReportArgs {
  std::string case_id, format, output, report_date, recipient, password_file, from;
  std::vector<std::string> to, to_files;
  bool force = false, feedback = false, generate_password = false, armor = false, json = false, bilingual = false;
  int work_factor = kAgeScryptDefaultWorkFactor;
};

// --lang picks the report's language; --bilingual puts Welsh and English side by side, Welsh first.
ReportLanguage ReportLanguageFor(const Context& ctx, bool bilingual) {
  if (bilingual) return ReportLanguage::kBilingual;
  return ctx.lang == Language::kWelsh ? ReportLanguage::kWelsh : ReportLanguage::kEnglish;
}

template <typename T>
T MustReport(Result<T> r, std::string_view option = {}) {
  if (!r.ok()) throw CommandFailed{option.empty() ? r.error() : r.error().Context(option)};
  return std::move(r).value();
}

}  // namespace

namespace {

// `report` is a command itself and the parent of `recipients` and `send`.
CLI::App* AddReport(CLI::App& parent, Context& ctx, ReportArgs& a) {
  auto* report = parent.add_subcommand("report", "write the event's report (MAS summary, MAPF learning report, MAPM minutes, CPR/APR review report) "
                                              "or, with --feedback, the MAS participant feedback");
  // CASE, --format and -o are checked by hand: `report send` and `report recipients` come without them.
  report->add_option("CASE", a.case_id, "case id");
  report->add_option("--format", a.format, "pdf, docx, html or md");
  report->add_option("-o,--output", a.output, "where to write it (- for standard output)");
  report->add_option("--date", a.report_date, "the report's date (default today)");
  report->add_flag("--feedback", a.feedback, "the participants' feedback (MAS Appendix 2), for the Business Unit only");
  report->add_flag("--force", a.force, "replace the file if it exists");
  report->add_flag("--bilingual", a.bilingual, "Welsh and English, Welsh first (the language otherwise: --lang)");
  report->require_subcommand(0, 1);
  report->callback([&ctx, &a, report] {
    if (!report->get_subcommands().empty()) return;
    if (a.case_id.empty() || a.format.empty())
      Fail(ErrorCode::kInvalidArgument, "usage: casepack report CASE --format pdf|docx|html|md -o FILE",
           "or: casepack report send CASE --recipient R …, casepack report recipients CASE");
    if (a.output.empty())
      Fail(ErrorCode::kInvalidArgument, "usage: --output is required: this writes decrypted case content: name where with -o FILE",
           "use -o - to write to standard output");
    const ReportFormat format = MustReport(ParseReportFormat(a.format), "--format");
    if (!IsTextFormat(format) && a.output == "-" && ::isatty(STDOUT_FILENO))
      Fail(ErrorCode::kInvalidArgument, "a " + std::string(ToString(format)) + " file is not for a terminal",
           "name a file with -o FILE, or redirect standard output");
    const Date date = a.report_date.empty() ? Today() : ParseDateOption(a.report_date, "--date");
    auto session = ctx.OpenSession("casepack report", /*run_retention=*/true, DocumentLimitFromEnvironment());
    CaseService& cases = CasesOf(*session);
    const std::string id = MustReport(cases.ResolveCaseId(a.case_id));
    AuditEvent(*session, AuditKind::kCaseOpen, id, "casepack report");
    const ReportInput in = MustReport(cases.BuildReportInput(id, date));
    const ReportDocument which = a.feedback ? ReportDocument::kFeedback : ReportDocument::kReport;
    // Rendered whole before the file is opened: a missing font or a failure writes nothing.
    const std::string bytes = MustReport(RenderReport(BuildReportLayout(in, which, ReportLanguageFor(ctx, a.bilingual)), format));
    Output out(a.output, a.force);
    Check(out.Write(bytes));
    out.Commit();
    AuditEvent(*session, AuditKind::kReport, id,
               std::string(a.feedback ? "feedback" : "report") + " written, format " + std::string(ToString(format)));
    if (!out.is_stdout()) std::fprintf(stderr, "wrote %s\n", a.output.c_str());
    if (!in.conflicts.empty()) std::fprintf(stderr, "casepack: note: the report shows %zu unresolved conflict(s)\n", in.conflicts.size());
  });
  return report;
}

void AddReportRecipients(CLI::App& parent, Context& ctx, ReportArgs& a) {
  auto* recipients = parent.add_subcommand("recipients", "who the report goes to, and when each was sent");
  recipients->add_option("CASE", a.case_id, "case id")->required();
  recipients->add_flag("--json", a.json, "machine-readable output");
  recipients->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack report recipients", /*run_retention=*/true, DocumentLimitFromEnvironment());
    CaseService& cases = CasesOf(*session);
    const std::string id = MustReport(cases.ResolveCaseId(a.case_id));
    const auto list = MustReport(cases.ReportRecipients(id));
    if (a.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : list) arr.push_back(ToJson(r));
      std::cout << arr.dump(2) << "\n";
      return;
    }
    for (const auto& r : list)
      std::printf("%-40s %-12s %s\n", r.key.c_str(), r.sent_on ? FormatDate(*r.sent_on).c_str() : "not sent", r.name.c_str());
  });
}

// The minutes sent by other means (the convening agency's secure email; by hand to the family): recorded
// on the distribution list as `report send` records a pack.
void AddReportSent(CLI::App& parent, Context& ctx, ReportArgs& a) {
  auto* sent = parent.add_subcommand("sent", "record the report (MAPM: the minutes) as sent to a recipient by other means");
  sent->add_option("CASE", a.case_id, "case id")->required();
  sent->add_option("--recipient", a.recipient, "the recipient's key (see 'casepack report recipients CASE'), e.g. family")->required();
  sent->add_option("--date", a.report_date, "the date it was sent (default today)");
  sent->callback([&ctx, &a] {
    auto session = ctx.OpenSession("casepack report sent", /*run_retention=*/true, DocumentLimitFromEnvironment());
    CaseService& cases = CasesOf(*session);
    const std::string id = MustReport(cases.ResolveCaseId(a.case_id));
    const Date on = a.report_date.empty() ? Today() : ParseDateOption(a.report_date, "--date");
    const ReportRecipient r = MustReport(cases.RecordReportSent(id, a.recipient, on), "--recipient");
    std::printf("recorded as sent to %s on %s\n", r.name.c_str(), FormatDate(on).c_str());
  });
}

void AddReportSend(CLI::App& parent, Context& ctx, ReportArgs& a) {
  auto* send = parent.add_subcommand("send", "write a report-only transfer pack for one recipient and record it as sent");
  send->add_option("CASE", a.case_id, "case id")->required();
  send->add_option("--recipient", a.recipient, "the recipient's key (see 'casepack report recipients CASE')")->required();
  send->add_option("-o,--output", a.output, "the pack file to write")->required();
  send->add_option("--format", a.format, "the report's format: pdf (default), docx, html or md");
  send->add_option("--to", a.to, "the recipient's age key, age1… (repeatable)");
  send->add_option("--to-file", a.to_files, "a file of age recipients, one per line");
  send->add_option("--password-file", a.password_file, "encrypt to the password on the first line of FILE");
  send->add_flag("--generate-password", a.generate_password, "encrypt to a new random password, printed once");
  send->add_option("--work-factor", a.work_factor, "scrypt work factor for a password (log2; default 18)")->check(CLI::Range(1, kAgeScryptMaxWorkFactor));
  send->add_option("--from", a.from, "the sending agency, as the manifest records it")->required();
  send->add_option("--date", a.report_date, "the date sent and the report's date (default today)");
  send->add_flag("--armor", a.armor, "ASCII armor, for pasting into an email body");
  send->add_flag("--bilingual", a.bilingual, "the report in Welsh and English, Welsh first (the language otherwise: --lang)");
  send->add_flag("--force", a.force, "replace the output file if it exists");
  send->callback([&ctx, &a] {
    const PackTargets targets = ResolvePackTargets(a.to, a.to_files, a.password_file, a.generate_password, a.work_factor);
    PackSealOptions options;
    options.include_report = MustReport(ParseReportFormat(a.format.empty() ? "pdf" : a.format), "--format");
    options.report_only = true;
    options.report_language = ReportLanguageFor(ctx, a.bilingual);
    options.report_date = a.report_date.empty() ? Today() : ParseDateOption(a.report_date, "--date");
    options.sending_agency = a.from;
    options.armor = a.armor;
    auto session = ctx.OpenSession("casepack report send", /*run_retention=*/true, DocumentLimitFromEnvironment());
    CaseService& cases = CasesOf(*session);
    const std::string id = MustReport(cases.ResolveCaseId(a.case_id));
    // The recipient is checked before the pack is written; it is recorded as sent once the pack is whole.
    MustReport(cases.FindReportRecipient(id, a.recipient), "--recipient");
    PackService& packs = PacksOf(*session);
    WritePack(packs, id, options, targets, a.output, a.force);
    const ReportRecipient sent = MustReport(cases.RecordReportSent(id, a.recipient, *options.report_date), "--recipient");
    AuditEvent(*session, AuditKind::kPackSeal, id, "report only, to recipient " + sent.key);
    std::printf("sealed %s: the report (%s) only, for %s; recorded as sent on %s\n", a.output.c_str(),
                std::string(ToString(*options.include_report)).c_str(), sent.name.c_str(), FormatDate(*sent.sent_on).c_str());
    PrintGeneratedPassword(targets);
  });
}

}  // namespace

void RegisterReportCommands(CLI::App& app, Context& ctx) {
  static ReportArgs a;
  CLI::App* report = AddReport(app, ctx, a);
  AddReportRecipients(*report, ctx, a);
  AddReportSend(*report, ctx, a);
  AddReportSent(*report, ctx, a);
}

}  // namespace casepack::cli
