// Fuzzes everything that reads untrusted age input before any key is involved, and checks round trips:
//   1. ParseAgeHeader: if it accepts, re-encoding gives back exactly the bytes it consumed (strictness:
//      one encoding per header, so nothing is malleable);
//   2. AgeArmorDecode: if it accepts, armoring the result and decoding again gives the same bytes;
//   3. the streaming decryptor, with the CCTV test identity, end to end (armor detection, header reader,
//      STREAM): it may fail, never crash, and never returns more than a chunk at a time.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "casepack/age.h"

using namespace casepack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);

  auto header = ParseAgeHeader(in);
  if (header.ok()) {
    const std::string again = EncodeAgeHeader(*header);
    if (again.size() != header->size || std::memcmp(again.data(), data, again.size()) != 0) std::abort();
    if (header->stanzas.empty() || header->mac_input_bytes + 45 != header->size) std::abort();
  }

  auto dearmored = AgeArmorDecode(in);
  if (dearmored.ok()) {
    auto again = AgeArmorDecode(AsBytes(AgeArmorEncode(*dearmored)));
    if (!again.ok() || *again != *dearmored) std::abort();
  }

  static const X25519Identity identity =
      X25519Identity::Parse("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0").value();
  static const ScryptIdentity passphrase = ScryptIdentity::Create("password", 2).value();  // cheap on purpose
  const AgeIdentity* ids[] = {&identity, &passphrase};
  AgeMemorySource src(in);
  AgeDecryptor dec(src);
  if (dec.Unlock(ids).ok()) {
    for (;;) {
      auto chunk = dec.Next();
      if (!chunk.ok() || chunk->empty()) break;
      if (chunk->size() > kAgeChunkBytes) std::abort();
    }
  }
  return 0;
}
