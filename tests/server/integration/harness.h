// Test harness: runs the real casepackd binary on 127.0.0.1 (ephemeral port, self-signed TLS) and
// makes enrolled clients. Readiness is polled (port file, then /healthz) with a bounded total time.
#pragma once

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "casepack/net_client.h"
#include "casepack/random.h"
#include "casepack/wire.h"
#include "support/server_backends.h"

namespace casepack::testing {

// Runs `casepackd args...` to completion and returns its stdout.
// `env` is prepended as shell assignments ("NAME=value …").
inline std::string RunCasepackd(const std::string& args, int* exit_code, const std::string& env = "") {
  const std::string cmd = (env.empty() ? "" : env + " ") + std::string(CASEPACKD) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

inline std::string FieldAfter(const std::string& text, const std::string& label) {
  const auto pos = text.find(label);
  if (pos == std::string::npos) return {};
  const auto start = pos + label.size();
  return text.substr(start, text.find('\n', start) - start);
}

class ServerProcess {
 public:
  // `store_args`: the casepackd options naming the store (--database URL), empty for the default.
  ServerProcess(std::filesystem::path data_dir, std::filesystem::path log_path, std::vector<std::string> store_args = {})
      : data_dir_(std::move(data_dir)), log_path_(std::move(log_path)), store_args_(std::move(store_args)) {}
  ~ServerProcess() { Kill(); }

  // Starts casepackd and waits (at most 20 s) until /healthz answers. port 0: ephemeral on first start;
  // later starts reuse the first port so that clients can reconnect.
  // `extra`: more casepackd options (e.g. --retention-interval 1).
  void Start(const std::string& fingerprint, const std::vector<std::string>& extra = {}) {
    std::filesystem::remove(data_dir_ / "casepackd.port");
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> argv = {CASEPACKD, "--data", data_dir_.string(), "--listen", listen};
    argv.insert(argv.end(), store_args_.begin(), store_args_.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(CASEPACKD, args.data());
      ::_exit(127);
    }
    ASSERT_GT(pid_, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!std::filesystem::exists(data_dir_ / "casepackd.port")) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "casepackd did not start; log:\n" << ReadFile(log_path_);
      int status = 0;
      ASSERT_EQ(::waitpid(pid_, &status, WNOHANG), 0) << "casepackd exited; log:\n" << ReadFile(log_path_);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    port_ = static_cast<std::uint16_t>(std::stoi(ReadFile(data_dir_ / "casepackd.port")));
    auto http = net::HttpsClient::Create(endpoint(fingerprint)).value();
    while (true) {
      auto r = http->Send("GET", "/healthz", "", "", {});
      if (r.ok() && r->status == 200) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "healthz never answered";
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // SIGTERM, then waits (at most 20 s). Returns the exit status, or -1.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const int status = Wait(std::chrono::seconds(20));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(20));
  }

  net::Endpoint endpoint(const std::string& fingerprint) const { return net::Endpoint{"127.0.0.1", port_, fingerprint}; }
  std::uint16_t port() const { return port_; }
  bool running() const { return pid_ > 0; }

 private:
  int Wait(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }

  std::filesystem::path data_dir_;
  std::filesystem::path log_path_;
  std::vector<std::string> store_args_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

struct TestUser {
  std::unique_ptr<Identity> identity;
  std::unique_ptr<net::CasepackClient> client;
  wire::Principal principal;

  net::CasepackClient* operator->() { return client.get(); }
  Bytes x25519() const {
    const auto& k = identity->public_keys().x25519;
    return Bytes(k.begin(), k.end());
  }
};

// A data directory, a running server and its first business-unit user; the store is SQLite (in the data
// directory, casepackd's default) or PostgreSQL (--database; a fresh database in the test cluster): every
// test runs on both (INSTANTIATE_SERVER_TESTS).
class ServerFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    InitCrypto();
    if (auto why = db_.Create(GetParam()); !why.empty()) GTEST_SKIP() << why;
    root_ = db_.dir();
    data_ = root_ / "data";
    log_ = root_ / "casepackd.log";
    int rc = 0;
    const std::string out = RunCasepackd("admin init --data " + data_.string() + StoreOptions(), &rc);
    ASSERT_EQ(rc, 0) << out;
    bu_code_ = FieldAfter(out, "invitation code: ");
    fingerprint_ = FieldAfter(out, "server certificate sha256: ");
    ASSERT_EQ(bu_code_.size(), 32u) << out;
    ASSERT_EQ(fingerprint_.size(), 64u) << out;
    server_ = std::make_unique<ServerProcess>(data_, log_, StoreArgs());
    ASSERT_NO_FATAL_FAILURE(server_->Start(fingerprint_));
    bu_ = Enrol(bu_code_);
  }
  void TearDown() override {
    server_.reset();
    if (root_.empty()) return;  // skipped
    // Under the asan preset casepackd is instrumented too: any report in its log fails the test.
    const std::string log = ReadFile(log_);
    EXPECT_EQ(log.find("ERROR: AddressSanitizer"), std::string::npos) << log;
    EXPECT_EQ(log.find("runtime error:"), std::string::npos) << log;
    EXPECT_EQ(log.find("ERROR: LeakSanitizer"), std::string::npos) << log;
    if (HasFailure()) {
      db_.Keep();
      std::fprintf(stderr, "kept %s for inspection\n", root_.c_str());
    }
  }

  bool postgres() const { return GetParam() == Backend::kPostgres; }
  // casepackd's options for this test's store: none for SQLite (the default file in the data directory).
  std::vector<std::string> StoreArgs() const {
    if (!postgres()) return {};
    return {"--database", db_.database()};
  }
  // The same, for a shell command line.
  std::string StoreOptions() const { return postgres() ? " --database '" + db_.database() + "'" : ""; }

  std::unique_ptr<net::CasepackClient> Client(const Identity* id, const std::string& device_id = {},
                                              const net::Endpoint* via = nullptr) {
    auto http = net::HttpsClient::Create(via ? *via : server_->endpoint(fingerprint_)).value();
    return std::make_unique<net::CasepackClient>(std::move(http), id, device_id);
  }

  TestUser Enrol(const std::string& code) {
    TestUser u;
    u.identity = std::make_unique<Identity>(Identity::Generate().value());
    u.client = Client(u.identity.get());
    auto p = u.client->Enroll(code);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    if (p.ok()) u.principal = *p;
    return u;
  }

  TestUser NewUser(const std::string& role) {
    auto inv = bu_->CreateInvitation(role);
    EXPECT_TRUE(inv.ok());
    return Enrol(inv.ok() ? inv->code : "");
  }

  TestDatabase db_;
  std::filesystem::path root_, data_, log_;
  std::string bu_code_, fingerprint_;
  std::unique_ptr<ServerProcess> server_;
  TestUser bu_;
};

}  // namespace casepack::testing

// Runs every TEST_P of `fixture` (a ServerFixture) against both backends.
#define INSTANTIATE_SERVER_TESTS(fixture) \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture, ::casepack::testing::AllBackends(), ::casepack::testing::BackendName)
