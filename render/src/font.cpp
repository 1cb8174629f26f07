// The font check and the options from the environment: shared by the PDF and Word writers, in the static
// library and in the module (casepack-render.so).
#include <fontconfig/fontconfig.h>

#include <cstdlib>
#include <string>
#include <strings.h>

#include "casepack/render.h"
#include "render_internal.h"

namespace casepack {

namespace internal {

Status CheckFont(std::string_view family) {
  if (family.empty() || family.find_first_of(":,=") != std::string_view::npos)
    return MakeError(ErrorCode::kInvalidArgument, "font family name is empty or has ':', ',' or '='");
  FcConfig* config = FcInitLoadConfigAndFonts();
  if (config == nullptr) return MakeError(ErrorCode::kIo, "fontconfig could not load its configuration");
  FcPattern* pattern = FcPatternCreate();
  const std::string name(family);
  FcPatternAddString(pattern, FC_FAMILY, reinterpret_cast<const FcChar8*>(name.c_str()));
  FcConfigSubstitute(config, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(config, pattern, &result);
  bool found = false;
  if (match != nullptr) {
    FcChar8* got = nullptr;
    for (int i = 0; FcPatternGetString(match, FC_FAMILY, i, &got) == FcResultMatch; ++i) {
      if (strcasecmp(reinterpret_cast<const char*>(got), name.c_str()) == 0) found = true;
    }
    FcPatternDestroy(match);
  }
  FcPatternDestroy(pattern);
  FcConfigDestroy(config);
  if (!found) {
    return MakeError(ErrorCode::kNotFound, "font '" + name + "' is not installed",
                     "install fonts-dejavu-core (DejaVu Sans), or set CASEPACK_REPORT_FONT to an installed family "
                     "(fc-list : family)");
  }
  return Ok();
}

}  // namespace internal

RenderOptions RenderOptionsFromEnvironment() {
  RenderOptions o;
  if (const char* f = std::getenv("CASEPACK_REPORT_FONT"); f != nullptr && *f != '\0') o.font_family = f;
  return o;
}

}  // namespace casepack
