// Tagged PDF from the report layout, with cairo (structure tags, font embedding and subsetting) and pango
// (shaping, line breaking). One layout pass builds a display list per page; the pages are then drawn
// knowing their total ("Page N of M"). docs/reports.md describes the page.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>


#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "casepack/render.h"
#include "pdf_catalog.h"
#include "render_internal.h"

namespace casepack {

namespace {

// A4 in points; margins leave room for the running header and the footer.
constexpr double kPageW = 595.2756;
constexpr double kPageH = 841.8898;
constexpr double kLeft = 56.0;
constexpr double kBodyW = kPageW - 2 * kLeft;
constexpr double kTop = 82.0;
constexpr double kBottom = kPageH - 64.0;
constexpr double kPad = 3.5;       // inside table cells
constexpr double kBodySize = 10.0;  // points
constexpr double kSmallSize = 8.5;
const double kWarnRgb[3] = {0.54, 0.11, 0.0};

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using LayoutPtr = std::shared_ptr<PangoLayout>;

// Where each line of a layout is, in points from the layout's top.
struct LineBoxes {
  std::vector<double> top, bottom, baseline, x;
  [[nodiscard]] int count() const { return static_cast<int>(top.size()); }
  [[nodiscard]] double Height(int from, int to) const { return to > from ? bottom[to - 1] - top[from] : 0; }
};

LineBoxes Measure(PangoLayout* l) {
  LineBoxes m;
  PangoLayoutIter* it = pango_layout_get_iter(l);
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(it, nullptr, &logical);
    m.top.push_back(logical.y / double(PANGO_SCALE));
    m.bottom.push_back((logical.y + logical.height) / double(PANGO_SCALE));
    m.baseline.push_back(pango_layout_iter_get_baseline(it) / double(PANGO_SCALE));
    m.x.push_back(logical.x / double(PANGO_SCALE));
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  return m;
}

struct Cmd {
  enum class Kind { kTagBegin, kTagEnd, kLines, kStrokeRect, kFillRect, kRule };
  Kind kind;
  std::string tag;
  std::string lang;  // kTagBegin: the element's language when it differs from the document's
  LayoutPtr layout;
  std::shared_ptr<LineBoxes> boxes;
  int first = 0, last = 0;
  double x = 0, y = 0, w = 0, h = 0, gray = 0;
};

struct Outline {
  int level;
  std::string title;
  int page;
  double y;
};

enum class Style { kBody, kBold, kH1, kH2, kH3, kSmall, kSmallBold };

class Paginator {
 public:
  Paginator(PangoContext* ctx, const RenderOptions& o, const std::string& lang) : ctx_(ctx), lang_(lang) {
    for (auto [style, size, bold] : {std::tuple{Style::kBody, kBodySize, false}, {Style::kBold, kBodySize, true},
                                     {Style::kH1, 15.5, true}, {Style::kH2, 12.5, true}, {Style::kH3, 11.0, true},
                                     {Style::kSmall, kSmallSize, false}, {Style::kSmallBold, kSmallSize, true}}) {
      PangoFontDescription* d = pango_font_description_from_string(o.font_family.c_str());
      pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
      pango_font_description_set_weight(d, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
      fonts_[static_cast<int>(style)] = d;
    }
    pages_.emplace_back();
  }
  ~Paginator() {
    for (auto* d : fonts_) pango_font_description_free(d);
  }
  Paginator(const Paginator&) = delete;
  Paginator& operator=(const Paginator&) = delete;

  LayoutPtr Make(const LayoutText& t, Style style, double width) const {
    std::string text = t.main;
    PangoAttrList* attrs = pango_attr_list_new();
    if (const std::string& lang = t.lang.empty() ? block_lang_ : t.lang; !lang.empty()) {
      PangoAttribute* a = pango_attr_language_new(pango_language_from_string(lang.c_str()));
      a->start_index = 0;
      a->end_index = static_cast<guint>(text.size());
      pango_attr_list_insert(attrs, a);
    }
    if (!t.warning.empty()) {
      if (!text.empty()) text += "\n";
      const auto start = static_cast<guint>(text.size());
      text += t.warning;
      PangoAttribute* bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
      PangoAttribute* colour = pango_attr_foreground_new(static_cast<guint16>(kWarnRgb[0] * 65535),
                                                         static_cast<guint16>(kWarnRgb[1] * 65535),
                                                         static_cast<guint16>(kWarnRgb[2] * 65535));
      for (PangoAttribute* a : {bold, colour}) {
        a->start_index = start;
        a->end_index = static_cast<guint>(text.size());
        pango_attr_list_insert(attrs, a);
      }
    }
    PangoLayout* l = pango_layout_new(ctx_);
    pango_layout_set_font_description(l, fonts_[static_cast<int>(style)]);
    pango_layout_set_width(l, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(l, text.c_str(), -1);
    pango_layout_set_attributes(l, attrs);
    pango_attr_list_unref(attrs);
    return LayoutPtr(l, LayoutDeleter{});
  }

  void Begin(const std::string& tag) { Push({Cmd::Kind::kTagBegin, tag, block_lang_, {}, {}, 0, 0, 0, 0, 0, 0, 0}); }
  // The language of the block being laid out, when it differs from the document's: its structure
  // elements get /Lang (FinishPdfCatalog) and pango shapes its text for it.
  void SetBlockLanguage(const std::string& lang) { block_lang_ = lang; }
  void End(const std::string& tag) { Push({Cmd::Kind::kTagEnd, tag, {}, {}, {}, 0, 0, 0, 0, 0, 0, 0}); }
  void NewPage() {
    pages_.emplace_back();
    y_ = kTop;
  }
  [[nodiscard]] double Room() const { return kBottom - y_; }
  [[nodiscard]] bool AtTop() const { return y_ <= kTop + 0.01; }
  void Space(double pts) {
    if (!AtTop()) y_ = std::min(y_ + pts, kBottom);
  }

  // Lines [from, to) of a layout with their top at `top`.
  void Lines(const LayoutPtr& l, const std::shared_ptr<LineBoxes>& m, int from, int to, double x, double top) {
    Cmd c{Cmd::Kind::kLines, {}, {}, l, m, from, to, x, top - m->top[from], 0, 0, 0};
    Push(std::move(c));
  }

  // A layout flowed down the page, split between lines where the page ends, inside `tag`.
  void Flow(const LayoutPtr& l, double x, const std::string& tag) {
    auto m = std::make_shared<LineBoxes>(Measure(l.get()));
    if (m->Height(0, 1) > Room()) NewPage();
    Begin(tag);
    int i = 0;
    while (i < m->count()) {
      int j = i;
      while (j < m->count() && m->Height(i, j + 1) <= Room()) ++j;
      if (j == i) {
        if (!AtTop()) {
          NewPage();
          continue;
        }
        j = i + 1;  // a line taller than a page: draw it anyway
      }
      Lines(l, m, i, j, x, y_);
      y_ += m->Height(i, j);
      i = j;
      if (i < m->count()) NewPage();
    }
    End(tag);
  }

  void Heading(int level, const std::string& text) {
    const Style s = level <= 1 ? Style::kH1 : level == 2 ? Style::kH2 : Style::kH3;
    Space(level <= 1 ? 0 : level == 2 ? 14 : 9);
    auto l = Make({text, {}, {}}, s, kBodyW);
    auto m = std::make_shared<LineBoxes>(Measure(l.get()));
    if (m->Height(0, m->count()) + 42 > Room() && !AtTop()) NewPage();  // keep with what follows
    outlines_.push_back({std::min(level, 3), text, static_cast<int>(pages_.size()), y_});
    Flow(l, kLeft, "H" + std::to_string(std::clamp(level, 1, 3)));  // a heading from user text may be long
    if (level == 2) {
      Push({Cmd::Kind::kRule, {}, {}, {}, {}, 0, 0, kLeft, y_ + 1.5, kBodyW, 0.6, 0.55});
      y_ += 3;
    }
    y_ += 5;
  }

  void Paragraph(const LayoutText& t, Style style = Style::kBody, double indent = 0) {
    const auto paras = ReportParagraphs(t.main);
    for (std::size_t i = 0; i < paras.size() || (paras.empty() && i == 0); ++i) {
      std::string body;
      if (!paras.empty())
        for (const auto& line : paras[i]) body += (body.empty() ? "" : "\n") + line;
      const bool last = i + 1 >= paras.size();
      Flow(Make({body, last ? t.warning : std::string(), t.lang}, style, kBodyW - indent), kLeft + indent, "P");
      y_ += 5;
    }
  }

  void Alert(const LayoutText& t) {
    auto l = Make(t, Style::kBold, kBodyW - 16);
    auto m = std::make_shared<LineBoxes>(Measure(l.get()));
    const double h = m->Height(0, m->count()) + 12;
    if (h > Room() && !AtTop()) NewPage();
    Space(4);
    Push({Cmd::Kind::kStrokeRect, {}, {}, {}, {}, 0, 0, kLeft, y_, kBodyW, h, 0.3});
    Begin("P");
    Lines(l, m, 0, m->count(), kLeft + 8, y_ + 6);
    End("P");
    y_ += h + 8;
  }

  void List(const std::vector<LayoutText>& items) {
    Begin("L");
    for (const auto& item : items) {
      auto body = Make(item, Style::kBody, kBodyW - 14);
      auto m = std::make_shared<LineBoxes>(Measure(body.get()));
      if (m->Height(0, 1) > Room()) NewPage();
      Begin("LI");
      auto bullet = Make({"\u2022", {}, {}}, Style::kBody, 10);
      auto bm = std::make_shared<LineBoxes>(Measure(bullet.get()));
      Begin("Lbl");
      Lines(bullet, bm, 0, 1, kLeft + 3, y_);
      End("Lbl");
      Flow(body, kLeft + 14, "LBody");
      End("LI");
      y_ += 2;
    }
    End("L");
    y_ += 4;
  }

  // A table: `headers` (may be empty), rows of cells. `th_first_column` tags the first column's cells as
  // header cells (label/value fields). Rows move whole to the next page when they fit there; a row taller
  // than a page is split between lines into as many rows as it needs. The header row repeats per page.
  void Table(const std::vector<std::string>& headers, std::vector<double> widths,
             const std::vector<std::vector<LayoutText>>& rows, bool th_first_column, bool grid) {
    const std::size_t ncols = headers.empty() ? (rows.empty() ? 0 : rows[0].size()) : headers.size();
    if (ncols == 0) return;
    widths.resize(ncols, 1.0);
    double total = 0;
    for (double w : widths) total += w;
    std::vector<double> xs(ncols), ws(ncols);
    double x = kLeft;
    for (std::size_t c = 0; c < ncols; ++c) {
      xs[c] = x;
      ws[c] = kBodyW * widths[c] / total;
      x += ws[c];
    }
    struct Cell {
      LayoutPtr layout;
      std::shared_ptr<LineBoxes> boxes;
    };
    auto make_row = [&](const std::vector<LayoutText>& texts, bool header) {
      std::vector<Cell> cells;
      for (std::size_t c = 0; c < ncols; ++c) {
        const LayoutText empty;
        const LayoutText& t = c < texts.size() ? texts[c] : empty;
        const bool bold = header || (th_first_column && c == 0);
        auto l = Make(t, bold ? (grid ? Style::kSmallBold : Style::kBold) : (grid ? Style::kSmall : Style::kBody),
                      ws[c] - 2 * kPad);
        cells.push_back({l, std::make_shared<LineBoxes>(Measure(l.get()))});
      }
      return cells;
    };
    std::vector<LayoutText> header_texts;
    for (const auto& h : headers) header_texts.push_back({h, {}, {}});
    const auto header_cells = headers.empty() ? std::vector<Cell>{} : make_row(header_texts, true);
    double header_h = 0;
    for (const auto& c : header_cells) header_h = std::max(header_h, c.boxes->Height(0, c.boxes->count()) + 2 * kPad);

    auto draw_header = [&] {
      if (header_cells.empty()) return;
      Begin("TR");
      for (std::size_t c = 0; c < ncols; ++c) {
        Push({Cmd::Kind::kFillRect, {}, {}, {}, {}, 0, 0, xs[c], y_, ws[c], header_h, 0.88});
        if (grid) Push({Cmd::Kind::kStrokeRect, {}, {}, {}, {}, 0, 0, xs[c], y_, ws[c], header_h, 0.45});
        Begin("TH");
        const auto& cell = header_cells[c];
        Lines(cell.layout, cell.boxes, 0, cell.boxes->count(), xs[c] + kPad, y_ + kPad);
        End("TH");
      }
      End("TR");
      y_ += header_h;
    };

    Space(2);
    double rows_top = y_;  // where rows start on this page, below its header row
    std::vector<std::vector<Cell>> made;
    made.reserve(rows.size());
    for (const auto& r : rows) made.push_back(make_row(r, false));
    double first_h = 0;
    if (!made.empty())
      for (const auto& c : made[0]) first_h = std::max(first_h, c.boxes->Height(0, std::min(3, c.boxes->count())) + 2 * kPad);
    if (header_h + first_h > Room() && !AtTop()) NewPage();
    Begin("Table");
    draw_header();
    rows_top = y_;
    auto next_page = [&] {
      NewPage();
      draw_header();
      rows_top = y_;
    };
    for (const auto& cells : made) {
      double full = 0;
      for (const auto& c : cells) full = std::max(full, c.boxes->Height(0, c.boxes->count()) + 2 * kPad);
      if (full > Room() && full <= (kBottom - kTop - header_h) && y_ > rows_top + 0.01) next_page();
      std::vector<int> next(ncols, 0);
      auto remaining = [&] {
        for (std::size_t c = 0; c < ncols; ++c)
          if (next[c] < cells[c].boxes->count()) return true;
        return false;
      };
      bool first_chunk = true;
      while (first_chunk || remaining()) {
        // How many lines of each cell fit in the room left.
        std::vector<int> upto(ncols);
        double h = 0;
        bool any = false;
        for (std::size_t c = 0; c < ncols; ++c) {
          const auto& b = *cells[c].boxes;
          int j = next[c];
          while (j < b.count() && b.Height(next[c], j + 1) + 2 * kPad <= Room()) ++j;
          upto[c] = j;
          any = any || j > next[c];
          h = std::max(h, b.Height(next[c], j) + 2 * kPad);
        }
        if (!any && remaining()) {
          if (y_ > rows_top + 0.01) {  // a fresh page has more room
            next_page();
            continue;
          }
          // Not even one line fits below the header on a fresh page: draw a line of each cell anyway.
          for (std::size_t c = 0; c < ncols; ++c) upto[c] = std::min(next[c] + 1, cells[c].boxes->count());
        }
        h = std::max(h, 2 * kPad + 4);
        Begin("TR");
        for (std::size_t c = 0; c < ncols; ++c) {
          if (grid) Push({Cmd::Kind::kStrokeRect, {}, {}, {}, {}, 0, 0, xs[c], y_, ws[c], h, 0.45});
          const std::string tag = th_first_column && c == 0 ? "TH" : "TD";
          Begin(tag);
          if (upto[c] > next[c]) Lines(cells[c].layout, cells[c].boxes, next[c], upto[c], xs[c] + kPad, y_ + kPad);
          End(tag);
          next[c] = upto[c];
        }
        End("TR");
        if (!grid) Push({Cmd::Kind::kRule, {}, {}, {}, {}, 0, 0, kLeft, y_ + h, kBodyW, 0.3, 0.8});
        y_ += h;
        first_chunk = false;
        if (remaining()) next_page();
      }
    }
    End("Table");
    y_ += 8;
  }

  // Label above value, for long questions (the feedback form).
  void Stacked(const std::vector<std::pair<std::string, LayoutText>>& fields) {
    for (const auto& [label, value] : fields) {
      auto l = Make({label, {}, {}}, Style::kBold, kBodyW);
      auto m = std::make_shared<LineBoxes>(Measure(l.get()));
      if (m->Height(0, m->count()) + 30 > Room() && !AtTop()) NewPage();  // keep the question with its answer
      Flow(l, kLeft, "P");
      y_ += 2;
      Paragraph(value, Style::kBody, 12);
      y_ += 3;
    }
  }

  void Signature(const std::vector<std::string>& roles, const std::vector<std::string>& labels) {
    const double line_gap = 26;
    for (const auto& role : roles) {
      const double h = 18 + 3 * line_gap + 6;
      if (h > Room() && !AtTop()) NewPage();
      Space(6);
      auto r = Make({role, {}, {}}, Style::kBold, kBodyW);
      auto rm = std::make_shared<LineBoxes>(Measure(r.get()));
      Begin("P");
      Lines(r, rm, 0, rm->count(), kLeft, y_);
      End("P");
      y_ += rm->Height(0, rm->count()) + 4;
      for (std::size_t i = 0; i < labels.size(); ++i) {
        auto l = Make({labels[i], {}, {}}, Style::kBody, 100);
        auto m = std::make_shared<LineBoxes>(Measure(l.get()));
        y_ += line_gap - m->Height(0, 1);
        Begin("P");
        Lines(l, m, 0, 1, kLeft, y_);
        End("P");
        const double base = y_ + m->baseline[0] - m->top[0] + 2;
        Push({Cmd::Kind::kRule, {}, {}, {}, {}, 0, 0, kLeft + 100, base, i + 1 == labels.size() ? 140.0 : 260.0, 0.6, 0.0});
        y_ += m->Height(0, 1);
      }
      y_ += 6;
    }
  }

  std::vector<std::vector<Cmd>>& pages() { return pages_; }
  const std::vector<Outline>& outlines() const { return outlines_; }
  const std::string& lang() const { return lang_; }

 private:
  void Push(Cmd c) { pages_.back().push_back(std::move(c)); }

  PangoContext* ctx_;
  std::string lang_;
  std::string block_lang_;
  PangoFontDescription* fonts_[7] = {};
  std::vector<std::vector<Cmd>> pages_;
  std::vector<Outline> outlines_;
  double y_ = kTop;
};

void LayOut(const ReportLayout& layout, Paginator& p) {
  p.Heading(1, layout.title);
  for (const auto& b : layout.blocks) {
    p.SetBlockLanguage(b.lang);
    if (b.page_break && !p.AtTop()) p.NewPage();
    switch (b.kind) {
      case LayoutBlock::Kind::kHeading: p.Heading(b.level, b.text.main); break;
      case LayoutBlock::Kind::kParagraph: p.Paragraph(b.text); break;
      case LayoutBlock::Kind::kAlert: p.Alert(b.text); break;
      case LayoutBlock::Kind::kList: p.List(b.items); break;
      case LayoutBlock::Kind::kSignature: p.Signature(b.signatories, b.headers); break;
      case LayoutBlock::Kind::kTable: p.Table(b.headers, b.widths, b.rows, false, true); break;
      case LayoutBlock::Kind::kFields:
        if (b.stacked) {
          p.Stacked(b.fields);
        } else {
          std::vector<std::vector<LayoutText>> rows;
          for (const auto& [label, value] : b.fields) rows.push_back({{label, {}, {}}, value});
          p.Table({}, {1.1, 2.4}, rows, true, false);
        }
        break;
    }
  }
}

// Header and footer: drawn with no structure tag open, so they stay out of the structure tree.
void DrawFurniture(cairo_t* cr, PangoContext* ctx, const ReportLayout& layout, const RenderOptions& o, int page,
                   int pages) {
  auto text = [&](const std::string& s, double size, bool bold, double x, double y, double w, PangoAlignment align) {
    PangoLayout* l = pango_layout_new(ctx);
    PangoFontDescription* d = pango_font_description_from_string(o.font_family.c_str());
    pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
    pango_font_description_set_weight(d, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, d);
    pango_layout_set_width(l, static_cast<int>(w * PANGO_SCALE));
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, s.c_str(), -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    pango_font_description_free(d);
    g_object_unref(l);
  };
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(layout.marking, 9, true, kLeft, 24, kBodyW, PANGO_ALIGN_CENTER);
  text(layout.running_header, 8.5, false, kLeft, 40, kBodyW, PANGO_ALIGN_CENTER);
  cairo_set_line_width(cr, 0.5);
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_move_to(cr, kLeft, 56);
  cairo_line_to(cr, kLeft + kBodyW, 56);
  cairo_move_to(cr, kLeft, kPageH - 50);
  cairo_line_to(cr, kLeft + kBodyW, kPageH - 50);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text(layout.case_reference, 8.5, false, kLeft, kPageH - 44, kBodyW, PANGO_ALIGN_LEFT);
  text(layout.marking, 9, true, kLeft, kPageH - 44, kBodyW, PANGO_ALIGN_CENTER);
  text(layout.page_label + " " + std::to_string(page) + " " + layout.page_of + " " + std::to_string(pages), 8.5,
       false, kLeft, kPageH - 44, kBodyW, PANGO_ALIGN_RIGHT);
}

void Draw(cairo_t* cr, const Cmd& c) {
  switch (c.kind) {
    case Cmd::Kind::kTagBegin: break;  // RenderPdf opens tags itself, recording each element's language
    case Cmd::Kind::kTagEnd: cairo_tag_end(cr, c.tag.c_str()); break;
    case Cmd::Kind::kLines: {
      cairo_set_source_rgb(cr, 0, 0, 0);
      PangoLayoutIter* it = pango_layout_get_iter(c.layout.get());
      int i = 0;
      do {
        if (i >= c.first && i < c.last) {
          cairo_move_to(cr, c.x + c.boxes->x[i], c.y + c.boxes->baseline[i]);
          pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
        }
        ++i;
      } while (i < c.last && pango_layout_iter_next_line(it));
      pango_layout_iter_free(it);
      break;
    }
    case Cmd::Kind::kStrokeRect:
      cairo_set_source_rgb(cr, c.gray, c.gray, c.gray);
      cairo_set_line_width(cr, 0.5);
      cairo_rectangle(cr, c.x, c.y, c.w, c.h);
      cairo_stroke(cr);
      break;
    case Cmd::Kind::kFillRect:
      cairo_set_source_rgb(cr, c.gray, c.gray, c.gray);
      cairo_rectangle(cr, c.x, c.y, c.w, c.h);
      cairo_fill(cr);
      break;
    case Cmd::Kind::kRule:
      cairo_set_source_rgb(cr, c.gray, c.gray, c.gray);
      cairo_set_line_width(cr, c.h);
      cairo_move_to(cr, c.x, c.y);
      cairo_line_to(cr, c.x + c.w, c.y);
      cairo_stroke(cr);
      break;
  }
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// cairo 1.16 cannot set the document language nor mark the file as tagged nor give a structure element
// its own language: pdf_catalog.cpp (qpdf) adds them.
Result<std::string> SetLanguage(const std::string& pdf, const std::string& lang,
                                const std::vector<std::string>& element_langs) {
  std::string out;
  if (!render_detail::FinishPdfCatalog(pdf, lang, element_langs, out))
    return MakeError(ErrorCode::kIo, "could not finish the PDF (setting its language)");
  return out;
}

// Pango and cairo want valid UTF-8 without NUL everywhere (text, outline, metadata); reports come from
// user input, so every string is made valid first (bad bytes become U+FFFD).
void MakeValid(std::string& s) {
  if (g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr)) return;
  gchar* fixed = g_utf8_make_valid(s.data(), static_cast<gssize>(s.size()));
  s = fixed;
  g_free(fixed);
}

void MakeValid(LayoutText& t) {
  MakeValid(t.main);
  MakeValid(t.warning);
  MakeValid(t.lang);
}

ReportLayout Valid(ReportLayout l) {
  for (auto* s : {&l.title, &l.language, &l.marking, &l.case_reference, &l.running_header, &l.page_label, &l.page_of})
    MakeValid(*s);
  for (auto& b : l.blocks) {
    MakeValid(b.text);
    MakeValid(b.lang);
    for (auto& [k, v] : b.fields) {
      MakeValid(k);
      MakeValid(v);
    }
    for (auto& h : b.headers) MakeValid(h);
    for (auto& r : b.rows)
      for (auto& c : r) MakeValid(c);
    for (auto& i : b.items) MakeValid(i);
    for (auto& r : b.signatories) MakeValid(r);
  }
  return l;
}

}  // namespace

Result<std::string> RenderPdf(const ReportLayout& unchecked, const RenderOptions& options) {
  CP_RETURN_IF_ERROR(internal::CheckFont(options.font_family));
  const ReportLayout layout = Valid(unchecked);
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(AppendToString, &out, kPageW, kPageH);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, layout.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "casepack");
  cairo_t* cr = cairo_create(surface);
  PangoContext* ctx = pango_cairo_create_context(cr);
  pango_cairo_context_set_resolution(ctx, 72);  // font sizes in points = PDF units
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(ctx, fo);
  cairo_font_options_destroy(fo);
  pango_context_set_language(ctx, pango_language_from_string(layout.language.c_str()));
  std::vector<std::string> element_langs;

  {
    Paginator p(ctx, options, layout.language);
    LayOut(layout, p);
    auto& pages = p.pages();
    while (pages.size() > 1 && pages.back().empty()) pages.pop_back();
    const int total = static_cast<int>(pages.size());
    // Tags open across a page end: closed before it, reopened after (a new element, so a new language entry).
    std::vector<const Cmd*> open;
    auto begin = [&](const Cmd& c) {
      cairo_tag_begin(cr, c.tag.c_str(), nullptr);
      element_langs.push_back(c.lang);  // cairo numbers structure elements in the order they begin
    };
    for (int n = 0; n < total; ++n) {
      DrawFurniture(cr, ctx, layout, options, n + 1, total);
      for (const Cmd* c : open) begin(*c);
      for (const auto& c : pages[static_cast<std::size_t>(n)]) {
        Draw(cr, c);
        if (c.kind == Cmd::Kind::kTagBegin) {
          begin(c);
          open.push_back(&c);
        }
        if (c.kind == Cmd::Kind::kTagEnd && !open.empty()) open.pop_back();
      }
      for (auto it = open.rbegin(); it != open.rend(); ++it) cairo_tag_end(cr, (*it)->tag.c_str());
      cairo_show_page(cr);
    }
    int parents[4] = {CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT, CAIRO_PDF_OUTLINE_ROOT};
    for (const auto& o : p.outlines()) {
      const std::string dest = "page=" + std::to_string(o.page) + " pos=[" + std::to_string(kLeft) + " " +
                               std::to_string(std::lround(o.y)) + "]";
      const int parent = o.level <= 1 ? CAIRO_PDF_OUTLINE_ROOT : parents[o.level - 1];
      const int id = cairo_pdf_surface_add_outline(surface, parent, o.title.c_str(), dest.c_str(),
                                                   static_cast<cairo_pdf_outline_flags_t>(0));
      for (int l = o.level; l < 4; ++l) parents[l] = id;
    }
  }
  g_object_unref(ctx);
  const cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t surface_status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS || surface_status != CAIRO_STATUS_SUCCESS) {
    return MakeError(ErrorCode::kIo, std::string("cairo could not write the PDF: ") +
                                         cairo_status_to_string(status != CAIRO_STATUS_SUCCESS ? status : surface_status));
  }
  return SetLanguage(out, layout.language, element_langs);
}

}  // namespace casepack
