// Shared plumbing of the casepack command line: global options, how a passphrase is obtained, how errors
// are printed. Each command family lives in its own file and registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casepack/labels.h"
#include "casepack/result.h"
#include "casepack/secret.h"
#include "casepack/session.h"
#include "casepack/store.h"

namespace casepack::cli {

// Thrown from a command's callback to end it with a message and exit 1; caught in main.
struct CommandFailed {
  Error error;
};

struct Context {
  std::string store_dir;        // --store / CASEPACK_STORE / $XDG_DATA_HOME/casepack
  std::string passphrase_file;  // --passphrase-file / CASEPACK_PASSPHRASE_FILE
  bool json = false;
  // --lang cy|en: the language of labels and reports; default from LC_ALL, LC_MESSAGES, LANG (main.cpp).
  Language lang = Language::kEnglish;

  // What a full disk stopped while the command still ran (the store open read only, the retention check
  // postponed, an access not audited): said once, in one line, when the command ends (main.cpp), and not
  // at all when the command itself fails for the full disk, whose error already says so.
  mutable std::vector<std::string> full_disk_notes;

  std::filesystem::path StorePath() const;
  // Unlocks the store with the passphrase from the file or the terminal into a session, then (unless told
  // not to) runs the retention purge due under the trusted clock (docs/retention.md); throws CommandFailed.
  std::unique_ptr<ClientSession> OpenSession(std::string_view purpose, bool run_retention = true,
                                             std::uint64_t document_limit = CaseService::kDefaultDocumentLimit) const;
  // The clock of every command: the system time (CASEPACK_TEST_NOW in the test-only casepack-testclock).
  static const Clock& CommandClock();
};

// The store's passphrase: from `file` if given, else asked on the terminal without echo. With confirm,
// the terminal asks twice. Throws CommandFailed (no terminal, unreadable file, empty, mismatch).
SecretBytes ReadPassphrase(const std::string& file, const std::string& prompt, bool confirm);

// Ends the command with an error unless `r` is ok.
template <typename T>
T Unwrap(Result<T> r) {
  if (!r.ok()) throw CommandFailed{r.error()};
  return std::move(r).value();
}
// The session's services, for commands (the session is unlocked: OpenSession throws otherwise).
inline Store& StoreOf(ClientSession& s) { return *Unwrap(s.store()); }
inline CaseService& CasesOf(ClientSession& s) { return *Unwrap(s.cases()); }
inline PackService& PacksOf(ClientSession& s) { return *Unwrap(s.packs()); }
inline RetentionService& RetentionOf(ClientSession& s) { return *Unwrap(s.retention()); }
inline SyncService& SyncOf(ClientSession& s) { return *Unwrap(s.sync()); }
inline Audit& AuditOf(ClientSession& s) { return *Unwrap(s.audit()); }

inline void Check(const Status& s) {
  if (!s.ok()) throw CommandFailed{s.error()};
}
[[noreturn]] inline void Fail(ErrorCode code, std::string message, std::string hint = {}) {
  throw CommandFailed{MakeError(code, std::move(message), std::move(hint))};
}

inline std::string_view View(const SecretBytes& s) { return AsText(s.expose()); }

// Removes the viewer directories in $XDG_RUNTIME_DIR that killed `doc open` runs left (their process is
// gone). Run at every store open.
void SweepViewerLeftovers();

void RegisterStoreCommands(CLI::App& app, Context& ctx);
void RegisterCaseCommands(CLI::App& app, Context& ctx);
void RegisterReportCommands(CLI::App& app, Context& ctx);
void RegisterPackCommands(CLI::App& app, Context& ctx);
void RegisterSyncCommands(CLI::App& app, Context& ctx);
void RegisterRetentionCommands(CLI::App& app, Context& ctx);  // after RegisterCaseCommands: adds `case hold`
void RegisterRetentionServerCommands(CLI::App& app, Context& ctx);  // after RegisterRetentionCommands

}  // namespace casepack::cli
