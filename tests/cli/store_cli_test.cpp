#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>

#include "casepack/store.h"
#include "cli_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;

TEST_F(CliTest, InitStatusPasswd) {
  InitStore();
  auto status = Cli({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["store"], store_);
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_GE(j["schema_version"].get<int>(), 1);
  EXPECT_EQ(j["store_id"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["identity"]["x25519"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["counts"]["cases"], 0);

  auto text = Cli({"status"});
  EXPECT_NE(text.out.find(j["store_id"].get<std::string>()), std::string::npos);

  WriteFile(tmp_ / "new", "an entirely different passphrase\n");
  auto passwd = Cli({"passwd", "--new-passphrase-file", (tmp_ / "new").string(), "--insecure-test-kdf"});
  ASSERT_EQ(passwd.exit_code, 0) << passwd.err;

  auto old = Cli({"status"});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_NE(old.err.find("casepack: error: wrong passphrase"), std::string::npos) << old.err;

  auto fresh = RunProcess({CASEPACK_CLI, "--store", store_, "--passphrase-file", (tmp_ / "new").string(), "status", "--json"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_EQ(nlohmann::json::parse(fresh.out)["store_id"], j["store_id"]);
}

TEST_F(CliTest, EnvironmentChoosesStoreAndPassphraseFile) {
  InitStore();
  auto r = RunProcess({CASEPACK_CLI, "status"},
               {.env = {{"CASEPACK_STORE", store_}, {"CASEPACK_PASSPHRASE_FILE", (tmp_ / "pass").string()}}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto xdg = RunProcess({CASEPACK_CLI, "status"}, {.env = {{"XDG_DATA_HOME", tmp_.path().string()},
                                                    {"CASEPACK_PASSPHRASE_FILE", (tmp_ / "pass").string()}},
                                            .unset_env = {"CASEPACK_STORE"}});
  EXPECT_EQ(xdg.exit_code, 1);
  EXPECT_NE(xdg.err.find((tmp_ / "casepack").string()), std::string::npos) << xdg.err;
}

TEST_F(CliTest, WrongPassphraseIsOneClearLine) {
  InitStore();
  WriteFile(tmp_ / "bad", "this is not the passphrase\n");
  auto r = RunProcess({CASEPACK_CLI, "--store", store_, "--passphrase-file", (tmp_ / "bad").string(), "status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("casepack: error: wrong passphrase for store " + store_, 0), 0u) << r.err;
  EXPECT_NE(r.err.find("casepack: hint:"), std::string::npos);
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, WeakOrEmptyPassphraseRefusedAtInit) {
  WriteFile(tmp_ / "pass", "hunter2\n");
  auto weak = Cli({"init", "--insecure-test-kdf"});
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_NE(weak.err.find("too short"), std::string::npos) << weak.err;
  EXPECT_NE(weak.err.find("casepack: hint:"), std::string::npos);
  EXPECT_FALSE(fs::exists(store_));
  WriteFile(tmp_ / "pass", "\n");
  auto empty = Cli({"init", "--insecure-test-kdf"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;
  EXPECT_FALSE(fs::exists(store_));
}

TEST_F(CliTest, NoTerminalAndNoFileSaysHowToScriptIt) {
  InitStore();
  auto r = RunProcess({CASEPACK_CLI, "--store", store_, "status"}, {.unset_env = {"CASEPACK_PASSPHRASE_FILE"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no terminal"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--passphrase-file"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Cli({"status", "--no-such-flag"}).exit_code, 2);
  // A passphrase is never accepted as an argument: it would show in `ps` and shell history.
  auto r = Cli({"init", "--passphrase", "correct horse battery staple"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(RunProcess({CASEPACK_CLI}).exit_code, 2);
  EXPECT_EQ(RunProcess({CASEPACK_CLI, "--help"}).exit_code, 0);
}

TEST_F(CliTest, MissingNotAStoreNewerAndCorruptHeader) {
  auto missing = Cli({"status"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no store at " + store_), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("casepack init"), std::string::npos);

  fs::create_directory(store_);
  WriteFile(fs::path(store_) / "notes.txt", "x");
  auto not_store = Cli({"status"});
  EXPECT_EQ(not_store.exit_code, 1);
  EXPECT_NE(not_store.err.find("not a casepack store"), std::string::npos) << not_store.err;
  fs::remove_all(store_);

  InitStore();
  const fs::path header = fs::path(store_) / "store.header";
  const std::string good = ReadFile(header);
  std::string newer = good;
  newer[15] = '9';
  WriteFile(header, newer);
  auto r = Cli({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("newer than this casepack"), std::string::npos) << r.err;

  std::string damaged = good;
  damaged[good.size() / 2] ^= 0x20;
  WriteFile(header, damaged);
  r = Cli({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("header is corrupted"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(header), damaged);
}

TEST_F(CliTest, DamagedDatabaseIsReportedNotChanged) {
  InitStore();
  const fs::path db = fs::path(store_) / "store.db";
  const std::string good = ReadFile(db);
  std::string flipped = good;
  flipped[100] ^= 0x01;  // inside page 1, which every open reads
  WriteFile(db, flipped);
  auto r = Cli({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(db), flipped);
  WriteFile(db, good.substr(0, 50));
  r = Cli({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
}

// Issue 10: a second process is no longer refused. A reader runs while another process has the store
// open; a writer waits for another process's write transaction, then gives up naming the holder, with the
// store exactly as before.
TEST_F(CliTest, ReaderRunsWhileAnotherProcessHasTheStore) {
  InitStore();
  auto held = Store::Open(store_, kPassphrase, "casepack sync");
  ASSERT_TRUE(held.ok());
  auto r = Cli({"case", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTest, WriterWaitsThenSaysWhoHoldsTheStoreAndChangesNothing) {
  InitStore();
  auto held = Store::Open(store_, kPassphrase, "casepack sync");
  ASSERT_TRUE(held.ok());
  auto tx = Transaction::Begin((*held)->db());  // a long write in "another process" (this one)
  ASSERT_TRUE(tx.ok());
  auto r = Cli({"case", "new", "--type", "MAS", "--subject", "A.B.", "--area", "Cardiff"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the store is busy: pid " + std::to_string(getpid()) + " (casepack sync)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
  (void)tx->Commit();
  held->reset();
  r = Cli({"case", "list", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 0u) << r.out;
}

TEST_F(CliTest, ReadOnlyDirectoryIsRefusedClearly) {
  InitStore();
  std::vector<std::string> prefix;
  if (geteuid() == 0) {
    // root ignores permissions: run the command as nobody, who can read but not write the store.
    if (system("command -v setpriv >/dev/null 2>&1") != 0) GTEST_SKIP() << "setpriv not available";
    prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    fs::permissions(tmp_.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    for (auto& e : fs::recursive_directory_iterator(tmp_.path())) {
      (void)!chown(e.path().c_str(), 0, 0);
    }
    fs::permissions(store_, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    for (auto& e : fs::directory_iterator(store_))
      fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    fs::permissions(tmp_ / "pass", fs::perms::owner_read | fs::perms::others_read);
  } else {
    fs::permissions(store_, fs::perms::owner_read | fs::perms::owner_exec);
  }
  const std::string before = ReadFile(fs::path(store_) / "store.db");
  std::vector<std::string> argv = prefix;
  for (std::string a : {std::string(CASEPACK_CLI), std::string("--store"), store_, std::string("--passphrase-file"),
                        (tmp_ / "pass").string(), std::string("status")})
    argv.push_back(a);
  auto r = RunProcess(argv);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(fs::path(store_) / "store.db"), before);
  fs::permissions(store_, fs::perms::owner_all);
}

TEST_F(CliTest, FullDiskDuringInitAndPasswdLosesNothing) {
  if (system("command -v prlimit >/dev/null 2>&1") != 0) GTEST_SKIP() << "prlimit not available";
  auto r = RunProcess({"prlimit", "--fsize=4096", CASEPACK_CLI, "--store", store_, "--passphrase-file",
                (tmp_ / "pass").string(), "init", "--insecure-test-kdf"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("disk is full"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(store_));

  InitStore();
  const std::string header = ReadFile(fs::path(store_) / "store.header");
  WriteFile(tmp_ / "new", "an entirely different passphrase\n");
  r = RunProcess({"prlimit", "--fsize=100", CASEPACK_CLI, "--store", store_, "--passphrase-file", (tmp_ / "pass").string(),
           "passwd", "--insecure-test-kdf", "--new-passphrase-file", (tmp_ / "new").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("disk is full"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(fs::path(store_) / "store.header"), header);
  EXPECT_FALSE(fs::exists(fs::path(store_) / "store.header.tmp"));
  EXPECT_EQ(Cli({"status"}).exit_code, 0);
}

}  // namespace
}  // namespace casepack::testing
