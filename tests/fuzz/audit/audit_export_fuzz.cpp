// Fuzzes the audit export verifier (docs/audit.md), which reads files handed over from devices: whatever
// the bytes, it must not crash, and its verdict must be self-consistent (a passing file names no bad
// entry; a failing one names where it failed). Seeded with tests/vectors/audit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "casepack/audit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = casepack::VerifyAuditExport(text);
  if (v.ok() && v->ok == v->first_bad_seq.has_value()) std::abort();
  if (v.ok() && v->entries < 0) std::abort();
  return 0;
}
