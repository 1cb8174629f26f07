// Lining up text in a terminal: columns are counted in what a terminal shows (a "ï" or "ŵ" is one column,
// a combining accent none, a CJK character two), not in UTF-8 bytes, so that "Gwenllïan" rows line up
// with "Gwenllian" ones. Widths follow ICU's East Asian Width and general category (Debian's libicu).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace casepack {

// The columns `text` takes in a terminal (UTF-8; an invalid byte counts as one column).
[[nodiscard]] std::size_t DisplayWidth(std::string_view text);

// `text` padded with spaces to exactly `width` columns; a longer text is cut at a character boundary and
// ends in "…" so that it never pushes the next column along.
[[nodiscard]] std::string FitColumn(std::string_view text, std::size_t width);

// `text` padded with spaces to at least `width` columns, never cut: for labels, which must be read whole.
[[nodiscard]] std::string PadColumn(std::string_view text, std::size_t width);

}  // namespace casepack
