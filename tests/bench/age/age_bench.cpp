// A minimal age seal/open command for tests/bench/age/run.sh, which times it beside the `age` CLI on the
// same file, plus libsodium's raw ChaCha20-Poly1305 speed (the ceiling for any STREAM implementation).
//   age_bench seal RECIPIENT IN OUT      encrypt IN to an age1… recipient
//   age_bench open IDENTITY_FILE IN OUT  decrypt with an identity file
//   age_bench raw MEGABYTES              in-memory crypto_aead_chacha20poly1305_ietf over 64 KiB chunks
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "casepack/age.h"

using namespace casepack;

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "age_bench: error: %s\n", what.c_str());
  return 1;
}

int Raw(std::size_t megabytes) {
  const std::size_t n = megabytes * 1000 * 1000;
  std::vector<std::uint8_t> buf(n);
  randombytes_buf(buf.data(), n);
  std::uint8_t key[32], nonce[12] = {}, tag[16];
  randombytes_buf(key, sizeof key);
  std::vector<double> secs;
  for (int run = 0; run < 5; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t off = 0; off < n; off += kAgeChunkBytes) {
      const std::size_t len = std::min(kAgeChunkBytes, n - off);
      nonce[0] = static_cast<std::uint8_t>(off >> 16);
      crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf.data() + off, tag, nullptr, buf.data() + off, len,
                                                         nullptr, 0, nullptr, nonce, key);
    }
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(secs.begin(), secs.end());
  std::printf("%.4f\n", secs[secs.size() / 2]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  InitCrypto();
  if (argc == 3 && std::strcmp(argv[1], "raw") == 0) return Raw(std::stoul(argv[2]));
  if (argc != 5) return Fail("usage: age_bench seal RECIPIENT IN OUT | open IDENTITY_FILE IN OUT | raw MB");
  const std::string mode = argv[1];
  const int in = ::open(argv[3], O_RDONLY | O_CLOEXEC);
  if (in < 0) return Fail(std::string("cannot open ") + argv[3]);
  posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
  const int out = ::open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) return Fail(std::string("cannot create ") + argv[4]);
  AgeFdSource src(in);
  AgeFdSink sink(out);
  Status s;
  if (mode == "seal") {
    auto r = X25519Recipient::Parse(argv[2]);
    if (!r.ok()) return Fail(r.error().message);
    const AgeRecipient* rs[] = {&*r};
    s = AgeEncrypt(src, sink, rs);
  } else if (mode == "open") {
    std::ifstream f(argv[2]);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto ids = ParseAgeIdentityFile(text);
    if (!ids.ok()) return Fail(ids.error().message);
    std::vector<const AgeIdentity*> ptrs;
    for (const auto& id : *ids) ptrs.push_back(&id);
    s = AgeDecrypt(src, sink, ptrs);
  } else {
    return Fail("unknown mode " + mode);
  }
  if (!s.ok()) return Fail(s.error().message);
  if (::close(out) != 0) return Fail("closing output");
  ::close(in);
  return 0;
}
