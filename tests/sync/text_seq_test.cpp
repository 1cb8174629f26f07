// The text structure against a plain string model, with its invariants (cached lengths, id index)
// checked after every step, on texts long enough to split chunks many times.
#include "../../sync/src/text_seq.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "casepack/replica.h"
#include "support/seed.h"
#include "sync/reference_list.h"

namespace casepack {
namespace {

// Seeds 1-4 ran before seeds were fresh; they stay as regression cases.
std::vector<std::uint64_t> Seeds(const char* what) {
  if (std::getenv("CASEPACK_SEED") != nullptr) return {testing::FreshSeed(what)};
  return {1, 2, 3, 4, testing::FreshSeed(what), testing::FreshSeed(what)};
}

TEST(TextSeq, MatchesAStringModelAndKeepsInvariants) {
  for (std::uint64_t seed : Seeds("TextSeq.MatchesAStringModel")) {
    std::mt19937_64 rng(seed);
    std::vector<ReplicaId> ids{11, 22};
    detail::TextSeq a(&ids), b(&ids);
    std::string model;
    std::uint32_t ctr = 1;
    // Local edits on a; b receives them as runs (remote path) through a replica round trip below.
    for (int step = 0; step < 2000; ++step) {
      const std::uint64_t len = model.size();
      if (len > 0 && rng() % 3 == 0) {
        const std::uint64_t pos = rng() % len;
        const auto n = static_cast<std::uint32_t>(1 + rng() % std::min<std::uint64_t>(len - pos, 5));
        a.LocalDelete(0, ctr, pos, n, 1, 0);
        ctr += n;
        model.erase(pos, n);
      } else {
        std::uint64_t pos = rng() % (len + 1);
        const int keystrokes = 1 + static_cast<int>(rng() % 6);  // typing: consecutive positions
        for (int k = 0; k < keystrokes; ++k) {
          const std::string s(1 + rng() % 3, static_cast<char>('a' + rng() % 26));
          a.LocalInsert(0, ctr, pos, s, static_cast<std::uint32_t>(s.size()), 1, 0);
          ctr += static_cast<std::uint32_t>(s.size());
          model.insert(pos, s);
          pos += s.size();
        }
      }
      if (step % 25 == 0 || step > 1950) {
        const std::string bad = a.CheckInvariants();
        ASSERT_TRUE(bad.empty()) << "seed " << seed << " step " << step << ": " << bad;
      }
    }
    ASSERT_EQ(a.Text(), model) << "seed " << seed;
    EXPECT_GT(a.run_count(), 200u);  // several chunks
    // Integrate every run remotely, in document order reversed (origins may be missing: retry later).
    std::vector<detail::Run> runs;
    a.ForEachRun([&](const detail::Run& r) { runs.push_back(r); });
    std::sort(runs.begin(), runs.end(), [](const auto& x, const auto& y) { return x.ctr < y.ctr; });
    for (const auto& r : runs) {
      ASSERT_TRUE(r.left.none() || b.HasId(r.left)) << "seed " << seed;
      ASSERT_TRUE(r.right.none() || b.HasId(r.right)) << "seed " << seed;
      ASSERT_TRUE(b.RemoteInsert(r.rep, r.ctr, r.len, r.left, r.right, r.deleted ? std::string_view() : a.Content(r), 1, 0).ok());
      if (r.ctr % 16 == 0) {
        const std::string bad = b.CheckInvariants();
        ASSERT_TRUE(bad.empty()) << "seed " << seed << ": " << bad;
      }
    }
    ASSERT_TRUE(b.CheckInvariants().empty());
    EXPECT_EQ(b.Text(), a.Text()) << "seed " << seed;
  }
}

// Random typing (ASCII and multi-byte) and deleting on a text at `rep`, counters from *ctr on.
void RandomEdits(detail::TextSeq& t, std::uint32_t rep, std::uint32_t* ctr, int steps, std::mt19937_64& rng) {
  static const char* kPieces[] = {"a", "b", "é", "🙂", "xy", " "};
  for (int step = 0; step < steps; ++step) {
    const std::uint64_t len = t.length();
    if (len > 0 && rng() % 3 == 0) {
      const std::uint64_t pos = rng() % len;
      const auto n = static_cast<std::uint32_t>(1 + rng() % std::min<std::uint64_t>(len - pos, 4));
      t.LocalDelete(rep, *ctr, pos, n, 1, 0);
      *ctr += n;
    } else {
      std::uint64_t pos = rng() % (len + 1);
      for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k) {
        const std::string s = kPieces[rng() % 6];
        const auto n = static_cast<std::uint32_t>(testing::CodePoints(s).size());
        t.LocalInsert(rep, *ctr, pos, s, n, 1, 0);
        *ctr += n;
        pos += n;
      }
    }
  }
}

// Sends `to` every run and delete of replica index `rep` that it lacks, runs in counter order.
void Deliver(const detail::TextSeq& from, detail::TextSeq& to, std::uint32_t rep, bool deletes) {
  // A run `to` has in part (its author typed on after the last delivery) is sent from its first new code
  // point, whose left origin is the one before it.
  struct Piece {
    std::uint32_t ctr, len;
    detail::TId left, right;
    std::string text;
  };
  std::vector<Piece> pieces;
  from.ForEachRun([&](const detail::Run& r) {
    if (r.rep != rep) return;
    std::uint32_t k = 0;
    while (k < r.len && to.HasId({r.rep, r.ctr + k})) ++k;
    if (k == r.len) return;
    std::string text;
    if (!r.deleted) {
      const auto cps = testing::CodePoints(std::string(from.Content(r)));
      for (std::uint32_t i = k; i < r.len; ++i) text += cps[i];
    }
    pieces.push_back({r.ctr + k, r.len - k, k == 0 ? r.left : detail::TId{r.rep, r.ctr + k - 1}, r.right, text});
  });
  std::sort(pieces.begin(), pieces.end(), [](const auto& x, const auto& y) { return x.ctr < y.ctr; });
  for (const auto& p : pieces)
    ASSERT_TRUE(to.RemoteInsert(rep, p.ctr, p.len, p.left, p.right, p.text, 1, 0).ok());
  if (!deletes) return;
  for (const detail::DelRecord& d : from.deletes()) {
    if (d.rep != rep) continue;
    std::vector<detail::TRange> ranges(from.delete_ranges().begin() + d.first, from.delete_ranges().begin() + d.first + d.count);
    ASSERT_TRUE(to.RemoteDelete(d.rep, d.ctr, d.span, ranges, d.hlc, d.author).ok());
  }
}

// The text `t` should show, computed by the reference list CRDT from its runs' ids and origins alone.
std::string Reference(const detail::TextSeq& t, const std::vector<ReplicaId>& ids, std::string* error) {
  auto op_id = [&](detail::TId id) { return id.none() ? OpId{} : OpId{ids[id.rep], id.ctr}; };
  std::map<OpId, testing::ReferenceList::Item> items;
  std::set<OpId> deleted;
  t.ForEachRun([&](const detail::Run& r) {
    const auto cps = r.deleted ? std::vector<std::string>(r.len) : testing::CodePoints(std::string(t.Content(r)));
    for (std::uint32_t k = 0; k < r.len; ++k) {
      const OpId id{ids[r.rep], r.ctr + k};
      items[id] = {id, k == 0 ? op_id(r.left) : OpId{ids[r.rep], r.ctr + k - 1}, op_id(r.right), cps[k]};
      if (r.deleted) deleted.insert(id);
    }
  });
  return testing::ReplayReference(std::move(items), deleted, error);
}

// Two writers from a common text, editing concurrently (typing at the same places, deleting each other's
// and the shared text), then exchanging everything: both show the same text, the one the reference list
// CRDT gives.
// The lines around a range, as a keystroke reads them (SpliceText), against the same lines cut out of the
// whole text: multi-byte code points, newlines, tombstones and many chunks.
std::string LinesOfModel(const std::u32string& model, std::uint64_t pos, std::uint64_t count, std::uint64_t* begin) {
  std::uint64_t b = pos;
  while (b > 0 && model[b - 1] != U'\n') --b;
  std::uint64_t e = pos + count;
  while (e < model.size() && model[e] != U'\n') ++e;
  if (e < model.size()) ++e;
  *begin = b;
  std::string out;
  for (char32_t c : model.substr(b, e - b)) {
    if (c < 0x80) out += static_cast<char>(c);
    else if (c < 0x800) { out += static_cast<char>(0xC0 | (c >> 6)); out += static_cast<char>(0x80 | (c & 0x3F)); }
    else { out += static_cast<char>(0xE0 | (c >> 12)); out += static_cast<char>(0x80 | ((c >> 6) & 0x3F)); out += static_cast<char>(0x80 | (c & 0x3F)); }
  }
  return out;
}

TEST(TextSeq, LinesAroundARangeAreTheLinesOfTheWholeText) {
  const std::vector<std::pair<char32_t, std::string>> alphabet{
      {U'a', "a"}, {U'b', "b"}, {U' ', " "}, {U'\n', "\n"}, {U'\u0175', "\xC5\xB5"}, {U'\u20AC', "\xE2\x82\xAC"}};
  for (std::uint64_t seed : Seeds("TextSeq.LinesAround")) {
    std::mt19937_64 rng(seed);
    std::vector<ReplicaId> ids{11};
    detail::TextSeq t(&ids);
    std::u32string model;
    std::uint32_t ctr = 1;
    for (int step = 0; step < 3000; ++step) {
      const std::uint64_t len = model.size();
      if (len > 0 && rng() % 3 == 0) {
        const std::uint64_t pos = rng() % len;
        const auto n = static_cast<std::uint32_t>(1 + rng() % std::min<std::uint64_t>(len - pos, 8));
        t.LocalDelete(0, ctr, pos, n, 1, 0);
        ctr += n;
        model.erase(pos, n);
      } else {
        const std::uint64_t pos = rng() % (len + 1);
        const auto& [c, utf8] = alphabet[rng() % (rng() % 4 == 0 ? alphabet.size() : 3)];
        t.LocalInsert(0, ctr, pos, utf8, 1, 1, 0);
        ++ctr;
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(pos), c);
      }
      const std::uint64_t pos = rng() % (model.size() + 1);
      const std::uint64_t count = rng() % (model.size() - pos + 1) % 12;
      std::uint64_t begin = 0;
      const std::string want = LinesOfModel(model, pos, count, &begin);
      const detail::TextSeq::Lines got = t.LinesAround(pos, count);
      ASSERT_EQ(got.text, want) << "seed " << seed << " step " << step << " pos " << pos << " count " << count;
      ASSERT_EQ(got.begin, begin) << "seed " << seed << " step " << step;
    }
    EXPECT_GT(t.run_count(), 200u);  // several chunks
  }
}

TEST(TextSeq, ConcurrentWritersConvergeToTheReferenceOrder) {
  for (std::uint64_t seed : Seeds("TextSeq.ConcurrentWriters")) {
    std::mt19937_64 rng(seed);
    std::vector<ReplicaId> ids{500 + rng() % 100, 500 + rng() % 100 + 100};
    if (rng() % 2) std::swap(ids[0], ids[1]);  // either writer may win ties
    detail::TextSeq a(&ids), b(&ids);
    std::uint32_t ctr_a = 1, ctr_b = 1;
    for (int round = 0; round < 20; ++round) {
      RandomEdits(a, 0, &ctr_a, 1 + static_cast<int>(rng() % 30), rng);
      RandomEdits(b, 1, &ctr_b, 1 + static_cast<int>(rng() % 30), rng);
      // Runs every round (later typing has remote origins); each side's own deletes once, at the end
      // (a delete record keeps growing while its author deletes on).
      ASSERT_NO_FATAL_FAILURE(Deliver(a, b, 0, false));
      ASSERT_NO_FATAL_FAILURE(Deliver(b, a, 1, false));
      for (const detail::TextSeq* t : {&a, &b}) {
        ASSERT_TRUE(t->CheckInvariants().empty()) << "seed " << seed;
        std::string error;
        ASSERT_EQ(t->Text(), Reference(*t, ids, &error)) << "seed " << seed << " round " << round;
        ASSERT_EQ(error, "");
      }
    }
    ASSERT_NO_FATAL_FAILURE(Deliver(a, b, 0, true));
    ASSERT_NO_FATAL_FAILURE(Deliver(b, a, 1, true));
    ASSERT_EQ(a.Text(), b.Text()) << "seed " << seed;
    std::string error;
    EXPECT_EQ(a.Text(), Reference(a, ids, &error)) << "seed " << seed;
    EXPECT_GT(a.length(), 0u);
  }
}

// Everything a text says about one code point: its id, its left and right origins (inside a run, the left
// origin is the code point before), whether it is deleted, its author and its UTF-8 bytes in the arena.
struct CodePointFacts {
  detail::TId id, left, right;
  bool deleted;
  std::uint32_t author;
  std::string_view text;
  bool operator==(const CodePointFacts&) const = default;
};

// Every code point's facts in document order, tombstones included. Run boundaries are not in it: splitting
// a run anywhere, or joining two runs that continue each other (Continues), leaves these as they were.
std::vector<CodePointFacts> CodePointState(const detail::TextSeq& t) {
  std::vector<CodePointFacts> out;
  t.ForEachRun([&](const detail::Run& r) {
    const std::string_view content = t.Content(r);
    std::size_t b = 0;
    for (std::uint32_t k = 0; k < r.len; ++k) {
      std::size_t e = b;
      if (!content.empty())
        do ++e; while (e < content.size() && (static_cast<unsigned char>(content[e]) & 0xC0) == 0x80);
      out.push_back({{r.rep, r.ctr + k}, k == 0 ? r.left : detail::TId{r.rep, r.ctr + k - 1}, r.right, r.deleted != 0,
                     r.author, content.substr(b, e - b)});
      b = e;
    }
  });
  return out;
}

// True when both texts hold the same code points (CodePointState) and the same delete records.
bool SameCodePoints(const detail::TextSeq& a, const detail::TextSeq& b) {
  auto same_del = [](const detail::DelRecord& x, const detail::DelRecord& y) {
    return x.rep == y.rep && x.ctr == y.ctr && x.span == y.span && x.first == y.first && x.count == y.count &&
           x.author == y.author && x.hlc == y.hlc;
  };
  auto same_range = [](const detail::TRange& x, const detail::TRange& y) {
    return x.rep == y.rep && x.ctr == y.ctr && x.len == y.len;
  };
  return CodePointState(a) == CodePointState(b) &&
         std::equal(a.deletes().begin(), a.deletes().end(), b.deletes().begin(), b.deletes().end(), same_del) &&
         std::equal(a.delete_ranges().begin(), a.delete_ranges().end(), b.delete_ranges().begin(),
                    b.delete_ranges().end(), same_range) &&
         a.Text() == b.Text();
}

// Everything a text records, for a failure message.
std::string Runs(const detail::TextSeq& t) {
  std::string out;
  t.ForEachRun([&](const detail::Run& r) {
    out += std::to_string(r.rep) + ":" + std::to_string(r.ctr) + "+" + std::to_string(r.len) + (r.deleted ? " del" : "") +
           " L" + std::to_string(r.left.rep) + ":" + std::to_string(r.left.ctr) + " R" + std::to_string(r.right.rep) +
           ":" + std::to_string(r.right.ctr) + " h" + std::to_string(r.hlc) + " a" + std::to_string(r.author) + " @" +
           std::to_string(r.content) + " '" + std::string(t.Content(r)) + "'\n";
  });
  for (const detail::DelRecord& d : t.deletes()) {
    out += "D" + std::to_string(d.rep) + ":" + std::to_string(d.ctr) + "+" + std::to_string(d.span) + " h" +
           std::to_string(d.hlc) + " a" + std::to_string(d.author);
    for (std::uint32_t k = 0; k < d.count; ++k) {
      const detail::TRange& r = t.delete_ranges()[d.first + k];
      out += " " + std::to_string(r.rep) + ":" + std::to_string(r.ctr) + "+" + std::to_string(r.len);
    }
    out += "\n";
  }
  return out;
}

// A writer at a cursor: types there, backspaces, deletes forwards (now and then a selection), moves; it
// keeps doing one of these for a while, as people do.
struct Editor {
  std::uint32_t rep;
  std::uint32_t ctr = 1;
  std::uint64_t cursor = 0;
  int what = 0;
  // Applies one random action to every text in `texts` (they hold the same text). `keystrokes`, one of
  // them, takes one ASCII character or one deleted code point the way Replica's text handle does: through
  // TryTypeAscii and TryDeleteOne first (rep 0 only).
  void Step(const std::vector<detail::TextSeq*>& texts, std::uint64_t hlc, std::mt19937_64& rng,
            detail::TextSeq* keystrokes = nullptr) {
    auto insert = [&](detail::TextSeq* t, std::uint64_t pos, const std::string& s, std::uint32_t n, std::uint32_t author) {
      if (t == keystrokes && rep == 0 && s.size() == 1 && static_cast<unsigned char>(s[0]) < 0x80 &&
          t->TryTypeAscii(ctr, pos, s[0], author))
        return;
      t->LocalInsert(rep, ctr, pos, s, n, hlc, author);
    };
    auto erase = [&](detail::TextSeq* t, std::uint64_t pos, std::uint32_t n, std::uint32_t author) {
      if (t == keystrokes && rep == 0 && n == 1 && t->TryDeleteOne(ctr, pos, author, 0)) return;
      t->LocalDelete(rep, ctr, pos, n, hlc, author);
    };
    static const char* kPieces[] = {"a", "b", "\n", "é", "🙂", "xy"};
    const std::uint64_t len = texts[0]->length();
    cursor = std::min(cursor, len);
    const auto author = static_cast<std::uint32_t>(rng() % 8 == 0 ? 1 : 0);
    if (rng() % 10 < 3) what = static_cast<int>(rng() % 100);
    if (what < 55) {
      const std::string s = kPieces[rng() % 6];
      const auto n = static_cast<std::uint32_t>(testing::CodePoints(s).size());
      for (detail::TextSeq* t : texts) insert(t, cursor, s, n, author);
      ctr += n;
      cursor += n;
    } else if (what < 78 && cursor > 0) {
      const auto n = static_cast<std::uint32_t>(rng() % 6 == 0 ? 1 + rng() % cursor : 1);
      for (detail::TextSeq* t : texts) erase(t, cursor - n, n, author);
      ctr += n;
      cursor -= n;
    } else if (what < 92 && cursor < len) {
      const auto n = static_cast<std::uint32_t>(rng() % 6 == 0 ? 1 + rng() % (len - cursor) : 1);
      for (detail::TextSeq* t : texts) erase(t, cursor, n, author);
      ctr += n;
    } else {
      cursor = rng() % (len + 1);
      what = static_cast<int>(rng() % 92);
    }
  }
};

// The fast paths (extending the hot run, backspacing it, deletes that move the boundary between a run and
// the tombstone beside it, the remembered places of the last delete and of the last integrated run, and
// Replica's keystroke paths TryTypeAscii and TryDeleteOne with its deleting streak) leave
// the same code points as the general path (ids, origins, deleted or not, author, text, in the same order,
// tombstones included) and the same delete records, while another writer's runs and deletes arrive in
// between.
//
// Not the same run boundaries: the two paths may cut the same code points into runs differently, and that
// is harmless. A tombstone only joins its neighbour inside one chunk (TryMergeWithNext, AbsorbDelete), and
// the fast paths keep fewer runs, so their chunks split at other places than the general path's; a run
// deleted at the start of a chunk then stays apart from the tombstone that continues it at the end of the
// chunk before (seed 2925701579389398184, step 958: 1:1008+1 and 1:1009+2 as two runs on the general
// path, one on the fast one). Integration reads each code point's origins (a run's inner code points have
// the one before as left origin and the run's right origin, exactly what a cut run's tail records), so two
// texts with the same code points order every later insert the same way; the final Reference check below
// replays the ids and origins alone.
TEST(TextSeq, FastPathsLeaveTheSameCodePointsAsTheGeneralPath) {
  std::vector<std::uint64_t> seeds = Seeds("TextSeq.FastPaths");
  if (std::getenv("CASEPACK_SEED") == nullptr) seeds.push_back(2925701579389398184u);  // runs cut apart (above)
  for (std::uint64_t seed : seeds) {
    std::mt19937_64 rng(seed);
    std::vector<ReplicaId> ids{11, 22};
    if (rng() % 2) std::swap(ids[0], ids[1]);
    detail::TextSeq fast(&ids), slow(&ids), other(&ids);
    slow.SetFastPathsForTesting(false);
    Editor mine{0}, theirs{1};
    std::size_t other_dels_sent = 0;
    for (int step = 0; step < 3000; ++step) {
      const auto hlc = static_cast<std::uint64_t>(step + 1);
      const int what = static_cast<int>(rng() % 100);
      if (what < 60) {
        mine.Step({&fast, &slow}, hlc, rng, &fast);
      } else if (what < 85) {
        for (int k = 1 + static_cast<int>(rng() % 6); k > 0; --k) theirs.Step({&other}, hlc, rng);
      } else {  // the other writer's runs, and its delete records but the last (it may still grow)
        ASSERT_NO_FATAL_FAILURE(Deliver(other, fast, 1, false));
        ASSERT_NO_FATAL_FAILURE(Deliver(other, slow, 1, false));
        const auto& dels = other.deletes();
        for (; other_dels_sent + 1 < dels.size(); ++other_dels_sent) {
          const detail::DelRecord& d = dels[other_dels_sent];
          const std::vector<detail::TRange> ranges(other.delete_ranges().begin() + d.first,
                                                   other.delete_ranges().begin() + d.first + d.count);
          for (detail::TextSeq* t : {&fast, &slow}) ASSERT_TRUE(t->RemoteDelete(1, d.ctr, d.span, ranges, d.hlc, d.author).ok());
        }
      }
      if (!SameCodePoints(fast, slow)) {
        ASSERT_EQ(Runs(fast), Runs(slow)) << "seed " << seed << " step " << step;  // shows where they differ
        FAIL() << "seed " << seed << " step " << step;  // (the same runs hold the same code points)
      }
      if (step % 8 == 0) {
        for (const detail::TextSeq* t : {&fast, &slow}) ASSERT_EQ(t->CheckInvariants(), "") << "seed " << seed << " step " << step;
      }
    }
    ASSERT_EQ(fast.CheckInvariants(), "") << "seed " << seed;
    EXPECT_GT(fast.run_count(), 200u) << "seed " << seed;  // several chunks
    std::string error;
    EXPECT_EQ(fast.Text(), Reference(fast, ids, &error)) << "seed " << seed;
    EXPECT_EQ(error, "");
  }
}

// Issue 18 (per-keystroke apply): a deleting streak (TextSeq::Hint) runs to the end of the run it deletes
// from and no further, forwards and backwards, also when backspacing what was just typed, and every step
// leaves the invariants (no empty run, every id found where it is, cached lengths) and the same text as the
// general path.
TEST(TextSeq, Issue18DeletingStreaksStopAtTheEndOfTheirRun) {
  std::vector<ReplicaId> ids{11};
  detail::TextSeq fast(&ids), slow(&ids);
  slow.SetFastPathsForTesting(false);
  std::uint32_t ctr = 1;
  auto check = [&](const std::string& where) {
    ASSERT_EQ(fast.CheckInvariants(), "") << where;
    ASSERT_EQ(slow.CheckInvariants(), "") << where;
    ASSERT_EQ(fast.Text(), slow.Text()) << where;
  };
  auto type = [&](std::uint64_t pos, const std::string& s) {
    for (char c : s) {
      if (!fast.TryTypeAscii(ctr, pos, c, 0)) fast.LocalInsert(0, ctr, pos, std::string(1, c), 1, ctr, 0);
      slow.LocalInsert(0, ctr, pos, std::string(1, c), 1, ctr, 0);
      ++ctr;
      ++pos;
    }
  };
  auto erase = [&](std::uint64_t pos) {
    if (!fast.TryDeleteOne(ctr, pos, 0, 0)) fast.LocalDelete(0, ctr, pos, 1, ctr, 0);
    slow.LocalDelete(0, ctr, pos, 1, ctr, 0);
    ++ctr;
  };
  type(0, "abcdefghij");
  type(3, "KLMNOP");  // splits the first run: abc KLMNOP defghij
  ASSERT_NO_FATAL_FAILURE(check("typed"));
  for (int i = 0; i < 11; ++i) {  // forwards from M: through the rest of KLMNOP and all of defghij
    erase(5);
    ASSERT_NO_FATAL_FAILURE(check("forwards " + std::to_string(i)));
  }
  EXPECT_EQ(fast.Text(), "abcKL");
  type(5, "QRSTU");
  for (std::uint64_t pos = 9; pos-- > 1;) {  // backwards from T: through QRST, KL, bc
    erase(pos);
    ASSERT_NO_FATAL_FAILURE(check("backwards at " + std::to_string(pos)));
  }
  EXPECT_EQ(fast.Text(), "aU");
  // Typing, then backspacing from its end (the run being typed: LocalDelete's first backspace starts the
  // streak) through the run typed and into the one before it.
  type(1, "VWXYZ");
  for (std::uint64_t pos = 6; pos-- > 0;) {
    erase(pos);
    ASSERT_NO_FATAL_FAILURE(check("backspacing typing at " + std::to_string(pos)));
  }
  EXPECT_EQ(fast.Text(), "U");
  EXPECT_EQ(fast.deletes().size(), slow.deletes().size());
}

}  // namespace
}  // namespace casepack
