#include "casepack/db.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

namespace casepack {

namespace {
std::atomic<Database::HolderDescriber> g_holder_describer{nullptr};

// A write lock that could not be had within kBusyWaitMillis: say who holds it, and that this call changed
// nothing (SQLite rolled the statement back).
Error BusyError(sqlite3* db) {
  const Database::HolderDescriber describe = g_holder_describer.load();
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  const std::string who = describe != nullptr && file != nullptr && *file != '\0' ? describe(file) : "another process";
  return MakeError(ErrorCode::kUnavailable,
                   "the store is busy: " + who + " kept it for writing for more than " +
                       std::to_string(Database::kBusyWaitMillis / 1000) + " s; nothing was changed",
                   "try again when that command has finished");
}
}  // namespace

// The background half of group commit (db.h): makes the write-ahead log durable as soon as a commit
// under a GroupCommit has put something in it. fdatasync of any descriptor of the log file flushes what
// SQLite's connection wrote to it; the file is opened afresh each time, because a checkpoint may have
// removed it (then what it held is in the database file, which the checkpoint synced).
class WalSyncer {
 public:
  explicit WalSyncer(std::filesystem::path wal) : wal_(std::move(wal)), thread_([this] { Run(); }) {}
  ~WalSyncer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();  // Run syncs what is pending before it stops
  }
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  void Committed() {
    {
      std::lock_guard lock(mu_);
      if (committed_ == synced_) oldest_unsynced_ = std::chrono::steady_clock::now();
      ++committed_;
      ++stats_.commits;
    }
    cv_.notify_all();
  }
  bool failed() const {
    std::lock_guard lock(mu_);
    return stats_.failed;
  }
  Status WaitDurable(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    const std::uint64_t target = committed_;
    if (!cv_.wait_for(lock, timeout, [&] { return synced_ >= target || stats_.failed; }))
      return MakeError(ErrorCode::kUnavailable, "the store's write-ahead log was not made durable in time");
    if (stats_.failed) return MakeError(ErrorCode::kIo, "making the store's write-ahead log durable failed: " + error_);
    return Ok();
  }
  GroupCommitStats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || committed_ > synced_; });
      if (committed_ == synced_) return;  // stopping, nothing pending
      const std::uint64_t target = committed_;
      const auto since = oldest_unsynced_;
      lock.unlock();
      std::string error;
      const int fd = ::open(wal_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        if (::fdatasync(fd) != 0) error = std::strerror(errno);
        ::close(fd);
      } else if (errno != ENOENT) {
        error = std::strerror(errno);
      }
      const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - since);
      lock.lock();
      synced_ = target;
      ++stats_.syncs;
      stats_.max_lag = std::max(stats_.max_lag, lag);
      if (!error.empty()) {
        stats_.failed = true;
        error_ = error;
      }
      if (committed_ > synced_) oldest_unsynced_ = std::chrono::steady_clock::now();
      cv_.notify_all();
    }
  }

  const std::filesystem::path wal_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t committed_ = 0, synced_ = 0;
  std::chrono::steady_clock::time_point oldest_unsynced_{};
  GroupCommitStats stats_;
  std::string error_;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything above is built
};

// Whether PRAGMA query_only is on (set only by the full-disk fallback); reads no page.
bool QueryOnly(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA query_only;", -1, &st, nullptr) != SQLITE_OK) return false;
  const bool on = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
  sqlite3_finalize(st);
  return on;
}

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY) return BusyError(db);
  const int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  ErrorCode code = ErrorCode::kIo;
  switch (primary) {
    case SQLITE_FULL: code = ErrorCode::kNoSpace; detail = "the disk is full"; break;
    case SQLITE_NOTADB: code = ErrorCode::kAuthFailed; break;
    case SQLITE_CORRUPT: code = ErrorCode::kCorrupt; detail = "the database is damaged"; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = ErrorCode::kUnavailable; break;
    case SQLITE_CONSTRAINT: code = ErrorCode::kConflict; break;
    case SQLITE_READONLY:
      if (db != nullptr && QueryOnly(db)) {  // the full-disk fallback of Database::Open
        code = ErrorCode::kNoSpace;
        detail = "the disk is full: the store is open read only";
      } else {
        code = ErrorCode::kIo;
        detail = "the store is read-only";
      }
      break;
    case SQLITE_CANTOPEN: code = ErrorCode::kIo; detail = "cannot open the database file"; break;
    case SQLITE_IOERR:
      if (sys_errno == ENOSPC || sys_errno == EFBIG || sys_errno == EDQUOT) {
        code = ErrorCode::kNoSpace;
        detail = "the disk is full";
      } else if (sys_errno == EROFS || sys_errno == EACCES || sys_errno == EPERM) {
        detail = "the store is read-only";
      } else if (sys_errno != 0) {
        detail = std::strerror(sys_errno);
      }
      break;
    default: break;
  }
  return Error{code, std::string(what) + ": " + detail, {}};
}

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int index, std::span<const std::uint8_t> blob) {
  // A zero-length blob must still be a blob, not NULL: pass a valid pointer.
  static const std::uint8_t kEmpty = 0;
  sqlite3_bind_blob(stmt_, index, blob.empty() ? &kEmpty : blob.data(), static_cast<int>(blob.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "database step");
}

Status Statement::Run() {
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
std::string Statement::Text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}
std::span<const std::uint8_t> Statement::BlobView(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::span<const std::uint8_t>() : std::span<const std::uint8_t>(p, static_cast<std::size_t>(n));
}
Bytes Statement::Blob(int column) const {
  auto v = BlobView(column);
  return Bytes(v.begin(), v.end());
}
bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// ---- Database ----

Result<Database> Database::Open(const std::filesystem::path& file, const SecretBytes& key, bool create) {
  auto db = OpenWith(file, key, create, /*exclusive_read_only=*/false);
  if (db.ok() || create || db.error().code != ErrorCode::kNoSpace) return db;
  // A full disk: the shared-memory index (-shm) could not be created, so even reads failed. Reading must
  // still work, so open again holding the file exclusively (the index in memory, no -shm) and read only:
  // other processes wait until this one closes (docs/store.md "Several processes at once").
  auto fallback = OpenWith(file, key, false, /*exclusive_read_only=*/true);
  if (!fallback.ok()) return db;
  fallback->read_only_full_disk_ = true;
  return fallback;
}

Result<Database> Database::OpenWith(const std::filesystem::path& file, const SecretBytes& key, bool create,
                                    bool exclusive_read_only) {
  if (key.size() != 32) return MakeError(ErrorCode::kInvalidArgument, "database key must be 32 bytes");
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  Database db(raw);
  db.file_ = file;
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "opening database");
  sqlite3_extended_result_codes(raw, 1);
  // Before the first statement: the first read, and the switch to the write-ahead log, take locks too, and
  // without a busy handler they failed at once while another process was closing (its checkpoint) or
  // opening. Seen as "the store is busy" from processes started together (MultiProcess under faketime).
  sqlite3_busy_timeout(raw, kBusyWaitMillis);

  // The raw-key form "x'<64 hex>'" built in secure memory, so the key never sits in an ordinary string.
  CP_ASSIGN_OR_RETURN(SecretBytes keyspec, SecretBytes::Zeroed(3 + 64));
  auto ks = keyspec.expose_mutable();
  static constexpr char kHex[] = "0123456789abcdef";
  ks[0] = 'x';
  ks[1] = '\'';
  for (std::size_t i = 0; i < 32; ++i) {
    ks[2 + 2 * i] = static_cast<std::uint8_t>(kHex[key.expose()[i] >> 4]);
    ks[3 + 2 * i] = static_cast<std::uint8_t>(kHex[key.expose()[i] & 0xF]);
  }
  ks[66] = '\'';
  rc = sqlite3_key(raw, ks.data(), static_cast<int>(ks.size()));
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "setting database key");

  // Settings that must be identical on every open (docs/store.md). cipher_page_size must come before the
  // first read.
  CP_RETURN_IF_ERROR(db.Exec("PRAGMA cipher_page_size = 4096;"));
  // Only the full-disk fallback: set before the first WAL access, an exclusive lock keeps the wal-index in
  // memory (no -shm to create); query_only makes sure nothing is written meanwhile. Normally several
  // processes share the store, so the ordinary open never locks it exclusively.
  if (exclusive_read_only) CP_RETURN_IF_ERROR(db.Exec("PRAGMA locking_mode = EXCLUSIVE; PRAGMA query_only = ON;"));
  // The first real read verifies the key: a wrong key reads as "file is not a database".
  rc = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_master;", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    if ((rc & 0xFF) == SQLITE_NOTADB)
      return MakeError(ErrorCode::kAuthFailed, "the database key does not open the database, or the file is damaged");
    return SqliteError(raw, rc, "reading database");
  }
  if (exclusive_read_only) {  // journal_mode would write; the store is in WAL mode already
    CP_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"));
    sqlite3_busy_timeout(raw, kBusyWaitMillis);
    return db;
  }
  CP_RETURN_IF_ERROR(db.Exec(
      "PRAGMA journal_mode = WAL;"
      "PRAGMA synchronous = FULL;"
      "PRAGMA secure_delete = ON;"
      "PRAGMA foreign_keys = ON;"
      "PRAGMA temp_store = MEMORY;"));
  sqlite3_busy_timeout(raw, kBusyWaitMillis);
  return db;
}

Database::Database(sqlite3* db) : db_(db) {}

Database::Database(Database&& other) noexcept
    : db_(other.db_), read_only_full_disk_(other.read_only_full_disk_), file_(std::move(other.file_)),
      syncer_(std::move(other.syncer_)) {
  other.db_ = nullptr;
}
Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    syncer_.reset();
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = other.db_;
    read_only_full_disk_ = other.read_only_full_disk_;
    file_ = std::move(other.file_);
    syncer_ = std::move(other.syncer_);
    other.db_ = nullptr;
  }
  return *this;
}

Status Database::WaitDurable(std::chrono::milliseconds timeout) {
  return syncer_ == nullptr ? Ok() : syncer_->WaitDurable(timeout);
}
GroupCommitStats Database::group_commit_stats() const { return syncer_ == nullptr ? GroupCommitStats{} : syncer_->stats(); }

void Database::SetHolderDescriber(HolderDescriber describe) { g_holder_describer.store(describe); }
Database::~Database() {
  syncer_.reset();  // its last sync first
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Exec(std::string_view sql) {
  const std::string s(sql);
  const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "database");
  return Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "preparing statement");
  return Statement(db_, stmt);
}

Result<std::int64_t> Database::QueryInt(std::string_view sql) {
  CP_ASSIGN_OR_RETURN(Statement st, Prepare(sql));
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no row");
  return st.Int(0);
}

std::int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Status Database::CheckpointTruncate() {
  int log = 0, done = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
  // Another process reading (a window beside a CLI): the log cannot be reset under it. What was committed
  // stays committed; the next checkpoint (automatic, or this call next time) copies and resets the log.
  if ((rc & 0xFF) == SQLITE_BUSY) return Ok();
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "checkpointing the write-ahead log");
  return Ok();
}

// ---- Transaction ----

Result<GroupCommit> GroupCommit::Begin(Database& db) {
  if (db.syncer_ == nullptr) db.syncer_ = std::make_unique<WalSyncer>(db.file_.string() + "-wal");
  if (db.syncer_->failed()) return GroupCommit(nullptr);  // off: commits stay durable on return
  CP_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL;"));
  return GroupCommit(&db);
}

GroupCommit::~GroupCommit() {
  if (db_ == nullptr) return;
  // Back to durable-on-return first: if this fails the connection would stay at NORMAL, so say so loudly
  // rather than silently weakening every later commit.
  if (!db_->Exec("PRAGMA synchronous = FULL;").ok()) std::abort();
  db_->syncer_->Committed();
}

Result<Transaction> Transaction::Begin(Database& db) {
  CP_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE;"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK;");
}

Status Transaction::Commit() {
  if (db_ == nullptr) std::abort();
  Status s = db_->Exec("COMMIT;");
  if (s.ok()) db_ = nullptr;  // else the destructor rolls back
  return s;
}

Result<Statement*> StatementCache::Get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    CP_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
    it = statements_.emplace(std::string(sql), std::move(st)).first;
  }
  it->second.Reset();
  return &it->second;
}

}  // namespace casepack
