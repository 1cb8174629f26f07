#include "casepack/replica.h"
#include "casepack/encoding.h"
#include "sync/snapshot_scenario.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "support/seed.h"
#include "sync/reference_list.h"

namespace casepack {
namespace {

struct Fixture {
  std::uint64_t now = 1'700'000'000'000ull;
  Replica Make(ReplicaId id, std::string author = "user") {
    return Replica({"case-1", id, std::move(author), [this] { return now; }});
  }
};

std::vector<Operation> All(const Replica& r) { return *r.ChangesSince({}); }

void SyncBoth(Replica& a, Replica& b) {
  auto ab = a.ChangesSince(b.version());
  auto ba = b.ChangesSince(a.version());
  ASSERT_TRUE(ab.ok());
  ASSERT_TRUE(ba.ok());
  auto r1 = b.Apply(*ab);
  auto r2 = a.Apply(*ba);
  ASSERT_TRUE(r1.rejected.empty());
  ASSERT_TRUE(r2.rejected.empty());
}

const Target kOwner{"action/1", "owner"};
const Target kTitle{"action/1", "title"};
const Target kActions{"case", "actions"};
const Target kNotes{"note/1", "body"};

TEST(Register, LastWriterWinsWithoutConflictFlag) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  ASSERT_TRUE(a.SetRegister(kTitle, "first", false).ok());
  f.now += 10;
  ASSERT_TRUE(b.SetRegister(kTitle, "second", false).ok());
  SyncBoth(a, b);
  for (Replica* r : {&a, &b}) {
    auto v = r->ReadRegister(kTitle);
    ASSERT_EQ(v.values.size(), 1u);
    EXPECT_EQ(v.winner()->value, "second");
    EXPECT_FALSE(v.conflict);
  }
}

TEST(Register, ConcurrentValuesKeptAndResolvedLater) {
  Fixture f;
  Replica a = f.Make(1, "bu-officer"), b = f.Make(2, "facilitator");
  ASSERT_TRUE(a.SetRegister(kOwner, "\"alice\"", true).ok());
  ASSERT_TRUE(b.SetRegister(kOwner, "\"bob\"", true).ok());
  SyncBoth(a, b);
  auto va = a.ReadRegister(kOwner), vb = b.ReadRegister(kOwner);
  EXPECT_TRUE(va.conflict);
  ASSERT_EQ(va.values.size(), 2u);
  EXPECT_EQ(va.winner()->value, vb.winner()->value);  // same order everywhere
  EXPECT_EQ(va.values[1].value, vb.values[1].value);
  // A person picks one: the new write supersedes both.
  ASSERT_TRUE(b.SetRegister(kOwner, "\"alice\"", true).ok());
  SyncBoth(a, b);
  EXPECT_FALSE(a.ReadRegister(kOwner).conflict);
  EXPECT_EQ(a.ReadRegister(kOwner).winner()->value, "\"alice\"");
  EXPECT_EQ(a.ReadRegister(kOwner).winner()->author, "facilitator");
}

TEST(Register, CausallyLaterWriteWinsEvenWithAnOlderClock) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  f.now += 100000;
  ASSERT_TRUE(a.SetRegister(kTitle, "fast clock", true).ok());
  SyncBoth(a, b);
  f.now -= 100000;  // b's clock is behind; its HLC still moves past what it saw
  ASSERT_TRUE(b.SetRegister(kTitle, "seen and replaced", true).ok());
  SyncBoth(a, b);
  EXPECT_FALSE(a.ReadRegister(kTitle).conflict);
  EXPECT_EQ(a.ReadRegister(kTitle).winner()->value, "seen and replaced");
}

TEST(Collection, RemoveDoesNotResurrectAndConcurrentAddWins) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  ASSERT_TRUE(a.AddToCollection(kActions, "action/1").ok());
  ASSERT_TRUE(a.AddToCollection(kActions, "action/2").ok());
  SyncBoth(a, b);
  auto old_ops = All(a);
  ASSERT_TRUE(b.RemoveFromCollection(kActions, "action/1").ok());
  ASSERT_TRUE(a.RemoveFromCollection(kActions, "action/2").ok());
  ASSERT_TRUE(a.AddToCollection(kActions, "action/2", "re-added").ok());  // seen-remove then add: a new add
  SyncBoth(a, b);
  // Replaying old adds (duplicates) must not bring action/1 back.
  b.Apply(old_ops);
  a.Apply(old_ops);
  for (Replica* r : {&a, &b}) {
    auto c = r->ReadCollection(kActions);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].key, "action/2");
    EXPECT_EQ(c[0].value, "re-added");
  }
  // Concurrent remove (b) and re-add (a) of the same key: the add survives.
  ASSERT_TRUE(b.RemoveFromCollection(kActions, "action/2").ok());
  ASSERT_TRUE(a.AddToCollection(kActions, "action/2", "again").ok());
  SyncBoth(a, b);
  EXPECT_EQ(a.ReadCollection(kActions).size(), 1u);
  EXPECT_EQ(b.ReadCollection(kActions).size(), 1u);
  EXPECT_EQ(b.RemoveFromCollection(kActions, "nope").ok(), false);
}

TEST(Text, LocalEditing) {
  Fixture f;
  Replica a = f.Make(1);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "helo").ok());
  ASSERT_TRUE(a.InsertText(kNotes, 3, "l").ok());
  ASSERT_TRUE(a.InsertText(kNotes, 5, " wörld").ok());
  EXPECT_EQ(a.ReadText(kNotes), "hello wörld");
  EXPECT_EQ(a.TextLength(kNotes), 11u);
  ASSERT_TRUE(a.DeleteText(kNotes, 0, 6).ok());
  EXPECT_EQ(a.ReadText(kNotes), "wörld");
  EXPECT_FALSE(a.InsertText(kNotes, 6, "x").ok());
  EXPECT_FALSE(a.DeleteText(kNotes, 3, 3).ok());
  EXPECT_FALSE(a.InsertText(kNotes, 0, "\xff").ok());
  Replica b = f.Make(2);
  b.Apply(All(a));
  EXPECT_EQ(b.ReadText(kNotes), "wörld");
}

// Issue 18: a text's handle edits exactly as its target does (same operations, same ids), outlives a move
// of its replica, and is refused by any other replica, and when default-made, without a change.
TEST(Text, Issue18HandleEditsAsTheTargetDoesAndOnlyOnItsReplica) {
  Fixture f;
  Replica by_target = f.Make(1), by_handle = f.Make(1);
  const TextRef handle = by_handle.Text(kNotes);
  const std::vector<std::tuple<std::uint64_t, std::uint64_t, std::string>> edits = {
      {0, 0, "helo"}, {3, 0, "l"}, {5, 0, " wörld"}, {0, 2, ""}, {2, 1, "ä"}, {8, 1, "!"}};
  for (const auto& [pos, del, ins] : edits) {
    if (del > 0) {
      ASSERT_TRUE(by_target.DeleteText(kNotes, pos, del).ok());
      ASSERT_TRUE(by_handle.DeleteText(handle, pos, del).ok());
    }
    if (!ins.empty()) {
      ASSERT_TRUE(by_target.InsertText(kNotes, pos, ins).ok());
      ASSERT_TRUE(by_handle.InsertText(handle, pos, ins).ok());
    }
  }
  EXPECT_EQ(by_handle.ReadText(kNotes), "llä wörl!");
  EXPECT_EQ(EncodeOperations(All(by_handle)), EncodeOperations(All(by_target)));
  // The same errors as by target.
  EXPECT_EQ(by_handle.InsertText(handle, 99, "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(by_handle.DeleteText(handle, 8, 2).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(by_handle.InsertText(handle, 0, "\xff").error().code, ErrorCode::kInvalidArgument);

  Replica moved = std::move(by_handle);
  ASSERT_TRUE(moved.InsertText(handle, 0, ">").ok());
  EXPECT_EQ(moved.ReadText(kNotes), ">llä wörl!");

  Replica other = f.Make(2);
  ASSERT_TRUE(other.InsertText(kNotes, 0, "mine").ok());
  const auto before = All(other);
  auto foreign = other.InsertText(handle, 0, "x");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(other.DeleteText(handle, 0, 1).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(other.InsertText(TextRef{}, 0, "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(other.DeleteText(TextRef{}, 0, 1).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(other.ReadText(kNotes), "mine");
  EXPECT_EQ(EncodeOperations(All(other)), EncodeOperations(before));
  EXPECT_EQ(moved.ReadText(kNotes), ">llä wörl!");
}

// Issue 18 (per-keystroke apply): edits through a text's handle take two fast paths of their own (one
// ASCII character extending the run being typed; one code point deleted beside the last one deleted), which
// edits by target never take. Random typing, backspacing, deleting forwards, jumps, longer inserts and
// deletes, UTF-8, fences (FenceLocalHistory) and another writer's operations arriving in between: the two
// replicas hold the same text at every step and end with the same operations, byte for byte.
TEST(Text, Issue18FastKeystrokePathsGiveTheSameOperationsAsTheGeneralPath) {
  for (std::uint64_t seed : {testing::FreshSeed("Text.Issue18FastKeystrokePaths"), testing::FreshSeed("Text.Issue18FastKeystrokePaths")}) {
    std::mt19937_64 rng(seed);
    Fixture f;
    Replica by_target = f.Make(1), by_handle = f.Make(1), other = f.Make(2, "other");
    const TextRef handle = by_handle.Text(kNotes);
    std::uint64_t cursor = 0;
    VersionVector other_sent;
    for (int step = 0; step < 4000; ++step) {
      const std::uint64_t len = by_target.TextLength(kNotes);
      cursor = std::min(cursor, len);
      const int what = static_cast<int>(rng() % 100);
      auto both_insert = [&](std::uint64_t pos, const std::string& text) {
        ASSERT_TRUE(by_target.InsertText(kNotes, pos, text).ok());
        ASSERT_TRUE(by_handle.InsertText(handle, pos, text).ok());
      };
      auto both_delete = [&](std::uint64_t pos, std::uint64_t n) {
        ASSERT_TRUE(by_target.DeleteText(kNotes, pos, n).ok());
        ASSERT_TRUE(by_handle.DeleteText(handle, pos, n).ok());
      };
      if (what < 45) {  // typing
        const std::string c = rng() % 20 == 0 ? "ä" : std::string(1, static_cast<char>('a' + rng() % 26));
        ASSERT_NO_FATAL_FAILURE(both_insert(cursor, c));
        cursor += 1;
      } else if (what < 65) {  // backspace
        if (cursor > 0) {
          ASSERT_NO_FATAL_FAILURE(both_delete(--cursor, 1));
        }
      } else if (what < 75) {  // delete forwards
        if (cursor < len) {
          ASSERT_NO_FATAL_FAILURE(both_delete(cursor, 1));
        }
      } else if (what < 83) {  // the caret moves
        cursor = rng() % (len + 1);
      } else if (what < 87) {  // a paste, a selection deleted
        if (rng() % 2 == 0) {
          ASSERT_NO_FATAL_FAILURE(both_insert(cursor, "pasted " + std::to_string(step)));
        } else if (cursor < len) {
          ASSERT_NO_FATAL_FAILURE(both_delete(cursor, 1 + rng() % std::min<std::uint64_t>(5, len - cursor)));
        }
      } else if (what < 90) {  // what was typed so far is stored as operations
        by_target.FenceLocalHistory();
        by_handle.FenceLocalHistory();
      } else if (what < 95) {  // the other writer types somewhere
        const std::uint64_t olen = other.TextLength(kNotes);
        const std::uint64_t at = rng() % (olen + 1);
        if (rng() % 3 == 0 && at < olen) {
          ASSERT_TRUE(other.DeleteText(kNotes, at, 1).ok());
        } else {
          ASSERT_TRUE(other.InsertText(kNotes, at, "o").ok());
        }
      } else {  // and what it wrote arrives, at both
        const auto ops = *other.ChangesSince(other_sent);
        other_sent = other.version();
        ASSERT_EQ(by_target.Apply(ops).rejected.size(), 0u);
        ASSERT_EQ(by_handle.Apply(ops).rejected.size(), 0u);
        const auto mine = *by_target.ChangesSince(other.version());
        ASSERT_EQ(other.Apply(mine).rejected.size(), 0u);
      }
      ASSERT_EQ(by_handle.ReadText(kNotes), by_target.ReadText(kNotes)) << "seed " << seed << " step " << step;
    }
    EXPECT_GT(by_handle.TextLength(kNotes), 100u) << "seed " << seed;
    EXPECT_EQ(EncodeOperations(All(by_handle)), EncodeOperations(All(by_target))) << "seed " << seed;
    EXPECT_EQ(by_handle.SaveSnapshot(), by_target.SaveSnapshot()) << "seed " << seed;
  }
}

// Issue 18 (per-keystroke apply): holding backspace or delete takes a third path after two deletes in one
// direction (TextSeq's deleting streak), which trusts what the previous delete left. Long streaks both
// ways, through the start and end of runs, across UTF-8, with a fence, an edit of another text of the same
// replica (its counter moves on) and another writer's operations arriving between two deletes: the same
// text at every step and the same operations and snapshot, byte for byte, as the general path.
TEST(Text, Issue18DeletingOnInOneDirectionGivesWhatTheGeneralPathGives) {
  Fixture f;
  Replica by_target = f.Make(1), by_handle = f.Make(1), other = f.Make(2, "other");
  const TextRef handle = by_handle.Text(kNotes);
  auto same = [&](const std::string& where) {
    ASSERT_EQ(by_handle.ReadText(kNotes), by_target.ReadText(kNotes)) << where;
  };
  auto type = [&](std::uint64_t pos, const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      ASSERT_TRUE(by_target.InsertText(kNotes, pos + i, text.substr(i, 1)).ok());
      ASSERT_TRUE(by_handle.InsertText(handle, pos + i, text.substr(i, 1)).ok());
    }
  };
  auto del = [&](std::uint64_t pos) {
    ASSERT_TRUE(by_target.DeleteText(kNotes, pos, 1).ok());
    ASSERT_TRUE(by_handle.DeleteText(handle, pos, 1).ok());
  };
  ASSERT_NO_FATAL_FAILURE(type(0, "one two three four five six seven eight nine ten"));
  ASSERT_TRUE(by_target.InsertText(kNotes, 7, "\xc3\xa4\xc3\xb6").ok());  // two UTF-8 code points mid-run
  ASSERT_TRUE(by_handle.InsertText(handle, 7, "\xc3\xa4\xc3\xb6").ok());
  ASSERT_NO_FATAL_FAILURE(type(20, "ELEVEN"));  // a run inside a run
  // Backspace from the middle of "ELEVEN" through the runs before it, past the UTF-8 and the text's start.
  for (std::uint64_t pos = 23; pos-- > 0;) {
    ASSERT_NO_FATAL_FAILURE(del(pos));
    ASSERT_NO_FATAL_FAILURE(same("backspace at " + std::to_string(pos)));
    if (pos == 15) {  // the other text of this replica: the next delete's counter is not the record's next
      ASSERT_TRUE(by_target.InsertText(kTitle, 0, "t").ok());
      ASSERT_TRUE(by_handle.InsertText(kTitle, 0, "t").ok());
    }
    if (pos == 12) {  // stored as operations: the record may not grow past the fence
      by_target.FenceLocalHistory();
      by_handle.FenceLocalHistory();
    }
  }
  // Delete forwards from the start through several runs, with another writer's insert arriving midway.
  ASSERT_NO_FATAL_FAILURE(type(5, "abcdefghij"));
  for (int i = 0; i < 24; ++i) {
    ASSERT_NO_FATAL_FAILURE(del(3));
    ASSERT_NO_FATAL_FAILURE(same("delete " + std::to_string(i)));
    if (i == 20) {
      ASSERT_TRUE(other.InsertText(kNotes, 0, "o").ok());
      const auto ops = *other.ChangesSince({});
      ASSERT_EQ(by_target.Apply(ops).rejected.size(), 0u);
      ASSERT_EQ(by_handle.Apply(ops).rejected.size(), 0u);
    }
  }
  // Backspace after forwards, and forwards after backspace, at the same place.
  const std::uint64_t len = by_target.TextLength(kNotes);
  ASSERT_GT(len, 12u);
  for (int i = 0; i < 4; ++i) ASSERT_NO_FATAL_FAILURE(del(len / 2 - i));
  for (int i = 0; i < 4; ++i) ASSERT_NO_FATAL_FAILURE(del(len / 2 - 4));
  ASSERT_NO_FATAL_FAILURE(same("both ways"));
  EXPECT_EQ(EncodeOperations(All(by_handle)), EncodeOperations(All(by_target)));
  EXPECT_EQ(by_handle.SaveSnapshot(), by_target.SaveSnapshot());
}

// Issue 18 (per-keystroke apply): a keystroke that extends the run being typed, and a delete that extends
// the last delete record, read no clock (the run and the record keep their first one's). Every operation
// still gets a clock above all earlier ones, and the history is what it was.
TEST(Text, Issue18TypingReadsTheClockOncePerRunAndDeleteRecord) {
  int reads = 0;
  std::uint64_t now = 1'700'000'000'000ull;
  Replica a({"case-1", 1, "user", [&] { ++reads; return now; }});
  ASSERT_TRUE(a.InsertText(kNotes, 0, "a").ok());
  const int after_first = reads;
  for (char c : std::string("bcdefghij")) ASSERT_TRUE(a.InsertText(kNotes, a.TextLength(kNotes), std::string(1, c)).ok());
  EXPECT_EQ(reads, after_first) << "typing on read the clock";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a.DeleteText(kNotes, a.TextLength(kNotes) - 1, 1).ok());  // backspaces
  EXPECT_EQ(reads, after_first + 1) << "three backspaces in a row are one delete record: one clock";
  ASSERT_TRUE(a.SetRegister(kTitle, "x", false).ok());
  const auto ops = All(a);
  std::string typed;
  std::uint64_t dropped = 0;
  HlcTimestamp typed_clock, delete_clock, register_clock;
  for (const auto& op : ops) {
    if (op.kind == OpKind::kTextInsert) {
      typed += op.text;
      dropped += op.tombstone_len;
      if (typed_clock.value == 0) typed_clock = op.clock;
    }
    if (op.kind == OpKind::kTextDelete) delete_clock = op.clock;
    if (op.kind == OpKind::kRegisterSet) register_clock = op.clock;
  }
  EXPECT_EQ(typed, "abcdefg");  // and the deleted end as a tombstone of 3, its text dropped
  EXPECT_EQ(dropped, 3u);
  EXPECT_LT(typed_clock, delete_clock);
  EXPECT_LT(delete_clock, register_clock);
  Replica b({"case-1", 2, "user", [&] { return now; }});
  b.Apply(ops);
  EXPECT_EQ(b.ReadText(kNotes), "abcdefg");
}

TEST(Text, ConcurrentTypingAtOnePlaceDoesNotInterleave) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "[]").ok());
  SyncBoth(a, b);
  // Forward typing, one keystroke at a time.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a.InsertText(kNotes, 1 + i, std::string(1, static_cast<char>('a' + i))).ok());
    ASSERT_TRUE(b.InsertText(kNotes, 1 + i, std::string(1, static_cast<char>('v' + i))).ok());
  }
  SyncBoth(a, b);
  EXPECT_EQ(a.ReadText(kNotes), b.ReadText(kNotes));
  EXPECT_TRUE(a.ReadText(kNotes) == "[abcdevwxyz]" || a.ReadText(kNotes) == "[vwxyzabcde]") << a.ReadText(kNotes);
  // Backward typing (each keystroke before the previous one) must not interleave either (Fugue).
  Replica c = f.Make(3), d = f.Make(4);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.InsertText(kNotes, 0, std::string(1, static_cast<char>('e' - i))).ok());
    ASSERT_TRUE(d.InsertText(kNotes, 0, std::string(1, static_cast<char>('5' - i))).ok());
  }
  SyncBoth(c, d);
  EXPECT_EQ(c.ReadText(kNotes), d.ReadText(kNotes));
  EXPECT_TRUE(c.ReadText(kNotes) == "abcde12345" || c.ReadText(kNotes) == "12345abcde") << c.ReadText(kNotes);
}

TEST(Text, EditedSinceReportsConcurrentRanges) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "The meeting.").ok());
  SyncBoth(a, b);
  const VersionVector base = a.version();
  ASSERT_TRUE(a.InsertText(kNotes, 11, " on Monday").ok());
  ASSERT_TRUE(b.InsertText(kNotes, 0, "Note: ").ok());
  SyncBoth(a, b);
  EXPECT_EQ(a.ReadText(kNotes), "Note: The meeting on Monday.");
  auto ranges = a.EditedSince(kNotes, base);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].begin, 0u);
  EXPECT_EQ(ranges[0].end, 6u);
  EXPECT_EQ(ranges[0].replica, 2u);
  EXPECT_EQ(ranges[1].begin, 17u);
  EXPECT_EQ(ranges[1].end, 27u);
  EXPECT_EQ(ranges[1].replica, 1u);
}

// Apply queues a waiting operation by pointer into the caller's batch and copies it when the batch is done
// with it: one left waiting must survive its batch (here freed and overwritten before the next Apply).
TEST(Apply, AnOperationLeftWaitingOutlivesTheBatchItCameIn) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "first ").ok());
  const std::vector<Operation> early = All(a);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "then ").ok());
  std::vector<Operation> late = All(a);
  late.erase(late.begin(), late.begin() + static_cast<std::ptrdiff_t>(early.size()));  // only what waits
  ASSERT_FALSE(late.empty());
  {
    auto batch = std::make_unique<std::vector<Operation>>(late);
    auto res = b.Apply(*batch);
    EXPECT_EQ(res.applied, 0u);
    EXPECT_EQ(res.pending, late.size());
    for (Operation& op : *batch) op = Operation{};  // what the queue pointed at is gone
  }
  auto res = b.Apply(early);
  EXPECT_TRUE(res.rejected.empty());
  EXPECT_EQ(res.pending, 0u);
  EXPECT_EQ(b.ReadText(kNotes), a.ReadText(kNotes));
}

TEST(Apply, OutOfOrderAndDuplicatesConverge) {
  Fixture f;
  Replica a = f.Make(1);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "abc").ok());
  ASSERT_TRUE(a.SetRegister(kTitle, "t", false).ok());
  ASSERT_TRUE(a.InsertText(kNotes, 1, "X").ok());
  ASSERT_TRUE(a.DeleteText(kNotes, 0, 2).ok());
  auto ops = All(a);
  std::reverse(ops.begin(), ops.end());
  Replica b = f.Make(2);
  for (const auto& op : ops) {
    auto r = b.Apply(std::span(&op, 1));
    EXPECT_TRUE(r.rejected.empty());
  }
  b.Apply(ops);
  EXPECT_EQ(b.ReadText(kNotes), a.ReadText(kNotes));
  EXPECT_EQ(b.version(), a.version());
  EXPECT_EQ(b.pending_count(), 0u);
}

// Issue 11, item 7: edits made with a clock three days fast were refused by every other device
// ("timestamp is implausibly far in the future"), silently and for ever, and so were that device's later
// edits. Now they apply, and the receiver's clock moves at most kMaxDriftMillis ahead of its own.
TEST(Apply, Issue11FastClockOperationsAreKeptAndTheirEffectOnTheClockIsBounded) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  const std::uint64_t three_days = 3ull * 24 * 3600 * 1000;
  f.now += three_days;  // a's laptop is three days ahead
  ASSERT_TRUE(a.SetRegister(kTitle, "from the future", false).ok());
  ASSERT_TRUE(a.InsertText(kNotes, 0, "typed fast\n").ok());
  f.now -= three_days;  // its clock is put right; it edits again
  ASSERT_TRUE(a.InsertText(kNotes, 0, "typed later\n").ok());
  auto r = b.Apply(All(a));
  EXPECT_TRUE(r.rejected.empty()) << r.rejected.front().error.message;
  EXPECT_EQ(b.ReadRegister(kTitle).winner()->value, "from the future");
  EXPECT_EQ(b.ReadText(kNotes), a.ReadText(kNotes));
  // b's next edit supersedes what it has seen, and its clock is at most a day ahead of its physical clock.
  ASSERT_TRUE(b.SetRegister(kTitle, "seen and replaced", false).ok());
  const auto v = b.ReadRegister(kTitle);
  ASSERT_EQ(v.values.size(), 1u);
  EXPECT_EQ(v.values[0].value, "seen and replaced");
  EXPECT_LE(v.values[0].clock.millis(), f.now + Replica::kMaxDriftMillis + 1);
  // And a and b agree.
  a.Apply(All(b));
  EXPECT_EQ(a.ReadRegister(kTitle).winner()->value, "seen and replaced");
}

TEST(Apply, OtherCaseAndMalformedRejected) {
  Fixture f;
  Replica a = f.Make(1);
  Operation op;
  op.id = {7, 1};
  op.case_id = "case-2";
  op.kind = OpKind::kRegisterSet;
  auto r = a.Apply(std::span(&op, 1));
  ASSERT_EQ(r.rejected.size(), 1u);
  op.case_id = "case-1";
  op.kind = OpKind::kTextDelete;  // without ranges
  r = a.Apply(std::span(&op, 1));
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].error.code, ErrorCode::kInvalidArgument);
}

TEST(Snapshot, RoundTripKeepsStateAndContinues) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "hello world").ok());
  ASSERT_TRUE(b.SetRegister(kOwner, "x", true).ok());
  ASSERT_TRUE(a.SetRegister(kOwner, "y", true).ok());
  ASSERT_TRUE(a.AddToCollection(kActions, "k", "v").ok());
  SyncBoth(a, b);
  ASSERT_TRUE(b.DeleteText(kNotes, 0, 6).ok());
  SyncBoth(a, b);
  Bytes snap = a.SaveSnapshot();
  auto loaded = Replica::LoadSnapshot(snap, {"case-1", 1, "user", [&] { return f.now; }});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->ReadText(kNotes), "world");
  EXPECT_EQ(loaded->version(), a.version());
  EXPECT_TRUE(loaded->ReadRegister(kOwner).conflict);
  EXPECT_EQ(loaded->ReadCollection(kActions).size(), 1u);
  EXPECT_EQ(loaded->SaveSnapshot(), snap);
  // Keeps editing with fresh counters, and merges with b.
  ASSERT_TRUE(loaded->InsertText(kNotes, 5, "!").ok());
  ASSERT_TRUE(b.InsertText(kNotes, 0, "> ").ok());
  SyncBoth(*loaded, b);
  EXPECT_EQ(b.ReadText(kNotes), "> world!");
  EXPECT_EQ(loaded->ReadText(kNotes), "> world!");
  auto bad = Replica::LoadSnapshot(Bytes(snap.begin(), snap.end() - 3), {"case-1", 1, "u", {}});
  EXPECT_FALSE(bad.ok());
  auto other = Replica::LoadSnapshot(snap, {"case-9", 1, "u", {}});
  EXPECT_FALSE(other.ok());
}

TEST(Compaction, CutRejectsConcurrentOldOperationsAndHandsThemBack) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2), straggler = f.Make(3);
  ASSERT_TRUE(a.InsertText(kNotes, 0, "draft text").ok());
  SyncBoth(a, b);
  straggler.Apply(All(a));
  f.now += 10;
  ASSERT_TRUE(straggler.InsertText(kNotes, 0, "offline: ").ok());  // concurrent with the cut below
  f.now += 10;
  ASSERT_TRUE(b.SetRegister(kTitle, "old", false).ok());
  ASSERT_TRUE(b.SetRegister(kTitle, "new", false).ok());
  ASSERT_TRUE(b.DeleteText(kNotes, 0, 6).ok());
  SyncBoth(a, b);
  const VersionVector cut = VersionVector::Min(a.version(), b.version());
  ASSERT_TRUE(a.Compact(cut).ok());
  ASSERT_TRUE(b.Compact(cut).ok());
  EXPECT_EQ(a.ReadText(kNotes), "text");
  EXPECT_EQ(a.ReadRegister(kTitle).winner()->value, "new");
  // A peer behind the cut must get a snapshot.
  EXPECT_EQ(a.ChangesSince({}).ok(), false);
  auto from_straggler = straggler.ChangesSince(a.version());
  ASSERT_TRUE(from_straggler.ok());
  auto r = a.Apply(*from_straggler);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].error.code, ErrorCode::kConflict);
  EXPECT_EQ(r.rejected[0].op.text, "offline: ");
  EXPECT_EQ(a.ReadText(kNotes), "text");
  // Operations made after the cut by members that passed it still merge.
  f.now += 10;
  ASSERT_TRUE(b.InsertText(kNotes, 4, "!").ok());
  SyncBoth(a, b);
  EXPECT_EQ(a.ReadText(kNotes), "text!");
  // The snapshot of a compacted replica loads and continues.
  auto loaded = Replica::LoadSnapshot(a.SaveSnapshot(), {"case-1", 9, "u", [&] { return f.now; }});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->ReadText(kNotes), "text!");
  // A cut this replica has not reached is refused.
  auto not_reached = a.Compact(straggler.version());
  ASSERT_FALSE(not_reached.ok());
  EXPECT_EQ(not_reached.error().code, ErrorCode::kInvalidArgument);
}

TEST(ReplicaSet, DroppedCaseStaysDropped) {
  ReplicaSet set;
  auto r = set.Open({"case-1", 1, "u", {}});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->SetRegister(kTitle, "x", false).ok());
  auto ops = *(*r)->ChangesSince({});
  set.DropCase("case-1");
  EXPECT_EQ(set.Find("case-1"), nullptr);
  EXPECT_FALSE(set.Open({"case-1", 1, "u", {}}).ok());
  auto res = set.Apply(ops);
  ASSERT_EQ(res.rejected.size(), 1u);
  EXPECT_EQ(res.rejected[0].error.code, ErrorCode::kNotFound);
}

// What ChangesSince(theirs) must give, from the whole history: each operation trimmed to the counters the
// peer lacks (a run it has in part from its first new code point on), by clock.
std::vector<Operation> TrimmedTo(std::vector<Operation> all, const VersionVector& theirs) {
  std::vector<Operation> out;
  for (Operation& op : all) {
    const std::uint64_t have = theirs.Get(op.id.replica);
    if (have >= op.id.counter + op.Span() - 1) continue;
    if (op.kind == OpKind::kTextInsert && have >= op.id.counter) {
      const std::uint64_t known = have - op.id.counter + 1;
      op.id.counter = have + 1;
      op.origin_left = {op.id.replica, have};
      if (op.tombstone_len > 0) {
        op.tombstone_len -= known;
      } else {
        std::string rest;
        const auto cps = testing::CodePoints(op.text);
        for (std::size_t i = known; i < cps.size(); ++i) rest += cps[i];
        op.text = rest;
      }
    }
    out.push_back(std::move(op));
  }
  std::stable_sort(out.begin(), out.end(), [](const Operation& a, const Operation& b) {
    return std::tie(a.clock, a.id.replica, a.id.counter) < std::tie(b.clock, b.id.replica, b.id.counter);
  });
  return out;
}

// ChangesSince serves a peer that lacks a little through the id index and one that lacks much by a walk
// over every run; LocalChangesSince always uses the index. Either way: the whole history trimmed to what
// the peer lacks.
TEST(Sync, ChangesSinceIsTheWholeHistoryTrimmedToWhatThePeerLacks) {
  for (int round = 0; round < 3; ++round) {
    const std::uint64_t seed = testing::FreshSeed("Sync.ChangesSinceIsTheWholeHistoryTrimmed");
    std::mt19937_64 rng(seed);
    Fixture f;
    std::vector<Replica> reps;
    for (ReplicaId id : {1, 2, 3}) reps.push_back(f.Make(id, "user" + std::to_string(id)));
    std::vector<VersionVector> seen;  // versions of replica 0 along the way: what a peer may have
    for (int step = 0; step < 1500; ++step) {
      Replica& r = reps[rng() % reps.size()];
      const Target& target = rng() % 4 == 0 ? kTitle : kNotes;
      const std::uint64_t len = r.TextLength(target);
      const int what = static_cast<int>(rng() % 20);
      f.now += rng() % 3;
      if (what < 11) {
        static const char* kPieces[] = {"a", "bc", "é", "🙂", " "};
        std::uint64_t pos = rng() % (len + 1);
        for (int k = 1 + static_cast<int>(rng() % 5); k > 0; --k) {
          const std::string s = kPieces[rng() % 5];
          ASSERT_TRUE(r.InsertText(target, pos, s).ok());
          pos += testing::CodePoints(s).size();
        }
      } else if (what < 16 && len > 0) {
        const std::uint64_t pos = rng() % len;
        for (int k = 1 + static_cast<int>(rng() % 4); k > 0 && pos < r.TextLength(target); --k)
          ASSERT_TRUE(r.DeleteText(target, pos - (rng() % 2 == 0 && pos > 0 ? 1 : 0), 1).ok());
      } else if (what < 17) {
        ASSERT_TRUE(r.SetRegister(kOwner, "owner " + std::to_string(step), false).ok());
      } else {
        Replica& other = reps[rng() % reps.size()];
        if (&other != &r) {
          ASSERT_NO_FATAL_FAILURE(SyncBoth(r, other));
        }
      }
      if (step % 50 == 0) seen.push_back(reps[0].version());
    }
    ASSERT_NO_FATAL_FAILURE(SyncBoth(reps[1], reps[2]));
    ASSERT_NO_FATAL_FAILURE(SyncBoth(reps[0], reps[1]));
    const Replica& a = reps[0];
    const std::vector<Operation> all = All(a);
    // Peers at versions replica 0 passed, a counter or a few short of it, and random mixtures.
    std::vector<VersionVector> peers = seen;
    for (int k = 0; k < 40; ++k) {
      VersionVector v;
      for (const auto& [id, counter] : a.version().entries()) {
        const std::uint64_t lag = k % 2 == 0 ? rng() % 4 : rng() % (counter + 1);
        v.Set(id, counter > lag ? counter - lag : 0);
      }
      peers.push_back(v);
    }
    for (const VersionVector& v : peers) {
      auto got = a.ChangesSince(v);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, TrimmedTo(all, v)) << "seed " << seed;
    }
    // LocalChangesSince: replica 0's own operations after a counter.
    const std::uint64_t mine = a.version().Get(1);
    for (std::uint64_t after : {std::uint64_t{0}, mine / 2, mine - 1, mine - 3}) {
      VersionVector v = a.version();
      v.Set(1, after);
      auto got = a.LocalChangesSince(after);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, TrimmedTo(all, v)) << "seed " << seed << " after " << after;
    }
  }
}

// Seeds 9521272986836416076 and 5009901919116379751 of the test above: without FenceLocalHistory a
// replica's consecutive deletes keep coalescing into the record it has already sent, so a peer holds two
// delete operations with one id and one clock (the part it received first, and the whole record, which it
// keeps as a record with a moved-back id). ChangesSince sorts by (clock, replica, counter), a tie for these
// two: the index path listed them in reverse record order, the walk in record order, and a receiver keeps
// different records depending on which comes first. Both paths now list ties in record order.
TEST(Sync, ChangesSinceListsTwoDeletesWithOneIdInTheSameOrderThroughTheIndexAndTheWalk) {
  Fixture f;
  Replica a = f.Make(1), b = f.Make(2);
  // Many runs (every other keystroke elsewhere), so that a peer lacking a few counters is served by index.
  for (int k = 0; k < 200; ++k) ASSERT_TRUE(a.InsertText(kNotes, k % 2 == 0 ? 0 : a.TextLength(kNotes), "x").ok());
  ASSERT_TRUE(a.DeleteText(kNotes, 50, 1).ok());
  ASSERT_TRUE(a.DeleteText(kNotes, 50, 1).ok());
  SyncBoth(a, b);
  ASSERT_TRUE(a.DeleteText(kNotes, 50, 1).ok());  // extends the record b has in part
  ASSERT_TRUE(a.DeleteText(kNotes, 50, 1).ok());
  SyncBoth(a, b);
  ASSERT_EQ(b.ReadText(kNotes), a.ReadText(kNotes));
  const std::vector<Operation> all = All(b);
  VersionVector peer = b.version();
  peer.Set(1, a.version().Get(1) - 4);  // lacks the four deleting counters
  auto got = b.ChangesSince(peer);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].id, (*got)[1].id);
  EXPECT_EQ(*got, TrimmedTo(all, peer));
  auto local = a.LocalChangesSince(a.version().Get(1) - 4);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, TrimmedTo(All(a), peer));
}

}  // namespace
}  // namespace casepack

namespace casepack {
// Snapshot format (docs/sync.md): the vectors in tests/vectors/snapshot/. A version 1 snapshot (written
// before issue 18) must still load, to the same state as version 2; version 2 is what SaveSnapshot writes
// for tests/sync/snapshot_scenario.h. CASEPACK_WRITE_VECTORS=1 rewrites v2_two_authors and the fuzz seed.
namespace snapshot_vectors {
namespace fs = std::filesystem;
struct SnapshotVector {
  std::string expect, text;
  Bytes bytes;
};
SnapshotVector ReadVector(const fs::path& p) {
  std::ifstream in(p);
  SnapshotVector v;
  std::string line, hex;
  while (std::getline(in, line) && !line.empty()) {
    if (line.rfind("expect: ", 0) == 0) v.expect = line.substr(8);
    if (line.rfind("text: ", 0) == 0) v.text = line.substr(6);
  }
  std::getline(in, hex);
  auto b = HexDecode(hex);
  if (b.ok()) v.bytes = *b;
  return v;
}
const fs::path kDir = fs::path(CASEPACK_VECTORS_DIR) / "snapshot";
const ReplicaOptions kOpts{"case-42", 0x3333333333333333ull, "loader", {}};
}  // namespace snapshot_vectors

TEST(SnapshotFormat, Version2VectorIsWhatSaveWrites) {
  using namespace snapshot_vectors;
  const Bytes snap = testing::SnapshotScenario().SaveSnapshot();
  EXPECT_EQ(snap[4], 2);
  if (std::getenv("CASEPACK_WRITE_VECTORS")) {
    std::ofstream(kDir / "v2_two_authors")
        << "expect: success\ncomment: version 2: tests/sync/snapshot_scenario.h (CASEPACK_WRITE_VECTORS=1 rewrites it)\n"
        << "text: " << testing::SnapshotScenario().ReadText(testing::kScenarioText) << "\n\n"
        << HexEncode(snap) << "\n";
    std::ofstream(fs::path(CASEPACK_SOURCE_DIR) / "tests/fuzz/snapshot/corpus/v2_two_authors", std::ios::binary)
        .write(reinterpret_cast<const char*>(snap.data()), static_cast<std::streamsize>(snap.size()));
  }
  EXPECT_EQ(HexEncode(snap), HexEncode(ReadVector(kDir / "v2_two_authors").bytes));
}

TEST(SnapshotFormat, VectorsLoadAndVersion1SnapshotsStillLoad) {
  using namespace snapshot_vectors;
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    SCOPED_TRACE(entry.path().filename().string());
    const SnapshotVector v = ReadVector(entry.path());
    ASSERT_FALSE(v.bytes.empty());
    auto loaded = Replica::LoadSnapshot(v.bytes, kOpts);
    ++checked;
    if (v.expect != "success") {
      ASSERT_FALSE(loaded.ok());
      EXPECT_EQ(v.expect, v.expect == "kUnsupported" ? "kUnsupported" : "kCorrupt");
      EXPECT_EQ(loaded.error().code, v.expect == "kUnsupported" ? ErrorCode::kUnsupported : ErrorCode::kCorrupt);
      continue;
    }
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->ReadText(testing::kScenarioText), v.text);
    EXPECT_EQ(loaded->ReadRegister({"note/1", "title"}).values.size(), 1u);
    // Whatever version it was, it saves as version 2, the same bytes as the version 2 vector loaded alike
    // (the loader's own replica joins the replica table, so not the vector's bytes themselves).
    auto v2 = Replica::LoadSnapshot(ReadVector(kDir / "v2_two_authors").bytes, kOpts);
    ASSERT_TRUE(v2.ok());
    EXPECT_EQ(loaded->SaveSnapshot()[4], 2);
    EXPECT_EQ(HexEncode(loaded->SaveSnapshot()), HexEncode(v2->SaveSnapshot()));
    // The state is whole: it keeps merging with its authors.
    Replica b({"case-42", 0x2222222222222222ull, "reviewer-b", {}});
    b.Apply(*loaded->ChangesSince({}));
    EXPECT_EQ(b.ReadText(testing::kScenarioText), v.text);
  }
  EXPECT_EQ(checked, 5);
}

// OperationPart cuts a run, a tombstone run and a delete anywhere; the parts, applied one after the other
// to a replica that has the rest, give the same text as the whole operations.
TEST(OperationPart, PartsIntegrateAsTheWhole) {
  Replica a({"case", 0x11, "a", {}});
  const Target t{"doc", "text"};
  ASSERT_TRUE(a.InsertText(t, 0, "Dŵr ôl glaw: 😀 yes").ok());
  ASSERT_TRUE(a.InsertText(t, 4, "XYZ").ok());
  ASSERT_TRUE(a.DeleteText(t, 2, 6).ok());
  auto ops = a.ChangesSince({});
  ASSERT_TRUE(ops.ok());
  for (std::uint64_t cut = 1; cut < 24; ++cut) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    std::vector<Operation> parts;
    for (const Operation& op : *ops) {
      const std::uint64_t first = op.id.counter, end = first + op.Span();
      // Cut each operation at most twice: at cut and at cut + 3, counted from its start.
      std::uint64_t at = first;
      for (std::uint64_t c : {first + cut, first + cut + 3}) {
        if (c <= at || c >= end) continue;
        parts.push_back(OperationPart(op, at, c));
        at = c;
      }
      parts.push_back(OperationPart(op, at, end));
      std::uint64_t covered = 0;
      for (std::size_t i = parts.size(); i-- > 0 && parts[i].id.counter >= first;) covered += parts[i].Span();
      EXPECT_EQ(covered, op.Span());
    }
    for (const Operation& p : parts) EXPECT_TRUE(Validate(p).ok()) << Validate(p).error().message;
    Replica b({"case", 0x22, "b", {}});
    const ApplyResult r = b.Apply(parts);
    EXPECT_TRUE(r.rejected.empty());
    EXPECT_EQ(b.ReadText(t), a.ReadText(t));
  }
  // The whole range gives the operation itself.
  for (const Operation& op : *ops) EXPECT_EQ(OperationPart(op, op.id.counter, op.id.counter + op.Span()), op);
}

}  // namespace casepack
