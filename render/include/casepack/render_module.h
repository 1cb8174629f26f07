// PDF and Word as a loadable module, casepack-render.so: cairo, pango, fontconfig and qpdf bring some 45
// shared libraries, which the dynamic loader would map and relocate at the start of every casepack command
// (tens of milliseconds, most commands rendering nothing). The CLI therefore does not link render/: the
// client library loads this module only when a PDF or Word report is rendered (casepack/report_render.h),
// from <directory of the executable>/../lib/casepack/ (installed: /usr/lib/casepack/). The desktop window
// and the tests link render/ directly and never load it.
//
// The entry takes and returns this build's C++ types, so a module works only with the casepack it was
// built with: the loader compares kRenderModuleAbi's value from both sides before calling.
#pragma once

#include <string>

#include "casepack/report.h"
#include "casepack/report_layout.h"
#include "casepack/result.h"

namespace casepack {

inline constexpr const char* kRenderModuleFile = "casepack-render.so";
inline constexpr const char* kRenderModuleAbiSymbol = "casepack_render_abi";
inline constexpr const char* kRenderModuleEntrySymbol = "casepack_render_report";

// The version and the sizes of the types crossing the boundary: a module from another build is refused.
#define CASEPACK_RENDER_MODULE_ABI_STRING(version)                                                          \
  (std::string(version) + " layout " + std::to_string(sizeof(::casepack::ReportLayout)) + " result " +      \
   std::to_string(sizeof(::casepack::Result<std::string>)) + " string " + std::to_string(sizeof(std::string)))

// casepack_render_abi: `const char* ()`, the module's CASEPACK_RENDER_MODULE_ABI_STRING.
using RenderModuleAbi = const char* (*)();
// casepack_render_report: renders `layout` as PDF or Word with RenderOptionsFromEnvironment() into *out.
using RenderModuleEntry = void (*)(const ReportLayout* layout, ReportFormat format, Result<std::string>* out);

}  // namespace casepack
