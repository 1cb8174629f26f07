#include "casepack/sealed_operation.h"

#include <sodium.h>

#include <cstdlib>

#include "casepack/aead.h"

namespace casepack {

namespace {

constexpr std::string_view kOpContext = "casepack-op-v1";
constexpr std::string_view kNonceLabel = "casepack-op-nonce-v1";
constexpr std::string_view kBatchContext = "casepack-opbatch-v2";
constexpr std::string_view kBatchNonceLabel = "casepack-opbatch-nonce-v2";

std::string OperationContext(const std::string& case_id, const std::string& op_id, std::int64_t epoch,
                             std::string_view label = kOpContext) {
  return std::string(label) + "\n" + case_id + "\n" + op_id + "\n" + std::to_string(epoch) + "\n";
}

// signature || payload sealed under `context` with a synthetic nonce, written at out[offset…].
void SealSigned(const SecretBytes& epoch_key, const Identity& author, const std::string& context,
                std::string_view nonce_label, std::span<const std::uint8_t> payload, Bytes& sealed, std::size_t offset) {
  Bytes signed_message(context.begin(), context.end());
  signed_message.insert(signed_message.end(), payload.begin(), payload.end());
  const auto signature = author.Sign(signed_message);
  Bytes plain(signature.begin(), signature.end());
  plain.insert(plain.end(), payload.begin(), payload.end());
  sealed.resize(offset + kAeadNonceBytes + plain.size() + kAeadTagBytes);
  std::uint8_t* nonce = sealed.data() + offset;
  {
    std::uint8_t subkey[crypto_generichash_KEYBYTES];
    crypto_generichash(subkey, sizeof subkey, reinterpret_cast<const std::uint8_t*>(nonce_label.data()),
                       nonce_label.size(), epoch_key.expose().data(), epoch_key.size());
    crypto_generichash_state st;
    crypto_generichash_init(&st, subkey, sizeof subkey, kAeadNonceBytes);
    crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(context.data()), context.size());
    crypto_generichash_update(&st, plain.data(), plain.size());
    crypto_generichash_final(&st, nonce, kAeadNonceBytes);
    sodium_memzero(subkey, sizeof subkey);
    sodium_memzero(&st, sizeof st);
  }
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kAeadNonceBytes, &written, plain.data(), plain.size(),
                                             reinterpret_cast<const std::uint8_t*>(context.data()), context.size(),
                                             nullptr, nonce, epoch_key.expose().data());
  Wipe(plain);
  Wipe(signed_message);
}

// The payload after the signature, once the tag and the signature check; `what` names it in errors.
Result<Bytes> OpenSigned(const SecretBytes& epoch_key, std::span<const std::uint8_t> author_ed25519,
                         const std::string& context, const std::string& what, std::span<const std::uint8_t> sealed) {
  auto plain = AeadOpen(epoch_key, sealed, AsBytes(context));
  if (!plain.ok()) return MakeError(ErrorCode::kAuthFailed, what + " does not decrypt: it was altered");
  if (plain->size() < kSignatureBytes) return MakeError(ErrorCode::kAuthFailed, what + " is not signed");
  Bytes payload(plain->begin() + kSignatureBytes, plain->end());
  Bytes signed_message(context.begin(), context.end());
  signed_message.insert(signed_message.end(), payload.begin(), payload.end());
  const bool ok = VerifySignature(author_ed25519, signed_message,
                                  std::span<const std::uint8_t>(plain->data(), kSignatureBytes));
  Wipe(*plain);
  Wipe(signed_message);
  if (!ok) {
    Wipe(payload);
    return MakeError(ErrorCode::kAuthFailed, what + " is not signed by the device that pushed it");
  }
  return payload;
}

}  // namespace

Bytes SealOperation(const SecretBytes& epoch_key, const Identity& author, const std::string& case_id,
                    const std::string& op_id, std::int64_t epoch, std::span<const std::uint8_t> operation) {
  if (epoch_key.size() != kAeadKeyBytes) std::abort();
  InitCrypto();
  // The nonce is derived, not random (a synthetic nonce, as in SIV): sealing the same operation again
  // gives the same bytes (Ed25519 is deterministic too). The server refuses an op id it holds with other
  // bytes, and a batch it stored whose acknowledgement never reached the store (reply lost, client
  // killed, store restored) is pushed again. Equal nonces only ever come with equal (context, plaintext).
  //   subkey = BLAKE2b-256(key = epoch key, message = "casepack-op-nonce-v1")
  //   nonce  = BLAKE2b-192(key = subkey, message = context || signature || operation)
  Bytes sealed;
  SealSigned(epoch_key, author, OperationContext(case_id, op_id, epoch), kNonceLabel, operation, sealed, 0);
  return sealed;
}

Result<Bytes> OpenOperation(const SecretBytes& epoch_key, std::span<const std::uint8_t> author_ed25519,
                            const std::string& case_id, const std::string& op_id, std::int64_t epoch,
                            std::span<const std::uint8_t> sealed) {
  return OpenSigned(epoch_key, author_ed25519, OperationContext(case_id, op_id, epoch), "operation " + op_id, sealed);
}

Bytes SealOperationBatch(const SecretBytes& epoch_key, const Identity& author, const std::string& case_id,
                         const std::string& batch_id, std::int64_t epoch, std::span<const std::uint8_t> batch) {
  if (epoch_key.size() != kAeadKeyBytes) std::abort();
  InitCrypto();
  // As SealOperation, under its own context and nonce label (a version 1 blob never opens as a batch).
  Bytes sealed{kSealedBatchVersion};
  SealSigned(epoch_key, author, OperationContext(case_id, batch_id, epoch, kBatchContext), kBatchNonceLabel, batch,
             sealed, 1);
  return sealed;
}

Result<Bytes> OpenOperationBatch(const SecretBytes& epoch_key, std::span<const std::uint8_t> author_ed25519,
                                 const std::string& case_id, const std::string& batch_id, std::int64_t epoch,
                                 std::span<const std::uint8_t> sealed) {
  const std::string what = "operation batch " + batch_id;
  if (sealed.empty() || sealed[0] != kSealedBatchVersion)
    return MakeError(ErrorCode::kAuthFailed, what + " does not decrypt: it is not a version 2 sealed batch");
  return OpenSigned(epoch_key, author_ed25519, OperationContext(case_id, batch_id, epoch, kBatchContext), what,
                    sealed.subspan(1));
}

}  // namespace casepack
