// The casepackd wire protocol, shared by the client and the server: how a request is signed by a device
// key, and the JSON messages of the API. No sockets, no TLS, no database here, so both sides (and tests
// with an in-memory transport) use exactly the same code. The format is specified in docs/api.md.
//
// Request signing (docs/api.md, "Signed requests"). Every authenticated request carries four headers:
//   X-Casepack-Device     device id (absent on POST /v1/enroll, where the key is in the body)
//   X-Casepack-Time       signer's clock, unix milliseconds, decimal
//   X-Casepack-Nonce      32 lower-case hex characters (128 random bits), never reused by a device
//   X-Casepack-Signature  base64 Ed25519 signature over CanonicalRequest(...)
// The server rejects a time outside ±kMaxClockSkewMs of its own clock and a (device, nonce) pair it has
// seen, so a captured request cannot be replayed, neither now nor after the window.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/hash.h"
#include "casepack/identity.h"
#include "casepack/result.h"

namespace casepack::wire {

inline constexpr std::string_view kHeaderDevice = "X-Casepack-Device";
inline constexpr std::string_view kHeaderTime = "X-Casepack-Time";
inline constexpr std::string_view kHeaderNonce = "X-Casepack-Nonce";
inline constexpr std::string_view kHeaderSignature = "X-Casepack-Signature";
// Set by the server on every response: its clock in unix ms. Clients keep the latest value they have seen
// (a clock that only moves forward, used by retention).
inline constexpr std::string_view kHeaderServerTime = "X-Casepack-Server-Time";

inline constexpr std::int64_t kMaxClockSkewMs = 5 * 60 * 1000;
inline constexpr std::string_view kSignatureContext = "casepack-req-v1";

inline constexpr std::string_view kRoleBusinessUnit = "business-unit";
inline constexpr std::string_view kRoleFacilitator = "facilitator";

// Lower-case hex SHA-256 of `body` (of the empty string for a request without a body).
std::string BodyHash(std::span<const std::uint8_t> body);

// The exact bytes that are signed:
//   "casepack-req-v1\n" METHOD "\n" PATH-WITH-QUERY "\n" TIME "\n" NONCE "\n" hex(sha256(body))
// METHOD is upper case ("GET"); PATH-WITH-QUERY is the request target exactly as sent on the request
// line (no scheme or host); TIME is decimal without leading zeros or sign.
std::string CanonicalRequest(std::string_view method, std::string_view target, std::int64_t time_ms,
                             std::string_view nonce, std::span<const std::uint8_t> body);

struct SignedHeaders {
  std::string time;       // decimal unix ms
  std::string nonce;      // 32 lower-case hex
  std::string signature;  // base64
};

// Signs a request with the device's Ed25519 key, using a fresh random nonce.
SignedHeaders SignRequest(const Identity& identity, std::string_view method, std::string_view target,
                          std::int64_t time_ms, std::span<const std::uint8_t> body);

// Checks the header syntax and the signature (not time window nor replay: those need server state).
// kInvalidArgument for malformed headers, kAuthFailed for a signature that does not verify.
Status VerifyRequest(std::span<const std::uint8_t> ed25519_public, std::string_view method,
                     std::string_view target, std::string_view time, std::string_view nonce,
                     std::string_view signature_b64, std::span<const std::uint8_t> body);

// Parses a strict decimal unix-ms value (digits only, no leading zero unless "0", fits in int64).
std::optional<std::int64_t> ParseTimeMs(std::string_view text);

// Identifier syntax. Case ids, user ids and device ids are 32 lower-case hex characters; op ids and blob
// ids are 1..128 characters of [A-Za-z0-9._:-] (so they are safe in paths and log lines).
bool IsHexId(std::string_view id);
// A replica id as op ids and batch ids spell it: 16 lower-case hex characters.
bool IsReplicaHex(std::string_view replica);
bool IsOpaqueId(std::string_view id);
bool IsNonce(std::string_view nonce);

std::int64_t NowMs();

// ---- JSON messages (docs/api.md). Parse functions return kInvalidArgument for anything malformed:
// wrong types, missing fields, bad ids, bad base64, unknown roles. Blobs are opaque ciphertext. ----

struct EnrollRequest {
  std::string code;
  Bytes x25519;  // 32 bytes
  Bytes ed25519;  // 32 bytes; the request is signed with the matching secret key
  std::string name;  // optional: the person's name as colleagues know them (ValidPersonName)
};
// A person's name (enrolment, `server users`): 1..80 bytes of UTF-8, no control characters.
bool ValidPersonName(std::string_view name);
std::string ToJson(const EnrollRequest& m);
Result<EnrollRequest> ParseEnrollRequest(std::string_view json);

struct Principal {  // response of POST /v1/enroll and GET /v1/me
  std::string user_id;
  std::string device_id;
  std::string role;
};
std::string ToJson(const Principal& m);
Result<Principal> ParsePrincipal(std::string_view json);

struct InvitationRequest {
  std::string role;
  std::int64_t expires_in_s = 7 * 24 * 3600;
};
std::string ToJson(const InvitationRequest& m);
Result<InvitationRequest> ParseInvitationRequest(std::string_view json);

struct Invitation {
  std::string code;  // shown once; the server keeps only its hash
  std::string role;
  std::int64_t expires_at_ms = 0;
};
std::string ToJson(const Invitation& m);
Result<Invitation> ParseInvitation(std::string_view json);

struct DeviceKeys {
  std::string device_id;
  Bytes x25519;
  Bytes ed25519;
  bool revoked = false;
};
struct UserEntry {
  std::string user_id;
  std::string role;
  bool revoked = false;
  std::vector<DeviceKeys> devices;
  std::string name;  // empty: enrolled without a name
};
std::string ToJson(const std::vector<UserEntry>& users);
Result<std::vector<UserEntry>> ParseUserList(std::string_view json);

// A case key sealed (crypto_box_seal) to one member for one epoch. Opaque to the server.
struct Envelope {
  std::string user_id;
  std::int64_t epoch = 0;
  Bytes sealed;
};

struct CreateCaseRequest {
  std::string case_id;  // chosen by the client (RandomId), so a retried create is idempotent
  Bytes envelope;       // the creator's own sealed copy of the epoch-1 key
};
std::string ToJson(const CreateCaseRequest& m);
Result<CreateCaseRequest> ParseCreateCaseRequest(std::string_view json);

struct CaseSummary {
  std::string case_id;
  std::int64_t epoch = 0;
};
std::string ToJson(const CaseSummary& m);
Result<CaseSummary> ParseCaseSummary(std::string_view json);
std::string ToJson(const std::vector<CaseSummary>& cases);
Result<std::vector<CaseSummary>> ParseCaseList(std::string_view json);

// GET /v1/cases/{id}/replicas: the caller's device's replicas of the case and the highest operation
// counter the server holds under each (issue 11, item 6: a store restored from a backup learns it is behind
// its own replica). `replica` is 16 lower-case hex digits.
// `unsigned_ops`: how many of the replica's stored operations carry no batch signature (stored before the
// server checked them); the device signs them (POST …/ops/signatures, docs/api.md). Absent: 0.
struct ReplicaLast {
  std::string replica;
  std::int64_t last = 0;
  std::int64_t unsigned_ops = 0;
};
std::string ToJson(const std::vector<ReplicaLast>& replicas);
Result<std::vector<ReplicaLast>> ParseReplicaList(std::string_view json);

struct AddMemberRequest {
  std::string user_id;
  std::vector<Envelope> envelopes;  // user_id of each must equal the new member's; must cover the current epoch
};
std::string ToJson(const AddMemberRequest& m);
Result<AddMemberRequest> ParseAddMemberRequest(std::string_view json);

std::string EnvelopesToJson(const std::vector<Envelope>& envelopes, std::int64_t current_epoch);
// {"epoch": N, "envelopes": [...]}; epoch is the case's current epoch.
Result<std::vector<Envelope>> ParseEnvelopes(std::string_view json, std::int64_t* current_epoch);

struct MemberEntry {
  std::string user_id;
  bool removed = false;
};
std::string ToJson(const std::vector<MemberEntry>& members, std::int64_t epoch);
Result<std::vector<MemberEntry>> ParseMemberList(std::string_view json, std::int64_t* epoch);

// Operation signatures (docs/api.md "Operation signatures"; issue 11, item 2). The pushing device signs
// each pushed batch once, with its Ed25519 key, over the batch's manifest: the case, and for every op its
// id, epoch and the SHA-256 of its blob (the exact bytes the server stores and members pull):
//   "casepack-opbatch-v1\n" CASE_ID "\n" { OP_ID "\n" EPOCH "\n" SHA256(blob) (32 raw bytes) }*
// The server builds the manifest from the ops it receives and refuses the batch (403 bad_op_signature)
// before storing anything unless the signature verifies under the pushing device's key; it keeps the
// manifest and signature beside the ops, and every pull page carries those of the batches its ops come
// from, so that members check each op against the device the server names.
inline constexpr std::string_view kOpBatchContext = "casepack-opbatch-v1";
// Op ids are [A-Za-z0-9._:-]{1,128} (IsOpaqueId) and epochs decimal: no entry can contain a line feed.
Bytes OpBatchManifestHeader(std::string_view case_id);
void AppendOpBatchEntry(Bytes& manifest, std::string_view op_id, std::int64_t epoch, std::span<const std::uint8_t> blob);
Bytes SignOpBatch(const Identity& device, std::span<const std::uint8_t> manifest);
// kAuthFailed unless `signature` is the device's signature of `manifest`.
Status VerifyOpBatch(std::span<const std::uint8_t> ed25519_public, std::span<const std::uint8_t> manifest,
                     std::span<const std::uint8_t> signature);
struct OpBatchEntry {
  std::int64_t epoch = 0;
  Sha256Digest digest{};
};
// The entries of a manifest by op id; kInvalidArgument if it is malformed or for another case.
Result<std::map<std::string, OpBatchEntry, std::less<>>> ParseOpBatchManifest(std::span<const std::uint8_t> manifest,
                                                                              std::string_view case_id);

// A sealed batch's id (docs/sync-client.md "A batch on the wire"): "RRRRRRRRRRRRRRRR-FIRST-LAST", the
// author replica's id in 16 lower-case hex digits and the first and last counters the batch holds, decimal
// without leading zeros, 1 ≤ FIRST ≤ LAST < 2^32. nullopt for anything else (one operation's
// "RRRRRRRRRRRRRRRR-N" included).
struct BatchSpan {
  std::string replica;  // 16 hex digits
  std::uint64_t first = 0, last = 0;
};
std::optional<BatchSpan> ParseBatchOpId(std::string_view op_id);
std::string BatchOpId(std::uint64_t replica, std::uint64_t first, std::uint64_t last);

struct OpIn {
  std::string op_id;
  std::int64_t epoch = 0;  // key epoch the blob is encrypted under; must be the case's current epoch
  Bytes blob;
};
// The manifest of a batch as the pushing device signs it (CasepackClient::PushOps) and the server checks it.
Bytes OpBatchManifest(std::string_view case_id, const std::vector<OpIn>& ops);
// POST /v1/cases/{id}/ops: {"ops":[…],"sig":"<64 bytes b64>"}, `sig` the SignOpBatch of the batch.
std::string OpsPushToJson(const std::vector<OpIn>& ops, const Bytes& batch_sig);
Result<std::vector<OpIn>> ParseOpsPush(std::string_view json, Bytes* batch_sig);

struct OpAck {
  std::string op_id;
  std::int64_t seq = 0;
};
std::string ToJson(const std::vector<OpAck>& acks);
Result<std::vector<OpAck>> ParseOpAcks(std::string_view json);

struct OpOut {
  std::int64_t seq = 0;  // strictly increasing within a case; not contiguous
  std::string op_id;
  std::int64_t epoch = 0;
  std::string device_id;  // the pushing device
  Bytes blob;
  std::int64_t batch = 0;  // the signed batch it was pushed in (OpsPage::batches); 0: none (stored unsigned)
};
// A pushed batch's manifest and signature as the server keeps them. `batch` is the server's id for it.
struct OpBatch {
  std::int64_t batch = 0;
  std::string device_id;  // the pushing (signing) device
  Bytes manifest;
  Bytes sig;  // as pushed (the parser takes any length: a member checks it and quarantines what fails)
};
struct OpsPage {
  std::vector<OpOut> ops;
  std::vector<OpBatch> batches;  // every batch an op of the page names, once
  std::int64_t next_after = 0;  // pass as ?after= for the next page
  bool more = false;            // true if the page was full
};
std::string ToJson(const OpsPage& page);
Result<OpsPage> ParseOpsPage(std::string_view json);

// POST /v1/cases/{id}/ops/signatures: the device's batch signature for operations of its own replicas
// that the server holds unsigned (GET …/ops/unsigned, an OpsPage without batches). The server builds the
// manifest from the ops it holds, in this order.
struct OpSignaturesRequest {
  std::vector<std::string> op_ids;
  Bytes sig;
};
std::string ToJson(const OpSignaturesRequest& m);
Result<OpSignaturesRequest> ParseOpSignatures(std::string_view json);
namespace detail {
// The same parse through nlohmann's parser only (ParseOpsPage has a faster path for the common shape).
// For differential tests and fuzzing.
Result<OpsPage> ParseOpsPageReference(std::string_view json);
}  // namespace detail

struct ErrorBody {
  std::string error;    // machine-readable code: "unauthorized", "not_found", ...
  std::string message;  // for people; never contains case content
};
std::string ToJson(const ErrorBody& m);
Result<ErrorBody> ParseErrorBody(std::string_view json);

// ---- retention (docs/api.md "Retention") ----

// "YYYY-MM-DD" with a real calendar day.
bool IsIsoDate(std::string_view text);
// The UTC calendar day of a unix-ms instant, "YYYY-MM-DD".
std::string UtcDateOf(std::int64_t ms);
// "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ" → unix ms; nullopt if malformed.
std::optional<std::int64_t> ParseUtcInstant(std::string_view text);

// The exact bytes a device signs in a purge receipt (the client's PurgeReceipt::CanonicalReceipt):
// compact JSON with sorted keys {"case_id","purged_at","store_id","type":"casepack-purge-receipt/1"}.
std::string CanonicalPurgeReceipt(std::string_view case_id, std::string_view store_id, std::string_view purged_at);
// The bytes a Business Unit device signs for a retention policy record:
// "casepack-policy-v1\n" VERSION "\n" RECORD.
std::string CanonicalPolicy(std::int64_t version, std::string_view record);

struct CaseRetentionMessage {  // PUT/GET /v1/cases/{id}/retention
  std::string purge_on;        // empty: none (null on the wire)
  bool held = false;           // GET only
  std::string held_by;
  std::int64_t held_at_ms = 0;
};
std::string ToJson(const CaseRetentionMessage& m);
Result<CaseRetentionMessage> ParseCaseRetention(std::string_view json);

struct TombstoneEntry {
  std::int64_t seq = 0;
  std::string case_id;
  std::string purge_on;
  std::int64_t purged_at_ms = 0;
};
std::string ToJson(const std::vector<TombstoneEntry>& t, std::int64_t next_after);
Result<std::vector<TombstoneEntry>> ParseTombstones(std::string_view json, std::int64_t* next_after);

struct ReceiptMessage {  // POST /v1/receipts
  std::string case_id;
  std::string store_id;
  std::string purged_at;
  Bytes public_key;  // Ed25519 (32)
  Bytes signature;   // 64
};
std::string ToJson(const ReceiptMessage& m);
Result<ReceiptMessage> ParseReceipt(std::string_view json);

struct DeviceConfirmation {
  std::string user_id;
  std::string device_id;
  bool confirmed = false;
  std::string purged_at;
  // Confirmed: the device's purge receipt as it signed it (CanonicalPurgeReceipt), for certificates.
  std::string store_id;
  Bytes public_key;
  Bytes signature;
};
struct CaseConfirmations {
  std::string case_id;
  bool purged = false;  // the server has purged it
  std::int64_t purged_at_ms = 0;
  std::vector<DeviceConfirmation> devices;
};
std::string ToJson(const std::vector<CaseConfirmations>& cases);
Result<std::vector<CaseConfirmations>> ParseConfirmations(std::string_view json);

struct PolicyMessage {  // PUT/GET /v1/retention-policy
  std::int64_t version = 0;  // 0: none stored
  std::string record;        // JSON text of the client's PolicyRecord
  std::string device_id;     // the signing Business Unit device
  Bytes signature;           // Ed25519 over CanonicalPolicy(version, record)
};
std::string ToJson(const PolicyMessage& m);
Result<PolicyMessage> ParsePolicy(std::string_view json);

}  // namespace casepack::wire
