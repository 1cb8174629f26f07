// Faults: the server SIGKILLed and restarted mid-push (nothing acknowledged lost), SIGTERM mid-push
// (graceful, exit 0), the same push delivered twice (stored once), and connections cut mid-request by a
// TCP proxy (the client retries and converges, each op stored once).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <set>

#include "harness.h"

namespace casepack::testing {
namespace {

// Pulls every op of a case.
std::vector<wire::OpOut> PullAll(net::CasepackClient& c, const std::string& case_id) {
  std::vector<wire::OpOut> all;
  std::int64_t after = 0;
  while (true) {
    auto page = c.PullOps(case_id, after, 1000);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    if (!page.ok()) break;
    for (auto& op : page->ops) all.push_back(std::move(op));
    after = page->next_after;
    if (!page->more) break;
  }
  return all;
}

std::vector<wire::OpIn> Batch(int batch, int size, const std::string& prefix = "") {
  std::vector<wire::OpIn> ops;
  for (int i = 0; i < size; ++i) {
    const std::string id = prefix + "b" + std::to_string(batch) + ":" + std::to_string(i);
    ops.push_back({id, 1, Bytes(id.begin(), id.end())});
  }
  return ops;
}

// Pushes batches until told to stop, retrying each batch until it is acknowledged; records acked ids.
class Pusher {
 public:
  // `prefix` keeps several pushers' op ids apart in one case.
  Pusher(std::unique_ptr<net::CasepackClient> client, std::string case_id, std::string prefix = "")
      : client_(std::move(client)), case_id_(std::move(case_id)), prefix_(std::move(prefix)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Pusher() { Finish(); }
  void Finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int acked_batches() const { return acked_batches_.load(); }
  std::set<std::string> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  int failures() const { return failures_.load(); }

 private:
  void Run() {
    int batch = 0;
    while (!stop_) {
      auto ops = Batch(batch, 50, prefix_);
      auto acks = client_->PushOps(case_id_, ops);
      if (!acks.ok()) {
        ++failures_;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // retry back-off, not synchronisation
        continue;
      }
      {
        std::lock_guard lock(mu_);
        for (const auto& a : *acks) acked_.insert(a.op_id);
      }
      ++batch;
      ++acked_batches_;
    }
  }
  std::unique_ptr<net::CasepackClient> client_;
  std::string case_id_;
  std::string prefix_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acked_batches_{0};
  std::atomic<int> failures_{0};
  std::mutex mu_;
  std::set<std::string> acked_;
  std::thread thread_;
};

void WaitFor(const std::function<bool()>& cond, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

class FaultsTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    alice_ = NewUser("facilitator");
    case_id_ = RandomId();
    ASSERT_TRUE(alice_->CreateCase(case_id_, Bytes{1}).ok());
  }
  TestUser alice_;
  std::string case_id_;
};
INSTANTIATE_SERVER_TESTS(FaultsTest);

TEST_P(FaultsTest, KilledMidPushLosesNothingAcknowledged) {
  Pusher pusher(Client(alice_.identity.get(), alice_.principal.device_id), case_id_);
  for (int round = 0; round < 3; ++round) {
    const int before = pusher.acked_batches();
    ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return pusher.acked_batches() >= before + 5; }, std::chrono::seconds(30)));
    server_->Kill();
    ASSERT_NO_FATAL_FAILURE(server_->Start(fingerprint_));
  }
  const int before = pusher.acked_batches();
  ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return pusher.acked_batches() >= before + 5; }, std::chrono::seconds(30)));
  pusher.Finish();
  const auto acked = pusher.acked();
  auto all = PullAll(*alice_.client, case_id_);
  std::set<std::string> stored;
  std::int64_t last_seq = 0;
  for (const auto& op : all) {
    EXPECT_TRUE(stored.insert(op.op_id).second) << "stored twice: " << op.op_id;
    EXPECT_GT(op.seq, last_seq);
    last_seq = op.seq;
    EXPECT_EQ(op.blob, Bytes(op.op_id.begin(), op.op_id.end()));
  }
  for (const auto& id : acked) EXPECT_TRUE(stored.count(id)) << "acknowledged but lost: " << id;
  EXPECT_GE(acked.size(), 20u * 50u);
  std::printf("acked %zu ops across 3 SIGKILLs, %d failed attempts retried\n", acked.size(), pusher.failures());
}

TEST_P(FaultsTest, SigtermMidPushIsGracefulAndLosesNothing) {
  Pusher pusher(Client(alice_.identity.get(), alice_.principal.device_id), case_id_);
  ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return pusher.acked_batches() >= 5; }, std::chrono::seconds(30)));
  EXPECT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(server_->Start(fingerprint_));
  const int before = pusher.acked_batches();
  ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return pusher.acked_batches() >= before + 3; }, std::chrono::seconds(30)));
  pusher.Finish();
  std::set<std::string> stored;
  for (const auto& op : PullAll(*alice_.client, case_id_)) stored.insert(op.op_id);
  for (const auto& id : pusher.acked()) EXPECT_TRUE(stored.count(id)) << id;
  EXPECT_NE(ReadFile(log_).find("event=exit status=0"), std::string::npos);
}

TEST_P(FaultsTest, SamePushTwiceIsStoredOnce) {
  auto ops = Batch(0, 100);
  auto first = alice_->PushOps(case_id_, ops);
  ASSERT_TRUE(first.ok());
  // Again, from a second connection of the same device, concurrently with a third.
  auto c2 = Client(alice_.identity.get(), alice_.principal.device_id);
  auto c3 = Client(alice_.identity.get(), alice_.principal.device_id);
  Result<std::vector<wire::OpAck>> second = MakeError(ErrorCode::kIo, "unset");
  std::thread t([&] { second = c2->PushOps(case_id_, ops); });
  auto third = c3->PushOps(case_id_, ops);
  t.join();
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(third.ok());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ((*first)[i].seq, (*second)[i].seq);
    EXPECT_EQ((*first)[i].seq, (*third)[i].seq);
  }
  EXPECT_EQ(PullAll(*alice_.client, case_id_).size(), ops.size());
  // Same op id with other bytes: refused.
  ops[0].blob.push_back(1);
  EXPECT_EQ(alice_->PushOps(case_id_, ops).error().code, ErrorCode::kConflict);
}

// A TCP proxy that cuts connections: connection k (0-based) for k < cuts.size() is closed after
// cuts[k].bytes have passed in the given direction. Later connections pass through untouched.
class CuttingProxy {
 public:
  struct Cut {
    bool client_to_server;
    std::size_t bytes;
  };
  CuttingProxy(std::uint16_t upstream, std::vector<Cut> cuts) : upstream_(upstream), cuts_(std::move(cuts)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    accept_thread_.join();
    for (auto& t : conn_threads_) t.join();
  }
  std::uint16_t port() const { return port_; }
  int cuts_made() const { return cuts_made_.load(); }

 private:
  void AcceptLoop() {
    int n = 0;
    while (!stop_) {
      const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(upstream_);
      if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(c);
        ::close(s);
        continue;
      }
      std::optional<Cut> cut;
      if (n < static_cast<int>(cuts_.size())) cut = cuts_[static_cast<std::size_t>(n)];
      ++n;
      conn_threads_.emplace_back([this, c, s, cut] { Pump(c, s, cut); });
    }
  }
  void Pump(int c, int s, std::optional<Cut> cut) {
    std::size_t passed[2] = {0, 0};  // [0]: client→server, [1]: server→client
    char buf[16384];
    pollfd fds[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
    while (!stop_) {
      if (::poll(fds, 2, 100) < 0) break;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        std::size_t want = sizeof buf;
        if (cut && cut->client_to_server == (i == 0)) want = std::min(want, cut->bytes - passed[i]);
        const ssize_t r = want == 0 ? 0 : ::read(fds[i].fd, buf, want);
        if (r <= 0) {
          if (want == 0) ++cuts_made_;
          closed = true;
          break;
        }
        passed[i] += static_cast<std::size_t>(r);
        if (::write(fds[1 - i].fd, buf, static_cast<std::size_t>(r)) != r) closed = true;
        if (cut && cut->client_to_server == (i == 0) && passed[i] >= cut->bytes) {
          ++cuts_made_;
          closed = true;
        }
      }
      if (closed) break;
    }
    ::close(c);
    ::close(s);
  }

  std::uint16_t upstream_;
  std::vector<Cut> cuts_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_made_{0};
  std::thread accept_thread_;
  std::vector<std::thread> conn_threads_;
};

TEST_P(FaultsTest, ConnectionCutMidRequestRetriesAndConverges) {
  // Cuts during the TLS handshake, mid-request (headers, body) and mid-reply (the server stored the
  // batch but the ack was lost, so the retry is a duplicate push).
  std::vector<CuttingProxy::Cut> cuts{{true, 100},   {true, 1500},  {false, 2000}, {true, 3000},
                                      {true, 5000},  {false, 3500}, {true, 8000},  {false, 2600},
                                      {true, 12000}, {false, 5000}};
  CuttingProxy proxy(server_->port(), cuts);
  const net::Endpoint via{"127.0.0.1", proxy.port(), fingerprint_};
  auto client = Client(alice_.identity.get(), alice_.principal.device_id, &via);
  int attempts = 0;
  std::set<std::string> acked;
  for (int b = 0; b < 20; ++b) {
    auto ops = Batch(b, 50);
    while (true) {
      ++attempts;
      ASSERT_LT(attempts, 200) << "no convergence";
      auto r = client->PushOps(case_id_, ops);
      if (r.ok()) {
        for (const auto& a : *r) acked.insert(a.op_id);
        break;
      }
      ASSERT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
    }
  }
  EXPECT_GE(proxy.cuts_made(), 5);
  EXPECT_GT(attempts, 20);
  auto all = PullAll(*alice_.client, case_id_);
  std::set<std::string> stored;
  for (const auto& op : all) EXPECT_TRUE(stored.insert(op.op_id).second) << "stored twice: " << op.op_id;
  EXPECT_EQ(stored.size(), 20u * 50u);
  EXPECT_EQ(stored, acked);
  std::printf("%d cuts, %d attempts for 20 batches\n", proxy.cuts_made(), attempts);
}

TEST_P(FaultsTest, ShutdownExitsZeroAndKeepsData) {
  ASSERT_TRUE(alice_->PushOps(case_id_, Batch(0, 10)).ok());
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_FALSE(!postgres() && std::filesystem::exists(data_ / "casepackd.db-wal") &&
               std::filesystem::file_size(data_ / "casepackd.db-wal") > 0)
      << "a clean stop checkpoints the WAL";
  ASSERT_NO_FATAL_FAILURE(server_->Start(fingerprint_));
  auto c = Client(alice_.identity.get(), alice_.principal.device_id);
  EXPECT_EQ(PullAll(*c, case_id_).size(), 10u);
}

// Issue 17: two casepackd processes on one PostgreSQL database, no load balancer. Three members push to one
// case through clients that know both servers (the order differs per client); one server is SIGKILLed
// mid-sync. Every client fails over to the other at once (no push fails), and afterwards every client
// reads the same log: every acknowledged op, none twice, in one order.
class TwoServersTest : public ServerFixture {};
INSTANTIATE_TEST_SUITE_P(Backends, TwoServersTest, ::testing::Values(Backend::kPostgres), BackendName);

TEST_P(TwoServersTest, Issue17KilledServerMidSyncClientsConvergeThroughTheOther) {
  auto args = StoreArgs();  // the same database and the same certificate: clients pin one fingerprint
  const auto tls = data_ / "tls";
  args.insert(args.end(), {"--cert", (tls / "cert.pem").string(), "--key", (tls / "key.pem").string()});
  ServerProcess other(root_ / "data-b", root_ / "casepackd-b.log", args);
  ASSERT_NO_FATAL_FAILURE(other.Start(fingerprint_));
  std::vector<TestUser> users;
  for (int i = 0; i < 3; ++i) users.push_back(NewUser("facilitator"));
  const std::string c = RandomId();
  ASSERT_TRUE(users[0]->CreateCase(c, Bytes{1}).ok());
  for (int i = 1; i < 3; ++i) {
    const auto& p = users[static_cast<std::size_t>(i)].principal;
    ASSERT_TRUE(users[0]->AddMember(c, p.user_id, {{p.user_id, 1, {2}}}).ok());
  }
  auto failover = [&](const TestUser& u, bool doomed_first) {
    std::vector<net::Endpoint> order{server_->endpoint(fingerprint_), other.endpoint(fingerprint_)};
    if (!doomed_first) std::swap(order[0], order[1]);
    return std::make_unique<net::CasepackClient>(net::FailoverClient(order).value(), u.identity.get(),
                                                 u.principal.device_id);
  };
  std::vector<std::unique_ptr<Pusher>> pushers;
  for (std::size_t i = 0; i < users.size(); ++i) {
    pushers.push_back(std::make_unique<Pusher>(failover(users[i], i != 2), c, "u" + std::to_string(i) + "-"));
  }
  for (auto& p : pushers) ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return p->acked_batches() >= 5; }, std::chrono::seconds(30)));
  server_->Kill();
  std::vector<int> at_kill;
  for (auto& p : pushers) at_kill.push_back(p->acked_batches());
  for (std::size_t i = 0; i < pushers.size(); ++i) {
    ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return pushers[i]->acked_batches() >= at_kill[i] + 5; }, std::chrono::seconds(30)));
  }
  std::set<std::string> acked;
  for (auto& p : pushers) {
    p->Finish();
    EXPECT_EQ(p->failures(), 0) << "a push failed instead of failing over";
    for (const auto& id : p->acked()) acked.insert(id);
  }
  std::vector<std::vector<std::pair<std::int64_t, std::string>>> views;
  for (auto& u : users) {
    auto client = failover(u, true);
    std::vector<std::pair<std::int64_t, std::string>> view;
    std::set<std::string> stored;
    for (const auto& op : PullAll(*client, c)) {
      EXPECT_TRUE(stored.insert(op.op_id).second) << "stored twice: " << op.op_id;
      EXPECT_EQ(op.blob, Bytes(op.op_id.begin(), op.op_id.end()));
      EXPECT_TRUE(view.empty() || op.seq == view.back().first + 1) << "gap before seq " << op.seq;
      view.emplace_back(op.seq, op.op_id);
    }
    for (const auto& id : acked) EXPECT_TRUE(stored.count(id)) << "acknowledged but lost: " << id;
    views.push_back(std::move(view));
  }
  EXPECT_EQ(views[0], views[1]);
  EXPECT_EQ(views[0], views[2]);
  std::printf("%zu ops acknowledged by two servers, one SIGKILLed mid-sync; all three clients read the same log\n",
              acked.size());
}

// The value of one series on a /metrics page, or -1 if the page does not have it.
long long SeriesValue(const std::string& page, const std::string& series) {
  const std::string text = "\n" + page;
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + series.size() + 2));
}

// Issue 17, item 2: the metrics are in the database. Requests sent to process B (flushing every second)
// show up on process A's /metrics, counted once, and on B's own page at once.
TEST_P(TwoServersTest, Issue17RequestsToOneProcessShowInTheOthersMetrics) {
  auto args = StoreArgs();
  const auto tls = data_ / "tls";
  args.insert(args.end(), {"--cert", (tls / "cert.pem").string(), "--key", (tls / "key.pem").string()});
  ServerProcess other(root_ / "data-b", root_ / "casepackd-b.log", args);
  ASSERT_NO_FATAL_FAILURE(other.Start(fingerprint_, {"--metrics-flush-interval", "1"}));
  const std::string me = "casepackd_requests_total{route=\"GET /v1/me\",status=\"200\"}";
  auto http_a = net::HttpsClient::Create(server_->endpoint(fingerprint_)).value();
  auto http_b = net::HttpsClient::Create(other.endpoint(fingerprint_)).value();
  auto metrics_of = [&](const ServerProcess& s) {
    auto r = (&s == &other ? http_b : http_a)->Send("GET", "/metrics", "", "", {});
    EXPECT_TRUE(r.ok() && r->status == 200);
    return r.ok() ? r->body : std::string();
  };
  const long long before_a = std::max(0LL, SeriesValue(metrics_of(*server_), me));
  const long long before_b = std::max(0LL, SeriesValue(metrics_of(other), me));
  const net::Endpoint b = other.endpoint(fingerprint_);
  auto via_b = Client(bu_.identity.get(), bu_.principal.device_id, &b);
  constexpr int kRequests = 7;
  for (int i = 0; i < kRequests; ++i) ASSERT_TRUE(via_b->Me().ok());
  // At least: A may flush its own earlier requests to /v1/me meanwhile.
  EXPECT_GE(SeriesValue(metrics_of(other), me), before_b + kRequests);
  ASSERT_NO_FATAL_FAILURE(WaitFor([&] { return SeriesValue(metrics_of(*server_), me) >= before_a + kRequests; },
                                  std::chrono::seconds(30)));
  const std::string page = metrics_of(*server_);
  EXPECT_EQ(SeriesValue(page, me), before_a + kRequests) << page;
  EXPECT_EQ(SeriesValue(page, "casepackd_store_up"), 1) << page;
  // B stops cleanly and flushes at exit: A's figure stays, once.
  EXPECT_EQ(other.Stop(), 0);
  EXPECT_EQ(SeriesValue(metrics_of(*server_), me), before_a + kRequests);
}

}  // namespace
}  // namespace casepack::testing
