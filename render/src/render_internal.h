// Shared by the PDF and Word writers.
#pragma once

#include <string_view>

#include "casepack/result.h"

namespace casepack::internal {

// Ok when fontconfig has the family itself installed (not merely a substitute). kNotFound otherwise.
Status CheckFont(std::string_view family);

}  // namespace casepack::internal
