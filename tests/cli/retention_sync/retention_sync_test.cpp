// Server-side retention end to end: casepackd (its test-only build, casepackd-testclock, retention clock
// from CASEPACKD_TEST_NOW) and casepack stores (casepack-testclock, CASEPACK_TEST_NOW). A case past its date is deleted on the server (its
// ciphertext is searched for in the data directory), a device that was offline during the purge purges on
// reconnect (its decrypted database is searched for the planted text), the Business Unit lists which
// devices confirmed, a legal hold beats the purge everywhere until released, and a policy change by the
// Business Unit reaches a facilitator's device.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "casepack/aead.h"
#include "casepack/kdf.h"
#include "casepack/random.h"
#include "casepack/store.h"
#include "support/calendar.h"
#include "support/process.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPass = "correct horse battery staple";
// All from today, so the scenario holds on any date. Device clocks: after the real date (the server's time
// feeds the trusted clock) and before the purge dates. The server's retention clock: after the purge
// dates (summary report sent in 34 days, + 90 days = 124 days from today).
const std::string kDeviceNow = DaysFromToday(14);
const std::string kServerNow = DaysFromToday(182);
const std::string kReportSent = DaysFromToday(34);

bool HaveSqlcipherCli() { return std::system("command -v sqlcipher >/dev/null 2>&1") == 0; }

std::string Line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct Device {
  fs::path dir;
  std::string user_id, device_id;
};

class RetentionSync : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(tmp_ / "pass", std::string(kPass) + "\n");
    data_ = tmp_ / "data";
    auto init = RunProcess({CASEPACK_SERVER, "admin", "init", "--data", data_.string()});
    ASSERT_EQ(init.exit_code, 0) << init.err << init.out;
    bu_code_ = Field(init.out, "invitation code: ");
    fingerprint_ = Field(init.out, "server certificate sha256: ");
    ASSERT_EQ(fingerprint_.size(), 64u) << init.out;
    if (std::string_view(::testing::UnitTest::GetInstance()->current_test_info()->name()) == "ShippedServerIgnoresFakeNow") {
      server_bin_ = CASEPACK_SERVER;  // the shipped binary, with the old aid's variable set
      server_env_ = "CASEPACKD_FAKE_NOW";
    }
    StartServer();
    bu_ = NewDevice("bu", bu_code_);
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s\n", ReadFile(tmp_ / "casepackd.log").c_str());
  }

  static std::string Field(const std::string& text, const std::string& label) {
    const auto pos = text.find(label);
    if (pos == std::string::npos) return {};
    const auto start = pos + label.size();
    return text.substr(start, text.find('\n', start) - start);
  }

  void StartServer() {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("CASEPACKD_TEST_NOW", kServerNow.c_str(), 1);
      if (!server_env_.empty()) ::setenv(server_env_.c_str(), kServerNow.c_str(), 1);
      const std::string log = (tmp_ / "casepackd.log").string();
      FILE* f = std::freopen(log.c_str(), "a", stdout);
      (void)f;
      ::dup2(1, 2);
      ::execl(server_bin_.c_str(), server_bin_.c_str(), "--data", data_.c_str(), "--listen", "127.0.0.1:0",
              "--retention-interval", "1", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!fs::exists(data_ / "casepackd.port")) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << ReadFile(tmp_ / "casepackd.log");
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "casepackd exited: " << ReadFile(tmp_ / "casepackd.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::string port;
    while ((port = Line(ReadFile(data_ / "casepackd.port"))).empty()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "casepackd.port stayed empty";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    url_ = "https://127.0.0.1:" + port;
  }

  ProcessResult Cli(const Device& d, std::vector<std::string> args, const std::string& stdin_data = {}) {
    std::vector<std::string> argv = {CASEPACK_TESTCLOCK_CLI, "--store", d.dir.string(), "--passphrase-file", (tmp_ / "pass").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions opt;
    opt.env["CASEPACK_TEST_NOW"] = kDeviceNow;
    opt.unset_env = {"CASEPACK_STORE", "CASEPACK_PASSPHRASE_FILE"};
    opt.stdin_data = stdin_data;
    return RunProcess(argv, opt);
  }

  Device NewDevice(const std::string& name, const std::string& code) {
    Device d;
    d.dir = tmp_ / name;
    auto init = Cli(d, {"init", "--insecure-test-kdf"});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    auto add = Cli(d, {"server", "add", url_, "--invite", code, "--fingerprint", fingerprint_});
    EXPECT_EQ(add.exit_code, 0) << add.err;
    d.user_id = Field(add.out, "user id    ");
    d.device_id = Field(add.out, "device id  ");
    return d;
  }

  Device Facilitator(const std::string& name) {
    auto inv = Cli(bu_, {"server", "invite", "--role", "facilitator"});
    EXPECT_EQ(inv.exit_code, 0) << inv.err;
    return NewDevice(name, Line(inv.out));
  }

  void Sync(const Device& d) {
    auto r = Cli(d, {"sync"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }

  // A MAS case with no date retention counts from yet, and a planted note.
  std::string NewCase(const std::string& marker) {
    auto r = Cli(bu_, {"case", "new", "--type", "MAS", "--subject", "A.B.", "--area", "Blaenau Gwent"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string id = Line(r.out);
    auto n = Cli(bu_, {"note", "add", id, "story"}, marker + " note text\n");
    EXPECT_EQ(n.exit_code, 0) << n.err;
    return id;
  }

  std::string KeyHex(const Device& d) {
    auto header = StoreHeader::Parse(ReadFile(d.dir / "store.header"));
    auto kek = DeriveKey(kPass, header->kdf);
    return HexEncode(UnwrapKey(*kek, header->wrapped_db_key, AsBytes(header->AssociatedData()))->expose());
  }

  // The device's database decrypted with its key (sqlcipher_export), as bytes.
  std::string Decrypted(const Device& d) {
    const fs::path out = tmp_ / "export.db";
    fs::remove(out);
    const std::string script = "PRAGMA key = \"x'" + KeyHex(d) + "'\";\nPRAGMA cipher_page_size = 4096;\n" +
                               "ATTACH DATABASE '" + out.string() + "' AS plain KEY '';\n" +
                               "SELECT sqlcipher_export('plain');\nDETACH DATABASE plain;\n";
    auto r = RunProcess({"sqlcipher", (d.dir / "store.db").string()}, {.stdin_data = script});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return ReadFile(out);
  }

  // Samples of the case's ciphertext as the server stores it (ops and documents), read with the sqlcipher
  // CLI as a plain SQLite file (our own test file; no key).
  std::vector<std::string> ServerCiphertext(const std::string& case_id) {
    const std::string sql = "SELECT hex(substr(blob, 33, 24)) FROM ops WHERE case_id = '" + case_id + "';\n";
    auto r = RunProcess({"sqlcipher", (data_ / "casepackd.db").string()}, {.stdin_data = sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    std::string line;
    for (char c : r.out) {
      if (c == '\n') {
        if (line.size() == 48) out.push_back(std::string(AsText(*HexDecode(line))));
        line.clear();
      } else {
        line += c;
      }
    }
    return out;
  }

  json Confirmations(const std::string& case_id) {
    auto r = Cli(bu_, {"retention", "confirmations", case_id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out.empty() ? "[]" : r.out);
  }

  static json DeviceEntry(const json& conf, const Device& d) {
    for (const auto& dev : conf.at(0).at("devices"))
      if (dev["device_id"] == d.device_id) return dev;
    return json();
  }

  TempDir tmp_;
  fs::path data_;
  pid_t pid_ = -1;
  std::string server_bin_ = CASEPACK_TESTCLOCK_SERVER;  // the test-only build, or the shipped casepackd
  std::string server_env_;                              // one more variable set to kServerNow
  std::string url_, bu_code_, fingerprint_;
  Device bu_;
};

TEST_F(RetentionSync, OfflineDeviceIsPurgedOnReconnectAndTheServerKeepsNothing) {
  if (!HaveSqlcipherCli()) GTEST_SKIP() << "the sqlcipher CLI is not installed";
  Device f = Facilitator("f");
  const std::string marker = "PLANTED-" + RandomId();
  const std::string id = NewCase(marker);
  Sync(bu_);
  ASSERT_EQ(Cli(bu_, {"case", "share", id, "--with", f.user_id}).exit_code, 0);
  Sync(f);
  ASSERT_EQ(Cli(f, {"case", "show", id}).exit_code, 0);
  ASSERT_NE(Decrypted(f).find(marker), std::string::npos) << "the facilitator never received the note";
  const auto ciphertext = ServerCiphertext(id);
  ASSERT_FALSE(ciphertext.empty());
  {
    const std::string before = AllBytesBelow(data_);
    for (const auto& c : ciphertext) ASSERT_NE(before.find(c), std::string::npos) << "sampling the ciphertext failed";
  }

  // The facilitator goes offline. The Business Unit records the date the report was sent: on its next
  // sync the server learns the purge date (124 days from today), which its clock has passed: it purges at once.
  ASSERT_EQ(Cli(bu_, {"case", "set", id, "--date", std::string("summary-report-sent=") + kReportSent}).exit_code, 0);
  Sync(bu_);
  const std::string after = AllBytesBelow(data_);
  for (const auto& c : ciphertext) EXPECT_EQ(after.find(c), std::string::npos) << "purged ciphertext left on the server";
  EXPECT_EQ(after.find(marker), std::string::npos);

  // Nobody has confirmed yet (the Business Unit's device learns of the purge on its next sync).
  json conf = Confirmations(id);
  ASSERT_EQ(conf.size(), 1u) << conf.dump();
  EXPECT_EQ(conf[0]["purged_on_server"], true);
  ASSERT_EQ(conf[0]["devices"].size(), 2u) << conf.dump();
  EXPECT_EQ(DeviceEntry(conf, f)["confirmed"], false);

  // The facilitator reconnects (its own clock is before the date): the tombstone purges its copy.
  auto sync = Cli(f, {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.out.find("case " + id.substr(0, 8) + " purged here"), std::string::npos) << sync.out;
  auto show = Cli(f, {"case", "show", id});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_NE(show.err.find("was purged"), std::string::npos) << show.err;
  EXPECT_EQ(Decrypted(f).find(marker), std::string::npos) << "planted text left on the reconnected device";

  conf = Confirmations(id);
  EXPECT_EQ(DeviceEntry(conf, f)["confirmed"], true) << conf.dump();
  EXPECT_EQ(DeviceEntry(conf, bu_)["confirmed"], false) << conf.dump();
  Sync(bu_);
  conf = Confirmations(id);
  EXPECT_EQ(DeviceEntry(conf, bu_)["confirmed"], true) << conf.dump();
  EXPECT_EQ(Decrypted(bu_).find(marker), std::string::npos);
  // Text form for people.
  auto text = Cli(bu_, {"retention", "confirmations"});
  EXPECT_NE(text.out.find("2 of 2 device(s) confirmed"), std::string::npos) << text.out;
  // A facilitator may not list confirmations.
  EXPECT_NE(Cli(f, {"retention", "confirmations"}).exit_code, 0);
}

// Issue 12 item 8, end to end: the Business Unit's certificate of destruction, from a real casepackd, lists
// every member device with the receipt that device signed; it verifies offline; any edit is detected.
TEST_F(RetentionSync, CertificateOfDestructionCarriesEveryDevicesSignedReceipt) {
  Device f = Facilitator("f");
  const std::string id = NewCase("CERT-" + RandomId());
  Sync(bu_);
  ASSERT_EQ(Cli(bu_, {"case", "share", id, "--with", f.user_id}).exit_code, 0);
  Sync(f);
  ASSERT_EQ(Cli(bu_, {"case", "set", id, "--date", std::string("summary-report-sent=") + kReportSent}).exit_code, 0);
  Sync(bu_);  // the server purges; the Business Unit's device learns it on this sync or the next
  Sync(bu_);
  const fs::path cert = tmp_ / "cert.json", text = tmp_ / "cert.txt";
  auto issue = [&] {
    auto r = Cli(bu_, {"retention", "certificate", id, "-o", cert.string(), "--text", text.string(), "--force"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(ReadFile(cert));
  };
  auto verify = [&](const fs::path& file) { return Cli(bu_, {"retention", "certificate-verify", file.string()}); };

  // The facilitator is still offline: one device confirmed, one not; the Business Unit's entry carries its receipt.
  json c = issue();
  ASSERT_TRUE(c["central_store"].is_object()) << c.dump(2);
  EXPECT_EQ(c["central_store"]["purged"], true);
  auto entry = [&](const json& cert_json, const Device& d) {
    for (const auto& dev : cert_json["central_store"]["devices"])
      if (dev["device_id"] == d.device_id) return dev;
    return json();
  };
  EXPECT_EQ(entry(c, bu_)["confirmed"], true) << c.dump(2);
  EXPECT_EQ(entry(c, bu_)["receipt"]["case_id"], id);
  EXPECT_EQ(entry(c, f)["confirmed"], false) << c.dump(2);
  EXPECT_TRUE(entry(c, f)["receipt"].is_null());
  auto v = verify(cert);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("1 device(s) confirmed, 1 not"), std::string::npos) << v.out;
  EXPECT_NE(ReadFile(text).find("NOT confirmed yet"), std::string::npos) << ReadFile(text);

  // The facilitator reconnects and confirms: both devices, each with its own signed receipt.
  Sync(f);
  c = issue();
  EXPECT_EQ(entry(c, f)["confirmed"], true) << c.dump(2);
  EXPECT_EQ(entry(c, f)["receipt"]["case_id"], id);
  EXPECT_NE(entry(c, f)["receipt"]["public_key"], entry(c, bu_)["receipt"]["public_key"]) << "one device's key for both";
  v = verify(cert);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("2 device(s) confirmed, 0 not"), std::string::npos) << v.out;

  // Tampering: a changed basic or a changed confirmation time fails with a one-line message.
  for (auto edit : std::vector<std::function<void(json&)>>{
           [](json& j) { j["case"]["area"] = "Cardiff"; },
           [&](json& j) {
             for (auto& dev : j["central_store"]["devices"])
               if (dev["device_id"] == f.device_id) dev["purged_at"] = kDeviceNow + "T00:00:00Z";
           }}) {
    json bad = c;
    edit(bad);
    const fs::path bad_file = tmp_ / "bad.json";
    WriteFile(bad_file, bad.dump(2));
    auto r = verify(bad_file);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.err.find("the certificate fails verification"), std::string::npos) << r.err;
  }
}

TEST_F(RetentionSync, HoldKeepsTheCaseEverywhereUntilReleased) {
  if (!HaveSqlcipherCli()) GTEST_SKIP() << "the sqlcipher CLI is not installed";
  Device f = Facilitator("f");
  const std::string marker = "HELD-" + RandomId();
  const std::string id = NewCase(marker);
  ASSERT_EQ(Cli(bu_, {"case", "hold", id, "--reason", "court proceedings"}).exit_code, 0);
  Sync(bu_);
  ASSERT_EQ(Cli(bu_, {"case", "share", id, "--with", f.user_id}).exit_code, 0);
  Sync(f);
  ASSERT_EQ(Cli(bu_, {"case", "set", id, "--date", std::string("summary-report-sent=") + kReportSent}).exit_code, 0);
  Sync(bu_);
  // Past its date on the server, but held: still there (the PUT of the date ran a retention pass within
  // the request), and the facilitator's copy says so.
  EXPECT_FALSE(ServerCiphertext(id).empty());
  Sync(f);
  auto show = Cli(f, {"case", "show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("on hold"), std::string::npos) << show.out;
  json conf = Confirmations(id);
  ASSERT_EQ(conf.size(), 1u);
  EXPECT_EQ(conf[0]["purged_on_server"], false);

  // Released: the schedule resumes; the server purges and the tombstone reaches the facilitator.
  ASSERT_EQ(Cli(bu_, {"case", "release", id}).exit_code, 0);
  Sync(bu_);
  EXPECT_TRUE(ServerCiphertext(id).empty());
  Sync(f);
  EXPECT_EQ(Cli(f, {"case", "show", id}).exit_code, 1);
  EXPECT_EQ(Decrypted(f).find(marker), std::string::npos);
}

TEST_F(RetentionSync, PolicyChangeByTheBusinessUnitReachesAFacilitator) {
  Device f = Facilitator("f");
  Sync(f);
  WriteFile(tmp_ / "p.json", R"({"policies": [{"event_type": "MAS", "rules": [{"after": "summary-report-sent", "days": 30}]}]})");
  ASSERT_EQ(Cli(bu_, {"retention", "set", "--file", (tmp_ / "p.json").string()}).exit_code, 0);
  auto s = Cli(bu_, {"sync"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("retention policies version 1 sent"), std::string::npos) << s.out;
  auto fs_ = Cli(f, {"sync"});
  ASSERT_EQ(fs_.exit_code, 0) << fs_.err;
  EXPECT_NE(fs_.out.find("retention policies version 1 received"), std::string::npos) << fs_.out;
  auto show = Cli(f, {"retention", "show", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("\"days\": 30"), std::string::npos) << show.out;

  // A facilitator's own local change is not sent (only the business unit may set policies).
  ASSERT_EQ(Cli(f, {"retention", "set", "--file", (tmp_ / "p.json").string()}).exit_code, 0);
  auto fs2 = Cli(f, {"sync"});
  ASSERT_EQ(fs2.exit_code, 0) << fs2.err;
  EXPECT_EQ(fs2.out.find("sent"), std::string::npos) << fs2.out;
}

// Issue 12: the shipped casepackd has no clock aid: CASEPACKD_FAKE_NOW (and CASEPACKD_TEST_NOW) are ignored,
// so a case whose purge date the real clock has not reached stays on the server.
TEST_F(RetentionSync, ShippedServerIgnoresFakeNow) {
  // SetUp started the shipped casepackd with CASEPACKD_FAKE_NOW and CASEPACKD_TEST_NOW at kServerNow.
  const std::string id = NewCase("SHIPPED");
  ASSERT_EQ(Cli(bu_, {"case", "set", id, "--date", std::string("summary-report-sent=") + kReportSent}).exit_code, 0);
  Sync(bu_);
  Sync(bu_);  // the server ran its retention after the date arrived
  const json conf = Confirmations(id);
  EXPECT_TRUE(conf.empty() || conf.at(0).at("purged_on_server") == false) << conf.dump();
  EXPECT_EQ(ReadFile(tmp_ / "casepackd.log").find("fake_retention_clock"), std::string::npos);
  EXPECT_EQ(Cli(bu_, {"case", "show", id}).exit_code, 0);
}

}  // namespace
}  // namespace casepack::testing
