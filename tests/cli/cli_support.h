// Drives the real casepack binary on a throwaway store.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
    std::vector<std::string> argv = {cli_, "--store", store_, "--passphrase-file", (tmp_ / "pass").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    opt.unset_env.push_back("CASEPACK_STORE");
    opt.unset_env.push_back("CASEPACK_PASSPHRASE_FILE");
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
};

}  // namespace casepack::testing
