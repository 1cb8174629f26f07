// The age v1 file format (https://age-encryption.org/v1, C2SP age.md), written on libsodium: transfer packs
// are standard age files, so agencies open them with the `age` CLI and casepack opens files made by it.
// See docs/age.md for the decisions (limits, error categories, armor strictness).
//
// What is here: the header (parse / encode, inspectable without a key), X25519 (`age1…`,
// `AGE-SECRET-KEY-1…`) and scrypt (passphrase) recipients and identities, the STREAM payload in 64 KiB
// chunks, and ASCII armor. Encryption and decryption stream: memory stays at three batches of chunks
// (1.5 MiB) whatever the file size. Post-quantum (mlkem768x25519) and plugin stanzas are not supported;
// their stanzas are ignored like any unknown stanza, so such files fail with "no identity matched".
//
// Thread safety: the recipient and identity types are immutable and may be shared between threads; an
// AgeEncryptor / AgeDecryptor is used by one thread at a time (each runs one helper thread of its own for
// the cryptography of large files).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/result.h"
#include "casepack/secret.h"

namespace casepack {

inline constexpr std::size_t kAgeFileKeyBytes = 16;
inline constexpr std::size_t kAgeChunkBytes = 64 * 1024;
inline constexpr std::size_t kAgeTagBytes = 16;
inline constexpr std::size_t kAgeNonceBytes = 16;
// Chunks processed together (sealed/opened on a helper thread, written with one call): 512 KiB, which
// stays in a core's L2 cache between sealing and writing.
inline constexpr std::size_t kAgeBatchChunks = 8;
inline constexpr int kAgeScryptDefaultWorkFactor = 18;  // log2(N); 2^18 is age's own default
inline constexpr int kAgeScryptMaxWorkFactor = 22;      // 2^22 needs 4 GiB and ~10 s; refuse anything above
// The spec sets no limit on header size; we do, so that a hostile file cannot make us buffer without end.
// Real headers are well under 2 KiB per recipient.
inline constexpr std::size_t kAgeMaxHeaderBytes = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Byte streams. Read returns the number of bytes placed in `out` (at most out.size()), 0 only at the end.

class AgeSource {
 public:
  virtual ~AgeSource() = default;
  virtual Result<std::size_t> Read(std::span<std::uint8_t> out) = 0;
};

class AgeSink {
 public:
  virtual ~AgeSink() = default;
  // Writes all of `bytes` or fails (kIo / kNoSpace).
  virtual Status Write(std::span<const std::uint8_t> bytes) = 0;
};

// Reads from memory the caller keeps alive.
class AgeMemorySource final : public AgeSource {
 public:
  explicit AgeMemorySource(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override;

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

// Appends to an owned byte vector (small files, tests).
class AgeMemorySink final : public AgeSink {
 public:
  Status Write(std::span<const std::uint8_t> bytes) override;
  Bytes& bytes() { return bytes_; }

 private:
  Bytes bytes_;
};

// An open file descriptor the caller owns (and closes). Reads and writes go straight to read(2)/write(2)
// with the caller's buffer: the encryptor and decryptor already move whole 64 KiB chunks.
class AgeFdSource final : public AgeSource {
 public:
  explicit AgeFdSource(int fd) : fd_(fd) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override;

 private:
  int fd_;
};

class AgeFdSink final : public AgeSink {
 public:
  explicit AgeFdSink(int fd) : fd_(fd) {}
  Status Write(std::span<const std::uint8_t> bytes) override;

 private:
  int fd_;
};

// ---------------------------------------------------------------------------------------------------------
// Header

struct AgeStanza {
  std::vector<std::string> args;  // args[0] is the stanza type ("X25519", "scrypt", …); never empty
  Bytes body;                     // decoded body (for X25519/scrypt: the wrapped file key, 32 bytes)
};

struct AgeHeader {
  std::vector<AgeStanza> stanzas;            // at least one
  std::array<std::uint8_t, 32> mac{};        // HMAC-SHA-256 over the header up to and including "---"
  std::size_t mac_input_bytes = 0;           // how many leading bytes the MAC covers
  std::size_t size = 0;                      // bytes of header, through the LF ending the MAC line
};

// Parses the header at the start of `bytes` (which may continue with the payload). Strict: every MUST of the
// spec about canonical encodings is enforced, so a successful parse re-encodes (EncodeAgeHeader) to exactly
// bytes[0, size). Does not verify the MAC (that needs the file key). Errors:
//   kCorrupt      not an age file ("not an age file: it looks like a ZIP archive"), a malformed line
//                 ("header line 3: …"), or input that ends inside the header ("file is truncated …")
//   kUnsupported  a different age format version
[[nodiscard]] Result<AgeHeader> ParseAgeHeader(std::span<const std::uint8_t> bytes);

// The canonical encoding: version line, stanzas (body wrapped at 64 columns), MAC line.
std::string EncodeAgeHeader(const AgeHeader& header);
// The part the MAC covers: everything up to and including "---".
std::string EncodeAgeHeaderMacInput(const std::vector<AgeStanza>& stanzas);

// What a file that is not an age file looks like, from its first bytes (up to 1 KiB is enough):
// "a ZIP archive", "a PDF document", "plain text", … Never quotes the content.
std::string DescribeNonAgeBytes(std::span<const std::uint8_t> prefix);

// ---------------------------------------------------------------------------------------------------------
// Recipients (who a file is encrypted to) and identities (what opens it)

class AgeRecipient {
 public:
  virtual ~AgeRecipient() = default;
  // Wraps the file key into one or more stanzas. kNoSpace / kInvalidArgument on failure.
  [[nodiscard]] virtual Result<std::vector<AgeStanza>> Wrap(const SecretBytes& file_key) const = 0;
  // Scrypt recipients must be alone in a file (the spec's rule, so a passphrase also authenticates).
  virtual bool MustBeAlone() const { return false; }
};

class AgeIdentity {
 public:
  virtual ~AgeIdentity() = default;
  // For one stanza: the file key if this identity opens it; std::nullopt if the stanza is not for this
  // identity (another type, another key, a wrong passphrase); an error if the stanza is addressed to this
  // identity's type but malformed (kCorrupt), or too costly to try (kUnsupported, e.g. scrypt 2^23).
  [[nodiscard]] virtual Result<std::optional<SecretBytes>> Unwrap(const AgeStanza& stanza) const = 0;
  // "X25519" or "scrypt": used to tell a person what was tried.
  virtual std::string_view Type() const = 0;
};

class X25519Recipient final : public AgeRecipient {
 public:
  // From "age1…" (Bech32, lower case as printed by age-keygen). kInvalidArgument with the reason.
  [[nodiscard]] static Result<X25519Recipient> Parse(std::string_view text);
  static X25519Recipient FromPublicKey(std::span<const std::uint8_t, 32> public_key);
  std::string ToString() const;  // "age1…"
  const std::array<std::uint8_t, 32>& public_key() const { return public_key_; }
  Result<std::vector<AgeStanza>> Wrap(const SecretBytes& file_key) const override;

 private:
  explicit X25519Recipient(std::array<std::uint8_t, 32> pk) : public_key_(pk) {}
  std::array<std::uint8_t, 32> public_key_;
};

class X25519Identity final : public AgeIdentity {
 public:
  [[nodiscard]] static Result<X25519Identity> Generate();
  // From "AGE-SECRET-KEY-1…". kInvalidArgument with the reason (the message never repeats the key).
  [[nodiscard]] static Result<X25519Identity> Parse(std::string_view text);
  // REQUIRES: secret.size() == 32.
  [[nodiscard]] static Result<X25519Identity> FromSecretKey(const SecretBytes& secret);

  X25519Recipient ToRecipient() const { return X25519Recipient::FromPublicKey(public_key_); }
  // "AGE-SECRET-KEY-1…", in secure memory (the caller decides where it may go).
  [[nodiscard]] Result<SecretBytes> Encode() const;

  Result<std::optional<SecretBytes>> Unwrap(const AgeStanza& stanza) const override;
  std::string_view Type() const override { return "X25519"; }

 private:
  X25519Identity(SecretBytes sk, std::array<std::uint8_t, 32> pk) : secret_(std::move(sk)), public_key_(pk) {}
  SecretBytes secret_;
  std::array<std::uint8_t, 32> public_key_;
};

// An identity file as written by age-keygen: one AGE-SECRET-KEY-1… per line, '#' comments and blank lines
// ignored, LF or CRLF. kInvalidArgument naming the line ("identity file line 4: …"); kNotFound if it
// holds no key at all.
[[nodiscard]] Result<std::vector<X25519Identity>> ParseAgeIdentityFile(std::string_view text);

class ScryptRecipient final : public AgeRecipient {
 public:
  // kInvalidArgument if the passphrase is empty or work_factor is outside 1…kAgeScryptMaxWorkFactor.
  // Tests use small factors (e.g. 10); production keeps the default.
  [[nodiscard]] static Result<ScryptRecipient> Create(std::string_view passphrase,
                                                      int work_factor = kAgeScryptDefaultWorkFactor);
  Result<std::vector<AgeStanza>> Wrap(const SecretBytes& file_key) const override;
  bool MustBeAlone() const override { return true; }
  int work_factor() const { return work_factor_; }

 private:
  ScryptRecipient(SecretBytes p, int wf) : passphrase_(std::move(p)), work_factor_(wf) {}
  SecretBytes passphrase_;
  int work_factor_;
};

class ScryptIdentity final : public AgeIdentity {
 public:
  // kInvalidArgument if the passphrase is empty or max_work_factor is outside 1…kAgeScryptMaxWorkFactor.
  [[nodiscard]] static Result<ScryptIdentity> Create(std::string_view passphrase,
                                                     int max_work_factor = kAgeScryptMaxWorkFactor);
  // A wrong passphrase is std::nullopt ("not mine"); a work factor above the maximum is kUnsupported
  // ("work factor 2^23 is above the limit 2^22"); kNoSpace if scrypt's memory cannot be allocated.
  Result<std::optional<SecretBytes>> Unwrap(const AgeStanza& stanza) const override;
  std::string_view Type() const override { return "scrypt"; }

 private:
  ScryptIdentity(SecretBytes p, int max) : passphrase_(std::move(p)), max_work_factor_(max) {}
  SecretBytes passphrase_;
  int max_work_factor_;
};

// Parses the work factor argument of an scrypt stanza exactly as the spec says (^[1-9][0-9]*$), for
// `casepack pack inspect`. kCorrupt if not canonical; values above 99 are reported as kCorrupt too.
[[nodiscard]] Result<int> ParseScryptWorkFactor(std::string_view arg);

// ---------------------------------------------------------------------------------------------------------
// ASCII armor: strict PEM (RFC 7468 §3) with label "AGE ENCRYPTED FILE", 64 columns, padded base64.

// Encodes everything written to it into `out`. Close() writes the last line and the END line.
class AgeArmorWriter final : public AgeSink {
 public:
  explicit AgeArmorWriter(AgeSink& out) : out_(&out) {}
  Status Write(std::span<const std::uint8_t> bytes) override;
  Status Close();

 private:
  Status Begin();
  AgeSink* out_;
  bool started_ = false;
  bool closed_ = false;
  std::array<std::uint8_t, 48> pending_{};
  std::size_t pending_len_ = 0;
};

// Decodes an armored stream. Accepts only: optional whitespace, the BEGIN line, lines of exactly 64 base64
// characters, one last line of 1…64 (padded, canonical), the END line, optional whitespace; LF or CRLF.
// Anything else fails with kCorrupt "armor: …", and failed() becomes true.
class AgeArmorReader final : public AgeSource {
 public:
  explicit AgeArmorReader(AgeSource& in) : in_(&in) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override;
  bool failed() const { return failed_; }

 private:
  Result<int> NextByte();  // -1 at end of input
  Result<bool> ReadLine(std::string& line, bool& had_newline);
  Status DecodeNextLine();
  Error Fail(std::string what);
  AgeSource* in_;
  std::array<std::uint8_t, 4096> ibuf_{};
  std::size_t ipos_ = 0, iend_ = 0;
  bool ieof_ = false;
  enum class State { kStart, kBody, kDone } state_ = State::kStart;
  bool expect_end_ = false;
  bool failed_ = false;
  std::array<std::uint8_t, 48> decoded_{};
  std::size_t dpos_ = 0, dlen_ = 0;
};

// Whole-buffer conveniences (fuzzing, tests, small files).
std::string AgeArmorEncode(std::span<const std::uint8_t> bytes);
[[nodiscard]] Result<Bytes> AgeArmorDecode(std::span<const std::uint8_t> armored);

// ---------------------------------------------------------------------------------------------------------
// Encryption

struct AgeEncryptOptions {
  bool armor = false;  // ASCII armor, e.g. for a pack pasted into an email body
};

// Writes the header when created, then the payload as plaintext is written; Close() writes the final chunk
// (and the armor's END line). Nothing is complete until Close() succeeds.
//
// Chunks are gathered in batches of up to kAgeBatchChunks, laid out so that after sealing in place a batch
// is contiguous ciphertext. A helper thread seals each batch and writes it to the sink while this thread
// reads the next (up to 3 batches in flight), so I/O and cryptography overlap. The sink is therefore called
// from the helper thread — in order, never concurrently — except for the header (written by Create) and
// small files. A full chunk is only sealed once more data shows it is not the last (its nonce says so).
class AgeEncryptor {
 public:
  // kInvalidArgument if there are no recipients, or an scrypt recipient is mixed with others. `sink` must
  // outlive the encryptor.
  [[nodiscard]] static Result<AgeEncryptor> Create(AgeSink& sink, std::span<const AgeRecipient* const> recipients,
                                                   AgeEncryptOptions options = {});
  AgeEncryptor(AgeEncryptor&&) noexcept;
  AgeEncryptor& operator=(AgeEncryptor&&) noexcept;
  ~AgeEncryptor();

  Status Write(std::span<const std::uint8_t> plaintext);
  // Encrypts everything `source` yields until its end, reading straight into the chunk buffers (no copy).
  // Does not Close().
  Status WriteFrom(AgeSource& source);
  Status Close();

 private:
  struct Impl;
  AgeEncryptor();
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------------------
// Decryption

enum class AgeArmor { kAuto, kArmored, kBinary };

struct AgeDecryptOptions {
  // kAuto: armored if the file starts (after whitespace) with "-----BEGIN AGE ENCRYPTED FILE-----".
  AgeArmor armor = AgeArmor::kAuto;
};

// Which stage refused the file: the categories of the CCTV age test vectors, plus kOther (I/O, memory).
enum class AgeFailure { kNone, kArmor, kHeader, kNoMatch, kHeaderMac, kPayload, kOther };
std::string_view ToString(AgeFailure failure);

// Reads a file in stages: ReadHeader() (enough for inspection), Unlock() (finds the file key, checks the
// header MAC), then Next() for each verified chunk of plaintext. `source` must outlive the decryptor. The
// header and the first, small batches are read on the calling thread; after that batches of chunks are
// read ahead, verified and decrypted on a helper thread while the caller consumes earlier ones, so
// `source` is then read from the helper (one read at a time, in order, never at the same time as the
// caller). Nothing is returned before its tag has been checked.
class AgeDecryptor {
 public:
  explicit AgeDecryptor(AgeSource& source, AgeDecryptOptions options = {});
  AgeDecryptor(AgeDecryptor&&) noexcept;
  AgeDecryptor& operator=(AgeDecryptor&&) noexcept;
  ~AgeDecryptor();

  // Errors as ParseAgeHeader, plus armor errors and "file is larger than the 1 MiB header limit".
  Status ReadHeader();
  // REQUIRES: ReadHeader() succeeded.
  const AgeHeader& header() const;

  // Tries each identity on each stanza. Errors:
  //   kAuthFailed  "wrong passphrase" / "no identity matched: the file is for 2 X25519 recipients; tried 1
  //                X25519 identity"
  //   kCorrupt     a malformed stanza for a type we hold, the header MAC ("header MAC does not verify: the
  //                file was altered"), a missing payload nonce
  //   kUnsupported an scrypt work factor above the identity's limit
  Status Unlock(std::span<const AgeIdentity* const> identities);

  // The next chunk of plaintext, already authenticated; an empty span once the final chunk has been
  // returned. The span is valid until the next call. kCorrupt: "file is truncated …", "payload chunk 3 does
  // not verify: the file was altered", "trailing data after the end of the encrypted file", an empty final
  // chunk. REQUIRES: Unlock() succeeded.
  Result<std::span<const std::uint8_t>> Next();

  // The stage that failed, after any of the calls above returned an error.
  AgeFailure failure() const { return failure_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  AgeFailure failure_ = AgeFailure::kNone;
};

// Whole-stream conveniences. On a decryption error the sink may already hold verified chunks from before
// the bad one: write to a temporary and discard it on error. `failure` (optional) receives the stage.
[[nodiscard]] Status AgeEncrypt(AgeSource& plaintext, AgeSink& out, std::span<const AgeRecipient* const> recipients,
                                AgeEncryptOptions options = {});
[[nodiscard]] Status AgeDecrypt(AgeSource& in, AgeSink& plaintext, std::span<const AgeIdentity* const> identities,
                                AgeDecryptOptions options = {}, AgeFailure* failure = nullptr);

}  // namespace casepack
