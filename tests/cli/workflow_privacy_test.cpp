// Where decrypted case content may and may not go, through the real binary:
//  * `doc open` decrypts the document only into an anonymous memory file (memfd) that the viewer inherits,
//    reached through a link in a private (0700) directory on a RAM file system ($XDG_RUNTIME_DIR must be
//    tmpfs), removed when the viewer exits; without such a directory it refuses and writes nothing; a
//    SIGKILL leaves no plaintext, and the next open sweeps the link;
//  * text planted in every kind of case content is never found in the raw bytes of the store directory
//    (database, WAL, blobs), after each command (SQLite's securedel2.test, through the CLI).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <linux/magic.h>

#include <filesystem>
#include <optional>

#include "workflow_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;

bool IsTmpfs(const fs::path& p) {
  struct statfs info {};
  return ::statfs(p.c_str(), &info) == 0 && static_cast<unsigned long>(info.f_type) == TMPFS_MAGIC;
}

class DocOpenTest : public WorkflowTest {
 protected:
  void SetUp() override {
    WorkflowTest::SetUp();
    InitStore();
    case_ = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport"});
    bytes_ = BinaryDocument(150'000, 7);
    WriteFile(tmp_ / "ICPC minutes.pdf", bytes_);
    doc_ = FirstWord(Ok({"doc", "add", case_, (tmp_ / "ICPC minutes.pdf").string(), "--type", "icpc-minutes", "--from", "CS"}));
    // The viewer records what it was given and how it found it, and keeps a copy of the bytes.
    viewer_ = tmp_ / "viewer.sh";
    WriteFile(viewer_, "#!/bin/sh\n"
                       "printf '%s' \"$1\" > \"$RECORD_DIR/path\"\n"
                       "stat -c %a \"$(dirname \"$1\")\" > \"$RECORD_DIR/dir-mode\"\n"
                       "readlink \"$1\" > \"$RECORD_DIR/link\"\n"
                       "cp \"$1\" \"$RECORD_DIR/copy\"\n"
                       "exit \"${VIEWER_EXIT:-0}\"\n");
    fs::permissions(viewer_, fs::perms::owner_all);
    fs::create_directory(tmp_ / "record");
  }

  ProcessResult Open(std::map<std::string, std::string> env, std::vector<std::string> unset = {}) {
    env["CASEPACK_VIEWER"] = viewer_.string();
    env["RECORD_DIR"] = (tmp_ / "record").string();
    return Cli({"doc", "open", case_, doc_.substr(0, 6)}, {.env = env, .unset_env = unset});
  }

  std::string case_, doc_, bytes_;
  fs::path viewer_;
};

TEST_F(DocOpenTest, ViewerGetsThePlaintextFromAPrivateRamDirectoryThatIsThenRemoved) {
  fs::path ram_parent;
  for (const char* candidate : {"/dev/shm", "/run/user", "/run"})
    if (IsTmpfs(candidate) && ::access(candidate, W_OK) == 0) {
      ram_parent = candidate;
      break;
    }
  if (ram_parent.empty()) GTEST_SKIP() << "no writable tmpfs (/dev/shm, /run/user, /run) to act as $XDG_RUNTIME_DIR";
  TempDir runtime(ram_parent);

  const auto r = Open({{"XDG_RUNTIME_DIR", runtime.path().string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const fs::path seen = ReadFile(tmp_ / "record" / "path");
  EXPECT_EQ(seen.filename(), "ICPC minutes.pdf") << "the viewer sees the document's own name";
  EXPECT_EQ(seen.parent_path().parent_path(), runtime.path());
  EXPECT_EQ(seen.parent_path().filename().string().rfind("casepack-view-", 0), 0u) << seen;
  EXPECT_EQ(ReadFile(tmp_ / "record" / "dir-mode"), "700\n") << "the directory is private to the user";
  EXPECT_EQ(ReadFile(tmp_ / "record" / "link").rfind("/proc/self/fd/", 0), 0u)
      << "the name is only a link to the viewer's own descriptor of the in-memory file";
  EXPECT_EQ(ReadFile(tmp_ / "record" / "copy"), bytes_) << "the viewer got the exact plaintext";
  EXPECT_FALSE(fs::exists(seen.parent_path())) << "the private directory must be gone after the viewer exits";
  EXPECT_TRUE(fs::is_empty(runtime.path())) << "nothing left in $XDG_RUNTIME_DIR";

  // A viewer that fails: an error, and the plaintext is removed all the same.
  fs::remove(tmp_ / "record" / "copy");
  const auto failed = Open({{"XDG_RUNTIME_DIR", runtime.path().string()}, {"VIEWER_EXIT", "3"}});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_TRUE(Contains(failed.err, "\ncasepack: error: the viewer '" + viewer_.string() + "' failed")) << failed.err;
  EXPECT_EQ(ReadFile(tmp_ / "record" / "copy"), bytes_);
  EXPECT_TRUE(fs::is_empty(runtime.path())) << "nothing left after a failing viewer";

  // A viewer that cannot be started at all.
  const auto missing = Cli({"doc", "open", case_, doc_},
                           {.env = {{"XDG_RUNTIME_DIR", runtime.path().string()}, {"CASEPACK_VIEWER", "/nonexistent/viewer"}}});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(Contains(missing.err, "casepack: error: the viewer '/nonexistent/viewer' failed")) << missing.err;
  EXPECT_TRUE(fs::is_empty(runtime.path()));
}

// Regression: Ctrl-C (or a closed terminal, or SIGTERM) while the viewer was open killed casepack before it
// removed the private directory, leaving the decrypted document in $XDG_RUNTIME_DIR. Like system(),
// casepack now waits for the viewer through such signals, then removes the directory.
TEST_F(DocOpenTest, InterruptWhileTheViewerIsOpenStillRemovesThePlaintext) {
  fs::path ram_parent = "/dev/shm";
  if (!IsTmpfs(ram_parent) || ::access(ram_parent.c_str(), W_OK) != 0) GTEST_SKIP() << "no writable tmpfs at /dev/shm";
  TempDir runtime(ram_parent);
  // The viewer signals casepack (its parent) as a terminal would, then carries on and exits normally.
  for (const char* sig : {"INT", "TERM", "HUP", "QUIT"}) {
    SCOPED_TRACE(sig);
    WriteFile(viewer_, std::string("#!/bin/sh\n"
                                   "printf '%s' \"$1\" > \"$RECORD_DIR/path\"\n"
                                   "kill -") + sig + " $PPID\n"
                                   "cp \"$1\" \"$RECORD_DIR/copy\"\n");
    fs::remove(tmp_ / "record" / "copy");
    const auto r = Open({{"XDG_RUNTIME_DIR", runtime.path().string()}});
    EXPECT_EQ(ReadFile(tmp_ / "record" / "copy"), bytes_) << "the viewer could read the document";
    EXPECT_TRUE(fs::is_empty(runtime.path())) << "decrypted document left in $XDG_RUNTIME_DIR: exit " << r.exit_code
                                              << " signal " << r.signal << "\n" << r.err;
    for (const auto& e : fs::directory_iterator(runtime.path())) fs::remove_all(e.path());
  }
}

TEST_F(DocOpenTest, RefusesWithoutAPrivateRamDirectoryAndWritesNothing) {
  fs::create_directory(tmp_ / "disk");
  std::vector<std::pair<std::string, ProcessResult>> runs;
  runs.emplace_back("unset", Open({}, {"XDG_RUNTIME_DIR"}));
  runs.emplace_back("empty", Open({{"XDG_RUNTIME_DIR", ""}}));
  runs.emplace_back("missing", Open({{"XDG_RUNTIME_DIR", (tmp_ / "no-such-dir").string()}}));
  // A directory on disk: beside the other temporary files if /tmp is a disk, else the first of /var/tmp and
  // the working directory (the build tree) that is one; always tested.
  std::optional<TempDir> disk_dir;
  for (const fs::path& parent : {fs::path(tmp_.path()), fs::path("/var/tmp"), fs::current_path()})
    if (!IsTmpfs(parent) && ::access(parent.c_str(), W_OK) == 0) {
      disk_dir.emplace(parent);
      break;
    }
  ASSERT_TRUE(disk_dir.has_value()) << "no writable directory on disk to try as XDG_RUNTIME_DIR";
  runs.emplace_back("on disk", Open({{"XDG_RUNTIME_DIR", disk_dir->path().string()}}));
  EXPECT_TRUE(fs::is_empty(disk_dir->path())) << "something was written to the on-disk directory";
  for (const auto& [what, r] : runs) {
    SCOPED_TRACE(what);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err.rfind("casepack: error: no private in-memory directory to open the document from", 0), 0u) << r.err;
    EXPECT_TRUE(Contains(r.err, "casepack: hint: casepack will not write a decrypted document to disk")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_TRUE(fs::is_empty(tmp_ / "record")) << "the viewer must not have been started";
  EXPECT_TRUE(fs::is_empty(tmp_ / "disk")) << "nothing written to the on-disk directory";
  EXPECT_FALSE(fs::exists(tmp_ / "no-such-dir"));
}

// Regression (issue 12): `doc export -o FILE` killed mid-write — by Ctrl-C, SIGTERM, a closed terminal or
// SIGKILL, which no handler sees — left FILE.casepack-partial, half a decrypted document. The export is
// now an unnamed O_TMPFILE, linked as FILE only once complete. The test kills casepack while it holds
// that unnamed file open (seen in /proc/PID/fd as "DIR/#N (deleted)"): afterwards the folder holds
// exactly what it held before.
TEST_F(WorkflowTest, ExportKilledMidWriteEvenBySigkillLeavesNoPlaintext) {
  InitStore();
  const std::string c = NewCase({"--type", "MAS", "--subject", "J.S.", "--area", "Newport"});
  const std::string bytes = BinaryDocument(24 << 20, 11);
  WriteFile(tmp_ / "doc.pdf", bytes);
  const std::string doc = FirstWord(Ok({"doc", "add", c, (tmp_ / "doc.pdf").string(), "--type", "other", "--from", "X"}));
  fs::remove(tmp_ / "doc.pdf");
  const fs::path out_dir = tmp_ / "exports";
  fs::create_directory(out_dir);
  const fs::path target = out_dir / "exported.pdf";
  for (int sig : {SIGKILL, SIGINT, SIGTERM, SIGHUP}) {
    SCOPED_TRACE(strsignal(sig));
    int caught = 0;
    for (int attempt = 0; attempt < 8 && caught == 0; ++attempt) {
      const std::vector<std::string> argv = {CASEPACK_CLI, "--store", store_, "--passphrase-file", (tmp_ / "pass").string(),
                                             "doc", "export", c, doc, "-o", target.string()};
      const pid_t pid = ::fork();
      if (pid == 0) {
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        _exit(127);
      }
      // Wait until casepack holds the unnamed file in out_dir open (or has finished).
      const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
      bool writing = false;
      for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) break;  // finished before we saw it
        std::error_code ec;
        for (fs::directory_iterator it(fd_dir, ec), end; !ec && it != end; it.increment(ec)) {
          std::error_code rl;
          const std::string link = fs::read_symlink(it->path(), rl).string();
          if (link.rfind(out_dir.string() + "/", 0) == 0 && link.find("(deleted)") != std::string::npos) writing = true;
        }
        if (writing) break;
      }
      if (!writing) {
        fs::remove(target);
        continue;
      }
      ::kill(pid, sig);
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (!WIFSIGNALED(status)) {  // it finished between the look and the signal
        fs::remove(target);
        continue;
      }
      ++caught;
      EXPECT_TRUE(fs::is_empty(out_dir)) << "something of the export was left in its folder";
      for (const auto& e : fs::directory_iterator(out_dir)) fs::remove(e.path());
    }
    EXPECT_EQ(caught, 1) << "casepack was never caught mid-write";
  }
}

// Regression (issue 12): `doc open` killed with SIGKILL while the viewer ran left the decrypted document
// in $XDG_RUNTIME_DIR/casepack-view-*/ for ever. The document now lives in a memfd (no name on any file
// system); the private directory holds only a link, and the next store open sweeps it.
TEST_F(DocOpenTest, SigkillWhileTheViewerIsOpenLeavesNoPlaintext) {
  fs::path ram_parent = "/dev/shm";
  if (!IsTmpfs(ram_parent) || ::access(ram_parent.c_str(), W_OK) != 0) GTEST_SKIP() << "no writable tmpfs at /dev/shm";
  TempDir runtime(ram_parent);
  const fs::path fifo = tmp_ / "record" / "viewer-running";
  const fs::path release = tmp_ / "record" / "viewer-release";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo(release.c_str(), 0600), 0);
  // The viewer copies what it was given, says so through one FIFO, then stays open until the test
  // releases it through the other (after casepack is dead).
  WriteFile(viewer_, "#!/bin/sh\n"
                     "cp \"$1\" \"$RECORD_DIR/copy\"\n"
                     "echo running > \"$RECORD_DIR/viewer-running\"\n"
                     "read line < \"$RECORD_DIR/viewer-release\"\n");
  const std::vector<std::string> argv = {CASEPACK_CLI, "--store", store_, "--passphrase-file", (tmp_ / "pass").string(),
                                         "doc", "open", case_, doc_};
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
    ::setenv("XDG_RUNTIME_DIR", runtime.path().c_str(), 1);
    ::setenv("CASEPACK_VIEWER", viewer_.c_str(), 1);
    ::setenv("RECORD_DIR", (tmp_ / "record").c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  const int reader = ::open(fifo.c_str(), O_RDONLY);  // returns once the viewer has copied and opened the FIFO
  ASSERT_GE(reader, 0);
  char buf[16];
  while (::read(reader, buf, sizeof buf) > 0) {
  }
  ::close(reader);
  ::kill(pid, SIGKILL);  // casepack dies while the viewer is still running (waiting on the release FIFO)
  int status = 0;
  ::waitpid(pid, &status, 0);
  const int releaser = ::open(release.c_str(), O_WRONLY);
  ASSERT_GE(releaser, 0);
  ASSERT_EQ(::write(releaser, "go\n", 3), 3);
  ::close(releaser);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(ReadFile(tmp_ / "record" / "copy"), bytes_) << "the viewer got the exact plaintext";
  // No regular file anywhere under $XDG_RUNTIME_DIR: at most the link (to the viewer's own descriptor).
  for (const auto& e : fs::recursive_directory_iterator(runtime.path()))
    EXPECT_FALSE(fs::is_regular_file(fs::symlink_status(e.path()))) << "plaintext left: " << e.path();
  // The next store open sweeps the dead run's directory.
  ASSERT_EQ(Cli({"status"}, {.env = {{"XDG_RUNTIME_DIR", runtime.path().string()}}}).exit_code, 0);
  EXPECT_TRUE(fs::is_empty(runtime.path())) << "the killed run's directory was not swept";
}

// Orphan blobs/*.tmp of a killed `doc add` (up to the document limit each) are removed at the next open.
TEST_F(WorkflowTest, OrphanBlobTemporariesAreSweptAtOpen) {
  InitStore();
  fs::create_directories(fs::path(store_) / "blobs");
  WriteFile(fs::path(store_) / "blobs" / "0123456789abcdef0123456789abcdef.tmp", std::string(1 << 20, '\x5a'));
  Ok({"status"});
  EXPECT_FALSE(fs::exists(fs::path(store_) / "blobs" / "0123456789abcdef0123456789abcdef.tmp"));
}

// Text planted in every kind of case content, and in a document, is never in the store's raw bytes.
TEST_F(WorkflowTest, KnownTextNeverAppearsInTheRawStoreFiles) {
  InitStore();
  const std::vector<std::string> planted = {
      "Jemima Puddleduck",                             // subject
      "Llanfair Community Hall",                        // venue
      "Gwenllian Fitzwilliam",                          // facilitator
      "Siân Quibblethwaite missed the appointment",     // note (add)
      "Bartholomew Ffrench-Mullen shouted",            // note (set)
      "Facilitator comment zebra-parsnip",             // comments
      "Ottoline Wigglesworth",                          // attendee name
      "absent because of the orangutan meeting",       // attendance reason
      "Deliver the marmalade assessment",              // action
      "Pendlebury Ltd safeguarding",                   // action owner agency
      "Chronology event: kumquat incident",            // chronology
      "Feedback answer: aubergine insights",           // feedback
      "Document body: the quokka conference minutes",  // document content
      "quokka-minutes.txt",                            // document name
  };
  auto check = [&](const std::string& step) {
    const std::string raw = AllBytesBelow(store_);
    for (const auto& p : planted) {
      EXPECT_EQ(raw.find(p), std::string::npos) << "'" << p << "' in the clear after " << step;
      // A distinctive word alone, in case the text is stored split or in another encoding of the sentence.
      const std::string word = p.substr(p.rfind(' ') + 1);
      if (word.size() >= 6) {
        EXPECT_EQ(raw.find(word), std::string::npos) << "'" << word << "' after " << step;
      }
    }
  };
  const std::string id = NewCase({"--type", "MAS", "--subject", planted[0], "--area", "Newport", "--venue", planted[1],
                                  "--facilitator", planted[2], "--date", "referral-conference=2026-11-02"});
  check("case new");
  WithStdin({"note", "add", id, "story"}, planted[3] + "\n");
  check("note add");
  WithStdin({"note", "set", id, "risk-factors"}, planted[4] + "\n");
  check("note set");
  WithStdin({"comments", id}, planted[5] + "\n");
  check("comments");
  Ok({"attend", id, "--agency", "Health", "--name", planted[6], "--status", "absent", "--reason", planted[7]});
  check("attend");
  Ok({"action", "add", id, "--what", planted[8], "--owner-agency", planted[9], "--due", "2026-12-01"});
  check("action add");
  Ok({"chronology", "add", id, "--when", "2026-03-01", "--source", "Health", "--event", planted[10]});
  check("chronology add");
  Ok({"feedback", "add", id, "--agency", "Health", "--role", "HV", "--answer", "most-useful=" + planted[11]});
  check("feedback add");
  WriteFile(tmp_ / planted[13], planted[12] + "\n" + std::string(100'000, ' ') + planted[12] + "\n");
  Ok({"doc", "add", id, (tmp_ / planted[13]).string(), "--type", "icpc-minutes", "--from", "CS"});
  check("doc add");
  // Reads (and a refused write) leave nothing behind either.
  Ok({"report", id, "--format", "html", "-o", (tmp_ / "report.html").string()});
  Ok({"doc", "export", id, FirstWord(Json({"doc", "list", id, "--json"})[0]["id"].get<std::string>()), "-o",
      (tmp_ / "export.txt").string()});
  check("report and export");
  EXPECT_TRUE(Contains(ReadFile(tmp_ / "report.html"), "Jemima Puddleduck")) << "the planted text is really in the case";
  EXPECT_EQ(ReadFile(tmp_ / "export.txt"), ReadFile(tmp_ / planted[13]));
  // Positive controls: every planted text is in the case as casepack shows it (so its absence from the raw
  // bytes means encrypted, not missing), and the raw scan does find text that is in the clear.
  const std::string shown = Json({"case", "show", id, "--json"}).dump() + Json({"chronology", "list", id, "--json"}).dump() +
                            Json({"doc", "list", id, "--json"}).dump() + ReadFile(tmp_ / "report.html") +
                            ReadFile(tmp_ / "export.txt");
  for (const auto& p : planted) EXPECT_TRUE(Contains(shown, p)) << "'" << p << "' never reached the case";
  WriteFile(fs::path(store_) / "control.txt", planted[0]);
  EXPECT_TRUE(Contains(AllBytesBelow(store_), planted[0])) << "the raw scan cannot see text in the clear";
  fs::remove(fs::path(store_) / "control.txt");
}

}  // namespace
}  // namespace casepack::testing
