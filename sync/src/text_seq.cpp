#include "text_seq.h"

#include <algorithm>
#include <cstdlib>

namespace casepack::detail {

void ByteArena::Grow(std::size_t need) {
  const std::size_t capacity = std::max({need, 2 * capacity_, std::size_t{64}});
  auto fresh = std::make_unique_for_overwrite<char[]>(capacity);
  if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
  data_ = std::move(fresh);
  capacity_ = capacity;
}

namespace {

constexpr std::size_t kMaxRuns = 64;
constexpr std::size_t kLoadFill = 48;  // loaded chunks leave room for edits before they split

inline std::uint32_t Utf8Advance(const char* p, std::uint32_t bytes, std::uint32_t cps) {
  std::uint32_t i = 0;
  while (cps > 0 && i < bytes) {
    const auto c = static_cast<unsigned char>(p[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    --cps;
  }
  return i;
}

std::uint64_t CodePointsOf(std::string_view utf8) {
  return static_cast<std::uint64_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

TextSeq::TextSeq(const std::vector<ReplicaId>* replica_ids) : replica_ids_(replica_ids) {
  chunks_.push_back(std::make_unique<Chunk>());
}

std::string TextSeq::Text() const {
  std::string out;
  out.reserve(vis_);
  for (const auto& c : chunks_)
    for (const Run& r : c->runs)
      if (!r.deleted) out.append(arena_.data() + r.content, r.bytes);
  return out;
}

TextSeq::Lines TextSeq::LinesAround(std::uint64_t pos, std::uint64_t count) const {
  // The visible run holding pos (ri == runs.size() only at the very end of the text).
  std::size_t ci = 0;
  std::uint64_t before = 0;
  while (ci + 1 < chunks_.size() && pos >= before + chunks_[ci]->vis) before += chunks_[ci++]->vis;
  std::size_t ri = 0;
  std::uint64_t off = pos - before;
  for (const auto& runs = chunks_[ci]->runs; ri < runs.size(); ++ri) {
    if (runs[ri].deleted) continue;
    if (off < runs[ri].len) break;
    off -= runs[ri].len;
  }
  // Backwards from pos to the previous '\n': pieces in reverse order.
  std::vector<std::string_view> head;
  std::uint64_t head_points = 0;
  auto take_back = [&](const Run& r, std::uint32_t upto_bytes) {  // true when the line start is found
    const std::string_view bytes = Content(r).substr(0, upto_bytes);
    const std::size_t nl = bytes.rfind('\n');
    const std::string_view piece = nl == std::string_view::npos ? bytes : bytes.substr(nl + 1);
    head.push_back(piece);
    head_points += CodePointsOf(piece);
    return nl != std::string_view::npos;
  };
  bool found = false;
  if (ri < chunks_[ci]->runs.size()) found = take_back(chunks_[ci]->runs[ri], ByteOffset(chunks_[ci]->runs[ri], static_cast<std::uint32_t>(off)));
  for (std::size_t c = ci + 1, r = ri; !found && c-- > 0;) {
    const auto& runs = chunks_[c]->runs;
    if (c != ci) r = runs.size();
    while (!found && r-- > 0)
      if (!runs[r].deleted) found = take_back(runs[r], runs[r].bytes);
  }
  Lines out;
  out.begin = pos - head_points;
  for (auto it = head.rbegin(); it != head.rend(); ++it) out.text.append(*it);
  // Forwards from pos: the `count` code points of the range, then up to and including the next '\n'.
  std::uint64_t skip = count;
  for (std::size_t c = ci, r = ri; c < chunks_.size(); ++c, r = 0) {
    const auto& runs = chunks_[c]->runs;
    for (; r < runs.size(); ++r) {
      if (runs[r].deleted) continue;
      const std::uint32_t from = (c == ci && r == ri) ? static_cast<std::uint32_t>(off) : 0;
      const std::string_view bytes = Content(runs[r]).substr(ByteOffset(runs[r], from));
      const std::uint64_t points = runs[r].len - from;
      if (skip >= points) {
        out.text.append(bytes);
        skip -= points;
        continue;
      }
      const std::size_t search = ByteOffset(runs[r], from + static_cast<std::uint32_t>(skip)) - ByteOffset(runs[r], from);
      skip = 0;
      const std::size_t nl = bytes.find('\n', search);
      if (nl != std::string_view::npos) {
        out.text.append(bytes.substr(0, nl + 1));
        return out;
      }
      out.text.append(bytes);
    }
  }
  return out;
}

std::string_view TextSeq::Content(const Run& r) const {
  if (r.content == kNoContent) return {};
  return std::string_view(arena_.data() + r.content, r.bytes);
}

std::uint32_t TextSeq::Utf8ByteOffset(const Run& r, std::uint32_t cps) const {
  return Utf8Advance(arena_.data() + r.content, r.bytes, cps);
}

std::string TextSeq::CheckInvariants() const {
  std::uint64_t len = 0, vis = 0;
  for (std::size_t ci = 0; ci < chunks_.size(); ++ci) {
    const Chunk& c = *chunks_[ci];
    if (c.index != ci) return "chunk index stale at " + std::to_string(ci);
    std::uint64_t cl = 0, cv = 0;
    for (std::size_t ri = 0; ri < c.runs.size(); ++ri) {
      const Run& r = c.runs[ri];
      if (r.len == 0) return "empty run";
      cl += r.len;
      if (!r.deleted) cv += r.len;
      for (std::uint32_t k = 0; k < r.len; k += (r.len > 2 ? r.len - 1 : 1)) {
        Loc l;
        if (!Lookup({r.rep, r.ctr + k}, l) || l.ci != ci || l.ri != ri || l.off != k)
          return "id " + std::to_string(r.rep) + ":" + std::to_string(r.ctr + k) + " not found where it is";
      }
    }
    if (cl != c.len || cv != c.vis) return "chunk lengths wrong at " + std::to_string(ci);
    len += cl;
    vis += cv;
  }
  if (len != len_ || vis != vis_) return "total lengths wrong";
  return {};
}

std::size_t TextSeq::run_count() const {
  std::size_t n = 0;
  for (const auto& c : chunks_) n += c->runs.size();
  return n;
}

std::size_t TextSeq::MemoryBytes() const {
  std::size_t n = arena_.capacity() + dels_.capacity() * sizeof(DelRecord) + del_ranges_.capacity() * sizeof(TRange);
  for (const auto& c : chunks_) n += sizeof(Chunk) + c->runs.capacity() * sizeof(Run);
  for (const auto& m : index_) n += m.size() * 48;  // red-black tree node with key and value
  return n;
}

// ---- the interval index: for replica rep, the entry with the greatest key <= ctr names the chunk ----

TextSeq::Chunk* TextSeq::IndexFind(std::uint32_t rep, std::uint32_t ctr) const {
  if (rep >= index_.size()) return nullptr;
  const auto& m = index_[rep];
  auto it = m.upper_bound(ctr);
  if (it == m.begin()) return nullptr;
  return std::prev(it)->second;
}

bool TextSeq::IndexCovers(std::uint32_t rep, std::uint32_t s, std::uint32_t e, const Chunk* c) const {
  if (rep >= index_.size()) return false;
  const auto& m = index_[rep];
  if (m.empty()) return false;
  // Typing asks about the newest ids, which the last entry holds (and no entry follows): no search.
  if (const auto last = std::prev(m.end()); s >= last->first) return last->second == c;
  auto it = m.upper_bound(s);
  if (it == m.begin() || std::prev(it)->second != c) return false;
  return it == m.end() || it->first >= e;
}

void TextSeq::IndexRange(std::uint32_t rep, std::uint32_t s, std::uint32_t e, Chunk* c) {
  find_cache_.chunk = nullptr;
  if (rep >= index_.size()) index_.resize(rep + 1);
  if (rep >= index_top_.size()) index_top_.resize(rep + 1, 0);
  auto& m = index_[rep];
  // Counters at or above the highest one ever indexed belong to no run yet: nothing to preserve there.
  const bool beyond_top = e >= index_top_[rep];
  index_top_[rep] = std::max(index_top_[rep], e);
  // The newest ids (a run just typed): only the last entry, which maps everything from its key on, can
  // change. No search.
  if (beyond_top && !m.empty()) {
    const auto last = std::prev(m.end());
    if (s > last->first) {
      if (last->second != c) m.emplace_hint(m.end(), s, c);
      return;
    }
  }
  auto hi = m.lower_bound(e);
  const bool e_is_key = hi != m.end() && hi->first == e;
  Chunk* after = nullptr;  // what counter e mapped to, to keep it so
  if (!beyond_top && !e_is_key && hi != m.begin()) after = std::prev(hi)->second;
  // The keys in [s, e) go (a range holds few: walking back from e is cheaper than a second search). The
  // first one's node is kept for the entry written next, saving a free and a malloc.
  auto lo = hi;
  while (lo != m.begin() && std::prev(lo)->first >= s) --lo;
  std::map<std::uint32_t, Chunk*>::node_type spare;
  if (lo != hi) spare = m.extract(lo++);
  lo = m.erase(lo, hi);  // == hi
  auto put = [&](std::uint32_t key, Chunk* chunk) {
    if (spare.empty()) {
      m.emplace_hint(lo, key, chunk);
      return;
    }
    spare.key() = key;
    spare.mapped() = chunk;
    m.insert(lo, std::move(spare));
  };
  if (lo == m.begin() || std::prev(lo)->second != c) put(s, c);
  if (after != nullptr && after != c) {
    put(e, after);
  } else if (e_is_key && lo->second == c) {
    m.erase(lo);  // [s, e) and [e, ...) now name the same chunk: one entry
  }
}

// The ids [s, e) all sit in one chunk, which the entry at or before s names; unless a key falls inside
// (s, e), that entry covers the whole range, and moving it takes one search: s names `to` (the entry at s
// itself changes, or one is added), and e names the old chunk again unless a key is there already or no id
// from e on is indexed. The general IndexRange handles a key inside.
void TextSeq::IndexMove(std::uint32_t rep, std::uint32_t s, std::uint32_t e, Chunk* to) {
  find_cache_.chunk = nullptr;
  auto& m = index_[rep];
  auto next = m.upper_bound(s);
  if (next == m.begin() || (next != m.end() && next->first < e)) {
    IndexRange(rep, s, e, to);
    return;
  }
  const auto at = std::prev(next);
  Chunk* const from = at->second;
  if (e < index_top_[rep] && (next == m.end() || next->first != e)) next = m.emplace_hint(next, e, from);
  if (at->first == s) {
    at->second = to;
  } else {
    m.emplace_hint(next, s, to);
  }
}

TextSeq::Chunk* TextSeq::IndexFindCached(std::uint32_t rep, std::uint32_t ctr) {
  FindCache& fc = find_cache_;
  if (fc.chunk != nullptr && rep == fc.rep && ctr - fc.lo < fc.hi - fc.lo) return fc.chunk;  // lo <= ctr < hi
  if (rep >= index_.size()) return nullptr;
  const auto& m = index_[rep];
  const auto next = m.upper_bound(ctr);
  if (next == m.begin()) return nullptr;
  const auto at = std::prev(next);
  fc = {rep, at->first, next == m.end() ? 0xFFFFFFFFu : next->first, at->second, fc.ri};
  return at->second;
}

bool TextSeq::Lookup(TId id, Loc& out) const {
  return !id.none() && LookupIn(IndexFind(id.rep, id.ctr), id, out);
}

bool TextSeq::Find(TId id, Loc& out) {
  if (id.none()) return false;
  const Chunk* c = IndexFindCached(id.rep, id.ctr);
  if (c == nullptr) return false;
  for (const std::size_t ri : {find_cache_.ri, find_cache_.ri + 1}) {
    if (ri >= c->runs.size()) break;
    const Run& r = c->runs[ri];
    if (r.rep == id.rep && id.ctr - r.ctr < r.len) {
      out = {c->index, ri, id.ctr - r.ctr};
      find_cache_.ri = ri;
      return true;
    }
  }
  if (!LookupIn(c, id, out)) return false;
  find_cache_.ri = out.ri;
  return true;
}

bool TextSeq::LookupIn(const Chunk* c, TId id, Loc& out) const {
  if (c == nullptr) return false;
  for (std::size_t ri = 0; ri < c->runs.size(); ++ri) {
    const Run& r = c->runs[ri];
    // (Unsigned: a counter below r.ctr wraps past any length, as counters end by 2^32.)
    if (r.rep == id.rep && id.ctr - r.ctr < r.len) {
      out = {c->index, ri, id.ctr - r.ctr};
      return true;
    }
  }
  return false;
}

const Run* TextSeq::RunOf(TId id) const {
  Loc l;
  if (!Lookup(id, l)) return nullptr;
  return &chunks_[l.ci]->runs[l.ri];
}

bool TextSeq::HasId(TId id) const {
  Loc l;
  return Lookup(id, l);
}

bool TextSeq::HasRange(const TRange& r) const {
  return HasRangeVia(r, [this](TId id, Loc& l) { return Lookup(id, l); });
}

template <typename LookupFn>
bool TextSeq::HasRangeVia(const TRange& r, LookupFn&& lookup) const {
  std::uint32_t ctr = r.ctr;
  const std::uint32_t end = r.ctr + r.len;
  while (ctr < end) {
    Loc l;
    if (!lookup(TId{r.rep, ctr}, l)) return false;
    const Run& run = chunks_[l.ci]->runs[l.ri];
    ctr = run.ctr + run.len;
  }
  return true;
}

TId TextSeq::IdAt(const Loc& l) const {
  const Run& r = chunks_[l.ci]->runs[l.ri];
  return {r.rep, r.ctr + l.off};
}

bool TextSeq::Prev(const Loc& l, Loc& out) const {
  if (l.off > 0) {
    out = {l.ci, l.ri, l.off - 1};
    return true;
  }
  std::size_t ci = l.ci, ri = l.ri;
  while (true) {
    if (ri > 0) {
      out = {ci, ri - 1, chunks_[ci]->runs[ri - 1].len - 1};
      return true;
    }
    if (ci == 0) return false;
    --ci;
    ri = chunks_[ci]->runs.size();
  }
}

void TextSeq::NextRun(Loc& l) const {
  l.off = 0;
  ++l.ri;
  while (l.ri >= chunks_[l.ci]->runs.size() && l.ci + 1 < chunks_.size()) {
    ++l.ci;
    l.ri = 0;
  }
}

TId TextSeq::VisibleIdAt(std::uint64_t pos) const {
  for (const auto& c : chunks_) {
    if (pos >= c->vis) {
      pos -= c->vis;
      continue;
    }
    for (const Run& r : c->runs) {
      if (r.deleted) continue;
      if (pos < r.len) return {r.rep, r.ctr + static_cast<std::uint32_t>(pos)};
      pos -= r.len;
    }
  }
  return {};
}

TextSeq::Loc TextSeq::FindVisibleSlow(std::uint64_t pos) {
  std::size_t ci = cursor_ci_ < chunks_.size() ? cursor_ci_ : 0;
  std::uint64_t before = ci == cursor_ci_ ? cursor_before_ : 0;
  while (ci > 0 && pos < before) {
    --ci;
    before -= chunks_[ci]->vis;
  }
  while (ci + 1 < chunks_.size() && pos >= before + chunks_[ci]->vis) {
    before += chunks_[ci]->vis;
    ++ci;
  }
  cursor_ci_ = ci;
  cursor_before_ = before;
  std::uint64_t rem = pos - before;
  const auto& runs = chunks_[ci]->runs;
  const std::uint64_t chunk_vis = chunks_[ci]->vis;
  if (rem < chunk_vis && rem >= chunk_vis / 2) {
    // In the chunk's second half: count back from its end, reading half the runs on average.
    std::uint64_t from_end = chunk_vis - rem;  // visible code points from pos (included) to the chunk's end
    for (std::size_t ri = runs.size(); ri-- > 0;) {
      const Run& r = runs[ri];
      if (r.deleted) continue;
      if (from_end <= r.len) return {ci, ri, static_cast<std::uint32_t>(r.len - from_end)};
      from_end -= r.len;
    }
  }
  for (std::size_t ri = 0; ri < runs.size(); ++ri) {
    const Run& r = runs[ri];
    if (r.deleted) continue;
    if (rem < r.len) return {ci, ri, static_cast<std::uint32_t>(rem)};
    rem -= r.len;
  }
  // pos is the visible length: the end. (Only the last chunk can get here.)
  return End();
}

TextSeq::Loc TextSeq::SplitAt(Loc l) {
  if (l.off == 0) return l;
  Chunk& c = *chunks_[l.ci];
  Run& r = c.runs[l.ri];
  const std::uint32_t b = ByteOffset(r, l.off);
  Run tail = r;
  tail.ctr = r.ctr + l.off;
  tail.len = r.len - l.off;
  tail.left = {r.rep, r.ctr + l.off - 1};
  if (r.content != kNoContent) {
    tail.content = r.content + b;
    tail.bytes = r.bytes - b;
    r.bytes = b;
  }
  r.len = l.off;
  c.runs.insert(c.runs.begin() + static_cast<std::ptrdiff_t>(l.ri) + 1, tail);
  return {l.ci, l.ri + 1, 0};
}

std::size_t TextSeq::MaybeSplitChunk(std::size_t ci) {
  Chunk& c = *chunks_[ci];
  if (c.runs.size() <= kMaxRuns) return c.runs.size();
  auto fresh = std::make_unique<Chunk>();
  const std::size_t half = c.runs.size() / 2;
  fresh->runs.reserve(kMaxRuns + 2);  // (before assign: one allocation, not two)
  fresh->runs.assign(c.runs.begin() + static_cast<std::ptrdiff_t>(half), c.runs.end());
  c.runs.resize(half);
  for (const Run& r : fresh->runs) {
    fresh->len += r.len;
    if (!r.deleted) fresh->vis += r.len;
  }
  c.len -= fresh->len;
  c.vis -= fresh->vis;
  Chunk* fp = fresh.get();
  chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(ci) + 1, std::move(fresh));
  for (std::size_t i = ci + 1; i < chunks_.size(); ++i) chunks_[i]->index = static_cast<std::uint32_t>(i);
  // Runs that moved get the new chunk in the index. Their id ranges, sorted, are joined where they meet
  // (runs typed in one go but no longer side by side, since edits came between them) so that each
  // stretch of ids takes one update. Nothing names the fresh chunk yet, so no range is already covered.
  std::vector<TRange>& moved = split_scratch_;
  moved.clear();
  for (const Run& r : fp->runs) moved.push_back({r.rep, r.ctr, r.len});
  std::sort(moved.begin(), moved.end(), [](const TRange& a, const TRange& b) {
    return a.rep != b.rep ? a.rep < b.rep : a.ctr < b.ctr;
  });
  const std::size_t count = moved.size();
  for (std::size_t i = 0; i < count;) {
    const TRange& first = moved[i];
    std::uint32_t end = first.ctr + first.len;
    std::size_t j = i + 1;
    while (j < count && moved[j].rep == first.rep && moved[j].ctr == end) end += moved[j++].len;
    IndexMove(first.rep, first.ctr, end, fp);
    i = j;
  }
  if (cursor_ci_ > ci) ++cursor_ci_;
  return half;
}

// Places `run` immediately before location `at` (which must have off == 0 or be split first), extending the
// run to its left instead when it continues it exactly (same replica, next counters, left origin = its last
// code point, same right origin, same deleted state, content adjacent in the arena).
TextSeq::Loc TextSeq::InsertRunBefore(Loc at, Run run, std::string_view utf8) {
  at = SplitAt(at);
  if (!utf8.empty()) {
    run.content = static_cast<std::uint32_t>(arena_.size());
    run.bytes = static_cast<std::uint32_t>(utf8.size());
    arena_.append(utf8);
  } else {
    run.content = kNoContent;
    run.bytes = 0;
  }
  Loc prev;
  if (Prev(at, prev)) {
    Chunk& pc = *chunks_[prev.ci];
    Run& p = pc.runs[prev.ri];
    if (prev.off == p.len - 1 && p.rep == run.rep && p.ctr + p.len == run.ctr && run.left == TId{p.rep, run.ctr - 1} &&
        p.right == run.right && p.deleted == run.deleted && p.author == run.author &&
        ((p.content == kNoContent && run.content == kNoContent) ||
         (p.content != kNoContent && run.content != kNoContent && p.content + p.bytes == run.content))) {
      p.len += run.len;
      p.bytes += run.bytes;
      pc.len += run.len;
      len_ += run.len;
      if (!run.deleted) AddVisible(prev.ci, static_cast<std::int64_t>(run.len));
      if (!IndexCovers(run.rep, run.ctr, run.ctr + run.len, &pc)) IndexRange(run.rep, run.ctr, run.ctr + run.len, &pc);
      NoteTop(run.rep, run.ctr + run.len);
      return {prev.ci, prev.ri, 0};
    }
  }
  Chunk& c = *chunks_[at.ci];
  c.runs.insert(c.runs.begin() + static_cast<std::ptrdiff_t>(at.ri), run);
  c.len += run.len;
  len_ += run.len;
  if (!run.deleted) AddVisible(at.ci, static_cast<std::int64_t>(run.len));
  if (!IndexCovers(run.rep, run.ctr, run.ctr + run.len, &c)) IndexRange(run.rep, run.ctr, run.ctr + run.len, &c);
  NoteTop(run.rep, run.ctr + run.len);
  const std::size_t half = MaybeSplitChunk(at.ci);
  if (at.ri >= half) return {at.ci + 1, at.ri - half, 0};
  return {at.ci, at.ri, 0};
}

void TextSeq::LocalInsert(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos, std::string_view utf8,
                          std::uint32_t n, std::uint64_t hlc, std::uint32_t author) {
  if (TryExtendTyping(rep, ctr, pos, utf8, n, author)) return;
  const Loc at = FindVisible(pos);  // (before Changed(): a delete's hint may know pos)
  Changed();
  Run run{};
  run.rep = rep;
  run.ctr = ctr;
  run.len = n;
  run.author = author & 0x7FFFFFFFu;
  run.hlc = hlc;
  run.deleted = false;
  Loc prev;
  run.left = Prev(at, prev) ? IdAt(prev) : TId{};
  run.right = IsEnd(at) ? TId{} : IdAt(at);
  const Loc placed = InsertRunBefore(at, run, utf8);
  // The fast path above may extend this run if its content ends the arena and the id index already maps
  // every counter above it to its chunk (so extending needs no index change).
  const Chunk* pc = chunks_[placed.ci].get();
  const Run& r = pc->runs[placed.ri];
  if (fast_paths_ && r.content != kNoContent && r.content + r.bytes == arena_.size() && r.ctr + r.len == ctr + n &&
      IndexCovers(rep, r.ctr + r.len - 1, 0xFFFFFFFFu, pc))
    hot_ = {true, true, placed.ci, placed.ri, rep, author, ctr + n, pos + n};
}

// Marks up to `max` code points from l (within one run) deleted, splitting as needed. Returns how many
// were visible and are now deleted (0 if the run was already deleted), and their ids in `deleted`.
std::uint32_t TextSeq::MarkDeleted(Loc l, std::uint32_t max, TRange& deleted) {
  if (fast_paths_ && AbsorbDelete(l, max, deleted)) return deleted.len;
  return SplitAndMarkDeleted(l, max, deleted);
}

std::uint32_t TextSeq::SplitAndMarkDeleted(Loc l, std::uint32_t max, TRange& deleted) {
  l = SplitAt(l);
  Chunk& c = *chunks_[l.ci];
  Run* r = &c.runs[l.ri];
  const std::uint32_t k = std::min(max, r->len);
  if (r->deleted) {
    deleted = {r->rep, r->ctr, k};
    return 0;
  }
  if (k < r->len) {
    SplitAt({l.ci, l.ri, k});
    r = &c.runs[l.ri];
  }
  r->deleted = true;
  AddVisible(l.ci, -static_cast<std::int64_t>(k));
  deleted = {r->rep, r->ctr, k};
  // Undo the splits that deleting made where the neighbours are deleted too, so that typing and then
  // deleting does not leave a trail of one-character runs.
  TryMergeWithNext(l.ci, l.ri);
  if (l.ri > 0) TryMergeWithNext(l.ci, l.ri - 1);
  MaybeSplitChunk(l.ci);
  return k;
}

inline bool TextSeq::AbsorbDelete(Loc l, std::uint32_t max, TRange& deleted) {
  Absorb plan;
  if (!PlanAbsorb(l, max, plan)) return false;
  const Run& r = chunks_[l.ci]->runs[l.ri];
  ApplyAbsorb(l, plan, ByteOffset(r, plan.forwards ? plan.k : l.off));
  deleted = plan.got;
  return true;
}

void TextSeq::TryMergeWithNext(std::size_t ci, std::size_t ri) {
  Chunk& c = *chunks_[ci];
  if (ri + 1 >= c.runs.size()) return;
  Run& a = c.runs[ri];
  const Run& b = c.runs[ri + 1];
  if (a.deleted == b.deleted && Continues(a, b)) {
    a.len += b.len;
    a.bytes += b.bytes;
    c.runs.erase(c.runs.begin() + static_cast<std::ptrdiff_t>(ri) + 1);
  }
}

[[gnu::always_inline]] inline void TextSeq::RecordDelete(std::uint32_t rep, std::uint32_t ctr, std::uint32_t span, const TRange& r,
                           std::uint64_t hlc, std::uint32_t author, bool may_extend, std::uint64_t extend_after) {
  if (may_extend && DeleteExtendsLastRecord(rep, ctr, author, extend_after)) {
    DelRecord& d = dels_.back();
    d.span += span;
    TRange& last = del_ranges_.back();
    if (last.rep == r.rep && last.ctr + last.len == r.ctr) {
      last.len += r.len;
    } else if (last.rep == r.rep && r.ctr + r.len == last.ctr) {
      last.ctr = r.ctr;
      last.len += r.len;
    } else {
      del_ranges_.push_back(r);
      ++d.count;
    }
    return;
  }
  dels_.push_back({rep, ctr, span, static_cast<std::uint32_t>(del_ranges_.size()), 1, author, hlc});
  del_ranges_.push_back(r);
}

void TextSeq::LocalDelete(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos, std::uint32_t len,
                          std::uint64_t hlc, std::uint32_t author, std::uint64_t extend_after) {
  placed_.valid = false;  // (hot_ and hint_ are kept or dropped below)
  // Backspace while typing: the code points end the hot run, so their place is known without a search.
  // The run stays hot for more backspaces, but typing can no longer extend it (tombstones follow it now).
  if (hot_.valid && pos + len == hot_.pos_end && len < chunks_[hot_.ci]->runs[hot_.ri].len) {
    const Loc l{hot_.ci, hot_.ri, chunks_[hot_.ci]->runs[hot_.ri].len - len};
    TRange got;
    if (!AbsorbDelete(l, len, got)) {
      // The first backspace: what MarkDeleted does, keeping track of where the hot run ends up.
      SplitAt(l);
      Run& tail = chunks_[l.ci]->runs[l.ri + 1];
      tail.deleted = true;
      got = {tail.rep, tail.ctr, len};
      AddVisible(l.ci, -static_cast<std::int64_t>(len));
      TryMergeWithNext(l.ci, l.ri + 1);
      const std::size_t half = MaybeSplitChunk(l.ci);
      if (hot_.ri >= half) {
        ++hot_.ci;
        hot_.ri -= half;
      }
    }
    RecordDelete(rep, ctr, len, got, hlc, author, true, extend_after);
    hot_.pos_end -= len;
    hot_.typing = false;
    hint_.state = Hint::kNone;
    // Backspacing on (this replica's own, rep 0, through TryDeleteOne) can be a deleting streak from here:
    // the hot run's last code point, with the tombstone continuing it next to it (Hint).
    if (fast_paths_ && rep == 0) {
      Chunk& c = *chunks_[hot_.ci];
      const Run& r = c.runs[hot_.ri];
      const DelRecord& d = dels_.back();
      const TRange& last = del_ranges_.back();
      if (r.len >= 2 && r.content != kNoContent && r.bytes == r.len && hot_.ri + 1 < c.runs.size() &&
          c.runs[hot_.ri + 1].deleted && Continues(r, c.runs[hot_.ri + 1]) && last.rep == r.rep &&
          last.ctr == r.ctr + r.len && d.rep == 0 && d.first + d.count == del_ranges_.size()) {
        hint_ = {Hint::kDeletingBackwards, hot_.pos_end - 1, {hot_.ci, hot_.ri, r.len - 1}};
        hot_.valid = false;  // the streak moves the run's end now, which hot_ would not follow
      }
    }
    return;
  }
  hot_.valid = false;
  std::uint32_t remaining = len;
  std::uint32_t next_ctr = ctr;
  while (remaining > 0) {
    // Re-locating from the cursor each time keeps the code simple; deletes of long ranges are rare.
    const Loc l = FindVisible(pos);
    hint_.state = Hint::kNone;
    TRange got;
    std::uint32_t k;
    if (fast_paths_ && AbsorbDelete(l, remaining, got)) {
      // Deleting on (forwards or backwards) finds its code point here next time: the run that shrank.
      k = got.len;
      if (l.off == 0) {
        hint_ = {Hint::kKnown, pos, {l.ci, l.ri, 0}};
      } else if (pos > 0) {
        hint_ = {Hint::kKnown, pos - 1, {l.ci, l.ri, chunks_[l.ci]->runs[l.ri].len - 1}};
      }
    } else {
      k = SplitAndMarkDeleted(l, remaining, got);
    }
    if (k == 0) std::abort();  // FindVisible returns a visible code point
    RecordDelete(rep, next_ctr, k, got, hlc, author, true, extend_after);
    next_ctr += k;
    remaining -= k;
  }
}

Status TextSeq::RemoteInsert(std::uint32_t rep, std::uint32_t ctr, std::uint32_t n, TId left, TId right,
                             std::string_view utf8, std::uint64_t hlc, std::uint32_t author) {
  // Runs usually arrive in the order they were typed: the left origin is often the last code point of the
  // run integrated just before (remembered, unless something else changed since), and the right origin
  // the code point just after the left one.
  Loc left_loc, right_loc;
  const bool left_known = fast_paths_ && placed_.valid && placed_.last == left;
  if (left_known) left_loc = placed_.loc;
  Changed();
  if (!left.none() && !left_known && !Find(left, left_loc))
    return MakeError(ErrorCode::kCorrupt, "text insert names an origin this text lacks");
  // Positions are compared as locations (chunk, run, offset: document order), which needs no counting.
  Loc loc;
  if (left.none()) {
    loc = {0, 0, 0};
  } else {
    loc = left_loc;
    if (loc.off + 1 < chunks_[loc.ci]->runs[loc.ri].len) {
      ++loc.off;
    } else {
      NextRun(loc);
    }
  }
  if (right.none()) {
    right_loc = End();
  } else if (!IsEnd(loc) && IdAt(loc) == right) {
    right_loc = loc;
  } else if (!Find(right, right_loc)) {
    return MakeError(ErrorCode::kCorrupt, "text insert names an origin this text lacks");
  }
  const ReplicaId my_id = (*replica_ids_)[rep];
  Loc dest_loc = loc;
  bool scanning = false;
  while (true) {
    if (!scanning) dest_loc = loc;
    if (IsEnd(loc) || Compare(loc, right_loc) == 0) break;
    const Run& other = chunks_[loc.ci]->runs[loc.ri];
    const TId oleft = loc.off > 0 ? TId{other.rep, other.ctr + loc.off - 1} : other.left;
    int cmp_left;
    if (oleft == left) {
      cmp_left = 0;
    } else if (oleft.none()) {
      cmp_left = -1;
    } else if (left.none() || loc.off > 0) {
      cmp_left = 1;
    } else {
      Loc ol;
      if (!Find(oleft, ol)) std::abort();
      cmp_left = Compare(ol, left_loc);
    }
    if (cmp_left < 0) break;
    if (cmp_left == 0) {
      int cmp_right;
      if (other.right == right) {
        cmp_right = 0;
      } else {
        Loc orl = End();
        if (!other.right.none() && !Find(other.right, orl)) std::abort();
        cmp_right = Compare(orl, right_loc);
      }
      if (cmp_right == 0 && my_id < (*replica_ids_)[other.rep]) break;
      scanning = cmp_right < 0;
    }
    // The rest of this run has left origins inside the scanned region: skip it (no state change), but
    // never beyond the right origin.
    std::uint32_t step = other.len - loc.off;
    if (right_loc.ci == loc.ci && right_loc.ri == loc.ri && right_loc.off > loc.off) step = right_loc.off - loc.off;
    if (loc.off + step < other.len) {
      loc.off += step;
    } else {
      NextRun(loc);
    }
  }
  Run run{};
  run.rep = rep;
  run.ctr = ctr;
  run.len = n;
  run.author = author & 0x7FFFFFFFu;
  run.hlc = hlc;
  run.left = left;
  run.right = right;
  run.deleted = utf8.empty();
  const Loc placed = InsertRunBefore(dest_loc, run, utf8);
  placed_ = {true, {rep, ctr + n - 1}, {placed.ci, placed.ri, chunks_[placed.ci]->runs[placed.ri].len - 1}};
  return Ok();
}

Status TextSeq::RemoteDelete(std::uint32_t rep, std::uint32_t ctr, std::uint32_t span,
                             const std::vector<TRange>& ranges, std::uint64_t hlc, std::uint32_t author) {
  Changed();
  for (const TRange& r : ranges)
    if (!HasRangeVia(r, [this](TId id, Loc& l) { return Find(id, l); }))
      return MakeError(ErrorCode::kCorrupt, "text delete names code points this text lacks");
  const auto first = static_cast<std::uint32_t>(del_ranges_.size());
  for (const TRange& r : ranges) {
    std::uint32_t c = r.ctr;
    const std::uint32_t end = r.ctr + r.len;
    while (c < end) {
      Loc l;
      if (!Find({r.rep, c}, l)) std::abort();
      TRange got;
      const std::uint32_t room = chunks_[l.ci]->runs[l.ri].len - l.off;
      MarkDeleted(l, std::min(room, end - c), got);
      c += got.len;
    }
    del_ranges_.push_back(r);
  }
  dels_.push_back({rep, ctr, span, first, static_cast<std::uint32_t>(ranges.size()), author, hlc});
  return Ok();
}

void TextSeq::ForEachRun(const std::function<void(const Run&)>& f) const {
  for (const auto& c : chunks_)
    for (const Run& r : c->runs) f(r);
}

void TextSeq::DropDeletes(const std::function<bool(const DelRecord&)>& keep) {
  Changed();
  std::vector<DelRecord> dels;
  std::vector<TRange> ranges;
  for (const DelRecord& d : dels_) {
    if (!keep(d)) continue;
    DelRecord n = d;
    n.first = static_cast<std::uint32_t>(ranges.size());
    ranges.insert(ranges.end(), del_ranges_.begin() + d.first, del_ranges_.begin() + d.first + d.count);
    dels.push_back(n);
  }
  dels_ = std::move(dels);
  del_ranges_ = std::move(ranges);
}

void TextSeq::AppendLoadedRun(Run r, std::string_view utf8) {
  Changed();
  Chunk* c = chunks_.back().get();
  if (c->runs.size() >= kLoadFill) {
    chunks_.push_back(std::make_unique<Chunk>());
    c = chunks_.back().get();
    c->index = static_cast<std::uint32_t>(chunks_.size() - 1);
  }
  if (c->runs.empty()) c->runs.reserve(kLoadFill);
  if (!utf8.empty()) {
    r.content = static_cast<std::uint32_t>(arena_.size());
    r.bytes = static_cast<std::uint32_t>(utf8.size());
    arena_.append(utf8);
  } else {
    r.content = kNoContent;
    r.bytes = 0;
  }
  c->runs.push_back(r);
  c->len += r.len;
  len_ += r.len;
  if (!r.deleted) AddVisible(chunks_.size() - 1, static_cast<std::int64_t>(r.len));
}

void TextSeq::FinishLoad() {
  // Per replica, (counter, end, chunk) sorted by counter; one index entry wherever the chunk changes.
  struct Item {
    std::uint32_t ctr, end;
    Chunk* chunk;
  };
  std::vector<std::vector<Item>> per;
  for (const auto& c : chunks_)
    for (const Run& r : c->runs) {
      if (r.rep >= per.size()) per.resize(r.rep + 1);
      per[r.rep].push_back({r.ctr, r.ctr + r.len, c.get()});
    }
  find_cache_.chunk = nullptr;
  index_.assign(per.size(), {});
  index_top_.assign(per.size(), 0);
  for (std::size_t rep = 0; rep < per.size(); ++rep) {
    auto& items = per[rep];
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.ctr < b.ctr; });
    auto& m = index_[rep];
    Chunk* last = nullptr;
    for (const Item& it : items) {
      if (it.chunk != last) {
        m.emplace_hint(m.end(), it.ctr, it.chunk);
        last = it.chunk;
      }
      index_top_[rep] = std::max(index_top_[rep], it.end);
    }
  }
}

void TextSeq::AppendLoadedDelete(DelRecord d, const std::vector<TRange>& ranges) {
  Changed();
  d.first = static_cast<std::uint32_t>(del_ranges_.size());
  d.count = static_cast<std::uint32_t>(ranges.size());
  del_ranges_.insert(del_ranges_.end(), ranges.begin(), ranges.end());
  dels_.push_back(d);
}

std::vector<VisibleRange> TextSeq::InsertedAfter(
    const std::function<bool(std::uint32_t rep, std::uint32_t ctr)>& known) const {
  std::vector<VisibleRange> out;
  std::uint64_t pos = 0;
  for (const auto& c : chunks_) {
    for (const Run& r : c->runs) {
      if (r.deleted) continue;
      // The known counters of a run are a prefix (counters are applied in order per replica).
      std::uint32_t lo = 0, hi = r.len;
      while (lo < hi) {
        const std::uint32_t mid = lo + (hi - lo) / 2;
        if (known(r.rep, r.ctr + mid)) lo = mid + 1; else hi = mid;
      }
      const std::uint32_t k = lo;
      if (k < r.len) {
        const std::uint64_t b = pos + k, e = pos + r.len;
        if (!out.empty() && out.back().end == b && out.back().rep == r.rep)
          out.back().end = e;
        else
          out.push_back({b, e, r.rep});
      }
      pos += r.len;
    }
  }
  return out;
}

}  // namespace casepack::detail
