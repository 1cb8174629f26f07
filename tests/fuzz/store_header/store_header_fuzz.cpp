// Fuzzes the store header parser: it must never crash, and anything it accepts must re-serialise to the
// very same bytes (the format is canonical, so no two encodings mean the same header).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "casepack/store.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto header = casepack::StoreHeader::Parse(text);
  if (header.ok() && header->Serialize() != text) std::abort();
  return 0;
}
