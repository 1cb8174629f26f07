// The API's authentication and authorisation, in process (no sockets): fast, and run under ASan.
// The same matrix runs again over real TLS in tests/server/integration.
#include <gtest/gtest.h>

#include <filesystem>

#include "casepack/http_body.h"
#include "casepack/random.h"
#include "casepack/server.h"
#include "casepack/server_api.h"
#include "casepack/server_store.h"
#include "casepack/wire.h"
#include "support/server_backends.h"

namespace casepack::server {
namespace {

std::int64_t g_now = 1'800'000'000'000;
std::int64_t TestClock() { return g_now; }

struct Device {
  Identity id = Identity::Generate().value();
  std::string device_id;
  std::string user_id;
};

// A push body of `ops`, the batch signed by `d` as the pushing device (docs/api.md "Operation signatures").
std::string SignedPush(const Device& d, const std::string& case_id, std::vector<wire::OpIn> ops) {
  return wire::OpsPushToJson(ops, wire::SignOpBatch(d.id, wire::OpBatchManifest(case_id, ops)));
}

class ApiTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    InitCrypto();
    if (auto why = db_.Create(GetParam()); !why.empty()) GTEST_SKIP() << why;
    store_ = db_.Open().value();
    api_ = std::make_unique<Api>(*store_, metrics_, &TestClock);
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
  }

  HttpRequest Signed(const Device& d, const std::string& method, const std::string& target, const std::string& body,
                     std::int64_t time) {
    auto h = wire::SignRequest(d.id, method, target, time, AsBytes(body));
    HttpRequest r{method, target, {}, body};
    if (!d.device_id.empty()) r.headers.emplace_back("x-casepack-device", d.device_id);
    r.headers.emplace_back("x-casepack-time", h.time);
    r.headers.emplace_back("x-casepack-nonce", h.nonce);
    r.headers.emplace_back("x-casepack-signature", h.signature);
    return r;
  }
  HttpResponse Call(const Device& d, const std::string& method, const std::string& target, const std::string& body = "") {
    RequestLog log;
    return api_->Handle(Signed(d, method, target, body, g_now), &log);
  }
  Device Enrol(const std::string& role) {
    Device d;
    const std::string code = RandomId();
    const Bytes h = InvitationCodeHash(code);
    EXPECT_TRUE(store_->CreateInvitation(h, role, g_now + 100000, "admin").ok());
    const auto& pub = d.id.public_keys();
    wire::EnrollRequest req{code, Bytes(pub.x25519.begin(), pub.x25519.end()),
                            Bytes(pub.ed25519.begin(), pub.ed25519.end())};
    auto r = Call(d, "POST", "/v1/enroll", wire::ToJson(req));
    EXPECT_EQ(r.status, 201) << r.body;
    auto p = wire::ParsePrincipal(r.body).value();
    d.device_id = p.device_id;
    d.user_id = p.user_id;
    return d;
  }
  // A new case made by `a` (epoch 1) with `b` added as a member; returns its id.
  std::string SharedCase(const Device& a, const Device& b) {
    const std::string c = RandomId();
    EXPECT_EQ(Call(a, "POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{c, {1}})).status, 201);
    EXPECT_EQ(Call(a, "POST", "/v1/cases/" + c + "/members",
                   wire::ToJson(wire::AddMemberRequest{b.user_id, {{b.user_id, 1, {2}}}})).status, 200);
    return c;
  }

  testing::TestDatabase db_;
  std::unique_ptr<ServerStore> store_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
};
INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, testing::AllBackends(), testing::BackendName);

TEST_P(ApiTest, ReplayStaleAndForgedRequestsAreRejected) {
  Device a = Enrol("facilitator");
  RequestLog log;
  HttpRequest req = Signed(a, "GET", "/v1/me", "", g_now);
  EXPECT_EQ(api_->Handle(req, &log).status, 200);
  auto replay = api_->Handle(req, &log);
  EXPECT_EQ(replay.status, 401);
  EXPECT_NE(replay.body.find("replayed_request"), std::string::npos);
  auto stale = api_->Handle(Signed(a, "GET", "/v1/me", "", g_now - wire::kMaxClockSkewMs - 1), &log);
  EXPECT_EQ(stale.status, 401);
  EXPECT_NE(stale.body.find("stale_request"), std::string::npos);
  EXPECT_EQ(api_->Handle(Signed(a, "GET", "/v1/me", "", g_now + wire::kMaxClockSkewMs + 1), &log).status, 401);
  // Signed by another key under a's device id.
  Device forger;
  forger.device_id = a.device_id;
  EXPECT_EQ(api_->Handle(Signed(forger, "GET", "/v1/me", "", g_now), &log).status, 401);
  // Body changed after signing.
  HttpRequest tampered = Signed(a, "POST", "/v1/cases", R"({"a":1})", g_now);
  tampered.body = R"({"a":2})";
  EXPECT_EQ(api_->Handle(tampered, &log).status, 401);
  // A forged request did not burn the nonce of a genuine one: nonces are recorded after verification.
  EXPECT_EQ(Call(a, "GET", "/v1/me").status, 200);
}

TEST_P(ApiTest, EnrolmentProvesKeyPossessionAndUsesCodeOnce) {
  Device d;
  const std::string code = RandomId();
  const Bytes h = InvitationCodeHash(code);
  ASSERT_TRUE(store_->CreateInvitation(h, "facilitator", g_now + 1000, "admin").ok());
  Device other;
  const auto& pub = d.id.public_keys();
  wire::EnrollRequest req{code, Bytes(pub.x25519.begin(), pub.x25519.end()), Bytes(pub.ed25519.begin(), pub.ed25519.end())};
  // Signed by a key other than the one being enrolled.
  EXPECT_EQ(Call(other, "POST", "/v1/enroll", wire::ToJson(req)).status, 401);
  EXPECT_EQ(Call(d, "POST", "/v1/enroll", wire::ToJson(req)).status, 201);
  EXPECT_EQ(Call(d, "POST", "/v1/enroll", wire::ToJson(req)).status, 403);
}

TEST_P(ApiTest, RevocationTakesEffectAtOnce) {
  Device bu = Enrol("business-unit");
  Device f = Enrol("facilitator");
  Device g = Enrol("facilitator");
  EXPECT_EQ(Call(f, "GET", "/v1/me").status, 200);
  // A facilitator cannot revoke someone else's device (it does not exist for them) nor users.
  EXPECT_EQ(Call(g, "POST", "/v1/devices/" + f.device_id + "/revoke", "{}").status, 404);
  EXPECT_EQ(Call(g, "POST", "/v1/users/" + f.user_id + "/revoke", "{}").status, 403);
  EXPECT_EQ(Call(bu, "POST", "/v1/devices/" + f.device_id + "/revoke", "{}").status, 200);
  EXPECT_EQ(Call(f, "GET", "/v1/me").status, 401);
  EXPECT_EQ(Call(g, "GET", "/v1/me").status, 200);
  EXPECT_EQ(Call(bu, "POST", "/v1/users/" + g.user_id + "/revoke", "{}").status, 200);
  EXPECT_EQ(Call(g, "GET", "/v1/me").status, 401);
}

TEST_P(ApiTest, NonMembersSeeNothingOfACase) {
  Device a = Enrol("facilitator");
  Device b = Enrol("business-unit");
  const std::string c = RandomId();
  ASSERT_EQ(Call(a, "POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{c, {1, 2, 3}})).status, 201);
  ASSERT_EQ(Call(a, "POST", "/v1/cases/" + c + "/ops", SignedPush(a, c, {{"o1", 1, {0xAB, 0xCD}}})).status, 200);
  const std::string unknown = RandomId();
  for (const std::string& id : {c, unknown}) {
    for (const auto& [m, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/ops?after=0"}, {"POST", "/ops"}, {"GET", "/keys"}, {"POST", "/keys"}, {"GET", "/members"},
             {"POST", "/members"}, {"DELETE", "/members/" + a.user_id}, {"GET", "/blobs/x"}, {"PUT", "/blobs/x"}}) {
      auto r = Call(b, m, "/v1/cases/" + id + path, "{}");
      EXPECT_EQ(r.status, 404) << m << path;
      EXPECT_EQ(r.body, R"({"error":"not_found","message":"not found"})");
    }
  }
  // Taking an existing id does not reveal anything but that it is taken.
  EXPECT_EQ(Call(b, "POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{c, {1}})).status, 409);
  // A retried create by the creator is idempotent.
  EXPECT_EQ(Call(a, "POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{c, {1, 2, 3}})).status, 200);
}

TEST_P(ApiTest, RemovedMemberLosesAccessAndOldEpochIsRefused) {
  Device a = Enrol("facilitator");
  Device b = Enrol("facilitator");
  const std::string c = SharedCase(a, b);
  EXPECT_EQ(Call(b, "GET", "/v1/cases/" + c + "/keys").status, 200);
  auto rm = Call(a, "DELETE", "/v1/cases/" + c + "/members/" + b.user_id);
  ASSERT_EQ(rm.status, 200);
  EXPECT_EQ(wire::ParseCaseSummary(rm.body)->epoch, 2);
  EXPECT_EQ(Call(b, "GET", "/v1/cases/" + c + "/keys").status, 404);
  auto stale = Call(a, "POST", "/v1/cases/" + c + "/ops", SignedPush(a, c, {{"o1", 1, {1}}}));
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(stale.body.find("stale_epoch"), std::string::npos);
  EXPECT_EQ(Call(a, "POST", "/v1/cases/" + c + "/keys", wire::EnvelopesToJson({{a.user_id, 2, {3}}}, 0)).status, 409);
  EXPECT_EQ(Call(a, "POST", "/v1/cases/" + c + "/rekey", wire::EnvelopesToJson({{a.user_id, 2, {3}}}, 0)).status, 200);
  EXPECT_EQ(Call(a, "POST", "/v1/cases/" + c + "/ops", SignedPush(a, c, {{"o1", 2, {1}}})).status, 200);
}

TEST_P(ApiTest, PullPagesAndBadQueries) {
  Device a = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_EQ(Call(a, "POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{c, {1}})).status, 201);
  std::vector<wire::OpIn> ops;
  for (int i = 0; i < 5; ++i) ops.push_back({"op" + std::to_string(i), 1, {static_cast<std::uint8_t>(i)}});
  ASSERT_EQ(Call(a, "POST", "/v1/cases/" + c + "/ops", SignedPush(a, c, ops)).status, 200);
  // Signed by another key, over other ops, or not at all: refused, nothing stored.
  std::vector<wire::OpIn> forged = {{"op9", 1, {9}}};
  const auto other = Identity::Generate().value();
  for (const Bytes& sig : {wire::SignOpBatch(other, wire::OpBatchManifest(c, forged)),
                           wire::SignOpBatch(a.id, wire::OpBatchManifest(c, {{"op9", 1, {8}}})),
                           wire::SignOpBatch(a.id, wire::OpBatchManifest(RandomId(), forged))}) {
    auto refused = Call(a, "POST", "/v1/cases/" + c + "/ops", wire::OpsPushToJson(forged, sig));
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("bad_op_signature"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(Call(a, "POST", "/v1/cases/" + c + "/ops", wire::OpsPushToJson(forged, {})).status, 400);
  auto p1 = wire::ParseOpsPage(Call(a, "GET", "/v1/cases/" + c + "/ops?after=0&limit=3").body).value();
  EXPECT_EQ(p1.ops.size(), 3u);
  EXPECT_TRUE(p1.more);
  auto p2 = wire::ParseOpsPage(Call(a, "GET", "/v1/cases/" + c + "/ops?after=" + std::to_string(p1.next_after) + "&limit=3").body).value();
  EXPECT_EQ(p2.ops.size(), 2u);
  EXPECT_EQ(p2.ops[1].op_id, "op4");
  EXPECT_EQ(p2.ops[1].blob, Bytes{4});
  // Each page carries the batch its ops were pushed in, once: the manifest names each op with the
  // SHA-256 of its bytes, under the pushing device's signature.
  ASSERT_EQ(p2.batches.size(), 1u);
  EXPECT_EQ(p2.batches[0].batch, p2.ops[1].batch);
  EXPECT_EQ(p2.batches[0].device_id, a.device_id);
  EXPECT_EQ(p2.batches[0].manifest, wire::OpBatchManifest(c, ops));
  EXPECT_TRUE(wire::VerifyOpBatch(a.id.public_keys().ed25519, p2.batches[0].manifest, p2.batches[0].sig).ok());
  EXPECT_EQ(p2.ops[1].batch, p1.ops[0].batch);
  EXPECT_EQ(p1.batches.size(), 1u);
  // A retried push stores nothing and keeps the first batch.
  ASSERT_EQ(Call(a, "POST", "/v1/cases/" + c + "/ops", SignedPush(a, c, ops)).status, 200);
  auto again = wire::ParseOpsPage(Call(a, "GET", "/v1/cases/" + c + "/ops?after=0").body).value();
  ASSERT_EQ(again.ops.size(), 5u);
  EXPECT_EQ(again.batches.size(), 1u);
  EXPECT_EQ(Call(a, "GET", "/v1/cases/" + c + "/ops?after=-1").status, 400);
  EXPECT_EQ(Call(a, "GET", "/v1/cases/" + c + "/ops?limit=0").status, 400);
  EXPECT_EQ(Call(a, "GET", "/v1/cases/" + c + "/ops?limit=99999").status, 400);
}

// Issue 18: a laptop that pushed a week of typing does not download it again: `skip` names its replica and
// the page leaves out what this device pushed under it, and nothing of anyone else's; the cursor still
// moves past what was left out.
TEST_P(ApiTest, Issue18PullLeavesOutOnlyWhatTheCallerPushedUnderTheReplicaItNames) {
  Device a = Enrol("facilitator");
  Device b = Enrol("facilitator");
  const std::string c = SharedCase(a, b);
  const std::string ra(16, 'a'), rb(16, 'b');
  ASSERT_EQ(Call(a, "POST", "/v1/cases/" + c + "/ops", SignedPush(a, c, {{ra + "-1", 1, {1}}, {ra + "-2", 1, {2}}})).status, 200);
  // A replica is bound to the device that first pushed under it: b cannot push under a's.
  EXPECT_EQ(Call(b, "POST", "/v1/cases/" + c + "/ops", SignedPush(b, c, {{ra + "-3", 1, {4}}})).status, 403);
  ASSERT_EQ(Call(b, "POST", "/v1/cases/" + c + "/ops", SignedPush(b, c, {{rb + "-1", 1, {3}}})).status, 200);
  const std::string pull = "/v1/cases/" + c + "/ops?after=0&limit=10";
  auto all = wire::ParseOpsPage(Call(a, "GET", pull).body).value();
  ASSERT_EQ(all.ops.size(), 3u);
  auto a_view = wire::ParseOpsPage(Call(a, "GET", pull + "&skip=" + ra).body).value();
  ASSERT_EQ(a_view.ops.size(), 1u);
  EXPECT_EQ(a_view.ops[0].op_id, rb + "-1");
  EXPECT_EQ(a_view.next_after, all.next_after);
  ASSERT_EQ(a_view.batches.size(), 1u) << "only the batches of the ops sent";
  EXPECT_EQ(a_view.batches[0].device_id, b.device_id);
  // Only the caller's own pushes are left out: b naming a's replica gets all of it.
  auto b_view = wire::ParseOpsPage(Call(b, "GET", pull + "&skip=" + ra).body).value();
  EXPECT_EQ(b_view.ops.size(), 3u);
  // A page of only left-out ops: empty, but the cursor moves and `more` says whether to go on.
  auto first = wire::ParseOpsPage(Call(a, "GET", "/v1/cases/" + c + "/ops?after=0&limit=2&skip=" + ra).body).value();
  EXPECT_TRUE(first.ops.empty());
  EXPECT_TRUE(first.more);
  EXPECT_EQ(first.next_after, all.ops[1].seq);
  for (const char* bad : {"AAAAAAAAAAAAAAAA", "aaaa", "aaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaa-"})
    EXPECT_EQ(Call(a, "GET", pull + "&skip=" + bad).status, 400) << bad;
}

// The value of one series on a /metrics page, or -1 if the page does not have it.
long long SeriesValue(const std::string& page, const std::string& series) {
  const std::string text = "\n" + page;
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + series.size() + 2));
}

// Issue 17: the metrics are the database's. Two processes (two stores and two Metrics on one database):
// what one counts is on its own page at once, on the other's once flushed, and on neither twice.
TEST_P(ApiTest, Issue17MetricsCountedByOneProcessShowInTheOtherAfterItsFlush) {
  auto other_store = db_.Open().value();
  Metrics other_metrics;
  Api other(*other_store, other_metrics, &TestClock);
  auto page = [](Api& api) {
    RequestLog log;
    return api.Handle(HttpRequest{"GET", "/metrics", {}, ""}, &log).body;
  };
  const std::string me = "casepackd_requests_total{route=\"GET /v1/me\",status=\"200\"}";
  metrics_.CountRequest("GET /v1/me", 200, 0.0002);
  metrics_.CountRequest("GET /v1/me", 200, 0.003);
  metrics_.TlsFailure();
  EXPECT_EQ(SeriesValue(page(*api_), me), 2);
  EXPECT_EQ(SeriesValue(page(other), me), -1);
  ASSERT_TRUE(api_->FlushMetrics().ok());
  ASSERT_TRUE(api_->FlushMetrics().ok());  // nothing new: adds nothing
  for (Api* api : {api_.get(), &other}) {
    const std::string p = page(*api);
    EXPECT_EQ(SeriesValue(p, me), 2) << p;
    EXPECT_EQ(SeriesValue(p, "casepackd_tls_handshake_failures_total"), 1) << p;
    EXPECT_EQ(SeriesValue(p, "casepackd_request_duration_seconds_bucket{le=\"0.001\"}"), 1) << p;
    EXPECT_EQ(SeriesValue(p, "casepackd_request_duration_seconds_bucket{le=\"0.005\"}"), 2) << p;
    EXPECT_EQ(SeriesValue(p, "casepackd_request_duration_seconds_bucket{le=\"+Inf\"}"), 2) << p;
    EXPECT_EQ(SeriesValue(p, "casepackd_request_duration_seconds_count"), 2) << p;
    EXPECT_EQ(SeriesValue(p, "casepackd_store_up"), 1) << p;
  }
  // Ops acknowledged by the other process, flushed there, count on this one's page.
  Device a = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_EQ(Call(a, "POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{c, Bytes{1}})).status, 201);
  const std::string push = SignedPush(a, c, {{"x:1", 1, {5}}, {"x:2", 1, {6}}});
  RequestLog log;
  ASSERT_EQ(other.Handle(Signed(a, "POST", "/v1/cases/" + c + "/ops", push, g_now), &log).status, 200);
  other_metrics.CountRequest(log.route, 200, 0.01);
  EXPECT_EQ(SeriesValue(page(*api_), "casepackd_ops_acknowledged_total"), 0);
  ASSERT_TRUE(other.FlushMetrics().ok());
  const std::string p = page(*api_);
  EXPECT_EQ(SeriesValue(p, "casepackd_ops_acknowledged_total"), 2) << p;
  EXPECT_EQ(SeriesValue(p, "casepackd_requests_total{route=\"POST /v1/cases/{id}/ops\",status=\"200\"}"), 1) << p;
  EXPECT_EQ(SeriesValue(p, me), 2) << p;
}

TEST(RawHttp, ParsesAndEnforcesLimits) {
  auto r = ParseRawHttpRequest("POST /v1/cases HTTP/1.1\r\nHost: x\r\nX-Casepack-Time: 5\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->body, "{}");
  EXPECT_EQ(r->Header("x-casepack-time"), "5");
  EXPECT_FALSE(ParseRawHttpRequest("POST /v1/cases HTTP/1.1\r\nContent-Length: 5\r\n\r\n{}").ok());
  EXPECT_FALSE(ParseRawHttpRequest("garbage").ok());
  const std::string big = "POST /v1/cases HTTP/1.1\r\nContent-Length: " + std::to_string(kMaxJsonBodyBytes + 1) + "\r\n\r\n{";
  EXPECT_EQ(ParseRawHttpRequest(big).error().code, ErrorCode::kNoSpace);
  const std::string hdr = "GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderBytes, 'a') + "\r\n\r\n";
  EXPECT_EQ(ParseRawHttpRequest(hdr).error().code, ErrorCode::kNoSpace);
}

// Issue 18: a push's body may come deflated (docs/api.md "Compressed bodies"); it is decoded before anything
// reads it, within the route's limit, and no other coding is taken.
TEST(RawHttp, ADeflatedBodyIsReadWithinItsLimitAndNoOtherCoding) {
  auto request = [](std::string_view coding, const std::string& body) {
    return "POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Encoding: " + std::string(coding) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string json = R"({"subject":")" + std::string(5000, 'a') + R"("})";
  auto r = ParseRawHttpRequest(request("deflate", http_body::Deflate(json)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, json);
  EXPECT_EQ(ParseRawHttpRequest(request("gzip", http_body::Deflate(json))).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(ParseRawHttpRequest(request("deflate, deflate", http_body::Deflate(json))).error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(ParseRawHttpRequest(request("deflate", json)).error().code, ErrorCode::kInvalidArgument);
  // A bomb: 17 MiB of JSON in a few KB, over the JSON routes' 16 MiB once inflated.
  const std::string bomb = http_body::Deflate(std::string(kMaxJsonBodyBytes + (1u << 20), ' '));
  ASSERT_LT(bomb.size(), kMaxJsonBodyBytes / 100);
  EXPECT_EQ(ParseRawHttpRequest(request("deflate", bomb)).error().code, ErrorCode::kNoSpace);
  auto plain = ParseRawHttpRequest(request("identity", json));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->body, json);
}

}  // namespace
}  // namespace casepack::server
