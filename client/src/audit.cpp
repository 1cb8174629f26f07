#include "casepack/audit.h"

#include <sqlcipher/sqlite3.h>

#include <sstream>

#include "casepack/blob_store.h"
#include "casepack/trusted_clock.h"

namespace casepack {

namespace {

using nlohmann::json;

constexpr std::string_view kHeadKey = "audit_head";  // meta: "<seq> <hex hash>" of the last entry
constexpr std::string_view kExportFormat = "casepack-audit-export";
constexpr int kExportVersion = 1;

constexpr std::pair<AuditKind, std::string_view> kKindNames[] = {
    {AuditKind::kCaseOpen, "case-open"}, {AuditKind::kDocumentExport, "document-export"},
    {AuditKind::kReport, "report"},      {AuditKind::kPackSeal, "pack-seal"},
    {AuditKind::kPackOpen, "pack-open"}, {AuditKind::kShare, "share"},
    {AuditKind::kSync, "sync"},          {AuditKind::kPurge, "purge"},
    {AuditKind::kHold, "hold"},          {AuditKind::kRelease, "release"},
    {AuditKind::kPolicy, "policy"},      {AuditKind::kDelete, "delete"},
};

bool IsPrintableAscii(std::string_view s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool IsIdText(std::string_view s) {
  if (s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

Bytes HashOf(const AuditEntry& e) {
  const std::string canonical = CanonicalAuditEntry(e);
  const auto h = Sha256(AsBytes(canonical));
  return Bytes(h.begin(), h.end());
}

// The checks shared by the store and the export file. `expected_prev` is the previous entry's hash.
std::optional<std::string> CheckEntry(const AuditEntry& e, std::int64_t expected_seq, const Bytes& expected_prev,
                                      std::span<const std::uint8_t> public_key) {
  if (e.seq != expected_seq) return "sequence gap: expected entry " + std::to_string(expected_seq);
  if (e.prev_hash != expected_prev) return "the chain is broken: prev_hash does not match the previous entry";
  if (e.hash != HashOf(e)) return "the entry's hash does not match its content";
  if (e.signature.size() != kSignatureBytes || !VerifySignature(public_key, e.hash, e.signature))
    return "the device signature does not verify";
  return std::nullopt;
}

json EntryJson(const AuditEntry& e) {
  return {{"seq", e.seq},
          {"at", e.at},
          {"kind", ToString(e.kind)},
          {"case_id", e.case_id},
          {"detail", e.detail},
          {"store_id", e.store_id},
          {"prev_hash", HexEncode(e.prev_hash)},
          {"hash", HexEncode(e.hash)},
          {"signature", HexEncode(e.signature)}};
}

Result<AuditEntry> EntryFromJson(const json& j) {
  auto bad = [](std::string what) { return MakeError(ErrorCode::kCorrupt, "audit export: " + what); };
  if (!j.is_object()) return bad("an entry is not a JSON object");
  for (const char* k : {"at", "kind", "case_id", "detail", "store_id", "prev_hash", "hash", "signature"})
    if (!j.contains(k) || !j[k].is_string()) return bad(std::string("an entry has no string '") + k + "'");
  if (!j.contains("seq") || !j["seq"].is_number_integer()) return bad("an entry has no integer 'seq'");
  AuditEntry e;
  e.seq = j["seq"].get<std::int64_t>();
  e.at = j["at"].get<std::string>();
  auto kind = ParseAuditKind(j["kind"].get<std::string>());
  if (!kind.ok()) return bad("entry " + std::to_string(e.seq) + " has an unknown kind");
  e.kind = *kind;
  e.case_id = j["case_id"].get<std::string>();
  e.detail = j["detail"].get<std::string>();
  e.store_id = j["store_id"].get<std::string>();
  auto prev = HexDecode(j["prev_hash"].get<std::string>());
  auto hash = HexDecode(j["hash"].get<std::string>());
  auto sig = HexDecode(j["signature"].get<std::string>());
  if (!prev.ok() || !hash.ok() || !sig.ok()) return bad("entry " + std::to_string(e.seq) + " has a malformed hex field");
  e.prev_hash = std::move(prev).value();
  e.hash = std::move(hash).value();
  e.signature = std::move(sig).value();
  return e;
}

}  // namespace

std::string_view ToString(AuditKind k) {
  for (const auto& [kind, name] : kKindNames)
    if (kind == k) return name;
  return "unknown";
}

Result<AuditKind> ParseAuditKind(std::string_view s) {
  for (const auto& [kind, name] : kKindNames)
    if (name == s) return kind;
  return MakeError(ErrorCode::kInvalidArgument, "unknown audit kind '" + std::string(s) + "'");
}

std::string CanonicalAuditEntry(const AuditEntry& e) {
  // nlohmann::json objects keep keys sorted and dump() is compact: the same as Python's
  // json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  json j = {{"at", e.at},           {"case_id", e.case_id}, {"detail", e.detail}, {"kind", ToString(e.kind)},
            {"prev_hash", HexEncode(e.prev_hash)}, {"seq", e.seq}, {"store_id", e.store_id}};
  return j.dump();
}

Result<Statement*> Audit::Prepared(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(sql));
    it = statements_.emplace(std::string(sql), std::move(st)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<AuditEntry> Audit::Record(AuditKind kind, std::string_view case_id, std::string_view detail) {
  if (detail.size() > kMaxAuditDetail || !IsPrintableAscii(detail))
    return MakeError(ErrorCode::kInvalidArgument, "an audit entry's detail must be short printable ASCII",
                     "audit entries carry ids and command names, never case content");
  if (!IsIdText(case_id)) return MakeError(ErrorCode::kInvalidArgument, "an audit entry's case id is not an id");

  Database& db = store_.db();
  std::optional<Transaction> own;
  if (sqlite3_get_autocommit(db.handle()) != 0) {
    CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    own.emplace(std::move(tx));
  }
  AuditEntry e;
  e.kind = kind;
  e.case_id = std::string(case_id);
  e.detail = std::string(detail);
  e.store_id = store_.id();
  {
    CP_ASSIGN_OR_RETURN(Statement* last, Prepared("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;"));
    auto row = last->Step();
    if (row.ok()) {
      e.seq = *row ? last->Int(0) + 1 : 1;
      e.prev_hash = *row ? last->Blob(1) : Bytes(kAuditHashBytes, 0);
    }
    last->Reset();  // do not keep a read open
    if (!row.ok()) return row.error();
  }
  TrustedClock clock(db, store_.clock());
  CP_ASSIGN_OR_RETURN(std::int64_t now, clock.Peek());
  e.at = FormatInstant(now);
  e.hash = HashOf(e);
  const auto sig = store_.identity().Sign(e.hash);
  e.signature.assign(sig.begin(), sig.end());

  CP_ASSIGN_OR_RETURN(Statement* ins, Prepared(
      "INSERT INTO audit_log (seq, at, kind, case_id, detail, prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?);"));
  ins->Bind(1, e.seq).Bind(2, e.at).Bind(3, ToString(e.kind)).Bind(4, e.case_id).Bind(5, e.detail)
      .Bind(6, e.prev_hash).Bind(7, e.hash).Bind(8, e.signature);
  CP_RETURN_IF_ERROR(ins->Run());
  CP_ASSIGN_OR_RETURN(Statement* head, Prepared("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?);"));
  head->Bind(1, kHeadKey).Bind(2, std::to_string(e.seq) + " " + HexEncode(e.hash));
  CP_RETURN_IF_ERROR(head->Run());
  if (own) CP_RETURN_IF_ERROR(own->Commit());
  return e;
}

Result<std::vector<AuditEntry>> Audit::Entries() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT seq, at, kind, case_id, detail, prev_hash, hash, signature FROM audit_log ORDER BY seq;"));
  std::vector<AuditEntry> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    AuditEntry e;
    e.seq = st.Int(0);
    e.at = st.Text(1);
    // An unknown kind cannot have been written by us; keep the entry so verification reports it.
    auto kind = ParseAuditKind(st.Text(2));
    e.kind = kind.ok() ? *kind : AuditKind::kCaseOpen;
    if (!kind.ok()) e.detail = "\x01";  // forces a hash mismatch at this seq
    e.case_id = st.Text(3);
    if (kind.ok()) e.detail = st.Text(4);
    e.store_id = store_.id();
    e.prev_hash = st.Blob(5);
    e.hash = st.Blob(6);
    e.signature = st.Blob(7);
    out.push_back(std::move(e));
  }
  return out;
}

Result<AuditVerification> Audit::Verify() {
  CP_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, Entries());
  AuditVerification v;
  Bytes prev(kAuditHashBytes, 0);
  const auto& pk = store_.identity().public_keys().ed25519;
  for (const AuditEntry& e : entries) {
    if (auto problem = CheckEntry(e, v.entries + 1, prev, pk)) {
      v.ok = false;
      v.first_bad_seq = v.entries + 1;
      v.problem = *problem;
      return v;
    }
    prev = e.hash;
    ++v.entries;
  }
  // The head recorded with every append: removing entries from the end leaves it pointing past the chain.
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT value FROM meta WHERE key = ?;"));
  st.Bind(1, kHeadKey);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  const std::string expected = entries.empty() ? std::string() : std::to_string(entries.back().seq) + " " + HexEncode(entries.back().hash);
  const std::string head = row ? st.Text(0) : std::string();
  if (head != expected) {
    v.ok = false;
    v.first_bad_seq = v.entries + 1;
    v.problem = "the log ends before its recorded head: entries were removed from the end";
  }
  return v;
}

Result<std::string> Audit::ExportJsonLines() {
  CP_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, Entries());
  TrustedClock clock(store_.db(), store_.clock());
  CP_ASSIGN_OR_RETURN(std::int64_t now, clock.Peek());
  json header = {{"format", kExportFormat},
                 {"version", kExportVersion},
                 {"store_id", store_.id()},
                 {"public_key", HexEncode(store_.identity().public_keys().ed25519)},
                 {"exported_at", FormatInstant(now)},
                 {"entries", entries.size()},
                 {"head_hash", entries.empty() ? std::string() : HexEncode(entries.back().hash)}};
  // The header is signed too, so the entry count and head cannot be edited to hide a cut-off tail.
  const auto sig = store_.identity().Sign(AsBytes(header.dump()));
  header["signature"] = HexEncode(sig);
  std::string out = header.dump() + "\n";
  for (const AuditEntry& e : entries) out += EntryJson(e).dump() + "\n";
  return out;
}

Result<AuditVerification> VerifyAuditExport(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string line;
  if (!std::getline(in, line)) return MakeError(ErrorCode::kCorrupt, "the audit export is empty");
  json header = json::parse(line, nullptr, false);
  // The file comes from another device: a field of the wrong type is refused like a wrong value, never
  // read with json::value (which throws on a type mismatch).
  auto text_field = [&header](const char* key) -> std::string {
    const auto it = header.find(key);
    return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (header.is_discarded() || !header.is_object() || text_field("format") != kExportFormat)
    return MakeError(ErrorCode::kCorrupt, "this is not a casepack audit export", "export one with 'casepack audit export -o FILE'");
  if (!header.contains("version") || !header["version"].is_number_integer() ||
      header["version"].get<std::int64_t>() != kExportVersion)
    return MakeError(ErrorCode::kUnsupported, "this audit export's version is not supported", "upgrade casepack");
  auto pk = HexDecode(text_field("public_key"));
  if (!pk.ok() || pk->size() != kEd25519PublicBytes) return MakeError(ErrorCode::kCorrupt, "the audit export's public key is malformed");
  {
    json unsigned_header = header;
    unsigned_header.erase("signature");
    auto sig = HexDecode(text_field("signature"));
    if (!sig.ok() || sig->size() != kSignatureBytes || !VerifySignature(*pk, AsBytes(unsigned_header.dump()), *sig)) {
      AuditVerification bad;
      bad.ok = false;
      bad.first_bad_seq = 0;
      bad.problem = "the header's device signature does not verify";
      return bad;
    }
  }
  const std::string store_id = text_field("store_id");
  if (!header.contains("entries") || !header["entries"].is_number_unsigned())
    return MakeError(ErrorCode::kCorrupt, "the audit export's header has no entry count");
  const auto declared = header["entries"].get<std::int64_t>();

  AuditVerification v;
  Bytes prev(kAuditHashBytes, 0);
  auto fail = [&](std::string problem) {
    v.ok = false;
    v.first_bad_seq = v.entries + 1;
    v.problem = std::move(problem);
    return v;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) return fail("a line is not valid JSON");
    auto e = EntryFromJson(j);
    if (!e.ok()) return fail(e.error().message);
    if (e->store_id != store_id) return fail("an entry belongs to another store");
    if (auto problem = CheckEntry(*e, v.entries + 1, prev, *pk)) return fail(*problem);
    prev = e->hash;
    ++v.entries;
  }
  if (v.entries != declared) return fail("the file holds " + std::to_string(v.entries) + " entries but its header says " + std::to_string(declared));
  if (text_field("head_hash") != (v.entries == 0 ? std::string() : HexEncode(prev)))
    return fail("the last entry is not the head named in the header");
  return v;
}

}  // namespace casepack
