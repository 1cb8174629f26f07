// Markdown and HTML writers of the report layout (report_layout.h).
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "casepack/report_layout.h"
#include "report_internal.h"

namespace casepack {

namespace {

using internal::Blank;
using internal::Paragraphs;
using internal::Trim;

// ---- Markdown -------------------------------------------------------------------------------------------

// Escapes one line of user text for CommonMark/GFM: inline syntax everywhere and, when the text starts a
// block (a paragraph line, a list item), block syntax at its start. '<' and '&' are escaped too, because
// Markdown viewers pass raw HTML through.
std::string MdEscapeLine(std::string_view line, bool block_start = true) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') out += line[i++];
  // Block markers at the start of a line: headings, lists, quotes, rules, ordered lists ("1.").
  std::size_t j = i;
  while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
  const bool ordered = block_start && j > i && j < line.size() && (line[j] == '.' || line[j] == ')');
  for (std::size_t k = i; k < line.size(); ++k) {
    const char c = line[k];
    const bool start = k == i;
    // '&' only where it could begin an entity reference ("&lt;", "&#60;"); "Date & Time" stays readable.
    const bool entity = c == '&' && k + 1 < line.size() &&
                        (std::isalnum(static_cast<unsigned char>(line[k + 1])) || line[k + 1] == '#');
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '<' || c == '>' ||
        c == '|' || entity || c == '~' || c == '#' || c == '!' ||
        (block_start && start && (c == '-' || c == '+' || c == '=')) || (ordered && k == j)) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// Table cells, list items, field values: one line, line breaks as <br>. Only the very start of the text
// can start a block (a list item's content), and only when `block_start`.
std::string MdInline(std::string_view text, bool block_start = false) {
  std::string out;
  for (const auto& para : Paragraphs(text)) {
    for (const auto& line : para) {
      const bool first = out.empty();
      if (!first) out += "<br>";
      out += MdEscapeLine(Trim(line), block_start && first);
    }
  }
  return out;
}

std::string MdText(const LayoutText& t, bool block_start = false) {
  std::string out = MdInline(t.main, block_start);
  if (!t.warning.empty()) out += (out.empty() ? "" : " ") + std::string("**") + MdInline(t.warning) + "**";
  return out;
}

std::string RenderMarkdown(const ReportLayout& doc) {
  std::string out = "**" + MdEscapeLine(doc.marking, false) + "** · " + MdEscapeLine(doc.running_header, false) +
                    "\n\n# " + MdEscapeLine(doc.title, false) + "\n";
  for (const auto& b : doc.blocks) {
    out += "\n";
    switch (b.kind) {
      case LayoutBlock::Kind::kHeading:
        if (b.page_break) out += "---\n\n";
        out += std::string(static_cast<std::size_t>(std::clamp(b.level, 1, 6)), '#') + " " +
               MdEscapeLine(b.text.main, false) + "\n";
        break;
      case LayoutBlock::Kind::kParagraph: {
        const auto paras = Paragraphs(b.text.main);
        bool first = true;
        for (const auto& p : paras) {
          if (!first) out += "\n";
          first = false;
          for (std::size_t i = 0; i < p.size(); ++i) {
            out += MdEscapeLine(p[i]) + (i + 1 < p.size() ? "  \n" : "\n");
          }
        }
        if (!b.text.warning.empty()) out += "\n**" + MdInline(b.text.warning) + "**\n";
        break;
      }
      case LayoutBlock::Kind::kAlert: out += "> **" + MdInline(b.text.main) + "**\n"; break;
      case LayoutBlock::Kind::kFields:
        for (const auto& [label, value] : b.fields) {
          // A label that is a question ("How could this event be improved?") takes no colon.
          const bool question = !label.empty() && label.back() == '?';
          out += "- **" + MdEscapeLine(label, false) + (question ? "**" : ":**") + " " + MdText(value) + "\n";
        }
        break;
      case LayoutBlock::Kind::kTable: {
        out += "|";
        for (const auto& h : b.headers) out += " " + MdEscapeLine(h, false) + " |";
        out += "\n|";
        for (std::size_t i = 0; i < b.headers.size(); ++i) out += " --- |";
        out += "\n";
        for (const auto& row : b.rows) {
          out += "|";
          for (const auto& cell : row) out += " " + MdText(cell) + " |";
          out += "\n";
        }
        break;
      }
      case LayoutBlock::Kind::kList:
        for (const auto& item : b.items) out += "- " + MdText(item, true) + "\n";
        break;
      case LayoutBlock::Kind::kSignature:
        for (const auto& role : b.signatories) {
          out += "**" + MdEscapeLine(role, false) + "**\n\n";
          for (std::size_t i = 0; i < b.headers.size(); ++i) {
            const bool last = i + 1 == b.headers.size();
            out += MdEscapeLine(b.headers[i], false) + ": ";
            for (int k = 0; k < (last ? 10 : 16); ++k) out += "\\_";
            out += last ? "\n\n" : "  \n";
          }
        }
        break;
    }
  }
  return out;
}

// ---- HTML -----------------------------------------------------------------------------------------------

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab/newline have no business in a report.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "&#xFFFD;";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string HtmlInline(std::string_view text) {  // line breaks become <br>
  std::string out;
  for (const auto& para : Paragraphs(text)) {
    for (const auto& line : para) {
      if (!out.empty()) out += "<br>";
      out += HtmlEscape(Trim(line));
    }
  }
  return out;
}

std::string HtmlText(const LayoutText& t) {
  std::string out = t.lang.empty() ? HtmlInline(t.main)
                                   : "<span lang=\"" + HtmlEscape(t.lang) + "\">" + HtmlInline(t.main) + "</span>";
  if (!t.warning.empty()) {
    out += (out.empty() ? "" : " ") + std::string("<span class=\"conflict\">") + HtmlInline(t.warning) + "</span>";
  }
  return out;
}

constexpr std::string_view kCss = R"css(
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #111; max-width: 50em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 16pt; border-bottom: 2px solid #333; padding-bottom: 0.2em; }
h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 11.5pt; margin-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #777; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
dl.fields { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em; }
dl.fields dt { font-weight: bold; }
dl.fields dd { margin: 0; }
.conflict { color: #8a1c00; font-weight: bold; }
.marking { font-weight: bold; text-align: center; letter-spacing: 0.05em; margin: 0.3em 0; }
.running { text-align: center; color: #444; margin: 0; }
dl.stacked { display: block; }
dl.stacked dd { margin: 0 0 0.6em 0; }
.sign { margin: 1em 0; page-break-inside: avoid; break-inside: avoid; }
.sign .role { font-weight: bold; }
.sign .label { display: inline-block; width: 9em; }
.sign .line { display: inline-block; width: 20em; border-bottom: 1px solid #111; height: 1.6em; }
.new-page { break-before: page; page-break-before: always; }
.alert { border: 2px solid #8a1c00; padding: 0.4em 0.6em; color: #8a1c00; font-weight: bold; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  @page { size: A4; margin: 18mm 15mm; }
  h1, h2, h3 { page-break-after: avoid; break-after: avoid; }
  tr, .alert, dl.fields { page-break-inside: avoid; break-inside: avoid; }
  th { background: #e8e8e8 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

std::string RenderHtml(const ReportLayout& doc) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"" + HtmlEscape(doc.language) + "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      HtmlEscape(doc.title) + "</title>\n<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n"
      "<p class=\"marking\">" + HtmlEscape(doc.marking) + "</p>\n<p class=\"running\">" +
      HtmlEscape(doc.running_header) + "</p>\n<h1>" + HtmlEscape(doc.title) + "</h1>\n";
  for (const auto& b : doc.blocks) {
    // A block in another language than the document's (the English half of a bilingual report).
    const std::string la = b.lang.empty() ? std::string() : " lang=\"" + HtmlEscape(b.lang) + "\"";
    switch (b.kind) {
      case LayoutBlock::Kind::kHeading: {
        const std::string tag = "h" + std::to_string(std::clamp(b.level, 1, 6));
        out += "<" + tag + la + (b.page_break ? " class=\"new-page\"" : "") + ">" + HtmlEscape(b.text.main) + "</" +
               tag + ">\n";
        break;
      }
      case LayoutBlock::Kind::kParagraph:
        for (const auto& p : Paragraphs(b.text.main)) {
          out += "<p" + la + ">";
          for (std::size_t i = 0; i < p.size(); ++i) out += (i ? "<br>" : "") + HtmlEscape(p[i]);
          out += "</p>\n";
        }
        if (!b.text.warning.empty()) out += "<p class=\"conflict\"" + la + ">" + HtmlInline(b.text.warning) + "</p>\n";
        break;
      case LayoutBlock::Kind::kAlert: out += "<p class=\"alert\"" + la + ">" + HtmlInline(b.text.main) + "</p>\n"; break;
      case LayoutBlock::Kind::kFields:
        out += std::string(b.stacked ? "<dl class=\"fields stacked\"" : "<dl class=\"fields\"") + la + ">\n";
        for (const auto& [label, value] : b.fields) {
          out += "<dt>" + HtmlEscape(label) + "</dt><dd>" + HtmlText(value) + "</dd>\n";
        }
        out += "</dl>\n";
        break;
      case LayoutBlock::Kind::kTable:
        out += "<table" + la + ">\n<thead><tr>";
        for (const auto& h : b.headers) out += "<th>" + HtmlEscape(h) + "</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (const auto& row : b.rows) {
          out += "<tr>";
          for (const auto& cell : row) out += "<td>" + HtmlText(cell) + "</td>";
          out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
        break;
      case LayoutBlock::Kind::kList:
        out += "<ul" + la + ">\n";
        for (const auto& item : b.items) out += "<li>" + HtmlText(item) + "</li>\n";
        out += "</ul>\n";
        break;
      case LayoutBlock::Kind::kSignature:
        for (const auto& role : b.signatories) {
          out += "<div class=\"sign\"" + la + "><p class=\"role\">" + HtmlEscape(role) + "</p>";
          for (const auto& label : b.headers)
            out += "<p><span class=\"label\">" + HtmlEscape(label) + "</span><span class=\"line\"></span></p>";
          out += "</div>\n";
        }
        break;
    }
  }
  out += "<p class=\"marking\">" + HtmlEscape(doc.marking) + "</p>\n</body>\n</html>\n";
  return out;
}


}  // namespace

std::string RenderTextLayout(const ReportLayout& layout, ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown: return RenderMarkdown(layout);
    case ReportFormat::kHtml: return RenderHtml(layout);
    default: break;
  }
  std::abort();  // REQUIRES: a text format
}

}  // namespace casepack
