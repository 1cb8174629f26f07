// Text helpers shared by the report's layout builder and its Markdown/HTML writers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "casepack/report_layout.h"

namespace casepack::internal {

bool Blank(std::string_view s);
std::string Trim(std::string_view s);
inline std::vector<std::vector<std::string>> Paragraphs(std::string_view text) { return ReportParagraphs(text); }

}  // namespace casepack::internal
