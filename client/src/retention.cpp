#include "casepack/retention.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "casepack/audit.h"
#include "casepack/trusted_clock.h"
#include "cases_internal.h"
#include "key_dates_json.h"

namespace casepack {

namespace {

using nlohmann::json;

// Cases purged per commit. Each case is still all-or-nothing (a savepoint); batching only saves syncs.
constexpr std::size_t kPurgeBatch = 1000;

Result<json> ParseJsonText(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return MakeError(ErrorCode::kCorrupt, "a stored retention value is not valid JSON");
  return j;
}

std::string RuleText(const CaseRetention& c) {
  if (!c.deadline) return "legal basis: server tombstone";
  return c.deadline->rule_after + " + " + std::to_string(c.deadline->days) + " days, policy version " +
         std::to_string(c.policy_version);
}

const RetentionPolicy* PolicyFor(const std::vector<RetentionPolicy>& ps, EventType t) {
  for (const auto& p : ps)
    if (p.event_type == t) return &p;
  return nullptr;
}

// Overwrites a file with zeros (no sync: the caller syncs once for all of them). The blob is already
// unreadable once the case key is gone; this removes the ciphertext too (on flash or copy-on-write file
// systems the overwrite may land elsewhere, which is why the key destruction is what counts).
Status Overwrite(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Ok();
    return MakeError(ErrorCode::kIo, "cannot open a purged blob: " + std::string(std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    static const std::uint8_t zeros[64 * 1024] = {};
    off_t left = st.st_size;
    while (left > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<off_t>(left, static_cast<off_t>(sizeof zeros)));
      const ssize_t w = ::write(fd, zeros, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;  // the unlink still happens; the key is already gone
      left -= w;
    }
  }
  ::close(fd);
  return Ok();
}

}  // namespace

// ---- JSON and descriptions ----

json ToJson(const PolicyRecord& r) {
  json j = RetentionPoliciesToJson(r.policies);
  j["version"] = r.version;
  j["set_by"] = r.set_by;
  j["set_at"] = r.set_at;
  return j;
}

std::string PolicyRecordWireText(const PolicyRecord& r) {
  const json j = {{"version", r.version}, {"set_by", r.set_by}, {"set_at", r.set_at},
                  {"rules", RetentionPoliciesToJson(r.policies)}};
  return j.dump();
}

Result<PolicyRecord> PolicyRecordFromWireText(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseJsonText(text));
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer() || !j.contains("set_by") ||
      !j["set_by"].is_string() || !j.contains("set_at") || !j["set_at"].is_string() || !j.contains("rules"))
    return MakeError(ErrorCode::kInvalidArgument, "malformed retention policy record");
  PolicyRecord r;
  r.version = j["version"].get<std::int64_t>();
  r.set_by = j["set_by"].get<std::string>();
  r.set_at = j["set_at"].get<std::string>();
  CP_ASSIGN_OR_RETURN(r.policies, RetentionPoliciesFromJson(j["rules"]));
  for (const auto& p : r.policies) CP_RETURN_IF_ERROR(ValidateRetentionPolicy(p));
  return r;
}

json ToJson(const CaseRetention& r) {
  json j = {{"case_id", r.case_id}, {"event_type", ToString(r.event_type)}, {"due", r.due},
            {"on_hold", r.hold.has_value()}, {"policy_version", r.policy_version}};
  j["purge_on"] = r.deadline ? json(FormatDate(r.deadline->purge_on)) : json(nullptr);
  j["rule"] = r.deadline ? ToJson(*r.deadline) : json(nullptr);
  if (!r.deadline) j["no_deadline_reason"] = r.no_deadline_reason;
  j["hold"] = r.hold ? json{{"reason", r.hold->reason}, {"held_by", r.hold->held_by}, {"held_at", r.hold->held_at}}
                     : json(nullptr);
  return j;
}

namespace {
std::string KeyDateName(Language lang, EventType t, std::string_view key) {
  for (const KeyDateDef& d : KeyDateDefs(t))
    if (d.key == key) return KeyDateTitle(lang, t, d);
  return std::string(key);
}
}  // namespace

std::string DescribePurgeDate(const CaseRetention& r, Language lang) {
  // English names the key date by its key, as the policy file does; Welsh by its Welsh name.
  auto key_date = [&](const std::string& key) { return lang == Language::kEnglish ? key : KeyDateName(lang, r.event_type, key); };
  std::string date;
  if (r.deadline) {
    date = Fill(Fill(Fill(Label(lang, "retention.purge-rule"), "date", FormatDate(r.deadline->purge_on)), "after",
                     key_date(r.deadline->rule_after)),
                "days", std::to_string(r.deadline->days));
  } else if (lang == Language::kEnglish) {
    date = "unknown: " + r.no_deadline_reason;
  } else if (!r.missing_key_dates.empty()) {
    std::string dates;
    for (const auto& k : r.missing_key_dates) dates += (dates.empty() ? "" : ", ") + key_date(k);
    date = Fill(Label(lang, "retention.no-key-date"), "dates", dates);
  } else {
    date = Label(lang, "retention.no-policy");
  }
  if (r.hold) return Fill(Fill(Label(lang, "retention.on-hold"), "since", r.hold->held_at.substr(0, 10)), "date", date);
  return date;
}

json ToJson(const Tombstone& t) {
  return {{"case_id", t.case_id},       {"event_type", ToString(t.event_type)}, {"subject", t.subject.name_or_initials},
          {"area", t.subject.area},     {"key_dates", KeyDatesToJson(t.key_dates)},
          {"purge_on", FormatDate(t.purge_on)}, {"rule", t.rule}, {"purged_at", t.purged_at}};
}

std::string PurgeReceipt::CanonicalReceipt() const {
  const json j = {{"type", "casepack-purge-receipt/1"}, {"case_id", case_id}, {"store_id", store_id}, {"purged_at", purged_at}};
  return j.dump();  // keys sorted, compact: docs/retention.md
}

json ToJson(const PurgeReceipt& r) {
  return {{"case_id", r.case_id}, {"store_id", r.store_id}, {"purged_at", r.purged_at},
          {"public_key", HexEncode(r.public_key)}, {"signature", HexEncode(r.signature)}};
}

bool VerifyPurgeReceipt(const PurgeReceipt& r) {
  return r.public_key.size() == kEd25519PublicBytes && r.signature.size() == kSignatureBytes &&
         VerifySignature(r.public_key, AsBytes(r.CanonicalReceipt()), r.signature);
}

// ---- service ----

RetentionService::RetentionService(Store& store)
    : store_(store), owned_cases_(std::make_unique<CaseService>(store)), owned_audit_(std::make_unique<Audit>(store)),
      cases_(*owned_cases_), audit_(*owned_audit_), statements_(store.db()) {}

RetentionService::RetentionService(Store& store, CaseService& cases, Audit& audit)
    : store_(store), cases_(cases), audit_(audit), statements_(store.db()) {}

RetentionService::~RetentionService() = default;

Result<PolicyRecord> RetentionService::CurrentPolicies() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT version, policies, set_by, set_at FROM retention_policies ORDER BY version DESC LIMIT 1;"));
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  PolicyRecord r;
  if (!row) {
    r.policies = DefaultRetentionPolicies();
    r.set_by = "built-in defaults";
    return r;
  }
  r.version = st.Int(0);
  r.set_by = st.Text(2);
  r.set_at = st.Text(3);
  CP_ASSIGN_OR_RETURN(json j, ParseJsonText(st.Text(1)));
  auto ps = RetentionPoliciesFromJson(j);
  if (!ps.ok()) return ps.error().Context("the stored retention policies (version " + std::to_string(r.version) + ")");
  r.policies = std::move(ps).value();
  return r;
}

Result<PolicyRecord> RetentionService::SetPolicies(const json& j, std::string_view set_by) {
  CP_ASSIGN_OR_RETURN(std::vector<RetentionPolicy> parsed, RetentionPoliciesFromJson(j));
  CP_ASSIGN_OR_RETURN(PolicyRecord current, CurrentPolicies());
  // Types the file does not mention keep the policy in force (not the built-in default).
  std::set<std::string> mentioned;
  if (j.contains("policies") && j["policies"].is_array())
    for (const auto& p : j["policies"])
      if (p.is_object() && p.contains("event_type") && p["event_type"].is_string())
        if (auto t = ParseEventType(p["event_type"].get<std::string>()); t.ok()) mentioned.insert(std::string(ToString(*t)));
  PolicyRecord next;
  next.version = current.version + 1;
  next.set_by = std::string(set_by);
  TrustedClock clock(store_.db(), store_.clock());
  CP_ASSIGN_OR_RETURN(std::int64_t now, clock.Peek());
  next.set_at = FormatInstant(now);
  for (const RetentionPolicy& p : parsed) {
    const RetentionPolicy* keep = PolicyFor(current.policies, p.event_type);
    next.policies.push_back(mentioned.count(std::string(ToString(p.event_type))) || keep == nullptr ? p : *keep);
  }
  CP_ASSIGN_OR_RETURN(bool applied, ApplyPolicyRecord(next));
  if (!applied) return MakeError(ErrorCode::kConflict, "the retention policies changed meanwhile", "try again");
  return next;
}

Result<bool> RetentionService::ApplyPolicyRecord(const PolicyRecord& r) {
  for (const auto& p : r.policies) CP_RETURN_IF_ERROR(ValidateRetentionPolicy(p));
  CP_ASSIGN_OR_RETURN(PolicyRecord current, CurrentPolicies());
  if (r.version <= current.version) return false;
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "INSERT INTO retention_policies (version, policies, set_by, set_at) VALUES (?, ?, ?, ?);"));
  st.Bind(1, r.version).Bind(2, RetentionPoliciesToJson(r.policies).dump()).Bind(3, r.set_by).Bind(4, r.set_at);
  CP_RETURN_IF_ERROR(st.Run());
  CP_RETURN_IF_ERROR(audit_.Record(AuditKind::kPolicy, "", "retention policies version " + std::to_string(r.version)));
  CP_RETURN_IF_ERROR(tx.Commit());
  return true;
}

Result<std::vector<CaseRetention>> RetentionService::Evaluate(const Date& today, bool check_replica_holds) {
  CP_ASSIGN_OR_RETURN(PolicyRecord policies, CurrentPolicies());
  CP_ASSIGN_OR_RETURN(std::vector<StoredCaseBasics> cases, CasePurgeInternal::AllCaseBasics(cases_));
  std::vector<CaseRetention> out;
  for (StoredCaseBasics& b : cases) {
    CaseRetention r;
    r.case_id = b.case_id;
    r.policy_version = policies.version;
    r.subject = std::move(b.subject);
    auto type = ParseEventType(b.event_type);
    if (!type.ok()) {
      r.no_deadline_reason = "the case has no event type";
      out.push_back(std::move(r));
      continue;
    }
    r.event_type = *type;
    r.hold = std::move(b.hold);
    Case c;
    c.id = r.case_id;
    c.event_type = r.event_type;
    c.key_dates = std::move(b.key_dates);
    if (const RetentionPolicy* p = PolicyFor(policies.policies, r.event_type)) {
      auto d = ComputeRetentionDeadline(c, *p);
      if (d.ok()) {
        r.deadline = *d;
      } else {
        r.no_deadline_reason = d.error().message + (d.error().hint.empty() ? "" : "; " + d.error().hint);
        if (d.error().code == ErrorCode::kNotFound)
          for (const auto& rule : p->rules) r.missing_key_dates.push_back(rule.after);
      }
    } else {
      r.no_deadline_reason = "no retention policy for " + std::string(ToString(r.event_type));
    }
    r.due = r.deadline && !r.hold && today >= r.deadline->purge_on;
    out.push_back(std::move(r));
  }
  if (check_replica_holds) {
    // The index row may lag a hold that arrived by sync; the replica's register is the truth. Only the
    // (few) due cases are decoded.
    for (CaseRetention& r : out) {
      if (!r.due) continue;
      CP_ASSIGN_OR_RETURN(std::optional<LegalHold> hold, cases_.ReadLegalHold(r.case_id));
      if (hold) {
        r.hold = std::move(hold);
        r.due = false;
      }
    }
  }
  return out;
}

Result<CaseRetention> RetentionService::ForCase(std::string_view case_id) {
  TrustedClock clock(store_.db(), store_.clock());
  CP_ASSIGN_OR_RETURN(std::int64_t now, clock.Peek());
  CP_ASSIGN_OR_RETURN(std::vector<CaseRetention> all, Evaluate(UtcDateOf(now), false));
  for (auto& r : all)
    if (r.case_id == case_id) return std::move(r);
  return MakeError(ErrorCode::kNotFound, "no case '" + std::string(case_id) + "'");
}

Result<std::vector<CaseRetention>> RetentionService::ForAllCases(const Date& today) { return Evaluate(today, false); }

Result<std::vector<CaseRetention>> RetentionService::DueWithin(const Date& today, int days) {
  CP_ASSIGN_OR_RETURN(std::vector<CaseRetention> all, Evaluate(today, false));
  const Date until = Date::FromDayNumber(today.ToDayNumber() + days);
  std::vector<CaseRetention> out;
  for (auto& r : all)
    if (r.deadline && r.deadline->purge_on <= until) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const CaseRetention& a, const CaseRetention& b) {
    return a.deadline->purge_on < b.deadline->purge_on;
  });
  return out;
}

Status RetentionService::PlaceHold(std::string_view case_id, std::string_view reason, std::string_view by) {
  TrustedClock clock(store_.db(), store_.clock());
  CP_ASSIGN_OR_RETURN(std::int64_t now, clock.Peek());
  CP_RETURN_IF_ERROR(cases_.PlaceLegalHold(case_id, LegalHold{std::string(reason), std::string(by), FormatInstant(now)}));
  CP_RETURN_IF_ERROR(audit_.Record(AuditKind::kHold, case_id, "legal hold placed"));
  return Ok();
}

Status RetentionService::ReleaseHold(std::string_view case_id) {
  CP_RETURN_IF_ERROR(cases_.ReleaseLegalHold(case_id));
  CP_RETURN_IF_ERROR(audit_.Record(AuditKind::kRelease, case_id, "legal hold released"));
  return Ok();
}

Result<std::vector<std::string>> RetentionService::PurgeOne(const CaseRetention& c, const std::string& purged_at,
                                                            const std::optional<Tombstone>& remote) {
  Tombstone t;
  {
    CP_ASSIGN_OR_RETURN(std::optional<StoredCaseBasics> basics, CasePurgeInternal::CaseBasics(cases_, c.case_id, statements_));
    if (!basics) return MakeError(ErrorCode::kNotFound, "no case '" + c.case_id + "'");
    t.case_id = c.case_id;
    auto type = ParseEventType(basics->event_type);
    t.event_type = type.ok() ? *type : c.event_type;
    t.subject = std::move(basics->subject);
    t.key_dates = std::move(basics->key_dates);
  }
  if (remote) {
    // The server knows only dates: the basics ("name or initials, area, event type, key dates", 003
    // §4.10) are this device's own, whichever way the purge arrives.
    t.purge_on = remote->purge_on;
    t.rule = remote->rule;
    t.purged_at = remote->purged_at;
  } else {
    t.purge_on = c.deadline ? c.deadline->purge_on : UtcDateOf(0);
    t.rule = RuleText(c);
    t.purged_at = purged_at;
  }
  CP_ASSIGN_OR_RETURN(Statement* tomb, statements_.Get(
      "INSERT OR REPLACE INTO tombstones (case_id, event_type, subject, area, key_dates, purge_on, rule, purged_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?);"));
  tomb->Bind(1, t.case_id).Bind(2, ToString(t.event_type)).Bind(3, t.subject.name_or_initials).Bind(4, t.subject.area)
      .Bind(5, KeyDatesToJson(t.key_dates).dump()).Bind(6, FormatDate(t.purge_on)).Bind(7, t.rule).Bind(8, t.purged_at);
  CP_RETURN_IF_ERROR(tomb->Run());

  CP_ASSIGN_OR_RETURN(std::vector<std::string> blobs, CasePurgeInternal::DeleteCaseContent(cases_, c.case_id, statements_));

  PurgeReceipt receipt;
  receipt.case_id = t.case_id;
  receipt.store_id = store_.id();
  receipt.purged_at = t.purged_at;
  const auto& pk = store_.identity().public_keys().ed25519;
  receipt.public_key.assign(pk.begin(), pk.end());
  const auto sig = store_.identity().Sign(AsBytes(receipt.CanonicalReceipt()));
  receipt.signature.assign(sig.begin(), sig.end());
  CP_ASSIGN_OR_RETURN(Statement* rec, statements_.Get(
      "INSERT OR REPLACE INTO purge_receipts (case_id, store_id, purged_at, public_key, signature, reported_at) "
      "VALUES (?, ?, ?, ?, ?, NULL);"));
  rec->Bind(1, receipt.case_id).Bind(2, receipt.store_id).Bind(3, receipt.purged_at).Bind(4, receipt.public_key)
      .Bind(5, receipt.signature);
  CP_RETURN_IF_ERROR(rec->Run());

  CP_RETURN_IF_ERROR(audit_.Record(AuditKind::kPurge, c.case_id, remote ? "purged: server tombstone" : "purged: " + t.rule));
  return blobs;
}

Status RetentionService::ShredBlobs(const std::vector<std::string>& blob_ids) {
  if (blob_ids.empty()) return Ok();
  BlobStore blobs(store_.paths().dir / "blobs");
  Status first = Ok();
  for (const auto& id : blob_ids) {
    Status s = Overwrite(blobs.PathOf(id));
    if (!s.ok() && first.ok()) first = s;
  }
  // No sync per file: that made purging 1,000 cases take 10 s, and a file system may keep the old blocks
  // anyway (journal, copy-on-write, flash wear levelling). The overwrite is best effort; what makes the
  // ciphertext unreadable is that its key is gone (docs/retention.md).
  const int dir = ::open((store_.paths().dir / "blobs").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (const auto& id : blob_ids) {
    if (::unlink(blobs.PathOf(id).c_str()) != 0 && errno != ENOENT && first.ok())
      first = MakeError(ErrorCode::kIo, "cannot remove a purged blob: " + std::string(std::strerror(errno)));
  }
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return first;
}

Result<PurgeReport> RetentionService::PlanPurge() {
  const auto start = std::chrono::steady_clock::now();
  PurgeReport report;
  TrustedClock clock(store_.db(), store_.clock());
  CP_ASSIGN_OR_RETURN(report.now_millis, clock.Peek());
  CP_ASSIGN_OR_RETURN(std::vector<CaseRetention> all, Evaluate(UtcDateOf(report.now_millis), true));
  const Date today = UtcDateOf(report.now_millis);
  for (auto& r : all) {
    if (r.due) report.purged.push_back(std::move(r));
    else if (r.hold && r.deadline && today >= r.deadline->purge_on) report.held.push_back(std::move(r));
  }
  report.elapsed = std::chrono::steady_clock::now() - start;
  return report;
}

Result<PurgeReport> RetentionService::PurgeDue() {
  auto report = PurgeDueOrFail();
  if (report.ok() || report.error().code != ErrorCode::kNoSpace) return report;
  // A full disk must not lock the facilitator out of reading: the purge waits for the next command (each
  // case is all or nothing, so whatever did not commit is whole).
  PurgeReport postponed;
  postponed.postponed = "warning: the disk is full: the retention check is postponed to the next command "
                        "(nothing was purged); free some space";
  postponed.postponed_for_full_disk = true;
  return postponed;
}

Result<PurgeReport> RetentionService::PurgeDueOrFail() {
  const auto start = std::chrono::steady_clock::now();
  // The prepared statements live for this purge only: one left stepped would hold a read snapshot open
  // for as long as a session lives (stale reads, and a write lock that can never be had).
  struct DropStatements {
    StatementCache& s;
    ~DropStatements() { s.Clear(); }
  } drop{statements_};
  TrustedClock clock(store_.db(), store_.clock());
  CP_ASSIGN_OR_RETURN(ClockReading reading, clock.Read());
  if (reading.unconfirmed_jump) {
    PurgeReport report;
    report.now_millis = reading.now;
    report.postponed = DescribeClockJump(reading);
    return report;
  }
  CP_ASSIGN_OR_RETURN(std::int64_t now, clock.Advance());
  CP_ASSIGN_OR_RETURN(PurgeReport plan, PlanPurge());
  PurgeReport report;
  report.now_millis = plan.now_millis;
  report.held = std::move(plan.held);
  const std::string purged_at = FormatInstant(std::max(now, plan.now_millis));
  Database& db = store_.db();
  std::vector<std::string> shred;
  // One checkpoint at the end (TRUNCATE, below) instead of automatic ones along the way, each of which
  // would sync twice. Restored whatever happens.
  if (!plan.purged.empty()) CP_RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint = 0;"));
  struct RestoreAutoCheckpoint {
    Database& db;
    ~RestoreAutoCheckpoint() { (void)db.Exec("PRAGMA wal_autocheckpoint = 1000;"); }
  } restore{db};
  for (std::size_t i = 0; i < plan.purged.size(); i += kPurgeBatch) {
    std::vector<CaseRetention> done;
    CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    for (std::size_t k = i; k < std::min(plan.purged.size(), i + kPurgeBatch); ++k) {
      CaseRetention& c = plan.purged[k];
      CP_RETURN_IF_ERROR(db.Exec("SAVEPOINT purge_case;"));
      auto blobs = PurgeOne(c, purged_at, std::nullopt);
      if (!blobs.ok()) {
        CP_RETURN_IF_ERROR(db.Exec("ROLLBACK TO purge_case; RELEASE purge_case;"));
        report.failed.emplace_back(c.case_id, blobs.error());
        continue;
      }
      CP_RETURN_IF_ERROR(db.Exec("RELEASE purge_case;"));
      shred.insert(shred.end(), blobs->begin(), blobs->end());
      done.push_back(std::move(c));
    }
    CP_RETURN_IF_ERROR(tx.Commit());
    for (auto& c : done) report.purged.push_back(std::move(c));
  }
  // After the commits: the keys are gone, so what remains in these files is already unreadable.
  (void)ShredBlobs(shred);
  if (!report.purged.empty()) CP_RETURN_IF_ERROR(db.CheckpointTruncate());
  report.elapsed = std::chrono::steady_clock::now() - start;
  return report;
}

Result<PurgeReceipt> RetentionService::ApplyRemoteTombstone(const Tombstone& t) {
  struct DropStatements {
    StatementCache& s;
    ~DropStatements() { s.Clear(); }
  } drop{statements_};
  Database& db = store_.db();
  CP_ASSIGN_OR_RETURN(std::optional<StoredCaseBasics> present, CasePurgeInternal::CaseBasics(cases_, t.case_id, statements_));
  std::vector<std::string> shred;
  if (present) {
    CP_ASSIGN_OR_RETURN(std::optional<LegalHold> hold, cases_.ReadLegalHold(t.case_id));
    if (hold)
      return MakeError(ErrorCode::kConflict, "case " + t.case_id.substr(0, 8) + " is on legal hold here; not purged",
                       "the hold must reach the server before the case can be purged or kept everywhere");
    CaseRetention c;
    c.case_id = t.case_id;
    c.event_type = t.event_type;
    CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    CP_ASSIGN_OR_RETURN(shred, PurgeOne(c, t.purged_at, t));
    CP_RETURN_IF_ERROR(tx.Commit());
    (void)ShredBlobs(shred);
    CP_RETURN_IF_ERROR(db.CheckpointTruncate());
  } else {
    CP_ASSIGN_OR_RETURN(Statement tomb, db.Prepare(
        "INSERT OR IGNORE INTO tombstones (case_id, event_type, subject, area, key_dates, purge_on, rule, purged_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?);"));
    tomb.Bind(1, t.case_id).Bind(2, ToString(t.event_type)).Bind(3, t.subject.name_or_initials).Bind(4, t.subject.area)
        .Bind(5, KeyDatesToJson(t.key_dates).dump()).Bind(6, FormatDate(t.purge_on)).Bind(7, t.rule).Bind(8, t.purged_at);
    CP_RETURN_IF_ERROR(tomb.Run());
  }
  CP_ASSIGN_OR_RETURN(std::vector<PurgeReceipt> receipts, Receipts());
  for (auto& r : receipts)
    if (r.case_id == t.case_id) return std::move(r);
  // Never held the content: a receipt that says so is still useful to the server's confirmation list.
  PurgeReceipt r;
  r.case_id = t.case_id;
  r.store_id = store_.id();
  r.purged_at = t.purged_at;
  const auto& pk = store_.identity().public_keys().ed25519;
  r.public_key.assign(pk.begin(), pk.end());
  const auto sig = store_.identity().Sign(AsBytes(r.CanonicalReceipt()));
  r.signature.assign(sig.begin(), sig.end());
  return r;
}

Result<std::vector<Tombstone>> RetentionService::Tombstones() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT case_id, event_type, subject, area, key_dates, purge_on, rule, purged_at FROM tombstones "
      "ORDER BY purged_at DESC, case_id;"));
  std::vector<Tombstone> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Tombstone t;
    t.case_id = st.Text(0);
    if (auto ty = ParseEventType(st.Text(1)); ty.ok()) t.event_type = *ty;
    t.subject = {st.Text(2), st.Text(3)};
    t.key_dates = KeyDatesFromJson(st.Text(4));
    if (auto d = ParseDate(st.Text(5)); d.ok()) t.purge_on = *d;
    t.rule = st.Text(6);
    t.purged_at = st.Text(7);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::optional<Tombstone>> RetentionService::FindTombstone(std::string_view id_or_prefix) {
  if (id_or_prefix.size() < 4) return std::optional<Tombstone>();
  CP_ASSIGN_OR_RETURN(std::vector<Tombstone> all, Tombstones());
  std::optional<Tombstone> found;
  for (auto& t : all) {
    if (t.case_id.compare(0, id_or_prefix.size(), id_or_prefix) != 0) continue;
    if (found) return MakeError(ErrorCode::kInvalidArgument, "case id '" + std::string(id_or_prefix) + "' is ambiguous");
    found = std::move(t);
  }
  return found;
}

Result<std::vector<PurgeReceipt>> RetentionService::Receipts() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT case_id, store_id, purged_at, public_key, signature FROM purge_receipts ORDER BY purged_at, case_id;"));
  std::vector<PurgeReceipt> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(PurgeReceipt{st.Text(0), st.Text(1), st.Text(2), st.Blob(3), st.Blob(4)});
  }
  return out;
}

Status CheckNotPastPurgeDate(Store& store, const Case& c, bool allow) {
  if (allow) return Ok();
  RetentionService svc(store);
  CP_ASSIGN_OR_RETURN(PolicyRecord policies, svc.CurrentPolicies());
  const RetentionPolicy* p = PolicyFor(policies.policies, c.event_type);
  if (p == nullptr) return Ok();
  auto deadline = ComputeRetentionDeadline(c, *p);
  if (!deadline.ok()) return Ok();  // no date to count from yet
  CP_ASSIGN_OR_RETURN(std::int64_t now, TrustedClock(store.db(), store.clock()).Peek());
  const Date today = UtcDateOf(now);
  if (today < deadline->purge_on) return Ok();
  return MakeError(ErrorCode::kConflict,
                   "the case is already past its purge date: " + FormatDate(deadline->purge_on) + " (" +
                       deadline->rule_after + " + " + std::to_string(deadline->days) + " days) is on or before today (" +
                       FormatDate(today) + "), so the next command would purge it",
                   "check its dates; add --past-purge-date to take it in anyway; nothing was changed");
}

Result<PurgeReport> RunRetentionAtOpen(Store& store) {
  RetentionService retention(store);
  return retention.PurgeDue();
}

}  // namespace casepack
