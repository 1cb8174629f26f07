// Case-service figures with a realistic store: 1,000 cases (MAS, MAPF, MAPM in turn), each with a few key
// dates, a note and an action, created through CaseService (the CLI would take minutes of process starts).
// Measured after unlock, median of several runs:
//   * ListCases and Deadlines through the library (goal: under 50 ms each);
//   * `casepack case list` and `casepack deadlines` as real processes, minus the median of `casepack status`
//     (process start + unlock + three counts) so the figure is the command's own work; the store uses the
//     insecure test KDF so that Argon2id does not swamp it (the unlock cost is store_bench's figure);
//   * importing a 50 MB document (AddDocument from memory: chunked encryption, hashing, blob file with
//     fsync, one transaction), in MB/s (goal: at least 100 MB/s).
// Usage: cases_bench CASEPACK_BINARY [--cases N] [--runs N] [--dir PARENT]
// The store is created in a fresh directory under PARENT (default $TMPDIR or /tmp: a real disk, since
// fsync is part of the cost), and removed at the end.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "casepack/cases.h"
#include "casepack/secret.h"
#include "casepack/store.h"
#include "support/bench_support.h"
#include "support/calendar.h"

namespace {

namespace fs = std::filesystem;
using namespace casepack;
using Steady = std::chrono::steady_clock;

constexpr std::string_view kPass = "correct horse battery staple";

using bench::Die;
using bench::Must;
using bench::Percentile;

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Runs argv with standard output drained into /dev/null (the command prints everything it would to a
// terminal or pipe) and returns the wall time; exits on failure.
double RunMs(const std::vector<std::string>& argv) {
  const auto start = Steady::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) ::dup2(::fileno(null), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double ms = Ms(Steady::now() - start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += " " + a;
    std::fprintf(stderr, "cases_bench: command failed:%s\n", cmd.c_str());
    std::exit(1);
  }
  return ms;
}

NewCase MakeCase(int i) {
  NewCase c;
  // From 60 days ago to 240 days ahead: a mix of done, due and waiting steps, and every case is still
  // months from its purge date (the earliest, a MAPM case's minutes + 120 days, is 66 days ahead).
  const Date base = AddDays(testing::TodayUtc(), i % 300 - 60);
  c.subject = {"Child " + std::to_string(i), i % 2 == 0 ? "Newport" : "Torfaen"};
  c.facilitators = {"Alex Jones"};
  switch (i % 3) {
    case 0:
      c.event_type = EventType::kMas;
      c.key_dates = {{"referral-conference", base}, {"event-booked", AddDays(base, 10)}, {"event", AddDays(base, 35)}};
      break;
    case 1:
      c.event_type = EventType::kMapf;
      c.lead_agency = "Children's Services";
      c.key_dates = {{"referral-agreed", base}, {"papers-circulated", AddDays(base, 20)}, {"event", AddDays(base, 28)}};
      break;
    default:
      c.event_type = EventType::kMapm;
      c.lead_agency = "Education";
      c.key_dates = {{"meeting", base}, {"minutes-sent", AddDays(base, 6)}, {"next-review", AddMonths(base, 3)}};
      break;
  }
  return c;
}

std::string_view NoteSectionFor(EventType t) {
  return t == EventType::kMas ? "story" : t == EventType::kMapf ? "working-well" : "aim";
}

}  // namespace

int main(int argc, char** argv) {
  InitCrypto();
  if (argc < 2) {
    std::fprintf(stderr, "usage: cases_bench CASEPACK_BINARY [--cases N] [--runs N] [--dir PARENT]\n");
    return 2;
  }
  const std::string cli = argv[1];
  int cases = 1000, runs = 9;
  fs::path parent = fs::temp_directory_path();
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--cases") == 0) cases = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0) parent = argv[i + 1];
  }
  std::string tmpl = (parent / "casepack-cases-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path work = tmpl;
  const fs::path dir = work / "store";
  const fs::path pass_file = work / "pass";
  std::ofstream(pass_file) << kPass << "\n";

  // ---- the store: 1,000 cases, each with key dates, a note and an action ----
  double create_s = 0;
  {
    auto store = Must(Store::Create(dir, kPass, KdfParams::CheapForTests()), "creating the store");
    CaseService service(*store);
    const auto start = Steady::now();
    for (int i = 0; i < cases; ++i) {
      const NewCase c = MakeCase(i);
      const std::string id = Must(service.CreateCase(c), "creating a case");
      Must(service.AppendNote(id, NoteSectionFor(c.event_type),
                              "Case " + std::to_string(i) + ": the story so far, as the referral gives it."),
           "adding a note");
      Action a;
      a.what = "Core group to review the plan";
      a.owner = Conflicted<Owner>::Of(Owner{"Children's Services", "Social worker"});
      a.due = Conflicted<Date>::Of(AddDays(c.key_dates.begin()->second, 42));
      Must(service.AddAction(id, a), "adding an action");
    }
    create_s = std::chrono::duration<double>(Steady::now() - start).count();
  }

  // ---- the library, after unlock ----
  auto store = Must(Store::Open(dir, kPass), "opening the store");
  CaseService service(*store);
  const Date today = testing::TodayUtc();
  std::vector<double> list_ms, deadlines_ms;
  std::size_t listed = 0, steps = 0;
  for (int r = 0; r < runs; ++r) {
    auto start = Steady::now();
    listed = Must(service.ListCases(), "listing").size();
    list_ms.push_back(Ms(Steady::now() - start));
    start = Steady::now();
    const auto all = Must(service.Deadlines(today), "deadlines");
    deadlines_ms.push_back(Ms(Steady::now() - start));
    steps = 0;
    for (const auto& t : all) steps += t.steps.size();
  }

  // ---- a 50 MB document, from memory, into a fresh case each run ----
  constexpr std::size_t kDocBytes = 50'000'000;
  std::vector<std::uint8_t> doc(kDocBytes);
  for (std::size_t i = 0; i < doc.size(); ++i) doc[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  std::vector<double> import_mbps;
  for (int r = 0; r < 5; ++r) {
    doc[0] = static_cast<std::uint8_t>(r);  // distinct bytes: never refused as a duplicate
    const std::string id = Must(service.CreateCase(MakeCase(r)), "creating the import case");
    std::size_t offset = 0;
    ByteSource source = [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      const std::size_t n = std::min(buf.size(), doc.size() - offset);
      std::memcpy(buf.data(), doc.data() + offset, n);
      offset += n;
      return n;
    };
    const auto start = Steady::now();
    Must(service.AddDocument(id, DocumentType::kIcpcMinutes, "minutes.pdf", today, "Children's Services", source),
         "importing the document");
    const double s = std::chrono::duration<double>(Steady::now() - start).count();
    import_mbps.push_back(static_cast<double>(kDocBytes) / 1e6 / s);
  }
  store.reset();  // the CLI needs the store's lock

  // ---- the real CLI: the command minus process start and unlock (`casepack status`) ----
  const std::vector<std::string> base = {cli, "--store", dir.string(), "--passphrase-file", pass_file.string()};
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> v = base;
    v.insert(v.end(), args.begin(), args.end());
    return v;
  };
  std::vector<double> status_ms, cli_list_ms, cli_deadlines_ms, cli_deadlines_json_ms;
  RunMs(with({"status"}));  // warm the page cache
  for (int r = 0; r < runs; ++r) {
    status_ms.push_back(RunMs(with({"status"})));
    cli_list_ms.push_back(RunMs(with({"case", "list"})));
    cli_deadlines_ms.push_back(RunMs(with({"deadlines", "--today", FormatDate(today)})));
    cli_deadlines_json_ms.push_back(RunMs(with({"deadlines", "--today", FormatDate(today), "--json"})));
  }
  const double unlock = Median(status_ms);

  std::printf("casepack case-service benchmark: %d cases (+5 import cases), %d runs each, store under %s\n",
              cases, runs, parent.c_str());
  std::printf("setup: %d cases with key dates, a note and an action created in %.1f s (%.1f ms per case)\n", cases,
              create_s, create_s * 1000 / cases);
  std::printf("\n%-44s %12s %10s\n", "measure", "median", "goal");
  std::printf("%-44s %9.2f ms %10s   (%zu cases)\n", "ListCases (library, after unlock)", Median(list_ms), "< 50 ms", listed);
  std::printf("%-44s %9.2f ms %10s   (%zu steps)\n", "Deadlines (library, after unlock)", Median(deadlines_ms), "< 50 ms", steps);
  std::printf("%-44s %9.2f ms %10s\n", "casepack status (process start + unlock)", unlock, "");
  std::printf("%-44s %9.2f ms %10s   (%.2f ms in all)\n", "casepack case list, minus status", Median(cli_list_ms) - unlock,
              "< 50 ms", Median(cli_list_ms));
  std::printf("%-44s %9.2f ms %10s   (%.2f ms in all)\n", "casepack deadlines, minus status",
              Median(cli_deadlines_ms) - unlock, "< 50 ms", Median(cli_deadlines_ms));
  std::printf("%-44s %9.2f ms %10s   (%.2f ms in all)\n", "casepack deadlines --json, minus status",
              Median(cli_deadlines_json_ms) - unlock, "< 50 ms", Median(cli_deadlines_json_ms));
  std::printf("%-44s %7.0f MB/s %10s   (min %.0f, max %.0f; 5 runs)\n", "AddDocument, 50 MB from memory", Median(import_mbps),
              ">= 100", *std::min_element(import_mbps.begin(), import_mbps.end()),
              *std::max_element(import_mbps.begin(), import_mbps.end()));

  std::error_code ec;
  fs::remove_all(work, ec);
  return 0;
}
