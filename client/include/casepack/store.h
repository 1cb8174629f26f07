// The local encrypted store: a directory holding a small plaintext header (store.header) and one
// SQLCipher database (store.db) opened with a random 256-bit key that the header keeps wrapped under a
// passphrase-derived key. Formats and settings: docs/store.md.
//
// A Store object is the unlocked store: it holds the database key and the device identity in secure
// memory and an entry in the store's holder list, all released when it is destroyed. Several processes
// may hold a store open at once: reads never wait, and a write waits up to kWriteWait for another
// process's write to finish, then fails with kUnavailable naming the holders and changing nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "casepack/db.h"
#include "casepack/identity.h"
#include "casepack/kdf.h"
#include "casepack/result.h"
#include "casepack/secret.h"
#include "casepack/trusted_clock.h"

namespace casepack {

inline constexpr int kStoreFormatVersion = 1;

// The plaintext header. Nothing in it is secret; its integrity is protected twice: a checksum catches
// accidental damage (reported as "corrupted header"), and the wrapped key's associated data binds the
// format, store id and KDF settings (so a swapped field reads as a wrong passphrase, never as success).
struct StoreHeader {
  int format_version = kStoreFormatVersion;
  std::string store_id;     // 32 lower-case hex characters
  KdfParams kdf;
  Bytes wrapped_db_key;     // XChaCha20-Poly1305(nonce || ct || tag) of the 32-byte database key

  std::string Serialize() const;
  // kCorrupt for damage or a malformed header, kUnsupported for a newer format version.
  static Result<StoreHeader> Parse(std::string_view text);
  // The bytes bound to the wrapped key as associated data.
  std::string AssociatedData() const;
};

struct StorePaths {
  std::filesystem::path dir;
  std::filesystem::path header() const { return dir / "store.header"; }
  std::filesystem::path database() const { return dir / "store.db"; }
  std::filesystem::path holders() const { return dir / "store.holders"; }
};

struct StoreCounts {
  std::int64_t cases = 0;
  std::int64_t documents = 0;
  std::int64_t operations = 0;
};

// Time spent unlocking, for the benchmark: key derivation versus everything after it.
struct UnlockTimings {
  std::chrono::nanoseconds kdf{0};
  std::chrono::nanoseconds after_kdf{0};
};

// This process's entry in the store's holder list (store.holders/, one file per open Store, flock-held
// while open, removed when closed). Any number of processes may have a store open at once (readers never
// wait: SQLite WAL); writers serialise on the database itself and wait up to Store::kWriteWait for each
// other. The list is what lets a writer whose wait ran out say who holds the store (docs/store.md).
class StoreLock {
 public:
  // kIo if the directory is not writable.
  [[nodiscard]] static Result<StoreLock> Acquire(const StorePaths& paths, std::string_view purpose,
                                                 const Clock& clock);
  StoreLock(StoreLock&& other) noexcept : fd_(other.fd_), file_(std::move(other.file_)) { other.fd_ = -1; }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

  // "pid 123 (casepack sync) since 2026-12-01T10:00:00Z" for every live holder other than this process,
  // joined by ", "; entries left by processes that died are removed on the way.
  static std::string DescribeOthers(const StorePaths& paths);

 private:
  StoreLock(int fd, std::filesystem::path file) : fd_(fd), file_(std::move(file)) {}
  int fd_;
  std::filesystem::path file_;
};

class Store {
 public:
  // How long a write waits for another process's write transaction before giving up.
  static constexpr int kWriteWaitMillis = 5000;

  // Creates a new store in `dir` (created with mode 0700 if missing; an existing directory must be empty).
  // REQUIRES: the passphrase has passed CheckPassphraseStrength (the CLI enforces it; tests may not).
  // On failure nothing is left behind: files made so far are removed. kConflict if a store already
  // exists there, kIo/kNoSpace from the file system.
  [[nodiscard]] static Result<std::unique_ptr<Store>> Create(const std::filesystem::path& dir,
                                                             std::string_view passphrase, KdfParams kdf,
                                                             std::string_view purpose = "casepack init",
                                                             const Clock& clock = EnvironmentClock());
  // Unlocks an existing store. kNotFound (no such directory / not a store), kUnsupported (newer format),
  // kCorrupt (damaged header or database), kAuthFailed (wrong passphrase), kConflict (held by another
  // process). Applies pending schema migrations, each in its own transaction.
  [[nodiscard]] static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir,
                                                           std::string_view passphrase,
                                                           std::string_view purpose = "casepack",
                                                           const Clock& clock = EnvironmentClock());

  // Re-wraps the database key under a new passphrase (fresh salt, `kdf` settings) and replaces the header
  // atomically; the old passphrase stops working. The database itself is not re-encrypted.
  [[nodiscard]] Status ChangePassphrase(std::string_view new_passphrase, KdfParams kdf);

  // Reads counts of what the store holds; kCorrupt if the database is damaged.
  [[nodiscard]] Result<StoreCounts> Counts();
  // Full integrity check of every page (slow on large stores). kCorrupt with SQLite's finding.
  [[nodiscard]] Status Verify();

  const StorePaths& paths() const { return paths_; }
  const StoreHeader& header() const { return header_; }
  const std::string& id() const { return header_.store_id; }
  int schema_version() const { return schema_version_; }
  const Identity& identity() const { return identity_; }
  const UnlockTimings& unlock_timings() const { return timings_; }
  Database& db() { return db_; }
  // The clock given at Create/Open: every "now" of the services built on this store.
  const Clock& clock() const { return *clock_; }

 private:
  Store(StorePaths paths, StoreHeader header, StoreLock lock, SecretBytes db_key, Database db, Identity identity)
      : paths_(std::move(paths)), header_(std::move(header)), lock_(std::move(lock)),
        db_key_(std::move(db_key)), db_(std::move(db)), identity_(std::move(identity)) {}

  StorePaths paths_;
  StoreHeader header_;
  StoreLock lock_;
  SecretBytes db_key_;
  Database db_;
  Identity identity_;
  int schema_version_ = 0;
  UnlockTimings timings_;
  const Clock* clock_ = &EnvironmentClock();
};

// Refuses empty or weak passphrases with a hint. The rule: at least 12 characters, not one repeated
// character or a well-known password, and at least 3 distinct words or character classes' worth of variety.
[[nodiscard]] Status CheckPassphraseStrength(std::string_view passphrase);

// Writes `contents` to `path` atomically: a temporary file in the same directory, fsync, rename, fsync of
// the directory. On failure the old file is untouched and the temporary file removed.
[[nodiscard]] Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents,
                                         unsigned mode = 0600);

}  // namespace casepack
