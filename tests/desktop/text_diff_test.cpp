// The editor binding's splices: the diff turns one text into the other; a remote change rebased over an
// unsaved local one keeps both when they do not touch. Property tests with a fresh seed each run
// (CASEPACK_TEST_SEED replays one).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "text_diff.h"

namespace casepack::desktop {
namespace {

std::uint64_t Seed() {
  if (const char* s = std::getenv("CASEPACK_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

QString RandomText(std::mt19937_64& rng, int max_len) {
  static const QString alphabet = QString("ab ŵŷâ\n") + QChar(0xD83D) + QChar(0xDE00);  // a surrogate pair
  QString out;
  const int n = static_cast<int>(rng() % static_cast<std::uint64_t>(max_len + 1));
  for (int i = 0; i < n; ++i) {
    const auto k = rng() % static_cast<std::uint64_t>(alphabet.size() - 1);
    if (alphabet[static_cast<qsizetype>(k)].isHighSurrogate()) {
      out += QString(alphabet.right(2));
    } else {
      out += alphabet[static_cast<qsizetype>(k)];
    }
  }
  return out;
}

TEST(TextDiff, DiffThenApplyGivesTheTargetAndNeverSplitsAPair) {
  const auto seed = Seed();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 5000; ++i) {
    const QString a = RandomText(rng, 12), b = RandomText(rng, 12);
    const TextSplice s = DiffText(a, b);
    ASSERT_EQ(ApplySplice(a, s), b) << "seed " << seed;
    if (s.pos > 0 && s.pos < a.size()) {
      ASSERT_FALSE(a[s.pos].isLowSurrogate()) << "seed " << seed;
    }
  }
}

TEST(TextDiff, RebaseKeepsBothChangesWhenApart) {
  const auto seed = Seed();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 5000; ++i) {
    const QString head = RandomText(rng, 6), mid = RandomText(rng, 6), tail = RandomText(rng, 6);
    const QString mine = RandomText(rng, 4), theirs = RandomText(rng, 4);
    // Local edit in the head, remote edit in the tail, separated by `mid` + a fixed marker.
    const QString base = head + "|" + mid + "#" + tail;
    const QString local = mine + "|" + mid + "#" + tail;
    const QString remote = head + "|" + mid + "#" + theirs;
    auto merged = Rebase(base, DiffText(base, local), DiffText(base, remote));
    ASSERT_TRUE(merged.has_value()) << "seed " << seed;
    EXPECT_EQ(*merged, mine + "|" + mid + "#" + theirs) << "seed " << seed;
  }
}

TEST(TextDiff, BothTypingAtOnePlaceKeepsBoth) {
  auto merged = Rebase("ab", TextSplice{1, 0, "X"}, TextSplice{1, 0, "Y"});
  ASSERT_TRUE(merged);
  EXPECT_EQ(*merged, "aYXb");
  EXPECT_FALSE(Rebase("abcd", TextSplice{1, 2, "X"}, TextSplice{2, 1, "Y"}).has_value());
}

}  // namespace
}  // namespace casepack::desktop
