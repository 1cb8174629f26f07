// casepackd: the central store server. See docs/api.md for the API and `casepackd --help` for usage.
//   casepackd --data DIR --listen 127.0.0.1:8443 [--cert FILE --key FILE]
//   casepackd --data DIR --database postgresql://casepackd@/casepack?host=/run/postgresql   (PostgreSQL)
//   casepackd admin init --data DIR [--database URL]   first business-unit invitation
//   casepackd admin invite --data DIR --role facilitator
//   casepackd fingerprint --data DIR       SHA-256 of the server certificate, for clients to pin
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <optional>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "casepack/fault_point.h"
#include "casepack/random.h"
#include "casepack/secret.h"
#include "casepack/server.h"
#include "casepack/server_api.h"
#include "casepack/server_store.h"
#include "casepack/server_tls.h"
#include "casepack/wire.h"

namespace {

using namespace casepack;

int Fail(const Error& e) {
  std::cerr << "casepackd: error: " << e.message << "\n";
  if (!e.hint.empty()) std::cerr << "casepackd: hint: " << e.hint << "\n";
  return 1;
}

Status EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create data directory " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return Ok();
}

std::string StorePath(const std::string& dir) { return dir + "/casepackd.db"; }

// Where the store lives: `database` (a postgresql:// URL, or a SQLite file) or, by default, the SQLite
// file in the data directory. A URL is never printed: it may carry a password.
struct StoreChoice {
  std::string database;
  std::size_t connections = 16;
};

std::string DescribeStore(const std::string& dir, const StoreChoice& choice) {
  if (server::IsPostgresUrl(choice.database)) return "the PostgreSQL database";
  return choice.database.empty() ? "the store in " + dir : "the store " + choice.database;
}

Result<std::unique_ptr<server::ServerStore>> OpenStore(const std::string& dir, const StoreChoice& choice) {
  CP_RETURN_IF_ERROR(EnsureDataDir(dir));
  auto store = server::IsPostgresUrl(choice.database)
                   ? server::OpenPostgresStore(choice.database, choice.connections)
                   : server::OpenSqliteStore(choice.database.empty() ? StorePath(dir) : choice.database);
  if (!store.ok()) return store.error().Context("opening " + DescribeStore(dir, choice));
  return store;
}

std::string FormatTime(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[64];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Result<wire::Invitation> MakeInvitation(server::ServerStore& store, const std::string& role, std::int64_t days) {
  wire::Invitation inv;
  inv.code = HexEncode(RandomBytes(16));
  inv.role = role;
  inv.expires_at_ms = wire::NowMs() + days * 24 * 3600 * 1000;
  CP_RETURN_IF_ERROR(store.CreateInvitation(server::InvitationCodeHash(inv.code), role, inv.expires_at_ms, "admin"));
  return inv;
}

Result<std::string> EnsureCertAndFingerprint(const server::TlsFiles& files, bool* created) {
  CP_ASSIGN_OR_RETURN(*created, server::EnsureSelfSignedCert(files));
  return server::CertificateFingerprint(files.cert_path);
}

int AdminInvite(const std::string& dir, const StoreChoice& choice, const std::string& role, std::int64_t days,
                bool first) {
  auto store = OpenStore(dir, choice);
  if (!store.ok()) return Fail(store.error());
  if (first) {
    auto has = (*store)->HasUsers();
    if (!has.ok()) return Fail(has.error());
    if (*has) {
      return Fail(MakeError(ErrorCode::kConflict, DescribeStore(dir, choice) + " already has users",
                            "use `casepackd admin invite --data DIR --role business-unit` for another invitation"));
    }
  }
  bool created = false;
  auto fp = EnsureCertAndFingerprint(server::DefaultTlsFiles(dir), &created);
  if (!fp.ok()) return Fail(fp.error());
  auto inv = MakeInvitation(**store, role, days);
  if (!inv.ok()) return Fail(inv.error());
  std::cout << "invitation code: " << inv->code << "\n"
            << "role: " << inv->role << "\n"
            << "expires: " << FormatTime(inv->expires_at_ms) << "\n"
            << "server certificate sha256: " << *fp << "\n"
            << "The code works once. Give it to the person in person or over a trusted channel.\n";
  return 0;
}

Status WritePortFile(const std::string& dir, std::uint16_t port) {
  const std::string path = dir + "/casepackd.port";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return MakeError(ErrorCode::kIo, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return MakeError(ErrorCode::kIo, "cannot write " + path);
  return Ok();
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "--listen must be HOST:PORT", "for example --listen 127.0.0.1:8443");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = wire::ParseTimeMs(listen.substr(colon + 1));
  if (!port || *port > 65535) return MakeError(ErrorCode::kInvalidArgument, "--listen has a bad port number");
  return std::make_pair(host, static_cast<std::uint16_t>(*port));
}

#ifdef CASEPACKD_TEST_CLOCK
// Only in the test-only binary casepackd-testclock (tests/CMakeLists.txt), never in `casepackd`:
// CASEPACKD_TEST_NOW ("2030-01-01" or "2030-01-01T00:00:00Z") fixes the retention clock. It affects purge
// decisions only; request signing windows, invitation expiry and receipt times keep the real clock.
constexpr const char* kFakeNowVariable = "CASEPACKD_TEST_NOW";
#endif

// Runs `task` every `period` on its own thread until destroyed (the destructor waits for a run in progress).
class Every {
 public:
  Every(std::chrono::seconds period, std::function<void()> task)
      : thread_([this, period, task = std::move(task)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, period, [&] { return stopping_; })) {
            lock.unlock();
            task();
            lock.lock();
          }
        }) {}
  ~Every() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Every(const Every&) = delete;
  Every& operator=(const Every&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // last: starts once the members it uses exist
};

struct Periods {
  std::int64_t retention_s = 60;
  std::int64_t metrics_flush_s = 5;
};

int Serve(const std::string& dir, const StoreChoice& choice, const std::string& listen, const std::string& cert,
          const std::string& key, int threads, std::size_t max_connections, const Periods& periods) {
  auto hp = ParseListen(listen);
  if (!hp.ok()) return Fail(hp.error());
  if (cert.empty() != key.empty()) {
    return Fail(MakeError(ErrorCode::kInvalidArgument, "--cert and --key go together",
                          "give both, or neither to use a self-signed certificate in the data directory"));
  }
  auto store = OpenStore(dir, choice);
  if (!store.ok()) return Fail(store.error());
  CASEPACK_FAULT_POINT("server-store-opened");

  server::ServerOptions options;
  options.host = hp->first;
  options.port = hp->second;
  options.threads = threads;
  options.max_connections = max_connections;
  options.tls = cert.empty() ? server::DefaultTlsFiles(dir) : server::TlsFiles{cert, key};
  if (cert.empty()) {
    bool created = false;
    auto fp = EnsureCertAndFingerprint(options.tls, &created);
    if (!fp.ok()) return Fail(fp.error());
    if (created) {
      std::cout << "casepackd: created a self-signed certificate in " << dir << "/tls\n";
    }
    std::cout << "casepackd: certificate sha256 fingerprint: " << *fp << "\n" << std::flush;
  }
  auto has_users = (*store)->HasUsers();
  if (has_users.ok() && !*has_users) {
    std::cerr << "casepackd: hint: no users yet; run `casepackd admin init --data " << dir
              << (choice.database.empty() ? "" : " --database …") << "` for the first invitation\n";
  }

  server::Metrics metrics;
  server::Api api(**store, metrics);
#ifdef CASEPACKD_TEST_CLOCK
  if (const char* fake = std::getenv(kFakeNowVariable); fake != nullptr && *fake != '\0') {
    auto t = wire::ParseUtcInstant(fake);
    if (!t) {
      return Fail(MakeError(ErrorCode::kInvalidArgument, std::string(kFakeNowVariable) + " is malformed",
                            "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, or unset it"));
    }
    const std::int64_t fixed = *t;
    api.SetRetentionClock([fixed] { return fixed; });
    spdlog::warn("event=fake_retention_clock day={}", wire::UtcDateOf(fixed));
  }
#endif
  // Retention: purge what is due now, then every periods.retention_s until the server stops.
  auto run_retention = [&] {
    auto purged = api.RunRetention();
    if (!purged.ok()) {
      spdlog::error("event=retention_failed detail=\"{}\"", purged.error().message);
    } else if (!purged->empty()) {
      spdlog::info("event=retention_purged cases={}", purged->size());
    }
  };
  run_retention();
  // Metrics: this process's counts reach the store's shared counters every periods.metrics_flush_s and at exit.
  auto flush_metrics = [&] {
    Status f = api.FlushMetrics();
    if (!f.ok()) spdlog::warn("event=metrics_flush_failed detail=\"{}\"", f.error().message);
  };
  std::optional<Every> retention_timer, metrics_timer;
  retention_timer.emplace(std::chrono::seconds(periods.retention_s), run_retention);
  metrics_timer.emplace(std::chrono::seconds(periods.metrics_flush_s), flush_metrics);
  Status st = server::RunServer(api, metrics, options, [&](std::uint16_t port) {
    Status w = WritePortFile(dir, port);
    if (!w.ok()) spdlog::warn("event=port_file_failed");
    std::cout << "casepackd: listening on " << options.host << ":" << port << "\n" << std::flush;
  });
  retention_timer.reset();
  metrics_timer.reset();
  flush_metrics();
  if (!st.ok()) return Fail(st.error());
  store->reset();  // checkpoints the WAL and closes the database
  spdlog::info("event=exit status=0");
  return 0;
}

int Run(int argc, char** argv) {
  InitCrypto();
  ::umask(077);  // the store, port file and keys are for the service account only
  std::signal(SIGPIPE, SIG_IGN);
  {
    auto logger = std::make_shared<spdlog::logger>("casepackd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    // Structured key=value lines in UTC. Messages carry ids and outcomes only (see server.cpp).
    logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
    spdlog::set_default_logger(logger);
  }

  CLI::App app{"casepackd: the casepack central store (HTTPS, JSON API; see docs/api.md)"};
  app.set_version_flag("--version", "casepackd " CASEPACK_VERSION);
  app.set_config("--config", "", "read options from a TOML/INI file (installed: /etc/casepackd/casepackd.conf)");
  std::string data_dir, listen = "127.0.0.1:8443", cert, key;
  // Handlers block on the store; more threads than cores let concurrent pushes share one commit.
  int threads = 8;
  std::size_t max_connections = 512;
  app.add_option("--data", data_dir, "data directory (store, certificate, port file)");
  app.add_option("--listen", listen, "address and port, e.g. 127.0.0.1:8443 (port 0: any free port)");
  app.add_option("--cert", cert, "PEM certificate (default: self-signed in DATA/tls)");
  app.add_option("--key", key, "PEM private key for --cert");
  app.add_option("--threads", threads, "network threads")->check(CLI::Range(1, 64));
  Periods periods;
  app.add_option("--retention-interval", periods.retention_s,
                 "seconds between retention runs (cases past their purge date are deleted)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  app.add_option("--metrics-flush-interval", periods.metrics_flush_s,
                 "seconds between adding this process's /metrics counts to the store's (shared) counters")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}));
  app.add_option("--max-connections", max_connections, "concurrent connections")->check(CLI::Range(1, 100000));
  // Several casepackd processes may share one PostgreSQL database (docs/server-postgresql.md).
  StoreChoice choice;
  const char* database_help = "the store: postgresql://USER@HOST/DB (PostgreSQL) or a SQLite file (default: DATA/casepackd.db)";
  app.add_option("--database", choice.database, database_help);
  app.add_option("--database-connections", choice.connections, "PostgreSQL connections this process keeps at most")
      ->check(CLI::Range(1, 1000));

  auto* admin = app.add_subcommand("admin", "administration on the data directory")->require_subcommand(1);
  std::string admin_dir, role = std::string(wire::kRoleFacilitator);
  std::int64_t days = 7;
  auto* init = admin->add_subcommand("init", "create the store and the first business-unit invitation");
  init->add_option("--data", admin_dir, "data directory")->required();
  init->add_option("--database", choice.database, database_help);
  init->add_option("--expires-in-days", days, "invitation lifetime in days")->check(CLI::Range(1, 90));
  auto* invite = admin->add_subcommand("invite", "make another invitation");
  invite->add_option("--data", admin_dir, "data directory")->required();
  invite->add_option("--database", choice.database, database_help);
  invite->add_option("--role", role, "business-unit or facilitator")
      ->check(CLI::IsMember({std::string(wire::kRoleBusinessUnit), std::string(wire::kRoleFacilitator)}));
  invite->add_option("--expires-in-days", days, "invitation lifetime in days")->check(CLI::Range(1, 90));
  auto* fingerprint = app.add_subcommand("fingerprint", "print the SHA-256 fingerprint of the server certificate");
  std::string fp_dir, fp_cert;
  fingerprint->add_option("--data", fp_dir, "data directory");
  fingerprint->add_option("--cert", fp_cert, "PEM certificate (default: DATA/tls/cert.pem)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "casepackd: error: " << e.what() << "\n"
              << "casepackd: hint: see casepackd --help\n";
    return 2;
  }

  if (*init) return AdminInvite(admin_dir, choice, std::string(wire::kRoleBusinessUnit), days, true);
  if (*invite) return AdminInvite(admin_dir, choice, role, days, false);
  if (*fingerprint) {
    if (fp_dir.empty() && fp_cert.empty()) {
      std::cerr << "casepackd: error: fingerprint needs --data DIR or --cert FILE\n";
      return 2;
    }
    auto fp = server::CertificateFingerprint(fp_cert.empty() ? server::DefaultTlsFiles(fp_dir).cert_path : fp_cert);
    if (!fp.ok()) return Fail(fp.error());
    std::cout << *fp << "\n";
    return 0;
  }
  if (data_dir.empty()) {
    std::cerr << "casepackd: error: --data DIR is required\n"
              << "casepackd: hint: casepackd --data /var/lib/casepackd --listen 127.0.0.1:8443\n";
    return 2;
  }
  return Serve(data_dir, choice, listen, cert, key, threads, max_connections, periods);
}

}  // namespace

int main(int argc, char** argv) {
  // Whatever escapes ends as one line and exit 1, never an abort. The exception's text is not shown: it
  // may quote the request that caused it.
  try {
    return Run(argc, argv);
  } catch (const std::exception&) {
  } catch (...) {
  }
  std::cerr << "casepackd: error: internal error: casepackd stopped unexpectedly\n"
            << "casepackd: hint: the store keeps only committed changes; start casepackd again and report this\n";
  return 1;
}
