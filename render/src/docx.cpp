// Word (OOXML, ECMA-376 transitional) from the report layout: heading styles with outline levels, real
// tables with repeating header rows, bulleted lists, the marking and running header in the page header,
// the marking and "Page N of M" (PAGE / NUMPAGES fields) in the footer, A4. Zipped with libarchive.
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "casepack/render.h"
#include "render_internal.h"

namespace casepack {

namespace {

constexpr int kBodyTwips = 11906 - 2 * 1134;  // A4 width less 2 cm margins

std::string Xml(std::string_view s) {
  std::string valid(s);
  if (!g_utf8_validate(valid.data(), static_cast<gssize>(valid.size()), nullptr)) {
    gchar* fixed = g_utf8_make_valid(valid.data(), static_cast<gssize>(valid.size()));
    valid = fixed;
    g_free(fixed);
  }
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 forbids most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

struct RunStyle {
  bool bold = false;
  bool warning = false;
  std::string lang;
};

// One run per line; line breaks inside the text become <w:br/>.
std::string Runs(std::string_view text, const RunStyle& st) {
  std::string props;
  if (st.bold || st.warning) props += "<w:b/>";
  if (st.warning) props += "<w:color w:val=\"8A1C00\"/>";
  if (!st.lang.empty()) props += "<w:lang w:val=\"" + Xml(st.lang) + "\"/>";
  const std::string rpr = props.empty() ? "" : "<w:rPr>" + props + "</w:rPr>";
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "<w:r>" + rpr + (first ? "" : "<w:br/>") + "<w:t xml:space=\"preserve\">" + Xml(line) + "</w:t></w:r>";
    first = false;
    pos = nl + 1;
  }
  return out;
}

std::string TextRuns(const LayoutText& t, bool bold = false) {
  std::string out = Runs(t.main, {bold, false, t.lang});
  if (!t.warning.empty()) out += "<w:r><w:br/></w:r>" + Runs(t.warning, {true, true, t.lang});
  return out;
}

// `t` in the block's language when it has none of its own (the English half of a bilingual report).
LayoutText In(LayoutText t, const std::string& lang) {
  if (t.lang.empty()) t.lang = lang;
  return t;
}

std::string Para(const std::string& runs, const std::string& style = {}, const std::string& extra_ppr = {}) {
  std::string ppr = (style.empty() ? "" : "<w:pStyle w:val=\"" + style + "\"/>") + extra_ppr;
  return "<w:p>" + (ppr.empty() ? "" : "<w:pPr>" + ppr + "</w:pPr>") + runs + "</w:p>";
}

// User text keeps its paragraphs (blank lines) and line breaks.
std::string Paragraphs(const LayoutText& t, const std::string& extra_ppr = {}) {
  const auto paras = ReportParagraphs(t.main);
  std::string out;
  for (std::size_t i = 0; i < paras.size(); ++i) {
    std::string body;
    for (const auto& line : paras[i]) body += (body.empty() ? "" : "\n") + line;
    const bool last = i + 1 == paras.size();
    out += Para(TextRuns({body, last ? t.warning : std::string(), t.lang}), {}, extra_ppr);
  }
  if (paras.empty()) out += Para(TextRuns({{}, t.warning, t.lang}), {}, extra_ppr);
  return out;
}

std::string Cell(const std::string& content, int width, bool shaded) {
  return "<w:tc><w:tcPr><w:tcW w:w=\"" + std::to_string(width) + "\" w:type=\"dxa\"/>" +
         (shaded ? "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E0E0E0\"/>" : "") + "</w:tcPr>" + content + "</w:tc>";
}

std::string Table(const std::vector<std::string>& headers, std::vector<double> weights,
                  const std::vector<std::vector<LayoutText>>& rows, bool label_column, bool grid,
                  const std::string& lang) {
  const std::size_t ncols = headers.empty() ? (rows.empty() ? 0 : rows[0].size()) : headers.size();
  if (ncols == 0) return {};
  weights.resize(ncols, 1.0);
  double total = 0;
  for (double w : weights) total += w;
  std::vector<int> widths;
  for (double w : weights) widths.push_back(static_cast<int>(std::lround(kBodyTwips * w / total)));
  std::string out = "<w:tbl><w:tblPr><w:tblStyle w:val=\"" + std::string(grid ? "ReportGrid" : "ReportFields") +
                    "\"/><w:tblW w:w=\"" + std::to_string(kBodyTwips) +
                    "\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/>"
                    "<w:tblLook w:val=\"04A0\" w:firstRow=\"" + (headers.empty() ? "0" : "1") +
                    "\" w:lastRow=\"0\" w:firstColumn=\"" + (label_column ? "1" : "0") +
                    "\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>";
  for (int w : widths) out += "<w:gridCol w:w=\"" + std::to_string(w) + "\"/>";
  out += "</w:tblGrid>";
  if (!headers.empty()) {
    out += "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>";
    for (std::size_t c = 0; c < ncols; ++c)
      out += Cell(Para(Runs(headers[c], {true, false, lang}), "TableText", ""), widths[c], true);
    out += "</w:tr>";
  }
  for (const auto& row : rows) {
    out += "<w:tr>";
    for (std::size_t c = 0; c < ncols; ++c) {
      const LayoutText empty;
      const LayoutText t = In(c < row.size() ? row[c] : empty, lang);
      std::string content;
      const bool bold = label_column && c == 0;
      const auto paras = ReportParagraphs(t.main);
      for (std::size_t i = 0; i < paras.size(); ++i) {
        std::string body;
        for (const auto& line : paras[i]) body += (body.empty() ? "" : "\n") + line;
        content += Para(TextRuns({body, i + 1 == paras.size() ? t.warning : std::string(), t.lang}, bold),
                        grid ? "TableText" : "");
      }
      if (paras.empty()) content = Para(TextRuns({{}, t.warning, t.lang}, bold), grid ? "TableText" : "");
      out += Cell(content, widths[c], false);
    }
    out += "</w:tr>";
  }
  out += "</w:tbl>" + Para("", {}, "<w:spacing w:before=\"0\" w:after=\"60\"/>");
  return out;
}

std::string Body(const ReportLayout& layout) {
  std::string out = Para(Runs(layout.title, {}), "Heading1");
  for (const auto& b : layout.blocks) {
    const std::string& lang = b.lang;  // every run of the block carries it (w:lang), when set
    switch (b.kind) {
      case LayoutBlock::Kind::kHeading:
        out += Para(Runs(b.text.main, {false, false, lang}), "Heading" + std::to_string(std::clamp(b.level, 1, 3)),
                    b.page_break ? "<w:pageBreakBefore/>" : "");
        break;
      case LayoutBlock::Kind::kParagraph: out += Paragraphs(In(b.text, lang)); break;
      case LayoutBlock::Kind::kAlert: out += Para(TextRuns(In(b.text, lang), true), "Alert"); break;
      case LayoutBlock::Kind::kList:
        for (const auto& item : b.items) out += Para(TextRuns(In(item, lang)), "ListBullet");
        break;
      case LayoutBlock::Kind::kTable: out += Table(b.headers, b.widths, b.rows, false, true, lang); break;
      case LayoutBlock::Kind::kFields:
        if (b.stacked) {
          for (const auto& [label, value] : b.fields) {
            out += Para(Runs(label, {true, false, lang}), "Question");
            out += Paragraphs(In(value, lang), "<w:ind w:left=\"284\"/>");
          }
        } else {
          std::vector<std::vector<LayoutText>> rows;
          for (const auto& [label, value] : b.fields) rows.push_back({{label, {}, {}}, value});
          out += Table({}, {1.1, 2.4}, rows, true, false, lang);
        }
        break;
      case LayoutBlock::Kind::kSignature:
        for (const auto& role : b.signatories) {
          out += Para(Runs(role, {true, false, lang}), {}, "<w:keepNext/><w:spacing w:before=\"240\"/>");
          for (std::size_t i = 0; i < b.headers.size(); ++i) {
            const std::string& label = b.headers[i];
            const bool last = i + 1 == b.headers.size();
            // A tab to 2.5 cm, then an underlined tab to the line's end: a line to write on.
            const int end = last ? 4800 : 7000;
            out += "<w:p><w:pPr>" + std::string(!last ? "<w:keepNext/>" : "") +
                   "<w:tabs><w:tab w:val=\"left\" w:pos=\"1800\"/><w:tab w:val=\"left\" w:pos=\"" + std::to_string(end) +
                   "\"/></w:tabs><w:spacing w:before=\"280\"/></w:pPr>" + Runs(label, {false, false, lang}) +
                   "<w:r><w:tab/></w:r><w:r><w:rPr><w:u w:val=\"single\"/></w:rPr><w:tab/></w:r></w:p>";
          }
        }
        break;
    }
  }
  return out;
}

constexpr std::string_view kNs =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

std::string DocumentXml(const ReportLayout& layout) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document " + std::string(kNs) + "><w:body>" +
         Body(layout) +
         "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/>"
         "<w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>"
         "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
         "<w:pgMar w:top=\"1500\" w:right=\"1134\" w:bottom=\"1300\" w:left=\"1134\" w:header=\"500\" w:footer=\"500\" w:gutter=\"0\"/>"
         "</w:sectPr></w:body></w:document>";
}

std::string HeaderXml(const ReportLayout& layout) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr " + std::string(kNs) + ">" +
         Para(Runs(layout.marking, {true, false, {}}), "Header", "<w:jc w:val=\"center\"/>") +
         Para(Runs(layout.running_header, {}), "Header",
              "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"4\" w:color=\"808080\"/></w:pBdr><w:jc w:val=\"center\"/>") +
         "</w:hdr>";
}

std::string FooterXml(const ReportLayout& layout) {
  auto field = [](std::string_view instr) {
    return "<w:fldSimple w:instr=\" " + std::string(instr) + " \\* MERGEFORMAT \"><w:r><w:t>1</w:t></w:r></w:fldSimple>";
  };
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr " + std::string(kNs) + ">" +
         "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:pBdr><w:top w:val=\"single\" w:sz=\"4\" w:space=\"4\" w:color=\"808080\"/></w:pBdr>"
         "<w:tabs><w:tab w:val=\"center\" w:pos=\"" + std::to_string(kBodyTwips / 2) + "\"/><w:tab w:val=\"right\" w:pos=\"" +
         std::to_string(kBodyTwips) + "\"/></w:tabs></w:pPr>" + Runs(layout.case_reference, {}) + "<w:r><w:tab/></w:r>" +
         Runs(layout.marking, {true, false, {}}) + "<w:r><w:tab/></w:r>" + Runs(layout.page_label + " ", {}) + field("PAGE") +
         Runs(" " + layout.page_of + " ", {}) + field("NUMPAGES") + "</w:p></w:ftr>";
}

std::string StylesXml(const ReportLayout& layout, const RenderOptions& o) {
  const std::string font = Xml(o.font_family);
  auto heading = [](int n, int size, int before) {
    const std::string id = "Heading" + std::to_string(n);
    return "<w:style w:type=\"paragraph\" w:styleId=\"" + id + "\"><w:name w:val=\"heading " + std::to_string(n) +
           "\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>"
           "<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"" + std::to_string(before) +
           "\" w:after=\"100\"/><w:outlineLvl w:val=\"" + std::to_string(n - 1) + "\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"" +
           std::to_string(size) + "\"/></w:rPr></w:style>";
  };
  const std::string border = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"737373\"";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles " + std::string(kNs) + ">" +
         "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"" + font + "\" w:hAnsi=\"" + font + "\" w:eastAsia=\"" +
         font + "\" w:cs=\"" + font + "\"/><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/><w:lang w:val=\"" + Xml(layout.language) +
         "\" w:eastAsia=\"" + Xml(layout.language) + "\" w:bidi=\"" + Xml(layout.language) + "\"/></w:rPr></w:rPrDefault>"
         "<w:pPrDefault><w:pPr><w:spacing w:after=\"100\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"
         "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>" +
         heading(1, 31, 0) + heading(2, 25, 280) + heading(3, 22, 200) +
         "<w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/><w:basedOn w:val=\"Normal\"/>"
         "<w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:sz w:val=\"17\"/></w:rPr></w:style>"
         "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>"
         "<w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:sz w:val=\"17\"/></w:rPr></w:style>"
         "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/>"
         "<w:pPr><w:spacing w:before=\"20\" w:after=\"20\"/></w:pPr><w:rPr><w:sz w:val=\"17\"/><w:szCs w:val=\"17\"/></w:rPr></w:style>"
         "<w:style w:type=\"paragraph\" w:styleId=\"Question\"><w:name w:val=\"Question\"/><w:basedOn w:val=\"Normal\"/>"
         "<w:pPr><w:keepNext/><w:spacing w:before=\"160\" w:after=\"40\"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>"
         "<w:style w:type=\"paragraph\" w:styleId=\"Alert\"><w:name w:val=\"Alert\"/><w:basedOn w:val=\"Normal\"/>"
         "<w:pPr><w:pBdr><w:top " + border + "/><w:left " + border + "/><w:bottom " + border + "/><w:right " + border +
         "/></w:pBdr><w:spacing w:before=\"120\" w:after=\"120\"/></w:pPr><w:rPr><w:b/><w:color w:val=\"8A1C00\"/></w:rPr></w:style>"
         "<w:style w:type=\"paragraph\" w:styleId=\"ListBullet\"><w:name w:val=\"List Bullet\"/><w:basedOn w:val=\"Normal\"/>"
         "<w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr><w:spacing w:after=\"40\"/><w:ind w:left=\"360\" w:hanging=\"360\"/></w:pPr></w:style>"
         "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>"
         "<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"85\" w:type=\"dxa\"/>"
         "<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
         "<w:style w:type=\"table\" w:styleId=\"ReportGrid\"><w:name w:val=\"Report Grid\"/><w:basedOn w:val=\"TableNormal\"/>"
         "<w:tblPr><w:tblBorders><w:top " + border + "/><w:left " + border + "/><w:bottom " + border + "/><w:right " + border +
         "/><w:insideH " + border + "/><w:insideV " + border + "/></w:tblBorders></w:tblPr></w:style>"
         "<w:style w:type=\"table\" w:styleId=\"ReportFields\"><w:name w:val=\"Report Fields\"/><w:basedOn w:val=\"TableNormal\"/>"
         "<w:tblPr><w:tblBorders><w:insideH w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"CCCCCC\"/>"
         "<w:bottom w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"CCCCCC\"/></w:tblBorders></w:tblPr></w:style>"
         "</w:styles>";
}

constexpr std::string_view kNumbering =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:abstractNum w:abstractNumId=\"0\"><w:multiLevelType w:val=\"singleLevel\"/><w:lvl w:ilvl=\"0\">"
    "<w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\xE2\x80\xA2\"/><w:lvlJc w:val=\"left\"/>"
    "<w:pPr><w:ind w:left=\"360\" w:hanging=\"360\"/></w:pPr></w:lvl></w:abstractNum>"
    "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>";

constexpr std::string_view kContentTypes =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/numbering.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml\"/>"
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
    "<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>"
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>";

constexpr std::string_view kRootRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "</Relationships>";

constexpr std::string_view kDocumentRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rIdNumbering\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/>"
    "<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>"
    "<Relationship Id=\"rIdHeader\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>"
    "<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>"
    "</Relationships>";

// Fields (PAGE, NUMPAGES) are updated by Word on open; LibreOffice computes them anyway.
constexpr std::string_view kSettings =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:updateFields w:val=\"true\"/><w:defaultTabStop w:val=\"709\"/><w:compat>"
    "<w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>"
    "</w:compat></w:settings>";

std::string CoreXml(const ReportLayout& layout) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
         "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
         "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\">"
         "<dc:title>" + Xml(layout.title) + "</dc:title><dc:language>" + Xml(layout.language) +
         "</dc:language><dc:creator>casepack</dc:creator><cp:keywords>" + Xml(layout.marking) +
         "</cp:keywords></cp:coreProperties>";
}

la_ssize_t AppendToString(struct archive*, void* closure, const void* data, size_t n) {
  static_cast<std::string*>(closure)->append(static_cast<const char*>(data), n);
  return static_cast<la_ssize_t>(n);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

Result<std::string> Zip(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string out;
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
  auto fail = [&](std::string_view what) {
    return MakeError(ErrorCode::kIo, "writing the Word file (" + std::string(what) + "): " +
                                         (archive_error_string(a.get()) ? archive_error_string(a.get()) : "libarchive error"));
  };
  if (archive_write_set_format_zip(a.get()) != ARCHIVE_OK) return fail("zip format");
  if (archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK) return fail("block size");
  if (archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) return fail("open");
  for (const auto& [name, data] : parts) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(e.get(), 315532800, 0);  // 1980-01-01, zip's epoch: the same report, the same bytes
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return fail(name);
    if (archive_write_data(a.get(), data.data(), data.size()) != static_cast<la_ssize_t>(data.size())) return fail(name);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return fail("close");
  return out;
}

}  // namespace

Result<std::string> RenderDocx(const ReportLayout& layout, const RenderOptions& options) {
  CP_RETURN_IF_ERROR(internal::CheckFont(options.font_family));
  return Zip({{"[Content_Types].xml", std::string(kContentTypes)},
              {"_rels/.rels", std::string(kRootRels)},
              {"docProps/core.xml", CoreXml(layout)},
              {"word/_rels/document.xml.rels", std::string(kDocumentRels)},
              {"word/document.xml", DocumentXml(layout)},
              {"word/styles.xml", StylesXml(layout, options)},
              {"word/numbering.xml", std::string(kNumbering)},
              {"word/settings.xml", std::string(kSettings)},
              {"word/header1.xml", HeaderXml(layout)},
              {"word/footer1.xml", FooterXml(layout)}});
}

}  // namespace casepack
