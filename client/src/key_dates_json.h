// Private to the client library: how the case index (cases.key_dates) and tombstones store a case's key
// dates: one JSON object, {"<key>": "YYYY-MM-DD"} (docs/store.md).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"

namespace casepack {

using KeyDates = std::map<std::string, Date, std::less<>>;

inline nlohmann::json KeyDatesToJson(const KeyDates& dates) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, d] : dates) j[k] = FormatDate(d);
  return j;
}

// What cannot be read (not JSON, not a date) is left out: the index is rebuilt from the case's history.
inline KeyDates KeyDatesFromJson(std::string_view text) {
  KeyDates out;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items())
    if (v.is_string())
      if (auto d = ParseDate(v.get<std::string>()); d.ok()) out.emplace(k, *d);
  return out;
}

}  // namespace casepack
