// kill -9 of the window while someone types: everything typed more than 250 ms before the kill is in the
// store when it is opened again. The typist is this test binary started with --typist (a real window,
// unlocked through its lock screen); it reports each keystroke with the monotonic time it reached the
// editor, and the test kills it mid-sentence.
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "casepack/cases.h"
#include "desktop_support.h"
#include "session.h"
#include "support/process.h"

namespace casepack::desktop::testing {

std::int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The n-th typed character (deterministic, Welsh letters included).
QChar TypedChar(int i) {
  static const QString text = "Mae'r teulu'n cwrdd â'r gweithiwr bob wythnos; ŵyr ac ŷd yn y tŷ. ";
  return text[i % text.size()];
}

}  // namespace casepack::desktop::testing

// Child: unlock, open the case, type one character every few milliseconds until killed.
int RunTypist(int argc, char** argv) {
  using namespace casepack::desktop;
  using namespace casepack::desktop::testing;
  if (argc < 4) return 2;
  WindowOptions o;
  o.store_dir = argv[2];
  MainWindow w(o);
  w.show();
  QLineEdit* p = w.lockScreen()->passphrase();
  TypeText(p, kPass);
  QTest::keyClick(p, Qt::Key_Return);
  if (!WaitUntil([&] { return !w.locked(); })) return 3;
  w.OpenCase(QString::fromUtf8(argv[3]));
  if (!WaitUntil([&] { return w.caseView() != nullptr; })) return 4;
  NoteEditor* story = w.caseView()->editor("story");
  story->setFocus();
  std::printf("ready\n");
  std::fflush(stdout);
  int i = 0;
  QTimer typing;
  QObject::connect(&typing, &QTimer::timeout, [&] {
    TypeText(story, QString(TypedChar(i)));
    std::printf("typed %d %lld\n", i + 1, static_cast<long long>(MonotonicNs()));
    std::fflush(stdout);
    ++i;
  });
  typing.start(6);
  return QApplication::exec();
}

namespace casepack::desktop::testing {
namespace {

TEST(KillTest, KillNineWhileTypingLosesAtMostTheLast250Ms) {
  casepack::testing::TempDir dir(std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path());
  const auto store = dir.path() / "store";
  std::string case_id;
  {
    auto s = DesktopSession::Create(store, kPass, "Sioned Hughes", /*cheap_kdf_for_tests=*/true);
    ASSERT_TRUE(s.ok()) << s.error().message;
    NewCase c;
    c.subject = {"G.A.D.", "Ynys Môn"};
    auto id = (*s)->CreateCase(c);
    ASSERT_TRUE(id.ok()) << id.error().message;
    case_id = *id;
  }
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execl("/proc/self/exe", "desktop_tests", "--typist", store.c_str(), case_id.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* lines = ::fdopen(out[0], "r");
  std::vector<std::int64_t> typed_at;  // [i]: when character i+1 was on screen
  char buf[128];
  bool ready = false;
  // Let it type for a while (at least 1.5 s of steady typing), then kill it mid-keystroke.
  std::int64_t started = 0;
  while (std::fgets(buf, sizeof buf, lines) != nullptr) {
    std::istringstream in(buf);
    std::string word;
    in >> word;
    if (word == "ready") {
      ready = true;
      continue;
    }
    int n = 0;
    long long ns = 0;
    in >> n >> ns;
    typed_at.push_back(ns);
    if (started == 0) started = ns;
    if (ns - started > 1'500'000'000LL && typed_at.size() >= 100) break;
  }
  ::kill(pid, SIGKILL);
  const std::int64_t killed_at = MonotonicNs();
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::fclose(lines);
  ASSERT_TRUE(ready) << "the typist did not start (exit " << status << ")";
  ASSERT_GE(typed_at.size(), 100u);

  auto s = DesktopSession::Open(store, kPass);  // the killed window's lock is gone with it
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto detail = (*s)->GetCase(case_id);
  ASSERT_TRUE(detail.ok());
  const QString stored = QString::fromStdString(detail->notes.count("story") ? detail->notes.at("story") : "");
  QString all;
  for (std::size_t i = 0; i < typed_at.size() + 4096; ++i) all += TypedChar(static_cast<int>(i));
  EXPECT_TRUE(all.startsWith(stored)) << "the saved text is not what was typed: " << stored.toStdString();
  std::size_t old_enough = 0;
  for (std::int64_t t : typed_at)
    if (t <= killed_at - 250'000'000LL) ++old_enough;
  EXPECT_GE(static_cast<std::size_t>(stored.size()), old_enough)
      << "typed " << typed_at.size() << " characters; " << old_enough << " were older than 250 ms at the kill, only "
      << stored.size() << " were saved";
  std::printf("kill -9 while typing: %zu typed, %zu older than 250 ms, %lld saved\n", typed_at.size(), old_enough,
              static_cast<long long>(stored.size()));
}

}  // namespace
}  // namespace casepack::desktop::testing
