// The age v1 payload (STREAM: ChaCha20-Poly1305 over 64 KiB chunks, 11-byte big-endian counter + final
// flag as the nonce) and the encrypt/decrypt state machines around it.
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

#include "casepack/age.h"
#include "chacha20_poly1305.h"
#include "casepack/age_primitives.h"
#include "worker.h"

namespace casepack {

namespace {

constexpr std::size_t kEncChunk = kAgeChunkBytes + kAgeTagBytes;
constexpr std::size_t kSniffBytes = 1024;

void ChunkNonce(std::uint64_t counter, bool last, std::uint8_t nonce[12]) {
  std::memset(nonce, 0, 12);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

Result<SecretBytes> HeaderMacKey(const SecretBytes& file_key) { return HkdfSha256(file_key.expose(), {}, "header", 32); }

std::array<std::uint8_t, 32> HeaderMac(const SecretBytes& mac_key, std::span<const std::uint8_t> input) {
  std::array<std::uint8_t, 32> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, mac_key.expose().data(), mac_key.size());
  crypto_auth_hmacsha256_update(&st, input.data(), input.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return mac;
}

std::string Plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// ChaCha20-Poly1305 (RFC 8439) opened in two steps, so that the tag is checked without touching the buffer:
// a chunk that fails may still be tried with the other final flag. OpenSSL's primitives (chacha20_poly1305.h).
bool VerifyChunk(const SecretBytes& key, const std::uint8_t nonce[12], std::span<const std::uint8_t> ciphertext,
                 const std::uint8_t* tag) {
  return internal::AeadVerify(key.expose().data(), nonce, ciphertext, tag);
}

void DecryptInPlace(const SecretBytes& key, const std::uint8_t nonce[12], std::span<std::uint8_t> data) {
  internal::AeadDecryptInPlace(key.expose().data(), nonce, data);
}

constexpr std::size_t kBatches = 3;     // batches in flight: one being filled/released, two in the worker
constexpr std::size_t kInlineBelow = 4; // smaller batches are not worth a hand-over to the worker

// Replays bytes already read (for sniffing) before reading on from the underlying source.
class ReplaySource final : public AgeSource {
 public:
  ReplaySource(AgeSource& in, Bytes prefix) : in_(&in), prefix_(std::move(prefix)) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    if (pos_ < prefix_.size()) {
      const std::size_t n = std::min(out.size(), prefix_.size() - pos_);
      std::memcpy(out.data(), prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return in_->Read(out);
  }

 private:
  AgeSource* in_;
  Bytes prefix_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string_view ToString(AgeFailure failure) {
  switch (failure) {
    case AgeFailure::kNone: return "none";
    case AgeFailure::kArmor: return "armor failure";
    case AgeFailure::kHeader: return "header failure";
    case AgeFailure::kNoMatch: return "no match";
    case AgeFailure::kHeaderMac: return "HMAC failure";
    case AgeFailure::kPayload: return "payload failure";
    case AgeFailure::kOther: return "other failure";
  }
  return "unknown";
}

// ---- encryption -----------------------------------------------------------------------------------------

struct AgeEncryptor::Impl {
  struct Batch {
    Bytes buf;                     // slot i: chunk i's plaintext, then (in place) its ciphertext and tag
    std::uint64_t ticket = 0;
    bool in_flight = false;
    Status status;                 // its write; set by its job, read after waiting for it
  };
  AgeSink* out = nullptr;
  std::unique_ptr<AgeArmorWriter> armor;
  SecretBytes payload_key;
  std::array<Batch, kBatches> batches;
  std::deque<std::size_t> flight;  // batches submitted for sealing, oldest first: written in this order
  std::size_t cur = 0;             // the batch being filled
  std::size_t slot = 0, fill = 0;  // the slot being filled, and its plaintext bytes
  std::uint64_t counter = 0;       // index of the next chunk to submit
  bool closed = false;
  bool jobs_failed = false;        // a write failed: later jobs must not write (touched by jobs only)
  internal::Worker worker;

  ~Impl() {
    worker.Stop();  // no job may touch a buffer after this
    for (Batch& b : batches) Wipe(b.buf);
  }

  std::uint8_t* Slot(std::size_t b, std::size_t i) {
    Bytes& buf = batches[b].buf;
    if (buf.size() < (i + 1) * kEncChunk) {
      buf.resize(std::min(kAgeBatchChunks * kEncChunk, std::max(buf.size() * 2, (i + 1) * kEncChunk)));
    }
    return buf.data() + i * kEncChunk;
  }

  // Retires the oldest submitted batch (waiting for it if `block`): false if there is none (ready).
  Result<bool> RetireOldest(bool block) {
    if (flight.empty()) return false;
    Batch& b = batches[flight.front()];
    if (!block && !worker.Done(b.ticket)) return false;
    worker.Wait(b.ticket);
    b.in_flight = false;
    flight.pop_front();
    if (!b.status.ok()) return b.status.error();  // safe to read: its job is done
    return true;
  }

  // Seals batch `b` ([0, chunks) full except the last, last_len bytes, final if `final`) and writes it, on
  // the worker: the write copies from the cache the sealing just filled. Jobs run one at a time, in order,
  // so writes reach the sink in order and never concurrently.
  Status Submit(std::size_t b, std::size_t chunks, std::size_t last_len, bool final) {
    Batch& batch = batches[b];
    const std::size_t bytes = (chunks - 1) * kEncChunk + last_len + kAgeTagBytes;
    batch.in_flight = true;
    batch.status = Ok();
    auto job = [this, &batch, p = batch.buf.data(), key = payload_key.expose().data(), first = counter, chunks,
                last_len, final, bytes] {
      for (std::size_t i = 0; i < chunks; ++i) {
        const bool is_last = i + 1 == chunks;
        const std::size_t len = is_last ? last_len : kAgeChunkBytes;
        std::uint8_t nonce[12];
        ChunkNonce(first + i, is_last && final, nonce);
        std::uint8_t* c = p + i * kEncChunk;
        internal::AeadEncryptInPlace(key, nonce, std::span<std::uint8_t>(c, len), c + len);
      }
      if (jobs_failed) {
        batch.status = MakeError(ErrorCode::kIo, "an earlier write failed");
        return;
      }
      batch.status = out->Write(std::span<const std::uint8_t>(p, bytes));
      if (!batch.status.ok()) jobs_failed = true;
    };
    counter += chunks;
    if (chunks < kInlineBelow && flight.empty()) {
      job();
      batch.ticket = internal::Worker::kInline;
    } else {
      batch.ticket = worker.Submit(std::move(job));
    }
    flight.push_back(b);
    for (;;) {  // retire what is done, without waiting
      CP_ASSIGN_OR_RETURN(bool retired, RetireOldest(false));
      if (!retired) break;
    }
    return Ok();
  }

  // A batch to fill next: the one after `cur`, written out first if it is still in flight.
  Result<std::size_t> NextFree() {
    const std::size_t b = (cur + 1) % kBatches;
    while (batches[b].in_flight) {
      CP_ASSIGN_OR_RETURN(bool retired, RetireOldest(true));
      (void)retired;
    }
    return b;
  }

  // The current slot is full and more data exists (the caller has it in hand): move to the next slot.
  Status Advance() {
    if (slot + 1 < kAgeBatchChunks) {
      ++slot;
      fill = 0;
      Slot(cur, slot);
      return Ok();
    }
    CP_ASSIGN_OR_RETURN(std::size_t next, NextFree());
    CP_RETURN_IF_ERROR(Submit(cur, kAgeBatchChunks, kAgeChunkBytes, false));
    cur = next;
    slot = 0;
    fill = 0;
    return Ok();
  }
};

AgeEncryptor::AgeEncryptor() : impl_(std::make_unique<Impl>()) {}
AgeEncryptor::AgeEncryptor(AgeEncryptor&&) noexcept = default;
AgeEncryptor& AgeEncryptor::operator=(AgeEncryptor&&) noexcept = default;
AgeEncryptor::~AgeEncryptor() = default;

Result<AgeEncryptor> AgeEncryptor::Create(AgeSink& sink, std::span<const AgeRecipient* const> recipients,
                                          AgeEncryptOptions options) {
  InitCrypto();
  if (recipients.empty()) return MakeError(ErrorCode::kInvalidArgument, "no recipients to encrypt to");
  for (const AgeRecipient* r : recipients) {
    if (r->MustBeAlone() && recipients.size() > 1) {
      return MakeError(ErrorCode::kInvalidArgument, "a passphrase cannot be combined with other recipients",
                       "encrypt to the passphrase alone, or to public keys only");
    }
  }
  AgeEncryptor e;
  Impl& d = *e.impl_;
  d.out = &sink;
  if (options.armor) {
    d.armor = std::make_unique<AgeArmorWriter>(sink);
    d.out = d.armor.get();
  }
  CP_ASSIGN_OR_RETURN(SecretBytes file_key, SecretBytes::Random(kAgeFileKeyBytes));
  AgeHeader header;
  for (const AgeRecipient* r : recipients) {
    CP_ASSIGN_OR_RETURN(std::vector<AgeStanza> stanzas, r->Wrap(file_key));
    for (AgeStanza& s : stanzas) header.stanzas.push_back(std::move(s));
  }
  const std::string mac_input = EncodeAgeHeaderMacInput(header.stanzas);
  CP_ASSIGN_OR_RETURN(SecretBytes mac_key, HeaderMacKey(file_key));
  header.mac = HeaderMac(mac_key, AsBytes(mac_input));

  std::array<std::uint8_t, kAgeNonceBytes> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  CP_ASSIGN_OR_RETURN(d.payload_key, HkdfSha256(file_key.expose(), nonce, "payload", 32));

  std::string head = EncodeAgeHeader(header);
  head.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  CP_RETURN_IF_ERROR(d.out->Write(AsBytes(head)));
  d.Slot(0, 0);
  return e;
}

Status AgeEncryptor::Write(std::span<const std::uint8_t> plaintext) {
  Impl& d = *impl_;
  if (d.closed) std::abort();  // REQUIRES: not closed
  while (!plaintext.empty()) {
    if (d.fill == kAgeChunkBytes) CP_RETURN_IF_ERROR(d.Advance());
    const std::size_t n = std::min(plaintext.size(), kAgeChunkBytes - d.fill);
    std::memcpy(d.Slot(d.cur, d.slot) + d.fill, plaintext.data(), n);
    d.fill += n;
    plaintext = plaintext.subspan(n);
  }
  return Ok();
}

Status AgeEncryptor::WriteFrom(AgeSource& source) {
  Impl& d = *impl_;
  if (d.closed) std::abort();  // REQUIRES: not closed
  for (;;) {
    if (d.fill == kAgeChunkBytes) {
      // Whether a next chunk exists decides this one's final flag: read it first, into the slot it will
      // occupy (the next batch's first slot if this batch is complete).
      const bool batch_full = d.slot + 1 == kAgeBatchChunks;
      std::size_t b = d.cur, i = d.slot + 1;
      if (batch_full) {
        CP_ASSIGN_OR_RETURN(b, d.NextFree());
        i = 0;
      }
      CP_ASSIGN_OR_RETURN(std::size_t n, source.Read(std::span<std::uint8_t>(d.Slot(b, i), kAgeChunkBytes)));
      if (n == 0) return Ok();
      if (batch_full) {
        CP_RETURN_IF_ERROR(d.Submit(d.cur, kAgeBatchChunks, kAgeChunkBytes, false));
        d.cur = b;
      }
      d.slot = i;
      d.fill = n;
      continue;
    }
    CP_ASSIGN_OR_RETURN(std::size_t n,
                        source.Read(std::span<std::uint8_t>(d.Slot(d.cur, d.slot) + d.fill, kAgeChunkBytes - d.fill)));
    if (n == 0) return Ok();
    d.fill += n;
  }
}

Status AgeEncryptor::Close() {
  Impl& d = *impl_;
  if (d.closed) return Ok();
  d.closed = true;
  // The final chunk may be empty only if the whole payload is (then it is the only chunk).
  CP_RETURN_IF_ERROR(d.Submit(d.cur, d.slot + 1, d.fill, true));
  while (!d.flight.empty()) {
    CP_ASSIGN_OR_RETURN(bool retired, d.RetireOldest(true));
    (void)retired;
  }
  if (d.armor) CP_RETURN_IF_ERROR(d.armor->Close());
  return Ok();
}

Status AgeEncrypt(AgeSource& plaintext, AgeSink& out, std::span<const AgeRecipient* const> recipients,
                  AgeEncryptOptions options) {
  CP_ASSIGN_OR_RETURN(AgeEncryptor enc, AgeEncryptor::Create(out, recipients, options));
  CP_RETURN_IF_ERROR(enc.WriteFrom(plaintext));
  return enc.Close();
}

// ---- decryption -----------------------------------------------------------------------------------------

struct AgeDecryptor::Impl {
  AgeSource* raw = nullptr;
  AgeDecryptOptions options;
  std::unique_ptr<ReplaySource> replay;
  std::unique_ptr<AgeArmorReader> armor;
  AgeSource* src = nullptr;
  bool header_read = false;
  bool unlocked = false;
  bool done = false;
  AgeHeader header;
  Bytes pre;               // bytes read while looking for the end of the header
  std::size_t pre_pos = 0; // payload bytes in `pre` start here
  SecretBytes payload_key;
  // Batches of encrypted chunks, read and verified on the worker while earlier ones are released: the
  // caller's thread (which, opening a pack, also unpacks the tar and feeds the document to the blob store)
  // never waits on the file. A batch is read with one byte of look-ahead (does the file go on after it?);
  // batch sizes start at one chunk and double up to kAgeBatchChunks, so small files never allocate
  // megabytes, and the first, small batches are read inline (no thread for a small file).
  struct Batch {
    Bytes buf;
    std::size_t count = 0;
    std::uint64_t first = 0;                            // index of its first chunk
    std::array<std::size_t, kAgeBatchChunks> len{};     // encrypted length of each chunk
    std::array<bool, kAgeBatchChunks> last{};           // the chunk must be the final one
    std::array<bool, kAgeBatchChunks> verified{};       // tag checked and plaintext in place
    bool ends_input = false;                            // nothing was or will be read after it
    std::optional<Error> error;                         // its read failed: reported when it is reached
    AgeFailure failure = AgeFailure::kNone;
    std::uint64_t ticket = 0;
  };
  std::array<Batch, kBatches> batches;
  // The caller's side.
  std::deque<std::size_t> queue;       // batches submitted and not yet released, oldest first
  std::size_t cur = kBatches;          // the batch being released (kBatches: none)
  std::size_t pos = 0;                 // next chunk of `cur` to release
  std::size_t capacity = 0;            // chunks in the last batch submitted
  std::uint64_t counter = 0;           // index of the next chunk to release
  bool input_ended = false;            // a released batch reached the end of the input
  bool submitted_to_worker = false;
  // The reading side: touched only by load jobs, which run one at a time in submission order.
  bool have_carry = false;
  std::uint8_t carry = 0;
  std::uint64_t next_load = 0;         // index of the next chunk to read
  bool reader_done = false;            // the end of the input (or a read error) has been reached
  internal::Worker worker;

  ~Impl() {
    worker.Stop();  // no job may touch a buffer after this
    for (Batch& b : batches) Wipe(b.buf);
  }

  // Submits the reading and verifying of the next batch into a free buffer.
  void Submit() {
    std::size_t b = 0;
    while (b == cur || std::find(queue.begin(), queue.end(), b) != queue.end()) ++b;
    Batch& batch = batches[b];
    capacity = std::min(kAgeBatchChunks, std::max<std::size_t>(1, capacity * 2));
    const std::size_t cap = capacity * kEncChunk + 1;
    if (batch.buf.size() < cap) batch.buf.resize(cap);
    auto job = [this, &batch, cap] { Load(batch, cap); };
    if (capacity < kInlineBelow && !submitted_to_worker) {
      job();
      batch.ticket = internal::Worker::kInline;
    } else {
      batch.ticket = worker.Submit(std::move(job));
      submitted_to_worker = true;
    }
    queue.push_back(b);
  }

  // A load job: reads up to `cap` bytes (the last one only to learn whether the file goes on) and verifies
  // and decrypts the chunks in place. A failed read or a missing payload is kept in the batch.
  void Load(Batch& batch, std::size_t cap) {
    batch.count = 0;
    batch.error.reset();
    batch.failure = AgeFailure::kNone;
    batch.ends_input = true;
    if (reader_done) return;  // submitted ahead, after the batch that reached the end
    std::size_t n = 0;
    if (have_carry) {
      batch.buf[0] = carry;
      n = 1;
      have_carry = false;
    }
    auto got = ReadFull(std::span<std::uint8_t>(batch.buf.data() + n, cap - n));
    if (!got.ok()) {
      reader_done = true;
      batch.error = got.error();
      batch.failure = (armor && armor->failed()) ? AgeFailure::kArmor : AgeFailure::kOther;
      return;
    }
    n += *got;
    if (n == 0) {
      reader_done = true;
      batch.error = MakeError(ErrorCode::kCorrupt,
                              next_load == 0 ? "file is truncated: the payload has no chunks"
                                             : "file is truncated: it ends after " + Plural(next_load, "chunk", "chunks") +
                                                   " without the final chunk",
                              "the file was probably cut short while copying or downloading");
      batch.failure = AgeFailure::kPayload;
      return;
    }
    const bool more = n == cap;
    const std::size_t data = more ? cap - 1 : n;
    if (more) {
      carry = batch.buf[cap - 1];
      have_carry = true;
    } else {
      reader_done = true;
    }
    batch.ends_input = !more;
    batch.count = (data + kEncChunk - 1) / kEncChunk;
    batch.first = next_load;
    next_load += batch.count;
    for (std::size_t i = 0; i < batch.count; ++i) {
      batch.len[i] = std::min(kEncChunk, data - i * kEncChunk);
      batch.last[i] = !more && i + 1 == batch.count;
    }
    for (std::size_t i = 0; i < batch.count; ++i) {
      std::uint8_t* p = batch.buf.data() + i * kEncChunk;
      const std::size_t clen = batch.len[i];
      const std::uint64_t index = batch.first + i;
      batch.verified[i] = false;
      if (clen < kAgeTagBytes) continue;
      if (batch.last[i] && clen == kAgeTagBytes && index > 0) continue;  // empty final chunk: refused later
      std::uint8_t nonce[12];
      ChunkNonce(index, batch.last[i], nonce);
      const std::size_t plen = clen - kAgeTagBytes;
      if (!VerifyChunk(payload_key, nonce, std::span<const std::uint8_t>(p, plen), p + plen)) continue;
      DecryptInPlace(payload_key, nonce, std::span<std::uint8_t>(p, plen));
      batch.verified[i] = true;
    }
  }

  // Reads until `out` is full or the input ends; payload reads first drain what the header read left.
  Result<std::size_t> ReadFull(std::span<std::uint8_t> out) {
    std::size_t done_bytes = 0;
    if (pre_pos < pre.size()) {
      const std::size_t n = std::min(out.size(), pre.size() - pre_pos);
      std::memcpy(out.data(), pre.data() + pre_pos, n);
      pre_pos += n;
      done_bytes = n;
    }
    while (done_bytes < out.size()) {
      CP_ASSIGN_OR_RETURN(std::size_t n, src->Read(out.subspan(done_bytes)));
      if (n == 0) break;
      done_bytes += n;
    }
    return done_bytes;
  }
};

AgeDecryptor::AgeDecryptor(AgeSource& source, AgeDecryptOptions options) : impl_(std::make_unique<Impl>()) {
  InitCrypto();
  impl_->raw = &source;
  impl_->options = options;
}
AgeDecryptor::AgeDecryptor(AgeDecryptor&&) noexcept = default;
AgeDecryptor& AgeDecryptor::operator=(AgeDecryptor&&) noexcept = default;
AgeDecryptor::~AgeDecryptor() = default;

const AgeHeader& AgeDecryptor::header() const {
  if (!impl_->header_read) std::abort();  // REQUIRES
  return impl_->header;
}

Status AgeDecryptor::ReadHeader() {
  Impl& d = *impl_;
  if (d.header_read) return Ok();
  auto fail = [&](AgeFailure f, Error e) -> Error {
    failure_ = (d.armor && d.armor->failed()) ? AgeFailure::kArmor : f;
    return e;
  };
  // Sniff the start: armor or binary, and a useful message for files that are neither.
  Bytes prefix(kSniffBytes);
  std::size_t got = 0;
  while (got < prefix.size()) {
    auto n = d.raw->Read(std::span<std::uint8_t>(prefix).subspan(got));
    if (!n.ok()) return fail(AgeFailure::kOther, n.error());
    if (*n == 0) break;
    got += *n;
  }
  prefix.resize(got);
  bool armored = d.options.armor == AgeArmor::kArmored;
  if (d.options.armor == AgeArmor::kAuto) {
    std::size_t i = 0;
    while (i < prefix.size() && (prefix[i] == ' ' || prefix[i] == '\t' || prefix[i] == '\r' || prefix[i] == '\n')) ++i;
    constexpr std::string_view kBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
    armored = prefix.size() - i >= kBegin.size() && std::memcmp(prefix.data() + i, kBegin.data(), kBegin.size()) == 0;
  }
  d.replay = std::make_unique<ReplaySource>(*d.raw, std::move(prefix));
  d.src = d.replay.get();
  if (armored) {
    d.armor = std::make_unique<AgeArmorReader>(*d.replay);
    d.src = d.armor.get();
  }

  // Read until the line that starts with "---" is complete (body lines never start with '-').
  std::size_t scan = 0;  // d.pre[scan] is the next candidate LF
  auto complete = [&]() {
    for (; scan + 4 <= d.pre.size(); ++scan) {
      if (d.pre[scan] == '\n' && std::memcmp(d.pre.data() + scan + 1, "---", 3) == 0) {
        // Found the MAC line; it is complete once its LF has arrived (else look here again later).
        return std::memchr(d.pre.data() + scan + 4, '\n', d.pre.size() - scan - 4) != nullptr;
      }
    }
    return false;
  };
  constexpr std::string_view kMagic = "age-encryption.org/";
  while (!complete()) {
    // Something that does not start like an age header fails at once instead of after 1 MiB.
    if (!d.pre.empty() &&
        std::memcmp(d.pre.data(), kMagic.data(), std::min(d.pre.size(), kMagic.size())) != 0) {
      break;
    }
    if (d.pre.size() > kAgeMaxHeaderBytes) {
      return fail(AgeFailure::kHeader,
                  MakeError(ErrorCode::kCorrupt, "the age header is larger than the 1 MiB limit",
                            "this is not a file casepack or age would make"));
    }
    const std::size_t old = d.pre.size();
    d.pre.resize(old + 4096);
    auto n = d.src->Read(std::span<std::uint8_t>(d.pre).subspan(old));
    if (!n.ok()) {
      d.pre.resize(old);
      return fail(AgeFailure::kOther, n.error());
    }
    d.pre.resize(old + *n);
    if (*n == 0) break;
  }
  auto header = ParseAgeHeader(d.pre);
  if (!header.ok()) return fail(AgeFailure::kHeader, header.error());
  d.header = std::move(header).value();
  d.pre_pos = d.header.size;
  d.header_read = true;
  return Ok();
}

Status AgeDecryptor::Unlock(std::span<const AgeIdentity* const> identities) {
  CP_RETURN_IF_ERROR(ReadHeader());
  Impl& d = *impl_;
  if (d.unlocked) return Ok();
  const auto& stanzas = d.header.stanzas;
  std::size_t scrypt_stanzas = 0, x25519_stanzas = 0;
  for (const AgeStanza& s : stanzas) {
    if (s.args[0] == "scrypt") ++scrypt_stanzas;
    if (s.args[0] == "X25519") ++x25519_stanzas;
  }
  if (scrypt_stanzas > 0 && stanzas.size() != 1) {
    failure_ = AgeFailure::kHeader;
    return MakeError(ErrorCode::kCorrupt,
                     "a passphrase (scrypt) stanza must be the only stanza, but the header has " +
                         Plural(stanzas.size(), "stanza", "stanzas"),
                     "the file was altered, or made by a broken implementation");
  }
  std::optional<SecretBytes> file_key;
  for (std::size_t i = 0; i < stanzas.size() && !file_key; ++i) {
    for (const AgeIdentity* id : identities) {
      auto r = id->Unwrap(stanzas[i]);
      if (!r.ok()) {
        failure_ = r.error().code == ErrorCode::kNoSpace ? AgeFailure::kOther : AgeFailure::kHeader;
        return r.error().Context("recipient stanza " + std::to_string(i + 1));
      }
      if (r->has_value()) {
        file_key = std::move(*r);
        break;
      }
    }
  }
  if (!file_key) {
    failure_ = AgeFailure::kNoMatch;
    std::size_t x_ids = 0, pass_ids = 0;
    for (const AgeIdentity* id : identities) (id->Type() == "scrypt" ? pass_ids : x_ids)++;
    if (scrypt_stanzas > 0 && pass_ids > 0) {
      return MakeError(ErrorCode::kAuthFailed, "wrong passphrase", "passphrases are case-sensitive; check for typos");
    }
    std::string what = "no identity matched: the file is for ";
    if (scrypt_stanzas > 0) {
      what += "a passphrase";
    } else {
      what += Plural(x25519_stanzas, "X25519 recipient", "X25519 recipients");
      const std::size_t other = stanzas.size() - x25519_stanzas;
      if (other > 0) what += " and " + Plural(other, "other recipient", "other recipients") + " (e.g. post-quantum)";
    }
    what += "; tried ";
    if (identities.empty()) what += "no identity";
    if (x_ids > 0) what += Plural(x_ids, "X25519 identity", "X25519 identities");
    if (x_ids > 0 && pass_ids > 0) what += " and ";
    if (pass_ids > 0) what += "a passphrase";
    return MakeError(ErrorCode::kAuthFailed, what,
                     scrypt_stanzas > 0 ? "this file opens with a passphrase, not a key"
                                        : "the file was encrypted to someone else's key; ask the sender which "
                                          "public key they used");
  }
  // The MAC covers the raw bytes as read; with a strict parser these equal the canonical encoding.
  CP_ASSIGN_OR_RETURN(SecretBytes mac_key, HeaderMacKey(*file_key));
  const auto mac = HeaderMac(mac_key, std::span<const std::uint8_t>(d.pre.data(), d.header.mac_input_bytes));
  if (sodium_memcmp(mac.data(), d.header.mac.data(), mac.size()) != 0) {
    failure_ = AgeFailure::kHeaderMac;
    return MakeError(ErrorCode::kCorrupt, "header MAC does not verify: the file was altered",
                     "get an unmodified copy of the file from the sender");
  }
  std::array<std::uint8_t, kAgeNonceBytes> nonce{};
  auto n = d.ReadFull(nonce);
  if (!n.ok()) {
    failure_ = (d.armor && d.armor->failed()) ? AgeFailure::kArmor : AgeFailure::kOther;
    return n.error();
  }
  if (*n != nonce.size()) {
    failure_ = AgeFailure::kHeader;
    return MakeError(ErrorCode::kCorrupt, "file is truncated: it ends before the payload nonce",
                     "the file was probably cut short while copying or downloading");
  }
  CP_ASSIGN_OR_RETURN(d.payload_key, HkdfSha256(file_key->expose(), nonce, "payload", 32));
  d.unlocked = true;
  return Ok();
}

Result<std::span<const std::uint8_t>> AgeDecryptor::Next() {
  Impl& d = *impl_;
  if (!d.unlocked) std::abort();  // REQUIRES
  if (d.done) return std::span<const std::uint8_t>();
  auto payload_error = [&](std::string what, std::string hint) -> Error {
    failure_ = AgeFailure::kPayload;
    d.done = true;  // nothing after a bad chunk is released
    return MakeError(ErrorCode::kCorrupt, std::move(what), std::move(hint));
  };
  const std::string kTruncHint = "the file was probably cut short while copying or downloading";
  const std::string kAlterHint = "the file was damaged or altered; get an unmodified copy";

  if (d.cur == kBatches || d.pos == d.batches[d.cur].count) {
    d.cur = kBatches;
    // Keep two batches ahead: while this thread releases one, the worker reads and verifies the next.
    while (d.queue.size() < kBatches - 1 && !d.input_ended) d.Submit();
    if (d.queue.empty()) std::abort();  // a batch that ended the input ended the release too (below)
    d.cur = d.queue.front();
    d.queue.pop_front();
    d.pos = 0;
    Impl::Batch& next = d.batches[d.cur];
    d.worker.Wait(next.ticket);
    if (next.ends_input) d.input_ended = true;
    if (next.count == 0) {
      // A read that failed, or an input that ended without its final chunk: everything before it has
      // been released.
      d.done = true;
      failure_ = next.failure;
      if (!next.error) std::abort();  // Load() reports why there are no chunks
      return *next.error;
    }
    if (d.queue.empty() && !d.input_ended) d.Submit();  // read ahead before releasing
  }

  Impl::Batch& batch = d.batches[d.cur];
  const std::size_t i = d.pos;
  const std::uint64_t index = d.counter;
  std::uint8_t* p = batch.buf.data() + i * kEncChunk;
  const std::size_t clen = batch.len[i];
  const bool last = batch.last[i];
  const std::string chunk_name = "payload chunk " + std::to_string(index + 1);
  if (!batch.verified[i]) {
    if (clen < kAgeTagBytes) return payload_error("file is truncated: " + chunk_name + " is shorter than its tag", kTruncHint);
    const std::size_t plen = clen - kAgeTagBytes;
    auto open = [&](bool final_flag) {
      std::uint8_t nonce[12];
      ChunkNonce(index, final_flag, nonce);
      return VerifyChunk(d.payload_key, nonce, std::span<const std::uint8_t>(p, plen), p + plen);
    };
    if (last && plen == 0) {
      // An authentic empty final chunk is a broken encryptor's doing; anything else is a cut-off chunk.
      if (open(true)) return payload_error("the final payload chunk is empty, which the age format forbids", kAlterHint);
      return payload_error("file is truncated: " + chunk_name + " is cut short", kTruncHint);
    }
    if (open(!last)) {
      // Authentic, but with the wrong final flag for where it sits in the file.
      if (last) {
        return payload_error("file is truncated: it ends after " + Plural(index + 1, "chunk", "chunks") +
                                 " without the final chunk",
                             kTruncHint);
      }
      return payload_error("trailing data after the end of the encrypted file", kAlterHint);
    }
    return payload_error(chunk_name + " does not verify: the file was altered or truncated", kAlterHint);
  }
  ++d.pos;
  d.counter = index + 1;
  if (last) d.done = true;
  return std::span<const std::uint8_t>(p, clen - kAgeTagBytes);
}

Status AgeDecrypt(AgeSource& in, AgeSink& plaintext, std::span<const AgeIdentity* const> identities,
                  AgeDecryptOptions options, AgeFailure* failure) {
  AgeDecryptor dec(in, options);
  auto report = [&](Error e) -> Error {
    if (failure != nullptr) *failure = dec.failure();
    return e;
  };
  if (auto s = dec.Unlock(identities); !s.ok()) return report(s.error());
  for (;;) {
    auto chunk = dec.Next();
    if (!chunk.ok()) return report(chunk.error());
    if (chunk->empty()) break;
    if (auto s = plaintext.Write(*chunk); !s.ok()) {
      if (failure != nullptr) *failure = AgeFailure::kOther;
      return s.error();
    }
  }
  if (failure != nullptr) *failure = AgeFailure::kNone;
  return Ok();
}

}  // namespace casepack
