// Fuzzes opening a sealed operation (docs/sync-client.md, "Sealed operations") under the key, place and
// author of tests/vectors/sealed_op/ok_register_set. Properties: opening never crashes; what opens seals
// back to exactly the input (the format is deterministic, so there is one sealed form per operation); and
// the input taken as an operation seals and opens back to itself. The same for blob version 2 (a sealed
// batch, docs/sync-client.md "A batch on the wire") under kBatch.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "casepack/encoding.h"
#include "casepack/identity.h"
#include "casepack/sealed_operation.h"
#include "support/vector_key.h"

namespace {

using casepack::Bytes;

const casepack::SecretBytes& Key() { return casepack::testing::VectorKey(); }

const casepack::Identity& Author() {
  static const casepack::Identity author = [] {
    Bytes seed_and_public = std::move(casepack::HexDecode(
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
        "cd14b37f956e953194ff7fb73b3d81dcc561d61a7538094b7c3e1a643ee5f3aa")).value();
    auto sk = casepack::SecretBytes::CopyOf(seed_and_public);
    auto x = casepack::SecretBytes::CopyOf(Bytes(32, 0x42));
    return std::move(casepack::Identity::FromSecrets(std::move(x).value(), std::move(sk).value())).value();
  }();
  return author;
}

constexpr const char* kCase = "0123456789abcdef0123456789abcdef";
constexpr const char* kOp = "1111111111111111-7";
constexpr const char* kBatch = "1111111111111111-1-11";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  const auto& author = Author();
  auto opened = casepack::OpenOperation(Key(), author.public_keys().ed25519, kCase, kOp, 1, in);
  if (opened.ok()) {
    const Bytes again = casepack::SealOperation(Key(), author, kCase, kOp, 1, *opened);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  const Bytes sealed = casepack::SealOperation(Key(), author, kCase, kOp, 1, in);
  auto back = casepack::OpenOperation(Key(), author.public_keys().ed25519, kCase, kOp, 1, sealed);
  if (!back.ok() || back->size() != size || !std::equal(back->begin(), back->end(), data)) std::abort();
  auto batch = casepack::OpenOperationBatch(Key(), author.public_keys().ed25519, kCase, kBatch, 1, in);
  if (batch.ok()) {
    const Bytes again = casepack::SealOperationBatch(Key(), author, kCase, kBatch, 1, *batch);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  const Bytes sealed_batch = casepack::SealOperationBatch(Key(), author, kCase, kBatch, 1, in);
  auto batch_back = casepack::OpenOperationBatch(Key(), author.public_keys().ed25519, kCase, kBatch, 1, sealed_batch);
  if (!batch_back.ok() || batch_back->size() != size || !std::equal(batch_back->begin(), batch_back->end(), data))
    std::abort();
  return 0;
}
