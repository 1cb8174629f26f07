// The age v1 payload (STREAM: ChaCha20-Poly1305 over 64 KiB chunks, 11-byte big-endian counter + final
// flag as the nonce) and the encrypt/decrypt state machines around it.
#include <sodium.h>

#include <cstring>

#include "casepack/age.h"
#include "casepack/age_primitives.h"

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
// libsodium's one-call decryption zeroes its output on failure, which in place would destroy the chunk we
// may still want to try with the other final flag. Same primitives, same cost.
bool VerifyChunk(const SecretBytes& key, const std::uint8_t nonce[12], std::span<const std::uint8_t> ciphertext,
                 const std::uint8_t* tag) {
  std::uint8_t block0[64];
  crypto_stream_chacha20_ietf(block0, sizeof block0, nonce, key.expose().data());
  crypto_onetimeauth_poly1305_state st;
  crypto_onetimeauth_poly1305_init(&st, block0);
  sodium_memzero(block0, sizeof block0);
  static const std::uint8_t kZeros[16] = {};
  crypto_onetimeauth_poly1305_update(&st, ciphertext.data(), ciphertext.size());
  crypto_onetimeauth_poly1305_update(&st, kZeros, (0x10 - ciphertext.size()) & 0xf);
  std::uint8_t lengths[16] = {};  // le64(aad length = 0) || le64(ciphertext length)
  const std::uint64_t clen = ciphertext.size();
  for (int i = 0; i < 8; ++i) lengths[8 + i] = static_cast<std::uint8_t>(clen >> (8 * i));
  crypto_onetimeauth_poly1305_update(&st, lengths, sizeof lengths);
  std::uint8_t computed[16];
  crypto_onetimeauth_poly1305_final(&st, computed);
  sodium_memzero(&st, sizeof st);
  return crypto_verify_16(computed, tag) == 0;
}

void DecryptInPlace(const SecretBytes& key, const std::uint8_t nonce[12], std::span<std::uint8_t> data) {
  crypto_stream_chacha20_ietf_xor_ic(data.data(), data.data(), data.size(), nonce, 1, key.expose().data());
}

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
  e.out_ = &sink;
  if (options.armor) {
    e.armor_ = std::make_unique<AgeArmorWriter>(sink);
    e.out_ = e.armor_.get();
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
  CP_ASSIGN_OR_RETURN(e.payload_key_, HkdfSha256(file_key.expose(), nonce, "payload", 32));

  std::string head = EncodeAgeHeader(header);
  head.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  CP_RETURN_IF_ERROR(e.out_->Write(AsBytes(head)));
  e.buf_.resize(kEncChunk);
  return e;
}

AgeEncryptor::~AgeEncryptor() { Wipe(buf_); }

Status AgeEncryptor::EmitChunk(std::span<const std::uint8_t> plaintext, bool last) {
  std::uint8_t nonce[12];
  ChunkNonce(counter_, last, nonce);
  ++counter_;
  // In place when plaintext is buf_ itself; otherwise straight from the caller's memory into buf_.
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf_.data(), buf_.data() + plaintext.size(), nullptr,
                                                     plaintext.data(), plaintext.size(), nullptr, 0, nullptr, nonce,
                                                     payload_key_.expose().data());
  return out_->Write(std::span<const std::uint8_t>(buf_.data(), plaintext.size() + kAgeTagBytes));
}

Status AgeEncryptor::Write(std::span<const std::uint8_t> plaintext) {
  if (closed_) std::abort();  // REQUIRES: not closed
  while (!plaintext.empty()) {
    // A full chunk is only sealed once more data shows it is not the last one (its nonce says so).
    if (fill_ == kAgeChunkBytes) {
      CP_RETURN_IF_ERROR(EmitChunk(std::span<const std::uint8_t>(buf_.data(), fill_), false));
      fill_ = 0;
    }
    if (fill_ == 0 && plaintext.size() > kAgeChunkBytes) {
      CP_RETURN_IF_ERROR(EmitChunk(plaintext.first(kAgeChunkBytes), false));
      plaintext = plaintext.subspan(kAgeChunkBytes);
      continue;
    }
    const std::size_t n = std::min(plaintext.size(), kAgeChunkBytes - fill_);
    std::memcpy(buf_.data() + fill_, plaintext.data(), n);
    fill_ += n;
    plaintext = plaintext.subspan(n);
  }
  return Ok();
}

Status AgeEncryptor::Close() {
  if (closed_) return Ok();
  closed_ = true;
  // The final chunk may be empty only if the whole payload is (counter_ == 0 then).
  CP_RETURN_IF_ERROR(EmitChunk(std::span<const std::uint8_t>(buf_.data(), fill_), true));
  fill_ = 0;
  if (armor_) CP_RETURN_IF_ERROR(armor_->Close());
  return Ok();
}

Status AgeEncrypt(AgeSource& plaintext, AgeSink& out, std::span<const AgeRecipient* const> recipients,
                  AgeEncryptOptions options) {
  CP_ASSIGN_OR_RETURN(AgeEncryptor enc, AgeEncryptor::Create(out, recipients, options));
  // 16 chunks per read: few system calls, and all but the last chunk of each block go straight from this
  // buffer into the cipher without a copy.
  Bytes buf(16 * kAgeChunkBytes);
  for (;;) {
    std::size_t got = 0;
    while (got < buf.size()) {
      CP_ASSIGN_OR_RETURN(std::size_t n, plaintext.Read(std::span<std::uint8_t>(buf).subspan(got)));
      if (n == 0) break;
      got += n;
    }
    if (got == 0) break;
    Status s = enc.Write(std::span<const std::uint8_t>(buf.data(), got));
    if (!s.ok()) {
      Wipe(buf);
      return s;
    }
    if (got < buf.size()) break;
  }
  Wipe(buf);
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
  Bytes buf;               // one encrypted chunk plus one byte of look-ahead
  bool have_carry = false;
  std::uint8_t carry = 0;
  std::uint64_t counter = 0;

  ~Impl() { Wipe(buf); }

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
  d.buf.resize(kEncChunk + 1);
  d.unlocked = true;
  return Ok();
}

Result<std::span<const std::uint8_t>> AgeDecryptor::Next() {
  Impl& d = *impl_;
  if (!d.unlocked) std::abort();  // REQUIRES
  if (d.done) return std::span<const std::uint8_t>();
  auto payload_error = [&](std::string what, std::string hint) -> Error {
    failure_ = AgeFailure::kPayload;
    return MakeError(ErrorCode::kCorrupt, std::move(what), std::move(hint));
  };
  const std::string kTruncHint = "the file was probably cut short while copying or downloading";
  const std::string kAlterHint = "the file was damaged or altered; get an unmodified copy";

  std::size_t n = 0;
  if (d.have_carry) {
    d.buf[0] = d.carry;
    n = 1;
    d.have_carry = false;
  }
  auto got = d.ReadFull(std::span<std::uint8_t>(d.buf).subspan(n));
  if (!got.ok()) {
    failure_ = (d.armor && d.armor->failed()) ? AgeFailure::kArmor : AgeFailure::kOther;
    return got.error();
  }
  n += *got;
  const std::uint64_t index = d.counter;
  const std::string chunk_name = "payload chunk " + std::to_string(index + 1);
  if (n == 0) {
    return payload_error(index == 0 ? "file is truncated: the payload has no chunks"
                                    : "file is truncated: it ends after " + Plural(index, "chunk", "chunks") +
                                          " without the final chunk",
                         kTruncHint);
  }
  const bool more = n == kEncChunk + 1;
  const std::size_t clen = more ? kEncChunk : n;
  if (clen < kAgeTagBytes) return payload_error("file is truncated: " + chunk_name + " is shorter than its tag", kTruncHint);
  const std::size_t plen = clen - kAgeTagBytes;
  std::uint8_t* p = d.buf.data();
  auto open = [&](bool last) {
    std::uint8_t nonce[12];
    ChunkNonce(index, last, nonce);
    return VerifyChunk(d.payload_key, nonce, std::span<const std::uint8_t>(p, plen), p + plen);
  };
  const bool last = !more;
  if (!more && plen == 0 && index > 0) {
    // An authentic empty final chunk is a broken encryptor's doing; anything else is a cut-off chunk.
    if (open(true)) return payload_error("the final payload chunk is empty, which the age format forbids", kAlterHint);
    return payload_error("file is truncated: " + chunk_name + " is cut short", kTruncHint);
  }
  if (!open(last)) {
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
  std::uint8_t nonce[12];
  ChunkNonce(index, last, nonce);
  DecryptInPlace(d.payload_key, nonce, std::span<std::uint8_t>(p, plen));
  d.counter = index + 1;
  if (more) {
    d.carry = d.buf[kEncChunk];
    d.have_carry = true;
  } else {
    d.done = true;
  }
  return std::span<const std::uint8_t>(p, plen);
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
