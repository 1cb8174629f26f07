// A sealed operation: one operation batch as it leaves the device (docs/sync-client.md, "Sealed
// operations"; vectors in tests/vectors/sealed_op/).
//
//   nonce (24) || XChaCha20-Poly1305(epoch key, signature (64) || operation) || tag (16)
//
// The associated data and the signed message both start with the operation's place,
// "casepack-op-v1\n" case_id "\n" op_id "\n" epoch "\n", so a valid ciphertext cannot be replayed into
// another case, under another id or as another epoch; the signature is the author device's Ed25519 over
// that place followed by the operation. The nonce is synthetic (derived from the key, place and
// plaintext, as in SIV), so sealing the same operation again gives the same bytes and a re-push is
// idempotent.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "casepack/encoding.h"
#include "casepack/identity.h"
#include "casepack/secret.h"

namespace casepack {

// REQUIRES: epoch_key.size() == kAeadKeyBytes. Deterministic; never fails.
Bytes SealOperation(const SecretBytes& epoch_key, const Identity& author, const std::string& case_id,
                    const std::string& op_id, std::int64_t epoch, std::span<const std::uint8_t> operation);

// The operation bytes, checked before any is returned. kAuthFailed if the ciphertext does not open with
// this key and place, or if it is not signed by `author_ed25519`.
[[nodiscard]] Result<Bytes> OpenOperation(const SecretBytes& epoch_key, std::span<const std::uint8_t> author_ed25519,
                                          const std::string& case_id, const std::string& op_id, std::int64_t epoch,
                                          std::span<const std::uint8_t> sealed);

// ---- Blob version 2: a sealed operation batch (docs/sync-client.md "A batch on the wire") ----
//
//   0x02 || nonce (24) || XChaCha20-Poly1305(epoch key, signature (64) || batch) || tag (16)
//
// One signature and one tag for a run of one replica's operations (an operation batch, version 1 or 2
// of docs/operation-format.md). The place is "casepack-opbatch-v2\n" case_id "\n" batch_id "\n" epoch
// "\n", where batch_id = "RRRRRRRRRRRRRRRR-FIRST-LAST" names the replica and every counter the batch
// holds; the receiver checks that the decoded operations are exactly those (sync_service.cpp). A version 1
// blob (above) has no version byte: which one a blob is follows from its id (a batch id has two dashes).
inline constexpr std::uint8_t kSealedBatchVersion = 2;

// REQUIRES: epoch_key.size() == kAeadKeyBytes. Deterministic (synthetic nonce); never fails.
Bytes SealOperationBatch(const SecretBytes& epoch_key, const Identity& author, const std::string& case_id,
                         const std::string& batch_id, std::int64_t epoch, std::span<const std::uint8_t> batch);

// The batch bytes, checked before any is returned. kAuthFailed if the version byte is not 2, the
// ciphertext does not open with this key and place, or it is not signed by `author_ed25519`.
[[nodiscard]] Result<Bytes> OpenOperationBatch(const SecretBytes& epoch_key, std::span<const std::uint8_t> author_ed25519,
                                               const std::string& case_id, const std::string& batch_id,
                                               std::int64_t epoch, std::span<const std::uint8_t> sealed);

}  // namespace casepack
