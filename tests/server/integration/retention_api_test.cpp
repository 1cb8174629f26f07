// Retention endpoints against the real casepackd (real clock: a purge date in the past is due at once):
// who may set dates, holds and policies, what a purge leaves, and receipts checked against device keys.
#include <gtest/gtest.h>

#include "casepack/identity.h"
#include "harness.h"

namespace casepack::testing {
namespace {

class RetentionApi : public ServerFixture {
 protected:
  // A case by the business unit, shared with `member`, with one op.
  std::string SharedCase(TestUser& member) {
    const std::string id = RandomId();
    EXPECT_TRUE(bu_->CreateCase(id, Bytes(80, 1)).ok());
    EXPECT_TRUE(bu_->AddMember(id, member.principal.user_id, {wire::Envelope{member.principal.user_id, 1, Bytes(80, 2)}}).ok());
    EXPECT_TRUE(bu_->PushOps(id, {wire::OpIn{"r:1", 1, Bytes(64, 9)}}).ok());
    return id;
  }
  wire::ReceiptMessage Receipt(const TestUser& u, const std::string& case_id) {
    wire::ReceiptMessage m{case_id, RandomId(), "2026-11-22T00:00:00Z", {}, {}};
    const auto& pk = u.identity->public_keys().ed25519;
    m.public_key.assign(pk.begin(), pk.end());
    const auto sig = u.identity->Sign(AsBytes(wire::CanonicalPurgeReceipt(m.case_id, m.store_id, m.purged_at)));
    m.signature.assign(sig.begin(), sig.end());
    return m;
  }
};
INSTANTIATE_SERVER_TESTS(RetentionApi);

TEST_P(RetentionApi, OnlyTheBusinessUnitPlacesHoldsSetsPoliciesAndListsReceipts) {
  TestUser f = NewUser("facilitator");
  const std::string id = SharedCase(f);
  EXPECT_EQ(f->SetHold(id, true).error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(f->ListConfirmations("").error().code, ErrorCode::kAuthFailed);
  wire::PolicyMessage p{1, "{}", f.principal.device_id, {}};
  const auto sig = f.identity->Sign(AsBytes(wire::CanonicalPolicy(1, "{}")));
  p.signature.assign(sig.begin(), sig.end());
  EXPECT_EQ(f->PutPolicy(p).error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(f->GetPolicy()->version, 0);

  // The business unit: a policy signed by another device is refused; its own goes in, versions only rise.
  p.device_id = bu_.principal.device_id;
  EXPECT_EQ(bu_->PutPolicy(p).error().code, ErrorCode::kInvalidArgument);
  const auto bsig = bu_.identity->Sign(AsBytes(wire::CanonicalPolicy(1, "{}")));
  p.signature.assign(bsig.begin(), bsig.end());
  ASSERT_TRUE(bu_->PutPolicy(p).ok());
  EXPECT_EQ(bu_->PutPolicy(p).error().code, ErrorCode::kConflict);
  auto got = f->GetPolicy();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->device_id, bu_.principal.device_id);
  EXPECT_TRUE(VerifySignature(bu_.identity->public_keys().ed25519, AsBytes(wire::CanonicalPolicy(1, got->record)),
                              got->signature));

  // A non-member learns nothing about the case's retention.
  TestUser outsider = NewUser("facilitator");
  EXPECT_EQ(outsider->PutPurgeDate(id, "2020-01-01").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(outsider->GetRetention(id).error().code, ErrorCode::kNotFound);
}

// Runs one SQL statement with one parameter ("?") on casepackd's store, not through the API (so no request
// is involved): SQLite through python3's sqlite3, PostgreSQL through psql. Returns the first column of the
// first row, or "".
std::string ServerSql(const TestDatabase& db, const std::filesystem::path& data, const std::string& sql,
                      const std::string& param) {
  std::string cmd;
  if (db.backend() == Backend::kPostgres) {
    std::string pg = sql;
    pg.replace(pg.find('?'), 1, "'" + param + "'");  // ids are [0-9a-f]: no quoting needed
    for (auto [from, to] : {std::pair<std::string, std::string>{"held = 0", "held = false"}}) {
      if (auto at = pg.find(from); at != std::string::npos) pg.replace(at, from.size(), to);
    }
    cmd = "psql -qtAX -d '" + db.database() + "' -c \"" + pg + "\" 2>&1";
  } else {
    const auto script = db.dir() / "sql.py";
    std::ofstream(script) << "import sqlite3,sys\n"
                             "d=sqlite3.connect(sys.argv[1], timeout=10)\n"
                             "row=d.execute(sys.argv[2],(sys.argv[3],)).fetchone()\n"
                             "d.commit()\n"
                             "print(row[0] if row else '')\n";
    cmd = "python3 '" + script.string() + "' '" + (data / "casepackd.db").string() + "' \"" + sql + "\" '" + param +
          "' 2>&1";
  }
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0) << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (out.rfind("UPDATE ", 0) == 0) out.clear();  // psql's command tag
  return out;
}

// casepackd's retention timer purges on its own: the case becomes due while the server runs (its hold
// cleared in the database behind the API's back, so no request can have purged it), and with no request
// at all it is purged within a few timer periods.
TEST_P(RetentionApi, TheRetentionTimerPurgesWithoutARequest) {
  TestUser f = NewUser("facilitator");
  const std::string id = SharedCase(f);
  ASSERT_TRUE(bu_->SetHold(id, true).ok());
  ASSERT_TRUE(bu_->PutPurgeDate(id, "2020-01-01").ok());  // past, but held (only the Business Unit may set it)
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(server_->Start(fingerprint_, {"--retention-interval", "1"}));
  const std::string tombstones = "SELECT count(*) FROM tombstones WHERE case_id = ?";
  EXPECT_EQ(ServerSql(db_, data_, tombstones, id), "0") << "a held case was purged";
  ServerSql(db_, data_, "UPDATE case_retention SET held = 0 WHERE case_id = ?", id);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ServerSql(db_, data_, tombstones, id) != "1") {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the timer never purged the due case";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(ReadFile(log_).find("event=retention_purged cases=1"), std::string::npos) << ReadFile(log_);
  EXPECT_EQ(f->PullOps(id, 0).error().code, ErrorCode::kNotFound);
}

TEST_P(RetentionApi, HeldCaseSurvivesItsDatePurgeLeavesATombstoneAndReceiptsAreChecked) {
  TestUser f = NewUser("facilitator");
  TestUser outsider = NewUser("facilitator");
  const std::string id = SharedCase(f);
  ASSERT_TRUE(bu_->SetHold(id, true).ok());
  ASSERT_TRUE(bu_->PutPurgeDate(id, "2020-01-01").ok());  // long past: due now (only the BU may set it)
  auto r = f->GetRetention(id);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->held);
  EXPECT_EQ(r->held_by, bu_.principal.user_id);
  EXPECT_EQ(r->purge_on, "2020-01-01");
  EXPECT_EQ(f->PullOps(id, 0)->ops.size(), 1u);

  ASSERT_TRUE(bu_->SetHold(id, false).ok());  // release: purged at once
  EXPECT_EQ(f->PullOps(id, 0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(bu_->GetKeys(id, nullptr).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(bu_->CreateCase(id, Bytes(80, 1)).error().code, ErrorCode::kConflict);  // never reused
  std::int64_t next = 0;
  auto ts = f->ListTombstones(0, &next);
  ASSERT_TRUE(ts.ok());
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].case_id, id);
  EXPECT_EQ((*ts)[0].purge_on, "2020-01-01");
  EXPECT_TRUE(f->ListTombstones(next, nullptr)->empty());
  EXPECT_TRUE(outsider->ListTombstones(0, nullptr)->empty());

  // Receipts: signed by the caller's own key, from a member at purge time.
  EXPECT_EQ(outsider->PostReceipt(Receipt(outsider, id)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f->PostReceipt(Receipt(bu_, id)).error().code, ErrorCode::kInvalidArgument);
  auto forged = Receipt(f, id);
  forged.purged_at = "2026-11-23T00:00:00Z";
  EXPECT_EQ(f->PostReceipt(forged).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(f->PostReceipt(Receipt(f, id)).ok());
  auto conf = bu_->ListConfirmations(id);
  ASSERT_TRUE(conf.ok());
  ASSERT_EQ(conf->size(), 1u);
  EXPECT_TRUE((*conf)[0].purged);
  int confirmed = 0;
  for (const auto& d : (*conf)[0].devices) {
    if (d.confirmed) {
      ++confirmed;
      EXPECT_EQ(d.device_id, f.principal.device_id);
    }
  }
  EXPECT_EQ(confirmed, 1);
  EXPECT_EQ((*conf)[0].devices.size(), 2u);
}

}  // namespace
}  // namespace casepack::testing
