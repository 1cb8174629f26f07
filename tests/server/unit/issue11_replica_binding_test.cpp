// Issue 11, item 2, at the store: each replica of a case belongs to the device that first pushed under it
// (schema 3), and a version-2 store is migrated by binding each replica to the device of its earliest op.
#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "support/process.h"

namespace casepack::server {
namespace {

using casepack::testing::RunProcess;

Bytes Hash(const std::string& code) {
  Bytes d(crypto_hash_sha256_BYTES);
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(code.data()), code.size());
  return d;
}

class ReplicaBinding : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    dir_ = std::filesystem::temp_directory_path() / ("casepack-store-" + RandomId());
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() { store_ = OpenSqliteStore((dir_ / "s.db").string()).value(); }
  wire::Principal Enrol() {
    const std::string code = RandomId();
    EXPECT_TRUE(store_->CreateInvitation(Hash(code), "facilitator", 1000000, "admin").ok());
    return store_->Enroll(Hash(code), 10, Bytes(32, 1), Bytes(32, 2)).value();
  }
  std::string Sql(const std::string& statements) {
    auto r = RunProcess({"python3", "-c",
                         "import sqlite3,sys\nd=sqlite3.connect(sys.argv[1])\n"
                         "for row in d.execute(sys.argv[2]).fetchall(): print(*row)\n"
                         "d.commit()\n",
                         (dir_ / "s.db").string(), statements});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  std::filesystem::path dir_;
  std::unique_ptr<ServerStore> store_;
};

TEST_F(ReplicaBinding, FirstPusherOwnsTheReplica) {
  const auto a = Enrol(), b = Enrol();
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

TEST_F(ReplicaBinding, AVersion2StoreIsMigrated) {
  const auto a = Enrol(), b = Enrol();
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {2}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, b.device_id, {{"bbbbbbbbbbbbbbbb-1", 1, {2}}, {"op-x", 1, {3}}}).ok());
  store_.reset();
  // What a version-2 casepackd left: no bindings table.
  Sql("DROP TABLE replica_devices");
  Sql("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  Open();
  EXPECT_EQ(Sql("SELECT value FROM meta WHERE key = 'schema_version'"), "3\n");
  EXPECT_EQ(store_->AppendOps(c, b.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {9}}}).error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(store_->AppendOps(c, a.device_id, {{"bbbbbbbbbbbbbbbb-2", 1, {9}}}).error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {1}}}).ok());
  EXPECT_EQ(store_->PullOps(c, 0, 10)->size(), 4u);
}

}  // namespace
}  // namespace casepack::server
