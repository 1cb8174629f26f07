#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "casepack/fault_point.h"
#include "casepack/identity.h"
#include "casepack/random.h"
#include "casepack/server_api.h"
#include "casepack/wire.h"
#include "store/store_rules.h"

namespace casepack::server {
namespace {

using nlohmann::json;

HttpResponse JsonReply(int status, std::string body) { return HttpResponse{status, "application/json", std::move(body)}; }

HttpResponse ErrorReply(int status, std::string_view code, std::string message, RequestLog* log) {
  log->error = std::string(code);
  return JsonReply(status, wire::ToJson(wire::ErrorBody{std::string(code), std::move(message)}));
}

// Errors from the store. Their messages never contain content (ids and sqlite text at most), but internal
// failures are logged server side and answered generically.
HttpResponse StoreErrorReply(const Error& e, RequestLog* log) {
  switch (e.code) {
    case ErrorCode::kNotFound:
      return ErrorReply(404, "not_found", e.message, log);
    case ErrorCode::kConflict:
      return ErrorReply(409, "conflict", e.message, log);
    case ErrorCode::kAuthFailed:
      return ErrorReply(403, "forbidden", e.message, log);
    case ErrorCode::kInvalidArgument:
      return ErrorReply(400, "bad_request", e.message, log);
    case ErrorCode::kUnavailable:
      log->detail = e.message;
      return ErrorReply(503, "unavailable", "server busy, retry later", log);
    case ErrorCode::kNoSpace:
      log->detail = e.message;
      return ErrorReply(507, "no_space", "server storage full", log);
    default:
      log->detail = e.message;
      return ErrorReply(500, "internal", "internal server error", log);
  }
}

HttpResponse NotFound(RequestLog* log) { return ErrorReply(404, "not_found", "not found", log); }

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path[0] != '/') return parts;
  std::size_t i = 1;
  while (i <= path.size()) {
    const std::size_t j = path.find('/', i);
    const std::size_t end = j == std::string_view::npos ? path.size() : j;
    parts.push_back(path.substr(i, end - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return parts;
}

// The value of query parameter `name` (the first one), as written.
std::optional<std::string_view> QueryValue(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const std::size_t amp = query.find('&', pos);
    const std::string_view kv = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    const std::size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, eq) == name) return kv.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return std::nullopt;
}

// Strict query parameter: digits only.
std::optional<std::int64_t> QueryInt(std::string_view query, std::string_view name) {
  const auto v = QueryValue(query, name);
  return v ? wire::ParseTimeMs(*v) : std::nullopt;
}

bool HasParam(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const std::size_t amp = query.find('&', pos);
    const std::string_view kv = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (kv.substr(0, kv.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return false;
}

std::int64_t SystemNow() { return wire::NowMs(); }

// The method as a log/metric label: only the verbs the API knows; anything else is "OTHER".
std::string MethodLabel(const std::string& m) {
  for (const char* known : {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"}) {
    if (m == known) return m;
  }
  return "OTHER";
}

}  // namespace

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }
std::string_view QueryOf(std::string_view target) {
  const std::size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::optional<std::string_view> HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return std::string_view(v);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------
// Metrics

namespace {

constexpr double kBucketBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
constexpr std::size_t kBuckets = std::size(kBucketBounds) + 1;  // and +Inf
constexpr const char* kRequests = "casepackd_requests_total";
constexpr const char* kDuration = "casepackd_request_duration_seconds";
// The durations' sum is kept in whole microseconds: the store's counters are integers.
constexpr const char* kDurationSumUs = "casepackd_request_duration_microseconds_sum";
constexpr const char* kDurationCount = "casepackd_request_duration_seconds_count";

// The series of each bucket, cumulative as Prometheus has them: le="0.001" … le="+Inf".
const std::array<std::string, kBuckets>& BucketSeries() {
  static const std::array<std::string, kBuckets> series = [] {
    std::array<std::string, kBuckets> out;
    char le[32];
    for (std::size_t i = 0; i < kBuckets; ++i) {
      if (i < std::size(kBucketBounds)) {
        std::snprintf(le, sizeof le, "%g", kBucketBounds[i]);
      } else {
        std::snprintf(le, sizeof le, "+Inf");
      }
      out[i] = std::string(kDuration) + "_bucket{le=\"" + le + "\"}";
    }
    return out;
  }();
  return series;
}

}  // namespace

void Metrics::Add(const std::string& series, std::int64_t n) {
  std::lock_guard lock(mu_);
  pending_[series] += n;
}

void Metrics::CountRequest(const std::string& route, int status, double seconds) {
  // Route labels are fixed templates (Api::Dispatch): nothing a client chose reaches a series name.
  const std::string requests = std::string(kRequests) + "{route=\"" + route + "\",status=\"" + std::to_string(status) + "\"}";
  std::size_t b = 0;
  while (b < std::size(kBucketBounds) && seconds > kBucketBounds[b]) ++b;
  const auto& buckets = BucketSeries();
  std::lock_guard lock(mu_);
  ++pending_[requests];
  for (std::size_t i = b; i < kBuckets; ++i) ++pending_[buckets[i]];
  pending_[kDurationSumUs] += static_cast<std::int64_t>(seconds * 1e6 + 0.5);
  ++pending_[kDurationCount];
}

Status Metrics::Flush(ServerStore& store) {
  std::lock_guard flushing(flush_mu_);
  std::map<std::string, std::int64_t> deltas;
  {
    std::lock_guard lock(mu_);
    deltas.swap(pending_);
  }
  Status st = store.AddCounters(deltas);
  if (!st.ok()) {
    std::lock_guard lock(mu_);
    for (const auto& [series, n] : deltas) pending_[series] += n;
  }
  return st;
}

std::string Metrics::Render(ServerStore& store) const {
  std::lock_guard flushing(flush_mu_);
  auto stored = store.ReadCounters();
  auto counts = store.Counts();
  std::map<std::string, std::int64_t> totals = stored.ok() ? std::move(*stored) : std::map<std::string, std::int64_t>{};
  {
    std::lock_guard lock(mu_);
    for (const auto& [series, n] : pending_) totals[series] += n;
  }
  auto total = [&](const std::string& series) {
    auto it = totals.find(series);
    return static_cast<long long>(it == totals.end() ? 0 : it->second);
  };

  std::string out;
  char line[512];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  out += "# HELP casepackd_requests_total HTTP requests by route template and status (all processes on the store).\n";
  out += "# TYPE casepackd_requests_total counter\n";
  const std::string prefix = std::string(kRequests) + "{";
  for (auto it = totals.lower_bound(prefix); it != totals.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    add("%s %lld\n", it->first.c_str(), static_cast<long long>(it->second));
  }
  out += "# HELP casepackd_request_duration_seconds Time from a complete request to its reply being ready (handling, not writing).\n";
  out += "# TYPE casepackd_request_duration_seconds histogram\n";
  for (const auto& series : BucketSeries()) add("%s %lld\n", series.c_str(), total(series));
  add("casepackd_request_duration_seconds_sum %.6f\n", static_cast<double>(total(kDurationSumUs)) / 1e6);
  add("casepackd_request_duration_seconds_count %lld\n", total(kDurationCount));
  for (const char* counter : {kOpsAcknowledged, kConnections, kConnectionsRejected, kTlsFailures}) {
    add("# TYPE %s counter\n%s %lld\n", counter, counter, total(counter));
  }
  out += "# HELP casepackd_connections_active Open connections of this process.\n";
  out += "# TYPE casepackd_connections_active gauge\n";
  add("casepackd_connections_active %lld\n", static_cast<long long>(active_connections_.load()));
  out += "# HELP casepackd_store_up Whether this page could read the store (0: the store's figures are missing).\n";
  out += "# TYPE casepackd_store_up gauge\n";
  add("casepackd_store_up %d\n", stored.ok() && counts.ok() ? 1 : 0);
  if (counts.ok()) {
    const std::pair<const char*, std::int64_t> gauges[] = {{"casepackd_store_users", counts->users},
                                                           {"casepackd_store_devices", counts->devices},
                                                           {"casepackd_store_cases", counts->cases},
                                                           {"casepackd_store_ops", counts->ops}};
    for (const auto& [name, n] : gauges) add("# TYPE %s gauge\n%s %lld\n", name, name, static_cast<long long>(n));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Api

Api::Api(ServerStore& store, Metrics& metrics, std::int64_t (*clock)())
    : store_(store), metrics_(metrics), clock_(clock ? clock : &SystemNow) {}

std::int64_t Api::NowMs() const { return clock_(); }

std::size_t Api::BodyLimitFor(std::string_view method, std::string_view target) {
  const auto parts = SplitPath(PathOf(target));
  if (method == "PUT" && parts.size() == 5 && parts[0] == "v1" && parts[1] == "cases" && parts[3] == "blobs") {
    return kMaxBlobBodyBytes;
  }
  return kMaxJsonBodyBytes;
}

HttpResponse Api::Handle(const HttpRequest& request, RequestLog* log) {
  try {
    return Dispatch(request, log);
  } catch (const std::exception&) {
    // Only allocation failure can get here; the message could hold anything, so it is not logged.
    log->detail = "exception in handler";
    return ErrorReply(500, "internal", "internal server error", log);
  }
}

void Api::MaybePruneNonces(std::int64_t now) {
  std::int64_t last = last_prune_ms_.load();
  if (now - last < 60 * 1000) return;
  if (!last_prune_ms_.compare_exchange_strong(last, now)) return;
  (void)store_.PruneNonces(now - 2 * wire::kMaxClockSkewMs);
}

Result<Api::Caller> Api::Authenticate(const HttpRequest& req, std::string_view path, RequestLog* log,
                                      HttpResponse* denied) {
  auto deny = [&](std::string_view code, std::string msg) -> Error {
    *denied = ErrorReply(401, code, msg, log);
    return MakeError(ErrorCode::kAuthFailed, std::move(msg));
  };
  const auto device_id = req.Header("x-casepack-device");
  const auto time = req.Header("x-casepack-time");
  const auto nonce = req.Header("x-casepack-nonce");
  const auto signature = req.Header("x-casepack-signature");
  if (!device_id || !time || !nonce || !signature) return deny("unauthorized", "missing request signature headers");
  if (!wire::IsHexId(*device_id)) return deny("unauthorized", "malformed device id");
  const auto t = wire::ParseTimeMs(*time);
  if (!t) return deny("unauthorized", "malformed request time");
  const std::int64_t now = NowMs();
  if (*t < now - wire::kMaxClockSkewMs || *t > now + wire::kMaxClockSkewMs) {
    return deny("stale_request", "request time outside the accepted window; check the device clock");
  }
  auto device = store_.GetDevice(std::string(*device_id));
  if (!device.ok()) {
    if (device.error().code == ErrorCode::kNotFound) return deny("unauthorized", "unknown device");
    *denied = StoreErrorReply(device.error(), log);
    return device.error();
  }
  Status verified = wire::VerifyRequest(device->ed25519, req.method, req.target, *time, *nonce, *signature,
                                        AsBytes(req.body));
  if (!verified.ok()) return deny("unauthorized", verified.error().message);
  // Checked on every request, after the signature, so revocation takes effect at once.
  if (device->device_revoked) return deny("revoked", "device revoked");
  if (device->user_revoked) return deny("revoked", "user revoked");
  // Only a correctly signed request consumes its nonce, so nobody else can burn a device's nonces.
  Status fresh = store_.RecordNonce(device->device_id, std::string(*nonce), *t);
  if (!fresh.ok()) {
    if (fresh.error().code == ErrorCode::kConflict) return deny("replayed_request", "nonce already used");
    *denied = StoreErrorReply(fresh.error(), log);
    return fresh.error();
  }
  MaybePruneNonces(now);
  log->user_id = device->user_id;
  log->device_id = device->device_id;
  (void)path;
  return Caller{std::move(device).value()};
}

HttpResponse Api::Enroll(const HttpRequest& req, RequestLog* log) {
  auto parsed = wire::ParseEnrollRequest(req.body);
  if (!parsed.ok()) return ErrorReply(400, "bad_request", parsed.error().message, log);
  const auto time = req.Header("x-casepack-time");
  const auto nonce = req.Header("x-casepack-nonce");
  const auto signature = req.Header("x-casepack-signature");
  if (!time || !nonce || !signature) {
    return ErrorReply(401, "unauthorized", "enrolment must be signed with the new device key", log);
  }
  const auto t = wire::ParseTimeMs(*time);
  const std::int64_t now = NowMs();
  if (!t || *t < now - wire::kMaxClockSkewMs || *t > now + wire::kMaxClockSkewMs) {
    return ErrorReply(401, "stale_request", "request time outside the accepted window; check the device clock", log);
  }
  Status verified = wire::VerifyRequest(parsed->ed25519, req.method, req.target, *time, *nonce, *signature,
                                        AsBytes(req.body));
  if (!verified.ok()) return ErrorReply(401, "unauthorized", verified.error().message, log);
  Status fresh = store_.RecordNonce("enroll:" + HexEncode(parsed->ed25519), std::string(*nonce), *t);
  if (!fresh.ok()) {
    if (fresh.error().code == ErrorCode::kConflict) {
      return ErrorReply(401, "replayed_request", "nonce already used", log);
    }
    return StoreErrorReply(fresh.error(), log);
  }
  auto p = store_.Enroll(InvitationCodeHash(parsed->code), now, parsed->x25519, parsed->ed25519);
  if (!p.ok()) {
    switch (p.error().code) {
      case ErrorCode::kNotFound:
      case ErrorCode::kConflict:
      case ErrorCode::kAuthFailed:
        return ErrorReply(403, "invitation_invalid", p.error().message, log);
      default:
        return StoreErrorReply(p.error(), log);
    }
  }
  log->user_id = p->user_id;
  log->device_id = p->device_id;
  if (!parsed->name.empty()) {
    // The user exists now: a failure to record the name leaves them unnamed (shown by id), not unenrolled.
    (void)store_.SetUserName(p->user_id, parsed->name);
  }
  return JsonReply(201, wire::ToJson(*p));
}

HttpResponse Api::Dispatch(const HttpRequest& req, RequestLog* log) {
  const std::string_view path = PathOf(req.target);
  const std::string_view query = QueryOf(req.target);
  const auto parts = SplitPath(path);
  const std::string& m = req.method;
  const std::string ml = MethodLabel(m);

  if (path == "/healthz") {
    log->route = ml + " /healthz";
    if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
    return JsonReply(200, R"({"status":"ok"})");
  }
  if (path == "/metrics") {
    log->route = ml + " /metrics";
    if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
    return HttpResponse{200, "text/plain; version=0.0.4", metrics_.Render(store_)};
  }
  if (parts.size() < 2 || parts[0] != "v1") {
    log->route = ml + " (unknown)";
    return NotFound(log);
  }
  if (path == "/v1/enroll") {
    log->route = ml + " /v1/enroll";
    if (m != "POST") return ErrorReply(405, "method_not_allowed", "use POST", log);
    return Enroll(req, log);
  }

  // Everything else needs a signed request from a live device.
  log->route = ml + " /v1/(unknown)";
  HttpResponse denied;
  auto caller_or = Authenticate(req, path, log, &denied);
  if (!caller_or.ok()) return denied;
  const Caller& caller = *caller_or;
  const bool is_bu = caller.device.role == wire::kRoleBusinessUnit;

  if (parts.size() == 2 && parts[1] == "me") {
    log->route = ml + " /v1/me";
    if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
    return JsonReply(200, wire::ToJson(wire::Principal{caller.device.user_id, caller.device.device_id,
                                                       caller.device.role}));
  }
  if (parts.size() == 2 && parts[1] == "invitations") {
    log->route = ml + " /v1/invitations";
    if (m != "POST") return ErrorReply(405, "method_not_allowed", "use POST", log);
    if (!is_bu) return ErrorReply(403, "forbidden", "only the business unit can invite", log);
    auto inv_req = wire::ParseInvitationRequest(req.body);
    if (!inv_req.ok()) return ErrorReply(400, "bad_request", inv_req.error().message, log);
    wire::Invitation inv;
    inv.code = HexEncode(RandomBytes(16));
    inv.role = inv_req->role;
    inv.expires_at_ms = NowMs() + inv_req->expires_in_s * 1000;
    Status st = store_.CreateInvitation(InvitationCodeHash(inv.code), inv.role, inv.expires_at_ms, caller.device.user_id);
    if (!st.ok()) return StoreErrorReply(st.error(), log);
    return JsonReply(201, wire::ToJson(inv));
  }
  if (parts[1] == "users") {
    if (parts.size() == 2) {
      log->route = ml + " /v1/users";
      if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
      auto users = store_.ListUsers();
      if (!users.ok()) return StoreErrorReply(users.error(), log);
      return JsonReply(200, wire::ToJson(*users));
    }
    if (parts.size() == 4 && parts[3] == "revoke") {
      log->route = ml + " /v1/users/{id}/revoke";
      if (m != "POST") return ErrorReply(405, "method_not_allowed", "use POST", log);
      if (!is_bu) return ErrorReply(403, "forbidden", "only the business unit can revoke users", log);
      if (!wire::IsHexId(parts[2])) return NotFound(log);
      Status st = store_.RevokeUser(std::string(parts[2]));
      if (!st.ok()) return StoreErrorReply(st.error(), log);
      return JsonReply(200, R"({"revoked":true})");
    }
    return NotFound(log);
  }
  if (parts[1] == "devices" && parts.size() == 4 && parts[3] == "revoke") {
    log->route = ml + " /v1/devices/{id}/revoke";
    if (m != "POST") return ErrorReply(405, "method_not_allowed", "use POST", log);
    if (!wire::IsHexId(parts[2])) return NotFound(log);
    auto target = store_.GetDevice(std::string(parts[2]));
    // A facilitator may revoke only their own devices; others' devices do not exist for them.
    if (!target.ok() || (!is_bu && target->user_id != caller.device.user_id)) return NotFound(log);
    Status st = store_.RevokeDevice(target->device_id);
    if (!st.ok()) return StoreErrorReply(st.error(), log);
    return JsonReply(200, R"({"revoked":true})");
  }
  if (parts[1] == "tombstones" || parts[1] == "receipts" || parts[1] == "retention-policy") {
    return RetentionRoute(req, caller, parts, query, log);
  }
  if (parts[1] == "cases") {
    if (parts.size() == 2) {
      log->route = ml + " /v1/cases";
      if (m == "GET") {
        auto cases = store_.ListCases(caller.device.user_id);
        if (!cases.ok()) return StoreErrorReply(cases.error(), log);
        return JsonReply(200, wire::ToJson(*cases));
      }
      if (m == "POST") {
        auto c = wire::ParseCreateCaseRequest(req.body);
        if (!c.ok()) return ErrorReply(400, "bad_request", c.error().message, log);
        log->case_id = c->case_id;
        Status st = store_.CreateCase(c->case_id, caller.device.user_id, c->envelope, NowMs());
        if (st.ok()) return JsonReply(201, wire::ToJson(wire::CaseSummary{c->case_id, 1}));
        if (st.error().code == ErrorCode::kConflict) {
          // A retried create by a member is idempotent; anyone else learns only that the id is taken.
          auto epoch = store_.MemberEpoch(c->case_id, caller.device.user_id);
          if (epoch.ok()) return JsonReply(200, wire::ToJson(wire::CaseSummary{c->case_id, *epoch}));
          return ErrorReply(409, "conflict", "case id already taken; choose another", log);
        }
        return StoreErrorReply(st.error(), log);
      }
      return ErrorReply(405, "method_not_allowed", "use GET or POST", log);
    }
    return CaseRoute(req, caller, parts, query, log);
  }
  return NotFound(log);
}

HttpResponse Api::CaseRoute(const HttpRequest& req, const Caller& caller, const std::vector<std::string_view>& parts,
                            std::string_view query, RequestLog* log) {
  const std::string& m = req.method;
  // Route labels are fixed templates: nothing the client chose reaches logs or metric labels.
  const std::string ml = MethodLabel(m);
  log->route = ml + " /v1/cases/{id}/(unknown)";
  if (parts.size() == 4 && (parts[3] == "members" || parts[3] == "keys" || parts[3] == "ops")) {
    log->route = ml + " /v1/cases/{id}/" + std::string(parts[3]);
  } else if (parts.size() == 5 && parts[3] == "members") {
    log->route = ml + " /v1/cases/{id}/members/{user}";
  } else if (parts.size() == 5 && parts[3] == "blobs") {
    log->route = ml + " /v1/cases/{id}/blobs/{blob}";
  } else if (parts.size() == 5 && parts[3] == "ops" && (parts[4] == "unsigned" || parts[4] == "signatures")) {
    log->route = ml + " /v1/cases/{id}/ops/" + std::string(parts[4]);
  } else if (parts.size() == 4 && (parts[3] == "retention" || parts[3] == "hold")) {
    log->route = ml + " /v1/cases/{id}/" + std::string(parts[3]);
  }
  // Membership first, before the body is even parsed: a non-member gets 404 for everything about the
  // case, whether or not it exists, and not one byte of it.
  if (!wire::IsHexId(parts[2])) return NotFound(log);
  const std::string case_id(parts[2]);
  auto epoch_or = store_.MemberEpoch(case_id, caller.device.user_id);
  if (!epoch_or.ok()) {
    if (epoch_or.error().code == ErrorCode::kNotFound) return NotFound(log);
    return StoreErrorReply(epoch_or.error(), log);
  }
  log->case_id = case_id;
  const std::int64_t epoch = *epoch_or;
  if (parts.size() < 4) return NotFound(log);
  const std::string_view what = parts[3];

  if (what == "members" && parts.size() == 4) {
    if (m == "GET") {
      auto members = store_.ListMembers(case_id);
      if (!members.ok()) return StoreErrorReply(members.error(), log);
      return JsonReply(200, wire::ToJson(*members, epoch));
    }
    if (m == "POST") {
      auto add = wire::ParseAddMemberRequest(req.body);
      if (!add.ok()) return ErrorReply(400, "bad_request", add.error().message, log);
      auto users = store_.ListUsers();
      if (!users.ok()) return StoreErrorReply(users.error(), log);
      const auto it = std::find_if(users->begin(), users->end(),
                                   [&](const wire::UserEntry& u) { return u.user_id == add->user_id; });
      if (it == users->end() || it->revoked) return ErrorReply(400, "bad_request", "no such active user", log);
      Status st = store_.AddMember(case_id, add->user_id, add->envelopes);
      if (!st.ok()) return StoreErrorReply(st.error(), log);
      return JsonReply(200, wire::ToJson(wire::CaseSummary{case_id, epoch}));
    }
    return ErrorReply(405, "method_not_allowed", "use GET or POST", log);
  }
  if (what == "members" && parts.size() == 5) {
    if (m != "DELETE") return ErrorReply(405, "method_not_allowed", "use DELETE", log);
    if (!wire::IsHexId(parts[4])) return NotFound(log);
    const std::string target(parts[4]);
    // One member must not be able to evict the others, nor the Business Unit that answers for the case
    // (issue 11): the Business Unit or the case's creator removes members, and nobody removes the BU.
    auto users = store_.ListUsers();
    if (!users.ok()) return StoreErrorReply(users.error(), log);
    const auto victim = std::find_if(users->begin(), users->end(), [&](const wire::UserEntry& u) { return u.user_id == target; });
    if (victim != users->end() && victim->role == wire::kRoleBusinessUnit)
      return ErrorReply(403, "forbidden", "nobody removes the business unit from a case", log);
    if (caller.device.role != wire::kRoleBusinessUnit) {
      auto creator = store_.CaseCreator(case_id);
      if (!creator.ok()) return StoreErrorReply(creator.error(), log);
      if (*creator != caller.device.user_id)
        return ErrorReply(403, "forbidden", "only the business unit or the member who created the case removes members", log);
    }
    auto new_epoch = store_.RemoveMember(case_id, target);
    if (!new_epoch.ok()) return StoreErrorReply(new_epoch.error(), log);
    CASEPACK_FAULT_POINT("server-member-removed");  // committed, not yet acknowledged
    return JsonReply(200, wire::ToJson(wire::CaseSummary{case_id, *new_epoch}));
  }
  if (what == "keys" && parts.size() == 4) {
    if (m == "GET") {
      auto envs = store_.GetEnvelopes(case_id, caller.device.user_id);
      if (!envs.ok()) return StoreErrorReply(envs.error(), log);
      return JsonReply(200, wire::EnvelopesToJson(*envs, epoch));
    }
    if (m == "POST") {
      auto envs = wire::ParseEnvelopes(req.body, nullptr);
      if (!envs.ok()) return ErrorReply(400, "bad_request", envs.error().message, log);
      Status st = store_.PutEnvelopes(case_id, *envs, caller.device.user_id);
      if (!st.ok()) return StoreErrorReply(st.error(), log);
      return JsonReply(200, wire::ToJson(wire::CaseSummary{case_id, epoch}));
    }
    return ErrorReply(405, "method_not_allowed", "use GET or POST", log);
  }
  if (what == "replicas" && parts.size() == 4) {
    if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
    auto replicas = store_.DeviceReplicas(case_id, caller.device.device_id);
    if (!replicas.ok()) return StoreErrorReply(replicas.error(), log);
    return JsonReply(200, wire::ToJson(*replicas));
  }
  if (what == "rekey" && parts.size() == 4) {
    // The first envelopes of a new epoch (after a removal or a revocation), all members' at once; the
    // first complete set wins and a later one is 409 (issue 11, items 4 and 5; docs/api.md).
    if (m != "POST") return ErrorReply(405, "method_not_allowed", "use POST", log);
    auto envs = wire::ParseEnvelopes(req.body, nullptr);
    if (!envs.ok()) return ErrorReply(400, "bad_request", envs.error().message, log);
    Status st = store_.RekeyEpoch(case_id, *envs);
    if (!st.ok()) return StoreErrorReply(st.error(), log);
    CASEPACK_FAULT_POINT("server-rekey-stored");  // committed, not yet acknowledged
    return JsonReply(200, wire::ToJson(wire::CaseSummary{case_id, epoch}));
  }
  if (what == "ops" && parts.size() == 4) {
    if (m == "POST") {
      wire::OpBatch batch;
      auto ops = wire::ParseOpsPush(req.body, &batch.sig);
      if (!ops.ok()) return ErrorReply(400, "bad_request", ops.error().message, log);
      if (ops->size() > kMaxOpsPerPush) return ErrorReply(413, "too_large", "too many ops in one push", log);
      std::vector<StoredOp> stored;
      stored.reserve(ops->size());
      for (auto& op : *ops) {
        if (op.blob.size() > kMaxOpBlobBytes) return ErrorReply(413, "too_large", "op blob too large", log);
        if (op.epoch != epoch) {
          return ErrorReply(409, "stale_epoch", "op encrypted under epoch " + std::to_string(op.epoch) +
                                                    ", case is at epoch " + std::to_string(epoch), log);
        }
      }
      // Sealed batches (ids "R-FIRST-LAST"): well formed, and no counter named twice in the push.
      if (Status spans = CheckBatchIds(*ops); !spans.ok()) {
        if (spans.error().code == ErrorCode::kConflict) return ErrorReply(409, "conflict", spans.error().message, log);
        return ErrorReply(400, "bad_request", spans.error().message, log);
      }
      // Issue 11, item 2: the batch is signed by the pushing device over the manifest of exactly these
      // ops (built here, not taken from the client), checked once before anything is stored; the store
      // keeps the manifest and signature so that members check every op they pull (docs/api.md).
      batch.manifest = wire::OpBatchManifest(case_id, *ops);
      if (!wire::VerifyOpBatch(caller.device.ed25519, batch.manifest, batch.sig).ok()) {
        return ErrorReply(403, "bad_op_signature",
                          "the pushed operations are not signed by the device that pushed them", log);
      }
      for (auto& op : *ops) stored.push_back(StoredOp{std::move(op.op_id), op.epoch, std::move(op.blob)});
      auto acks = store_.AppendOps(case_id, caller.device.device_id, stored, batch);
      if (!acks.ok()) return StoreErrorReply(acks.error(), log);
      CASEPACK_FAULT_POINT("server-push-stored");  // committed, not yet acknowledged
      log->ops = acks->size();
      metrics_.CountOps(acks->size());
      return JsonReply(200, wire::ToJson(*acks));
    }
    if (m == "GET") {
      std::int64_t after = 0;
      int limit = kDefaultPullLimit;
      if (HasParam(query, "after")) {
        auto a = QueryInt(query, "after");
        if (!a) return ErrorReply(400, "bad_request", "after must be a non-negative integer", log);
        after = *a;
      }
      if (HasParam(query, "limit")) {
        auto l = QueryInt(query, "limit");
        if (!l || *l < 1 || *l > kMaxPullLimit) {
          return ErrorReply(400, "bad_request", "limit must be between 1 and 5000", log);
        }
        limit = static_cast<int>(*l);
      }
      // skip=RRRRRRRRRRRRRRRR: leave out what the calling device pushed under that replica (its own current
      // one: it holds those already, and a week's push is as large again on the way back). The page and
      // next_after are as without it, so the cursor moves past them.
      std::string skip;
      if (HasParam(query, "skip")) {
        skip = std::string(QueryValue(query, "skip").value_or(""));
        if (!wire::IsReplicaHex(skip))
          return ErrorReply(400, "bad_request", "skip must be a replica id: 16 lower-case hex digits", log);
        skip += '-';
      }
      auto ops = store_.PullOps(case_id, after, limit);
      if (!ops.ok()) return StoreErrorReply(ops.error(), log);
      wire::OpsPage page;
      page.more = static_cast<int>(ops->size()) == limit;
      page.next_after = ops->empty() ? after : ops->back().seq;
      page.ops = std::move(ops).value();
      if (!skip.empty())
        std::erase_if(page.ops, [&](const wire::OpOut& op) {
          return op.device_id == caller.device.device_id && op.op_id.rfind(skip, 0) == 0;
        });
      // The manifest and signature of every batch the page's ops come from, once each: a member checks
      // each op against them without another request (docs/api.md "Operation signatures").
      std::vector<std::int64_t> ids;
      for (const auto& op : page.ops)
        if (op.batch != 0 && (ids.empty() || ids.back() != op.batch)) ids.push_back(op.batch);
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      if (!ids.empty()) {
        auto batches = store_.GetOpBatches(case_id, ids);
        if (!batches.ok()) return StoreErrorReply(batches.error(), log);
        page.batches = std::move(batches).value();
      }
      log->ops = page.ops.size();
      return JsonReply(200, wire::ToJson(page));
    }
    return ErrorReply(405, "method_not_allowed", "use GET or POST", log);
  }
  if (what == "ops" && parts.size() == 5 && parts[4] == "unsigned") {
    // The calling device's own operations that the server holds unsigned (stored before it checked
    // signatures), for the device to check and sign (docs/api.md "Operations stored before signatures").
    if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
    auto ops = store_.UnsignedOps(case_id, caller.device.device_id, kMaxPullLimit);
    if (!ops.ok()) return StoreErrorReply(ops.error(), log);
    wire::OpsPage page;
    page.ops = std::move(ops).value();
    page.next_after = page.ops.empty() ? 0 : page.ops.back().seq;
    log->ops = page.ops.size();
    return JsonReply(200, wire::ToJson(page));
  }
  if (what == "ops" && parts.size() == 5 && parts[4] == "signatures") {
    if (m != "POST") return ErrorReply(405, "method_not_allowed", "use POST", log);
    auto req_sigs = wire::ParseOpSignatures(req.body);
    if (!req_sigs.ok()) return ErrorReply(400, "bad_request", req_sigs.error().message, log);
    if (req_sigs->op_ids.size() > static_cast<std::size_t>(kMaxPullLimit))
      return ErrorReply(413, "too_large", "too many ops in one request", log);
    auto held = store_.UnsignedOps(case_id, caller.device.device_id, kMaxPullLimit);
    if (!held.ok()) return StoreErrorReply(held.error(), log);
    std::map<std::string_view, const wire::OpOut*> by_id;
    for (const auto& op : *held) by_id.emplace(op.op_id, &op);
    wire::OpBatch batch;
    batch.sig = std::move(req_sigs->sig);
    batch.manifest = wire::OpBatchManifestHeader(case_id);
    for (const auto& id : req_sigs->op_ids) {
      auto it = by_id.find(id);
      if (it == by_id.end()) return ErrorReply(404, "not_found", "operation " + id.substr(0, 40) + " is not an unsigned operation of this device", log);
      wire::AppendOpBatchEntry(batch.manifest, id, it->second->epoch, it->second->blob);
    }
    // Over the bytes the server holds: a device signs only what it checked as its own (it opened it).
    if (!wire::VerifyOpBatch(caller.device.ed25519, batch.manifest, batch.sig).ok()) {
      return ErrorReply(403, "bad_op_signature", "the operations are not signed by the device that pushed them", log);
    }
    Status st = store_.SignStoredOps(case_id, caller.device.device_id, req_sigs->op_ids, batch);
    if (!st.ok()) return StoreErrorReply(st.error(), log);
    log->ops = req_sigs->op_ids.size();
    return JsonReply(200, "{\"signed\":" + std::to_string(req_sigs->op_ids.size()) + "}");
  }
  if (what == "blobs" && parts.size() == 5) {
    if (!wire::IsOpaqueId(parts[4])) return NotFound(log);
    const std::string blob_id(parts[4]);
    if (m == "PUT") {
      if (req.body.empty()) return ErrorReply(400, "bad_request", "empty blob", log);
      auto created = store_.PutBlob(case_id, blob_id, Bytes(req.body.begin(), req.body.end()));
      if (!created.ok()) return StoreErrorReply(created.error(), log);
      return JsonReply(*created ? 201 : 200, R"({"stored":true})");
    }
    if (m == "GET") {
      auto data = store_.GetBlob(case_id, blob_id);
      if (!data.ok()) return StoreErrorReply(data.error(), log);
      return HttpResponse{200, "application/octet-stream", std::string(AsText(*data))};
    }
    return ErrorReply(405, "method_not_allowed", "use GET or PUT", log);
  }
  if (what == "retention" && parts.size() == 4) {
    if (m == "GET") {
      auto r = store_.GetRetention(case_id);
      if (!r.ok()) return StoreErrorReply(r.error(), log);
      return JsonReply(200, wire::ToJson(wire::CaseRetentionMessage{r->purge_on, r->held, r->held_by, r->held_at_ms}));
    }
    if (m == "PUT") {
      // Every member's device computes the same date from the synced key dates and policy and reports it,
      // but only the Business Unit sets or shortens it (issue 11: one facilitator's PUT of a past date purged
      // the case for everyone). A facilitator's report is taken when it is not earlier than the date held;
      // with none held, when it is later than today here (a live case's policy date is never past: its
      // devices would have purged it).
      auto msg = wire::ParseCaseRetention(req.body);
      if (!msg.ok()) return ErrorReply(400, "bad_request", msg.error().message, log);
      if (caller.device.role != wire::kRoleBusinessUnit) {
        auto held = store_.GetRetention(case_id);
        if (!held.ok()) return StoreErrorReply(held.error(), log);
        const std::string today = wire::UtcDateOf(RetentionNowMs());
        // Dates are YYYY-MM-DD (checked by the parser), so they compare as text.
        const bool refused = held->purge_on.empty() ? (msg->purge_on.empty() ? false : msg->purge_on <= today)
                                                    : (msg->purge_on.empty() || msg->purge_on < held->purge_on);
        if (refused)
          return ErrorReply(403, "forbidden", "only the business unit sets or brings forward a case's purge date", log);
      }
      Status st = store_.SetPurgeDate(case_id, msg->purge_on, caller.device.user_id, NowMs());
      if (!st.ok()) return StoreErrorReply(st.error(), log);
      auto purged = RunRetention();
      if (!purged.ok()) log->detail = purged.error().message;
      auto r = store_.GetRetention(case_id);
      if (!r.ok()) {
        // Purged by this very request: the case is gone.
        return JsonReply(200, wire::ToJson(wire::CaseRetentionMessage{msg->purge_on, false, {}, 0}));
      }
      return JsonReply(200, wire::ToJson(wire::CaseRetentionMessage{r->purge_on, r->held, r->held_by, r->held_at_ms}));
    }
    return ErrorReply(405, "method_not_allowed", "use GET or PUT", log);
  }
  if (what == "hold" && parts.size() == 4) {
    if (m != "PUT" && m != "DELETE") return ErrorReply(405, "method_not_allowed", "use PUT or DELETE", log);
    if (caller.device.role != wire::kRoleBusinessUnit) {
      return ErrorReply(403, "forbidden", "only the business unit can place or release a legal hold", log);
    }
    Status st = store_.SetHold(case_id, m == "PUT", caller.device.user_id, NowMs());
    if (!st.ok()) return StoreErrorReply(st.error(), log);
    if (m == "DELETE") {
      auto purged = RunRetention();
      if (!purged.ok()) log->detail = purged.error().message;
    }
    auto r = store_.GetRetention(case_id);
    if (!r.ok()) return JsonReply(200, wire::ToJson(wire::CaseRetentionMessage{}));
    return JsonReply(200, wire::ToJson(wire::CaseRetentionMessage{r->purge_on, r->held, r->held_by, r->held_at_ms}));
  }
  return NotFound(log);
}

Result<std::vector<std::string>> Api::RunRetention() {
  const std::int64_t now = RetentionNowMs();
  return store_.PurgeDue(wire::UtcDateOf(now), now);
}

HttpResponse Api::RetentionRoute(const HttpRequest& req, const Caller& caller,
                                 const std::vector<std::string_view>& parts, std::string_view query, RequestLog* log) {
  const std::string& m = req.method;
  const std::string ml = MethodLabel(m);
  const bool is_bu = caller.device.role == wire::kRoleBusinessUnit;
  if (parts.size() != 2) return NotFound(log);
  if (parts[1] == "tombstones") {
    log->route = ml + " /v1/tombstones";
    if (m != "GET") return ErrorReply(405, "method_not_allowed", "use GET", log);
    std::int64_t after = 0;
    if (HasParam(query, "after")) {
      auto a = QueryInt(query, "after");
      if (!a) return ErrorReply(400, "bad_request", "after must be a non-negative integer", log);
      after = *a;
    }
    auto ts = store_.ListTombstones(caller.device.user_id, after);
    if (!ts.ok()) return StoreErrorReply(ts.error(), log);
    std::vector<wire::TombstoneEntry> out;
    std::int64_t next = after;
    for (const auto& t : *ts) {
      out.push_back(wire::TombstoneEntry{t.seq, t.case_id, t.purge_on, t.purged_at_ms});
      next = std::max(next, t.seq);
    }
    return JsonReply(200, wire::ToJson(out, next));
  }
  if (parts[1] == "receipts") {
    log->route = ml + " /v1/receipts";
    if (m == "POST") {
      auto r = wire::ParseReceipt(req.body);
      if (!r.ok()) return ErrorReply(400, "bad_request", r.error().message, log);
      log->case_id = r->case_id;
      // Only a member (now, or when the case was purged) may confirm; others learn nothing.
      auto member = store_.MemberEpoch(r->case_id, caller.device.user_id);
      if (!member.ok()) {
        if (member.error().code != ErrorCode::kNotFound) return StoreErrorReply(member.error(), log);
        auto was = store_.WasMember(r->case_id, caller.device.user_id);
        if (!was.ok()) return StoreErrorReply(was.error(), log);
        if (!*was) return NotFound(log);
      }
      // The receipt must be signed by the calling device's own registered key.
      if (r->public_key != caller.device.ed25519) {
        return ErrorReply(400, "bad_request", "receipt is not signed by this device's key", log);
      }
      if (!VerifySignature(r->public_key, AsBytes(wire::CanonicalPurgeReceipt(r->case_id, r->store_id, r->purged_at)),
                           r->signature)) {
        return ErrorReply(400, "bad_request", "receipt signature does not verify", log);
      }
      Status st = store_.PutReceipt(StoredReceipt{r->case_id, caller.device.device_id, r->store_id, r->purged_at,
                                                  r->public_key, r->signature, NowMs()});
      if (!st.ok()) return StoreErrorReply(st.error(), log);
      return JsonReply(200, R"({"stored":true})");
    }
    if (m == "GET") {
      if (!is_bu) return ErrorReply(403, "forbidden", "only the business unit can list purge confirmations", log);
      std::vector<std::string> ids;
      std::map<std::string, std::int64_t> purged_at;
      auto all = store_.AllTombstones();
      if (!all.ok()) return StoreErrorReply(all.error(), log);
      for (const auto& t : *all) purged_at[t.case_id] = t.purged_at_ms;
      const std::string_view q = query;
      const std::size_t at = q.find("case=");
      if (at != std::string_view::npos && (at == 0 || q[at - 1] == '&')) {
        std::string_view id = q.substr(at + 5);
        id = id.substr(0, id.find('&'));
        if (!wire::IsHexId(id)) return ErrorReply(400, "bad_request", "case must be a case id", log);
        ids.emplace_back(id);
      } else {
        for (const auto& t : *all) ids.push_back(t.case_id);
      }
      std::vector<wire::CaseConfirmations> out;
      for (const auto& id : ids) {
        auto conf = store_.Confirmations(id);
        if (!conf.ok()) return StoreErrorReply(conf.error(), log);
        wire::CaseConfirmations c;
        c.case_id = id;
        auto it = purged_at.find(id);
        c.purged = it != purged_at.end();
        c.purged_at_ms = c.purged ? it->second : 0;
        for (const auto& d : *conf)
          c.devices.push_back(wire::DeviceConfirmation{d.user_id, d.device_id, d.confirmed, d.purged_at, d.store_id,
                                                       d.public_key, d.signature});
        out.push_back(std::move(c));
      }
      return JsonReply(200, wire::ToJson(out));
    }
    return ErrorReply(405, "method_not_allowed", "use GET or POST", log);
  }
  // retention-policy
  log->route = ml + " /v1/retention-policy";
  if (m == "GET") {
    auto p = store_.GetPolicy();
    if (!p.ok()) return StoreErrorReply(p.error(), log);
    return JsonReply(200, wire::ToJson(wire::PolicyMessage{p->version, p->record, p->device_id, p->signature}));
  }
  if (m == "PUT") {
    if (!is_bu) return ErrorReply(403, "forbidden", "only the business unit can change the retention policy", log);
    auto p = wire::ParsePolicy(req.body);
    if (!p.ok()) return ErrorReply(400, "bad_request", p.error().message, log);
    if (p->version < 1) return ErrorReply(400, "bad_request", "version must be at least 1", log);
    if (p->device_id != caller.device.device_id ||
        !VerifySignature(caller.device.ed25519, AsBytes(wire::CanonicalPolicy(p->version, p->record)), p->signature)) {
      return ErrorReply(400, "bad_request", "policy must be signed by the calling device", log);
    }
    Status st = store_.PutPolicy(StoredPolicy{p->version, p->record, p->device_id, p->signature});
    if (!st.ok()) return StoreErrorReply(st.error(), log);
    return JsonReply(200, wire::ToJson(*p));
  }
  return ErrorReply(405, "method_not_allowed", "use GET or PUT", log);
}

}  // namespace casepack::server
