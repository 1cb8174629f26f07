// The PDF catalog entries cairo 1.16 cannot write (/Lang, /MarkInfo, /ViewerPreferences), added with qpdf.
// Kept apart from pdf.cpp, with a plain interface, because qpdf 11's headers do not compile as C++20
// under clang 14 (the fuzz preset): this file alone is built as C++17 there.
#pragma once

#include <string>

namespace casepack::render_detail {

// Copies `pdf` to `out` with the document language `lang`, marked as tagged, asking viewers to show the
// title. False if qpdf cannot read or write it (nothing is thrown).
bool FinishPdfCatalog(const std::string& pdf, const std::string& lang, std::string& out);

}  // namespace casepack::render_detail
