// casepackd loopback benchmark. Starts the real server (self-signed TLS, SQLite in a temp data dir),
// enrols N facilitators who are all members of K cases, then each client pushes M ops in batches
// (round-robin over the cases) and, when done, pulls every case until it holds all N*M ops.
// Prints: time until all clients converge, server ingest rate, push latency p50/p99.
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

std::unique_ptr<net::CasepackClient> Client(const net::Endpoint& ep, const Identity* id, const std::string& dev = {}) {
  return std::make_unique<net::CasepackClient>(Must(net::HttpsClient::Create(ep), "client"), id, dev);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 10, ops_per_client = 10000, cases = 100, batch = 100, blob_bytes = 128;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() { if (i + 1 >= argc) Die("missing value for " + a); return std::atoi(argv[++i]); };
    if (a == "--clients") clients = next();
    else if (a == "--ops") ops_per_client = next();
    else if (a == "--cases") cases = next();
    else if (a == "--batch") batch = next();
    else if (a == "--blob-bytes") blob_bytes = next();
    else if (a == "--keep") keep = true;
    else {
      std::printf("usage: server_bench [--clients 10] [--ops 10000] [--cases 100] [--batch 100] [--blob-bytes 128] [--keep]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  InitCrypto();
  const auto root = std::filesystem::temp_directory_path() / ("casepack-bench-" + RandomId());
  const auto data = root / "data";
  std::filesystem::create_directories(root);
  const std::string init = Run(std::string(CASEPACKD) + " admin init --data " + data.string());
  const std::string code = After(init, "invitation code: ");
  const std::string fp = After(init, "server certificate sha256: ");

  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string log = (root / "casepackd.log").string();
    if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr)) ::_exit(127);
    ::execl(CASEPACKD, CASEPACKD, "--data", data.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = Steady::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(data / "casepackd.port")) {
    if (Steady::now() > deadline) Die("casepackd did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::uint16_t port = 0;
  {
    std::ifstream in(data / "casepackd.port");
    in >> port;
  }
  const net::Endpoint ep{"127.0.0.1", port, fp};

  // Accounts and cases (set-up, not measured).
  User bu;
  bu.id = std::make_unique<Identity>(Must(Identity::Generate(), "keys"));
  bu.client = Client(ep, bu.id.get());
  Must(bu.client->Enroll(code), "enrol business unit");
  std::vector<User> users(static_cast<std::size_t>(clients));
  for (auto& u : users) {
    u.id = std::make_unique<Identity>(Must(Identity::Generate(), "keys"));
    u.client = Client(ep, u.id.get());
    u.user_id = Must(u.client->Enroll(Must(bu.client->CreateInvitation("facilitator"), "invite").code), "enrol").user_id;
  }
  std::vector<std::string> case_ids;
  for (int c = 0; c < cases; ++c) {
    case_ids.push_back(RandomId());
    Must(users[0].client->CreateCase(case_ids.back(), Bytes(48, 1)), "create case");
    for (std::size_t u = 1; u < users.size(); ++u) {
      Must(users[0].client->AddMember(case_ids.back(), users[u].user_id, {{users[u].user_id, 1, Bytes(48, 2)}}),
           "add member");
    }
  }

  const std::int64_t total_ops = static_cast<std::int64_t>(clients) * ops_per_client;
  std::vector<std::vector<double>> latencies(users.size());
  std::vector<double> push_done_s(users.size()), converged_s(users.size());
  std::atomic<int> failures{0};
  const auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (std::size_t u = 0; u < users.size(); ++u) {
    threads.emplace_back([&, u] {
      auto& client = *users[u].client;
      const Bytes blob = RandomBytes(static_cast<std::size_t>(blob_bytes));
      int sent = 0, b = 0;
      while (sent < ops_per_client) {
        std::vector<wire::OpIn> ops;
        const int n = std::min(batch, ops_per_client - sent);
        // Op ids as casepack makes them (docs/api.md: replica in 16 hex digits, a dash, the counter), so the
        // server's replica-binding check is part of what is measured.
        char replica[17];
        std::snprintf(replica, sizeof replica, "%016llx", static_cast<unsigned long long>(u + 1));
        for (int i = 0; i < n; ++i) ops.push_back({std::string(replica) + "-" + std::to_string(sent + i + 1), 1, blob});
        const std::string& case_id = case_ids[static_cast<std::size_t>((static_cast<int>(u) * 7 + b) % cases)];
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
  const double ingest_s = *std::max_element(push_done_s.begin(), push_done_s.end());
  const double converge_s = *std::max_element(converged_s.begin(), converged_s.end());
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::printf("casepackd loopback benchmark: %d clients x %d ops (batches of %d, %d-byte blobs) over %d cases\n",
              clients, ops_per_client, batch, blob_bytes, cases);
  std::printf("  all pushes acknowledged:   %.2f s\n", ingest_s);
  std::printf("  ingest rate:               %.0f ops/s\n", static_cast<double>(total_ops) / ingest_s);
  std::printf("  all clients converged:     %.2f s (every client pulled all %lld ops)\n", converge_s,
              static_cast<long long>(total_ops));
  std::printf("  push latency (%zu pushes): p50 %.1f ms, p99 %.1f ms\n", all.size(), Percentile(all, 0.5),
              Percentile(all, 0.99));
  auto cpu = [](int who) {
    rusage u{};
    ::getrusage(who, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  // CPU seconds for the whole run (set-up included), to read the figures on a shared machine.
  std::printf("  cpu used (whole run): clients %.2f s, casepackd %.2f s, on %u cores\n", cpu(RUSAGE_SELF),
              cpu(RUSAGE_CHILDREN), std::thread::hardware_concurrency());
  std::printf("  retried requests: %d; server exit status %d\n", failures.load(),
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  if (keep) {
    std::printf("  kept %s (server log: casepackd.log)\n", root.c_str());
  } else {
    std::filesystem::remove_all(root);
  }
  return 0;
}
