#include "casepack/csv.h"

#include <algorithm>
#include <cctype>

namespace casepack {

namespace {

Error Invalid(std::string message, std::string hint = {}) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(hint));
}

// Length of the UTF-8 sequence at text[i], or 0 if it is not a valid one (overlong forms, surrogates and
// values above U+10FFFF refused).
std::size_t Utf8At(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (n == 3 && ((c == 0xe0 && b(i + 1) < 0xa0) || (c == 0xed && b(i + 1) >= 0xa0))) return 0;
  if (n == 4 && ((c == 0xf0 && b(i + 1) < 0x90) || (c == 0xf4 && b(i + 1) >= 0x90))) return 0;
  return n;
}

std::string LineText(std::size_t line) { return "line " + std::to_string(line); }

std::string Trim(std::string_view s) {
  std::size_t a = 0, z = s.size();
  while (a < z && (s[a] == ' ' || s[a] == '\t')) ++a;
  while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t')) --z;
  return std::string(s.substr(a, z - a));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  if (text.size() > kCsvMaxBytes)
    return Invalid("the file is larger than " + std::to_string(kCsvMaxBytes >> 20) + " MiB", "split it into smaller files");
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  std::vector<CsvRecord> out;
  CsvRecord record;
  std::string field;
  std::size_t line = 1;
  record.line = 1;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field was quoted (and is closed)
  bool any = false;          // the current record has content (a field, a separator or quotes)
  const auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  const auto end_record = [&]() -> Status {
    if (any) {
      end_field();
      if (out.size() >= kCsvMaxRecords) return Invalid("more than " + std::to_string(kCsvMaxRecords) + " rows");
      out.push_back(std::move(record));
    }
    record = CsvRecord{};
    field.clear();
    was_quoted = false;
    any = false;
    return Ok();
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\0') return Invalid(LineText(line) + ": a NUL byte: this is not a text file");
    const std::size_t n = Utf8At(text, i);
    if (n == 0) return Invalid(LineText(line) + ": bytes that are not UTF-8", "save the file as CSV UTF-8");
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        was_quoted = true;
        ++i;
        continue;
      }
      if (c == '\r') {  // CRLF (or a lone CR) inside a quoted field: one line break
        field += '\n';
        ++line;
        i += (i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
        continue;
      }
      if (c == '\n') ++line;
      field.append(text.substr(i, n));
      i += n;
      continue;
    }
    if (c == ',') {
      any = true;
      end_field();
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      CP_RETURN_IF_ERROR(end_record());
      ++line;
      record.line = line;
      continue;
    }
    if (was_quoted) {
      if (c == ' ' || c == '\t') {  // spaces after a closing quote are tolerated
        ++i;
        continue;
      }
      return Invalid(LineText(line) + ": text after a closing quote", "a quote inside a quoted field is written twice: \"\"");
    }
    if (c == '"') {
      if (!Trim(field).empty())
        return Invalid(LineText(line) + ": a quote inside a field that does not start with one",
                       "put the whole field in quotes and write the quote twice: \"\"");
      field.clear();  // spaces before an opening quote are dropped
      quoted = true;
      any = true;
      ++i;
      continue;
    }
    any = true;
    field.append(text.substr(i, n));
    i += n;
  }
  if (quoted) return Invalid("line " + std::to_string(record.line) + ": a quoted field is not closed", "every opening \" needs a closing \"");
  CP_RETURN_IF_ERROR(end_record());
  return out;
}

std::string FormatCsv(const std::vector<std::vector<std::string>>& records) {
  std::string out;
  for (const auto& r : records) {
    for (std::size_t k = 0; k < r.size(); ++k) {
      const std::string& f = r[k];
      const bool quote = f.empty() ? r.size() == 1
                                   : f.find_first_of(",\"\r\n") != std::string::npos || f.front() == ' ' ||
                                         f.front() == '\t' || f.back() == ' ' || f.back() == '\t' ||
                                         (k == 0 && f.starts_with("\xef\xbb\xbf"));
      if (k > 0) out += ',';
      if (!quote) {
        out += f;
        continue;
      }
      out += '"';
      for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

namespace {

bool IsColumnRow(const CsvRecord& r) {
  static constexpr std::string_view kColumns[] = {"date & time", "source", "significant event", "action taken", "analysis"};
  if (r.fields.size() != 5) return false;
  for (std::size_t k = 0; k < 5; ++k) {
    const std::string h = Lower(Trim(r.fields[k]));
    if (h != kColumns[k] && !(k == 0 && (h == "date and time" || h == "date"))) return false;
  }
  return true;
}

Result<Date> HeadingDate(const std::string& text) {
  return text.find('/') != std::string::npos ? ParseUkDate(text) : ParseDate(text);
}

// One heading row of 001 Appendix 1 ("Subject name,Baby R"; "Time period covered,01/09/2025,31/08/2026";
// "Completed by,…"; "Date,…"; "Version,…"; a title row "Practice Review Chronology" is skipped) into `h`.
// `seen` holds the labels already given. Returns false (no error) when the row is not a heading row.
Result<bool> ReadHeadingRow(const CsvRecord& r, ChronologyHeader& h, std::vector<std::string>& seen) {
  std::string label = Lower(Trim(r.fields[0]));
  while (!label.empty() && (label.back() == ':' || label.back() == ' ')) label.pop_back();
  std::vector<std::string> values;
  for (std::size_t k = 1; k < r.fields.size(); ++k) values.push_back(Trim(r.fields[k]));
  while (!values.empty() && values.back().empty()) values.pop_back();  // a spreadsheet pads rows to 5 columns
  const std::string where = LineText(r.line) + ": ";
  if (label == "practice review chronology" || label == "chronology") return values.empty();
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"subject name", "subject"}, {"subject", "subject"}, {"time period covered", "period"}, {"period covered", "period"},
      {"completed by", "completed-by"}, {"date", "date"}, {"version", "version"}};
  std::string field;
  for (const auto& [text, f] : kLabels)
    if (label == text) field = f;
  if (field.empty()) return false;
  // "Date" is also the first column's name: "date,event" is a wrong column row, not a heading without a date.
  if (field == "date" && !values.empty() &&
      std::none_of(values[0].begin(), values[0].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return false;
  if (std::find(seen.begin(), seen.end(), field) != seen.end()) return Invalid(where + "the heading gives '" + label + "' twice");
  seen.push_back(field);
  if (field == "period") {
    // FROM,TO in two cells, or "FROM - TO" (also "–", "to") in one.
    if (values.size() == 1) {
      for (std::string_view sep : {" \u2013 ", " - ", " to "}) {
        if (auto at = values[0].find(sep); at != std::string::npos) {
          values = {Trim(values[0].substr(0, at)), Trim(values[0].substr(at + sep.size()))};
          break;
        }
      }
    }
    if (values.size() != 2) return Invalid(where + "the time period covered needs two dates, from and to");
    auto from = HeadingDate(values[0]);
    if (!from.ok()) return Invalid(where + "date '" + values[0].substr(0, 20) + "': " + from.error().message);
    auto to = HeadingDate(values[1]);
    if (!to.ok()) return Invalid(where + "date '" + values[1].substr(0, 20) + "': " + to.error().message);
    h.from = *from;
    h.to = *to;
  } else {
    if (values.size() > 1) return Invalid(where + "'" + label + "' takes one value, in the next column");
    const std::string value = values.empty() ? std::string() : values[0];
    if (field == "date") {
      if (!value.empty()) {
        auto d = HeadingDate(value);
        if (!d.ok()) return Invalid(where + "date '" + value.substr(0, 20) + "': " + d.error().message);
        h.date = *d;
      }
    } else {
      (field == "subject" ? h.subject : field == "version" ? h.version : h.completed_by) = value;
    }
  }
  if (Status st = ValidateChronologyHeader(h); !st.ok()) return Invalid(where + st.error().message);
  return true;
}

}  // namespace

Result<ChronologyFile> ParseChronologyFile(std::string_view text) {
  CP_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text));
  if (records.empty()) return Invalid("the file has no rows", "the first row names the five columns of 001 Appendix 1");
  ChronologyFile file;
  std::vector<std::string> seen;
  std::size_t first = 0;
  for (; first < records.size() && !IsColumnRow(records[first]); ++first) {
    CP_ASSIGN_OR_RETURN(bool heading, ReadHeadingRow(records[first], file.header, seen));
    if (!heading) break;
  }
  if (first == records.size() || !IsColumnRow(records[first]))
    return Invalid(LineText(records[std::min(first, records.size() - 1)].line) +
                       ": the first row must name the five columns: Date & Time, Source, Significant Event, Action Taken, "
                       "Analysis (after the heading rows, if any: Subject name, Time period covered, Completed by, Date, "
                       "Version)",
                   "the chronology template of 001 Appendix 1, saved as CSV (docs/chronology-csv.md)");
  std::vector<std::string> problems;
  for (std::size_t r = first + 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::string where = LineText(rec.line) + ": ";
    if (rec.fields.size() != 5) {
      problems.push_back(where + std::to_string(rec.fields.size()) + " columns, not 5");
      continue;
    }
    ChronologyEntry e;
    const std::string when = Trim(rec.fields[0]);
    auto parsed = when.find('/') != std::string::npos ? ParseUkDateTime(when) : ParseDateTime(when);
    if (!parsed.ok()) {
      problems.push_back(where + "date '" + when.substr(0, 20) + "': " + parsed.error().message);
      continue;
    }
    e.when = *parsed;
    e.source = Trim(rec.fields[1]);
    e.significant_event = rec.fields[2];
    e.action_taken = rec.fields[3];
    e.analysis = rec.fields[4];
    if (Status st = ValidateChronologyEntry(e); !st.ok()) {
      problems.push_back(where + st.error().message);
      continue;
    }
    file.entries.push_back(std::move(e));
  }
  if (!problems.empty()) {
    std::string message = std::to_string(problems.size()) + " row(s) cannot be imported, so none is: ";
    for (std::size_t k = 0; k < problems.size() && k < 10; ++k) message += (k ? "; " : "") + problems[k];
    if (problems.size() > 10) message += "; and " + std::to_string(problems.size() - 10) + " more";
    return Invalid(message, "correct the file and import it again");
  }
  if (file.entries.empty()) return Invalid("the file has a header but no entries");
  return file;
}

Result<std::vector<ChronologyEntry>> ParseChronologyCsv(std::string_view text) {
  CP_ASSIGN_OR_RETURN(ChronologyFile file, ParseChronologyFile(text));
  return std::move(file.entries);
}

}  // namespace casepack
