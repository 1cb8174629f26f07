// casepack report: the event's report (or, --feedback, the MAS participants' feedback for the Business
// Unit) as PDF, Word, HTML or Markdown. Rendering is render/'s; this file only picks and writes.
#include <unistd.h>

#include <cstdio>

#include "casepack/cases.h"
#include "casepack/render.h"
#include "cli.h"
#include "io.h"
#include "retention_view.h"

namespace casepack::cli {

namespace {

struct ReportArgs {
  std::string case_id, format, output, report_date;
  bool force = false, feedback = false;
};

template <typename T>
T MustReport(Result<T> r, std::string_view option = {}) {
  if (!r.ok()) throw CommandFailed{option.empty() ? r.error() : r.error().Context(option)};
  return std::move(r).value();
}

}  // namespace

void RegisterReportCommands(CLI::App& app, Context& ctx) {
  static ReportArgs a;
  auto* report = app.add_subcommand("report", "write the event's report (MAS summary, MAPF learning report, MAPM minutes) "
                                              "or, with --feedback, the MAS participant feedback");
  report->add_option("CASE", a.case_id, "case id")->required();
  report->add_option("--format", a.format, "pdf, docx, html or md")->required();
  report->add_option("-o,--output", a.output, "where to write it (- for standard output)")->required();
  report->add_option("--date", a.report_date, "the report's date (default today)");
  report->add_flag("--feedback", a.feedback, "the participants' feedback (MAS Appendix 2), for the Business Unit only");
  report->add_flag("--force", a.force, "replace the file if it exists");
  report->callback([&ctx] {
    const ReportFormat format = MustReport(ParseReportFormat(a.format), "--format");
    if (!IsTextFormat(format) && a.output == "-" && ::isatty(STDOUT_FILENO))
      Fail(ErrorCode::kInvalidArgument, "a " + std::string(ToString(format)) + " file is not for a terminal",
           "name a file with -o FILE, or redirect standard output");
    const Date date = a.report_date.empty() ? Today() : ParseDateOption(a.report_date, "--date");
    const RenderOptions options = RenderOptionsFromEnvironment();
    auto store = ctx.OpenStore("casepack report");
    CaseService cases(*store, DocumentLimitFromEnvironment());
    const std::string id = MustReport(cases.ResolveCaseId(a.case_id));
    AuditEvent(*store, AuditKind::kCaseOpen, id, "casepack report");
    const ReportInput in = MustReport(cases.BuildReportInput(id, date));
    const ReportDocument which = a.feedback ? ReportDocument::kFeedback : ReportDocument::kReport;
    // Rendered whole before the file is opened: a missing font or a failure writes nothing.
    const std::string bytes = MustReport(RenderLayout(BuildReportLayout(in, which), format, options));
    Output out(a.output, a.force);
    Check(out.Write(bytes));
    out.Commit();
    AuditEvent(*store, AuditKind::kReport, id,
               std::string(a.feedback ? "feedback" : "report") + " written, format " + std::string(ToString(format)));
    if (!out.is_stdout()) std::fprintf(stderr, "wrote %s\n", a.output.c_str());
    if (!in.conflicts.empty()) std::fprintf(stderr, "casepack: note: the report shows %zu unresolved conflict(s)\n", in.conflicts.size());
  });
}

}  // namespace casepack::cli
