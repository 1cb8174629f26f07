// First start, command line, files on disk, health and metrics, server time header, a full member flow.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "harness.h"

namespace casepack::testing {
namespace {

class BasicsTest : public ServerFixture {};
INSTANTIATE_SERVER_TESTS(BasicsTest);

mode_t Mode(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST_P(BasicsTest, FilesAreForTheServiceAccountOnly) {
  EXPECT_EQ(Mode(data_), 0700u);
  EXPECT_EQ(Mode(data_ / "tls" / "key.pem"), 0600u);
  if (!postgres()) EXPECT_EQ(Mode(data_ / "casepackd.db"), 0600u);
}

TEST_P(BasicsTest, CommandLine) {
  int rc = 0;
  EXPECT_EQ(RunCasepackd("fingerprint --data " + data_.string(), &rc), fingerprint_ + "\n");
  EXPECT_EQ(rc, 0);
  const std::string again = RunCasepackd("admin init --data " + data_.string() + StoreOptions(), &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(again.find(postgres() ? "casepackd: error: the PostgreSQL database already has users" : "casepackd: error: the store in"),
            std::string::npos)
      << again;
  EXPECT_EQ(again.find("postgresql://"), std::string::npos) << "the database URL may carry a password: " << again;
  EXPECT_NE(again.find("casepackd: hint:"), std::string::npos);
  const std::string invite = RunCasepackd("admin invite --data " + data_.string() + StoreOptions() + " --role facilitator", &rc);
  EXPECT_EQ(rc, 0);
  TestUser f = Enrol(FieldAfter(invite, "invitation code: "));
  EXPECT_EQ(f.principal.role, "facilitator");
  RunCasepackd("--data " + data_.string() + " --listen nonsense", &rc);
  EXPECT_EQ(rc, 1);
  RunCasepackd("--no-such-flag", &rc);
  EXPECT_EQ(rc, 2);
  RunCasepackd("admin invite --data " + data_.string() + " --role king", &rc);
  EXPECT_EQ(rc, 2);
}

// Whatever exception escapes (here one thrown by the test-only fault point after the store opens) ends as
// one error line and exit 1, never an abort; the store opens again afterwards.
TEST_P(BasicsTest, AnEscapedExceptionIsOneErrorLineAndExit1) {
  ASSERT_EQ(server_->Stop(), 0);
  int rc = 0;
  const std::string out = RunCasepackd("--data " + data_.string() + StoreOptions() + " --listen 127.0.0.1:0", &rc,
                                       "CASEPACK_FAULT_AT=server-store-opened CASEPACK_FAULT_ACTION=throw");
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("casepackd: error: internal error"), std::string::npos) << out;
  EXPECT_EQ(out.find("fault point"), std::string::npos) << "the exception's text was shown: " << out;
  EXPECT_EQ(out.find("terminate"), std::string::npos) << out;
  ASSERT_NO_FATAL_FAILURE(server_->Start(fingerprint_));
}

TEST_P(BasicsTest, HealthMetricsAndServerTime) {
  auto http = net::HttpsClient::Create(server_->endpoint(fingerprint_)).value();
  auto h = http->Send("GET", "/healthz", "", "", {});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  EXPECT_NEAR(static_cast<double>(h->server_time_ms), static_cast<double>(wire::NowMs()), 60000.0);
  ASSERT_TRUE(bu_->Me().ok());
  EXPECT_GT(bu_->latest_server_time_ms(), 0);
  auto m = http->Send("GET", "/metrics", "", "", {});
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->body.find("casepackd_requests_total{route=\"GET /v1/me\",status=\"200\"}"), std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("casepackd_store_users 1"), std::string::npos);
  EXPECT_NE(m->body.find("casepackd_connections_active"), std::string::npos);
  // Issue 18: a body over 1 KiB comes deflated to a client that reads the coding (all of casepack's).
  ASSERT_GT(m->body.size(), 1024u);
  EXPECT_TRUE(m->arrived_deflated);
  EXPECT_FALSE(h->arrived_deflated) << "a small body goes as it is";
  // No ids in metrics.
  EXPECT_EQ(m->body.find(bu_.principal.user_id), std::string::npos);
}

TEST_P(BasicsTest, MemberFlowWithKeysOpsAndBlobs) {
  TestUser a = NewUser("facilitator");
  TestUser b = NewUser("facilitator");
  auto users = a->ListUsers();
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 3u);
  const std::string c = RandomId();
  ASSERT_EQ(a->CreateCase(c, {1})->epoch, 1);
  EXPECT_EQ(a->CreateCase(c, {1})->epoch, 1);  // retried create
  ASSERT_TRUE(a->AddMember(c, b.principal.user_id, {{b.principal.user_id, 1, {2}}}).ok());
  EXPECT_EQ(b->ListCases()->size(), 1u);
  std::int64_t epoch = 0;
  auto keys = b->GetKeys(c, &epoch);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(epoch, 1);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->at(0).sealed, Bytes{2});
  auto acks = a->PushOps(c, {{"a:1", 1, {10}}, {"a:2", 1, {11}}});
  ASSERT_TRUE(acks.ok());
  ASSERT_TRUE(b->PushOps(c, {{"b:1", 1, {12}}}).ok());
  auto page = b->PullOps(c, 0);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->ops.size(), 3u);
  EXPECT_EQ(page->ops[0].device_id, a.principal.device_id);
  EXPECT_EQ(page->ops[2].device_id, b.principal.device_id);
  // Resume from the middle.
  auto rest = a->PullOps(c, page->ops[0].seq);
  EXPECT_EQ(rest->ops.size(), 2u);
  EXPECT_TRUE(a->PullOps(c, page->next_after)->ops.empty());
  ASSERT_TRUE(a->PutBlob(c, "doc.1", {1, 2, 3}).ok());
  EXPECT_TRUE(a->PutBlob(c, "doc.1", {1, 2, 3}).ok());
  EXPECT_EQ(a->PutBlob(c, "doc.1", {9}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(b->GetBlob(c, "doc.1").value(), (Bytes{1, 2, 3}));
  EXPECT_EQ(b->GetBlob(c, "doc.2").error().code, ErrorCode::kNotFound);
  auto members = a->ListMembers(c);
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->size(), 2u);
}

}  // namespace
}  // namespace casepack::testing
