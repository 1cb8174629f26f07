// CaseService::SetNote turns "replace the section's text" into whole-line edits of the lines that differ
// (casepack/text_rewrite.h) so that a concurrent edit to other lines survives whole. Property: after any
// sequence of SetNote/AppendNote calls with random UTF-8 text (1- to 4-byte characters, newlines, shared
// prefixes and suffixes), the section reads back exactly as last set, before and after reopening.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "casepack/cases.h"
#include "support/process.h"
#include "client/store_fixture.h"

namespace casepack {
namespace {

using testing::kPass;

std::string RandomText(std::mt19937& rng, const std::string& near) {
  static const char* const kPieces[] = {"a", "b", " ", "\n", "é", "è", "â", "ô", "Siân", "€", "ة", "𝄞", "😀", "ŵ"};
  std::uniform_int_distribution<int> piece(0, std::size(kPieces) - 1), len(0, 12), mode(0, 3);
  auto fresh = [&] {
    std::string s;
    for (int i = len(rng); i > 0; --i) s += kPieces[piece(rng)];
    return s;
  };
  // Mostly an edit of the current text (so prefixes and suffixes are shared, as in real editing).
  switch (mode(rng)) {
    case 0: return fresh();
    case 1: return fresh() + near;
    case 2: return near + fresh();
    default: {
      // Replace a middle part, cut at a code-point boundary of `near`.
      std::vector<std::size_t> cuts = {0};
      for (std::size_t i = 1; i < near.size(); ++i)
        if ((static_cast<unsigned char>(near[i]) & 0xC0) != 0x80) cuts.push_back(i);
      cuts.push_back(near.size());
      std::uniform_int_distribution<std::size_t> pick(0, cuts.size() - 1);
      std::size_t x = cuts[pick(rng)], y = cuts[pick(rng)];
      if (x > y) std::swap(x, y);
      return near.substr(0, x) + fresh() + near.substr(y);
    }
  }
}

TEST(CaseNotes, SetNoteAlwaysReadsBackWhatWasSet) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  testing::TempDir t;
  auto store = Store::Create(t / "s", kPass, KdfParams::CheapForTests());
  ASSERT_TRUE(store.ok()) << store.error().message;
  CaseService service(**store);
  NewCase nc;
  nc.subject = {"J.S.", "Newport"};
  auto id = service.CreateCase(nc);
  ASSERT_TRUE(id.ok()) << id.error().message;

  std::string expected;
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    if (step % 7 == 6) {
      const std::string more = RandomText(rng, "") + "x";  // AppendNote refuses empty text
      ASSERT_TRUE(service.AppendNote(*id, "story", more).ok());
      expected += (expected.empty() || expected.back() == '\n' ? "" : "\n") + more;
    } else {
      expected = RandomText(rng, expected);
      const Status s = service.SetNote(*id, "story", expected);
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    auto d = service.GetCase(*id);
    ASSERT_TRUE(d.ok());
    auto it = d->notes.find("story");
    ASSERT_EQ(it == d->notes.end() ? std::string() : it->second, expected);
  }
  store->reset();
  auto reopened = Store::Open(t / "s", kPass);
  ASSERT_TRUE(reopened.ok());
  CaseService again(**reopened);
  auto d = again.GetCase(*id);
  ASSERT_TRUE(d.ok());
  auto it = d->notes.find("story");
  EXPECT_EQ(it == d->notes.end() ? std::string() : it->second, expected);
}

// Setting the same text again records no operation; a one-character change records an edit of that one
// line (its paragraph record, a delete and an insert), not a rewrite of the section.
TEST(CaseNotes, SetNoteRecordsOnlyTheChangedLine) {
  testing::TempDir t;
  auto store = Store::Create(t / "s", kPass, KdfParams::CheapForTests());
  ASSERT_TRUE(store.ok());
  CaseService service(**store);
  NewCase nc;
  nc.subject = {"J.S.", "Newport"};
  const std::string id = *service.CreateCase(nc);
  std::string lines;
  for (int i = 0; i < 200; ++i) lines += "Line " + std::to_string(i) + " of the story.\n";
  ASSERT_TRUE(service.SetNote(id, "story", lines + "Siân\n" + lines).ok());
  const std::size_t after_first = *service.CountOperations(id);
  ASSERT_TRUE(service.SetNote(id, "story", lines + "Siân\n" + lines).ok());
  EXPECT_EQ(*service.CountOperations(id), after_first) << "no change, no operation";
  ASSERT_TRUE(service.SetNote(id, "story", lines + "Siôn\n" + lines).ok());
  EXPECT_LE(*service.CountOperations(id), after_first + 3) << "one paragraph record, one delete and one insert";
  EXPECT_EQ(service.GetCase(id)->notes.at("story"), lines + "Siôn\n" + lines);
}

}  // namespace
}  // namespace casepack
