// The typed casepackd API over HttpsClient (no Beast here).
#include <algorithm>

#include "casepack/net_client.h"
#include "casepack/wire.h"

namespace casepack::net {

// "3 days", "1 day", "7 hours", "12 minutes".
static std::string Span(std::int64_t ms) {
  const auto say = [](std::int64_t n, const char* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); };
  if (ms >= 86'400'000) return say(ms / 86'400'000, "day");
  if (ms >= 3'600'000) return say(ms / 3'600'000, "hour");
  return say(std::max<std::int64_t>(ms / 60'000, 1), "minute");
}

std::string DescribeClockOffset(std::int64_t off_ms) {
  return "this device's clock is " + Span(off_ms < 0 ? -off_ms : off_ms) + (off_ms < 0 ? " behind" : " ahead of") +
         " the server";
}

Error ErrorFromReply(const HttpReply& reply, std::int64_t sent_time_ms) {
  std::string message = "server answered " + std::to_string(reply.status);
  auto body = wire::ParseErrorBody(reply.body);
  if (body.ok()) message = "server: " + body->error + ": " + body->message;
  if (body.ok() && body->error == "stale_request" && reply.server_time_ms > 0) {
    // Every reply carries the server's time, and this one comes over the pinned TLS connection: say how far
    // off this device's clock is, which is what the person can fix (issue 11).
    const std::int64_t off = (sent_time_ms != 0 ? sent_time_ms : wire::NowMs()) - reply.server_time_ms;
    return MakeError(ErrorCode::kAuthFailed, DescribeClockOffset(off),
                     "set this device's date and time right (automatically from the network), then run 'casepack "
                     "sync' again; nothing is lost");
  }
  ErrorCode code = ErrorCode::kIo;
  switch (reply.status) {
    case 400: code = ErrorCode::kInvalidArgument; break;
    case 401:
    case 403: code = ErrorCode::kAuthFailed; break;
    case 404: code = ErrorCode::kNotFound; break;
    case 409: code = ErrorCode::kConflict; break;
    case 413:
    case 507: code = ErrorCode::kNoSpace; break;
    default:
      if (reply.status >= 500) code = ErrorCode::kUnavailable;
      break;
  }
  return MakeError(code, std::move(message));
}

CasepackClient::CasepackClient(std::unique_ptr<HttpsClient> http, const Identity* identity, std::string device_id)
    : http_(std::move(http)), identity_(identity), device_id_(std::move(device_id)) {}

constexpr int kImmediateRetries = 8;

Result<HttpReply> CasepackClient::SignedRequestCapture(std::string_view method, std::string_view target,
                                                       std::string_view body,
                                                       std::vector<std::pair<std::string, std::string>>* sent,
                                                       std::int64_t time_ms) {
  const std::string_view content_type =
      (method == "PUT") ? std::string_view("application/octet-stream") : std::string_view("application/json");
  for (int attempt = 0;; ++attempt) {
    // Signed afresh for every attempt: a new nonce, so a retry is never mistaken for a replay.
    last_signed_time_ms_ = time_ms != 0 ? time_ms : wire::NowMs();
    const auto signed_headers = wire::SignRequest(*identity_, method, target, last_signed_time_ms_, AsBytes(body));
    std::vector<std::pair<std::string, std::string>> headers;
    if (!device_id_.empty()) headers.emplace_back(std::string(wire::kHeaderDevice), device_id_);
    headers.emplace_back(std::string(wire::kHeaderTime), signed_headers.time);
    headers.emplace_back(std::string(wire::kHeaderNonce), signed_headers.nonce);
    headers.emplace_back(std::string(wire::kHeaderSignature), signed_headers.signature);
    if (sent != nullptr) *sent = headers;
    auto reply = http_->Send(method, target, body, content_type, headers);
    if (!reply.ok()) {
      // A stale keep-alive connection, or a failover to the next server: resend at once (bounded: each
      // server fails at most once in a row before the failure is returned).
      if (attempt < kImmediateRetries && http_->last_failure_was_stale_connection()) continue;
      return reply.error();
    }
    latest_server_time_ms_ = std::max(latest_server_time_ms_, reply->server_time_ms);
    return reply;
  }
}

Result<HttpReply> CasepackClient::SignedRequest(std::string_view method, std::string_view target,
                                                std::string_view body, std::string_view /*content_type*/) {
  return SignedRequestCapture(method, target, body, nullptr);
}

Result<std::string> CasepackClient::Call(std::string_view method, const std::string& target, std::string_view body,
                                         std::string_view /*content_type*/) {
  CP_ASSIGN_OR_RETURN(HttpReply reply, SignedRequestCapture(method, target, body, nullptr));
  if (reply.status < 200 || reply.status >= 300) return ErrorFromReply(reply, last_signed_time_ms_);
  return std::move(reply.body);
}

Result<wire::Principal> CasepackClient::Enroll(const std::string& code, const std::string& name) {
  const auto& pub = identity_->public_keys();
  wire::EnrollRequest req{code, Bytes(pub.x25519.begin(), pub.x25519.end()),
                          Bytes(pub.ed25519.begin(), pub.ed25519.end()), name};
  device_id_.clear();  // enrolment is signed by the key in the body, not by a device id
  CP_ASSIGN_OR_RETURN(std::string body, Call("POST", "/v1/enroll", wire::ToJson(req)));
  CP_ASSIGN_OR_RETURN(wire::Principal p, wire::ParsePrincipal(body));
  device_id_ = p.device_id;
  return p;
}

Result<wire::Principal> CasepackClient::Me() {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/me", ""));
  return wire::ParsePrincipal(body);
}

Result<wire::Invitation> CasepackClient::CreateInvitation(const std::string& role, std::int64_t expires_in_s) {
  CP_ASSIGN_OR_RETURN(std::string body,
                      Call("POST", "/v1/invitations", wire::ToJson(wire::InvitationRequest{role, expires_in_s})));
  return wire::ParseInvitation(body);
}

Status CasepackClient::RevokeDevice(const std::string& device_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("POST", "/v1/devices/" + device_id + "/revoke", "{}"));
  return Ok();
}

Status CasepackClient::RevokeUser(const std::string& user_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("POST", "/v1/users/" + user_id + "/revoke", "{}"));
  return Ok();
}

Result<std::vector<wire::UserEntry>> CasepackClient::ListUsers() {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/users", ""));
  return wire::ParseUserList(body);
}

Result<wire::CaseSummary> CasepackClient::CreateCase(const std::string& case_id, const Bytes& own_envelope) {
  CP_ASSIGN_OR_RETURN(std::string body,
                      Call("POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{case_id, own_envelope})));
  return wire::ParseCaseSummary(body);
}

Result<std::vector<wire::CaseSummary>> CasepackClient::ListCases() {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases", ""));
  return wire::ParseCaseList(body);
}

Result<wire::CaseSummary> CasepackClient::AddMember(const std::string& case_id, const std::string& user_id,
                                                    const std::vector<wire::Envelope>& envelopes) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("POST", "/v1/cases/" + case_id + "/members",
                                             wire::ToJson(wire::AddMemberRequest{user_id, envelopes})));
  return wire::ParseCaseSummary(body);
}

Result<std::int64_t> CasepackClient::RemoveMember(const std::string& case_id, const std::string& user_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("DELETE", "/v1/cases/" + case_id + "/members/" + user_id, ""));
  CP_ASSIGN_OR_RETURN(wire::CaseSummary s, wire::ParseCaseSummary(body));
  return s.epoch;
}

Result<std::vector<wire::MemberEntry>> CasepackClient::ListMembers(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases/" + case_id + "/members", ""));
  return wire::ParseMemberList(body, nullptr);
}

Status CasepackClient::PutKeys(const std::string& case_id, const std::vector<wire::Envelope>& envelopes) {
  CP_ASSIGN_OR_RETURN(std::string body,
                      Call("POST", "/v1/cases/" + case_id + "/keys", wire::EnvelopesToJson(envelopes, 0)));
  return Ok();
}

Status CasepackClient::Rekey(const std::string& case_id, const std::vector<wire::Envelope>& envelopes) {
  CP_ASSIGN_OR_RETURN(std::string body,
                      Call("POST", "/v1/cases/" + case_id + "/rekey", wire::EnvelopesToJson(envelopes, 0)));
  return Ok();
}

Result<std::vector<wire::ReplicaLast>> CasepackClient::Replicas(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases/" + case_id + "/replicas", ""));
  return wire::ParseReplicaList(body);
}

Result<std::vector<wire::Envelope>> CasepackClient::GetKeys(const std::string& case_id, std::int64_t* current_epoch) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases/" + case_id + "/keys", ""));
  return wire::ParseEnvelopes(body, current_epoch);
}

Result<std::vector<wire::OpAck>> CasepackClient::PushOps(const std::string& case_id,
                                                         const std::vector<wire::OpIn>& ops) {
  // This device pushes its own operations: one signature over the batch's manifest.
  return PushOpsWithSignature(case_id, ops, wire::SignOpBatch(*identity_, wire::OpBatchManifest(case_id, ops)));
}

Result<std::vector<wire::OpAck>> CasepackClient::PushOpsWithSignature(const std::string& case_id,
                                                                      const std::vector<wire::OpIn>& ops,
                                                                      const Bytes& batch_sig) {
  CP_ASSIGN_OR_RETURN(std::string body,
                      Call("POST", "/v1/cases/" + case_id + "/ops", wire::OpsPushToJson(ops, batch_sig)));
  return wire::ParseOpAcks(body);
}

Result<std::vector<wire::OpOut>> CasepackClient::UnsignedOps(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases/" + case_id + "/ops/unsigned", ""));
  CP_ASSIGN_OR_RETURN(wire::OpsPage page, wire::ParseOpsPage(body));
  return std::move(page.ops);
}

Status CasepackClient::SignStoredOps(const std::string& case_id, const std::vector<wire::OpOut>& ops) {
  wire::OpSignaturesRequest req;
  Bytes manifest = wire::OpBatchManifestHeader(case_id);
  for (const auto& op : ops) {
    req.op_ids.push_back(op.op_id);
    wire::AppendOpBatchEntry(manifest, op.op_id, op.epoch, op.blob);
  }
  req.sig = wire::SignOpBatch(*identity_, manifest);
  CP_ASSIGN_OR_RETURN(std::string body, Call("POST", "/v1/cases/" + case_id + "/ops/signatures", wire::ToJson(req)));
  return Ok();
}

Result<wire::OpsPage> CasepackClient::PullOps(const std::string& case_id, std::int64_t after, int limit,
                                              std::string_view skip_own_replica) {
  std::string target = "/v1/cases/" + case_id + "/ops?after=" + std::to_string(after) + "&limit=" + std::to_string(limit);
  if (!skip_own_replica.empty()) target += "&skip=" + std::string(skip_own_replica);
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", target, ""));
  return wire::ParseOpsPage(body);
}

Status CasepackClient::PutBlob(const std::string& case_id, const std::string& blob_id, const Bytes& data) {
  CP_ASSIGN_OR_RETURN(std::string body,
                      Call("PUT", "/v1/cases/" + case_id + "/blobs/" + blob_id, AsText(data), "application/octet-stream"));
  return Ok();
}

Result<Bytes> CasepackClient::GetBlob(const std::string& case_id, const std::string& blob_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases/" + case_id + "/blobs/" + blob_id, ""));
  return Bytes(body.begin(), body.end());
}

Result<wire::CaseRetentionMessage> CasepackClient::GetRetention(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/cases/" + case_id + "/retention", ""));
  return wire::ParseCaseRetention(body);
}

Status CasepackClient::PutPurgeDate(const std::string& case_id, const std::string& purge_on) {
  wire::CaseRetentionMessage m;
  m.purge_on = purge_on;
  CP_ASSIGN_OR_RETURN(std::string body, Call("PUT", "/v1/cases/" + case_id + "/retention", wire::ToJson(m)));
  return Ok();
}

Status CasepackClient::SetHold(const std::string& case_id, bool held) {
  CP_ASSIGN_OR_RETURN(std::string body, Call(held ? "PUT" : "DELETE", "/v1/cases/" + case_id + "/hold", ""));
  return Ok();
}

Result<std::vector<wire::TombstoneEntry>> CasepackClient::ListTombstones(std::int64_t after, std::int64_t* next_after) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/tombstones?after=" + std::to_string(after), ""));
  return wire::ParseTombstones(body, next_after);
}

Status CasepackClient::PostReceipt(const wire::ReceiptMessage& receipt) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("POST", "/v1/receipts", wire::ToJson(receipt)));
  return Ok();
}

Result<std::vector<wire::CaseConfirmations>> CasepackClient::ListConfirmations(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", case_id.empty() ? std::string("/v1/receipts")
                                                                    : "/v1/receipts?case=" + case_id, ""));
  return wire::ParseConfirmations(body);
}

Result<wire::PolicyMessage> CasepackClient::GetPolicy() {
  CP_ASSIGN_OR_RETURN(std::string body, Call("GET", "/v1/retention-policy", ""));
  return wire::ParsePolicy(body);
}

Status CasepackClient::PutPolicy(const wire::PolicyMessage& policy) {
  CP_ASSIGN_OR_RETURN(std::string body, Call("PUT", "/v1/retention-policy", wire::ToJson(policy)));
  return Ok();
}

}  // namespace casepack::net
