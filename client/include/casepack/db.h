// A thin RAII layer over SQLCipher's C API for the client store: errors as values, statements that
// finalise themselves, transactions that roll back unless committed. Not thread safe: one Database per
// thread. The key is passed as raw bytes (sqlite3_key with "x'…'") so SQLCipher's own KDF is never used.
#pragma once

#include <sqlcipher/sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "casepack/encoding.h"
#include "casepack/result.h"
#include "casepack/secret.h"

namespace casepack {

// Maps a SQLite result code (with the OS errno where relevant) to our error codes, with `what` as context.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Bind by 1-based index. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, std::span<const std::uint8_t> blob);
  Statement& BindNull(int index);

  // Advances: true when a row is ready, false when done. Errors as values.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  void Reset();

  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  Bytes Blob(int column) const;
  std::span<const std::uint8_t> BlobView(int column) const;  // valid until the next Step/Reset
  bool IsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class WalSyncer;

// What group commit has done so far (for the keystroke benchmark and tests).
struct GroupCommitStats {
  std::uint64_t commits = 0;                   // transactions committed under a GroupCommit
  std::uint64_t syncs = 0;                     // fdatasync calls of the write-ahead log that followed
  std::chrono::microseconds max_lag{0};        // longest time from such a commit to its sync's end
  bool failed = false;                         // a sync failed: group commit is off for this connection
};

class Database {
 public:
  // How long a statement or BEGIN IMMEDIATE waits for another connection's write lock (SQLite's busy
  // handler) before failing with kUnavailable. Readers in WAL mode never wait for a writer.
  static constexpr int kBusyWaitMillis = 5000;

  // Opens (or with create=true, creates) an SQLCipher database with a raw 32-byte key and the settings in
  // docs/store.md. kAuthFailed if the key is wrong, kCorrupt if the file is not a database or damaged,
  // kIo if the file cannot be opened. On a full disk (kNoSpace) an existing database is opened again
  // exclusively and read only (read_only_full_disk()).
  [[nodiscard]] static Result<Database> Open(const std::filesystem::path& file, const SecretBytes& key,
                                             bool create);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  ~Database();

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // Convenience for single-value queries. kNotFound if no row.
  Result<std::int64_t> QueryInt(std::string_view sql);
  std::int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }

  // Copies the write-ahead log into the database and truncates it to zero bytes; if another process is
  // reading, does what it can and returns Ok (the log is reset by a later checkpoint).
  Status CheckpointTruncate();

  // How a write whose wait ran out names who holds the database ("pid 12 (casepack sync) since …"), from
  // the database file's path; set once by the store (store.h). Without it: "another process".
  using HolderDescriber = std::string (*)(const std::filesystem::path& database_file);
  static void SetHolderDescriber(HolderDescriber describe);

  // Waits until every commit made under a GroupCommit is durable, or `timeout` passes
  // first (kUnavailable); kIo if a background sync failed (the commits after it were durable on return).
  [[nodiscard]] Status WaitDurable(std::chrono::milliseconds timeout);
  GroupCommitStats group_commit_stats() const;

 // True when Open found the disk full and fell back to an exclusive, read-only connection (no -shm
  // needed): reads work, every write fails with kNoSpace, other processes wait until this one closes.
  bool read_only_full_disk() const { return read_only_full_disk_; }

 private:
  friend class GroupCommit;
  explicit Database(sqlite3* db);  // in db.cpp, where WalSyncer is complete
  static Result<Database> OpenWith(const std::filesystem::path& file, const SecretBytes& key, bool create,
                                   bool exclusive_read_only);
  sqlite3* db_ = nullptr;
  bool read_only_full_disk_ = false;
  std::filesystem::path file_;
  std::unique_ptr<WalSyncer> syncer_;  // started by the first GroupCommit
};

// Group commit (docs/store.md "Durability"): for a window that saves on every keystroke. While one is
// alive, a commit returns once SQLite has written it to the write-ahead log (synchronous=NORMAL): a killed
// process loses nothing, since the log is in the kernel's hands. A background thread then makes the log
// durable at once (fdatasync), so a power cut loses at most the commits that sync had not reached — the
// keystroke benchmark prints the longest such window (the promise: under 250 ms). Every other commit is
// durable on return (synchronous=FULL). A failed background sync turns group commit off for the
// connection: every later commit is durable on return and reports its own error.
// REQUIRES: no transaction open when it begins or ends.
class GroupCommit {
 public:
  [[nodiscard]] static Result<GroupCommit> Begin(Database& db);
  GroupCommit(GroupCommit&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  GroupCommit(const GroupCommit&) = delete;
  ~GroupCommit();  // back to synchronous=FULL; hands what was committed to the background sync

 private:
  explicit GroupCommit(Database* db) : db_(db) {}
  Database* db_;
};

// Statements prepared once and reused (a purge runs the same few statements for every case), each reset
// before it is handed out. The owner clears it when its batch ends: a statement left stepped would hold a
// read snapshot open for as long as the cache lives.
class StatementCache {
 public:
  explicit StatementCache(Database& db) : db_(&db) {}
  Result<Statement*> Get(std::string_view sql);
  void Clear() { statements_.clear(); }

 private:
  Database* db_;
  std::map<std::string, Statement, std::less<>> statements_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace casepack
