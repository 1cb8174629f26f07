// Interoperability with the reference `age` CLI (Debian's age 1.1.1), both directions, for X25519 keys and
// passphrases. Spawns processes, so it carries the `interop` label, not `unit`. age reads passphrases only
// from a terminal: util-linux `script` gives it one, and the passphrase is fed to that terminal on stdin.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "casepack/age.h"
#include "casepack/random.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAge = "/usr/bin/age";
constexpr const char* kAgeKeygen = "/usr/bin/age-keygen";
constexpr const char* kScript = "/usr/bin/script";

class AgeInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kAge) || !fs::exists(kAgeKeygen) || !fs::exists(kScript)) {
      GTEST_SKIP() << "age, age-keygen or script is not installed (packaging/install-deps.sh installs them)";
    }
    std::string tmpl = (fs::temp_directory_path() / "casepack-age-interop-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path Path(const std::string& name) const { return dir_ / name; }

  static int Run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  // Runs `cmd` with a terminal (for age's passphrase prompt), typing `typed` into it.
  int RunWithTerminal(const std::string& cmd, const std::string& typed) {
    WriteFile(Path("typed"), AsBytes(typed));
    return Run(std::string(kScript) + " -qec '" + cmd + "' /dev/null < " + Path("typed").string() + " > " +
               Path("script.log").string() + " 2>&1");
  }

  static void WriteFile(const fs::path& p, std::span<const std::uint8_t> b) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  static Bytes ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  static Bytes Encrypt(std::span<const std::uint8_t> plain, const AgeRecipient& r, bool armor = false) {
    AgeMemorySource src(plain);
    AgeMemorySink out;
    const AgeRecipient* rs[] = {&r};
    AgeEncryptOptions o;
    o.armor = armor;
    EXPECT_TRUE(AgeEncrypt(src, out, rs, o).ok());
    return out.bytes();
  }
  static Result<Bytes> Decrypt(std::span<const std::uint8_t> file, const AgeIdentity& id) {
    AgeMemorySource src(file);
    AgeMemorySink out;
    const AgeIdentity* ids[] = {&id};
    CP_RETURN_IF_ERROR(AgeDecrypt(src, out, ids));
    return out.bytes();
  }

  // age-keygen's identity file and the recipient printed in it.
  std::vector<X25519Identity> Keygen(std::string* recipient) {
    EXPECT_EQ(Run(std::string(kAgeKeygen) + " -o " + Path("key.txt").string() + " 2>/dev/null"), 0);
    const Bytes text = ReadFile(Path("key.txt"));
    const std::string_view t = AsText(text);
    const auto at = t.find("# public key: ");
    EXPECT_NE(at, std::string_view::npos);
    *recipient = std::string(t.substr(at + 14, t.find('\n', at) - at - 14));
    auto ids = ParseAgeIdentityFile(t);
    EXPECT_TRUE(ids.ok());
    return std::move(ids).value();
  }

  fs::path dir_;
};

TEST_F(AgeInterop, OursToAgeX25519) {
  std::string recipient_text;
  auto ids = Keygen(&recipient_text);
  auto recipient = X25519Recipient::Parse(recipient_text);
  ASSERT_TRUE(recipient.ok());
  EXPECT_EQ(recipient->ToString(), ids[0].ToRecipient().ToString());
  for (std::size_t n : {std::size_t{0}, std::size_t{1000}, 3 * kAgeChunkBytes, 20 * kAgeChunkBytes + 7}) {
    for (bool armor : {false, true}) {
      const Bytes plain = RandomBytes(n);
      WriteFile(Path("ours.age"), Encrypt(plain, *recipient, armor));
      ASSERT_EQ(Run(std::string(kAge) + " -d -i " + Path("key.txt").string() + " -o " + Path("out").string() + " " +
                    Path("ours.age").string()),
                0)
          << n << (armor ? " armored" : "");
      EXPECT_EQ(ReadFile(Path("out")), plain) << n;
    }
  }
}

TEST_F(AgeInterop, AgeToOursX25519) {
  std::string recipient;
  auto ids = Keygen(&recipient);
  for (std::size_t n : {std::size_t{0}, std::size_t{1000}, 3 * kAgeChunkBytes, 20 * kAgeChunkBytes + 7}) {
    for (bool armor : {false, true}) {
      const Bytes plain = RandomBytes(n);
      WriteFile(Path("in"), plain);
      ASSERT_EQ(Run(std::string(kAge) + (armor ? " -a" : "") + " -r " + recipient + " -o " + Path("theirs.age").string() +
                    " " + Path("in").string()),
                0);
      auto got = Decrypt(ReadFile(Path("theirs.age")), ids[0]);
      ASSERT_TRUE(got.ok()) << got.error().message;
      EXPECT_EQ(*got, plain) << n;
    }
  }
}

// Keys made by casepack work in age: our Bech32 encodings are the ones age expects.
TEST_F(AgeInterop, OurKeysInAge) {
  auto id = X25519Identity::Generate();
  ASSERT_TRUE(id.ok());
  auto secret = id->Encode();
  ASSERT_TRUE(secret.ok());
  WriteFile(Path("ours.key"), secret->expose());
  const Bytes plain = RandomBytes(5000);
  WriteFile(Path("in"), plain);
  ASSERT_EQ(Run(std::string(kAge) + " -r " + id->ToRecipient().ToString() + " -o " + Path("f.age").string() + " " +
                Path("in").string()),
            0);
  ASSERT_EQ(Run(std::string(kAge) + " -d -i " + Path("ours.key").string() + " -o " + Path("out").string() + " " +
                Path("f.age").string()),
            0);
  EXPECT_EQ(ReadFile(Path("out")), plain);
}

TEST_F(AgeInterop, OursToAgePassphrase) {
  const std::string pass = "k7m2x-9qhtw-ab3de-fgh45-jkmnp";
  auto r = ScryptRecipient::Create(pass, 10);  // small work factor: age accepts any up to 2^22
  ASSERT_TRUE(r.ok());
  const Bytes plain = RandomBytes(100000);
  WriteFile(Path("ours.age"), Encrypt(plain, *r));
  ASSERT_EQ(RunWithTerminal(std::string(kAge) + " -d -o " + Path("out").string() + " " + Path("ours.age").string(),
                            pass + "\n"),
            0)
      << AsText(ReadFile(Path("script.log")));
  EXPECT_EQ(ReadFile(Path("out")), plain);
  // And age refuses a wrong one, as we would.
  EXPECT_NE(RunWithTerminal(std::string(kAge) + " -d -o " + Path("out2").string() + " " + Path("ours.age").string(),
                            "not it\n"),
            0);
}

// age's own passphrase encryption uses work factor 2^18 (about 0.7 s here).
TEST_F(AgeInterop, AgeToOursPassphrase) {
  const std::string pass = "k7m2x-9qhtw-ab3de-fgh45-jkmnp";
  const Bytes plain = RandomBytes(100000);
  WriteFile(Path("in"), plain);
  ASSERT_EQ(RunWithTerminal(std::string(kAge) + " -p -o " + Path("theirs.age").string() + " " + Path("in").string(),
                            pass + "\n" + pass + "\n"),
            0)
      << AsText(ReadFile(Path("script.log")));
  const Bytes file = ReadFile(Path("theirs.age"));
  auto header = ParseAgeHeader(file);
  ASSERT_TRUE(header.ok());
  ASSERT_EQ(header->stanzas.size(), 1u);
  EXPECT_EQ(header->stanzas[0].args[0], "scrypt");
  EXPECT_EQ(ParseScryptWorkFactor(header->stanzas[0].args[2]).value(), kAgeScryptDefaultWorkFactor);
  auto id = ScryptIdentity::Create(pass);
  ASSERT_TRUE(id.ok());
  auto got = Decrypt(file, *id);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, plain);
  auto wrong = ScryptIdentity::Create(pass + "x");
  auto refused = Decrypt(file, *wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "wrong passphrase");
}

}  // namespace
}  // namespace casepack
