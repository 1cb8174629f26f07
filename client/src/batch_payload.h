// A sealed batch's payload (docs/sync-client.md "A batch on the wire"): the operation batch, compressed
// before it is sealed and decompressed only after its signature verified.
//
// Written: an .xz stream (LZMA2 at preset 6, 8 MiB dictionary; no integrity check of its own: the payload
// is authenticated by the seal), so a week of typing and the paragraph versions it repeats are compressed
// as one text. Read: that, or the format written before issue 18's change, a u32 big-endian size then a zlib
// stream. The two are told apart by the first byte (0xFD starts the .xz magic; a zlib payload's size is
// below 2^24, so its first byte is 0).
#pragma once

#include <cstdint>
#include <span>

#include "casepack/encoding.h"
#include "casepack/result.h"

namespace casepack {

// Deterministic for one liblzma (single-threaded encoder): a batch pushed again is the same bytes.
Bytes CompressBatchPayload(std::span<const std::uint8_t> batch);

// The batch, at most `max_size` bytes. kCorrupt for anything else: not one of the two formats, truncated,
// trailing bytes, larger than max_size (refused without being decompressed further), or needing more than
// 16 MiB of decoder memory.
Result<Bytes> DecompressBatchPayload(std::span<const std::uint8_t> payload, std::size_t max_size);

}  // namespace casepack
