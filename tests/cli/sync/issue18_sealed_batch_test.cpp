// Issue 18, goal 4 on the wire: a device pushes a run of its operations as one sealed, signed batch (blob
// version 2, id "RRRRRRRRRRRRRRRR-FIRST-LAST"; docs/sync-client.md "A batch on the wire"), with the real
// casepack and casepackd over TLS. What the server enforces per operation holds per batch: it refuses,
// whole and with nothing stored, a batch under another device's replica, overlapping or repeated counters,
// a malformed id, a wrong epoch, a bad signature or a tampered byte. What only members can check (the
// operations inside: one replica, exactly the counters the id names, this case) they check, and a batch
// that fails is quarantined whole. Old single-operation blobs still apply; a batch whose acknowledgement was
// lost is not pushed twice.
#include "casepack/identity.h"
#include "casepack/net_client.h"
#include "casepack/operation.h"
#include "casepack/random.h"
#include "casepack/replica.h"
#include "casepack/wire.h"
#include "cli/sync/sync_support.h"

#include <zlib.h>

namespace casepack::testing {
namespace {

using nlohmann::json;

class Issue18SealedBatch : public ThreeLaptopsTest {
 protected:
  void SetUp() override {
    ThreeLaptopsTest::SetUp();
    if (HasFatalFailure()) return;
    case_ = SharedCase("Batch Subject", "First line by the Business Unit.\n");
    InitCrypto();
    const auto keys = CaseKeysHex(x_, kPassphrase);
    ASSERT_EQ(keys.size(), 1u);
    key_ = std::move(SecretBytes::CopyOf(*HexDecode(keys.at(0)))).value();
    device_ = x_.Json({"server", "show", "--json"}).value("device_id", "");
    auto store = Store::Open(x_.dir, kPassphrase, "hostile member");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    auto http = net::HttpsClient::Create(net::Endpoint{"127.0.0.1", server_->port(), server_->fingerprint()});
    ASSERT_TRUE(http.ok());
    client_ = std::make_unique<net::CasepackClient>(std::move(http).value(), &store_->identity(), device_);
  }
  void CloseHostile() {
    client_.reset();
    store_.reset();
  }

  // Operations of `replica` (counters from 1) typed into a text of `case_id`: "hello" then " world".
  static std::vector<Operation> Typed(const std::string& case_id, ReplicaId replica) {
    std::uint64_t now = 1'800'000'000'000ull;
    Replica r(ReplicaOptions{case_id, replica, "Xena", [&] { return ++now; }});
    EXPECT_TRUE(r.InsertText(Target{"hostile", "text"}, 0, "hello").ok());
    r.FenceLocalHistory();
    EXPECT_TRUE(r.InsertText(Target{"hostile", "text"}, 5, " world").ok());
    return r.LocalChangesSince(0).value();
  }
  // A payload in the form stores sealed before xz, still read (client/src/batch_payload.h): size (4 bytes
  // big endian) || zlib(batch). A hostile member may use either.
  static Bytes Deflated(const Bytes& batch) {
    uLongf bound = compressBound(static_cast<uLong>(batch.size()));
    Bytes out(4 + bound);
    for (int b = 0; b < 4; ++b) out[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(batch.size() >> (24 - 8 * b));
    EXPECT_EQ(compress2(out.data() + 4, &bound, batch.data(), static_cast<uLong>(batch.size()), 9), Z_OK);
    out.resize(4 + bound);
    return out;
  }
  wire::OpIn SealedBatch(const std::string& id, const std::vector<Operation>& ops, std::int64_t epoch = 1) {
    const Bytes batch = EncodeOperations(ops, BatchVersion::kV2);
    return {id, epoch, SealOperationBatch(key_, store_->identity(), case_, id, epoch, Deflated(batch))};
  }
  static ReplicaId FreshReplica() {
    ReplicaId r = 0;
    while (r == 0) r = RandomU64();
    return r;
  }
  static std::string Hex(ReplicaId r) { return wire::BatchOpId(r, 1, 1).substr(0, 16); }

  static std::string QuarantinedIn(const json& report) {
    std::string out;
    for (const auto& c : report.value("cases", json::array()))
      for (const auto& q : c.value("quarantined", json::array())) out += q.get<std::string>() + "\n";
    return out;
  }

  std::string case_, device_;
  SecretBytes key_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<net::CasepackClient> client_;
};

TEST_F(Issue18SealedBatch, HostileBatchesAreRefusedWholeByTheServer) {
  const std::size_t stored_before = ServerOps(server_->data(), case_).size();
  auto refused = [&](const std::vector<wire::OpIn>& ops, ErrorCode code, const std::string& why, const std::string& what,
                     std::optional<Bytes> sig = std::nullopt) {
    auto r = sig ? client_->PushOpsWithSignature(case_, ops, *sig) : client_->PushOps(case_, ops);
    ASSERT_FALSE(r.ok()) << what << ": the server took it";
    EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << what << ": " << r.error().message;
    EXPECT_EQ(ServerOps(server_->data(), case_).size(), stored_before) << what << ": something was stored";
  };
  const ReplicaId own = FreshReplica();
  const auto ops = Typed(case_, own);  // counters 1..11
  const wire::OpIn good = SealedBatch(wire::BatchOpId(own, 1, 11), ops);

  // Under the Business Unit's replica (another author's id), alone and mixed with a good batch.
  const std::string theirs = ServerOps(server_->data(), case_).front().op_id.substr(0, 16);
  const ReplicaId bu_replica = std::stoull(theirs, nullptr, 16);
  const wire::OpIn injected = SealedBatch(wire::BatchOpId(bu_replica, 1000, 1010), Typed(case_, bu_replica));
  refused({injected}, ErrorCode::kAuthFailed, "another device's replica", "under another author's replica");
  refused({good, injected}, ErrorCode::kAuthFailed, "another device's replica", "mixed authors in one push");
  // Overlapping and repeated counters in one push.
  const ReplicaId other = FreshReplica();
  refused({SealedBatch(wire::BatchOpId(other, 1, 11), Typed(case_, other)),
           SealedBatch(wire::BatchOpId(other, 5, 20), Typed(case_, other))},
          ErrorCode::kConflict, "name the same counter", "overlapping batches");
  refused({good, good}, ErrorCode::kConflict, "name the same counter", "the same batch twice");
  refused({good, {Hex(own) + "-7", 1, RandomBytes(40)}}, ErrorCode::kConflict, "name the same counter",
          "a single op inside a batch");
  // Malformed batch ids (no replica binding escapes: these are refused, not stored unbound).
  for (const std::string& bad : {Hex(own) + "-11-1", Hex(own) + "-01-11", Hex(own) + "-0-11", Hex(own) + "-1-11-12",
                                Hex(own) + "-1-99999999999"})
    refused({SealedBatch(bad, ops)}, ErrorCode::kInvalidArgument, "malformed", "id " + bad);
  // A wrong epoch.
  refused({SealedBatch(wire::BatchOpId(own, 1, 11), ops, 2)}, ErrorCode::kConflict, "epoch", "wrong epoch");
  // A bad signature, and a tampered byte after signing.
  const Identity stranger = Identity::Generate().value();
  refused({good}, ErrorCode::kAuthFailed, "not signed by the device that pushed",
          "signed by another key", wire::SignOpBatch(stranger, wire::OpBatchManifest(case_, {good})));
  wire::OpIn tampered = good;
  const Bytes sig = wire::SignOpBatch(store_->identity(), wire::OpBatchManifest(case_, {good}));
  tampered.blob[tampered.blob.size() / 2] ^= 0x01;
  refused({tampered}, ErrorCode::kAuthFailed, "not signed by the device that pushed", "a tampered byte", sig);

  // The good batch is taken; again with the same bytes it is acknowledged with the same seq (a retry);
  // a batch overlapping it, or the same id with other bytes, is refused and nothing changes.
  auto first = client_->PushOps(case_, {good});
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto again = client_->PushOps(case_, {good});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->at(0).seq, first->at(0).seq);
  const std::size_t stored_after = ServerOps(server_->data(), case_).size();
  EXPECT_EQ(stored_after, stored_before + 1);
  for (const auto& [op, what] : std::vector<std::pair<wire::OpIn, std::string>>{
           {SealedBatch(wire::BatchOpId(own, 6, 20), ops), "a batch overlapping a stored one"},
           {SealedBatch(wire::BatchOpId(own, 11, 11), ops), "a batch starting at a stored counter"},
           {{good.op_id, 1, RandomBytes(good.blob.size())}, "the same id with other bytes"}}) {
    auto r = client_->PushOps(case_, {op});
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kConflict) << what << ": " << r.error().message;
    EXPECT_NE(r.error().message.find("op_id already used"), std::string::npos) << r.error().message;
    EXPECT_EQ(ServerOps(server_->data(), case_).size(), stored_after) << what;
  }
  // Every member syncs on: the good batch applies, nothing is quarantined.
  CloseHostile();
  for (const Laptop* l : {&bu_, &y_}) {
    const json r = Sync(*l);
    EXPECT_EQ(QuarantinedIn(r), "") << l->name << ": " << r.dump(2);
  }
}

// Validly signed by the hostile member under its own replica, so the server takes them; members open each
// and refuse the whole batch when its operations are not exactly the run its id names.
TEST_F(Issue18SealedBatch, BatchesThatAreNotTheirIdsRunAreQuarantinedWhole) {
  struct Bad {
    wire::OpIn op;
    std::string why;
  };
  std::vector<Bad> bad;
  {  // mixed authors: another replica's operations inside
    const ReplicaId a = FreshReplica(), b = FreshReplica();
    auto ops = Typed(case_, a);
    for (auto& op : Typed(case_, b)) ops.push_back(op);
    bad.push_back({SealedBatch(wire::BatchOpId(a, 1, 22), ops), "does not match its envelope"});
  }
  {  // counters other than the id's
    const ReplicaId a = FreshReplica();
    bad.push_back({SealedBatch(wire::BatchOpId(a, 1, 30), Typed(case_, a)), "does not match its envelope"});
  }
  {  // another case's operations
    const ReplicaId a = FreshReplica();
    const auto ops = Typed("another-case", a);
    const std::string id = wire::BatchOpId(a, 1, 11);
    bad.push_back({{id, 1, SealOperationBatch(key_, store_->identity(), case_, id, 1,
                                              Deflated(EncodeOperations(ops, BatchVersion::kV2)))},
                   "does not match its envelope"});
  }
  {  // a version 1 blob under a batch id
    const ReplicaId a = FreshReplica();
    const std::string id = wire::BatchOpId(a, 1, 5);
    bad.push_back({{id, 1, SealOperation(key_, store_->identity(), case_, id, 1, EncodeOperations(Typed(case_, a)))},
                   "does not decrypt"});
  }
  {  // sealed under another batch id
    const ReplicaId a = FreshReplica();
    wire::OpIn op = SealedBatch(wire::BatchOpId(a, 1, 11), Typed(case_, a));
    op.op_id = wire::BatchOpId(a, 1, 12);
    bad.push_back({op, "does not decrypt"});
  }
  for (const auto& b : bad) {
    auto r = client_->PushOps(case_, {b.op});
    ASSERT_TRUE(r.ok()) << b.op.op_id << ": " << r.error().message;
  }
  CloseHostile();
  x_.Ok({"note", "add", case_, "story"}, "A line by Xena after the bad batches.\n");
  Sync(x_);
  const json r = Sync(y_);
  const std::string q = QuarantinedIn(r);
  for (const auto& b : bad) {
    const auto line = q.find(b.op.op_id.substr(0, 40));
    ASSERT_NE(line, std::string::npos) << b.op.op_id << " not quarantined:\n" << q;
    EXPECT_NE(q.substr(line, q.find('\n', line) - line).find(b.why), std::string::npos) << q;
  }
  EXPECT_EQ(Count(q, "\n"), bad.size()) << q;
  EXPECT_NE(Story(y_, case_).find("A line by Xena after the bad batches."), std::string::npos);
  // Held for good: a later sync quarantines nothing new and reports them held.
  const json later = Sync(y_);
  EXPECT_EQ(QuarantinedIn(later), "");
}

// A server that stored single sealed operations (every release before batches) still serves them, and
// members apply them; a device still pushing them is served too.
TEST_F(Issue18SealedBatch, OldSingleOperationBlobsStillApply) {
  const ReplicaId a = FreshReplica();
  const auto ops = Typed(case_, a);
  std::vector<wire::OpIn> singles;
  for (const auto& op : ops) {
    const std::string id = Hex(a) + "-" + std::to_string(op.id.counter);
    singles.push_back({id, 1, SealOperation(key_, store_->identity(), case_, id, 1,
                                            EncodeOperations(std::span<const Operation>(&op, 1)))});
  }
  ASSERT_TRUE(client_->PushOps(case_, singles).ok());
  CloseHostile();
  const json r = Sync(y_);
  EXPECT_EQ(QuarantinedIn(r), "") << r.dump(2);
  std::size_t pulled = 0, rejected = 0;
  for (const auto& c : r.value("cases", json::array())) {
    pulled += c.value("pulled", 0u);
    rejected += c.value("rejected", json::array()).size();
  }
  EXPECT_GE(pulled, ops.size());
  EXPECT_EQ(rejected, 0u) << r.dump(2);
}

// A week offline: the run of a laptop's edits crosses as sealed batches (500 operations each at most), the
// other laptops end with the same case, and the server holds batch ids, not one row per edit.
TEST_F(Issue18SealedBatch, WeekOfflineEditsCrossAsSealedBatches) {
  CloseHostile();
  const std::size_t stored_before = ServerOps(server_->data(), case_).size();
  AppendBacklog(x_, case_, "week", 1200, kPassphrase);
  const json pushed = Sync(x_);
  // Each paragraph is its own run (and a paragraph record): every stored operation is one operation of a
  // batch, so there are ceil(n / 500) batches.
  const std::size_t n = pushed.value("pushed", 0u);
  EXPECT_GE(n, 1200u) << pushed.dump(2);
  const auto stored = ServerOps(server_->data(), case_);
  ASSERT_EQ(stored.size(), stored_before + (n + 499) / 500) << n << " operations in batches of at most 500";
  for (std::size_t i = stored_before; i < stored.size(); ++i)
    EXPECT_TRUE(wire::ParseBatchOpId(stored[i].op_id).has_value()) << stored[i].op_id;
  SyncUntilQuiet({&bu_, &x_, &y_});
  EXPECT_EQ(Story(y_, case_), Story(x_, case_));
  EXPECT_EQ(Story(bu_, case_), Story(x_, case_));
  EXPECT_NE(Story(y_, case_).find(BacklogSentence("week", 1199)), std::string::npos);
}

// A long offline history was read once per batch to cut it (each read walks every counter since the first
// unpushed one): the automerge-paper push (259,778 keystrokes) took 2½ minutes of CPU. All batches are cut
// from one read: a second read of the history in one push throws at the fault point, and the sync fails.
TEST_F(Issue18SealedBatch, LongHistoryIsReadOnceNotOncePerBatch) {
  CloseHostile();
  AppendBacklog(x_, case_, "once", 1200, kPassphrase);  // at least three batches of 500
  RunOptions o;
  o.unset_env = {"CASEPACK_STORE", "CASEPACK_PASSPHRASE_FILE"};
  o.env = {{"CASEPACK_FAULT_AT", "push-history-read:2"}, {"CASEPACK_FAULT_ACTION", "throw"}};
  const auto r = RunProcess(x_.Argv({"sync", "--json"}), o);
  ASSERT_EQ(r.exit_code, 0) << "the push read its history more than once:\n" << r.err;
  const json report = json::parse(r.out);
  EXPECT_GE(report.value("pushed", 0u), 2400u) << report.dump(2);  // each paragraph: its text and its record
  const auto stored = ServerOps(server_->data(), case_);
  std::size_t batches = 0;
  for (const auto& op : stored) batches += wire::ParseBatchOpId(op.op_id).has_value();
  EXPECT_GE(batches, 3u) << "the backlog did not need several batches: the test would not catch a read per batch";
  // The same fault point is reached, once, by a push with anything to send: the test cannot pass unarmed.
  AppendBacklog(x_, case_, "armed", 3, kPassphrase);
  o.env = {{"CASEPACK_FAULT_AT", "push-history-read:1"}, {"CASEPACK_FAULT_ACTION", "throw"}};
  EXPECT_NE(RunProcess(x_.Argv({"sync"}), o).exit_code, 0) << "push-history-read is never reached";
}

// Killed after the server stored a batch and before the store recorded its acknowledgement; more edits
// follow. The next sync must neither push the stored run again (the server would refuse a batch cut
// again with the later edits as overlapping) nor take the store for one restored from a backup.
TEST_F(Issue18SealedBatch, BatchWhoseAckWasLostIsNotPushedTwice) {
  CloseHostile();
  AppendBacklog(x_, case_, "lost", 700, kPassphrase);  // two batches: 500 and 200
  {
    const auto notify = root() / "pusher-paused";
    Child sync(x_.Argv({"sync"}), PauseAt("push-acked:1", notify));
    ASSERT_TRUE(WaitForFaultPoint(notify)) << "the pushing client never reached its first acknowledged batch";
    EXPECT_TRUE(sync.Kill());
  }
  AppendBacklog(x_, case_, "after", 30, kPassphrase);
  const json r = Sync(x_);
  EXPECT_TRUE(r.value("ok", false)) << r.dump(2);
  for (const auto& c : r.value("cases", json::array()))
    EXPECT_TRUE(c.value("restored", json()).is_null() || c.value("restored", std::string()).empty()) << r.dump(2);
  SyncUntilQuiet({&bu_, &x_, &y_});
  const std::string story = Story(y_, case_);
  EXPECT_EQ(story, Story(x_, case_));
  for (const std::string& s : {BacklogSentence("lost", 0), BacklogSentence("lost", 699), BacklogSentence("after", 29)})
    EXPECT_EQ(Count(story, s), 1u) << s;
}

}  // namespace
}  // namespace casepack::testing
