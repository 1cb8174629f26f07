// End-to-end sync tests: real casepack stores (the CLI binary) syncing through a real casepackd on
// 127.0.0.1 over TLS. Stores live on /dev/shm when it is a tmpfs (fast fsync), else in the temp dir.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/aead.h"
#include "casepack/cases.h"
#include "casepack/encoding.h"
#include "casepack/kdf.h"
#include "casepack/sealed_operation.h"
#include "casepack/secret.h"
#include "casepack/store.h"
#include "support/calendar.h"
#include "support/process.h"

namespace casepack::testing {

// These tests were written for sealed batches of at most 500 operations (a backlog of 700 is two batches, a
// fault point falls between them): every casepack they start inherits that limit (a test build's
// CASEPACK_FAULT_BATCH_OPS, client/src/sync_service.cpp); a shipped casepack cuts batches of up to 50,000.
inline const bool kBatchesOf500 = ::setenv("CASEPACK_FAULT_BATCH_OPS", "500", 0) == 0;

inline std::filesystem::path FastTempParent() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

inline std::string LineAfter(const std::string& text, const std::string& label) {
  const auto pos = text.find(label);
  if (pos == std::string::npos) return {};
  const auto start = pos + label.size();
  return text.substr(start, text.find('\n', start) - start);
}

// casepackd as a child process. Restarts reuse the first port so that enrolled stores reconnect.
class Casepackd {
 public:
  Casepackd(std::filesystem::path data, std::filesystem::path log) : data_(std::move(data)), log_(std::move(log)) {}
  ~Casepackd() { Kill(); }

  // `admin init`: returns the business-unit invitation code and records the fingerprint.
  std::string Init() {
    auto r = RunProcess({CASEPACK_SERVER, "admin", "init", "--data", data_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string all = r.out + r.err;
    fingerprint_ = LineAfter(all, "server certificate sha256: ");
    return LineAfter(all, "invitation code: ");
  }

  // `env`: added to casepackd's environment (e.g. a test-only fault point, fault_point.h).
  void Start(const std::map<std::string, std::string>& env = {}) {
    std::filesystem::remove(data_ / "casepackd.port");
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      ::execl(CASEPACK_SERVER, CASEPACK_SERVER, "--data", data_.c_str(), "--listen", listen.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_GT(pid_, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!std::filesystem::exists(data_ / "casepackd.port") ||
           std::filesystem::file_size(data_ / "casepackd.port") == 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "casepackd did not start:\n" << ReadFile(log_);
      int status = 0;
      ASSERT_EQ(::waitpid(pid_, &status, WNOHANG), 0) << "casepackd exited:\n" << ReadFile(log_);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    port_ = static_cast<std::uint16_t>(std::stoi(ReadFile(data_ / "casepackd.port")));
  }

  int Stop() { return Signal(SIGTERM); }
  void Kill() { Signal(SIGKILL); }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::filesystem::path& data() const { return data_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  int Signal(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::filesystem::path data_, log_;
  std::uint16_t port_ = 0;
  std::string fingerprint_;
  pid_t pid_ = -1;
};

#ifdef CASEPACK_TESTCLOCK_CLI
inline constexpr const char* kTestClockCli = CASEPACK_TESTCLOCK_CLI;
#else
inline constexpr const char* kTestClockCli = nullptr;  // this test binary has no laptop with a wrong clock
#endif

// One laptop: a casepack store driven through the CLI.
struct Laptop {
  std::string name;
  std::filesystem::path dir;
  std::filesystem::path pass;
  std::string user_id;
  // Non-empty: a laptop with a wrong clock. It runs the test-only casepack-testclock with CASEPACK_TEST_NOW
  // set to this ("YYYY-MM-DD": that day at the real time of day); requests are still signed with the real
  // time, as by a device whose calendar is wrong but whose connection works.
  std::string test_now;

  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    if (!test_now.empty() && kTestClockCli == nullptr) std::abort();
    std::vector<std::string> argv = {test_now.empty() ? CASEPACK_CLI : kTestClockCli, "--store", dir.string(),
                                     "--passphrase-file", pass.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  std::map<std::string, std::string> Env() const {
    if (test_now.empty()) return {};
    return {{"CASEPACK_TEST_NOW", test_now}};
  }
  ProcessResult Run(const std::vector<std::string>& args, const std::string& stdin_data = {}) const {
    RunOptions o;
    o.stdin_data = stdin_data;
    o.unset_env = {"CASEPACK_STORE", "CASEPACK_PASSPHRASE_FILE"};
    o.env = Env();
    return RunProcess(Argv(args), o);
  }
  // Runs and expects success; returns stdout.
  std::string Ok(const std::vector<std::string>& args, const std::string& stdin_data = {}) const {
    auto r = Run(args, stdin_data);
    EXPECT_EQ(r.exit_code, 0) << name << ": casepack " << Join(args) << "\n" << r.err;
    return r.out;
  }
  nlohmann::json Json(const std::vector<std::string>& args) const {
    const std::string out = Ok(args);
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << name << ": not JSON: " << out;
    return j;
  }
  static std::string Join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& a : v) s += a + " ";
    return s;
  }
};

inline std::string BacklogSentence(const std::string& tag, int i) {
  return "Backlog sentence " + tag + " " + std::to_string(i) + ".";
}

// Many edits fast: opens the store in this process (the CLI would take a process per operation) and
// puts `n` paragraphs "Backlog sentence <tag> <i>." at the top of the case's story, one operation each:
// each its own run, so that they stay n operations when pushed as sealed batches of at most 500 (text
// appended at the end would extend one run, which a batch carries as one operation; docs/sync-client.md).
inline void AppendBacklog(const Laptop& l, const std::string& case_id, const std::string& tag, int n,
                          const char* passphrase) {
  InitCrypto();
  auto store = Store::Open(l.dir, passphrase, "sync test backlog");
  ASSERT_TRUE(store.ok()) << store.error().message;
  CaseService cases(**store);
  for (int i = 0; i < n; ++i) {
    auto s = cases.EditNote(case_id, "story", 0, 0, BacklogSentence(tag, i) + "\n");
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
}

// A child process we can kill: `casepack ...` with output discarded.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open("/dev/null", O_WRONLY);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) Kill();
  }
  // Returns true if it was still running (and is now killed).
  bool Kill() {
    int status = 0;
    const bool running = ::waitpid(pid_, &status, WNOHANG) == 0;
    if (running) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return running;
  }
  // The exit code once it ends (-1: killed by a signal).
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  bool Running() {
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

// The environment that stops a test build of casepack or casepackd at fault point `spec` (NAME[:N]) and
// announces it in `notify` (sync/include/casepack/fault_point.h).
inline std::map<std::string, std::string> PauseAt(const std::string& spec, const std::filesystem::path& notify) {
  return {{"CASEPACK_FAULT_AT", spec}, {"CASEPACK_FAULT_NOTIFY", notify.string()}};
}

// Waits, at most `limit`, until a process paused at a fault point has written `notify`: true if it did.
inline bool WaitForFaultPoint(const std::filesystem::path& notify, std::chrono::seconds limit = std::chrono::seconds(120)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!std::filesystem::exists(notify)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// How many times `needle` occurs in `hay`.
inline std::size_t Count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

class SyncTest : public ::testing::Test {
 protected:
  static constexpr const char* kPassphrase = "correct horse battery staple";

  void SetUp() override {
    root_ = std::make_unique<TempDir>(FastTempParent());
    WriteFile(root() / "pass", std::string(kPassphrase) + "\n");
    server_ = std::make_unique<Casepackd>(root() / "srv", root() / "casepackd.log");
    bu_code_ = server_->Init();
    ASSERT_EQ(bu_code_.size(), 32u);
    ASSERT_EQ(server_->fingerprint().size(), 64u);
    ASSERT_NO_FATAL_FAILURE(server_->Start());
  }
  void TearDown() override {
    if (server_) server_->Kill();
    if (HasFailure()) std::fprintf(stderr, "casepackd log:\n%s\n", ReadFile(root() / "casepackd.log").c_str());
  }

  const std::filesystem::path& root() const { return root_->path(); }

  Laptop NewLaptop(const std::string& name) {
    Laptop l{name, root() / name, root() / "pass", {}};
    auto r = l.Run({"init", "--insecure-test-kdf", "--name", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return l;
  }
  // The business unit's laptop, enrolled with the first invitation.
  Laptop EnrolBusinessUnit(const std::string& name) {
    Laptop l = NewLaptop(name);
    l.Ok({"server", "add", server_->url(), "--invite", bu_code_, "--fingerprint", server_->fingerprint()});
    l.user_id = l.Json({"server", "show", "--json"}).value("user_id", "");
    return l;
  }
  Laptop EnrolFacilitator(const Laptop& bu, const std::string& name) {
    Laptop l = NewLaptop(name);
    std::string code = bu.Ok({"server", "invite", "--role", "facilitator"});
    while (!code.empty() && (code.back() == '\n' || code.back() == ' ')) code.pop_back();
    code = code.substr(code.find_last_of(" \n") == std::string::npos ? 0 : code.find_last_of(" \n") + 1);
    l.Ok({"server", "add", server_->url(), "--invite", code, "--fingerprint", server_->fingerprint()});
    l.user_id = l.Json({"server", "show", "--json"}).value("user_id", "");
    EXPECT_EQ(l.user_id.size(), 32u);
    return l;
  }
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  // A new MAS case on `l`; returns its id.
  static std::string NewCase(const Laptop& l, const std::string& subject) {
    return Trim(l.Ok({"case", "new", "--type", "MAS", "--subject", subject, "--area", "Newport", "--date",
                      "referral-conference=" + DaysFromToday(-28), "--date", "event=" + DaysFromToday(0)}));
  }
  // `casepack sync --json`, expected to succeed.
  static nlohmann::json Sync(const Laptop& l) {
    auto r = l.Run({"sync", "--json"});
    EXPECT_EQ(r.exit_code, 0) << l.name << " sync: " << r.err << r.out;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded()) return nlohmann::json::object();
    return j;
  }
  // Syncs each laptop in turn until a full round moves nothing (bounded).
  static void SyncUntilQuiet(const std::vector<const Laptop*>& laptops) {
    for (int round = 0; round < 6; ++round) {
      std::size_t moved = 0;
      for (const Laptop* l : laptops) {
        auto j = Sync(*l);
        moved += j.value("pushed", 0u) + j.value("pulled", 0u);
        for (const auto& c : j.value("cases", nlohmann::json::array()))
          moved += c.value("documents_uploaded", 0u) + c.value("documents_downloaded", 0u);
      }
      if (moved == 0) return;
    }
    ADD_FAILURE() << "sync did not quiesce in 6 rounds";
  }

  std::unique_ptr<TempDir> root_;
  std::unique_ptr<Casepackd> server_;
  std::string bu_code_;
};

// Three enrolled laptops: the Business Unit's (bea) and two facilitators' (xena, yann).
class ThreeLaptopsTest : public SyncTest {
 protected:
  void SetUp() override {
    SyncTest::SetUp();
    if (HasFatalFailure()) return;
    bu_ = EnrolBusinessUnit("bea");
    x_ = EnrolFacilitator(bu_, "xena");
    y_ = EnrolFacilitator(bu_, "yann");
  }
  static std::string Story(const Laptop& l, const std::string& c) {
    return l.Json({"note", "show", c, "story", "--json"}).value("story", "");
  }
  // A new case on the Business Unit's laptop with `story` as its story, shared with xena and yann, who
  // both hold it.
  std::string SharedCase(const std::string& subject, const std::string& story) {
    const std::string c = NewCase(bu_, subject);
    bu_.Ok({"note", "set", c, "story"}, story);
    Sync(bu_);
    bu_.Ok({"case", "share", c, "--with", x_.user_id});
    bu_.Ok({"case", "share", c, "--with", y_.user_id});
    Sync(x_);
    Sync(y_);
    return c;
  }
  Laptop bu_, x_, y_;
};

// A TCP proxy that cuts connections: connection k (0-based) for k < cuts.size() is closed after
// cuts[k].bytes have passed in the given direction; later connections pass untouched.
// (Copied from tests/server/integration/faults_test.cpp.)
class CuttingProxy {
 public:
  struct Cut {
    bool client_to_server;
    std::size_t bytes;
  };
  CuttingProxy(std::uint16_t upstream, std::vector<Cut> cuts) : upstream_(upstream), cuts_(std::move(cuts)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    accept_thread_.join();
    for (auto& t : conn_threads_) t.join();
  }
  std::uint16_t port() const { return port_; }
  int cuts_made() const { return cuts_made_.load(); }
  // One line per connection closed so far: "up=BYTES down=BYTES" and "cut" if this proxy cut it.
  std::string Connections() const {
    std::lock_guard<std::mutex> lock(mu_);
    return connections_;
  }
  // From now on, the next connections are cut as `cuts` says (counting from 0 again).
  void Arm(std::vector<Cut> cuts) {
    std::lock_guard<std::mutex> lock(mu_);
    cuts_ = std::move(cuts);
    n_ = 0;
  }

 private:
  void AcceptLoop() {
    while (!stop_) {
      const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(upstream_);
      if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(c);
        ::close(s);
        continue;
      }
      std::optional<Cut> cut;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (n_ < cuts_.size()) cut = cuts_[n_];
        ++n_;
      }
      conn_threads_.emplace_back([this, c, s, cut] { Pump(c, s, cut); });
    }
  }
  void Pump(int c, int s, std::optional<Cut> cut) {
    std::size_t passed[2] = {0, 0};  // [0]: client→server, [1]: server→client
    char buf[16384];
    pollfd fds[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
    while (!stop_) {
      if (::poll(fds, 2, 100) < 0) break;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        std::size_t want = sizeof buf;
        if (cut && cut->client_to_server == (i == 0)) want = std::min(want, cut->bytes - passed[i]);
        const ssize_t r = want == 0 ? 0 : ::read(fds[i].fd, buf, want);
        if (r <= 0) {
          if (want == 0) ++cuts_made_;
          closed = true;
          break;
        }
        passed[i] += static_cast<std::size_t>(r);
        if (::write(fds[1 - i].fd, buf, static_cast<std::size_t>(r)) != r) closed = true;
        if (cut && cut->client_to_server == (i == 0) && passed[i] >= cut->bytes) {
          ++cuts_made_;
          closed = true;
        }
      }
      if (closed) break;
    }
    ::close(c);
    ::close(s);
    std::lock_guard<std::mutex> lock(mu_);
    connections_ += "up=" + std::to_string(passed[0]) + " down=" + std::to_string(passed[1]) +
                    (cut && passed[cut->client_to_server ? 0 : 1] >= cut->bytes ? " cut" : "") + "\n";
  }

  std::uint16_t upstream_;
  mutable std::mutex mu_;
  std::vector<Cut> cuts_;
  std::string connections_;
  std::size_t n_ = 0;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_made_{0};
  std::thread accept_thread_;
  std::vector<std::thread> conn_threads_;
};

// The store's case keys, read with the Debian sqlcipher CLI given the database key unwrapped from the
// header (as tests/client/store_test.cpp does).
inline std::vector<std::string> CaseKeysHex(const Laptop& l, const char* passphrase) {
  InitCrypto();
  auto header = StoreHeader::Parse(ReadFile(l.dir / "store.header"));
  EXPECT_TRUE(header.ok());
  if (!header.ok()) return {};
  auto kek = DeriveKey(passphrase, header->kdf);
  auto key = UnwrapKey(*kek, header->wrapped_db_key, AsBytes(header->AssociatedData()));
  EXPECT_TRUE(key.ok());
  if (!key.ok()) return {};
  const std::string script = "PRAGMA key = \"x'" + HexEncode(key->expose()) +
                             "'\";\nPRAGMA cipher_page_size = 4096;\nSELECT lower(hex(key)) FROM case_keys;\n";
  auto r = RunProcess({"sqlcipher", (l.dir / "store.db").string()}, {.stdin_data = script});
  std::vector<std::string> keys;
  std::string line;
  for (char ch : r.out) {
    if (ch == '\n') {
      if (line.size() == 64) keys.push_back(line);
      line.clear();
    } else {
      line.push_back(ch);
    }
  }
  EXPECT_FALSE(keys.empty()) << r.out << r.err;
  return keys;
}

// One stored operation of a case on the server, with its pusher's Ed25519 key and the batch it came in
// (0: stored unsigned; docs/api.md "Operation signatures"): read with python3's sqlite3.
struct ServerOp {
  std::string op_id;
  std::int64_t epoch = 0;
  Bytes blob, author;
  std::int64_t batch = 0;
  std::string device_id;
};
inline std::vector<ServerOp> ServerOps(const std::filesystem::path& data, const std::string& case_id) {
  auto r = RunProcess({"python3", "-c",
                       "import sqlite3,sys\n"
                       "d=sqlite3.connect(sys.argv[1])\n"
                       "for o,e,b,k,n,v in d.execute('SELECT o.op_id,o.epoch,o.blob,d.ed25519,coalesce(o.batch,0),o.device_id FROM ops o "
                       "JOIN devices d ON d.id=o.device_id WHERE o.case_id=? ORDER BY o.seq',(sys.argv[2],)):"
                       "print(o,e,b.hex(),k.hex(),n,v)\n",
                       (data / "casepackd.db").string(), case_id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<ServerOp> out;
  std::istringstream in(r.out);
  std::string op, blob, author, device;
  std::int64_t epoch = 0, batch = 0;
  while (in >> op >> epoch >> blob >> author >> batch >> device)
    out.push_back({op, epoch, *HexDecode(blob), *HexDecode(author), batch, device});
  return out;
}
// How many of the case's operations pushed by `laptop`'s device the server holds unsigned.
template <typename L>
std::size_t ServerUnsigned(const std::filesystem::path& data, const std::string& case_id, const L& laptop) {
  const std::string device = laptop.Json({"server", "show", "--json"}).value("device_id", "");
  std::size_t n = 0;
  for (const auto& op : ServerOps(data, case_id)) n += op.batch == 0 && op.device_id == device;
  return n;
}
// Whether any of `keys_hex` opens `op` (its signature checked against its pusher's key).
inline bool OpensWithAny(const ServerOp& op, const std::vector<std::string>& keys_hex, const std::string& case_id) {
  for (const auto& k : keys_hex) {
    auto key = SecretBytes::CopyOf(*HexDecode(k));
    if (!key.ok()) continue;
    const bool batch = op.op_id.find('-', 17) != std::string::npos;  // a sealed batch (docs/sync-client.md)
    if ((batch ? OpenOperationBatch(*key, op.author, case_id, op.op_id, op.epoch, op.blob)
               : OpenOperation(*key, op.author, case_id, op.op_id, op.epoch, op.blob)).ok())
      return true;
  }
  return false;
}

}  // namespace casepack::testing
