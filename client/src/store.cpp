#include "casepack/store.h"

#include "utc_time.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "casepack/aead.h"
#include "casepack/hash.h"
#include "casepack/migrations.h"
#include "casepack/random.h"

namespace casepack {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "casepack-store";

std::string Checksum(std::string_view text) {
  return HexEncode(Blake2b256(AsBytes(text)));
}

Error Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kCorrupt, "the store header is corrupted (" + std::string(what) + ")",
                   "restore store.header from a backup of this store; the database cannot be opened without it");
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;  // canonical decimal only
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

Error ErrnoError(std::string_view what, const fs::path& path, int err) {
  ErrorCode code = ErrorCode::kIo;
  std::string detail = std::strerror(err);
  std::string hint;
  if (err == ENOSPC || err == EFBIG || err == EDQUOT) {
    code = ErrorCode::kNoSpace;
    detail = "the disk is full";
    hint = "free some space and try again; nothing was changed";
  } else if (err == EROFS || err == EACCES || err == EPERM) {
    detail = "permission denied or read-only file system";
    hint = "check the permissions of " + path.parent_path().string();
  }
  return MakeError(code, std::string(what) + " " + path.string() + ": " + detail, hint);
}

}  // namespace

// ---------------- header ----------------

std::string StoreHeader::AssociatedData() const {
  std::ostringstream out;
  out << kMagic << ' ' << format_version << '\n'
      << "store-id " << store_id << '\n'
      << "kdf argon2id13 ops=" << kdf.ops_limit << " mem=" << kdf.mem_limit << " salt=" << HexEncode(kdf.salt)
      << '\n';
  return out.str();
}

std::string StoreHeader::Serialize() const {
  std::string body = AssociatedData() + "db-key " + Base64Encode(wrapped_db_key) + "\n";
  return body + "checksum " + Checksum(body) + "\n";
}

Result<StoreHeader> StoreHeader::Parse(std::string_view text) {
  const auto lines = SplitLines(text);
  if (lines.empty() || !StartsWith(lines[0], std::string(kMagic) + " ")) {
    return MakeError(ErrorCode::kNotFound, "not a casepack store header");
  }
  int version = 0;
  if (!ParseNumber(lines[0].substr(kMagic.size() + 1), version)) return Corrupt("format line");
  if (version > kStoreFormatVersion) {
    return MakeError(ErrorCode::kUnsupported,
                     "the store has format " + std::to_string(version) + ", newer than this casepack supports (" +
                         std::to_string(kStoreFormatVersion) + ")",
                     "upgrade casepack to open this store");
  }
  if (version < 1) return Corrupt("format line");
  if (lines.size() != 5 || text.back() != '\n') return Corrupt("wrong number of lines");
  if (!StartsWith(lines[4], "checksum ")) return Corrupt("checksum line");
  const std::size_t body_len = text.size() - lines[4].size() - 1;
  if (Checksum(text.substr(0, body_len)) != lines[4].substr(9)) return Corrupt("checksum mismatch");

  StoreHeader h;
  h.format_version = version;
  if (!StartsWith(lines[1], "store-id ")) return Corrupt("store-id line");
  h.store_id = std::string(lines[1].substr(9));
  if (h.store_id.size() != 32 || !HexDecode(h.store_id).ok()) return Corrupt("store id");

  // kdf argon2id13 ops=N mem=N salt=HEX
  std::istringstream kdf_line{std::string(lines[2])};
  std::string word, alg, ops, mem, salt;
  kdf_line >> word >> alg >> ops >> mem >> salt;
  if (word != "kdf" || alg != "argon2id13" || !StartsWith(ops, "ops=") || !StartsWith(mem, "mem=") ||
      !StartsWith(salt, "salt=") || !ParseNumber(std::string_view(ops).substr(4), h.kdf.ops_limit) ||
      !ParseNumber(std::string_view(mem).substr(4), h.kdf.mem_limit)) {
    return Corrupt("kdf line");
  }
  auto salt_bytes = HexDecode(std::string_view(salt).substr(5));
  if (!salt_bytes.ok()) return Corrupt("kdf salt");
  h.kdf.salt = std::move(salt_bytes).value();
  if (Status s = h.kdf.Validate(); !s.ok()) return Corrupt(s.error().message);

  if (!StartsWith(lines[3], "db-key ")) return Corrupt("db-key line");
  auto wrapped = Base64Decode(lines[3].substr(7));
  if (!wrapped.ok() || wrapped->size() != 32 + kAeadOverhead) return Corrupt("wrapped key");
  h.wrapped_db_key = std::move(wrapped).value();
  if (h.Serialize() != text) return Corrupt("not in canonical form");
  return h;
}

// ---------------- files ----------------

Status WriteFileAtomically(const fs::path& path, std::string_view contents, unsigned mode) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoError("cannot write", tmp, errno);
  std::size_t done = 0;
  int err = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return ErrnoError("cannot write", path, err);
  }
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok();
}

namespace {

Result<std::string> ReadSmallFile(const fs::path& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("cannot read", path, errno == 0 ? EIO : errno);
  std::string data;
  data.resize(limit + 1);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.size() > limit) return Corrupt("too large");
  return data;
}

Result<StoreHeader> ReadHeader(const StorePaths& paths) {
  std::error_code ec;
  if (!fs::exists(paths.dir, ec)) {
    return MakeError(ErrorCode::kNotFound, "no store at " + paths.dir.string(),
                     "run 'casepack init' to create one, or pass --store DIR");
  }
  if (!fs::is_directory(paths.dir, ec)) {
    return MakeError(ErrorCode::kNotFound, paths.dir.string() + " is not a directory, so not a casepack store",
                     "pass --store DIR with the store's directory");
  }
  if (!fs::exists(paths.header(), ec)) {
    return MakeError(ErrorCode::kNotFound, paths.dir.string() + " is not a casepack store (it has no store.header)",
                     "run 'casepack init' to create one, or pass --store DIR");
  }
  CP_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(paths.header(), 4096));
  auto header = StoreHeader::Parse(text);
  if (!header.ok() && header.error().code == ErrorCode::kNotFound) return Corrupt("unknown first line");
  return header;
}

Status RunMigrations(Database& db, int& version, const Clock& clock) {
  // Only a new store needs the table: an open of an up-to-date store must not write (it would wait for
  // another process's write, and readers never wait).
  CP_ASSIGN_OR_RETURN(std::int64_t has_table,
                      db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';"));
  if (has_table == 0)
    CP_RETURN_IF_ERROR(db.Exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL);"));
  CP_ASSIGN_OR_RETURN(std::int64_t stored, db.QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations;"));
  version = static_cast<int>(stored);
  if (version > LatestStoreSchemaVersion()) {
    return MakeError(ErrorCode::kUnsupported,
                     "the store's schema version " + std::to_string(version) + " is newer than this casepack (" +
                         std::to_string(LatestStoreSchemaVersion()) + ")",
                     "upgrade casepack to open this store");
  }
  for (const Migration& m : StoreMigrations()) {
    if (m.version <= version) continue;
    CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    // Another process opening the same store may have applied it while this one waited for the write lock.
    CP_ASSIGN_OR_RETURN(std::int64_t now_stored, db.QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations;"));
    if (now_stored >= m.version) {
      version = static_cast<int>(now_stored);
      continue;
    }
    if (Status s = db.Exec(m.sql); !s.ok()) return s.error().Context("applying migration " + std::to_string(m.version));
    CP_ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO schema_migrations VALUES (?, ?, ?);"));
    st.Bind(1, static_cast<std::int64_t>(m.version)).Bind(2, m.name).Bind(3, UtcNowIso(clock));
    CP_RETURN_IF_ERROR(st.Run());
    CP_RETURN_IF_ERROR(tx.Commit());
    version = m.version;
  }
  return Ok();
}

Result<Identity> LoadIdentity(Database& db) {
  CP_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT x25519_secret, ed25519_secret FROM identity WHERE id = 1;"));
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return MakeError(ErrorCode::kCorrupt, "the store has no device identity");
  CP_ASSIGN_OR_RETURN(SecretBytes x, SecretBytes::CopyOf(st.BlobView(0)));
  CP_ASSIGN_OR_RETURN(SecretBytes ed, SecretBytes::CopyOf(st.BlobView(1)));
  return Identity::FromSecrets(std::move(x), std::move(ed));
}

Error DatabaseOpenError(const StorePaths& paths, const Error& e) {
  if (e.code == ErrorCode::kAuthFailed || e.code == ErrorCode::kCorrupt) {
    // The key came from a verified unwrap, so a refusal here means the file itself is damaged.
    return MakeError(ErrorCode::kCorrupt, "the store's database " + paths.database().string() + " is damaged",
                     "restore the store from a backup; casepack did not change it");
  }
  return e;
}

}  // namespace

// ---------------- lock ----------------

Result<StoreLock> StoreLock::Acquire(const StorePaths& paths, std::string_view purpose, const Clock& clock) {
  Database::SetHolderDescriber(
      [](const fs::path& database_file) { return DescribeOthers(StorePaths{database_file.parent_path()}); });
  auto refuse = [&](int err, const fs::path& what) {
    Error e = ErrnoError("cannot register with the store: cannot open", what, err);
    if (err == EROFS || err == EACCES || err == EPERM) {
      e.message = "the store directory " + paths.dir.string() + " is read-only";
      e.hint = "casepack needs to write to its store; check the directory's permissions";
    }
    return e;
  };
  if (::mkdir(paths.holders().c_str(), 0700) != 0 && errno != EEXIST) return refuse(errno, paths.holders());
  // pid plus random digits: a file left by a dead process with a reused pid never collides.
  const fs::path file = paths.holders() / (std::to_string(::getpid()) + "-" + HexEncode(RandomBytes(4)));
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return refuse(errno, file);
  // Held for as long as the store is open: another process that can take it knows this one is gone.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    ::unlink(file.c_str());
    return refuse(EIO, file);
  }
  const std::string who = "pid " + std::to_string(::getpid()) + " (" + std::string(purpose) + ") since " +
                          UtcNowIso(clock);
  (void)!::pwrite(fd, who.data(), who.size(), 0);
  return StoreLock(fd, file);
}

StoreLock::~StoreLock() {
  if (fd_ < 0) return;
  ::unlink(file_.c_str());
  ::close(fd_);  // closing releases the flock
}

std::string StoreLock::DescribeOthers(const StorePaths& paths) {
  std::vector<std::string> out;
  std::error_code ec;
  const std::string self = std::to_string(::getpid()) + "-";
  for (const auto& entry : fs::directory_iterator(paths.holders(), ec)) {
    const fs::path f = entry.path();
    if (f.filename().string().starts_with(self)) continue;
    const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {  // nobody holds it: its process is gone
      ::unlink(f.c_str());
      ::close(fd);
      continue;
    }
    char buf[256] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (n > 0) out.emplace_back(buf, static_cast<std::size_t>(n));
  }
  std::sort(out.begin(), out.end());
  std::string joined;
  for (const auto& o : out) joined += (joined.empty() ? "" : ", ") + o;
  return joined.empty() ? std::string("another process") : joined;
}

// ---------------- store ----------------

Result<std::unique_ptr<Store>> Store::Create(const fs::path& dir, std::string_view passphrase, KdfParams kdf,
                                             std::string_view purpose, const Clock& clock) {
  InitCrypto();
  CP_RETURN_IF_ERROR(kdf.Validate());
  StorePaths paths{dir};
  std::error_code ec;
  bool created_dir = false;
  if (fs::exists(dir, ec)) {
    if (fs::exists(paths.header(), ec))
      return MakeError(ErrorCode::kConflict, "a store already exists at " + dir.string(),
                       "use it, or choose another directory with --store");
    if (!fs::is_directory(dir, ec)) return MakeError(ErrorCode::kInvalidArgument, dir.string() + " is not a directory");
    if (!fs::is_empty(dir, ec))
      return MakeError(ErrorCode::kConflict, dir.string() + " is not empty", "choose an empty or new directory");
  } else {
    fs::create_directories(dir, ec);
    if (ec) return ErrnoError("cannot create", dir, ec.value());
    created_dir = true;
  }
  ::chmod(dir.c_str(), 0700);

  // Undo everything on failure: nothing half-made is left for the next command to trip over.
  auto cleanup = [&]() {
    for (const auto& f : {paths.database(), fs::path(paths.database().string() + "-wal"),
                          fs::path(paths.database().string() + "-shm"), fs::path(paths.header().string() + ".tmp"),
                          paths.header()}) {
      fs::remove(f, ec);
    }
    fs::remove_all(paths.holders(), ec);
    if (created_dir) fs::remove(dir, ec);
  };

  auto result = [&]() -> Result<std::unique_ptr<Store>> {
    CP_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::Acquire(paths, purpose, clock));
    StoreHeader header;
    header.store_id = RandomId();
    header.kdf = std::move(kdf);
    CP_ASSIGN_OR_RETURN(SecretBytes db_key, SecretBytes::Random(32));
    CP_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKey(passphrase, header.kdf));
    header.wrapped_db_key = WrapKey(kek, db_key, AsBytes(header.AssociatedData()));

    CP_ASSIGN_OR_RETURN(Database db, Database::Open(paths.database(), db_key, /*create=*/true));
    ::chmod(paths.database().c_str(), 0600);
    int version = 0;
    CP_RETURN_IF_ERROR(RunMigrations(db, version, clock));
    CP_ASSIGN_OR_RETURN(Identity identity, Identity::Generate());
    {
      CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
      CP_ASSIGN_OR_RETURN(Statement id_st, db.Prepare("INSERT INTO identity VALUES (1, ?, ?, ?);"));
      id_st.Bind(1, identity.x25519_secret().expose()).Bind(2, identity.ed25519_secret().expose()).Bind(3, UtcNowIso(clock));
      CP_RETURN_IF_ERROR(id_st.Run());
      CP_ASSIGN_OR_RETURN(Statement meta, db.Prepare("INSERT INTO meta VALUES ('store_id', ?), ('created_at', ?);"));
      meta.Bind(1, header.store_id).Bind(2, UtcNowIso(clock));
      CP_RETURN_IF_ERROR(meta.Run());
      CP_RETURN_IF_ERROR(tx.Commit());
    }
    CP_RETURN_IF_ERROR(db.CheckpointTruncate());
    // The header is written last: a directory without it is not a store, so a crash before this point
    // leaves nothing that looks usable.
    CP_RETURN_IF_ERROR(WriteFileAtomically(paths.header(), header.Serialize()));
    std::unique_ptr<Store> store(new Store(paths, std::move(header), std::move(lock), std::move(db_key),
                                           std::move(db), std::move(identity)));
    store->schema_version_ = version;
    store->clock_ = &clock;
    return store;
  }();
  if (!result.ok()) {
    cleanup();
    return result.error().Context("creating store");
  }
  return result;
}

Result<std::unique_ptr<Store>> Store::Open(const fs::path& dir, std::string_view passphrase, std::string_view purpose,
                                           const Clock& clock) {
  InitCrypto();
  StorePaths paths{dir};
  CP_ASSIGN_OR_RETURN(StoreHeader header, ReadHeader(paths));
  CP_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::Acquire(paths, purpose, clock));

  const auto t0 = std::chrono::steady_clock::now();
  CP_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKey(passphrase, header.kdf));
  const auto t1 = std::chrono::steady_clock::now();
  auto db_key = UnwrapKey(kek, header.wrapped_db_key, AsBytes(header.AssociatedData()));
  if (!db_key.ok()) {
    return MakeError(ErrorCode::kAuthFailed, "wrong passphrase for store " + dir.string(),
                     "check the passphrase (it is case-sensitive); nothing was changed");
  }
  std::error_code ec;
  if (!fs::exists(paths.database(), ec)) {
    return MakeError(ErrorCode::kCorrupt, "the store's database " + paths.database().string() + " is missing",
                     "restore the store from a backup");
  }
  auto db = Database::Open(paths.database(), *db_key, /*create=*/false);
  if (!db.ok()) return DatabaseOpenError(paths, db.error());
  int version = 0;
  if (Status s = RunMigrations(*db, version, clock); !s.ok()) return DatabaseOpenError(paths, s.error());
  auto identity = LoadIdentity(*db);
  if (!identity.ok()) return DatabaseOpenError(paths, identity.error());
  std::unique_ptr<Store> store(new Store(paths, std::move(header), std::move(lock), std::move(db_key).value(),
                                         std::move(db).value(), std::move(identity).value()));
  store->schema_version_ = version;
  store->clock_ = &clock;
  store->timings_.kdf = t1 - t0;
  store->timings_.after_kdf = std::chrono::steady_clock::now() - t1;
  return store;
}

Status Store::ChangePassphrase(std::string_view new_passphrase, KdfParams kdf) {
  CP_RETURN_IF_ERROR(kdf.Validate());
  StoreHeader next = header_;
  next.kdf = std::move(kdf);
  CP_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKey(new_passphrase, next.kdf));
  next.wrapped_db_key = WrapKey(kek, db_key_, AsBytes(next.AssociatedData()));
  CP_RETURN_IF_ERROR(WriteFileAtomically(paths_.header(), next.Serialize()));
  header_ = std::move(next);
  return Ok();
}

Result<StoreCounts> Store::Counts() {
  StoreCounts counts;
  struct Source {
    const char* table;
    std::int64_t* out;
  };
  for (const Source& s : {Source{"cases", &counts.cases}, Source{"documents", &counts.documents},
                          Source{"ops", &counts.operations}}) {
    CP_ASSIGN_OR_RETURN(Statement exists, db_.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?;"));
    exists.Bind(1, std::string_view(s.table));
    CP_ASSIGN_OR_RETURN(bool has, exists.Step());
    if (!has) continue;
    auto n = db_.QueryInt(std::string("SELECT count(*) FROM ") + s.table + ";");
    if (!n.ok()) return DatabaseOpenError(paths_, n.error());
    *s.out = *n;
  }
  return counts;
}

Status Store::Verify() {
  CP_ASSIGN_OR_RETURN(Statement st, db_.Prepare("PRAGMA integrity_check;"));
  auto row = st.Step();
  if (!row.ok()) return DatabaseOpenError(paths_, row.error());
  if (!*row || st.Text(0) != "ok")
    return MakeError(ErrorCode::kCorrupt, "the store's database failed its integrity check",
                     "restore the store from a backup");
  return Ok();
}

// ---------------- passphrase policy ----------------

Status CheckPassphraseStrength(std::string_view p) {
  const std::string hint = "use at least 12 characters; four or more random words are easy to type and hard to guess";
  if (p.empty()) return MakeError(ErrorCode::kInvalidArgument, "the passphrase is empty", hint);
  if (p.size() < 12)
    return MakeError(ErrorCode::kInvalidArgument,
                     "the passphrase is too short (" + std::to_string(p.size()) + " characters)", hint);
  std::set<char> distinct(p.begin(), p.end());
  if (distinct.size() < 6) return MakeError(ErrorCode::kInvalidArgument, "the passphrase is too repetitive", hint);
  std::string lower(p);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  static constexpr std::string_view kCommon[] = {"password", "123456", "qwerty", "letmein", "welcome",
                                                 "iloveyou", "abc123",  "casepack", "safeguarding", "admin"};
  for (std::string_view c : kCommon) {
    if (lower.find(c) != std::string::npos && lower.size() < c.size() + 8)
      return MakeError(ErrorCode::kInvalidArgument, "the passphrase is built on a well-known password", hint);
  }
  return Ok();
}

}  // namespace casepack
