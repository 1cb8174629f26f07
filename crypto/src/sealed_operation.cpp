#include "casepack/sealed_operation.h"

#include <sodium.h>

#include <cstdlib>

#include "casepack/aead.h"

namespace casepack {

namespace {

constexpr std::string_view kOpContext = "casepack-op-v1";
constexpr std::string_view kNonceLabel = "casepack-op-nonce-v1";

std::string OperationContext(const std::string& case_id, const std::string& op_id, std::int64_t epoch) {
  return std::string(kOpContext) + "\n" + case_id + "\n" + op_id + "\n" + std::to_string(epoch) + "\n";
}

}  // namespace

Bytes SealOperation(const SecretBytes& epoch_key, const Identity& author, const std::string& case_id,
                    const std::string& op_id, std::int64_t epoch, std::span<const std::uint8_t> operation) {
  if (epoch_key.size() != kAeadKeyBytes) std::abort();
  InitCrypto();
  const std::string context = OperationContext(case_id, op_id, epoch);
  Bytes signed_message(context.begin(), context.end());
  signed_message.insert(signed_message.end(), operation.begin(), operation.end());
  const auto signature = author.Sign(signed_message);
  Bytes plain(signature.begin(), signature.end());
  plain.insert(plain.end(), operation.begin(), operation.end());
  // The nonce is derived, not random (a synthetic nonce, as in SIV): sealing the same operation again
  // gives the same bytes (Ed25519 is deterministic too). The server refuses an op id it holds with other
  // bytes, and a batch it stored whose acknowledgement never reached the store (reply lost, client
  // killed, store restored) is pushed again. Equal nonces only ever come with equal (context, plaintext).
  //   subkey = BLAKE2b-256(key = epoch key, message = "casepack-op-nonce-v1")
  //   nonce  = BLAKE2b-192(key = subkey, message = context || signature || operation)
  Bytes sealed(kAeadNonceBytes + plain.size() + kAeadTagBytes);
  {
    std::uint8_t subkey[crypto_generichash_KEYBYTES];
    crypto_generichash(subkey, sizeof subkey, reinterpret_cast<const std::uint8_t*>(kNonceLabel.data()),
                       kNonceLabel.size(), epoch_key.expose().data(), epoch_key.size());
    crypto_generichash_state st;
    crypto_generichash_init(&st, subkey, sizeof subkey, kAeadNonceBytes);
    crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(context.data()), context.size());
    crypto_generichash_update(&st, plain.data(), plain.size());
    crypto_generichash_final(&st, sealed.data(), kAeadNonceBytes);
    sodium_memzero(subkey, sizeof subkey);
    sodium_memzero(&st, sizeof st);
  }
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data() + kAeadNonceBytes, &written, plain.data(), plain.size(),
                                             reinterpret_cast<const std::uint8_t*>(context.data()), context.size(),
                                             nullptr, sealed.data(), epoch_key.expose().data());
  Wipe(plain);
  Wipe(signed_message);
  return sealed;
}

Result<Bytes> OpenOperation(const SecretBytes& epoch_key, std::span<const std::uint8_t> author_ed25519,
                            const std::string& case_id, const std::string& op_id, std::int64_t epoch,
                            std::span<const std::uint8_t> sealed) {
  const std::string context = OperationContext(case_id, op_id, epoch);
  auto plain = AeadOpen(epoch_key, sealed, AsBytes(context));
  if (!plain.ok()) return MakeError(ErrorCode::kAuthFailed, "operation " + op_id + " does not decrypt: it was altered");
  if (plain->size() < kSignatureBytes) return MakeError(ErrorCode::kAuthFailed, "operation " + op_id + " is not signed");
  Bytes operation(plain->begin() + kSignatureBytes, plain->end());
  Bytes signed_message(context.begin(), context.end());
  signed_message.insert(signed_message.end(), operation.begin(), operation.end());
  const bool ok = VerifySignature(author_ed25519, signed_message,
                                  std::span<const std::uint8_t>(plain->data(), kSignatureBytes));
  Wipe(*plain);
  Wipe(signed_message);
  if (!ok) {
    Wipe(operation);
    return MakeError(ErrorCode::kAuthFailed, "operation " + op_id + " is not signed by the device that pushed it");
  }
  return operation;
}

}  // namespace casepack
