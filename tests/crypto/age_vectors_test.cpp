// The Community Cryptography Test Vectors for age (C2SP/CCTV age/testdata, copied to ../shared/data/age-vectors):
// one scenario per file, a text header, an empty line, then the age file (zlib-compressed when the header
// says `compressed: zlib`). Every vector except the post-quantum (hybrid/ML-KEM) ones must give its expected
// result; those are skipped and counted.
#include <zlib.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>

#include "casepack/age.h"
#include "casepack/hash.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;

struct Vector {
  std::string name;
  std::map<std::string, std::string> fields;
  std::vector<std::string> identities;
  std::vector<std::string> passphrases;
  Bytes file;
};

Bytes ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// zlib stream (RFC 1950) as the CCTV generator writes it (Go compress/zlib).
Bytes Inflate(const Bytes& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit(&zs), Z_OK);
  Bytes out;
  std::array<std::uint8_t, 65536> buf{};
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf.data();
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << "zlib error " << rc;
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.insert(out.end(), buf.data(), buf.data() + (buf.size() - zs.avail_out));
  }
  inflateEnd(&zs);
  return out;
}

Vector Load(const fs::path& p) {
  Vector v;
  v.name = p.filename().string();
  Bytes raw = ReadAll(p);
  std::size_t pos = 0;
  for (;;) {
    auto nl = std::find(raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.end(), '\n');
    std::string line(raw.begin() + static_cast<std::ptrdiff_t>(pos), nl);
    pos = static_cast<std::size_t>(nl - raw.begin()) + 1;
    if (line.empty()) break;
    const auto colon = line.find(": ");
    const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "identity") v.identities.push_back(value);
    else if (key == "passphrase") v.passphrases.push_back(value);
    else v.fields[key] = value;
  }
  v.file.assign(raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.end());
  if (v.fields["compressed"] == "zlib") v.file = Inflate(v.file);
  return v;
}

bool IsPostQuantum(const Vector& v) {
  if (v.name.find("hybrid") != std::string::npos || v.name.find("mlkem") != std::string::npos) return true;
  for (const auto& id : v.identities)
    if (id.rfind("AGE-SECRET-KEY-PQ-", 0) == 0) return true;
  return false;
}

AgeFailure ExpectedFailure(const std::string& expect) {
  if (expect == "success") return AgeFailure::kNone;
  if (expect == "no match") return AgeFailure::kNoMatch;
  if (expect == "HMAC failure") return AgeFailure::kHeaderMac;
  if (expect == "header failure") return AgeFailure::kHeader;
  if (expect == "payload failure") return AgeFailure::kPayload;
  if (expect == "armor failure") return AgeFailure::kArmor;
  ADD_FAILURE() << "unknown expectation " << expect;
  return AgeFailure::kOther;
}

std::string Sha256Hex(const Bytes& b) { return HexEncode(Sha256(b)); }

TEST(AgeVectors, AllNonPostQuantumVectorsGiveTheExpectedResult) {
  const fs::path dir = fs::path(CASEPACK_SHARED_DIR) / "data" / "age-vectors";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no shared data at " << dir << " (../shared is absent)";
  InitCrypto();
  int passed = 0, skipped = 0, total = 0, stricter = 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    ++total;
    Vector v = Load(path);
    SCOPED_TRACE(v.name);
    if (IsPostQuantum(v)) {
      ++skipped;
      continue;
    }
    std::vector<std::unique_ptr<AgeIdentity>> owned;
    for (const auto& text : v.identities) {
      auto id = X25519Identity::Parse(text);
      ASSERT_TRUE(id.ok()) << id.error().message;
      owned.push_back(std::make_unique<X25519Identity>(std::move(id).value()));
    }
    for (const auto& pass : v.passphrases) {
      auto id = ScryptIdentity::Create(pass);
      ASSERT_TRUE(id.ok());
      owned.push_back(std::make_unique<ScryptIdentity>(std::move(id).value()));
    }
    std::vector<const AgeIdentity*> ids;
    for (const auto& o : owned) ids.push_back(o.get());

    AgeMemorySource src(v.file);
    AgeMemorySink out;
    AgeDecryptOptions options;
    options.armor = v.fields["armored"] == "yes" ? AgeArmor::kArmored : AgeArmor::kBinary;
    AgeFailure failure = AgeFailure::kOther;
    Status s = AgeDecrypt(src, out, ids, options, &failure);
    const AgeFailure expected = ExpectedFailure(v.fields["expect"]);
    bool ok = true;
    if (expected == AgeFailure::kNone) {
      EXPECT_TRUE(s.ok()) << "unexpected error: " << (s.ok() ? "" : s.error().message);
      ok = s.ok();
    } else {
      EXPECT_FALSE(s.ok()) << "expected " << v.fields["expect"];
      EXPECT_EQ(ToString(failure), ToString(expected)) << (s.ok() ? "" : s.error().message);
      ok = !s.ok() && failure == expected;
    }
    if (v.fields.count("payload")) {
      if (expected == AgeFailure::kNone) {
        EXPECT_EQ(Sha256Hex(out.bytes()), v.fields["payload"]);
        ok = ok && Sha256Hex(out.bytes()) == v.fields["payload"];
      } else if (Sha256Hex(out.bytes()) != v.fields["payload"]) {
        // For payload failures the vector records what the Go implementation released before the error. We
        // are stricter (docs/age.md): a chunk whose position is wrong (a non-final chunk at the end of the
        // file, a final chunk followed by more data) is withheld too, so we release fewer whole chunks.
        EXPECT_EQ(out.bytes().size() % kAgeChunkBytes, 0u) << "released a partial chunk";
        ++stricter;
      }
    }
    if (ok) ++passed;
  }
  std::printf("age vectors: %d files, %d passed, %d skipped (post-quantum), %d failed; %d payload failures "
              "released fewer chunks than Go's age before the error\n",
              total, passed, skipped, total - passed - skipped, stricter);
  EXPECT_GT(passed, 100);
}

}  // namespace
}  // namespace casepack
