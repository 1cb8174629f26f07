// For tests and fuzz targets only (they reproduce a known blob byte for byte): sealing with a given
// stream header. Production code calls SealBlobStream, which draws the header at random; reusing a header
// under the same key would reuse the keystream.
#pragma once

#include "casepack/blob_stream.h"

namespace casepack::internal {

inline constexpr std::size_t kBlobStreamHeaderBytes = 24;

[[nodiscard]] Status SealBlobStreamWithHeader(const SecretBytes& key, std::string_view case_id,
                                              std::string_view blob_id,
                                              std::span<const std::uint8_t, kBlobStreamHeaderBytes> header,
                                              const ByteSource& source, const ByteSink& out,
                                              std::uint64_t max_size, BlobInfo& info);
[[nodiscard]] Status SealBlobStreamWithHeader(const SecretBytes& key, std::string_view case_id,
                                              std::string_view blob_id,
                                              std::span<const std::uint8_t, kBlobStreamHeaderBytes> header,
                                              const ByteSource& source, BlobOutput& out, std::uint64_t max_size,
                                              BlobInfo& info);

}  // namespace casepack::internal
