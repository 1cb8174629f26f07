// Document bytes at rest: one file per blob under STORE/blobs/, encrypted with the case's key
// (libsodium secretstream XChaCha20-Poly1305 in 64 KiB chunks, the last one tagged final), so that
// destroying the case key shreds every copy, and so that sync can upload the very same ciphertext — the
// server only ever stores what is already encrypted here. Format: docs/blobs.md.
//
// Streaming both ways: memory does not grow with the document.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "casepack/result.h"
#include "casepack/secret.h"

namespace casepack {

// Fills `buffer` with up to its size; returns the count read, 0 at the end.
using ByteSource = std::function<Result<std::size_t>(std::span<std::uint8_t> buffer)>;
using ByteSink = std::function<Status(std::span<const std::uint8_t> bytes)>;

struct BlobInfo {
  std::string blob_id;                 // 32 hex characters, random
  std::uint64_t size = 0;              // plaintext bytes
  std::array<std::uint8_t, 32> sha256{};  // of the plaintext
};

class BlobStore {
 public:
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  explicit BlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Encrypts everything `source` yields into a new blob. kInvalidArgument if it is empty or larger than
  // `max_size` (nothing is kept), kNoSpace/kIo from the file system (nothing is kept). The blob file
  // appears atomically (temporary file, fsync, rename).
  // `blob_id` empty: a new random id; else that id (a blob received by sync keeps its sender's id).
  [[nodiscard]] Result<BlobInfo> Put(const SecretBytes& case_key, std::string_view case_id, const ByteSource& source,
                                     std::uint64_t max_size, std::string_view blob_id = {});
  // Decrypts a blob to `sink`, chunk by chunk, each verified before it is released. kNotFound if there
  // is no such blob, kAuthFailed/kCorrupt if it was altered, truncated or belongs to another case. On
  // failure the sink may have received a verified prefix: callers writing to a file must discard it.
  [[nodiscard]] Status Get(const SecretBytes& case_key, std::string_view case_id, std::string_view blob_id,
                           const ByteSink& sink) const;
  // Removes a blob's file. Not an error if it is already gone.
  [[nodiscard]] Status Remove(std::string_view blob_id) const;
  std::filesystem::path PathOf(std::string_view blob_id) const;

 private:
  std::filesystem::path dir_;
};

// The blob format on any byte stream (docs/blobs.md): what Put and Get do, minus the file. Sync uses them
// to carry documents encrypted under the shared case key. SealBlobStream fills size and sha256 of `info`;
// errors as Put (kInvalidArgument empty / over max_size) and Get (kAuthFailed, kCorrupt).
[[nodiscard]] Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                    const ByteSource& source, const ByteSink& out, std::uint64_t max_size,
                                    BlobInfo& info);
[[nodiscard]] Status OpenBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                    const ByteSource& source, const ByteSink& out);

// SHA-256 of a whole byte string (hardware accelerated through OpenSSL where the CPU allows).
std::array<std::uint8_t, 32> Sha256(std::span<const std::uint8_t> bytes);

}  // namespace casepack
