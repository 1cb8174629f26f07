// Drives the real casepack binary on a throwaway store.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/calendar.h"
#include "support/process.h"

namespace casepack::testing {

class CliTest : public ::testing::Test {
 protected:
  static constexpr const char* kPassphrase = "correct horse battery staple";

  void SetUp() override {
    WriteFile(tmp_ / "pass", std::string(kPassphrase) + "\n");
    store_ = (tmp_ / "store").string();
  }

  // casepack --store STORE --passphrase-file PASS args...
  ProcessResult Cli(std::vector<std::string> args, RunOptions opt = {}) {
    std::vector<std::string> argv = {now_.empty() ? cli_ : std::string(CASEPACK_TESTCLOCK_CLI), "--store", store_, "--passphrase-file", (tmp_ / "pass").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    opt.unset_env.push_back("CASEPACK_STORE");
    opt.unset_env.push_back("CASEPACK_PASSPHRASE_FILE");
    if (!now_.empty()) opt.env.try_emplace("CASEPACK_TEST_NOW", now_);
    // English labels unless a test asks for a locale: the runner's own locale must not change the output.
    for (const char* v : {"LC_ALL", "LC_MESSAGES"})
      if (!opt.env.count(v)) opt.unset_env.push_back(v);
    opt.env.try_emplace("LANG", "C.UTF-8");
    auto r = RunProcess(argv, opt);
    EXPECT_EQ(r.out.find(kPassphrase), std::string::npos) << "passphrase printed on stdout";
    EXPECT_EQ(r.err.find(kPassphrase), std::string::npos) << "passphrase printed on stderr";
    return r;
  }

  void InitStore() {
    auto r = Cli({"init", "--insecure-test-kdf"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir tmp_;
  std::string store_;
  // The binary under test: the shipped casepack, or casepack-testclock (reads CASEPACK_TEST_NOW).
  std::string cli_ = CASEPACK_CLI;
  // The scenario's "now" for retention, when not empty: Cli then runs the test-only casepack-testclock
  // with CASEPACK_TEST_NOW (the shipped binary reads no clock variable). A test whose cases carry fixed
  // calendar dates (because bank holidays and working days are its subject) pins it, so that the real
  // date can never purge them mid-test; other tests take their dates from today (support/calendar.h).
  std::string now_;
};

}  // namespace casepack::testing
