// Fuzzes Replica::LoadSnapshot (docs/sync.md, "Snapshots"), versions 1 and 2. A snapshot's body is zlib
// compressed, so mutations of a whole snapshot mostly stop at inflate: an input that does not start with
// "CPSN" is taken as (version byte, body) and framed here, so that the fuzzer reaches the column decoders.
// Properties: never crashes; what loads saves as version 2, and that loads again and saves the same bytes.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "casepack/replica.h"

namespace {
std::vector<std::uint8_t> Frame(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> out = {'C', 'P', 'S', 'N', static_cast<std::uint8_t>(1 + (data[0] & 1))};
  std::uint64_t n = size - 1;
  do {
    out.push_back(static_cast<std::uint8_t>((n & 0x7F) | (n >= 0x80 ? 0x80 : 0)));
    n >>= 7;
  } while (n);
  uLongf bound = compressBound(static_cast<uLong>(size - 1));
  const std::size_t head = out.size();
  out.resize(head + bound);
  if (compress2(out.data() + head, &bound, data + 1, static_cast<uLong>(size - 1), 1) != Z_OK) std::abort();
  out.resize(head + bound);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::vector<std::uint8_t> snap = size >= 4 && std::memcmp(data, "CPSN", 4) == 0
                                       ? std::vector<std::uint8_t>(data, data + size)
                                       : Frame(data, size);
  const casepack::ReplicaOptions opts{"case-42", 0x3333333333333333ull, "loader", {}};
  auto loaded = casepack::Replica::LoadSnapshot(snap, opts);
  if (!loaded.ok()) return 0;
  const auto saved = loaded->SaveSnapshot();
  if (saved.size() < 5 || saved[4] != 2) std::abort();
  auto again = casepack::Replica::LoadSnapshot(saved, opts);
  if (!again.ok() || again->SaveSnapshot() != saved) std::abort();
  return 0;
}
