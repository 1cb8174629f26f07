// The central store behind casepackd: accounts, devices, invitations, case membership, sealed key
// envelopes, the encrypted operation log and encrypted document blobs. Everything case-related is
// opaque ciphertext here; the store never holds a case key or a plaintext field.
//
// An interface with two backends, SQLite (embedded, the default) and PostgreSQL (several casepackd
// processes on one database); both pass the same conformance tests (tests/server/unit/store_test.cpp and
// the others parametrised over tests/support/server_backends.h). Implementations are thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/hash.h"
#include "casepack/result.h"
#include "casepack/wire.h"

namespace casepack::server {

// What the store keeps of an invitation code: its SHA-256 (the code itself is never stored).
inline Bytes InvitationCodeHash(std::string_view code) {
  const auto digest = Sha256(AsBytes(code));
  return Bytes(digest.begin(), digest.end());
}

struct DeviceRecord {
  std::string device_id;
  std::string user_id;
  std::string role;
  Bytes x25519;
  Bytes ed25519;
  bool device_revoked = false;
  bool user_revoked = false;
};

struct StoredOp {
  std::string op_id;
  std::int64_t epoch = 0;
  Bytes blob;
};

struct StoreCounts {
  std::int64_t users = 0;
  std::int64_t devices = 0;
  std::int64_t cases = 0;
  std::int64_t ops = 0;
};

// Retention (docs/retention.md "Server side"). The server cannot read a case, so a member tells it the
// purge date in the clear; the Business Unit tells it about legal holds (who and when; the reason stays
// in the encrypted case).
struct CaseRetentionState {
  std::string purge_on;  // YYYY-MM-DD, empty: not told yet
  bool held = false;
  std::string held_by;  // user id
  std::int64_t held_at_ms = 0;
};

// What the server keeps of a purged case: the id and when. Members at purge time are remembered so that
// they (and only they) learn of the purge and can confirm it.
struct ServerTombstone {
  std::int64_t seq = 0;  // increasing; clients resume from the last one seen
  std::string case_id;
  std::string purge_on;
  std::int64_t purged_at_ms = 0;
};

// A device's signed purge receipt, as verified by the API (signature over CanonicalPurgeReceipt).
struct StoredReceipt {
  std::string case_id;
  std::string device_id;
  std::string store_id;
  std::string purged_at;
  Bytes public_key;
  Bytes signature;
  std::int64_t received_ms = 0;
};

// One device of a member at purge time: confirmed (with its receipt) or not.
struct Confirmation {
  std::string user_id;
  std::string device_id;
  bool confirmed = false;
  std::string purged_at;  // from the receipt
  std::int64_t received_ms = 0;
  // The receipt as the device signed it (confirmed only): a certificate of destruction embeds it.
  std::string store_id;
  Bytes public_key;
  Bytes signature;
};

// The Business Unit's signed retention policy record, stored as sent (the server does not interpret it).
struct StoredPolicy {
  std::int64_t version = 0;
  std::string record;  // JSON text, signed
  std::string device_id;
  Bytes signature;
};

class ServerStore {
 public:
  virtual ~ServerStore() = default;

  // ---- accounts ----
  // True once any user exists (admin init refuses to run twice).
  virtual Result<bool> HasUsers() = 0;
  // Records an invitation by the SHA-256 of its code (the code itself is never stored).
  // created_by is a user id, or "admin" for the command line.
  virtual Status CreateInvitation(const Bytes& code_hash, const std::string& role, std::int64_t expires_at_ms,
                                  const std::string& created_by) = 0;
  // Uses an invitation exactly once and creates a user and its first device, atomically.
  // kNotFound: no such code; kConflict: already used; kAuthFailed: expired.
  virtual Result<wire::Principal> Enroll(const Bytes& code_hash, std::int64_t now_ms, const Bytes& x25519,
                                         const Bytes& ed25519) = 0;
  // kNotFound if the device does not exist. Revocation flags are returned, not filtered.
  virtual Result<DeviceRecord> GetDevice(const std::string& device_id) = 0;
  // Records a (device, nonce) pair; kConflict if it was seen before (a replay).
  virtual Status RecordNonce(const std::string& device_id, const std::string& nonce, std::int64_t time_ms) = 0;
  // Forgets nonces with a time before `before_ms` (the time window already rejects those).
  virtual Status PruneNonces(std::int64_t before_ms) = 0;
  // kNotFound if absent. Idempotent.
  virtual Status RevokeDevice(const std::string& device_id) = 0;
  virtual Status RevokeUser(const std::string& user_id) = 0;
  virtual Result<std::vector<wire::UserEntry>> ListUsers() = 0;
  // The user's name as colleagues know them (the store's author name, given at enrolment): shown by
  // `server users`, beside conflicts, and matched by `case share --with NAME`. Not case content.
  // Replaces any earlier name; kNotFound for an unknown user.
  virtual Status SetUserName(const std::string& user_id, const std::string& name) = 0;

  // ---- cases ----
  // Creates the case with `creator` as its only member and its epoch-1 envelope.
  // kConflict if a case with this id exists (the caller decides whether that is an idempotent retry).
  virtual Status CreateCase(const std::string& case_id, const std::string& creator, const Bytes& envelope,
                            std::int64_t now_ms) = 0;
  // The case's current epoch if `user_id` is a current (not removed) member; kNotFound otherwise,
  // whether or not the case exists (callers must not reveal a case to non-members).
  virtual Result<std::int64_t> MemberEpoch(const std::string& case_id, const std::string& user_id) = 0;
  // Adds (or re-adds) a member with their envelopes (existing envelopes are kept, as in PutEnvelopes).
  // kInvalidArgument if no envelope is for the current epoch.
  virtual Status AddMember(const std::string& case_id, const std::string& user_id,
                           const std::vector<wire::Envelope>& envelopes) = 0;
  // Marks a member removed and starts a new epoch; returns the new epoch. kNotFound if not a current member.
  virtual Result<std::int64_t> RemoveMember(const std::string& case_id, const std::string& user_id) = 0;
  // Stores envelopes (kConflict for an epoch that has none yet: those come with RekeyEpoch). The caller's own envelope replaces an existing one for that epoch; an envelope for
  // another member is stored only if none exists yet (nobody can overwrite someone else's key copy).
  // kInvalidArgument if an envelope is for a user who is not a current member or for a future epoch.
  virtual Status PutEnvelopes(const std::string& case_id, const std::vector<wire::Envelope>& envelopes,
                              const std::string& caller) = 0;
  // The first envelopes of the case's current epoch, all at once: one for every current member who is not
  // revoked and has a live device, sealed by the member who made the epoch's key (after a removal or a
  // revocation, any member's sync does). kConflict if the epoch already has envelopes (another member
  // was first: fetch them); kInvalidArgument if the set is not exactly one per such member for this epoch.
  // The replicas of the case bound to `device_id` and the highest op-id counter stored under each.
  virtual Result<std::vector<wire::ReplicaLast>> DeviceReplicas(const std::string& case_id,
                                                                const std::string& device_id) = 0;
  virtual Status RekeyEpoch(const std::string& case_id, const std::vector<wire::Envelope>& envelopes) = 0;
  virtual Result<std::vector<wire::Envelope>> GetEnvelopes(const std::string& case_id,
                                                           const std::string& user_id) = 0;
  virtual Result<std::vector<wire::CaseSummary>> ListCases(const std::string& user_id) = 0;
  virtual Result<std::vector<wire::MemberEntry>> ListMembers(const std::string& case_id) = 0;
  // The user who created the case (removes members besides the Business Unit). kNotFound if no such case.
  virtual Result<std::string> CaseCreator(const std::string& case_id) = 0;

  // ---- operation log ----
  // Appends a batch in one transaction. An op whose op_id is already in the case is not stored again;
  // its existing seq is returned (idempotent push). kConflict (and nothing stored) if an existing op_id
  // comes with different bytes. An op id of casepack's form ("RRRRRRRRRRRRRRRR-N", docs/api.md) binds its
  // replica RRRRRRRRRRRRRRRR in the case to `device_id` on first use; kAuthFailed (and nothing stored) if
  // it is bound to another device. Acks are in the order of `ops`. `batch` (its manifest and signature,
  // already verified by the caller) is kept with the ops stored now, which name it (OpOut::batch); an op
  // already stored keeps the batch it first came in.
  virtual Result<std::vector<wire::OpAck>> AppendOps(const std::string& case_id, const std::string& device_id,
                                                     const std::vector<StoredOp>& ops, const wire::OpBatch& batch) = 0;
  // Tests and tools: with an empty batch (members would refuse its ops; the API always gives one).
  Result<std::vector<wire::OpAck>> AppendOps(const std::string& case_id, const std::string& device_id,
                                             const std::vector<StoredOp>& ops) {
    return AppendOps(case_id, device_id, ops, wire::OpBatch{});
  }
  // Up to `limit` ops with seq > after, in seq order; `batch` 0 for an op stored without a signature.
  virtual Result<std::vector<wire::OpOut>> PullOps(const std::string& case_id, std::int64_t after,
                                                   int limit) = 0;
  // The case's batches with these ids (those that exist), ids filled in.
  virtual Result<std::vector<wire::OpBatch>> GetOpBatches(const std::string& case_id,
                                                          const std::vector<std::int64_t>& ids) = 0;
  // Up to `limit` ops of the case without a batch signature that `device_id` pushed under a replica bound
  // to it (stored before signatures were checked), in seq order.
  virtual Result<std::vector<wire::OpOut>> UnsignedOps(const std::string& case_id, const std::string& device_id,
                                                       int limit) = 0;
  // Gives those ops (each one of UnsignedOps' for this device, else kNotFound and nothing changes) the
  // batch signature `batch` (verified by the caller over their stored bytes) and moves each to a new seq,
  // so that members who pulled it unsigned (and quarantined it) pull it again. One transaction.
  virtual Status SignStoredOps(const std::string& case_id, const std::string& device_id,
                               const std::vector<std::string>& op_ids, const wire::OpBatch& batch) = 0;

  // ---- blobs ----
  // true if stored now, false if the same bytes were already there; kConflict if different bytes were.
  virtual Result<bool> PutBlob(const std::string& case_id, const std::string& blob_id, const Bytes& data) = 0;
  virtual Result<Bytes> GetBlob(const std::string& case_id, const std::string& blob_id) = 0;

  virtual Result<StoreCounts> Counts() = 0;

  // ---- retention ----
  // Records the case's purge date (YYYY-MM-DD; empty clears it). kNotFound if the case does not exist.
  virtual Status SetPurgeDate(const std::string& case_id, const std::string& purge_on, const std::string& by,
                              std::int64_t now_ms) = 0;
  // Places (held=true) or releases a legal hold. kNotFound if the case does not exist. Idempotent.
  virtual Status SetHold(const std::string& case_id, bool held, const std::string& by, std::int64_t now_ms) = 0;
  virtual Result<CaseRetentionState> GetRetention(const std::string& case_id) = 0;
  // Deletes every case whose purge date is on or before `today` (YYYY-MM-DD) and that is not held: its
  // ops, blobs, key envelopes and membership, leaving a tombstone; then checkpoints and truncates the WAL
  // (secure_delete zeroes the freed pages). Returns the purged case ids. All cases in one transaction.
  virtual Result<std::vector<std::string>> PurgeDue(const std::string& today, std::int64_t now_ms) = 0;
  // Tombstones of cases `user_id` was a current member of when purged, with seq > after.
  virtual Result<std::vector<ServerTombstone>> ListTombstones(const std::string& user_id, std::int64_t after) = 0;
  // All tombstones (the Business Unit's view).
  virtual Result<std::vector<ServerTombstone>> AllTombstones() = 0;
  // True if the case was purged and `user_id` was a member then.
  virtual Result<bool> WasMember(const std::string& case_id, const std::string& user_id) = 0;
  virtual Result<bool> IsPurged(const std::string& case_id) = 0;
  // Stores (or replaces) a device's receipt for a case.
  virtual Status PutReceipt(const StoredReceipt& r) = 0;
  // Every non-revoked device of every member at purge time (or, before a purge, every current member),
  // confirmed or not. kNotFound if the case neither exists nor was purged.
  virtual Result<std::vector<Confirmation>> Confirmations(const std::string& case_id) = 0;
  // kConflict unless p.version is greater than the stored one.
  virtual Status PutPolicy(const StoredPolicy& p) = 0;
  // version 0 when none was stored.
  virtual Result<StoredPolicy> GetPolicy() = 0;

  // ---- metrics (docs/api.md "Metrics") ----
  // Counters shared by every casepackd process on the store, keyed by their Prometheus series
  // ("casepackd_requests_total{route=\"GET /v1/me\",status=\"200\"}"). Adds each delta to its counter
  // (a new one starts at 0), all in one transaction; processes flush their own deltas every few seconds.
  virtual Status AddCounters(const std::map<std::string, std::int64_t>& deltas) = 0;
  virtual Result<std::map<std::string, std::int64_t>> ReadCounters() = 0;
};

// Opens (creating if needed) the SQLite store at `path` (a file in the data directory). WAL mode,
// synchronous=FULL (an acknowledged push survives a crash), secure_delete on.
Result<std::unique_ptr<ServerStore>> OpenSqliteStore(const std::string& path);

// True for a postgresql:// (or postgres://) URL, the form --database takes for PostgreSQL.
bool IsPostgresUrl(std::string_view database);

// Connects to the PostgreSQL database at `url` (a libpq URI: postgresql://user@host/db?host=/run/postgresql)
// and migrates its schema to this version's (once, under an advisory lock, when several processes start
// together). Several processes may share the database; each keeps at most `pool_size` connections, and a
// request waits at most 10 s for one (kUnavailable). kUnavailable if the database cannot be reached;
// kUnsupported if its schema is newer than this casepackd. docs/server-postgresql.md.
Result<std::unique_ptr<ServerStore>> OpenPostgresStore(const std::string& url, std::size_t pool_size = 16);

}  // namespace casepack::server
