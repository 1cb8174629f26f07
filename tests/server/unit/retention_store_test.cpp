// Server-side retention in the store: purge dates, holds, tombstones, receipts, policies (the clock is a
// plain argument, so "today" is whatever the test says).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "casepack/wire.h"
#include "support/server_backends.h"

namespace casepack::server {
namespace {

Bytes CodeHash(const std::string& code) { return InvitationCodeHash(code); }

class RetentionStoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    InitCrypto();
    if (auto why = db_.Create(GetParam()); !why.empty()) GTEST_SKIP() << why;
    store_ = db_.Open().value();
  }
  void TearDown() override { store_.reset(); }
  wire::Principal Enrol(const std::string& role) {
    const std::string code = RandomId();
    EXPECT_TRUE(store_->CreateInvitation(CodeHash(code), role, 1000000, "admin").ok());
    return store_->Enroll(CodeHash(code), 10, Bytes(32, 1), Bytes(32, 2)).value();
  }
  // A case with an op and a blob whose bytes are `marker`.
  std::string MakeCase(const wire::Principal& owner, const std::string& marker) {
    const std::string id = RandomId();
    EXPECT_TRUE(store_->CreateCase(id, owner.user_id, Bytes(48, 7), 1).ok());
    EXPECT_TRUE(store_->AppendOps(id, owner.device_id, {StoredOp{"r:1", 1, Bytes(marker.begin(), marker.end())}}).ok());
    const std::string blob = marker + "-blob";
    EXPECT_TRUE(store_->PutBlob(id, "b1", Bytes(blob.begin(), blob.end())).ok());
    return id;
  }
  testing::TestDatabase db_;
  std::unique_ptr<ServerStore> store_;
};
INSTANTIATE_TEST_SUITE_P(Backends, RetentionStoreTest, testing::AllBackends(), testing::BackendName);

TEST_P(RetentionStoreTest, PurgesOnItsDateAndNotBefore) {
  auto bu = Enrol("business-unit");
  auto f = Enrol("facilitator");
  const std::string id = MakeCase(bu, "PLANTED-CIPHERTEXT-4711");
  ASSERT_TRUE(store_->AddMember(id, f.user_id, {wire::Envelope{f.user_id, 1, Bytes(48, 8)}}).ok());
  const std::string other = MakeCase(bu, "OTHER-CASE-CIPHERTEXT");
  ASSERT_TRUE(store_->SetPurgeDate(id, "2027-03-01", bu.user_id, 5).ok());
  EXPECT_EQ(store_->GetRetention(id)->purge_on, "2027-03-01");

  EXPECT_TRUE(store_->PurgeDue("2027-02-28", 100)->empty());
  EXPECT_TRUE(store_->MemberEpoch(id, f.user_id).ok());

  auto purged = store_->PurgeDue("2027-03-01", 200);
  ASSERT_TRUE(purged.ok());
  ASSERT_EQ(*purged, std::vector<std::string>{id});
  EXPECT_EQ(store_->MemberEpoch(id, f.user_id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->PullOps(id, 0, 100)->size(), 0u);
  EXPECT_EQ(store_->GetBlob(id, "b1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->GetEnvelopes(id, f.user_id)->empty());
  EXPECT_TRUE(store_->IsPurged(id).value());
  EXPECT_TRUE(store_->WasMember(id, f.user_id).value());
  // The other case is untouched.
  EXPECT_EQ(store_->PullOps(other, 0, 100)->size(), 1u);
  // The purged id cannot be reused.
  EXPECT_EQ(store_->CreateCase(id, f.user_id, Bytes(48, 7), 300).error().code, ErrorCode::kConflict);

  auto ts = store_->ListTombstones(f.user_id, 0);
  ASSERT_EQ(ts->size(), 1u);
  EXPECT_EQ((*ts)[0].case_id, id);
  EXPECT_EQ((*ts)[0].purge_on, "2027-03-01");
  EXPECT_EQ((*ts)[0].purged_at_ms, 200);
  EXPECT_TRUE(store_->ListTombstones(f.user_id, (*ts)[0].seq)->empty());

  // Forensic: no byte of the purged ciphertext or blob anywhere in the stored data (SQLite: the data
  // directory, database and WAL; PostgreSQL: the database as pg_dump writes it).
  EXPECT_FALSE(db_.Contains("PLANTED-CIPHERTEXT-4711"));
  EXPECT_TRUE(db_.Contains("OTHER-CASE-CIPHERTEXT"));
}

TEST_P(RetentionStoreTest, HoldBeatsPurgeAndReleaseResumes) {
  auto bu = Enrol("business-unit");
  const std::string id = MakeCase(bu, "HELD-CONTENT");
  ASSERT_TRUE(store_->SetHold(id, true, bu.user_id, 50).ok());
  ASSERT_TRUE(store_->SetPurgeDate(id, "2027-03-01", bu.user_id, 5).ok());
  auto r = store_->GetRetention(id);
  EXPECT_TRUE(r->held);
  EXPECT_EQ(r->held_by, bu.user_id);
  EXPECT_EQ(r->held_at_ms, 50);
  EXPECT_TRUE(store_->PurgeDue("2030-01-01", 100)->empty());
  EXPECT_EQ(store_->PullOps(id, 0, 10)->size(), 1u);
  ASSERT_TRUE(store_->SetHold(id, false, bu.user_id, 60).ok());
  EXPECT_FALSE(store_->GetRetention(id)->held);
  EXPECT_EQ(store_->PurgeDue("2030-01-01", 100)->size(), 1u);
  EXPECT_TRUE(store_->IsPurged(id).value());
}

// Issue 17: several casepackd processes on one PostgreSQL database each run the retention timer; the
// passes take an advisory lock, so each due case is purged by exactly one of them (its id reported once,
// one tombstone). PostgreSQL only: an SQLite store belongs to one process.
class SharedRetentionTest : public RetentionStoreTest {};
INSTANTIATE_TEST_SUITE_P(Backends, SharedRetentionTest, ::testing::Values(testing::Backend::kPostgres),
                         testing::BackendName);

TEST_P(SharedRetentionTest, Issue17ConcurrentRetentionPassesPurgeEachCaseOnce) {
  auto bu = Enrol("business-unit");
  std::set<std::string> due;
  for (int i = 0; i < 20; ++i) {
    const std::string id = MakeCase(bu, "DUE-" + std::to_string(i));
    ASSERT_TRUE(store_->SetPurgeDate(id, "2027-03-01", bu.user_id, 5).ok());
    due.insert(id);
  }
  std::vector<std::unique_ptr<ServerStore>> stores;
  for (int i = 0; i < 3; ++i) stores.push_back(db_.Open().value());
  std::vector<std::vector<std::string>> purged(stores.size());
  std::vector<std::thread> passes;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    passes.emplace_back([&, i] {
      for (int round = 0; round < 3; ++round) {
        auto r = stores[i]->PurgeDue("2027-03-02", 100);
        ASSERT_TRUE(r.ok()) << r.error().message;
        purged[i].insert(purged[i].end(), r->begin(), r->end());
      }
    });
  }
  for (auto& t : passes) t.join();
  std::multiset<std::string> all;
  for (const auto& p : purged) all.insert(p.begin(), p.end());
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), due);
  EXPECT_EQ(all.size(), due.size()) << "a case was purged by two passes";
  EXPECT_EQ(store_->AllTombstones()->size(), due.size());
}

TEST_P(RetentionStoreTest, ClearedDateIsNotPurgedAndUnknownCaseIsNotFound) {
  auto bu = Enrol("business-unit");
  const std::string id = MakeCase(bu, "X");
  ASSERT_TRUE(store_->SetPurgeDate(id, "2027-03-01", bu.user_id, 5).ok());
  ASSERT_TRUE(store_->SetPurgeDate(id, "", bu.user_id, 6).ok());
  EXPECT_TRUE(store_->PurgeDue("2030-01-01", 100)->empty());
  EXPECT_EQ(store_->SetPurgeDate(RandomId(), "2027-03-01", bu.user_id, 5).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetHold(RandomId(), true, bu.user_id, 5).error().code, ErrorCode::kNotFound);
}

TEST_P(RetentionStoreTest, ConfirmationsListEveryMemberDevice) {
  auto bu = Enrol("business-unit");
  auto f = Enrol("facilitator");
  auto outsider = Enrol("facilitator");
  const std::string id = MakeCase(bu, "C");
  ASSERT_TRUE(store_->AddMember(id, f.user_id, {wire::Envelope{f.user_id, 1, Bytes(48, 8)}}).ok());
  ASSERT_TRUE(store_->SetPurgeDate(id, "2027-03-01", bu.user_id, 5).ok());
  ASSERT_EQ(store_->PurgeDue("2027-03-02", 100)->size(), 1u);
  ASSERT_TRUE(store_->PutReceipt(StoredReceipt{id, f.device_id, "store", "2027-03-02T00:00:00Z", Bytes(32, 2),
                                               Bytes(64, 3), 150}).ok());
  auto c = store_->Confirmations(id);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 2u);
  int confirmed = 0;
  for (const auto& d : *c) {
    EXPECT_NE(d.user_id, outsider.user_id);
    if (d.confirmed) {
      ++confirmed;
      EXPECT_EQ(d.device_id, f.device_id);
      EXPECT_EQ(d.purged_at, "2027-03-02T00:00:00Z");
    }
  }
  EXPECT_EQ(confirmed, 1);
  EXPECT_FALSE(store_->WasMember(id, outsider.user_id).value());
  EXPECT_EQ(store_->Confirmations(RandomId()).error().code, ErrorCode::kNotFound);
}

TEST_P(RetentionStoreTest, PolicyVersionsOnlyMoveForward) {
  EXPECT_EQ(store_->GetPolicy()->version, 0);
  ASSERT_TRUE(store_->PutPolicy(StoredPolicy{2, "{\"v\":2}", "d", Bytes(64, 1)}).ok());
  EXPECT_EQ(store_->PutPolicy(StoredPolicy{2, "{}", "d", Bytes(64, 1)}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->PutPolicy(StoredPolicy{1, "{}", "d", Bytes(64, 1)}).error().code, ErrorCode::kConflict);
  auto p = store_->GetPolicy();
  EXPECT_EQ(p->version, 2);
  EXPECT_EQ(p->record, "{\"v\":2}");
}

TEST(WireRetention, DatesAndCanonicalReceipt) {
  EXPECT_TRUE(wire::IsIsoDate("2028-02-29"));
  EXPECT_FALSE(wire::IsIsoDate("2027-02-29"));
  EXPECT_FALSE(wire::IsIsoDate("2027-13-01"));
  EXPECT_FALSE(wire::IsIsoDate("2027-1-01"));
  EXPECT_EQ(wire::UtcDateOf(0), "1970-01-01");
  EXPECT_EQ(wire::UtcDateOf(*wire::ParseUtcInstant("2030-12-31T23:59:59Z")), "2030-12-31");
  EXPECT_EQ(*wire::ParseUtcInstant("2027-06-01"), 1811808000000);
  EXPECT_FALSE(wire::ParseUtcInstant("2027-06-01T25:00:00Z").has_value());
  EXPECT_EQ(wire::CanonicalPurgeReceipt("c", "s", "t"),
            R"({"case_id":"c","purged_at":"t","store_id":"s","type":"casepack-purge-receipt/1"})");
  auto m = wire::ParseCaseRetention(R"({"purge_on":null})");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->purge_on.empty());
  EXPECT_FALSE(wire::ParseCaseRetention(R"({"purge_on":"2027-02-30"})").ok());
  EXPECT_FALSE(wire::ParseCaseRetention(R"({})").ok());
}

}  // namespace
}  // namespace casepack::server
