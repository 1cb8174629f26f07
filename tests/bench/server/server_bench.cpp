// casepackd loopback benchmark, on each backend in one run: SQLite (one process), PostgreSQL with one
// process and with two processes on one database (issue 17; a durable throwaway PostgreSQL 15 cluster,
// tests/support/pg_cluster.sh). Starts the real servers (self-signed TLS), enrols N facilitators who are all
// members of K cases, then:
//   throughput: each client pushes M ops in batches (round-robin over the cases) and, when done, pulls every
//     case until it holds all N*M ops. Prints time until all clients converge, ingest rate, push p50/p99.
//   load: ten times the estimated peak, compressed in time: L clients each sync every P seconds (push a few
//     ops to one of their cases, then pull it) for D seconds. Prints sync latency p50/p95/p99 and errors.
// With two processes, client i prefers server i mod 2 and fails over to the other (net::FailoverClient).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "casepack/net_client.h"
#include "casepack/random.h"

using namespace casepack;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "server_bench: error: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

std::string Run(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (::pclose(p) != 0) Die("command failed: " + cmd + "\n" + out);
  return out;
}

std::string After(const std::string& text, const std::string& label) {
  const auto pos = text.find(label);
  if (pos == std::string::npos) Die("missing '" + label + "' in output");
  const auto s = pos + label.size();
  return text.substr(s, text.find('\n', s) - s);
}

struct User {
  std::unique_ptr<Identity> id;
  std::unique_ptr<net::CasepackClient> client;
  std::string user_id;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// One casepackd process under test.
struct Server {
  pid_t pid = -1;
  std::filesystem::path data;
  net::Endpoint endpoint;
};

Server StartServer(const std::filesystem::path& root, const std::string& name, const std::vector<std::string>& extra,
                   const std::string& fp) {
  Server s;
  s.data = root / name;
  std::vector<std::string> argv = {CASEPACKD, "--data", s.data.string(), "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::fflush(stdout);  // else the child's freopen writes the parent's buffered lines again
  s.pid = ::fork();
  if (s.pid == 0) {
    const std::string log = (root / (name + ".log")).string();
    if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr)) ::_exit(127);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(CASEPACKD, args.data());
    ::_exit(127);
  }
  const auto deadline = Steady::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(s.data / "casepackd.port")) {
    if (Steady::now() > deadline) Die("casepackd did not start (" + name + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the port file is written before it is renamed
  std::uint16_t port = 0;
  std::ifstream in(s.data / "casepackd.port");
  in >> port;
  s.endpoint = net::Endpoint{"127.0.0.1", port, fp};
  return s;
}

int StopServer(Server& s) {
  ::kill(s.pid, SIGTERM);
  int status = 0;
  ::waitpid(s.pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Options {
  int clients = 10, ops_per_client = 10000, cases = 100, batch = 100, blob_bytes = 128;
  int load_clients = 200, load_period_s = 60, load_duration_s = 120, load_ops = 5, compress = 10;
  bool keep = false, throughput = true, load = true;
};

struct Backend {
  std::string name;
  std::string database;  // empty: SQLite in the first data directory
  int processes = 1;
};

double Cpu(int who) {
  rusage u{};
  ::getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The figures of one backend, for the summary table.
struct Figures {
  double ingest_s = 0, ops_per_s = 0, converge_s = 0, push_p50 = 0, push_p99 = 0;
  double load_p50 = 0, load_p95 = 0, load_p99 = 0;
  std::size_t load_syncs = 0;
  int errors = 0, load_errors = 0;
};

Figures RunBackend(const Options& o, const Backend& be) {
  Figures f;
  const auto root = std::filesystem::temp_directory_path() / ("casepack-bench-" + RandomId());
  std::filesystem::create_directories(root);
  std::string db_args = be.database.empty() ? "" : " --database '" + be.database + "'";
  const std::string init = Run(std::string(CASEPACKD) + " admin init --data " + (root / "s0").string() + db_args);
  const std::string code = After(init, "invitation code: ");
  const std::string fp = After(init, "server certificate sha256: ");
  std::vector<Server> servers;
  for (int i = 0; i < be.processes; ++i) {
    std::vector<std::string> extra;
    if (!be.database.empty()) extra = {"--database", be.database};
    if (i > 0) {  // the same certificate: clients pin one fingerprint
      extra.insert(extra.end(), {"--cert", (root / "s0" / "tls" / "cert.pem").string(), "--key",
                                 (root / "s0" / "tls" / "key.pem").string()});
    }
    servers.push_back(StartServer(root, "s" + std::to_string(i), extra, fp));
  }
  // Client i prefers server i mod processes and fails over to the others.
  auto connect = [&](std::size_t i, const Identity* id, const std::string& dev = {}) {
    std::vector<net::Endpoint> order;
    for (std::size_t k = 0; k < servers.size(); ++k) order.push_back(servers[(i + k) % servers.size()].endpoint);
    return std::make_unique<net::CasepackClient>(Must(net::FailoverClient(order), "client"), id, dev);
  };

  // Accounts and cases (set-up, not measured).
  User bu;
  bu.id = std::make_unique<Identity>(Must(Identity::Generate(), "keys"));
  bu.client = connect(0, bu.id.get());
  Must(bu.client->Enroll(code), "enrol business unit");
  auto enrol = [&](std::size_t i) {
    User u;
    u.id = std::make_unique<Identity>(Must(Identity::Generate(), "keys"));
    u.client = connect(i, u.id.get());
    u.user_id = Must(u.client->Enroll(Must(bu.client->CreateInvitation("facilitator"), "invite").code), "enrol").user_id;
    return u;
  };
  const std::size_t n_users = static_cast<std::size_t>(std::max(o.clients, o.load ? o.load_clients : 0));
  std::vector<User> users;
  for (std::size_t i = 0; i < n_users; ++i) users.push_back(enrol(i));
  std::vector<std::string> case_ids;
  const int throughput_users = std::min(o.clients, static_cast<int>(users.size()));
  for (int c = 0; c < o.cases; ++c) {
    case_ids.push_back(RandomId());
    Must(users[0].client->CreateCase(case_ids.back(), Bytes(48, 1)), "create case");
    for (int u = 1; u < throughput_users; ++u) {
      const auto& id = users[static_cast<std::size_t>(u)].user_id;
      Must(users[0].client->AddMember(case_ids.back(), id, {{id, 1, Bytes(48, 2)}}), "add member");
    }
  }

  if (o.throughput) {
    const std::int64_t total_ops = static_cast<std::int64_t>(o.clients) * o.ops_per_client;
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(o.clients));
    std::vector<double> push_done_s(latencies.size()), converged_s(latencies.size());
    std::atomic<int> failures{0};
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (std::size_t u = 0; u < latencies.size(); ++u) {
      threads.emplace_back([&, u] {
        auto& client = *users[u].client;
        const Bytes blob = RandomBytes(static_cast<std::size_t>(o.blob_bytes));
        int sent = 0, b = 0;
        while (sent < o.ops_per_client) {
          std::vector<wire::OpIn> ops;
          const int n = std::min(o.batch, o.ops_per_client - sent);
          // Op ids as casepack makes them (docs/api.md: replica in 16 hex digits, a dash, the counter), so the
          // server's replica-binding check is part of what is measured.
          char replica[17];
          std::snprintf(replica, sizeof replica, "%016llx", static_cast<unsigned long long>(u + 1));
          for (int i = 0; i < n; ++i) ops.push_back({std::string(replica) + "-" + std::to_string(sent + i + 1), 1, blob});
          const std::string& case_id = case_ids[static_cast<std::size_t>((static_cast<int>(u) * 7 + b) % o.cases)];
          const auto start = Steady::now();
          auto r = client.PushOps(case_id, ops);
          if (!r.ok()) {
            ++failures;
            continue;  // idempotent: retry the same batch
          }
          latencies[u].push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
          sent += n;
          ++b;
        }
        push_done_s[u] = std::chrono::duration<double>(Steady::now() - t0).count();
        // Pull until this client holds every op of every case.
        std::vector<std::int64_t> after(case_ids.size(), 0);
        std::int64_t have = 0;
        while (have < total_ops) {
          for (std::size_t c = 0; c < case_ids.size(); ++c) {
            while (true) {
              auto page = client.PullOps(case_ids[c], after[c], 5000);
              if (!page.ok()) {
                ++failures;
                break;
              }
              have += static_cast<std::int64_t>(page->ops.size());
              after[c] = page->next_after;
              if (!page->more) break;
            }
          }
        }
        converged_s[u] = std::chrono::duration<double>(Steady::now() - t0).count();
      });
    }
    for (auto& t : threads) t.join();
    f.ingest_s = *std::max_element(push_done_s.begin(), push_done_s.end());
    f.converge_s = *std::max_element(converged_s.begin(), converged_s.end());
    f.ops_per_s = static_cast<double>(total_ops) / f.ingest_s;
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    f.push_p50 = Percentile(all, 0.5);
    f.push_p99 = Percentile(all, 0.99);
    f.errors = failures.load();
    std::printf("[%s] throughput: %d clients x %d ops (batches of %d, %d-byte blobs) over %d cases\n", be.name.c_str(),
                o.clients, o.ops_per_client, o.batch, o.blob_bytes, o.cases);
    std::printf("  all pushes acknowledged:   %.2f s\n", f.ingest_s);
    std::printf("  ingest rate:               %.0f ops/s\n", f.ops_per_s);
    std::printf("  all clients converged:     %.2f s (every client pulled all %lld ops)\n", f.converge_s,
                static_cast<long long>(total_ops));
    std::printf("  push latency (%zu pushes): p50 %.1f ms, p99 %.1f ms; retried requests: %d\n", all.size(), f.push_p50,
                f.push_p99, f.errors);
  }

  if (o.load) {
    // Each load client has its own case (a member syncing the cases they work on).
    std::vector<std::string> own(users.size());
    for (std::size_t u = 0; u < static_cast<std::size_t>(o.load_clients); ++u) {
      own[u] = RandomId();
      Must(users[u].client->CreateCase(own[u], Bytes(48, 1)), "create case");
    }
    const double period_s = static_cast<double>(o.load_period_s) / o.compress;
    const double duration_s = static_cast<double>(o.load_duration_s) / o.compress;
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(o.load_clients));
    std::atomic<int> errors{0};
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (std::size_t u = 0; u < lat.size(); ++u) {
      threads.emplace_back([&, u] {
        auto& client = *users[u].client;
        const Bytes blob = RandomBytes(static_cast<std::size_t>(o.blob_bytes));
        char replica[17];
        std::snprintf(replica, sizeof replica, "%016llx", static_cast<unsigned long long>(1000 + u));
        // Spread the clients' first syncs over one period, as real clocks would.
        auto next = t0 + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(
                             period_s * static_cast<double>(u) / static_cast<double>(lat.size())));
        std::int64_t after = 0;
        int counter = 0;
        while (std::chrono::duration<double>(next - t0).count() < duration_s) {
          std::this_thread::sleep_until(next);  // the sync schedule (load shape), not synchronisation
          next += std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(period_s));
          const auto start = Steady::now();
          std::vector<wire::OpIn> ops;
          for (int i = 0; i < o.load_ops; ++i) ops.push_back({std::string(replica) + "-" + std::to_string(++counter), 1, blob});
          bool ok = client.PushOps(own[u], ops).ok();
          auto page = client.PullOps(own[u], after, 1000);
          ok = ok && page.ok();
          if (page.ok()) after = page->next_after;
          if (!ok) {
            ++errors;
            continue;
          }
          lat[u].push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
        }
      });
    }
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    f.load_p50 = Percentile(all, 0.5);
    f.load_p95 = Percentile(all, 0.95);
    f.load_p99 = Percentile(all, 0.99);
    f.load_syncs = all.size();
    f.load_errors = errors.load();
    std::printf("[%s] load: %d clients each syncing every %d s with %d ops for %d s, compressed %dx (every %.1f s for %.0f s)\n",
                be.name.c_str(), o.load_clients, o.load_period_s, o.load_ops, o.load_duration_s, o.compress, period_s,
                duration_s);
    std::printf("  %zu syncs (push + pull), %.0f/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; errors %d\n",
                f.load_syncs, static_cast<double>(f.load_syncs) / duration_s, f.load_p50, f.load_p95, f.load_p99,
                f.load_errors);
  }
  int exit_sum = 0;
  for (auto& s : servers) exit_sum += StopServer(s) != 0;
  std::printf("  cpu used (whole run so far): clients %.2f s, servers %.2f s, on %u cores; servers exiting non-zero: %d\n",
              Cpu(RUSAGE_SELF), Cpu(RUSAGE_CHILDREN), std::thread::hardware_concurrency(), exit_sum);
  if (o.keep) {
    std::printf("  kept %s (server logs: s*.log)\n", root.c_str());
  } else {
    std::filesystem::remove_all(root);
  }
  return f;
}

// A durable throwaway PostgreSQL 15 cluster for the run (tests/support/pg_cluster.sh), removed at the end.
struct PgCluster {
  std::string dir;
  bool up = false;
  PgCluster() {
    dir = (std::filesystem::temp_directory_path() / ("casepack-bench-pg-" + RandomId().substr(0, 8))).string();
    const std::string script = std::string(CASEPACK_SOURCE_DIR) + "/tests/support/pg_cluster.sh";
    up = std::system(("bash " + script + " start " + dir + " durable >/dev/null").c_str()) == 0 &&
         std::filesystem::exists(dir + "/.s.PGSQL.5432");
  }
  ~PgCluster() {
    const std::string script = std::string(CASEPACK_SOURCE_DIR) + "/tests/support/pg_cluster.sh";
    if (std::system(("bash " + script + " stop " + dir).c_str()) != 0) std::fprintf(stderr, "server_bench: could not stop %s\n", dir.c_str());
  }
  std::string CreateDatabase() {
    const std::string name = "bench_" + RandomId().substr(0, 12);
    Run("psql -qAtX -d 'postgresql://postgres@/postgres?host=" + dir + "' -c 'CREATE DATABASE " + name + "'");
    return "postgresql://postgres@/" + name + "?host=" + dir;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() { if (i + 1 >= argc) Die("missing value for " + a); return std::atoi(argv[++i]); };
    if (a == "--clients") o.clients = next();
    else if (a == "--ops") o.ops_per_client = next();
    else if (a == "--cases") o.cases = next();
    else if (a == "--batch") o.batch = next();
    else if (a == "--blob-bytes") o.blob_bytes = next();
    else if (a == "--load-clients") o.load_clients = next();
    else if (a == "--load-period") o.load_period_s = next();
    else if (a == "--load-duration") o.load_duration_s = next();
    else if (a == "--load-ops") o.load_ops = next();
    else if (a == "--compress") o.compress = next();
    else if (a == "--no-load") o.load = false;
    else if (a == "--no-throughput") o.throughput = false;
    else if (a == "--backend" && i + 1 < argc) only = argv[++i];
    else if (a == "--keep") o.keep = true;
    else {
      std::printf("usage: server_bench [--clients 10] [--ops 10000] [--cases 100] [--batch 100] [--blob-bytes 128]\n"
                  "                    [--load-clients 200] [--load-period 60] [--load-duration 120] [--load-ops 5]\n"
                  "                    [--compress 10] [--no-load] [--no-throughput] [--backend sqlite|pg1|pg2] [--keep]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  InitCrypto();
  std::vector<std::pair<Backend, Figures>> results;
  if (only.empty() || only == "sqlite") results.push_back({Backend{"SQLite, 1 process", "", 1}, {}});
  std::unique_ptr<PgCluster> pg;
  if (only.empty() || only.rfind("pg", 0) == 0) {
    pg = std::make_unique<PgCluster>();
    if (!pg->up) {
      std::printf("PostgreSQL 15 is not available (packaging/install-deps.sh installs postgresql-15): SQLite only\n");
    } else {
      if (only.empty() || only == "pg1") results.push_back({Backend{"PostgreSQL, 1 process", pg->CreateDatabase(), 1}, {}});
      if (only.empty() || only == "pg2") results.push_back({Backend{"PostgreSQL, 2 processes", pg->CreateDatabase(), 2}, {}});
    }
  }
  for (auto& [be, f] : results) f = RunBackend(o, be);
  std::printf("\nsummary (throughput: %d x %d ops; load: %d clients at %dx peak, compressed %dx)\n", o.clients,
              o.ops_per_client, o.load_clients, 10, o.compress);
  std::printf("  %-26s %10s %9s %9s %9s | %9s %9s %9s %7s\n", "backend", "ops/s", "converge", "push p50", "push p99",
              "sync p50", "sync p95", "sync p99", "errors");
  const double base = results.empty() ? 0 : results.front().second.ops_per_s;
  for (const auto& [be, f] : results) {
    std::printf("  %-26s %10.0f %8.2fs %7.1fms %7.1fms | %7.1fms %7.1fms %7.1fms %7d   (%.2fx SQLite's ops/s)\n",
                be.name.c_str(), f.ops_per_s, f.converge_s, f.push_p50, f.push_p99, f.load_p50, f.load_p95, f.load_p99,
                f.load_errors, base > 0 ? f.ops_per_s / base : 0.0);
  }
  return 0;
}
