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
    std::vector<std::string> argv = {CASEPACK_CLI, "--store", store_, "--passphrase-file", (tmp_ / "pass").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    opt.unset_env.push_back("CASEPACK_STORE");
    opt.unset_env.push_back("CASEPACK_PASSPHRASE_FILE");
    if (!now_.empty()) opt.env.try_emplace("CASEPACK_FAKE_NOW", now_);
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
  // The scenario's "now" for retention (CASEPACK_FAKE_NOW), when not empty. A test whose cases carry
  // fixed calendar dates (because bank holidays and working days are its subject) pins it, so that the
  // real date can never purge them mid-test; other tests take their dates from today (support/calendar.h).
  std::string now_;
};

}  // namespace casepack::testing
