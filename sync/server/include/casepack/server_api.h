// The casepackd HTTP API as a pure function from a parsed request to a response: authentication
// (signed requests, replay and clock-window checks, revocation), authorisation (roles, case membership)
// and the JSON handlers. No sockets here, so the fuzz target and unit tests drive it directly; the Beast
// server (server.h) only moves bytes. Endpoints are documented in docs/api.md.
#pragma once

#include <atomic>
#include <functional>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "casepack/server_store.h"

namespace casepack::server {

inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxJsonBodyBytes = 16 * 1024 * 1024;  // ops batches and other JSON
inline constexpr std::size_t kMaxBlobBodyBytes = 64 * 1024 * 1024;  // PUT /v1/cases/{id}/blobs/{blob}
inline constexpr std::size_t kMaxOpsPerPush = 10000;
inline constexpr std::size_t kMaxOpBlobBytes = 1024 * 1024;
inline constexpr int kDefaultPullLimit = 1000;
inline constexpr int kMaxPullLimit = 5000;

struct HttpRequest {
  std::string method;  // upper case
  std::string target;  // path with query, as on the request line
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case
  std::string body;

  std::optional<std::string_view> Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// What the access log may say about a request: ids and outcome, never bodies or headers' values.
struct RequestLog {
  std::string route;  // route template, e.g. "POST /v1/cases/{id}/ops"
  std::string user_id;
  std::string device_id;
  std::string case_id;
  std::string error;  // error code sent ("unauthorized", ...), empty on success
  std::string detail;  // server-side reason for an internal error (store message; never content)
  std::size_t ops = 0;
};

// Counters for /metrics (Prometheus text format). Thread safe.
//
// The counters (requests by route and status, request durations, ops acknowledged, connections,
// rejections, TLS failures) belong to the store, not to this process, so that every casepackd process on
// one database shows the same totals and they survive restarts (docs/api.md "Metrics"). A request only
// counts in memory; Flush() adds what this process counted since its last flush to the store's counters
// (casepackd calls it every few seconds and at shutdown), and Render() shows the store's totals plus
// what this process has not flushed yet. Another process's counts appear there once it has flushed them.
// The gauge of open connections is this process's own.
class Metrics {
 public:
  void CountRequest(const std::string& route, int status, double seconds);
  void CountOps(std::size_t n) { Add(kOpsAcknowledged, static_cast<std::int64_t>(n)); }
  void ConnectionOpened() {
    active_connections_.fetch_add(1);
    Add(kConnections, 1);
  }
  void ConnectionClosed() { active_connections_.fetch_sub(1); }
  void ConnectionRejected() { Add(kConnectionsRejected, 1); }
  void TlsFailure() { Add(kTlsFailures, 1); }
  std::int64_t active_connections() const { return active_connections_.load(); }

  // Adds the deltas counted since the last flush to the store's counters. If that fails they are kept
  // and go with the next flush, so nothing counted is lost while the database is unreachable.
  Status Flush(ServerStore& store);
  // The whole /metrics page: the store's counters and gauges (users, devices, cases, ops) plus this
  // process's unflushed deltas and its open connections. If the store cannot be read, its figures are
  // left out and the page says so (casepackd_store_up 0).
  std::string Render(ServerStore& store) const;

  // Series names of the counters kept in the store (ServerStore::AddCounters).
  static constexpr const char* kOpsAcknowledged = "casepackd_ops_acknowledged_total";
  static constexpr const char* kConnections = "casepackd_connections_total";
  static constexpr const char* kConnectionsRejected = "casepackd_connections_rejected_total";
  static constexpr const char* kTlsFailures = "casepackd_tls_handshake_failures_total";

 private:
  void Add(const std::string& series, std::int64_t n);

  // Held by Flush from taking the deltas until the store has them (or has failed and they are put
  // back), and by Render while it reads the store and the deltas: a page never counts a delta twice
  // or not at all. Never held while counting a request.
  mutable std::mutex flush_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> pending_;  // GUARDED_BY(mu_): counted, not yet in the store
  std::atomic<std::int64_t> active_connections_{0};
};

class Api {
 public:
  // `store` and `metrics` must outlive the Api. `clock` returns unix ms (tests substitute it).
  Api(ServerStore& store, Metrics& metrics, std::int64_t (*clock)() = nullptr);

  // Thread safe. Never throws. The response is complete (status, type, body); the caller adds
  // X-Casepack-Server-Time (see ServerTimeMs) and transport headers.
  HttpResponse Handle(const HttpRequest& request, RequestLog* log);

  // The body limit for a request, decided from its request line before the body is read:
  // kMaxBlobBodyBytes for blob uploads, kMaxJsonBodyBytes otherwise.
  static std::size_t BodyLimitFor(std::string_view method, std::string_view target);

  std::int64_t NowMs() const;

  // ---- retention (docs/retention.md "Server side") ----
  // The clock that decides purges. Defaults to the request clock; the test-only casepackd-testclock (CASEPACKD_TEST_NOW)
  // replaces only this one, so request signing windows keep using real time. Set before serving.
  void SetRetentionClock(std::function<std::int64_t()> clock) { retention_clock_ = std::move(clock); }
  std::int64_t RetentionNowMs() const { return retention_clock_ ? retention_clock_() : NowMs(); }
  // Purges every case past its date and not on hold (ServerStore::PurgeDue at the retention clock's day).
  // Runs at startup, on a timer, and right after a request that changes a purge date or releases a hold.
  Result<std::vector<std::string>> RunRetention();

  // Adds this process's metric counts to the store's (Metrics::Flush). casepackd calls it on a timer and
  // at shutdown.
  Status FlushMetrics() { return metrics_.Flush(store_); }

 private:
  struct Caller {
    DeviceRecord device;
  };
  HttpResponse Dispatch(const HttpRequest& req, RequestLog* log);
  Result<Caller> Authenticate(const HttpRequest& req, std::string_view path, RequestLog* log, HttpResponse* denied);
  HttpResponse Enroll(const HttpRequest& req, RequestLog* log);
  HttpResponse CaseRoute(const HttpRequest& req, const Caller& caller, const std::vector<std::string_view>& parts,
                         std::string_view query, RequestLog* log);
  void MaybePruneNonces(std::int64_t now);
  HttpResponse RetentionRoute(const HttpRequest& req, const Caller& caller, const std::vector<std::string_view>& parts,
                              std::string_view query, RequestLog* log);

  ServerStore& store_;
  Metrics& metrics_;
  std::int64_t (*clock_)();
  std::atomic<std::int64_t> last_prune_ms_{0};
  std::function<std::int64_t()> retention_clock_;
};

// Helpers shared with the fuzz target and the server.
std::string_view PathOf(std::string_view target);   // without "?query"
std::string_view QueryOf(std::string_view target);  // after "?", or empty

}  // namespace casepack::server
