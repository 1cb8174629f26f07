// Purge benchmark (issue 7's figure: purge 1,000 cases in under 1 s on the device). Builds a store of N
// MAS cases, each with two notes, an action and a small document, all past their retention date; then,
// on a fresh copy for each run, times RunRetentionAtOpen — the purge every command runs after unlock,
// with the store's real settings (WAL, synchronous=FULL, secure_delete) — including the WAL checkpoint.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "casepack/cases.h"
#include "casepack/destruction_certificate.h"
#include "casepack/retention.h"
#include "casepack/trusted_clock.h"
#include "support/test_clock.h"

using namespace casepack;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPass = "benchmark passphrase, not secret";

void Die(const Error& e, const char* what) {
  std::fprintf(stderr, "purge_bench: %s: %s\n", what, e.message.c_str());
  std::exit(1);
}
template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(r.error(), what);
  return std::move(r).value();
}
void Must(const Status& s, const char* what) {
  if (!s.ok()) Die(s.error(), what);
}

void BuildStore(const fs::path& dir, int cases, const Clock& clock) {
  auto store = Must(Store::Create(dir, kPass, KdfParams::CheapForTests(), "casepack init", clock), "creating the store");
  // Setup only: the timed purge runs on a reopened store with the normal settings.
  Must(store->db().Exec("PRAGMA synchronous = OFF;"), "setup pragma");
  CaseService svc(*store);
  const std::string note(600, 'n');
  const std::string doc(4096, 'd');
  for (int i = 0; i < cases; ++i) {
    NewCase c;
    c.event_type = EventType::kMas;
    c.subject = {"C" + std::to_string(i), "Newport"};
    c.key_dates = {{"event", *ParseDate("2026-01-05")}, {"summary-report-sent", *ParseDate("2026-01-12")}};
    const std::string id = Must(svc.CreateCase(c), "creating a case");
    Must(svc.SetNote(id, "story", note + std::to_string(i)), "note");
    Must(svc.SetNote(id, "risk-factors", note), "note");
    Action a;
    a.what = "Share the plan with the school";
    a.owner = Conflicted<Owner>::Of(Owner{"Education", "Head teacher"});
    a.due = Conflicted<Date>::Of(*ParseDate("2026-02-01"));
    Must(svc.AddAction(id, a), "action");
    const std::string bytes = doc + std::to_string(i);
    std::size_t pos = 0;
    ByteSource src = [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      const std::size_t n = std::min(buf.size(), bytes.size() - pos);
      std::copy_n(bytes.data() + pos, n, buf.data());
      pos += n;
      return n;
    };
    Must(svc.AddDocument(id, DocumentType::kCoreGroupMinutes, "minutes.txt", *ParseDate("2026-01-02"), "Health", src), "document");
  }
}

}  // namespace

int main(int argc, char** argv) {
  InitCrypto();
  const int cases = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const fs::path root = fs::temp_directory_path() / ("casepack-purge-bench-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  testing::TestClock clock("2026-02-01");  // before the purge dates: nothing goes while building
  std::printf("building a store with %d cases (notes, an action, a 4 KiB document each)...\n", cases);
  const auto b0 = std::chrono::steady_clock::now();
  BuildStore(root / "template", cases, clock);
  std::printf("built in %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count());

  {
    // What every command pays at open when nothing is due: the index scan, the deadlines, the clock write.
    std::vector<double> ms;
    const fs::path dir = root / "idle";
    fs::copy(root / "template", dir, fs::copy_options::recursive);
    auto store = Must(Store::Open(dir, kPass, "casepack", clock), "opening");
    for (int r = 0; r < 5; ++r) {
      const std::string now = "2026-02-01T00:00:0" + std::to_string(r + 1) + "Z";  // the clock advances: one write
      clock.Set(now);
      const auto t0 = std::chrono::steady_clock::now();
      PurgeReport report = Must(RunRetentionAtOpen(*store), "checking");
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (!report.purged.empty()) return 1;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("at-open retention check, %d cases, none due: median %.1f ms\n", cases, ms[ms.size() / 2]);
    store.reset();
    fs::remove_all(dir);
  }

  {
    // Disposition review (`retention due`): every case's purge date from the index, those in the window.
    std::vector<double> ms;
    auto store = Must(Store::Open(root / "template", kPass, "casepack", clock), "opening");
    RetentionService svc(*store);
    std::size_t listed = 0;
    for (int r = 0; r < 5; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      listed = Must(svc.DueWithin(*ParseDate("2026-02-01"), 3660), "listing").size();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("retention due, %d cases (%zu listed): median %.1f ms (min %.1f, max %.1f, 5 runs)\n", cases, listed,
                ms[ms.size() / 2], ms.front(), ms.back());
  }

  clock.Set("2027-01-01");  // every case past its date (a jump: each run's store confirms the date first)
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r) {
    const fs::path dir = root / ("run" + std::to_string(r));
    fs::copy(root / "template", dir, fs::copy_options::recursive);
    auto store = Must(Store::Open(dir, kPass, "casepack", clock), "opening");
    if (!TrustedClock(store->db(), store->clock()).ConfirmDate(UtcDateOf(clock.Millis())).ok()) return 1;
    rusage u0{}, u1{};
    getrusage(RUSAGE_SELF, &u0);
    const auto t0 = std::chrono::steady_clock::now();
    PurgeReport report = Must(RunRetentionAtOpen(*store), "purging");
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    getrusage(RUSAGE_SELF, &u1);
    auto secs = [](timeval a, timeval b) { return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_usec - a.tv_usec) / 1e6; };
    const double cpu_user = secs(u0.ru_utime, u1.ru_utime), cpu_sys = secs(u0.ru_stime, u1.ru_stime);
    if (static_cast<int>(report.purged.size()) != cases) {
      std::fprintf(stderr, "purge_bench: purged %zu of %d cases\n", report.purged.size(), cases);
      return 1;
    }
    const StoreCounts counts = Must(store->Counts(), "counting");
    if (counts.cases != 0 || counts.documents != 0 || counts.operations != 0) {
      std::fprintf(stderr, "purge_bench: content left after the purge\n");
      return 1;
    }
    seconds.push_back(s);
    std::printf("run %d: purged %zu cases in %.3f s (cpu: user %.3f s, sys %.3f s)\n", r + 1, report.purged.size(), s,
                cpu_user, cpu_sys);
    if (r == 0) {
      // Certificates of destruction for every purged case (offline: this device's record and receipt).
      RetentionService svc(*store);
      const auto tombstones = Must(svc.Tombstones(), "tombstones");
      const auto receipts = Must(svc.Receipts(), "receipts");
      const auto c0 = std::chrono::steady_clock::now();
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < tombstones.size(); ++i) {
        CertificateInput in;
        in.tombstone = tombstones[i];
        for (const auto& rc : receipts)
          if (rc.case_id == in.tombstone.case_id) in.receipt = rc;
        in.issued_at = "2027-01-02T00:00:00Z";
        in.issued_by = store->id();
        const std::string text = IssueCertificate(in, store->identity()).dump(2);
        if (!VerifyCertificate(text).ok()) return 1;
        bytes += text.size();
      }
      std::printf("certificates of destruction: %zu issued and verified in %.3f s (%zu bytes of JSON)\n",
                  tombstones.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count(), bytes);
    }
    store.reset();
    fs::remove_all(dir);
  }
  fs::remove_all(root);
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::printf("purge of %d cases: median %.3f s (min %.3f, max %.3f, %d runs) — goal < 1 s: %s\n", cases, median,
              seconds.front(), seconds.back(), runs, median < 1.0 ? "met" : "NOT met");
  return 0;
}
