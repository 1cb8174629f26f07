// Retention on the device: the policies in force (versioned data the Business Unit sets and sync will
// carry), each case's purge date, and the purge itself — which runs at every store open, offline too,
// under the forward-only TrustedClock. A purge deletes the case's operations, documents and snapshot,
// destroys its key (crypto-shredding its blobs, whose files are also overwritten and unlinked),
// checkpoints and truncates the WAL, and keeps a tombstone with the basics only plus a device-signed
// purge receipt for the sync layer to report. A legal hold beats a purge. Design: docs/retention.md.
//
// Not thread safe; one RetentionService per open Store.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/cases.h"
#include "casepack/labels.h"
#include "casepack/retention_policy.h"
#include "casepack/store.h"

namespace casepack {

class Audit;

// The policies in force. version 0 is the built-in defaults (nothing recorded yet).
struct PolicyRecord {
  std::int64_t version = 0;
  std::vector<RetentionPolicy> policies;  // one per event type
  std::string set_by;
  std::string set_at;
};
nlohmann::json ToJson(const PolicyRecord& r);
// The form a policy record travels in (sync: the Business Unit signs this text, docs/retention.md
// "Server side"): {"version","set_by","set_at","rules":RetentionPoliciesToJson(policies)}.
std::string PolicyRecordWireText(const PolicyRecord& r);
// kInvalidArgument if malformed or a policy is invalid.
Result<PolicyRecord> PolicyRecordFromWireText(std::string_view text);

// A case's retention, from the index (no snapshot decoded).
struct CaseRetention {
  std::string case_id;
  EventType event_type = EventType::kMas;
  std::optional<RetentionDeadline> deadline;  // none: no key date the policy counts from is recorded
  std::string no_deadline_reason;             // then: which dates to record (ComputeRetentionDeadline's message)
  std::vector<std::string> missing_key_dates;  // then: the key dates the policy counts from (any one will do)
  std::optional<LegalHold> hold;
  bool due = false;                           // deadline reached and not on hold
  std::int64_t policy_version = 0;            // the PolicyRecord that gave the deadline
  Subject subject;                            // the basics, for review listings
};
nlohmann::json ToJson(const CaseRetention& r);
// "2027-03-01 (summary-report-sent + 90 days)", "on hold, …" or "unknown: …", for listings; in Welsh
// with the key dates' Welsh names (schema/data/labels.json "retention.*").
std::string DescribePurgeDate(const CaseRetention& r, Language lang = Language::kEnglish);

// What is left of a purged case: the basics only.
struct Tombstone {
  std::string case_id;
  EventType event_type = EventType::kMas;
  Subject subject;  // name or initials, area
  std::map<std::string, Date, std::less<>> key_dates;
  Date purge_on;
  std::string rule;       // e.g. "summary-report-sent + 90 days, policy version 0"
  std::string purged_at;  // YYYY-MM-DDTHH:MM:SSZ, trusted clock
};
nlohmann::json ToJson(const Tombstone& t);

// A device's signed statement that it destroyed a case's content (docs/retention.md has the bytes).
struct PurgeReceipt {
  std::string case_id;
  std::string store_id;
  std::string purged_at;
  Bytes public_key;  // Ed25519, 32 bytes
  Bytes signature;   // over CanonicalReceipt()
  std::string CanonicalReceipt() const;
};
nlohmann::json ToJson(const PurgeReceipt& r);
bool VerifyPurgeReceipt(const PurgeReceipt& r);

struct PurgeReport {
  std::int64_t now_millis = 0;           // the trusted time the decision used
  std::vector<CaseRetention> purged;     // (with --dry-run: would be purged)
  std::vector<CaseRetention> held;       // past their date, kept by a legal hold
  std::vector<std::pair<std::string, Error>> failed;  // case id, why (left intact, retried next open)
  std::chrono::nanoseconds elapsed{0};
  // Set when the purge did not run at all, nothing having changed: the device's clock jumped further than
  // it can be believed (TrustedClock), or the disk is full. One line for the person, without "casepack: ".
  std::string postponed;
  bool postponed_for_full_disk = false;  // the disk is full (not the clock): the CLI says it with the rest
};

class RetentionService {
 public:
  // REQUIRES: `store`, `cases` and `audit` outlive the service (ClientSession builds it so).
  RetentionService(Store& store, CaseService& cases, Audit& audit);
  // Standalone (tests, tools): builds its own case service and audit log on `store`.
  explicit RetentionService(Store& store);
  ~RetentionService();
  RetentionService(const RetentionService&) = delete;
  RetentionService& operator=(const RetentionService&) = delete;

  // ---- policies ----
  [[nodiscard]] Result<PolicyRecord> CurrentPolicies();
  // The Business Unit's change: `j` as RetentionPoliciesFromJson reads it (types not listed keep their
  // current default). Records a new version and audits it. kInvalidArgument with the JSON path.
  [[nodiscard]] Result<PolicyRecord> SetPolicies(const nlohmann::json& j, std::string_view set_by);
  // For sync: keeps `r` if its version is newer than the one in force; true if it was applied.
  [[nodiscard]] Result<bool> ApplyPolicyRecord(const PolicyRecord& r);

  // ---- per case ----
  [[nodiscard]] Result<CaseRetention> ForCase(std::string_view case_id);
  [[nodiscard]] Result<std::vector<CaseRetention>> ForAllCases(const Date& today);
  // Disposition review: the cases whose purge date is on or before today + days (held ones included,
  // marked), earliest first. A purge never waits for a review; only a hold keeps a case.
  [[nodiscard]] Result<std::vector<CaseRetention>> DueWithin(const Date& today, int days);

  // Legal hold, audited. kNotFound for an unknown (or purged) case.
  [[nodiscard]] Status PlaceHold(std::string_view case_id, std::string_view reason, std::string_view by);
  [[nodiscard]] Status ReleaseHold(std::string_view case_id);

  // ---- purge ----
  // Advances the trusted clock, then purges every case past its date and not on hold. Postponed (see
  // PurgeReport::postponed), purging nothing, while the clock's jump is unconfirmed or the disk is full. Each case is
  // all-or-nothing (a savepoint); commits are batched for speed; ends with the WAL checkpointed and
  // truncated. A case that fails is left whole and reported in `failed`, to be retried next time.
  [[nodiscard]] Result<PurgeReport> PurgeDue();
  // What PurgeDue would do now, changing nothing (the clock is read, not advanced).
  [[nodiscard]] Result<PurgeReport> PlanPurge();
  // For sync: the server purged a case (its tombstone arrived). Purges the local copy now, keeping the
  // server's basics, unless a local hold is in force (kConflict: the hold is reported back, not lost).
  // A case not on this device only records the tombstone. Returns the receipt to send.
  [[nodiscard]] Result<PurgeReceipt> ApplyRemoteTombstone(const Tombstone& t);

  // ---- what remains ----
  [[nodiscard]] Result<std::vector<Tombstone>> Tombstones();
  // By full id or unique prefix (4+ characters); nullopt if none.
  [[nodiscard]] Result<std::optional<Tombstone>> FindTombstone(std::string_view id_or_prefix);
  [[nodiscard]] Result<std::vector<PurgeReceipt>> Receipts();

 private:
  Result<PurgeReport> PurgeDueOrFail();
  Result<std::vector<CaseRetention>> Evaluate(const Date& today, bool check_replica_holds);
  // REQUIRES: inside a transaction. Returns the blob ids to shred once committed.
  Result<std::vector<std::string>> PurgeOne(const CaseRetention& c, const std::string& purged_at,
                                            const std::optional<Tombstone>& remote);
  Status ShredBlobs(const std::vector<std::string>& blob_ids);

  Store& store_;
  std::unique_ptr<CaseService> owned_cases_;  // standalone only
  std::unique_ptr<Audit> owned_audit_;
  CaseService& cases_;
  Audit& audit_;
  StatementCache statements_;  // for one purge at a time
};

// A case about to be created or imported whose purge date under the policy in force is already reached
// (trusted clock) would be purged by the next command. kConflict naming the date, the rule and today;
// Ok if it is not past, has no date yet, or `allow` (the person asked for it explicitly).
[[nodiscard]] Status CheckNotPastPurgeDate(Store& store, const Case& c, bool allow);

// The hook every command runs right after unlocking (the CLI's Context::OpenStore). Equivalent to
// RetentionService(store).PurgeDue().
[[nodiscard]] Result<PurgeReport> RunRetentionAtOpen(Store& store);

}  // namespace casepack
