// The retention and audit commands on a real store: purge at open under the forward-only clock, legal
// hold, `purge --dry-run`, what a purged case says, and `audit verify` against tampering.
#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "casepack/aead.h"
#include "casepack/kdf.h"
#include "casepack/store.h"
#include "casepack/trusted_clock.h"
#include "cli_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RetentionCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    cli_ = CASEPACK_TESTCLOCK_CLI;
    InitStore();
  }

  // Runs at `when` on casepack-testclock. A device used in between: when `when` is more than 30 days
  // after the latest time used so far, a command runs every 30 days up to it (ordinary use, no jump).
  ProcessResult At(const std::string& when, std::vector<std::string> args, RunOptions opt = {}) {
    const std::int64_t target = *ParseInstant(when);
    constexpr std::int64_t kStep = 30LL * 86400000;
    while (latest_ > 0 && latest_ + kStep < target) {
      latest_ += kStep;
      RunOptions walk;
      walk.env["CASEPACK_TEST_NOW"] = FormatInstant(latest_);
      EXPECT_EQ(Cli({"status"}, walk).exit_code, 0);
    }
    latest_ = std::max(latest_, target);
    opt.env["CASEPACK_TEST_NOW"] = when;
    return Cli(std::move(args), opt);
  }
  std::int64_t latest_ = 0;

  // A MAS case whose summary report went on `sent`: purged 90 days later by default.
  std::string NewCase(const std::string& when, const std::string& subject, const std::string& sent) {
    auto r = At(when, {"case", "new", "--type", "MAS", "--subject", subject, "--area", "Blaenau Gwent", "--date",
                       "event=2026-01-05", "--date", "summary-report-sent=" + sent});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string id = r.out;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
  }

  std::string KeyHex() {
    auto header = StoreHeader::Parse(ReadFile(fs::path(store_) / "store.header"));
    auto kek = DeriveKey(kPassphrase, header->kdf);
    return HexEncode(UnwrapKey(*kek, header->wrapped_db_key, AsBytes(header->AssociatedData()))->expose());
  }

  ProcessResult Sqlcipher(const std::string& sql) {
    const std::string script = "PRAGMA key = \"x'" + KeyHex() + "'\";\nPRAGMA cipher_page_size = 4096;\n" + sql + "\n";
    return RunProcess({"sqlcipher", (fs::path(store_) / "store.db").string()}, {.stdin_data = script});
  }
};

bool HaveSqlcipherCli() { return std::system("command -v sqlcipher >/dev/null 2>&1") == 0; }

TEST_F(RetentionCli, CaseShowAndDeadlinesShowThePurgeDate) {
  const std::string id = NewCase("2026-03-01", "A.B.", "2026-03-02");
  auto show = At("2026-03-01", {"case", "show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("purge date  2026-05-31 (summary-report-sent + 90 days)"), std::string::npos) << show.out;
  auto j = json::parse(At("2026-03-01", {"case", "show", id, "--json"}).out);
  EXPECT_EQ(j["retention"]["purge_on"], "2026-05-31");
  EXPECT_EQ(j["retention"]["on_hold"], false);
  auto deadlines = At("2026-03-01", {"deadlines", "--today", "2026-03-01"});
  EXPECT_NE(deadlines.out.find("purge    2026-05-31"), std::string::npos) << deadlines.out;
  auto dj = json::parse(At("2026-03-01", {"deadlines", "--json"}).out);
  EXPECT_EQ(dj.at(0)["retention"]["purge_on"], "2026-05-31");
}

TEST_F(RetentionCli, OfflineDevicePurgesOnTimeAtAnyOpen) {
  const std::string id = NewCase("2026-03-01", "A.B.", "2026-03-02");
  const std::string keep = NewCase("2026-03-01", "C.D.", "2026-05-02");
  EXPECT_EQ(At("2026-05-30", {"case", "show", id}).exit_code, 0);

  // --dry-run shows what would go and when, and changes nothing (not even the clock).
  auto dry = At("2026-06-01", {"purge", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would purge " + id.substr(0, 8)), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("later       " + keep.substr(0, 8) + "  MAS   2026-07-31"), std::string::npos) << dry.out;
  auto dj = json::parse(At("2026-06-01", {"purge", "--dry-run", "--json"}).out);
  EXPECT_EQ(dj["dry_run"], true);
  EXPECT_EQ(dj["purged"].size(), 1u);
  EXPECT_EQ(At("2026-05-30", {"case", "show", id}).exit_code, 0) << "a dry run purged or moved the clock";

  // Any command, here `case list`, purges first.
  auto list = At("2026-06-01", {"case", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.err.find("purged 1 case(s) past their retention date"), std::string::npos) << list.err;
  EXPECT_NE(list.out.find(id.substr(0, 8) + "  MAS   purged on 2026-06-01  A.B."), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Blaenau Gwent"), std::string::npos);

  auto lj = json::parse(At("2026-06-01", {"case", "list", "--json"}).out);
  bool found = false;
  for (const auto& c : lj)
    if (c["id"] == id) {
      found = true;
      EXPECT_EQ(c["status"], "purged");
      EXPECT_EQ(c["subject"], "A.B.");
      EXPECT_EQ(c["area"], "Blaenau Gwent");
      EXPECT_FALSE(c.contains("lead_agency"));
    }
  EXPECT_TRUE(found) << lj.dump();

  for (std::vector<std::string> cmd : {std::vector<std::string>{"case", "show", id}, {"note", "show", id},
                                       {"case", "hold", id, "--reason", "x"}, {"report", id, "--format", "md", "-o", "-"}}) {
    auto r = At("2026-06-02", cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd[0];
    EXPECT_NE(r.err.find("case " + id.substr(0, 8) + " was purged on 2026-06-01 under the retention policy"),
              std::string::npos) << r.err;
  }
  EXPECT_EQ(At("2026-06-02", {"case", "show", keep}).exit_code, 0);
  auto receipts = json::parse(At("2026-06-02", {"retention", "receipts", "--json"}).out);
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0]["case_id"], id);
}

TEST_F(RetentionCli, ClockSetBackPurgesAnyway) {
  // The device is used after a policy makes the case due later; then the Business Unit shortens the
  // policy while the laptop's clock has been set back before the date: the recorded time decides.
  const std::string id = NewCase("2026-03-01", "A.B.", "2026-03-02");
  WriteFile(tmp_ / "long.json", R"({"policies": [{"event_type": "MAS", "rules": [{"after": "summary-report-sent", "days": 3000}]}]})");
  WriteFile(tmp_ / "short.json", R"({"policies": [{"event_type": "MAS", "rules": [{"after": "summary-report-sent", "days": 90}]}]})");
  ASSERT_EQ(At("2026-03-01", {"retention", "set", "--file", (tmp_ / "long.json").string()}).exit_code, 0);
  ASSERT_EQ(At("2026-07-01", {"case", "show", id}).exit_code, 0);  // recorded: 2026-07-01
  auto set = At("2026-04-01", {"retention", "set", "--file", (tmp_ / "short.json").string()});  // clock set back
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("purged 1 case(s)"), std::string::npos) << set.out;
  auto show = At("2026-04-01", {"case", "show", id});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_NE(show.err.find("was purged on 2026-07-01"), std::string::npos) << show.err;
  auto policies = json::parse(At("2026-04-01", {"retention", "show", "--json"}).out);
  EXPECT_EQ(policies["version"], 2);
  // A date alone runs at that day's real time of day (casepack-testclock): the day is what counts.
  EXPECT_EQ(policies["retention_clock"].get<std::string>().substr(0, 10), "2026-07-01") << policies.dump();
}

TEST_F(RetentionCli, HeldCaseSurvivesItsDateAndGoesAfterRelease) {
  const std::string id = NewCase("2026-03-01", "A.B.", "2026-03-02");
  auto hold = At("2026-03-01", {"case", "hold", id.substr(0, 6), "--reason", "care proceedings", "--by", "BU"});
  ASSERT_EQ(hold.exit_code, 0) << hold.err;
  auto show = At("2026-09-01", {"case", "show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("LEGAL HOLD  care proceedings (placed by BU"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("on hold"), std::string::npos);
  auto dry = At("2026-09-01", {"purge", "--dry-run"});
  EXPECT_NE(dry.out.find("kept (legal hold) " + id.substr(0, 8)), std::string::npos) << dry.out;
  EXPECT_EQ(At("2026-09-01", {"purge"}).exit_code, 0);
  EXPECT_EQ(At("2026-09-02", {"case", "show", id}).exit_code, 0);

  auto release = At("2026-09-03", {"case", "release", id});
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_NE(release.out.find("has been purged"), std::string::npos) << release.out;
  EXPECT_EQ(At("2026-09-03", {"case", "show", id}).exit_code, 1);
  auto log = At("2026-09-03", {"audit", "list", "--json"});
  EXPECT_NE(log.out.find("\"kind\":\"hold\""), std::string::npos);
  EXPECT_NE(log.out.find("\"kind\":\"release\""), std::string::npos);
  EXPECT_NE(log.out.find("\"kind\":\"purge\""), std::string::npos);
}

TEST_F(RetentionCli, BadPolicyFileChangesNothing) {
  WriteFile(tmp_ / "bad.json", R"({"policies": [{"event_type": "MAS", "rules": [{"after": "event", "days": 99999}]}]})");
  auto r = Cli({"retention", "set", "--file", (tmp_ / "bad.json").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("casepack: error:"), std::string::npos);
  WriteFile(tmp_ / "junk.json", "{nope");
  EXPECT_EQ(Cli({"retention", "set", "--file", (tmp_ / "junk.json").string()}).exit_code, 1);
  EXPECT_EQ(json::parse(Cli({"retention", "show", "--json"}).out)["version"], 0);
}

TEST_F(RetentionCli, AuditVerifyExportAndTampering) {
  const std::string id = NewCase("2026-03-01", "Xavier Plantedname", "2026-03-02");
  ASSERT_EQ(At("2026-03-01", {"note", "add", id, "story"}, {.stdin_data = "A planted note text\n"}).exit_code, 0);
  ASSERT_EQ(At("2026-03-01", {"case", "show", id}).exit_code, 0);
  ASSERT_EQ(At("2026-03-01", {"report", id, "--format", "md", "-o", (tmp_ / "r.md").string()}).exit_code, 0);
  ASSERT_EQ(At("2026-03-01", {"case", "hold", id, "--reason", "Court ref ZZ123"}).exit_code, 0);
  auto ok = Cli({"audit", "verify"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("chain and signatures verified"), std::string::npos);

  const std::string file = (tmp_ / "audit.jsonl").string();
  ASSERT_EQ(Cli({"audit", "export", "-o", file}).exit_code, 0);
  const std::string exported = ReadFile(file);
  for (const char* content : {"Xavier", "Plantedname", "Blaenau", "planted note", "ZZ123"})
    EXPECT_EQ(exported.find(content), std::string::npos) << content;
  EXPECT_NE(exported.find("\"kind\":\"report\""), std::string::npos);
  // Verifying the file needs no store and no passphrase.
  auto vf = RunProcess({CASEPACK_CLI, "audit", "verify", "--file", file});
  EXPECT_EQ(vf.exit_code, 0) << vf.err;
  std::string tampered = exported;
  tampered[tampered.find("casepack case show")] = 'K';
  WriteFile(tmp_ / "t.jsonl", tampered);
  auto vt = RunProcess({CASEPACK_CLI, "audit", "verify", "--file", (tmp_ / "t.jsonl").string()});
  EXPECT_EQ(vt.exit_code, 1);
  EXPECT_NE(vt.err.find("fails verification at entry"), std::string::npos) << vt.err;

  if (!HaveSqlcipherCli()) GTEST_SKIP() << "sqlcipher CLI not installed";
  auto t = Sqlcipher("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'casepack case list' WHERE seq = 2;");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto bad = Cli({"audit", "verify"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("fails verification at entry 2"), std::string::npos) << bad.err;
}

TEST_F(RetentionCli, PurgedContentIsNowhereInTheStore) {
  if (!HaveSqlcipherCli()) GTEST_SKIP() << "sqlcipher CLI not installed";
  const std::string marker = "QPLANT" + std::to_string(::getpid()) + "X";
  const std::string id = NewCase("2026-03-01", "Ynys Test", "2026-03-02");
  ASSERT_EQ(At("2026-03-01", {"note", "add", id, "story"}, {.stdin_data = marker + " note\n"}).exit_code, 0);
  ASSERT_EQ(At("2026-03-01", {"comments", id}, {.stdin_data = marker + " comments for the report\n"}).exit_code, 0);
  WriteFile(tmp_ / "doc.txt", marker + " document\n");
  ASSERT_EQ(At("2026-03-01", {"doc", "add", id, (tmp_ / "doc.txt").string(), "--type", "core-group-minutes", "--from", "Health"}).exit_code, 0);
  fs::remove(tmp_ / "doc.txt");
  // The search can see what it looks for: before the purge, the decrypted export holds it.
  const std::string before = (tmp_ / "before.db").string();
  ASSERT_EQ(Sqlcipher("ATTACH DATABASE '" + before + "' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;").exit_code, 0);
  ASSERT_NE(ReadFile(before).find(marker), std::string::npos) << "the test cannot see the planted text";
  fs::remove(before);

  ASSERT_EQ(At("2026-06-01", {"status"}).exit_code, 0);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(store_, ec); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    EXPECT_EQ(ReadFile(it->path()).find(marker), std::string::npos) << it->path();
  }
  const std::string plain = (tmp_ / "plain.db").string();
  auto exp = Sqlcipher("ATTACH DATABASE '" + plain + "' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;");
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  const std::string decrypted = ReadFile(plain);
  ASSERT_FALSE(decrypted.empty());
  EXPECT_EQ(decrypted.find(marker), std::string::npos);
  EXPECT_NE(decrypted.find("Ynys Test"), std::string::npos);
  EXPECT_NE(decrypted.find("Blaenau Gwent"), std::string::npos);
}

// ---- issue 12 ----

std::string DayFromToday(int days) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return FormatDate(UtcDateOf(ms + static_cast<std::int64_t>(days) * 86400000));
}

TEST_F(RetentionCli, ShippedBinaryIgnoresFakeNow) {
  // The old testing aids move nothing in the shipped casepack: a case due in 90 days is not purged.
  cli_ = CASEPACK_CLI;
  auto made = Cli({"case", "new", "--type", "MAS", "--subject", "A.B.", "--area", "Newport", "--date",
                   "summary-report-sent=" + DayFromToday(0)});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string id = made.out.substr(0, made.out.find('\n'));
  RunOptions opt;
  opt.env["CASEPACK_FAKE_NOW"] = "2077-01-01";
  opt.env["CASEPACK_TEST_NOW"] = "2077-01-01";
  auto list = Cli({"case", "list"}, opt);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.err.find("purged"), std::string::npos) << list.err;
  auto show = Cli({"case", "show", id}, opt);
  EXPECT_EQ(show.exit_code, 0) << show.err;
  auto clock = json::parse(Cli({"retention", "show", "--json"}, opt).out);
  EXPECT_EQ(clock["retention_clock"].get<std::string>().substr(0, 4), DayFromToday(0).substr(0, 4));
}

TEST_F(RetentionCli, ClockJumpPurgesNothingSaysSoAndIsConfirmedByTypingTheDate) {
  const std::string today = DayFromToday(0), far = DayFromToday(365 * 51);
  const std::string id = NewCase(today, "A.B.", today);  // due in 90 days: long past by the far date
  RunOptions jump;
  jump.env["CASEPACK_TEST_NOW"] = far;
  for (std::vector<std::string> cmd : {std::vector<std::string>{"status"}, {"case", "list"}, {"case", "show", id}}) {
    auto r = Cli(cmd, jump);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "casepack: warning: the device's clock says " + far + ", " + std::to_string((*ParseInstant(far) - *ParseInstant(today)) / 86400000) +
                         " days past the latest time this store has seen (" + today +
                         "); nothing is purged until the date is confirmed: 'casepack clock confirm " + far +
                         "' if it is right, a sync with the server, or correct the clock\n");
  }
  auto wrong = Cli({"clock", "confirm", today}, jump);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("is not the device's date (" + far + ")"), std::string::npos) << wrong.err;
  EXPECT_EQ(Cli({"case", "show", id}, jump).exit_code, 0);
  auto ok = Cli({"clock", "confirm", far}, jump);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("purged 1 case(s)"), std::string::npos) << ok.out;
  auto after = Cli({"case", "list"}, jump);
  EXPECT_EQ(after.err, "");
}

TEST_F(RetentionCli, RetentionDueListsTheNextDaysForReview) {
  const std::string today = DayFromToday(0);
  const std::string soon = NewCase(today, "A.B.", DayFromToday(-80));   // due in 10 days
  const std::string later = NewCase(today, "C.D.", DayFromToday(-30));  // due in 60 days
  auto text = At(today, {"retention", "due", "--days", "30"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(DayFromToday(10) + "  " + soon.substr(0, 8) + "  MAS   A.B."), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(later.substr(0, 8)), std::string::npos) << text.out;
  auto j = json::parse(At(today, {"retention", "due", "--days", "90", "--json"}).out);
  ASSERT_EQ(j["cases"].size(), 2u);
  EXPECT_EQ(j["cases"][0]["case_id"], soon);
  EXPECT_EQ(j["cases"][0]["purge_on"], DayFromToday(10));
  EXPECT_EQ(j["cases"][0]["subject"], "A.B.");
  EXPECT_EQ(j["cases"][1]["case_id"], later);
}

TEST_F(RetentionCli, CaseAlreadyPastItsPurgeDateIsRefusedAtCreationAndImport) {
  const std::string today = DayFromToday(0);
  const std::vector<std::string> past = {"case", "new", "--type", "MAS", "--subject", "A.B.", "--area", "Newport",
                                         "--date", "summary-report-sent=" + DayFromToday(-100)};
  auto refused = At(today, past);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("the case is already past its purge date: " + DayFromToday(-10) +
                             " (summary-report-sent + 90 days) is on or before today (" + today + ")"),
            std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("casepack: hint: check its dates; add --past-purge-date"), std::string::npos) << refused.err;
  EXPECT_EQ(json::parse(At(today, {"case", "list", "--json"}).out).size(), 0u) << "nothing was created";
  std::vector<std::string> asked = past;
  asked.push_back("--past-purge-date");
  EXPECT_EQ(At(today, asked).exit_code, 0) << "asked for explicitly";

  // A pack sealed while its case was in date, opened by a store whose today is past that date.
  const std::string id = NewCase(today, "C.D.", today);  // purged 90 days from today
  WriteFile(tmp_ / "pw", "a transfer password for the test\n");
  const std::string pack = (tmp_ / "case.age").string();
  auto sealed = At(today, {"pack", "seal", id, "-o", pack, "--from", "BU", "--password-file", (tmp_ / "pw").string(),
                           "--work-factor", "10"});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  store_ = (tmp_ / "other").string();
  latest_ = 0;
  InitStore();
  const std::string later = DayFromToday(120);
  auto open = At(later, {"pack", "open", pack, "--password-file", (tmp_ / "pw").string()});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_NE(open.err.find("the case is already past its purge date: " + DayFromToday(90)), std::string::npos) << open.err;
  EXPECT_EQ(json::parse(At(later, {"case", "list", "--json"}).out).size(), 0u) << "nothing was imported";
  auto forced = At(later, {"pack", "open", pack, "--password-file", (tmp_ / "pw").string(), "--past-purge-date"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

// A full disk: a small tmpfs (root only; skipped otherwise). Reading works, the retention check that
// cannot write postpones itself and says so, and a write fails saying nothing was changed, with a hint.
TEST_F(RetentionCli, FullDiskStillReadsAndWritesSayNothingWasChanged) {
  const fs::path mnt = tmp_ / "small";
  fs::create_directory(mnt);
  if (::geteuid() != 0 || RunProcess({"mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt.string()}).exit_code != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  struct Unmount {
    fs::path p;
    ~Unmount() { RunProcess({"umount", "-l", p.string()}); }
  } unmount{mnt};
  store_ = (mnt / "store").string();
  latest_ = 0;
  InitStore();
  const std::string today = DayFromToday(0);
  const std::string id = NewCase(today, "A.B.", today);
  WriteFile(tmp_ / "note.txt", "the note before the disk filled\n");
  ASSERT_EQ(At(today, {"note", "add", id, "story", "--file", (tmp_ / "note.txt").string()}).exit_code, 0);
  // Fill the file system to the last block.
  {
    const int fd = ::open((mnt / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    const std::string block(1 << 16, 'x');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    const std::string byte(1, 'x');
    while (::write(fd, byte.data(), 1) > 0) {
    }
    ::close(fd);
  }
  const std::string later = DayFromToday(1);  // the clock moves: the check wants to write
  for (std::vector<std::string> cmd : {std::vector<std::string>{"status"}, {"case", "list"}, {"note", "show", id},
                                       {"audit", "verify"}, {"retention", "due"}}) {
    auto r = At(later, cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd[0] << ": " << r.err;
    EXPECT_EQ(r.err.find("error"), std::string::npos) << r.err;
    // No room for the shared-memory index: the store was opened exclusively, read only, and says so, with
    // everything else the full disk stopped, in one line.
    EXPECT_NE(r.err.find("casepack: warning: the disk is full: the store is open read only"), std::string::npos)
        << cmd[0] << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd[0] << ": " << r.err;
  }
  auto shown = At(later, {"note", "show", id});
  EXPECT_NE(shown.out.find("the note before the disk filled"), std::string::npos) << shown.out;
  EXPECT_NE(shown.err.find("; the retention check is postponed to the next command"), std::string::npos) << shown.err;
  EXPECT_NE(shown.err.find("; this access could not be added to the audit log; free some space\n"), std::string::npos)
      << shown.err;
  EXPECT_EQ(std::count(shown.err.begin(), shown.err.end(), '\n'), 1) << shown.err;
  WriteFile(tmp_ / "more.txt", std::string(256 * 1024, 'y'));
  auto write = At(later, {"note", "add", id, "story", "--file", (tmp_ / "more.txt").string()});
  EXPECT_EQ(write.exit_code, 1);
  EXPECT_NE(write.err.find("the disk is full"), std::string::npos) << write.err;
  EXPECT_NE(write.err.find("nothing was changed"), std::string::npos) << write.err;
  EXPECT_NE(write.err.find("casepack: hint: free some space"), std::string::npos) << write.err;
  // Found by an outside test: three warnings about the full disk came before the error that says the same.
  // A command that fails for the full disk says it once: the error and the hint.
  EXPECT_EQ(std::count(write.err.begin(), write.err.end(), '\n'), 2) << write.err;
  fs::remove(mnt / "filler");
  auto after = At(later, {"note", "show", id});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out.find("yyyy"), std::string::npos) << "the failed write changed the notes";
  EXPECT_EQ(after.err, "");
}

}  // namespace
}  // namespace casepack::testing
