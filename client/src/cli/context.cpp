#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <cstdio>

#include "casepack/retention.h"
#include "cli.h"

namespace casepack::cli {

namespace fs = std::filesystem;

fs::path Context::StorePath() const {
  if (!store_dir.empty()) return store_dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "casepack";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return fs::path(home) / ".local" / "share" / "casepack";
  Fail(ErrorCode::kInvalidArgument, "cannot tell where the store is: neither XDG_DATA_HOME nor HOME is set",
       "pass --store DIR or set CASEPACK_STORE");
}

const Clock& Context::CommandClock() { return EnvironmentClock(); }

std::unique_ptr<ClientSession> Context::OpenSession(std::string_view purpose, bool run_retention,
                                                    std::uint64_t document_limit) const {
  const fs::path dir = StorePath();
  // Read the header's existence first so that "no store here" is reported before asking for a passphrase.
  std::error_code ec;
  if (!fs::exists(StorePaths{dir}.header(), ec)) {
    auto r = Store::Open(dir, "", purpose);  // fails fast with the precise not-found/not-a-store message
    if (!r.ok()) throw CommandFailed{r.error()};
  }
  SecretBytes pass = ReadPassphrase(passphrase_file, "passphrase for " + dir.string() + ": ", false);
  SessionOptions options;
  options.purpose = std::string(purpose);
  options.document_limit = document_limit;
  auto session = Unwrap(ClientSession::Unlock(dir, View(pass), CommandClock(), std::move(options)));
  if (Status fake = CheckFakeNow(); !fake.ok())
    throw CommandFailed{run_retention ? fake.error().Context("retention check at open") : fake.error()};
  if (run_retention) {
    // Before any command sees the store: cases past their retention date are purged, offline too.
    auto purge = RetentionOf(*session).PurgeDue();
    if (!purge.ok()) throw CommandFailed{purge.error().Context("retention check at open")};
    const PurgeReport& r = *purge;
    if (!r.purged.empty())
      std::fprintf(stderr, "casepack: purged %zu case(s) past their retention date (see 'casepack case list')\n", r.purged.size());
    for (const auto& [id, e] : r.failed)
      std::fprintf(stderr, "casepack: warning: case %s could not be purged (%s); retried at the next open\n",
                   id.substr(0, 8).c_str(), e.message.c_str());
  }
  return session;
}

namespace {

// Reads one line into secure memory, from an fd. Returns the length, or -1 on error.
Result<SecretBytes> ReadLine(int fd, std::size_t limit) {
  CP_ASSIGN_OR_RETURN(SecretBytes buf, SecretBytes::Zeroed(limit));
  std::size_t n = 0;
  auto out = buf.expose_mutable();
  for (;;) {
    char c = 0;
    const ssize_t r = ::read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || c == '\n') break;
    if (n == limit) return MakeError(ErrorCode::kInvalidArgument, "the passphrase is too long");
    out[n++] = static_cast<std::uint8_t>(c);
  }
  if (n > 0 && out[n - 1] == '\r') --n;
  return SecretBytes::CopyOf(out.first(n));
}

SecretBytes ReadFromTerminal(const std::string& prompt) {
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty < 0) {
    Fail(ErrorCode::kInvalidArgument, "no terminal to ask for the passphrase",
         "use --passphrase-file FILE or set CASEPACK_PASSPHRASE_FILE");
  }
  termios old{};
  const bool have_termios = ::tcgetattr(tty, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  auto line = ReadLine(tty, 1024);
  if (have_termios) ::tcsetattr(tty, TCSAFLUSH, &old);
  ::close(tty);
  return Unwrap(std::move(line));
}

}  // namespace

SecretBytes ReadPassphrase(const std::string& file, const std::string& prompt, bool confirm) {
  if (!file.empty()) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Fail(ErrorCode::kIo, "cannot read the passphrase file " + file + ": " + std::strerror(errno));
    }
    auto line = ReadLine(fd, 1024);
    ::close(fd);
    SecretBytes pass = Unwrap(std::move(line));
    if (pass.empty()) Fail(ErrorCode::kInvalidArgument, "the passphrase file " + file + " is empty");
    return pass;
  }
  SecretBytes pass = ReadFromTerminal(prompt);
  if (pass.empty()) Fail(ErrorCode::kInvalidArgument, "the passphrase is empty");
  if (confirm) {
    SecretBytes again = ReadFromTerminal("again, to confirm: ");
    if (!pass.Equals(again)) Fail(ErrorCode::kInvalidArgument, "the two passphrases differ", "nothing was changed; try again");
  }
  return pass;
}

}  // namespace casepack::cli
