// Fuzzes the transfer-pack import past the encryption: arbitrary bytes as the decrypted tar stream of a
// pack (internal::ImportPackTar, the same code PackService::Open runs after age has verified each chunk),
// into a throwaway store made once per process with the insecure test KDF. It must never crash, and it
// must keep the all-or-nothing promise: a refused input leaves no blob behind, and an accepted one adds
// exactly one blob per document imported. Seeds: corpus/ (made by make_corpus.cpp's rules, see docs/packs.md).
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "casepack/cases.h"
#include "casepack/packs.h"
#include "casepack/store.h"
#include "packs_internal.h"

namespace {

namespace fs = std::filesystem;

struct Scratch {
  fs::path dir;
  std::unique_ptr<casepack::Store> store;
  std::unique_ptr<casepack::CaseService> cases;

  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "casepack-pack-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    auto s = casepack::Store::Create(dir / "store", "fuzzing passphrase, not a secret", casepack::KdfParams::CheapForTests());
    if (!s.ok()) {
      std::fprintf(stderr, "cannot create the scratch store: %s\n", s.error().message.c_str());
      std::abort();
    }
    store = std::move(s).value();
    // A small document limit keeps each input's work bounded whatever sizes a manifest declares.
    cases = std::make_unique<casepack::CaseService>(*store, 4 * 1024 * 1024);
  }
  ~Scratch() {
    cases.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::size_t Blobs() const {
    std::error_code ec;
    std::size_t n = 0;
    for (fs::directory_iterator it(store->paths().dir / "blobs", ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Scratch scratch;
  const std::size_t before = scratch.Blobs();
  casepack::AgeMemorySource source({data, size});
  auto result = casepack::internal::ImportPackTar(*scratch.cases, source);
  const std::size_t after = scratch.Blobs();
  if (!result.ok()) {
    if (after != before) {
      std::fprintf(stderr, "a refused pack left %zu blob(s) behind: %s\n", after - before, result.error().message.c_str());
      std::abort();
    }
    return 0;
  }
  const std::size_t imported = result->contents.documents.size() - result->skipped.size();
  if (after != before + imported) {
    std::fprintf(stderr, "an import of %zu document(s) changed the blob count by %zd\n", imported,
                 static_cast<std::ptrdiff_t>(after) - static_cast<std::ptrdiff_t>(before));
    std::abort();
  }
  return 0;
}
