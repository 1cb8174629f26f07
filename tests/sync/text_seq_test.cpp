// The text structure against a plain string model, with its invariants (cached lengths, id index)
// checked after every step, on texts long enough to split chunks many times.
#include "../../sync/src/text_seq.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "casepack/replica.h"

namespace casepack {
namespace {

TEST(TextSeq, MatchesAStringModelAndKeepsInvariants) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
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

}  // namespace
}  // namespace casepack
