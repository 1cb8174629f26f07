#include "casepack/collation.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdlib>

namespace casepack {

struct NameCollator::Impl {
  std::unique_ptr<icu::Collator> collator;
};

NameCollator::NameCollator(Language lang) : impl_(std::make_unique<Impl>()) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Locale locale = lang == Language::kWelsh ? icu::Locale("cy", "GB") : icu::Locale("en", "GB");
  impl_->collator.reset(icu::Collator::createInstance(locale, status));
  // ICU always has the root collation to fall back to; failing here means ICU's data is missing.
  if (U_FAILURE(status) || !impl_->collator) std::abort();
  // Accents and case matter only to break ties: "Ŵyn" sorts with "Wyn", "alys" with "Alys".
  impl_->collator->setStrength(icu::Collator::TERTIARY);
}

NameCollator::~NameCollator() = default;

int NameCollator::Compare(std::string_view a, std::string_view b) const {
  UErrorCode status = U_ZERO_ERROR;
  const auto r = impl_->collator->compareUTF8(icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
                                              icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
  if (U_FAILURE(status)) return a.compare(b);
  return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

void SortNames(std::vector<std::string>& names, Language lang) {
  const NameCollator c(lang);
  std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) { return c.Less(a, b); });
}

}  // namespace casepack
