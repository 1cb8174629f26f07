// The authorisation matrix over every endpoint, against the real casepackd over TLS: no credentials,
// wrong user, removed member, revoked device, revoked user, replayed request, stale timestamp. Denied
// case requests must not carry a byte of the case.
#include <gtest/gtest.h>

#include "casepack/random.h"
#include "casepack/aead.h"
#include "harness.h"

namespace casepack::testing {
namespace {

struct Endpoint {
  std::string method;
  std::string target;  // {case}, {user}, {device} replaced
  std::string body;
  bool case_scoped;
  bool bu_only;
};

class AuthzTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    owner_ = NewUser("facilitator");
    member_ = NewUser("facilitator");
    outsider_ = NewUser("facilitator");
    case_id_ = RandomId();
    ASSERT_TRUE(owner_->CreateCase(case_id_, Bytes{1, 2, 3}).ok());
    ASSERT_TRUE(owner_->AddMember(case_id_, member_.principal.user_id, {{member_.principal.user_id, 1, {4, 5}}}).ok());
    secret_blob_ = Bytes(64, 0xC7);
    ASSERT_TRUE(owner_->PushOps(case_id_, {{"op-1", 1, secret_blob_}}).ok());
    ASSERT_TRUE(owner_->PutBlob(case_id_, "doc-1", secret_blob_).ok());
  }

  std::vector<Endpoint> Endpoints(const std::string& victim_user, const std::string& victim_device) const {
    const std::string env = wire::EnvelopesToJson({{owner_.principal.user_id, 1, {9}}}, 0);
    const std::string add = wire::ToJson(wire::AddMemberRequest{victim_user, {{victim_user, 1, {9}}}});
    return {
        {"GET", "/v1/me", "", false, false},
        {"GET", "/v1/users", "", false, false},
        {"POST", "/v1/invitations", R"({"role":"facilitator"})", false, true},
        {"POST", "/v1/users/" + victim_user + "/revoke", "{}", false, true},
        {"POST", "/v1/devices/" + victim_device + "/revoke", "{}", false, false},
        {"GET", "/v1/cases", "", false, false},
        {"POST", "/v1/cases", wire::ToJson(wire::CreateCaseRequest{RandomId(), {1}}), false, false},
        {"GET", "/v1/cases/{case}/members", "", true, false},
        {"POST", "/v1/cases/{case}/members", add, true, false},
        {"DELETE", "/v1/cases/{case}/members/" + victim_user, "", true, false},
        {"GET", "/v1/cases/{case}/keys", "", true, false},
        {"POST", "/v1/cases/{case}/keys", env, true, false},
        {"POST", "/v1/cases/{case}/rekey", env, true, false},
        {"GET", "/v1/cases/{case}/replicas", "", true, false},
        {"GET", "/v1/cases/{case}/ops?after=0", "", true, false},
        {"POST", "/v1/cases/{case}/ops", wire::OpsPushToJson({{"op-x", 1, {1}}}, Bytes(64, 0)), true, false},
        {"GET", "/v1/cases/{case}/blobs/doc-1", "", true, false},
        {"PUT", "/v1/cases/{case}/blobs/doc-2", "zz", true, false},
    };
  }

  std::string Target(const Endpoint& e) const {
    std::string t = e.target;
    const auto p = t.find("{case}");
    if (p != std::string::npos) t.replace(p, 6, case_id_);
    return t;
  }

  // The denied reply is a small JSON error and holds nothing of the case.
  void ExpectNoCaseBytes(const net::HttpReply& r) {
    EXPECT_EQ(r.body.find(std::string(secret_blob_.begin(), secret_blob_.end())), std::string::npos);
    EXPECT_EQ(r.body.find(Base64Encode(secret_blob_)), std::string::npos);
    EXPECT_LT(r.body.size(), 200u);
    EXPECT_TRUE(wire::ParseErrorBody(r.body).ok()) << r.body;
  }

  // Waits (at most 10 s) for casepackd's log to hold `text`.
  bool ServerLogged(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ReadFile(log_).find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  TestUser owner_, member_, outsider_;
  std::string case_id_;
  Bytes secret_blob_;
};
INSTANTIATE_SERVER_TESTS(AuthzTest);

TEST_P(AuthzTest, NoCredentials) {
  auto http = net::HttpsClient::Create(server_->endpoint(fingerprint_)).value();
  for (const auto& e : Endpoints(member_.principal.user_id, member_.principal.device_id)) {
    auto r = http->Send(e.method, Target(e), e.body, "application/json", {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401) << e.method << " " << e.target;
    ExpectNoCaseBytes(*r);
  }
}

TEST_P(AuthzTest, WrongUserGets404ForCasesAnd403ForBusinessUnitActions) {
  for (const auto& e : Endpoints(member_.principal.user_id, member_.principal.device_id)) {
    auto r = outsider_->SignedRequest(e.method, Target(e), e.body);
    ASSERT_TRUE(r.ok());
    if (e.case_scoped) {
      EXPECT_EQ(r->status, 404) << e.method << " " << e.target;
      ExpectNoCaseBytes(*r);
    } else if (e.bu_only) {
      EXPECT_EQ(r->status, 403) << e.method << " " << e.target;
    } else if (e.target.find("/devices/") != std::string::npos) {
      EXPECT_EQ(r->status, 404) << "another user's device does not exist for a facilitator";
    } else {
      // What any user may do on their own account: exactly the success a member gets, and nothing of the
      // case in the reply.
      EXPECT_EQ(r->status, e.method == "POST" ? 201 : 200) << e.method << " " << e.target << " " << r->body;
      EXPECT_EQ(r->body.find(case_id_), std::string::npos) << e.method << " " << e.target << " named the case";
    }
  }
  // The case did not change: the outsider's requests had no effect.
  auto members = owner_->ListMembers(case_id_).value();
  EXPECT_EQ(members.size(), 2u);
  EXPECT_EQ(owner_->PullOps(case_id_, 0)->ops.size(), 1u);
}

TEST_P(AuthzTest, RemovedMemberSeesNothing) {
  ASSERT_TRUE(member_->PullOps(case_id_, 0).ok());
  auto epoch = owner_->RemoveMember(case_id_, member_.principal.user_id);
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(*epoch, 2);
  for (const auto& e : Endpoints(owner_.principal.user_id, owner_.principal.device_id)) {
    if (!e.case_scoped) continue;
    auto r = member_->SignedRequest(e.method, Target(e), e.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 404) << e.method << " " << e.target;
    ExpectNoCaseBytes(*r);
  }
  EXPECT_TRUE(member_->ListCases()->empty());
  // Later content is at the new epoch: the remaining member must re-key first.
  EXPECT_EQ(owner_->PushOps(case_id_, {{"op-2", 1, {1}}}).error().code, ErrorCode::kConflict);
  // The new epoch's first envelopes come whole, by rekey (issue 11, item 4), not one by one.
  EXPECT_EQ(owner_->PutKeys(case_id_, {{owner_.principal.user_id, 2, {7}}}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(owner_->Rekey(case_id_, {{owner_.principal.user_id, 2, {7}}}).ok());
  ASSERT_TRUE(owner_->PutKeys(case_id_, {{owner_.principal.user_id, 2, {8}}}).ok());  // own copy replaced
  EXPECT_TRUE(owner_->PushOps(case_id_, {{"op-2", 2, {1}}}).ok());
}

TEST_P(AuthzTest, RevokedDeviceAndUserAreRefusedAtOnce) {
  ASSERT_TRUE(member_->Me().ok());
  ASSERT_TRUE(member_->RevokeDevice(member_.principal.device_id).ok());  // a device may revoke itself
  for (const auto& e : Endpoints(owner_.principal.user_id, owner_.principal.device_id)) {
    auto r = member_->SignedRequest(e.method, Target(e), e.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401) << e.method << " " << e.target;
    ExpectNoCaseBytes(*r);
  }
  ASSERT_TRUE(owner_->Me().ok());
  ASSERT_TRUE(bu_->RevokeUser(owner_.principal.user_id).ok());
  for (const auto& e : Endpoints(member_.principal.user_id, member_.principal.device_id)) {
    auto r = owner_->SignedRequest(e.method, Target(e), e.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401) << e.method << " " << e.target;
    ExpectNoCaseBytes(*r);
  }
}

TEST_P(AuthzTest, ReplayedRequestIsRejected) {
  for (const auto& e : Endpoints(outsider_.principal.user_id, outsider_.principal.device_id)) {
    if (e.bu_only || e.method == "DELETE" || e.target.find("/revoke") != std::string::npos) continue;
    std::vector<std::pair<std::string, std::string>> sent;
    auto first = member_->SignedRequestCapture(e.method, Target(e), e.body, &sent);
    ASSERT_TRUE(first.ok());
    EXPECT_LT(first->status, 500);
    // The same bytes again, on a fresh connection (as an eavesdropper would send them).
    auto http = net::HttpsClient::Create(server_->endpoint(fingerprint_)).value();
    auto again = http->Send(e.method, Target(e), e.body,
                            e.method == "PUT" ? "application/octet-stream" : "application/json", sent);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 401) << e.method << " " << e.target;
    EXPECT_NE(again->body.find("replayed_request"), std::string::npos);
    ExpectNoCaseBytes(*again);
  }
}

TEST_P(AuthzTest, StaleTimestampIsRejected) {
  for (const std::int64_t skew : {-wire::kMaxClockSkewMs - 2000, wire::kMaxClockSkewMs + 2000}) {
    for (const auto& e : Endpoints(outsider_.principal.user_id, outsider_.principal.device_id)) {
      auto r = member_->SignedRequestCapture(e.method, Target(e), e.body, nullptr, wire::NowMs() + skew);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 401) << e.method << " " << e.target;
      EXPECT_NE(r->body.find("stale_request"), std::string::npos);
      ExpectNoCaseBytes(*r);
    }
  }
}

TEST_P(AuthzTest, BusinessUnitWithoutMembershipSeesNoCase) {
  for (const auto& e : Endpoints(member_.principal.user_id, member_.principal.device_id)) {
    if (!e.case_scoped) continue;
    auto r = bu_->SignedRequest(e.method, Target(e), e.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 404) << e.method << " " << e.target;
    ExpectNoCaseBytes(*r);
  }
}

TEST_P(AuthzTest, WrongCertificateFingerprintIsRefused) {
  std::string wrong = fingerprint_;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto http = net::HttpsClient::Create(server_->endpoint(wrong)).value();
  auto r = http->Send("GET", "/healthz", "", "", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
}

TEST_P(AuthzTest, InvitationIsOneTime) {
  auto inv = bu_->CreateInvitation("facilitator");
  ASSERT_TRUE(inv.ok());
  TestUser first = Enrol(inv->code);
  EXPECT_FALSE(first.principal.device_id.empty());
  auto id = Identity::Generate().value();
  auto second = Client(&id);
  auto r = second->Enroll(inv->code);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  // The first business-unit code is used too.
  EXPECT_FALSE(second->Enroll(bu_code_).ok());
}

TEST_P(AuthzTest, LimitsOnBodyAndHeaders) {
  // Incompressible: over the limit as it arrives. The server answers 413 and closes; depending on timing
  // the client sees the reply or a reset. Either way the server must have refused it with that status (its
  // access log says so), and a reply seen must be that status.
  const Bytes noise = RandomBytes(17 * 1024 * 1024);
  auto r = member_->SignedRequest("POST", "/v1/cases/" + case_id_ + "/ops", std::string(noise.begin(), noise.end()));
  if (r.ok()) EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(ServerLogged("route=\"(body too large)\" status=413")) << ReadFile(log_);
  // Compressible (issue 18): the client deflates it to a few KB; the limit applies once it is inflated.
  const std::string huge(17 * 1024 * 1024, 'a');
  auto z = member_->SignedRequest("POST", "/v1/cases/" + case_id_ + "/ops", huge);
  if (z.ok()) EXPECT_EQ(z->status, 413);
  EXPECT_TRUE(ServerLogged("route=\"(body coding)\" status=413")) << ReadFile(log_);
  auto http = net::HttpsClient::Create(server_->endpoint(fingerprint_)).value();
  auto h = http->Send("GET", "/healthz", "", "", {{"X-Big", std::string(20000, 'b')}});
  if (h.ok()) EXPECT_EQ(h->status, 431);
  EXPECT_TRUE(ServerLogged("route=\"(headers too large)\" status=431")) << ReadFile(log_);
  // Blobs have their own, larger limit (beyond Beast's 8 MB default).
  EXPECT_TRUE(member_->PutBlob(case_id_, "big", Bytes(20 * 1024 * 1024, 0x5A)).ok());
  EXPECT_EQ(member_->GetBlob(case_id_, "big")->size(), 20u * 1024 * 1024);
  // The server is still fine.
  EXPECT_TRUE(member_->Me().ok());
}

}  // namespace
}  // namespace casepack::testing
