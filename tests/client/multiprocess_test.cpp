// Several processes on one store (issue 10, docs/store.md "Several processes at once"): two writer
// processes (a window typing and a CLI, say) and one reader run at once, each with its own ClientSession.
// Property: the reader is never refused; every write a writer saw acknowledged is in the store afterwards;
// the two writers never lose each other's edits (which the same replica id in both would, if a cached case
// were not brought up to date inside the write lock). Random counts and edit kinds from a seed printed on
// failure; CASEPACK_TEST_SEED replays it.
#include <gtest/gtest.h>

#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "casepack/session.h"
#include "support/process.h"
#include "client/store_fixture.h"

namespace casepack {
namespace {

using testing::kPass;

using testing::Section;

// Runs `body` in a child process; returns its pid. The child exits with body's result.
template <typename F>
pid_t Spawn(F&& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 1;
    try {
      rc = body();
    } catch (...) {
    }
    ::_exit(rc);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(MultiProcess, TwoWritersOneReaderEndConsistentWithEveryAcknowledgedWrite) {
  const char* env = std::getenv("CASEPACK_TEST_SEED");
  const unsigned seed = env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay: CASEPACK_TEST_SEED=" + std::to_string(seed) + ")");
  testing::TempDir t;
  const auto dir = t / "s";
  std::string id;
  {
    auto s = ClientSession::Create(dir, kPass, SystemClock(), KdfParams::CheapForTests());
    ASSERT_TRUE(s.ok());
    NewCase nc;
    nc.event_type = EventType::kMas;
    nc.subject = {"A.B.", "Cardiff"};
    id = *(*(*s)->cases())->CreateCase(nc);
  }
  const auto stop = t / "stop";
  auto writer = [&](int w) {
    return [&, w]() -> int {
      std::mt19937 rng(seed * 7 + static_cast<unsigned>(w));
      auto s = ClientSession::Unlock(dir, kPass, SystemClock(), SessionOptions{"writer " + std::to_string(w)});
      if (!s.ok()) {
        std::fprintf(stderr, "writer %d: unlock: %s\n", w, s.error().message.c_str());
        return 10;
      }
      CaseService& cases = **(*s)->cases();
      std::ofstream acked(t / ("acked" + std::to_string(w)));
      const int writes = std::uniform_int_distribution<int>(40, 120)(rng);
      std::uint64_t known_length = 0;  // a lower bound: the other writer only adds
      for (int i = 0; i < writes; ++i) {
        if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
          Action a;
          a.what = "w" + std::to_string(w) + "-" + std::to_string(i);
          a.owner = Conflicted<Owner>::Of(Owner{"Police", ""});
          a.due = Conflicted<Date>::Of(Date{2030, 1, 1});
          if (cases.AddAction(id, a).ok()) acked << "action " << a.what << "\n";
        } else {
          const char c = static_cast<char>('a' + w);
          const std::uint64_t pos = std::uniform_int_distribution<std::uint64_t>(0, known_length)(rng);
          if (cases.EditNote(id, Section(), pos, 0, std::string_view(&c, 1)).ok()) {
            acked << "char " << c << "\n";
            ++known_length;
          }
        }
        acked.flush();
      }
      return 0;
    };
  };
  const pid_t reader = Spawn([&]() -> int {
    auto s = ClientSession::Unlock(dir, kPass, SystemClock(), SessionOptions{"reader"});
    if (!s.ok()) {
      std::fprintf(stderr, "reader: unlock: %s\n", s.error().message.c_str());
      return 20;
    }
    for (int reads = 0;; ++reads) {
      const bool last = std::filesystem::exists(stop);
      auto d = (*(*s)->cases())->GetCase(id);
      if (!d.ok()) return 21;  // a reader is never refused
      auto list = (*(*s)->cases())->ListCases();
      if (!list.ok() || list->size() != 1) return 22;
      if (last) return reads > 0 ? 0 : 23;
    }
  });
  const pid_t w0 = Spawn(writer(0));
  const pid_t w1 = Spawn(writer(1));
  EXPECT_EQ(Wait(w0), 0);
  EXPECT_EQ(Wait(w1), 0);
  std::ofstream(stop).put('\n');
  EXPECT_EQ(Wait(reader), 0) << "21: a read was refused; 22: the index was inconsistent";

  std::map<char, std::size_t> chars_acked;
  std::set<std::string> actions_acked;
  for (int w = 0; w < 2; ++w) {
    std::ifstream in(t / ("acked" + std::to_string(w)));
    std::string kind, what;
    while (in >> kind >> what) {
      if (kind == "char") ++chars_acked[what[0]];
      else actions_acked.insert(what);
    }
  }
  auto s = ClientSession::Unlock(dir, kPass, SystemClock());
  ASSERT_TRUE(s.ok());
  const CaseDetail d = *(*(*s)->cases())->GetCase(id);
  const std::string text = d.notes.count(Section()) ? d.notes.at(Section()) : "";
  std::map<char, std::size_t> chars_stored;
  for (char c : text) ++chars_stored[c];
  EXPECT_EQ(chars_stored, chars_acked) << "every acknowledged keystroke, from both writers, once";
  std::set<std::string> actions_stored;
  for (const auto& a : d.actions) actions_stored.insert(a.what);
  EXPECT_EQ(actions_stored, actions_acked);
  EXPECT_FALSE(chars_acked.empty());
}

}  // namespace
}  // namespace casepack
