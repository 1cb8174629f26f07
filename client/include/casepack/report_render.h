// A report as bytes, in any format, for the client's services (a pack's report) and the CLI.
//
// Markdown and HTML are schema's (RenderTextLayout). PDF and Word are render/'s, which the client library
// does not link (cairo, pango, fontconfig and qpdf would be loaded by every casepack command): by default
// they come from the module casepack-render.so, loaded on the first such report from
// <directory of the running executable>/../lib/casepack/ — never from a path in the environment. A program
// that links render/ itself (the desktop window, tests) installs its writer with SetReportRenderer instead.
// docs/reports.md.
#pragma once

#include <string>

#include "casepack/report.h"
#include "casepack/report_layout.h"
#include "casepack/result.h"

namespace casepack {

// PDF and Word only; called with the font from the environment (CASEPACK_REPORT_FONT).
using ReportRenderer = Result<std::string> (*)(const ReportLayout& layout, ReportFormat format);

// Replaces the module for the whole process (nullptr: back to the module). Call before rendering starts.
void SetReportRenderer(ReportRenderer renderer);

// kNotFound: the module is missing (or a font, as render/ reports); kUnsupported: the module is from
// another build.
[[nodiscard]] Result<std::string> RenderReport(const ReportLayout& layout, ReportFormat format);

}  // namespace casepack
