// casepack server add | add-url | show | invite | users | revoke-device | revoke-user, casepack sync,
// casepack case share | unshare
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "casepack/sync_service.h"
#include "casepack/text_width.h"
#include "cli.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct SyncArgs {
  std::vector<std::string> also;
  std::string url, invite, fingerprint, role = "facilitator", id, case_id, user, name;
  int expires_days = 7;
  bool json = false;
};

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw CommandFailed{r.error()};
  return std::move(r).value();
}

struct Session {
  std::unique_ptr<ClientSession> session;
  CaseService* cases = nullptr;
  SyncService* sync = nullptr;
};

Session Open(Context& ctx, std::string_view purpose) {
  Session s;
  s.session = ctx.OpenSession(purpose);
  s.cases = &CasesOf(*s.session);
  s.sync = &SyncOf(*s.session);
  return s;
}

// A one-line progress bar on standard error, only when it is a terminal.
class ProgressBar {
 public:
  ProgressBar() : enabled_(::isatty(2) == 1) {}
  ~ProgressBar() {
    if (drawn_) std::fprintf(stderr, "\r%-78s\r", "");
  }
  void Update(const SyncProgress& p) {
    if (!enabled_) return;
    char line[128];
    if (p.total > 0) {
      const int width = 30;
      const int filled = static_cast<int>(width * p.done / p.total);
      std::snprintf(line, sizeof line, "%-11s %.8s [%.*s%*s] %llu/%llu", p.phase.c_str(), p.case_id.c_str(), filled,
                    "==============================", width - filled, "", static_cast<unsigned long long>(p.done),
                    static_cast<unsigned long long>(p.total));
    } else {
      std::snprintf(line, sizeof line, "%-11s %.8s %llu operations", p.phase.c_str(), p.case_id.c_str(),
                    static_cast<unsigned long long>(p.done));
    }
    std::fprintf(stderr, "\r%-78s", line);
    drawn_ = true;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
};

json ReportJson(const SyncReport& r) {
  json cases = json::array();
  std::size_t pushed = 0, pulled = 0, conflicts = 0;
  for (const auto& c : r.cases) {
    json conf = json::array();
    for (const auto& f : c.conflicts) conf.push_back(ToJson(f));
    cases.push_back({{"case_id", c.case_id}, {"created_on_server", c.created_on_server}, {"received", c.received},
                     {"pushed", c.pushed}, {"pulled", c.pulled}, {"documents_uploaded", c.blobs_up},
                     {"documents_downloaded", c.blobs_down}, {"rejected", c.rejected},
                     {"quarantined", c.quarantined}, {"quarantined_held", c.quarantined_held}, {"conflicts", conf},
                     {"restored", c.restored.empty() ? json(nullptr) : json(c.restored)}, {"resigned", c.resigned},
                     {"not_shared", c.not_shared.empty() ? json(nullptr) : json(c.not_shared)},
                     {"error", c.error.empty() ? json(nullptr) : json(c.error)}});
    pushed += c.pushed;
    pulled += c.pulled;
    conflicts += c.conflicts.size();
  }
  return {{"ok", r.ok()}, {"pushed", pushed}, {"pulled", pulled}, {"conflicts", conflicts},
          {"server_time_ms", r.server_time_ms}, {"clock_offset_ms", r.clock_offset_ms},
          {"clock_warning", r.clock_warning.empty() ? json(nullptr) : json(r.clock_warning)}, {"cases", cases},
          {"retention", {{"purged", r.purged}, {"errors", r.retention_errors}, {"receipts_reported", r.receipts_reported},
                         {"policy_applied", r.policy_applied}, {"policy_pushed", r.policy_pushed}}}};
}

// "Gwen Jones (user 1a2b3c4d)", or "user 1a2b3c4d" for a user without a name, for what `who` names; `who` itself
// if the server cannot say.
std::string Person(SyncService& sync, const std::string& who) {
  auto u = sync.FindUser(who);
  if (!u.ok()) return who;
  const std::string id = "user " + u->user_id.substr(0, 8);
  return u->name.empty() ? id : u->name + " (" + id + ")";
}

}  // namespace

namespace {

void AddServerAdd(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* add = parent.add_subcommand("add", "enrol this store with a central store, using a one-time invitation");
  add->add_option("URL", a.url, "https://host:port")->required();
  add->add_option("--invite", a.invite, "the invitation code from the Business Unit")->required();
  add->add_option("--fingerprint", a.fingerprint, "the server certificate's SHA-256 fingerprint, from the Business Unit")->required();
  add->add_option("--also", a.also, "another server of the same central store (repeatable): sync fails over to it");
  add->add_option("--name", a.name, "your name as colleagues know you (default: the store's name, 'casepack init --name'): "
                                    "shown beside your edits and in 'server users', used by 'case share --with NAME'");
  add->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack server add");
    const ServerConfig c = Must(s.sync->Enroll(a.url, a.fingerprint, a.invite, a.also, a.name));
    std::printf("enrolled with %s as a %s\n", c.url.c_str(), c.role.c_str());
    for (std::size_t i = 1; i < c.urls.size(); ++i) std::printf("also       %s\n", c.urls[i].c_str());
    std::printf("server certificate pinned: sha256:%s\n", c.fingerprint.c_str());
    std::printf("user id    %s\ndevice id  %s\n", c.user_id.c_str(), c.device_id.c_str());
  });
}

void AddServerAddUrl(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* add = parent.add_subcommand("add-url", "another server of the same central store, to fail over to");
  add->add_option("URL", a.url, "https://host:port")->required();
  add->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack server add-url");
    const ServerConfig c = Must(s.sync->AddServerUrl(a.url));
    for (const auto& u : c.urls) std::printf("server      %s\n", u.c_str());
  });
}

void AddServerShow(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* show = parent.add_subcommand("show", "the central store and this device's enrolment");
  show->add_flag("--json", a.json, "machine-readable output");
  show->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack server show");
    const ServerConfig c = Must(s.sync->Config());
    if (a.json) {
      std::cout << json{{"url", c.url}, {"urls", c.urls}, {"fingerprint", c.fingerprint}, {"user_id", c.user_id},
                        {"device_id", c.device_id}, {"role", c.role}}.dump(2) << "\n";
      return;
    }
    std::printf("server      %s\n", c.url.c_str());
    for (std::size_t i = 1; i < c.urls.size(); ++i) std::printf("also        %s\n", c.urls[i].c_str());
    std::printf("fingerprint sha256:%s\nuser id     %s\ndevice id   %s\nrole        %s\n", c.fingerprint.c_str(),
                c.user_id.c_str(), c.device_id.c_str(), c.role.c_str());
  });
}

void AddServerInvite(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* invite = parent.add_subcommand("invite", "create a one-time invitation (Business Unit only)");
  invite->add_option("--role", a.role, "facilitator or business-unit")->check(CLI::IsMember({"facilitator", "business-unit"}));
  invite->add_option("--expires-days", a.expires_days, "days until the code expires")->check(CLI::Range(1, 90));
  invite->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack server invite");
    const wire::Invitation inv = Must(s.sync->Invite(a.role, static_cast<std::int64_t>(a.expires_days) * 24 * 3600));
    std::printf("%s\n", inv.code.c_str());
    std::fprintf(stderr, "one-time %s invitation; give it with the server's fingerprint (see 'casepack server show')\n",
                 inv.role.c_str());
  });
}

void AddServerUsers(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* users = parent.add_subcommand("users", "the users and devices the central store knows");
  users->add_flag("--json", a.json, "machine-readable output");
  users->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack server users");
    const auto list = Must(s.sync->Users());
    if (a.json) {
      json arr = json::array();
      for (const auto& u : list) {
        json devices = json::array();
        for (const auto& d : u.devices) devices.push_back({{"device_id", d.device_id}, {"revoked", d.revoked}});
        arr.push_back({{"user_id", u.user_id}, {"name", u.name.empty() ? json(nullptr) : json(u.name)}, {"role", u.role},
                       {"revoked", u.revoked}, {"devices", devices}});
      }
      std::cout << arr.dump(2) << "\n";
      return;
    }
    for (const auto& u : list)
      std::printf("%s  %s %-14s %zu device(s)%s\n", u.user_id.c_str(),
                  FitColumn(u.name.empty() ? "(no name)" : u.name, 24).c_str(), u.role.c_str(), u.devices.size(),
                  u.revoked ? "  REVOKED" : "");
  });
}

// casepack sync quarantined: the operations this store refused on pull and holds out of their cases.
CLI::App* AddSyncQuarantined(CLI::App& sync, Context& ctx, SyncArgs& a) {
  auto* held = sync.add_subcommand("quarantined", "list the operations received but held out of their case (failed their checks)");
  held->add_flag("--json", a.json, "machine-readable output");
  held->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack sync quarantined");
    const auto list = Must(s.cases->QuarantinedOperations());
    if (a.json) {
      json arr = json::array();
      for (const auto& q : list)
        arr.push_back({{"case_id", q.case_id}, {"seq", q.seq}, {"op_id", q.op_id}, {"device_id", q.device_id},
                       {"reason", q.reason}, {"at", q.at}});
      std::cout << arr.dump(2) << "\n";
      return;
    }
    if (list.empty()) std::printf("no quarantined operations\n");
    for (const auto& q : list)
      std::printf("%s  case %s  seq %lld  %s from device %s: %s\n", q.at.c_str(), q.case_id.substr(0, 8).c_str(),
                  static_cast<long long>(q.seq), q.op_id.c_str(), q.device_id.substr(0, 8).c_str(), q.reason.c_str());
  });
  return held;
}

void AddSync(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* sync = parent.add_subcommand("sync", "push what the central store lacks and pull what this store lacks, for every case");
  sync->add_flag("--json", a.json, "machine-readable report of what moved and which conflicts need a person");
  auto* held = AddSyncQuarantined(*sync, ctx, a);
  sync->callback([&ctx, &a, held] {
    if (held->parsed()) return;  // `casepack sync quarantined` lists; it does not sync
    auto s = Open(ctx, "casepack sync");
    ProgressBar bar;
    auto report = s.sync->Sync([&bar](const SyncProgress& p) { bar.Update(p); });
    if (!report.ok()) throw CommandFailed{report.error()};
    if (a.json) {
      std::cout << ReportJson(*report).dump(2) << "\n";
    } else {
      std::size_t pushed = 0, pulled = 0;
      for (const auto& c : report->cases) {
        pushed += c.pushed;
        pulled += c.pulled;
        if (c.received) std::printf("  new case %s shared with you\n", c.case_id.substr(0, 8).c_str());
        if (!c.restored.empty()) std::printf("  case %s: %s\n", c.case_id.substr(0, 8).c_str(), c.restored.c_str());
        if (c.resigned > 0)
          std::printf("  case %s: signed %zu operation(s) of this device that the server held unsigned (stored before it "
                      "checked signatures): other members take them in\n",
                      c.case_id.substr(0, 8).c_str(), c.resigned);
        if (!c.not_shared.empty()) std::printf("  %s\n", c.not_shared.c_str());
        for (const auto& f : c.conflicts) {
          std::string values;
          for (const auto& v : f.values.candidates) values += (values.empty() ? "" : " | ") + v.value + " (" + v.author + ")";
          std::printf("  conflict in %s, %s, %s: %s\n", c.case_id.substr(0, 8).c_str(), f.subject.c_str(), f.field.c_str(), values.c_str());
        }
        for (const auto& r : c.rejected) std::printf("  refused operation in %s: %s\n", c.case_id.substr(0, 8).c_str(), r.c_str());
        for (const auto& q : c.quarantined)
          std::printf("  quarantined operation in %s (not applied; the rest synced): %s\n", c.case_id.substr(0, 8).c_str(), q.c_str());
        if (c.quarantined_held > 0)
          std::printf("  case %s: %zu operation(s) held in quarantine, not applied (casepack sync quarantined lists them)\n",
                      c.case_id.substr(0, 8).c_str(), c.quarantined_held);
        if (!c.error.empty()) std::fprintf(stderr, "casepack: error: %s\n", c.error.c_str());
      }
      for (const auto& id : report->purged)
        std::printf("  case %s purged here: the central store purged it\n", id.substr(0, 8).c_str());
      for (const auto& e : report->retention_errors) std::fprintf(stderr, "casepack: warning: %s\n", e.c_str());
      if (!report->clock_warning.empty())
        std::printf("  %s: set its date and time right (automatically from the network); its edits synced all the same\n",
                    report->clock_warning.c_str());
      if (report->policy_applied > 0)
        std::printf("  retention policies version %lld received\n", static_cast<long long>(report->policy_applied));
      if (report->policy_pushed > 0)
        std::printf("  retention policies version %lld sent\n", static_cast<long long>(report->policy_pushed));
      std::printf("synced %zu case(s): %zu operation(s) pushed, %zu pulled\n", report->cases.size(), pushed, pulled);
    }
    if (!report->ok()) throw CommandFailed{MakeError(ErrorCode::kAuthFailed, "some cases did not sync (see above)", "the other cases are up to date")};
  });
}

void AddCaseShare(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* share = parent.add_subcommand("share", "give another user the case's key, so they receive it on their next sync");
  share->add_option("CASE", a.case_id, "case id")->required();
  share->add_option("--with", a.user, "the user's name, id, or the id's first 4 or more characters (see 'casepack server users')")->required();
  share->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack case share");
    const std::string id = Must(s.cases->ResolveCaseId(a.case_id));
    Check(s.sync->Share(id, a.user));
    std::printf("case %s shared with %s\n", id.substr(0, 8).c_str(), Person(*s.sync, a.user).c_str());
  });
}

void AddCaseUnshare(CLI::App& parent, Context& ctx, SyncArgs& a) {
  auto* unshare = parent.add_subcommand("unshare", "remove a member; later content uses a new key they never get");
  unshare->add_option("CASE", a.case_id, "case id")->required();
  unshare->add_option("--user", a.user, "the user's name, id, or the id's first 4 or more characters")->required();
  unshare->callback([&ctx, &a] {
    auto s = Open(ctx, "casepack case unshare");
    const std::string id = Must(s.cases->ResolveCaseId(a.case_id));
    // "removed <user id> (<name>)": the id as `server users` lists it, and who that is.
    auto user = s.sync->FindUser(a.user);
    const std::string who = user.ok() ? user->user_id + (user->name.empty() ? "" : " (" + user->name + ")") : a.user;
    Check(s.sync->Unshare(id, a.user));
    std::printf("removed %s from case %s; later content is under a new key\n", who.c_str(), id.substr(0, 8).c_str());
  });
}

}  // namespace

void RegisterSyncCommands(CLI::App& app, Context& ctx) {
  static SyncArgs a;

  auto* server = app.add_subcommand("server", "the central store this device syncs with");
  server->require_subcommand(1);
  AddServerAdd(*server, ctx, a);
  AddServerAddUrl(*server, ctx, a);
  AddServerShow(*server, ctx, a);
  AddServerInvite(*server, ctx, a);
  AddServerUsers(*server, ctx, a);

  for (const char* what : {"revoke-device", "revoke-user"}) {
    const bool device = std::string_view(what) == "revoke-device";
    auto* revoke = server->add_subcommand(what, device ? "revoke a device at once (Business Unit)" : "revoke a user and all their devices at once (Business Unit)");
    revoke->add_option("ID", a.id, device ? "device id" : "user id")->required();
    revoke->callback([&ctx, device] {
      auto s = Open(ctx, device ? "casepack server revoke-device" : "casepack server revoke-user");
      Check(device ? s.sync->RevokeDevice(a.id) : s.sync->RevokeUser(a.id));
      std::printf("revoked %s\n", a.id.c_str());
    });
  }

  AddSync(app, ctx, a);

  // casepack case share / unshare: added to the existing `case` command.
  CLI::App* case_cmd = app.get_subcommand("case");
  AddCaseShare(*case_cmd, ctx, a);
  AddCaseUnshare(*case_cmd, ctx, a);
}

}  // namespace casepack::cli
