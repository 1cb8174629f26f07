// Fuzzes the operation batch decoder (docs/operation-format.md). Property: decoding never crashes, and a
// batch that decodes re-encodes to exactly the same bytes (the encoding is canonical). Decoded batches are
// also applied to a replica, which must not crash on whatever they name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "casepack/operation.h"
#include "casepack/replica.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto ops = casepack::DecodeOperations(std::span<const std::uint8_t>(data, size));
  if (!ops.ok()) return 0;
  casepack::Bytes again = casepack::EncodeOperations(*ops);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  if (!ops->empty()) {
    casepack::Replica r({ops->front().case_id, 0x5eed, "fuzz", [] { return std::uint64_t{1'700'000'000'000}; }});
    (void)r.Apply(*ops);
    (void)r.ChangesSince({});
  }
  return 0;
}
