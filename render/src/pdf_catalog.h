// The PDF catalog entries cairo 1.16 cannot write (/Lang, /MarkInfo, /ViewerPreferences), and the /Lang of
// single structure elements (cairo 1.16's tag attributes have no language), added with qpdf.
// Kept apart from pdf.cpp, with a plain interface, because qpdf 11's headers do not compile as C++20
// under clang 14 (the fuzz preset): this file alone is built as C++17 there.
#pragma once

#include <string>
#include <vector>

namespace casepack::render_detail {

// Copies `pdf` to `out` with the document language `lang`, marked as tagged, asking viewers to show the
// title. `element_langs` has one entry per structure element in the order they were begun (cairo writes
// the tree in that order, depth first); a non-empty entry becomes that element's /Lang. False if qpdf
// cannot read or write it, or the tree does not have exactly that many elements (nothing is thrown).
bool FinishPdfCatalog(const std::string& pdf, const std::string& lang, const std::vector<std::string>& element_langs,
                      std::string& out);

}  // namespace casepack::render_detail
