#include "casepack/text_rewrite.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>

namespace casepack {

namespace {

// The registers recording paragraph rewrites of text (object, field): object "para:OBJECT:FIELD", field =
// the paragraph's key. Not a text target, so no other code reads them as case fields.
std::string ParaObject(const Target& text) { return "para:" + text.object + ":" + text.field; }

// A paragraph is named by the id of its '\n': "REPLICA-HEX.COUNTER"; the last line without one is "end".
std::string KeyOf(OpId id) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 ".%" PRIu64, id.replica, id.counter);
  return buf;
}

std::string Join(const std::vector<std::string_view>& lines, std::size_t b, std::size_t e) {
  std::string out;
  for (std::size_t i = b; i < e; ++i) out.append(lines[i]);
  return out;
}

// Diffs above this many cell comparisons fall back to one hunk for the changed middle (still whole lines).
constexpr std::size_t kMaxDiffCells = std::size_t{1} << 22;

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::vector<LineHunk> DiffLines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<LineHunk> out;
  if (n == 0 && m == 0) return out;
  if (n == 0 || m == 0 || (n + 1) * (m + 1) > kMaxDiffCells) {
    out.push_back({pre, pre + n, pre, pre + m});
    return out;
  }
  // lcs[i][j]: longest common subsequence of a[pre+i..] and b[pre+j..].
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::size_t i = 0, j = 0;
  LineHunk cur{pre, pre, pre, pre};
  bool open = false;
  auto flush = [&] {
    if (open) out.push_back(cur);
    open = false;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] == b[pre + j]) {
      flush();
      ++i, ++j;
      continue;
    }
    if (!open) cur = {pre + i, pre + i, pre + j, pre + j}, open = true;
    if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
      ++j;
      cur.new_end = pre + j;
    } else {
      ++i;
      cur.old_end = pre + i;
    }
  }
  flush();
  return out;
}

namespace {
// A line without its '\n' (a version that was the text's last line may have gained one since).
std::string_view WithoutBreak(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return line;
}

// `decides_conflicts`: a person's rewrite, which ends the conflicts whose version lines it rewrites. Not
// when ResolveTextConflict rewrites one conflict's lines: a version of another conflict may share them
// (a hunk that wrote a different number of lines gave each replaced line the whole stretch), and that
// conflict stays to be resolved in its turn.
Status Rewrite(Replica& r, const Target& target, std::string_view next, bool decides_conflicts) {
  if (!Utf8Length(next).ok()) return MakeError(ErrorCode::kInvalidArgument, "the text is not valid UTF-8");
  const std::string current = r.ReadText(target);
  const std::vector<std::string_view> from = SplitLines(current), to = SplitLines(next);
  const std::vector<LineHunk> hunks = DiffLines(from, to);
  if (hunks.empty()) return Ok();
  // Code point offset of each old line's start (and of the end).
  std::vector<std::uint64_t> start(from.size() + 1, 0);
  for (std::size_t i = 0; i < from.size(); ++i) start[i + 1] = start[i] + *Utf8Length(from[i]);
  // Record the rewritten paragraphs first, while their '\n' are still visible. A hunk that replaces as many
  // lines as it writes pairs them one to one; otherwise each replaced line gets the whole new stretch.
  const std::string object = ParaObject(target);
  // A paragraph rewritten on two devices stands in the text as its versions' lines (its own '\n' is gone):
  // rewriting one of those lines is a decision on that conflict, as typing in a paragraph edited in place
  // is, so it supersedes the versions seen too. Otherwise the conflict kept offering the version as it was
  // before the correction, and picking it put the uncorrected text back beside the correction.
  std::map<std::string, std::vector<std::string>, std::less<>> conflicts_by_line;
  if (decides_conflicts)
    for (const TextConflict& tc : TextConflicts(r, target))
      for (const RegisterValue& v : tc.versions)
        for (std::string_view line : SplitLines(v.value)) conflicts_by_line[std::string(WithoutBreak(line))].push_back(tc.key);
  std::set<std::string, std::less<>> written;
  for (const LineHunk& h : hunks) {
    const bool paired = h.old_end - h.old_begin == h.new_end - h.new_begin;
    for (std::size_t i = h.old_begin; i < h.old_end; ++i) {
      std::string key = "end";
      if (from[i].back() == '\n') {
        CP_ASSIGN_OR_RETURN(OpId nl, r.TextIdAt(target, start[i + 1] - 1));
        key = KeyOf(nl);
      }
      const std::size_t k = h.new_begin + (i - h.old_begin);
      const std::string value = paired ? std::string(to[k]) : Join(to, h.new_begin, h.new_end);
      std::vector<std::string> keys{std::move(key)};
      if (auto c = conflicts_by_line.find(WithoutBreak(from[i])); c != conflicts_by_line.end())
        keys.insert(keys.end(), c->second.begin(), c->second.end());
      for (const std::string& each : keys)
        if (written.insert(each).second) CP_RETURN_IF_ERROR(r.SetRegister(Target{object, each}, value, /*keep_conflicts=*/true));
    }
  }
  // Then edit from the end backwards so that earlier positions stay valid.
  const TextRef text = r.Text(target);  // (hunks is not empty: the text exists or is made by an insert)
  for (auto h = hunks.rbegin(); h != hunks.rend(); ++h) {
    const std::uint64_t pos = start[h->old_begin], count = start[h->old_end] - pos;
    if (count > 0) CP_RETURN_IF_ERROR(r.DeleteText(text, pos, count));
    const std::string insert = Join(to, h->new_begin, h->new_end);
    if (!insert.empty()) CP_RETURN_IF_ERROR(r.InsertText(text, pos, insert));
  }
  return Ok();
}
}  // namespace

Status RewriteText(Replica& r, const Target& target, std::string_view next) {
  return Rewrite(r, target, next, /*decides_conflicts=*/true);
}

namespace {
// The byte offset of code point `cp` in UTF-8 `text` (text.size() for the end); npos if beyond it.
std::size_t ByteOffset(std::string_view text, std::uint64_t cp) {
  std::size_t b = 0;
  for (; cp > 0; --cp) {
    if (b >= text.size()) return std::string_view::npos;
    ++b;
    while (b < text.size() && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) ++b;
  }
  return b;
}
std::uint64_t CodePointsIn(std::string_view s) {
  std::uint64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}
}  // namespace

Result<std::vector<ParagraphVersion>> SpliceVersions(const Replica& r, const Target& target, std::uint64_t pos,
                                                     std::uint64_t remove, std::string_view insert) {
  if (!Utf8Length(insert).ok()) return MakeError(ErrorCode::kInvalidArgument, "the text is not valid UTF-8");
  // Only the lines the splice touches are read, whole (a keystroke costs its paragraph, not the note).
  const std::uint64_t length = r.TextLength(target);
  if (pos > length || remove > length - pos) return MakeError(ErrorCode::kInvalidArgument, "the edit is outside the text");
  std::vector<ParagraphVersion> out;
  if (remove == 0 && insert.empty()) return out;
  CP_ASSIGN_OR_RETURN(Replica::TextLines lines, r.ReadLinesAround(target, pos, remove));
  const std::string_view old_stretch = lines.text;
  const std::size_t b0 = ByteOffset(old_stretch, pos - lines.begin), b1 = ByteOffset(old_stretch, pos + remove - lines.begin);
  std::string new_stretch(old_stretch.substr(0, b0));
  new_stretch.append(insert);
  new_stretch.append(old_stretch.substr(b1));
  const std::vector<std::string_view> from = SplitLines(old_stretch), to = SplitLines(new_stretch);
  const bool paired = from.size() == to.size();
  const std::string object = ParaObject(target);
  std::uint64_t at = lines.begin;
  for (std::size_t i = 0; i < from.size(); ++i) {
    at += CodePointsIn(from[i]);
    std::string key = "end";
    if (from[i].back() == '\n') {
      CP_ASSIGN_OR_RETURN(OpId nl, r.TextIdAt(target, at - 1));
      key = KeyOf(nl);
    }
    out.push_back(ParagraphVersion{Target{object, std::move(key)}, paired ? std::string(to[i]) : new_stretch});
  }
  return out;
}

Status SpliceText(Replica& r, const Target& target, std::uint64_t pos, std::uint64_t remove, std::string_view insert) {
  CP_ASSIGN_OR_RETURN(std::vector<ParagraphVersion> versions, SpliceVersions(r, target, pos, remove, insert));
  for (const ParagraphVersion& v : versions)
    CP_RETURN_IF_ERROR(r.SetRegister(v.paragraph, v.value, /*keep_conflicts=*/true));
  return SpliceCharacters(r, target, pos, remove, insert);
}

Status SpliceCharacters(Replica& r, const Target& target, std::uint64_t pos, std::uint64_t remove, std::string_view insert) {
  if (remove > 0) CP_RETURN_IF_ERROR(r.DeleteText(target, pos, remove));
  if (!insert.empty()) CP_RETURN_IF_ERROR(r.InsertText(target, pos, insert));
  return Ok();
}

bool OnlyThisReplicaWrote(const Replica& r, const Target& paragraph) {
  const RegisterView v = r.ReadRegister(paragraph);
  return v.values.empty() || (v.values.size() == 1 && v.values.front().id.replica == r.replica_id());
}

std::vector<TextConflict> TextConflicts(const Replica& r, const Target& target) {
  std::vector<TextConflict> out;
  for (const Target& t : r.RegistersOf(ParaObject(target))) {
    RegisterView v = r.ReadRegister(t);
    if (v.conflict) out.push_back({t.field, std::move(v.values)});
  }
  return out;
}

std::size_t ConflictLine(const Replica& r, const Target& target, const TextConflict& c) {
  const std::string text = r.ReadText(target);
  const std::vector<std::string_view> lines = SplitLines(text);
  if (c.key != "end") {
    std::uint64_t cp = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      cp += *Utf8Length(lines[i]);
      if (lines[i].back() != '\n') continue;
      auto id = r.TextIdAt(target, cp - 1);
      if (id.ok() && KeyOf(*id) == c.key) return i + 1;
    }
  }
  std::size_t first = 0;
  for (const RegisterValue& v : c.versions) {
    const std::vector<std::string_view> own = SplitLines(v.value);
    if (own.empty()) continue;
    for (std::size_t i = 0; i < lines.size() && (first == 0 || i + 1 < first); ++i)
      if (WithoutBreak(lines[i]) == WithoutBreak(own.front())) first = i + 1;
  }
  if (first == 0 && c.key == "end") return lines.size();
  return first;
}

Status ResolveTextConflict(Replica& r, const Target& target, std::string_view key, std::string_view chosen) {
  const Target reg{ParaObject(target), std::string(key)};
  const RegisterView v = r.ReadRegister(reg);
  if (!v.conflict) return MakeError(ErrorCode::kNotFound, "no unresolved paragraph conflict there");
  const std::string text = r.ReadText(target);
  std::string next;
  bool found = false;
  // Edited in place (SpliceText): the line ending with the paragraph's own '\n' is the paragraph.
  if (key != "end") {
    std::uint64_t cp = 0;
    std::size_t line_start = 0;
    for (std::size_t b = 0; b < text.size() && !found; ++b) {
      const unsigned char c = static_cast<unsigned char>(text[b]);
      if ((c & 0xC0) == 0x80) continue;
      if (c == '\n') {
        CP_ASSIGN_OR_RETURN(OpId id, r.TextIdAt(target, cp));
        if (KeyOf(id) == key) {
          next = text.substr(0, line_start) + std::string(chosen) + text.substr(b + 1);
          found = true;
        }
        line_start = b + 1;
      }
      ++cp;
    }
  }
  if (!found) {
    // Where each version still stands as whole lines, without overlaps.
    std::vector<std::pair<std::size_t, std::size_t>> regions;
    for (const RegisterValue& val : v.values) {
      if (val.value.empty()) continue;
      for (std::size_t p = text.find(val.value); p != std::string::npos; p = text.find(val.value, p + 1)) {
        std::size_t e = p + val.value.size();
        // Whole lines: it starts a line, and ends one (its own '\n', the text's end, or, for a last line
        // that a separator now follows (SeparateJoinedVersions), right before that '\n', which goes with it).
        if ((p > 0 && text[p - 1] != '\n') || (e < text.size() && text[e - 1] != '\n' && text[e] != '\n')) continue;
        if (e < text.size() && text[e - 1] != '\n') ++e;
        const bool overlaps = std::any_of(regions.begin(), regions.end(),
                                          [&](const auto& g) { return p < g.second && g.first < e; });
        if (overlaps) continue;
        regions.emplace_back(p, e);
        break;
      }
    }
    std::sort(regions.begin(), regions.end());
    std::size_t at = 0;
    bool placed = false;
    for (const auto& [b, e] : regions) {
      next.append(text, at, b - at);
      if (!placed) next.append(chosen), placed = true;
      at = e;
    }
    next.append(text, at, std::string::npos);
    if (!placed && key == "end" && !text.empty() && text.back() != '\n') {
      // The last line, merged inside (both versions' characters): it is the paragraph.
      next = text.substr(0, text.rfind('\n') + 1) + std::string(chosen);  // npos + 1 == 0
      placed = true;
    }
    if (!placed && !chosen.empty()) {
      if (!next.empty() && next.back() != '\n') next.push_back('\n');
      next.append(chosen);
    }
  }
  CP_RETURN_IF_ERROR(Rewrite(r, target, next, /*decides_conflicts=*/false));
  CP_RETURN_IF_ERROR(r.SetRegister(reg, chosen, /*keep_conflicts=*/true));
  return Ok();
}

Result<bool> SeparateJoinedVersions(Replica& r, const Target& target) {
  bool inserted = false;
  for (const TextConflict& tc : TextConflicts(r, target)) {
    for (const RegisterValue& v : tc.versions) {
      if (v.value.empty() || v.value.back() == '\n') continue;
      const std::string text = r.ReadText(target);
      for (std::size_t p = text.find(v.value); p != std::string::npos; p = text.find(v.value, p + 1)) {
        const std::size_t e = p + v.value.size();
        if ((p > 0 && text[p - 1] != '\n') || e == text.size() || text[e] == '\n') continue;
        // Only where two versions stand whole, one straight after the other (rewrites: SetNote). Typing in
        // one paragraph on two devices (SpliceText) merges the characters instead; a separator there would
        // cut one person's sentence, and resolving replaces the merged line whole.
        const bool another_follows = std::any_of(tc.versions.begin(), tc.versions.end(), [&](const RegisterValue& o) {
          return &o != &v && !o.value.empty() && text.compare(e, o.value.size(), o.value) == 0;
        });
        if (!another_follows) continue;
        CP_ASSIGN_OR_RETURN(const std::uint64_t end, Utf8Length(std::string_view(text).substr(0, e)));
        CP_ASSIGN_OR_RETURN(const OpId last, r.TextIdAt(target, end - 1));
        if (last.replica != r.replica_id()) continue;  // another device's copy of the same words: theirs to do
        CP_RETURN_IF_ERROR(r.InsertText(target, end, "\n"));
        inserted = true;
        break;
      }
    }
  }
  return inserted;
}

}  // namespace casepack
