#include "casepack/replica.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "text_seq.h"
#include "coding.h"

namespace casepack {

using detail::TextSeq;
using detail::TId;
using detail::TRange;

namespace {

bool ValueBefore(HlcTimestamp ca, ReplicaId ra, HlcTimestamp cb, ReplicaId rb) {
  return std::tie(ca, ra) < std::tie(cb, rb);
}

Error Reject(ErrorCode c, std::string m) { return MakeError(c, std::move(m)); }

constexpr std::uint32_t kSelfAuthor = 0;  // this replica's author: the first in the author table

// Byte equality of two strings of one size, inline: targets are short and every keystroke compares its
// own with the last one's, where a call to memcmp for each of a target's two strings cost more than the
// edit. Overlapping loads cover the tail without a byte loop.
template <typename Word>
Word LoadWord(const char* p) {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

[[gnu::always_inline]] inline bool SameBytes(const char* p, const char* q, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (LoadWord<std::uint64_t>(p + i) != LoadWord<std::uint64_t>(q + i)) return false;
    return LoadWord<std::uint64_t>(p + n - 8) == LoadWord<std::uint64_t>(q + n - 8);
  }
  if (n >= 4)
    return LoadWord<std::uint32_t>(p) == LoadWord<std::uint32_t>(q) &&
           LoadWord<std::uint32_t>(p + n - 4) == LoadWord<std::uint32_t>(q + n - 4);
  // 0 to 3 bytes: the first, middle and last cover them all.
  return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
}

// Target equality: every keystroke compares its target with the last one.
[[gnu::always_inline]] inline bool SameTarget(const Target& a, const Target& b) {
  return a.object.size() == b.object.size() && a.field.size() == b.field.size() &&
         SameBytes(a.object.data(), b.object.data(), a.object.size()) &&
         SameBytes(a.field.data(), b.field.data(), a.field.size());
}

}  // namespace

Replica::Replica(ReplicaOptions options)
    : options_(std::move(options)), replica_ids_(std::make_unique<std::vector<ReplicaId>>()) {
  if (options_.replica == 0) std::abort();  // REQUIRES: a real replica id
  if (!options_.now_millis) options_.now_millis = SystemMillis;
  RepIndex(options_.replica);
  authors_.push_back(options_.author);
  author_index_.emplace(options_.author, 0);
}
Replica::~Replica() = default;
Replica::Replica(Replica&&) noexcept = default;
Replica& Replica::operator=(Replica&&) noexcept = default;

std::uint32_t Replica::RepIndex(ReplicaId r) {
  if (last_rep_ != 0xFFFFFFFFu && r == last_rep_id_) return last_rep_;
  auto [it, fresh] = replica_index_.try_emplace(r, static_cast<std::uint32_t>(replica_ids_->size()));
  if (fresh) replica_ids_->push_back(r);
  last_rep_id_ = r;
  last_rep_ = it->second;
  return it->second;
}

std::uint32_t Replica::AuthorIndex(std::string_view a) {
  if (a == options_.author) return kSelfAuthor;  // interned first, in the constructor
  if (last_author_ != 0xFFFFFFFFu && a == authors_[last_author_]) return last_author_;
  auto it = author_index_.find(a);
  std::uint32_t i;
  if (it != author_index_.end()) {
    i = it->second;
  } else {
    i = static_cast<std::uint32_t>(authors_.size());
    authors_.emplace_back(a);
    author_index_.emplace(std::string(a), i);
  }
  last_author_ = i;
  return i;
}

std::uint64_t Replica::Now() const { return options_.now_millis(); }

[[gnu::always_inline]] inline OpId Replica::NextId() {
  return {options_.replica, (self_counter_ ? *self_counter_ : version_.Get(options_.replica)) + 1};
}

[[gnu::always_inline]] inline void Replica::SetLocalCounter(std::uint64_t last) {
  if (self_counter_ == nullptr) self_counter_ = &version_.v_[options_.replica];
  *self_counter_ = last;
}

// Edits come in long streams to one text: the last one is remembered, and checked inline (here and in
// FindTextMutable) before the map is searched.
[[gnu::always_inline]] inline TextSeq& Replica::TextFor(const Target& t) {
  if (last_text_ != nullptr && SameTarget(last_text_target_, t)) [[likely]]
    return *last_text_;
  return TextForSlow(t);
}

TextSeq& Replica::TextForSlow(const Target& t) {
  auto it = texts_.find(t);
  if (it == texts_.end()) it = texts_.emplace(t, std::make_unique<TextSeq>(replica_ids_.get())).first;
  last_text_target_ = t;
  last_text_ = it->second.get();
  return *it->second;
}

[[gnu::always_inline]] inline TextSeq* Replica::FindTextMutable(const Target& t) {
  if (last_text_ != nullptr && SameTarget(last_text_target_, t)) [[likely]]
    return last_text_;
  auto it = texts_.find(t);
  return it == texts_.end() ? nullptr : it->second.get();
}

const TextSeq* Replica::FindText(const Target& t) const {
  auto it = texts_.find(t);
  return it == texts_.end() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------- local edits

Result<OpId> Replica::SetRegister(const Target& target, std::string_view value, bool keep_conflicts) {
  Operation op;
  op.id = NextId();
  op.clock = clock_.Now(Now());
  op.author = options_.author;
  op.case_id = options_.case_id;
  op.target = target;
  op.kind = OpKind::kRegisterSet;
  op.value = std::string(value);
  op.keep_conflicts = keep_conflicts;
  auto it = registers_.find(target);
  if (it != registers_.end())
    for (const auto& v : it->second) op.refs.push_back(v.id);
  CP_RETURN_IF_ERROR(Validate(op));
  CP_RETURN_IF_ERROR(ApplyReady(op, 1));
  return op.id;
}

Result<OpId> Replica::AddToCollection(const Target& target, std::string_view key, std::string_view value) {
  Operation op;
  op.id = NextId();
  op.clock = clock_.Now(Now());
  op.author = options_.author;
  op.case_id = options_.case_id;
  op.target = target;
  op.kind = OpKind::kCollectionAdd;
  op.key = std::string(key);
  op.value = std::string(value);
  CP_RETURN_IF_ERROR(Validate(op));
  CP_RETURN_IF_ERROR(ApplyReady(op, 1));
  return op.id;
}

Result<OpId> Replica::RemoveFromCollection(const Target& target, std::string_view key) {
  auto it = collections_.find(target);
  if (it == collections_.end()) return MakeError(ErrorCode::kNotFound, "no such collection");
  auto kt = it->second.find(std::string(key));
  if (kt == it->second.end()) return MakeError(ErrorCode::kNotFound, "key not in collection");
  Operation op;
  op.id = NextId();
  op.clock = clock_.Now(Now());
  op.author = options_.author;
  op.case_id = options_.case_id;
  op.target = target;
  op.kind = OpKind::kCollectionRemove;
  op.key = std::string(key);
  for (const auto& t : kt->second) op.refs.push_back(t.id);
  CP_RETURN_IF_ERROR(Validate(op));
  CP_RETURN_IF_ERROR(ApplyReady(op, 1));
  return op.id;
}

// Every text of this replica shares its interned replica ids (whose address survives moves).
[[gnu::always_inline]] inline bool Replica::Gave(TextRef text) const {
  return text.seq_ != nullptr && text.seq_->replica_ids() == replica_ids_.get();
}

[[gnu::always_inline]] inline Result<OpId> Replica::InsertInto(TextSeq& text, std::uint64_t pos, std::string_view utf8,
                                                                std::uint64_t n) {
  if (pos > text.length()) return MakeError(ErrorCode::kInvalidArgument, "insert position beyond the end of the text");
  const OpId id = NextId();
  if (id.counter + n - 1 > 0xFFFFFFFFull) return MakeError(ErrorCode::kNoSpace, "replica counter exhausted");
  const auto ctr = static_cast<std::uint32_t>(id.counter);
  // A keystroke that extends the run being typed takes no clock (the run keeps its first code point's).
  if (!text.TryExtendTyping(0, ctr, pos, utf8, static_cast<std::uint32_t>(n), kSelfAuthor))
    text.LocalInsert(0, ctr, pos, utf8, static_cast<std::uint32_t>(n), clock_.Now(Now()).value, kSelfAuthor);
  SetLocalCounter(id.counter + n - 1);
  return id;
}

[[gnu::always_inline]] inline Result<OpId> Replica::DeleteFrom(TextSeq* text, std::uint64_t pos, std::uint64_t count) {
  const std::uint64_t len = text == nullptr ? 0 : text->length();
  if (count == 0 || pos > len || count > len - pos)
    return MakeError(ErrorCode::kInvalidArgument, "delete range leaves the text");
  const OpId id = NextId();
  if (id.counter + count - 1 > 0xFFFFFFFFull) return MakeError(ErrorCode::kNoSpace, "replica counter exhausted");
  const auto ctr = static_cast<std::uint32_t>(id.counter);
  // A delete that extends the last delete record takes no clock (the record keeps its first delete's).
  const std::uint64_t hlc = text->DeleteExtendsLastRecord(0, ctr, kSelfAuthor, fence_) ? 0 : clock_.Now(Now()).value;
  text->LocalDelete(0, ctr, pos, static_cast<std::uint32_t>(count), hlc, kSelfAuthor, fence_);
  SetLocalCounter(id.counter + count - 1);
  return id;
}

namespace {
// The code points an insert adds; 0 for invalid UTF-8 or nothing at all (InsertLengthError says which). No
// Result on the keystroke path: building one cost a tenth of a keystroke.
[[gnu::always_inline]] inline std::uint64_t CodePointsToInsert(std::string_view utf8) {
  if (utf8.size() == 1 && static_cast<unsigned char>(utf8[0]) < 0x80) return 1;  // the usual keystroke
  const auto n = Utf8Length(utf8);
  return n.ok() ? *n : 0;
}
[[gnu::cold]] Error InsertLengthError(std::string_view utf8) {
  if (auto n = Utf8Length(utf8); !n.ok()) return n.error();
  return MakeError(ErrorCode::kInvalidArgument, "empty text insert");
}
}  // namespace

Result<OpId> Replica::InsertText(const Target& target, std::uint64_t pos, std::string_view utf8) {
  const std::uint64_t n = CodePointsToInsert(utf8);
  if (n == 0) return InsertLengthError(utf8);
  return InsertInto(TextFor(target), pos, utf8, n);
}

Result<OpId> Replica::InsertText(TextRef text, std::uint64_t pos, std::string_view utf8) {
  // The usual keystroke first: one ASCII character extending the run being typed (InsertInto's first case,
  // with every check it makes). It calls nothing, so it saves and restores no registers, which the general
  // path below must: a fifth of a keystroke's instructions.
  if (utf8.size() == 1 && static_cast<unsigned char>(utf8[0]) < 0x80 && self_counter_ != nullptr && Gave(text)) [[likely]] {
    const std::uint64_t counter = *self_counter_ + 1;
    if (counter <= 0xFFFFFFFFull &&
        text.seq_->TryTypeAscii(static_cast<std::uint32_t>(counter), pos, utf8[0], kSelfAuthor)) {
      *self_counter_ = counter;
      return OpId{options_.replica, counter};
    }
  }
  return InsertTextGeneral(text, pos, utf8);
}

Result<OpId> Replica::InsertTextGeneral(TextRef text, std::uint64_t pos, std::string_view utf8) {
  if (!Gave(text)) return MakeError(ErrorCode::kInvalidArgument, "the text handle is not this replica's");
  const std::uint64_t n = CodePointsToInsert(utf8);
  if (n == 0) return InsertLengthError(utf8);
  return InsertInto(*text.seq_, pos, utf8, n);
}

Result<OpId> Replica::DeleteText(const Target& target, std::uint64_t pos, std::uint64_t count) {
  return DeleteFrom(FindTextMutable(target), pos, count);
}

Result<OpId> Replica::DeleteText(TextRef text, std::uint64_t pos, std::uint64_t count) {
  // The usual delete first: one code point next to the last one deleted (TextSeq::TryDeleteOne), as
  // InsertText's fast path, with DeleteFrom's checks.
  if (count == 1 && self_counter_ != nullptr && Gave(text)) [[likely]] {
    const std::uint64_t counter = *self_counter_ + 1;
    if (counter <= 0xFFFFFFFFull && text.seq_->TryDeleteOne(static_cast<std::uint32_t>(counter), pos, kSelfAuthor, fence_)) {
      *self_counter_ = counter;
      return OpId{options_.replica, counter};
    }
  }
  return DeleteTextGeneral(text, pos, count);
}

Result<OpId> Replica::DeleteTextGeneral(TextRef text, std::uint64_t pos, std::uint64_t count) {
  if (!Gave(text)) return MakeError(ErrorCode::kInvalidArgument, "the text handle is not this replica's");
  return DeleteFrom(text.seq_, pos, count);
}

TextRef Replica::Text(const Target& target) { return TextRef(&TextFor(target)); }

// ---------------------------------------------------------------- reads

RegisterView Replica::ReadRegister(const Target& target) const {
  RegisterView view;
  auto it = registers_.find(target);
  if (it == registers_.end()) return view;
  bool keep = false;
  for (const auto& v : it->second) {
    view.values.push_back({v.value, v.id, v.clock, authors_[v.author]});
    keep = keep || v.keep;
  }
  std::sort(view.values.begin(), view.values.end(), [](const RegisterValue& a, const RegisterValue& b) {
    return ValueBefore(b.clock, b.id.replica, a.clock, a.id.replica);
  });
  if (!keep && view.values.size() > 1) view.values.resize(1);
  view.conflict = keep && view.values.size() > 1;
  return view;
}

std::vector<CollectionEntry> Replica::ReadCollection(const Target& target) const {
  std::vector<CollectionEntry> out;
  auto it = collections_.find(target);
  if (it == collections_.end()) return out;
  for (const auto& [key, tags] : it->second) {
    const Tag* best = &tags.front();
    for (const auto& t : tags)
      if (ValueBefore(best->clock, best->id.replica, t.clock, t.id.replica)) best = &t;
    out.push_back({key, best->value});
  }
  return out;
}

std::string Replica::ReadText(const Target& target) const {
  const TextSeq* t = FindText(target);
  return t ? t->Text() : std::string();
}

std::uint64_t Replica::TextLength(const Target& target) const {
  const TextSeq* t = FindText(target);
  return t ? t->length() : 0;
}

Result<Replica::TextLines> Replica::ReadLinesAround(const Target& target, std::uint64_t pos, std::uint64_t count) const {
  const TextSeq* t = FindText(target);
  const std::uint64_t length = t ? t->length() : 0;
  if (pos > length || count > length - pos) return MakeError(ErrorCode::kInvalidArgument, "the range is outside the text");
  if (t == nullptr) return TextLines{};
  TextSeq::Lines lines = t->LinesAround(pos, count);
  return TextLines{lines.begin, std::move(lines.text)};
}

Result<OpId> Replica::TextIdAt(const Target& target, std::uint64_t pos) const {
  const TextSeq* t = FindText(target);
  if (t == nullptr || pos >= t->length()) return MakeError(ErrorCode::kInvalidArgument, "text position beyond the end");
  const detail::TId id = t->VisibleIdAt(pos);
  return OpId{(*replica_ids_)[id.rep], id.ctr};
}

std::vector<Target> Replica::RegistersOf(std::string_view object) const {
  std::vector<Target> out;
  for (auto it = registers_.lower_bound(Target{std::string(object), {}}); it != registers_.end() && it->first.object == object; ++it)
    out.push_back(it->first);
  return out;
}

std::vector<Target> Replica::Texts() const {
  std::vector<Target> out;
  for (const auto& [t, _] : texts_) out.push_back(t);
  return out;
}

std::vector<EditedRange> Replica::EditedSince(const Target& target, const VersionVector& base) const {
  std::vector<EditedRange> out;
  const TextSeq* t = FindText(target);
  if (!t) return out;
  const auto& ids = *replica_ids_;
  for (const auto& r : t->InsertedAfter([&](std::uint32_t rep, std::uint32_t ctr) {
         return base.Get(ids[rep]) >= ctr;
       }))
    out.push_back({r.begin, r.end, ids[r.rep]});
  return out;
}

std::size_t Replica::pending_count() const {
  std::size_t n = 0;
  for (const auto& [_, m] : pending_) n += m.size();
  return n;
}

std::size_t Replica::MemoryBytes() const {
  std::size_t n = sizeof(*this);
  for (const auto& [_, t] : texts_) n += t->MemoryBytes();
  n += struct_log_.capacity() * sizeof(Operation);
  return n;
}

// ---------------------------------------------------------------- applying remote operations

int Replica::CheckReady(const Operation& op, Error& err) const {
  auto present = [&](OpId id) { return version_.Contains(id); };
  auto rejected = [&](OpId id) {
    auto it = rejected_from_.find(id.replica);
    return it != rejected_from_.end() && id.counter >= it->second;
  };
  auto need = [&](OpId id) -> int {
    if (id.none() || present(id)) return 0;
    if (rejected(id)) {
      err = Reject(ErrorCode::kConflict, "operation depends on a rejected operation");
      return 2;
    }
    return 1;
  };
  int worst = 0;
  switch (op.kind) {
    case OpKind::kRegisterSet:
    case OpKind::kCollectionRemove:
      for (const auto& r : op.refs) worst = std::max(worst, need(r));
      break;
    case OpKind::kCollectionAdd:
      break;
    case OpKind::kTextInsert:
      worst = std::max(need(op.origin_left), need(op.origin_right));
      break;
    case OpKind::kTextDelete:
      for (const auto& r : op.ranges) worst = std::max(worst, need({r.start.replica, r.start.counter + r.length - 1}));
      break;
  }
  if (worst == 2) return 2;
  if (worst == 1) return 1;
  if (!cut_.entries().empty() && op.clock <= cut_clock_) {
    err = Reject(ErrorCode::kConflict, "operation is older than the history cut (compaction)")
              .WithHint("re-apply its content as a new edit");
    return 2;
  }
  return 0;
}

Status Replica::ApplyReady(const Operation& op, std::uint64_t span) {
  const std::uint64_t have = version_.Get(op.id.replica);
  const std::uint64_t orig_end = op.id.counter + span - 1;
  const std::uint32_t rep = RepIndex(op.id.replica);
  const std::uint32_t author = AuthorIndex(op.author);
  switch (op.kind) {
    case OpKind::kRegisterSet: {
      auto& values = registers_[op.target];
      std::erase_if(values, [&](const RegValue& v) {
        return std::find(op.refs.begin(), op.refs.end(), v.id) != op.refs.end();
      });
      values.push_back({op.id, op.clock, author, op.keep_conflicts, op.value});
      struct_log_.push_back(op);
      break;
    }
    case OpKind::kCollectionAdd:
      collections_[op.target][op.key].push_back({op.id, op.clock, op.value});
      struct_log_.push_back(op);
      break;
    case OpKind::kCollectionRemove: {
      auto ct = collections_.find(op.target);
      if (ct != collections_.end()) {
        auto kt = ct->second.find(op.key);
        if (kt != ct->second.end()) {
          std::erase_if(kt->second, [&](const Tag& t) {
            return std::find(op.refs.begin(), op.refs.end(), t.id) != op.refs.end();
          });
          if (kt->second.empty()) ct->second.erase(kt);
        }
      }
      struct_log_.push_back(op);
      break;
    }
    case OpKind::kTextInsert: {
      TextSeq& text = TextFor(op.target);
      // Part of this run may be known already (a peer coalesced differently): integrate the new part only.
      std::uint64_t counter = op.id.counter;
      std::uint64_t n = span;
      std::string_view content = op.text;
      OpId origin_left = op.origin_left;
      if (have >= counter) {
        const std::uint64_t known = have - counter + 1;
        if (!content.empty()) {
          std::size_t i = 0;
          for (std::uint64_t k = 0; k < known; ++k) {
            const auto c = static_cast<unsigned char>(content[i]);
            i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
          }
          content.remove_prefix(i);
        }
        n -= known;
        origin_left = {op.id.replica, have};
        counter = have + 1;
      }
      TId left, right;
      if (!origin_left.none()) left = {RepIndex(origin_left.replica), static_cast<std::uint32_t>(origin_left.counter)};
      if (!op.origin_right.none())
        right = {RepIndex(op.origin_right.replica), static_cast<std::uint32_t>(op.origin_right.counter)};
      CP_RETURN_IF_ERROR(text.RemoteInsert(rep, static_cast<std::uint32_t>(counter), static_cast<std::uint32_t>(n), left,
                                           right, content, op.clock.value, author));
      version_.Set(op.id.replica, orig_end);
      return Ok();
    }
    case OpKind::kTextDelete: {
      TextSeq* text = FindTextMutable(op.target);
      if (text == nullptr) return MakeError(ErrorCode::kCorrupt, "text delete for a text that does not exist");
      std::vector<TRange> ranges;
      ranges.reserve(op.ranges.size());
      for (const auto& r : op.ranges)
        ranges.push_back({RepIndex(r.start.replica), static_cast<std::uint32_t>(r.start.counter),
                          static_cast<std::uint32_t>(r.length)});
      const std::uint64_t end = orig_end;
      const std::uint64_t first = std::max(op.id.counter, have + 1);
      CP_RETURN_IF_ERROR(text->RemoteDelete(rep, static_cast<std::uint32_t>(first),
                                                  static_cast<std::uint32_t>(end - first + 1), ranges, op.clock.value,
                                                  author));
      version_.Set(op.id.replica, end);
      return Ok();
    }
  }
  version_.Set(op.id.replica, op.id.counter);
  return Ok();
}

void Replica::RejectFollowers(ReplicaId r, std::uint64_t from, ApplyResult& result) {
  auto [it, fresh] = rejected_from_.emplace(r, from);
  if (!fresh) it->second = std::min(it->second, from);
  auto pt = pending_.find(r);
  if (pt == pending_.end()) return;
  for (auto ot = pt->second.lower_bound(from); ot != pt->second.end();) {
    result.rejected.push_back(
        {*ot->second.op, Reject(ErrorCode::kConflict, "operation follows a rejected operation of its replica")});
    ot = pt->second.erase(ot);
  }
}

void Replica::Drain(ApplyResult& result) {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto pt = pending_.begin(); pt != pending_.end(); ++pt) {
      auto& queue = pt->second;
      while (!queue.empty()) {
        auto ot = queue.begin();
        const Operation& op = *ot->second.op;
        const std::uint64_t have = version_.Get(op.id.replica);
        if (op.id.counter > have + 1) break;  // a gap: earlier operations of this replica are missing
        const std::uint64_t span = op.Span();
        if (op.id.counter + span - 1 <= have) {
          ++result.duplicates;
          queue.erase(ot);
          continue;
        }
        Error err{ErrorCode::kConflict, {}, {}};
        const int ready = CheckReady(op, err);
        if (ready == 1) break;
        if (ready == 0 && op.id.replica != options_.replica) clock_.Observe(op.clock, Now());
        if (ready == 0) {
          Status s = ApplyReady(op, span);
          if (s.ok()) {
            ++result.applied;
            queue.erase(ot);
            progress = true;
            continue;
          }
          err = s.error();
        }
        const ReplicaId r = pt->first;
        Operation bad = op;
        queue.erase(ot);
        result.rejected.push_back({std::move(bad), err});
        RejectFollowers(r, version_.Get(r) + 1, result);
        progress = true;
        break;
      }
    }
  }
  for (auto pt = pending_.begin(); pt != pending_.end();) pt = pt->second.empty() ? pending_.erase(pt) : std::next(pt);
  result.pending = pending_count();
}

ApplyResult Replica::Apply(std::span<const Operation> ops) {
  ApplyResult result;
  bool drain = !pending_.empty();
  bool borrowed = false;  // some queued operation points into `ops`
  for (const Operation& op : ops) {
    if (op.case_id != options_.case_id) {
      result.rejected.push_back({op, Reject(ErrorCode::kInvalidArgument, "operation belongs to another case")});
      continue;
    }
    Status valid = Validate(op);
    if (!valid.ok()) {
      result.rejected.push_back({op, valid.error()});
      continue;
    }
    const std::uint64_t have = version_.Get(op.id.replica);
    const std::uint64_t span = op.Span();
    if (op.id.counter + span - 1 <= have) {
      ++result.duplicates;
      continue;
    }
    auto rj = rejected_from_.find(op.id.replica);
    if (rj != rejected_from_.end() && op.id.counter + span - 1 >= rj->second) {
      result.rejected.push_back(
          {op, Reject(ErrorCode::kConflict, "operation follows a rejected operation of its replica")});
      continue;
    }
    // The common case (operations arrive in order): apply at once, without queueing a copy.
    if (op.id.counter <= have + 1 && !pending_.count(op.id.replica)) {
      Error err{ErrorCode::kConflict, {}, {}};
      const int ready = CheckReady(op, err);
      if (ready == 0) {
        if (op.id.replica != options_.replica) clock_.Observe(op.clock, Now());
        Status s = ApplyReady(op, span);
        if (s.ok()) {
          ++result.applied;
          drain = drain || !pending_.empty();
          continue;
        }
        err = s.error();
      }
      if (ready != 1) {
        result.rejected.push_back({op, err});
        RejectFollowers(op.id.replica, op.id.counter, result);
        continue;
      }
    }
    auto& queue = pending_[op.id.replica];
    auto [it, fresh] = queue.emplace(op.id.counter, Pending{&op, nullptr});
    if (!fresh) {
      if (it->second.op->Span() < span) it->second = {&op, nullptr};  // keep the longer of two codings of one run
      ++result.duplicates;
    }
    borrowed = true;
    drain = true;
  }
  if (drain) {
    Drain(result);
  } else {
    result.pending = pending_count();
  }
  // What still waits outlives the caller's batch.
  if (borrowed)
    for (auto& [_, queue] : pending_)
      for (auto& [__, p] : queue)
        if (p.owned == nullptr) {
          p.owned = std::make_unique<Operation>(*p.op);
          p.op = p.owned.get();
        }
  return result;
}

// ---------------------------------------------------------------- producing what a peer lacks

namespace {

// Operations in the order ChangesSince promises: by clock (ids are unique, so this order is total and the
// order they were collected in does not matter).
void SortByClock(std::vector<Operation>& ops) {
  std::stable_sort(ops.begin(), ops.end(), [](const Operation& a, const Operation& b) {
    return std::tie(a.clock, a.id.replica, a.id.counter) < std::tie(b.clock, b.id.replica, b.id.counter);
  });
}

}  // namespace

// The insert operation giving a peer run r from its code point `skip` on (the peer has the ones before).
Operation Replica::TextInsertOp(const Target& target, const TextSeq& text, const detail::Run& r,
                                std::uint32_t skip) const {
  const auto& ids = *replica_ids_;
  const ReplicaId rid = ids[r.rep];
  Operation op;
  op.id = {rid, r.ctr + skip};
  op.clock = HlcTimestamp{r.hlc};
  op.author = authors_[r.author];
  op.case_id = options_.case_id;
  op.target = target;
  op.kind = OpKind::kTextInsert;
  if (skip > 0) {
    op.origin_left = {rid, r.ctr + skip - 1ull};
  } else if (!r.left.none()) {
    op.origin_left = {ids[r.left.rep], r.left.ctr};
  }
  if (!r.right.none()) op.origin_right = {ids[r.right.rep], r.right.ctr};
  if (r.deleted || r.content == detail::kNoContent) {
    op.tombstone_len = r.len - skip;
  } else {
    std::string_view c = text.Content(r);
    std::size_t i = 0;
    for (std::uint32_t k = 0; k < skip; ++k) {
      const auto ch = static_cast<unsigned char>(c[i]);
      i += ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
    }
    op.text = std::string(c.substr(i));
  }
  return op;
}

Operation Replica::TextDeleteOp(const Target& target, const TextSeq& text, const detail::DelRecord& d) const {
  const auto& ids = *replica_ids_;
  Operation op;
  op.id = {ids[d.rep], d.ctr};
  op.clock = HlcTimestamp{d.hlc};
  op.author = authors_[d.author];
  op.case_id = options_.case_id;
  op.target = target;
  op.kind = OpKind::kTextDelete;
  std::uint64_t total = 0;
  for (std::uint32_t k = 0; k < d.count; ++k) {
    const TRange& tr = text.delete_ranges()[d.first + k];
    op.ranges.push_back({{ids[tr.rep], tr.ctr}, tr.len});
    total += tr.len;
  }
  // A record's span equals the code points it names unless it absorbed a partly known delete; then it
  // names more, and its id moves back so the counters it claims stay its own.
  if (total != d.span) op.id.counter = d.ctr + d.span - total;
  return op;
}

// Replica rep's text operations with a counter in (after, last], found through the id index: the cost is
// that of the new operations, not of the text. Delete records are appended in counter order per replica,
// so the new ones of each lagging replica are the last of its records. `after` is indexed by replica index.
void Replica::TextChangesByIndex(const Target& target, const TextSeq& text, const std::vector<std::uint32_t>& reps,
                                 const std::vector<std::uint64_t>& after, std::vector<Operation>& out) const {
  for (const std::uint32_t rep : reps) {
    const std::uint64_t last = version_.Get((*replica_ids_)[rep]);
    for (std::uint64_t ctr = after[rep] + 1; ctr <= last;) {
      const detail::Run* r = text.RunOf({rep, static_cast<std::uint32_t>(ctr)});
      if (r == nullptr) {  // a counter of a delete or of a register write, or of another text
        ++ctr;
        continue;
      }
      out.push_back(TextInsertOp(target, text, *r, static_cast<std::uint32_t>(ctr - r->ctr)));
      ctr = static_cast<std::uint64_t>(r->ctr) + r->len;
    }
  }
  std::vector<bool> open(replica_ids_->size(), false);
  std::size_t open_count = 0;
  for (const std::uint32_t rep : reps)
    if (!open[rep]) {
      open[rep] = true;
      ++open_count;
    }
  const auto& dels = text.deletes();
  const std::size_t first_delete = out.size();
  for (auto d = dels.rbegin(); d != dels.rend() && open_count > 0; ++d) {
    if (!open[d->rep]) continue;
    if (d->ctr + d->span - 1ull <= after[d->rep]) {
      open[d->rep] = false;
      --open_count;
      continue;
    }
    out.push_back(TextDeleteOp(target, text, *d));
  }
  // In record order, as the walk lists them: two records may tie in SortByClock (a coalesced delete that
  // grew after a peer received its first part keeps that part's id and clock), and the stable sort keeps
  // them as listed.
  std::reverse(out.begin() + static_cast<std::ptrdiff_t>(first_delete), out.end());
}

Result<std::vector<Operation>> Replica::ChangesSince(const VersionVector& theirs) const {
  if (!theirs.Includes(cut_))
    return MakeError(ErrorCode::kConflict, "peer is behind the history cut", "send it a snapshot");
  std::vector<Operation> out;
  for (const Operation& op : struct_log_)
    if (!theirs.Contains(op.id)) out.push_back(op);
  const auto& ids = *replica_ids_;
  // The replicas whose counters they lack, and how many counters that is.
  std::vector<std::uint32_t> lagging;
  std::vector<std::uint64_t> have(ids.size(), 0);
  std::uint64_t missing = 0;
  for (const auto& [rid, ours] : version_.entries()) {
    const std::uint64_t h = theirs.Get(rid);
    auto it = replica_index_.find(rid);
    if (h >= ours || it == replica_index_.end()) continue;  // no index: no text names it
    lagging.push_back(it->second);
    have[it->second] = h;
    missing += ours - h;
  }
  for (const auto& entry : texts_) {
    // (Not a structured binding: clang 14 cannot capture those in the lambda below.)
    const Target& target = entry.first;
    const TextSeq* text = entry.second.get();
    // A peer that lacks a little (the usual case between devices in touch) is served through the id index;
    // one that lacks much by a walk over every run.
    if (missing < text->run_count() / 8) {
      TextChangesByIndex(target, *text, lagging, have, out);
      continue;
    }
    text->ForEachRun([&](const detail::Run& r) {
      const std::uint64_t h = theirs.Get(ids[r.rep]);
      if (h >= r.ctr + r.len - 1ull) return;
      out.push_back(TextInsertOp(target, *text, r, h >= r.ctr ? static_cast<std::uint32_t>(h - r.ctr + 1) : 0));
    });
    for (const auto& d : text->deletes())
      if (theirs.Get(ids[d.rep]) < d.ctr + d.span - 1ull) out.push_back(TextDeleteOp(target, *text, d));
  }
  SortByClock(out);
  return out;
}

Result<std::vector<Operation>> Replica::LocalChangesSince(std::uint64_t after) const {
  const ReplicaId self = options_.replica;
  const std::uint64_t last = version_.Get(self);
  std::vector<Operation> out;
  if (last <= after) return out;
  // Registers and collections: local operations are appended to the log as they are made, so the new ones
  // are at its end (remote operations may be interleaved; this replica's counters only grow).
  for (auto it = struct_log_.rbegin(); it != struct_log_.rend(); ++it) {
    if (it->id.replica != self) continue;
    if (it->id.counter <= after) break;
    out.push_back(*it);
  }
  auto self_index = replica_index_.find(self);
  if (self_index != replica_index_.end()) {
    const std::uint32_t rep = self_index->second;
    std::vector<std::uint64_t> have(replica_ids_->size(), 0);
    have[rep] = after;
    for (const auto& [target, text] : texts_) TextChangesByIndex(target, *text, {rep}, have, out);
  }
  SortByClock(out);
  return out;
}

// ---------------------------------------------------------------- compaction

Status Replica::Compact(const VersionVector& cut) {
  if (!version_.Includes(cut))
    return MakeError(ErrorCode::kInvalidArgument, "cannot cut history at a version this replica has not reached");
  HlcTimestamp cut_clock = cut_clock_;
  std::set<OpId> live;
  for (const auto& [_, values] : registers_)
    for (const auto& v : values) live.insert(v.id);
  for (const auto& [_, keys] : collections_)
    for (const auto& [__, tags] : keys)
      for (const auto& t : tags) live.insert(t.id);
  std::vector<Operation> kept;
  for (auto& op : struct_log_) {
    if (cut.Contains(op.id)) {
      cut_clock = std::max(cut_clock, op.clock);
      if (!live.count(op.id)) continue;
    }
    kept.push_back(std::move(op));
  }
  struct_log_ = std::move(kept);
  const auto& ids = *replica_ids_;
  for (auto& [_, text] : texts_) {
    text->ForEachRun([&](const detail::Run& r) {
      if (cut.Get(ids[r.rep]) >= r.ctr) cut_clock = std::max(cut_clock, HlcTimestamp{r.hlc});
    });
    text->DropDeletes([&](const detail::DelRecord& d) {
      if (cut.Get(ids[d.rep]) >= d.ctr + d.span - 1ull) {
        cut_clock = std::max(cut_clock, HlcTimestamp{d.hlc});
        return false;
      }
      return true;
    });
  }
  cut_ = cut;
  cut_clock_ = cut_clock;
  return Ok();
}

// ---------------------------------------------------------------- snapshots
//
// "CPSN" | version 2 (1 still loads) | uncompressed size (varint) | zlib stream of the body (docs/sync.md).

namespace {
constexpr std::uint8_t kSnapMagic[4] = {'C', 'P', 'S', 'N'};
constexpr std::uint8_t kSnapVersion = 2;
constexpr std::uint64_t kMaxSnapshotBytes = 1ull << 30;
}  // namespace

namespace {

// Text state in a snapshot: runs in document order, then delete records, as columns (each a str) so that
// deflate sees similar bytes together. Run flags:
//   1 deleted        2 left origin = previous run's last code point   4 left origin none
//   8 right none     16 right = previous run's right origin           32 same replica and author as previous
//   64 content is ASCII (byte length = length, not stored)            128 right = next run's first code point
//
// Version 2 (smaller; docs/sync.md): a run's counter is relative to the end of the previous run of the same
// replica (in document order), not absolute; run clocks are written in (replica, counter) order, where
// consecutive runs mostly come from one operation (delta 0); a delete record's counter is relative to the
// end of that replica's previous delete record, its span relative to the length of its ranges, and its
// ranges go in their own column, each counter relative to the end of the previous range of that replica.
enum Col { kFlags, kRepAuthor, kCtr, kLen, kLeft, kRight, kHlc, kBytes, kContent, kDel, kDelRange, kNumCols };
constexpr int kNumColsV1 = kDelRange;

// Per-replica "end of the last one" counters for the version 2 deltas (indexed by snapshot replica index).
struct LastEnd {
  std::vector<std::uint64_t> end;
  std::uint64_t& operator[](std::size_t rep) {
    if (rep >= end.size()) end.resize(rep + 1, 0);
    return end[rep];
  }
};

// Run indices in (replica, counter) order: the order version 2 writes run clocks in.
template <typename RepOf>
std::vector<std::uint32_t> ClockOrder(const std::vector<detail::Run>& runs, RepOf rep_of) {
  std::vector<std::uint32_t> order(runs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::pair(rep_of(a), runs[a].ctr) < std::pair(rep_of(b), runs[b].ctr);
  });
  return order;
}

void SaveText(const TextSeq& text, coding::Writer& w) {
  coding::Writer c[kNumCols];
  std::vector<detail::Run> runs;
  runs.reserve(text.run_count());
  text.ForEachRun([&](const detail::Run& r) { runs.push_back(r); });
  w.Varint(runs.size());
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> by_id;  // (rep, ctr, run index), sorted
  by_id.reserve(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) by_id.emplace_back(runs[i].rep, runs[i].ctr, static_cast<std::uint32_t>(i));
  std::sort(by_id.begin(), by_id.end());
  LastEnd run_end;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const detail::Run& r = runs[i];
    const detail::Run* prev = i > 0 ? &runs[i - 1] : nullptr;
    const detail::Run* next = i + 1 < runs.size() ? &runs[i + 1] : nullptr;
    std::uint8_t flags = r.deleted ? 1 : 0;
    if (prev && r.left == TId{prev->rep, prev->ctr + prev->len - 1}) flags |= 2;
    else if (r.left.none()) flags |= 4;
    if (r.right.none()) flags |= 8;
    else if (prev && r.right == prev->right) flags |= 16;
    else if (next && r.right == TId{next->rep, next->ctr}) flags |= 128;
    const bool same = prev && r.rep == prev->rep && r.author == prev->author;
    if (same) flags |= 32;
    std::string_view content = r.deleted ? std::string_view() : text.Content(r);
    if (!r.deleted && content.size() == r.len) flags |= 64;
    c[kFlags].Byte(flags);
    if (!same) {
      c[kRepAuthor].Varint(r.rep);
      c[kRepAuthor].Varint(r.author);
    }
    std::uint64_t& end = run_end[r.rep];
    c[kCtr].Varint(coding::ZigZag(static_cast<std::int64_t>(r.ctr) - static_cast<std::int64_t>(end)));
    end = std::uint64_t{r.ctr} + r.len;
    c[kLen].Varint(r.len);
    if (!(flags & 6)) {
      c[kLeft].Varint(r.left.rep);
      c[kLeft].Varint(coding::ZigZag(static_cast<std::int64_t>(r.left.ctr) - r.ctr));
    }
    if (!(flags & (8 | 16 | 128))) {  // the run holding the right origin, relative to this one (or explicit)
      auto it = std::upper_bound(by_id.begin(), by_id.end(), std::tuple(r.right.rep, r.right.ctr, ~0u));
      if (it != by_id.begin() && std::get<0>(*(it - 1)) == r.right.rep &&
          r.right.ctr - std::get<1>(*(it - 1)) < runs[std::get<2>(*(it - 1))].len) {
        const std::uint32_t idx = std::get<2>(*(it - 1));
        c[kRight].Varint(coding::ZigZag(static_cast<std::int64_t>(idx) - static_cast<std::int64_t>(i)) << 1);
        c[kRight].Varint(r.right.ctr - runs[idx].ctr);
      } else {
        c[kRight].Varint(1);
        c[kRight].Varint(r.right.rep);
        c[kRight].Varint(r.right.ctr);
      }
    }
    if (!r.deleted) {
      if (!(flags & 64)) c[kBytes].Varint(content.size());
      c[kContent].Raw(content.data(), content.size());
    }
  }
  std::uint64_t prev_hlc = 0;
  for (std::uint32_t i : ClockOrder(runs, [&](std::uint32_t k) { return runs[k].rep; })) {
    c[kHlc].Varint(coding::ZigZag(static_cast<std::int64_t>(runs[i].hlc - prev_hlc)));
    prev_hlc = runs[i].hlc;
  }
  const auto& ranges = text.delete_ranges();
  c[kDel].Varint(text.deletes().size());
  std::uint64_t prev_del_hlc = 0;
  LastEnd del_end;
  std::int64_t prev_idx = 0;
  for (const auto& d : text.deletes()) {
    std::uint64_t& end = del_end[d.rep];
    c[kDel].Varint(d.rep);
    c[kDel].Varint(coding::ZigZag(static_cast<std::int64_t>(d.ctr) - static_cast<std::int64_t>(end)));
    end = std::uint64_t{d.ctr} + d.span;
    c[kDel].Varint(d.author);
    c[kDel].Varint(coding::ZigZag(static_cast<std::int64_t>(d.hlc - prev_del_hlc)));
    prev_del_hlc = d.hlc;
    c[kDel].Varint(d.count);
    std::int64_t covered = 0;
    for (std::uint32_t k = 0; k < d.count; ++k) {
      const TRange& tr = ranges[d.first + k];
      covered += tr.len;
      // Pieces, each inside one run: (run index delta << 1 | explicit), offset, (length or 0 = to the run's
      // end) << 1 | more pieces follow. Explicit (ids not in a run: never written today) names rep, ctr.
      std::uint32_t ctr = tr.ctr, left = tr.len;
      while (left > 0) {
        auto it = std::upper_bound(by_id.begin(), by_id.end(), std::tuple(tr.rep, ctr, ~0u));
        const bool found = it != by_id.begin() && std::get<0>(*(it - 1)) == tr.rep &&
                           ctr - std::get<1>(*(it - 1)) < runs[std::get<2>(*(it - 1))].len;
        std::uint32_t piece = left, off = 0, run_left = 0;
        if (found) {
          const std::uint32_t idx = std::get<2>(*(it - 1));
          off = ctr - runs[idx].ctr;
          run_left = runs[idx].len - off;
          piece = std::min(left, run_left);
          c[kDelRange].Varint(coding::ZigZag(static_cast<std::int64_t>(idx) - prev_idx) << 1);
          c[kDelRange].Varint(off);
          prev_idx = idx;
        } else {
          c[kDelRange].Varint(1);
          c[kDelRange].Varint(tr.rep);
          c[kDelRange].Varint(ctr);
        }
        left -= piece;
        ctr += piece;
        c[kDelRange].Varint(std::uint64_t{found && piece == run_left ? 0 : piece} << 1 | (left > 0 ? 1 : 0));
      }
    }
    c[kDel].Varint(coding::ZigZag(static_cast<std::int64_t>(d.span) - covered));
  }
  for (auto& col : c) {
    w.Varint(col.bytes().size());
    w.Raw(col.bytes().data(), col.bytes().size());
  }
}

// One version 2 delete range: its pieces (SaveText), each inside one run or explicit, ids contiguous.
Status ReadRangePieces(coding::Reader& dr, const std::vector<detail::Run>& runs, const std::vector<std::uint32_t>& remap,
                       std::int64_t& prev_idx, TRange& out) {
  auto bad = [] { return MakeError(ErrorCode::kCorrupt, "snapshot: bad delete range"); };
  std::uint64_t total = 0;
  for (bool first = true, more = true; more; first = false) {
    std::uint64_t head, a, z;
    if (!dr.Varint(head) || !dr.Varint(a)) return bad();
    std::uint32_t rep;
    std::uint64_t ctr, len;
    if (head & 1) {  // explicit: rep, ctr
      std::uint64_t c;
      if (head != 1 || a >= remap.size() || !dr.Varint(c) || c == 0 || c > 0xFFFFFFFFull) return bad();
      rep = remap[a];
      ctr = c;
      if (!dr.Varint(z) || (z >> 1) == 0) return bad();
      len = z >> 1;
    } else {
      const std::int64_t idx = prev_idx + coding::UnZigZag(head >> 1);
      if (idx < 0 || static_cast<std::uint64_t>(idx) >= runs.size()) return bad();
      const detail::Run& run = runs[static_cast<std::size_t>(idx)];
      if (a >= run.len || !dr.Varint(z)) return bad();
      len = (z >> 1) == 0 ? run.len - a : (z >> 1);
      if (len > run.len - a) return bad();
      rep = run.rep;
      ctr = run.ctr + a;
      prev_idx = idx;
    }
    more = (z & 1) != 0;
    if (ctr + len - 1 > 0xFFFFFFFFull) return bad();
    if (first) {
      out = {rep, static_cast<std::uint32_t>(ctr), 0};
    } else if (rep != out.rep || ctr != std::uint64_t{out.ctr} + total) {
      return bad();
    }
    total += len;
    if (total > 0xFFFFFFFFull - out.ctr + 1) return bad();
  }
  out.len = static_cast<std::uint32_t>(total);
  return Ok();
}

Status LoadText(coding::Reader& in, int version, const std::vector<std::uint32_t>& remap,
                const std::vector<std::uint32_t>& author_map, TextSeq& text) {
  auto corrupt = [](std::string m) { return MakeError(ErrorCode::kCorrupt, "snapshot: " + m); };
  const bool v1 = version == 1;
  const int ncols = v1 ? kNumColsV1 : kNumCols;
  std::uint64_t nruns;
  if (!in.Varint(nruns) || nruns > in.remaining()) return corrupt("bad run count");
  std::string_view views[kNumCols];
  for (int k = 0; k < ncols; ++k)
    if (!in.View(views[k], in.remaining())) return corrupt("bad column");
  std::vector<coding::Reader> c;
  c.reserve(kNumCols);
  for (auto& v : views) c.emplace_back(AsBytes(v));
  std::string_view content_all = views[kContent];
  std::size_t content_at = 0;
  text.ReserveLoadedContent(content_all.size());
  auto rep_of = [&](std::uint64_t a, std::uint32_t& out) {
    if (a >= remap.size()) return false;
    out = remap[a];
    return true;
  };
  std::vector<detail::Run> runs;
  std::vector<std::string_view> contents;
  std::vector<std::uint32_t> snap_rep;  // each run's replica index in the snapshot (version 2's clock order)
  std::vector<bool> right_is_next;
  struct RightRef {  // version 2: a right origin named by run index, or "the previous run's"
    bool copy = false, by_index = false;
    std::int64_t idx = 0;
    std::uint64_t off = 0;
  };
  std::vector<RightRef> right_refs;
  right_refs.reserve(nruns);
  runs.reserve(nruns);
  contents.reserve(nruns);
  snap_rep.reserve(nruns);
  right_is_next.reserve(nruns);
  std::uint64_t prev_hlc = 0;
  std::uint32_t cur_rep = 0, cur_author = 0;
  std::uint64_t cur_snap_rep = 0;
  LastEnd run_end;
  for (std::uint64_t i = 0; i < nruns; ++i) {
    std::uint8_t flags;
    if (!c[kFlags].Byte(flags) || (i == 0 && (flags & (2 | 16 | 32))) || (flags & 6) == 6 ||
        ((flags & 8) != 0) + ((flags & 16) != 0) + ((flags & 128) != 0) > 1 || ((flags & 1) && (flags & 64)))
      return corrupt("bad run flags");
    const detail::Run* prev = i > 0 ? &runs.back() : nullptr;
    detail::Run run{};
    run.deleted = (flags & 1) != 0;
    std::uint64_t b, zz, len;
    if (!(flags & 32)) {
      if (!c[kRepAuthor].Varint(cur_snap_rep) || !c[kRepAuthor].Varint(b) || !rep_of(cur_snap_rep, cur_rep) ||
          b >= author_map.size())
        return corrupt("bad run replica");
      cur_author = author_map[b];
    }
    run.rep = cur_rep;
    run.author = cur_author & 0x7FFFFFFFu;
    if (!c[kCtr].Varint(zz) || !c[kLen].Varint(len) || len == 0 || len > 0xFFFFFFFFull) return corrupt("bad run");
    std::uint64_t& end = run_end[cur_snap_rep];
    const std::int64_t base = v1 ? ((flags & 32) ? static_cast<std::int64_t>(prev->ctr) + prev->len : 0)
                                 : static_cast<std::int64_t>(end);
    const std::int64_t ctr = base + coding::UnZigZag(zz);
    if (ctr <= 0 || static_cast<std::uint64_t>(ctr) + len - 1 > 0xFFFFFFFFull) return corrupt("bad run counter");
    run.ctr = static_cast<std::uint32_t>(ctr);
    run.len = static_cast<std::uint32_t>(len);
    end = static_cast<std::uint64_t>(ctr) + len;
    auto origin = [&](coding::Reader& col, TId& out) {
      std::uint64_t x, y;
      if (!col.Varint(x) || !col.Varint(y) || !rep_of(x, out.rep)) return false;
      const std::int64_t oc = static_cast<std::int64_t>(run.ctr) + coding::UnZigZag(y);
      if (oc <= 0 || oc > 0xFFFFFFFFll) return false;
      out.ctr = static_cast<std::uint32_t>(oc);
      return true;
    };
    if (flags & 2) {
      run.left = {prev->rep, prev->ctr + prev->len - 1};
    } else if (!(flags & 4)) {
      if (!origin(c[kLeft], run.left)) return corrupt("bad left origin");
    }
    RightRef ref{};
    if (flags & 16) {
      if (v1) run.right = prev->right;
      else ref.copy = true;
    } else if (!(flags & (8 | 128))) {
      if (v1) {
        if (!origin(c[kRight], run.right)) return corrupt("bad right origin");
      } else {
        std::uint64_t h, x;
        if (!c[kRight].Varint(h) || !c[kRight].Varint(x)) return corrupt("bad right origin");
        if (h & 1) {  // explicit: rep, ctr
          std::uint64_t y;
          if (h != 1 || !rep_of(x, run.right.rep) || !c[kRight].Varint(y) || y == 0 || y > 0xFFFFFFFFull)
            return corrupt("bad right origin");
          run.right.ctr = static_cast<std::uint32_t>(y);
        } else {
          ref.idx = static_cast<std::int64_t>(i) + coding::UnZigZag(h >> 1);
          ref.off = x;
          ref.by_index = true;
        }
      }
    }
    right_refs.push_back(ref);
    if (v1) {
      if (!c[kHlc].Varint(zz)) return corrupt("bad run clock");
      run.hlc = prev_hlc + static_cast<std::uint64_t>(coding::UnZigZag(zz));
      prev_hlc = run.hlc;
    }
    std::string_view content;
    if (!run.deleted) {
      std::uint64_t nbytes = len;
      if (!(flags & 64) && !c[kBytes].Varint(nbytes)) return corrupt("bad content length");
      if (nbytes > content_all.size() - content_at) return corrupt("content overruns");
      content = content_all.substr(content_at, nbytes);
      content_at += nbytes;
      if (flags & 64) {
        for (char ch : content)
          if (static_cast<unsigned char>(ch) >= 0x80) return corrupt("run marked ascii is not");
      } else {
        auto cps = Utf8Length(content);
        if (!cps.ok() || *cps != len) return corrupt("run content does not match its length");
      }
    }
    // A right origin "the next run's first code point" is filled in when that run is read.
    if (!right_is_next.empty() && right_is_next.back()) runs.back().right = {run.rep, run.ctr};
    right_is_next.push_back((flags & 128) != 0);
    runs.push_back(run);
    contents.push_back(content);
    snap_rep.push_back(static_cast<std::uint32_t>(cur_snap_rep));
  }
  if (!right_is_next.empty() && right_is_next.back()) return corrupt("last run names a next run");
  if (content_at != content_all.size()) return corrupt("unused content");
  for (std::size_t i = 0; i < runs.size(); ++i) {  // version 2's right origins, in document order
    const RightRef& ref = right_refs[i];
    if (ref.copy) {
      runs[i].right = runs[i - 1].right;
    } else if (ref.by_index) {
      if (ref.idx < 0 || static_cast<std::uint64_t>(ref.idx) >= runs.size() ||
          ref.off >= runs[static_cast<std::size_t>(ref.idx)].len)
        return corrupt("bad right origin");
      const detail::Run& o = runs[static_cast<std::size_t>(ref.idx)];
      runs[i].right = {o.rep, o.ctr + static_cast<std::uint32_t>(ref.off)};
    }
  }
  if (!v1) {
    for (std::uint32_t i : ClockOrder(runs, [&](std::uint32_t k) { return snap_rep[k]; })) {
      std::uint64_t zz;
      if (!c[kHlc].Varint(zz)) return corrupt("bad run clock");
      runs[i].hlc = prev_hlc + static_cast<std::uint64_t>(coding::UnZigZag(zz));
      prev_hlc = runs[i].hlc;
    }
  }
  for (std::size_t i = 0; i < runs.size(); ++i) text.AppendLoadedRun(runs[i], contents[i]);
  text.FinishLoad();
  coding::Reader& d = c[kDel];
  coding::Reader& dr = v1 ? c[kDel] : c[kDelRange];
  std::uint64_t ndel;
  if (!d.Varint(ndel) || ndel > d.remaining()) return corrupt("bad delete count");
  std::uint64_t prev_end = 0, prev_del_hlc = 0;
  LastEnd del_end;
  std::int64_t prev_idx = 0;
  std::vector<TRange> ranges;
  for (std::uint64_t i = 0; i < ndel; ++i) {
    std::uint64_t drep, zz, span = 0, author, hz, count;
    if (!d.Varint(drep) || !d.Varint(zz) || (v1 && !d.Varint(span)) || !d.Varint(author) || !d.Varint(hz) ||
        !d.Varint(count) || drep >= remap.size() || author >= author_map.size() || count > dr.remaining())
      return corrupt("bad delete record");
    std::uint64_t& end = v1 ? prev_end : del_end[drep];
    const std::int64_t dctr = static_cast<std::int64_t>(end) + coding::UnZigZag(zz);
    const std::uint64_t hlc = prev_del_hlc + static_cast<std::uint64_t>(coding::UnZigZag(hz));
    ranges.assign(count, {});
    std::int64_t covered = 0;
    for (auto& tr : ranges) {
      if (v1) {
        std::uint64_t x, y, z;
        if (!dr.Varint(x) || !dr.Varint(y) || !dr.Varint(z) || x >= remap.size() || z == 0 || z > 0xFFFFFFFFull)
          return corrupt("bad delete range");
        const std::int64_t tc = dctr + coding::UnZigZag(y);
        if (tc <= 0 || static_cast<std::uint64_t>(tc) + z - 1 > 0xFFFFFFFFull) return corrupt("bad delete range");
        tr = {remap[x], static_cast<std::uint32_t>(tc), static_cast<std::uint32_t>(z)};
      } else {
        CP_RETURN_IF_ERROR(ReadRangePieces(dr, runs, remap, prev_idx, tr));
      }
      covered += static_cast<std::int64_t>(tr.len);
    }
    if (!v1) {
      std::uint64_t sz;
      if (!d.Varint(sz)) return corrupt("bad delete record");
      const std::int64_t sp = covered + coding::UnZigZag(sz);
      if (sp <= 0 || sp > 0xFFFFFFFFll) return corrupt("bad delete record");
      span = static_cast<std::uint64_t>(sp);
    }
    if (span == 0 || span > 0xFFFFFFFFull || dctr <= 0 || static_cast<std::uint64_t>(dctr) + span - 1 > 0xFFFFFFFFull)
      return corrupt("bad delete record");
    text.AppendLoadedDelete({remap[drep], static_cast<std::uint32_t>(dctr), static_cast<std::uint32_t>(span), 0, 0,
                             author_map[author], hlc},
                            ranges);
    end = static_cast<std::uint64_t>(dctr) + span;
    prev_del_hlc = hlc;
  }
  for (int k = 0; k < ncols; ++k)
    if (k != kContent && c[k].remaining() != 0) return corrupt("trailing bytes in column " + std::to_string(k));
  return Ok();
}

}  // namespace

Bytes Replica::SaveSnapshot() const {
  coding::Writer w;
  const auto& ids = *replica_ids_;
  w.Str(options_.case_id);
  w.Varint(ids.size());
  for (ReplicaId r : ids) w.Fixed64(r);
  w.Varint(authors_.size());
  for (const auto& a : authors_) w.Str(a);
  auto put_vv = [&](const VersionVector& v) {
    w.Varint(v.entries().size());
    for (const auto& [r, c] : v.entries()) {
      w.Fixed64(r);
      w.Varint(c);
    }
  };
  put_vv(version_);
  put_vv(cut_);
  w.Varint(cut_clock_.value);
  w.Varint(clock_.last().value);
  // Register and collection operations, in application order, in the operation batch format.
  {
    Bytes log = struct_log_.empty() ? Bytes() : EncodeOperations(struct_log_);
    w.Varint(log.size());
    w.Raw(log.data(), log.size());
  }
  w.Varint(texts_.size());
  for (const auto& [target, text] : texts_) {
    w.Str(target.object);
    w.Str(target.field);
    SaveText(*text, w);
  }
  Bytes body = w.Take();
  uLongf bound = compressBound(static_cast<uLong>(body.size()));
  coding::Writer out;
  out.Raw(kSnapMagic, 4);
  out.Byte(kSnapVersion);
  out.Varint(body.size());
  Bytes& o = out.bytes();
  const std::size_t head = o.size();
  o.resize(head + bound);
  if (compress2(o.data() + head, &bound, body.data(), static_cast<uLong>(body.size()), 9) != Z_OK) std::abort();
  o.resize(head + bound);
  return out.Take();
}

Result<Replica> Replica::LoadSnapshot(std::span<const std::uint8_t> bytes, ReplicaOptions options) {
  auto corrupt = [](std::string m) { return MakeError(ErrorCode::kCorrupt, "snapshot: " + m); };
  coding::Reader head(bytes);
  std::uint8_t magic[4], version;
  if (!head.Raw(magic, 4) || std::memcmp(magic, kSnapMagic, 4) != 0) return corrupt("bad magic");
  if (!head.Byte(version)) return corrupt("truncated");
  if (version != 1 && version != kSnapVersion) return MakeError(ErrorCode::kUnsupported, "snapshot version unsupported");
  std::uint64_t size;
  if (!head.Varint(size) || size > kMaxSnapshotBytes) return corrupt("bad size");
  Bytes body(size);
  uLongf got = static_cast<uLongf>(size);
  const std::size_t used = bytes.size() - head.remaining();
  if (uncompress(body.data(), &got, bytes.data() + used, static_cast<uLong>(head.remaining())) != Z_OK || got != size)
    return corrupt("bad compressed body");

  coding::Reader r(body);
  std::string case_id;
  if (!r.Str(case_id, 1 << 20)) return corrupt("bad case id");
  if (case_id != options.case_id) return MakeError(ErrorCode::kInvalidArgument, "snapshot belongs to another case");
  Replica rep(std::move(options));
  std::uint64_t n;
  if (!r.Varint(n) || n > r.remaining() / 8) return corrupt("bad replica table");
  std::vector<std::uint32_t> remap(n);  // snapshot replica index -> our index
  for (auto& m : remap) {
    std::uint64_t id;
    if (!r.Fixed64(id) || id == 0) return corrupt("bad replica id");
    m = rep.RepIndex(id);
  }
  if (!r.Varint(n) || n > r.remaining()) return corrupt("bad author table");
  std::vector<std::uint32_t> author_map(n);
  for (auto& a : author_map) {
    std::string s;
    if (!r.Str(s, 1 << 20)) return corrupt("bad author");
    a = rep.AuthorIndex(s);
  }
  auto get_vv = [&](VersionVector& v) {
    std::uint64_t k;
    if (!r.Varint(k) || k > r.remaining()) return false;
    for (std::uint64_t i = 0; i < k; ++i) {
      std::uint64_t id, c;
      if (!r.Fixed64(id) || !r.Varint(c)) return false;
      v.Set(id, c);
    }
    return true;
  };
  VersionVector vv, cut;
  std::uint64_t cut_clock, last_clock;
  if (!get_vv(vv) || !get_vv(cut) || !r.Varint(cut_clock) || !r.Varint(last_clock)) return corrupt("bad versions");
  std::string_view log;
  if (!r.View(log, kMaxSnapshotBytes)) return corrupt("bad operation log");
  if (!log.empty()) {
    auto ops = DecodeOperations(AsBytes(log));
    if (!ops.ok()) return ops.error().Context("snapshot");
    for (auto& op : *ops) {
      Status s = rep.ApplyReady(op, op.Span());
      if (!s.ok()) return s.error().Context("snapshot");
    }
  }
  if (!r.Varint(n)) return corrupt("bad text count");
  for (std::uint64_t t = 0; t < n; ++t) {
    Target target;
    if (!r.Str(target.object, 1 << 20) || !r.Str(target.field, 1 << 20)) return corrupt("bad text header");
    if (rep.texts_.count(target)) return corrupt("duplicate text");
    CP_RETURN_IF_ERROR(LoadText(r, version, remap, author_map, rep.TextFor(target)));
  }
  if (r.remaining() != 0) return corrupt("trailing bytes");
  rep.version_ = vv;
  rep.self_counter_ = nullptr;
  rep.cut_ = cut;
  rep.cut_clock_ = HlcTimestamp{cut_clock};
  rep.clock_ = HybridClock(HlcTimestamp{last_clock});
  return rep;
}

// ---------------------------------------------------------------- ReplicaSet

Result<Replica*> ReplicaSet::Open(const ReplicaOptions& options) {
  if (purged_.count(options.case_id)) return MakeError(ErrorCode::kNotFound, "case was purged from this device");
  auto it = replicas_.find(options.case_id);
  if (it == replicas_.end()) it = replicas_.emplace(options.case_id, std::make_unique<Replica>(options)).first;
  return it->second.get();
}

Replica* ReplicaSet::Find(std::string_view case_id) {
  auto it = replicas_.find(case_id);
  return it == replicas_.end() ? nullptr : it->second.get();
}

void ReplicaSet::DropCase(const std::string& case_id) {
  replicas_.erase(case_id);
  purged_.insert(case_id);
}

ApplyResult ReplicaSet::Apply(std::span<const Operation> ops) {
  ApplyResult total;
  std::map<std::string, std::vector<Operation>> by_case;
  for (const auto& op : ops) {
    if (purged_.count(op.case_id)) {
      total.rejected.push_back({op, MakeError(ErrorCode::kNotFound, "case was purged from this device")});
    } else if (!replicas_.count(op.case_id)) {
      total.rejected.push_back({op, MakeError(ErrorCode::kNotFound, "case is not open on this device")});
    } else {
      by_case[op.case_id].push_back(op);
    }
  }
  for (auto& [id, list] : by_case) {
    ApplyResult r = replicas_.find(id)->second->Apply(list);
    total.applied += r.applied;
    total.duplicates += r.duplicates;
    total.pending += r.pending;
    for (auto& x : r.rejected) total.rejected.push_back(std::move(x));
  }
  return total;
}

}  // namespace casepack
