// casepack retention confirmations [CASE] [--json]: the Business Unit's view of purge receipts held by the
// central store — for each purged case, which member devices have confirmed the purge and which not.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "casepack/sync_service.h"
#include "casepack/trusted_clock.h"
#include "cli.h"

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
}

}  // namespace casepack::cli
