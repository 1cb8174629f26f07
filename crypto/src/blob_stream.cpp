#include "casepack/blob_stream.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "blob_stream_internal.h"
#include "chacha20_poly1305.h"
#include "casepack/encoding.h"

namespace casepack {

namespace {

constexpr std::string_view kMagic = "casepack-blob-1\n";  // 16 bytes
constexpr std::size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kABytes = crypto_secretstream_xchacha20poly1305_ABYTES;
static_assert(kHeaderBytes == internal::kBlobStreamHeaderBytes);
static_assert(kBlobKeyBytes == crypto_secretstream_xchacha20poly1305_KEYBYTES);

std::string AssociatedData(std::string_view case_id, std::string_view blob_id) {
  return std::string(kMagic) + std::string(case_id) + "\n" + std::string(blob_id);
}

Error Damaged(std::string_view why) {
  return MakeError(ErrorCode::kCorrupt, "the stored document is damaged (" + std::string(why) + ")",
                   "restore the store from a backup, or ask the sending agency for the document again");
}

// Reads until `buf` is full or the source ends; returns the count.
Result<std::size_t> Fill(const ByteSource& source, std::span<std::uint8_t> buf) {
  std::size_t got = 0;
  while (got < buf.size()) {
    CP_ASSIGN_OR_RETURN(std::size_t n, source(buf.subspan(got)));
    if (n == 0) break;
    got += n;
  }
  return got;
}

}  // namespace

Status internal::SealBlobStreamWithHeader(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                          std::span<const std::uint8_t, kBlobStreamHeaderBytes> header,
                                          const ByteSource& source, const ByteSink& out, std::uint64_t max_size,
                                          BlobInfo& info) {
  if (key.size() != kBlobKeyBytes) std::abort();
  InitCrypto();
  const std::string ad = AssociatedData(case_id, blob_id);
  crypto_secretstream_xchacha20poly1305_state state;
  // init_pull derives from a given header exactly the state init_push derives from the random header it
  // draws (HChaCha20 subkey, counter 1, the header's last 8 bytes as nonce), so pushing from it writes the
  // same stream init_push would have.
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header.data(), key.expose().data()) != 0) std::abort();
  CP_RETURN_IF_ERROR(out(AsBytes(kMagic)));
  CP_RETURN_IF_ERROR(out(header));

  Sha256Hasher sha;
  info.size = 0;
  // Read one chunk ahead so the last chunk can carry the final tag.
  std::vector<std::uint8_t> cur(kBlobChunkBytes), next(kBlobChunkBytes), sealed(kBlobChunkBytes + kABytes);
  auto wipe = [&] {
    sodium_memzero(cur.data(), cur.size());
    sodium_memzero(next.data(), next.size());
    sodium_memzero(&state, sizeof state);
  };
  auto cur_len = Fill(source, cur);
  if (!cur_len.ok()) {
    wipe();
    return cur_len.error();
  }
  if (*cur_len == 0) {
    wipe();
    return MakeError(ErrorCode::kInvalidArgument, "the document is empty");
  }
  for (;;) {
    auto next_len = Fill(source, next);
    if (!next_len.ok()) {
      wipe();
      return next_len.error();
    }
    info.size += *cur_len;
    if (info.size > max_size) {
      wipe();
      return MakeError(ErrorCode::kInvalidArgument,
                       "the document is larger than the limit of " + std::to_string(max_size / (1024 * 1024)) + " MiB");
    }
    sha.Update(std::span<const std::uint8_t>(cur.data(), *cur_len));
    const unsigned char tag = *next_len == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
    internal::SecretStreamPush(state, sealed.data(), cur.data(), *cur_len, AsBytes(ad), tag);
    if (Status s = out(std::span<const std::uint8_t>(sealed.data(), *cur_len + kABytes)); !s.ok()) {
      wipe();
      return s;
    }
    if (*next_len == 0) break;
    std::swap(cur, next);
    cur_len = next_len;
  }
  wipe();
  info.sha256 = sha.Final();
  return Ok();
}

Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                      const ByteSource& source, const ByteSink& out, std::uint64_t max_size, BlobInfo& info) {
  InitCrypto();
  std::array<std::uint8_t, kHeaderBytes> header{};
  randombytes_buf(header.data(), header.size());
  return internal::SealBlobStreamWithHeader(key, case_id, blob_id, header, source, out, max_size, info);
}

Status OpenBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                      const ByteSource& source, const ByteSink& out) {
  if (key.size() != kBlobKeyBytes) std::abort();
  InitCrypto();
  std::uint8_t head[kMagic.size() + kHeaderBytes];
  CP_ASSIGN_OR_RETURN(std::size_t n, Fill(source, head));
  if (n != sizeof head || std::memcmp(head, kMagic.data(), kMagic.size()) != 0) return Damaged("bad header");
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, head + kMagic.size(), key.expose().data()) != 0)
    return Damaged("bad header");
  struct WipeState {
    crypto_secretstream_xchacha20poly1305_state& s;
    ~WipeState() { sodium_memzero(&s, sizeof s); }
  } wipe_state{state};
  const std::string ad = AssociatedData(case_id, blob_id);
  std::vector<std::uint8_t> in(kBlobChunkBytes + kABytes), plain(kBlobChunkBytes);
  for (;;) {
    CP_ASSIGN_OR_RETURN(std::size_t got, Fill(source, in));
    if (got < kABytes) return Damaged("truncated");
    std::uint8_t tag = 0;
    if (!internal::SecretStreamPull(state, plain.data(), tag, in.data(), got, AsBytes(ad)))
      return MakeError(ErrorCode::kAuthFailed, "the stored document does not verify: it was altered or belongs elsewhere",
                       "restore the store from a backup, or ask the sending agency for the document again");
    Status s = out(std::span<const std::uint8_t>(plain.data(), got - kABytes));
    sodium_memzero(plain.data(), plain.size());
    CP_RETURN_IF_ERROR(s);
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      std::uint8_t extra = 0;
      CP_ASSIGN_OR_RETURN(std::size_t more, Fill(source, std::span<std::uint8_t>(&extra, 1)));
      if (more != 0) return Damaged("data after the final chunk");
      return Ok();
    }
    if (got < in.size()) return Damaged("truncated");
  }
}

}  // namespace casepack
