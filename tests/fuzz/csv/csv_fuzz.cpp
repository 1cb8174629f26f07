// Fuzzes the CSV reader behind `chronology import` (an agency's file: outside input; docs/chronology-csv.md).
// Nothing may crash; whatever parses must survive the canonical round trip: FormatCsv of the fields parses
// back to the same fields, and FormatCsv of that is byte-for-byte the same file (age's rule: a parser and
// its writer agree). Seeded with the bodies of tests/vectors/chronology_csv/.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/csv.h"

namespace {
std::vector<std::vector<std::string>> Fields(const std::vector<casepack::CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : records) out.push_back(r.fields);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)casepack::ParseChronologyCsv(text);
  auto parsed = casepack::ParseCsv(text);
  if (!parsed.ok()) return 0;
  const auto fields = Fields(*parsed);
  const std::string canonical = casepack::FormatCsv(fields);
  if (canonical.size() > casepack::kCsvMaxBytes) return 0;  // quoting grew it past the reader's limit
  auto again = casepack::ParseCsv(canonical);
  if (!again.ok() || Fields(*again) != fields) std::abort();
  if (casepack::FormatCsv(Fields(*again)) != canonical) std::abort();
  return 0;
}
