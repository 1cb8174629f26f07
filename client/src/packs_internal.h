// Internal to the client library and its tests/fuzz targets: not part of the public API.
#pragma once

#include "casepack/packs.h"

namespace casepack::internal {

// The import half of PackService::Open, from the pack's plaintext tar stream (what the age layer yields
// after decryption), with every check Open makes and the same all-or-nothing rule. It exists so that the
// fuzz target (tests/fuzz/packs) reaches the tar and manifest checks without having to defeat the AEAD.
[[nodiscard]] Result<PackImportResult> ImportPackTar(CaseService& cases, AgeSource& plaintext);

}  // namespace casepack::internal
