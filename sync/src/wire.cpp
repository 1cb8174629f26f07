#include "casepack/wire.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "casepack/clock.h"
#include "casepack/hash.h"
#include "casepack/random.h"
#include "casepack/secret.h"

namespace casepack::wire {

using nlohmann::json;

std::string BodyHash(std::span<const std::uint8_t> body) {
  return HexEncode(Sha256(body));
}

std::string CanonicalRequest(std::string_view method, std::string_view target, std::int64_t time_ms,
                             std::string_view nonce, std::span<const std::uint8_t> body) {
  std::string s;
  s.reserve(kSignatureContext.size() + method.size() + target.size() + nonce.size() + 100);
  s.append(kSignatureContext).append("\n");
  s.append(method).append("\n");
  s.append(target).append("\n");
  s.append(std::to_string(time_ms)).append("\n");
  s.append(nonce).append("\n");
  s.append(BodyHash(body));
  return s;
}

SignedHeaders SignRequest(const Identity& identity, std::string_view method, std::string_view target,
                          std::int64_t time_ms, std::span<const std::uint8_t> body) {
  SignedHeaders h;
  h.time = std::to_string(time_ms);
  h.nonce = HexEncode(RandomBytes(16));
  const std::string canonical = CanonicalRequest(method, target, time_ms, h.nonce, body);
  const auto sig = identity.Sign(AsBytes(canonical));
  h.signature = Base64Encode(sig);
  return h;
}

Bytes OpBatchManifestHeader(std::string_view case_id) {
  Bytes m;
  m.reserve(kOpBatchContext.size() + case_id.size() + 2);
  m.insert(m.end(), kOpBatchContext.begin(), kOpBatchContext.end());
  m.push_back('\n');
  m.insert(m.end(), case_id.begin(), case_id.end());
  m.push_back('\n');
  return m;
}

void AppendOpBatchEntry(Bytes& manifest, std::string_view op_id, std::int64_t epoch, std::span<const std::uint8_t> blob) {
  const std::string e = std::to_string(epoch);
  const Sha256Digest digest = Sha256(blob);
  manifest.insert(manifest.end(), op_id.begin(), op_id.end());
  manifest.push_back('\n');
  manifest.insert(manifest.end(), e.begin(), e.end());
  manifest.push_back('\n');
  manifest.insert(manifest.end(), digest.begin(), digest.end());
}

std::optional<BatchSpan> ParseBatchOpId(std::string_view op_id) {
  if (op_id.size() < 20 || op_id[16] != '-' || !IsReplicaHex(op_id.substr(0, 16))) return std::nullopt;
  const std::size_t dash = op_id.find('-', 17);
  if (dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view d) -> std::optional<std::uint64_t> {
    if (d.empty() || d.size() > 10 || d[0] == '0') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : d) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xFFFFFFFFu) return std::nullopt;
    return v;
  };
  auto first = number(op_id.substr(17, dash - 17));
  auto last = number(op_id.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return BatchSpan{std::string(op_id.substr(0, 16)), *first, *last};
}

std::string BatchOpId(std::uint64_t replica, std::uint64_t first, std::uint64_t last) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx-%llu-%llu", static_cast<unsigned long long>(replica),
                static_cast<unsigned long long>(first), static_cast<unsigned long long>(last));
  return buf;
}

Bytes OpBatchManifest(std::string_view case_id, const std::vector<OpIn>& ops) {
  Bytes m = OpBatchManifestHeader(case_id);
  m.reserve(m.size() + ops.size() * 64);
  for (const auto& op : ops) AppendOpBatchEntry(m, op.op_id, op.epoch, op.blob);
  return m;
}

Bytes SignOpBatch(const Identity& device, std::span<const std::uint8_t> manifest) {
  const auto sig = device.Sign(manifest);
  return Bytes(sig.begin(), sig.end());
}

Status VerifyOpBatch(std::span<const std::uint8_t> ed25519_public, std::span<const std::uint8_t> manifest,
                     std::span<const std::uint8_t> signature) {
  if (signature.size() != kSignatureBytes || !VerifySignature(ed25519_public, manifest, signature)) {
    return MakeError(ErrorCode::kAuthFailed,
                     "a batch of operations was altered or forged: it is not signed by the device that pushed it");
  }
  return Ok();
}

std::optional<std::int64_t> ParseTimeMs(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int d = c - '0';
    if (v > (std::numeric_limits<std::int64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

namespace {
bool IsLowerHex(std::string_view s, std::size_t size) {
  return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
}  // namespace

bool IsHexId(std::string_view id) { return IsLowerHex(id, 32); }
bool IsReplicaHex(std::string_view replica) { return IsLowerHex(replica, 16); }

bool IsNonce(std::string_view nonce) { return IsHexId(nonce); }

bool IsOpaqueId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status VerifyRequest(std::span<const std::uint8_t> ed25519_public, std::string_view method,
                     std::string_view target, std::string_view time, std::string_view nonce,
                     std::string_view signature_b64, std::span<const std::uint8_t> body) {
  const auto t = ParseTimeMs(time);
  if (!t) return MakeError(ErrorCode::kInvalidArgument, "malformed request time");
  if (!IsNonce(nonce)) return MakeError(ErrorCode::kInvalidArgument, "malformed request nonce");
  auto sig = Base64Decode(signature_b64);
  if (!sig.ok() || sig->size() != kSignatureBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed request signature");
  }
  if (ed25519_public.size() != kEd25519PublicBytes) {
    return MakeError(ErrorCode::kAuthFailed, "device key has the wrong size");
  }
  const std::string canonical = CanonicalRequest(method, target, *t, nonce, body);
  if (!VerifySignature(ed25519_public, AsBytes(canonical), *sig)) {
    return MakeError(ErrorCode::kAuthFailed, "request signature does not verify");
  }
  return Ok();
}

std::int64_t NowMs() { return SystemClock().NowMillis(); }

namespace {

// Base64 (RFC 4648 §4, with padding) for the wire's byte fields. These are ciphertext, envelopes and public
// keys, never secrets, so a table-driven codec is used instead of libsodium's constant-time one (which was
// the largest single cost of pulling pages). Decoding is strict: padding required, no whitespace, and
// unused trailing bits must be zero, so every byte string has exactly one accepted encoding.
constexpr char kB64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct B64Table {
  std::int8_t v[256];
  constexpr B64Table() : v() {
    for (auto& x : v) x = -1;
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(kB64Alphabet[i])] = static_cast<std::int8_t>(i);
  }
};
constexpr B64Table kB64Table;

std::string WireBase64Encode(std::span<const std::uint8_t> in) {
  std::string out;
  out.resize((in.size() + 2) / 3 * 4);
  std::size_t o = 0, i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out[o++] = kB64Alphabet[(n >> 18) & 63];
    out[o++] = kB64Alphabet[(n >> 12) & 63];
    out[o++] = kB64Alphabet[(n >> 6) & 63];
    out[o++] = kB64Alphabet[n & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t{in[i]} << 16;
    if (rest == 2) n |= std::uint32_t{in[i + 1]} << 8;
    out[o++] = kB64Alphabet[(n >> 18) & 63];
    out[o++] = kB64Alphabet[(n >> 12) & 63];
    out[o++] = rest == 2 ? kB64Alphabet[(n >> 6) & 63] : '=';
    out[o++] = '=';
  }
  return out;
}

std::optional<Bytes> WireBase64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!in.empty() && in[in.size() - 1] == '=') pad = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
  Bytes out(in.size() / 4 * 3 - pad);
  std::size_t o = 0;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    std::uint32_t n = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = in[i + k];
      int d;
      if (c == '=' && last && k >= 4 - pad) {
        d = 0;
      } else {
        d = kB64Table.v[static_cast<unsigned char>(c)];
        if (d < 0) return std::nullopt;
      }
      n = (n << 6) | static_cast<std::uint32_t>(d);
    }
    if (last && pad == 2) {
      if ((n & 0xFFFF) != 0) return std::nullopt;  // non-canonical trailing bits
      out[o++] = static_cast<std::uint8_t>(n >> 16);
    } else if (last && pad == 1) {
      if ((n & 0xFF) != 0) return std::nullopt;
      out[o++] = static_cast<std::uint8_t>(n >> 16);
      out[o++] = static_cast<std::uint8_t>(n >> 8);
    } else {
      out[o++] = static_cast<std::uint8_t>(n >> 16);
      out[o++] = static_cast<std::uint8_t>(n >> 8);
      out[o++] = static_cast<std::uint8_t>(n);
    }
  }
  return out;
}

}  // namespace

// ---- JSON helpers. Every accessor checks the type first, so no nlohmann exception escapes. ----
namespace {

Error Bad(std::string what) { return MakeError(ErrorCode::kInvalidArgument, std::move(what)); }

Result<json> ParseObject(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("malformed json");
  if (!j.is_object()) return Bad("expected a json object");
  return j;
}

Result<std::string> GetString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return Bad(std::string("missing or non-string field ") + key);
  return it->get<std::string>();
}

Result<std::int64_t> GetInt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return Bad(std::string("missing or non-integer field ") + key);
  if (it->is_number_unsigned() && it->get<std::uint64_t>() >
                                      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Bad(std::string("field out of range: ") + key);
  }
  return it->get<std::int64_t>();
}

Result<bool> GetBool(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return Bad(std::string("missing or non-boolean field ") + key);
  return it->get<bool>();
}

Result<Bytes> GetBase64(const json& j, const char* key) {
  CP_ASSIGN_OR_RETURN(std::string s, GetString(j, key));
  auto b = WireBase64Decode(s);
  if (!b) return Bad(std::string("field is not base64: ") + key);
  return std::move(*b);
}

Result<const json*> GetArray(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return Bad(std::string("missing or non-array field ") + key);
  return &*it;
}

Result<std::string> GetHexId(const json& j, const char* key) {
  CP_ASSIGN_OR_RETURN(std::string s, GetString(j, key));
  if (!IsHexId(s)) return Bad(std::string("malformed id in field ") + key);
  return s;
}

Result<std::string> GetRole(const json& j, const char* key) {
  CP_ASSIGN_OR_RETURN(std::string s, GetString(j, key));
  if (s != kRoleBusinessUnit && s != kRoleFacilitator) return Bad("unknown role");
  return s;
}

std::string B64(const Bytes& b) { return WireBase64Encode(b); }

Result<Envelope> EnvelopeFrom(const json& e) {
  if (!e.is_object()) return Bad("envelope is not an object");
  Envelope env;
  CP_ASSIGN_OR_RETURN(env.user_id, GetHexId(e, "user_id"));
  CP_ASSIGN_OR_RETURN(env.epoch, GetInt(e, "epoch"));
  CP_ASSIGN_OR_RETURN(env.sealed, GetBase64(e, "sealed"));
  if (env.epoch < 1) return Bad("epoch must be at least 1");
  if (env.sealed.empty()) return Bad("empty envelope");
  return env;
}

json EnvelopeJson(const Envelope& e) {
  return json{{"user_id", e.user_id}, {"epoch", e.epoch}, {"sealed", B64(e.sealed)}};
}

}  // namespace

bool ValidPersonName(std::string_view name) {
  if (name.empty() || name.size() > 80) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string ToJson(const EnrollRequest& m) {
  json j{{"code", m.code}, {"x25519", B64(m.x25519)}, {"ed25519", B64(m.ed25519)}};
  if (!m.name.empty()) j["name"] = m.name;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<EnrollRequest> ParseEnrollRequest(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  EnrollRequest m;
  CP_ASSIGN_OR_RETURN(m.code, GetString(j, "code"));
  CP_ASSIGN_OR_RETURN(m.x25519, GetBase64(j, "x25519"));
  CP_ASSIGN_OR_RETURN(m.ed25519, GetBase64(j, "ed25519"));
  if (m.code.empty() || m.code.size() > 256) return Bad("malformed invitation code");
  if (m.x25519.size() != kX25519PublicBytes) return Bad("x25519 key must be 32 bytes");
  if (m.ed25519.size() != kEd25519PublicBytes) return Bad("ed25519 key must be 32 bytes");
  if (j.contains("name")) {
    CP_ASSIGN_OR_RETURN(m.name, GetString(j, "name"));
    if (!ValidPersonName(m.name)) return Bad("name must be 1 to 80 characters on one line");
  }
  return m;
}

std::string ToJson(const Principal& m) {
  return json{{"user_id", m.user_id}, {"device_id", m.device_id}, {"role", m.role}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<Principal> ParsePrincipal(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  Principal m;
  CP_ASSIGN_OR_RETURN(m.user_id, GetHexId(j, "user_id"));
  CP_ASSIGN_OR_RETURN(m.device_id, GetHexId(j, "device_id"));
  CP_ASSIGN_OR_RETURN(m.role, GetRole(j, "role"));
  return m;
}

std::string ToJson(const InvitationRequest& m) {
  return json{{"role", m.role}, {"expires_in_s", m.expires_in_s}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<InvitationRequest> ParseInvitationRequest(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  InvitationRequest m;
  CP_ASSIGN_OR_RETURN(m.role, GetRole(j, "role"));
  if (j.contains("expires_in_s")) {
    CP_ASSIGN_OR_RETURN(m.expires_in_s, GetInt(j, "expires_in_s"));
  }
  if (m.expires_in_s < 60 || m.expires_in_s > 90LL * 24 * 3600) {
    return Bad("expires_in_s must be between 60 seconds and 90 days");
  }
  return m;
}

std::string ToJson(const Invitation& m) {
  return json{{"code", m.code}, {"role", m.role}, {"expires_at_ms", m.expires_at_ms}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<Invitation> ParseInvitation(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  Invitation m;
  CP_ASSIGN_OR_RETURN(m.code, GetString(j, "code"));
  CP_ASSIGN_OR_RETURN(m.role, GetRole(j, "role"));
  CP_ASSIGN_OR_RETURN(m.expires_at_ms, GetInt(j, "expires_at_ms"));
  return m;
}

std::string ToJson(const std::vector<UserEntry>& users) {
  json arr = json::array();
  for (const auto& u : users) {
    json devs = json::array();
    for (const auto& d : u.devices) {
      devs.push_back(json{{"device_id", d.device_id},
                          {"x25519", B64(d.x25519)},
                          {"ed25519", B64(d.ed25519)},
                          {"revoked", d.revoked}});
    }
    json entry{{"user_id", u.user_id}, {"role", u.role}, {"revoked", u.revoked}, {"devices", devs}};
    if (!u.name.empty()) entry["name"] = u.name;
    arr.push_back(std::move(entry));
  }
  return json{{"users", arr}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<UserEntry>> ParseUserList(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "users"));
  std::vector<UserEntry> out;
  for (const auto& u : *arr) {
    if (!u.is_object()) return Bad("user entry is not an object");
    UserEntry e;
    CP_ASSIGN_OR_RETURN(e.user_id, GetHexId(u, "user_id"));
    CP_ASSIGN_OR_RETURN(e.role, GetRole(u, "role"));
    CP_ASSIGN_OR_RETURN(e.revoked, GetBool(u, "revoked"));
    if (u.contains("name")) {
      CP_ASSIGN_OR_RETURN(e.name, GetString(u, "name"));
      if (!ValidPersonName(e.name)) return Bad("user name must be 1 to 80 characters on one line");
    }
    CP_ASSIGN_OR_RETURN(const json* devs, GetArray(u, "devices"));
    for (const auto& d : *devs) {
      if (!d.is_object()) return Bad("device entry is not an object");
      DeviceKeys k;
      CP_ASSIGN_OR_RETURN(k.device_id, GetHexId(d, "device_id"));
      CP_ASSIGN_OR_RETURN(k.x25519, GetBase64(d, "x25519"));
      CP_ASSIGN_OR_RETURN(k.ed25519, GetBase64(d, "ed25519"));
      CP_ASSIGN_OR_RETURN(k.revoked, GetBool(d, "revoked"));
      e.devices.push_back(std::move(k));
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string ToJson(const CreateCaseRequest& m) {
  return json{{"case_id", m.case_id}, {"envelope", B64(m.envelope)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<CreateCaseRequest> ParseCreateCaseRequest(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CreateCaseRequest m;
  CP_ASSIGN_OR_RETURN(m.case_id, GetHexId(j, "case_id"));
  CP_ASSIGN_OR_RETURN(m.envelope, GetBase64(j, "envelope"));
  if (m.envelope.empty()) return Bad("empty envelope");
  return m;
}

std::string ToJson(const CaseSummary& m) { return json{{"case_id", m.case_id}, {"epoch", m.epoch}}.dump(-1, ' ', false, json::error_handler_t::replace); }
Result<CaseSummary> ParseCaseSummary(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CaseSummary m;
  CP_ASSIGN_OR_RETURN(m.case_id, GetHexId(j, "case_id"));
  CP_ASSIGN_OR_RETURN(m.epoch, GetInt(j, "epoch"));
  return m;
}
std::string ToJson(const std::vector<CaseSummary>& cases) {
  json arr = json::array();
  for (const auto& c : cases) arr.push_back(json{{"case_id", c.case_id}, {"epoch", c.epoch}});
  return json{{"cases", arr}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<CaseSummary>> ParseCaseList(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "cases"));
  std::vector<CaseSummary> out;
  for (const auto& c : *arr) {
    if (!c.is_object()) return Bad("case entry is not an object");
    CaseSummary s;
    CP_ASSIGN_OR_RETURN(s.case_id, GetHexId(c, "case_id"));
    CP_ASSIGN_OR_RETURN(s.epoch, GetInt(c, "epoch"));
    out.push_back(std::move(s));
  }
  return out;
}

std::string ToJson(const std::vector<ReplicaLast>& replicas) {
  json arr = json::array();
  for (const auto& r : replicas)
    arr.push_back(json{{"replica", r.replica}, {"last", r.last}, {"unsigned", r.unsigned_ops}});
  return json{{"replicas", arr}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<ReplicaLast>> ParseReplicaList(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "replicas"));
  std::vector<ReplicaLast> out;
  for (const auto& r : *arr) {
    if (!r.is_object() || !r.contains("replica") || !r["replica"].is_string()) return Bad("replica entry is malformed");
    ReplicaLast e;
    e.replica = r["replica"].get<std::string>();
    if (e.replica.size() != 16 || e.replica.find_first_not_of("0123456789abcdef") != std::string::npos)
      return Bad("malformed replica id");
    CP_ASSIGN_OR_RETURN(e.last, GetInt(r, "last"));
    if (r.contains("unsigned")) {
      CP_ASSIGN_OR_RETURN(e.unsigned_ops, GetInt(r, "unsigned"));
      if (e.unsigned_ops < 0) return Bad("negative unsigned count");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string ToJson(const AddMemberRequest& m) {
  json envs = json::array();
  for (const auto& e : m.envelopes) envs.push_back(EnvelopeJson(e));
  return json{{"user_id", m.user_id}, {"envelopes", envs}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<AddMemberRequest> ParseAddMemberRequest(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  AddMemberRequest m;
  CP_ASSIGN_OR_RETURN(m.user_id, GetHexId(j, "user_id"));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "envelopes"));
  for (const auto& e : *arr) {
    CP_ASSIGN_OR_RETURN(Envelope env, EnvelopeFrom(e));
    if (env.user_id != m.user_id) return Bad("envelope addressed to another user");
    m.envelopes.push_back(std::move(env));
  }
  if (m.envelopes.empty()) return Bad("at least one envelope is required");
  return m;
}

std::string EnvelopesToJson(const std::vector<Envelope>& envelopes, std::int64_t current_epoch) {
  json arr = json::array();
  for (const auto& e : envelopes) arr.push_back(EnvelopeJson(e));
  return json{{"epoch", current_epoch}, {"envelopes", arr}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<Envelope>> ParseEnvelopes(std::string_view text, std::int64_t* current_epoch) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  if (current_epoch != nullptr) {
    CP_ASSIGN_OR_RETURN(*current_epoch, GetInt(j, "epoch"));
  }
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "envelopes"));
  std::vector<Envelope> out;
  for (const auto& e : *arr) {
    CP_ASSIGN_OR_RETURN(Envelope env, EnvelopeFrom(e));
    out.push_back(std::move(env));
  }
  return out;
}

std::string ToJson(const std::vector<MemberEntry>& members, std::int64_t epoch) {
  json arr = json::array();
  for (const auto& m : members) arr.push_back(json{{"user_id", m.user_id}, {"removed", m.removed}});
  return json{{"epoch", epoch}, {"members", arr}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<MemberEntry>> ParseMemberList(std::string_view text, std::int64_t* epoch) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  if (epoch != nullptr) {
    CP_ASSIGN_OR_RETURN(*epoch, GetInt(j, "epoch"));
  }
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "members"));
  std::vector<MemberEntry> out;
  for (const auto& m : *arr) {
    if (!m.is_object()) return Bad("member entry is not an object");
    MemberEntry e;
    CP_ASSIGN_OR_RETURN(e.user_id, GetHexId(m, "user_id"));
    CP_ASSIGN_OR_RETURN(e.removed, GetBool(m, "removed"));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::map<std::string, OpBatchEntry, std::less<>>> ParseOpBatchManifest(std::span<const std::uint8_t> manifest,
                                                                              std::string_view case_id) {
  const std::string_view text(reinterpret_cast<const char*>(manifest.data()), manifest.size());
  std::size_t pos = 0;
  auto line = [&](std::string_view* out) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    *out = text.substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  };
  std::string_view context, place;
  if (!line(&context) || context != kOpBatchContext || !line(&place) || place != case_id)
    return Bad("op batch manifest is malformed or for another case");
  std::map<std::string, OpBatchEntry, std::less<>> out;
  while (pos < text.size()) {
    std::string_view op_id, epoch;
    if (!line(&op_id) || !IsOpaqueId(op_id) || !line(&epoch) || text.size() - pos < kSha256Bytes)
      return Bad("op batch manifest is malformed");
    auto e = ParseTimeMs(epoch);  // a decimal without sign or leading zeros, as the manifest writes it
    if (!e) return Bad("op batch manifest is malformed");
    OpBatchEntry entry;
    entry.epoch = *e;
    std::memcpy(entry.digest.data(), text.data() + pos, kSha256Bytes);
    pos += kSha256Bytes;
    out.insert_or_assign(std::string(op_id), entry);
  }
  return out;
}

std::string OpsPushToJson(const std::vector<OpIn>& ops, const Bytes& batch_sig) {
  json arr = json::array();
  for (const auto& o : ops) arr.push_back(json{{"op_id", o.op_id}, {"epoch", o.epoch}, {"blob", B64(o.blob)}});
  return json{{"ops", arr}, {"sig", B64(batch_sig)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<OpIn>> ParseOpsPush(std::string_view text, Bytes* batch_sig) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "ops"));
  CP_ASSIGN_OR_RETURN(*batch_sig, GetBase64(j, "sig"));
  if (batch_sig->size() != kSignatureBytes) return Bad("batch sig is not 64 bytes");
  std::vector<OpIn> out;
  out.reserve(arr->size());
  for (const auto& o : *arr) {
    if (!o.is_object()) return Bad("op is not an object");
    OpIn op;
    CP_ASSIGN_OR_RETURN(op.op_id, GetString(o, "op_id"));
    if (!IsOpaqueId(op.op_id)) return Bad("malformed op_id");
    CP_ASSIGN_OR_RETURN(op.epoch, GetInt(o, "epoch"));
    CP_ASSIGN_OR_RETURN(op.blob, GetBase64(o, "blob"));
    if (op.blob.empty()) return Bad("empty op blob");
    out.push_back(std::move(op));
  }
  return out;
}

std::string ToJson(const OpSignaturesRequest& m) {
  return json{{"op_ids", m.op_ids}, {"sig", B64(m.sig)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<OpSignaturesRequest> ParseOpSignatures(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "op_ids"));
  OpSignaturesRequest out;
  CP_ASSIGN_OR_RETURN(out.sig, GetBase64(j, "sig"));
  if (out.sig.size() != kSignatureBytes) return Bad("sig is not 64 bytes");
  for (const auto& id : *arr) {
    if (!id.is_string() || !IsOpaqueId(id.get<std::string>())) return Bad("malformed op_id");
    out.op_ids.push_back(id.get<std::string>());
  }
  if (out.op_ids.empty()) return Bad("no op ids");
  return out;
}

std::string ToJson(const std::vector<OpAck>& acks) {
  json arr = json::array();
  for (const auto& a : acks) arr.push_back(json{{"op_id", a.op_id}, {"seq", a.seq}});
  return json{{"acks", arr}}.dump(-1, ' ', false, json::error_handler_t::replace);
}
Result<std::vector<OpAck>> ParseOpAcks(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "acks"));
  std::vector<OpAck> out;
  for (const auto& a : *arr) {
    if (!a.is_object()) return Bad("ack is not an object");
    OpAck ack;
    CP_ASSIGN_OR_RETURN(ack.op_id, GetString(a, "op_id"));
    CP_ASSIGN_OR_RETURN(ack.seq, GetInt(a, "seq"));
    out.push_back(std::move(ack));
  }
  return out;
}

namespace {
// Pull pages are the bulk of the traffic, so they are written directly rather than through a json DOM.
// Only for strings that need no escaping (ids are validated to a safe alphabet); otherwise nlohmann.
bool PlainJsonString(std::string_view s) {
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}
void AppendJsonString(std::string& out, std::string_view s) {
  if (PlainJsonString(s)) {
    out.push_back('"');
    out.append(s);
    out.push_back('"');
  } else {
    out.append(json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}
}  // namespace

std::string ToJson(const OpsPage& page) {
  std::string out;
  std::size_t estimate = 64;
  for (const auto& o : page.ops) estimate += 120 + o.op_id.size() + o.device_id.size() + o.blob.size() * 4 / 3;
  for (const auto& b : page.batches) estimate += 200 + b.device_id.size() + b.manifest.size() * 4 / 3;
  out.reserve(estimate);
  out.append("{\"ops\":[");
  bool first = true;
  for (const auto& o : page.ops) {
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"seq\":").append(std::to_string(o.seq));
    out.append(",\"op_id\":");
    AppendJsonString(out, o.op_id);
    out.append(",\"epoch\":").append(std::to_string(o.epoch));
    out.append(",\"device_id\":");
    AppendJsonString(out, o.device_id);
    out.append(",\"blob\":\"").append(B64(o.blob));
    out.append("\",\"batch\":").append(std::to_string(o.batch)).append("}");
  }
  out.append("],\"batches\":[");
  first = true;
  for (const auto& b : page.batches) {
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"batch\":").append(std::to_string(b.batch));
    out.append(",\"device_id\":");
    AppendJsonString(out, b.device_id);
    out.append(",\"manifest\":\"").append(B64(b.manifest));
    out.append("\",\"sig\":\"").append(B64(b.sig)).append("\"}");
  }
  out.append("],\"next_after\":").append(std::to_string(page.next_after));
  out.append(",\"more\":").append(page.more ? "true" : "false").append("}");
  return out;
}
namespace {
// Pull pages are parsed with a SAX handler rather than a DOM: a page holds thousands of ops and a
// client pulls every op of every case, so this is the client's hottest path. Same rules as the DOM
// parsers: required fields with the right types, unknown keys ignored, anything malformed rejected.
class OpsPageHandler {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return Scalar(); }
  bool boolean(bool v) {
    if (level_ == 1 && top_key_ == "more") {
      page_.more = v;
      have_more_ = true;
      return true;
    }
    return Scalar();
  }
  bool number_integer(number_integer_t v) { return Integer(v); }
  bool number_unsigned(number_unsigned_t v) {
    if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) return Fail("integer out of range");
    return Integer(static_cast<std::int64_t>(v));
  }
  bool number_float(number_float_t, const string_t&) { return Scalar(); }
  bool binary(binary_t&) { return Scalar(); }
  bool string(string_t& v) { return StringView(v); }
  bool StringView(std::string_view v) {
    if (InOp()) {
      if (item_key_ == "op_id") return Set(&op_.op_id, std::string(v), kOpId);
      if (item_key_ == "device_id") return Set(&op_.device_id, std::string(v), kDeviceId);
      if (item_key_ == "blob") return SetBase64(&op_.blob, v, kBlob);
    }
    if (InBatch()) {
      if (item_key_ == "device_id") return Set(&batch_.device_id, std::string(v), kDeviceId);
      if (item_key_ == "manifest") return SetBase64(&batch_.manifest, v, kBlob);
      if (item_key_ == "sig") return SetBase64(&batch_.sig, v, kOpId);
    }
    return Scalar();
  }
  bool start_object(std::size_t) {
    if (!Container()) return false;
    ++level_;
    if (level_ == 3 && in_ != kNone) {
      op_ = OpOut{};
      batch_ = OpBatch{};
      fields_ = 0;
      item_key_.clear();
    }
    return true;
  }
  bool key(string_t& k) { return KeyView(k); }
  bool KeyView(std::string_view k) {
    if (level_ == 1) top_key_ = k;
    if (level_ == 3 && in_ != kNone) item_key_ = k;
    return true;
  }
  bool end_object() {
    if (InOp()) {
      if (fields_ != kAllOp) return Fail("op is missing a field");
      page_.ops.push_back(std::move(op_));
    }
    if (InBatch()) {
      if (fields_ != kAllBatch) return Fail("batch is missing a field");
      page_.batches.push_back(std::move(batch_));
    }
    --level_;
    return true;
  }
  bool start_array(std::size_t) {
    if (level_ == 0) return Fail("expected a json object");
    if (level_ == 2 && in_ != kNone) return Fail(ItemName() + " is not an object");
    if (level_ == 1 && (top_key_ == "ops" || top_key_ == "batches")) {
      ++level_;
      in_ = top_key_ == "ops" ? kOps : kBatches;
      (in_ == kOps ? have_ops_ : have_batches_) = true;
      return true;
    }
    if (!Container()) return false;
    ++level_;
    return true;
  }
  bool end_array() {
    if (level_ == 2 && in_ != kNone) in_ = kNone;
    --level_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return Fail("malformed json");
  }

  Result<OpsPage> Take() {
    if (!error_.empty()) return Bad(error_);
    if (!have_ops_) return Bad("missing or non-array field ops");
    if (!have_batches_) return Bad("missing or non-array field batches");
    if (!have_next_) return Bad("missing or non-integer field next_after");
    if (!have_more_) return Bad("missing or non-boolean field more");
    return std::move(page_);
  }
  bool started_with_object() const { return first_is_object_; }

 private:
  // Field bits; a batch reuses them (kOpId: sig, kBlob: manifest, kSeq: batch).
  static constexpr int kSeq = 1, kOpId = 2, kEpoch = 4, kDeviceId = 8, kBlob = 16, kBatch = 32, kAllOp = 63,
                       kAllBatch = kSeq | kOpId | kDeviceId | kBlob;
  enum Array { kNone, kOps, kBatches };

  bool InOp() const { return level_ == 3 && in_ == kOps; }
  bool InBatch() const { return level_ == 3 && in_ == kBatches; }
  std::string ItemName() const { return in_ == kOps ? "op" : "batch"; }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  // A scalar where a known field or an item was expected is an error; elsewhere it is ignored.
  bool Scalar() {
    if (level_ == 0) return Fail("expected a json object");
    if (level_ == 2 && in_ != kNone) return Fail(ItemName() + " is not an object");
    if (level_ == 1 && (top_key_ == "ops" || top_key_ == "batches" || top_key_ == "next_after" || top_key_ == "more")) {
      return Fail("wrong type for field " + top_key_);
    }
    if (InOp() && (item_key_ == "seq" || item_key_ == "op_id" || item_key_ == "epoch" || item_key_ == "device_id" ||
                   item_key_ == "blob" || item_key_ == "batch")) {
      return Fail("wrong type for field " + item_key_);
    }
    if (InBatch() && (item_key_ == "batch" || item_key_ == "device_id" || item_key_ == "manifest" || item_key_ == "sig")) {
      return Fail("wrong type for field " + item_key_);
    }
    return true;
  }
  // An object or array as a value: allowed only where nothing specific is expected.
  bool Container() {
    if (level_ == 0) {
      first_is_object_ = true;
      return true;
    }
    if (level_ == 2 && in_ != kNone) return true;  // an item object (arrays there are refused in start_array)
    return Scalar();
  }
  bool Integer(std::int64_t v) {
    if (level_ == 1 && top_key_ == "next_after") {
      page_.next_after = v;
      have_next_ = true;
      return true;
    }
    if (InOp() && item_key_ == "seq") return SetInt(&op_.seq, v, kSeq);
    if (InOp() && item_key_ == "epoch") return SetInt(&op_.epoch, v, kEpoch);
    if (InOp() && item_key_ == "batch") return SetInt(&op_.batch, v, kBatch);
    if (InBatch() && item_key_ == "batch") return SetInt(&batch_.batch, v, kSeq);
    return Scalar();
  }
  bool Set(std::string* field, std::string v, int bit) {
    *field = std::move(v);
    fields_ |= bit;
    return true;
  }
  bool SetBase64(Bytes* field, std::string_view v, int bit) {
    auto b = WireBase64Decode(v);
    if (!b) return Fail("field is not base64: " + item_key_);
    *field = std::move(*b);
    fields_ |= bit;
    return true;
  }
  bool SetInt(std::int64_t* field, std::int64_t v, int bit) {
    *field = v;
    fields_ |= bit;
    return true;
  }

  OpsPage page_;
  OpOut op_;
  OpBatch batch_;
  int fields_ = 0;
  int level_ = 0;
  Array in_ = kNone;
  bool have_ops_ = false, have_batches_ = false, have_next_ = false, have_more_ = false, first_is_object_ = false;
  std::string top_key_, item_key_, error_;
};

// A fast tokenizer for the common shape of a page, feeding the same handler as nlohmann's SAX parser.
// It handles a strict subset of JSON (no string escapes, no non-ASCII, integers only, bounded depth) and
// says kFallback for anything else, including any syntax error; the input then goes through nlohmann,
// which is the reference. So it can only be faster, never more lenient (checked differentially by
// tests/fuzz/server against ParseOpsPageReference).
class FastPageScanner {
 public:
  enum class Outcome { kOk, kRejected, kFallback };
  FastPageScanner(std::string_view text, OpsPageHandler& h) : p_(text.data()), end_(text.data() + text.size()), h_(h) {}

  Outcome Run() {
    Ws();
    if (p_ == end_ || *p_ != '{') return Outcome::kFallback;
    Outcome r = Value(0);
    if (r != Outcome::kOk) return r;
    Ws();
    return p_ == end_ ? Outcome::kOk : Outcome::kFallback;
  }

 private:
  static Outcome Accept(bool handler_ok) { return handler_ok ? Outcome::kOk : Outcome::kRejected; }
  void Ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool String(std::string_view* out) {  // at '"'
    ++p_;
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    *out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }
  bool Literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  Outcome Number() {
    bool negative = false;
    if (*p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return Outcome::kFallback;
    if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') return Outcome::kFallback;
    std::uint64_t v = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      const auto d = static_cast<std::uint64_t>(*p_ - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return Outcome::kFallback;
      v = v * 10 + d;
      ++p_;
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return Outcome::kFallback;
    if (negative) {
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return Outcome::kFallback;
      return Accept(h_.number_integer(-static_cast<std::int64_t>(v)));
    }
    return Accept(h_.number_unsigned(v));
  }
  Outcome Value(int depth) {
    if (p_ == end_ || depth > 32) return Outcome::kFallback;
    switch (*p_) {
      case '{': return Object(depth);
      case '[': return Array(depth);
      case '"': {
        std::string_view sv;
        if (!String(&sv)) return Outcome::kFallback;
        return Accept(h_.StringView(sv));
      }
      case 't': return Literal("true") ? Accept(h_.boolean(true)) : Outcome::kFallback;
      case 'f': return Literal("false") ? Accept(h_.boolean(false)) : Outcome::kFallback;
      case 'n': return Literal("null") ? Accept(h_.null()) : Outcome::kFallback;
      default: return Number();
    }
  }
  Outcome Object(int depth) {
    ++p_;
    if (!h_.start_object(0)) return Outcome::kRejected;
    Ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return Accept(h_.end_object());
    }
    while (true) {
      std::string_view key;
      if (p_ == end_ || *p_ != '"' || !String(&key)) return Outcome::kFallback;
      if (!h_.KeyView(key)) return Outcome::kRejected;
      Ws();
      if (p_ == end_ || *p_ != ':') return Outcome::kFallback;
      ++p_;
      Ws();
      Outcome r = Value(depth + 1);
      if (r != Outcome::kOk) return r;
      Ws();
      if (p_ == end_) return Outcome::kFallback;
      if (*p_ == ',') {
        ++p_;
        Ws();
        continue;
      }
      if (*p_ != '}') return Outcome::kFallback;
      ++p_;
      return Accept(h_.end_object());
    }
  }
  Outcome Array(int depth) {
    ++p_;
    if (!h_.start_array(0)) return Outcome::kRejected;
    Ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return Accept(h_.end_array());
    }
    while (true) {
      Outcome r = Value(depth + 1);
      if (r != Outcome::kOk) return r;
      Ws();
      if (p_ == end_) return Outcome::kFallback;
      if (*p_ == ',') {
        ++p_;
        Ws();
        continue;
      }
      if (*p_ != ']') return Outcome::kFallback;
      ++p_;
      return Accept(h_.end_array());
    }
  }

  const char* p_;
  const char* end_;
  OpsPageHandler& h_;
};

}  // namespace

namespace detail {
Result<OpsPage> ParseOpsPageReference(std::string_view text) {
  OpsPageHandler handler;
  const bool ok = json::sax_parse(text.begin(), text.end(), &handler, json::input_format_t::json, true, false);
  if (!handler.started_with_object() && ok) return Bad("expected a json object");
  auto page = handler.Take();
  if (!page.ok()) return page.error();
  if (!ok) return Bad("malformed json");
  return page;
}
}  // namespace detail

Result<OpsPage> ParseOpsPage(std::string_view text) {
  OpsPageHandler handler;
  switch (FastPageScanner(text, handler).Run()) {
    case FastPageScanner::Outcome::kOk:
    case FastPageScanner::Outcome::kRejected:
      return handler.Take();
    case FastPageScanner::Outcome::kFallback:
      break;
  }
  return detail::ParseOpsPageReference(text);
}

std::string ToJson(const ErrorBody& m) { return json{{"error", m.error}, {"message", m.message}}.dump(-1, ' ', false, json::error_handler_t::replace); }
Result<ErrorBody> ParseErrorBody(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  ErrorBody m;
  CP_ASSIGN_OR_RETURN(m.error, GetString(j, "error"));
  CP_ASSIGN_OR_RETURN(m.message, GetString(j, "message"));
  return m;
}


// ---- retention ----

namespace {
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
bool Digits(std::string_view t, std::size_t from, std::size_t n, int* out) {
  int v = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  *out = v;
  return true;
}
std::optional<std::int64_t> ParseDay(std::string_view t) {
  int y = 0, m = 0, d = 0;
  if (t.size() < 10 || t[4] != '-' || t[7] != '-' || !Digits(t, 0, 4, &y) || !Digits(t, 5, 2, &m) ||
      !Digits(t, 8, 2, &d) || m < 1 || m > 12 || d < 1)
    return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}
}  // namespace

bool IsIsoDate(std::string_view text) { return text.size() == 10 && ParseDay(text).has_value(); }

std::string UtcDateOf(std::int64_t ms) {
  std::int64_t z = (ms >= 0 ? ms : ms - 86399999) / 86400000;
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::optional<std::int64_t> ParseUtcInstant(std::string_view t) {
  auto day = ParseDay(t);
  if (!day) return std::nullopt;
  std::int64_t ms = *day * 86400000;
  if (t.size() == 10) return ms;
  int h = 0, mi = 0, se = 0;
  if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z' || !Digits(t, 11, 2, &h) ||
      !Digits(t, 14, 2, &mi) || !Digits(t, 17, 2, &se) || h > 23 || mi > 59 || se > 59)
    return std::nullopt;
  return ms + (h * 3600 + mi * 60 + se) * std::int64_t{1000};
}

std::string CanonicalPurgeReceipt(std::string_view case_id, std::string_view store_id, std::string_view purged_at) {
  const json j = {{"type", "casepack-purge-receipt/1"}, {"case_id", case_id}, {"store_id", store_id},
                  {"purged_at", purged_at}};
  return j.dump();
}

std::string CanonicalPolicy(std::int64_t version, std::string_view record) {
  return "casepack-policy-v1\n" + std::to_string(version) + "\n" + std::string(record);
}

namespace {
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
Result<std::string> GetDate(const json& j, const char* key) {
  CP_ASSIGN_OR_RETURN(std::string d, GetString(j, key));
  if (!IsIsoDate(d)) return MakeError(ErrorCode::kInvalidArgument, std::string(key) + " must be YYYY-MM-DD");
  return d;
}
}  // namespace

std::string ToJson(const CaseRetentionMessage& m) {
  json j{{"purge_on", m.purge_on.empty() ? json(nullptr) : json(m.purge_on)}, {"held", m.held}};
  if (m.held) {
    j["held_by"] = m.held_by;
    j["held_at_ms"] = m.held_at_ms;
  }
  return Dump(j);
}
Result<CaseRetentionMessage> ParseCaseRetention(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CaseRetentionMessage m;
  auto it = j.find("purge_on");
  if (it == j.end()) return MakeError(ErrorCode::kInvalidArgument, "purge_on missing");
  if (!it->is_null()) {
    CP_ASSIGN_OR_RETURN(m.purge_on, GetDate(j, "purge_on"));
  }
  if (j.contains("held")) {
    CP_ASSIGN_OR_RETURN(m.held, GetBool(j, "held"));
    if (m.held) {
      CP_ASSIGN_OR_RETURN(m.held_by, GetString(j, "held_by"));
      CP_ASSIGN_OR_RETURN(m.held_at_ms, GetInt(j, "held_at_ms"));
    }
  }
  return m;
}

std::string ToJson(const std::vector<TombstoneEntry>& t, std::int64_t next_after) {
  json arr = json::array();
  for (const auto& e : t)
    arr.push_back({{"seq", e.seq}, {"case_id", e.case_id}, {"purge_on", e.purge_on}, {"purged_at_ms", e.purged_at_ms}});
  return Dump(json{{"tombstones", arr}, {"next_after", next_after}});
}
Result<std::vector<TombstoneEntry>> ParseTombstones(std::string_view text, std::int64_t* next_after) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "tombstones"));
  std::vector<TombstoneEntry> out;
  for (const auto& e : *arr) {
    if (!e.is_object()) return MakeError(ErrorCode::kInvalidArgument, "tombstone must be an object");
    TombstoneEntry t;
    CP_ASSIGN_OR_RETURN(t.seq, GetInt(e, "seq"));
    CP_ASSIGN_OR_RETURN(t.case_id, GetHexId(e, "case_id"));
    CP_ASSIGN_OR_RETURN(t.purge_on, GetDate(e, "purge_on"));
    CP_ASSIGN_OR_RETURN(t.purged_at_ms, GetInt(e, "purged_at_ms"));
    out.push_back(std::move(t));
  }
  if (next_after) {
    CP_ASSIGN_OR_RETURN(*next_after, GetInt(j, "next_after"));
  }
  return out;
}

std::string ToJson(const ReceiptMessage& m) {
  return Dump(json{{"case_id", m.case_id}, {"store_id", m.store_id}, {"purged_at", m.purged_at},
                   {"public_key", Base64Encode(m.public_key)}, {"signature", Base64Encode(m.signature)}});
}
Result<ReceiptMessage> ParseReceipt(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  ReceiptMessage m;
  CP_ASSIGN_OR_RETURN(m.case_id, GetHexId(j, "case_id"));
  CP_ASSIGN_OR_RETURN(m.store_id, GetString(j, "store_id"));
  CP_ASSIGN_OR_RETURN(m.purged_at, GetString(j, "purged_at"));
  CP_ASSIGN_OR_RETURN(m.public_key, GetBase64(j, "public_key"));
  CP_ASSIGN_OR_RETURN(m.signature, GetBase64(j, "signature"));
  if (m.store_id.size() > 128 || m.purged_at.size() > 64)
    return MakeError(ErrorCode::kInvalidArgument, "receipt field too long");
  if (m.public_key.size() != 32 || m.signature.size() != 64)
    return MakeError(ErrorCode::kInvalidArgument, "receipt key or signature has the wrong size");
  return m;
}

std::string ToJson(const std::vector<CaseConfirmations>& cases) {
  json arr = json::array();
  for (const auto& c : cases) {
    json devs = json::array();
    for (const auto& d : c.devices) {
      json e{{"user_id", d.user_id}, {"device_id", d.device_id}, {"confirmed", d.confirmed}};
      if (d.confirmed) {
        e["purged_at"] = d.purged_at;
        e["store_id"] = d.store_id;
        e["public_key"] = Base64Encode(d.public_key);
        e["signature"] = Base64Encode(d.signature);
      }
      devs.push_back(std::move(e));
    }
    arr.push_back({{"case_id", c.case_id}, {"purged", c.purged}, {"purged_at_ms", c.purged_at_ms}, {"devices", devs}});
  }
  return Dump(json{{"cases", arr}});
}
Result<std::vector<CaseConfirmations>> ParseConfirmations(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  CP_ASSIGN_OR_RETURN(const json* arr, GetArray(j, "cases"));
  std::vector<CaseConfirmations> out;
  for (const auto& e : *arr) {
    if (!e.is_object()) return MakeError(ErrorCode::kInvalidArgument, "case must be an object");
    CaseConfirmations c;
    CP_ASSIGN_OR_RETURN(c.case_id, GetHexId(e, "case_id"));
    CP_ASSIGN_OR_RETURN(c.purged, GetBool(e, "purged"));
    CP_ASSIGN_OR_RETURN(c.purged_at_ms, GetInt(e, "purged_at_ms"));
    CP_ASSIGN_OR_RETURN(const json* devs, GetArray(e, "devices"));
    for (const auto& d : *devs) {
      if (!d.is_object()) return MakeError(ErrorCode::kInvalidArgument, "device must be an object");
      DeviceConfirmation dc;
      CP_ASSIGN_OR_RETURN(dc.user_id, GetHexId(d, "user_id"));
      CP_ASSIGN_OR_RETURN(dc.device_id, GetHexId(d, "device_id"));
      CP_ASSIGN_OR_RETURN(dc.confirmed, GetBool(d, "confirmed"));
      if (dc.confirmed) {
        CP_ASSIGN_OR_RETURN(dc.purged_at, GetString(d, "purged_at"));
        CP_ASSIGN_OR_RETURN(dc.store_id, GetString(d, "store_id"));
        CP_ASSIGN_OR_RETURN(dc.public_key, GetBase64(d, "public_key"));
        CP_ASSIGN_OR_RETURN(dc.signature, GetBase64(d, "signature"));
        if (dc.public_key.size() != 32 || dc.signature.size() != 64)
          return MakeError(ErrorCode::kInvalidArgument, "receipt key or signature has the wrong size");
      }
      c.devices.push_back(std::move(dc));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string ToJson(const PolicyMessage& m) {
  json j{{"version", m.version}};
  if (m.version > 0) {
    j["record"] = m.record;
    j["device_id"] = m.device_id;
    j["signature"] = Base64Encode(m.signature);
  }
  return Dump(j);
}
Result<PolicyMessage> ParsePolicy(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseObject(text));
  PolicyMessage m;
  CP_ASSIGN_OR_RETURN(m.version, GetInt(j, "version"));
  if (m.version < 0) return MakeError(ErrorCode::kInvalidArgument, "version must not be negative");
  if (m.version == 0) return m;
  CP_ASSIGN_OR_RETURN(m.record, GetString(j, "record"));
  CP_ASSIGN_OR_RETURN(m.device_id, GetHexId(j, "device_id"));
  CP_ASSIGN_OR_RETURN(m.signature, GetBase64(j, "signature"));
  if (m.signature.size() != 64) return MakeError(ErrorCode::kInvalidArgument, "signature has the wrong size");
  return m;
}

}  // namespace casepack::wire
