// Replays an editing trace (trace_loader.h) into casepack replicas as its authors made it, for the trace
// tests and the benchmark. A concurrent trace (friendsforever, clownschool, node_nodecc, git-makefile) is a
// DAG: each transaction runs on its agent's replica after that replica has received exactly the
// transactions of its parents' history, in trace order (agents' own transactions are causally ordered in
// every trace, so an agent's replica never holds more than that). As bench.mjs does, with one difference:
// a transaction's operations are taken with LocalChangesSince (through the id index, the cost of the
// transaction) rather than ChangesSince (a scan of the whole text per transaction).
// Header-only; throws std::runtime_error when a step fails.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "casepack/replica.h"
#include "sync/trace_loader.h"

namespace casepack::testing {

inline const Target kTraceText{"doc", "text"};

inline void ApplyTracePatches(Replica& r, const std::vector<Patch>& patches) {
  for (const auto& p : patches) {
    auto fail = [&](const char* what) {
      return std::runtime_error(std::string("trace ") + what + " at " + std::to_string(p.pos) + " failed (text of " +
                                std::to_string(r.TextLength(kTraceText)) + " code points)");
    };
    if (p.del > 0 && !r.DeleteText(kTraceText, p.pos, p.del).ok()) throw fail("delete");
    if (!p.ins.empty() && !r.InsertText(kTraceText, p.pos, p.ins).ok()) throw fail("insert");
  }
}

struct TraceReplayStats {
  std::size_t merged = 0;  // transactions applied from other replicas
};

// Returns the replica of the last transaction, which holds the whole history. Replica ids are 100 + agent.
inline Replica ReplayTrace(const Trace& t, TraceReplayStats* stats = nullptr) {
  const auto agents = static_cast<std::size_t>(t.num_agents);
  const std::size_t n = t.txns.size();
  // One clock for every replica, a millisecond on per reading (as sync_bench's keystrokes): the clocks
  // travel in every operation and snapshot, so their deltas are part of the encoded sizes.
  auto clock = std::make_shared<std::uint64_t>(1'700'000'000'000ull);
  auto options = [clock](std::size_t agent) {
    return ReplicaOptions{"case", 100 + agent, "agent", [clock] { return ++*clock; }};
  };
  std::vector<std::unique_ptr<Replica>> reps(agents);
  std::vector<std::vector<std::size_t>> have(agents, std::vector<std::size_t>(agents, 0));  // txns per agent
  std::vector<std::vector<std::size_t>> vv(agents == 1 ? 0 : n), by_agent(agents);
  std::vector<std::vector<Operation>> deltas(agents == 1 ? 0 : n);
  TraceReplayStats local;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& tx = t.txns[i];
    const auto a = static_cast<std::size_t>(tx.agent);
    if (!reps[a]) reps[a] = std::make_unique<Replica>(options(a));
    Replica& r = *reps[a];
    if (agents == 1) {  // a sequential trace: each txn on the previous one, nobody merges
      ApplyTracePatches(r, tx.patches);
      continue;
    }
    std::vector<std::size_t> need(agents, 0);
    for (std::size_t p : tx.parents)
      for (std::size_t k = 0; k < agents; ++k) need[k] = std::max(need[k], vv[p][k]);
    std::vector<std::size_t> missing;
    for (std::size_t k = 0; k < agents; ++k)
      for (std::size_t s = have[a][k]; s < need[k]; ++s) missing.push_back(by_agent[k][s]);
    std::sort(missing.begin(), missing.end());
    for (std::size_t j : missing) {
      auto res = r.Apply(deltas[j]);
      if (!res.rejected.empty()) throw std::runtime_error("trace replay: rejected: " + res.rejected[0].error.message);
    }
    local.merged += missing.size();
    if (r.pending_count() != 0) throw std::runtime_error("trace replay: operations pending at txn " + std::to_string(i));
    const std::uint64_t before = r.version().Get(r.replica_id());
    try {
      ApplyTracePatches(r, tx.patches);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string(e.what()) + " in txn " + std::to_string(i) + " of agent " +
                               std::to_string(a));
    }
    deltas[i] = *r.LocalChangesSince(before);
    by_agent[a].push_back(i);
    need[a] = by_agent[a].size();
    have[a] = need;
    vv[i] = std::move(need);
  }
  if (stats) *stats = local;
  if (n == 0) return Replica(options(0));
  return std::move(*reps[static_cast<std::size_t>(t.txns.back().agent)]);
}

}  // namespace casepack::testing
