// The retention and audit commands on a real store: purge at open under the forward-only clock, legal
// hold, `purge --dry-run`, what a purged case says, and `audit verify` against tampering.
#include <nlohmann/json.hpp>

#include "casepack/aead.h"
#include "casepack/kdf.h"
#include "casepack/store.h"
#include "cli_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RetentionCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    InitStore();
  }

  ProcessResult At(const std::string& when, std::vector<std::string> args, RunOptions opt = {}) {
    opt.env["CASEPACK_FAKE_NOW"] = when;
    return Cli(std::move(args), opt);
  }

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
  EXPECT_EQ(policies["retention_clock"], "2026-07-01T00:00:00Z");
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

}  // namespace
}  // namespace casepack::testing
