// The audit trail: an append-only, hash-chained log of who did what to which case on this device, signed
// by the device identity, with no case content in it (guidance 003 §4.5: records "might be produced in
// any future court process"). Format, canonical form and the export file: docs/audit.md.
//
// Each entry's hash is SHA-256 over its canonical form, which includes the previous entry's hash, so an
// altered, removed or reordered entry breaks the chain from that point; each hash is signed (Ed25519) by
// the device, so the chain cannot be rebuilt without the device's key. The table refuses UPDATE and
// DELETE (triggers), and a purge never removes entries: they hold ids, kinds and times only.
//
// Not thread safe; one Audit per open Store.
#pragma once

#include <array>
#include <map>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/store.h"

namespace casepack {

// Closed set, stored by name: never rename, only add.
enum class AuditKind {
  kCaseOpen,        // "case-open": a command read or changed a case
  kDocumentExport,  // "document-export": decrypted document bytes left the store (export or viewer)
  kReport,          // "report": a report was written out
  kPackSeal,        // "pack-seal"
  kPackOpen,        // "pack-open"
  kShare,           // "share"
  kSync,            // "sync"
  kPurge,           // "purge": a case's content was destroyed under the retention policy
  kHold,            // "hold": a legal hold was placed
  kRelease,         // "release": a legal hold was released
  kPolicy,          // "policy": the retention policies were changed on this device
  kDelete,          // "delete": a row (document, attendee, action, chronology entry, feedback form) was deleted
};
std::string_view ToString(AuditKind k);
Result<AuditKind> ParseAuditKind(std::string_view s);

inline constexpr std::size_t kAuditHashBytes = 32;

struct AuditEntry {
  std::int64_t seq = 0;        // 1, 2, 3, … without gaps
  std::string at;              // trusted-clock time, YYYY-MM-DDTHH:MM:SSZ
  AuditKind kind = AuditKind::kCaseOpen;
  std::string case_id;         // empty for store-wide events
  std::string detail;          // printable ASCII, at most kMaxAuditDetail: the command, a document id, …
  std::string store_id;        // the device's store id (bound into the hash)
  Bytes prev_hash;             // 32 bytes; zeros for seq 1
  Bytes hash;                  // SHA-256(CanonicalAuditEntry)
  Bytes signature;             // Ed25519 over `hash` by the device key
};
inline constexpr std::size_t kMaxAuditDetail = 200;

// The exact bytes hashed: compact JSON, keys sorted, of at, case_id, detail, kind, prev_hash (hex), seq,
// store_id. Documented in docs/audit.md so that anyone can recompute it.
std::string CanonicalAuditEntry(const AuditEntry& e);

struct AuditVerification {
  bool ok = true;
  std::int64_t entries = 0;                 // entries checked
  std::optional<std::int64_t> first_bad_seq;  // the first entry that fails (or where the chain breaks)
  std::string problem;                      // what failed, without content
};

class Audit {
 public:
  // REQUIRES: `store` outlives this object.
  explicit Audit(Store& store) : store_(store) {}

  // Appends an entry. Inside a caller's transaction it joins it (so a purge and its entry commit
  // together); otherwise it commits on its own. kInvalidArgument if `detail` is not printable ASCII or is
  // too long, or `case_id` is not an id: the guard that keeps names and notes out of the log.
  [[nodiscard]] Result<AuditEntry> Record(AuditKind kind, std::string_view case_id, std::string_view detail);

  // Every entry, in order.
  [[nodiscard]] Result<std::vector<AuditEntry>> Entries();
  // Checks sequence, chain, hashes, signatures (against this store's identity) and the recorded head
  // (which catches a truncated tail). A failing check is ok=false, not an error; errors are I/O.
  [[nodiscard]] Result<AuditVerification> Verify();
  // JSON lines: a header line, then one line per entry (docs/audit.md).
  [[nodiscard]] Result<std::string> ExportJsonLines();

 private:
  // Prepared once per Audit object (a purge records one entry per case), reset after each use.
  Result<Statement*> Prepared(std::string_view sql);
  Store& store_;
  std::map<std::string, Statement, std::less<>> statements_;
};

// Verifies an exported file on its own, against the public key in its header line (compare that key with
// the one the Business Unit registered for the device: the file alone cannot prove whose key it is).
// kCorrupt if the file is not an export at all; a broken chain is ok=false with the seq.
[[nodiscard]] Result<AuditVerification> VerifyAuditExport(std::string_view jsonl);

}  // namespace casepack
