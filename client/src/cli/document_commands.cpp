// casepack doc add | list | export | open | rm: the case pack's documents, encrypted in the store.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <linux/magic.h>

#include "case_cli.h"
#include "casepack/audit.h"
#include "io.h"
#include "retention_view.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct DocumentOptions {
  std::string case_id, item_id, file, output, type, received, from, name;
  bool json = false, force = false;
};

// A private RAM-backed directory for `doc open`: $XDG_RUNTIME_DIR must be tmpfs or ramfs, so the
// decrypted document never reaches a disk.
std::filesystem::path PrivateRamDirectory() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  struct statfs fs_info {};
  if (runtime == nullptr || *runtime == '\0' || ::statfs(runtime, &fs_info) != 0 ||
      (static_cast<unsigned long>(fs_info.f_type) != TMPFS_MAGIC && static_cast<unsigned long>(fs_info.f_type) != RAMFS_MAGIC)) {
    Fail(ErrorCode::kUnavailable, "no private in-memory directory to open the document from ($XDG_RUNTIME_DIR is unset or not tmpfs)",
         "casepack will not write a decrypted document to disk; use 'casepack doc export CASE DOC -o FILE' if you accept that");
  }
  std::string tmpl = std::string(runtime) + "/casepack-view-" + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) Fail(ErrorCode::kIo, std::string("cannot create a private directory: ") + std::strerror(errno));
  return tmpl;
}

// The decrypted document lives only in an anonymous memory file (memfd): no name on any file system, gone
// when the last process holding it exits — casepack and the viewer — whatever kills them. Sealed
// read-only once written. The viewer inherits the descriptor and reaches it by /proc/self/fd/N.
int MemoryFileWith(CaseService& cases, const std::string& case_id, const std::string& doc_id, const std::string& name) {
  const int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) Fail(ErrorCode::kUnavailable, std::string("cannot create an in-memory file: ") + std::strerror(errno));
  (void)::fchmod(fd, 0600);
  const Status written = cases.ExportDocument(case_id, doc_id, [fd](std::span<const std::uint8_t> b) -> Status {
    while (!b.empty()) {
      const ssize_t n = ::write(fd, b.data(), b.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return MakeError(errno == ENOSPC ? ErrorCode::kNoSpace : ErrorCode::kIo,
                                   std::string("cannot fill the in-memory file: ") + std::strerror(errno));
      b = b.subspan(static_cast<std::size_t>(n));
    }
    return Ok();
  });
  if (!written.ok()) {
    ::close(fd);
    throw CommandFailed{written.error()};
  }
  (void)::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

// Ignores SIGINT, SIGQUIT, SIGHUP and SIGTERM for its lifetime (restoring the previous dispositions).
class SignalsDeferred {
 public:
  SignalsDeferred() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &ignore, &saved_[i]);
  }
  ~SignalsDeferred() {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }
  SignalsDeferred(const SignalsDeferred&) = delete;
  SignalsDeferred& operator=(const SignalsDeferred&) = delete;
  // In a forked child before exec: the viewer gets the dispositions casepack was started with.
  void RestoreInChild() const {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }

 private:
  static constexpr int kSignals[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
  struct sigaction saved_[std::size(kSignals)] {};
};

void AddDocumentAdd(CLI::App& parent, Context& ctx, DocumentOptions& a) {
  auto* doc_add = parent.add_subcommand("add", "add a document to a case (the file is encrypted into the store)");
  doc_add->add_option("CASE", a.case_id, "case id")->required();
  doc_add->add_option("FILE", a.file, "the document (at most 200 MiB; $CASEPACK_DOCUMENT_LIMIT_MB sets another limit)")->required();
  doc_add->add_option("--type", a.type, "icpc-minutes, rcpc-minutes, core-group-minutes, child-protection-plan, …")->required();
  doc_add->add_option("--received", a.received, "date received, DD/MM/YYYY or YYYY-MM-DD (default today)");
  doc_add->add_option("--from", a.from, "sending agency")->required();
  doc_add->add_option("--name", a.name, "original file name (default: FILE's name)");
  doc_add->callback([&ctx, &a] {
    const DocumentType type = Must(ParseDocumentType(a.type), "--type");
    const Date received = a.received.empty() ? Today() : ParseDateOption(a.received, "--received");
    const int fd = ::open(a.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail(ErrorCode::kIo, "cannot read " + a.file + ": " + std::strerror(errno), "nothing was added");
    struct Closer { int fd; ~Closer() { ::close(fd); } } closer{fd};
    ByteSource source = [fd, file = a.file](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return MakeError(ErrorCode::kIo, "cannot read " + file + ": " + std::strerror(errno));
      }
    };
    auto s = OpenCases(ctx, "casepack doc add", a.case_id);
    const std::string name = a.name.empty() ? std::filesystem::path(a.file).filename().string() : a.name;
    const DocumentMeta meta = Must(s.cases->AddDocument(s.case_id, type, name, received, a.from, source));
    std::printf("%s  added %s (%llu bytes, sha256 %s)\n", meta.id.c_str(), meta.original_name.c_str(),
                static_cast<unsigned long long>(meta.size), meta.sha256.c_str());
  });
}

void AddDocumentList(CLI::App& parent, Context& ctx, DocumentOptions& a) {
  auto* doc_list = parent.add_subcommand("list", "list a case's documents");
  doc_list->add_option("CASE", a.case_id, "case id")->required();
  doc_list->add_flag("--json", a.json, "machine-readable output");
  doc_list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack doc list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& x : d.documents) arr.push_back(ToJson(x.meta));
      PrintJson(arr);
      return;
    }
    for (const auto& x : d.documents)
      std::printf("%s  %-24s %-40s %10llu  %s  %s\n", x.meta.id.c_str(), std::string(ToString(x.meta.type)).c_str(),
                  x.meta.original_name.c_str(), static_cast<unsigned long long>(x.meta.size),
                  FormatDate(x.meta.received).c_str(), x.meta.sending_agency.c_str());
  });
}

void AddDocumentExport(CLI::App& parent, Context& ctx, DocumentOptions& a) {
  auto* doc_export = parent.add_subcommand("export", "write a decrypted document to FILE (-o - for standard output)");
  doc_export->add_option("CASE", a.case_id, "case id")->required();
  doc_export->add_option("DOC", a.item_id, "document id")->required();
  doc_export->add_option("-o,--output", a.output, "where to write the decrypted document")->required();
  doc_export->add_flag("--force", a.force, "replace FILE if it exists");
  doc_export->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack doc export", a.case_id);
    const StoredDocument d = Must(s.cases->FindDocument(s.case_id, a.item_id));
    if (a.output == "-" && ::isatty(1))
      Fail(ErrorCode::kInvalidArgument, "refusing to write a document to the terminal", "redirect standard output, or use -o FILE");
    Output out(a.output, a.force);
    Check(s.cases->ExportDocument(s.case_id, d.meta.id, out.Sink()));
    out.Commit();
    AuditEvent(*s.session, AuditKind::kDocumentExport, s.case_id, "document " + d.meta.id + " exported");
    if (!out.is_stdout()) std::fprintf(stderr, "wrote %s (%llu bytes)\n", a.output.c_str(), static_cast<unsigned long long>(d.meta.size));
  });
}

void AddDocumentOpen(CLI::App& parent, Context& ctx, DocumentOptions& a) {
  auto* doc_open = parent.add_subcommand("open", "show a document in the system viewer, from a private in-memory directory");
  doc_open->add_option("CASE", a.case_id, "case id")->required();
  doc_open->add_option("DOC", a.item_id, "document id")->required();
  doc_open->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack doc open", a.case_id);
    const StoredDocument d = Must(s.cases->FindDocument(s.case_id, a.item_id));
    // From here until the directory is removed, Ctrl-C, a closed terminal or SIGTERM must not kill us
    // and leave the plaintext behind: like system(), wait for the viewer through them (it gets them
    // too, and exits), then clean up. Declared first, so restored last.
    const SignalsDeferred deferred;
    const std::filesystem::path dir = PrivateRamDirectory();
    const std::string name = std::filesystem::path(d.meta.original_name).filename().string();
    const std::filesystem::path file = dir / name;
    struct Cleanup {
      std::filesystem::path dir;
      int fd = -1;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        if (fd >= 0) ::close(fd);
      }
    } cleanup{dir};
    cleanup.fd = MemoryFileWith(*s.cases, s.case_id, d.meta.id, name);
    // The private directory holds only a link with the document's name (viewers go by its extension);
    // the plaintext is never in it. A link a killed run left is swept at the next store open.
    std::error_code link_error;
    std::filesystem::create_symlink("/proc/self/fd/" + std::to_string(cleanup.fd), file, link_error);
    if (link_error) Fail(ErrorCode::kIo, "cannot create the viewer's link: " + link_error.message());
    AuditEvent(*s.session, AuditKind::kDocumentExport, s.case_id, "document " + d.meta.id + " opened in a viewer");
    const char* viewer_env = std::getenv("CASEPACK_VIEWER");
    const std::string viewer = viewer_env != nullptr && *viewer_env != '\0' ? viewer_env : "xdg-open";
    std::fprintf(stderr, "opening %s with %s; it is removed when the viewer exits\n", d.meta.original_name.c_str(), viewer.c_str());
    const pid_t pid = ::fork();
    if (pid == 0) {
      deferred.RestoreInChild();
      (void)::fcntl(cleanup.fd, F_SETFD, 0);  // the viewer inherits the in-memory file
      ::execlp(viewer.c_str(), viewer.c_str(), file.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      Fail(ErrorCode::kUnavailable, "the viewer '" + viewer + "' failed", "set CASEPACK_VIEWER to a program that opens files");
  });
}

}  // namespace

void SweepViewerLeftovers() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime == nullptr || *runtime == '\0') return;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(runtime, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("casepack-view-", 0) != 0 || !it->is_directory(ec) || it->is_symlink(ec)) continue;
    // casepack-view-PID-XXXXXX: a link only, kept while its run is alive. casepack-view-XXXXXX: left by a
    // build before memfd viewing, and holding the plaintext itself.
    const std::string rest = name.substr(14);
    const auto dash = rest.find('-');
    if (dash != std::string::npos) {
      const pid_t pid = static_cast<pid_t>(std::atol(rest.substr(0, dash).c_str()));
      if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;
    }
    std::error_code rm;
    std::filesystem::remove_all(it->path(), rm);
  }
}

void RegisterDocumentCommands(CLI::App& app, Context& ctx) {
  static DocumentOptions options;
  auto* doc = app.add_subcommand("doc", "the case pack's documents, encrypted in the store");
  doc->require_subcommand(1);
  AddDocumentAdd(*doc, ctx, options);
  AddDocumentList(*doc, ctx, options);
  AddDocumentExport(*doc, ctx, options);
  AddDocumentOpen(*doc, ctx, options);
  AddRemove(*doc, ctx, CaseTable::kDocuments, "document");
}

}  // namespace casepack::cli
