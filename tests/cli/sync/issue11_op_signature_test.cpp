// Issue 11, item 2, end to end with the real casepack and casepackd over TLS: every pushed batch carries its
// pushing device's Ed25519 signature over a manifest of the exact bytes stored (docs/api.md "Operation
// signatures").
// A hostile enrolled member sends hand-made signed requests; the server refuses what it can check before
// storing anything. What it cannot check (ciphertext that only the members can open, or bytes planted in
// its database) members quarantine, one operation at a time and for good (quarantined_ops in the store,
// shown by `casepack sync` and listed by `casepack sync quarantined`), and the rest of the case syncs.
#include "casepack/identity.h"
#include "casepack/net_client.h"
#include "casepack/random.h"
#include "casepack/wire.h"
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class Issue11OpSignature : public ThreeLaptopsTest {
 protected:
  void SetUp() override {
    ThreeLaptopsTest::SetUp();
    if (HasFatalFailure()) return;
    case_ = SharedCase("Signature Subject", "First line by the Business Unit.\n");
  }

  // The hostile member: xena's own device key, enrolment and case key, used by hand (not through casepack).
  struct Hostile {
    std::unique_ptr<Store> store;
    std::unique_ptr<net::CasepackClient> client;
    SecretBytes key;  // the case's current epoch key
    const Identity& identity() const { return store->identity(); }
    void Close() {
      client.reset();
      store.reset();
    }
  };
  Hostile OpenHostile() {
    Hostile h;
    InitCrypto();
    const std::string device_id = x_.Json({"server", "show", "--json"}).value("device_id", "");
    const auto keys = CaseKeysHex(x_, kPassphrase);
    EXPECT_EQ(keys.size(), 1u);
    h.key = std::move(SecretBytes::CopyOf(*HexDecode(keys.at(0)))).value();
    auto store = Store::Open(x_.dir, kPassphrase, "hostile member");
    EXPECT_TRUE(store.ok()) << store.error().message;
    h.store = std::move(store).value();
    auto http = net::HttpsClient::Create(net::Endpoint{"127.0.0.1", server_->port(), server_->fingerprint()});
    EXPECT_TRUE(http.ok());
    h.client = std::make_unique<net::CasepackClient>(std::move(http).value(), &h.store->identity(), device_id);
    return h;
  }
  static std::string FreshReplica() { return RandomId().substr(0, 16); }

  // Every quarantined entry of the sync report, one per line.
  static std::string QuarantinedIn(const json& report) {
    std::string out;
    for (const auto& c : report.value("cases", json::array()))
      for (const auto& q : c.value("quarantined", json::array())) out += q.get<std::string>() + "\n";
    return out;
  }
  static std::size_t HeldIn(const json& report) {
    std::size_t n = 0;
    for (const auto& c : report.value("cases", json::array())) n += c.value("quarantined_held", 0u);
    return n;
  }

  std::string case_;
};

TEST_F(Issue11OpSignature, HostileMemberForgedOperationsAreRefusedByTheServer) {
  const std::size_t stored_before = ServerOps(server_->data(), case_).size();
  Hostile h = OpenHostile();
  const SecretBytes& key = h.key;
  const std::string own = FreshReplica();
  auto expect_refused = [&](const wire::OpIn& op, const Bytes& sig, ErrorCode code, const std::string& what,
                            const std::string& why) {
    auto r = h.client->PushOpsWithSignature(case_, {op}, sig);
    ASSERT_FALSE(r.ok()) << what << ": the server took it";
    EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << what << ": " << r.error().message;
  };
  auto signed_by = [&](const Identity& who, const std::string& case_id, const wire::OpIn& op) {
    return wire::SignOpBatch(who, wire::OpBatchManifest(case_id, {op}));
  };

  // Random bytes under its own replica, with random bytes for a signature.
  expect_refused({own + "-1", 1, RandomBytes(120)}, RandomBytes(64), ErrorCode::kAuthFailed, "random bytes",
                 "not signed by the device that pushed");
  // A valid ciphertext (sealed under the case key, inner signature its own) with a wrong signature: made
  // by another key, and made by its own key over another op id, other bytes, or another case.
  const Bytes body = {1, 2, 3, 4, 5, 6, 7};
  const Bytes sealed = SealOperation(key, h.identity(), case_, own + "-1", 1, body);
  const wire::OpIn op{own + "-1", 1, sealed};
  const Identity other = Identity::Generate().value();
  expect_refused(op, signed_by(other, case_, op), ErrorCode::kAuthFailed, "signed by another key",
                 "not signed by the device that pushed");
  expect_refused(op, signed_by(h.identity(), case_, {own + "-2", 1, sealed}), ErrorCode::kAuthFailed,
                 "signature for another op id", "not signed by the device that pushed");
  expect_refused(op, signed_by(h.identity(), case_, {own + "-1", 1, RandomBytes(20)}), ErrorCode::kAuthFailed,
                 "signature over other bytes", "not signed by the device that pushed");
  expect_refused(op, signed_by(h.identity(), RandomId(), op), ErrorCode::kAuthFailed, "signature for another case",
                 "not signed by the device that pushed");
  // A signature of the wrong length is not even a well-formed request.
  expect_refused(op, RandomBytes(63), ErrorCode::kInvalidArgument, "short signature", "64 bytes");
  // The Business Unit's operation, taken from the server and re-signed by the hostile member under its
  // original id: the replica is the Business Unit's.
  const auto stored = ServerOps(server_->data(), case_);
  ASSERT_FALSE(stored.empty());
  const ServerOp& theirs = stored.back();
  const std::string next_of_theirs =
      theirs.op_id.substr(0, 17) + std::to_string(std::stoll(theirs.op_id.substr(17)) + 1);
  const wire::OpIn taken{next_of_theirs, theirs.epoch, theirs.blob};
  expect_refused(taken, signed_by(h.identity(), case_, taken), ErrorCode::kAuthFailed,
                 "re-signed under the author's replica", "another device's replica");
  // Nothing of it was stored.
  EXPECT_EQ(ServerOps(server_->data(), case_).size(), stored_before);

  // Every member syncs on, nothing quarantined, and later edits arrive.
  h.Close();
  bu_.Ok({"note", "add", case_, "story"}, "Second line by the Business Unit.\n");
  for (const Laptop* l : {&bu_, &x_, &y_}) {
    const json r = Sync(*l);
    EXPECT_EQ(QuarantinedIn(r), "") << l->name << ": " << r.dump(2);
  }
  EXPECT_NE(Story(y_, case_).find("Second line by the Business Unit."), std::string::npos) << Story(y_, case_);
}

// What the server cannot check: a ciphertext validly signed by the hostile member under its own replica,
// but one only members can find bad (random bytes; the Business Unit's operation re-sealed under another
// id). Members quarantine each, once, and keep it; the rest of the case syncs.
TEST_F(Issue11OpSignature, SignedGarbageUnderItsOwnReplicaIsQuarantinedByMembers) {
  Hostile h = OpenHostile();
  const std::string own = FreshReplica();
  const Bytes garbage = RandomBytes(150);
  ASSERT_TRUE(h.client->PushOps(case_, {{own + "-1", 1, garbage}}).ok());
  const auto stored = ServerOps(server_->data(), case_);
  const ServerOp& theirs = stored.front();
  auto replayed = h.client->PushOps(case_, {{own + "-2", theirs.epoch, theirs.blob}});
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  h.Close();
  bu_.Ok({"note", "add", case_, "story"}, "A line after the garbage.\n");
  Sync(bu_);

  auto first = y_.Run({"sync", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  const json report = json::parse(first.out);
  const std::string q = QuarantinedIn(report);
  EXPECT_EQ(Count(q, own + "-1 from device"), 1u) << q;
  EXPECT_EQ(Count(q, own + "-2 from device"), 1u) << q;
  EXPECT_EQ(Count(q, "\n"), 2u) << q;
  EXPECT_NE(q.find("does not decrypt"), std::string::npos) << q;
  EXPECT_EQ(HeldIn(report), 2u) << report.dump(2);
  EXPECT_NE(Story(y_, case_).find("A line after the garbage."), std::string::npos);
  // Not quarantined twice, still held and shown.
  auto again = y_.Run({"sync"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Count(again.out, "quarantined operation in"), 0u) << again.out;
  EXPECT_NE(again.out.find("2 operation(s) held in quarantine"), std::string::npos) << again.out;
  const json listed = y_.Json({"sync", "quarantined", "--json"});
  ASSERT_EQ(listed.size(), 2u) << listed.dump(2);
  for (const auto& e : listed) {
    EXPECT_EQ(e.value("case_id", ""), case_);
    EXPECT_EQ(e.value("op_id", "").rfind(own, 0), 0u) << e.dump();
  }
}

// Bad operations planted directly in the server's database (no push, so no check), under the Business
// Unit's device and fresh replicas: one with no batch signature, one naming a real signed batch that does
// not list it. Each member quarantines each, once, persistently (it survives the store being closed and
// opened), says so at every sync, and the rest of the case, before and after them, syncs. The Business
// Unit's device does not sign them (they are not under a replica of its own, and they do not open as its).
TEST_F(Issue11OpSignature, OperationPlantedInTheServerDatabaseIsQuarantinedAndTheRestSyncs) {
  bu_.Ok({"note", "add", case_, "story"}, "Line before the planted one.\n");
  Sync(bu_);
  EXPECT_NE(y_.Ok({"sync", "quarantined"}).find("no quarantined operations"), std::string::npos);
  ASSERT_EQ(server_->Stop(), 0);
  const std::string unsigned_op = FreshReplica() + "-1", misplaced = FreshReplica() + "-1";
  auto r = RunProcess({"python3", "-c",
                       "import sqlite3,sys,os\n"
                       "d=sqlite3.connect(sys.argv[1])\n"
                       "dev,ep,b=d.execute('SELECT device_id, epoch, batch FROM ops WHERE case_id=? ORDER BY seq DESC LIMIT 1',(sys.argv[2],)).fetchone()\n"
                       "d.execute('INSERT INTO ops(case_id, op_id, epoch, device_id, blob) VALUES(?,?,?,?,?)',"
                       "(sys.argv[2],sys.argv[3],ep,dev,os.urandom(200)))\n"
                       "d.execute('INSERT INTO ops(case_id, op_id, epoch, device_id, blob, batch) VALUES(?,?,?,?,?,?)',"
                       "(sys.argv[2],sys.argv[4],ep,dev,os.urandom(200),b)); d.commit()\n",
                       (server_->data() / "casepackd.db").string(), case_, unsigned_op, misplaced});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_FATAL_FAILURE(server_->Start());
  bu_.Ok({"note", "add", case_, "story"}, "Line after the planted one.\n");
  EXPECT_EQ(Sync(bu_).value("cases", json::array()).at(0).value("resigned", 9), 0);

  for (const Laptop* l : {&x_, &y_}) {
    auto sync = l->Run({"sync"});
    EXPECT_EQ(sync.exit_code, 0) << l->name << ": " << sync.err << sync.out;
    EXPECT_EQ(Count(sync.out, "quarantined operation in " + case_.substr(0, 8)), 2u) << sync.out;
    EXPECT_NE(sync.out.find(unsigned_op + " from device"), std::string::npos) << sync.out;
    EXPECT_NE(sync.out.find(misplaced + " from device"), std::string::npos) << sync.out;
    EXPECT_NE(sync.out.find("carries no signature"), std::string::npos) << sync.out;
    EXPECT_NE(sync.out.find("altered or forged"), std::string::npos) << sync.out;
    EXPECT_NE(sync.out.find("2 operation(s) held in quarantine"), std::string::npos) << sync.out;
    const std::string story = Story(*l, case_);
    EXPECT_NE(story.find("Line before the planted one."), std::string::npos) << story;
    EXPECT_NE(story.find("Line after the planted one."), std::string::npos) << story;
    // Kept in the store: listed by a later process, shown by later syncs, never quarantined again.
    const std::string listed = l->Ok({"sync", "quarantined"});
    EXPECT_NE(listed.find(unsigned_op), std::string::npos) << listed;
    EXPECT_NE(listed.find(misplaced), std::string::npos) << listed;
    EXPECT_NE(listed.find("altered or forged"), std::string::npos) << listed;
    const json later = Sync(*l);
    EXPECT_EQ(QuarantinedIn(later), "") << later.dump(2);
    EXPECT_EQ(HeldIn(later), 2u) << later.dump(2);
  }
  EXPECT_EQ(bu_.Json({"case", "show", case_, "--json"}), y_.Json({"case", "show", case_, "--json"}));
}

// Operations a server stored before it checked signatures (an old database: its ops have no batch) are
// quarantined by members after the upgrade; the author device signs its own at its next sync (it opens
// each with its own key first), the server moves them to new seqs, and members take them in and out of
// quarantine. One whose device is revoked stays quarantined, and `sync quarantined` says why.
TEST_F(Issue11OpSignature, OperationsStoredBeforeSignaturesComeBackWhenTheirDeviceSignsThem) {
  bu_.Ok({"note", "add", case_, "story"}, "Line by the Business Unit before the upgrade.\n");
  Sync(bu_);
  y_.Ok({"note", "add", case_, "story"}, "Line by Y before the upgrade.\n");
  Sync(y_);
  const std::string y_device = y_.Json({"server", "show", "--json"}).value("device_id", "");
  ASSERT_EQ(server_->Stop(), 0);
  // As an old (schema 3) database migrates: every op of the case without a batch signature.
  auto r = RunProcess({"python3", "-c",
                       "import sqlite3,sys\n"
                       "d=sqlite3.connect(sys.argv[1])\n"
                       "d.execute('UPDATE ops SET batch=NULL WHERE case_id=?',(sys.argv[2],)); d.commit()\n",
                       (server_->data() / "casepackd.db").string(), case_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_FATAL_FAILURE(server_->Start());
  // Y's device is revoked by the Business Unit before Y syncs again: its op can never be signed.
  bu_.Ok({"server", "revoke-device", y_device});

  const json first = Sync(x_);
  const std::string q = QuarantinedIn(first);
  EXPECT_NE(q.find("carries no signature"), std::string::npos) << q;
  EXPECT_GE(HeldIn(first), 2u) << first.dump(2);
  EXPECT_EQ(Story(x_, case_).find("Line by the Business Unit before the upgrade."), std::string::npos);

  // The Business Unit's next sync signs its own.
  auto bu_sync = bu_.Run({"sync"});
  EXPECT_EQ(bu_sync.exit_code, 0) << bu_sync.err << bu_sync.out;
  EXPECT_NE(bu_sync.out.find("that the server held unsigned"), std::string::npos) << bu_sync.out;
  EXPECT_NE(bu_sync.out.find("signed "), std::string::npos) << bu_sync.out;
  EXPECT_EQ(ServerUnsigned(server_->data(), case_, bu_), 0u);

  const json second = Sync(x_);
  EXPECT_EQ(QuarantinedIn(second), "") << second.dump(2);
  EXPECT_NE(Story(x_, case_).find("Line by the Business Unit before the upgrade."), std::string::npos) << Story(x_, case_);
  // Y's stays out, and the list says why.
  EXPECT_EQ(Story(x_, case_).find("Line by Y before the upgrade."), std::string::npos) << Story(x_, case_);
  const std::string listed = x_.Ok({"sync", "quarantined"});
  EXPECT_NE(listed.find("device is revoked: nobody can sign it"), std::string::npos) << listed;
  EXPECT_EQ(Count(listed, "carries no signature"), HeldIn(second)) << listed;
}
}  // namespace
}  // namespace casepack::testing
