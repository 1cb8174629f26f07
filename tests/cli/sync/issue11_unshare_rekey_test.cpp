// Issue 11, items 4 and 5, end to end (real casepack stores, real casepackd over TLS on loopback).
//
// Item 4, unshare interrupted: removing a member moved the case to a new epoch, and the envelopes of that
// epoch came in a second request. A kill or a lost connection between the two left every member's sync
// failing with stale_epoch for ever, and neither `case unshare` nor `case share` could recover. Now the
// new epoch's key is made by whichever member gets there first (POST …/rekey, first complete set wins):
// the unshare run again, or any member's next sync, finishes it. The test kills the client and the server
// at every step and checks that syncing resumes, nothing is lost, and the removed member cannot read what
// is written afterwards.
//
// Item 5, revoking did not rekey: a note written after `server revoke-user` opened with the revoked
// device's old epoch key. Now revoking a user (or a device) moves each of their cases to a new epoch in the
// same transaction, so nothing later is accepted under a key they hold.
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class Issue11Unshare : public ThreeLaptopsTest {
 protected:
  // A case on bu_ shared with x_ and y_, who both hold it and its first note.
  std::string SharedCase(const std::string& subject) {
    const std::string c = NewCase(bu_, subject);
    bu_.Ok({"note", "add", c, "story"}, "Before: " + subject + ".\n");
    Sync(bu_);
    bu_.Ok({"case", "share", c, "--with", x_.user_id});
    bu_.Ok({"case", "share", c, "--with", y_.user_id});
    x_.Run({"sync"});  // exits 1 once it lists earlier rounds' cases it was removed from
    EXPECT_EQ(x_.Run({"case", "show", c}).exit_code, 0) << "xena never received the case";
    Sync(y_);
    return c;
  }
  // After `removed` left case `c`: the others write, sync, and read everything; every operation stored after
  // `ops_before` is under an epoch whose key `removed` does not hold, and opens with a remaining member's.
  void ExpectCaseAliveWithout(const std::string& c, const Laptop& removed, std::size_t ops_before,
                              const std::string& tag) {
    bu_.Ok({"note", "add", c, "story"}, "After (bea): " + tag + ".\n");
    y_.Ok({"note", "add", c, "story"}, "After (yann): " + tag + ".\n");
    SyncUntilQuiet({&bu_, &y_});
    for (const Laptop* l : {&bu_, &y_}) {
      const std::string story = Story(*l, c);
      EXPECT_EQ(Count(story, "After (bea): " + tag + ".\n"), 1u) << l->name << ": " << story;
      EXPECT_EQ(Count(story, "After (yann): " + tag + ".\n"), 1u) << l->name << ": " << story;
      EXPECT_EQ(Count(story, "Before: " + tag + ".\n"), 1u) << l->name << ": " << story;
    }
    EXPECT_EQ(Story(bu_, c), Story(y_, c));
    // The removed member's sync (refused outright when revoked) brings it nothing written since.
    removed.Run({"sync"});
    EXPECT_EQ(removed.Run({"note", "show", c, "story"}).out.find("After (bea): " + tag), std::string::npos);
    const auto ops = ServerOps(server_->data(), c);
    ASSERT_GT(ops.size(), ops_before);
    const auto removed_keys = CaseKeysHex(removed, kPassphrase), kept_keys = CaseKeysHex(y_, kPassphrase);
    for (std::size_t i = ops_before; i < ops.size(); ++i) {
      EXPECT_FALSE(OpensWithAny(ops[i], removed_keys, c)) << tag << ": the removed member reads " << ops[i].op_id;
      EXPECT_TRUE(OpensWithAny(ops[i], kept_keys, c)) << tag << ": a remaining member cannot read " << ops[i].op_id;
    }
  }
};

// The client killed between its steps (after the removal; after making the new key, before uploading it),
// and the server killed after committing each step before replying. After each: the unshare run again, or
// only the other members' syncs, finish it.
TEST_F(Issue11Unshare, UnshareKilledAtEveryStepNeverWedgesTheCase) {
  if (std::system("command -v sqlcipher >/dev/null 2>&1") != 0) GTEST_SKIP() << "sqlcipher CLI not installed";
  struct Step {
    const char* point;
    bool server;
    bool retry_unshare;  // else the members' syncs alone must finish it
  };
  const Step steps[] = {{"unshare-removed", false, false}, {"unshare-removed", false, true},
                        {"rekey-sealed", false, false},    {"rekey-sealed", false, true},
                        {"server-member-removed", true, false}, {"server-rekey-stored", true, true}};
  int n = 0;
  for (const Step& step : steps) {
    const std::string tag = std::string(step.point) + (step.retry_unshare ? " retried" : " synced") + " " + std::to_string(n++);
    SCOPED_TRACE(tag);
    const std::string c = SharedCase(tag);
    // An offline edit on y across the removal: it must survive the new epoch.
    y_.Ok({"note", "add", c, "story"}, "Offline (yann): " + tag + ".\n");
    const std::size_t ops_before = ServerOps(server_->data(), c).size();
    const auto notify = root() / ("paused-" + std::to_string(n));
    if (step.server) {
      server_->Kill();
      ASSERT_NO_FATAL_FAILURE(server_->Start(PauseAt(step.point, notify)));
      Child unshare(bu_.Argv({"case", "unshare", c, "--user", x_.user_id}));
      ASSERT_TRUE(WaitForFaultPoint(notify)) << "casepackd never reached " << step.point;
      server_->Kill();
      EXPECT_NE(unshare.Wait(), 0) << "an unshare whose server died must not report success";
      ASSERT_NO_FATAL_FAILURE(server_->Start());
    } else {
      Child unshare(bu_.Argv({"case", "unshare", c, "--user", x_.user_id}), PauseAt(step.point, notify));
      ASSERT_TRUE(WaitForFaultPoint(notify)) << "casepack never reached " << step.point;
      EXPECT_TRUE(unshare.Kill());
    }
    if (step.retry_unshare) bu_.Ok({"case", "unshare", c, "--user", x_.user_id});
    // y's offline edit goes out under the new epoch; everyone else resumes.
    Sync(y_);
    ExpectCaseAliveWithout(c, x_, ops_before, tag);
    EXPECT_EQ(Count(Story(bu_, c), "Offline (yann): " + tag + ".\n"), 1u);
    // Sharing again works after it (the case is not wedged for membership changes either).
    bu_.Ok({"case", "share", c, "--with", x_.user_id});
    x_.Run({"sync"});  // exits 1 while it still lists the earlier rounds' cases it was removed from
    EXPECT_EQ(Story(x_, c), Story(bu_, c));
    bu_.Ok({"case", "unshare", c, "--user", x_.user_id});
  }
}

// Item 5: revoking a user removes them from each of their cases and moves it to a new epoch before any
// later operation is accepted; members' offline edits made across the revocation are not lost.
TEST_F(Issue11Unshare, RevokingAUserRekeysEveryCaseTheyWereIn) {
  if (std::system("command -v sqlcipher >/dev/null 2>&1") != 0) GTEST_SKIP() << "sqlcipher CLI not installed";
  const std::string c1 = SharedCase("revoked one"), c2 = SharedCase("revoked two");
  y_.Ok({"note", "add", c1, "story"}, "Offline (yann): revoked one.\n");
  const std::size_t before1 = ServerOps(server_->data(), c1).size(), before2 = ServerOps(server_->data(), c2).size();
  bu_.Ok({"server", "revoke-user", x_.user_id});
  // The revoked device is refused at once; its old key opens nothing written from now on.
  EXPECT_EQ(x_.Run({"sync"}).exit_code, 1);
  ExpectCaseAliveWithout(c1, x_, before1, "revoked one");
  ExpectCaseAliveWithout(c2, x_, before2, "revoked two");
  EXPECT_EQ(Count(Story(bu_, c1), "Offline (yann): revoked one.\n"), 1u);
}

}  // namespace
}  // namespace casepack::testing
