// ClientSession (casepack/session.h): one unlock, every service, Lock wipes and refuses; the injected clock
// is the only "now"; keystrokes persist incrementally and survive a reopen whatever the snapshot cadence.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "casepack/session.h"
#include "cases_internal.h"
#include "support/process.h"
#include "client/store_fixture.h"

namespace casepack {
namespace {

using testing::kPass;
constexpr std::int64_t kJan2030 = 1893456000000;  // 2030-01-01T00:00:00Z: far from today, on purpose

std::unique_ptr<ClientSession> MakeSession(const std::filesystem::path& dir, const Clock& clock) {
  auto s = ClientSession::Create(dir, kPass, clock, KdfParams::CheapForTests());
  EXPECT_TRUE(s.ok()) << s.error().message;
  return std::move(s).value();
}

std::string NewCaseId(ClientSession& s) {
  NewCase nc;
  nc.event_type = EventType::kMas;
  nc.subject = {"A.B.", "Cardiff"};
  auto id = (*s.cases())->CreateCase(nc);
  EXPECT_TRUE(id.ok()) << id.error().message;
  return *id;
}

using testing::Section;

std::string NoteOf(ClientSession& s, const std::string& id) {
  auto d = (*s.cases())->GetCase(id);
  EXPECT_TRUE(d.ok()) << d.error().message;
  return d->notes.count(Section()) ? d->notes.at(Section()) : std::string();
}

TEST(ClientSession, LockRefusesEveryCallAndUnlockRestores) {
  testing::TempDir t;
  ManualClock clock(kJan2030);
  auto s = MakeSession(t / "s", clock);
  const std::string id = NewCaseId(*s);
  ASSERT_TRUE((*s->cases())->SetNote(id, Section(), "secret words").ok());
  s->Lock();
  EXPECT_TRUE(s->locked());
  for (ErrorCode code : {s->store().error().code, s->cases().error().code, s->packs().error().code,
                         s->retention().error().code, s->sync().error().code, s->audit().error().code})
    EXPECT_EQ(code, ErrorCode::kUnavailable);
  EXPECT_EQ(s->cases().error().message, "the session is locked");
  EXPECT_EQ(s->Unlock("wrong passphrase!!").error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(s->locked());
  ASSERT_TRUE(s->Unlock(kPass).ok());
  EXPECT_EQ(NoteOf(*s, id), "secret words");
  EXPECT_EQ(s->Unlock(kPass).error().code, ErrorCode::kConflict);
}

TEST(ClientSession, InjectedClockIsTheOnlyNow) {
  testing::TempDir t;
  ManualClock clock(kJan2030);
  auto s = MakeSession(t / "s", clock);
  const std::string id = NewCaseId(*s);
  auto list = (*s->cases())->ListCases();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].updated_at, "2030-01-01T00:00:00Z");
  clock.Advance(86400000);
  ASSERT_TRUE((*s->cases())->SetNote(id, Section(), "x").ok());
  EXPECT_EQ((*(*s->cases())->ListCases())[0].updated_at, "2030-01-02T00:00:00Z");
  auto entry = (*s->audit())->Record(AuditKind::kCaseOpen, id, "test");
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  EXPECT_EQ(entry->at, "2030-01-02T00:00:00Z");
}

// Property: random keystrokes (inserts, deletes, backspaces in runs) through EditNote read back exactly as
// a plain string model, in the session, after Lock/Unlock (snapshot + tail), and in a second session opened
// beside the first (another process's view), across several snapshot intervals.
TEST(ClientSession, KeystrokesPersistIncrementally) {
  const char* env = std::getenv("CASEPACK_TEST_SEED");
  const unsigned seed = env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay: CASEPACK_TEST_SEED=" + std::to_string(seed) + ")");
  std::mt19937 rng(seed);
  testing::TempDir t;
  ManualClock clock(kJan2030);
  auto s = MakeSession(t / "s", clock);
  const std::string id = NewCaseId(*s);
  std::string model;
  const int keys = static_cast<int>(CaseService::kSnapshotEvery) * 2 + 137;
  for (int i = 0; i < keys; ++i) {
    CaseService& cases = **s->cases();
    std::uniform_int_distribution<int> kind(0, 9);
    const int k = kind(rng);
    if (k < 6 || model.empty()) {
      const std::uint64_t pos = std::uniform_int_distribution<std::size_t>(0, model.size())(rng);
      const char c = static_cast<char>('a' + i % 26);
      ASSERT_TRUE(cases.EditNote(id, Section(), pos, 0, std::string(1, c)).ok());
      model.insert(pos, 1, c);
    } else {
      // A run of backspaces, each its own call: consecutive deletes must each be stored.
      std::uint64_t pos = std::uniform_int_distribution<std::size_t>(1, model.size())(rng);
      for (int b = std::uniform_int_distribution<int>(1, 4)(rng); b > 0 && pos > 0; --b, --pos) {
        ASSERT_TRUE(cases.EditNote(id, Section(), pos - 1, 1, "").ok());
        model.erase(pos - 1, 1);
      }
    }
    if (i % 500 == 0) {
      auto beside = ClientSession::Unlock(t / "s", kPass, clock);
      ASSERT_TRUE(beside.ok()) << beside.error().message;
      ASSERT_EQ(NoteOf(**beside, id), model) << "a second session sees every stored keystroke";
    }
  }
  EXPECT_EQ(NoteOf(*s, id), model);
  s->Lock();
  ASSERT_TRUE(s->Unlock(kPass).ok());
  EXPECT_EQ(NoteOf(*s, id), model);
  // Every stored operation applies on a fresh replica: what sync would push reproduces the text.
  auto ops = CaseServiceInternal::UnpushedOperations(**s->cases(), id, 1 << 20);
  ASSERT_TRUE(ops.ok());
  Replica fresh(ReplicaOptions{id, 99, "peer", [&clock] { return static_cast<std::uint64_t>(clock.NowMillis()); }});
  for (const auto& p : *ops) {
    auto decoded = DecodeOperations(p.body);
    ASSERT_TRUE(decoded.ok());
    fresh.Apply(*decoded);
  }
  EXPECT_EQ(fresh.ReadText(Target{"notes", Section()}), model);
}

// Group commit (db.h, docs/store.md "Durability"): a keystroke returns before its fsync, so what it
// promises must hold: everything typed survives kill -9 of the process the moment EditNote has returned,
// and the background sync makes it durable without anyone waiting (WaitDurable succeeds; the sync ran).
TEST(ClientSession, GroupCommittedKeystrokesSurviveKillNineAndBecomeDurable) {
  testing::TempDir t;
  ManualClock clock(kJan2030);
  std::string id;
  {
    auto s = MakeSession(t / "s", clock);
    id = NewCaseId(*s);
  }
  constexpr int kKeys = 200;
  ASSERT_EQ(testing::RunThenKillNine([&] {
    ManualClock child_clock(kJan2030);
    auto s = ClientSession::Unlock(t / "s", kPass, child_clock);
    if (!s.ok()) return 2;
    CaseService& cases = **(*s)->cases();
    for (int i = 0; i < kKeys; ++i) {
      const char c = static_cast<char>('a' + i % 26);
      if (!cases.EditNote(id, Section(), static_cast<std::uint64_t>(i), 0, std::string_view(&c, 1)).ok()) return 3;
    }
    return 0;
  }), 0) << "the child could not type";

  std::string expected;
  for (int i = 0; i < kKeys; ++i) expected += static_cast<char>('a' + i % 26);
  auto s = ClientSession::Unlock(t / "s", kPass, clock);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(NoteOf(**s, id), expected) << "keystrokes lost to kill -9 after EditNote returned";

  // In this process: the sync follows the keystrokes by itself, and WaitDurable sees it done.
  CaseService& cases = **(*s)->cases();
  Database& db = (**(*s)->store()).db();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(cases.EditNote(id, Section(), 0, 0, "x").ok());
  ASSERT_TRUE(db.WaitDurable(std::chrono::seconds(30)).ok());
  const GroupCommitStats stats = db.group_commit_stats();
  EXPECT_EQ(stats.commits, 20u);
  EXPECT_GE(stats.syncs, 1u);
  EXPECT_LE(stats.syncs, stats.commits);
  EXPECT_FALSE(stats.failed);
  // Other edits stay durable on return: they do not go through group commit.
  ASSERT_TRUE(cases.SetNote(id, Section(), "replaced").ok());
  EXPECT_EQ(db.group_commit_stats().commits, 20u);
}

TEST(ClientSession, EditOutsideTheNoteIsRefusedAndChangesNothing) {
  testing::TempDir t;
  ManualClock clock(kJan2030);
  auto s = MakeSession(t / "s", clock);
  const std::string id = NewCaseId(*s);
  CaseService& cases = **s->cases();
  ASSERT_TRUE(cases.EditNote(id, Section(), 0, 0, "abc").ok());
  EXPECT_EQ(cases.EditNote(id, Section(), 2, 5, "").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(cases.EditNote(id, Section(), 4, 0, "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(cases.EditNote(id, "no-such-section", 0, 0, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(NoteOf(*s, id), "abc");
}

}  // namespace
}  // namespace casepack
