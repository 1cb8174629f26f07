// CSV as agencies' spreadsheets write it (RFC 4180, tolerantly): fields separated by commas, records by CRLF
// or LF; a field in double quotes may hold commas, quotes (doubled) and line breaks; a UTF-8 byte order mark
// at the start is skipped. Used to import an agency's chronology (001 Appendix 1): docs/chronology-csv.md,
// vectors in tests/vectors/chronology_csv/. Pure; bounded; never throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/domain.h"
#include "casepack/result.h"

namespace casepack {

struct CsvRecord {
  std::size_t line = 0;  // the line the record starts on, 1-based (a quoted field may span lines)
  std::vector<std::string> fields;
};

inline constexpr std::size_t kCsvMaxBytes = 16u << 20;  // 16 MiB
inline constexpr std::size_t kCsvMaxRecords = 100000;

// kInvalidArgument naming the line: a quoted field not closed, text after a closing quote, a quote inside
// an unquoted field, bytes that are not UTF-8, a NUL byte, over the limits. Records that are entirely empty
// (blank lines) are skipped. A line break inside a quoted field is kept as "\n" (CRLF becomes LF).
[[nodiscard]] Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

// The canonical form: every field that holds a comma, a quote, a line break or leading/trailing space is
// quoted (quotes doubled), records end with CRLF. ParseCsv(FormatCsv(r)) gives back r's fields.
[[nodiscard]] std::string FormatCsv(const std::vector<std::vector<std::string>>& records);

// An agency's chronology (001 Appendix 1): a header row naming the five columns in order — "Date & Time"
// (or "Date and Time", "Date"), "Source", "Significant Event", "Action Taken", "Analysis", compared
// case-insensitively — then one row per entry, dates DD/MM/YYYY [HH:MM] or YYYY-MM-DD[THH:MM]. Every row is
// checked; on any error nothing is returned: kInvalidArgument listing up to 10 problems, each with its line
// ("line 7: date '31/02/2026': day 31 is not in February 2026 …"), and how many more.
[[nodiscard]] Result<std::vector<ChronologyEntry>> ParseChronologyCsv(std::string_view text);

// The same file with 001 Appendix 1's heading: optional rows before the column row, each a label and its
// value(s) — "Subject name", "Time period covered" (from and to: two cells, or "FROM - TO" in one),
// "Completed by", "Date", "Version" (labels case-insensitive, a trailing ':' ignored, each at most once;
// a title row "Practice Review Chronology" is skipped). kInvalidArgument naming the line for a date that is
// not one, a period that runs backwards, a label given twice; nothing is returned on any error.
struct ChronologyFile {
  ChronologyHeader header;  // empty when the file has no heading rows
  std::vector<ChronologyEntry> entries;
};
[[nodiscard]] Result<ChronologyFile> ParseChronologyFile(std::string_view text);

}  // namespace casepack
