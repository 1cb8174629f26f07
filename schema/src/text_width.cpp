#include "casepack/text_width.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace casepack {

namespace {

// One code point's columns: 0 for combining marks and format characters, 2 for wide and fullwidth ones.
std::size_t CodePointWidth(UChar32 c) {
  if (c < 0) return 1;  // an invalid byte: shown as one replacement character
  const auto category = static_cast<UCharCategory>(u_charType(c));
  if (category == U_NON_SPACING_MARK || category == U_ENCLOSING_MARK || category == U_FORMAT_CHAR || c == 0) return 0;
  const auto eaw = static_cast<UEastAsianWidth>(u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH));
  return eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH ? 2 : 1;
}

}  // namespace

std::size_t DisplayWidth(std::string_view text) {
  std::size_t width = 0;
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto n = static_cast<std::int32_t>(text.size());
  for (std::int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    width += CodePointWidth(c);
  }
  return width;
}

std::string PadColumn(std::string_view text, std::size_t width) {
  const std::size_t used = DisplayWidth(text);
  return std::string(text) + std::string(used < width ? width - used : 0, ' ');
}

std::string FitColumn(std::string_view text, std::size_t width) {
  std::size_t used = DisplayWidth(text);
  if (used <= width) return std::string(text) + std::string(width - used, ' ');
  // Cut so that what is kept, plus "…" (one column), fits.
  std::string out;
  used = 0;
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto n = static_cast<std::int32_t>(text.size());
  for (std::int32_t i = 0; i < n && width > 0;) {
    const std::int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    const std::size_t w = CodePointWidth(c);
    if (used + w > width - 1) break;
    out.append(text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
    used += w;
  }
  if (width > 0) {
    out += "\xE2\x80\xA6";
    ++used;
  }
  return out + std::string(width - used, ' ');
}

}  // namespace casepack
