// Fuzzes opening a blob stream (docs/blobs.md) under the key, case id and blob id of
// tests/vectors/blob_stream/ok_*. Properties: opening never crashes; what opens seals back to exactly the
// input given its stream header (one encrypted form per plaintext and header); and a non-empty input taken
// as a plaintext seals and opens back to itself.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "blob_stream_internal.h"
#include "casepack/blob_stream.h"
#include "casepack/encoding.h"
#include "support/vector_key.h"

namespace {

using casepack::Bytes;

const casepack::SecretBytes& Key() { return casepack::testing::VectorKey(); }

constexpr const char* kCase = "0123456789abcdef0123456789abcdef";
constexpr const char* kBlob = "00112233445566778899aabbccddeeff";
constexpr std::size_t kPrefix = 16 + casepack::internal::kBlobStreamHeaderBytes;

casepack::ByteSource From(std::span<const std::uint8_t> bytes, std::size_t& pos) {
  return [bytes, &pos](std::span<std::uint8_t> buf) -> casepack::Result<std::size_t> {
    const std::size_t n = std::min(buf.size(), bytes.size() - pos);
    if (n > 0) std::memcpy(buf.data(), bytes.data() + pos, n);  // an empty vector's data() may be null
    pos += n;
    return n;
  };
}
casepack::ByteSink Into(Bytes& out) {
  return [&out](std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return casepack::Ok();
  };
}

bool Same(const Bytes& a, std::span<const std::uint8_t> b) { return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  Bytes plain;
  std::size_t pos = 0;
  if (casepack::OpenBlobStream(Key(), kCase, kBlob, From(in, pos), Into(plain)).ok()) {
    std::array<std::uint8_t, casepack::internal::kBlobStreamHeaderBytes> header{};
    std::memcpy(header.data(), data + 16, header.size());
    Bytes again;
    casepack::BlobInfo info;
    pos = 0;
    if (!casepack::internal::SealBlobStreamWithHeader(Key(), kCase, kBlob, header, From(plain, pos), Into(again),
                                                      UINT64_MAX, info)
             .ok() ||
        !Same(again, in))
      std::abort();
  }
  if (size == 0) return 0;
  std::array<std::uint8_t, casepack::internal::kBlobStreamHeaderBytes> header{};
  std::memcpy(header.data(), data, std::min(size, header.size()));
  Bytes sealed, back;
  casepack::BlobInfo info;
  pos = 0;
  if (!casepack::internal::SealBlobStreamWithHeader(Key(), kCase, kBlob, header, From(in, pos), Into(sealed),
                                                    UINT64_MAX, info)
           .ok())
    std::abort();
  pos = 0;
  if (!casepack::OpenBlobStream(Key(), kCase, kBlob, From(sealed, pos), Into(back)).ok() || !Same(back, in) ||
      sealed.size() < kPrefix)
    std::abort();
  return 0;
}
