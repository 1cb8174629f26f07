// What the server holds cannot be read or altered unnoticed: a byte flipped in a stored operation is
// refused by the client with nothing applied, and the server's files and log contain neither case text
// typed through the CLI nor the case keys.
#include "casepack/aead.h"
#include "casepack/encoding.h"
#include "casepack/kdf.h"
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class SecurityTest : public SyncTest {
 protected:
  void SetUp() override {
    SyncTest::SetUp();
    if (HasFatalFailure()) return;
    bu_ = EnrolBusinessUnit("bea");
    f1_ = EnrolFacilitator(bu_, "alex");
  }
  Laptop bu_, f1_;
};

TEST_F(SecurityTest, OperationAlteredOnTheServerIsRefusedAndNothingApplied) {
  const std::string c = NewCase(bu_, "Tamper Subject");
  // Synced apart: a store's run of operations crosses as one sealed batch (issue 18), quarantined whole if
  // altered, so the note is its own batch (the last on the server) and the case's creation another.
  Sync(bu_);
  bu_.Ok({"note", "add", c, "story"}, "Sentence in the altered operation.\n");
  Sync(bu_);
  bu_.Ok({"case", "share", c, "--with", f1_.user_id});
  ASSERT_EQ(server_->Stop(), 0);
  // Flip one byte in the middle of the last operation's ciphertext (the note), past its nonce.
  auto r = RunProcess({"python3", "-c",
                       "import sqlite3,sys\n"
                       "d=sqlite3.connect(sys.argv[1])\n"
                       "seq,blob=d.execute('SELECT seq, blob FROM ops WHERE case_id=? ORDER BY seq DESC LIMIT 1',(sys.argv[2],)).fetchone()\n"
                       "b=bytearray(blob); i=len(b)//2; b[i]^=0x01\n"
                       "d.execute('UPDATE ops SET blob=? WHERE seq=?',(bytes(b),seq)); d.commit(); print(seq)\n",
                       (server_->data() / "casepackd.db").string(), c});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_FATAL_FAILURE(server_->Start());

  // Issue 11, item 2: that one operation is quarantined (shown), the rest of the case syncs; before, the
  // whole page was refused, on every sync, for every member.
  auto sync = f1_.Run({"sync", "--json"});
  EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  const json report = json::parse(sync.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << sync.out;
  std::string quarantined;
  for (const auto& cr : report.value("cases", json::array()))
    for (const auto& q : cr.value("quarantined", json::array())) quarantined += q.get<std::string>() + "\n";
  EXPECT_NE(quarantined.find("altered"), std::string::npos) << sync.out;
  // Nothing of that operation was applied; the rest of the case was.
  const json shown = f1_.Json({"case", "show", c, "--json"});
  EXPECT_EQ(shown.dump().find("Sentence in the altered operation"), std::string::npos) << shown.dump(2);
  EXPECT_EQ(shown["notes"].value("story", ""), "") << shown.dump(2);
  EXPECT_NE(shown.dump().find("Tamper Subject"), std::string::npos) << shown.dump(2);
  // Later syncs go on (the author's later operations wait for the quarantined one, which never comes).
  auto again = f1_.Run({"sync"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  bu_.Ok({"note", "add", c, "story"}, "A later sentence.\n");
  Sync(bu_);
  Sync(f1_);
  EXPECT_EQ(f1_.Run({"status"}).exit_code, 0);
}


TEST_F(SecurityTest, ServerFilesHoldNoCaseTextAndNoCaseKeys) {
  if (std::system("command -v sqlcipher >/dev/null 2>&1") != 0) GTEST_SKIP() << "sqlcipher CLI not installed";
  const std::string subject = "Zebediah Quillfeather-Marchbanks";
  const std::string note = "Planted note: the family moved to Llanfihangel on Tuesday";
  const std::string doc = "Planted document body: core group minutes for Zebediah, confidential";
  const std::string action = "Planted action: arrange respite with Grandmother Olwen";
  const std::string c = Trim(bu_.Ok({"case", "new", "--type", "MAS", "--subject", subject, "--area", "Aberporth",
                                     "--date", "event=" + DaysFromToday(0)}));
  bu_.Ok({"note", "add", c, "story"}, note + "\n");
  WriteFile(root() / "minutes.txt", doc + "\n");
  bu_.Ok({"doc", "add", c, (root() / "minutes.txt").string(), "--type", "core-group-minutes", "--from", "CS"});
  bu_.Ok({"action", "add", c, "--what", action, "--owner-agency", "CS", "--due", DaysFromToday(14)});
  Sync(bu_);
  bu_.Ok({"case", "share", c, "--with", f1_.user_id});
  Sync(f1_);
  f1_.Ok({"note", "add", c, "where-next"}, "Planted reply from the facilitator about Olwen\n");
  Sync(f1_);
  Sync(bu_);
  ASSERT_EQ(f1_.Json({"case", "show", c, "--json"}), bu_.Json({"case", "show", c, "--json"}));
  ASSERT_EQ(server_->Stop(), 0);

  const std::string server_bytes = AllBytesBelow(server_->data()) + ReadFile(root() / "casepackd.log");
  for (const std::string& needle : {subject, note, doc, action, std::string("Planted reply from the facilitator"),
                                    std::string("Zebediah"), std::string("Llanfihangel"), std::string("Aberporth")})
    EXPECT_EQ(server_bytes.find(needle), std::string::npos) << "server holds plaintext: " << needle;
  const auto keys = CaseKeysHex(bu_, kPassphrase);
  EXPECT_EQ(keys, CaseKeysHex(f1_, kPassphrase));
  for (const auto& hex : keys) {
    auto raw = HexDecode(hex);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(server_bytes.find(AsText(*raw)), std::string::npos) << "server holds a case key (raw)";
    EXPECT_EQ(server_bytes.find(hex), std::string::npos) << "server holds a case key (hex)";
    // Base64 too, as the wire format carries blobs in base64.
    EXPECT_EQ(server_bytes.find(Base64Encode(*raw)), std::string::npos) << "server holds a case key (base64)";
  }
}

}  // namespace
}  // namespace casepack::testing
