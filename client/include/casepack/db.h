// A thin RAII layer over SQLCipher's C API for the client store: errors as values, statements that
// finalise themselves, transactions that roll back unless committed. Not thread safe: one Database per
// thread. The key is passed as raw bytes (sqlite3_key with "x'…'") so SQLCipher's own KDF is never used.
#pragma once

#include <sqlcipher/sqlite3.h>

#include <cstdint>
#include <filesystem>
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

class Database {
 public:
  // How long a statement or BEGIN IMMEDIATE waits for another connection's write lock (SQLite's busy
  // handler) before failing with kUnavailable. Readers in WAL mode never wait for a writer.
  static constexpr int kBusyWaitMillis = 5000;

  // Opens (or with create=true, creates) an SQLCipher database with a raw 32-byte key and the settings in
  // docs/store.md. kAuthFailed if the key is wrong, kCorrupt if the file is not a database or damaged,
  // kIo if the file cannot be opened.
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

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
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
