#include <cstdlib>
#include <string>

#include "casepack/render.h"
#include "render_internal.h"

namespace casepack {

Result<std::string> RenderLayout(const ReportLayout& layout, ReportFormat format, const RenderOptions& options) {
  switch (format) {
    case ReportFormat::kPdf: return RenderPdf(layout, options);
    case ReportFormat::kDocx: return RenderDocx(layout, options);
    case ReportFormat::kMarkdown:
    case ReportFormat::kHtml: return RenderTextLayout(layout, format);
  }
  std::abort();
}

}  // namespace casepack
