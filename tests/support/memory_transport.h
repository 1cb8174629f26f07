// An in-memory transport for the sync service (net::HttpsClient, the seam under net::CasepackClient):
// requests go to the real casepackd Api object in-process (its real SQLite store, built against
// SQLCipher here so that one binary carries one SQLite), and faults are injected on every call: a request
// dropped before the server sees it, a response lost after the server acted, a request delivered twice,
// a request held back and delivered later (after newer ones: reordering), a connection cut. A failed call
// is kUnavailable, exactly as the real client reports a network failure, so the sync service cannot tell
// the difference. Decisions come from one seeded generator: a failure replays from its seed.
#pragma once

#include <sodium.h>

#include <cctype>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/net_client.h"
#include "casepack/random.h"
#include "casepack/server_api.h"
#include "casepack/server_store.h"
#include "casepack/wire.h"

namespace casepack::testing {

struct FaultRates {
  double drop_request = 0;   // never reaches the server
  double drop_response = 0;  // the server acted; the reply is lost
  double duplicate = 0;      // delivered twice (the second is a replay)
  double delay = 0;          // held back, delivered before some later request; the caller times out
  bool any() const { return drop_request + drop_response + duplicate + delay > 0; }
};

// One casepackd, in memory. Thread safe (Api::Handle is).
class MemoryServer {
 public:
  explicit MemoryServer(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    store_ = server::OpenSqliteStore((dir / "server.db").string()).value();
    api_ = std::make_unique<server::Api>(*store_, metrics_);
  }
  server::Api& api() { return *api_; }
  server::ServerStore& store() { return *store_; }

  // A one-time invitation, as `casepackd admin init` / `invite` make.
  std::string Invite(std::string_view role) {
    const std::string code = HexEncode(RandomBytes(16));
    Bytes h(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(code.data()), code.size());
    if (!store_->CreateInvitation(h, std::string(role), api_->NowMs() + 3600 * 1000, "admin").ok()) std::abort();
    return code;
  }

  // Delivers one request to the Api (what the Beast server does with the bytes).
  net::HttpReply Deliver(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view content_type,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
    server::HttpRequest req;
    req.method = std::string(method);
    req.target = std::string(target);
    req.headers.emplace_back("content-type", std::string(content_type));
    for (const auto& [name, value] : headers) {
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(lower), value);
    }
    req.body = std::string(body);
    server::RequestLog log;
    server::HttpResponse res = api_->Handle(req, &log);
    // What casepackd's access log would say about a server-side failure (ids and reasons, never content).
    if (res.status >= 500) std::fprintf(stderr, "memory server: %s -> %d %s %s\n", log.route.c_str(), res.status,
                                        log.error.c_str(), log.detail.c_str());
    return net::HttpReply{res.status, res.content_type, std::move(res.body), api_->NowMs()};
  }

 private:
  server::Metrics metrics_;
  std::unique_ptr<server::ServerStore> store_;
  std::unique_ptr<server::Api> api_;
};

// What the faults did, for the test's report.
struct FaultCounts {
  std::size_t calls = 0, dropped_requests = 0, dropped_responses = 0, duplicated = 0, delayed = 0, late_delivered = 0;
};

// The network between every session and the server: one seeded generator, one queue of held-back
// requests (so a request held on one connection can arrive during a later sync). Not thread safe.
class FaultyNetwork {
 public:
  FaultyNetwork(MemoryServer& server, std::uint64_t seed) : server_(server), rng_(seed) {}
  FaultRates rates;
  FaultCounts counts;

  Result<net::HttpReply> Send(std::string_view method, std::string_view target, std::string_view body,
                              std::string_view content_type,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
    ++counts.calls;
    // A request held back earlier arrives now, before this one (the network reordered them).
    if (!held_.empty() && Chance(0.5)) {
      Held h = std::move(held_.front());
      held_.pop_front();
      (void)server_.Deliver(h.method, h.target, h.body, h.content_type, h.headers);
      ++counts.late_delivered;
    }
    if (Chance(rates.drop_request)) {
      ++counts.dropped_requests;
      return Unavailable("connection reset before the request was sent");
    }
    if (Chance(rates.delay)) {
      ++counts.delayed;
      held_.push_back(Held{std::string(method), std::string(target), std::string(body), std::string(content_type), headers});
      return Unavailable("timed out waiting for the server");
    }
    net::HttpReply reply = server_.Deliver(method, target, body, content_type, headers);
    if (Chance(rates.duplicate)) {
      ++counts.duplicated;
      (void)server_.Deliver(method, target, body, content_type, headers);
    }
    if (Chance(rates.drop_response)) {
      ++counts.dropped_responses;
      return Unavailable("connection cut before the reply arrived");
    }
    return reply;
  }

  // Delivers whatever is still held back (the network drained).
  void DrainHeld() {
    for (Held& h : held_) (void)server_.Deliver(h.method, h.target, h.body, h.content_type, h.headers);
    held_.clear();
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  struct Held {
    std::string method, target, body, content_type;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  bool Chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  static Error Unavailable(std::string what) {
    return MakeError(ErrorCode::kUnavailable, "cannot reach the server (in-memory transport): " + std::move(what));
  }

  MemoryServer& server_;
  std::mt19937_64 rng_;
  std::deque<Held> held_;
};

// One connection over the network: what SyncService::SetTransport's factory returns.
class MemoryTransport final : public net::HttpsClient {
 public:
  explicit MemoryTransport(FaultyNetwork& network) : network_(network) {}
  Result<net::HttpReply> Send(std::string_view method, std::string_view target, std::string_view body,
                              std::string_view content_type,
                              const std::vector<std::pair<std::string, std::string>>& headers) override {
    return network_.Send(method, target, body, content_type, headers);
  }
  void Disconnect() override {}
  bool last_failure_was_stale_connection() const override { return false; }

 private:
  FaultyNetwork& network_;
};

}  // namespace casepack::testing
