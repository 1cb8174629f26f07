#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <cstdio>

#include "casepack/fault_point.h"
#include "casepack/retention.h"
#include "casepack/trusted_clock.h"
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

#ifdef CASEPACK_TEST_CLOCK
// Only in the test-only binary casepack-testclock (tests/CMakeLists.txt), never in `casepack`: the time
// is CASEPACK_TEST_NOW ("2027-06-01" or "2027-06-01T00:00:00Z") when set. docs/retention.md.
namespace {
constexpr const char* kTestNowVariable = "CASEPACK_TEST_NOW";

Result<std::optional<std::int64_t>> TestNow() {
  const char* v = std::getenv(kTestNowVariable);
  if (v == nullptr || *v == '\0') return std::optional<std::int64_t>();
  auto t = ParseInstant(v);
  if (!t.ok()) return t.error().Context(kTestNowVariable);
  return std::optional<std::int64_t>(*t);
}

// A date alone (midnight) is that day at the real time of day, so time still moves between commands
// (ids ordered by time keep the order entries were made in); an instant with a time is frozen there.
class TestNowClock final : public Clock {
 public:
  std::int64_t NowMillis() const override {
    constexpr std::int64_t kDay = 86400000;
    const std::int64_t real = SystemClock().NowMillis();
    auto t = TestNow();  // a malformed value was refused at open (OpenSession)
    if (!t.ok() || !t->has_value()) return real;
    return **t % kDay == 0 ? **t + real % kDay : **t;
  }
};
}  // namespace

const Clock& Context::CommandClock() {
  static const TestNowClock clock;
  return clock;
}
#else
// The shipped binary reads no environment variable for time.
const Clock& Context::CommandClock() { return SystemClock(); }
#endif

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
  // Store::Open (inside Unlock) sweeps blobs/*.tmp that killed runs left (docs/blobs.md).
  auto session = Unwrap(ClientSession::Unlock(dir, View(pass), CommandClock(), std::move(options)));
  SweepViewerLeftovers();
  if (StoreOf(*session).db().read_only_full_disk())
    full_disk_notes.push_back("the store is open read only (nothing can be changed, and other casepack processes "
                              "wait until this one ends)");
#ifdef CASEPACK_TEST_CLOCK
  if (auto t = TestNow(); !t.ok())
    throw CommandFailed{run_retention ? t.error().Context("retention check at open") : t.error()};
#endif
  CASEPACK_FAULT_POINT("store-opened");
  if (run_retention) {
    // Before any command sees the store: cases past their retention date are purged, offline too.
    auto purge = RetentionOf(*session).PurgeDue();
    if (!purge.ok()) throw CommandFailed{purge.error().Context("retention check at open")};
    const PurgeReport& r = *purge;
    if (r.postponed_for_full_disk) {
      full_disk_notes.push_back("the retention check is postponed to the next command (nothing was purged)");
    } else if (!r.postponed.empty()) {
      std::fprintf(stderr, "casepack: %s\n", r.postponed.c_str());
    }
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
