// What the benchmarks under tests/bench share: ending the run on an error, named after the program, and
// the percentile they all print.
#pragma once

#include <errno.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "casepack/result.h"

namespace casepack::bench {

[[noreturn]] inline void Die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what.c_str(), e.message.c_str());
  std::exit(1);
}
template <typename T>
T Must(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what, r.error());
  return std::move(r).value();
}
inline void Must(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what, s.error());
}

// The p-th percentile (0..1) by nearest rank; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace casepack::bench
