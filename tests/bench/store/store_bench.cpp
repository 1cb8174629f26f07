// Unlock time, split into key derivation (Argon2id at the default setting) and everything after it
// (unwrap, SQLCipher open and key check, migrations check, identity load). Goal: after the KDF, under
// 20 ms to a ready store.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "casepack/store.h"

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kPass = "correct horse battery staple";

struct Fixture {
  fs::path dir;
  Fixture() {
    std::string tmpl = (fs::temp_directory_path() / "casepack-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = fs::path(tmpl) / "store";
    auto s = casepack::Store::Create(dir, kPass, casepack::KdfParams::Default());
    if (!s.ok()) std::abort();
  }
  ~Fixture() { fs::remove_all(dir.parent_path()); }
};

void BM_UnlockDefaultKdf(benchmark::State& state) {
  static Fixture f;
  double kdf_ms = 0, after_ms = 0;
  for (auto _ : state) {
    auto s = casepack::Store::Open(f.dir, kPass);
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
    kdf_ms += std::chrono::duration<double, std::milli>((*s)->unlock_timings().kdf).count();
    after_ms += std::chrono::duration<double, std::milli>((*s)->unlock_timings().after_kdf).count();
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["kdf_ms"] = kdf_ms / n;
  state.counters["after_kdf_ms"] = after_ms / n;
}
BENCHMARK(BM_UnlockDefaultKdf)->Unit(benchmark::kMillisecond)->Iterations(3)->Repetitions(5)->ReportAggregatesOnly();

}  // namespace

BENCHMARK_MAIN();
