// Test-only fault points. CASEPACK_FAULT_POINT("push-acked") names a step at which a test can stop the
// process, so that a kill lands exactly there instead of after a lucky sleep.
//
// Compiled in only when CASEPACK_FAULT_POINTS is defined: the CMake option of that name, on in builds
// with tests (and then `cmake --install` refuses to run). Otherwise the macro expands to nothing: a shipped
// binary holds no hook, no point name and reads no variable.
//
// In a test build, with CASEPACK_FAULT_AT=NAME[:N] in the environment, the Nth time (default 1) the process
// reaches point NAME (counted across threads):
//   - it creates the file named by CASEPACK_FAULT_NOTIFY (if set), holding NAME and the pid, then blocks the
//     calling thread for ever: the test sees the file and kills the process there;
//   - or, with CASEPACK_FAULT_ACTION=throw, it throws std::runtime_error instead (to prove that main() turns
//     an escaped exception into a one-line error).
// Points in use: docs/testing.md.
#pragma once

#ifdef CASEPACK_FAULT_POINTS
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace casepack::fault {

inline void Reached(const char* name) {
  const char* at = std::getenv("CASEPACK_FAULT_AT");
  if (at == nullptr) return;
  const std::string spec = at;
  const auto colon = spec.find(':');
  if (spec.substr(0, colon) != name) return;
  const long nth = colon == std::string::npos ? 1 : std::atol(spec.c_str() + colon + 1);
  static std::atomic<long> hits{0};
  if (++hits != nth) return;
  if (const char* action = std::getenv("CASEPACK_FAULT_ACTION"); action != nullptr && std::strcmp(action, "throw") == 0)
    throw std::runtime_error(std::string("fault point ") + name);
  if (const char* notify = std::getenv("CASEPACK_FAULT_NOTIFY"); notify != nullptr) {
    // Written under another name and renamed, so the test never reads a half-written file.
    const std::string tmp = std::string(notify) + ".tmp";
    if (std::FILE* f = std::fopen(tmp.c_str(), "w")) {
      std::fprintf(f, "%s %ld\n", name, static_cast<long>(::getpid()));
      std::fclose(f);
      std::rename(tmp.c_str(), notify);
    }
  }
  for (;;) ::pause();
}

}  // namespace casepack::fault

#define CASEPACK_FAULT_POINT(name) ::casepack::fault::Reached(name)
#else
#define CASEPACK_FAULT_POINT(name) static_cast<void>(0)
#endif
