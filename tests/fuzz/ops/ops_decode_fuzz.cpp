// Fuzzes the operation batch decoder (docs/operation-format.md), versions 1 and 2. Property: decoding never
// crashes, and a batch that decodes re-encodes in its own version to exactly the same bytes (each version's
// encoding is canonical: version 2's predictions must be used wherever they hold), and to the same
// operations in the other version. Decoded batches are
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
  const auto version = static_cast<casepack::BatchVersion>(casepack::OperationBatchVersion({data, size}));
  casepack::Bytes again = casepack::EncodeOperations(*ops, version);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  const auto other = version == casepack::BatchVersion::kV1 ? casepack::BatchVersion::kV2 : casepack::BatchVersion::kV1;
  auto across = casepack::DecodeOperations(casepack::EncodeOperations(*ops, other));
  if (!across.ok() || *across != *ops) std::abort();
  if (!ops->empty()) {
    casepack::Replica r({ops->front().case_id, 0x5eed, "fuzz", [] { return std::uint64_t{1'700'000'000'000}; }});
    (void)r.Apply(*ops);
    (void)r.ChangesSince({});
  }
  return 0;
}
