// ServerStore conformance tests, run against both backends (SQLite and PostgreSQL; support/server_backends.h).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "support/process.h"
#include "support/server_backends.h"

namespace casepack::server {
namespace {

Bytes Hash(const std::string& code) { return InvitationCodeHash(code); }

class StoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    InitCrypto();
    if (auto why = db_.Create(GetParam()); !why.empty()) GTEST_SKIP() << why;
    store_ = db_.Open().value();
  }
  void TearDown() override { store_.reset(); }
  wire::Principal Enrol(const std::string& role) {
    const std::string code = RandomId();
    EXPECT_TRUE(store_->CreateInvitation(Hash(code), role, 1000000, "admin").ok());
    return store_->Enroll(Hash(code), 10, Bytes(32, 1), Bytes(32, 2)).value();
  }
  testing::TestDatabase db_;
  std::unique_ptr<ServerStore> store_;
};
INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, testing::AllBackends(), testing::BackendName);

TEST_P(StoreTest, InvitationIsOneTimeAndExpires) {
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

TEST_P(StoreTest, NoncesAreSingleUseUntilPruned) {
  ASSERT_TRUE(store_->RecordNonce("d", "n1", 100).ok());
  EXPECT_EQ(store_->RecordNonce("d", "n1", 100).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(store_->RecordNonce("e", "n1", 100).ok());
  ASSERT_TRUE(store_->PruneNonces(101).ok());
  EXPECT_TRUE(store_->RecordNonce("d", "n1", 100).ok());
}

TEST_P(StoreTest, RevocationIsVisibleOnTheDevice) {
  auto p = Enrol("facilitator");
  ASSERT_TRUE(store_->RevokeDevice(p.device_id).ok());
  EXPECT_TRUE(store_->GetDevice(p.device_id)->device_revoked);
  auto q = Enrol("facilitator");
  ASSERT_TRUE(store_->RevokeUser(q.user_id).ok());
  EXPECT_TRUE(store_->GetDevice(q.device_id)->user_revoked);
  EXPECT_EQ(store_->RevokeUser(RandomId()).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, MembershipAndEpochs) {
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

TEST_P(StoreTest, AppendIsIdempotentAndOrdered) {
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

// Issue 17: two stores on one database (as two casepackd processes) append to one case at once while a
// third pulls with a resuming cursor. Every op gets one seq, no two the same; the puller, which only ever
// asks for seq > the last it saw, misses none (a seq committed after a higher one would be skipped for
// ever). PostgreSQL's sequence numbers are per case and gapless.
TEST_P(StoreTest, Issue17ConcurrentAppendsFromTwoStoresLoseAndRepeatNothing) {
  auto second = db_.Open().value();
  auto reader = db_.Open().value();
  const std::string c = RandomId();
  constexpr int kThreads = 4, kBatches = 25, kPerBatch = 3;
  std::vector<std::vector<wire::OpAck>> acks(kThreads);
  std::atomic<bool> done{false};
  std::map<std::string, int> seen;
  std::int64_t cursor = 0;
  std::thread puller([&] {
    for (bool last = false; !last;) {
      last = done.load();
      for (;;) {
        auto page = reader->PullOps(c, cursor, 50);
        ASSERT_TRUE(page.ok()) << page.error().message;
        if (page->empty()) break;
        for (const auto& op : *page) {
          ++seen[op.op_id];
          cursor = op.seq;
        }
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      ServerStore& s = t % 2 ? *second : *store_;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<StoredOp> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back({"t" + std::to_string(t) + "-" + std::to_string(b * kPerBatch + i), 1, Bytes{1}});
        }
        auto r = s.AppendOps(c, "dev" + std::to_string(t), batch);
        ASSERT_TRUE(r.ok()) << r.error().message;
        acks[t].insert(acks[t].end(), r->begin(), r->end());
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  puller.join();
  std::set<std::int64_t> seqs;
  for (const auto& a : acks)
    for (const auto& ack : a) EXPECT_TRUE(seqs.insert(ack.seq).second) << "seq " << ack.seq << " given twice";
  constexpr int kTotal = kThreads * kBatches * kPerBatch;
  EXPECT_EQ(seqs.size(), static_cast<std::size_t>(kTotal));
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kTotal)) << "the resuming puller missed ops";
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  if (GetParam() == testing::Backend::kPostgres) {
    EXPECT_EQ(*seqs.begin(), 1);
    EXPECT_EQ(*seqs.rbegin(), kTotal) << "per-case sequence numbers have gaps";
  }
}

// Issue 17: of two stores enrolling with one invitation at once, exactly one succeeds.
TEST_P(StoreTest, Issue17OneInvitationEnrolsOnceAcrossStores) {
  auto second = db_.Open().value();
  for (int round = 0; round < 10; ++round) {
    const std::string code = RandomId();
    ASSERT_TRUE(store_->CreateInvitation(Hash(code), "facilitator", 1000000, "admin").ok());
    std::atomic<int> ok{0};
    std::thread a([&] { ok += store_->Enroll(Hash(code), 10, Bytes(32, 1), Bytes(32, 2)).ok(); });
    std::thread b([&] { ok += second->Enroll(Hash(code), 10, Bytes(32, 1), Bytes(32, 2)).ok(); });
    a.join();
    b.join();
    EXPECT_EQ(ok.load(), 1);
  }
}

// Issue 17: the /metrics counters are the store's. Deltas added through two stores on one database (two
// casepackd processes), some at the same time, add up to the same totals read through either, and stay
// across a reopen.
TEST_P(StoreTest, Issue17MetricCountersAddUpAcrossStoresAndReopen) {
  EXPECT_TRUE(store_->ReadCounters().value().empty());
  const std::string route = "casepackd_requests_total{route=\"GET /v1/me\",status=\"200\"}";
  ASSERT_TRUE(store_->AddCounters({{route, 2}, {"casepackd_tls_handshake_failures_total", 5}}).ok());
  auto second = db_.Open().value();
  ASSERT_TRUE(second->AddCounters({{route, 3}, {"casepackd_connections_total", 1}}).ok());
  ASSERT_TRUE(second->AddCounters({}).ok());
  std::vector<std::thread> flushers;
  for (int t = 0; t < 4; ++t) {
    flushers.emplace_back([&, t] {
      ServerStore& s = t % 2 == 0 ? *store_ : *second;
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(s.AddCounters({{"casepackd_connections_total", 1}, {route, 2}}).ok());
    });
  }
  for (auto& f : flushers) f.join();
  const std::map<std::string, std::int64_t> expected{
      {route, 2 + 3 + 4 * 25 * 2}, {"casepackd_tls_handshake_failures_total", 5}, {"casepackd_connections_total", 1 + 4 * 25}};
  EXPECT_EQ(store_->ReadCounters().value(), expected);
  EXPECT_EQ(second->ReadCounters().value(), expected);
  second.reset();
  store_.reset();
  store_ = db_.Open().value();
  EXPECT_EQ(store_->ReadCounters().value(), expected);
}

TEST_P(StoreTest, BlobsAreWriteOnce) {
  const std::string c = RandomId();
  EXPECT_TRUE(store_->PutBlob(c, "doc1", {1, 2}).value());
  EXPECT_FALSE(store_->PutBlob(c, "doc1", {1, 2}).value());
  EXPECT_EQ(store_->PutBlob(c, "doc1", {1, 3}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetBlob(c, "doc1").value(), (Bytes{1, 2}));
  EXPECT_EQ(store_->GetBlob(c, "doc2").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, SurvivesReopen) {
  auto a = Enrol("business-unit");
  ASSERT_TRUE(store_->AppendOps("c", "d", {{"x", 1, {5}}}).ok());
  store_.reset();
  store_ = db_.Open().value();
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

// Each pushed batch is kept with the ops it stored; a retried batch stores no second one, and an op keeps
// the batch it first came in. Ops pushed with a batch are never "unsigned".
TEST_P(StoreTest, Issue11BatchSignaturesAreKeptWithTheirOps) {
  const auto a = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  const wire::OpBatch first{0, a.device_id, Bytes{1, 2}, Bytes(64, 1)}, second{0, a.device_id, Bytes{3}, Bytes(64, 2)};
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}}, first).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}, {"aaaaaaaaaaaaaaaa-2", 1, {2}}}, second).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {2}}}, first).ok());  // a retry
  auto ops = store_->PullOps(c, 0, 10).value();
  ASSERT_EQ(ops.size(), 2u);
  ASSERT_NE(ops[0].batch, 0);
  ASSERT_NE(ops[1].batch, 0);
  EXPECT_NE(ops[0].batch, ops[1].batch);
  auto batches = store_->GetOpBatches(c, {ops[0].batch, ops[1].batch, ops[1].batch + 1000}).value();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].manifest, first.manifest);
  EXPECT_EQ(batches[1].manifest, second.manifest);
  EXPECT_EQ(batches[1].sig, second.sig);
  EXPECT_EQ(batches[1].device_id, a.device_id);
  EXPECT_TRUE(store_->UnsignedOps(c, a.device_id, 10)->empty());
  EXPECT_EQ(store_->DeviceReplicas(c, a.device_id)->at(0).unsigned_ops, 0);
  EXPECT_EQ(store_->SignStoredOps(c, a.device_id, {"aaaaaaaaaaaaaaaa-1"}, first).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, Issue11FirstPusherOwnsTheReplica) {
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

// Issue 18: sealed batches (ids "R-FIRST-LAST", docs/api.md) on both backends. A batch the case does not
// hold starts after every counter stored under its replica, else nothing of the push is stored; a retry
// of the same bytes is acknowledged with its seq; `last` is a batch's LAST; a purge removes batches too.
TEST_P(StoreTest, Issue18SealedBatchesOverlapRetryLastAndPurge) {
  const auto a = Enrol("facilitator"), b = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {2}}}).ok());
  const wire::OpBatch sig{0, a.device_id, Bytes{1}, Bytes(64, 1)};
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}}, sig).ok());  // an old single op
  auto first = store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2-40", 1, {2}}}, sig);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(store_->DeviceReplicas(c, a.device_id)->at(0).last, 40);
  auto retry = store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2-40", 1, {2}}}, sig);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->at(0).seq, first->at(0).seq);
  for (const std::string overlapping : {"aaaaaaaaaaaaaaaa-40-41", "aaaaaaaaaaaaaaaa-3-9", "aaaaaaaaaaaaaaaa-1-1"}) {
    auto r = store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-41-50", 1, {3}}, {overlapping, 1, {4}}}, sig);
    ASSERT_FALSE(r.ok()) << overlapping;
    EXPECT_EQ(r.error().code, ErrorCode::kConflict) << overlapping;
    EXPECT_NE(r.error().message.find("op_id already used"), std::string::npos) << r.error().message;
    EXPECT_EQ(store_->PullOps(c, 0, 10)->size(), 2u) << "nothing of the refused push is stored";
  }
  EXPECT_EQ(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2-40", 1, {9}}}, sig).error().code, ErrorCode::kConflict);
  // Another device cannot push a batch under the replica.
  EXPECT_EQ(store_->AppendOps(c, b.device_id, {{"aaaaaaaaaaaaaaaa-41-50", 1, {3}}}, sig).error().code,
            ErrorCode::kAuthFailed);
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-41-50", 1, {3}}}, sig).ok());
  EXPECT_EQ(store_->DeviceReplicas(c, a.device_id)->at(0).last, 50);
  EXPECT_EQ(store_->PullOps(c, 0, 10)->size(), 3u);
  ASSERT_TRUE(store_->SetPurgeDate(c, "2027-03-01", a.user_id, 5).ok());
  auto purged = store_->PurgeDue("2027-03-01", 200);
  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_TRUE(store_->IsPurged(c).value());
  EXPECT_TRUE(store_->PullOps(c, 0, 10)->empty());
}

// SQLite only: PostgreSQL stores began at schema 3's content (pg_store.cpp's first migration).
class SqliteStoreTest : public StoreTest {};
INSTANTIATE_TEST_SUITE_P(Backends, SqliteStoreTest, ::testing::Values(testing::Backend::kSqlite), testing::BackendName);

TEST_P(SqliteStoreTest, Issue11AVersion2StoreIsMigratedToReplicaBindings) {
  const auto a = Enrol("facilitator"), b = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {2}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, b.device_id, {{"bbbbbbbbbbbbbbbb-1", 1, {2}}, {"op-x", 1, {3}}}).ok());
  store_.reset();
  // What a version-2 casepackd left: no bindings table.
  Sql(db_.dir() / "s.db", "DROP TABLE replica_devices");
  Sql(db_.dir() / "s.db", "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  store_ = db_.Open().value();
  // Migrated through 3, 4 and 5 to the current version (6: users' names, issue 16).
  EXPECT_EQ(Sql(db_.dir() / "s.db", "SELECT value FROM meta WHERE key = 'schema_version'"), "6\n");
  EXPECT_EQ(store_->AppendOps(c, b.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {9}}}).error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(store_->AppendOps(c, a.device_id, {{"bbbbbbbbbbbbbbbb-2", 1, {9}}}).error().code, ErrorCode::kAuthFailed);
  EXPECT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-2", 1, {1}}}).ok());
  EXPECT_EQ(store_->PullOps(c, 0, 10)->size(), 4u);
}

// Issue 11, operation signatures: a store written before them (schema 3: no metric_counters, no op_batches,
// no ops.batch) migrates with every op unsigned; each device is told how many of its replicas' ops are, gets
// exactly those (not another device's, not ids of no replica), and its signature moves them to new seqs.
TEST_P(SqliteStoreTest, Issue11AVersion3StoreKeepsItsOpsUnsignedUntilTheirDeviceSignsThem) {
  const auto a = Enrol("facilitator"), b = Enrol("facilitator");
  const std::string c = RandomId();
  ASSERT_TRUE(store_->CreateCase(c, a.user_id, Bytes{1}, 1).ok());
  ASSERT_TRUE(store_->AddMember(c, b.user_id, {{b.user_id, 1, {2}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, a.device_id, {{"aaaaaaaaaaaaaaaa-1", 1, {1}}, {"aaaaaaaaaaaaaaaa-2", 1, {2}}}).ok());
  ASSERT_TRUE(store_->AppendOps(c, b.device_id, {{"bbbbbbbbbbbbbbbb-1", 1, {3}}, {"op-x", 1, {4}}}).ok());
  store_.reset();
  // What a version-3 casepackd left, rows as it wrote them.
  Sql(db_.dir() / "s.db", "DROP INDEX ops_unsigned");
  Sql(db_.dir() / "s.db", "DROP TABLE op_batches");
  Sql(db_.dir() / "s.db", "ALTER TABLE ops DROP COLUMN batch");
  Sql(db_.dir() / "s.db", "DROP TABLE metric_counters");
  Sql(db_.dir() / "s.db", "DROP TABLE user_names");
  Sql(db_.dir() / "s.db", "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  store_ = db_.Open().value();
  EXPECT_EQ(Sql(db_.dir() / "s.db", "SELECT value FROM meta WHERE key = 'schema_version'"), "6\n");
  auto pulled = store_->PullOps(c, 0, 10).value();
  ASSERT_EQ(pulled.size(), 4u);
  for (const auto& op : pulled) EXPECT_EQ(op.batch, 0) << op.op_id;
  auto replicas = store_->DeviceReplicas(c, a.device_id).value();
  ASSERT_EQ(replicas.size(), 1u);
  EXPECT_EQ(replicas[0].unsigned_ops, 2);
  auto mine = store_->UnsignedOps(c, a.device_id, 100).value();
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].op_id, "aaaaaaaaaaaaaaaa-1");
  EXPECT_EQ(store_->UnsignedOps(c, b.device_id, 100)->size(), 1u);  // not op-x: it names no replica
  // Only a device's own unsigned ops: another's is kNotFound, and nothing changes.
  const wire::OpBatch batch{0, a.device_id, Bytes{7}, Bytes(64, 7)};
  EXPECT_EQ(store_->SignStoredOps(c, a.device_id, {"aaaaaaaaaaaaaaaa-1", "bbbbbbbbbbbbbbbb-1"}, batch).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->UnsignedOps(c, a.device_id, 100)->size(), 2u);
  ASSERT_TRUE(store_->SignStoredOps(c, a.device_id, {"aaaaaaaaaaaaaaaa-2", "aaaaaaaaaaaaaaaa-1"}, batch).ok());
  EXPECT_TRUE(store_->UnsignedOps(c, a.device_id, 100)->empty());
  EXPECT_EQ(store_->DeviceReplicas(c, a.device_id)->at(0).unsigned_ops, 0);
  EXPECT_EQ(store_->DeviceReplicas(c, a.device_id)->at(0).last, 2);
  // Moved after everything else, in the order signed, naming their batch, which a pull page can carry.
  pulled = store_->PullOps(c, 0, 10).value();
  ASSERT_EQ(pulled.size(), 4u);
  EXPECT_EQ(pulled[2].op_id, "aaaaaaaaaaaaaaaa-2");
  EXPECT_EQ(pulled[3].op_id, "aaaaaaaaaaaaaaaa-1");
  EXPECT_NE(pulled[3].batch, 0);
  auto batches = store_->GetOpBatches(c, {pulled[3].batch}).value();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].manifest, Bytes{7});
  EXPECT_EQ(batches[0].device_id, a.device_id);
  EXPECT_TRUE(store_->GetOpBatches(RandomId(), {pulled[3].batch})->empty());
  // A signed op cannot be signed again.
  EXPECT_EQ(store_->SignStoredOps(c, a.device_id, {"aaaaaaaaaaaaaaaa-1"}, batch).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace casepack::server
