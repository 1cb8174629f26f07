// The age format end to end: round trips at chunk boundaries, armor, scrypt, and the bad inputs a person
// meets (wrong passphrase, wrong key, truncated, altered, not an age file, too-high work factor), each with
// the message they will read.
#include "casepack/age.h"

#include <gtest/gtest.h>

#include <thread>

#include <random>

#include "casepack/random.h"

namespace casepack {
namespace {

struct Keys {
  X25519Identity id = X25519Identity::Generate().value();
  X25519Recipient recipient = id.ToRecipient();
};

Bytes Encrypt(std::span<const std::uint8_t> plain, const std::vector<const AgeRecipient*>& rs, bool armor = false) {
  AgeMemorySource src(plain);
  AgeMemorySink out;
  AgeEncryptOptions o;
  o.armor = armor;
  Status s = AgeEncrypt(src, out, rs, o);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return out.bytes();
}

struct Opened {
  Status status;
  AgeFailure failure = AgeFailure::kNone;
  Bytes plain;
  std::string message() const { return status.ok() ? "" : status.error().message; }
};

Opened Decrypt(std::span<const std::uint8_t> file, const std::vector<const AgeIdentity*>& ids) {
  AgeMemorySource src(file);
  AgeMemorySink out;
  Opened o;
  o.status = AgeDecrypt(src, out, ids, {}, &o.failure);
  o.plain = out.bytes();
  return o;
}

TEST(Age, RoundTripAtChunkBoundaries) {
  Keys k;
  const std::size_t C = kAgeChunkBytes;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, C - 1, C, C + 1, 2 * C, 2 * C + 1, 5 * C + 17}) {
    Bytes plain = RandomBytes(n);
    Bytes file = Encrypt(plain, {&k.recipient});
    const std::size_t chunks = n == 0 ? 1 : (n + C - 1) / C;
    Opened o = Decrypt(file, {&k.id});
    ASSERT_TRUE(o.status.ok()) << n << ": " << o.message();
    EXPECT_EQ(o.plain, plain) << n;
    auto header = ParseAgeHeader(file);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(file.size(), header->size + kAgeNonceBytes + n + chunks * kAgeTagBytes) << n;
  }
}

// The encryptor's output must not depend on how the caller splits its writes.
TEST(Age, PiecewiseWritesAndChunkwiseReads) {
  Keys k;
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  Bytes plain = RandomBytes(20 * kAgeChunkBytes + 12345);  // crosses batches (kAgeBatchChunks)
  AgeMemorySink out;
  {
    auto enc = AgeEncryptor::Create(out, std::vector<const AgeRecipient*>{&k.recipient});
    ASSERT_TRUE(enc.ok());
    std::size_t pos = 0;
    while (pos < plain.size()) {
      const std::size_t n = std::min<std::size_t>(plain.size() - pos, rng() % (2 * kAgeChunkBytes + 1));
      ASSERT_TRUE(enc->Write(std::span<const std::uint8_t>(plain).subspan(pos, n)).ok());
      pos += n;
    }
    ASSERT_TRUE(enc->Close().ok());
  }
  AgeMemorySource src(out.bytes());
  AgeDecryptor dec(src);
  ASSERT_TRUE(dec.ReadHeader().ok());
  EXPECT_EQ(dec.header().stanzas.size(), 1u);
  EXPECT_EQ(dec.header().stanzas[0].args[0], "X25519");
  const std::vector<const AgeIdentity*> ids{&k.id};
  ASSERT_TRUE(dec.Unlock(ids).ok());
  Bytes got;
  int chunks = 0;
  for (;;) {
    auto c = dec.Next();
    ASSERT_TRUE(c.ok()) << c.error().message;
    if (c->empty()) break;
    EXPECT_LE(c->size(), kAgeChunkBytes);  // memory stays at one chunk
    got.insert(got.end(), c->begin(), c->end());
    ++chunks;
  }
  EXPECT_EQ(chunks, 21);
  EXPECT_EQ(got, plain);
}

// A source that hands out data in random small pieces, as a pipe or socket would.
class TrickleSource final : public AgeSource {
 public:
  TrickleSource(std::span<const std::uint8_t> b, unsigned seed) : b_(b), rng_(seed) {}
  Result<std::size_t> Read(std::span<std::uint8_t> out) override {
    const std::size_t n = std::min({out.size(), b_.size() - pos_, std::size_t{1} + rng_() % 100000});
    std::copy_n(b_.data() + pos_, n, out.data());
    pos_ += n;
    return n;
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
  std::mt19937 rng_;
};

// Sizes around the batch (kAgeBatchChunks) and the decryptor's growing batch boundaries (1, 3, 7, 15, 31, 63
// chunks), through WriteFrom with short reads, through Write, and back through a short-reading source.
TEST(Age, RoundTripAcrossBatchesWithShortReads) {
  Keys k;
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const std::size_t C = kAgeChunkBytes, B = kAgeBatchChunks;
  for (std::size_t n : {B * C, B * C + 1, (B + 1) * C, 31 * C, 63 * C + 5, 2 * B * C + 3}) {
    Bytes plain = RandomBytes(n);
    TrickleSource trickle(plain, seed);
    AgeMemorySink out;
    ASSERT_TRUE(AgeEncrypt(trickle, out, std::vector<const AgeRecipient*>{&k.recipient}).ok());
    TrickleSource back(out.bytes(), seed + 1);
    AgeMemorySink plain_out;
    Status s = AgeDecrypt(back, plain_out, std::vector<const AgeIdentity*>{&k.id});
    ASSERT_TRUE(s.ok()) << n << ": " << s.error().message;
    EXPECT_EQ(plain_out.bytes(), plain) << n;
    const std::size_t chunks = (n + C - 1) / C;
    EXPECT_EQ(out.bytes().size(), ParseAgeHeader(out.bytes())->size + kAgeNonceBytes + n + chunks * kAgeTagBytes);
  }
}

// Cut after k whole chunks of a 70-chunk file, at and around every batch boundary: exactly the k verified
// chunks are released, then "truncated".
TEST(Age, TruncationAtBatchBoundariesReleasesOnlyVerifiedChunks) {
  Keys k;
  const std::size_t C = kAgeChunkBytes;
  Bytes plain = RandomBytes(70 * C);
  Bytes file = Encrypt(plain, {&k.recipient});
  const std::size_t start = ParseAgeHeader(file)->size + kAgeNonceBytes;
  for (std::size_t chunks : {1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65}) {
    Opened o = Decrypt(std::span<const std::uint8_t>(file).first(start + chunks * (C + kAgeTagBytes)), {&k.id});
    EXPECT_EQ(o.message(), "file is truncated: it ends after " + std::to_string(chunks) +
                               (chunks == 1 ? " chunk" : " chunks") + " without the final chunk");
    EXPECT_EQ(o.failure, AgeFailure::kPayload);
    ASSERT_EQ(o.plain.size(), (chunks - 1) * C) << chunks;  // the last one is withheld: it is not final
    EXPECT_TRUE(std::equal(o.plain.begin(), o.plain.end(), plain.begin()));
  }
  Bytes flipped = file;
  flipped[start + 40 * (C + kAgeTagBytes) + 5] ^= 0x80;
  Opened o = Decrypt(flipped, {&k.id});
  EXPECT_EQ(o.message(), "payload chunk 41 does not verify: the file was altered or truncated");
  ASSERT_EQ(o.plain.size(), 40 * C);
  EXPECT_TRUE(std::equal(o.plain.begin(), o.plain.end(), plain.begin()));
}

// Opening a pack, the caller's thread unpacks the tar and feeds the blob store: past the first small batches
// (read inline, so a small file starts no thread) the file is read on the helper, with the verifying.
TEST(Age, ALargeFileIsReadOnTheHelperThreadPastItsFirstBatches) {
  class WhoReads final : public AgeSource {
   public:
    explicit WhoReads(std::span<const std::uint8_t> b) : b_(b) {}
    Result<std::size_t> Read(std::span<std::uint8_t> out) override {
      const std::size_t n = std::min(out.size(), b_.size() - pos_);
      std::copy_n(b_.data() + pos_, n, out.data());
      pos_ += n;
      readers.push_back(std::this_thread::get_id());
      return n;
    }
    std::vector<std::thread::id> readers;

   private:
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
  };
  Keys k;
  const Bytes plain = RandomBytes(40 * kAgeChunkBytes);
  const Bytes file = Encrypt(plain, {&k.recipient});
  WhoReads src(file);
  AgeMemorySink out;
  ASSERT_TRUE(AgeDecrypt(src, out, std::vector<const AgeIdentity*>{&k.id}).ok());
  EXPECT_TRUE(out.bytes() == plain);
  ASSERT_GT(src.readers.size(), 4u);
  EXPECT_NE(src.readers.back(), std::this_thread::get_id());
  EXPECT_EQ(src.readers.front(), std::this_thread::get_id());  // the header
}

// A disk that fills up mid-file: the error reaches the caller (from the helper thread), once, intact.
TEST(Age, SinkAndSourceErrorsPropagate) {
  class FullDisk final : public AgeSink {
   public:
    explicit FullDisk(std::size_t room) : room_(room) {}
    Status Write(std::span<const std::uint8_t> b) override {
      if (b.size() > room_) return MakeError(ErrorCode::kNoSpace, "writing output: no space left on device");
      room_ -= b.size();
      return Ok();
    }

   private:
    std::size_t room_;
  };
  class BrokenSource final : public AgeSource {
   public:
    explicit BrokenSource(std::span<const std::uint8_t> b) : b_(b) {}
    Result<std::size_t> Read(std::span<std::uint8_t> out) override {
      if (pos_ >= b_.size() / 2) return MakeError(ErrorCode::kIo, "reading input: input/output error");
      const std::size_t n = std::min(out.size(), b_.size() / 2 - pos_);
      std::copy_n(b_.data() + pos_, n, out.data());
      pos_ += n;
      return n;
    }

   private:
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
  };
  Keys k;
  Bytes plain = RandomBytes(40 * kAgeChunkBytes);
  for (std::size_t room : {std::size_t{10}, std::size_t{300}, 5 * kAgeChunkBytes, 30 * kAgeChunkBytes}) {
    AgeMemorySource src(plain);
    FullDisk disk(room);
    Status s = AgeEncrypt(src, disk, std::vector<const AgeRecipient*>{&k.recipient});
    ASSERT_FALSE(s.ok()) << room;
    EXPECT_EQ(s.error().code, ErrorCode::kNoSpace) << room;
  }
  Bytes file = Encrypt(plain, {&k.recipient});
  BrokenSource broken(file);
  AgeMemorySink out;
  AgeFailure failure = AgeFailure::kNone;
  Status s = AgeDecrypt(broken, out, std::vector<const AgeIdentity*>{&k.id}, {}, &failure);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_EQ(failure, AgeFailure::kOther);
  EXPECT_EQ(out.bytes().size() % kAgeChunkBytes, 0u);
  EXPECT_TRUE(std::equal(out.bytes().begin(), out.bytes().end(), plain.begin()));
}

TEST(Age, HeaderParsesAndReencodesToTheSameBytes) {
  Keys a, b;
  Bytes file = Encrypt(AsBytes("hello"), {&a.recipient, &b.recipient});
  auto h = ParseAgeHeader(file);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->stanzas.size(), 2u);
  EXPECT_EQ(EncodeAgeHeader(*h), std::string(AsText(std::span<const std::uint8_t>(file).first(h->size))));
  Opened o = Decrypt(file, {&b.id});
  ASSERT_TRUE(o.status.ok()) << o.message();
  EXPECT_EQ(AsText(o.plain), "hello");
}

TEST(Age, MultipleIdentitiesAndIdentityFile) {
  Keys a, b;
  auto encoded = a.id.Encode();
  ASSERT_TRUE(encoded.ok());
  const std::string file_text = "# created: 2026-11-22T10:00:00Z\r\n# public key: " + a.recipient.ToString() +
                                "\r\n\r\n" + std::string(AsText(encoded->expose())) + "\r\n";
  auto ids = ParseAgeIdentityFile(file_text);
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  ASSERT_EQ(ids->size(), 1u);
  Bytes file = Encrypt(AsBytes("x"), {&a.recipient});
  EXPECT_TRUE(Decrypt(file, {&b.id, &(*ids)[0]}).status.ok());

  auto bad = ParseAgeIdentityFile("# comment\n\nAGE-SECRET-KEY-1XYZ\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("identity file line 3"), std::string::npos) << bad.error().message;
  EXPECT_EQ(ParseAgeIdentityFile("# only a comment\n").error().code, ErrorCode::kNotFound);
}

TEST(Age, ArmorRoundTripAndAutoDetection) {
  Keys k;
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{47}, std::size_t{48}, std::size_t{100000}}) {
    Bytes plain = RandomBytes(n);
    Bytes file = Encrypt(plain, {&k.recipient}, /*armor=*/true);
    const std::string_view text = AsText(file);
    EXPECT_EQ(text.substr(0, 35), "-----BEGIN AGE ENCRYPTED FILE-----\n");
    EXPECT_EQ(text.substr(text.size() - 33), "-----END AGE ENCRYPTED FILE-----\n");
    Opened o = Decrypt(file, {&k.id});
    ASSERT_TRUE(o.status.ok()) << n << ": " << o.message();
    EXPECT_EQ(o.plain, plain);
    auto raw = AgeArmorDecode(file);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(AgeArmorEncode(*raw), text);
  }
}

TEST(Age, ArmorEditedByAnEmailProgramIsRefused) {
  Keys k;
  Bytes file = Encrypt(RandomBytes(200), {&k.recipient}, true);
  std::string text(AsText(file));
  std::string rewrapped = text;
  rewrapped.insert(text.find('\n', 40) - 10, "\n");  // a line broken in two
  Opened o = Decrypt(AsBytes(rewrapped), {&k.id});
  EXPECT_EQ(o.failure, AgeFailure::kArmor);
  EXPECT_EQ(o.message().rfind("armor: ", 0), 0u) << o.message();
  Opened quoted = Decrypt(AsBytes("> " + text), {&k.id});
  EXPECT_FALSE(quoted.status.ok());
}

TEST(Age, PassphraseRoundTripAndWrongPassphrase) {
  auto r = ScryptRecipient::Create("correct horse", 10);
  ASSERT_TRUE(r.ok());
  Bytes file = Encrypt(AsBytes("pack"), {&*r});
  auto h = ParseAgeHeader(file);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->stanzas.size(), 1u);
  EXPECT_EQ(h->stanzas[0].args[0], "scrypt");
  EXPECT_EQ(ParseScryptWorkFactor(h->stanzas[0].args[2]).value(), 10);

  auto good = ScryptIdentity::Create("correct horse");
  Opened o = Decrypt(file, {&*good});
  ASSERT_TRUE(o.status.ok()) << o.message();
  EXPECT_EQ(AsText(o.plain), "pack");

  auto wrong = ScryptIdentity::Create("correct hose");
  Opened w = Decrypt(file, {&*wrong});
  EXPECT_EQ(w.failure, AgeFailure::kNoMatch);
  EXPECT_EQ(w.status.error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(w.message(), "wrong passphrase");

  Keys k;
  Opened key_for_passphrase = Decrypt(file, {&k.id});
  EXPECT_EQ(key_for_passphrase.message(), "no identity matched: the file is for a passphrase; tried 1 X25519 identity");
}

TEST(Age, WorkFactorAboveTheLimitIsRefusedBeforeAnyWork) {
  auto r = ScryptRecipient::Create("pw", 12);
  Bytes file = Encrypt(AsBytes("x"), {&*r});
  auto id = ScryptIdentity::Create("pw", 10);
  Opened o = Decrypt(file, {&*id});
  EXPECT_EQ(o.failure, AgeFailure::kHeader);
  EXPECT_EQ(o.status.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(o.message().find("work factor 2^12 is above the limit 2^10"), std::string::npos) << o.message();
  EXPECT_FALSE(ScryptRecipient::Create("pw", 23).ok());
  EXPECT_FALSE(ScryptIdentity::Create("pw", 23).ok());
}

TEST(Age, PassphraseCannotBeMixedWithKeys) {
  Keys k;
  auto r = ScryptRecipient::Create("pw", 10);
  AgeMemorySink out;
  auto enc = AgeEncryptor::Create(out, std::vector<const AgeRecipient*>{&*r, &k.recipient});
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.error().code, ErrorCode::kInvalidArgument);
}

TEST(Age, NoMatchSaysWhatWasTried) {
  Keys a, b, c;
  Bytes file = Encrypt(AsBytes("x"), {&a.recipient, &b.recipient});
  Opened o = Decrypt(file, {&c.id});
  EXPECT_EQ(o.failure, AgeFailure::kNoMatch);
  EXPECT_EQ(o.message(), "no identity matched: the file is for 2 X25519 recipients; tried 1 X25519 identity");
  auto p = ScryptIdentity::Create("pw");
  EXPECT_EQ(Decrypt(file, {&c.id, &*p}).message(),
            "no identity matched: the file is for 2 X25519 recipients; tried 1 X25519 identity and a passphrase");
}

TEST(Age, NotAnAgeFileSaysWhatItLooksLike) {
  Keys k;
  struct Case {
    std::string bytes, says;
  };
  const std::vector<Case> cases = {
      {std::string("PK\x03\x04\x14\x00\x00\x00", 8) + "zipzipzip", "not an age file: it looks like a ZIP archive"},
      {"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not an age file: it looks like a PDF document"},
      {std::string("\x1f\x8b\x08\x00", 4), "not an age file: it looks like a gzip-compressed file"},
      {"Dear agency, please find", "not an age file: it looks like plain text"},
      {"", "not an age file: the file is empty"},
      {"-----BEGIN PGP MESSAGE-----\n", "not an age file: it looks like an OpenPGP (gpg) file, not age"},
  };
  for (const Case& c : cases) {
    Opened o = Decrypt(AsBytes(c.bytes), {&k.id});
    EXPECT_EQ(o.failure, AgeFailure::kHeader);
    EXPECT_EQ(o.message().substr(0, c.says.size()), c.says);
  }
  std::string tar(1024, '\0');
  tar.replace(0, 9, "pack/a.txt");
  tar.replace(257, 5, "ustar");
  EXPECT_EQ(Decrypt(AsBytes(tar), {&k.id}).message(), "not an age file: it looks like a tar archive (not encrypted)");
  EXPECT_EQ(Decrypt(AsBytes("age-encryption.org/v2\n-> X 1\n\n--- x\n"), {&k.id}).status.error().code,
            ErrorCode::kUnsupported);
}

// Every truncation of a two-chunk file fails, and says "truncated" (or, inside the header, what is missing).
TEST(Age, EveryTruncationFails) {
  Keys k;
  Bytes plain = RandomBytes(kAgeChunkBytes + 100);
  Bytes file = Encrypt(plain, {&k.recipient});
  const std::size_t header = ParseAgeHeader(file)->size;
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < header + 40; ++i) cuts.push_back(i);
  for (std::size_t i = file.size() - 200; i < file.size(); ++i) cuts.push_back(i);
  for (std::size_t i = header + kAgeNonceBytes + kAgeChunkBytes - 20; i < header + kAgeNonceBytes + kAgeChunkBytes + 40; ++i)
    cuts.push_back(i);
  for (std::size_t cut : cuts) {
    Opened o = Decrypt(std::span<const std::uint8_t>(file).first(cut), {&k.id});
    ASSERT_FALSE(o.status.ok()) << "cut at " << cut;
    if (cut >= header + kAgeNonceBytes + kAgeChunkBytes + kAgeTagBytes) {
      EXPECT_EQ(o.failure, AgeFailure::kPayload);
      EXPECT_NE(o.message().find("truncated"), std::string::npos) << cut << ": " << o.message();
    }
    if (cut > 22 && cut < header) {
      EXPECT_NE(o.message().find("truncated"), std::string::npos) << cut;
    }
  }
  Opened whole_chunk = Decrypt(std::span<const std::uint8_t>(file).first(header + kAgeNonceBytes + kAgeChunkBytes + 16),
                               {&k.id});
  EXPECT_EQ(whole_chunk.message(), "file is truncated: it ends after 1 chunk without the final chunk");
}

// Every single flipped bit, in header and payload, is detected; the stage is the one that holds the bit.
TEST(Age, EveryFlippedBitIsDetected) {
  Keys k;
  Bytes file = Encrypt(RandomBytes(64), {&k.recipient});
  const std::size_t header = ParseAgeHeader(file)->size;
  for (std::size_t i = 0; i < file.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = file;
      bad[i] ^= static_cast<std::uint8_t>(1 << bit);
      Opened o = Decrypt(bad, {&k.id});
      ASSERT_FALSE(o.status.ok()) << "byte " << i << " bit " << bit;
      EXPECT_TRUE(o.plain.empty());
      if (i >= header) {
        EXPECT_EQ(o.failure, AgeFailure::kPayload) << i;
      } else {
        EXPECT_NE(o.failure, AgeFailure::kPayload) << i;
      }
    }
  }
  // A flipped bit in the MAC itself, or in an unknown stanza's body, shows as an altered header.
  Bytes mac_flip = file;
  mac_flip[header - 10] ^= 0x01;  // inside the base64 MAC
  Opened o = Decrypt(mac_flip, {&k.id});
  EXPECT_TRUE(o.failure == AgeFailure::kHeaderMac || o.failure == AgeFailure::kHeader);
}

TEST(Age, AlteredHeaderMacMessage) {
  Keys k;
  Bytes file = Encrypt(AsBytes("x"), {&k.recipient});
  auto h = ParseAgeHeader(file);
  AgeHeader altered = *h;
  altered.stanzas.push_back(AgeStanza{{"grease", "x"}, {}});  // an extra stanza the MAC does not cover
  std::string text = EncodeAgeHeader(altered);
  Bytes bad(text.begin(), text.end());
  bad.insert(bad.end(), file.begin() + static_cast<std::ptrdiff_t>(h->size), file.end());
  Opened o = Decrypt(bad, {&k.id});
  EXPECT_EQ(o.failure, AgeFailure::kHeaderMac);
  EXPECT_EQ(o.message(), "header MAC does not verify: the file was altered");
}

TEST(Age, TrailingDataAndSwappedChunksAreRefused) {
  Keys k;
  Bytes file = Encrypt(RandomBytes(100), {&k.recipient});
  Bytes longer = file;
  longer.push_back(0);
  EXPECT_EQ(Decrypt(longer, {&k.id}).failure, AgeFailure::kPayload);

  Bytes two = Encrypt(RandomBytes(3 * kAgeChunkBytes), {&k.recipient});
  const std::size_t start = ParseAgeHeader(two)->size + kAgeNonceBytes, enc = kAgeChunkBytes + kAgeTagBytes;
  Bytes swapped = two;
  std::swap_ranges(swapped.begin() + static_cast<std::ptrdiff_t>(start),
                   swapped.begin() + static_cast<std::ptrdiff_t>(start + enc),
                   swapped.begin() + static_cast<std::ptrdiff_t>(start + enc));
  Opened o = Decrypt(swapped, {&k.id});
  EXPECT_EQ(o.failure, AgeFailure::kPayload);
  EXPECT_EQ(o.message(), "payload chunk 1 does not verify: the file was altered or truncated");
  // Dropping the last chunk of three: the second (full) chunk is not marked final.
  Opened dropped = Decrypt(std::span<const std::uint8_t>(two).first(start + 2 * enc), {&k.id});
  EXPECT_EQ(dropped.message(), "file is truncated: it ends after 2 chunks without the final chunk");
}

}  // namespace
}  // namespace casepack
