// ServerStore conformance tests, run against the SQLite backend (a PostgreSQL backend must pass the same).
#include <gtest/gtest.h>

#include <filesystem>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "support/process.h"

namespace casepack::server {
namespace {

Bytes Hash(const std::string& code) { return InvitationCodeHash(code); }

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    dir_ = std::filesystem::temp_directory_path() / ("casepack-store-" + RandomId());
    std::filesystem::create_directories(dir_);
    store_ = OpenSqliteStore((dir_ / "s.db").string()).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  wire::Principal Enrol(const std::string& role) {
    const std::string code = RandomId();
    EXPECT_TRUE(store_->CreateInvitation(Hash(code), role, 1000000, "admin").ok());
    return store_->Enroll(Hash(code), 10, Bytes(32, 1), Bytes(32, 2)).value();
  }
  std::filesystem::path dir_;
  std::unique_ptr<ServerStore> store_;
};

TEST_F(StoreTest, InvitationIsOneTimeAndExpires) {
  ASSERT_TRUE(store_->CreateInvitation(Hash("abc"), "facilitator", 100, "admin").ok());
  EXPECT_EQ(store_->Enroll(Hash("nope"), 50, Bytes(32, 1), Bytes(32, 2)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->Enroll(Hash("abc"), 101, Bytes(32, 1), Bytes(32, 2)).error().code, ErrorCode::kAuthFailed);
  auto p = store_->Enroll(Hash("abc"), 99, Bytes(32, 1), Bytes(32, 2));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, "facilitator");
  EXPECT_EQ(store_->Enroll(Hash("abc"), 99, Bytes(32, 1), Bytes(32, 2)).error().code, ErrorCode::kConflict);
  auto d = store_->GetDevice(p->device_id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->user_id, p->user_id);
  EXPECT_EQ(d->ed25519, Bytes(32, 2));
  EXPECT_TRUE(store_->HasUsers().value());
}

TEST_F(StoreTest, NoncesAreSingleUseUntilPruned) {
  ASSERT_TRUE(store_->RecordNonce("d", "n1", 100).ok());
  EXPECT_EQ(store_->RecordNonce("d", "n1", 100).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(store_->RecordNonce("e", "n1", 100).ok());
  ASSERT_TRUE(store_->PruneNonces(101).ok());
  EXPECT_TRUE(store_->RecordNonce("d", "n1", 100).ok());
}

TEST_F(StoreTest, RevocationIsVisibleOnTheDevice) {
  auto p = Enrol("facilitator");
  ASSERT_TRUE(store_->RevokeDevice(p.device_id).ok());
  EXPECT_TRUE(store_->GetDevice(p.device_id)->device_revoked);
  auto q = Enrol("facilitator");
  ASSERT_TRUE(store_->RevokeUser(q.user_id).ok());
  EXPECT_TRUE(store_->GetDevice(q.device_id)->user_revoked);
  EXPECT_EQ(store_->RevokeUser(RandomId()).error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, MembershipAndEpochs) {
  auto a = Enrol("facilitator");
  auto b = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, {7}, 1).ok());
  EXPECT_EQ(store_->CreateCase(c, b.user_id, {7}, 1).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->MemberEpoch(c, a.user_id).value(), 1);
  EXPECT_EQ(store_->MemberEpoch(c, b.user_id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->MemberEpoch(RandomId(), a.user_id).error().code, ErrorCode::kNotFound);
  // An envelope must cover the current epoch.
  EXPECT_EQ(store_->AddMember(c, b.user_id, {{b.user_id, 2, {1}}}).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {8}}}).ok());
  EXPECT_EQ(store_->ListCases(b.user_id)->size(), 1u);
  EXPECT_EQ(store_->RemoveMember(c, b.user_id).value(), 2);
  EXPECT_EQ(store_->MemberEpoch(c, b.user_id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->MemberEpoch(c, a.user_id).value(), 2);
  EXPECT_TRUE(store_->ListCases(b.user_id)->empty());
  // New-epoch envelopes only for current members.
  EXPECT_FALSE(store_->PutEnvelopes(c, {{b.user_id, 2, {1}}}, a.user_id).ok());
  // The new epoch's first envelopes come whole, by rekey (issue 11, item 4): not one member's alone.
  EXPECT_EQ(store_->PutEnvelopes(c, {{a.user_id, 2, {7}}}, a.user_id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->RekeyEpoch(c, {{b.user_id, 2, {1}}}).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store_->RekeyEpoch(c, {{a.user_id, 2, {8}}}).ok());
  EXPECT_EQ(store_->RekeyEpoch(c, {{a.user_id, 2, {1}}}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->PutEnvelopes(c, {{a.user_id, 2, {9}}}, a.user_id).ok());  // own: replaced
  auto envs = store_->GetEnvelopes(c, a.user_id).value();
  ASSERT_EQ(envs.size(), 2u);
  EXPECT_EQ(envs[1].epoch, 2);
  EXPECT_EQ(envs[1].sealed, Bytes{9});
  // Another member cannot overwrite a's key copy.
  auto d = Enrol("facilitator");
  ASSERT_TRUE(store_->AddMember(c, d.user_id, {{d.user_id, 2, {5}}}).ok());
  ASSERT_TRUE(store_->PutEnvelopes(c, {{a.user_id, 2, {6}}}, d.user_id).ok());
  EXPECT_EQ(store_->GetEnvelopes(c, a.user_id)->at(1).sealed, Bytes{9});
}

TEST_F(StoreTest, AppendIsIdempotentAndOrdered) {
  const std::string c1 = RandomId(), c2 = RandomId();
  std::vector<StoredOp> batch{{"a", 1, {1}}, {"b", 1, {2}}};
  auto first = store_->AppendOps(c1, "dev", batch).value();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_LT(first[0].seq, first[1].seq);
  auto again = store_->AppendOps(c1, "dev", batch).value();
  EXPECT_EQ(again[0].seq, first[0].seq);
  EXPECT_EQ(again[1].seq, first[1].seq);
  // The same op id in another case is another op.
  EXPECT_EQ(store_->AppendOps(c2, "dev", {{"a", 1, {1}}})->size(), 1u);
  // Same id, different bytes: refused, and nothing of the batch is stored.
  EXPECT_EQ(store_->AppendOps(c1, "dev", {{"c", 1, {3}}, {"a", 1, {9}}}).error().code, ErrorCode::kConflict);
  auto all = store_->PullOps(c1, 0, 100).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].op_id, "a");
  EXPECT_EQ(all[1].blob, Bytes{2});
  auto rest = store_->PullOps(c1, all[0].seq, 100).value();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].op_id, "b");
  EXPECT_EQ(store_->PullOps(c1, 0, 1)->size(), 1u);
}

TEST_F(StoreTest, BlobsAreWriteOnce) {
  const std::string c = RandomId();
  EXPECT_TRUE(store_->PutBlob(c, "doc1", {1, 2}).value());
  EXPECT_FALSE(store_->PutBlob(c, "doc1", {1, 2}).value());
  EXPECT_EQ(store_->PutBlob(c, "doc1", {1, 3}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetBlob(c, "doc1").value(), (Bytes{1, 2}));
  EXPECT_EQ(store_->GetBlob(c, "doc2").error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, SurvivesReopen) {
  auto a = Enrol("business-unit");
  ASSERT_TRUE(store_->AppendOps("c", "d", {{"x", 1, {5}}}).ok());
  store_.reset();
  store_ = OpenSqliteStore((dir_ / "s.db").string()).value();
  EXPECT_TRUE(store_->GetDevice(a.device_id).ok());
  EXPECT_EQ(store_->PullOps("c", 0, 10)->size(), 1u);
}

// Issue 11, item 2: each replica of a case belongs to the device that first pushed under it (schema 3), and
// a version-2 store is migrated by binding each replica to the device of its earliest operation. The
// store file is changed behind the store's back with python3's sqlite3 (a test aid, as an old casepackd).
std::string Sql(const std::filesystem::path& db, const std::string& statement) {
  auto r = testing::RunProcess({"python3", "-c",
                                "import sqlite3,sys\nd=sqlite3.connect(sys.argv[1])\n"
                                "for row in d.execute(sys.argv[2]).fetchall(): print(*row)\nd.commit()\n",
                                db.string(), statement});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST_F(StoreTest, Issue11FirstPusherOwnsTheReplica) {
  const auto a = Enrol("facilitator"), b = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {2}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}}).ok());
  auto forged = store_->AppendOps(c, b.device_id, {{"bbbbbbbbbbbbbbbb-1", 1, {3}}, {"aaaaaaaaaaaaaaaa-2", 1, {9}}});
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(store_->PullOps(c, 0, 10)->size(), 1u) << "nothing of the refused batch is stored";
  EXPECT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {1}}}).ok());
  EXPECT_TRUE(store_->AppendOps(c, b.device_id, {{"bbbbbbbbbbbbbbbb-1", 1, {3}}}).ok());
  // The same replica id in another case is another replica.
  const std::string c2 = RandomId();
  ASSERT_TRUE(store_->CreateCase(c2, b.user_id, Bytes{1}, 1).ok());
  EXPECT_TRUE(store_->AppendOps(c2, b.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {4}}}).ok());
}

TEST_F(StoreTest, Issue11AVersion2StoreIsMigratedToReplicaBindings) {
  const auto a = Enrol("facilitator"), b = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {2}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, b.device_id, {{"bbbbbbbbbbbbbbbb-1", 1, {2}}, {"op-x", 1, {3}}}).ok());
  store_.reset();
  // What a version-2 casepackd left: no bindings table.
  Sql(dir_ / "s.db", "DROP TABLE replica_devices");
  Sql(dir_ / "s.db", "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  store_ = OpenSqliteStore((dir_ / "s.db").string()).value();
  EXPECT_EQ(Sql(dir_ / "s.db", "SELECT value FROM meta WHERE key = 'schema_version'"), "3\n");
  EXPECT_EQ(store_->AppendOps(c, b.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {9}}}).error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(store_->AppendOps(c, a.device_id, {{"bbbbbbbbbbbbbbbb-2", 1, {9}}}).error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {1}}}).ok());
  EXPECT_EQ(store_->PullOps(c, 0, 10)->size(), 4u);
}

}  // namespace
}  // namespace casepack::server
