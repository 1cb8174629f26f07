// Retention on the device: the forward-only clock, policies as data, legal hold, and the purge — proven
// forensically: planted text is searched for in the decrypted database (sqlcipher_export with the key),
// the raw store files, the whole store directory and the system temp directory.
#include "casepack/retention.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <tuple>

#include "casepack/aead.h"
#include "casepack/audit.h"
#include "casepack/cases.h"
#include "casepack/destruction_certificate.h"
#include "casepack/kdf.h"
#include "casepack/random.h"
#include "casepack/trusted_clock.h"
#include "support/process.h"
#include "support/test_clock.h"
#include "client/store_fixture.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;

using testing::kPass;

using FakeNow = testing::TestClock;

using testing::MakeStore;

std::unique_ptr<Store> Reopen(const fs::path& dir, const Clock& clock = SystemClock()) {
  auto s = Store::Open(dir, kPass, "casepack", clock);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

// A MAS case whose summary report was sent on `sent`: the default policy purges it 90 days later.
std::string MakeMasCase(CaseService& cases, const std::string& subject, const std::string& sent) {
  NewCase c;
  c.event_type = EventType::kMas;
  c.subject = {subject, "Newport"};
  c.key_dates = {{"event", *ParseDate("2026-01-05")}, {"summary-report-sent", *ParseDate(sent)}};
  auto id = cases.CreateCase(c);
  EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
  return *id;
}

ByteSource FromString(const std::string& data) {
  auto pos = std::make_shared<std::size_t>(0);
  return [data, pos](std::span<std::uint8_t> buf) -> Result<std::size_t> {
    const std::size_t n = std::min(buf.size(), data.size() - *pos);
    std::copy_n(data.data() + *pos, n, buf.data());
    *pos += n;
    return n;
  };
}

std::string DatabaseKeyHex(const fs::path& store_dir) {
  auto header = StoreHeader::Parse(ReadFile(store_dir / "store.header"));
  EXPECT_TRUE(header.ok());
  auto kek = DeriveKey(kPass, header->kdf);
  auto key = UnwrapKey(*kek, header->wrapped_db_key, AsBytes(header->AssociatedData()));
  EXPECT_TRUE(key.ok());
  return HexEncode(key->expose());
}

// Every page of an SQLCipher 3 database decrypted, free pages included — what sqlcipher_export (a
// logical copy) would not show. With a raw key, SQLCipher uses it directly as the AES-256-CBC key; each
// 4096-byte page ends with a 48-byte reserve (16-byte IV, 20-byte HMAC-SHA1, padding); page 1 starts
// with the 16-byte salt, which is not encrypted.
std::string DecryptAllPages(const std::string& file, const std::string& key_hex) {
  constexpr std::size_t kPage = 4096, kReserve = 48;
  const Bytes key = *HexDecode(key_hex);
  std::string out;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (std::size_t off = 0; off + kPage <= file.size(); off += kPage) {
    const auto* page = reinterpret_cast<const unsigned char*>(file.data() + off);
    const std::size_t start = off == 0 ? 16 : 0;
    const unsigned char* iv = page + kPage - kReserve;
    std::string plain(kPage - kReserve - start, '\0');
    int n = 0;
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key.data(), iv);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &n, page + start,
                      static_cast<int>(plain.size()));
    out += plain;
  }
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

bool HaveSqlcipherCli() { return std::system("command -v sqlcipher >/dev/null 2>&1") == 0; }

// The decrypted database as a plain SQLite file, made by the Debian sqlcipher CLI with the key.
std::string DecryptedExport(const fs::path& store_dir, const fs::path& out) {
  fs::remove(out);
  const std::string script = "PRAGMA key = \"x'" + DatabaseKeyHex(store_dir) + "'\";\nPRAGMA cipher_page_size = 4096;\n" +
                             "ATTACH DATABASE '" + out.string() + "' AS plain KEY '';\n" +
                             "SELECT sqlcipher_export('plain');\nDETACH DATABASE plain;\n";
  auto r = testing::RunProcess({"sqlcipher", (store_dir / "store.db").string()}, {.stdin_data = script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out)) << r.out << r.err;
  return ReadFile(out);
}

// Every regular file under `dir` (recursively), concatenated with its name, for searching.
std::vector<std::pair<fs::path, std::string>> FilesUnder(const fs::path& dir) {
  std::vector<std::pair<fs::path, std::string>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) out.emplace_back(it->path(), ReadFile(it->path()));
  }
  return out;
}

// Files in the system temp directory modified since `since` (other processes' files are included: the
// planted text is random per run, so they cannot match by accident).
std::vector<fs::path> TempFilesContaining(const std::string& needle, std::chrono::system_clock::time_point since) {
  std::vector<fs::path> hits;
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path();
  for (auto it = fs::recursive_directory_iterator(tmp, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 64 * 1024 * 1024) continue;
    if (std::chrono::system_clock::from_time_t(st.st_mtime) + std::chrono::seconds(2) < since) continue;
    if (ReadFile(it->path()).find(needle) != std::string::npos) hits.push_back(it->path());
  }
  return hits;
}

// ---- the clock ----

TEST(TrustedClock, InstantsRoundTrip) {
  auto t = ParseInstant("2027-06-01T12:34:56Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatInstant(*t), "2027-06-01T12:34:56Z");
  EXPECT_EQ(FormatDate(UtcDateOf(*t)), "2027-06-01");
  EXPECT_EQ(*ParseInstant("2027-06-01"), *ParseInstant("2027-06-01T00:00:00Z"));
  for (const char* bad : {"", "2027-06-01T12:34Z", "2027-02-30", "2027-06-01T24:00:00Z", "yesterday", "2027-06-01 00:00:00Z"})
    EXPECT_FALSE(ParseInstant(bad).ok()) << bad;
}

TEST(TrustedClock, NeverMovesBackAndTakesServerTime) {
  TempDir t;
  FakeNow fake("2027-06-01T00:00:00Z");
  auto s = MakeStore(t / "s", fake);
  TrustedClock clock(s->db(), s->clock());
  EXPECT_EQ(FormatInstant(*clock.Advance()), "2027-06-01T00:00:00Z");
  fake.Set("2026-01-01T00:00:00Z");  // the laptop's clock set back
  EXPECT_EQ(FormatInstant(*clock.Advance()), "2027-06-01T00:00:00Z");
  EXPECT_EQ(FormatInstant(*clock.Peek()), "2027-06-01T00:00:00Z");
  ASSERT_TRUE(clock.ObserveServerTime(*ParseInstant("2027-07-01")).ok());
  EXPECT_EQ(FormatInstant(*clock.Advance()), "2027-07-01T00:00:00Z");
  ASSERT_TRUE(clock.ObserveServerTime(*ParseInstant("2020-01-01")).ok());  // an older server time is ignored
  EXPECT_EQ(FormatInstant(*clock.LatestServerTime()), "2027-07-01T00:00:00Z");
  fake.Set("2027-07-20");
  EXPECT_EQ(FormatInstant(*clock.Advance()), "2027-07-20T00:00:00Z");
}

TEST(TrustedClock, SurvivesReopen) {
  TempDir t;
  FakeNow fake("2027-06-01");
  { auto s = MakeStore(t / "s", fake); ASSERT_TRUE(TrustedClock(s->db(), s->clock()).Advance().ok()); }
  fake.Set("2026-01-01");
  auto s = Reopen(t / "s", fake);
  EXPECT_EQ(FormatInstant(*TrustedClock(s->db(), s->clock()).Peek()), "2027-06-01T00:00:00Z");
}

// ---- policies ----

TEST(RetentionPolicies, DefaultsThenVersionedChanges) {
  TempDir t;
  auto s = MakeStore(t / "s");
  RetentionService svc(*s);
  auto cur = svc.CurrentPolicies();
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(cur->version, 0);
  EXPECT_EQ(cur->policies, DefaultRetentionPolicies());

  auto j = nlohmann::json::parse(R"({"policies": [{"event_type": "MAPF", "rules": [{"after": "event", "days": 30}]}]})");
  auto v1 = svc.SetPolicies(j, "Business Unit");
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(v1->version, 1);
  auto j2 = nlohmann::json::parse(R"({"policies": [{"event_type": "MAS", "rules": [{"after": "event", "days": 10}]}]})");
  auto v2 = svc.SetPolicies(j2, "Business Unit");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2);
  // MAPF keeps version 1's change: a file names only what it changes.
  cur = svc.CurrentPolicies();
  for (const auto& p : cur->policies) {
    if (p.event_type == EventType::kMapf) {
      EXPECT_EQ(p.rules.at(0).days, 30);
    } else if (p.event_type == EventType::kMas) {
      EXPECT_EQ(p.rules.at(0).days, 10);
    } else {
      EXPECT_EQ(p, DefaultRetentionPolicy(p.event_type));
    }
  }
  // Invalid input changes nothing.
  auto bad = nlohmann::json::parse(R"({"policies": [{"event_type": "MAS", "rules": [{"after": "nope", "days": 10}]}]})");
  EXPECT_EQ(svc.SetPolicies(bad, "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(svc.CurrentPolicies()->version, 2);
  // A record from sync applies only when newer.
  PolicyRecord old = *cur;
  old.version = 1;
  EXPECT_FALSE(*svc.ApplyPolicyRecord(old));
  old.version = 7;
  EXPECT_TRUE(*svc.ApplyPolicyRecord(old));
  EXPECT_EQ(svc.CurrentPolicies()->version, 7);
}

// ---- purge ----

TEST(Purge, OfflineDeviceFollowsTheDateAndKeepsOnlyBasics) {
  TempDir t;
  FakeNow fake("2026-03-01");
  auto s = MakeStore(t / "s", fake);
  CaseService cases(*s);
  const std::string due = MakeMasCase(cases, "A.B.", "2026-03-02");    // purge on 2026-05-31
  const std::string later = MakeMasCase(cases, "C.D.", "2026-04-02");  // purge on 2026-07-01
  RetentionService svc(*s);
  auto r = svc.ForCase(due);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->deadline.has_value());
  EXPECT_EQ(FormatDate(r->deadline->purge_on), "2026-05-31");

  fake.Pass(*s, "2026-05-30T23:59:59Z");
  EXPECT_TRUE(svc.PurgeDue()->purged.empty());
  fake.Set("2026-05-31T00:00:00Z");
  const std::size_t ops_before = cases.CountOperations(due).value();
  auto plan = svc.PlanPurge();
  ASSERT_EQ(plan->purged.size(), 1u);
  EXPECT_EQ(cases.CountOperations(due).value(), ops_before);  // a dry run changes nothing
  EXPECT_TRUE(cases.GetCase(due).ok());
  EXPECT_EQ(FormatInstant(*TrustedClock(s->db(), s->clock()).Recorded()), "2026-05-30T23:59:59Z");  // not even the clock
  auto report = svc.PurgeDue();
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->purged.size(), 1u);
  EXPECT_EQ(report->purged[0].case_id, due);

  EXPECT_FALSE(cases.GetCase(due).ok());
  auto resolved = cases.ResolveCaseId(due.substr(0, 8));
  ASSERT_FALSE(resolved.ok());
  EXPECT_NE(resolved.error().message.find("was purged on 2026-05-31 under the retention policy"), std::string::npos)
      << resolved.error().message;
  EXPECT_TRUE(cases.GetCase(later).ok());
  EXPECT_EQ(cases.CountOperations(due).value(), 0u);

  auto tomb = svc.FindTombstone(due.substr(0, 6));
  ASSERT_TRUE(tomb.ok() && tomb->has_value());
  EXPECT_EQ((*tomb)->subject.name_or_initials, "A.B.");
  EXPECT_EQ((*tomb)->subject.area, "Newport");
  EXPECT_EQ(FormatDate((*tomb)->key_dates.at("summary-report-sent")), "2026-03-02");
  EXPECT_EQ((*tomb)->purged_at, "2026-05-31T00:00:00Z");
  EXPECT_NE((*tomb)->rule.find("summary-report-sent + 90 days"), std::string::npos);

  auto receipts = svc.Receipts();
  ASSERT_EQ(receipts->size(), 1u);
  EXPECT_TRUE(VerifyPurgeReceipt(receipts->at(0)));
  EXPECT_EQ(receipts->at(0).store_id, s->id());
  PurgeReceipt forged = receipts->at(0);
  forged.purged_at = "2026-09-01T00:00:00Z";
  EXPECT_FALSE(VerifyPurgeReceipt(forged));

  auto log = Audit(*s).Entries();
  ASSERT_FALSE(log->empty());
  EXPECT_EQ(log->back().kind, AuditKind::kPurge);
  EXPECT_EQ(log->back().case_id, due);
  EXPECT_TRUE(Audit(*s).Verify()->ok);
}

TEST(Purge, ClockSetBackPurgesAnyway) {
  TempDir t;
  FakeNow fake("2026-03-01");
  std::string id;
  {
    auto s = MakeStore(t / "s", fake);
    CaseService cases(*s);
    id = MakeMasCase(cases, "A.B.", "2026-03-02");  // purge on 2026-05-31
    // The device saw a time after the date (here: it was on while the date passed, recorded by the
    // clock), then its clock is set back before the next open.
    fake.Pass(*s, "2026-06-10");
    ASSERT_TRUE(TrustedClock(s->db(), s->clock()).Advance().ok());
  }
  fake.Set("2026-04-01");
  auto s = Reopen(t / "s", fake);
  auto report = RunRetentionAtOpen(*s);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->purged.size(), 1u);
  EXPECT_FALSE(CaseService(*s).GetCase(id).ok());
}

TEST(Purge, ServerTimeSeenPurgesAnyway) {
  TempDir t;
  FakeNow fake("2026-03-01");
  auto s = MakeStore(t / "s", fake);
  CaseService cases(*s);
  const std::string id = MakeMasCase(cases, "A.B.", "2026-03-02");
  ASSERT_TRUE(TrustedClock(s->db(), s->clock()).ObserveServerTime(*ParseInstant("2026-06-01")).ok());
  ASSERT_EQ(RunRetentionAtOpen(*s)->purged.size(), 1u);
}

TEST(Purge, HoldBeatsThePurgeAndReleaseResumesIt) {
  TempDir t;
  FakeNow fake("2026-03-01");
  auto s = MakeStore(t / "s", fake);
  CaseService cases(*s);
  RetentionService svc(*s);
  const std::string id = MakeMasCase(cases, "A.B.", "2026-03-02");
  ASSERT_TRUE(svc.PlaceHold(id, "Family court, care proceedings", "BU officer").ok());
  auto hold = cases.ReadLegalHold(id);
  ASSERT_TRUE(hold.ok() && hold->has_value());
  EXPECT_EQ((*hold)->held_by, "BU officer");

  fake.Pass(*s, "2027-01-01");
  auto report = svc.PurgeDue();
  EXPECT_TRUE(report->purged.empty());
  ASSERT_EQ(report->held.size(), 1u);
  EXPECT_TRUE(cases.GetCase(id).ok());
  EXPECT_TRUE(svc.ForCase(id)->hold.has_value());
  EXPECT_FALSE(svc.ForCase(id)->due);

  ASSERT_TRUE(svc.ReleaseHold(id).ok());
  EXPECT_EQ(svc.ReleaseHold(id).error().code, ErrorCode::kInvalidArgument);  // not on hold any more
  ASSERT_EQ(svc.PurgeDue()->purged.size(), 1u);
  EXPECT_FALSE(cases.GetCase(id).ok());

  std::vector<AuditKind> kinds;
  const auto entries = Audit(*s).Entries();
  ASSERT_TRUE(entries.ok());
  for (const auto& e : *entries) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<AuditKind>{AuditKind::kHold, AuditKind::kRelease, AuditKind::kPurge}));
}

TEST(Purge, HoldInTheReplicaCountsEvenIfTheIndexMissesIt) {
  // A hold that arrived by sync is in the replica before any index row: the purge reads the register.
  TempDir t;
  FakeNow fake("2026-03-01");
  auto s = MakeStore(t / "s", fake);
  CaseService cases(*s);
  const std::string id = MakeMasCase(cases, "A.B.", "2026-03-02");
  ASSERT_TRUE(cases.PlaceLegalHold(id, {"court", "BU", "2026-03-01T00:00:00Z"}).ok());
  ASSERT_TRUE(s->db().Exec("DELETE FROM legal_holds;").ok());
  fake.Pass(*s, "2027-01-01");
  EXPECT_TRUE(RunRetentionAtOpen(*s)->purged.empty());
  EXPECT_TRUE(cases.GetCase(id).ok());
}

TEST(Purge, RemoteTombstonePurgesACaseThisDeviceStillHas) {
  // A device that was offline when the server purged: the tombstone arrives by sync on reconnection.
  TempDir t;
  FakeNow fake("2026-03-01");
  auto s = MakeStore(t / "s", fake);
  CaseService cases(*s);
  RetentionService svc(*s);
  const std::string id = MakeMasCase(cases, "A.B.", "2026-12-02");  // not due locally
  Tombstone tomb{id, EventType::kMas, {"A.B.", "Newport"}, {}, *ParseDate("2026-03-01"), "server", "2026-03-01T00:00:00Z"};

  const std::string held = MakeMasCase(cases, "E.F.", "2026-12-02");
  ASSERT_TRUE(svc.PlaceHold(held, "court", "BU").ok());
  Tombstone held_tomb = tomb;
  held_tomb.case_id = held;
  EXPECT_EQ(svc.ApplyRemoteTombstone(held_tomb).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(cases.GetCase(held).ok());

  auto receipt = svc.ApplyRemoteTombstone(tomb);
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_TRUE(VerifyPurgeReceipt(*receipt));
  EXPECT_FALSE(cases.GetCase(id).ok());
  ASSERT_TRUE(svc.FindTombstone(id)->has_value());
}

// How the purge arrives in the forensic test.
enum class PurgeBy { kLocalClock, kServerTombstone, kClockJumpThenConfirmation };

void PlantPurgeAndSearch(PurgeBy how);

TEST(Purge, NothingOfThePlantedTextSurvivesAnywhere) { PlantPurgeAndSearch(PurgeBy::kLocalClock); }
// Issue 12: the same search when the purge arrives by the server's tombstone (the basics are the device's
// own), and when the device's clock jumped far ahead (nothing goes) and the user then confirmed the date.
TEST(Purge, NothingOfThePlantedTextSurvivesARemoteTombstonePurge) { PlantPurgeAndSearch(PurgeBy::kServerTombstone); }
TEST(Purge, NothingOfThePlantedTextSurvivesAClockJumpThenConfirmation) {
  PlantPurgeAndSearch(PurgeBy::kClockJumpThenConfirmation);
}

void PlantPurgeAndSearch(PurgeBy how) {
  if (!HaveSqlcipherCli()) GTEST_SKIP() << "sqlcipher CLI not installed";
  const auto started = std::chrono::system_clock::now();
  TempDir t;
  const fs::path dir = t / "s";
  // Random per run, so no other file on the machine can match by accident.
  const std::string marker = "PLANTED" + HexEncode(RandomBytes(8));
  const std::string note = marker + "-NOTE the child said something only the note knows";
  const std::string doc = marker + "-DOCUMENT minutes of the core group";
  const std::string comments = marker + "-REPORT facilitator's comments for the summary";
  const std::string chron = marker + "-CHRONOLOGY";
  const std::string typed = marker + "-TYPED a paragraph typed in the window, its version held back";
  const std::string subject = "Zed Quux" + marker.substr(7, 6);
  FakeNow fake("2026-03-01");
  std::string id;
  std::string case_key;  // the shredding key: it must be gone too
  {
    auto s = MakeStore(dir, fake);
    CaseService cases(*s);
    id = MakeMasCase(cases, subject, "2026-03-02");
    ASSERT_TRUE(cases.SetNote(id, "story", note).ok());
    ASSERT_TRUE(cases.AppendNote(id, "story", note).ok());
    ASSERT_TRUE(cases.SetFacilitatorComments(id, comments).ok());
    ASSERT_TRUE(cases.AddDocument(id, DocumentType::kCoreGroupMinutes, "minutes.txt", *ParseDate("2026-02-01"),
                                  "Health", FromString(doc)).ok());
    ChronologyEntry e{*ParseDateTime("2026-01-02"), "Police", chron, chron, chron};
    ASSERT_TRUE(cases.AddChronologyEntry(id, e).ok());
    // Typed last, as the window does, a keystroke at a time: the paragraph's newest version is held back
    // in pending_paragraphs (docs/case-model.md), case content outside the operations, until the purge.
    for (std::size_t i = 0; i < typed.size(); ++i) ASSERT_TRUE(cases.EditNote(id, "story", i, 0, typed.substr(i, 1)).ok());
    ASSERT_EQ(*s->db().QueryInt("SELECT COUNT(*) FROM pending_paragraphs;"), 1);
    auto report = cases.BuildReportInput(id, std::nullopt);
    ASSERT_TRUE(report.ok());
    ASSERT_NE(RenderReport(*report, ReportFormat::kMarkdown).find(comments), std::string::npos);
    auto key = s->db().Prepare("SELECT case_key FROM cases WHERE id = ?;");
    key->Bind(1, id);
    ASSERT_TRUE(*key->Step());
    const Bytes k = key->Blob(0);
    case_key.assign(k.begin(), k.end());
  }
  // The search can find what it looks for: before the purge, the decrypted export holds it all.
  {
    const std::string before = DecryptedExport(dir, t / "before.db");
    for (const auto& s : {note, comments, chron, typed}) ASSERT_NE(before.find(s), std::string::npos) << "the test cannot see " << s;
    fs::remove(t / "before.db");
    // The page decryption below works: it sees the notes and the case key in the raw file too.
    const std::string pages = DecryptAllPages(ReadFile(dir / "store.db"), DatabaseKeyHex(dir));
    ASSERT_NE(pages.find(comments), std::string::npos);
    ASSERT_EQ(case_key.size(), 32u);
    ASSERT_NE(pages.find(case_key), std::string::npos);
  }

  if (how == PurgeBy::kLocalClock) {
    auto s = Reopen(dir, fake);
    fake.Pass(*s, "2026-06-01");
  } else if (how == PurgeBy::kClockJumpThenConfirmation) {
    auto s = Reopen(dir, fake);
    ASSERT_TRUE(TrustedClock(s->db(), s->clock()).Advance().ok());  // the device in use on 2026-03-01
    fake.Set("2077-01-01");  // then a jump: nothing goes, nothing moves
    auto held = RunRetentionAtOpen(*s);
    ASSERT_TRUE(held.ok());
    ASSERT_TRUE(held->purged.empty());
    ASSERT_FALSE(held->postponed.empty());
    ASSERT_TRUE(CaseService(*s).GetCase(id).ok());
    ASSERT_TRUE(TrustedClock(s->db(), s->clock()).ConfirmDate(*ParseDate("2077-01-01")).ok());
  }
  {
    auto s = Reopen(dir, fake);
    if (how == PurgeBy::kServerTombstone) {
      // Not due here: the server's tombstone (no basics: it never had them) purges it.
      Tombstone server{id, EventType::kMas, {"", ""}, {}, *ParseDate("2026-03-01"), "server", "2026-03-01T00:00:00Z"};
      ASSERT_TRUE(RetentionService(*s).ApplyRemoteTombstone(server).ok());
    } else {
      auto report = RunRetentionAtOpen(*s);
      ASSERT_TRUE(report.ok());
      ASSERT_EQ(report->purged.size(), 1u);
    }
    // (b) while the store is open: the database, its WAL and shared memory, raw.
    for (const char* f : {"store.db", "store.db-wal", "store.db-shm"}) {
      const std::string bytes = ReadFile(dir / f);
      EXPECT_EQ(bytes.find(marker), std::string::npos) << f;
    }
    EXPECT_EQ(fs::file_size(dir / "store.db-wal"), 0u) << "the WAL is truncated after a purge";
  }
  // (a) every page of the database decrypted, free pages included (secure_delete zeroes freed content)…
  const std::string pages = DecryptAllPages(ReadFile(dir / "store.db"), DatabaseKeyHex(dir));
  EXPECT_EQ(pages.find(marker), std::string::npos) << "planted text in a decrypted page (live or free) after the purge";
  EXPECT_EQ(pages.find(case_key), std::string::npos) << "the case key survives in a decrypted page: not shredded";
  // … and the decrypted database as sqlcipher_export gives it.
  const std::string after = DecryptedExport(dir, t / "after.db");
  EXPECT_EQ(after.find(marker), std::string::npos) << "planted text in the decrypted database after the purge";
  EXPECT_NE(after.find(subject), std::string::npos) << "the tombstone keeps the name";
  EXPECT_NE(after.find("Newport"), std::string::npos) << "the tombstone keeps the area";
  fs::remove(t / "after.db");
  // (c) every file of the store, blobs included (the blob file is gone).
  for (const auto& [path, bytes] : FilesUnder(dir)) EXPECT_EQ(bytes.find(marker), std::string::npos) << path;
  EXPECT_TRUE(!fs::exists(dir / "blobs") || fs::is_empty(dir / "blobs"));
  // (d) the system temp directory: nothing written there during the test holds it.
  EXPECT_EQ(TempFilesContaining(marker, started), std::vector<fs::path>{});
}

// ---- issue 12: a wrong clock, a purge that arrives from the server ----

// Today at midnight UTC, from the real clock: the tests below hold on any date.
std::int64_t TodayMidnight() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return ms - ms % 86400000;
}
std::string DayString(std::int64_t millis) { return FormatDate(UtcDateOf(millis)); }
constexpr std::int64_t kDay = 86400000;

// A fresh store whose injected clock reads today at midnight UTC.
struct TodayStore {
  TempDir t;
  std::int64_t t0 = TodayMidnight();
  FakeNow fake{FormatInstant(t0)};
  std::unique_ptr<Store> s = MakeStore(t / "s", fake);
  CaseService cases{*s};
  RetentionService svc{*s};
  auto parts() { return std::tie(t0, fake, s, cases, svc); }
};

TEST(ClockJump, FarAheadPurgesNothingAndDoesNotPinTheClock) {
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  const std::string a = MakeMasCase(cases, "A.B.", DayString(t0));  // due at t0 + 90 days
  ASSERT_TRUE(svc.PurgeDue().ok());
  ASSERT_EQ(*TrustedClock(s->db(), s->clock()).Recorded(), t0);

  // The device's clock jumps ~51 years ahead (a wrong system date, or "2077-01-01").
  const std::int64_t far = t0 + 365LL * 51 * kDay;
  fake.SetMillis(far);
  auto report = svc.PurgeDue();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->purged.empty());
  EXPECT_NE(report->postponed.find("nothing is purged until the date is confirmed"), std::string::npos) << report->postponed;
  EXPECT_NE(report->postponed.find("casepack clock confirm " + DayString(far)), std::string::npos) << report->postponed;
  EXPECT_TRUE(cases.GetCase(a).ok());
  EXPECT_EQ(*TrustedClock(s->db(), s->clock()).Recorded(), t0) << "the jump moved the stored clock";
  EXPECT_EQ(*TrustedClock(s->db(), s->clock()).Peek(), t0) << "decisions must use what the store has seen";

  // A case created meanwhile, dated near the real today, survives once the clock is corrected: the
  // store's clock was never pinned at the far date.
  NewCase c;
  c.event_type = EventType::kMapf;
  c.subject = {"C.D.", "Torfaen"};
  c.key_dates = {{"event", UtcDateOf(t0)}};
  const std::string b = *cases.CreateCase(c);
  fake.SetMillis(t0 + kDay);
  report = svc.PurgeDue();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->postponed.empty());
  EXPECT_TRUE(report->purged.empty());
  EXPECT_TRUE(cases.GetCase(a).ok());
  EXPECT_TRUE(cases.GetCase(b).ok());

  // Jumping again: the user confirms by typing the date; a wrong date is refused and changes nothing.
  fake.SetMillis(far);
  auto wrong = TrustedClock(s->db(), s->clock()).ConfirmDate(UtcDateOf(t0));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find(DayString(far)), std::string::npos) << wrong.error().message;
  EXPECT_EQ(*TrustedClock(s->db(), s->clock()).Recorded(), t0 + kDay);
  ASSERT_TRUE(TrustedClock(s->db(), s->clock()).ConfirmDate(UtcDateOf(far)).ok());
  report = svc.PurgeDue();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->postponed.empty());
  EXPECT_EQ(report->purged.size(), 2u) << "once confirmed, the date applies";
}

TEST(ClockJump, AServerTimeConfirmsTheJump) {
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  const std::string a = MakeMasCase(cases, "A.B.", DayString(t0));
  ASSERT_TRUE(svc.PurgeDue().ok());
  // Offline for 100 days (more than the limit): nothing is purged on the device's word alone…
  fake.SetMillis(t0 + 100 * kDay);
  EXPECT_FALSE(svc.PurgeDue()->postponed.empty());
  EXPECT_TRUE(cases.GetCase(a).ok());
  // … until the authenticated server's time agrees.
  ASSERT_TRUE(TrustedClock(s->db(), s->clock()).ObserveServerTime(t0 + 100 * kDay - 60000).ok());
  auto report = svc.PurgeDue();
  EXPECT_TRUE(report->postponed.empty());
  EXPECT_EQ(report->purged.size(), 1u);
}

TEST(ClockJump, MonthsOfOrdinaryOfflineUseStillPurgeOnTime) {
  // No server, ever: the device is used on most days (with gaps of up to three weeks) for eight months.
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  const std::string a = MakeMasCase(cases, "A.B.", DayString(t0));                // due t0 + 90
  const std::string b = MakeMasCase(cases, "C.D.", DayString(t0 + 100 * kDay));    // due t0 + 190
  std::int64_t purged_a = 0, purged_b = 0;
  for (int day = 1; day <= 240; day += (day % 50 == 0 ? 21 : 1)) {
    fake.SetMillis(t0 + day * kDay + 9 * 3600000);  // 09:00 UTC
    auto report = svc.PurgeDue();
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->postponed.empty()) << "day " << day << ": " << report->postponed;
    for (const auto& c : report->purged) (c.case_id == a ? purged_a : purged_b) = day;
  }
  EXPECT_EQ(purged_a, 90);
  EXPECT_EQ(purged_b, 190);
}

TEST(Purge, RemoteTombstoneKeepsTheDevicesBasics) {
  // The server's tombstone carries no basics (it never had them); the device keeps its own.
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  for (EventType type : {EventType::kMapf, EventType::kMapm}) {
    NewCase c;
    c.event_type = type;
    c.subject = {"J.S.", "Blaenau Gwent"};
    const std::string key(type == EventType::kMapf ? keydate::kMapfEvent : keydate::kMapmMeeting);
    c.key_dates = {{key, UtcDateOf(t0)}};
    const std::string id = *cases.CreateCase(c);
    Tombstone server{id, EventType::kMas, {"", ""}, {}, UtcDateOf(t0), "server", FormatInstant(t0)};
    ASSERT_TRUE(svc.ApplyRemoteTombstone(server).ok());
    auto tomb = svc.FindTombstone(id);
    ASSERT_TRUE(tomb.ok() && tomb->has_value());
    EXPECT_EQ((*tomb)->event_type, type);
    EXPECT_EQ((*tomb)->subject.name_or_initials, "J.S.");
    EXPECT_EQ((*tomb)->subject.area, "Blaenau Gwent");
    ASSERT_EQ((*tomb)->key_dates.count(key), 1u);
    EXPECT_EQ((*tomb)->key_dates.at(key), UtcDateOf(t0));
    EXPECT_EQ((*tomb)->purged_at, FormatInstant(t0));
  }
}

TEST(RetentionDue, ListsTheCasesDueWithinTheWindowEarliestFirst) {
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  const std::string late = MakeMasCase(cases, "A.B.", DayString(t0 - 60 * kDay));  // due t0 + 30
  const std::string soon = MakeMasCase(cases, "C.D.", DayString(t0 - 85 * kDay));  // due t0 + 5
  MakeMasCase(cases, "E.F.", DayString(t0));                                         // due t0 + 90
  ASSERT_TRUE(svc.PlaceHold(late, "court", "BU").ok());
  auto due = svc.DueWithin(UtcDateOf(t0), 30);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ(due->at(0).case_id, soon);
  EXPECT_EQ(due->at(0).subject.name_or_initials, "C.D.");
  EXPECT_EQ(due->at(1).case_id, late);
  EXPECT_TRUE(due->at(1).hold.has_value());
  EXPECT_EQ(svc.DueWithin(UtcDateOf(t0), 4)->size(), 0u);
}

TEST(DestructionCertificate, SignedVerifiableOfflineAndEveryEditDetected) {
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  const std::string id = MakeMasCase(cases, "J.S.", DayString(t0));
  fake.Pass(*s, FormatInstant(t0 + 91 * kDay));
  ASSERT_EQ(svc.PurgeDue()->purged.size(), 1u);
  CertificateInput in;
  in.tombstone = **svc.FindTombstone(id);
  in.receipt = svc.Receipts()->at(0);
  wire::CaseConfirmations server;
  server.case_id = id;
  server.purged = true;
  server.purged_at_ms = t0 + 90 * kDay;
  // d1 is this device: it confirmed with the receipt it signed (the server hands it back as received).
  const PurgeReceipt& mine = *in.receipt;
  server.devices = {{"u1", "d1", true, mine.purged_at, mine.store_id, mine.public_key, mine.signature}, {"u2", "d2", false, ""}};
  in.server = server;
  in.issued_at = FormatInstant(t0 + 92 * kDay);
  in.issued_by = s->id();
  const nlohmann::json cert = IssueCertificate(in, s->identity());
  auto ok = VerifyCertificate(cert.dump(2));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->case_id, id);
  EXPECT_EQ(ok->confirmed, 1u);
  EXPECT_EQ(ok->unconfirmed, 1u);
  const std::string text = RenderCertificateText(cert);
  for (const std::string& want : {std::string("CERTIFICATE OF DESTRUCTION"), std::string("J.S."), std::string("Newport"),
                                  std::string("summary-report-sent + 90 days"), std::string("NOT confirmed yet")})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  // Every kind of edit fails: the basics, a confirmation, the dates, the embedded receipt, the signature.
  std::vector<std::function<void(nlohmann::json&)>> edits = {
      [](nlohmann::json& j) { j["case"]["subject"] = "K.S."; },
      [](nlohmann::json& j) { j["central_store"]["devices"][1]["confirmed"] = true; },
      [](nlohmann::json& j) { j["case"]["purge_on"] = "2099-01-01"; },
      [](nlohmann::json& j) { j["device_receipt"]["purged_at"] = "2099-01-01T00:00:00Z"; },
      [](nlohmann::json& j) { j["signature"] = std::string(128, '0'); },
      [](nlohmann::json& j) { j.erase("central_store"); },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    nlohmann::json bad = cert;
    edits[i](bad);
    auto r = VerifyCertificate(bad.dump());
    ASSERT_FALSE(r.ok()) << "edit " << i << " was not detected";
    EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  }
  EXPECT_FALSE(VerifyCertificate("not json").ok());
}

// The certificate does not ask anyone to trust the central store's word that a device purged: each
// confirmation carries the device's own signed receipt, checked on its own. A certificate signed in good
// order (by any key) around a confirmation without a receipt, with a forged one, or with another case's
// receipt fails.
TEST(DestructionCertificate, EveryConfirmationCarriesTheDevicesOwnSignedReceipt) {
  TodayStore today;
  auto [t0, fake, s, cases, svc] = today.parts();
  const std::string id = MakeMasCase(cases, "J.S.", DayString(t0));
  const std::string other = MakeMasCase(cases, "K.T.", DayString(t0));
  fake.Pass(*s, FormatInstant(t0 + 91 * kDay));
  ASSERT_EQ(svc.PurgeDue()->purged.size(), 2u);
  PurgeReceipt mine, others;
  const auto receipts = svc.Receipts();
  ASSERT_TRUE(receipts.ok());
  for (const auto& r : *receipts) (r.case_id == id ? mine : others) = r;
  ASSERT_EQ(mine.case_id, id);
  auto issue = [&](wire::DeviceConfirmation d) {
    CertificateInput in;
    in.tombstone = **svc.FindTombstone(id);
    wire::CaseConfirmations server;
    server.case_id = id;
    server.purged = true;
    server.purged_at_ms = t0 + 90 * kDay;
    server.devices = {std::move(d)};
    in.server = server;
    in.issued_at = FormatInstant(t0 + 92 * kDay);
    in.issued_by = s->id();
    return IssueCertificate(in, s->identity()).dump();
  };
  const wire::DeviceConfirmation good{"u1", "d1", true, mine.purged_at, mine.store_id, mine.public_key, mine.signature};
  auto ok = VerifyCertificate(issue(good));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->confirmed, 1u);
  wire::DeviceConfirmation forged = good;
  forged.purged_at = FormatInstant(t0 + 30 * kDay);  // an earlier purge than the device signed
  wire::DeviceConfirmation wrong_case = good;
  wrong_case.purged_at = others.purged_at;
  wrong_case.store_id = others.store_id;
  wrong_case.signature = others.signature;  // a real signature, over another case's receipt
  wire::DeviceConfirmation unsigned_one = good;
  unsigned_one.signature.assign(64, 0);
  for (const auto& [what, d] : {std::pair{"forged time", forged}, std::pair{"another case's receipt", wrong_case},
                                std::pair{"zero signature", unsigned_one}}) {
    auto r = VerifyCertificate(issue(d));
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_NE(r.error().message.find("purge receipt does not verify"), std::string::npos) << what << ": " << r.error().message;
  }
  // A confirmation with its receipt removed, the certificate signed again by its issuer: still refused.
  nlohmann::json stripped = nlohmann::json::parse(issue(good));
  stripped["central_store"]["devices"][0].erase("receipt");
  stripped.erase("signature");
  const auto sig = s->identity().Sign(AsBytes(stripped.dump()));
  stripped["signature"] = HexEncode(Bytes(sig.begin(), sig.end()));
  auto r = VerifyCertificate(stripped.dump());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("has no signed receipt"), std::string::npos) << r.error().message;
}

// `deadlines` in Welsh: the purge line names key dates by their Welsh names and says "diwrnod", for a
// deadline, for a case with none of the policy's key dates, and for a case on hold.
TEST(DescribePurgeDate, SpeaksTheChosenLanguage) {
  CaseRetention r;
  r.event_type = EventType::kMas;
  r.no_deadline_reason = "case x has no key date the retention policy counts from; record one of: event";
  r.missing_key_dates = {"summary-report-sent", "event"};
  EXPECT_EQ(DescribePurgeDate(r), "unknown: " + r.no_deadline_reason);
  const std::string cy = DescribePurgeDate(r, Language::kWelsh);
  EXPECT_EQ(cy.rfind("anhysbys: cofnodwch un o'r rhain: ", 0), 0u) << cy;
  EXPECT_NE(cy.find(KeyDateTitle(Language::kWelsh, EventType::kMas, **FindKeyDate(EventType::kMas, "event"))), std::string::npos) << cy;
  r.deadline = RetentionDeadline{Date{2031, 5, 6}, "event", Date{2031, 1, 6}, 120};
  r.hold = LegalHold{"court", "BU", "2031-02-03T10:00:00Z"};
  EXPECT_EQ(DescribePurgeDate(r), "on hold (legal hold since 2031-02-03); otherwise 2031-05-06 (event + 120 days)");
  EXPECT_EQ(DescribePurgeDate(r, Language::kWelsh),
            "wedi'i atal (ataliad cyfreithiol ers 2031-02-03); fel arall 2031-05-06 (" +
                KeyDateTitle(Language::kWelsh, EventType::kMas, **FindKeyDate(EventType::kMas, "event")) + " + 120 diwrnod)");
}

}  // namespace
}  // namespace casepack
