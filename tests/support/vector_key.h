// The key 00 01 02 … 1f under which the sealed-operation and blob-stream vectors' successes are written
// (tests/vectors/sealed_op/ok_register_set, tests/vectors/blob_stream/ok_*): the fuzz targets open their
// seeds with it.
#pragma once

#include <cstdint>

#include "casepack/encoding.h"
#include "casepack/secret.h"

namespace casepack::testing {

inline const SecretBytes& VectorKey() {
  static const SecretBytes key = [] {
    Bytes k(32);
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
    return std::move(SecretBytes::CopyOf(k)).value();
  }();
  return key;
}

}  // namespace casepack::testing
