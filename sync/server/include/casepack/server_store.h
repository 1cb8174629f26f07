// The central store behind casepackd: accounts, devices, invitations, case membership, sealed key
// envelopes, the encrypted operation log and encrypted document blobs. Everything case-related is
// opaque ciphertext here; the store never holds a case key or a plaintext field.
//
// An interface, so that a PostgreSQL backend can follow the SQLite one; both must pass the same
// conformance tests (tests/server/store_test.cpp). Implementations are thread safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/result.h"
#include "casepack/wire.h"

namespace casepack::server {

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
  // Stores envelopes. The caller's own envelope replaces an existing one for that epoch; an envelope for
  // another member is stored only if none exists yet (nobody can overwrite someone else's key copy).
  // kInvalidArgument if an envelope is for a user who is not a current member or for a future epoch.
  virtual Status PutEnvelopes(const std::string& case_id, const std::vector<wire::Envelope>& envelopes,
                              const std::string& caller) = 0;
  virtual Result<std::vector<wire::Envelope>> GetEnvelopes(const std::string& case_id,
                                                           const std::string& user_id) = 0;
  virtual Result<std::vector<wire::CaseSummary>> ListCases(const std::string& user_id) = 0;
  virtual Result<std::vector<wire::MemberEntry>> ListMembers(const std::string& case_id) = 0;

  // ---- operation log ----
  // Appends a batch in one transaction. An op whose op_id is already in the case is not stored again;
  // its existing seq is returned (idempotent push). kConflict (and nothing stored) if an existing op_id
  // comes with different bytes. Acks are in the order of `ops`.
  virtual Result<std::vector<wire::OpAck>> AppendOps(const std::string& case_id, const std::string& device_id,
                                                     const std::vector<StoredOp>& ops) = 0;
  // Up to `limit` ops with seq > after, in seq order.
  virtual Result<std::vector<wire::OpOut>> PullOps(const std::string& case_id, std::int64_t after,
                                                   int limit) = 0;

  // ---- blobs ----
  // true if stored now, false if the same bytes were already there; kConflict if different bytes were.
  virtual Result<bool> PutBlob(const std::string& case_id, const std::string& blob_id, const Bytes& data) = 0;
  virtual Result<Bytes> GetBlob(const std::string& case_id, const std::string& blob_id) = 0;

  virtual Result<StoreCounts> Counts() = 0;
};

// Opens (creating if needed) the SQLite store at `path` (a file in the data directory). WAL mode,
// synchronous=FULL (an acknowledged push survives a crash), secure_delete on.
Result<std::unique_ptr<ServerStore>> OpenSqliteStore(const std::string& path);

}  // namespace casepack::server
