// sync_client_trace STORE PASSPHRASE_FILE CASE TRACE: types an editing trace (../shared/data/traces, e.g.
// automerge-paper.json.gz: 259,778 keystrokes of one author) into CASE's "story" note, one EditNote per
// patch as the window saves a keystroke, in this process. The store then holds a week offline of typing to
// push (tests/bench/sync_client/run.sh wire). Checks that the note ends as the trace's endContent. Prints
// "EDITS OPERATIONS".
#include <cstdio>
#include <fstream>
#include <string>

#include "casepack/cases.h"
#include "casepack/secret.h"
#include "casepack/store.h"
#include "sync/trace_loader.h"

using namespace casepack;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: sync_client_trace STORE PASSPHRASE_FILE CASE TRACE\n");
    return 2;
  }
  InitCrypto();
  std::string pass;
  std::getline(std::ifstream(argv[2]), pass);
  auto trace = testing::LoadTrace(argv[4]);
  if (!trace) {
    std::fprintf(stderr, "sync_client_trace: no trace at %s\n", argv[4]);
    return 1;
  }
  auto store = Store::Open(argv[1], pass, "sync_client_trace");
  if (!store.ok()) return std::fprintf(stderr, "sync_client_trace: open: %s\n", store.error().message.c_str()), 1;
  CaseService cases(**store);
  auto id = cases.ResolveCaseId(argv[3]);
  if (!id.ok()) return std::fprintf(stderr, "sync_client_trace: case: %s\n", id.error().message.c_str()), 1;
  auto start = cases.CountOperations(*id);
  if (!start.ok()) return 1;
  std::size_t edits = 0;
  for (const auto& tx : trace->txns)
    for (const auto& p : tx.patches) {
      Status s = cases.EditNote(*id, "story", p.pos, p.del, p.ins);
      if (!s.ok()) return std::fprintf(stderr, "sync_client_trace: edit %zu: %s\n", edits, s.error().message.c_str()), 1;
      ++edits;
    }
  auto text = cases.ReadNote(*id, "story");
  if (!text.ok() || *text != trace->end_content) {
    std::fprintf(stderr, "sync_client_trace: the note does not end as the trace's endContent\n");
    return 1;
  }
  auto end = cases.CountOperations(*id);
  if (!end.ok()) return 1;
  std::printf("%zu %zu\n", edits, *end - *start);
  return 0;
}
