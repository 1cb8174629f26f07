#include "batch_payload.h"

#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>

#include "casepack/secret.h"

namespace casepack {
namespace {

constexpr std::uint32_t kPreset = 6;                     // 8 MiB dictionary: a batch is at most 16 MiB
constexpr std::uint64_t kDecoderMemLimit = 16u << 20;    // preset 6 needs about 9 MiB to decode
constexpr std::uint8_t kXzMagic[6] = {0xFD, '7', 'z', 'X', 'Z', 0x00};

Result<Bytes> Corrupt() { return MakeError(ErrorCode::kCorrupt, "a sealed batch does not decompress"); }

Result<Bytes> InflateZlib(std::span<const std::uint8_t> payload, std::size_t max_size) {
  if (payload.size() < 5) return Corrupt();
  std::size_t size = 0;
  for (int b = 0; b < 4; ++b) size = (size << 8) | payload[static_cast<std::size_t>(b)];
  if (size == 0 || size > max_size) return Corrupt();
  Bytes out(size);
  uLongf got = static_cast<uLongf>(size);
  uLong used = static_cast<uLong>(payload.size() - 4);
  if (uncompress2(out.data(), &got, payload.data() + 4, &used) != Z_OK || got != size || used != payload.size() - 4) {
    Wipe(out);  // as DecodeXz: a refused payload's plaintext does not stay in freed memory
    return Corrupt();
  }
  return out;
}

Result<Bytes> DecodeXz(std::span<const std::uint8_t> payload, std::size_t max_size) {
  Bytes out;
  // What was decompressed before a refusal is wiped: it may be a signed batch's plaintext.
  auto corrupt = [&out] {
    Wipe(out);
    return Corrupt();
  };
  lzma_stream strm = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&strm, kDecoderMemLimit, 0) != LZMA_OK) return Corrupt();
  struct End {
    lzma_stream* s;
    ~End() { lzma_end(s); }
  } end{&strm};
  out.resize(std::min<std::size_t>(max_size, std::max<std::size_t>(payload.size() * 4, 4096)) + 1);
  strm.next_in = payload.data();
  strm.avail_in = payload.size();
  strm.next_out = out.data();
  strm.avail_out = out.size();
  for (;;) {
    const lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
    if (ret == LZMA_STREAM_END) break;
    if (ret != LZMA_OK) return corrupt();  // corrupt data, memory limit, unsupported options
    if (strm.avail_out == 0) {
      // One byte beyond max_size is room enough to know it is too large.
      if (strm.total_out > max_size) return corrupt();
      const std::size_t used = out.size();
      Bytes bigger(std::min<std::size_t>(max_size + 1, used * 2));
      std::copy(out.begin(), out.end(), bigger.begin());
      Wipe(out);
      out = std::move(bigger);
      strm.next_out = out.data() + used;
      strm.avail_out = out.size() - used;
    } else if (strm.avail_in == 0) {
      return corrupt();  // truncated
    }
  }
  if (strm.avail_in != 0 || strm.total_out == 0 || strm.total_out > max_size) return corrupt();  // trailing bytes
  out.resize(strm.total_out);
  return out;
}

}  // namespace

Bytes CompressBatchPayload(std::span<const std::uint8_t> batch) {
  Bytes out(lzma_stream_buffer_bound(batch.size()));
  std::size_t pos = 0;
  if (lzma_easy_buffer_encode(kPreset, LZMA_CHECK_NONE, nullptr, batch.data(), batch.size(), out.data(), &pos,
                              out.size()) != LZMA_OK)
    std::abort();  // only out of memory: the bound is enough for any input
  out.resize(pos);
  return out;
}

Result<Bytes> DecompressBatchPayload(std::span<const std::uint8_t> payload, std::size_t max_size) {
  if (payload.size() >= sizeof kXzMagic && std::equal(std::begin(kXzMagic), std::end(kXzMagic), payload.begin()))
    return DecodeXz(payload, max_size);
  if (!payload.empty() && payload[0] == 0) return InflateZlib(payload, max_size);
  return Corrupt();
}

}  // namespace casepack
