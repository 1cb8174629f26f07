// Failover between several casepackd processes on one database (issue 17; docs/server-postgresql.md).
#include "casepack/net_client.h"

namespace casepack::net {
namespace {

class FailoverHttpsClient final : public HttpsClient {
 public:
  explicit FailoverHttpsClient(std::vector<std::unique_ptr<HttpsClient>> clients) : clients_(std::move(clients)) {}

  // Stays with the current server while it answers. A network failure (kUnavailable: refused, reset,
  // timeout) moves to the next server and reports the failure as worth an immediate, re-signed retry —
  // until every server has failed in a row, then the failure is the caller's. Any reply, whatever its
  // status, is the answer: a 4xx or 503 from a live server is not a reason to ask another.
  Result<HttpReply> Send(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view content_type,
                         const std::vector<std::pair<std::string, std::string>>& extra_headers) override {
    auto r = clients_[current_]->Send(method, target, body, content_type, extra_headers);
    if (r.ok() || r.error().code != ErrorCode::kUnavailable) {
      failed_in_row_ = 0;
      retry_ = false;
      return r;
    }
    // A stale keep-alive connection to a live server: retry the same server first.
    if (clients_[current_]->last_failure_was_stale_connection()) {
      retry_ = true;
      return r;
    }
    clients_[current_]->Disconnect();
    ++failed_in_row_;
    current_ = (current_ + 1) % clients_.size();
    retry_ = failed_in_row_ < clients_.size();
    if (!retry_) failed_in_row_ = 0;  // the next call starts a new round
    return r;
  }

  void Disconnect() override {
    for (auto& c : clients_) c->Disconnect();
  }
  bool last_failure_was_stale_connection() const override { return retry_; }

 private:
  std::vector<std::unique_ptr<HttpsClient>> clients_;
  std::size_t current_ = 0;
  std::size_t failed_in_row_ = 0;
  bool retry_ = false;
};

}  // namespace

Result<std::unique_ptr<HttpsClient>> FailoverClient(std::vector<std::unique_ptr<HttpsClient>> clients) {
  if (clients.empty()) return MakeError(ErrorCode::kInvalidArgument, "no server to connect to");
  if (clients.size() == 1) return std::move(clients.front());
  return std::unique_ptr<HttpsClient>(new FailoverHttpsClient(std::move(clients)));
}

Result<std::unique_ptr<HttpsClient>> FailoverClient(const std::vector<Endpoint>& endpoints, const ClientOptions& options) {
  std::vector<std::unique_ptr<HttpsClient>> clients;
  for (const auto& e : endpoints) {
    CP_ASSIGN_OR_RETURN(auto c, HttpsClient::Create(e, options));
    clients.push_back(std::move(c));
  }
  return FailoverClient(std::move(clients));
}

}  // namespace casepack::net
