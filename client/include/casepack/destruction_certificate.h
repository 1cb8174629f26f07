// The certificate of destruction (issue 12, docs/retention.md "Certificate of destruction"): for one purged
// case, what the Business Unit can file as proof of disposal — the basics, the rule and date, when this
// device and the central store purged it, which member devices confirmed (and when) and which have not
// yet, and this device's own signed purge receipt; signed with the issuing device's Ed25519 key. JSON
// (the signed form) and a printable text; verifiable offline, any change detected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/identity.h"
#include "casepack/result.h"
#include "casepack/retention.h"
#include "casepack/wire.h"

namespace casepack {

inline constexpr std::string_view kCertificateType = "casepack-destruction-certificate/1";

struct CertificateInput {
  Tombstone tombstone;                              // this device's: basics, rule, dates
  std::optional<PurgeReceipt> receipt;              // this device's signed receipt, if it held the case
  std::optional<wire::CaseConfirmations> server;    // from the central store; none when offline
  std::string issued_at;                            // trusted clock
  std::string issued_by;                            // store id of the issuing device
};

// The signed JSON: every field of `in`, then "public_key" and "signature" (hex Ed25519 over the compact
// dump, keys sorted, of the object without "signature").
nlohmann::json IssueCertificate(const CertificateInput& in, const Identity& issuer);

struct CertificateCheck {
  std::string case_id;
  std::string issuer_public_key;  // hex: compare with the Business Unit's published key
  std::size_t confirmed = 0, unconfirmed = 0;
};
// kCorrupt naming what fails: not JSON, wrong type, a missing field, a bad signature (any edit), or an
// embedded purge receipt whose own signature fails.
Result<CertificateCheck> VerifyCertificate(std::string_view text);

// The printable form (plain text, for filing or printing), from a certificate VerifyCertificate accepts.
std::string RenderCertificateText(const nlohmann::json& certificate);

}  // namespace casepack
