#include "casepack/blob_stream.h"

#include <sodium.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "blob_stream_internal.h"
#include "chacha20_poly1305.h"
#include "worker.h"
#include "casepack/encoding.h"

namespace casepack {

using internal::Worker;

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

namespace {

// Sealing runs a batch of chunks at a time on a helper thread while the caller's thread reads and hashes
// the next: on a 100 MB import that splits SHA-256 (~56 ms) and ChaCha20-Poly1305 (~30 ms) across the two
// cores. A batch holds its chunks at the sealed stride, plaintext one byte in, so each is sealed in place
// (the tag byte before it, the MAC after) and the batch leaves as one contiguous run of the blob.
constexpr std::size_t kSealedChunk = kBlobChunkBytes + kABytes;
constexpr std::size_t kBatchChunks = 16;  // 1 MiB of plaintext
constexpr std::size_t kSealBatches = 3;   // one being filled, one held back (is its last chunk final?), one sealing

struct SealBatch {
  std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(kBatchChunks * kSealedChunk);
  std::array<std::size_t, kBatchChunks> len{};
  std::size_t count = 0;
  bool final = false;  // its last chunk is the blob's last
  std::uint64_t ticket = internal::Worker::kInline;
  Status status;       // of its write; set by its job, read after waiting for it

  std::uint8_t* Slot(std::size_t i) { return buf.data() + i * kSealedChunk; }
};

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
  std::array<SealBatch, kSealBatches> batches;
  std::atomic<bool> abandoned{false};  // the caller failed: jobs still queued must not write
  Worker worker;  // declared after what its jobs touch: its destructor finishes them first
  struct Cleanup {
    crypto_secretstream_xchacha20poly1305_state& state;
    std::array<SealBatch, kSealBatches>& batches;
    std::atomic<bool>& abandoned;
    Worker& worker;
    ~Cleanup() {
      abandoned = true;
      worker.Stop();
      for (SealBatch& b : batches) sodium_memzero(b.buf.data(), b.buf.size());
      sodium_memzero(&state, sizeof state);
    }
  } cleanup{state, batches, abandoned, worker};

  CP_RETURN_IF_ERROR(out(AsBytes(kMagic)));
  CP_RETURN_IF_ERROR(out(header));

  // Seals batch b on the worker (inline if it is the blob's only one: not worth a thread) and writes it.
  bool submitted_any = false;
  auto submit = [&](SealBatch& b) {
    auto job = [&b, &state, &ad, &out, &abandoned] {
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < b.count; ++i) {
        const bool last = b.final && i + 1 == b.count;
        std::uint8_t* slot = b.Slot(i);
        internal::SecretStreamPush(state, slot, slot + 1, b.len[i], AsBytes(ad),
                                   last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        bytes += b.len[i] + kABytes;
      }
      b.status = abandoned ? Ok() : out(std::span<const std::uint8_t>(b.buf.data(), bytes));
      if (!b.status.ok()) abandoned = true;
    };
    if (!submitted_any && b.final) {
      job();
      b.ticket = Worker::kInline;
    } else {
      b.ticket = worker.Submit(std::move(job));
    }
    submitted_any = true;
  };
  // Waits for batch b's job; its write's error, if any.
  auto reclaim = [&](SealBatch& b) -> Status {
    worker.Wait(b.ticket);
    b.ticket = Worker::kInline;
    b.count = 0;
    b.final = false;
    Status s = std::move(b.status);
    b.status = Ok();
    return s;
  };

  Sha256Hasher sha;
  info.size = 0;
  std::size_t cur = 0;
  SealBatch* held = nullptr;  // full, waiting to learn whether its last chunk is the final one
  for (;;) {
    SealBatch& b = batches[cur];
    std::uint8_t* plain = b.Slot(b.count) + 1;
    CP_ASSIGN_OR_RETURN(std::size_t n, Fill(source, std::span<std::uint8_t>(plain, kBlobChunkBytes)));
    if (n == 0) {  // the source ended on a chunk boundary: the chunk before is the last
      SealBatch* last = b.count > 0 ? &b : held;
      if (last == nullptr) return MakeError(ErrorCode::kInvalidArgument, "the document is empty");
      if (held != nullptr && held != last) submit(*held);
      last->final = true;
      submit(*last);
      break;
    }
    info.size += n;
    if (info.size > max_size)
      return MakeError(ErrorCode::kInvalidArgument,
                       "the document is larger than the limit of " + std::to_string(max_size / (1024 * 1024)) + " MiB");
    sha.Update(std::span<const std::uint8_t>(plain, n));
    b.len[b.count++] = n;
    if (held != nullptr) {
      submit(*held);
      held = nullptr;
    }
    if (n < kBlobChunkBytes) {  // a short chunk: the source has ended
      b.final = true;
      submit(b);
      break;
    }
    if (b.count == kBatchChunks) {
      held = &b;
      cur = (cur + 1) % kSealBatches;
      CP_RETURN_IF_ERROR(reclaim(batches[cur]));
    }
  }
  for (std::size_t i = 0; i < kSealBatches; ++i) CP_RETURN_IF_ERROR(reclaim(batches[(cur + 1 + i) % kSealBatches]));
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
