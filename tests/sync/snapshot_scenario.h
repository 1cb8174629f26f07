// A small two-author history for the snapshot vectors (tests/vectors/snapshot/): concurrent typing at one
// place, a delete spanning both authors' runs (a tombstone, delete ranges), a typed fix and a register.
// Deterministic: fixed replica ids and an injected clock. Returns the replica whose snapshot is the vector.
#pragma once

#include <cstdint>
#include <memory>

#include "casepack/replica.h"

namespace casepack::testing {

inline const Target kScenarioText{"note/1", "body"};

inline Replica SnapshotScenario() {
  auto now = std::make_shared<std::uint64_t>(1'700'000'000'000ull);
  auto opts = [now](ReplicaId id, const char* who) {
    return ReplicaOptions{"case-42", id, who, [now] { return *now += 1000; }};
  };
  Replica a(opts(0x1111111111111111ull, "facilitator-a")), b(opts(0x2222222222222222ull, "reviewer-b"));
  auto sync = [&] {
    a.Apply(*b.ChangesSince(a.version()));
    b.Apply(*a.ChangesSince(b.version()));
  };
  (void)a.InsertText(kScenarioText, 0, "Dear panel, the review met on Monday.");
  sync();
  (void)a.InsertText(kScenarioText, 11, " members");
  (void)b.InsertText(kScenarioText, 11, " chair");
  sync();
  (void)b.DeleteText(kScenarioText, 5, 20);
  (void)a.InsertText(kScenarioText, a.TextLength(kScenarioText), " Next: Friday.");
  (void)a.SetRegister({"note/1", "title"}, "Minutes", true);
  sync();
  (void)a.InsertText(kScenarioText, 5, "Cyng");
  (void)a.DeleteText(kScenarioText, 0, 1);
  sync();
  return a;
}

}  // namespace casepack::testing
