#include "io.h"

#include "casepack/clock.h"

#include "casepack/cases.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

namespace casepack::cli {

namespace fs = std::filesystem;

namespace {

// The partial file of the Output being written, for a fatal signal's handler: Ctrl-C, a closed terminal
// or SIGTERM kill the process without running destructors, and must not leave half a decrypted document
// behind. Only async-signal-safe calls in the handler.
constexpr int kFatalSignals[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
char g_partial[4096];
volatile std::sig_atomic_t g_have_partial = 0;
struct sigaction g_saved[std::size(kFatalSignals)];
bool g_installed[std::size(kFatalSignals)] = {};

extern "C" void RemovePartialAndDie(int sig) {
  if (g_have_partial != 0) ::unlink(g_partial);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void GuardPartial(const fs::path& partial) {
  const std::string& p = partial.native();
  if (p.size() >= sizeof g_partial) return;  // not guarded; the destructor still removes it on failure
  std::memcpy(g_partial, p.c_str(), p.size() + 1);
  g_have_partial = 1;
  struct sigaction remove {};
  remove.sa_handler = RemovePartialAndDie;
  sigemptyset(&remove.sa_mask);
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    struct sigaction current {};
    ::sigaction(kFatalSignals[i], nullptr, &current);
    // A signal the caller ignores (doc open waits for its viewer through them) stays ignored.
    g_installed[i] = current.sa_handler != SIG_IGN;
    if (g_installed[i]) ::sigaction(kFatalSignals[i], &remove, &g_saved[i]);
  }
}

void UnguardPartial() {
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    if (g_installed[i]) ::sigaction(kFatalSignals[i], &g_saved[i], nullptr);
    g_installed[i] = false;
  }
  g_have_partial = 0;
}

}  // namespace

namespace {

// Ctrl-C while text is being typed: nothing has been written (the store changes only after the whole text
// is in), and the person is told so instead of being left to wonder. Async-signal-safe: write and _exit.
extern "C" void InterruptedWhileTyping(int) {
  static const char kMessage[] = "\ncasepack: error: interrupted: nothing was saved\n";
  (void)!::write(2, kMessage, sizeof kMessage - 1);
  ::_exit(130);
}

}  // namespace

std::string ReadTextInput(const std::string& file, std::string_view what) {
  const bool from_stdin = file.empty() || file == "-";
  const int fd = from_stdin ? 0 : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail(ErrorCode::kIo, "cannot read " + file + ": " + std::strerror(errno));
  if (from_stdin) {
    struct sigaction on_interrupt {};
    on_interrupt.sa_handler = InterruptedWhileTyping;
    ::sigemptyset(&on_interrupt.sa_mask);
    ::sigaction(SIGINT, &on_interrupt, nullptr);
  }
  if (from_stdin && ::isatty(0))
    std::fprintf(stderr, "casepack: type the %s, then press Ctrl-D on a new line (Ctrl-C keeps nothing)\n", std::string(what).c_str());
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      if (!from_stdin) ::close(fd);
      Fail(ErrorCode::kIo, "cannot read " + (from_stdin ? std::string("standard input") : file) + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > 16 * 1024 * 1024) Fail(ErrorCode::kInvalidArgument, "the " + std::string(what) + " is larger than 16 MiB");
  }
  if (!from_stdin) ::close(fd);
  if (from_stdin) ::signal(SIGINT, SIG_DFL);
  return text;
}

Output::Output(const std::string& target, bool force) : target_(target) {
  if (target.empty()) {
    Fail(ErrorCode::kInvalidArgument, "usage: this writes decrypted case content: name where with -o FILE",
         "use -o - to write to standard output");
  }
  if (target == "-") {
    file_ = stdout;
    return;
  }
  std::error_code ec;
  if (fs::exists(target, ec) && !force)
    Fail(ErrorCode::kConflict, target + " already exists", "choose another name, or add --force to replace it");
  force_ = force;
  // An unnamed file in the target's directory, linked into place by Commit() once complete: a process
  // killed at any moment (SIGKILL included) leaves no decrypted byte under any name.
  fs::path parent = fs::path(target).parent_path();
  if (parent.empty()) parent = ".";
  const int unnamed = ::open(parent.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (unnamed >= 0) {
    file_ = ::fdopen(unnamed, "wb");
    return;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    const int err = errno;
    Fail(ErrorCode::kIo, "cannot write " + target + ": " + std::strerror(err));
  }
  // A file system without O_TMPFILE: a named partial file, removed on failure and on fatal signals.
  partial_ = target + ".casepack-partial";
  GuardPartial(partial_);
  const int fd = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    UnguardPartial();
    Fail(ErrorCode::kIo, "cannot write " + target + ": " + std::strerror(err));
  }
  file_ = ::fdopen(fd, "wb");
}

Output::~Output() {
  if (file_ != nullptr && file_ != stdout) {
    std::fclose(file_);
    if (!committed_ && !partial_.empty()) ::unlink(partial_.c_str());
  }
  if (file_ != stdout && !partial_.empty()) UnguardPartial();
}

namespace {
std::string Describe(const std::string& target) { return target == "-" ? "standard output" : target; }
}  // namespace

Status Output::Write(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return Ok();
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    const int err = errno;
    if (err == ENOSPC || err == EFBIG)
      return MakeError(ErrorCode::kNoSpace, "cannot write " + Describe(target_) + ": the disk is full",
                       is_stdout() ? "" : "nothing was written");
    return MakeError(ErrorCode::kIo, "cannot write " + Describe(target_) + ": " + std::strerror(err));
  }
  return Ok();
}

void Output::Commit(Sync sync) {
  if (file_ == stdout) {
    // The last bytes sit in stdio's buffer: a write error (a full disk behind a redirection, a closed
    // pipe) surfaces only here, and must not end the command as a success.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      const int err = errno;
      Fail(err == ENOSPC || err == EFBIG ? ErrorCode::kNoSpace : ErrorCode::kIo,
           std::string("cannot write standard output: ") + (err == ENOSPC || err == EFBIG ? "the disk is full" : std::strerror(err)),
           "what was written there is incomplete");
    }
    return;
  }
  bool ok = std::fflush(file_) == 0 && (sync == Sync::kSelfChecking || ::fsync(::fileno(file_)) == 0);
  int err = errno;
  if (ok && partial_.empty()) {
    // Complete (and on disk, unless self-checking): give the unnamed file its name. --force replaces an existing file (a
    // directory stays, and fails below).
    const std::string self = "/proc/self/fd/" + std::to_string(::fileno(file_));
    if (force_ && ::unlink(target_.c_str()) != 0 && errno != ENOENT) {
      ok = false;
      err = errno;
    }
    if (ok && ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      ok = false;
      err = errno;
    }
    std::fclose(file_);
    file_ = nullptr;
    if (!ok)
      Fail(err == ENOSPC || err == EFBIG ? ErrorCode::kNoSpace : ErrorCode::kIo,
           "cannot write " + target_ + ": " + (err == ENOSPC || err == EFBIG ? "the disk is full" : std::strerror(err)),
           "nothing was written");
    committed_ = true;
    return;
  }
  std::fclose(file_);
  file_ = nullptr;
  if (ok && ::rename(partial_.c_str(), target_.c_str()) != 0) {
    ok = false;
    err = errno;  // e.g. EISDIR for --force onto a directory
  }
  UnguardPartial();  // the partial name is gone (renamed) or about to be
  if (!ok) {
    ::unlink(partial_.c_str());
    Fail(err == ENOSPC || err == EFBIG ? ErrorCode::kNoSpace : ErrorCode::kIo,
         "cannot write " + target_ + ": " + (err == ENOSPC || err == EFBIG ? "the disk is full" : std::strerror(err)),
         "nothing was written");
  }
  committed_ = true;
}

Date ParseDateOption(const std::string& text, std::string_view option) {
  // DD/MM/YYYY as the guidance and agencies write dates, or YYYY-MM-DD.
  auto d = text.find('/') != std::string::npos ? ParseUkDate(text) : ParseDate(text);
  if (!d.ok()) Fail(ErrorCode::kInvalidArgument, std::string(option) + ": " + d.error().message, "dates are written DD/MM/YYYY or YYYY-MM-DD");
  return *d;
}

DateTime ParseDateTimeOption(const std::string& text, std::string_view option) {
  auto d = text.find('/') != std::string::npos ? ParseUkDateTime(text) : ParseDateTime(text);
  if (!d.ok())
    Fail(ErrorCode::kInvalidArgument, std::string(option) + ": " + d.error().message,
         "write DD/MM/YYYY [HH:MM] or YYYY-MM-DD[THH:MM]");
  return *d;
}

Date Today() {
  // Local civil date of the system clock (casepack-testclock's CASEPACK_TEST_NOW moves the store's clock, not this).
  std::time_t t = static_cast<std::time_t>(SystemClock().NowMillis() / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

std::uint64_t DocumentLimitFromEnvironment() {
  const char* env = std::getenv("CASEPACK_DOCUMENT_LIMIT_MB");
  if (env == nullptr || *env == '\0') return CaseService::kDefaultDocumentLimit;
  const std::string text = env;
  const bool digits = text.size() <= 4 && text.find_first_not_of("0123456789") == std::string::npos;
  const unsigned long mib = digits ? std::stoul(text) : 0;
  if (mib < 1 || mib > 4096)
    Fail(ErrorCode::kInvalidArgument, "CASEPACK_DOCUMENT_LIMIT_MB must be a whole number of MiB from 1 to 4096",
         "unset it to use the default of " + std::to_string(CaseService::kDefaultDocumentLimit >> 20) + " MiB");
  return static_cast<std::uint64_t>(mib) << 20;
}

}  // namespace casepack::cli
