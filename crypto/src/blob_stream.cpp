#include "casepack/blob_stream.h"

#include <sodium.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
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

// A blob of more than one batch is hashed and sealed on two helper threads, a batch of chunks at a time,
// while the caller's thread reads the next batch: on a 100 MB import SHA-256 (~56 ms) and
// ChaCha20-Poly1305 (~30 ms) run beside the reading, and beside each other. A batch holds its chunks'
// plaintext one byte into slots at the sealed stride; the sealer never writes into a slot (the hasher may
// still be reading it) but into the output's own memory where it lends room, else into a scratch chunk.
constexpr std::size_t kSealedChunk = kBlobChunkBytes + kABytes;
constexpr std::size_t kBatchChunks = 16;  // 1 MiB of plaintext
constexpr std::size_t kSealBatches = 3;   // one being filled, one held back (is its last chunk final?), one in the helpers

struct SealBatch {
  static constexpr std::size_t kBytes = kBatchChunks * kSealedChunk;
  std::unique_ptr<std::uint8_t[]> buf = std::make_unique_for_overwrite<std::uint8_t[]>(kBytes);  // no zeroing pass
  std::array<std::size_t, kBatchChunks> len{};
  std::size_t count = 0;
  bool final = false;  // its last chunk is the blob's last
  std::uint64_t seal_ticket = internal::Worker::kInline, hash_ticket = internal::Worker::kInline;
  Status status;       // of its write; set by its seal job, read after waiting for it

  std::uint8_t* Slot(std::size_t i) { return buf.get() + i * kSealedChunk; }
};

}  // namespace

Status internal::SealBlobStreamWithHeader(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                          std::span<const std::uint8_t, kBlobStreamHeaderBytes> header,
                                          const ByteSource& source, BlobOutput& out, std::uint64_t max_size,
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
  const auto scratch = std::make_unique_for_overwrite<std::uint8_t[]>(kSealedChunk);
  Sha256Hasher sha;
  std::atomic<bool> abandoned{false};  // the caller or the output failed: jobs still queued must not write
  Worker sealer, hasher;  // declared after what their jobs touch: their destructors finish the jobs first
  struct Cleanup {
    crypto_secretstream_xchacha20poly1305_state& state;
    std::array<SealBatch, kSealBatches>& batches;
    std::atomic<bool>& abandoned;
    Worker& sealer;
    Worker& hasher;
    ~Cleanup() {
      abandoned = true;
      sealer.Stop();
      hasher.Stop();
      for (SealBatch& b : batches) sodium_memzero(b.buf.get(), SealBatch::kBytes);
      sodium_memzero(&state, sizeof state);
    }
  } cleanup{state, batches, abandoned, sealer, hasher};

  CP_RETURN_IF_ERROR(out.Write(AsBytes(kMagic)));
  CP_RETURN_IF_ERROR(out.Write(header));

  // Hashes and seals batch b on the helpers (inline if it is the blob's only one: not worth a thread);
  // batches are submitted in the blob's order, and each helper runs its jobs in that order.
  bool submitted_any = false;
  auto submit = [&](SealBatch& b) {
    auto hash_job = [&b, &sha] {
      for (std::size_t i = 0; i < b.count; ++i) sha.Update(std::span<const std::uint8_t>(b.Slot(i) + 1, b.len[i]));
    };
    auto seal_job = [&b, &state, &ad, &out, &abandoned, chunk = scratch.get()] {
      if (abandoned) return;
      for (std::size_t i = 0; i < b.count && b.status.ok(); ++i) {
        const unsigned char tag = b.final && i + 1 == b.count ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
        const std::size_t sealed = b.len[i] + kABytes;
        const std::span<std::uint8_t> room = out.Room(sealed);
        if (room.size() >= sealed) {
          internal::SecretStreamPush(state, room.data(), b.Slot(i) + 1, b.len[i], AsBytes(ad), tag);
          b.status = out.Commit(sealed);
        } else {
          internal::SecretStreamPush(state, chunk, b.Slot(i) + 1, b.len[i], AsBytes(ad), tag);
          b.status = out.Write(std::span<const std::uint8_t>(chunk, sealed));
        }
      }
      if (!b.status.ok()) abandoned = true;
    };
    if (!submitted_any && b.final) {
      hash_job();
      seal_job();
      b.hash_ticket = b.seal_ticket = Worker::kInline;
    } else {
      b.hash_ticket = hasher.Submit(std::move(hash_job));
      b.seal_ticket = sealer.Submit(std::move(seal_job));
    }
    submitted_any = true;
  };
  // Waits for batch b's jobs; its write's error, if any.
  auto reclaim = [&](SealBatch& b) -> Status {
    hasher.Wait(b.hash_ticket);
    sealer.Wait(b.seal_ticket);
    b.hash_ticket = b.seal_ticket = Worker::kInline;
    b.count = 0;
    b.final = false;
    Status s = std::move(b.status);
    b.status = Ok();
    return s;
  };

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

namespace {

// A ByteSink as a BlobOutput with no memory to lend: every sealed run comes through Write.
class SinkOutput final : public BlobOutput {
 public:
  explicit SinkOutput(const ByteSink& sink) : sink_(sink) {}
  std::span<std::uint8_t> Room(std::size_t) override { return {}; }
  Status Commit(std::size_t) override { std::abort(); }  // Room never lends
  Status Write(std::span<const std::uint8_t> bytes) override { return sink_(bytes); }

 private:
  const ByteSink& sink_;
};

}  // namespace

Status internal::SealBlobStreamWithHeader(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                                          std::span<const std::uint8_t, kBlobStreamHeaderBytes> header,
                                          const ByteSource& source, const ByteSink& out, std::uint64_t max_size,
                                          BlobInfo& info) {
  SinkOutput output(out);
  return SealBlobStreamWithHeader(key, case_id, blob_id, header, source, output, max_size, info);
}

Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                      const ByteSource& source, BlobOutput& out, std::uint64_t max_size, BlobInfo& info) {
  InitCrypto();
  std::array<std::uint8_t, kHeaderBytes> header{};
  randombytes_buf(header.data(), header.size());
  return internal::SealBlobStreamWithHeader(key, case_id, blob_id, header, source, out, max_size, info);
}

Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                      const ByteSource& source, const ByteSink& out, std::uint64_t max_size, BlobInfo& info) {
  SinkOutput output(out);
  return SealBlobStream(key, case_id, blob_id, source, output, max_size, info);
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
