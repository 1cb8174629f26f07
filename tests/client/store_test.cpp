#include "casepack/store.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <algorithm>

#include <chrono>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "casepack/aead.h"
#include "casepack/migrations.h"
#include "cases_internal.h"
#include "support/process.h"
#include "client/store_fixture.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

using testing::kPass;

using testing::MakeStore;

void PutMeta(Store& s, std::string_view key, std::string_view value) {
  auto st = s.db().Prepare("INSERT OR REPLACE INTO meta VALUES (?, ?);");
  ASSERT_TRUE(st.ok());
  st->Bind(1, key).Bind(2, value);
  ASSERT_TRUE(st->Run().ok());
}

std::string GetMeta(Store& s, std::string_view key) {
  auto st = s.db().Prepare("SELECT value FROM meta WHERE key = ?;");
  st->Bind(1, key);
  auto row = st->Step();
  return row.ok() && *row ? st->Text(0) : std::string("<missing>");
}

struct Snapshot {
  std::string header, db;
  bool operator==(const Snapshot&) const = default;
};
Snapshot Take(const fs::path& dir) { return {ReadFile(dir / "store.header"), ReadFile(dir / "store.db")}; }

TEST(Store, CreateThenReopen) {
  TempDir t;
  std::string id;
  PublicIdentity pub;
  {
    auto s = MakeStore(t / "s");
    id = s->id();
    pub = s->identity().public_keys();
    EXPECT_EQ(s->schema_version(), LatestStoreSchemaVersion());
    PutMeta(*s, "probe", "kept");
  }
  auto s = Store::Open(t / "s", kPass);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)->id(), id);
  EXPECT_EQ((*s)->identity().public_keys().x25519, pub.x25519);
  EXPECT_EQ((*s)->identity().public_keys().ed25519, pub.ed25519);
  EXPECT_EQ(GetMeta(**s, "probe"), "kept");
  EXPECT_EQ(fs::status(t / "s").permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST(Store, WrongPassphraseChangesNothing) {
  TempDir t;
  MakeStore(t / "s");
  const Snapshot before = Take(t / "s");
  auto s = Store::Open(t / "s", "not the passphrase at all");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kAuthFailed);
  EXPECT_NE(s.error().message.find("wrong passphrase"), std::string::npos);
  EXPECT_EQ(Take(t / "s"), before);
}

TEST(Store, ChangePassphraseKeepsDataAndRejectsOld) {
  TempDir t;
  {
    auto s = MakeStore(t / "s");
    PutMeta(*s, "note", "still here");
    ASSERT_TRUE(s->ChangePassphrase("a completely new passphrase", KdfParams::CheapForTests()).ok());
  }
  EXPECT_EQ(Store::Open(t / "s", kPass).error().code, ErrorCode::kAuthFailed);
  auto s = Store::Open(t / "s", "a completely new passphrase");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(GetMeta(**s, "note"), "still here");
}

TEST(Store, RefusesToCreateOverAnExistingStoreOrNonEmptyDir) {
  TempDir t;
  MakeStore(t / "s");
  EXPECT_EQ(Store::Create(t / "s", kPass, KdfParams::CheapForTests()).error().code, ErrorCode::kConflict);
  fs::create_directory(t / "other");
  WriteFile(t / "other" / "thesis.docx", "x");
  EXPECT_EQ(Store::Create(t / "other", kPass, KdfParams::CheapForTests()).error().code, ErrorCode::kConflict);
  EXPECT_EQ(ReadFile(t / "other" / "thesis.docx"), "x");
}

TEST(Store, MissingOrNotAStore) {
  TempDir t;
  auto missing = Store::Open(t / "nope", kPass);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().hint.find("casepack init"), std::string::npos);
  fs::create_directory(t / "empty");
  EXPECT_EQ(Store::Open(t / "empty", kPass).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(fs::is_empty(t / "empty")) << "opening a non-store must not write into it";
}

TEST(Store, NewerFormatIsUnsupported) {
  TempDir t;
  MakeStore(t / "s");
  std::string h = ReadFile(t / "s" / "store.header");
  h.replace(0, std::string("casepack-store 1").size(), "casepack-store 7");
  WriteFile(t / "s" / "store.header", h);
  auto s = Store::Open(t / "s", kPass);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(s.error().hint.find("upgrade"), std::string::npos);
}

TEST(Store, EveryHeaderByteFlipIsDetected) {
  TempDir t;
  MakeStore(t / "s");
  const std::string original = ReadFile(t / "s" / "store.header");
  const Snapshot before = Take(t / "s");
  for (std::size_t i = 0; i < original.size(); ++i) {
    std::string h = original;
    h[i] = static_cast<char>(h[i] ^ 0x04);
    WriteFile(t / "s" / "store.header", h);
    auto s = Store::Open(t / "s", kPass);
    ASSERT_FALSE(s.ok()) << "flip at byte " << i << " went unnoticed";
    EXPECT_TRUE(s.error().code == ErrorCode::kCorrupt || s.error().code == ErrorCode::kUnsupported)
        << "byte " << i << ": " << s.error().message;
  }
  WriteFile(t / "s" / "store.header", original);
  EXPECT_EQ(Take(t / "s"), before);
  EXPECT_TRUE(Store::Open(t / "s", kPass).ok());
}

TEST(Store, TruncatedHeaderIsCorrupt) {
  TempDir t;
  MakeStore(t / "s");
  const std::string h = ReadFile(t / "s" / "store.header");
  for (std::size_t len : {std::size_t{0}, std::size_t{5}, h.size() / 2, h.size() - 1}) {
    WriteFile(t / "s" / "store.header", h.substr(0, len));
    auto s = Store::Open(t / "s", kPass);
    ASSERT_FALSE(s.ok()) << len;
    EXPECT_EQ(s.error().code, ErrorCode::kCorrupt) << len << ": " << s.error().message;
  }
}

TEST(Store, TruncatedDatabaseIsReportedAndLeftAlone) {
  TempDir t;
  {
    auto s = MakeStore(t / "s");
    for (int i = 0; i < 200; ++i) PutMeta(*s, "k" + std::to_string(i), std::string(500, 'v'));
  }
  const std::string db = ReadFile(t / "s" / "store.db");
  ASSERT_GT(db.size(), 40000u);
  for (std::size_t len : {db.size() / 2, std::size_t{4096 + 100}, std::size_t{100}}) {
    WriteFile(t / "s" / "store.db", db.substr(0, len));
    const Snapshot before = Take(t / "s");
    auto s = Store::Open(t / "s", kPass);
    Status result = s.ok() ? (*s)->Verify() : Status(s.error());
    ASSERT_FALSE(result.ok()) << "truncation to " << len << " went unnoticed";
    EXPECT_EQ(result.error().code, ErrorCode::kCorrupt) << result.error().message;
    s = Result<std::unique_ptr<Store>>(MakeError(ErrorCode::kNotFound, ""));  // close before comparing
    EXPECT_EQ(Take(t / "s"), before);
  }
}

TEST(Store, FlippedDatabaseBytesAreReportedOnEveryPage) {
  TempDir t;
  {
    auto s = MakeStore(t / "s");
    for (int i = 0; i < 100; ++i) PutMeta(*s, "k" + std::to_string(i), std::string(300, 'v'));
    ASSERT_TRUE(s->db().CheckpointTruncate().ok());
  }
  const std::string db = ReadFile(t / "s" / "store.db");
  const std::size_t pages = db.size() / 4096;
  ASSERT_GE(pages, 5u);
  for (std::size_t page = 0; page < pages; ++page) {
    std::string damaged = db;
    damaged[page * 4096 + 2000] = static_cast<char>(damaged[page * 4096 + 2000] ^ 0x01);
    WriteFile(t / "s" / "store.db", damaged);
    Status result = Ok();
    {
      auto s = Store::Open(t / "s", kPass);
      result = s.ok() ? (*s)->Verify() : Status(s.error());
    }
    ASSERT_FALSE(result.ok()) << "flip on page " << page << " went unnoticed";
    EXPECT_EQ(result.error().code, ErrorCode::kCorrupt) << "page " << page << ": " << result.error().message;
    EXPECT_EQ(ReadFile(t / "s" / "store.db"), damaged) << "page " << page << ": the damaged file was modified";
  }
}

// Issue 10: a second open is no longer refused (readers never wait); a write that cannot get the write
// lock within the bounded wait fails with kUnavailable naming the holder, and the holder list forgets a
// store once it is closed.
TEST(Store, SecondOpenIsAllowedAndABlockedWriteNamesTheHolder) {
  TempDir t;
  auto first = MakeStore(t / "s");
  auto second = Store::Open(t / "s", kPass, "casepack status");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(StoreLock::DescribeOthers(StorePaths{t / "s"}), "another process") << "this process's own entries are not listed";
  auto tx = Transaction::Begin(first->db());
  ASSERT_TRUE(tx.ok());
  auto blocked = Transaction::Begin((*second)->db());
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(blocked.error().message.find("the store is busy"), std::string::npos) << blocked.error().message;
  EXPECT_NE(blocked.error().message.find("nothing was changed"), std::string::npos) << blocked.error().message;
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_TRUE(Transaction::Begin((*second)->db()).ok()) << "the wait is for the holder, not forever";
  first.reset();
  second->reset();
  EXPECT_TRUE(fs::is_empty(t / "s" / "store.holders")) << "a closed store leaves no holder entry";
}

TEST(Store, KnownTextNeverAppearsInRawFiles) {
  TempDir t;
  const std::string planted = "Jemima Puddleduck attended the core group";
  auto s = MakeStore(t / "s");
  PutMeta(*s, "planted", planted);
  const std::string secret_raw(AsText(s->identity().x25519_secret().expose()));
  const std::string secret_hex = HexEncode(s->identity().x25519_secret().expose());
  // While open (text in the WAL) and after closing (checkpointed into the database).
  for (int round = 0; round < 2; ++round) {
    const std::string raw = testing::AllBytesBelow(t / "s");
    EXPECT_EQ(raw.find(planted), std::string::npos) << "round " << round;
    EXPECT_EQ(raw.find("Jemima"), std::string::npos) << "round " << round;
    EXPECT_EQ(raw.find(secret_raw), std::string::npos) << "identity key in the clear, round " << round;
    EXPECT_EQ(raw.find(secret_hex), std::string::npos);
    EXPECT_EQ(raw.find("CREATE TABLE"), std::string::npos) << "the schema must be encrypted too";
    s.reset();
  }
}

// Full disk: RLIMIT_FSIZE makes writes past a size fail with EFBIG, as a full file system would.
TEST(Store, FullDiskDuringWriteLosesNothing) {
  TempDir t;
  { auto s = MakeStore(t / "s"); PutMeta(*s, "before", "safe"); }
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    auto s = Store::Open(t / "s", kPass);
    if (!s.ok()) _exit(10);
    rlimit lim{256 * 1024, 256 * 1024};
    setrlimit(RLIMIT_FSIZE, &lim);
    auto tx = Transaction::Begin((*s)->db());
    auto st = (*s)->db().Prepare("INSERT INTO meta VALUES ('big', ?);");
    st->Bind(1, std::string(2 * 1024 * 1024, 'x'));
    Status r = st->Run();
    if (r.ok()) r = tx->Commit();
    _exit(r.ok() ? 0 : (r.error().code == ErrorCode::kNoSpace ? 42 : 11));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42) << "the write should fail as 'disk full'";
  auto s = Store::Open(t / "s", kPass);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(GetMeta(**s, "before"), "safe");
  EXPECT_EQ(GetMeta(**s, "big"), "<missing>");
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(Store, FullDiskDuringCreateLeavesNothing) {
  TempDir t;
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{8 * 1024, 8 * 1024};
    setrlimit(RLIMIT_FSIZE, &lim);
    auto s = Store::Create(t / "s", kPass, KdfParams::CheapForTests());
    _exit(s.ok() ? 0 : (s.error().code == ErrorCode::kNoSpace ? 42 : 11));
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_FALSE(fs::exists(t / "s"));
}

// The process is killed in the middle of writing: every commit it acknowledged is there afterwards.
TEST(Store, KilledMidWriteKeepsAcknowledgedCommits) {
  TempDir t;
  MakeStore(t / "s");
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(ack[0]);
    auto s = Store::Open(t / "s", kPass);
    if (!s.ok()) _exit(10);
    for (int i = 0;; ++i) {
      auto tx = Transaction::Begin((*s)->db());
      auto st = (*s)->db().Prepare("INSERT INTO meta VALUES (?, ?);");
      st->Bind(1, "row" + std::to_string(i)).Bind(2, std::string(3000, static_cast<char>('a' + i % 26)));
      if (!st->Run().ok() || !tx->Commit().ok()) _exit(11);
      if (write(ack[1], &i, sizeof i) != sizeof i) _exit(12);
    }
  }
  close(ack[1]);
  int last = -1, v = 0;
  while (last < 300 && read(ack[0], &v, sizeof v) == sizeof v) last = v;
  kill(pid, SIGKILL);
  while (read(ack[0], &v, sizeof v) == sizeof v) last = v;  // acknowledgements already in flight count too
  close(ack[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto s = Store::Open(t / "s", kPass);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE((*s)->Verify().ok());
  for (int i = 0; i <= last; ++i) ASSERT_NE(GetMeta(**s, "row" + std::to_string(i)), "<missing>") << i;
}

// The Debian sqlcipher CLI proves the file is real SQLCipher: it fails without the key, reads with it.
TEST(Store, DebianSqlcipherCliReadsOnlyWithTheKey) {
  if (system("command -v sqlcipher >/dev/null 2>&1") != 0) GTEST_SKIP() << "sqlcipher CLI not installed";
  TempDir t;
  std::string id;
  { auto s = MakeStore(t / "s"); id = s->id(); }
  auto header = StoreHeader::Parse(ReadFile(t / "s" / "store.header"));
  ASSERT_TRUE(header.ok());
  auto kek = DeriveKey(kPass, header->kdf);
  auto key = UnwrapKey(*kek, header->wrapped_db_key, AsBytes(header->AssociatedData()));
  ASSERT_TRUE(key.ok());
  const std::string db = (t / "s" / "store.db").string();
  auto without = testing::RunProcess({"sqlcipher", db}, {.stdin_data = "SELECT value FROM meta;\n"});
  EXPECT_EQ(without.out.find(id), std::string::npos);
  EXPECT_NE(without.err.find("not a database"), std::string::npos) << without.err;
  const std::string script = "PRAGMA key = \"x'" + HexEncode(key->expose()) +
                             "'\";\nPRAGMA cipher_page_size = 4096;\nSELECT value FROM meta WHERE key = 'store_id';\n";
  auto with = testing::RunProcess({"sqlcipher", db}, {.stdin_data = script});
  EXPECT_NE(with.out.find(id), std::string::npos) << with.out << with.err;
}

TEST(Passphrase, StrengthRules) {
  EXPECT_FALSE(CheckPassphraseStrength("").ok());
  EXPECT_FALSE(CheckPassphraseStrength("short").ok());
  EXPECT_FALSE(CheckPassphraseStrength("aaaaaaaaaaaaaaaa").ok());
  EXPECT_FALSE(CheckPassphraseStrength("password1234").ok());
  EXPECT_TRUE(CheckPassphraseStrength("correct horse battery staple").ok());
  EXPECT_NE(CheckPassphraseStrength("short").error().hint, "");
}

TEST(Header, RoundTripIsCanonical) {
  StoreHeader h;
  h.store_id = std::string(32, 'a');
  h.kdf = KdfParams::CheapForTests();
  h.wrapped_db_key = Bytes(32 + kAeadOverhead, 7);
  auto back = StoreHeader::Parse(h.Serialize());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->Serialize(), h.Serialize());
}

// Issue 12: a header edited to raise the key-derivation cost (checksum recomputed) must be refused before
// Argon2 runs, naming the number and the bound; 1 GiB cost 8.6 s and 1 GiB of memory before "wrong passphrase".
TEST(Store, RaisedKdfSettingsAreRefusedBeforeAnyWork) {
  TempDir t;
  { auto s = Store::Create(t / "s", kPass, KdfParams::CheapForTests()); ASSERT_TRUE(s.ok()); }
  const std::string original = ReadFile(t / "s" / "store.header");
  struct Edit { std::uint64_t ops, mem; const char* number; const char* bound; };
  for (const Edit& e : {Edit{1, 1ULL << 30, "1073741824 bytes", "536870912 (512 MiB)"}, Edit{40, 8192, "40 passes", "to 10"}}) {
    auto h = StoreHeader::Parse(original);
    ASSERT_TRUE(h.ok());
    h->kdf.ops_limit = std::max<std::uint64_t>(e.ops, h->kdf.ops_limit);
    h->kdf.mem_limit = std::max<std::uint64_t>(e.mem, h->kdf.mem_limit);
    WriteFile(t / "s" / "store.header", h->Serialize());
    const auto t0 = std::chrono::steady_clock::now();
    auto s = Store::Open(t / "s", kPass);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find(e.number), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(e.bound), std::string::npos) << s.error().message;
    std::fprintf(stderr, "refused in %.3f s: %s\n", secs, s.error().message.c_str());
  }
  WriteFile(t / "s" / "store.header", original);
  EXPECT_TRUE(Store::Open(t / "s", kPass).ok());
}

// Several processes may hold a store: the sweep at open must not delete a temporary file another live
// process is still writing, only one whose writer is gone.
TEST(Store, BlobTemporarySweepSparesALiveWriter) {
  TempDir t;
  const fs::path blobs = t / "blobs";
  fs::create_directories(blobs);
  const fs::path fresh = blobs / "fresh.tmp";
  const fs::path old = blobs / "old.tmp";
  WriteFile(fresh, "being written");
  WriteFile(old, "left by a killed run");
  const auto now = fs::file_time_type::clock::now();
  // Age `old` as stat() will report it. Under libfaketime (packaging/calendar-shift.sh) stat() reports file
  // times shifted but utimensat() stores what it is given: measure that shift and set against it.
  const auto aged = now - kBlobTemporaryMaxAge - std::chrono::minutes(1);
  fs::last_write_time(old, aged);
  fs::last_write_time(old, aged - (fs::last_write_time(old) - aged));
  ASSERT_LT(fs::last_write_time(old), now - kBlobTemporaryMaxAge);
  // Another live holder: only the file older than the limit goes.
  SweepBlobTemporaries(blobs, /*others_hold_it=*/true, now + std::chrono::seconds(1));
  EXPECT_TRUE(fs::exists(fresh)) << "a live writer's temporary file was deleted";
  EXPECT_FALSE(fs::exists(old));
  // No other holder, but the file was written after the holders were listed: a writer that just came.
  SweepBlobTemporaries(blobs, /*others_hold_it=*/false, now - std::chrono::seconds(5));
  EXPECT_TRUE(fs::exists(fresh)) << "a file newer than the listing was deleted";
  // No other holder and written before the listing: its writer is gone.
  SweepBlobTemporaries(blobs, /*others_hold_it=*/false, now + std::chrono::seconds(1));
  EXPECT_FALSE(fs::exists(fresh));
}

// Every field, set to a value no default has, comes back as it was: compared field by field, not
// Serialize to Serialize (which cannot see a field that both sides drop).
TEST(Header, EveryFieldComesBack) {
  StoreHeader h;
  h.store_id = "0123456789abcdef0123456789abcdef";
  h.kdf.ops_limit = 7;
  h.kdf.mem_limit = 64 * 1024 * 1024 + 4096;
  h.kdf.salt = Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  h.wrapped_db_key.resize(32 + kAeadOverhead);
  for (std::size_t i = 0; i < h.wrapped_db_key.size(); ++i) h.wrapped_db_key[i] = static_cast<std::uint8_t>(200 - i);
  auto back = StoreHeader::Parse(h.Serialize());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->format_version, kStoreFormatVersion);
  EXPECT_EQ(back->store_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(back->kdf.ops_limit, 7u);
  EXPECT_EQ(back->kdf.mem_limit, 64u * 1024 * 1024 + 4096);
  EXPECT_EQ(back->kdf.salt, h.kdf.salt);
  EXPECT_EQ(back->wrapped_db_key, h.wrapped_db_key);
  EXPECT_EQ(back->AssociatedData(), h.AssociatedData());
}

// Issue 18: marking a pushed batch must walk the primary key's range of that batch only. `counter <= last`
// alone is planned as `counter<?` from the replica's first counter, so every batch visited every row below
// its last one: the automerge-paper push (259,778 rows) took 333 s.
TEST(Issue18SealedBatch, MarkingABatchPushedVisitsOnlyItsRows) {
  TempDir t;
  auto s = MakeStore(t / "s");
  auto st = s->db().Prepare(std::string("EXPLAIN QUERY PLAN ") + CaseServiceInternal::MarkPushedSql());
  ASSERT_TRUE(st.ok()) << st.error().message;
  std::string plan;
  for (;;) {
    auto row = st->Step();
    ASSERT_TRUE(row.ok()) << row.error().message;
    if (!*row) break;
    plan += st->Text(3) + "\n";
  }
  EXPECT_NE(plan.find("(case_id=? AND replica=? AND counter>? AND counter<?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("ops_unpushed"), std::string::npos) << plan;
}

}  // namespace
}  // namespace casepack
