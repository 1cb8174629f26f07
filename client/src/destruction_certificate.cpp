#include "casepack/destruction_certificate.h"

#include "casepack/encoding.h"
#include "casepack/trusted_clock.h"

namespace casepack {

namespace {

using nlohmann::json;

Error Bad(const std::string& what) {
  return MakeError(ErrorCode::kCorrupt, "the certificate fails verification: " + what,
                   "keep this copy as evidence and ask the Business Unit for the one it issued");
}

std::string SignedBytes(json j) {
  j.erase("signature");
  return j.dump();  // nlohmann sorts keys: canonical
}

// A purge receipt embedded in the certificate, checked on its own: its signature, and that it is for
// `case_id`. `who` names it in the message.
Status CheckEmbeddedReceipt(const json& r, const std::string& case_id, const std::string& who) {
  for (const char* k : {"case_id", "store_id", "purged_at", "public_key", "signature"})
    if (!r.is_object() || !r.contains(k) || !r[k].is_string()) return Bad("malformed " + who + " receipt");
  PurgeReceipt receipt{r["case_id"].get<std::string>(), r["store_id"].get<std::string>(), r["purged_at"].get<std::string>(), {}, {}};
  auto pk = HexDecode(r["public_key"].get<std::string>());
  auto sig = HexDecode(r["signature"].get<std::string>());
  if (!pk.ok() || !sig.ok()) return Bad("malformed " + who + " receipt");
  receipt.public_key = *pk;
  receipt.signature = *sig;
  if (!VerifyPurgeReceipt(receipt) || receipt.case_id != case_id) return Bad("the " + who + " purge receipt does not verify");
  return Ok();
}

}  // namespace

json IssueCertificate(const CertificateInput& in, const Identity& issuer) {
  json j = {{"type", kCertificateType}, {"case", ToJson(in.tombstone)}, {"issued_at", in.issued_at},
            {"issued_by_store", in.issued_by}};
  j["device_receipt"] = in.receipt ? ToJson(*in.receipt) : json(nullptr);
  if (in.server) {
    json devices = json::array();
    for (const auto& d : in.server->devices) {
      // Each confirming device's own signed receipt, as the central store checked and kept it: the
      // certificate does not ask anyone to trust the server's word that a device purged.
      const json receipt = d.confirmed ? ToJson(PurgeReceipt{in.tombstone.case_id, d.store_id, d.purged_at, d.public_key, d.signature})
                                       : json(nullptr);
      devices.push_back({{"user_id", d.user_id}, {"device_id", d.device_id}, {"confirmed", d.confirmed},
                         {"purged_at", d.confirmed ? json(d.purged_at) : json(nullptr)}, {"receipt", receipt}});
    }
    j["central_store"] = {{"purged", in.server->purged},
                          {"purged_at", in.server->purged ? json(FormatInstant(in.server->purged_at_ms)) : json(nullptr)},
                          {"devices", devices}};
  } else {
    j["central_store"] = nullptr;  // issued offline: what the server knows is not part of it
  }
  const auto& pk = issuer.public_keys().ed25519;
  j["public_key"] = HexEncode(Bytes(pk.begin(), pk.end()));
  const auto sig = issuer.Sign(AsBytes(SignedBytes(j)));
  j["signature"] = HexEncode(Bytes(sig.begin(), sig.end()));
  return j;
}

Result<CertificateCheck> VerifyCertificate(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Bad("not a JSON object");
  if (!j.contains("type") || j["type"] != kCertificateType) return Bad("not a " + std::string(kCertificateType));
  for (const char* k : {"case", "issued_at", "issued_by_store", "device_receipt", "central_store", "public_key", "signature"})
    if (!j.contains(k)) return Bad(std::string("no \"") + k + "\"");
  if (!j["public_key"].is_string() || !j["signature"].is_string() || !j["case"].is_object() ||
      !j["case"].contains("case_id") || !j["case"]["case_id"].is_string())
    return Bad("malformed fields");
  auto pk = HexDecode(j["public_key"].get<std::string>());
  auto sig = HexDecode(j["signature"].get<std::string>());
  if (!pk.ok() || !sig.ok() || pk->size() != kEd25519PublicBytes || sig->size() != kSignatureBytes)
    return Bad("malformed key or signature");
  if (!VerifySignature(*pk, AsBytes(SignedBytes(j)), *sig)) return Bad("the signature does not match its content");
  CertificateCheck out;
  out.case_id = j["case"]["case_id"].get<std::string>();
  out.issuer_public_key = j["public_key"].get<std::string>();
  if (const json& r = j["device_receipt"]; !r.is_null()) {
    if (Status st = CheckEmbeddedReceipt(r, out.case_id, "device's"); !st.ok()) return st.error();
  }
  if (const json& c = j["central_store"]; !c.is_null()) {
    if (!c.is_object() || !c.contains("devices") || !c["devices"].is_array()) return Bad("malformed central store record");
    for (const auto& d : c["devices"]) {
      if (!d.is_object() || !d.contains("confirmed") || !d["confirmed"].is_boolean()) return Bad("malformed device record");
      if (!d["confirmed"].get<bool>()) {
        ++out.unconfirmed;
        continue;
      }
      const std::string who = "device " + d.value("device_id", std::string("?")).substr(0, 8) + "'s";
      if (!d.contains("receipt")) return Bad(who + " confirmation has no signed receipt");
      if (Status st = CheckEmbeddedReceipt(d["receipt"], out.case_id, who); !st.ok()) return st.error();
      if (!d.contains("purged_at") || d["purged_at"] != d["receipt"]["purged_at"]) return Bad(who + " purge time differs from its receipt");
      ++out.confirmed;
    }
  }
  return out;
}

std::string RenderCertificateText(const json& j) {
  const json& c = j["case"];
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("CERTIFICATE OF DESTRUCTION");
  line("==========================");
  line("case             " + c.value("case_id", ""));
  line("event type       " + c.value("event_type", ""));
  line("name/initials    " + c.value("subject", ""));
  line("area             " + c.value("area", ""));
  if (c.contains("key_dates") && c["key_dates"].is_object())
    for (const auto& [k, v] : c["key_dates"].items()) line("key date         " + k + " " + v.get<std::string>());
  line("retention rule   " + c.value("rule", ""));
  line("purge date       " + c.value("purge_on", ""));
  line("purged here      " + c.value("purged_at", ""));
  const json& s = j["central_store"];
  if (s.is_null()) {
    line("central store    not asked (issued offline)");
  } else {
    line("central store    " + (s.value("purged", false) ? "purged " + s["purged_at"].get<std::string>() : std::string("NOT purged yet")));
    for (const auto& d : s["devices"])
      line("  device " + d.value("device_id", "").substr(0, 8) + " (user " + d.value("user_id", "").substr(0, 8) + "): " +
           (d.value("confirmed", false) ? "confirmed, purged " + d["purged_at"].get<std::string>() : std::string("NOT confirmed yet")));
  }
  line(j["device_receipt"].is_null() ? "device receipt   none (this device never held the content)"
                                     : "device receipt   signed by store " + j["device_receipt"].value("store_id", ""));
  line("issued           " + j.value("issued_at", "") + " by store " + j.value("issued_by_store", ""));
  line("issuer key       " + j.value("public_key", "") + " (Ed25519)");
  line("signature        " + j.value("signature", ""));
  line("");
  line("Verify offline: casepack retention certificate-verify FILE.json");
  return out;
}

}  // namespace casepack
