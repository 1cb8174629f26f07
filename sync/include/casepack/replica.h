// A Replica is this device's copy of one case's shared state: registers, collections and texts, merged
// from operations (casepack/operation.h). No sockets, no storage: the store persists snapshots and
// operations, the transport moves batches; this class only merges.
//
// Guarantees: applying any set of operations, in any order, any number of times, gives the same state on
// every replica (strong eventual consistency). Operations whose prerequisites have not arrived yet wait
// inside the replica (pending) and apply as soon as they can. Operations that can never apply are handed
// back in ApplyResult::rejected with the reason; nothing is dropped silently.
//
// Not thread safe: one thread at a time (the owner serialises access).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/hlc.h"
#include "casepack/operation.h"
#include "casepack/result.h"

namespace casepack {

namespace detail {
class TextSeq;
struct Run;
struct DelRecord;
}

struct ReplicaOptions {
  std::string case_id;
  ReplicaId replica = 0;  // REQUIRES: non-zero, random, never reused (see operation.h)
  std::string author;     // recorded on every local operation
  // Physical clock in Unix milliseconds; defaults to the system clock. Tests inject their own.
  std::function<std::uint64_t()> now_millis;
};

// One value of a register. Values are ordered by (clock, replica), greatest first.
struct RegisterValue {
  std::string value;
  OpId id;
  HlcTimestamp clock;
  std::string author;
};

struct RegisterView {
  // Concurrent values, winner first. Empty if the register was never written. For a register written
  // without keep_conflicts only the winner is listed.
  std::vector<RegisterValue> values;
  // True when more than one concurrent value survives and a write among them asked to keep conflicts:
  // the UI shows all values until someone picks one (a new SetRegister supersedes all it has seen).
  bool conflict = false;
  const RegisterValue* winner() const { return values.empty() ? nullptr : &values.front(); }
};

struct CollectionEntry {
  std::string key;
  std::string value;  // of the latest surviving add (by clock, replica)
};

// A range [begin, end) of visible code points of a text inserted by `replica` after a base version.
struct EditedRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  ReplicaId replica = 0;
};

struct RejectedOperation {
  Operation op;
  Error error;
};

struct ApplyResult {
  std::size_t applied = 0;     // operations (or parts of them) newly applied by this call
  std::size_t duplicates = 0;  // already present: ignored
  std::size_t pending = 0;     // waiting for earlier operations (total now waiting in the replica)
  // Never applied, with the reason: kInvalidArgument (malformed; never for its clock: HybridClock),
  // kCorrupt (names things that do not exist), kConflict (older than the compaction cut, or follows a
  // rejected operation of the same replica). The caller keeps them (e.g. shows the text to the user).
  std::vector<RejectedOperation> rejected;
};

// One text of a replica, found once (Replica::Text). Edits through it skip finding the text by its
// target, which a stream of keystrokes would otherwise do once each. A text is never removed from its
// replica, so the handle stays good as long as the replica does (moves included); an edit through a
// handle from another replica, or a default-made one, is refused.
class TextRef {
 public:
  TextRef() = default;

 private:
  friend class Replica;
  explicit TextRef(detail::TextSeq* seq) : seq_(seq) {}
  detail::TextSeq* seq_ = nullptr;
};

class Replica {
 public:
  // A received clock moves ours at most this far ahead of the physical clock (HybridClock::kMaxDriftMillis).
  static constexpr std::uint64_t kMaxDriftMillis = HybridClock::kMaxDriftMillis;

  explicit Replica(ReplicaOptions options);
  ~Replica();
  Replica(Replica&&) noexcept;
  Replica& operator=(Replica&&) noexcept;
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  const std::string& case_id() const { return options_.case_id; }
  ReplicaId replica_id() const { return options_.replica; }

  // ---- local edits: each records one operation (fetch them with ChangesSince) and returns its id ----

  // Supersedes every value of the register this replica currently sees. keep_conflicts marks the register
  // as one where concurrent values must stay visible (an action's owner, a due date, a key date).
  Result<OpId> SetRegister(const Target& target, std::string_view value, bool keep_conflicts);
  // Adds `key` (with an optional value) to a collection. An add concurrent with a remove of the same key
  // survives (add wins); an add that the remover had seen does not come back.
  Result<OpId> AddToCollection(const Target& target, std::string_view key, std::string_view value = {});
  // kNotFound if the key is not present here.
  Result<OpId> RemoveFromCollection(const Target& target, std::string_view key);
  // Inserts UTF-8 text before code point `pos`. kInvalidArgument if pos > TextLength or the text is empty
  // or invalid UTF-8.
  Result<OpId> InsertText(const Target& target, std::uint64_t pos, std::string_view utf8);
  // Deletes `count` code points from `pos`. kInvalidArgument if the range leaves the text or count is 0.
  Result<OpId> DeleteText(const Target& target, std::uint64_t pos, std::uint64_t count);
  // The text at `target`, made (empty) if there is none, as its first insert would. Then the same two
  // edits through the handle (kInvalidArgument also for a handle this replica did not give).
  TextRef Text(const Target& target);
  Result<OpId> InsertText(TextRef text, std::uint64_t pos, std::string_view utf8);
  Result<OpId> DeleteText(TextRef text, std::uint64_t pos, std::uint64_t count);

  // ---- reads ----
  RegisterView ReadRegister(const Target& target) const;
  std::vector<CollectionEntry> ReadCollection(const Target& target) const;  // sorted by key
  std::string ReadText(const Target& target) const;                       // "" if never written
  std::uint64_t TextLength(const Target& target) const;                   // in code points
  // The whole lines that code points [pos, pos + count) stand on (to just after a line's '\n', or the
  // end) and the position of their first code point: an edit's paragraph, read without the whole text.
  // kInvalidArgument if the range leaves the text.
  struct TextLines {
    std::uint64_t begin = 0;
    std::string text;
  };
  Result<TextLines> ReadLinesAround(const Target& target, std::uint64_t pos, std::uint64_t count) const;
  // Visible ranges inserted after `base` (e.g. the version both sides had before they went offline), by
  // replica; the UI highlights them. Deletions since base do not appear (there is nothing left to show).
  std::vector<EditedRange> EditedSince(const Target& target, const VersionVector& base) const;
  std::vector<Target> Texts() const;
  // The id of the code point at `pos` (it names the code point for as long as it lives, whatever is
  // inserted around it). kInvalidArgument if pos >= TextLength.
  Result<OpId> TextIdAt(const Target& target, std::uint64_t pos) const;
  // The registers ever written whose object is `object`, sorted.
  std::vector<Target> RegistersOf(std::string_view object) const;

  // ---- sync ----
  const VersionVector& version() const { return version_; }
  // The operations this replica has applied that `theirs` lacks, in an order that applies without waiting
  // (by clock). Text typed in runs comes back as one operation per run, clock of its first code point;
  // deleted text comes back as tombstones without its content. kConflict if `theirs` is behind the
  // compaction cut: that peer needs SaveSnapshot() instead.
  Result<std::vector<Operation>> ChangesSince(const VersionVector& theirs) const;
  // This replica's own operations with a counter above `after` (what ChangesSince would list for a peer
  // that has everything else), found through the id index rather than a scan of the whole state: the cost
  // is that of the new operations, not of the case. For persisting a local edit as it is made.
  Result<std::vector<Operation>> LocalChangesSince(std::uint64_t after) const;
  // Declares every local operation so far final (stored): later local edits make new operations and never
  // extend one made before (consecutive deletes otherwise coalesce into one record, keeping its id).
  void FenceLocalHistory() { fence_ = version_.Get(options_.replica); }
  ApplyResult Apply(std::span<const Operation> ops);
  std::size_t pending_count() const;

  // ---- snapshots and compaction ----
  // The whole state (not the pending operations), deflate-compressed; format in docs/sync.md. Deleted text
  // content is not included.
  Bytes SaveSnapshot() const;
  // kCorrupt / kUnsupported for bad bytes; kInvalidArgument if the snapshot is of another case.
  static Result<Replica> LoadSnapshot(std::span<const std::uint8_t> bytes, ReplicaOptions options);
  // Cuts history at `cut`, a version every member has passed: drops superseded register values, removed
  // collection adds and text delete records inside the cut (their effect stays in the state). Afterwards
  // operations concurrent with the cut (clock not above every clock inside it) are rejected with kConflict,
  // and peers behind the cut are served a snapshot. kInvalidArgument if this replica has not reached `cut`.
  // Every replica must compact at the same cut (the server announces it).
  Status Compact(const VersionVector& cut);
  const VersionVector& cut() const { return cut_; }

  std::size_t MemoryBytes() const;  // approximate, for benchmarks

 private:
  struct RegValue {
    OpId id;
    HlcTimestamp clock;
    std::uint32_t author;
    bool keep;
    std::string value;
  };
  struct Tag {
    OpId id;
    HlcTimestamp clock;
    std::string value;
  };
  struct TextState;

  std::uint32_t RepIndex(ReplicaId r);
  std::uint32_t AuthorIndex(std::string_view a);
  std::uint64_t Now() const;
  OpId NextId();
  void SetLocalCounter(std::uint64_t last);
  // Applies one operation whose prerequisites are present. kCorrupt if it names what is not there.
  // REQUIRES: span == op.Span() (callers have it already; it costs a UTF-8 scan).
  Status ApplyReady(const Operation& op, std::uint64_t span);
  // 0 = ready, 1 = wait, 2 = reject (err set)
  int CheckReady(const Operation& op, Error& err) const;
  void Drain(ApplyResult& result);
  void RejectFollowers(ReplicaId r, std::uint64_t from, ApplyResult& result);
  Operation TextInsertOp(const Target& target, const detail::TextSeq& text, const detail::Run& r,
                         std::uint32_t skip) const;
  Operation TextDeleteOp(const Target& target, const detail::TextSeq& text, const detail::DelRecord& d) const;
  void TextChangesByIndex(const Target& target, const detail::TextSeq& text, const std::vector<std::uint32_t>& reps,
                          const std::vector<std::uint64_t>& after, std::vector<Operation>& out) const;
  bool Gave(TextRef text) const;
  Result<OpId> InsertInto(detail::TextSeq& text, std::uint64_t pos, std::string_view utf8, std::uint64_t n);
  [[gnu::noinline]] Result<OpId> InsertTextGeneral(TextRef text, std::uint64_t pos, std::string_view utf8);
  [[gnu::noinline]] Result<OpId> DeleteTextGeneral(TextRef text, std::uint64_t pos, std::uint64_t count);
  Result<OpId> DeleteFrom(detail::TextSeq* text, std::uint64_t pos, std::uint64_t count);
  detail::TextSeq& TextFor(const Target& t);
  detail::TextSeq& TextForSlow(const Target& t);
  const detail::TextSeq* FindText(const Target& t) const;
  detail::TextSeq* FindTextMutable(const Target& t);

  ReplicaOptions options_;
  HybridClock clock_;
  VersionVector version_;
  std::uint64_t* self_counter_ = nullptr;  // this replica's entry in version_, once it has one
  VersionVector cut_;
  HlcTimestamp cut_clock_;
  // Interned replica ids (TextSeq works with indices). unique_ptr keeps the address stable across moves.
  std::unique_ptr<std::vector<ReplicaId>> replica_ids_;
  std::unordered_map<ReplicaId, std::uint32_t> replica_index_;
  std::vector<std::string> authors_;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> author_index_;
  // The last replica and author interned other than this replica's own: a merged history names the same
  // few over and over, and comparing is cheaper than hashing.
  ReplicaId last_rep_id_ = 0;
  std::uint32_t last_rep_ = 0xFFFFFFFFu;     // index of last_rep_id_, or none
  std::uint32_t last_author_ = 0xFFFFFFFFu;  // index into authors_, or none
  std::map<Target, std::vector<RegValue>> registers_;
  std::map<Target, std::map<std::string, std::vector<Tag>>> collections_;
  std::map<Target, std::unique_ptr<detail::TextSeq>> texts_;
  Target last_text_target_;                 // cache for TextFor: the last text edited
  detail::TextSeq* last_text_ = nullptr;
  std::vector<Operation> struct_log_;  // register and collection operations, in application order
  // An operation waiting for what it names. During Apply it points into the caller's batch (no copy: a
  // merged history queues most of its operations for a while); what still waits when Apply returns is
  // copied into `owned`.
  struct Pending {
    const Operation* op = nullptr;
    std::unique_ptr<Operation> owned;
  };
  std::map<ReplicaId, std::map<std::uint64_t, Pending>> pending_;
  std::map<ReplicaId, std::uint64_t> rejected_from_;  // per replica: first rejected counter
  std::uint64_t fence_ = 0;                            // FenceLocalHistory
};

// The replicas of every case on this device, and the cases purged from it. Operations for a purged case
// are refused (kNotFound) instead of bringing it back.
class ReplicaSet {
 public:
  // Returns the case's replica, creating it if new. kNotFound if the case was purged.
  Result<Replica*> Open(const ReplicaOptions& options);
  Replica* Find(std::string_view case_id);
  // Drops the case's replica and all its operations; later operations for it are rejected.
  void DropCase(const std::string& case_id);
  bool IsPurged(std::string_view case_id) const { return purged_.count(std::string(case_id)) > 0; }
  // Routes each operation to its case's replica (which must be open). Unknown or purged cases: rejected.
  ApplyResult Apply(std::span<const Operation> ops);

 private:
  std::map<std::string, std::unique_ptr<Replica>, std::less<>> replicas_;
  std::set<std::string> purged_;
};

}  // namespace casepack
