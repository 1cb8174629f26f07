// Issue 11, item 1, end to end (real casepack stores, real casepackd over TLS on loopback): two facilitators
// rewrite the same note section offline. Main turned each replacement into minimal character edits, and the
// merge read "Para KEEPNEWY by y2 by s2." with no conflict. Now changes to different lines merge whole, and
// a paragraph both rewrote is a conflict shown by note show, case show, sync (text and --json) and the
// report, with both authors' versions, until `note resolve`.
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class Issue11Rewrite : public ThreeLaptopsTest {};

TEST_F(Issue11Rewrite, ConcurrentRewritesOfDifferentLinesKeepEveryLineWhole) {
  const std::string c = SharedCase("Rewrite", "Para KEEP1 by s3.\nPara KEEP2 by s2.\nLine KEEP3 by s2.\n");
  x_.Ok({"note", "set", c, "story"}, "Para KEEP2 by s2.\nLine KEEP3 by s2.\nLine NEWX by x.\n");
  y_.Ok({"note", "set", c, "story"}, "Para KEEP1 by s3.\nPara KEEP2 by s2.\nLine NEWY by y.\n");
  SyncUntilQuiet({&x_, &y_, &bu_});
  const std::string story = Story(x_, c);
  EXPECT_EQ(story, Story(y_, c));
  EXPECT_EQ(story, Story(bu_, c));
  EXPECT_EQ(Count(story, "Para KEEP2 by s2.\n"), 1u) << story;
  EXPECT_EQ(Count(story, "Line NEWX by x.\n"), 1u) << story;
  EXPECT_EQ(Count(story, "Line NEWY by y.\n"), 1u) << story;
  EXPECT_EQ(story.size(), std::string("Para KEEP2 by s2.\nLine NEWX by x.\nLine NEWY by y.\n").size()) << story;
  EXPECT_FALSE(x_.Json({"note", "show", c, "--json"}).contains("conflicts"));
}

TEST_F(Issue11Rewrite, OneParagraphRewrittenOnTwoDevicesIsAConflictEverywhereUntilResolved) {
  const std::string c = SharedCase("Rewrite", "Opening.\nThe child is safe at home.\nClosing.\n");
  x_.Ok({"note", "set", c, "story"}, "Opening.\nThe child is at risk at home.\nClosing.\n");
  y_.Ok({"note", "set", c, "story"}, "Opening.\nThe child was safe at home today.\nClosing.\n");
  Sync(x_);
  // y pulls x's rewrite: its sync reports the conflict, in text and JSON.
  const auto text_sync = y_.Run({"sync"});
  ASSERT_EQ(text_sync.exit_code, 0) << text_sync.err;
  EXPECT_NE(text_sync.out.find("notes: "), std::string::npos) << text_sync.out;
  EXPECT_NE(text_sync.out.find("The child is at risk at home. (xena)"), std::string::npos) << text_sync.out;
  EXPECT_NE(text_sync.out.find("The child was safe at home today. (yann)"), std::string::npos) << text_sync.out;
  SyncUntilQuiet({&x_, &y_, &bu_});
  const json report = Sync(bu_);
  bool reported = false;
  for (const auto& cr : report.value("cases", json::array()))
    for (const auto& f : cr.value("conflicts", json::array()))
      if (f.value("field", "") == "paragraph 2") {  // where it stands: the second line
        reported = true;
        EXPECT_EQ(f["values"].size(), 2u) << f.dump();
      }
  EXPECT_TRUE(reported) << report.dump(2);

  // The text holds both versions, each whole, and reads the same everywhere.
  const std::string story = Story(bu_, c);
  EXPECT_EQ(story, Story(x_, c));
  EXPECT_EQ(Count(story, "\nThe child is at risk at home.\n"), 1u) << story;
  EXPECT_EQ(Count(story, "\nThe child was safe at home today.\n"), 1u) << story;
  EXPECT_EQ(Count(story, "The child is safe at home."), 0u) << story;
  // note show (text and JSON), case show and the report name both authors.
  const std::string shown = bu_.Ok({"note", "show", c, "story"});
  // Named by where it stands (an outside test found "paragraph 1" for a conflict on the 4th line: that was
  // its number among the conflicts), with the number `note resolve --conflict` takes.
  EXPECT_NE(shown.find("conflict: paragraph 2 was rewritten"), std::string::npos) << shown;
  EXPECT_NE(shown.find("note resolve CASE story --conflict 1 --pick N"), std::string::npos) << shown;
  EXPECT_NE(shown.find("by xena"), std::string::npos) << shown;
  EXPECT_NE(shown.find("by yann"), std::string::npos) << shown;
  const json notes = bu_.Json({"note", "show", c, "--json"});
  ASSERT_EQ(notes.value("conflicts", json::array()).size(), 1u) << notes.dump(2);
  EXPECT_EQ(notes["conflicts"][0].value("section", ""), "story");
  EXPECT_EQ(notes["conflicts"][0].value("field", ""), "paragraph 2");
  EXPECT_EQ(notes["conflicts"][0].value("conflict", 0), 1);
  const std::string case_show = bu_.Ok({"case", "show", c});
  EXPECT_NE(case_show.find("paragraph 2: "), std::string::npos) << case_show;
  const std::string md = bu_.Ok({"report", c, "--format", "md", "-o", "-"});
  EXPECT_NE(md.find("Unresolved conflicts"), std::string::npos) << md;
  EXPECT_NE(md.find("The child is at risk at home."), std::string::npos) << md;

  // Bad resolutions change nothing; a good one ends it on every device.
  EXPECT_EQ(bu_.Run({"note", "resolve", c, "story", "--conflict", "2", "--pick", "1"}).exit_code, 1);
  EXPECT_EQ(bu_.Run({"note", "resolve", c, "story", "--pick", "3"}).exit_code, 1);
  EXPECT_EQ(Story(bu_, c), story);
  const json versions = notes["conflicts"][0]["values"];
  std::size_t pick = 0;
  for (std::size_t i = 0; i < versions.size(); ++i)
    if (versions[i].dump().find("was safe") != std::string::npos) pick = i + 1;
  ASSERT_NE(pick, 0u) << versions.dump();
  x_.Ok({"note", "resolve", c, "story", "--pick", std::to_string(pick)});
  SyncUntilQuiet({&x_, &y_, &bu_});
  for (const Laptop* l : {&bu_, &x_, &y_}) {
    EXPECT_EQ(Story(*l, c), "Opening.\nThe child was safe at home today.\nClosing.\n") << l->name;
    EXPECT_FALSE(l->Json({"note", "show", c, "--json"}).contains("conflicts")) << l->name;
  }
}

// Found by the desktop's two-window test: a single last line with no newline, rewritten on two devices, kept
// both versions whole but joined them with no separator ("…core group.Mam and Taid…"). Both versions now
// stand on their own lines, in the text and in the conflict, and resolving leaves the one picked.
TEST_F(Issue11Rewrite, LastLineWithoutNewlineRewrittenOnTwoDevicesKeepsBothVersionsSeparated) {
  const std::string c = SharedCase("Rewrite", "Mam and Taid attend every core group.");
  const std::string mine = "Since June, Mam and Taid attend every core group.";
  const std::string theirs = "Mam and Taid attend every core group. Nain comes when she can — ŵyr yn hapus.";
  x_.Ok({"note", "set", c, "story"}, mine);
  y_.Ok({"note", "set", c, "story"}, theirs);
  SyncUntilQuiet({&x_, &y_, &bu_});
  const std::string story = Story(bu_, c);
  EXPECT_EQ(story, Story(x_, c));
  EXPECT_EQ(story, Story(y_, c));
  // Exactly the two versions, one per line, in either order.
  EXPECT_TRUE(story == mine + "\n" + theirs || story == theirs + "\n" + mine) << story;
  const json notes = bu_.Json({"note", "show", c, "--json"});
  ASSERT_EQ(notes.value("conflicts", json::array()).size(), 1u) << notes.dump(2);
  std::set<std::string> versions;
  for (const auto& v : notes["conflicts"][0]["values"]) versions.insert(v.value("value", ""));
  EXPECT_EQ(versions, (std::set<std::string>{mine, theirs})) << notes.dump(2);
  x_.Ok({"note", "resolve", c, "story", "--pick", "1"});
  SyncUntilQuiet({&x_, &y_, &bu_});
  const std::string resolved = Story(y_, c);
  EXPECT_TRUE(resolved == mine || resolved == theirs || resolved == mine + "\n" || resolved == theirs + "\n")
      << resolved;
  EXPECT_EQ(resolved, Story(bu_, c));
}

}  // namespace
}  // namespace casepack::testing
