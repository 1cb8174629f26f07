// Issue 11, item 6, end to end (real casepack stores, real casepackd over TLS on loopback): a store
// restored from a backup. Syncing only, the device never got back its own edits made after the backup
// (the server and the other devices had them); after one new edit every sync failed ("op_id already used
// with different content") with no way out. Now the server tells a device the highest counter it holds of
// the device's replica (GET …/replicas); a store behind its own replica pulls its later operations back,
// continues under a fresh replica id, and says so in one line; nothing the server held or the restored store
// wrote is lost, and no op id or nonce is ever used for two contents.
//
// The backup is a real copy of the store directory taken while no casepack process runs, restored by
// replacing the directory with it.
#include <set>

#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The three laptops' fixture; yann takes no part here.
class Issue11Restored : public ThreeLaptopsTest {
 protected:
  void SetUp() override {
    ThreeLaptopsTest::SetUp();
    if (HasFatalFailure()) return;
    case_ = NewCase(bu_, "Restored");
    bu_.Ok({"note", "add", case_, "story"}, "Written by bea first.\n");
    Sync(bu_);
    bu_.Ok({"case", "share", case_, "--with", x_.user_id});
    Sync(x_);
    x_.Ok({"note", "add", case_, "story"}, "Before the backup (xena).\n");
    Sync(x_);
  }
  void Backup(const fs::path& to) { fs::copy(x_.dir, to, fs::copy_options::recursive); }
  void Restore(const fs::path& from) {
    fs::remove_all(x_.dir);
    fs::copy(from, x_.dir, fs::copy_options::recursive);
  }
  std::string Story(const Laptop& l) { return l.Json({"note", "show", case_, "story", "--json"}).value("story", ""); }
  // Each line exactly once in every store's story, and the stores identical.
  void ExpectEverywhereOnce(const std::vector<std::string>& lines) {
    for (const Laptop* l : {&bu_, &x_}) {
      const std::string story = Story(*l);
      for (const auto& line : lines) EXPECT_EQ(Count(story, line + "\n"), 1u) << l->name << " / " << line << ":\n" << story;
    }
    EXPECT_EQ(Story(bu_), Story(x_));
  }
  // Every op id once on the server, and no nonce used for two of them.
  void ExpectNoReuse() {
    const auto ops = ServerOps(server_->data(), case_);
    std::set<std::string> ids, nonces;
    for (const auto& op : ops) {
      EXPECT_TRUE(ids.insert(op.op_id).second) << op.op_id;
      ASSERT_GE(op.blob.size(), 24u);
      EXPECT_TRUE(nonces.insert(HexEncode(std::span<const std::uint8_t>(op.blob.data(), 24))).second) << op.op_id;
    }
  }
  std::string case_;
};

// Restored, then only synced: the edits made after the backup come back, and it says so once.
TEST_F(Issue11Restored, SyncingOnlyBringsBackTheStoresOwnLaterEdits) {
  const fs::path backup = root() / "xena-backup";
  Backup(backup);
  for (int i = 1; i <= 3; ++i) x_.Ok({"note", "add", case_, "story"}, "After the backup " + std::to_string(i) + " (xena).\n");
  Sync(x_);
  Restore(backup);
  ASSERT_EQ(Count(Story(x_), "After the backup"), 0u);
  const auto first = x_.Run({"sync"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Count(first.out, "continues under a new replica id"), 1u) << first.out;
  // It keeps working: a new edit goes out, under the new replica, and the message is not repeated.
  x_.Ok({"note", "add", case_, "story"}, "After the restore (xena).\n");
  const auto second = x_.Run({"sync"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(Count(second.out, "new replica id"), 0u) << second.out;
  SyncUntilQuiet({&bu_, &x_});
  ExpectEverywhereOnce({"Written by bea first.", "Before the backup (xena).", "After the backup 1 (xena).",
                        "After the backup 2 (xena).", "After the backup 3 (xena).", "After the restore (xena)."});
  ExpectNoReuse();
}

// Restored, then edited before syncing: fewer new edits than were lost (found by the replica's last
// counter) and more (the server refuses a reused counter with other content). Nothing is lost either way.
TEST_F(Issue11Restored, EditsMadeAfterTheRestoreAreKeptAndNothingIsReused) {
  for (int new_edits : {1, 5}) {
    SCOPED_TRACE("edits after the restore: " + std::to_string(new_edits));
    const std::string tag = "r" + std::to_string(new_edits);
    const fs::path backup = root() / ("xena-backup-" + tag);
    Backup(backup);
    for (int i = 1; i <= 2; ++i) x_.Ok({"note", "add", case_, "story"}, "Lost " + tag + " " + std::to_string(i) + ".\n");
    Sync(x_);
    Restore(backup);
    std::vector<std::string> expect = {"Written by bea first.", "Before the backup (xena)."};
    for (int i = 1; i <= 2; ++i) expect.push_back("Lost " + tag + " " + std::to_string(i) + ".");
    for (int i = 1; i <= new_edits; ++i) {
      expect.push_back("New " + tag + " " + std::to_string(i) + ".");
      x_.Ok({"note", "add", case_, "story"}, expect.back() + "\n");
    }
    bu_.Ok({"note", "add", case_, "story"}, "Meanwhile bea " + tag + ".\n");
    expect.push_back("Meanwhile bea " + tag + ".");
    const auto r = x_.Run({"sync", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["cases"].size(), 1u) << r.out;
    EXPECT_TRUE(j["cases"][0]["restored"].is_string()) << r.out;
    SyncUntilQuiet({&bu_, &x_});
    ExpectEverywhereOnce(expect);
    ExpectNoReuse();
  }
}

// Found by an outside test: a backup taken while edits were not yet synced. The laptop then synced them (and
// more), and was restored from the backup. The restored store held those edits as its own unsent ones, so it
// sent them again under its new replica id, and every store showed those paragraphs twice. The server's
// copies of the store's own operations now tell which unsent ones it already holds: those are kept, and only
// what was made after the restore moves to the new replica. "After the restore" begins with the same
// characters, at the same counters and under the same run clock, as the lost "After the backup": compared
// by part, "After the " was taken as held and dropped from the restored line.
TEST_F(Issue11Restored, EditsUnsentAtTheBackupAndSentLaterAreNotSentTwice) {
  for (int new_edits : {0, 2}) {
    SCOPED_TRACE("edits after the restore: " + std::to_string(new_edits));
    const std::string tag = "u" + std::to_string(new_edits);
    std::vector<std::string> expect = {"Written by bea first.", "Before the backup (xena)."};
    for (int i = 1; i <= 2; ++i) {
      expect.push_back("Unsent at the backup " + tag + " " + std::to_string(i) + ".");
      x_.Ok({"note", "add", case_, "story"}, expect.back() + "\n");
    }
    const fs::path backup = root() / ("xena-backup-" + tag);
    Backup(backup);
    Sync(x_);
    expect.push_back("After the backup " + tag + ".");
    x_.Ok({"note", "add", case_, "story"}, expect.back() + "\n");
    Sync(x_);
    Restore(backup);
    for (int i = 1; i <= new_edits; ++i) {
      expect.push_back("After the restore " + tag + " " + std::to_string(i) + ".");
      x_.Ok({"note", "add", case_, "story"}, expect.back() + "\n");
    }
    const auto r = x_.Run({"sync"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(Count(r.out, "continues under a new replica id"), 1u) << r.out;
    // Only what was made after the restore is counted as such.
    if (new_edits == 0) {
      EXPECT_EQ(Count(r.out, "made since"), 0u) << r.out;
    } else {
      EXPECT_EQ(Count(r.out, "made since"), 1u) << r.out;
    }
    SyncUntilQuiet({&bu_, &x_});
    ExpectEverywhereOnce(expect);
    ExpectNoReuse();
  }
}

}  // namespace
}  // namespace casepack::testing
