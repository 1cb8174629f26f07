#include "casepack/kdf.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace casepack {
namespace {

// Vectors made with the Argon2 reference implementation (tests/vectors/kdf/argon2id.tsv says how).
TEST(Kdf, MatchesReferenceArgon2idVectors) {
  std::ifstream in(std::string(CASEPACK_VECTORS_DIR) + "/kdf/argon2id.tsv");
  ASSERT_TRUE(in) << "missing tests/vectors/kdf/argon2id.tsv";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string pass, salt, ops, mem_kib, expected;
    std::getline(fields, pass, '\t');
    std::getline(fields, salt, '\t');
    std::getline(fields, ops, '\t');
    std::getline(fields, mem_kib, '\t');
    std::getline(fields, expected, '\t');
    KdfParams p{std::stoull(ops), std::stoull(mem_kib) * 1024, Bytes(salt.begin(), salt.end())};
    auto key = DeriveKey(pass, p);
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(HexEncode(key->expose()), expected) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(Kdf, DifferentPassphraseDifferentKey) {
  KdfParams p = KdfParams::CheapForTests();
  auto a = DeriveKey("one passphrase here", p);
  auto b = DeriveKey("two passphrase here", p);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->Equals(*b));
  auto a2 = DeriveKey("one passphrase here", p);
  EXPECT_TRUE(a->Equals(*a2));
}

TEST(Kdf, DefaultIsAtLeast64MiB) {
  KdfParams d = KdfParams::Default();
  EXPECT_GE(d.mem_limit, 64ULL << 20);
  EXPECT_EQ(d.salt.size(), KdfParams::kSaltBytes);
  EXPECT_TRUE(d.Validate().ok());
  EXPECT_NE(HexEncode(d.salt), HexEncode(KdfParams::Default().salt)) << "salts must be random";
}

TEST(Kdf, RejectsHostileParameters) {
  KdfParams p = KdfParams::CheapForTests();
  p.mem_limit = 1ULL << 40;
  EXPECT_EQ(DeriveKey("x", p).error().code, ErrorCode::kCorrupt);
  p = KdfParams::CheapForTests();
  p.ops_limit = 0;
  EXPECT_FALSE(p.Validate().ok());
  p = KdfParams::CheapForTests();
  p.salt.resize(3);
  EXPECT_FALSE(p.Validate().ok());
}

}  // namespace
}  // namespace casepack
