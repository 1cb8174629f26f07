// The blob format: a document's bytes encrypted as a stream of chunks (docs/blobs.md; vectors in
// tests/vectors/blob_stream/). The same bytes are stored at rest (client BlobStore) and carried by sync
// under the shared case key, so the server only ever stores what is already encrypted on the device.
//
//   "casepack-blob-1\n" (16) || secretstream header (24) || chunk… 
//
// Each chunk is libsodium's secretstream XChaCha20-Poly1305 over 64 KiB of plaintext (the last one
// shorter or equal, tagged final), with "casepack-blob-1\n" case_id "\n" blob_id as associated data, so a
// blob cannot be moved to another case or renamed to stand in for another document unnoticed.
// Streaming both ways: memory does not grow with the document.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "casepack/hash.h"
#include "casepack/result.h"
#include "casepack/secret.h"

namespace casepack {

inline constexpr std::size_t kBlobChunkBytes = 64 * 1024;
inline constexpr std::size_t kBlobKeyBytes = 32;

// Fills `buffer` with up to its size; returns the count read, 0 at the end.
using ByteSource = std::function<Result<std::size_t>(std::span<std::uint8_t> buffer)>;
using ByteSink = std::function<Status(std::span<const std::uint8_t> bytes)>;

struct BlobInfo {
  std::string blob_id;     // 32 hex characters, random
  std::uint64_t size = 0;  // plaintext bytes
  Sha256Digest sha256{};   // of the plaintext
};

// Where a sealed blob goes, for a writer that can lend its own memory: chunks are then sealed straight into
// it, and a large blob is not copied again on its way to the file (client BlobStore's direct writer).
class BlobOutput {
 public:
  virtual ~BlobOutput() = default;
  // Writable room for the next `bytes` bytes, contiguous, or an empty span if there is not that much room
  // at hand (the bytes then come through Write).
  virtual std::span<std::uint8_t> Room(std::size_t bytes) = 0;
  // The first `bytes` bytes of the last Room hold the next bytes of the blob.
  [[nodiscard]] virtual Status Commit(std::size_t bytes) = 0;
  // The next bytes of the blob, from the sealer's own memory.
  [[nodiscard]] virtual Status Write(std::span<const std::uint8_t> bytes) = 0;
};

// Encrypts everything `source` yields to `out`, with a fresh random stream header; fills size and sha256
// of `info`. kInvalidArgument if the source is empty or yields more than `max_size` bytes; errors of the
// source or sink as they come. REQUIRES: key.size() == kBlobKeyBytes.
//
// The caller's thread reads and hashes; a blob of more than one batch (1 MiB) is sealed and passed to
// `out` on a helper thread, one call at a time and in order, and never after this returns. After `out`
// fails it is not called again.
[[nodiscard]] Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                    const ByteSource& source, const ByteSink& out, std::uint64_t max_size,
                                    BlobInfo& info);
[[nodiscard]] Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                    const ByteSource& source, BlobOutput& out, std::uint64_t max_size, BlobInfo& info);
// Decrypts to `out`, chunk by chunk, each verified before it is released. kCorrupt if the framing is
// wrong (magic, header, truncation, data after the final chunk), kAuthFailed if a chunk does not verify
// (altered, another key, case or blob id). On failure `out` may have received a verified prefix.
// REQUIRES: key.size() == kBlobKeyBytes.
[[nodiscard]] Status OpenBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                    const ByteSource& source, const ByteSink& out);

}  // namespace casepack
