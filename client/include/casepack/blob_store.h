// Document bytes at rest: one file per blob under STORE/blobs/, in the blob format (casepack/blob_stream.h,
// docs/blobs.md) under the case's key, so that destroying the case key shreds every copy, and so that sync
// can upload the very same ciphertext — the server only ever stores what is already encrypted here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "casepack/blob_stream.h"
#include "casepack/hash.h"
#include "casepack/result.h"
#include "casepack/secret.h"

namespace casepack {

class BlobStore {
 public:
  static constexpr std::size_t kChunkBytes = kBlobChunkBytes;

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
  // The directory is made by the first Put. An import that is refused removes it again if it made it and
  // nothing else is in it, so that a refused import leaves the store exactly as it was.
  bool HasDirectory() const;
  void RemoveDirectoryIfEmpty() const;
  std::filesystem::path PathOf(std::string_view blob_id) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace casepack
