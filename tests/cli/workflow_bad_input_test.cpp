// Bad input to the workflow commands: each is refused with one clear "casepack: error: …" line (and at
// most a hint), exit 1 (2 for a usage error), and changes NOTHING: the case as `case show --json` prints
// it, the case list (with its updated_at), the store's counts (operations included), the blob files, and
// no partial file left anywhere.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "workflow_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::string> FilesBelow(const fs::path& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

class BadInputTest : public WorkflowTest {
 protected:
  void SetUp() override {
    WorkflowTest::SetUp();
    InitStore();
    case_ = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport", "--date", "referral-conference=2026-11-02"});
    WriteFile(tmp_ / "minutes.txt", "ICPC minutes: Siân attended.\n");
    doc_ = FirstWord(Ok({"doc", "add", case_, (tmp_ / "minutes.txt").string(), "--type", "icpc-minutes", "--from",
                         "Newport CS", "--received", "2026-11-03"}));
    action_ = FirstWord(Ok({"action", "add", case_, "--what", "Book the event", "--owner-agency", "Business Unit", "--due",
                            "2026-11-16"}));
    WithStdin({"note", "add", case_, "story"}, "The story so far.\n");
    fs::create_directory(tmp_ / "out");
    WriteFile(tmp_ / "out" / "existing.md", "do not overwrite me\n");
  }

  struct State {
    std::string show, counts;
    std::map<std::string, std::string> store_bytes;  // every file of the store (database, WAL, blobs), raw
    std::set<std::string> out_files;
  };
  State Snapshot() {
    State s;
    s.show = Show(case_).dump();
    s.counts = Json({"status", "--json"})["counts"].dump();
    // The database itself legitimately records every open (the trusted clock, the audit trail): its
    // content is compared through `case show` and the counts above; every other file byte for byte.
    for (const auto& f : FilesBelow(store_))
      if (!f.starts_with("store.holders") && !f.starts_with("store.db")) s.store_bytes[f] = ReadFile(fs::path(store_) / f);
    s.out_files = FilesBelow(tmp_ / "out");
    return s;
  }

  // Runs a command that must be refused with `exit_code` and an error containing `message`, and proves that
  // it changed nothing. A refused command changes nothing, so the state after one is the state before the
  // next: consecutive refusals share snapshots (the CLI runs below are most of this suite's time).
  void ExpectRefused(const std::vector<std::string>& args, int exit_code, const std::string& message, RunOptions opt = {}) {
    SCOPED_TRACE("casepack " + Join(args));
    const State before = last_ ? *last_ : Snapshot();
    const auto r = Cli(args, opt);
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_EQ(r.out, "") << "a refused command prints nothing on standard output";
    std::istringstream lines(r.err);
    std::string line;
    int errors = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("casepack: error: ", 0) == 0) {
        ++errors;
        EXPECT_TRUE(Contains(line, message)) << "error line: " << line;
      } else {
        EXPECT_EQ(line.rfind("casepack: hint: ", 0), 0u) << "unexpected line on stderr: " << line;
      }
    }
    EXPECT_EQ(errors, 1) << r.err;
    last_ = Snapshot();
    const State& after = *last_;
    EXPECT_EQ(after.show, before.show) << "the case changed";
    EXPECT_EQ(after.counts, before.counts) << "the store's counts (cases, documents, operations) changed";
    EXPECT_EQ(after.out_files, before.out_files) << "files appeared or vanished in the output directory";
    // Byte for byte: not a stray blob or temporary file.
    EXPECT_EQ(after.store_bytes.size(), before.store_bytes.size()) << "files appeared or vanished in the store";
    for (const auto& [name, bytes] : before.store_bytes) {
      auto it = after.store_bytes.find(name);
      EXPECT_TRUE(it != after.store_bytes.end() && it->second == bytes) << "store file changed: " << name;
    }
    for (const auto& f : FilesBelow(tmp_.path()))
      EXPECT_TRUE(!f.ends_with(".tmp") && !f.ends_with(".casepack-partial")) << "partial file left: " << f;
  }
  // A command that changes the store ends the run of shared snapshots.
  std::string Changes(const std::vector<std::string>& args, RunOptions opt = {}) {
    last_.reset();
    return Ok(args, opt);
  }

  std::string Out(const std::string& name) { return (tmp_ / "out" / name).string(); }

  std::string case_, doc_, action_;
  std::optional<State> last_;
};

TEST_F(BadInputTest, UnknownCaseDocumentActionOrAttendee) {
  const std::string nosuch = "ffffffffffffffffffffffffffffffff";
  ExpectRefused({"case", "show", nosuch}, 1, "no case 'ffffffffffffffffffffffffffffffff'");
  ExpectRefused({"case", "show", "ab"}, 1, "at least 4 characters");
  ExpectRefused({"note", "add", "ffff", "story"}, 1, "no case 'ffff'", {.stdin_data = "text\n"});
  ExpectRefused({"doc", "add", nosuch, (tmp_ / "minutes.txt").string(), "--type", "other", "--from", "X"}, 1, "no case");
  ExpectRefused({"action", "add", nosuch, "--what", "x", "--owner-agency", "H", "--due", "2026-12-01"}, 1, "no case");
  ExpectRefused({"doc", "export", case_, "ffffffffffff", "-o", Out("x.txt")}, 1, "no document 'ffffffffffff'");
  ExpectRefused({"doc", "export", case_, "ffff", "-o", "-"}, 1, "no document 'ffff'");
  ExpectRefused({"action", "update", case_, "ffffffff", "--status", "done"}, 1, "no action 'ffffffff'");
  ExpectRefused({"attend", case_, "--id", "ffffffff", "--agency", "Health", "--status", "attended"}, 1,
                "no attendee 'ffffffff'");
}

TEST_F(BadInputTest, DatesThatDoNotParseOrDoNotExist) {
  ExpectRefused({"case", "set", case_, "--date", "event=2026-02-30"}, 1, "--date event: 2026-02-30: day 30 is not in February 2026");
  ExpectRefused({"case", "set", case_, "--date", "event=2026-02-29"}, 1, "day 29 is not in February 2026");
  ExpectRefused({"case", "set", case_, "--date", "event=next tuesday"}, 1, "not a date");
  ExpectRefused({"case", "set", case_, "--date", "event=31/02/2026"}, 1, "not in February");  // DD/MM/YYYY is checked too
  ExpectRefused({"case", "set", case_, "--date", "event=2/12/26"}, 1, "not a date");
  ExpectRefused({"case", "set", case_, "--date", "event"}, 1, "expected KEY=YYYY-MM-DD");
  ExpectRefused({"case", "new", "--type", "MAS", "--subject", "A", "--area", "B", "--date", "referral-conference=2026-13-01"},
                1, "month 13");
  ExpectRefused({"action", "add", case_, "--what", "x", "--owner-agency", "H", "--due", "2026-04-31"}, 1, "--due");
  ExpectRefused({"action", "update", case_, action_, "--due", "2026-00-10"}, 1, "--due");
  ExpectRefused({"doc", "add", case_, (tmp_ / "minutes.txt").string(), "--type", "other", "--from", "X", "--received",
                 "2026-02-30"}, 1, "--received");
  ExpectRefused({"chronology", "add", case_, "--when", "2026-02-30T10:00", "--source", "Health", "--event", "x"}, 1, "--when");
  ExpectRefused({"chronology", "add", case_, "--when", "2026-02-03T25:00", "--source", "Health", "--event", "x"}, 1, "--when");
  ExpectRefused({"deadlines", "--today", "2026-02-30"}, 1, "--today");
  ExpectRefused({"report", case_, "--format", "md", "--date", "2026-02-30", "-o", Out("r.md")}, 1, "--date");
}

TEST_F(BadInputTest, UnknownTypesSectionsAndStatuses) {
  ExpectRefused({"case", "new", "--type", "MASS", "--subject", "A", "--area", "B"}, 1, "unknown event type 'MASS'");
  ExpectRefused({"case", "keys", "--type", "SCR"}, 1, "unknown event type 'SCR'");  // a Serious Case Review: not ours
  ExpectRefused({"case", "set", case_, "--date", "meeting=2026-11-20"}, 1, "unknown key date 'meeting' for MAS");
  ExpectRefused({"case", "set", case_, "--status", "finished"}, 1, "--status");
  ExpectRefused({"note", "add", case_, "learning-points"}, 1, "unknown section 'learning-points' for MAS",
                {.stdin_data = "text\n"});
  ExpectRefused({"note", "set", case_, "Story"}, 1, "unknown section 'Story'", {.stdin_data = "text\n"});
  ExpectRefused({"note", "show", case_, "risks"}, 1, "unknown section 'risks'");
  ExpectRefused({"doc", "add", case_, (tmp_ / "minutes.txt").string(), "--type", "minutes", "--from", "X"}, 1,
                "unknown document type 'minutes'");
  ExpectRefused({"attend", case_, "--agency", "Health", "--status", "maybe"}, 1, "unknown attendance status 'maybe'");
  ExpectRefused({"action", "update", case_, action_, "--status", "closed"}, 1, "--status");
  ExpectRefused({"feedback", "add", case_, "--agency", "H", "--role", "R", "--answer", "best-bit=x"}, 1, "--answer");
  ExpectRefused({"feedback", "add", case_, "--agency", "H", "--role", "R", "--barriers", "maybe"}, 1, "--barriers");
  ExpectRefused({"report", case_, "--format", "odt", "-o", Out("r.odt")}, 1, "unknown report format");
}

TEST_F(BadInputTest, EmptyInvalidOrOwnerlessText) {
  ExpectRefused({"note", "add", case_, "story"}, 1, "the note is empty", {.stdin_data = ""});
  ExpectRefused({"note", "add", case_, "story"}, 1, "not valid UTF-8", {.stdin_data = "caf\xe9\n"});
  ExpectRefused({"note", "set", case_, "story"}, 1, "not valid UTF-8", {.stdin_data = "\xff\xfe"});
  ExpectRefused({"comments", case_}, 1, "not valid UTF-8", {.stdin_data = "\xc3"});
  ExpectRefused({"note", "add", case_, "story", "--file", (tmp_ / "no-such-note.txt").string()}, 1, "cannot read");
  // Said before anything else, without an id the person never saw (issue 16).
  ExpectRefused({"action", "add", case_, "--what", "x", "--due", "2026-12-01"}, 2, "an action needs an owner: --owner-agency");
}

TEST_F(BadInputTest, DocumentsRefused) {
  // Empty.
  WriteFile(tmp_ / "empty.pdf", "");
  ExpectRefused({"doc", "add", case_, (tmp_ / "empty.pdf").string(), "--type", "other", "--from", "X"}, 1, "the document is empty");
  // Not there, a directory, unreadable (the last only means something when not running as root).
  ExpectRefused({"doc", "add", case_, (tmp_ / "no-such.pdf").string(), "--type", "other", "--from", "X"}, 1,
                "cannot read " + (tmp_ / "no-such.pdf").string() + ": No such file or directory");
  ExpectRefused({"doc", "add", case_, (tmp_ / "out").string(), "--type", "other", "--from", "X"}, 1, "Is a directory");
  // Opens, but the first read fails (EIO): the encrypting reader stops and removes its temporary blob.
  if (fs::exists("/proc/self/mem")) {
    ExpectRefused({"doc", "add", case_, "/proc/self/mem", "--type", "other", "--from", "X"}, 1,
                  "cannot read /proc/self/mem: Input/output error");
  }
  // An endless file stops at the limit.
  ExpectRefused({"doc", "add", case_, "/dev/zero", "--type", "other", "--from", "X"}, 1, "larger than the limit of 1 MiB",
                {.env = {{"CASEPACK_DOCUMENT_LIMIT_MB", "1"}}});
  {
    // As root (CI), casepack runs without the capabilities that override file permissions, so a file
    // nobody may read is unreadable to it too.
    WriteFile(tmp_ / "locked.pdf", "secret");
    fs::permissions(tmp_ / "locked.pdf", fs::perms::none);
    RunOptions opt;
    if (::geteuid() == 0)
      opt.prefix = {"setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--"};
    ExpectRefused({"doc", "add", case_, (tmp_ / "locked.pdf").string(), "--type", "other", "--from", "X"}, 1,
                  "Permission denied", opt);
  }
  // A name that could escape a directory when the document is written out again.
  ExpectRefused({"doc", "add", case_, (tmp_ / "minutes.txt").string(), "--type", "other", "--from", "X", "--name",
                 "../minutes.txt"}, 1, "may not contain '/'");
  ExpectRefused({"doc", "add", case_, (tmp_ / "minutes.txt").string(), "--type", "other", "--from", "X", "--name", ".."}, 1,
                "may not be '.' or '..'");
  // The same bytes again, under another name, type and agency: found by hash.
  WriteFile(tmp_ / "copy.txt", ReadFile(tmp_ / "minutes.txt"));
  ExpectRefused({"doc", "add", case_, (tmp_ / "copy.txt").string(), "--type", "rcpc-minutes", "--from", "Health"}, 1,
                "already in the case, as document " + doc_);
  // Another case may hold the same bytes: the check is per case.
  const std::string other = FirstWord(Changes({"case", "new", "--type", "MAPM", "--subject", "K.L.", "--area", "Cardiff"}));
  Changes({"doc", "add", other, (tmp_ / "copy.txt").string(), "--type", "other", "--from", "Health"});
  EXPECT_EQ(Json({"status", "--json"})["counts"]["documents"], 2);
}

TEST_F(BadInputTest, DocumentLargerThanTheConfiguredLimit) {
  const std::string one_mib(1 << 20, 'x');
  WriteFile(tmp_ / "over.bin", one_mib + "y");
  WriteFile(tmp_ / "exact.bin", one_mib);
  const std::vector<std::string> add_over = {"doc", "add", case_, (tmp_ / "over.bin").string(), "--type", "other", "--from", "X"};
  ExpectRefused(add_over, 1, "larger than the limit of 1 MiB", {.env = {{"CASEPACK_DOCUMENT_LIMIT_MB", "1"}}});
  for (const char* bad : {"0", "abc", "-1", "1.5", "99999"})
    ExpectRefused(add_over, 1, "CASEPACK_DOCUMENT_LIMIT_MB must be a whole number", {.env = {{"CASEPACK_DOCUMENT_LIMIT_MB", bad}}});
  // At the limit exactly it is accepted; without the variable the default (200 MiB) applies.
  last_.reset();
  auto exact = Cli({"doc", "add", case_, (tmp_ / "exact.bin").string(), "--type", "other", "--from", "X"},
                   {.env = {{"CASEPACK_DOCUMENT_LIMIT_MB", "1"}}});
  EXPECT_EQ(exact.exit_code, 0) << exact.err;
  auto over_default = Cli(add_over, {.unset_env = {"CASEPACK_DOCUMENT_LIMIT_MB"}});
  EXPECT_EQ(over_default.exit_code, 0) << over_default.err;
  EXPECT_EQ(Show(case_)["documents"].size(), 3u);
}

TEST_F(BadInputTest, OutputMustBeNamedAndIsNeverOverwrittenUnasked) {
  // No -o at all, or an empty one: a usage error (exit 2); decrypted content must go where the user says.
  ExpectRefused({"doc", "export", case_, doc_}, 2, "--output is required");
  ExpectRefused({"report", case_, "--format", "md"}, 2, "--output is required");
  ExpectRefused({"doc", "export", case_, doc_, "-o", ""}, 2, "name where with -o FILE");
  ExpectRefused({"report", case_, "--format", "html", "-o", ""}, 2, "name where with -o FILE");
  // An existing file: refused, untouched.
  ExpectRefused({"doc", "export", case_, doc_, "-o", Out("existing.md")}, 1, Out("existing.md") + " already exists");
  ExpectRefused({"report", case_, "--format", "md", "-o", Out("existing.md")}, 1, Out("existing.md") + " already exists");
  EXPECT_EQ(ReadFile(Out("existing.md")), "do not overwrite me\n");
  // A directory that does not exist.
  ExpectRefused({"doc", "export", case_, doc_, "-o", (tmp_ / "out" / "nodir" / "x.txt").string()}, 1, "cannot write");
  // With --force, replaced whole.
  Changes({"doc", "export", case_, doc_, "-o", Out("existing.md"), "--force"});
  EXPECT_EQ(ReadFile(Out("existing.md")), "ICPC minutes: Siân attended.\n");
  Ok({"report", case_, "--format", "md", "-o", Out("existing.md"), "--force"});
  EXPECT_TRUE(Contains(ReadFile(Out("existing.md")), "The story so far."));
}


// Regression: with -o -, a failed write to standard output (a full disk behind a redirection) was lost in
// stdio's buffer and the command exited 0: a script would believe a truncated export or report complete.
TEST_F(BadInputTest, StandardOutputThatCannotBeWrittenIsAnError) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full to stand for a full disk";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"doc", "export", case_, doc_, "-o", "-"},
        std::vector<std::string>{"report", case_, "--format", "md", "-o", "-"}}) {
    SCOPED_TRACE(Join(args));
    std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" > /dev/full", CASEPACK_TESTCLOCK_CLI, "--store", store_,
                                     "--passphrase-file", (tmp_ / "pass").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = RunProcess(argv, {.env = {{"CASEPACK_TEST_NOW", now_}}});  // the scenario's now, as Cli gives
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(Contains(r.err, "casepack: error: cannot write standard output: the disk is full")) << r.err;
  }
}


// Regression: document, action and attendee ids took any prefix, even an empty one, so
// `action update CASE "" --status done` closed the case's only action. Like case ids, they now need at
// least 4 characters.
TEST_F(BadInputTest, EmptyOrShortItemIdsAreRefused) {
  const std::string attendee = FirstWord(Changes({"attend", case_, "--agency", "Health", "--status", "invited"}));
  ExpectRefused({"action", "update", case_, "", "--status", "done"}, 1, "an action id needs at least 4 characters");
  ExpectRefused({"action", "update", case_, action_.substr(0, 3), "--status", "done"}, 1, "an action id needs at least 4");
  ExpectRefused({"doc", "export", case_, "", "-o", Out("doc.txt")}, 1, "a document id needs at least 4 characters");
  ExpectRefused({"doc", "export", case_, doc_.substr(0, 1), "-o", "-"}, 1, "a document id needs at least 4 characters");
  ExpectRefused({"doc", "open", case_, ""}, 1, "a document id needs at least 4 characters");
  ExpectRefused({"attend", case_, "--id", "", "--agency", "Health", "--status", "attended"}, 1,
                "an attendee id needs at least 4 characters");
  // Four characters are enough.
  Changes({"action", "update", case_, action_.substr(0, 4), "--status", "done"});
  Changes({"attend", case_, "--id", attendee.substr(0, 4), "--agency", "Health", "--status", "attended"});
  EXPECT_EQ(Show(case_)["actions"][0]["status"], "done");
  EXPECT_EQ(Show(case_)["attendance"][0]["status"], "attended");
}


// Regression: when the final rename failed (here: --force onto a directory), the message carried a stale
// errno: "cannot write DIR: Success".
TEST_F(BadInputTest, ExportOntoADirectoryNamesTheRealError) {
  fs::create_directory(tmp_ / "out" / "a-directory");
  ExpectRefused({"doc", "export", case_, doc_, "-o", Out("a-directory"), "--force"}, 1,
                "cannot write " + Out("a-directory") + ": Is a directory");
  ExpectRefused({"report", case_, "--format", "md", "-o", Out("a-directory"), "--force"}, 1,
                "cannot write " + Out("a-directory") + ": Is a directory");
}

// Found by fuzz_audit_export: this file made `audit verify` abort with an uncaught C++ exception (exit 134).
TEST_F(BadInputTest, AuditExportWithAHeaderFieldOfTheWrongTypeIsOneErrorLine) {
  ExpectRefused({"audit", "verify", "--file", std::string(CASEPACK_VECTORS_DIR) + "/audit/refused-version-is-a-string.jsonl"},
                1, "audit export's version is not supported");
}

// Whatever exception escapes a command (here one thrown by the test-only fault point after the store is
// opened) ends as one error line and exit 1: never an abort, a trace or the exception's text.
TEST_F(BadInputTest, AnEscapedExceptionIsOneErrorLineAndExit1) {
  ExpectRefused({"case", "show", case_}, 1, "internal error",
                {.env = {{"CASEPACK_FAULT_AT", "store-opened"}, {"CASEPACK_FAULT_ACTION", "throw"}}});
  const auto r = Cli({"case", "show", case_}, {.env = {{"CASEPACK_FAULT_AT", "store-opened"}, {"CASEPACK_FAULT_ACTION", "throw"}}});
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.err.find("fault point"), std::string::npos) << "the exception's text reached the terminal: " << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace casepack::testing
