// Three laptops (a business unit and two facilitators) edit the same case offline, then sync in random
// orders: every store ends with the same case, concurrent field values are conflicts, a paragraph both
// facilitators rewrote is a listed conflict with both versions whole (issue 11), no typed text is lost,
// and documents arrive byte-identical. Seeds: 5 by default, CASEPACK_SYNC_SEEDS=N for more.
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

// Fields of `case show --json` that could legitimately differ per device. Investigated (case_commands.cpp,
// schema ToJson): documents carry only shared metadata (id, type, name, size, sha256, received, agency), not
// whether this device holds the blob; conflicts and registers carry author names and times from the
// operations. The one device-dependent input is `retention.due`, computed from each store's trusted clock
// (max of its system time and the server times it has seen): the same here, where all stores share one
// machine and one server. So the whole JSON is compared; this is the place to drop a field if that changes.
json Canonical(json c) { return c; }

std::string Diff(const json& a, const json& b, const std::string& path = "") {
  if (a.type() != b.type()) return path + ": " + a.dump() + " vs " + b.dump() + "\n";
  if (a.is_object()) {
    std::string out;
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
      if (!a.contains(k) || !b.contains(k)) out += path + "/" + k + ": present on one side only\n";
      else out += Diff(a[k], b[k], path + "/" + k);
    }
    return out;
  }
  if (a.is_array() && a.size() == b.size()) {
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) out += Diff(a[i], b[i], path + "/" + std::to_string(i));
    return out;
  }
  return a == b ? "" : path + ": " + a.dump() + " vs " + b.dump() + "\n";
}

class ConvergenceTest : public SyncTest {
 protected:
  void SetUp() override {
    SyncTest::SetUp();
    if (HasFatalFailure()) return;
    bu_ = EnrolBusinessUnit("bea");
    f1_ = EnrolFacilitator(bu_, "alex");
    f2_ = EnrolFacilitator(bu_, "sam");
  }

  void RunSeed(std::uint32_t seed);

  Laptop bu_, f1_, f2_;
};

void ConvergenceTest::RunSeed(std::uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with CASEPACK_SYNC_SEED=" + std::to_string(seed) + ")");
  std::mt19937 rng(seed);
  const std::string tag = "s" + std::to_string(seed);
  const std::string c = NewCase(bu_, "Subject " + tag);
  ASSERT_EQ(c.size(), 32u);
  bu_.Ok({"note", "add", c, "story"}, "Opening paragraph " + tag + ".\nMiddle paragraph " + tag + ".\nClosing paragraph " + tag + ".\n");
  const std::string action = Trim(bu_.Ok({"action", "add", c, "--what", "Safety plan " + tag, "--owner-agency", "CS", "--due", DaysFromToday(14)}));
  const std::string attend_out = bu_.Ok({"attend", c, "--agency", "Police", "--name", "PC Smith", "--status", "invited"});
  const std::string attendee = attend_out.substr(0, attend_out.find(' '));
  ASSERT_FALSE(attendee.empty());
  ASSERT_NO_FATAL_FAILURE(Sync(bu_));
  bu_.Ok({"case", "share", c, "--with", f1_.user_id});
  bu_.Ok({"case", "share", c, "--with", f2_.user_id});
  Sync(f1_);
  Sync(f2_);

  // Offline: everyone edits the same things.
  std::vector<std::string> planted;
  auto plant = [&](const Laptop& l, const std::string& what) {
    const std::string s = "Sentence " + what + " typed by " + l.name + " " + tag + ".";
    planted.push_back(s);
    return s + "\n";
  };
  // The seed picks the script: how many paragraphs bu and f2 append, which paragraph f1 edits inside.
  for (const Laptop* l : {&bu_, &f2_})
    for (int k = static_cast<int>(rng() % 3); k >= 0; --k)
      l->Ok({"note", "add", c, "story"}, plant(*l, "appended " + std::to_string(k)));
  // f1 edits inside a paragraph: the whole text is set, with words inserted mid-paragraph.
  const std::string inserted = "Inserted words by alex " + tag + ".";
  planted.push_back(inserted);
  std::string text = f1_.Json({"case", "show", c, "--json"})["notes"].value("story", "");
  static const char* kParagraphs[] = {"Opening", "Middle", "Closing"};
  const std::string middle = std::string(kParagraphs[rng() % 3]) + " paragraph " + tag + ".";
  ASSERT_NE(text.find(middle), std::string::npos) << text;
  text.insert(text.find(middle) + middle.size(), " " + inserted);
  f1_.Ok({"note", "set", c, "story"}, text);
  for (const char* p : {"Opening paragraph ", "Middle paragraph ", "Closing paragraph "})
    planted.push_back(p + tag + ".");
  // Issue 11: sam rewrites the same paragraph offline (a concurrent rewrite): both versions stay whole in the
  // text, and the paragraph is listed as a conflict with both authors.
  const std::string rewritten = "Rewritten by sam " + tag + ".";
  planted.push_back(rewritten);
  std::string text2 = f2_.Json({"note", "show", c, "--json"}).value("story", "");
  ASSERT_NE(text2.find(middle), std::string::npos) << text2;
  text2.insert(text2.find(middle) + middle.size(), " " + rewritten);
  f2_.Ok({"note", "set", c, "story"}, text2);

  // Each concurrent field change happens or not, by the seed (at least one of each kind).
  const unsigned mask = 1 + rng() % 63;
  if (mask & 1) bu_.Ok({"action", "update", c, action, "--owner-agency", "Police"});
  if (mask & 2) f2_.Ok({"action", "update", c, action, "--owner-agency", "Health", "--due", DaysFromToday(21)});
  if (mask & 4 || !(mask & 3)) f1_.Ok({"action", "update", c, action, "--due", DaysFromToday(20)});
  if (mask & 8) bu_.Ok({"attend", c, "--id", attendee, "--status", "attended"});
  if (mask & 16) f1_.Ok({"attend", c, "--id", attendee, "--status", "apologies"});
  if (mask & 32 || !(mask & 24)) f2_.Ok({"attend", c, "--id", attendee, "--status", "absent", "--reason", "court"});

  // A document on f1's laptop: random bytes, so any corruption shows.
  std::string doc(40000 + rng() % 20000, '\0');
  for (auto& ch : doc) ch = static_cast<char>(rng());
  WriteFile(root() / ("doc-" + tag), doc);
  f1_.Ok({"doc", "add", c, (root() / ("doc-" + tag)).string(), "--type", "case-summary", "--from", "CS"});

  // Syncs in a random order (some laptops sync several times, some partial rounds), then rounds in
  // random orders until nothing moves.
  std::vector<const Laptop*> all = {&bu_, &f1_, &f2_};
  const int random_syncs = 3 + static_cast<int>(rng() % 5);
  for (int i = 0; i < random_syncs; ++i) Sync(*all[rng() % 3]);
  std::shuffle(all.begin(), all.end(), rng);
  SyncUntilQuiet(all);
  if (HasFailure()) return;

  // Identical everywhere.
  const json a = Canonical(bu_.Json({"case", "show", c, "--json"}));
  const json b = Canonical(f1_.Json({"case", "show", c, "--json"}));
  const json d = Canonical(f2_.Json({"case", "show", c, "--json"}));
  EXPECT_EQ(a, b) << Diff(a, b);
  EXPECT_EQ(a, d) << Diff(a, d);

  // Nothing typed is lost.
  const std::string story = a["notes"].value("story", "");
  if (std::getenv("CASEPACK_SYNC_VERBOSE"))
    std::printf("seed %u merged story:\n%s\nconflicts: %s\n", seed, story.c_str(), a["conflicts"].dump().c_str());
  for (const auto& s : planted) EXPECT_NE(story.find(s), std::string::npos) << "lost: " << s << "\nmerged:\n" << story;

  // Concurrent values are kept and shown: as many owners, due dates and attendance statuses as laptops
  // that changed them (the seed's mask), one where nobody or one did.
  const std::size_t owners = std::max<std::size_t>(1, !!(mask & 1) + !!(mask & 2));
  const std::size_t dues = std::max<std::size_t>(1, !!(mask & 2) + !!(mask & 4 || !(mask & 3)));
  const std::size_t statuses = !!(mask & 8) + !!(mask & 16) + !!(mask & 32 || !(mask & 24));
  ASSERT_EQ(a["actions"].size(), 1u);
  EXPECT_EQ(a["actions"][0]["owner"].size(), owners) << a["actions"][0].dump(2);
  EXPECT_EQ(a["actions"][0]["due"].size(), dues) << a["actions"][0].dump(2);
  ASSERT_EQ(a["attendance"].size(), 1u);
  EXPECT_EQ(a["attendance"][0]["status_values"].size(), statuses) << a["attendance"][0].dump(2);
  // … and the conflicts reported by sync --json for this case.
  const json report = Sync(bu_);
  std::set<std::string> fields;
  for (const auto& cr : report.value("cases", json::array()))
    if (cr.value("case_id", "") == c)
      for (const auto& f : cr.value("conflicts", json::array())) {
        fields.insert(f.value("field", ""));
        EXPECT_GE(f.value("values", json::array()).size(), 2u) << f.dump();
      }
  EXPECT_EQ(fields.count("owner") == 1, owners == 2) << report.dump(2);
  EXPECT_EQ(fields.count("due date") == 1, dues == 2) << report.dump(2);
  // Named by the line where it stands now: the first line holding a version (both begin with the old
  // paragraph; paragraphs appended concurrently may merge before them).
  std::size_t line = 1;
  for (std::size_t at = 0; story.compare(at, middle.size(), middle) != 0; at = story.find('\n', at) + 1) {
    ASSERT_NE(story.find('\n', at), std::string::npos) << story;
    ++line;
  }
  EXPECT_TRUE(fields.count("paragraph " + std::to_string(line)))
      << "the concurrent rewrite is not reported as paragraph " << line << ": " << report.dump(2) << "\n" << story;
  const std::size_t conflicting = (owners == 2) + (dues == 2) + (statuses >= 2) + 1;  // + the rewritten paragraph
  EXPECT_EQ(fields.size(), conflicting) << report.dump(2);
  EXPECT_GE(report.value("conflicts", 0u), conflicting) << report.dump(2);

  // The document arrives byte-identical.
  ASSERT_EQ(a["documents"].size(), 1u) << a["documents"].dump(2);
  const std::string doc_id = a["documents"][0].value("id", "");
  for (const Laptop* l : {&bu_, &f2_}) {
    const auto out = root() / ("export-" + l->name + "-" + tag);
    l->Ok({"doc", "export", c, doc_id, "-o", out.string()});
    EXPECT_TRUE(ReadFile(out) == doc) << l->name << ": exported document differs";
  }
}

std::vector<std::uint32_t> Seeds() {
  if (const char* one = std::getenv("CASEPACK_SYNC_SEED")) return {static_cast<std::uint32_t>(std::strtoul(one, nullptr, 10))};
  int n = 5;
  if (const char* more = std::getenv("CASEPACK_SYNC_SEEDS")) n = std::max(1, std::atoi(more));
  std::vector<std::uint32_t> seeds;
  std::random_device rd;
  const std::uint32_t base = rd();
  std::printf("sync convergence: seeds %u.. (replay one with CASEPACK_SYNC_SEED=seed)\n", base);
  for (int i = 0; i < n; ++i) seeds.push_back(base + static_cast<std::uint32_t>(i));
  return seeds;
}

TEST_F(ConvergenceTest, ThreeLaptopsEditOfflineAndConvergeInAnyOrder) {
  for (std::uint32_t seed : Seeds()) {
    RunSeed(seed);
    if (HasFailure()) {
      std::fprintf(stderr, "failing seed: %u\n", seed);
      return;
    }
  }
}

// The chaos rounds (issue 11, "The chaos test grows"): one case on three laptops, one of them with its
// clock three days fast (casepack-testclock), for CASEPACK_CHAOS_ROUNDS rounds (100 by default; seed printed,
// replay with CASEPACK_CHAOS_SEED). Each round one laptop edits offline — a word inserted inside a paragraph
// (a rewrite of that paragraph: two laptops doing it between syncs is a concurrent rewrite) or a new
// paragraph — and, by the seed, a laptop syncs, a sync is killed part-way, or a laptop's store goes back to an
// older copy of its directory. No author ever removes a word, so after the final syncs every word written
// must be in every store, whole (every word of the text is one some author wrote), every store identical, and
// every conflict the case shows listed by `sync --json`.
class ChaosTest : public SyncTest {
 protected:
  struct Word {
    std::string text;
    std::size_t laptop;
  };
  void SetUp() override {
    SyncTest::SetUp();
    if (HasFatalFailure()) return;
    laptops_.push_back(EnrolBusinessUnit("bea"));
    laptops_.push_back(EnrolFacilitator(laptops_[0], "alex"));
    laptops_.push_back(EnrolFacilitator(laptops_[0], "sam"));
    laptops_[2].test_now = DaysFromToday(3);  // sam's clock is three days fast
  }
  static std::string Story(const Laptop& l, const std::string& c) {
    return l.Json({"note", "show", c, "story", "--json"}).value("story", "");
  }
  static std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  static std::vector<std::string> Words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  }
  std::vector<Laptop> laptops_;
};

TEST_F(ChaosTest, RoundsOfRewritesRestoresKillsAndAFastClockConverge) {
  std::uint32_t seed = std::random_device{}();
  if (const char* s = std::getenv("CASEPACK_CHAOS_SEED")) seed = static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10));
  int rounds = 100;
  if (const char* r = std::getenv("CASEPACK_CHAOS_ROUNDS")) rounds = std::max(1, std::atoi(r));
  std::printf("sync chaos: seed %u, %d rounds (replay with CASEPACK_CHAOS_SEED=%u)\n", seed, rounds, seed);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with CASEPACK_CHAOS_SEED=" + std::to_string(seed) + ")");
  std::mt19937 rng(seed);
  const auto t0 = std::chrono::steady_clock::now();

  std::set<std::string> written;  // every word any author wrote
  const std::string c = NewCase(laptops_[0], "Chaos Subject");
  std::string opening;
  for (int p = 0; p < 4; ++p) {
    opening += "P" + std::to_string(p) + " opening" + std::to_string(p) + " words" + std::to_string(p) + ".\n";
  }
  for (const auto& w : Words(opening)) written.insert(w);
  laptops_[0].Ok({"note", "add", c, "story"}, opening);
  Sync(laptops_[0]);
  for (std::size_t i = 1; i < laptops_.size(); ++i) laptops_[0].Ok({"case", "share", c, "--with", laptops_[i].user_id});
  for (const Laptop& l : laptops_) Sync(l);

  // An older copy of one laptop's store directory, taken after one of its syncs, to go back to later.
  std::optional<std::pair<std::size_t, std::filesystem::path>> backup;
  int paragraphs = 4, kills = 0, restores = 0, syncs = 0;
  for (int round = 0; round < rounds && !HasFailure(); ++round) {
    const std::size_t who = rng() % laptops_.size();
    const Laptop& l = laptops_[who];
    const std::string word = "r" + std::to_string(round) + l.name;  // unique, so any split shows
    written.insert(word);
    if (rng() % 4 == 0) {
      const std::string anchor = "P" + std::to_string(paragraphs++);
      written.insert(anchor);
      l.Ok({"note", "add", c, "story"}, anchor + " " + word + ".\n");
    } else {
      // A rewrite of one paragraph: a word inserted after a random word of a random line.
      std::vector<std::string> lines = Lines(Story(l, c));
      ASSERT_FALSE(lines.empty());
      std::string& line = lines[rng() % lines.size()];
      std::vector<std::size_t> gaps;  // the position after each word
      for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] == ' ') gaps.push_back(i);
      gaps.push_back(line.size());
      line.insert(gaps[rng() % gaps.size()], " " + word);
      std::string text;
      for (const auto& x : lines) text += x + "\n";
      l.Ok({"note", "set", c, "story"}, text);
    }
    auto take_backup = [&](const Laptop& s) {  // this store as it is now, to go back to later
      const auto copy = root() / ("backup-" + std::to_string(round));
      std::filesystem::copy(s.dir, copy, std::filesystem::copy_options::recursive);
      backup.emplace(static_cast<std::size_t>(&s - laptops_.data()), copy);
    };
    auto restore = [&] {
      // The laptop goes back to its older copy, after a sync of its own (its later edits are then on the
      // server, to come back; what it never pushed would be lost with the disk, which no sync can undo).
      const Laptop& s = laptops_[backup->first];
      auto pushed = s.Run({"sync", "--json"});
      ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
      std::filesystem::remove_all(s.dir);
      std::filesystem::rename(backup->second, s.dir);
      backup.reset();
      ++restores;
    };
    // At least one restore whatever the seed: a copy a third of the way in, restored two thirds in.
    if (round == rounds / 3 && !backup) {
      const Laptop& s = laptops_[rng() % laptops_.size()];
      Sync(s);
      take_backup(s);
    }
    if (round == 2 * rounds / 3 && backup) {
      ASSERT_NO_FATAL_FAILURE(restore());
    }
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2: {  // a laptop syncs
        const Laptop& s = laptops_[rng() % laptops_.size()];
        Sync(s);
        ++syncs;
        if (!backup && rng() % 4 == 0) take_backup(s);
        break;
      }
      case 3: {  // a sync killed part-way (a few ms in: connecting, pushing or pulling)
        const Laptop& s = laptops_[rng() % laptops_.size()];
        Child child(s.Argv({"sync"}), s.Env());
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
        kills += child.Kill() ? 1 : 0;
        break;
      }
      case 4:
        if (backup && rng() % 3 == 0) {
          ASSERT_NO_FATAL_FAILURE(restore());
        }
        break;
      default:
        break;
    }
  }
  if (HasFailure()) return;

  // Final syncs, in rounds, until nothing moves.
  std::vector<const Laptop*> all;
  for (const Laptop& l : laptops_) all.push_back(&l);
  SyncUntilQuiet(all);
  const json a = laptops_[0].Json({"case", "show", c, "--json"});
  for (std::size_t i = 1; i < laptops_.size(); ++i) {
    const json b = laptops_[i].Json({"case", "show", c, "--json"});
    EXPECT_EQ(a, b) << laptops_[i].name << ":\n" << Diff(a, b);
  }
  const std::string story = a["notes"].value("story", "");
  const std::vector<std::string> words = Words(story);
  const std::set<std::string> present(words.begin(), words.end());
  for (const auto& w : written) {
    const std::string bare = w.back() == '.' ? w.substr(0, w.size() - 1) : w;
    EXPECT_TRUE(present.count(w) || present.count(bare) || present.count(bare + ".")) << "lost: " << w << "\n" << story;
  }
  for (const auto& w : words) {
    const std::string bare = w.back() == '.' ? w.substr(0, w.size() - 1) : w;
    EXPECT_TRUE(written.count(w) || written.count(bare) || written.count(bare + "."))
        << "a word no author wrote (split or interleaved): " << w << "\n" << story;
  }
  // Every conflict the case shows is listed by sync, on every laptop.
  std::multiset<std::string> shown;
  for (const auto& f : a.value("conflicts", json::array())) shown.insert(f.value("subject", "") + " / " + f.value("field", ""));
  for (const Laptop& l : laptops_) {
    const json report = Sync(l);
    std::multiset<std::string> listed;
    for (const auto& cr : report.value("cases", json::array()))
      if (cr.value("case_id", "") == c)
        for (const auto& f : cr.value("conflicts", json::array())) listed.insert(f.value("subject", "") + " / " + f.value("field", ""));
    EXPECT_EQ(listed, shown) << l.name << ": " << report.dump(2);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("sync chaos: %d rounds in %.1f s (%.0f ms a round): %d syncs, %d killed, %d restored, %zu paragraphs, "
              "%zu conflicts\n", rounds, seconds, 1000 * seconds / rounds, syncs, kills, restores,
              Lines(story).size(), shown.size());
}

}  // namespace
}  // namespace casepack::testing
