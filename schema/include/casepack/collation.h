// Sorting people's names and places as the reader's language does: the Welsh alphabet when the language is
// Welsh (ch, dd, ff, ng, ll, ph, rh and th are letters of their own, so "Llinos" comes after "Lowri" and
// "Chris" after "Catrin"), English rules otherwise. ICU's collation for "cy" (Debian's libicu, CLDR) does
// this; the rule and its limits are written down in docs/labels.md ("Sorting").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/labels.h"

namespace casepack {

class NameCollator {
 public:
  explicit NameCollator(Language lang);
  ~NameCollator();
  NameCollator(const NameCollator&) = delete;
  NameCollator& operator=(const NameCollator&) = delete;

  // <0, 0, >0 as a sorts before, with, after b (UTF-8; invalid bytes compare as U+FFFD).
  [[nodiscard]] int Compare(std::string_view a, std::string_view b) const;
  [[nodiscard]] bool Less(std::string_view a, std::string_view b) const { return Compare(a, b) < 0; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sorts `names` in place (stable) by the language's alphabet.
void SortNames(std::vector<std::string>& names, Language lang);

}  // namespace casepack
