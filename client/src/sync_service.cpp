#include "casepack/sync_service.h"

#include "batch_payload.h"
#include "cases_internal.h"
#include "sealed_batch_body.h"
#include "utc_time.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <ctime>
#include <set>
#include <sstream>

#include "casepack/aead.h"
#include "casepack/audit.h"
#include "casepack/fault_point.h"
#include "casepack/hash.h"
#include "casepack/retention.h"
#include "casepack/trusted_clock.h"
#include "casepack/random.h"

namespace casepack {

namespace {

constexpr std::size_t kPushBatch = 500;  // single sealed operations per push (stores from before batches)
// One sealed batch (docs/sync-client.md "A batch on the wire"): at most this many engine operations (a
// receiver holds them all at once while it applies them; a week of typing is about 90,000).
constexpr std::size_t kBatchMaxOps = 250000;
// Test builds only (CASEPACK_FAULT_POINTS, fault_point.h): CASEPACK_FAULT_BATCH_OPS=N (1 to kBatchMaxOps)
// cuts batches of at most N operations, so that a test's backlog spans several batches and a fault point
// can fall between them (tests/cli/sync/sync_support.h pins 500, the size those tests were written for).
std::size_t BatchMaxOps() {
#ifdef CASEPACK_FAULT_POINTS
  if (const char* v = std::getenv("CASEPACK_FAULT_BATCH_OPS"); v != nullptr) {
    const long long n = std::atoll(v);
    if (n >= 1 && static_cast<std::size_t>(n) <= kBatchMaxOps) return static_cast<std::size_t>(n);
  }
#endif
  return kBatchMaxOps;
}
// A sealed batch's compressed payload (client/src/batch_payload.h): at most this, so that the sealed blob
// (payload + 105 bytes) stays inside the server's kMaxOpBlobBytes (1 MiB) after its base64 is decoded.
constexpr std::size_t kBatchMaxPayload = 1000 * 1000;
// What a sealed batch's payload may decompress to (the operation batch): refused beyond, before more is
// decompressed.
constexpr std::size_t kBatchMaxInflated = 16 * 1024 * 1024;

constexpr int kPullPage = 1000;
// Operations per pull page. Test builds only (CASEPACK_FAULT_POINTS, fault_point.h): CASEPACK_FAULT_PULL_PAGE=N
// (1 to 1000) pulls smaller pages, so that a catch-up of a few sealed batches still spans pages and a test
// can stop it between them (FaultsTest.ClientKilledMidSync…, docs/testing.md).
int PullPage() {
#ifdef CASEPACK_FAULT_POINTS
  if (const char* v = std::getenv("CASEPACK_FAULT_PULL_PAGE"); v != nullptr) {
    const int n = std::atoi(v);
    if (n >= 1 && n <= kPullPage) return n;
  }
#endif
  return kPullPage;
}

Result<ServerConfig> ParseUrl(const std::string& url) {
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0)
    return MakeError(ErrorCode::kInvalidArgument, "the server address must start with https://",
                     "e.g. https://casepack.example.org:8443");
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  ServerConfig c;
  c.url = scheme + rest;
  const auto colon = rest.rfind(':');
  c.host = colon == std::string::npos ? rest : rest.substr(0, colon);
  int port = 443;
  if (colon != std::string::npos) {
    const std::string p = rest.substr(colon + 1);
    if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), [](unsigned char ch) { return std::isdigit(ch); }))
      return MakeError(ErrorCode::kInvalidArgument, "the server address has an invalid port");
    port = std::stoi(p);
  }
  if (c.host.empty() || c.host.find('/') != std::string::npos || port < 1 || port > 65535)
    return MakeError(ErrorCode::kInvalidArgument, "the server address is not host:port");
  c.port = static_cast<std::uint16_t>(port);
  return c;
}

// sync_server.url: the servers, space-separated, the preferred first (ServerConfig::urls).
std::string JoinUrls(const std::vector<std::string>& urls) {
  std::string joined;
  for (const auto& u : urls) joined += (joined.empty() ? "" : " ") + u;
  return joined;
}

Result<std::string> NormaliseFingerprint(std::string text) {
  if (text.rfind("sha256:", 0) == 0 || text.rfind("SHA256:", 0) == 0) text = text.substr(7);
  std::string hex;
  for (char ch : text) {
    if (ch == ':' || ch == ' ') continue;
    hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  if (hex.size() != 64 || !HexDecode(hex).ok())
    return MakeError(ErrorCode::kInvalidArgument, "the fingerprint must be 64 hex digits (SHA-256)",
                     "copy it from the Business Unit, who gets it from 'casepackd fingerprint'");
  return hex;
}

Error CaseError(const std::string& case_id, const Error& e) { return e.Context("case " + case_id.substr(0, 8)); }

// A pulled batch as this pull checked it: the signing device and, if its signature verified, its entries.
struct CheckedBatch {
  std::string device_id;
  Result<std::map<std::string, wire::OpBatchEntry, std::less<>>> entries;
};

// One pulled operation against the signed batch it names (docs/api.md "Operation signatures"): the batch
// is the pushing device's, its signature verifies (checked once per batch, kept in `checked`), and its
// manifest names this op id with this epoch and the SHA-256 of these exact bytes.
Status CheckBatchSignature(const std::string& case_id, const wire::OpOut& in, const Bytes& author,
                           const std::map<std::int64_t, const wire::OpBatch*>& batches,
                           std::map<std::int64_t, CheckedBatch>& checked) {
  const std::string id = in.op_id.substr(0, 40);
  auto forged = [&] {
    return MakeError(ErrorCode::kAuthFailed,
                     "operation " + id + " was altered or forged: it is not signed by the device that pushed it");
  };
  auto it = checked.find(in.batch);
  if (it == checked.end()) {
    auto b = batches.find(in.batch);
    if (b == batches.end()) return forged();
    CheckedBatch c{b->second->device_id, MakeError(ErrorCode::kAuthFailed, "unchecked")};
    Status sig = wire::VerifyOpBatch(author, b->second->manifest, b->second->sig);
    if (sig.ok()) c.entries = wire::ParseOpBatchManifest(b->second->manifest, case_id);
    else c.entries = sig.error();
    it = checked.emplace(in.batch, std::move(c)).first;
  }
  if (it->second.device_id != in.device_id || !it->second.entries.ok()) return forged();
  auto e = it->second.entries->find(in.op_id);
  if (e == it->second.entries->end() || e->second.epoch != in.epoch || e->second.digest != Sha256(in.blob)) return forged();
  return Ok();
}

// A pulled (or held) blob opened and checked against its id: for "R-N" one sealed operation whose
// operation is R-N, for a batch id "R-FIRST-LAST" a sealed batch holding exactly one dense run of replica
// R's operations from FIRST to LAST, all of this case (mixed authors, gaps, overlaps, other counters or
// another case: the whole batch is refused). `bodies` gets the bytes to store for each operation: a
// version 1 blob's as opened, a batch's operations each encoded alone (docs/sync-client.md).
Result<std::vector<Operation>> OpenPulled(const SecretBytes& key, std::span<const std::uint8_t> author,
                                          const std::string& case_id, const std::string& op_id, std::int64_t epoch,
                                          std::span<const std::uint8_t> blob, std::vector<Bytes>* bodies) {
  auto mismatch = [&] {
    return MakeError(ErrorCode::kAuthFailed, "operation " + op_id.substr(0, 60) + " does not match its envelope");
  };
  const auto batch = wire::ParseBatchOpId(op_id);
  CP_ASSIGN_OR_RETURN(Bytes plain, batch ? OpenOperationBatch(key, author, case_id, op_id, epoch, blob)
                                         : OpenOperation(key, author, case_id, op_id, epoch, blob));
  if (batch) {
    auto inflated = DecompressBatchPayload(plain, kBatchMaxInflated);
    Wipe(plain);
    if (!inflated.ok()) return mismatch();
    plain = std::move(*inflated);
  }
  auto decoded = batch ? DecodeSealedBatchBody(plain) : DecodeOperations(plain);
  if (!decoded.ok() || decoded->empty()) {
    Wipe(plain);
    return mismatch();
  }
  if (!batch) {
    if (decoded->size() != 1 || (*decoded)[0].case_id != case_id ||
        OperationWireId((*decoded)[0].id.replica, (*decoded)[0].id.counter) != op_id) {
      Wipe(plain);
      return mismatch();
    }
    if (bodies) bodies->push_back(std::move(plain));
    return decoded;
  }
  Wipe(plain);
  std::uint64_t next = batch->first;
  for (const Operation& op : *decoded) {
    if (op.case_id != case_id || OperationWireId(op.id.replica, 0).substr(0, 16) != batch->replica ||
        op.id.counter != next || op.Span() == 0 || op.Span() > batch->last - next + 1)
      return mismatch();
    next += op.Span();
  }
  if (next != batch->last + 1) return mismatch();
  if (bodies)
    for (const Operation& op : *decoded) bodies->push_back(EncodeOperations(std::span<const Operation>(&op, 1), BatchVersion::kV1));
  return decoded;
}

// Why an operation stored before the server checked signatures is held out of its case.
std::string UnsignedReason(const std::string& op_id, bool device_revoked) {
  return "operation " + op_id.substr(0, 40) + " carries no signature (stored before the server checked them)" +
         (device_revoked ? " and its device is revoked: nobody can sign it, so it stays out of the case"
                         : ": its device signs it at its next sync, and a later sync here takes it in");
}

}  // namespace

namespace {
Result<std::string> ReadMetaText(Database& db, const std::string& key) {
  CP_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT value FROM meta WHERE key = ?;"));
  st.Bind(1, key);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : std::string();
}
Status WriteMetaText(Database& db, const std::string& key, const std::string& value) {
  CP_ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?);"));
  st.Bind(1, key).Bind(2, value);
  return st.Run();
}
// meta key of the sealed batch of a case this store is pushing (its id), cleared once acknowledged.
std::string InflightKey(const std::string& case_id) { return "sync_push_inflight:" + case_id; }
}  // namespace

std::string OperationWireId(ReplicaId replica, std::uint64_t counter) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llx-%llu", static_cast<unsigned long long>(replica),
                static_cast<unsigned long long>(counter));
  return buf;
}

// ---------------------------------------------------------------------------------------------------------

SyncService::SyncService(Store& store, CaseService& cases)
    : store_(store), cases_(cases), owned_retention_(std::make_unique<RetentionService>(store)),
      owned_audit_(std::make_unique<Audit>(store)), retention_(owned_retention_.get()), audit_(owned_audit_.get()) {}
SyncService::~SyncService() = default;

Result<std::size_t> SyncService::UnsentChanges() { return CaseServiceInternal::CountUnpushed(cases_); }

Result<ServerConfig> SyncService::Config() {
  if (config_) return *config_;
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT url, host, port, fingerprint, user_id, device_id, role FROM sync_server WHERE id = 1;"));
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row)
    return MakeError(ErrorCode::kNotFound, "this store is not enrolled with a central store",
                     "run 'casepack server add URL --invite CODE --fingerprint FP' with what the Business Unit gave you");
  ServerConfig c{st.Text(0), st.Text(1), static_cast<std::uint16_t>(st.Int(2)), st.Text(3), st.Text(4), st.Text(5), st.Text(6), {}};
  // Space-separated, the preferred server first (AddServerUrl); one URL in a store enrolled before.
  std::istringstream urls(c.url);
  for (std::string u; urls >> u;) c.urls.push_back(u);
  if (!c.urls.empty()) c.url = c.urls.front();
  config_ = c;
  return c;
}

Result<std::unique_ptr<net::HttpsClient>> SyncService::OpenTransport(const ServerConfig& c) {
  if (transport_) return transport_(c);
  if (c.urls.size() < 2) return net::HttpsClient::Create(net::Endpoint{c.host, c.port, c.fingerprint});
  std::vector<net::Endpoint> endpoints;
  for (const auto& u : c.urls) {
    CP_ASSIGN_OR_RETURN(ServerConfig one, ParseUrl(u));
    endpoints.push_back(net::Endpoint{one.host, one.port, c.fingerprint});
  }
  return net::FailoverClient(endpoints);
}

Result<ServerConfig> SyncService::AddServerUrl(const std::string& url) {
  CP_ASSIGN_OR_RETURN(ServerConfig c, Config());
  CP_ASSIGN_OR_RETURN(ServerConfig added, ParseUrl(url));
  if (std::find(c.urls.begin(), c.urls.end(), added.url) != c.urls.end())
    return MakeError(ErrorCode::kConflict, added.url + " is already one of this store's servers");
  c.urls.push_back(added.url);
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("UPDATE sync_server SET url = ? WHERE id = 1;"));
  st.Bind(1, JoinUrls(c.urls));
  CP_RETURN_IF_ERROR(st.Run());
  config_ = c;
  return c;
}

Result<std::unique_ptr<net::CasepackClient>> SyncService::Connect() {
  CP_ASSIGN_OR_RETURN(ServerConfig c, Config());
  CP_ASSIGN_OR_RETURN(auto http, OpenTransport(c));
  return std::make_unique<net::CasepackClient>(std::move(http), &store_.identity(), c.device_id);
}

Result<ServerConfig> SyncService::Enroll(const std::string& url, const std::string& fingerprint,
                                         const std::string& invitation, const std::vector<std::string>& also,
                                         const std::string& name) {
  if (Config().ok())
    return MakeError(ErrorCode::kConflict, "this store is already enrolled with " + config_->url,
                     "one store syncs with one central store");
  CP_ASSIGN_OR_RETURN(ServerConfig c, ParseUrl(url));
  c.urls = {c.url};
  for (const auto& u : also) {
    CP_ASSIGN_OR_RETURN(ServerConfig other, ParseUrl(u));
    if (std::find(c.urls.begin(), c.urls.end(), other.url) == c.urls.end()) c.urls.push_back(other.url);
  }
  CP_ASSIGN_OR_RETURN(c.fingerprint, NormaliseFingerprint(fingerprint));
  CP_ASSIGN_OR_RETURN(auto http, OpenTransport(c));
  net::CasepackClient client(std::move(http), &store_.identity());
  CP_ASSIGN_OR_RETURN(std::string author, ReadMetaText(store_.db(), "author"));
  const std::string person = name.empty() ? author : name;
  if (!person.empty() && !wire::ValidPersonName(person))
    return MakeError(ErrorCode::kInvalidArgument, "the name must be 1 to 80 characters on one line");
  CP_ASSIGN_OR_RETURN(wire::Principal who, client.Enroll(invitation, person));
  // The store's own edits carry its author name: a store without one takes the name given here.
  if (author.empty() && !person.empty()) CP_RETURN_IF_ERROR(WriteMetaText(store_.db(), "author", person));
  c.user_id = who.user_id;
  c.device_id = who.device_id;
  c.role = who.role;
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "INSERT INTO sync_server (id, url, host, port, fingerprint, user_id, device_id, role, enrolled_at) "
      "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?);"));
  st.Bind(1, JoinUrls(c.urls)).Bind(2, c.host).Bind(3, static_cast<std::int64_t>(c.port)).Bind(4, c.fingerprint)
      .Bind(5, c.user_id).Bind(6, c.device_id).Bind(7, c.role).Bind(8, UtcNowIso(store_.clock()));
  CP_RETURN_IF_ERROR(st.Run());
  config_ = c;
  return c;
}

// ---- keys ----

Result<std::int64_t> SyncService::CurrentEpoch(const std::string& case_id) {
  return CaseServiceInternal::LatestSharedEpoch(cases_, case_id);
}

Result<SecretBytes> SyncService::KeyFor(const std::string& case_id, std::int64_t epoch) {
  CP_ASSIGN_OR_RETURN(std::optional<SecretBytes> key, CaseServiceInternal::SharedKey(cases_, case_id, epoch));
  if (!key)
    return MakeError(ErrorCode::kNotFound, "no key for epoch " + std::to_string(epoch) + " of this case",
                     "ask a member of the case to share it with you again");
  return std::move(*key);
}

Status SyncService::RefreshKeys(net::CasepackClient& client, const std::string& case_id, std::int64_t* current_epoch) {
  CP_ASSIGN_OR_RETURN(std::vector<wire::Envelope> envelopes, client.GetKeys(case_id, current_epoch));
  CP_ASSIGN_OR_RETURN(ServerConfig c, Config());
  for (const wire::Envelope& e : envelopes) {
    if (e.user_id != c.user_id) continue;
    auto key = OpenSealed(store_.identity(), e.sealed);
    if (!key.ok()) return key.error().Context("opening the case key for epoch " + std::to_string(e.epoch));
    CP_RETURN_IF_ERROR(CaseServiceInternal::KeepSharedKey(cases_, case_id, e.epoch, *key));
  }
  return Ok();
}

Status SyncService::EnsureCurrentKey(net::CasepackClient& client, const std::string& case_id) {
  std::int64_t current = 0;
  CP_RETURN_IF_ERROR(RefreshKeys(client, case_id, &current));
  if (current < 1 || KeyFor(case_id, current).ok()) return Ok();
  // Seal a fresh key to the first live device of every current member who is not revoked (the server
  // takes exactly that set, or the set another member sent first).
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Random(32));
  CP_ASSIGN_OR_RETURN(std::vector<wire::MemberEntry> members, client.ListMembers(case_id));
  CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client.ListUsers());
  std::vector<wire::Envelope> envelopes;
  for (const auto& m : members) {
    if (m.removed) continue;
    for (const auto& u : users) {
      if (u.user_id != m.user_id || u.revoked) continue;
      for (const auto& d : u.devices) {
        if (d.revoked || d.x25519.size() != kX25519PublicBytes) continue;
        envelopes.push_back(wire::Envelope{m.user_id, current,
                                           SealToPublicKey(std::span<const std::uint8_t, kX25519PublicBytes>(d.x25519.data(), kX25519PublicBytes), key)});
        break;
      }
    }
  }
  CASEPACK_FAULT_POINT("rekey-sealed");  // the new key made here, not yet on the server
  Status put = client.Rekey(case_id, envelopes);
  if (!put.ok() && put.error().code != ErrorCode::kConflict) return put;
  // Ours or another member's: the server's envelope is the key of this epoch, whoever made it.
  CP_RETURN_IF_ERROR(RefreshKeys(client, case_id, &current));
  if (!KeyFor(case_id, current).ok())
    return MakeError(ErrorCode::kNotFound, "no key for the case's current epoch " + std::to_string(current),
                     "ask a member of the case to share it with you again");
  (void)audit_->Record(AuditKind::kShare, case_id, "keyed epoch " + std::to_string(current));
  return Ok();
}

void SyncService::KeepDirectory(const std::vector<wire::UserEntry>& users) {
  for (const auto& u : users)
    for (const auto& d : u.devices) {
      device_keys_[d.device_id] = d.ed25519;
      if (d.revoked || u.revoked) revoked_devices_.insert(d.device_id);
    }
  directory_loaded_ = true;
}

Result<Bytes> SyncService::DevicePublicKey(net::CasepackClient& client, const std::string& device_id) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto it = device_keys_.find(device_id);
    if (it != device_keys_.end()) return it->second;
    if (directory_loaded_ && attempt == 1) break;
    CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client.ListUsers());
    KeepDirectory(users);
  }
  return MakeError(ErrorCode::kAuthFailed, "an operation was pushed by a device the server does not list");
}

Status SyncService::RefreshPeople(net::CasepackClient& client) {
  CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client.ListUsers());
  KeepDirectory(users);
  Database& db = store_.db();
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  CP_RETURN_IF_ERROR(db.Exec("DELETE FROM people;"));
  CP_ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT OR REPLACE INTO people (device_id, user_id, name) VALUES (?, ?, ?);"));
  for (const auto& u : users) {
    for (const auto& d : u.devices) {
      st.Reset();
      st.Bind(1, d.device_id).Bind(2, u.user_id).Bind(3, u.name);
      CP_RETURN_IF_ERROR(st.Run());
    }
  }
  return tx.Commit();
}

Status SyncService::RecordReplicaDevice(std::string_view replica, const std::string& device_id) {
  if (replica.size() != 16 || replica.find_first_not_of("0123456789abcdef") != std::string_view::npos) return Ok();
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("INSERT OR IGNORE INTO replica_devices (replica, device_id) VALUES (?, ?);"));
  st.Bind(1, std::string(replica)).Bind(2, device_id);
  return st.Run();
}

Status SyncService::CatchUpOwnReplica(net::CasepackClient& client, const std::string& case_id,
                                      CaseSyncReport& report, bool push_refused) {
  CP_ASSIGN_OR_RETURN(ReplicaId own, CaseServiceInternal::OwnReplica(cases_, case_id));
  const std::string hex = OperationWireId(own, 0).substr(0, 16);
  std::int64_t last = 0;
  CP_ASSIGN_OR_RETURN(std::vector<wire::ReplicaLast> replicas, client.Replicas(case_id));
  bool unsigned_ops = false;
  for (const auto& r : replicas) {
    if (r.replica == hex) last = r.last;
    unsigned_ops = unsigned_ops || r.unsigned_ops > 0;
  }
  if (unsigned_ops && !push_refused) CP_RETURN_IF_ERROR(SignOwnUnsignedOps(client, case_id, report));
  // Behind: the server's last operation of this replica is not one this store holds (a store never loses
  // an operation it made, except by going back to an older copy; an unacknowledged push is still held).
  // Or the server refused one of its op ids with other content (the store had made an operation starting
  // at that very counter since the restore).
  // `last` is a single operation's counter or a sealed batch's last one.
  if (!push_refused) {
    const OpId at{own, static_cast<std::uint64_t>(last)};
    CP_ASSIGN_OR_RETURN(bool holds, CaseServiceInternal::HoldsOperation(cases_, case_id, at));
    if (!holds && last > 0) {
      CP_ASSIGN_OR_RETURN(holds, CaseServiceInternal::HoldsOperationEndingAt(cases_, case_id, at));
    }
    if (last <= 0) return Ok();
    if (holds) {
      // The batch this store sent last, if its acknowledgement was lost (killed, cut): the server's last
      // counter is its last, so the server holds it. Marked pushed now, so that the next batch starts after
      // it (a batch cut again with later edits would overlap the stored one, which the server refuses).
      CP_ASSIGN_OR_RETURN(std::string inflight, ReadMetaText(store_.db(), InflightKey(case_id)));
      if (auto sent = wire::ParseBatchOpId(inflight); sent && sent->replica == hex && sent->last == static_cast<std::uint64_t>(last))
        CP_RETURN_IF_ERROR(CaseServiceInternal::MarkPushedThrough(cases_, case_id, own, sent->first, sent->last));
      return Ok();
    }
  }
  CP_ASSIGN_OR_RETURN(std::vector<Operation> on_server, OwnOpsOnServer(client, case_id, own));
  CP_ASSIGN_OR_RETURN(std::size_t moved, CaseServiceInternal::ContinueUnderFreshReplica(cases_, case_id, on_server));
  report.restored = "this store was behind its own edits on the server (restored from an older copy?): it takes them "
                    "back and continues under a new replica id" +
                    (moved > 0 ? "; " + std::to_string(moved) + " edit(s) made since are kept and sent under it" : std::string());
  (void)audit_->Record(AuditKind::kSync, case_id, "restored store: continues under a new replica id");
  return Ok();
}

Result<std::vector<Operation>> SyncService::OwnOpsOnServer(net::CasepackClient& client, const std::string& case_id,
                                                          ReplicaId own) {
  CP_ASSIGN_OR_RETURN(ServerConfig config, Config());
  CP_ASSIGN_OR_RETURN(std::int64_t after, CaseServiceInternal::PullCursor(cases_, case_id));
  const std::string own_prefix = OperationWireId(own, 0).substr(0, 17);  // "RRRRRRRRRRRRRRRR-"
  const auto& own_key = store_.identity().public_keys().ed25519;
  const Bytes own_key_bytes(own_key.begin(), own_key.end());
  std::map<std::int64_t, CheckedBatch> checked;
  std::vector<Operation> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(wire::OpsPage page, client.PullOps(case_id, after, PullPage()));
    std::map<std::int64_t, const wire::OpBatch*> batches;
    for (const auto& b : page.batches) batches.emplace(b.batch, &b);
    for (const wire::OpOut& in : page.ops) {
      if (in.device_id != config.device_id || in.op_id.rfind(own_prefix, 0) != 0 || in.batch == 0) continue;
      if (!CheckBatchSignature(case_id, in, own_key_bytes, batches, checked).ok()) continue;
      auto key = KeyForEpoch(client, case_id, in.epoch);
      if (!key.ok()) continue;  // (not a case key this store can have: counts as not held)
      auto opened = OpenPulled(*key, own_key, case_id, in.op_id, in.epoch, in.blob, nullptr);
      if (!opened.ok()) continue;
      for (Operation& op : *opened) out.push_back(std::move(op));
    }
    if (!page.more) return out;
    after = page.next_after;
  }
}

Result<SecretBytes> SyncService::KeyForEpoch(net::CasepackClient& client, const std::string& case_id, std::int64_t epoch) {
  auto key = KeyFor(case_id, epoch);
  if (key.ok()) return key;
  std::int64_t current = 0;
  CP_RETURN_IF_ERROR(RefreshKeys(client, case_id, &current));
  return KeyFor(case_id, epoch);
}

Status SyncService::SignOwnUnsignedOps(net::CasepackClient& client, const std::string& case_id,
                                       CaseSyncReport& report) {
  CP_ASSIGN_OR_RETURN(std::vector<wire::OpOut> held, client.UnsignedOps(case_id));
  const auto own_key = store_.identity().public_keys().ed25519;
  std::vector<wire::OpOut> mine;
  for (auto& op : held) {
    auto key = KeyFor(case_id, op.epoch);
    if (!key.ok()) {
      std::int64_t current = 0;
      CP_RETURN_IF_ERROR(RefreshKeys(client, case_id, &current));
      key = KeyFor(case_id, op.epoch);
      if (!key.ok()) continue;  // no key for that epoch here: it stays unsigned
    }
    // Opened with this device's own key: the server holds exactly what this device wrote. Anything else
    // (altered or planted on the server) is left unsigned, and members keep it quarantined.
    if (!OpenPulled(*key, own_key, case_id, op.op_id, op.epoch, op.blob, nullptr).ok()) continue;
    mine.push_back(std::move(op));
  }
  if (mine.empty()) return Ok();
  CP_RETURN_IF_ERROR(client.SignStoredOps(case_id, mine));
  report.resigned += mine.size();
  (void)audit_->Record(AuditKind::kSync, case_id, "signed " + std::to_string(mine.size()) + " operation(s) stored unsigned");
  return Ok();
}

// ---- one case ----

Status SyncService::UploadBlobs(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                                const ProgressFn& progress) {
  CP_ASSIGN_OR_RETURN(std::vector<StoredDocument> pending, CaseServiceInternal::DocumentsNotUploaded(cases_, case_id));
  if (pending.empty()) return Ok();
  CP_ASSIGN_OR_RETURN(std::int64_t epoch, CurrentEpoch(case_id));
  CP_ASSIGN_OR_RETURN(SecretBytes key, KeyFor(case_id, epoch));
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const StoredDocument& doc = pending[i];
    if (progress) progress({"uploading", case_id, i, pending.size()});
    Bytes plain;
    plain.reserve(doc.meta.size);
    CP_RETURN_IF_ERROR(cases_.ExportDocument(case_id, doc.meta.id, [&](std::span<const std::uint8_t> b) {
      plain.insert(plain.end(), b.begin(), b.end());
      return Ok();
    }));
    Bytes wire(8);
    for (int b = 0; b < 8; ++b) wire[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(epoch) >> (56 - 8 * b));
    std::size_t pos = 0;
    BlobInfo info;
    Status sealed = SealBlobStream(
        key, case_id, doc.blob_id,
        [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
          const std::size_t n = std::min(buf.size(), plain.size() - pos);
          std::memcpy(buf.data(), plain.data() + pos, n);
          pos += n;
          return n;
        },
        [&](std::span<const std::uint8_t> b) {
          wire.insert(wire.end(), b.begin(), b.end());
          return Ok();
        },
        cases_.document_limit(), info);
    Wipe(plain);
    CP_RETURN_IF_ERROR(sealed);
    // Blob ids are 128 random bits made by the document's author, the only one who uploads it: the id
    // already taken means an earlier upload of ours was stored and its acknowledgement lost (a blob's
    // stream header is random, so a second upload has other bytes). Done, not an error.
    Status put = client.PutBlob(case_id, doc.blob_id, wire);
    if (!put.ok() && put.error().code != ErrorCode::kConflict) return put;
    CP_RETURN_IF_ERROR(CaseServiceInternal::MarkUploaded(cases_, case_id, doc.meta.id));
    ++report.blobs_up;
  }
  return Ok();
}

Status SyncService::PushCase(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                             const ProgressFn& progress) {
  bool renumbered = false;
  for (;;) {
    // This store's own operations go as sealed batches (one signature, one tag, the version 2 encoding
    // inside), all cut from one read of the case; only what cannot be cut as one dense run goes as single
    // sealed operations.
    CP_ASSIGN_OR_RETURN(std::vector<CaseServiceInternal::PendingBatch> runs,
                        CaseServiceInternal::UnpushedBatches(cases_, case_id, BatchMaxOps(), kBatchMaxPayload));
    std::vector<CaseServiceInternal::PendingOp> pending;
    if (runs.empty()) {
      CP_ASSIGN_OR_RETURN(pending, CaseServiceInternal::UnpushedOperations(cases_, case_id, kPushBatch));
      if (pending.empty()) return Ok();
    }
    // One request per batch (or one for the single operations), in order.
    const std::size_t requests = runs.empty() ? 1 : runs.size();
    bool acked = true;
    for (std::size_t i = 0; i < requests && acked; ++i) {
      CaseServiceInternal::PendingBatch* run = runs.empty() ? nullptr : &runs[i];
      acked = false;
      for (int attempt = 0;; ++attempt) {
        CP_ASSIGN_OR_RETURN(std::int64_t epoch, CurrentEpoch(case_id));
        CP_ASSIGN_OR_RETURN(SecretBytes key, KeyFor(case_id, epoch));
        std::vector<wire::OpIn> batch;
        batch.reserve(pending.size() + 1);
        if (run) {
          const std::string id = wire::BatchOpId(run->replica, run->first, run->last);
          batch.push_back(wire::OpIn{id, epoch, SealOperationBatch(key, store_.identity(), case_id, id, epoch, run->payload)});
        }
        for (const auto& p : pending) {
          const std::string op_id = OperationWireId(p.replica, p.counter);
          batch.push_back(wire::OpIn{op_id, epoch, SealOperation(key, store_.identity(), case_id, op_id, epoch, p.body)});
        }
        // Recorded before it leaves: a lost acknowledgement is recognised by the next sync (CatchUpOwnReplica).
        if (run) CP_RETURN_IF_ERROR(WriteMetaText(store_.db(), InflightKey(case_id), batch.front().op_id));
        auto acks = client.PushOps(case_id, batch);
        if (acks.ok()) {
          acked = true;
          break;
        }
        // The case moved to a new epoch (a member was removed): fetch its key and seal again.
        if (acks.error().code == ErrorCode::kConflict && attempt == 0) {
          // An op id the server holds with other content: this store reused its own counters after a restore.
          if (acks.error().message.find("op_id already used") != std::string::npos) {
            CP_RETURN_IF_ERROR(CatchUpOwnReplica(client, case_id, report, /*push_refused=*/true));
            break;  // renumbered: the loop above collects them again
          }
          CP_RETURN_IF_ERROR(EnsureCurrentKey(client, case_id));
          continue;
        }
        return acks.error();
      }
      if (!acked) break;
      CASEPACK_FAULT_POINT("push-acked");  // the server holds the batch; this store has not recorded it
      if (run) {
        Wipe(run->body);
        CP_RETURN_IF_ERROR(CaseServiceInternal::MarkPushedThrough(cases_, case_id, run->replica, run->first, run->last));
        CP_RETURN_IF_ERROR(WriteMetaText(store_.db(), InflightKey(case_id), ""));
        report.pushed += run->rows;
      } else {
        std::vector<std::pair<ReplicaId, std::uint64_t>> ids;
        for (const auto& p : pending) ids.emplace_back(p.replica, p.counter);
        CP_RETURN_IF_ERROR(CaseServiceInternal::MarkPushed(cases_, case_id, ids));
        report.pushed += pending.size();
      }
      if (progress) progress({"pushing", case_id, report.pushed, 0});
    }
    for (auto& run : runs) Wipe(run.body);
    if (!acked) {
      if (renumbered) return MakeError(ErrorCode::kConflict, "the server refused this store's edits again after renumbering them");
      renumbered = true;
    }
  }
}

Status SyncService::PullCase(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                             const ProgressFn& progress) {
  CP_ASSIGN_OR_RETURN(ServerConfig config, Config());
  CP_ASSIGN_OR_RETURN(std::int64_t after, CaseServiceInternal::PullCursor(cases_, case_id));
  CP_ASSIGN_OR_RETURN(ReplicaId own, CaseServiceInternal::OwnReplica(cases_, case_id));
  const std::string own_prefix = OperationWireId(own, 0).substr(0, 17);  // "RRRRRRRRRRRRRRRR-"
  // Operations quarantined here earlier may come again, signed by their device after a server upgrade.
  CP_ASSIGN_OR_RETURN(std::size_t quarantined_before, CaseServiceInternal::CountQuarantined(cases_, case_id));
  const bool had_quarantined = quarantined_before > 0;
  // Batches whose signature this pull has checked, by the server's id: one verification per batch.
  std::map<std::int64_t, CheckedBatch> checked_batches;
  CP_RETURN_IF_ERROR(RecordReplicaDevice(std::string_view(own_prefix).substr(0, 16), config.device_id));
  for (;;) {
    // The server leaves out our own current replica's operations (skipped below anyway): a week's push is
    // not downloaded again by the laptop that made it.
    CP_ASSIGN_OR_RETURN(wire::OpsPage page, client.PullOps(case_id, after, PullPage(), std::string_view(own_prefix).substr(0, 16)));
    std::map<std::int64_t, const wire::OpBatch*> batches;
    for (const auto& b : page.batches) batches.emplace(b.batch, &b);
    std::vector<std::string> accepted;  // op ids that passed every check (released from quarantine)
    // Who is behind each replica, for naming the authors of conflicts (the server binds a replica to the
    // device that first pushed under it).
    std::set<std::pair<std::string, std::string>> seen;
    for (const wire::OpOut& in : page.ops)
      if (seen.emplace(in.op_id.substr(0, 16), in.device_id).second)
        CP_RETURN_IF_ERROR(RecordReplicaDevice(std::string_view(in.op_id).substr(0, 16), in.device_id));
    std::vector<Operation> ops;
    std::vector<Bytes> bodies;  // as received (opened), stored unchanged
    std::vector<CaseServiceInternal::QuarantinedOp> held;
    for (const wire::OpOut& in : page.ops) {
      // Our own current replica's: already applied here. (This device's earlier replica of the case, after
      // a restore, comes back like anyone's.)
      if (in.device_id == config.device_id && in.op_id.rfind(own_prefix, 0) == 0) continue;
      // One bad operation (altered on the server, planted in its database, or pushed by a member under a
      // name not its own) is quarantined: not applied, reported, kept in the store (quarantined_ops) with
      // the cursor that moves past it, and the rest of the case keeps syncing (issue 11: one such
      // operation used to wedge the case for every member).
      auto quarantine = [&](const std::string& why) {
        report.quarantined.push_back(in.op_id.substr(0, 40) + " from device " + in.device_id.substr(0, 8) + ": " + why);
        held.push_back({case_id, in.seq, in.op_id.substr(0, 128), in.device_id, why, {}});
      };
      auto author = DevicePublicKey(client, in.device_id);
      if (!author.ok() && author.error().code != ErrorCode::kAuthFailed) return author.error();
      if (!author.ok()) {
        quarantine(author.error().message);
        continue;
      }
      // Signed by the pushing device: its batch's manifest names this op with these exact bytes, and
      // the manifest carries the device's signature (the server checked it at push).
      if (in.batch == 0) {
        quarantine(UnsignedReason(in.op_id, revoked_devices_.count(in.device_id) > 0));
        continue;
      }
      if (Status signed_by = CheckBatchSignature(case_id, in, *author, batches, checked_batches); !signed_by.ok()) {
        quarantine(signed_by.error().message);
        continue;
      }
      CP_ASSIGN_OR_RETURN(SecretBytes key, KeyForEpoch(client, case_id, in.epoch));
      auto opened = OpenPulled(key, *author, case_id, in.op_id, in.epoch, in.blob, &bodies);
      if (!opened.ok()) {
        quarantine(opened.error().message);
        continue;
      }
      for (Operation& op : *opened) ops.push_back(std::move(op));
      if (had_quarantined) accepted.push_back(in.op_id);
    }
    const std::int64_t next = page.next_after;
    auto applied_or = CaseServiceInternal::ApplyRemote(cases_, case_id, ops, bodies, [&]() -> Status {
      CP_RETURN_IF_ERROR(CaseServiceInternal::SetPullCursor(cases_, case_id, next));
      CP_RETURN_IF_ERROR(CaseServiceInternal::ReleaseQuarantined(cases_, case_id, accepted));
      return CaseServiceInternal::RecordQuarantined(cases_, case_id, held);
    });
    for (auto& b : bodies) Wipe(b);
    CP_ASSIGN_OR_RETURN(ApplyResult applied, std::move(applied_or));
    for (const auto& r : applied.rejected)
      report.rejected.push_back(OperationWireId(r.op.id.replica, r.op.id.counter) + ": " + r.error.message);
    report.pulled += ops.size();
    if (progress) progress({"pulling", case_id, report.pulled, 0});
    after = next;
    if (!page.more) {
      CP_ASSIGN_OR_RETURN(report.quarantined_held, CaseServiceInternal::CountQuarantined(cases_, case_id));
      return Ok();
    }
    CASEPACK_FAULT_POINT("pull-page-applied");  // one page applied and recorded, more to come
  }
}

Status SyncService::DownloadBlobs(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                                  const ProgressFn& progress) {
  CP_ASSIGN_OR_RETURN(std::vector<StoredDocument> missing, CaseServiceInternal::DocumentsWithoutLocalBlob(cases_, case_id));
  if (missing.empty()) return Ok();
  CP_ASSIGN_OR_RETURN(SecretBytes local_key, CaseServiceInternal::LocalKey(cases_, case_id));
  for (std::size_t i = 0; i < missing.size(); ++i) {
    const StoredDocument& doc = missing[i];
    if (progress) progress({"downloading", case_id, i, missing.size()});
    auto wire = client.GetBlob(case_id, doc.blob_id);
    if (!wire.ok() && wire.error().code == ErrorCode::kNotFound) continue;  // not uploaded yet: next sync
    if (!wire.ok()) return wire.error();
    if (wire->size() < 8) return MakeError(ErrorCode::kCorrupt, "a document on the server is damaged");
    std::uint64_t epoch = 0;
    for (int b = 0; b < 8; ++b) epoch = (epoch << 8) | (*wire)[static_cast<std::size_t>(b)];
    CP_ASSIGN_OR_RETURN(SecretBytes key, KeyFor(case_id, static_cast<std::int64_t>(epoch)));
    Bytes plain;
    std::size_t pos = 8;
    Status opened = OpenBlobStream(
        key, case_id, doc.blob_id,
        [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
          const std::size_t n = std::min(buf.size(), wire->size() - pos);
          std::memcpy(buf.data(), wire->data() + pos, n);
          pos += n;
          return n;
        },
        [&](std::span<const std::uint8_t> b) {
          plain.insert(plain.end(), b.begin(), b.end());
          return Ok();
        });
    if (!opened.ok()) {
      Wipe(plain);
      return opened.error().Context("document " + doc.meta.id);
    }
    pos = 0;
    auto stored = cases_.blobs().Put(
        local_key, case_id,
        [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
          const std::size_t n = std::min(buf.size(), plain.size() - pos);
          std::memcpy(buf.data(), plain.data() + pos, n);
          pos += n;
          return n;
        },
        cases_.document_limit(), doc.blob_id);
    Wipe(plain);
    if (!stored.ok()) return stored.error();
    if (HexEncode(stored->sha256) != doc.meta.sha256) {
      (void)cases_.blobs().Remove(doc.blob_id);
      return MakeError(ErrorCode::kCorrupt, "document " + doc.meta.id + " does not match its recorded hash: refused");
    }
    CP_RETURN_IF_ERROR(CaseServiceInternal::AdoptReceivedBlob(cases_, case_id, doc));
    ++report.blobs_down;
  }
  return Ok();
}

Status SyncService::SyncCase(net::CasepackClient& client, const std::string& case_id, CaseSyncReport& report,
                             const ProgressFn& progress) {
  CP_RETURN_IF_ERROR(EnsureCurrentKey(client, case_id));
  CP_RETURN_IF_ERROR(CatchUpOwnReplica(client, case_id, report, /*push_refused=*/false));
  CP_RETURN_IF_ERROR(UploadBlobs(client, case_id, report, progress));
  CP_RETURN_IF_ERROR(PushCase(client, case_id, report, progress));
  CP_RETURN_IF_ERROR(PullCase(client, case_id, report, progress));
  // A paragraph version the merge joined to another gets its line break here, pushed at once.
  CP_ASSIGN_OR_RETURN(bool separated, CaseServiceInternal::SeparateJoinedVersions(cases_, case_id));
  if (separated) CP_RETURN_IF_ERROR(PushCase(client, case_id, report, progress));
  CP_RETURN_IF_ERROR(DownloadBlobs(client, case_id, report, progress));
  CP_ASSIGN_OR_RETURN(CaseDetail detail, cases_.GetCase(case_id));
  report.conflicts = detail.conflicts;
  for (const Action& a : detail.actions) {
    if (a.owner.has_conflict()) {
      FieldConflict f{"action: " + a.what, "owner", {}};
      for (const auto& c : a.owner.candidates) f.values.candidates.push_back({DescribeOwner(c.value), c.author, c.at});
      report.conflicts.push_back(std::move(f));
    }
    if (a.due.has_conflict()) {
      FieldConflict f{"action: " + a.what, "due date", {}};
      for (const auto& c : a.due.candidates) f.values.candidates.push_back({FormatDate(c.value), c.author, c.at});
      report.conflicts.push_back(std::move(f));
    }
  }
  return Ok();
}

// ---- the whole store ----

// ---- retention (docs/retention.md "Server side") ----


Status SyncService::SyncPolicy(net::CasepackClient& client, SyncReport& report) {
  CP_ASSIGN_OR_RETURN(ServerConfig c, Config());
  RetentionService& retention = *retention_;
  CP_ASSIGN_OR_RETURN(PolicyRecord local, retention.CurrentPolicies());
  CP_ASSIGN_OR_RETURN(wire::PolicyMessage remote, client.GetPolicy());
  if (remote.version > local.version) {
    // Accept only a record signed by a live business-unit device from the directory.
    CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client.ListUsers());
    bool verified = false;
    for (const auto& u : users) {
      if (u.role != wire::kRoleBusinessUnit || u.revoked) continue;
      for (const auto& d : u.devices)
        if (d.device_id == remote.device_id && !d.revoked &&
            VerifySignature(d.ed25519, AsBytes(wire::CanonicalPolicy(remote.version, remote.record)), remote.signature))
          verified = true;
    }
    if (!verified) {
      report.retention_errors.push_back("the server's retention policy version " + std::to_string(remote.version) +
                                        " is not signed by a business-unit device; ignored");
      return Ok();
    }
    auto record = PolicyRecordFromWireText(remote.record);
    if (!record.ok() || record->version != remote.version) {
      report.retention_errors.push_back("the server's retention policy version " + std::to_string(remote.version) +
                                        " is malformed; ignored");
      return Ok();
    }
    CP_ASSIGN_OR_RETURN(bool applied, retention.ApplyPolicyRecord(*record));
    if (applied) report.policy_applied = record->version;
    return Ok();
  }
  if (local.version > remote.version && c.role == wire::kRoleBusinessUnit) {
    wire::PolicyMessage m;
    m.version = local.version;
    m.record = PolicyRecordWireText(local);
    m.device_id = c.device_id;
    const auto sig = store_.identity().Sign(AsBytes(wire::CanonicalPolicy(m.version, m.record)));
    m.signature.assign(sig.begin(), sig.end());
    Status st = client.PutPolicy(m);
    if (!st.ok() && st.error().code != ErrorCode::kConflict) return st;
    if (st.ok()) report.policy_pushed = m.version;
  }
  return Ok();
}

Status SyncService::PullTombstones(net::CasepackClient& client, SyncReport& report) {
  constexpr const char* kCursor = "sync_tombstone_seq";
  CP_ASSIGN_OR_RETURN(std::string cursor_text, ReadMetaText(store_.db(), kCursor));
  std::int64_t cursor = 0;
  if (!cursor_text.empty()) {
    auto parsed = wire::ParseTimeMs(cursor_text);  // a non-negative decimal
    if (!parsed) return MakeError(ErrorCode::kCorrupt, "the stored tombstone cursor is malformed");
    cursor = *parsed;
  }
  std::int64_t next = 0;
  CP_ASSIGN_OR_RETURN(std::vector<wire::TombstoneEntry> tombstones, client.ListTombstones(cursor, &next));
  RetentionService& retention = *retention_;
  CP_ASSIGN_OR_RETURN(ServerConfig config, Config());
  const bool is_bu = config.role == wire::kRoleBusinessUnit;
  bool blocked = false;
  for (const auto& e : tombstones) {
    CP_ASSIGN_OR_RETURN(Date purge_on, ParseDate(e.purge_on));
    Tombstone t;
    t.case_id = e.case_id;
    t.purge_on = purge_on;
    t.purged_at = FormatInstant(e.purged_at_ms);
    t.rule = "server tombstone";
    auto receipt = retention.ApplyRemoteTombstone(t);
    if (!receipt.ok() && receipt.error().code == ErrorCode::kConflict && !is_bu) {
      // The server purged, so no business-unit hold was in force there; only the Business Unit places
      // holds on the server. A hold still in this device's register is one whose release it never
      // received (the server purges right after the release): release it here (audited), then purge.
      CP_RETURN_IF_ERROR(retention.ReleaseHold(e.case_id));
      receipt = retention.ApplyRemoteTombstone(t);
    }
    if (!receipt.ok()) {
      // A local hold (or a failure) keeps the case; the cursor stays so the tombstone is retried.
      report.retention_errors.push_back(receipt.error().message);
      blocked = true;
      continue;
    }
    report.purged.push_back(e.case_id);
    if (!blocked) cursor = e.seq;
  }
  if (!blocked) cursor = std::max(cursor, next);
  return WriteMetaText(store_.db(), kCursor, std::to_string(cursor));
}

Status SyncService::PushRetention(net::CasepackClient& client, const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(ServerConfig c, Config());
  RetentionService& retention = *retention_;
  CP_ASSIGN_OR_RETURN(CaseRetention r, retention.ForCase(case_id));
  const bool held = r.hold.has_value();
  const std::string purge_on = r.deadline ? FormatDate(r.deadline->purge_on) : std::string();
  const bool is_bu = c.role == wire::kRoleBusinessUnit;
  // What this device last told the server, so an unchanged case costs no request.
  const std::string key = "sync_retention:" + case_id;
  const std::string state = purge_on + "|" + (is_bu ? (held ? "held" : "free") : "-");
  CP_ASSIGN_OR_RETURN(std::string sent, ReadMetaText(store_.db(), key));
  if (sent == state) return Ok();
  // The hold first: the server must never see a due date for a held case before it sees the hold.
  if (is_bu) CP_RETURN_IF_ERROR(client.SetHold(case_id, held));
  if (!purge_on.empty() || !sent.empty()) {
    Status put = client.PutPurgeDate(case_id, purge_on);
    // Only the Business Unit sets or brings forward a purge date (docs/api.md): a facilitator's report that
    // the server declines leaves the Business Unit's date in force; not an error here.
    if (!put.ok() && !(put.error().code == ErrorCode::kAuthFailed && !is_bu)) return put;
  }
  return WriteMetaText(store_.db(), key, state);
}

Status SyncService::ReportReceipts(net::CasepackClient& client, SyncReport& report) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT r.case_id, r.store_id, r.purged_at, r.public_key, r.signature, t.purge_on FROM purge_receipts r "
      "LEFT JOIN tombstones t ON t.case_id = r.case_id WHERE r.reported_at IS NULL ORDER BY r.case_id;"));
  struct Pending {
    wire::ReceiptMessage m;
    std::string purge_on;
  };
  std::vector<Pending> pending;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    pending.push_back(Pending{wire::ReceiptMessage{st.Text(0), st.Text(1), st.Text(2), Bytes(st.BlobView(3).begin(), st.BlobView(3).end()),
                                                   Bytes(st.BlobView(4).begin(), st.BlobView(4).end())},
                              st.IsNull(5) ? std::string() : st.Text(5)});
  }
  CP_ASSIGN_OR_RETURN(Statement mark, store_.db().Prepare("UPDATE purge_receipts SET reported_at = ? WHERE case_id = ?;"));
  for (const auto& p : pending) {
    // Purged here first (this device's own clock): tell the server the date so it purges its copy too.
    if (!p.purge_on.empty()) {
      Status d = client.PutPurgeDate(p.m.case_id, p.purge_on);
      if (!d.ok() && d.error().code == ErrorCode::kUnavailable) return d;
    }
    Status s = client.PostReceipt(p.m);
    if (!s.ok()) {
      if (s.error().code == ErrorCode::kUnavailable) return s;
      // Not a member on the server (a local-only case): nothing to confirm; keep it unreported.
      if (s.error().code != ErrorCode::kNotFound) report.retention_errors.push_back(s.error().message);
      continue;
    }
    mark.Reset();
    mark.Bind(1, UtcNowIso(store_.clock())).Bind(2, p.m.case_id);
    CP_RETURN_IF_ERROR(mark.Run());
    ++report.receipts_reported;
  }
  return Ok();
}

Result<std::vector<wire::CaseConfirmations>> SyncService::Confirmations(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  return client->ListConfirmations(case_id);
}

Result<SyncReport> SyncService::Sync(const ProgressFn& progress) {
  constexpr const char* kRunAgain = "nothing is lost: run 'casepack sync' again when the server is reachable";
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  SyncReport report;
  auto with_hint = [&](const Error& e) { return e.code == ErrorCode::kUnavailable ? e.WithHint(kRunAgain) : e; };
  // Retention first: the policy in force and the server's purges decide what is left to sync.
  if (Status s = SyncPolicy(*client, report); !s.ok()) return with_hint(s.error());
  if (Status s = PullTombstones(*client, report); !s.ok()) return with_hint(s.error());
  if (Status s = RefreshPeople(*client); !s.ok()) return with_hint(s.error());
  std::set<std::string> tombstoned;
  {
    RetentionService& retention = *retention_;
    CP_ASSIGN_OR_RETURN(std::vector<Tombstone> ts, retention.Tombstones());
    for (const auto& t : ts) tombstoned.insert(t.case_id);
  }
  auto listed_or = client->ListCases();
  if (!listed_or.ok()) return with_hint(listed_or.error());
  const std::vector<wire::CaseSummary>& listed = *listed_or;
  std::set<std::string> on_server;
  for (const auto& c : listed)
    if (!tombstoned.count(c.case_id)) on_server.insert(c.case_id);
  CP_ASSIGN_OR_RETURN(std::vector<std::string> all_local, CaseServiceInternal::AllCaseIds(cases_));
  std::vector<std::string> local;
  for (auto& id : all_local)
    if (!tombstoned.count(id)) local.push_back(std::move(id));
  const std::set<std::string> local_set(local.begin(), local.end());

  auto mark_on_server = [&](const std::string& id) { return CaseServiceInternal::MarkOnServer(cases_, id); };

  std::vector<std::string> to_sync;
  // Cases shared with us that this device has not seen.
  for (const auto& id : on_server) {
    if (local_set.count(id)) continue;
    CaseSyncReport r;
    r.case_id = id;
    r.received = true;
    if (Status s = CaseServiceInternal::CreateReceivedCase(cases_, id); !s.ok()) {
      r.error = CaseError(id, s.error()).message;
    } else if (Status m = mark_on_server(id); !m.ok()) {
      r.error = m.error().message;
    } else {
      to_sync.push_back(id);
    }
    report.cases.push_back(std::move(r));
  }
  // Cases made here: create them on the server, with our own envelope for epoch 1.
  for (const auto& id : local) {
    CaseSyncReport r;
    r.case_id = id;
    if (!on_server.count(id)) {
      CP_ASSIGN_OR_RETURN(bool was_on_server, CaseServiceInternal::WasOnServer(cases_, id));
      if (was_on_server) {
        r.error = "case " + id.substr(0, 8) + " is no longer on the server or no longer shared with you";
        report.cases.push_back(std::move(r));
        continue;
      }
      auto key = KeyFor(id, 1);
      const bool fresh_key = !key.ok();
      if (fresh_key) {
        CP_ASSIGN_OR_RETURN(SecretBytes fresh, SecretBytes::Random(32));
        key = std::move(fresh);
      }
      auto created = client->CreateCase(id, SealToPublicKey(store_.identity().public_keys().x25519, *key));
      if (!created.ok() && created.error().code != ErrorCode::kConflict) {
        if (created.error().code == ErrorCode::kUnavailable) return created.error().WithHint(kRunAgain);
        r.error = CaseError(id, created.error()).message;
        report.cases.push_back(std::move(r));
        continue;
      }
      if (!created.ok()) {
        // On the server, and not among the cases it lists for us: a case imported here from a pack whose
        // owner has not shared it with this user. Said once; the other cases sync (issue 16). A key made
        // here for it (by a build before this check) is not the case's: once shared, its envelopes bring
        // the right ones.
        CP_ASSIGN_OR_RETURN(Statement forget, store_.db().Prepare("DELETE FROM case_keys WHERE case_id = ?;"));
        forget.Bind(1, id);
        CP_RETURN_IF_ERROR(forget.Run());
        CP_ASSIGN_OR_RETURN(bool first_time, CaseServiceInternal::MarkNotShared(cases_, id));
        if (first_time)
          r.not_shared = "case " + id.substr(0, 8) + " is on the central store but not shared with you: ask the case's owner "
                         "to share it with you ('casepack case share " + id.substr(0, 8) + " --with YOUR NAME'); its edits here stay on this device until then";
        report.cases.push_back(std::move(r));
        continue;
      }
      // Kept only once the server holds the case (its envelope holds the key too, should this store stop
      // before it keeps it).
      if (fresh_key) CP_RETURN_IF_ERROR(CaseServiceInternal::KeepSharedKey(cases_, id, 1, *key));
      CP_RETURN_IF_ERROR(mark_on_server(id));
      r.created_on_server = true;
    } else {
      // Already on the server (made elsewhere, or imported here from a pack of the same case): make sure
      // it has a cursor row, or pulls would never be remembered.
      CP_RETURN_IF_ERROR(mark_on_server(id));
    }
    report.cases.push_back(std::move(r));
    to_sync.push_back(id);
  }
  for (const auto& id : to_sync) {
    auto it = std::find_if(report.cases.begin(), report.cases.end(), [&](const CaseSyncReport& c) { return c.case_id == id; });
    Status s = SyncCase(*client, id, *it, progress);
    if (!s.ok()) {
      // Lost connection: stop here (everything so far is committed); the next sync resumes.
      if (s.error().code == ErrorCode::kUnavailable) return s.error().WithHint(kRunAgain);
      it->error = CaseError(id, s.error()).message + (s.error().hint.empty() ? "" : " (" + s.error().hint + ")");
      continue;
    }
    // Keep the hold index in step with the synced register, so a hold placed elsewhere shows (and
    // counts) here too.
    if (Status h = CaseServiceInternal::RefreshHoldIndex(cases_, id); !h.ok()) report.retention_errors.push_back(CaseError(id, h.error()).message);
    // Tell the server this case's purge date and (business unit) its legal hold.
    Status r = PushRetention(*client, id);
    if (!r.ok()) {
      if (r.error().code == ErrorCode::kUnavailable) return r.error().WithHint("nothing is lost: run 'casepack sync' again when the server is reachable");
      report.retention_errors.push_back(CaseError(id, r.error()).message);
    }
  }
  CP_RETURN_IF_ERROR(ReportReceipts(*client, report));
  report.server_time_ms = client->latest_server_time_ms();
  if (report.server_time_ms > 0) {
    report.clock_offset_ms = store_.clock().NowMillis() - report.server_time_ms;
    if (std::abs(report.clock_offset_ms) > wire::kMaxClockSkewMs) report.clock_warning = net::DescribeClockOffset(report.clock_offset_ms);
  }
  // The authenticated server's clock feeds retention's clock, which only moves forward.
  if (report.server_time_ms > 0) CP_RETURN_IF_ERROR(TrustedClock(store_.db(), store_.clock()).ObserveServerTime(report.server_time_ms));
  Audit& audit = *audit_;
  for (const auto& c : report.cases) {
    if (c.pushed == 0 && c.pulled == 0 && c.blobs_up == 0 && c.blobs_down == 0 && !c.received) continue;
    (void)audit.Record(AuditKind::kSync, c.case_id,
                       "pushed " + std::to_string(c.pushed) + " pulled " + std::to_string(c.pulled) + " documents up " +
                           std::to_string(c.blobs_up) + " down " + std::to_string(c.blobs_down));
  }
  return report;
}

// ---- members ----

namespace {
std::string Folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

// A full user id, a unique prefix of 4+ characters of one (as `server users` lists them), or a user's name
// (case-insensitive; two users of one name are listed so the caller can give the id).
Result<wire::UserEntry> FindUserIn(const std::vector<wire::UserEntry>& users, const std::string& who) {
  std::vector<const wire::UserEntry*> by_id, by_name;
  for (const auto& u : users) {
    if (u.user_id == who) return u;
    if (who.size() >= 4 && u.user_id.starts_with(who)) by_id.push_back(&u);
    if (!u.name.empty() && Folded(u.name) == Folded(who)) by_name.push_back(&u);
  }
  const auto& matches = by_id.empty() ? by_name : by_id;
  if (matches.size() == 1) return *matches.front();
  if (matches.empty())
    return MakeError(ErrorCode::kNotFound, "no user " + who + " on the server",
                     "give a name or user id as 'casepack server users' lists them");
  std::string list;
  for (const auto* u : matches)
    list += (list.empty() ? "" : ", ") + (u->name.empty() ? std::string("(no name)") : u->name) + " " + u->user_id.substr(0, 8);
  return MakeError(ErrorCode::kInvalidArgument, "'" + who + "' matches " + std::to_string(matches.size()) + " users: " + list,
                   "give the user id instead (or its first 8 characters)");
}

Result<wire::UserEntry> SyncService::FindUser(const std::string& who) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client->ListUsers());
  return FindUserIn(users, who);
}

Status SyncService::Share(const std::string& case_id, const std::string& user_arg) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client->ListUsers());
  CP_ASSIGN_OR_RETURN(const wire::UserEntry found, FindUserIn(users, user_arg));
  const wire::UserEntry* user = &found;
  const std::string user_id = user->user_id;
  if (user->revoked) return MakeError(ErrorCode::kInvalidArgument, "user " + user_id + " has been revoked");
  const wire::DeviceKeys* device = nullptr;
  for (const auto& d : user->devices)
    if (!d.revoked && d.x25519.size() == kX25519PublicBytes) device = &d;
  if (device == nullptr) return MakeError(ErrorCode::kInvalidArgument, "user " + user_id + " has no active device");
  auto refreshed = EnsureCurrentKey(*client, case_id);
  if (!refreshed.ok()) {
    if (refreshed.error().code == ErrorCode::kNotFound)
      return MakeError(ErrorCode::kNotFound, "case " + case_id.substr(0, 8) + " is not on the server yet: it is sent at the next sync",
                       "run 'casepack sync' first, then share it");
    return refreshed;
  }
  CP_ASSIGN_OR_RETURN(std::int64_t current, CurrentEpoch(case_id));
  std::vector<wire::Envelope> envelopes;
  for (std::int64_t epoch = 1; epoch <= current; ++epoch) {
    auto key = KeyFor(case_id, epoch);
    if (!key.ok()) continue;
    envelopes.push_back(wire::Envelope{user_id, epoch,
                                       SealToPublicKey(std::span<const std::uint8_t, kX25519PublicBytes>(device->x25519.data(), kX25519PublicBytes), *key)});
  }
  CP_RETURN_IF_ERROR(client->AddMember(case_id, user_id, envelopes));
  (void)audit_->Record(AuditKind::kShare, case_id, "shared with user " + user_id);
  return Ok();
}

Status SyncService::Unshare(const std::string& case_id, const std::string& user_arg) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  CP_ASSIGN_OR_RETURN(std::vector<wire::UserEntry> users, client->ListUsers());
  CP_ASSIGN_OR_RETURN(const wire::UserEntry user, FindUserIn(users, user_arg));
  const std::string& user_id = user.user_id;
  auto removed = client->RemoveMember(case_id, user_id);
  if (!removed.ok()) {
    // Run again after being cut off between the two steps: the member is already removed; finish the rekey.
    if (removed.error().code != ErrorCode::kNotFound) return removed.error();
    auto members = client->ListMembers(case_id);
    if (!members.ok()) return members.error();
    const bool was_removed = std::any_of(members->begin(), members->end(),
                                         [&](const wire::MemberEntry& m) { return m.user_id == user_id && m.removed; });
    if (!was_removed) return removed.error();
  }
  CASEPACK_FAULT_POINT("unshare-removed");  // the member is out, the new epoch has no key yet
  CP_RETURN_IF_ERROR(EnsureCurrentKey(*client, case_id));
  CP_ASSIGN_OR_RETURN(std::int64_t epoch, CurrentEpoch(case_id));
  (void)audit_->Record(AuditKind::kShare, case_id, "removed user " + user_id + ", epoch " + std::to_string(epoch));
  return Ok();
}

Result<std::vector<wire::UserEntry>> SyncService::Users() {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  return client->ListUsers();
}

Result<wire::Invitation> SyncService::Invite(const std::string& role, std::int64_t expires_in_s) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  return client->CreateInvitation(role, expires_in_s);
}

Status SyncService::RevokeDevice(const std::string& device_id) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  return client->RevokeDevice(device_id);
}

Status SyncService::RevokeUser(const std::string& user_id) {
  CP_ASSIGN_OR_RETURN(auto client, Connect());
  return client->RevokeUser(user_id);
}

}  // namespace casepack
