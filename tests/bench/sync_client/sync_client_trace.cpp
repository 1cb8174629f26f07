// sync_client_trace STORE PASSPHRASE_FILE CASE TRACE: types an editing trace (../shared/data/traces, e.g.
// automerge-paper.json.gz: 259,778 keystrokes of one author) into CASE's "story" note, one EditNote per
// patch as the window saves a keystroke, in this process. The store then holds a week offline of typing to
// push (tests/bench/sync_client/run.sh wire). Checks that the note ends as the trace's endContent. Prints
// "EDITS OPERATIONS". On stderr, where the bytes of the push will go: the sealed batches the store cuts from
// that history (CaseService::UnpushedBatches, as `casepack sync` does), their operations by kind, their
// encoded and deflated sizes and the fixed cost of sealing each.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "casepack/cases.h"
#include "casepack/secret.h"
#include "casepack/store.h"
#include "cases_internal.h"
#include "sealed_batch_body.h"
#include <zlib.h>
#include "sync/trace_loader.h"

using namespace casepack;

namespace {

std::size_t Deflated(const Bytes& b) {
  uLongf n = compressBound(static_cast<uLong>(b.size()));
  Bytes out(n);
  if (compress2(out.data(), &n, b.data(), static_cast<uLong>(b.size()), 9) != Z_OK) return 0;
  return 4 + n;  // with a u32 size, as the zlib payloads stores wrote before xz (client/src/batch_payload.h)
}

// The batches a push of this store would send (the limits of client/src/sync_service.cpp).
void PrintBreakdown(CaseService& cases, const std::string& id, std::size_t max_ops) {
  auto batches = CaseServiceInternal::UnpushedBatches(cases, id, max_ops, 1000 * 1000);  // as sync_service.cpp
  if (!batches.ok()) return (void)std::fprintf(stderr, "breakdown: %s\n", batches.error().message.c_str());
  std::size_t rows = 0, ops = 0, sent = 0, sent_deflated = 0, sealed_payload = 0, plain = 0, plain_deflated = 0, text = 0, values = 0;
  std::map<int, std::size_t> kinds;
  // BREAKDOWN_DUMP=FILE: the bodies as cut (before deflate), one after another, to try other compressors on.
  std::FILE* dump = std::getenv("BREAKDOWN_DUMP") ? std::fopen(std::getenv("BREAKDOWN_DUMP"), "wb") : nullptr;
  for (const auto& b : *batches) {
    if (dump) std::fwrite(b.body.data(), 1, b.body.size(), dump);
    rows += b.rows;
    sent += b.body.size();
    sealed_payload += b.payload.size();
    sent_deflated += Deflated(b.body);
    auto decoded = DecodeSealedBatchBody(b.body);
    if (!decoded.ok()) return (void)std::fprintf(stderr, "breakdown: %s\n", decoded.error().message.c_str());
    const Bytes v2 = EncodeOperations(*decoded, BatchVersion::kV2);
    plain += v2.size();
    plain_deflated += Deflated(v2);
    ops += decoded->size();
    for (const auto& op : *decoded) {
      ++kinds[static_cast<int>(op.kind)];
      text += op.text.size();
      values += op.value.size();
    }
  }
  if (dump) std::fclose(dump);
  // Per batch: the blob's version byte, nonce, signature and tag (its id, epoch and manifest entry come on top).
  const std::size_t sealing = batches->size() * (1 + 24 + 64 + 16);
  std::fprintf(stderr, "breakdown (at most %zu operations a batch): %zu sealed batches covering %zu stored operations; %zu operations inside (",
               max_ops, batches->size(), rows, ops);
  const char* names[] = {"", "register sets", "collection adds", "collection removes", "text inserts", "text deletes"};
  for (const auto& [k, n] : kinds) std::fprintf(stderr, "%s%s %zu", k == kinds.begin()->first ? "" : ", ", names[k], n);
  std::fprintf(stderr, ")\nbreakdown: inserted text %zu B, register values %zu B; as operation batches v2: %zu B, deflated %zu B\n",
               text, values, plain, plain_deflated);
  std::fprintf(stderr, "breakdown: as sent (register values as changes): %zu B, deflated %zu B, as sealed (xz) %zu B; sealing %zu B; the whole as base64 %zu B\n",
               sent, sent_deflated, sealed_payload, sealing, (sealed_payload + sealing + 2) / 3 * 4);
}

}  // namespace

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
  // At the client's batch size (client/src/sync_service.cpp kBatchMaxOps), or BREAKDOWN_MAX_OPS.
  const char* max_ops = std::getenv("BREAKDOWN_MAX_OPS");
  PrintBreakdown(cases, *id, max_ops ? std::strtoull(max_ops, nullptr, 10) : 250000);
  std::printf("%zu %zu\n", edits, *end - *start);
  return 0;
}
