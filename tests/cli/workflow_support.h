// Helpers for the workflow tests: drive the real casepack binary through a case, one command at a time,
// and read its state back through the commands' --json forms (never through the library).
#pragma once

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.h"

namespace casepack::testing {

inline std::string Join(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The first whitespace-separated word of a command's output: the id that `attend`, `doc add`, `action add`,
// `chronology add` and `feedback add` print first.
inline std::string FirstWord(const std::string& out) { return out.substr(0, out.find_first_of(" \n")); }

// Lower-case hex SHA-256 of a file, by the system's sha256sum (independent of casepack's own hashing).
inline std::string Sha256Of(const std::filesystem::path& file) {
  auto r = RunProcess({"sha256sum", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return FirstWord(r.out);
}

// Bytes that exercise a binary document: every byte value, NULs, and more than one 64 KiB blob chunk.
inline std::string BinaryDocument(std::size_t size, unsigned seed) {
  std::string s(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(i % 3 == 0 ? static_cast<char>(i & 0xff) : static_cast<char>(x & 0xff));
  }
  return s;
}

// /dev/shm when it is a tmpfs, else the system temp dir. The workflow tests run a hundred or so commands
// that each commit with fsync; on tmpfs fsync is free, and these tests are about behaviour, not about
// durability (tests/client/store_test.cpp covers that on a real file system).
inline std::filesystem::path FastTempParent() {
  struct statfs fs_info {};
  if (::statfs("/dev/shm", &fs_info) == 0 && static_cast<unsigned long>(fs_info.f_type) == TMPFS_MAGIC &&
      ::access("/dev/shm", W_OK) == 0)
    return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

class WorkflowTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    store_ = (fast_ / "store").string();
    // These scenarios are about the calendar (working days, bank holidays, six weeks from a conference),
    // so their dates are fixed, and so is the retention clock they run at: the day they are set on.
    now_ = "2026-12-01";
  }

  TempDir fast_{FastTempParent()};  // the store; tmp_ keeps the passphrase, documents and outputs

  // A command that must succeed; returns its standard output.
  std::string Ok(const std::vector<std::string>& args, RunOptions opt = {}) {
    auto r = Cli(args, opt);
    EXPECT_EQ(r.exit_code, 0) << "casepack " << Join(args) << "\n" << r.err;
    return r.out;
  }
  // A command with --json output that must succeed.
  nlohmann::json Json(const std::vector<std::string>& args) {
    const std::string out = Ok(args);
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "casepack " << Join(args) << " printed no JSON:\n" << out;
    return j;
  }
  // `case new ARGS`: returns the new case's id.
  std::string NewCase(std::vector<std::string> args) {
    args.insert(args.begin(), {"case", "new"});
    const std::string out = Ok(args);
    const std::string id = FirstWord(out);
    EXPECT_EQ(id.size(), 32u) << out;
    return id;
  }
  // A text from standard input for `note add|set` and `comments`.
  std::string WithStdin(const std::vector<std::string>& args, const std::string& text) {
    return Ok(args, {.stdin_data = text});
  }
  nlohmann::json Show(const std::string& case_id) { return Json({"case", "show", case_id, "--json"}); }
  // The steps of one case in `deadlines --today TODAY --json`, keyed by step key.
  std::map<std::string, nlohmann::json> Deadlines(const std::string& case_id, const std::string& today) {
    std::map<std::string, nlohmann::json> steps;
    const auto all = Json({"deadlines", "--today", today, "--json"});
    bool found = false;
    for (const auto& c : all) {
      if (c["case_id"] != case_id) continue;
      found = true;
      EXPECT_EQ(c["today"], today);
      for (const auto& s : c["steps"]) steps[s["key"].get<std::string>()] = s;
    }
    EXPECT_TRUE(found) << "case " << case_id << " not in deadlines";
    return steps;
  }
  std::string Report(const std::string& case_id, const std::string& format, const std::string& date) {
    const auto file = tmp_ / ("report-" + case_id.substr(0, 8) + "." + format);
    std::filesystem::remove(file);
    Ok({"report", case_id, "--format", format, "--date", date, "-o", file.string()});
    EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << "a decrypted report must be readable by its owner only";
    return ReadFile(file);
  }
};

}  // namespace casepack::testing
