// SQLite implementation of ServerStore (system SQLite 3.40; never SQLCipher, see DESIGN.md).
// One connection behind a mutex: SQLite serialises writers anyway, and the per-push transaction is
// short, so a single connection keeps the code simple without costing ingest speed.
#include <sqlite3.h>

#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <optional>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "store_rules.h"

namespace casepack::server {

// The last counter an op id names: COUNTER of "R-COUNTER", LAST of a sealed batch's "R-FIRST-LAST".
constexpr std::string_view kLastCounterSql =
    "CAST(CASE WHEN instr(substr(o.op_id, 18), '-') > 0 THEN substr(o.op_id, 18 + instr(substr(o.op_id, 18), '-')) "
    "ELSE substr(o.op_id, 18) END AS INTEGER)";
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');
CREATE TABLE IF NOT EXISTS users(
  id TEXT PRIMARY KEY, role TEXT NOT NULL, created_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS devices(
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),
  x25519 BLOB NOT NULL, ed25519 BLOB NOT NULL, created_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS invitations(
  code_hash BLOB PRIMARY KEY, role TEXT NOT NULL, expires_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL, used_by TEXT, used_ms INTEGER);
CREATE TABLE IF NOT EXISTS cases(
  id TEXT PRIMARY KEY, created_by TEXT NOT NULL, created_ms INTEGER NOT NULL, epoch INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS members(
  case_id TEXT NOT NULL, user_id TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(case_id, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_user ON members(user_id);
CREATE TABLE IF NOT EXISTS envelopes(
  case_id TEXT NOT NULL, epoch INTEGER NOT NULL, user_id TEXT NOT NULL, sealed BLOB NOT NULL,
  PRIMARY KEY(case_id, user_id, epoch)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ops(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, op_id TEXT NOT NULL,
  epoch INTEGER NOT NULL, device_id TEXT NOT NULL, blob BLOB NOT NULL, UNIQUE(case_id, op_id));
CREATE INDEX IF NOT EXISTS ops_case_seq ON ops(case_id, seq);
CREATE TABLE IF NOT EXISTS blobs(
  case_id TEXT NOT NULL, blob_id TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY(case_id, blob_id));
CREATE TABLE IF NOT EXISTS nonces(
  device_id TEXT NOT NULL, nonce TEXT NOT NULL, time_ms INTEGER NOT NULL,
  PRIMARY KEY(device_id, nonce)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_time ON nonces(time_ms);
-- Retention (schema 2; CREATE IF NOT EXISTS migrates a version-1 store in place).
CREATE TABLE IF NOT EXISTS case_retention(
  case_id TEXT PRIMARY KEY, purge_on TEXT, set_by TEXT, set_ms INTEGER,
  held INTEGER NOT NULL DEFAULT 0, held_by TEXT, held_ms INTEGER);
CREATE TABLE IF NOT EXISTS tombstones(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL UNIQUE, purge_on TEXT NOT NULL,
  purged_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tombstone_members(
  case_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY(case_id, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tombstone_members_user ON tombstone_members(user_id);
CREATE TABLE IF NOT EXISTS purge_receipts(
  case_id TEXT NOT NULL, device_id TEXT NOT NULL, store_id TEXT NOT NULL, purged_at TEXT NOT NULL,
  public_key BLOB NOT NULL, signature BLOB NOT NULL, received_ms INTEGER NOT NULL,
  PRIMARY KEY(case_id, device_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retention_policy(
  version INTEGER PRIMARY KEY, record TEXT NOT NULL, device_id TEXT NOT NULL, signature BLOB NOT NULL);
UPDATE meta SET value = '2' WHERE key = 'schema_version' AND value = '1';
-- Schema 3 (issue 11): each replica of a case belongs to the device that first pushed under it. A version-2
-- store is migrated by binding every replica to the device of its earliest stored operation.
CREATE TABLE IF NOT EXISTS replica_devices(
  case_id TEXT NOT NULL, replica TEXT NOT NULL, device_id TEXT NOT NULL,
  PRIMARY KEY(case_id, replica)) WITHOUT ROWID;
INSERT OR IGNORE INTO replica_devices(case_id, replica, device_id)
  SELECT case_id, substr(op_id, 1, 16), device_id FROM ops
  WHERE op_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9]*'
    AND (SELECT value FROM meta WHERE key = 'schema_version') = '2'
  ORDER BY seq;
UPDATE meta SET value = '3' WHERE key = 'schema_version' AND value = '2';
-- Schema 4 (issue 17): the counters of /metrics, kept across restarts (ServerStore::AddCounters).
CREATE TABLE IF NOT EXISTS metric_counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
UPDATE meta SET value = '4' WHERE key = 'schema_version' AND value = '3';
)sql";

// Schema 5 (issue 11, operation signatures): each pushed batch's manifest and signature, and the batch each
// op came in. Ops stored before (schema 4 and older) have none (batch NULL) until their device signs them
// (SignStoredOps); the partial index finds those few without touching the rest.
constexpr const char* kSchema5 = R"sql(
CREATE TABLE IF NOT EXISTS op_batches(
  id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, device_id TEXT NOT NULL,
  manifest BLOB NOT NULL, sig BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS ops_unsigned ON ops(case_id, op_id) WHERE batch IS NULL;
UPDATE meta SET value = '5' WHERE key = 'schema_version' AND value = '4';
)sql";

// Schema 6 (issue 16): users' names, as given at enrolment (a table of its own: no ALTER on every open).
constexpr const char* kSchema6 = R"sql(
CREATE TABLE IF NOT EXISTS user_names(user_id TEXT PRIMARY KEY, name TEXT NOT NULL);
UPDATE meta SET value = '6' WHERE key = 'schema_version' AND value = '5';
)sql";

Error DbError(sqlite3* db, const char* what) {
  const int code = sqlite3_extended_errcode(db);
  ErrorCode ec = ErrorCode::kIo;
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) ec = ErrorCode::kUnavailable;
  if ((code & 0xff) == SQLITE_FULL) ec = ErrorCode::kNoSpace;
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) ec = ErrorCode::kCorrupt;
  // sqlite3_errmsg never includes bound values, so it cannot leak ciphertext or ids.
  return MakeError(ec, std::string(what) + ": " + sqlite3_errmsg(db));
}

// A cached prepared statement, reset on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const Bytes& v) {
    // A zero-length blob must still be a blob, not NULL.
    sqlite3_bind_blob(s_, i, v.empty() ? "" : static_cast<const void*>(v.data()), static_cast<int>(v.size()),
                      SQLITE_STATIC);
    return *this;
  }
  // SQLITE_ROW → true, SQLITE_DONE → false, else error.
  Result<bool> Step(const char* what) {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return DbError(db_, what);
  }
  Status Run(const char* what) {
    auto r = Step(what);
    if (!r.ok()) return r.error();
    return Ok();
  }
  std::int64_t Int(int col) { return sqlite3_column_int64(s_, col); }
  std::string Text(int col) {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }
  Bytes Blob(int col) {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, col));
    const int n = sqlite3_column_bytes(s_, col);
    return p ? Bytes(p, p + n) : Bytes();
  }
  bool IsNull(int col) { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  sqlite3_stmt* raw() { return s_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

class SqliteStore final : public ServerStore {
  // One push waiting for a group commit (see AppendOps).
  struct PendingAppend {
    const std::string* case_id;
    const std::string* device_id;
    const std::vector<StoredOp>* ops;
    const wire::OpBatch* batch;
    std::optional<Result<std::vector<wire::OpAck>>> result;
  };

 public:
  SqliteStore(sqlite3* db, sqlite3* reader) : db_(db), rdb_(reader) {}
  ~SqliteStore() override {
    for (auto& [sql, s] : rcache_) sqlite3_finalize(s);
    sqlite3_close_v2(rdb_);
    for (auto& [sql, s] : cache_) sqlite3_finalize(s);
    // Checkpoint so that a clean shutdown leaves a single database file.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return MakeError(ErrorCode::kIo, "sqlite: " + msg);
    }
    return Ok();
  }

  Result<bool> HasUsers() override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT 1 FROM users LIMIT 1"));
    return s->Step("reading users");
  }

  Status CreateInvitation(const Bytes& code_hash, const std::string& role, std::int64_t expires_at_ms,
                          const std::string& created_by) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT INTO invitations(code_hash, role, expires_ms, created_by) "
                                        "VALUES(?,?,?,?)"));
    s->Bind(1, code_hash).Bind(2, role).Bind(3, expires_at_ms).Bind(4, created_by);
    return s->Run("storing invitation");
  }

  Result<wire::Principal> Enroll(const Bytes& code_hash, std::int64_t now_ms, const Bytes& x25519,
                                 const Bytes& ed25519) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto r = EnrollLocked(code_hash, now_ms, x25519, ed25519);
    CP_RETURN_IF_ERROR(Finish(r.ok()));
    return r;
  }

  Result<DeviceRecord> GetDevice(const std::string& device_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT d.user_id, u.role, d.x25519, d.ed25519, d.revoked, u.revoked "
                                        "FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?"));
    s->Bind(1, device_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading device"));
    if (!row) return MakeError(ErrorCode::kNotFound, "unknown device");
    DeviceRecord d;
    d.device_id = device_id;
    d.user_id = s->Text(0);
    d.role = s->Text(1);
    d.x25519 = s->Blob(2);
    d.ed25519 = s->Blob(3);
    d.device_revoked = s->Int(4) != 0;
    d.user_revoked = s->Int(5) != 0;
    return d;
  }

  Status RecordNonce(const std::string& device_id, const std::string& nonce, std::int64_t time_ms) override {
    std::lock_guard lock(mu_);
    // Without its own fsync: the nonce reaches the disk with the next durable commit (a push right after
    // it) or checkpoint. A crash of the process loses nothing (the OS has the WAL); only a power cut could
    // forget nonces of the last moments, and a replay then still needs a TLS-protected request to copy.
    CP_RETURN_IF_ERROR(Exec("PRAGMA synchronous=NORMAL"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO nonces(device_id, nonce, time_ms) VALUES(?,?,?)"));
      s->Bind(1, device_id).Bind(2, nonce).Bind(3, time_ms);
      CP_RETURN_IF_ERROR(s->Run("recording nonce"));
      if (sqlite3_changes(db_) == 0) return MakeError(ErrorCode::kConflict, "nonce already used");
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
    return st;
  }

  Status PruneNonces(std::int64_t before_ms) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("DELETE FROM nonces WHERE time_ms < ?"));
    s->Bind(1, before_ms);
    return s->Run("pruning nonces");
  }

  // Revoking moves every case the device's user is in to a new epoch in the same transaction (issue 11,
  // item 5): no later operation is accepted under a key the revoked device holds.
  Status RevokeDevice(const std::string& device_id) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT 1 FROM devices WHERE id = ?"));
        s->Bind(1, device_id);
        CP_ASSIGN_OR_RETURN(bool row, s->Step("reading device"));
        if (!row) return MakeError(ErrorCode::kNotFound, "unknown device");
      }
      CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE devices SET revoked = 1 WHERE id = ? AND revoked = 0"));
      s->Bind(1, device_id);
      CP_RETURN_IF_ERROR(s->Run("revoking device"));
      if (sqlite3_changes(db_) == 0) return Ok();  // already revoked: no second epoch
      CP_ASSIGN_OR_RETURN(auto e, Prepare("UPDATE cases SET epoch = epoch + 1 WHERE id IN (SELECT case_id FROM members "
                                          "WHERE removed = 0 AND user_id = (SELECT user_id FROM devices WHERE id = ?))"));
      e->Bind(1, device_id);
      return e->Run("moving the device's cases to a new epoch");
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  // Revoking a user also removes them from every case and moves each to a new epoch, in one transaction.
  Status RevokeUser(const std::string& user_id) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE users SET revoked = 1 WHERE id = ?"));
      s->Bind(1, user_id);
      CP_RETURN_IF_ERROR(s->Run("revoking user"));
      if (sqlite3_changes(db_) == 0) return MakeError(ErrorCode::kNotFound, "unknown user");
      CP_ASSIGN_OR_RETURN(auto e, Prepare("UPDATE cases SET epoch = epoch + 1 WHERE id IN "
                                          "(SELECT case_id FROM members WHERE user_id = ? AND removed = 0)"));
      e->Bind(1, user_id);
      CP_RETURN_IF_ERROR(e->Run("moving the user's cases to a new epoch"));
      CP_ASSIGN_OR_RETURN(auto m, Prepare("UPDATE members SET removed = 1 WHERE user_id = ? AND removed = 0"));
      m->Bind(1, user_id);
      return m->Run("removing the user from their cases");
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Status SetUserName(const std::string& user_id, const std::string& name) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(auto u, Prepare("SELECT 1 FROM users WHERE id = ?"));
      u->Bind(1, user_id);
      CP_ASSIGN_OR_RETURN(bool row, u->Step("reading user"));
      if (!row) return MakeError(ErrorCode::kNotFound, "unknown user");
      CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR REPLACE INTO user_names(user_id, name) VALUES(?, ?)"));
      s->Bind(1, user_id).Bind(2, name);
      return s->Run("naming user");
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::vector<wire::UserEntry>> ListUsers() override {
    std::lock_guard lock(rmu_);
    std::vector<wire::UserEntry> users;
    std::map<std::string, std::size_t> index;
    {
      CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT u.id, u.role, u.revoked, n.name FROM users u "
                                              "LEFT JOIN user_names n ON n.user_id = u.id ORDER BY u.created_ms, u.id"));
      while (true) {
        CP_ASSIGN_OR_RETURN(bool row, s->Step("listing users"));
        if (!row) break;
        wire::UserEntry u;
        u.user_id = s->Text(0);
        u.role = s->Text(1);
        u.revoked = s->Int(2) != 0;
        if (!s->IsNull(3)) u.name = s->Text(3);
        index[u.user_id] = users.size();
        users.push_back(std::move(u));
      }
    }
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT id, user_id, x25519, ed25519, revoked FROM devices "
                                        "ORDER BY created_ms, id"));
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("listing devices"));
      if (!row) break;
      wire::DeviceKeys d;
      d.device_id = s->Text(0);
      const std::string user = s->Text(1);
      d.x25519 = s->Blob(2);
      d.ed25519 = s->Blob(3);
      d.revoked = s->Int(4) != 0;
      auto it = index.find(user);
      if (it != index.end()) users[it->second].devices.push_back(std::move(d));
    }
    return users;
  }

  Status CreateCase(const std::string& case_id, const std::string& creator, const Bytes& envelope,
                    std::int64_t now_ms) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      {
        // A purged case's id is never reused: a device that missed the purge must not recreate it.
        CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT 1 FROM tombstones WHERE case_id = ?"));
        s->Bind(1, case_id);
        CP_ASSIGN_OR_RETURN(bool row, s->Step("reading tombstones"));
        if (row) return MakeError(ErrorCode::kConflict, "case already exists");
      }
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO cases(id, created_by, created_ms, epoch) "
                                            "VALUES(?,?,?,1)"));
        s->Bind(1, case_id).Bind(2, creator).Bind(3, now_ms);
        CP_RETURN_IF_ERROR(s->Run("creating case"));
        if (sqlite3_changes(db_) == 0) return MakeError(ErrorCode::kConflict, "case already exists");
      }
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT INTO members(case_id, user_id, removed) VALUES(?,?,0)"));
        s->Bind(1, case_id).Bind(2, creator);
        CP_RETURN_IF_ERROR(s->Run("adding creator"));
      }
      return InsertEnvelope(case_id, 1, creator, envelope, /*replace=*/true);
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::int64_t> MemberEpoch(const std::string& case_id, const std::string& user_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT c.epoch FROM members m JOIN cases c ON c.id = m.case_id "
                                            "WHERE m.case_id = ? AND m.user_id = ? AND m.removed = 0"));
    s->Bind(1, case_id).Bind(2, user_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading membership"));
    if (!row) return MakeError(ErrorCode::kNotFound, "no such case");
    return s->Int(0);
  }

  Status AddMember(const std::string& case_id, const std::string& user_id,
                   const std::vector<wire::Envelope>& envelopes) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
      bool covers_current = false;
      for (const auto& e : envelopes) {
        if (e.user_id != user_id) return MakeError(ErrorCode::kInvalidArgument, "envelope for another user");
        if (e.epoch > epoch) return MakeError(ErrorCode::kInvalidArgument, "envelope for a future epoch");
        covers_current = covers_current || e.epoch == epoch;
      }
      if (!covers_current) {
        return MakeError(ErrorCode::kInvalidArgument, "no envelope for the current epoch");
      }
      CP_ASSIGN_OR_RETURN(bool keyed, EpochKeyedLocked(case_id, epoch));
      if (!keyed) return MakeError(ErrorCode::kConflict, "the case awaits the keys of its new epoch (a member's sync makes them)");
      {
        // Insert-or-revive in two statements rather than an upsert: the same SQL then also runs on the
        // SQLite inside SQLCipher (3.15), which the in-process test server of the client tests uses.
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO members(case_id, user_id, removed) VALUES(?,?,0)"));
        s->Bind(1, case_id).Bind(2, user_id);
        CP_RETURN_IF_ERROR(s->Run("adding member"));
        CP_ASSIGN_OR_RETURN(auto revive, Prepare("UPDATE members SET removed = 0 WHERE case_id = ? AND user_id = ?"));
        revive->Bind(1, case_id).Bind(2, user_id);
        CP_RETURN_IF_ERROR(revive->Run("adding member"));
      }
      for (const auto& e : envelopes) {
        CP_RETURN_IF_ERROR(InsertEnvelope(case_id, e.epoch, e.user_id, e.sealed, /*replace=*/false));
      }
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::int64_t> RemoveMember(const std::string& case_id, const std::string& user_id) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Result<std::int64_t> r = [&]() -> Result<std::int64_t> {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, MemberEpochLocked(case_id, user_id));
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE members SET removed = 1 WHERE case_id = ? AND user_id = ?"));
        s->Bind(1, case_id).Bind(2, user_id);
        CP_RETURN_IF_ERROR(s->Run("removing member"));
      }
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE cases SET epoch = epoch + 1 WHERE id = ?"));
        s->Bind(1, case_id);
        CP_RETURN_IF_ERROR(s->Run("advancing epoch"));
      }
      return epoch + 1;
    }();
    CP_RETURN_IF_ERROR(Finish(r.ok()));
    return r;
  }

  Status PutEnvelopes(const std::string& case_id, const std::vector<wire::Envelope>& envelopes,
                      const std::string& caller) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
      for (const auto& e : envelopes) {
        if (e.epoch > epoch || e.epoch < 1) return MakeError(ErrorCode::kInvalidArgument, "envelope epoch out of range");
        auto m = MemberEpochLocked(case_id, e.user_id);
        if (!m.ok()) return MakeError(ErrorCode::kInvalidArgument, "envelope for a user who is not a member");
        // An epoch's first envelopes come all together through RekeyEpoch: one member's envelope alone
        // must not make a new epoch look keyed to everyone else.
        CP_ASSIGN_OR_RETURN(bool keyed, EpochKeyedLocked(case_id, e.epoch));
        if (!keyed) return MakeError(ErrorCode::kConflict, "the case awaits the keys of its new epoch (a member's sync makes them)");
        CP_RETURN_IF_ERROR(InsertEnvelope(case_id, e.epoch, e.user_id, e.sealed, e.user_id == caller));
      }
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::vector<wire::ReplicaLast>> DeviceReplicas(const std::string& case_id,
                                                        const std::string& device_id) override {
    std::lock_guard lock(rmu_);
    // The op-id range [replica "-", replica ".") of the unique (case_id, op_id) index: '.' follows '-'.
    static const std::string kSql =
        ("SELECT r.replica, (SELECT max(" + std::string(kLastCounterSql) + ") FROM ops o WHERE o.case_id = r.case_id "
        "AND o.op_id >= r.replica || '-' AND o.op_id < r.replica || '.'), (SELECT count(*) FROM ops o "
        "WHERE o.case_id = r.case_id AND o.batch IS NULL AND o.op_id >= r.replica || '-' AND o.op_id < r.replica || '.' "
        "AND o.device_id = r.device_id) FROM replica_devices r WHERE r.case_id = ? AND r.device_id = ? ORDER BY r.replica");
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead(kSql.c_str()));
    s->Bind(1, case_id).Bind(2, device_id);
    std::vector<wire::ReplicaLast> out;
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading replicas"));
      if (!row) break;
      out.push_back(wire::ReplicaLast{s->Text(0), s->Int(1), s->Int(2)});
    }
    return out;
  }

  Status RekeyEpoch(const std::string& case_id, const std::vector<wire::Envelope>& envelopes) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
      CP_ASSIGN_OR_RETURN(bool keyed, EpochKeyedLocked(case_id, epoch));
      if (keyed) return MakeError(ErrorCode::kConflict, "the case's epoch " + std::to_string(epoch) + " already has its keys");
      std::set<std::string> need;
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare(
            "SELECT m.user_id FROM members m JOIN users u ON u.id = m.user_id WHERE m.case_id = ? AND m.removed = 0 "
            "AND u.revoked = 0 AND EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id AND d.revoked = 0)"));
        s->Bind(1, case_id);
        while (true) {
          CP_ASSIGN_OR_RETURN(bool row, s->Step("listing members"));
          if (!row) break;
          need.insert(s->Text(0));
        }
      }
      CP_RETURN_IF_ERROR(CheckRekeySet(need, envelopes, epoch));
      for (const auto& e : envelopes) CP_RETURN_IF_ERROR(InsertEnvelope(case_id, e.epoch, e.user_id, e.sealed, false));
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::vector<wire::Envelope>> GetEnvelopes(const std::string& case_id,
                                                   const std::string& user_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT epoch, sealed FROM envelopes WHERE case_id = ? AND user_id = ? "
                                        "ORDER BY epoch"));
    s->Bind(1, case_id).Bind(2, user_id);
    std::vector<wire::Envelope> out;
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading envelopes"));
      if (!row) break;
      out.push_back(wire::Envelope{user_id, s->Int(0), s->Blob(1)});
    }
    return out;
  }

  Result<std::vector<wire::CaseSummary>> ListCases(const std::string& user_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT c.id, c.epoch FROM members m JOIN cases c ON c.id = m.case_id "
                                        "WHERE m.user_id = ? AND m.removed = 0 ORDER BY c.created_ms, c.id"));
    s->Bind(1, user_id);
    std::vector<wire::CaseSummary> out;
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("listing cases"));
      if (!row) break;
      out.push_back(wire::CaseSummary{s->Text(0), s->Int(1)});
    }
    return out;
  }

  Result<std::vector<wire::MemberEntry>> ListMembers(const std::string& case_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT user_id, removed FROM members WHERE case_id = ? ORDER BY user_id"));
    s->Bind(1, case_id);
    std::vector<wire::MemberEntry> out;
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("listing members"));
      if (!row) break;
      out.push_back(wire::MemberEntry{s->Text(0), s->Int(1) != 0});
    }
    return out;
  }

  Result<std::string> CaseCreator(const std::string& case_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT created_by FROM cases WHERE id = ?"));
    s->Bind(1, case_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading the case's creator"));
    if (!row) return MakeError(ErrorCode::kNotFound, "no such case");
    return s->Text(0);
  }

  Result<std::vector<wire::OpAck>> AppendOps(const std::string& case_id, const std::string& device_id,
                                             const std::vector<StoredOp>& ops, const wire::OpBatch& batch) override {
    PendingAppend me{&case_id, &device_id, &ops, &batch, std::nullopt};
    std::unique_lock qlock(queue_mu_);
    queue_.push_back(&me);
    while (!me.result) {
      if (leader_active_) {
        queue_cv_.wait(qlock);
        continue;
      }
      // Become the leader: commit everything queued so far (including our own request) at once.
      leader_active_ = true;
      std::vector<PendingAppend*> group;
      group.swap(queue_);
      qlock.unlock();
      CommitGroup(group);
      qlock.lock();
      leader_active_ = false;
      queue_cv_.notify_all();
    }
    return std::move(*me.result);
  }

  // Each request in its own savepoint, so one request's conflict does not undo the others; one COMMIT
  // (one fsync) for the group. Acks are only released after the COMMIT succeeded.
  void CommitGroup(const std::vector<PendingAppend*>& group) {
    std::lock_guard lock(mu_);
    Status begin = Exec("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto* p : group) p->result = begin.error();
      return;
    }
    std::vector<Result<std::vector<wire::OpAck>>> results;
    results.reserve(group.size());
    for (auto* p : group) {
      (void)Exec("SAVEPOINT push");
      auto r = AppendLocked(*p->case_id, *p->device_id, *p->ops, *p->batch);
      if (r.ok()) {
        (void)Exec("RELEASE push");
      } else {
        (void)Exec("ROLLBACK TO push");
        (void)Exec("RELEASE push");
      }
      results.push_back(std::move(r));
    }
    Status commit = Finish(true);
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (commit.ok()) {
        group[i]->result = std::move(results[i]);
      } else {
        group[i]->result = commit.error();
      }
    }
  }

  Result<std::vector<wire::OpAck>> AppendLocked(const std::string& case_id, const std::string& device_id,
                                                const std::vector<StoredOp>& ops, const wire::OpBatch& batch) {
    CP_ASSIGN_OR_RETURN(std::int64_t batch_id, InsertBatch(case_id, device_id, batch));
    bool any_new = false;
    std::vector<wire::OpAck> acks;
    acks.reserve(ops.size());
    std::string checked;  // a batch is nearly always one replica's run: check each binding once
    for (const auto& op : ops) {
      if (std::string replica = ReplicaOf(op.op_id); !replica.empty() && replica != checked) {
        {
          CP_ASSIGN_OR_RETURN(auto b, Prepare("INSERT OR IGNORE INTO replica_devices(case_id, replica, device_id) "
                                              "VALUES(?,?,?)"));
          b->Bind(1, case_id).Bind(2, replica).Bind(3, device_id);
          CP_RETURN_IF_ERROR(b->Run("binding replica"));
        }
        CP_ASSIGN_OR_RETURN(auto q, Prepare("SELECT device_id FROM replica_devices WHERE case_id = ? AND replica = ?"));
        q->Bind(1, case_id).Bind(2, replica);
        CP_ASSIGN_OR_RETURN(bool bound, q->Step("reading replica binding"));
        if (!bound || q->Text(0) != device_id)
          return MakeError(ErrorCode::kAuthFailed, "operation " + op.op_id.substr(0, 40) +
                                                       " is under another device's replica id");
        checked = std::move(replica);
      }
      // A sealed batch not stored yet starts after every counter stored under its replica (docs/api.md).
      if (auto span = ParseBatchOpId(op.op_id)) {
        CP_ASSIGN_OR_RETURN(auto e, Prepare("SELECT 1 FROM ops WHERE case_id = ? AND op_id = ?"));
        e->Bind(1, case_id).Bind(2, op.op_id);
        CP_ASSIGN_OR_RETURN(bool stored, e->Step("reading existing op"));
        if (!stored) {
          static const std::string kSql = "SELECT max(" + std::string(kLastCounterSql) + ") FROM ops o "
                                          "WHERE o.case_id = ? AND o.op_id >= ? || '-' AND o.op_id < ? || '.'";
          CP_ASSIGN_OR_RETURN(auto q, Prepare(kSql.c_str()));
          q->Bind(1, case_id).Bind(2, span->replica).Bind(3, span->replica);
          CP_ASSIGN_OR_RETURN(bool row, q->Step("reading the replica's last counter"));
          if (row && q->Int(0) >= static_cast<std::int64_t>(span->first)) return BatchOverlapsStored(op.op_id);
        }
      }
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO ops(case_id, op_id, epoch, device_id, blob, batch) "
                                            "VALUES(?,?,?,?,?,?)"));
        s->Bind(1, case_id).Bind(2, op.op_id).Bind(3, op.epoch).Bind(4, device_id).Bind(5, op.blob).Bind(6, batch_id);
        CP_RETURN_IF_ERROR(s->Run("appending op"));
      }
      if (sqlite3_changes(db_) == 1) {
        any_new = true;
        acks.push_back(wire::OpAck{op.op_id, sqlite3_last_insert_rowid(db_)});
        continue;
      }
      CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT seq, blob FROM ops WHERE case_id = ? AND op_id = ?"));
      s->Bind(1, case_id).Bind(2, op.op_id);
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading existing op"));
      if (!row) return MakeError(ErrorCode::kCorrupt, "op vanished during push");
      if (s->Blob(1) != op.blob) return MakeError(ErrorCode::kConflict, "op_id already used with different content");
      acks.push_back(wire::OpAck{op.op_id, s->Int(0)});
    }
    if (!any_new) {  // a retried push: its ops keep the batch they came in first
      CP_ASSIGN_OR_RETURN(auto d, Prepare("DELETE FROM op_batches WHERE id = ?"));
      d->Bind(1, batch_id);
      CP_RETURN_IF_ERROR(d->Run("dropping an empty batch"));
    }
    return acks;
  }

  Result<std::int64_t> InsertBatch(const std::string& case_id, const std::string& device_id, const wire::OpBatch& batch) {
    CP_ASSIGN_OR_RETURN(auto b, Prepare("INSERT INTO op_batches(case_id, device_id, manifest, sig) VALUES(?,?,?,?)"));
    b->Bind(1, case_id).Bind(2, device_id).Bind(3, batch.manifest).Bind(4, batch.sig);
    CP_RETURN_IF_ERROR(b->Run("storing the batch signature"));
    return sqlite3_last_insert_rowid(db_);
  }

  Result<std::vector<wire::OpBatch>> GetOpBatches(const std::string& case_id,
                                                  const std::vector<std::int64_t>& ids) override {
    std::lock_guard lock(rmu_);
    std::vector<wire::OpBatch> out;
    for (std::int64_t id : ids) {
      CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT device_id, manifest, sig FROM op_batches WHERE id = ? AND case_id = ?"));
      s->Bind(1, id).Bind(2, case_id);
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading a batch signature"));
      if (row) out.push_back(wire::OpBatch{id, s->Text(0), s->Blob(1), s->Blob(2)});
    }
    return out;
  }

  Result<std::vector<wire::OpOut>> UnsignedOps(const std::string& case_id, const std::string& device_id,
                                               int limit) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead(
        "SELECT o.seq, o.op_id, o.epoch, o.device_id, o.blob FROM ops o JOIN replica_devices r "
        "ON r.case_id = o.case_id AND r.replica = substr(o.op_id, 1, 16) "
        "WHERE o.case_id = ? AND o.batch IS NULL AND o.device_id = ? AND r.device_id = o.device_id "
        "ORDER BY o.seq LIMIT ?"));
    s->Bind(1, case_id).Bind(2, device_id).Bind(3, static_cast<std::int64_t>(limit));
    std::vector<wire::OpOut> out;
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading unsigned ops"));
      if (!row) break;
      out.push_back(wire::OpOut{s->Int(0), s->Text(1), s->Int(2), s->Text(3), s->Blob(4), 0});
    }
    return out;
  }

  Status SignStoredOps(const std::string& case_id, const std::string& device_id, const std::vector<std::string>& op_ids,
                       const wire::OpBatch& batch) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t batch_id, InsertBatch(case_id, device_id, batch));
      for (const auto& op_id : op_ids) {
        StoredOp op;
        {
          CP_ASSIGN_OR_RETURN(auto q, Prepare(
              "SELECT o.epoch, o.blob FROM ops o JOIN replica_devices r ON r.case_id = o.case_id "
              "AND r.replica = substr(o.op_id, 1, 16) WHERE o.case_id = ? AND o.op_id = ? AND o.batch IS NULL "
              "AND o.device_id = ? AND r.device_id = o.device_id"));
          q->Bind(1, case_id).Bind(2, op_id).Bind(3, device_id);
          CP_ASSIGN_OR_RETURN(bool row, q->Step("reading an unsigned op"));
          if (!row) return MakeError(ErrorCode::kNotFound, "operation " + op_id.substr(0, 40) + " is not an unsigned operation of this device");
          op = StoredOp{op_id, q->Int(0), q->Blob(1)};
        }
        // A new seq (delete and insert: seq is the rowid), so that members who quarantined it pull it again.
        CP_ASSIGN_OR_RETURN(auto d, Prepare("DELETE FROM ops WHERE case_id = ? AND op_id = ?"));
        d->Bind(1, case_id).Bind(2, op_id);
        CP_RETURN_IF_ERROR(d->Run("moving a signed op"));
        CP_ASSIGN_OR_RETURN(auto i, Prepare("INSERT INTO ops(case_id, op_id, epoch, device_id, blob, batch) VALUES(?,?,?,?,?,?)"));
        i->Bind(1, case_id).Bind(2, op_id).Bind(3, op.epoch).Bind(4, device_id).Bind(5, op.blob).Bind(6, batch_id);
        CP_RETURN_IF_ERROR(i->Run("moving a signed op"));
      }
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::vector<wire::OpOut>> PullOps(const std::string& case_id, std::int64_t after, int limit) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT seq, op_id, epoch, device_id, blob, coalesce(batch, 0) FROM ops "
                                        "WHERE case_id = ? AND seq > ? ORDER BY seq LIMIT ?"));
    s->Bind(1, case_id).Bind(2, after).Bind(3, static_cast<std::int64_t>(limit));
    std::vector<wire::OpOut> out;
    while (true) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("pulling ops"));
      if (!row) break;
      out.push_back(wire::OpOut{s->Int(0), s->Text(1), s->Int(2), s->Text(3), s->Blob(4), s->Int(5)});
    }
    return out;
  }

  Result<bool> PutBlob(const std::string& case_id, const std::string& blob_id, const Bytes& data) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Result<bool> r = [&]() -> Result<bool> {
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO blobs(case_id, blob_id, data) VALUES(?,?,?)"));
        s->Bind(1, case_id).Bind(2, blob_id).Bind(3, data);
        CP_RETURN_IF_ERROR(s->Run("storing blob"));
      }
      if (sqlite3_changes(db_) == 1) return true;
      CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT data FROM blobs WHERE case_id = ? AND blob_id = ?"));
      s->Bind(1, case_id).Bind(2, blob_id);
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading blob"));
      if (!row || s->Blob(0) != data) return MakeError(ErrorCode::kConflict, "blob id already used with different content");
      return false;
    }();
    CP_RETURN_IF_ERROR(Finish(r.ok()));
    return r;
  }

  Result<Bytes> GetBlob(const std::string& case_id, const std::string& blob_id) override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT data FROM blobs WHERE case_id = ? AND blob_id = ?"));
    s->Bind(1, case_id).Bind(2, blob_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading blob"));
    if (!row) return MakeError(ErrorCode::kNotFound, "no such blob");
    return s->Blob(0);
  }

  Result<StoreCounts> Counts() override {
    std::lock_guard lock(rmu_);
    StoreCounts c;
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM devices), "
                                        "(SELECT count(*) FROM cases), (SELECT count(*) FROM ops)"));
    CP_ASSIGN_OR_RETURN(bool row, s->Step("counting"));
    if (row) {
      c.users = s->Int(0);
      c.devices = s->Int(1);
      c.cases = s->Int(2);
      c.ops = s->Int(3);
    }
    return c;
  }

  // ---- retention ----
  Status SetPurgeDate(const std::string& case_id, const std::string& purge_on, const std::string& by,
                      std::int64_t now_ms) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
    (void)epoch;
    CP_RETURN_IF_ERROR(EnsureRetentionRow(case_id));
    CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE case_retention SET purge_on = ?, set_by = ?, set_ms = ? WHERE case_id = ?"));
    if (purge_on.empty()) {
      sqlite3_bind_null(Raw(*s), 1);
    } else {
      s->Bind(1, purge_on);
    }
    s->Bind(2, by).Bind(3, now_ms).Bind(4, case_id);
    return s->Run("storing purge date");
  }

  Status SetHold(const std::string& case_id, bool held, const std::string& by, std::int64_t now_ms) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
    (void)epoch;
    CP_RETURN_IF_ERROR(EnsureRetentionRow(case_id));
    CP_ASSIGN_OR_RETURN(auto s, Prepare(held ? "UPDATE case_retention SET held = 1, held_by = ?, held_ms = ? "
                                               "WHERE case_id = ? AND held = 0"
                                             : "UPDATE case_retention SET held = 0, held_by = ?, held_ms = ? "
                                               "WHERE case_id = ? AND held = 1"));
    s->Bind(1, by).Bind(2, now_ms).Bind(3, case_id);
    return s->Run("storing hold");
  }

  Result<CaseRetentionState> GetRetention(const std::string& case_id) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
    (void)epoch;
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT purge_on, held, held_by, held_ms FROM case_retention WHERE case_id = ?"));
    s->Bind(1, case_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading retention"));
    CaseRetentionState r;
    if (row) {
      r.purge_on = s->Text(0);
      r.held = s->Int(1) != 0;
      if (r.held) {
        r.held_by = s->Text(2);
        r.held_at_ms = s->Int(3);
      }
    }
    return r;
  }

  Result<std::vector<std::string>> PurgeDue(const std::string& today, std::int64_t now_ms) override {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, std::string>> due;
    {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT case_id, purge_on FROM case_retention WHERE purge_on IS NOT NULL "
                                          "AND purge_on <= ? AND held = 0 ORDER BY case_id"));
      s->Bind(1, today);
      for (;;) {
        CP_ASSIGN_OR_RETURN(bool row, s->Step("finding due cases"));
        if (!row) break;
        due.emplace_back(s->Text(0), s->Text(1));
      }
    }
    if (due.empty()) return std::vector<std::string>{};
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      for (const auto& [id, purge_on] : due) {
        static const char* const kDeletes[] = {
            "INSERT OR IGNORE INTO tombstone_members(case_id, user_id) "
            "SELECT case_id, user_id FROM members WHERE case_id = ? AND removed = 0",
            "DELETE FROM ops WHERE case_id = ?",
            "DELETE FROM op_batches WHERE case_id = ?",
            "DELETE FROM blobs WHERE case_id = ?",
            "DELETE FROM envelopes WHERE case_id = ?",
            "DELETE FROM members WHERE case_id = ?",
            "DELETE FROM cases WHERE id = ?",
            "DELETE FROM case_retention WHERE case_id = ?",
        };
        for (const char* sql : kDeletes) {
          CP_ASSIGN_OR_RETURN(auto s, Prepare(sql));
          s->Bind(1, id);
          CP_RETURN_IF_ERROR(s->Run("purging case"));
        }
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO tombstones(case_id, purge_on, purged_ms) VALUES(?,?,?)"));
        s->Bind(1, id).Bind(2, purge_on).Bind(3, now_ms);
        CP_RETURN_IF_ERROR(s->Run("recording tombstone"));
      }
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    CP_RETURN_IF_ERROR(st);
    // The WAL still holds the old pages: copy the (zeroed) pages back and truncate it.
    // Best effort: a reader in the middle of a statement makes it SQLITE_BUSY; the next purge or the
    // checkpoint at close then finishes the job.
    (void)sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    std::vector<std::string> ids;
    for (auto& d : due) ids.push_back(d.first);
    return ids;
  }

  Result<std::vector<ServerTombstone>> ListTombstones(const std::string& user_id, std::int64_t after) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT t.seq, t.case_id, t.purge_on, t.purged_ms FROM tombstones t "
                                        "JOIN tombstone_members m ON m.case_id = t.case_id "
                                        "WHERE m.user_id = ? AND t.seq > ? ORDER BY t.seq"));
    s->Bind(1, user_id).Bind(2, after);
    return ReadTombstones(*s);
  }

  Result<std::vector<ServerTombstone>> AllTombstones() override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT seq, case_id, purge_on, purged_ms FROM tombstones ORDER BY seq"));
    return ReadTombstones(*s);
  }

  Result<bool> WasMember(const std::string& case_id, const std::string& user_id) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT 1 FROM tombstone_members WHERE case_id = ? AND user_id = ?"));
    s->Bind(1, case_id).Bind(2, user_id);
    return s->Step("reading tombstone members");
  }

  Result<bool> IsPurged(const std::string& case_id) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT 1 FROM tombstones WHERE case_id = ?"));
    s->Bind(1, case_id);
    return s->Step("reading tombstones");
  }

  Status PutReceipt(const StoredReceipt& r) override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR REPLACE INTO purge_receipts(case_id, device_id, store_id, purged_at, "
                                        "public_key, signature, received_ms) VALUES(?,?,?,?,?,?,?)"));
    s->Bind(1, r.case_id).Bind(2, r.device_id).Bind(3, r.store_id).Bind(4, r.purged_at).Bind(5, r.public_key)
        .Bind(6, r.signature).Bind(7, r.received_ms);
    return s->Run("storing receipt");
  }

  Result<std::vector<Confirmation>> Confirmations(const std::string& case_id) override {
    std::lock_guard lock(mu_);
    bool purged = false;
    {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT 1 FROM tombstones WHERE case_id = ?"));
      s->Bind(1, case_id);
      CP_ASSIGN_OR_RETURN(purged, s->Step("reading tombstones"));
    }
    if (!purged) {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochLocked(case_id));
      (void)epoch;
    }
    CP_ASSIGN_OR_RETURN(auto s, Prepare(
        purged ? "SELECT d.user_id, d.id, r.purged_at, r.received_ms, r.store_id, r.public_key, r.signature FROM tombstone_members m "
                 "JOIN devices d ON d.user_id = m.user_id "
                 "LEFT JOIN purge_receipts r ON r.case_id = m.case_id AND r.device_id = d.id "
                 "WHERE m.case_id = ?1 AND d.revoked = 0 ORDER BY d.user_id, d.id"
               : "SELECT d.user_id, d.id, r.purged_at, r.received_ms, r.store_id, r.public_key, r.signature FROM members m "
                 "JOIN devices d ON d.user_id = m.user_id "
                 "LEFT JOIN purge_receipts r ON r.case_id = m.case_id AND r.device_id = d.id "
                 "WHERE m.case_id = ?1 AND m.removed = 0 AND d.revoked = 0 ORDER BY d.user_id, d.id"));
    s->Bind(1, case_id);
    std::vector<Confirmation> out;
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading confirmations"));
      if (!row) break;
      Confirmation c;
      c.user_id = s->Text(0);
      c.device_id = s->Text(1);
      c.confirmed = !s->IsNull(2);
      if (c.confirmed) {
        c.purged_at = s->Text(2);
        c.received_ms = s->Int(3);
        c.store_id = s->Text(4);
        c.public_key = s->Blob(5);
        c.signature = s->Blob(6);
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  Status PutPolicy(const StoredPolicy& p) override {
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      {
        CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT coalesce(max(version), 0) FROM retention_policy"));
        CP_ASSIGN_OR_RETURN(bool row, s->Step("reading policy"));
        if (row && s->Int(0) >= p.version) {
          return MakeError(ErrorCode::kConflict, "policy version " + std::to_string(p.version) + " is not newer");
        }
      }
      CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT INTO retention_policy(version, record, device_id, signature) "
                                          "VALUES(?,?,?,?)"));
      s->Bind(1, p.version).Bind(2, p.record).Bind(3, p.device_id).Bind(4, p.signature);
      return s->Run("storing policy");
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<StoredPolicy> GetPolicy() override {
    std::lock_guard lock(mu_);
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT version, record, device_id, signature FROM retention_policy "
                                        "ORDER BY version DESC LIMIT 1"));
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading policy"));
    StoredPolicy p;
    if (row) {
      p.version = s->Int(0);
      p.record = s->Text(1);
      p.device_id = s->Text(2);
      p.signature = s->Blob(3);
    }
    return p;
  }

  // ---- metrics ----
  Status AddCounters(const std::map<std::string, std::int64_t>& deltas) override {
    if (deltas.empty()) return Ok();
    std::lock_guard lock(mu_);
    CP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = [&]() -> Status {
      // UPDATE, then INSERT if there was no row: no UPSERT, because the in-memory test server compiles this
      // file against SQLCipher's SQLite 3.15 (tests/CMakeLists.txt). BEGIN IMMEDIATE makes the pair atomic.
      for (const auto& [name, n] : deltas) {
        {
          CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE metric_counters SET value = value + ? WHERE name = ?"));
          s->Bind(1, n).Bind(2, name);
          CP_RETURN_IF_ERROR(s->Run("adding to metric counters"));
        }
        if (sqlite3_changes(db_) == 1) continue;
        CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT INTO metric_counters(name, value) VALUES(?,?)"));
        s->Bind(1, name).Bind(2, n);
        CP_RETURN_IF_ERROR(s->Run("adding a metric counter"));
      }
      return Ok();
    }();
    CP_RETURN_IF_ERROR(Finish(st.ok()));
    return st;
  }

  Result<std::map<std::string, std::int64_t>> ReadCounters() override {
    std::lock_guard lock(rmu_);
    CP_ASSIGN_OR_RETURN(auto s, PrepareRead("SELECT name, value FROM metric_counters"));
    std::map<std::string, std::int64_t> out;
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading metric counters"));
      if (!row) break;
      out[s->Text(0)] = s->Int(1);
    }
    return out;
  }

 private:
  static sqlite3_stmt* Raw(Stmt& s) { return s.raw(); }

  Status EnsureRetentionRow(const std::string& case_id) {
    CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT OR IGNORE INTO case_retention(case_id) VALUES(?)"));
    s->Bind(1, case_id);
    return s->Run("storing retention");
  }

  Result<std::vector<ServerTombstone>> ReadTombstones(Stmt& s) {
    std::vector<ServerTombstone> out;
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, s.Step("reading tombstones"));
      if (!row) break;
      out.push_back(ServerTombstone{s.Int(0), s.Text(1), s.Text(2), s.Int(3)});
    }
    return out;
  }

  // Reads go through a second connection: in WAL mode they proceed while the writer waits for fsync.
  Result<std::unique_ptr<Stmt>> PrepareRead(const char* sql) {
    auto it = rcache_.find(sql);
    sqlite3_stmt* s = nullptr;
    if (it != rcache_.end()) {
      s = it->second;
    } else {
      if (sqlite3_prepare_v2(rdb_, sql, -1, &s, nullptr) != SQLITE_OK) return DbError(rdb_, "preparing statement");
      rcache_.emplace(sql, s);
    }
    return std::make_unique<Stmt>(rdb_, s);
  }

  Result<std::unique_ptr<Stmt>> Prepare(const char* sql) {
    auto it = cache_.find(sql);
    sqlite3_stmt* s = nullptr;
    if (it != cache_.end()) {
      s = it->second;
    } else {
      if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return DbError(db_, "preparing statement");
      cache_.emplace(sql, s);
    }
    return std::make_unique<Stmt>(db_, s);
  }

  Status Finish(bool commit) {
    if (commit) {
      Status st = Exec("COMMIT");
      if (!st.ok()) {
        (void)Exec("ROLLBACK");
        return st;
      }
      return Ok();
    }
    return Exec("ROLLBACK");
  }

  // replace=false: an existing envelope is kept (another member may not overwrite someone's key copy;
  // a re-sent envelope is a no-op, which keeps retries idempotent).
  Status InsertEnvelope(const std::string& case_id, std::int64_t epoch, const std::string& user_id,
                        const Bytes& sealed, bool replace) {
    CP_ASSIGN_OR_RETURN(auto s, Prepare(replace ? "INSERT OR REPLACE INTO envelopes(case_id, epoch, user_id, sealed) "
                                                  "VALUES(?,?,?,?)"
                                                : "INSERT OR IGNORE INTO envelopes(case_id, epoch, user_id, sealed) "
                                                  "VALUES(?,?,?,?)"));
    s->Bind(1, case_id).Bind(2, epoch).Bind(3, user_id).Bind(4, sealed);
    return s->Run("storing envelope");
  }

  // Whether any envelope exists for (case, epoch): a new epoch has none until a member's rekey.
  Result<bool> EpochKeyedLocked(const std::string& case_id, std::int64_t epoch) {
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT 1 FROM envelopes WHERE case_id = ? AND epoch = ? LIMIT 1"));
    s->Bind(1, case_id).Bind(2, epoch);
    return s->Step("reading envelopes");
  }

  Result<std::int64_t> CaseEpochLocked(const std::string& case_id) {
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT epoch FROM cases WHERE id = ?"));
    s->Bind(1, case_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading case"));
    if (!row) return MakeError(ErrorCode::kNotFound, "no such case");
    return s->Int(0);
  }

  Result<std::int64_t> MemberEpochLocked(const std::string& case_id, const std::string& user_id) {
    CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT c.epoch FROM members m JOIN cases c ON c.id = m.case_id "
                                        "WHERE m.case_id = ? AND m.user_id = ? AND m.removed = 0"));
    s->Bind(1, case_id).Bind(2, user_id);
    CP_ASSIGN_OR_RETURN(bool row, s->Step("reading membership"));
    if (!row) return MakeError(ErrorCode::kNotFound, "no such case");
    return s->Int(0);
  }

  Result<wire::Principal> EnrollLocked(const Bytes& code_hash, std::int64_t now_ms, const Bytes& x25519,
                                       const Bytes& ed25519) {
    std::string role;
    {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("SELECT role, expires_ms, used_by FROM invitations WHERE code_hash = ?"));
      s->Bind(1, code_hash);
      CP_ASSIGN_OR_RETURN(bool row, s->Step("reading invitation"));
      if (!row) return MakeError(ErrorCode::kNotFound, "unknown invitation code");
      if (!s->IsNull(2)) return MakeError(ErrorCode::kConflict, "invitation already used");
      if (s->Int(1) < now_ms) return MakeError(ErrorCode::kAuthFailed, "invitation expired");
      role = s->Text(0);
    }
    wire::Principal p{RandomId(), RandomId(), role};
    {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("UPDATE invitations SET used_by = ?, used_ms = ? WHERE code_hash = ?"));
      s->Bind(1, p.user_id).Bind(2, now_ms).Bind(3, code_hash);
      CP_RETURN_IF_ERROR(s->Run("using invitation"));
    }
    {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT INTO users(id, role, created_ms) VALUES(?,?,?)"));
      s->Bind(1, p.user_id).Bind(2, role).Bind(3, now_ms);
      CP_RETURN_IF_ERROR(s->Run("creating user"));
    }
    {
      CP_ASSIGN_OR_RETURN(auto s, Prepare("INSERT INTO devices(id, user_id, x25519, ed25519, created_ms) "
                                          "VALUES(?,?,?,?,?)"));
      s->Bind(1, p.device_id).Bind(2, p.user_id).Bind(3, x25519).Bind(4, ed25519).Bind(5, now_ms);
      CP_RETURN_IF_ERROR(s->Run("creating device"));
    }
    return p;
  }

  std::mutex mu_;  // the writer connection
  sqlite3* db_;
  std::map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address: each call site is one entry
  std::mutex rmu_;  // the reader connection
  sqlite3* rdb_;
  std::map<const char*, sqlite3_stmt*> rcache_;
  // Group commit (AppendOps): pushes that arrive while a commit is in progress wait here and are then
  // committed together, one fsync for all of them.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingAppend*> queue_;  // GUARDED_BY(queue_mu_)
  bool leader_active_ = false;         // GUARDED_BY(queue_mu_)
};

std::string SchemaVersion(sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  std::string v;
  if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  return v;
}

bool HasColumn(sqlite3* db, const char* table, std::string_view column) {
  sqlite3_stmt* s = nullptr;
  bool found = false;
  if (sqlite3_prepare_v2(db, ("PRAGMA table_info(" + std::string(table) + ")").c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (!found && sqlite3_step(s) == SQLITE_ROW)
      found = column == reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
  }
  sqlite3_finalize(s);
  return found;
}

}  // namespace

Result<std::unique_ptr<ServerStore>> OpenSqliteStore(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return MakeError(ErrorCode::kIo, "opening server store: " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  // FULL: a push is acknowledged only after its transaction is on disk, so a crash (or SIGKILL, or power
  // loss) never loses an acknowledged operation. secure_delete: purged ciphertext is overwritten.
  char* err = nullptr;
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
                       "PRAGMA foreign_keys=ON;", nullptr, nullptr, &err) != SQLITE_OK ||
      sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK ||
      sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, &err) != SQLITE_OK ||
      (SchemaVersion(db) == "4" && !HasColumn(db, "ops", "batch") &&
       sqlite3_exec(db, "ALTER TABLE ops ADD COLUMN batch INTEGER", nullptr, nullptr, &err) != SQLITE_OK) ||
      (SchemaVersion(db) == "4" && sqlite3_exec(db, kSchema5, nullptr, nullptr, &err) != SQLITE_OK) ||
      (SchemaVersion(db) == "5" && sqlite3_exec(db, kSchema6, nullptr, nullptr, &err) != SQLITE_OK) ||
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    sqlite3_close_v2(db);
    return MakeError(ErrorCode::kIo, "initialising server store: " + msg);
  }
  sqlite3* reader = nullptr;
  if (sqlite3_open_v2(path.c_str(), &reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(reader);
    // ":memory:" and the like: one connection for both.
    reader = nullptr;
  }
  if (reader != nullptr) sqlite3_busy_timeout(reader, 5000);
  if (reader == nullptr || path == ":memory:") {
    sqlite3_close_v2(reader);
    return MakeError(ErrorCode::kInvalidArgument, "the server store needs a file path");
  }
  auto store = std::make_unique<SqliteStore>(db, reader);
  return std::unique_ptr<ServerStore>(std::move(store));
}

}  // namespace casepack::server
