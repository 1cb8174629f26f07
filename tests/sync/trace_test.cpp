// Replays the real editing traces of ../shared/data/traces (skipped with a message when ../shared is
// absent). Fast in release builds; under ASan they are skipped (they are covered by the release run).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "casepack/replica.h"
#include "sync/trace_loader.h"
#include "sync/trace_replay.h"

namespace casepack {
namespace {

const Target kText{"doc", "text"};

#if defined(__SANITIZE_ADDRESS__)
#define CASEPACK_SKIP_UNDER_ASAN() GTEST_SKIP() << "trace replays are slow under ASan; the release build runs them"
#else
#define CASEPACK_SKIP_UNDER_ASAN() (void)0
#endif

// Compares long texts without printing them: reports lengths and the first difference.
::testing::AssertionResult SameText(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return ::testing::AssertionFailure() << "texts differ: lengths " << got.size() << " vs " << want.size()
                                       << ", first difference at byte " << i;
}

void ApplyPatches(Replica& r, const std::vector<testing::Patch>& patches) {
  for (const auto& p : patches) {
    if (p.del > 0) {
      ASSERT_TRUE(r.DeleteText(kText, p.pos, p.del).ok());
    }
    if (!p.ins.empty()) {
      ASSERT_TRUE(r.InsertText(kText, p.pos, p.ins).ok());
    }
  }
}

// A trace that is there but damaged fails loudly; only an absent one is "not found".
TEST(Trace, CorruptTraceIsAnErrorNotAbsent) {
  const auto dir = std::filesystem::temp_directory_path() / ("casepack-trace-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  EXPECT_FALSE(testing::LoadTrace(dir / "absent.json.gz").has_value());
  // A gzip stream cut short (the header of a real gzip file and then nothing).
  {
    gzFile f = gzopen((dir / "full.json.gz").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string body = R"({"endContent":"abc","txns":[]})";
    gzwrite(f, body.data(), static_cast<unsigned>(body.size()));
    gzclose(f);
    EXPECT_EQ(testing::LoadTrace(dir / "full.json.gz")->end_content, "abc");  // positive control
    std::string bytes;
    {
      std::ifstream in(dir / "full.json.gz", std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(dir / "cut.json.gz", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_ANY_THROW(testing::LoadTrace(dir / "cut.json.gz"));
  std::ofstream(dir / "garbage.json.gz", std::ios::binary) << "{\"endContent\": 3";
  EXPECT_ANY_THROW(testing::LoadTrace(dir / "garbage.json.gz"));
  std::filesystem::remove_all(dir);
}

TEST(Trace, AutomergePaperReachesEndContent) {
  CASEPACK_SKIP_UNDER_ASAN();
  auto trace = testing::LoadTrace(testing::SharedTrace("automerge-paper.json.gz"));
  if (!trace) GTEST_SKIP() << "../shared/data/traces/automerge-paper.json.gz not found: trace test skipped";
  Replica r({"case", 1, "author", {}});
  for (const auto& tx : trace->txns) ApplyPatches(r, tx.patches);
  ASSERT_TRUE(SameText(r.ReadText(kText), trace->end_content));
  // Another replica receiving the whole history, and one loading the snapshot, agree.
  Replica other({"case", 2, "other", {}});
  auto res = other.Apply(*r.ChangesSince({}));
  EXPECT_TRUE(res.rejected.empty()) << res.rejected.size() << " rejected, first: " << res.rejected[0].error.message;
  EXPECT_EQ(res.pending, 0u);
  EXPECT_TRUE(SameText(other.ReadText(kText), trace->end_content));
  auto loaded = Replica::LoadSnapshot(r.SaveSnapshot(), {"case", 3, "third", {}});
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(SameText(loaded->ReadText(kText), trace->end_content));
}

TEST(Trace, FriendsForeverConcurrentMergesReachEndContent) {
  CASEPACK_SKIP_UNDER_ASAN();
  auto trace = testing::LoadTrace(testing::SharedTrace("friendsforever.json.gz"));
  if (!trace) GTEST_SKIP() << "../shared/data/traces/friendsforever.json.gz not found: trace test skipped";
  const std::size_t agents = static_cast<std::size_t>(trace->num_agents);
  std::vector<Replica> reps;
  for (std::size_t a = 0; a < agents; ++a) reps.emplace_back(ReplicaOptions{"case", 100 + a, "agent", {}});
  // As bench.mjs does: each txn runs on its agent's replica after that replica has received exactly the
  // txns in its parents' history (in trace order); its operations are kept as the txn's delta.
  std::vector<std::vector<std::size_t>> vv(trace->txns.size());  // per txn: per agent txn count in history
  std::vector<std::vector<std::size_t>> by_agent(agents);
  std::vector<std::vector<std::size_t>> have(agents, std::vector<std::size_t>(agents, 0));
  std::vector<std::vector<Operation>> deltas(trace->txns.size());
  for (std::size_t i = 0; i < trace->txns.size(); ++i) {
    const auto& tx = trace->txns[i];
    const auto a = static_cast<std::size_t>(tx.agent);
    std::vector<std::size_t> need(agents, 0);
    for (std::size_t p : tx.parents)
      for (std::size_t k = 0; k < agents; ++k) need[k] = std::max(need[k], vv[p][k]);
    std::vector<std::size_t> missing;
    for (std::size_t k = 0; k < agents; ++k)
      if (k != a)
        for (std::size_t s = have[a][k]; s < need[k]; ++s) missing.push_back(by_agent[k][s]);
    std::sort(missing.begin(), missing.end());
    for (std::size_t j : missing) {
      auto res = reps[a].Apply(deltas[j]);
      ASSERT_TRUE(res.rejected.empty()) << res.rejected[0].error.message;
    }
    ASSERT_EQ(reps[a].pending_count(), 0u) << "txn " << i;
    for (std::size_t k = 0; k < agents; ++k)
      if (k != a) have[a][k] = std::max(have[a][k], need[k]);
    const VersionVector before = reps[a].version();
    ApplyPatches(reps[a], tx.patches);
    deltas[i] = *reps[a].ChangesSince(before);
    by_agent[a].push_back(i);
    ++have[a][a];
    need[a] = by_agent[a].size();
    vv[i] = need;
  }
  const auto last = static_cast<std::size_t>(trace->txns.back().agent);
  EXPECT_TRUE(SameText(reps[last].ReadText(kText), trace->end_content));
  // Full sync of everyone ends identical.
  for (std::size_t a = 0; a < agents; ++a)
    for (std::size_t b = 0; b < agents; ++b)
      if (a != b) reps[b].Apply(*reps[a].ChangesSince(reps[b].version()));
  for (std::size_t a = 1; a < agents; ++a) EXPECT_TRUE(SameText(reps[a].ReadText(kText), reps[0].ReadText(kText)));
}

// The Eg-walker paper's C2 (clownschool, 3 agents). Every transaction runs on a replica holding exactly
// its parents' history (trace_replay.h); the last one must reach endContent, and so must a replica fed the
// whole history as one encoded batch and one loading the snapshot. A1 (node_nodecc, 204 agents) replays
// too, but its 100,000 merges take about 10 s of CPU: the sync benchmark (run.sh table) replays it and
// checks its endContent. A2 (git-makefile) replays only with diamond-types' own ordering (docs/sync.md).
class ConcurrentTrace : public ::testing::TestWithParam<const char*> {};

TEST_P(ConcurrentTrace, ReachesEndContentOnEveryReplica) {
  CASEPACK_SKIP_UNDER_ASAN();
  auto trace = testing::LoadTrace(testing::SharedTrace(GetParam()));
  if (!trace) GTEST_SKIP() << "../shared/data/traces/" << GetParam() << " not found: trace test skipped";
  testing::TraceReplayStats stats;
  Replica last = testing::ReplayTrace(*trace, &stats);
  ASSERT_TRUE(SameText(last.ReadText(kText), trace->end_content)) << stats.merged << " transactions merged";
  auto batch = DecodeOperations(EncodeOperations(*last.ChangesSince({})));
  ASSERT_TRUE(batch.ok());
  Replica other({"case", 2, "other", {}});
  auto res = other.Apply(*batch);
  EXPECT_TRUE(res.rejected.empty()) << res.rejected.size() << " rejected, first: " << res.rejected[0].error.message;
  EXPECT_EQ(res.pending, 0u);
  EXPECT_TRUE(SameText(other.ReadText(kText), trace->end_content));
  auto loaded = Replica::LoadSnapshot(last.SaveSnapshot(), {"case", 3, "third", {}});
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(SameText(loaded->ReadText(kText), trace->end_content));
}

INSTANTIATE_TEST_SUITE_P(Trace, ConcurrentTrace,
                         ::testing::Values("clownschool.json.gz"),
                         [](const auto& info) {
                           std::string n = info.param;
                           n = n.substr(0, n.find('.'));
                           n.erase(std::remove(n.begin(), n.end(), '_'), n.end());
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

}  // namespace
}  // namespace casepack
