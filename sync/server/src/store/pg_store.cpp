// PostgreSQL implementation of ServerStore (libpq, PostgreSQL 15; issue 17). Several casepackd processes
// may share one database: every piece of state is in it, and each operation is one transaction at the
// isolation it needs (see the comments at each method). docs/server-postgresql.md describes the design.
//
// Connections come from a bounded pool (a request waits at most kAcquireWait for one); each prepares its
// statements on first use. A transaction that fails because the connection broke (the database restarted)
// or because PostgreSQL chose it as a deadlock/serialisation victim is run again on a fresh connection, up
// to kAttempts times: every write here is idempotent or reports kConflict on a second run, so a retry after
// a lost COMMIT acknowledgement cannot store anything twice.
#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <thread>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "store_rules.h"

namespace casepack::server {

// The last counter an op id names: COUNTER of "R-COUNTER", LAST of a sealed batch's "R-FIRST-LAST".
constexpr std::string_view kLastCounterSql =
    "CASE WHEN substr(o.op_id, 18) ~ '^[0-9]{1,18}(-[0-9]{1,18})?$' "
    "THEN regexp_replace(substr(o.op_id, 18), '^[0-9]+-', '')::bigint END";
namespace {

constexpr auto kAcquireWait = std::chrono::seconds(10);
constexpr int kAttempts = 4;
// pg_advisory_xact_lock keys (any two 32-bit numbers private to casepack): migrations, retention passes.
constexpr const char* kMigrateLock = "SELECT pg_advisory_xact_lock(1667330155, 1)";
constexpr const char* kPurgeLock = "SELECT pg_try_advisory_xact_lock(1667330155, 2)";

// Migrations, applied in order under kMigrateLock; schema_version holds how many have run. Text compared
// byte-wise (COLLATE "C") wherever order or ranges matter: op ids, whatever the database's locale.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE users(
  id text PRIMARY KEY, role text NOT NULL, created_ms bigint NOT NULL, revoked boolean NOT NULL DEFAULT false);
CREATE TABLE devices(
  id text PRIMARY KEY, user_id text NOT NULL REFERENCES users(id), x25519 bytea NOT NULL, ed25519 bytea NOT NULL,
  created_ms bigint NOT NULL, revoked boolean NOT NULL DEFAULT false);
CREATE INDEX devices_user ON devices(user_id);
CREATE TABLE invitations(
  code_hash bytea PRIMARY KEY, role text NOT NULL, expires_ms bigint NOT NULL, created_by text NOT NULL,
  used_by text, used_ms bigint);
CREATE TABLE cases(
  id text PRIMARY KEY, created_by text NOT NULL, created_ms bigint NOT NULL, epoch bigint NOT NULL);
CREATE TABLE members(
  case_id text NOT NULL, user_id text NOT NULL, removed boolean NOT NULL DEFAULT false,
  PRIMARY KEY(case_id, user_id));
CREATE INDEX members_user ON members(user_id);
CREATE TABLE envelopes(
  case_id text NOT NULL, epoch bigint NOT NULL, user_id text NOT NULL, sealed bytea NOT NULL,
  PRIMARY KEY(case_id, user_id, epoch));
CREATE INDEX envelopes_epoch ON envelopes(case_id, epoch);
-- The last sequence number of each case's log; its row lock orders the case's appends (see AppendOps).
CREATE TABLE case_seq(case_id text PRIMARY KEY, last_seq bigint NOT NULL);
CREATE TABLE ops(
  case_id text NOT NULL, seq bigint NOT NULL, op_id text COLLATE "C" NOT NULL, epoch bigint NOT NULL,
  device_id text NOT NULL, blob bytea NOT NULL, PRIMARY KEY(case_id, seq), UNIQUE(case_id, op_id));
CREATE TABLE blobs(
  case_id text NOT NULL, blob_id text NOT NULL, data bytea NOT NULL, PRIMARY KEY(case_id, blob_id));
CREATE TABLE nonces(
  device_id text NOT NULL, nonce text NOT NULL, time_ms bigint NOT NULL, PRIMARY KEY(device_id, nonce));
CREATE INDEX nonces_time ON nonces(time_ms);
CREATE TABLE case_retention(
  case_id text PRIMARY KEY, purge_on text, set_by text, set_ms bigint,
  held boolean NOT NULL DEFAULT false, held_by text, held_ms bigint);
CREATE TABLE tombstones(
  seq bigserial PRIMARY KEY, case_id text NOT NULL UNIQUE, purge_on text NOT NULL, purged_ms bigint NOT NULL);
CREATE TABLE tombstone_members(case_id text NOT NULL, user_id text NOT NULL, PRIMARY KEY(case_id, user_id));
CREATE INDEX tombstone_members_user ON tombstone_members(user_id);
CREATE TABLE purge_receipts(
  case_id text NOT NULL, device_id text NOT NULL, store_id text NOT NULL, purged_at text NOT NULL,
  public_key bytea NOT NULL, signature bytea NOT NULL, received_ms bigint NOT NULL, PRIMARY KEY(case_id, device_id));
CREATE TABLE retention_policy(
  version bigint PRIMARY KEY, record text NOT NULL, device_id text NOT NULL, signature bytea NOT NULL);
CREATE TABLE replica_devices(
  case_id text NOT NULL, replica text NOT NULL, device_id text NOT NULL, PRIMARY KEY(case_id, replica));
)sql",
    // 2: the counters of /metrics, shared by every process (ServerStore::AddCounters).
    R"sql(
CREATE TABLE metric_counters(name text COLLATE "C" PRIMARY KEY, value bigint NOT NULL);
)sql",
    // 3 (issue 11, operation signatures): each pushed batch's manifest and signature, and the batch each op
    // came in; ops stored before have none (batch NULL) until their device signs them (SignStoredOps).
    R"sql(
CREATE TABLE op_batches(
  id bigserial PRIMARY KEY, case_id text NOT NULL, device_id text NOT NULL, manifest bytea NOT NULL,
  sig bytea NOT NULL);
CREATE INDEX op_batches_case ON op_batches(case_id);
ALTER TABLE ops ADD COLUMN batch bigint;
CREATE INDEX ops_unsigned ON ops(case_id, op_id) WHERE batch IS NULL;
)sql",
    // 4 (issue 16): users' names, as given at enrolment.
    R"sql(
CREATE TABLE user_names(user_id text PRIMARY KEY REFERENCES users(id), name text NOT NULL);
)sql",
};

// One bound parameter: text (strings and integers) or binary (bytea), or NULL.
struct Param {
  std::string text;
  const Bytes* bytes = nullptr;
  bool null = false;
  Param(const std::string& s) : text(s) {}           // NOLINT(google-explicit-constructor)
  Param(const char* s) : text(s) {}                  // NOLINT(google-explicit-constructor)
  Param(std::int64_t v) : text(std::to_string(v)) {}  // NOLINT(google-explicit-constructor)
  Param(int v) : text(std::to_string(v)) {}           // NOLINT(google-explicit-constructor)
  Param(bool v) : text(v ? "t" : "f") {}              // NOLINT(google-explicit-constructor)
  Param(const Bytes& b) : bytes(&b) {}                // NOLINT(google-explicit-constructor)
  static Param Null() {
    Param p{std::string()};
    p.null = true;
    return p;
  }
};

// A query result, cleared on scope exit. Columns are read in text format (bytea as hex).
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;
  ~Rows() { PQclear(r_); }
  int size() const { return PQntuples(r_); }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
  }
  std::int64_t Int(int row, int col) const { return IsNull(row, col) ? 0 : std::strtoll(PQgetvalue(r_, row, col), nullptr, 10); }
  bool Bool(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }
  Bytes Blob(int row, int col) const {
    std::size_t n = 0;
    unsigned char* p = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, col)), &n);
    Bytes out(p, p + n);
    PQfreemem(p);
    return out;
  }
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t Changed() const { return std::strtoll(PQcmdTuples(r_), nullptr, 10); }

 private:
  PGresult* r_;
};

// Whether a failed transaction may be run again: the connection broke, or PostgreSQL chose it as the
// victim of a serialisation failure or deadlock.
struct Retry {};

// One pooled connection and the statements prepared on it (keyed by the SQL literal's address).
struct Conn {
  PGconn* pg = nullptr;
  std::map<const char*, std::string> prepared;
  bool broken = false;
  ~Conn() { PQfinish(pg); }
};

// A failed statement: its error (SQLSTATE mapped to an ErrorCode) and whether to retry the transaction.
struct Failure {
  Error error;
  bool retry = false;
};

Failure FailureOf(Conn& c, const PGresult* r, const char* what) {
  if (PQstatus(c.pg) != CONNECTION_OK) {
    c.broken = true;
    return {MakeError(ErrorCode::kUnavailable, std::string(what) + ": the database connection was lost"), true};
  }
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  // The primary message only: DETAIL would quote key values.
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = std::string(what) + ": " + (primary ? primary : PQerrorMessage(c.pg));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '.')) msg.pop_back();
  ErrorCode ec = ErrorCode::kIo;
  bool retry = false;
  if (sqlstate == "40001" || sqlstate == "40P01") retry = true, ec = ErrorCode::kUnavailable;
  if (sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0) retry = true, ec = ErrorCode::kUnavailable, c.broken = true;
  if (sqlstate == "23505") ec = ErrorCode::kConflict;
  if (sqlstate == "53100") ec = ErrorCode::kNoSpace;
  if (sqlstate.rfind("53", 0) == 0 && sqlstate != "53100") ec = ErrorCode::kUnavailable;
  if (sqlstate == "XX001" || sqlstate == "XX002") ec = ErrorCode::kCorrupt;
  return {MakeError(ec, msg), retry};
}

// A transaction in progress on one connection. Statement failures throw nothing: they are returned, and
// the first one is remembered so that Run() can decide whether to retry.
class Tx {
 public:
  explicit Tx(Conn& c) : c_(c) {}

  // Runs a prepared statement (prepared on this connection on first use).
  Result<Rows> Q(const char* sql, std::initializer_list<Param> params, const char* what) {
    CP_ASSIGN_OR_RETURN(const std::string* name, Prepared(sql, what));
    Bound b(params.begin(), params.end());
    PGresult* r = PQexecPrepared(c_.pg, name->c_str(), b.size(), b.values.data(), b.lengths.data(), b.formats.data(), 0);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      auto f = FailureOf(c_, r, what);
      PQclear(r);
      return Fail(f);
    }
    return Rows(r);
  }

  // Runs one prepared command once per row of parameters in libpq's pipeline mode: every row is sent
  // before the first result is read, so a batch costs one round trip, not one per row.
  Status Pipeline(const char* sql, const std::vector<std::vector<Param>>& rows, const char* what) {
    if (rows.empty()) return Ok();
    CP_ASSIGN_OR_RETURN(const std::string* name, Prepared(sql, what));
    if (PQenterPipelineMode(c_.pg) != 1) return Fail(FailureOf(c_, nullptr, what));
    bool sent = true;
    for (const auto& row : rows) {
      Bound b(row.begin(), row.end());
      sent = sent && PQsendQueryPrepared(c_.pg, name->c_str(), b.size(), b.values.data(), b.lengths.data(),
                                         b.formats.data(), 0) == 1;
    }
    sent = sent && PQpipelineSync(c_.pg) == 1;
    std::optional<Failure> failed;
    if (!sent) failed = FailureOf(c_, nullptr, what);
    // Read every result up to the sync (an error aborts the rest of the pipeline: PGRES_PIPELINE_ABORTED).
    while (sent) {
      PGresult* r = PQgetResult(c_.pg);
      if (r == nullptr) continue;  // the end of one query's results
      const auto status = PQresultStatus(r);
      if (status == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        break;
      }
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !failed) failed = FailureOf(c_, r, what);
      PQclear(r);
      if (PQstatus(c_.pg) != CONNECTION_OK) break;
    }
    if (PQstatus(c_.pg) == CONNECTION_OK) (void)PQexitPipelineMode(c_.pg);
    if (failed) return Fail(*failed);
    return Ok();
  }

  Status Run(const char* sql, std::initializer_list<Param> params, const char* what) {
    auto r = Q(sql, params, what);
    if (!r.ok()) return r.error();
    return Ok();
  }

  // A plain command (BEGIN, COMMIT, migrations), not prepared.
  Status Exec(const char* sql, const char* what) {
    PGresult* r = PQexec(c_.pg, sql);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      auto f = FailureOf(c_, r, what);
      PQclear(r);
      return Fail(f);
    }
    PQclear(r);
    return Ok();
  }

  bool retry() const { return retry_; }

 private:
  // The parameters of one statement as libpq takes them (text, or binary for bytea).
  struct Bound {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    template <typename It>
    Bound(It begin, It end) {
      for (It it = begin; it != end; ++it) {
        const Param& p = *it;
        const bool binary = !p.null && p.bytes;
        values.push_back(p.null ? nullptr
                         : binary ? (p.bytes->empty() ? "" : reinterpret_cast<const char*>(p.bytes->data()))
                                  : p.text.c_str());
        lengths.push_back(p.null ? 0 : binary ? static_cast<int>(p.bytes->size()) : static_cast<int>(p.text.size()));
        formats.push_back(binary ? 1 : 0);
      }
    }
    int size() const { return static_cast<int>(values.size()); }
  };

  // The statement's name on this connection, prepared on first use.
  Result<const std::string*> Prepared(const char* sql, const char* what) {
    auto it = c_.prepared.find(sql);
    if (it == c_.prepared.end()) {
      std::string name = "s" + std::to_string(c_.prepared.size());
      PGresult* r = PQprepare(c_.pg, name.c_str(), sql, 0, nullptr);
      if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        auto f = FailureOf(c_, r, what);
        PQclear(r);
        return Fail(f);
      }
      PQclear(r);
      it = c_.prepared.emplace(sql, std::move(name)).first;
    }
    return &it->second;
  }

  Error Fail(const Failure& f) {
    retry_ = retry_ || f.retry;
    return f.error;
  }
  Conn& c_;
  bool retry_ = false;
};

// A bounded pool of connections to one database. Acquire waits at most kAcquireWait.
class Pool {
 public:
  Pool(std::string conninfo, std::size_t size) : conninfo_(std::move(conninfo)), size_(size) {}
  ~Pool() = default;

  Result<std::unique_ptr<Conn>> Acquire() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kAcquireWait, [&] { return !idle_.empty() || open_ < size_; })) {
      return MakeError(ErrorCode::kUnavailable, "every database connection is busy");
    }
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    auto c = Connect();
    if (!c.ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return c;
  }

  void Release(std::unique_ptr<Conn> c) {
    std::lock_guard lock(mu_);
    if (c->broken || PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
      c.reset();  // the next Acquire opens a fresh one
      --open_;
    } else {
      idle_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

  Result<std::unique_ptr<Conn>> Connect() {
    auto c = std::make_unique<Conn>();
    c->pg = PQconnectdb(conninfo_.c_str());
    if (c->pg == nullptr || PQstatus(c->pg) != CONNECTION_OK) {
      // libpq's message names the host and the reason, never a password.
      std::string msg = c->pg ? PQerrorMessage(c->pg) : "out of memory";
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == '.')) msg.pop_back();
      return MakeError(ErrorCode::kUnavailable, "connecting to PostgreSQL: " + msg);
    }
    // Notices (e.g. "relation already exists, skipping") are not for the server's log.
    PQsetNoticeProcessor(c->pg, [](void*, const char*) {}, nullptr);
    return c;
  }

 private:
  std::string conninfo_;
  std::size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // GUARDED_BY(mu_)
  std::size_t open_ = 0;                     // GUARDED_BY(mu_)
};

class PgStore final : public ServerStore {
 public:
  PgStore(std::string conninfo, std::size_t pool_size) : pool_(std::move(conninfo), pool_size) {}

  // Runs `body` in a transaction (BEGIN … COMMIT; ROLLBACK if it fails), again on a fresh connection if
  // the connection broke or PostgreSQL asks for a retry. `body` returns Result<T> or Status.
  template <typename F>
  auto InTx(const char* isolation, F&& body) -> decltype(body(std::declval<Tx&>())) {
    using R = decltype(body(std::declval<Tx&>()));
    for (int attempt = 1;; ++attempt) {
      auto conn = pool_.Acquire();
      if (!conn.ok()) {
        if (attempt < kAttempts) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));  // back off: the database restarts
          continue;
        }
        return R(conn.error());
      }
      Tx tx(**conn);
      R r = [&]() -> R {
        CP_RETURN_IF_ERROR(tx.Exec(isolation, "beginning a transaction"));
        R inner = body(tx);
        if (!inner.ok()) return inner;
        CP_RETURN_IF_ERROR(tx.Exec("COMMIT", "committing"));
        return inner;
      }();
      if (!r.ok() && PQtransactionStatus((*conn)->pg) != PQTRANS_IDLE) (void)tx.Exec("ROLLBACK", "rolling back");
      const bool again = !r.ok() && tx.retry() && attempt < kAttempts;
      pool_.Release(std::move(*conn));
      if (!again) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
    }
  }
  template <typename F>
  auto ReadCommitted(F&& body) {
    return InTx("BEGIN ISOLATION LEVEL READ COMMITTED", std::forward<F>(body));
  }
  // One consistent snapshot for reads that span several statements.
  template <typename F>
  auto Snapshot(F&& body) {
    return InTx("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", std::forward<F>(body));
  }

  Status Migrate() {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_RETURN_IF_ERROR(tx.Exec(kMigrateLock, "locking for migrations"));
      CP_RETURN_IF_ERROR(tx.Exec("CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL)",
                                 "creating the version table"));
      CP_ASSIGN_OR_RETURN(auto v, tx.Q("SELECT coalesce(max(version), 0) FROM schema_version", {}, "reading the schema version"));
      const std::int64_t have = v.Int(0, 0);
      const std::int64_t known = static_cast<std::int64_t>(std::size(kMigrations));
      if (have > known) {
        return MakeError(ErrorCode::kUnsupported, "the database has schema version " + std::to_string(have) +
                                                      "; this casepackd knows up to " + std::to_string(known),
                         "upgrade casepackd");
      }
      for (std::int64_t i = have; i < known; ++i) {
        CP_RETURN_IF_ERROR(tx.Exec(kMigrations[i], "migrating the schema"));
      }
      if (have < known) {
        CP_RETURN_IF_ERROR(tx.Exec("DELETE FROM schema_version", "recording the schema version"));
        CP_RETURN_IF_ERROR(tx.Run("INSERT INTO schema_version(version) VALUES($1)", {known}, "recording the schema version")
                               );
      }
      return Ok();
    });
  }

  // ---- accounts ----
  Result<bool> HasUsers() override {
    return ReadCommitted([&](Tx& tx) -> Result<bool> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT 1 FROM users LIMIT 1", {}, "reading users"));
      return !r.empty();
    });
  }

  Status CreateInvitation(const Bytes& code_hash, const std::string& role, std::int64_t expires_at_ms,
                          const std::string& created_by) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      return tx.Run("INSERT INTO invitations(code_hash, role, expires_ms, created_by) VALUES($1,$2,$3,$4)",
                  {code_hash, role, expires_at_ms, created_by}, "storing invitation")
          ;
    });
  }

  // The invitation row is locked (FOR UPDATE): two processes enrolling with one code cannot both use it.
  Result<wire::Principal> Enroll(const Bytes& code_hash, std::int64_t now_ms, const Bytes& x25519,
                                 const Bytes& ed25519) override {
    return ReadCommitted([&](Tx& tx) -> Result<wire::Principal> {
      CP_ASSIGN_OR_RETURN(auto inv, tx.Q("SELECT role, expires_ms, used_by FROM invitations WHERE code_hash = $1 FOR UPDATE",
                                         {code_hash}, "reading invitation"));
      if (inv.empty()) return MakeError(ErrorCode::kNotFound, "unknown invitation code");
      if (!inv.IsNull(0, 2)) return MakeError(ErrorCode::kConflict, "invitation already used");
      if (inv.Int(0, 1) < now_ms) return MakeError(ErrorCode::kAuthFailed, "invitation expired");
      wire::Principal p{RandomId(), RandomId(), inv.Text(0, 0)};
      CP_RETURN_IF_ERROR(tx.Run("UPDATE invitations SET used_by = $1, used_ms = $2 WHERE code_hash = $3",
                              {p.user_id, now_ms, code_hash}, "using invitation"));
      CP_RETURN_IF_ERROR(tx.Run("INSERT INTO users(id, role, created_ms) VALUES($1,$2,$3)", {p.user_id, p.role, now_ms},
                              "creating user"));
      CP_RETURN_IF_ERROR(tx.Run("INSERT INTO devices(id, user_id, x25519, ed25519, created_ms) VALUES($1,$2,$3,$4,$5)",
                              {p.device_id, p.user_id, x25519, ed25519, now_ms}, "creating device"));
      return p;
    });
  }

  Result<DeviceRecord> GetDevice(const std::string& device_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<DeviceRecord> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT d.user_id, u.role, d.x25519, d.ed25519, d.revoked, u.revoked "
                                       "FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = $1",
                                       {device_id}, "reading device"));
      if (r.empty()) return MakeError(ErrorCode::kNotFound, "unknown device");
      return DeviceRecord{device_id, r.Text(0, 0), r.Text(0, 1), r.Blob(0, 2), r.Blob(0, 3), r.Bool(0, 4), r.Bool(0, 5)};
    });
  }

  // The primary key decides: of two processes seeing one nonce at once, exactly one inserts it.
  Status RecordNonce(const std::string& device_id, const std::string& nonce, std::int64_t time_ms) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("INSERT INTO nonces(device_id, nonce, time_ms) VALUES($1,$2,$3) ON CONFLICT DO NOTHING",
                                       {device_id, nonce, time_ms}, "recording nonce"));
      if (r.Changed() == 0) return MakeError(ErrorCode::kConflict, "nonce already used");
      return Ok();
    });
  }

  Status PruneNonces(std::int64_t before_ms) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      return tx.Run("DELETE FROM nonces WHERE time_ms < $1", {before_ms}, "pruning nonces");
    });
  }

  // Revoking moves every case the device's user is in to a new epoch in the same transaction (issue 11).
  // The device row is locked so that a concurrent second revocation sees it revoked and adds no epoch.
  Status RevokeDevice(const std::string& device_id) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(auto d, tx.Q("SELECT revoked FROM devices WHERE id = $1 FOR UPDATE", {device_id}, "reading device"));
      if (d.empty()) return MakeError(ErrorCode::kNotFound, "unknown device");
      if (d.Bool(0, 0)) return Ok();  // already revoked: no second epoch
      CP_RETURN_IF_ERROR(tx.Run("UPDATE devices SET revoked = true WHERE id = $1", {device_id}, "revoking device"));
      return tx.Run("UPDATE cases SET epoch = epoch + 1 WHERE id IN (SELECT case_id FROM members WHERE NOT removed "
                  "AND user_id = (SELECT user_id FROM devices WHERE id = $1))",
                  {device_id}, "moving the device's cases to a new epoch")
          ;
    });
  }

  Status RevokeUser(const std::string& user_id) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(auto u, tx.Q("UPDATE users SET revoked = true WHERE id = $1", {user_id}, "revoking user"));
      if (u.Changed() == 0) return MakeError(ErrorCode::kNotFound, "unknown user");
      CP_RETURN_IF_ERROR(tx.Run("UPDATE cases SET epoch = epoch + 1 WHERE id IN "
                              "(SELECT case_id FROM members WHERE user_id = $1 AND NOT removed)",
                              {user_id}, "moving the user's cases to a new epoch"));
      return tx.Run("UPDATE members SET removed = true WHERE user_id = $1 AND NOT removed", {user_id},
                  "removing the user from their cases")
          ;
    });
  }

  Status SetUserName(const std::string& user_id, const std::string& name) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(auto u, tx.Q("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", {user_id}, "reading user"));
      if (u.empty()) return MakeError(ErrorCode::kNotFound, "unknown user");
      CP_RETURN_IF_ERROR(tx.Run("DELETE FROM user_names WHERE user_id = $1", {user_id}, "naming user"));
      return tx.Run("INSERT INTO user_names(user_id, name) VALUES($1, $2)", {user_id, name}, "naming user");
    });
  }

  Result<std::vector<wire::UserEntry>> ListUsers() override {
    return Snapshot([&](Tx& tx) -> Result<std::vector<wire::UserEntry>> {
      std::vector<wire::UserEntry> users;
      std::map<std::string, std::size_t> index;
      CP_ASSIGN_OR_RETURN(auto u, tx.Q("SELECT u.id, u.role, u.revoked, n.name FROM users u LEFT JOIN user_names n "
                                       "ON n.user_id = u.id ORDER BY u.created_ms, u.id", {}, "listing users"));
      for (int i = 0; i < u.size(); ++i) {
        index[u.Text(i, 0)] = users.size();
        users.push_back(wire::UserEntry{u.Text(i, 0), u.Text(i, 1), u.Bool(i, 2), {}, u.IsNull(i, 3) ? "" : u.Text(i, 3)});
      }
      CP_ASSIGN_OR_RETURN(auto d, tx.Q("SELECT id, user_id, x25519, ed25519, revoked FROM devices ORDER BY created_ms, id",
                                       {}, "listing devices"));
      for (int i = 0; i < d.size(); ++i) {
        auto it = index.find(d.Text(i, 1));
        if (it == index.end()) continue;
        wire::DeviceKeys k;
        k.device_id = d.Text(i, 0);
        k.x25519 = d.Blob(i, 2);
        k.ed25519 = d.Blob(i, 3);
        k.revoked = d.Bool(i, 4);
        users[it->second].devices.push_back(std::move(k));
      }
      return users;
    });
  }

  // ---- cases ----
  Status CreateCase(const std::string& case_id, const std::string& creator, const Bytes& envelope,
                    std::int64_t now_ms) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      // A purged case's id is never reused: a device that missed the purge must not recreate it.
      CP_ASSIGN_OR_RETURN(auto t, tx.Q("SELECT 1 FROM tombstones WHERE case_id = $1", {case_id}, "reading tombstones"));
      if (!t.empty()) return MakeError(ErrorCode::kConflict, "case already exists");
      CP_ASSIGN_OR_RETURN(auto c, tx.Q("INSERT INTO cases(id, created_by, created_ms, epoch) VALUES($1,$2,$3,1) "
                                       "ON CONFLICT DO NOTHING",
                                       {case_id, creator, now_ms}, "creating case"));
      if (c.Changed() == 0) return MakeError(ErrorCode::kConflict, "case already exists");
      CP_RETURN_IF_ERROR(tx.Run("INSERT INTO members(case_id, user_id, removed) VALUES($1,$2,false)", {case_id, creator},
                              "adding creator"));
      return InsertEnvelope(tx, case_id, 1, creator, envelope, /*replace=*/true);
    });
  }

  Result<std::int64_t> MemberEpoch(const std::string& case_id, const std::string& user_id) override {
    return ReadCommitted([&](Tx& tx) { return MemberEpochIn(tx, case_id, user_id); });
  }

  // Writers that read the case's epoch lock the case row (CaseEpochForUpdate): epoch changes, rekeys and
  // new members of one case happen one after another, across processes.
  Status AddMember(const std::string& case_id, const std::string& user_id,
                   const std::vector<wire::Envelope>& envelopes) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochForUpdate(tx, case_id));
      bool covers_current = false;
      for (const auto& e : envelopes) {
        if (e.user_id != user_id) return MakeError(ErrorCode::kInvalidArgument, "envelope for another user");
        if (e.epoch > epoch) return MakeError(ErrorCode::kInvalidArgument, "envelope for a future epoch");
        covers_current = covers_current || e.epoch == epoch;
      }
      if (!covers_current) return MakeError(ErrorCode::kInvalidArgument, "no envelope for the current epoch");
      CP_ASSIGN_OR_RETURN(bool keyed, EpochKeyed(tx, case_id, epoch));
      if (!keyed) return MakeError(ErrorCode::kConflict, "the case awaits the keys of its new epoch (a member's sync makes them)");
      CP_RETURN_IF_ERROR(tx.Run("INSERT INTO members(case_id, user_id, removed) VALUES($1,$2,false) "
                              "ON CONFLICT (case_id, user_id) DO UPDATE SET removed = false",
                              {case_id, user_id}, "adding member"));
      for (const auto& e : envelopes) {
        CP_RETURN_IF_ERROR(InsertEnvelope(tx, case_id, e.epoch, e.user_id, e.sealed, /*replace=*/false));
      }
      return Ok();
    });
  }

  Result<std::int64_t> RemoveMember(const std::string& case_id, const std::string& user_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::int64_t> {
      CP_ASSIGN_OR_RETURN(std::int64_t locked, CaseEpochForUpdate(tx, case_id));
      (void)locked;
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, MemberEpochIn(tx, case_id, user_id));
      CP_RETURN_IF_ERROR(tx.Run("UPDATE members SET removed = true WHERE case_id = $1 AND user_id = $2", {case_id, user_id},
                              "removing member"));
      CP_RETURN_IF_ERROR(tx.Run("UPDATE cases SET epoch = epoch + 1 WHERE id = $1", {case_id}, "advancing epoch"));
      return epoch + 1;
    });
  }

  Status PutEnvelopes(const std::string& case_id, const std::vector<wire::Envelope>& envelopes,
                      const std::string& caller) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochForUpdate(tx, case_id));
      for (const auto& e : envelopes) {
        if (e.epoch > epoch || e.epoch < 1) return MakeError(ErrorCode::kInvalidArgument, "envelope epoch out of range");
        if (!MemberEpochIn(tx, case_id, e.user_id).ok()) {
          return MakeError(ErrorCode::kInvalidArgument, "envelope for a user who is not a member");
        }
        CP_ASSIGN_OR_RETURN(bool keyed, EpochKeyed(tx, case_id, e.epoch));
        if (!keyed) return MakeError(ErrorCode::kConflict, "the case awaits the keys of its new epoch (a member's sync makes them)");
        CP_RETURN_IF_ERROR(InsertEnvelope(tx, case_id, e.epoch, e.user_id, e.sealed, e.user_id == caller));
      }
      return Ok();
    });
  }

  Result<std::vector<wire::ReplicaLast>> DeviceReplicas(const std::string& case_id,
                                                        const std::string& device_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::ReplicaLast>> {
      // The op-id range [replica "-", replica ".") of the unique (case_id, op_id) index ('.' follows '-' in
      // byte order; op_id is COLLATE "C").
      static const std::string kSql =
          "SELECT r.replica, (SELECT max(" + std::string(kLastCounterSql) + ") "
          "FROM ops o WHERE o.case_id = r.case_id AND o.op_id >= (r.replica || '-') COLLATE \"C\" "
          "AND o.op_id < (r.replica || '.') COLLATE \"C\"), (SELECT count(*) FROM ops o WHERE o.case_id = r.case_id "
          "AND o.batch IS NULL AND o.device_id = r.device_id AND o.op_id >= (r.replica || '-') COLLATE \"C\" "
          "AND o.op_id < (r.replica || '.') COLLATE \"C\") FROM replica_devices r "
          "WHERE r.case_id = $1 AND r.device_id = $2 ORDER BY r.replica COLLATE \"C\"";
      CP_ASSIGN_OR_RETURN(auto r, tx.Q(kSql.c_str(), {case_id, device_id}, "reading replicas"));
      std::vector<wire::ReplicaLast> out;
      for (int i = 0; i < r.size(); ++i) out.push_back(wire::ReplicaLast{r.Text(i, 0), r.Int(i, 1), r.Int(i, 2)});
      return out;
    });
  }

  Status RekeyEpoch(const std::string& case_id, const std::vector<wire::Envelope>& envelopes) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(std::int64_t epoch, CaseEpochForUpdate(tx, case_id));
      CP_ASSIGN_OR_RETURN(bool keyed, EpochKeyed(tx, case_id, epoch));
      if (keyed) return MakeError(ErrorCode::kConflict, "the case's epoch " + std::to_string(epoch) + " already has its keys");
      CP_ASSIGN_OR_RETURN(auto m, tx.Q(
          "SELECT m.user_id FROM members m JOIN users u ON u.id = m.user_id WHERE m.case_id = $1 AND NOT m.removed "
          "AND NOT u.revoked AND EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id AND NOT d.revoked)",
          {case_id}, "listing members"));
      std::set<std::string> need;
      for (int i = 0; i < m.size(); ++i) need.insert(m.Text(i, 0));
      CP_RETURN_IF_ERROR(CheckRekeySet(need, envelopes, epoch));
      for (const auto& e : envelopes) CP_RETURN_IF_ERROR(InsertEnvelope(tx, case_id, e.epoch, e.user_id, e.sealed, false));
      return Ok();
    });
  }

  Result<std::vector<wire::Envelope>> GetEnvelopes(const std::string& case_id, const std::string& user_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::Envelope>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT epoch, sealed FROM envelopes WHERE case_id = $1 AND user_id = $2 ORDER BY epoch",
                                       {case_id, user_id}, "reading envelopes"));
      std::vector<wire::Envelope> out;
      for (int i = 0; i < r.size(); ++i) out.push_back(wire::Envelope{user_id, r.Int(i, 0), r.Blob(i, 1)});
      return out;
    });
  }

  Result<std::vector<wire::CaseSummary>> ListCases(const std::string& user_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::CaseSummary>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT c.id, c.epoch FROM members m JOIN cases c ON c.id = m.case_id "
                                       "WHERE m.user_id = $1 AND NOT m.removed ORDER BY c.created_ms, c.id COLLATE \"C\"",
                                       {user_id}, "listing cases"));
      std::vector<wire::CaseSummary> out;
      for (int i = 0; i < r.size(); ++i) out.push_back(wire::CaseSummary{r.Text(i, 0), r.Int(i, 1)});
      return out;
    });
  }

  Result<std::vector<wire::MemberEntry>> ListMembers(const std::string& case_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::MemberEntry>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT user_id, removed FROM members WHERE case_id = $1 ORDER BY user_id COLLATE \"C\"",
                                       {case_id}, "listing members"));
      std::vector<wire::MemberEntry> out;
      for (int i = 0; i < r.size(); ++i) out.push_back(wire::MemberEntry{r.Text(i, 0), r.Bool(i, 1)});
      return out;
    });
  }

  Result<std::string> CaseCreator(const std::string& case_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::string> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT created_by FROM cases WHERE id = $1", {case_id}, "reading the case's creator"));
      if (r.empty()) return MakeError(ErrorCode::kNotFound, "no such case");
      return r.Text(0, 0);
    });
  }

  // ---- operation log ----
  // Sequence numbers are per case, without gaps: the transaction first takes the case's case_seq row lock
  // (an upsert), so appends to one case — from any process — run one after another, and a reader never sees
  // seq n+1 committed before seq n (a puller resuming after n+1 would otherwise miss n for ever). Appends
  // to different cases do not wait for each other. READ COMMITTED: once the lock is held, each statement
  // sees what the previous holder committed.
  Result<std::vector<wire::OpAck>> AppendOps(const std::string& case_id, const std::string& device_id,
                                             const std::vector<StoredOp>& ops, const wire::OpBatch& batch) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::OpAck>> {
      CP_ASSIGN_OR_RETURN(auto lock, tx.Q("INSERT INTO case_seq(case_id, last_seq) VALUES($1, 0) ON CONFLICT (case_id) "
                                          "DO UPDATE SET last_seq = case_seq.last_seq RETURNING last_seq",
                                          {case_id}, "locking the case's log"));
      std::int64_t last = lock.Int(0, 0);
      const std::int64_t first_last = last;
      std::set<std::string> checked;
      for (const auto& op : ops) {
        std::string replica = ReplicaOf(op.op_id);
        if (replica.empty() || !checked.insert(replica).second) continue;
        CP_RETURN_IF_ERROR(tx.Run("INSERT INTO replica_devices(case_id, replica, device_id) VALUES($1,$2,$3) "
                                  "ON CONFLICT DO NOTHING",
                                  {case_id, replica, device_id}, "binding replica"));
        CP_ASSIGN_OR_RETURN(auto b, tx.Q("SELECT device_id FROM replica_devices WHERE case_id = $1 AND replica = $2",
                                         {case_id, replica}, "reading replica binding"));
        if (b.empty() || b.Text(0, 0) != device_id)
          return MakeError(ErrorCode::kAuthFailed,
                           "operation " + op.op_id.substr(0, 40) + " is under another device's replica id");
      }
      // The ops of the batch already stored (a retried push), in one query.
      std::string ids = "{";
      for (const auto& op : ops) {
        ids += ids.size() > 1 ? ",\"" : "\"";
        for (char ch : op.op_id) {
          if (ch == '"' || ch == '\\') ids += '\\';
          ids += ch;
        }
        ids += '"';
      }
      ids += "}";
      CP_ASSIGN_OR_RETURN(auto have, tx.Q("SELECT op_id, seq, blob FROM ops WHERE case_id = $1 AND op_id = ANY($2::text[])",
                                          {case_id, ids}, "reading existing ops"));
      std::map<std::string, std::pair<std::int64_t, Bytes>> existing;
      for (int i = 0; i < have.size(); ++i) existing[have.Text(i, 0)] = {have.Int(i, 1), have.Blob(i, 2)};
      // A sealed batch not stored yet starts after every counter stored under its replica (docs/api.md).
      for (const auto& op : ops) {
        auto span = ParseBatchOpId(op.op_id);
        if (!span || existing.count(op.op_id)) continue;
        static const std::string kSql = "SELECT coalesce(max(" + std::string(kLastCounterSql) + "), 0) FROM ops o "
                                        "WHERE o.case_id = $1 AND o.op_id >= ($2 || '-') COLLATE \"C\" "
                                        "AND o.op_id < ($2 || '.') COLLATE \"C\"";
        CP_ASSIGN_OR_RETURN(auto m, tx.Q(kSql.c_str(), {case_id, span->replica}, "reading the replica's last counter"));
        if (m.Int(0, 0) >= static_cast<std::int64_t>(span->first)) return BatchOverlapsStored(op.op_id);
      }
      std::vector<wire::OpAck> acks;
      acks.reserve(ops.size());
      std::vector<std::vector<Param>> rows;
      for (const auto& op : ops) {
        auto it = existing.find(op.op_id);
        if (it != existing.end()) {
          if (it->second.second != op.blob) return MakeError(ErrorCode::kConflict, "op_id already used with different content");
          acks.push_back(wire::OpAck{op.op_id, it->second.first});
          continue;
        }
        ++last;
        existing[op.op_id] = {last, op.blob};  // the same id twice in one batch is one op
        rows.push_back({case_id, last, op.op_id, op.epoch, device_id, op.blob});
        acks.push_back(wire::OpAck{op.op_id, last});
      }
      if (!rows.empty()) {  // a retried push stores nothing new: its ops keep the batch they came in first
        CP_ASSIGN_OR_RETURN(std::int64_t batch_id, InsertBatch(tx, case_id, device_id, batch));
        for (auto& row : rows) row.emplace_back(batch_id);
      }
      CP_RETURN_IF_ERROR(tx.Pipeline("INSERT INTO ops(case_id, seq, op_id, epoch, device_id, blob, batch) "
                                     "VALUES($1,$2,$3,$4,$5,$6,$7)",
                                     rows, "appending ops"));
      if (last != first_last) {
        CP_RETURN_IF_ERROR(tx.Run("UPDATE case_seq SET last_seq = $2 WHERE case_id = $1", {case_id, last},
                                  "advancing the case's log"));
      }
      return acks;
    });
  }

  Result<std::vector<wire::OpOut>> PullOps(const std::string& case_id, std::int64_t after, int limit) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::OpOut>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT seq, op_id, epoch, device_id, blob, coalesce(batch, 0) FROM ops WHERE case_id = $1 AND seq > $2 "
                                       "ORDER BY seq LIMIT $3",
                                       {case_id, after, static_cast<std::int64_t>(limit)}, "pulling ops"));
      std::vector<wire::OpOut> out;
      out.reserve(static_cast<std::size_t>(r.size()));
      for (int i = 0; i < r.size(); ++i) {
        out.push_back(wire::OpOut{r.Int(i, 0), r.Text(i, 1), r.Int(i, 2), r.Text(i, 3), r.Blob(i, 4), r.Int(i, 5)});
      }
      return out;
    });
  }

  static Result<std::int64_t> InsertBatch(Tx& tx, const std::string& case_id, const std::string& device_id,
                                          const wire::OpBatch& batch) {
    CP_ASSIGN_OR_RETURN(auto b, tx.Q("INSERT INTO op_batches(case_id, device_id, manifest, sig) VALUES($1,$2,$3,$4) "
                                     "RETURNING id",
                                     {case_id, device_id, batch.manifest, batch.sig}, "storing the batch signature"));
    return b.Int(0, 0);
  }

  Result<std::vector<wire::OpBatch>> GetOpBatches(const std::string& case_id,
                                                  const std::vector<std::int64_t>& ids) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::OpBatch>> {
      std::string list = "{";
      for (std::int64_t id : ids) list += (list.size() > 1 ? "," : "") + std::to_string(id);
      list += "}";
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT id, device_id, manifest, sig FROM op_batches WHERE case_id = $1 "
                                       "AND id = ANY($2::bigint[]) ORDER BY id",
                                       {case_id, list}, "reading batch signatures"));
      std::vector<wire::OpBatch> out;
      for (int i = 0; i < r.size(); ++i) out.push_back(wire::OpBatch{r.Int(i, 0), r.Text(i, 1), r.Blob(i, 2), r.Blob(i, 3)});
      return out;
    });
  }

  Result<std::vector<wire::OpOut>> UnsignedOps(const std::string& case_id, const std::string& device_id,
                                               int limit) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<wire::OpOut>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q(
          "SELECT o.seq, o.op_id, o.epoch, o.device_id, o.blob FROM ops o JOIN replica_devices r "
          "ON r.case_id = o.case_id AND r.replica = substr(o.op_id, 1, 16) "
          "WHERE o.case_id = $1 AND o.batch IS NULL AND o.device_id = $2 AND r.device_id = o.device_id "
          "ORDER BY o.seq LIMIT $3",
          {case_id, device_id, static_cast<std::int64_t>(limit)}, "reading unsigned ops"));
      std::vector<wire::OpOut> out;
      for (int i = 0; i < r.size(); ++i)
        out.push_back(wire::OpOut{r.Int(i, 0), r.Text(i, 1), r.Int(i, 2), r.Text(i, 3), r.Blob(i, 4), 0});
      return out;
    });
  }

  Status SignStoredOps(const std::string& case_id, const std::string& device_id, const std::vector<std::string>& op_ids,
                       const wire::OpBatch& batch) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      // The case's log lock, as in AppendOps: the moved ops take the next seqs in order.
      CP_ASSIGN_OR_RETURN(auto lock, tx.Q("INSERT INTO case_seq(case_id, last_seq) VALUES($1, 0) ON CONFLICT (case_id) "
                                          "DO UPDATE SET last_seq = case_seq.last_seq RETURNING last_seq",
                                          {case_id}, "locking the case's log"));
      std::int64_t last = lock.Int(0, 0);
      CP_ASSIGN_OR_RETURN(std::int64_t batch_id, InsertBatch(tx, case_id, device_id, batch));
      for (const auto& op_id : op_ids) {
        CP_ASSIGN_OR_RETURN(auto moved, tx.Q(
            "UPDATE ops o SET seq = $4, batch = $5 FROM replica_devices r WHERE o.case_id = $1 AND o.op_id = $2 "
            "AND o.batch IS NULL AND o.device_id = $3 AND r.case_id = o.case_id AND r.replica = substr(o.op_id, 1, 16) "
            "AND r.device_id = o.device_id RETURNING o.seq",
            {case_id, op_id, device_id, last + 1, batch_id}, "moving a signed op"));
        if (moved.empty())
          return MakeError(ErrorCode::kNotFound, "operation " + op_id.substr(0, 40) + " is not an unsigned operation of this device");
        ++last;
      }
      return tx.Run("UPDATE case_seq SET last_seq = $2 WHERE case_id = $1", {case_id, last}, "advancing the case's log");
    });
  }

  // ---- blobs ----
  Result<bool> PutBlob(const std::string& case_id, const std::string& blob_id, const Bytes& data) override {
    return ReadCommitted([&](Tx& tx) -> Result<bool> {
      CP_ASSIGN_OR_RETURN(auto ins, tx.Q("INSERT INTO blobs(case_id, blob_id, data) VALUES($1,$2,$3) ON CONFLICT DO NOTHING",
                                         {case_id, blob_id, data}, "storing blob"));
      if (ins.Changed() == 1) return true;
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT data FROM blobs WHERE case_id = $1 AND blob_id = $2", {case_id, blob_id},
                                       "reading blob"));
      if (r.empty() || r.Blob(0, 0) != data) return MakeError(ErrorCode::kConflict, "blob id already used with different content");
      return false;
    });
  }

  Result<Bytes> GetBlob(const std::string& case_id, const std::string& blob_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<Bytes> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT data FROM blobs WHERE case_id = $1 AND blob_id = $2", {case_id, blob_id},
                                       "reading blob"));
      if (r.empty()) return MakeError(ErrorCode::kNotFound, "no such blob");
      return r.Blob(0, 0);
    });
  }

  Result<StoreCounts> Counts() override {
    return Snapshot([&](Tx& tx) -> Result<StoreCounts> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM devices), "
                                       "(SELECT count(*) FROM cases), (SELECT count(*) FROM ops)",
                                       {}, "counting"));
      return StoreCounts{r.Int(0, 0), r.Int(0, 1), r.Int(0, 2), r.Int(0, 3)};
    });
  }

  // ---- retention ----
  Status SetPurgeDate(const std::string& case_id, const std::string& purge_on, const std::string& by,
                      std::int64_t now_ms) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_RETURN_IF_ERROR(CaseEpochForUpdate(tx, case_id));
      CP_RETURN_IF_ERROR(EnsureRetentionRow(tx, case_id));
      return tx.Run("UPDATE case_retention SET purge_on = $1, set_by = $2, set_ms = $3 WHERE case_id = $4",
                  {purge_on.empty() ? Param::Null() : Param(purge_on), by, now_ms, case_id}, "storing purge date")
          ;
    });
  }

  Status SetHold(const std::string& case_id, bool held, const std::string& by, std::int64_t now_ms) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_RETURN_IF_ERROR(CaseEpochForUpdate(tx, case_id));
      CP_RETURN_IF_ERROR(EnsureRetentionRow(tx, case_id));
      return tx.Run("UPDATE case_retention SET held = $1, held_by = $2, held_ms = $3 WHERE case_id = $4 AND held <> $1",
                  {held, by, now_ms, case_id}, "storing hold")
          ;
    });
  }

  Result<CaseRetentionState> GetRetention(const std::string& case_id) override {
    return Snapshot([&](Tx& tx) -> Result<CaseRetentionState> {
      CP_ASSIGN_OR_RETURN(auto c, tx.Q("SELECT 1 FROM cases WHERE id = $1", {case_id}, "reading case"));
      if (c.empty()) return MakeError(ErrorCode::kNotFound, "no such case");
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT purge_on, held, held_by, held_ms FROM case_retention WHERE case_id = $1",
                                       {case_id}, "reading retention"));
      CaseRetentionState s;
      if (!r.empty()) {
        s.purge_on = r.Text(0, 0);
        s.held = r.Bool(0, 1);
        if (s.held) {
          s.held_by = r.Text(0, 2);
          s.held_at_ms = r.Int(0, 3);
        }
      }
      return s;
    });
  }

  // One retention pass at a time across every process on the database (a transaction-level advisory lock):
  // a process that finds another's pass running returns no cases, since that pass purges them. Each due
  // case's row is locked (FOR UPDATE), so a hold placed concurrently either lands first (the case is not
  // due any more) or waits until the purge committed (and then finds no case).
  Result<std::vector<std::string>> PurgeDue(const std::string& today, std::int64_t now_ms) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<std::string>> {
      CP_ASSIGN_OR_RETURN(auto lock, tx.Q(kPurgeLock, {}, "locking the retention pass"));
      if (!lock.Bool(0, 0)) return std::vector<std::string>{};
      CP_ASSIGN_OR_RETURN(auto due, tx.Q("SELECT case_id, purge_on FROM case_retention WHERE purge_on IS NOT NULL "
                                         "AND purge_on <= $1 AND NOT held ORDER BY case_id COLLATE \"C\" FOR UPDATE",
                                         {today}, "finding due cases"));
      std::vector<std::string> ids;
      for (int i = 0; i < due.size(); ++i) {
        const std::string id = due.Text(i, 0);
        static const char* const kDeletes[] = {
            "INSERT INTO tombstone_members(case_id, user_id) SELECT case_id, user_id FROM members "
            "WHERE case_id = $1 AND NOT removed ON CONFLICT DO NOTHING",
            "DELETE FROM ops WHERE case_id = $1",
            "DELETE FROM op_batches WHERE case_id = $1",
            "DELETE FROM case_seq WHERE case_id = $1",
            "DELETE FROM blobs WHERE case_id = $1",
            "DELETE FROM envelopes WHERE case_id = $1",
            "DELETE FROM members WHERE case_id = $1",
            "DELETE FROM cases WHERE id = $1",
            "DELETE FROM case_retention WHERE case_id = $1",
        };
        for (const char* sql : kDeletes) CP_RETURN_IF_ERROR(tx.Run(sql, {id}, "purging case"));
        CP_RETURN_IF_ERROR(tx.Run("INSERT INTO tombstones(case_id, purge_on, purged_ms) VALUES($1,$2,$3) ON CONFLICT DO NOTHING",
                                {id, due.Text(i, 1), now_ms}, "recording tombstone"));
        ids.push_back(id);
      }
      return ids;
    });
  }

  Result<std::vector<ServerTombstone>> ListTombstones(const std::string& user_id, std::int64_t after) override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<ServerTombstone>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT t.seq, t.case_id, t.purge_on, t.purged_ms FROM tombstones t "
                                       "JOIN tombstone_members m ON m.case_id = t.case_id "
                                       "WHERE m.user_id = $1 AND t.seq > $2 ORDER BY t.seq",
                                       {user_id, after}, "reading tombstones"));
      return Tombstones(r);
    });
  }

  Result<std::vector<ServerTombstone>> AllTombstones() override {
    return ReadCommitted([&](Tx& tx) -> Result<std::vector<ServerTombstone>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT seq, case_id, purge_on, purged_ms FROM tombstones ORDER BY seq", {},
                                       "reading tombstones"));
      return Tombstones(r);
    });
  }

  Result<bool> WasMember(const std::string& case_id, const std::string& user_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<bool> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT 1 FROM tombstone_members WHERE case_id = $1 AND user_id = $2",
                                       {case_id, user_id}, "reading tombstone members"));
      return !r.empty();
    });
  }

  Result<bool> IsPurged(const std::string& case_id) override {
    return ReadCommitted([&](Tx& tx) -> Result<bool> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT 1 FROM tombstones WHERE case_id = $1", {case_id}, "reading tombstones"));
      return !r.empty();
    });
  }

  Status PutReceipt(const StoredReceipt& r) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      return tx.Run("INSERT INTO purge_receipts(case_id, device_id, store_id, purged_at, public_key, signature, received_ms) "
                  "VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (case_id, device_id) DO UPDATE SET store_id = excluded.store_id, "
                  "purged_at = excluded.purged_at, public_key = excluded.public_key, signature = excluded.signature, "
                  "received_ms = excluded.received_ms",
                  {r.case_id, r.device_id, r.store_id, r.purged_at, r.public_key, r.signature, r.received_ms},
                  "storing receipt")
          ;
    });
  }

  Result<std::vector<Confirmation>> Confirmations(const std::string& case_id) override {
    return Snapshot([&](Tx& tx) -> Result<std::vector<Confirmation>> {
      CP_ASSIGN_OR_RETURN(auto t, tx.Q("SELECT 1 FROM tombstones WHERE case_id = $1", {case_id}, "reading tombstones"));
      const bool purged = !t.empty();
      if (!purged) {
        CP_ASSIGN_OR_RETURN(auto c, tx.Q("SELECT 1 FROM cases WHERE id = $1", {case_id}, "reading case"));
        if (c.empty()) return MakeError(ErrorCode::kNotFound, "no such case");
      }
      CP_ASSIGN_OR_RETURN(auto r, tx.Q(
          purged ? "SELECT d.user_id, d.id, r.purged_at, r.received_ms, r.store_id, r.public_key, r.signature "
                   "FROM tombstone_members m JOIN devices d ON d.user_id = m.user_id "
                   "LEFT JOIN purge_receipts r ON r.case_id = m.case_id AND r.device_id = d.id "
                   "WHERE m.case_id = $1 AND NOT d.revoked ORDER BY d.user_id COLLATE \"C\", d.id COLLATE \"C\""
                 : "SELECT d.user_id, d.id, r.purged_at, r.received_ms, r.store_id, r.public_key, r.signature "
                   "FROM members m JOIN devices d ON d.user_id = m.user_id "
                   "LEFT JOIN purge_receipts r ON r.case_id = m.case_id AND r.device_id = d.id "
                   "WHERE m.case_id = $1 AND NOT m.removed AND NOT d.revoked ORDER BY d.user_id COLLATE \"C\", d.id COLLATE \"C\"",
          {case_id}, "reading confirmations"));
      std::vector<Confirmation> out;
      for (int i = 0; i < r.size(); ++i) {
        Confirmation c;
        c.user_id = r.Text(i, 0);
        c.device_id = r.Text(i, 1);
        c.confirmed = !r.IsNull(i, 2);
        if (c.confirmed) {
          c.purged_at = r.Text(i, 2);
          c.received_ms = r.Int(i, 3);
          c.store_id = r.Text(i, 4);
          c.public_key = r.Blob(i, 5);
          c.signature = r.Blob(i, 6);
        }
        out.push_back(std::move(c));
      }
      return out;
    });
  }

  // The newest version's row decides; the primary key on version settles two concurrent writers of one
  // version (the second gets kConflict from the unique violation).
  Status PutPolicy(const StoredPolicy& p) override {
    return ReadCommitted([&](Tx& tx) -> Status {
      CP_ASSIGN_OR_RETURN(auto v, tx.Q("SELECT coalesce(max(version), 0) FROM retention_policy", {}, "reading policy"));
      if (v.Int(0, 0) >= p.version) {
        return MakeError(ErrorCode::kConflict, "policy version " + std::to_string(p.version) + " is not newer");
      }
      return tx.Run("INSERT INTO retention_policy(version, record, device_id, signature) VALUES($1,$2,$3,$4)",
                  {p.version, p.record, p.device_id, p.signature}, "storing policy")
          ;
    });
  }

  Result<StoredPolicy> GetPolicy() override {
    return ReadCommitted([&](Tx& tx) -> Result<StoredPolicy> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT version, record, device_id, signature FROM retention_policy "
                                       "ORDER BY version DESC LIMIT 1",
                                       {}, "reading policy"));
      StoredPolicy p;
      if (!r.empty()) {
        p.version = r.Int(0, 0);
        p.record = r.Text(0, 1);
        p.device_id = r.Text(0, 2);
        p.signature = r.Blob(0, 3);
      }
      return p;
    });
  }

  // ---- metrics ----
  // Rows are upserted in name order (the map's), so two processes flushing at once lock them in the same
  // order and cannot deadlock; one pipeline, one round trip.
  Status AddCounters(const std::map<std::string, std::int64_t>& deltas) override {
    if (deltas.empty()) return Ok();
    std::vector<std::vector<Param>> rows;
    rows.reserve(deltas.size());
    for (const auto& [name, n] : deltas) rows.push_back({name, n});
    return ReadCommitted([&](Tx& tx) -> Status {
      return tx.Pipeline("INSERT INTO metric_counters(name, value) VALUES($1,$2) "
                         "ON CONFLICT (name) DO UPDATE SET value = metric_counters.value + excluded.value",
                         rows, "adding to metric counters");
    });
  }

  Result<std::map<std::string, std::int64_t>> ReadCounters() override {
    return ReadCommitted([&](Tx& tx) -> Result<std::map<std::string, std::int64_t>> {
      CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT name, value FROM metric_counters", {}, "reading metric counters"));
      std::map<std::string, std::int64_t> out;
      for (int i = 0; i < r.size(); ++i) out[r.Text(i, 0)] = r.Int(i, 1);
      return out;
    });
  }

 private:
  static std::vector<ServerTombstone> Tombstones(const Rows& r) {
    std::vector<ServerTombstone> out;
    for (int i = 0; i < r.size(); ++i) out.push_back(ServerTombstone{r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3)});
    return out;
  }

  static Status EnsureRetentionRow(Tx& tx, const std::string& case_id) {
    return tx.Run("INSERT INTO case_retention(case_id) VALUES($1) ON CONFLICT DO NOTHING", {case_id}, "storing retention")
        ;
  }

  // replace=false: an existing envelope is kept (another member may not overwrite someone's key copy; a
  // re-sent envelope is a no-op, which keeps retries idempotent).
  static Status InsertEnvelope(Tx& tx, const std::string& case_id, std::int64_t epoch, const std::string& user_id,
                               const Bytes& sealed, bool replace) {
    return tx.Run(replace ? "INSERT INTO envelopes(case_id, epoch, user_id, sealed) VALUES($1,$2,$3,$4) "
                          "ON CONFLICT (case_id, user_id, epoch) DO UPDATE SET sealed = excluded.sealed"
                        : "INSERT INTO envelopes(case_id, epoch, user_id, sealed) VALUES($1,$2,$3,$4) ON CONFLICT DO NOTHING",
                {case_id, epoch, user_id, sealed}, "storing envelope")
        ;
  }

  static Result<bool> EpochKeyed(Tx& tx, const std::string& case_id, std::int64_t epoch) {
    CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT 1 FROM envelopes WHERE case_id = $1 AND epoch = $2 LIMIT 1", {case_id, epoch},
                                     "reading envelopes"));
    return !r.empty();
  }

  static Result<std::int64_t> CaseEpochForUpdate(Tx& tx, const std::string& case_id) {
    CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT epoch FROM cases WHERE id = $1 FOR UPDATE", {case_id}, "reading case"));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "no such case");
    return r.Int(0, 0);
  }

  static Result<std::int64_t> MemberEpochIn(Tx& tx, const std::string& case_id, const std::string& user_id) {
    CP_ASSIGN_OR_RETURN(auto r, tx.Q("SELECT c.epoch FROM members m JOIN cases c ON c.id = m.case_id "
                                     "WHERE m.case_id = $1 AND m.user_id = $2 AND NOT m.removed",
                                     {case_id, user_id}, "reading membership"));
    if (r.empty()) return MakeError(ErrorCode::kNotFound, "no such case");
    return r.Int(0, 0);
  }

  Pool pool_;
};

}  // namespace

bool IsPostgresUrl(std::string_view database) {
  return database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<ServerStore>> OpenPostgresStore(const std::string& url, std::size_t pool_size) {
  if (!IsPostgresUrl(url)) {
    return MakeError(ErrorCode::kInvalidArgument, "a PostgreSQL database is named by a postgresql:// URL");
  }
  if (pool_size == 0) return MakeError(ErrorCode::kInvalidArgument, "the connection pool needs at least one connection");
  auto store = std::make_unique<PgStore>(url, pool_size);
  CP_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<ServerStore>(std::move(store));
}

}  // namespace casepack::server
