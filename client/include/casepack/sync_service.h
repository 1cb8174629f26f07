// End-to-end encrypted sync with casepackd (docs/sync-client.md). The server stores and orders
// ciphertext; it never sees a case key or a plaintext field.
//
// - Every case has a shared key per epoch, delivered to each member as an envelope sealed to the member's
//   X25519 key. This device keeps the keys it has opened in `case_keys`.
// - Each local operation travels as: AEAD(epoch key, signature || operation) with the case, operation id and
//   epoch as associated data; the signature is the author device's Ed25519 over the same fields and the
//   operation, so neither the server nor another member can alter or forge it unnoticed.
// - Documents travel as the blob format (docs/blobs.md) under the epoch key, prefixed by the epoch.
//
// A sync pushes what the server lacks and pulls what this store lacks, for every case, committing as it
// goes (pull cursors advance in the same transaction as the operations they cover), so a sync cut off at
// any point resumes where it stopped and nothing acknowledged is lost.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "casepack/audit.h"
#include "casepack/cases.h"
#include "casepack/net_client.h"
#include "casepack/retention.h"
#include "casepack/sealed_operation.h"
#include "casepack/store.h"

namespace casepack {

struct ServerConfig {
  std::string url;  // https://host:port, the preferred server
  std::string host;
  std::uint16_t port = 0;
  std::string fingerprint;  // pinned SHA-256 of the server certificate (64 hex)
  std::string user_id;
  std::string device_id;
  std::string role;
  // Every server of the central store, `url` first (several casepackd processes on one database,
  // docs/server-postgresql.md); sync fails over between them. Stored in sync_server.url, space-separated:
  // a store enrolled with one URL reads as before.
  std::vector<std::string> urls;
};

struct SyncProgress {
  std::string phase;  // "pushing", "pulling", "uploading", "downloading"
  std::string case_id;
  std::uint64_t done = 0;
  std::uint64_t total = 0;  // 0 if unknown
};

struct CaseSyncReport {
  std::string case_id;
  bool created_on_server = false;  // first push of a case made here
  bool received = false;           // a case shared with us, new on this device
  std::size_t pushed = 0;          // operations
  std::size_t pulled = 0;
  std::size_t blobs_up = 0;
  std::size_t blobs_down = 0;
  std::vector<std::string> rejected;     // operations the engine refused, with the reason
  // Operations that failed their signature or envelope checks (altered, or not the pushing device's):
  // not applied, never retried, the rest of the case synced. "OP_ID from device D: reason".
  std::vector<std::string> quarantined;
  // How many of this case's operations this store holds in quarantine, from this sync and earlier ones
  // (listed by CaseService::QuarantinedOperations, `casepack sync quarantined`).
  std::size_t quarantined_held = 0;
  // Set when this store was behind its own replica on the server (restored from an older copy, issue 11
  // item 6): one line saying it took its later edits back and continues under a fresh replica id.
  std::string restored;
  // Operations of this device that the server held unsigned (stored before it checked signatures) and
  // that this sync checked as its own and signed, so that members accept them (docs/sync-client.md).
  std::size_t resigned = 0;
  std::vector<FieldConflict> conflicts;  // concurrent values that now need a person
  // Set the first time a case here (imported from a pack) is found on the central store but not shared
  // with this user: one line saying what to do. Not an error: the other cases sync, and it is not said
  // again until that changes (shared, or gone from the server).
  std::string not_shared;
  std::string error;                     // empty if the case synced completely
};

struct SyncReport {
  std::vector<CaseSyncReport> cases;
  // Retention (docs/retention.md "Server side").
  std::vector<std::string> purged;     // cases purged here because the server purged them
  std::vector<std::string> retention_errors;  // e.g. a server tombstone for a case on hold here
  std::size_t receipts_reported = 0;
  std::int64_t policy_applied = 0;     // version of the Business Unit's policy applied here (0: none)
  std::int64_t policy_pushed = 0;      // version this (business-unit) device sent
  std::int64_t server_time_ms = 0;
  // This store's clock (the one its edits are stamped with) minus the server's authenticated time, and
  // when more than wire::kMaxClockSkewMs apart, the sentence that says so ("this device's clock is 3 days
  // ahead of the server"; issue 11, item 7). Its edits sync all the same.
  std::int64_t clock_offset_ms = 0;
  std::string clock_warning;
  bool ok() const {
    for (const auto& c : cases)
      if (!c.error.empty()) return false;
    return true;
  }
};

class SyncService {
 public:
  // REQUIRES: every argument outlives the service (ClientSession builds it so).
  SyncService(Store& store, CaseService& cases, RetentionService& retention, Audit& audit)
      : store_(store), cases_(cases), retention_(&retention), audit_(&audit) {}
  // Standalone (tests, tools): builds its own retention service and audit log on `store`.
  SyncService(Store& store, CaseService& cases);
  ~SyncService();

  // The transport seam (docs/session.md "Transport"): how a connection to the server is made. By default
  // the real HTTPS client (net/) to the enrolled host, pinned to its certificate; tests give an in-memory
  // transport backed by the real server API in-process, with faults. Every request still goes through
  // net::CasepackClient: signed, encoded and decoded exactly as over the network.
  using TransportFactory = std::function<Result<std::unique_ptr<net::HttpsClient>>(const ServerConfig&)>;
  void SetTransport(TransportFactory factory) { transport_ = std::move(factory); }

  // kNotFound if this store is not enrolled with a server.
  Result<ServerConfig> Config();
  // How many changes made on this device the server has not yet acknowledged (the window's "N changes
  // not yet sent"). Reads the store only; works offline and unenrolled.
  Result<std::size_t> UnsentChanges();
  // Enrols this store's identity with the server at `url` (https://host:port), pinning `fingerprint`.
  // kConflict if already enrolled; errors from the server (an unknown, used or expired code: kAuthFailed).
  // `also`: more servers of the same central store (AddServerUrl), tried in order if `url` cannot be reached.
  // `name`: the person's name as colleagues know them, recorded by the server (`server users`, conflicts,
  // `case share --with NAME`); empty: the store's author name (`casepack init --name`), if any. A name
  // given here becomes the store's author name when it has none.
  Result<ServerConfig> Enroll(const std::string& url, const std::string& fingerprint, const std::string& invitation,
                              const std::vector<std::string>& also = {}, const std::string& name = {});
  // Adds another server of the same central store (same certificate fingerprint): sync tries the servers
  // in order and fails over to the next when one cannot be reached. kConflict if already listed;
  // kNotFound if not enrolled; kInvalidArgument for a malformed URL.
  Result<ServerConfig> AddServerUrl(const std::string& url);

  using ProgressFn = std::function<void(const SyncProgress&)>;
  // kUnavailable if the server cannot be reached (nothing is lost: run it again). Per-case problems (a
  // tampered operation, a missing key) are reported in the case's `error`, and the other cases still sync.
  Result<SyncReport> Sync(const ProgressFn& progress = {});

  // The user `who` names: the full id, a unique prefix of 4+ characters of it, or the user's name (exact,
  // case-insensitive). kNotFound; kInvalidArgument when ambiguous (the message lists the candidates).
  Result<wire::UserEntry> FindUser(const std::string& who);
  // Wraps the case's keys for `user_id` (anything FindUser takes) and adds them as a member. The case must be on the server: kNotFound
  // "not on the server yet" (sync first) otherwise.
  Status Share(const std::string& case_id, const std::string& user_id);
  // Removes a member (anything FindUser takes); the case moves to a new epoch whose key only the remaining members receive. Two
  // requests (remove, rekey): if it is cut off between them, running it again (or any member's sync)
  // finishes it.
  Status Unshare(const std::string& case_id, const std::string& user);

  Result<std::vector<wire::UserEntry>> Users();
  Result<wire::Invitation> Invite(const std::string& role, std::int64_t expires_in_s);
  Status RevokeDevice(const std::string& device_id);
  Status RevokeUser(const std::string& user_id);

  // The Business Unit's view of purge receipts: every member device of each purged case (or of `case_id`),
  // confirmed or not. kAuthFailed for other roles.
  Result<std::vector<wire::CaseConfirmations>> Confirmations(const std::string& case_id);

 private:
  // Retention glue, run by Sync (docs/retention.md "Server side").
  Status SyncPolicy(net::CasepackClient& client, SyncReport& report);
  Status PullTombstones(net::CasepackClient& client, SyncReport& report);
  Status PushRetention(net::CasepackClient& client, const std::string& case_id);
  Status ReportReceipts(net::CasepackClient& client, SyncReport& report);
  Result<std::unique_ptr<net::HttpsClient>> OpenTransport(const ServerConfig& c);
  Result<std::unique_ptr<net::CasepackClient>> Connect();
  Status RefreshKeys(net::CasepackClient& client, const std::string& case_id, std::int64_t* current_epoch);
  // RefreshKeys, and if the case's current epoch has no key yet (a member was removed or revoked and
  // nobody has keyed the new epoch: an unshare cut off between its two requests, or a revocation), makes
  // one and uploads it for every current member (POST …/rekey; the first member's wins).
  Status EnsureCurrentKey(net::CasepackClient& client, const std::string& case_id);
  // Item 6: if the server holds operations of this store's replica that the store does not (a restore
  // from an older copy), moves the case to a fresh replica id (CaseServiceInternal::ContinueUnderFreshReplica)
  // and says so in report.restored; the pull then brings the old replica's operations back.
  Status CatchUpOwnReplica(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                           bool push_refused);
  // The server's copies of this store's replica's operations pushed since this store last pulled (after a
  // restore: what the laptop pushed after the backup), each checked as this device's own (signed by it and
  // opened with its key); anything else is left out, and so counts as not held.
  Result<std::vector<Operation>> OwnOpsOnServer(net::CasepackClient& client, const std::string& case_id, ReplicaId own);
  // The case key of `epoch`, fetching the case's keys once if this store lacks it.
  Result<SecretBytes> KeyForEpoch(net::CasepackClient& client, const std::string& case_id, std::int64_t epoch);
  Result<std::int64_t> CurrentEpoch(const std::string& case_id);
  Result<SecretBytes> KeyFor(const std::string& case_id, std::int64_t epoch);
  Status SyncCase(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                  const ProgressFn& progress);
  Status PushCase(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                  const ProgressFn& progress);
  Status PullCase(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                  const ProgressFn& progress);
  Status UploadBlobs(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                     const ProgressFn& progress);
  Status DownloadBlobs(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                       const ProgressFn& progress);
  Result<Bytes> DevicePublicKey(net::CasepackClient& client, const std::string& device_id);
  // Keeps the server's directory: each device's signing key, and which devices are revoked.
  void KeepDirectory(const std::vector<wire::UserEntry>& users);
  // After a server upgrade: signs the operations of this device's replicas that the server holds without
  // a signature, each one first opened with this device's own key (a server cannot get it to sign
  // anything else). Counted in report.resigned.
  Status SignOwnUnsignedOps(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report);
  // The central store's users, kept in `people` for naming the authors of conflicts (migration 7).
  Status RefreshPeople(net::CasepackClient& client);
  // Records that `replica` (16 hex digits) is `device_id`'s, as the server says (the first one stays).
  Status RecordReplicaDevice(std::string_view replica, const std::string& device_id);

  Store& store_;
  CaseService& cases_;
  std::unique_ptr<RetentionService> owned_retention_;  // standalone only
  std::unique_ptr<Audit> owned_audit_;
  RetentionService* retention_;
  Audit* audit_;
  std::optional<ServerConfig> config_;
  std::map<std::string, Bytes> device_keys_;  // device id -> Ed25519 public key (from the directory)
  std::set<std::string> revoked_devices_;     // devices the directory lists as revoked (or of a revoked user)
  bool directory_loaded_ = false;
  TransportFactory transport_;
};

// FindUser's matching over a user list (the full id, a unique id prefix of 4+ characters, or the name).
Result<wire::UserEntry> FindUserIn(const std::vector<wire::UserEntry>& users, const std::string& who);

// An operation's id on the wire (docs/sync-client.md): 16 hex digits of the replica, '-', the counter.
// Operations travel sealed (casepack/sealed_operation.h).
std::string OperationWireId(ReplicaId replica, std::uint64_t counter);

}  // namespace casepack
