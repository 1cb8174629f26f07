// Loads the editing traces of ../shared/data/traces (format: ../shared/data/README.md) for tests and
// benchmarks. Header-only; needs zlib and nlohmann_json.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace casepack::testing {

struct Patch {
  std::uint64_t pos;
  std::uint64_t del;
  std::string ins;  // UTF-8
};

struct Txn {
  int agent = 0;
  std::vector<std::size_t> parents;
  std::vector<Patch> patches;
};

struct Trace {
  std::string end_content;
  int num_agents = 1;
  std::vector<Txn> txns;
};

// A trace that is there but cannot be read is an error (std::runtime_error), never "not found": a damaged
// file must fail the test that needs it, not skip it.
inline std::string Gunzip(const std::filesystem::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open trace " + path.string());
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  const bool ok = n == 0;
  gzclose(f);
  if (!ok) throw std::runtime_error("trace " + path.string() + " is not a complete gzip file");
  return out;
}

// nullopt only when the file is absent; a corrupt trace throws std::runtime_error (or nlohmann's errors).
inline std::optional<Trace> LoadTrace(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto j = nlohmann::json::parse(Gunzip(path));
  Trace t;
  t.end_content = j.at("endContent").get<std::string>();
  if (j.contains("numAgents")) t.num_agents = j.at("numAgents").get<int>();
  for (const auto& jt : j.at("txns")) {
    Txn tx;
    if (jt.contains("agent")) tx.agent = jt.at("agent").get<int>();
    if (jt.contains("parents"))
      for (const auto& p : jt.at("parents")) tx.parents.push_back(p.get<std::size_t>());
    for (const auto& p : jt.at("patches"))
      tx.patches.push_back({p.at(0).get<std::uint64_t>(), p.at(1).get<std::uint64_t>(), p.at(2).get<std::string>()});
    t.txns.push_back(std::move(tx));
  }
  return t;
}

inline std::filesystem::path SharedTrace(const char* name) {
  return std::filesystem::path(CASEPACK_SHARED_DIR) / "data" / "traces" / name;
}

}  // namespace casepack::testing
