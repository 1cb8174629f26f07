// An HTTPS client for casepackd, for the casepack client and the tests. Beast-free header; links no
// database (the casepack client carries SQLCipher and must not also get SQLite).
//
// Trust: the server's certificate is self-signed, so instead of CA verification the client pins the
// SHA-256 fingerprint of the server's DER certificate (printed by `casepackd fingerprint`). A connection
// whose certificate does not match is closed before a byte of the request is sent.
//
// Failures are values: kUnavailable for anything a retry might cure (refused, reset, timeout, TLS
// failure, 503); callers retry. Requests are signed per attempt, so a retried request never reuses a nonce.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/identity.h"
#include "casepack/result.h"
#include "casepack/wire.h"

namespace casepack::net {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string fingerprint;  // 64 hex digits (colons and "sha256:" accepted)
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::int64_t server_time_ms = 0;  // from X-Casepack-Server-Time, 0 if absent
  bool arrived_deflated = false;    // the body came in the deflate coding (casepack/http_body.h), decoded here
};

// One keep-alive connection, reopened as needed. Not thread safe: one per thread.
class HttpsClient {
 public:
  virtual ~HttpsClient() = default;
  // kInvalidArgument for a malformed fingerprint.
  [[nodiscard]] static Result<std::unique_ptr<HttpsClient>> Create(const Endpoint& endpoint,
                                                                  const ClientOptions& options = {});
  // Sends one request and reads the whole reply (any status). kUnavailable on network or TLS failure,
  // kAuthFailed if the server's certificate does not match the pinned fingerprint.
  // `extra_headers` are (name, value) pairs.
  virtual Result<HttpReply> Send(std::string_view method, std::string_view target, std::string_view body,
                                 std::string_view content_type,
                                 const std::vector<std::pair<std::string, std::string>>& extra_headers) = 0;
  virtual void Disconnect() = 0;
  // True if the last Send failed on a reused keep-alive connection before any reply byte arrived (the
  // server most likely closed it while idle). Worth one immediate retry, re-signed.
  virtual bool last_failure_was_stale_connection() const = 0;
};

// Several casepackd processes on one database (docs/server-postgresql.md): one client over several
// servers, in order of preference. It stays with a server while it answers; a network failure moves to
// the next one and is reported as worth an immediate re-signed retry (last_failure_was_stale_connection),
// so CasepackClient resends to the next server at once, until each has failed in a row. One client: as is.
[[nodiscard]] Result<std::unique_ptr<HttpsClient>> FailoverClient(std::vector<std::unique_ptr<HttpsClient>> clients);
[[nodiscard]] Result<std::unique_ptr<HttpsClient>> FailoverClient(const std::vector<Endpoint>& endpoints,
                                                                  const ClientOptions& options = {});

// The typed casepackd API (docs/api.md). Each call signs its request with the device identity.
// Errors: the HTTP status mapped to an ErrorCode (400 kInvalidArgument, 401/403 kAuthFailed,
// 404 kNotFound, 409 kConflict, 413/507 kNoSpace, 5xx kUnavailable) with the server's message.
class CasepackClient {
 public:
  // `identity` must outlive the client. device_id may be empty until Enroll succeeds.
  CasepackClient(std::unique_ptr<HttpsClient> http, const Identity* identity, std::string device_id = {});

  // Sets device_id on success. `name`: the person's name for the server's directory (optional).
  Result<wire::Principal> Enroll(const std::string& code, const std::string& name = {});
  Result<wire::Principal> Me();
  Result<wire::Invitation> CreateInvitation(const std::string& role, std::int64_t expires_in_s = 7 * 24 * 3600);
  Status RevokeDevice(const std::string& device_id);
  Status RevokeUser(const std::string& user_id);
  Result<std::vector<wire::UserEntry>> ListUsers();

  Result<wire::CaseSummary> CreateCase(const std::string& case_id, const Bytes& own_envelope);
  Result<std::vector<wire::CaseSummary>> ListCases();
  Result<wire::CaseSummary> AddMember(const std::string& case_id, const std::string& user_id,
                                      const std::vector<wire::Envelope>& envelopes);
  Result<std::int64_t> RemoveMember(const std::string& case_id, const std::string& user_id);  // new epoch
  Result<std::vector<wire::MemberEntry>> ListMembers(const std::string& case_id);
  Status PutKeys(const std::string& case_id, const std::vector<wire::Envelope>& envelopes);
  // The first envelopes of the case's current epoch, for every current member (docs/api.md "rekey").
  // kConflict if another member's came first.
  Status Rekey(const std::string& case_id, const std::vector<wire::Envelope>& envelopes);
  // This device's replicas of the case and the highest counter the server holds under each.
  Result<std::vector<wire::ReplicaLast>> Replicas(const std::string& case_id);
  Result<std::vector<wire::Envelope>> GetKeys(const std::string& case_id, std::int64_t* current_epoch);

  // Signs the batch with this device's key (wire::OpBatchManifest, wire::SignOpBatch) and pushes it.
  Result<std::vector<wire::OpAck>> PushOps(const std::string& case_id, const std::vector<wire::OpIn>& ops);
  // Pushes the batch with the given batch signature as it is (tests: a forged or misplaced signature).
  Result<std::vector<wire::OpAck>> PushOpsWithSignature(const std::string& case_id, const std::vector<wire::OpIn>& ops,
                                                        const Bytes& batch_sig);
  // The operations of this device's replicas that the server holds without a batch signature (stored
  // before it checked them), at most 5,000 (an OpsPage without batches).
  Result<std::vector<wire::OpOut>> UnsignedOps(const std::string& case_id);
  // Signs those (in this order, each already checked as this device's own) so that members accept them.
  Status SignStoredOps(const std::string& case_id, const std::vector<wire::OpOut>& ops);
  // `skip_own_replica` (16 hex digits, or empty): the server leaves out what this device pushed under that
  // replica (docs/api.md); the page's next_after still covers them.
  Result<wire::OpsPage> PullOps(const std::string& case_id, std::int64_t after, int limit = 1000,
                                std::string_view skip_own_replica = {});
  Status PutBlob(const std::string& case_id, const std::string& blob_id, const Bytes& data);
  Result<Bytes> GetBlob(const std::string& case_id, const std::string& blob_id);

  // ---- retention (docs/api.md "Retention") ----
  Result<wire::CaseRetentionMessage> GetRetention(const std::string& case_id);
  // purge_on empty clears the date.
  Status PutPurgeDate(const std::string& case_id, const std::string& purge_on);
  // Business unit only (kAuthFailed otherwise).
  Status SetHold(const std::string& case_id, bool held);
  Result<std::vector<wire::TombstoneEntry>> ListTombstones(std::int64_t after, std::int64_t* next_after);
  Status PostReceipt(const wire::ReceiptMessage& receipt);
  // Business unit only. case_id empty: every purged case.
  Result<std::vector<wire::CaseConfirmations>> ListConfirmations(const std::string& case_id);
  Result<wire::PolicyMessage> GetPolicy();
  Status PutPolicy(const wire::PolicyMessage& policy);

  // A signed request with any method/target/body, for tests of the authorisation matrix.
  Result<HttpReply> SignedRequest(std::string_view method, std::string_view target, std::string_view body,
                                  std::string_view content_type = "application/json");
  // The same, but also returns the exact headers sent, so a test can replay them.
  Result<HttpReply> SignedRequestCapture(std::string_view method, std::string_view target, std::string_view body,
                                         std::vector<std::pair<std::string, std::string>>* sent_headers,
                                         std::int64_t time_ms = 0);
  HttpsClient& http() { return *http_; }

  const std::string& device_id() const { return device_id_; }
  // The latest X-Casepack-Server-Time seen (only ever increases).
  std::int64_t latest_server_time_ms() const { return latest_server_time_ms_; }

 private:
  Result<std::string> Call(std::string_view method, const std::string& target, std::string_view body,
                           std::string_view content_type = "application/json");
  std::unique_ptr<HttpsClient> http_;
  const Identity* identity_;
  std::string device_id_;
  std::int64_t latest_server_time_ms_ = 0;
  std::int64_t last_signed_time_ms_ = 0;
};

// "this device's clock is 3 days ahead of the server" (or "… 2 hours behind the server") for a device
// clock minus the server's clock of `off_ms`.
std::string DescribeClockOffset(std::int64_t off_ms);

// The error a non-2xx reply stands for. A stale_request refusal becomes "this device's clock is N days
// ahead of the server", from the reply's server time and `sent_time_ms` (the signed request time; 0: now).
Error ErrorFromReply(const HttpReply& reply, std::int64_t sent_time_ms = 0);

}  // namespace casepack::net
