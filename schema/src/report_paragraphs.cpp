// Paragraph splitting, on its own so that the PDF/Word module (render/, casepack-render.so) can compile it in
// without the rest of schema.
#include <algorithm>
#include <cctype>

#include "casepack/report_layout.h"
#include "report_internal.h"

namespace casepack {

namespace internal {

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

}  // namespace internal

std::vector<std::vector<std::string>> ReportParagraphs(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> cur;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(pos, nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (internal::Blank(line)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(std::move(line));
    }
    pos = nl + 1;
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace casepack
