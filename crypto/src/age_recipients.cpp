// X25519 and scrypt recipients and identities of the age v1 format (C2SP age.md, "Native recipient types").
#include <sodium.h>

#include <cstring>

#include "casepack/age.h"
#include "casepack/age_primitives.h"

namespace casepack {

namespace {

constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";
constexpr std::size_t kWrappedKeyBytes = kAgeFileKeyBytes + crypto_aead_chacha20poly1305_ietf_ABYTES;

// ChaCha20-Poly1305 with the all-zero nonce: safe because every wrap key is used exactly once.
Bytes SealFileKey(const SecretBytes& wrap_key, const SecretBytes& file_key) {
  Bytes body(kWrappedKeyBytes);
  const std::uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
  unsigned long long len = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(body.data(), &len, file_key.expose().data(), file_key.size(), nullptr,
                                            0, nullptr, nonce, wrap_key.expose().data());
  return body;
}

// std::nullopt if the tag does not verify (the stanza is not for this key).
Result<std::optional<SecretBytes>> OpenFileKey(const SecretBytes& wrap_key, const Bytes& body) {
  const std::uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
  CP_ASSIGN_OR_RETURN(SecretBytes file_key, SecretBytes::Zeroed(kAgeFileKeyBytes));
  unsigned long long len = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key.expose_mutable().data(), &len, nullptr, body.data(),
                                                body.size(), nullptr, 0, nonce, wrap_key.expose().data()) != 0) {
    return std::optional<SecretBytes>();
  }
  return std::optional<SecretBytes>(std::move(file_key));
}

Error StanzaError(std::string what) {
  return MakeError(ErrorCode::kCorrupt, std::move(what), "the file was damaged or altered");
}

Result<SecretBytes> X25519WrapKey(std::span<const std::uint8_t> shared, std::span<const std::uint8_t> share,
                                  std::span<const std::uint8_t> recipient) {
  std::array<std::uint8_t, 64> salt{};
  std::memcpy(salt.data(), share.data(), 32);
  std::memcpy(salt.data() + 32, recipient.data(), 32);
  return HkdfSha256(shared, salt, kX25519Label, 32);
}

Result<SecretBytes> ScryptWrapKey(const SecretBytes& passphrase, std::span<const std::uint8_t> salt, int work_factor) {
  Bytes full_salt(kScryptLabel.begin(), kScryptLabel.end());
  full_salt.insert(full_salt.end(), salt.begin(), salt.end());
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Zeroed(32));
  if (crypto_pwhash_scryptsalsa208sha256_ll(passphrase.expose().data(), passphrase.size(), full_salt.data(),
                                            full_salt.size(), std::uint64_t{1} << work_factor, 8, 1,
                                            key.expose_mutable().data(), key.size()) != 0) {
    return MakeError(ErrorCode::kNoSpace,
                     "cannot allocate the memory scrypt needs for work factor 2^" + std::to_string(work_factor));
  }
  return key;
}

}  // namespace

// ---- X25519 ---------------------------------------------------------------------------------------------

Result<X25519Recipient> X25519Recipient::Parse(std::string_view text) {
  if (text.substr(0, 4) != "age1") {
    return MakeError(ErrorCode::kInvalidArgument, "not an age recipient: it must start with \"age1\"",
                     "an age public key looks like age1… (62 characters), as printed by age-keygen");
  }
  auto decoded = Bech32Decode(text);
  if (!decoded.ok()) return decoded.error().Context("not a valid age recipient");
  if (decoded->hrp != "age" || decoded->data.size() != 32) {
    return MakeError(ErrorCode::kInvalidArgument, "not an X25519 age recipient (wrong type or length)",
                     "post-quantum (age1pq1…) and plugin recipients are not supported");
  }
  std::array<std::uint8_t, 32> pk{};
  std::copy(decoded->data.begin(), decoded->data.end(), pk.begin());
  return X25519Recipient(pk);
}

X25519Recipient X25519Recipient::FromPublicKey(std::span<const std::uint8_t, 32> public_key) {
  std::array<std::uint8_t, 32> pk{};
  std::copy(public_key.begin(), public_key.end(), pk.begin());
  return X25519Recipient(pk);
}

std::string X25519Recipient::ToString() const { return Bech32Encode("age", public_key_); }

Result<std::vector<AgeStanza>> X25519Recipient::Wrap(const SecretBytes& file_key) const {
  CP_ASSIGN_OR_RETURN(SecretBytes ephemeral, SecretBytes::Random(32));
  std::array<std::uint8_t, 32> share{};
  crypto_scalarmult_base(share.data(), ephemeral.expose().data());
  CP_ASSIGN_OR_RETURN(SecretBytes shared, SecretBytes::Zeroed(32));
  if (crypto_scalarmult(shared.expose_mutable().data(), ephemeral.expose().data(), public_key_.data()) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "the X25519 recipient is not a usable public key (low order)");
  }
  CP_ASSIGN_OR_RETURN(SecretBytes wrap_key, X25519WrapKey(shared.expose(), share, public_key_));
  std::vector<AgeStanza> out(1);
  out[0].args = {"X25519", Base64RawEncode(share)};
  out[0].body = SealFileKey(wrap_key, file_key);
  return out;
}

Result<X25519Identity> X25519Identity::Generate() {
  CP_ASSIGN_OR_RETURN(SecretBytes sk, SecretBytes::Random(32));
  return FromSecretKey(sk);
}

Result<X25519Identity> X25519Identity::FromSecretKey(const SecretBytes& secret) {
  if (secret.size() != 32) std::abort();  // REQUIRES
  CP_ASSIGN_OR_RETURN(SecretBytes sk, secret.Clone());
  std::array<std::uint8_t, 32> pk{};
  crypto_scalarmult_base(pk.data(), sk.expose().data());
  return X25519Identity(std::move(sk), pk);
}

Result<X25519Identity> X25519Identity::Parse(std::string_view text) {
  constexpr std::string_view kPrefix = "AGE-SECRET-KEY-1";
  if (text.size() < kPrefix.size() || (text.substr(0, kPrefix.size()) != kPrefix)) {
    return MakeError(ErrorCode::kInvalidArgument, "not an age identity: it must start with \"AGE-SECRET-KEY-1\"",
                     "post-quantum (AGE-SECRET-KEY-PQ-1…) and plugin identities are not supported");
  }
  auto decoded = Bech32Decode(text);
  if (!decoded.ok()) return decoded.error().Context("not a valid age identity");
  Bech32Decoded d = std::move(decoded).value();
  if (d.hrp != "age-secret-key-" || d.data.size() != 32) {
    Wipe(d.data);
    return MakeError(ErrorCode::kInvalidArgument, "not an X25519 age identity (wrong type or length)");
  }
  auto sk = SecretBytes::CopyOf(d.data);
  Wipe(d.data);
  if (!sk.ok()) return sk.error();
  return FromSecretKey(*sk);
}

Result<SecretBytes> X25519Identity::Encode() const {
  std::string s = Bech32Encode("AGE-SECRET-KEY-", secret_.expose());
  auto out = SecretBytes::CopyOf(AsBytes(s));
  Wipe(s);
  return out;
}

Result<std::optional<SecretBytes>> X25519Identity::Unwrap(const AgeStanza& stanza) const {
  if (stanza.args.empty() || stanza.args[0] != "X25519") return std::optional<SecretBytes>();
  if (stanza.args.size() != 2) return StanzaError("X25519 stanza: expected exactly one argument (the share)");
  auto share = Base64RawDecode(stanza.args[1]);
  if (!share.ok() || share->size() != 32) {
    return StanzaError("X25519 stanza: the share is not the canonical base64 of 32 bytes");
  }
  // Checked before any decryption, so the stanza cannot be used as a partitioning oracle.
  if (stanza.body.size() != kWrappedKeyBytes) return StanzaError("X25519 stanza: the wrapped file key has the wrong length");
  CP_ASSIGN_OR_RETURN(SecretBytes shared, SecretBytes::Zeroed(32));
  if (crypto_scalarmult(shared.expose_mutable().data(), secret_.expose().data(), share->data()) != 0 ||
      sodium_is_zero(shared.expose().data(), 32)) {
    return StanzaError("X25519 stanza: the share is a low-order point (all-zero shared secret)");
  }
  CP_ASSIGN_OR_RETURN(SecretBytes wrap_key, X25519WrapKey(shared.expose(), *share, public_key_));
  return OpenFileKey(wrap_key, stanza.body);
}

Result<std::vector<X25519Identity>> ParseAgeIdentityFile(std::string_view text) {
  std::vector<X25519Identity> out;
  int number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto id = X25519Identity::Parse(line);
    if (!id.ok()) return id.error().Context("identity file line " + std::to_string(number));
    out.push_back(std::move(id).value());
  }
  if (out.empty()) {
    return MakeError(ErrorCode::kNotFound, "the identity file holds no AGE-SECRET-KEY-1 line",
                     "make one with age-keygen, or pass the file printed by it");
  }
  return out;
}

// ---- scrypt ---------------------------------------------------------------------------------------------

Result<int> ParseScryptWorkFactor(std::string_view arg) {
  if (arg.empty() || arg[0] < '1' || arg[0] > '9') {
    return MakeError(ErrorCode::kCorrupt, "scrypt stanza: the work factor is not a canonical decimal number");
  }
  for (char c : arg) {
    if (c < '0' || c > '9') {
      return MakeError(ErrorCode::kCorrupt, "scrypt stanza: the work factor is not a canonical decimal number");
    }
  }
  if (arg.size() > 2) return MakeError(ErrorCode::kCorrupt, "scrypt stanza: the work factor is absurdly large");
  int v = 0;
  for (char c : arg) v = v * 10 + (c - '0');
  return v;
}

Result<ScryptRecipient> ScryptRecipient::Create(std::string_view passphrase, int work_factor) {
  if (passphrase.empty()) return MakeError(ErrorCode::kInvalidArgument, "the passphrase is empty");
  if (work_factor < 1 || work_factor > kAgeScryptMaxWorkFactor) {
    return MakeError(ErrorCode::kInvalidArgument, "scrypt work factor must be between 1 and " +
                                                      std::to_string(kAgeScryptMaxWorkFactor));
  }
  CP_ASSIGN_OR_RETURN(SecretBytes p, SecretBytes::CopyOf(AsBytes(passphrase)));
  return ScryptRecipient(std::move(p), work_factor);
}

Result<std::vector<AgeStanza>> ScryptRecipient::Wrap(const SecretBytes& file_key) const {
  std::array<std::uint8_t, 16> salt{};
  randombytes_buf(salt.data(), salt.size());
  CP_ASSIGN_OR_RETURN(SecretBytes wrap_key, ScryptWrapKey(passphrase_, salt, work_factor_));
  std::vector<AgeStanza> out(1);
  out[0].args = {"scrypt", Base64RawEncode(salt), std::to_string(work_factor_)};
  out[0].body = SealFileKey(wrap_key, file_key);
  return out;
}

Result<ScryptIdentity> ScryptIdentity::Create(std::string_view passphrase, int max_work_factor) {
  if (passphrase.empty()) return MakeError(ErrorCode::kInvalidArgument, "the passphrase is empty");
  if (max_work_factor < 1 || max_work_factor > kAgeScryptMaxWorkFactor) {
    return MakeError(ErrorCode::kInvalidArgument, "the maximum scrypt work factor must be between 1 and " +
                                                      std::to_string(kAgeScryptMaxWorkFactor));
  }
  CP_ASSIGN_OR_RETURN(SecretBytes p, SecretBytes::CopyOf(AsBytes(passphrase)));
  return ScryptIdentity(std::move(p), max_work_factor);
}

Result<std::optional<SecretBytes>> ScryptIdentity::Unwrap(const AgeStanza& stanza) const {
  if (stanza.args.empty() || stanza.args[0] != "scrypt") return std::optional<SecretBytes>();
  if (stanza.args.size() != 3) return StanzaError("scrypt stanza: expected exactly two arguments (salt, work factor)");
  auto salt = Base64RawDecode(stanza.args[1]);
  if (!salt.ok() || salt->size() != 16) {
    return StanzaError("scrypt stanza: the salt is not the canonical base64 of 16 bytes");
  }
  CP_ASSIGN_OR_RETURN(int work_factor, ParseScryptWorkFactor(stanza.args[2]));
  if (work_factor > max_work_factor_) {
    return MakeError(ErrorCode::kUnsupported,
                     "work factor 2^" + std::to_string(work_factor) + " is above the limit 2^" +
                         std::to_string(max_work_factor_),
                     "the passphrase check would take very long and need much memory; ask the sender to "
                     "re-encrypt with the default work factor");
  }
  if (stanza.body.size() != kWrappedKeyBytes) return StanzaError("scrypt stanza: the wrapped file key has the wrong length");
  CP_ASSIGN_OR_RETURN(SecretBytes wrap_key, ScryptWrapKey(passphrase_, *salt, work_factor));
  return OpenFileKey(wrap_key, stanza.body);
}

}  // namespace casepack
