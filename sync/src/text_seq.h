// The text sequence CRDT behind Replica's text fields (private to sync/).
//
// Algorithm: FugueMax (Weidner & Kleppmann, "The Art of the Fugue", 2023), in the list form that Joseph
// Gentle's reference-crdts calls YjsMod: every inserted code point has an id, a left origin (the code point
// left of it when typed) and a right origin (the next visible one). Concurrent inserts at one place are
// ordered by scanning right from the left origin, which keeps each author's run together (no character
// interleaving, forwards or backwards). Deleted code points stay as tombstones: later operations may
// name them as origins.
//
// Representation: run-length encoded. A Run is consecutive ids (one replica, counters c..c+len) that sit
// next to each other, typed left to right: its first code point carries explicit origins, the others have
// the previous code point as left origin and share the right origin. Runs live in chunks of at most
// kMaxRuns with cached lengths (a two-level list), plus a per-replica interval map from counters to chunks
// for id lookups. Local typing goes through a cursor cache and usually just extends the last run.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/operation.h"
#include "casepack/result.h"

namespace casepack::detail {

constexpr std::uint32_t kNoRep = 0xFFFFFFFFu;
constexpr std::uint32_t kNoContent = 0xFFFFFFFFu;

// A code point id inside the sequence: replica index (into the owning Replica's table) and counter.
struct TId {
  std::uint32_t rep = kNoRep;
  std::uint32_t ctr = 0;
  bool none() const { return rep == kNoRep; }
  bool operator==(const TId&) const = default;
};

struct TRange {
  std::uint32_t rep;
  std::uint32_t ctr;
  std::uint32_t len;
};

struct Run {
  std::uint32_t rep;
  std::uint32_t ctr;
  std::uint32_t len;      // code points
  std::uint32_t content;  // byte offset in the arena, or kNoContent (a tombstone whose text was dropped)
  std::uint32_t bytes;        // UTF-8 bytes of the content (0 without content)
  std::uint32_t author : 31;  // index into the owning Replica's author table
  std::uint32_t deleted : 1;
  TId left;                   // left origin of the first code point
  TId right;                  // right origin shared by all code points
  std::uint64_t hlc;          // clock of the operation that inserted the first code point
};

// A delete operation as recorded: counters [ctr, ctr + span) of replica rep, deleting the ranges
// ranges_[first, first + count). Consecutive deletes by one replica coalesce into one record.
struct DelRecord {
  std::uint32_t rep;
  std::uint32_t ctr;
  std::uint32_t span;
  std::uint32_t first;
  std::uint32_t count;
  std::uint32_t author;
  std::uint64_t hlc;
};

// A visible range of text inserted after a given version (for highlighting concurrent edits).
struct VisibleRange {
  std::uint64_t begin;
  std::uint64_t end;
  std::uint32_t rep;
};

// Growable bytes whose one-byte append is a compare, a store and an add, always inline: the keystroke
// path is too large for GCC to inline std::string's or std::vector's push_back, and the call cost a
// tenth of a keystroke. Doubles as it grows, like both of them.
class ByteArena {
 public:
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  const char* data() const { return data_.get(); }
  void reserve(std::size_t n) {
    if (n > capacity_) Grow(n);
  }
  [[gnu::always_inline]] void push_back(char c) {
    if (size_ == capacity_) [[unlikely]]
      Grow(size_ + 1);
    data_[size_++] = c;
  }
  // push_back where there is room: false, and nothing changed, when the arena is full.
  [[gnu::always_inline]] bool push_back_in_place(char c) {
    if (size_ == capacity_) [[unlikely]]
      return false;
    data_[size_++] = c;
    return true;
  }
  void append(std::string_view s) {
    if (s.empty()) return;
    if (s.size() > capacity_ - size_) Grow(size_ + s.size());
    std::memcpy(data_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }

 private:
  void Grow(std::size_t need);  // to at least `need`, and at least double
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

class TextSeq {
 public:
  // `replica_ids` maps replica indices to ids; ties between concurrent runs are broken by replica id so that
  // every replica orders them the same way. It must outlive this object.
  explicit TextSeq(const std::vector<ReplicaId>* replica_ids);
  TextSeq(const TextSeq&) = delete;
  TextSeq& operator=(const TextSeq&) = delete;

  std::uint64_t length() const { return vis_; }
  const std::vector<ReplicaId>* replica_ids() const { return replica_ids_; }
  std::string Text() const;

  // Typing: extends the run the previous keystroke created or extended when this one continues it and
  // nothing else changed since; false (and no change) otherwise. It needs no clock: a run keeps the
  // clock of its first code point. REQUIRES: as LocalInsert.
  bool TryExtendTyping(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos, std::string_view utf8,
                       std::uint32_t n, std::uint32_t author);
  // TryExtendTyping's most common case in full, for this replica's own author (rep 0): one ASCII byte, with
  // room for it in the arena. It calls nothing, so a caller's fast path around it needs no stack frame.
  bool TryTypeAscii(std::uint32_t ctr, std::uint64_t pos, char c, std::uint32_t author);
  // LocalDelete's most common case in full, for this replica's own author (rep 0) and one code point: found
  // where the last delete left off (the hint), in an ASCII run, joining the tombstone beside it
  // (AbsorbDelete), and extending the last delete record and its last range (RecordDelete). It calls
  // nothing. False, and nothing changed, in any other case. REQUIRES: as LocalDelete.
  bool TryDeleteOne(std::uint32_t ctr, std::uint64_t pos, std::uint32_t author, std::uint64_t extend_after);
  // REQUIRES: pos <= length(), utf8 valid, n = its code point count > 0, ids (rep, ctr..ctr+n) unused.
  void LocalInsert(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos, std::string_view utf8, std::uint32_t n,
                   std::uint64_t hlc, std::uint32_t author);
  // True when a local delete from counter ctr would extend the last delete record, which keeps the clock
  // of its first delete: LocalDelete's hlc is then not used.
  bool DeleteExtendsLastRecord(std::uint32_t rep, std::uint32_t ctr, std::uint32_t author,
                               std::uint64_t extend_after) const;
  // REQUIRES: pos + len <= length(), len > 0. Uses counters [ctr, ctr + len).
  void LocalDelete(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos, std::uint32_t len, std::uint64_t hlc,
                   std::uint32_t author,
                   std::uint64_t extend_after = 0);

  // Integrates a run received from another replica. REQUIRES: its ids are new. kCorrupt (and no change) if
  // an origin is not in this text. An empty utf8 inserts a tombstone of n code points.
  Status RemoteInsert(std::uint32_t rep, std::uint32_t ctr, std::uint32_t n, TId left, TId right,
                    std::string_view utf8, std::uint64_t hlc, std::uint32_t author);
  // Marks the ranges deleted and records the delete. kCorrupt if a range names ids this text lacks (nothing
  // is changed then).
  Status RemoteDelete(std::uint32_t rep, std::uint32_t ctr, std::uint32_t span, const std::vector<TRange>& ranges,
                      std::uint64_t hlc, std::uint32_t author);
  // The whole lines around visible code points [pos, pos + count): from just after the last '\n' before
  // pos (or the start) to just after the first '\n' at or after pos + count (or the end), and the
  // position of its first code point. Reads only those lines' runs, so an edit in a long text costs its
  // paragraph, not the text. REQUIRES: pos + count <= length().
  struct Lines {
    std::uint64_t begin = 0;
    std::string text;
  };
  Lines LinesAround(std::uint64_t pos, std::uint64_t count) const;
  bool HasId(TId id) const;
  // The id of the visible code point at `pos`. REQUIRES: pos < length().
  TId VisibleIdAt(std::uint64_t pos) const;
  // The run holding code point `id`, or null: for listing one replica's recent inserts without a scan.
  const Run* RunOf(TId id) const;
  bool HasRange(const TRange& r) const;

  // Walks runs in document order / delete records in arrival order (for deltas, snapshots and compaction).
  void ForEachRun(const std::function<void(const Run&)>& f) const;
  const std::vector<DelRecord>& deletes() const { return dels_; }
  const std::vector<TRange>& delete_ranges() const { return del_ranges_; }
  std::string_view Content(const Run& r) const;
  // Drops delete records for which keep() is false (their effect stays in the runs).
  void DropDeletes(const std::function<bool(const DelRecord&)>& keep);

  // Snapshot loading: appends a run at the end without integration, and a delete record as-is. The id
  // index is built once by FinishLoad (REQUIRES: called after the last AppendLoadedRun, before any use).
  void ReserveLoadedContent(std::size_t bytes) { arena_.reserve(arena_.size() + bytes); }
  void AppendLoadedRun(Run r, std::string_view utf8);
  void FinishLoad();
  void AppendLoadedDelete(DelRecord d, const std::vector<TRange>& ranges);

  std::vector<VisibleRange> InsertedAfter(const std::function<bool(std::uint32_t rep, std::uint32_t ctr)>& known) const;

  // Verifies the cached lengths and that every code point is found by id where it is (for tests).
  std::string CheckInvariants() const;
  std::size_t run_count() const;
  std::size_t MemoryBytes() const;  // approximate heap use, for benchmarks
  // Off: every edit takes the general path (tests check the fast paths leave exactly the same runs).
  void SetFastPathsForTesting(bool on) {
    fast_paths_ = on;
    Changed();
  }

 private:
  struct Chunk {
    std::vector<Run> runs;
    std::uint64_t len = 0;  // code points, tombstones included (64 bits: many long tombstones must not wrap)
    std::uint64_t vis = 0;  // visible code points
    std::uint32_t index = 0;
  };
  // Location of one code point: run ri of chunk ci, offset off. ri == runs.size() of the last chunk = end.
  struct Loc {
    std::size_t ci;
    std::size_t ri;
    std::uint32_t off;
  };

  // Where the visible code point at pos is (the end at length()): the last delete's hint, else a walk from
  // the cursor.
  Loc FindVisible(std::uint64_t pos) { return hint_.valid() && hint_.pos == pos ? hint_.loc : FindVisibleSlow(pos); }
  Loc FindVisibleSlow(std::uint64_t pos);
  bool Lookup(TId id, Loc& out) const;
  // Lookup for the integration of remote runs and deletes, which look up ids near each other in a row:
  // through find_cache_, the index entry the last one used, trying the run it found and the next one first.
  bool Find(TId id, Loc& out);
  bool LookupIn(const Chunk* c, TId id, Loc& out) const;  // the run of chunk c holding id (c may be null)
  template <typename LookupFn>
  bool HasRangeVia(const TRange& r, LookupFn&& lookup) const;
  // Document order of two locations (normalised: off < the run's length, or End()): -1, 0 or 1.
  static int Compare(const Loc& a, const Loc& b) {
    if (a.ci != b.ci) return a.ci < b.ci ? -1 : 1;
    if (a.ri != b.ri) return a.ri < b.ri ? -1 : 1;
    return a.off < b.off ? -1 : (a.off > b.off ? 1 : 0);
  }
  bool IsEnd(const Loc& l) const { return l.ci + 1 == chunks_.size() && l.ri == chunks_[l.ci]->runs.size(); }
  Loc End() const { return {chunks_.size() - 1, chunks_.back()->runs.size(), 0}; }
  bool Prev(const Loc& l, Loc& out) const;
  void NextRun(Loc& l) const;
  TId IdAt(const Loc& l) const;
  // Splits the run at l so that l.off becomes 0 of a new run; returns the new location.
  Loc SplitAt(Loc l);
  // Returns where the run holding the new code points is (after any chunk split).
  Loc InsertRunBefore(Loc at, Run run, std::string_view utf8);
  // Splits an overfull chunk in two; returns the index of the first run that moved (runs.size() if none).
  std::size_t MaybeSplitChunk(std::size_t ci);
  void TryMergeWithNext(std::size_t ci, std::size_t ri);
  // True when b continues a (TryMergeWithNext may join them if they are both deleted or both not).
  [[gnu::always_inline]] static bool Continues(const Run& a, const Run& b) {
    return a.rep == b.rep && a.ctr + a.len == b.ctr && b.left == TId{a.rep, b.ctr - 1} && a.right == b.right &&
           a.author == b.author &&
           ((a.content == kNoContent && b.content == kNoContent) ||
            (a.content != kNoContent && b.content != kNoContent && a.content + a.bytes == b.content));
  }
  bool AbsorbDelete(Loc l, std::uint32_t max, TRange& deleted);
  // AbsorbDelete in two steps, so that TryDeleteOne can check more before anything changes: which
  // tombstone the code points join and how many, then the change (`bytes`: the run's byte offset of the
  // boundary that moves, ByteOffset(r, k) deleting forwards, ByteOffset(r, l.off) backwards).
  struct Absorb {
    Run* tomb;
    bool forwards;  // the run's first k code points join the tombstone before it, else its last k the one after
    std::uint32_t k;
    TRange got;     // the ids deleted
  };
  bool PlanAbsorb(Loc l, std::uint32_t max, Absorb& plan);
  void ApplyAbsorb(Loc l, const Absorb& plan, std::uint32_t bytes);
  std::uint32_t MarkDeleted(Loc l, std::uint32_t max, TRange& deleted);
  std::uint32_t SplitAndMarkDeleted(Loc l, std::uint32_t max, TRange& deleted);  // MarkDeleted's general path
  // Forgets the caches of where the last edit was (hot_, hint_, placed_): any other change moves runs.
  void Changed() {
    hot_.valid = false;
    hint_.state = Hint::kNone;
    placed_.valid = false;
  }
  void IndexRange(std::uint32_t rep, std::uint32_t s, std::uint32_t e, Chunk* c);
  // IndexRange for a chunk split: every id of [s, e) is in one chunk now and moves to the fresh chunk `to`.
  void IndexMove(std::uint32_t rep, std::uint32_t s, std::uint32_t e, Chunk* to);
  Chunk* IndexFind(std::uint32_t rep, std::uint32_t ctr) const;
  Chunk* IndexFindCached(std::uint32_t rep, std::uint32_t ctr);
  bool IndexCovers(std::uint32_t rep, std::uint32_t s, std::uint32_t e, const Chunk* c) const;
  void AddVisible(std::size_t ci, std::int64_t delta);
  bool ContinuesHotRun(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos, std::uint32_t author) const;
  void GrowHotRun(std::uint32_t n, std::uint32_t bytes);
  void NoteTop(std::uint32_t rep, std::uint32_t end) {
    if (rep >= index_top_.size()) index_top_.resize(rep + 1, 0);
    index_top_[rep] = std::max(index_top_[rep], end);
  }
  std::uint32_t ByteOffset(const Run& r, std::uint32_t cps) const {
    if (r.content == kNoContent) return 0;
    if (r.bytes == r.len) return cps;  // ASCII run
    return Utf8ByteOffset(r, cps);
  }
  std::uint32_t Utf8ByteOffset(const Run& r, std::uint32_t cps) const;
  void RecordDelete(std::uint32_t rep, std::uint32_t ctr, std::uint32_t span, const TRange& r, std::uint64_t hlc,
                    std::uint32_t author, bool may_extend, std::uint64_t extend_after = 0);

  const std::vector<ReplicaId>* replica_ids_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::vector<std::map<std::uint32_t, Chunk*>> index_;  // per replica index: counter -> chunk from there on
  std::vector<TRange> split_scratch_;                 // MaybeSplitChunk's sorted id ranges (kept: no allocation per split)
  std::vector<std::uint32_t> index_top_;                // per replica: highest counter indexed + 1
  // The index entry IndexFindCached used last: replica rep's counters [lo, hi) are in chunk (null: none).
  // Any change to the index forgets it.
  struct FindCache {
    std::uint32_t rep = kNoRep, lo = 0, hi = 0;
    Chunk* chunk = nullptr;
    std::size_t ri = 0;  // the run Find found last (a hint: checked before use, kept across index changes)
  } find_cache_;
  ByteArena arena_;  // UTF-8 content of runs, in insertion order
  std::vector<DelRecord> dels_;
  std::vector<TRange> del_ranges_;
  std::uint64_t len_ = 0;
  std::uint64_t vis_ = 0;
  // The run local typing is extending; valid until any other change to the text.
  struct Hot {
    bool valid = false;
    bool typing = false;  // an insert at pos_end may extend the run (false after a backspace)
    std::size_t ci = 0, ri = 0;
    std::uint32_t rep = 0, author = 0;
    std::uint32_t next_ctr = 0;
    std::uint64_t pos_end = 0;  // visible position just after the run
  } hot_;
  // Where the visible code point at `pos` is, as the last local delete left it (deleting on, forwards or
  // backwards, needs no search); valid until any other change.
  //
  // A deleting streak (TryDeleteOne set it, deleting one ASCII code point of a run into the tombstone beside
  // it) also knows that the next delete in the same direction can do the same with no check but the delete
  // record's: forwards, loc is {ci, ri, 0} of a visible ASCII run of at least 2 code points whose previous
  // run is the tombstone it continues, and the last delete range ends at its first id; backwards, loc is
  // the last code point (off >= 1) of such a run whose next run is the tombstone continuing it, and the
  // last delete range starts at that tombstone's first id. Both: the last delete record is this replica's
  // (rep 0) and owns the last range, and the run being typed is not valid.
  struct Hint {
    enum State : std::uint8_t { kNone, kKnown, kDeletingForwards, kDeletingBackwards };
    State state = kNone;
    std::uint64_t pos = 0;
    Loc loc{};
    bool valid() const { return state != kNone; }
  } hint_;
  // The last code point of the run RemoteInsert placed last, and where it is; valid until any other change.
  struct Placed {
    bool valid = false;
    TId last;
    Loc loc{};
  } placed_;
  bool fast_paths_ = true;
  std::size_t cursor_ci_ = 0;       // cursor cache for local edits: a chunk and the visible count before it
  std::uint64_t cursor_before_ = 0;
};

// Inline: a keystroke's whole work when it extends the run being typed (Replica::InsertText).
//
// The keystroke continues the run the previous one extended or created, and nothing else has changed
// since. Its left origin is that run's last code point and its right origin the run's (the run sits
// immediately before it), so extending the run in place is exactly what integration would do.
[[gnu::always_inline]] inline bool TextSeq::ContinuesHotRun(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos,
                                                            std::uint32_t author) const {
  return hot_.valid && hot_.typing && rep == hot_.rep && ctr == hot_.next_ctr && pos == hot_.pos_end &&
         author == hot_.author;
}

// The hot run grows by n code points, whose `bytes` bytes were just appended to the arena.
[[gnu::always_inline]] inline void TextSeq::GrowHotRun(std::uint32_t n, std::uint32_t bytes) {
  Chunk& c = *chunks_[hot_.ci];
  Run& r = c.runs[hot_.ri];
  r.len += n;
  r.bytes += bytes;
  c.len += n;
  len_ += n;
  AddVisible(hot_.ci, n);
  const std::uint32_t top = r.ctr + r.len;
  if (index_top_[hot_.rep] < top) index_top_[hot_.rep] = top;  // rep has an entry: the run was indexed
  hint_.state = Hint::kNone;
  placed_.valid = false;
  hot_.next_ctr += n;
  hot_.pos_end += n;
}

[[gnu::always_inline]] inline bool TextSeq::TryExtendTyping(std::uint32_t rep, std::uint32_t ctr, std::uint64_t pos,
                                     std::string_view utf8, std::uint32_t n, std::uint32_t author) {
  if (!ContinuesHotRun(rep, ctr, pos, author)) return false;
  if (utf8.size() == 1) {
    arena_.push_back(utf8[0]);
  } else {
    arena_.append(utf8);
  }
  GrowHotRun(n, static_cast<std::uint32_t>(utf8.size()));
  return true;
}

[[gnu::always_inline]] inline bool TextSeq::TryTypeAscii(std::uint32_t ctr, std::uint64_t pos, char c,
                                                         std::uint32_t author) {
  if (!ContinuesHotRun(0, ctr, pos, author) || !arena_.push_back_in_place(c)) return false;
  GrowHotRun(1, 1);
  return true;
}

// Deleting a visible run's first or last code points where the deleted neighbour on that side continues
// the run (the trail that typing and then deleting leaves): moves the boundary between the two runs
// instead of splitting and merging again. The runs end up exactly as SplitAt + TryMergeWithNext leave
// them (the grown tombstone takes the clock of the run its new first code point came from), the run
// count does not change and no code point changes chunk, so the id index stays as it is.
[[gnu::always_inline]] inline bool TextSeq::PlanAbsorb(Loc l, std::uint32_t max, Absorb& plan) {
  Chunk& c = *chunks_[l.ci];
  Run& r = c.runs[l.ri];
  if (r.deleted) return false;
  if (l.off == 0) {  // a prefix [0, max) of r joins the tombstone before it (deleting forwards)
    if (l.ri == 0 || max >= r.len) return false;
    Run& p = c.runs[l.ri - 1];
    if (!p.deleted || !Continues(p, r)) return false;
    plan = {&p, true, max, {r.rep, r.ctr, max}};
  } else {  // a suffix [off, len) of r joins the tombstone after it (deleting backwards)
    const std::uint32_t k = r.len - l.off;
    if (k > max || l.ri + 1 >= c.runs.size()) return false;
    Run& n = c.runs[l.ri + 1];
    if (!n.deleted || !Continues(r, n)) return false;
    plan = {&n, false, k, {r.rep, n.ctr - k, k}};
  }
  return true;
}

[[gnu::always_inline]] inline void TextSeq::ApplyAbsorb(Loc l, const Absorb& plan, std::uint32_t bytes) {
  Run& r = chunks_[l.ci]->runs[l.ri];
  Run& t = *plan.tomb;
  if (plan.forwards) {
    t.len += plan.k;
    t.bytes += bytes;
    r.ctr += plan.k;
    r.len -= plan.k;
    r.left = {r.rep, r.ctr - 1};
    if (r.content != kNoContent) {
      r.content += bytes;
      r.bytes -= bytes;
    }
  } else {
    t.ctr -= plan.k;
    t.len += plan.k;
    t.left = {r.rep, t.ctr - 1};
    t.hlc = r.hlc;
    if (t.content != kNoContent) {
      t.content = r.content + bytes;
      t.bytes += r.bytes - bytes;
      r.bytes = bytes;
    }
    r.len = l.off;
  }
  AddVisible(l.ci, -static_cast<std::int64_t>(plan.k));
}

[[gnu::always_inline]] inline bool TextSeq::TryDeleteOne(std::uint32_t ctr, std::uint64_t pos, std::uint32_t author,
                                                         std::uint64_t extend_after) {
  if (hint_.state >= Hint::kDeletingForwards && hint_.pos == pos) {
    DelRecord& d = dels_.back();
    // The record's other conditions (DeleteExtendsLastRecord) hold on a streak: the counter may have moved
    // on (another text of this replica), the fence too.
    if (d.ctr + d.span == ctr && d.ctr > extend_after && d.author == author) [[likely]] {
      const Loc l = hint_.loc;
      Chunk& c = *chunks_[l.ci];
      TRange& last = del_ranges_.back();
      if (hint_.state == Hint::kDeletingForwards) {
        ApplyAbsorb(l, {&c.runs[l.ri - 1], true, 1, {}}, 1);
        last.len += 1;
        if (c.runs[l.ri].len < 2) hint_.state = Hint::kKnown;
      } else {
        ApplyAbsorb(l, {&c.runs[l.ri + 1], false, 1, {}}, l.off);
        last.ctr -= 1;
        last.len += 1;
        hint_.pos = pos - 1;
        hint_.loc.off = l.off - 1;
        if (l.off == 1) hint_.state = Hint::kKnown;
      }
      d.span += 1;
      return true;
    }
  }
  if (!fast_paths_ || !hint_.valid() || hint_.pos != pos || pos >= vis_) return false;
  // LocalDelete takes backspacing at the end of the run being typed first.
  if (hot_.valid && pos + 1 == hot_.pos_end && 1 < chunks_[hot_.ci]->runs[hot_.ri].len) return false;
  if (!DeleteExtendsLastRecord(0, ctr, author, extend_after)) return false;
  const Loc l = hint_.loc;
  const Run& r = chunks_[l.ci]->runs[l.ri];
  if (r.content == kNoContent || r.bytes != r.len) return false;  // ASCII: a byte offset is a code point offset
  Absorb plan;
  if (!PlanAbsorb(l, 1, plan)) return false;
  // RecordDelete's extension of the last range, without the push_back of a new range (which allocates).
  TRange& last = del_ranges_.back();
  const bool after_last = last.rep == plan.got.rep && last.ctr + last.len == plan.got.ctr;
  if (!after_last && !(last.rep == plan.got.rep && plan.got.ctr + 1 == last.ctr)) return false;
  ApplyAbsorb(l, plan, plan.forwards ? 1 : l.off);
  // LocalDelete's hint: deleting on, forwards or backwards, finds its code point here next time; on a
  // streak with no search or check (Hint) while the run has code points left on that side.
  if (plan.forwards) {
    const bool more = after_last && chunks_[l.ci]->runs[l.ri].len >= 2;
    hint_ = {more ? Hint::kDeletingForwards : Hint::kKnown, pos, {l.ci, l.ri, 0}};
  } else {
    const bool more = !after_last && l.off >= 2;
    hint_ = {more ? Hint::kDeletingBackwards : Hint::kKnown, pos - 1, {l.ci, l.ri, l.off - 1}};
  }
  placed_.valid = false;
  hot_.valid = false;
  dels_.back().span += 1;
  if (!after_last) last.ctr = plan.got.ctr;
  last.len += 1;
  return true;
}

[[gnu::always_inline]] inline bool TextSeq::DeleteExtendsLastRecord(std::uint32_t rep, std::uint32_t ctr,
                                                                    std::uint32_t author,
                                                                    std::uint64_t extend_after) const {
  if (dels_.empty()) return false;
  const DelRecord& d = dels_.back();
  // A record at or before the fence (Replica::FenceLocalHistory) is already stored as an operation:
  // extending it would give a second, different operation the same id.
  return d.rep == rep && d.ctr > extend_after && d.ctr + d.span == ctr && d.author == author &&
         d.first + d.count == del_ranges_.size();
}

[[gnu::always_inline]] inline void TextSeq::AddVisible(std::size_t ci, std::int64_t delta) {
  chunks_[ci]->vis = static_cast<std::uint64_t>(static_cast<std::int64_t>(chunks_[ci]->vis) + delta);
  vis_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(vis_) + delta);
  // The cursor caches the visible count before its chunk; keep it true when an earlier chunk changes.
  if (ci < cursor_ci_) cursor_before_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(cursor_before_) + delta);
}

}  // namespace casepack::detail
