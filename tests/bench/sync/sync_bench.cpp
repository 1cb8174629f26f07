// Text merge figures on the automerge-paper trace (and friendsforever), printed as one JSON line per
// measurement for tests/bench/sync/run.sh, which puts them beside Yjs, Loro and Automerge. Medians of
// RUNS runs (default 5). Printed, never asserted.
//
//   sync_bench <trace dir>                    # the automerge-paper figures
//   sync_bench table <trace dir> <work dir>   # the Eg-walker paper's table: S1, C1, C2, A1, A2
//   sync_bench table-mem <file> [snapshot]    # (run by table) memory of one loaded history, fresh process
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "casepack/replica.h"
#include "sync/trace_loader.h"
#include "sync/trace_replay.h"

using namespace casepack;
using Steady = std::chrono::steady_clock;

namespace {

const Target kText{"doc", "text"};

double Ms(Steady::time_point a, Steady::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

// CPU time of this thread: with four engineers' builds on two cores, wall time also counts the waits for a
// core; the CPU time (page faults included) is what the code costs.
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Page faults so far: a replay's first touch of fresh memory (after malloc_trim) costs a page fault per
// 4 KiB, part of what a fresh process pays.
long MinorFaults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

std::size_t HeapInUse() { return mallinfo2().uordblks; }

// The floor: the same splices on a gap buffer of bytes (the trace is ASCII), no CRDT at all.
class GapBuffer {
 public:
  void Splice(std::size_t pos, std::size_t del, const std::string& ins) {
    MoveGap(pos);
    gap_end_ += del;
    if (gap_end_ - gap_start_ < ins.size()) Grow(ins.size());
    std::memcpy(buf_.data() + gap_start_, ins.data(), ins.size());
    gap_start_ += ins.size();
  }
  std::string Text() const {
    std::string s(buf_.begin(), buf_.begin() + static_cast<long>(gap_start_));
    s.append(buf_.begin() + static_cast<long>(gap_end_), buf_.end());
    return s;
  }

 private:
  void MoveGap(std::size_t pos) {
    if (pos < gap_start_) {
      const std::size_t n = gap_start_ - pos;
      std::memmove(buf_.data() + gap_end_ - n, buf_.data() + pos, n);
      gap_start_ -= n;
      gap_end_ -= n;
    } else if (pos > gap_start_) {
      const std::size_t n = pos - gap_start_;
      std::memmove(buf_.data() + gap_start_, buf_.data() + gap_end_, n);
      gap_start_ += n;
      gap_end_ += n;
    }
  }
  void Grow(std::size_t need) {
    const std::size_t tail = buf_.size() - gap_end_;
    const std::size_t size = std::max<std::size_t>(buf_.size() * 2, buf_.size() + need + 64);
    std::vector<char> n(size);
    std::memcpy(n.data(), buf_.data(), gap_start_);
    std::memcpy(n.data() + size - tail, buf_.data() + gap_end_, tail);
    buf_ = std::move(n);
    gap_end_ = size - tail;
  }
  std::vector<char> buf_;
  std::size_t gap_start_ = 0, gap_end_ = 0;
};

void Replay(Replica& r, const testing::Trace& t) {
  const TextRef text = r.Text(kText);  // as each peer edits through its text object
  for (const auto& tx : t.txns)
    for (const auto& p : tx.patches) {
      if (p.del > 0 && !r.DeleteText(text, p.pos, p.del).ok()) std::abort();
      if (!p.ins.empty() && !r.InsertText(text, p.pos, p.ins).ok()) std::abort();
    }
}

void Print(const char* name, double ms, const char* extra = "") {
  std::printf("{\"case\":\"%s\",\"ms\":%.3f%s}\n", name, ms, extra);
  std::fflush(stdout);
}

std::size_t Rss() {
  std::ifstream f("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

Bytes ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void WriteFile(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// Decode + apply of a whole history (an operation batch) into an empty replica: what a replica that has
// nothing does with what a remote one sends it.
Replica MergeIntoEmpty(const Bytes& batch) {
  auto ops = DecodeOperations(batch);
  if (!ops.ok()) std::abort();
  Replica r({"case", 7, "reader", [] { return 1'700'000'000'000ull; }});
  auto res = r.Apply(*ops);
  if (!res.rejected.empty() || res.pending != 0) std::abort();
  return r;
}

// The memory of one loaded history, in a fresh process: resident set and heap growth, freed memory handed
// back first (as the JS side collects garbage before it reads).
int TableMem(const std::string& file, bool snapshot) {
  const Bytes bytes = ReadFile(file);
  {
    // As peers_table.mjs does for each peer: a tiny document is loaded the same way first, so that the
    // library's code is paged in and what is measured is the document, not the code (a quarter of a MB
    // of casepack's first-touched code pages on the small traces).
    Replica tiny({"case", 1, "warm-up", {}});
    if (!tiny.InsertText(testing::kTraceText, 0, "warm up").ok()) std::abort();
    if (snapshot) {
      if (!Replica::LoadSnapshot(tiny.SaveSnapshot(), {"case", 9, "reader", {}}).ok()) std::abort();
    } else {
      (void)MergeIntoEmpty(EncodeOperations(*tiny.ChangesSince({})));
    }
  }
  malloc_trim(0);
  const std::size_t rss0 = Rss(), heap0 = HeapInUse();
  std::optional<Replica> loaded;
  if (snapshot) {
    auto l = Replica::LoadSnapshot(bytes, {"case", 9, "reader", {}});
    if (!l.ok()) std::abort();
    loaded.emplace(std::move(l).value());
  } else {
    loaded.emplace(MergeIntoEmpty(bytes));
  }
  const Replica& r = *loaded;
  malloc_trim(0);
  std::printf("{\"rssBytes\":%zu,\"heapBytes\":%zu,\"len\":%llu}\n", Rss() - rss0, HeapInUse() - heap0,
              static_cast<unsigned long long>(r.TextLength(testing::kTraceText)));
  return 0;
}

// The Eg-walker paper's table, casepack's half (peers_table.mjs measures the peers): per trace, merge the
// whole encoded history into an empty replica (decode + apply), load the snapshot, memory, sizes.
int Table(const std::string& dir, const std::string& work, int runs) {
  static const char* kTraces[] = {"automerge-paper.json.gz", "friendsforever.json.gz", "clownschool.json.gz",
                                  "node_nodecc.json.gz", "git-makefile.json.gz"};
  const char* only = std::getenv("TRACES");
  for (const char* name : kTraces) {
    const std::string stem = std::string(name).substr(0, std::string(name).find('.'));
    if (only && std::string(only).find(stem) == std::string::npos) continue;  // TRACES=node_nodecc,... picks
    auto trace = testing::LoadTrace(dir + "/" + name);
    if (!trace) {
      std::fprintf(stderr, "sync_bench: %s/%s not found\n", dir.c_str(), name);
      return 1;
    }
    testing::TraceReplayStats stats;
    auto t0 = Steady::now();
    std::optional<Replica> replayed;
    try {
      replayed.emplace(testing::ReplayTrace(*trace, &stats));
    } catch (const std::runtime_error& e) {  // git-makefile: only diamond-types' own ordering replays it (docs/sync.md)
      std::printf("{\"case\":\"casepack:table:%s\",\"ok\":false,\"error\":\"%s (the trace has concurrent inserts at "
                  "one place: its positions assume diamond-types' origins and order, docs/sync.md)\"}\n",
                  name, e.what());
      std::fflush(stdout);
      continue;
    }
    Replica& doc = *replayed;
    auto t1 = Steady::now();
    if (doc.ReadText(testing::kTraceText) != trace->end_content) {
      std::fprintf(stderr, "sync_bench: %s does not reach its endContent\n", name);
      return 1;
    }
    const auto ops = *doc.ChangesSince({});
    const Bytes batch = EncodeOperations(ops), snap = doc.SaveSnapshot();
    const std::string file = work + "/" + name + ".cpop";
    WriteFile(file, batch);
    std::vector<double> merge, load;
    for (int i = 0; i < runs; ++i) {
      malloc_trim(0);
      auto a = Steady::now();
      Replica r = MergeIntoEmpty(batch);
      auto b = Steady::now();
      if (r.ReadText(testing::kTraceText) != trace->end_content) std::abort();
      merge.push_back(Ms(a, b));
      a = Steady::now();
      auto loaded = Replica::LoadSnapshot(snap, {"case", 9, "reader", {}});
      b = Steady::now();
      if (!loaded.ok() || loaded->ReadText(testing::kTraceText) != trace->end_content) std::abort();
      load.push_back(Ms(a, b));
    }
    // Memory in fresh processes: the document merged from the op batch, and loaded from its snapshot (how
    // the store keeps a document, as the peers load theirs from their saved form).
    const std::string snap_file = work + "/" + name + ".cpsnap";
    WriteFile(snap_file, snap);
    const auto code_points = std::count_if(trace->end_content.begin(), trace->end_content.end(),
                                           [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    std::vector<double> rss, heap, snap_rss, snap_heap;
    for (int i = 0; i < runs; ++i) {
      for (const bool from_snapshot : {false, true}) {
        const std::string cmd = "'" + std::filesystem::read_symlink("/proc/self/exe").string() + "' table-mem '" +
                                (from_snapshot ? snap_file : file) + "'" + (from_snapshot ? " snapshot" : "");
        FILE* p = ::popen(cmd.c_str(), "r");
        unsigned long long r = 0, h = 0, len = 0;
        if (!p || std::fscanf(p, "{\"rssBytes\":%llu,\"heapBytes\":%llu,\"len\":%llu}", &r, &h, &len) != 3) std::abort();
        ::pclose(p);
        if (len != static_cast<unsigned long long>(code_points)) std::abort();  // the whole text was loaded
        (from_snapshot ? snap_rss : rss).push_back(static_cast<double>(r));
        (from_snapshot ? snap_heap : heap).push_back(static_cast<double>(h));
      }
    }
    std::size_t ins = 0, del = 0, tomb = 0;
    for (const auto& op : ops) {
      if (op.kind == OpKind::kTextDelete) ++del;
      else if (op.tombstone_len) ++tomb;
      else ++ins;
    }
    std::printf("{\"case\":\"casepack:table:%s\",\"ok\":true,\"mergeMs\":%.3f,\"snapshotLoadMs\":%.3f,"
                "\"batchBytes\":%zu,\"snapshotBytes\":%zu,\"rssBytes\":%.0f,\"heapBytes\":%.0f,"
                "\"snapshotRssBytes\":%.0f,\"snapshotHeapBytes\":%.0f,\"ops\":%zu,"
                "\"insertOps\":%zu,\"tombstoneOps\":%zu,\"deleteOps\":%zu,\"replayMs\":%.1f,\"merged\":%zu}\n",
                name, Median(merge), Median(load), batch.size(), snap.size(), Median(rss), Median(heap), Median(snap_rss),
                Median(snap_heap), ops.size(),
                ins, tomb, del, Ms(t0, t1), stats.merged);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "table-mem") return TableMem(argv[2], argc > 3 && std::string(argv[3]) == "snapshot");
  const int table_runs = std::getenv("RUNS") ? std::atoi(std::getenv("RUNS")) : 5;
  if (argc > 3 && std::string(argv[1]) == "table") return Table(argv[2], argv[3], table_runs);
  const std::string dir = argc > 1 ? argv[1] : std::string(CASEPACK_SHARED_DIR) + "/data/traces";
  const int runs = std::getenv("RUNS") ? std::atoi(std::getenv("RUNS")) : 5;
  auto trace = testing::LoadTrace(dir + "/automerge-paper.json.gz");
  if (!trace) {
    std::fprintf(stderr, "sync_bench: %s/automerge-paper.json.gz not found\n", dir.c_str());
    return 1;
  }
  // ONLY=name runs one case (for profiling): floor, per-edit, load, merge2, ff. SHOW_RUNS=1 also prints each
  // per-edit run's time and page faults (to stderr): a slow spell of this VM shows as a whole process of slow runs.
  const std::string only = std::getenv("ONLY") ? std::getenv("ONLY") : "";
  auto want = [&](const char* c) { return only.empty() || only == c; };
  std::uint64_t fake_now = 1'700'000'000'000ull;
  auto now = [&fake_now] { return ++fake_now; };  // a clock read per keystroke, like the system clock

  // 1. The floor.
  if (want("floor")) {
    std::vector<double> t, cpu;
    for (int i = 0; i < runs; ++i) {
      GapBuffer g;
      const double c0 = CpuMs();
      auto a = Steady::now();
      for (const auto& tx : trace->txns)
        for (const auto& p : tx.patches) g.Splice(p.pos, p.del, p.ins);
      auto b = Steady::now();
      cpu.push_back(CpuMs() - c0);
      if (g.Text() != trace->end_content) std::abort();
      t.push_back(Ms(a, b));
    }
    char extra[64];
    std::snprintf(extra, sizeof extra, ",\"cpuMs\":%.3f", Median(cpu));
    Print("floor:per-edit", Median(t), extra);
  }
  // 2. Per keystroke, with ids and clocks: one operation per edit.
  if (want("per-edit")) {
    std::vector<double> t, cpu;
    for (int i = 0; i < runs; ++i) {
      Replica r({"case", 1, "author", now});
      malloc_trim(0);
      const long faults0 = MinorFaults();
      const double c0 = CpuMs();
      auto a = Steady::now();
      Replay(r, *trace);
      auto b = Steady::now();
      cpu.push_back(CpuMs() - c0);
      if (r.ReadText(kText) != trace->end_content) std::abort();
      t.push_back(Ms(a, b));
      if (std::getenv("SHOW_RUNS")) std::fprintf(stderr, "%.2f ms (%ld page faults)  ", t.back(), MinorFaults() - faults0);
    }
    char extra[64];
    std::snprintf(extra, sizeof extra, ",\"cpuMs\":%.3f", Median(cpu));
    Print("casepack:per-edit", Median(t), extra);
  }
  // 3. Sizes, cold load, memory.
  if (want("load")) {
    const std::size_t heap0 = HeapInUse();
    Replica r({"case", 1, "author", now});
    Replay(r, *trace);
    const std::size_t heap_after_replay = HeapInUse() - heap0;
    Bytes snap = r.SaveSnapshot();
    auto ops = *r.ChangesSince({});
    Bytes batch = EncodeOperations(ops);
    std::vector<double> t;
    std::size_t heap_loaded = 0;
    for (int i = 0; i < runs; ++i) {
      const std::size_t h0 = HeapInUse();
      auto a = Steady::now();
      auto loaded = Replica::LoadSnapshot(snap, {"case", 9, "reader", now});
      auto b = Steady::now();
      heap_loaded = HeapInUse() - h0;
      if (!loaded.ok() || loaded->ReadText(kText) != trace->end_content) std::abort();
      t.push_back(Ms(a, b));
    }
    char extra[256];
    std::snprintf(extra, sizeof extra,
                  ",\"snapshotBytes\":%zu,\"opBatchBytes\":%zu,\"ops\":%zu,\"heapAfterLoadBytes\":%zu,"
                  "\"heapAfterReplayBytes\":%zu",
                  snap.size(), batch.size(), ops.size(), heap_loaded, heap_after_replay);
    Print("casepack:load", Median(t), extra);
  }
  // 4. Two replicas each type the whole trace concurrently; merge B's operations (as bytes) into A.
  if (want("merge2")) {
    std::vector<double> t, t_apply;
    Replica a0({"case", 1, "a", now}), b({"case", 2, "b", now});
    Replay(a0, *trace);
    Replay(b, *trace);
    const Bytes update = EncodeOperations(*b.ChangesSince(a0.version()));
    const std::size_t bytes = update.size();
    const Bytes a_saved = a0.SaveSnapshot();
    for (int i = 0; i < runs; ++i) {
      auto a = Replica::LoadSnapshot(a_saved, {"case", 1, "a", now});  // a fresh copy of A (not timed)
      malloc_trim(0);  // do not time the allocator tidying up after the previous run
      auto t0 = Steady::now();
      auto ops = DecodeOperations(update);
      auto t1 = Steady::now();
      auto res = a->Apply(*ops);
      auto t2 = Steady::now();
      if (!res.rejected.empty() || a->TextLength(kText) != 2 * 104852) std::abort();
      t.push_back(Ms(t0, t2));
      t_apply.push_back(Ms(t1, t2));
    }
    char extra[128];
    std::snprintf(extra, sizeof extra, ",\"applyOnlyMs\":%.3f,\"deltaBytes\":%zu", Median(t_apply), bytes);
    Print("casepack:merge2", Median(t), extra);
  }
  // 5. friendsforever: replicas per agent, merging along the parents DAG (as bench.mjs's ff case).
  auto ff = want("ff") ? testing::LoadTrace(dir + "/friendsforever.json.gz") : std::nullopt;
  if (ff) {
    std::vector<double> t;
    for (int run = 0; run < runs; ++run) {
      const auto agents = static_cast<std::size_t>(ff->num_agents);
      auto a0 = Steady::now();
      std::vector<Replica> reps;
      for (std::size_t a = 0; a < agents; ++a) reps.emplace_back(ReplicaOptions{"case", 100 + a, "agent", now});
      std::vector<std::vector<std::size_t>> vv(ff->txns.size()), by_agent(agents);
      std::vector<std::vector<std::size_t>> have(agents, std::vector<std::size_t>(agents, 0));
      std::vector<std::vector<Operation>> deltas(ff->txns.size());
      for (std::size_t i = 0; i < ff->txns.size(); ++i) {
        const auto& tx = ff->txns[i];
        const auto a = static_cast<std::size_t>(tx.agent);
        std::vector<std::size_t> need(agents, 0);
        for (std::size_t p : tx.parents)
          for (std::size_t k = 0; k < agents; ++k) need[k] = std::max(need[k], vv[p][k]);
        std::vector<std::size_t> missing;
        for (std::size_t k = 0; k < agents; ++k)
          if (k != a)
            for (std::size_t s = have[a][k]; s < need[k]; ++s) missing.push_back(by_agent[k][s]);
        std::sort(missing.begin(), missing.end());
        for (std::size_t j : missing) reps[a].Apply(deltas[j]);
        for (std::size_t k = 0; k < agents; ++k)
          if (k != a) have[a][k] = std::max(have[a][k], need[k]);
        const VersionVector before = reps[a].version();
        Replay(reps[a], testing::Trace{"", 1, {tx}});
        deltas[i] = *reps[a].ChangesSince(before);
        by_agent[a].push_back(i);
        ++have[a][a];
        need[a] = by_agent[a].size();
        vv[i] = need;
      }
      auto a1 = Steady::now();
      if (reps[static_cast<std::size_t>(ff->txns.back().agent)].ReadText(kText) != ff->end_content) std::abort();
      t.push_back(Ms(a0, a1));
    }
    Print("casepack:ff", Median(t));
  }
  return 0;
}
