// casepack-render.so: the PDF and Word writers behind a C entry point, loaded by the CLI only when a report is
// rendered (casepack/render_module.h).
#include <string>

#include "casepack/render.h"
#include "casepack/render_module.h"

#define CASEPACK_RENDER_EXPORT extern "C" __attribute__((visibility("default")))

CASEPACK_RENDER_EXPORT const char* casepack_render_abi() {
  static const std::string abi = CASEPACK_RENDER_MODULE_ABI_STRING(CASEPACK_VERSION);
  return abi.c_str();
}

CASEPACK_RENDER_EXPORT void casepack_render_report(const casepack::ReportLayout* layout, casepack::ReportFormat format,
                                                   casepack::Result<std::string>* out) {
  using casepack::ReportFormat;
  if (format != ReportFormat::kPdf && format != ReportFormat::kDocx) {
    *out = casepack::MakeError(casepack::ErrorCode::kInvalidArgument, "the report module makes PDF and Word only");
    return;
  }
  const casepack::RenderOptions options = casepack::RenderOptionsFromEnvironment();
  *out = format == ReportFormat::kPdf ? casepack::RenderPdf(*layout, options) : casepack::RenderDocx(*layout, options);
}
