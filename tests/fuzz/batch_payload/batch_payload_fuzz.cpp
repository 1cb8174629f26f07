// Fuzzes decompressing a sealed batch's payload (client/src/batch_payload.h). Properties: it never crashes
// or allocates beyond its limit (1 MiB here, as ASan would report); what decompresses is at most the limit
// and compresses and decompresses back to itself. (Compressing every input as a batch too made each run
// set up xz's 94 MiB encoder: 50 runs a second. Issue18BatchPayload.* round-trips batches.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "batch_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kLimit = 1u << 20;
  const std::span<const std::uint8_t> in(data, size);
  auto out = casepack::DecompressBatchPayload(in, kLimit);
  if (out.ok()) {
    if (out->empty() || out->size() > kLimit) std::abort();
    auto again = casepack::DecompressBatchPayload(casepack::CompressBatchPayload(*out), kLimit);
    if (!again.ok() || *again != *out) std::abort();
  }
  return 0;
}
