// Reports people exchange: the report layout (casepack/report_layout.h) written as
//   PDF  — tagged (structure tree H1/H2/H3/P/Table/TR/TH/TD/L/LI), document language set, fonts embedded
//          and subset, A4, running header (child's initials, event date, case reference) and the
//          protective marking in header and footer, "Page N of M", an outline of the headings;
//   Word — OOXML with heading styles, real tables (repeating header rows), the marking in header and
//          footer and PAGE / NUMPAGES fields;
//   HTML, Markdown — as schema writes them.
// Everything is built in memory and returned whole, so a failure writes nothing. docs/reports.md.
//
// The result is case content: the caller writes it only where the user named, never to a log.
#pragma once

#include <string>

#include "casepack/report.h"
#include "casepack/report_layout.h"
#include "casepack/result.h"

namespace casepack {

struct RenderOptions {
  // The font family for PDF (embedded) and the font Word is told to use. It must be installed with
  // fontconfig: a missing family is an error (kNotFound), never a silent fallback to another font.
  std::string font_family = "DejaVu Sans";
};

// The default options, with the font taken from CASEPACK_REPORT_FONT when that is set.
RenderOptions RenderOptionsFromEnvironment();

// kNotFound: "font 'X' is not installed" (fontconfig matched another family). kIo: cairo failed.
[[nodiscard]] Result<std::string> RenderPdf(const ReportLayout& layout, const RenderOptions& options = {});
[[nodiscard]] Result<std::string> RenderDocx(const ReportLayout& layout, const RenderOptions& options = {});

// Any format: PDF, Word, HTML or Markdown.
[[nodiscard]] Result<std::string> RenderLayout(const ReportLayout& layout, ReportFormat format,
                                               const RenderOptions& options = {});

}  // namespace casepack
