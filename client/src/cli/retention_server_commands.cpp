// casepack retention confirmations [CASE] [--json]: the Business Unit's view of purge receipts held by the
// central store — for each purged case, which member devices have confirmed the purge and which not.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "casepack/destruction_certificate.h"
#include "casepack/sync_service.h"
#include "casepack/trusted_clock.h"
#include "cli.h"
#include "io.h"

namespace casepack::cli {

void RegisterRetentionServerCommands(CLI::App& app, Context& ctx) {
  static std::string case_arg;
  static bool as_json = false;
  CLI::App* retention = app.get_subcommand("retention");
  auto* conf = retention->add_subcommand(
      "confirmations", "which devices have confirmed the purge of each purged case (business unit; needs the server)");
  conf->add_option("CASE", case_arg, "a case id (full, as on the server); default: every purged case");
  conf->add_flag("--json", as_json, "machine-readable output");
  conf->callback([&ctx] {
    auto session = ctx.OpenSession("casepack retention confirmations");
    CaseService& cases = CasesOf(*session);
    SyncService& sync = SyncOf(*session);
    std::string id = case_arg;
    if (!id.empty()) {
      // A case still here resolves by prefix; a purged one must be given in full (or by its tombstone).
      if (auto resolved = cases.ResolveCaseId(id); resolved.ok()) id = *resolved;
    }
    auto list = sync.Confirmations(id);
    if (!list.ok()) throw CommandFailed{list.error()};
    if (as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& c : *list) {
        nlohmann::json devices = nlohmann::json::array();
        for (const auto& d : c.devices)
          devices.push_back({{"user_id", d.user_id}, {"device_id", d.device_id}, {"confirmed", d.confirmed},
                             {"purged_at", d.confirmed ? nlohmann::json(d.purged_at) : nlohmann::json(nullptr)}});
        out.push_back({{"case_id", c.case_id}, {"purged_on_server", c.purged},
                       {"server_purged_at", c.purged ? nlohmann::json(FormatInstant(c.purged_at_ms)) : nlohmann::json(nullptr)},
                       {"devices", devices}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (list->empty()) std::printf("no purged cases on the central store\n");
    for (const auto& c : *list) {
      std::size_t confirmed = 0;
      for (const auto& d : c.devices) confirmed += d.confirmed ? 1 : 0;
      std::printf("case %s: %s; %zu of %zu device(s) confirmed\n", c.case_id.c_str(),
                  c.purged ? ("purged on the server " + FormatInstant(c.purged_at_ms)).c_str() : "not purged on the server yet",
                  confirmed, c.devices.size());
      for (const auto& d : c.devices)
        std::printf("  user %s device %s: %s\n", d.user_id.substr(0, 8).c_str(), d.device_id.substr(0, 8).c_str(),
                    d.confirmed ? ("confirmed, purged " + d.purged_at).c_str() : "NOT confirmed");
    }
  });

  // ---- the certificate of destruction (docs/retention.md) ----
  static std::string output, text_output;
  static bool offline = false, force = false;
  auto* cert = retention->add_subcommand("certificate", "a signed certificate of destruction for a purged case");
  cert->add_option("CASE", case_arg, "the purged case's id (or its first characters)")->required();
  cert->add_option("-o,--output", output, "where to write the signed JSON")->required();
  cert->add_option("--text", text_output, "also write the printable form to this file");
  cert->add_flag("--offline", offline, "do not ask the central store (its purge and the devices' confirmations are left out)");
  cert->add_flag("--force", force, "replace the files if they exist");
  cert->callback([&ctx] {
    auto session = ctx.OpenSession("casepack retention certificate");
    Store& store = StoreOf(*session);
    RetentionService& retention_svc = RetentionOf(*session);
    auto tomb = retention_svc.FindTombstone(case_arg);
    if (!tomb.ok()) throw CommandFailed{tomb.error()};
    if (!tomb->has_value())
      Fail(ErrorCode::kNotFound, "case " + case_arg + " has not been purged on this device", "see 'casepack case list'");
    CertificateInput in;
    in.tombstone = **tomb;
    in.issued_by = store.id();
    in.issued_at = FormatInstant(Unwrap(TrustedClock(store.db(), store.clock()).Peek()));
    for (auto& r : Unwrap(retention_svc.Receipts()))
      if (r.case_id == in.tombstone.case_id) in.receipt = std::move(r);
    if (!offline) {
      auto list = SyncOf(*session).Confirmations(in.tombstone.case_id);
      if (!list.ok()) throw CommandFailed{list.error().WithHint("use --offline to issue it from this device's record alone")};
      for (auto& c : *list)
        if (c.case_id == in.tombstone.case_id) in.server = std::move(c);
    }
    const nlohmann::json j = IssueCertificate(in, store.identity());
    Output json_out(output, force);
    Check(json_out.Write(j.dump(2) + "\n"));
    json_out.Commit();
    if (!text_output.empty()) {
      Output text_out(text_output, force);
      Check(text_out.Write(RenderCertificateText(j)));
      text_out.Commit();
    }
    std::printf("certificate of destruction for case %s written to %s%s\n", in.tombstone.case_id.substr(0, 8).c_str(),
                output.c_str(), text_output.empty() ? "" : (" and " + text_output).c_str());
  });
  auto* cert_verify = retention->add_subcommand("certificate-verify", "check a certificate of destruction, offline");
  cert_verify->add_option("FILE", output, "the certificate's JSON")->required();
  cert_verify->callback([] {
    const std::string text = ReadTextInput(output, "certificate");
    const CertificateCheck c = Unwrap(VerifyCertificate(text));
    std::printf("certificate of destruction for case %s: signature verified (issuer key %s); %zu device(s) confirmed, %zu not\n",
                c.case_id.c_str(), c.issuer_public_key.c_str(), c.confirmed, c.unconfirmed);
  });
}

}  // namespace casepack::cli
