// The audit trail: append-only, hash-chained, device-signed; verification offline, in the store and from
// an exported file; tampering of any kind is found at the entry where it happened; no case content.
#include "casepack/audit.h"

#include <gtest/gtest.h>

#include <sstream>

#include "casepack/cases.h"
#include "casepack/retention.h"
#include "casepack/trusted_clock.h"
#include "support/process.h"
#include "support/test_clock.h"
#include "client/store_fixture.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

using testing::MakeStore;

// Five entries: seq 1..5.
void RecordFive(Audit& audit) {
  const std::string id = "0123456789abcdef0123456789abcdef";
  for (AuditKind k : {AuditKind::kCaseOpen, AuditKind::kDocumentExport, AuditKind::kReport, AuditKind::kHold, AuditKind::kSync}) {
    auto e = audit.Record(k, k == AuditKind::kSync ? "" : id, "casepack test");
    ASSERT_TRUE(e.ok()) << e.error().message;
  }
}

// The tamperer has the database key (as any forensic examiner would) and drops the append-only guard.
void Tamper(Store& s, const std::string& sql) {
  ASSERT_TRUE(s.db().Exec("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;").ok());
  auto st = s.db().Exec(sql);
  ASSERT_TRUE(st.ok()) << st.error().message;
}

TEST(Audit, ChainVerifiesAndIsLinked) {
  TempDir t;
  auto s = MakeStore(t / "s");
  Audit audit(*s);
  RecordFive(audit);
  auto entries = audit.Entries();
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ(entries->at(0).prev_hash, Bytes(32, 0));
  for (std::size_t i = 1; i < entries->size(); ++i) {
    EXPECT_EQ(entries->at(i).seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(entries->at(i).prev_hash, entries->at(i - 1).hash);
  }
  auto v = audit.Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 5);
}

TEST(Audit, CanonicalFormIsStable) {
  // The documented form (docs/audit.md): compact JSON, keys sorted.
  AuditEntry e;
  e.seq = 3;
  e.at = "2027-06-01T00:00:00Z";
  e.kind = AuditKind::kPurge;
  e.case_id = "abcd";
  e.detail = "purged: event + 120 days, policy version 0";
  e.store_id = "00112233445566778899aabbccddeeff";
  e.prev_hash = Bytes(32, 0xab);
  EXPECT_EQ(CanonicalAuditEntry(e),
            R"({"at":"2027-06-01T00:00:00Z","case_id":"abcd","detail":"purged: event + 120 days, policy version 0",)"
            R"("kind":"purge","prev_hash":")" + std::string(64, 'a').replace(1, 63, "bababababababababababababababababababababababababababababababab") +
                R"(","seq":3,"store_id":"00112233445566778899aabbccddeeff"})");
}

TEST(Audit, TableIsAppendOnly) {
  TempDir t;
  auto s = MakeStore(t / "s");
  Audit audit(*s);
  RecordFive(audit);
  EXPECT_FALSE(s->db().Exec("UPDATE audit_log SET detail = 'x' WHERE seq = 2;").ok());
  EXPECT_FALSE(s->db().Exec("DELETE FROM audit_log WHERE seq = 5;").ok());
  EXPECT_TRUE(audit.Verify()->ok);
}

TEST(Audit, RefusesContentLikeDetail) {
  TempDir t;
  auto s = MakeStore(t / "s");
  Audit audit(*s);
  EXPECT_EQ(audit.Record(AuditKind::kCaseOpen, "abcd", "Zoë said\nsomething").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(audit.Record(AuditKind::kCaseOpen, "abcd", std::string(kMaxAuditDetail + 1, 'x')).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(audit.Record(AuditKind::kCaseOpen, "a name with spaces", "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(audit.Entries()->empty());
}

struct TamperCase {
  const char* name;
  const char* sql;
  std::int64_t first_bad;
};

class AuditTamper : public ::testing::TestWithParam<TamperCase> {};

TEST_P(AuditTamper, IsFoundAtTheEntry) {
  TempDir t;
  auto s = MakeStore(t / "s");
  Audit audit(*s);
  RecordFive(audit);
  Tamper(*s, GetParam().sql);
  auto v = audit.Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  ASSERT_TRUE(v->first_bad_seq.has_value());
  EXPECT_EQ(*v->first_bad_seq, GetParam().first_bad) << v->problem;
}

INSTANTIATE_TEST_SUITE_P(
    Audit, AuditTamper,
    ::testing::Values(
        TamperCase{"detail", "UPDATE audit_log SET detail = 'casepack tesT' WHERE seq = 3;", 3},
        TamperCase{"kind", "UPDATE audit_log SET kind = 'sync' WHERE seq = 2;", 2},
        TamperCase{"time", "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq = 4;", 4},
        TamperCase{"case", "UPDATE audit_log SET case_id = 'ffff' WHERE seq = 1;", 1},
        // One byte (the tenth) of the stored hash changed, the other 31 kept.
        TamperCase{"flipped_hash_byte", "UPDATE audit_log SET hash = CAST(substr(hash, 1, 9) || CASE WHEN substr(hash, 10, 1) = X'00' "
                                        "THEN X'01' ELSE X'00' END || substr(hash, 11) AS BLOB) WHERE seq = 2;", 2},
        TamperCase{"signature", "UPDATE audit_log SET signature = zeroblob(64) WHERE seq = 5;", 5},
        TamperCase{"removed_middle", "DELETE FROM audit_log WHERE seq = 3;", 3},
        TamperCase{"removed_tail", "DELETE FROM audit_log WHERE seq >= 4;", 4},
        TamperCase{"reordered", "UPDATE audit_log SET seq = seq + 10 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; "
                                "UPDATE audit_log SET seq = 3 WHERE seq = 12;", 2}),
    [](const ::testing::TestParamInfo<TamperCase>& i) { return std::string(i.param.name); });

TEST(Audit, RebuiltChainWithoutTheKeyFails) {
  // Recomputing every hash after an edit is not enough: the signatures are the device's.
  TempDir t;
  auto s = MakeStore(t / "s");
  Audit audit(*s);
  RecordFive(audit);
  auto entries = *audit.Entries();
  entries[1].detail = "edited";
  Bytes prev(32, 0);
  Tamper(*s, "DELETE FROM audit_log;");
  for (auto& e : entries) {
    e.prev_hash = prev;
    const auto h = Sha256(AsBytes(CanonicalAuditEntry(e)));
    e.hash.assign(h.begin(), h.end());
    prev = e.hash;
    auto st = s->db().Prepare("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?);");
    st->Bind(1, e.seq).Bind(2, e.at).Bind(3, ToString(e.kind)).Bind(4, e.case_id).Bind(5, e.detail).Bind(6, e.prev_hash)
        .Bind(7, e.hash).Bind(8, e.signature);
    ASSERT_TRUE(st->Run().ok());
  }
  auto v = audit.Verify();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq.value_or(0), 2);
}

std::string ReplaceLine(const std::string& text, std::size_t index, const std::string& line) {
  std::istringstream in(text);
  std::string out, l;
  for (std::size_t i = 0; std::getline(in, l); ++i) out += (i == index ? line : l) + "\n";
  return out;
}

TEST(AuditExport, VerifiesOnItsOwnAndCatchesTampering) {
  TempDir t;
  auto s = MakeStore(t / "s");
  Audit audit(*s);
  RecordFive(audit);
  auto text = audit.ExportJsonLines();
  ASSERT_TRUE(text.ok());
  auto v = VerifyAuditExport(*text);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 5);

  // One byte of entry 3's detail.
  std::string flipped = *text;
  std::size_t line3 = 0;  // header, entry 1, entry 2, then entry 3
  for (int i = 0; i < 3; ++i) line3 = flipped.find('\n', line3) + 1;
  const auto pos = flipped.find("casepack test", line3);
  ASSERT_NE(pos, std::string::npos);
  flipped[pos] = 'K';
  auto bad = VerifyAuditExport(flipped);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->first_bad_seq.value_or(0), 3) << bad->problem;

  // The last entry cut off (the header still counts five and is signed).
  std::string cut = text->substr(0, text->rfind('\n', text->size() - 2) + 1);
  EXPECT_FALSE(VerifyAuditExport(cut)->ok);
  // The header's count edited to match: its signature fails.
  std::istringstream in(*text);
  std::string header;
  std::getline(in, header);
  auto h = nlohmann::json::parse(header);
  h["entries"] = 4;
  EXPECT_FALSE(VerifyAuditExport(ReplaceLine(cut, 0, h.dump()))->ok);
  // Another key in the header: nothing verifies.
  h = nlohmann::json::parse(header);
  h["public_key"] = std::string(64, '1');
  EXPECT_FALSE(VerifyAuditExport(ReplaceLine(*text, 0, h.dump()))->ok);
  // Not an export at all.
  EXPECT_EQ(VerifyAuditExport("hello\n").error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(VerifyAuditExport("").error().code, ErrorCode::kCorrupt);
}

// tests/vectors/audit: one scenario per file, the expected verdict in its name.
TEST(AuditExport, Vectors) {
  const fs::path dir = fs::path(CASEPACK_VECTORS_DIR) / "audit";
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".jsonl") continue;
    ++seen;
    auto v = VerifyAuditExport(testing::ReadFile(entry.path()));
    if (name.rfind("refused-", 0) == 0) {  // not an export casepack can read: an error, never a throw
      EXPECT_FALSE(v.ok()) << name;
      continue;
    }
    const auto dash = name.find('-', 4);
    const std::int64_t n = std::stoll(name.substr(name.find('-') + 1, dash - name.find('-') - 1));
    ASSERT_TRUE(v.ok()) << name << ": " << v.error().message;
    if (name.rfind("ok-", 0) == 0) {
      EXPECT_TRUE(v->ok) << name << ": " << v->problem;
      EXPECT_EQ(v->entries, n) << name;
    } else {
      EXPECT_FALSE(v->ok) << name;
      EXPECT_EQ(v->first_bad_seq.value_or(-1), n) << name << ": " << v->problem;
    }
  }
  EXPECT_GE(seen, 8);
}

// Found by fuzz_audit_export: a header field of the wrong type threw nlohmann::json::type_error (the CLI
// aborted). Each header field, given each wrong type, is refused as a value.
TEST(AuditExport, HeaderFieldsOfTheWrongTypeAreRefusedNotThrown) {
  const std::string good = testing::ReadFile(fs::path(CASEPACK_VECTORS_DIR) / "audit" / "ok-3-entries.jsonl");
  const std::string header = good.substr(0, good.find('\n'));
  int refused = 0;
  for (const char* key : {"format", "version", "public_key", "signature", "store_id", "entries", "head_hash"}) {
    for (const nlohmann::json& wrong : {nlohmann::json(39), nlohmann::json("39"), nlohmann::json::array(),
                                        nlohmann::json::object(), nlohmann::json(nullptr), nlohmann::json(-1.5)}) {
      auto h = nlohmann::json::parse(header);
      h[key] = wrong;
      const std::string text = ReplaceLine(good, 0, h.dump());
      Result<AuditVerification> v = MakeError(ErrorCode::kIo, "not run");
      EXPECT_NO_THROW(v = VerifyAuditExport(text)) << key << " = " << wrong.dump();
      const bool bad = !v.ok() || !v->ok;
      EXPECT_TRUE(bad) << key << " = " << wrong.dump();
      refused += bad;
    }
  }
  EXPECT_EQ(refused, 7 * 6);
}

TEST(Audit, HoldsNoCaseContent) {
  TempDir t;
  testing::TestClock clock("2026-03-01");
  auto s = MakeStore(t / "s", clock);
  CaseService cases(*s);
  NewCase c;
  c.event_type = EventType::kMas;
  c.subject = {"Xanthippe Quarrell", "Torfaen"};
  c.key_dates = {{"summary-report-sent", *ParseDate("2026-03-02")}};
  const std::string id = *cases.CreateCase(c);
  ASSERT_TRUE(cases.SetNote(id, "story", "Secret story text").ok());
  RetentionService svc(*s);
  ASSERT_TRUE(svc.PlaceHold(id, "Cardiff Family Court case FD26P00123", "Officer Jones").ok());
  ASSERT_TRUE(svc.ReleaseHold(id).ok());
  clock.Pass(*s, "2027-01-01");
  ASSERT_EQ(svc.PurgeDue()->purged.size(), 1u);
  const std::string exported = *Audit(*s).ExportJsonLines();
  EXPECT_EQ(Audit(*s).Entries()->size(), 3u);
  for (const char* content : {"Xanthippe", "Quarrell", "Torfaen", "Secret story", "Cardiff", "FD26P00123", "Jones"})
    EXPECT_EQ(exported.find(content), std::string::npos) << content;
  EXPECT_TRUE(VerifyAuditExport(exported)->ok);
}

}  // namespace
}  // namespace casepack
