#include "casepack/session.h"

namespace casepack {

Result<std::unique_ptr<ClientSession>> ClientSession::Create(const std::filesystem::path& dir,
                                                             std::string_view passphrase, const Clock& clock,
                                                             KdfParams kdf, SessionOptions options) {
  CP_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                      Store::Create(dir, passphrase, std::move(kdf), options.purpose, clock));
  std::unique_ptr<ClientSession> session(new ClientSession(dir, clock, std::move(options)));
  session->Build(std::move(store));
  return session;
}

Result<std::unique_ptr<ClientSession>> ClientSession::Unlock(const std::filesystem::path& dir,
                                                             std::string_view passphrase, const Clock& clock,
                                                             SessionOptions options) {
  std::unique_ptr<ClientSession> session(new ClientSession(dir, clock, std::move(options)));
  CP_RETURN_IF_ERROR(session->Unlock(passphrase));
  return session;
}

ClientSession::~ClientSession() { Lock(); }

Status ClientSession::Unlock(std::string_view passphrase) {
  if (!locked()) return MakeError(ErrorCode::kConflict, "the session is already unlocked");
  CP_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(dir_, passphrase, options_.purpose, clock_));
  Build(std::move(store));
  return Ok();
}

void ClientSession::Build(std::unique_ptr<Store> store) {
  store_ = std::move(store);
  audit_ = std::make_unique<Audit>(*store_);
  cases_ = std::make_unique<CaseService>(*store_, options_.document_limit);
  packs_ = std::make_unique<PackService>(*cases_);
  retention_ = std::make_unique<RetentionService>(*store_, *cases_, *audit_);
  sync_ = std::make_unique<SyncService>(*store_, *cases_, *retention_, *audit_);
}

void ClientSession::Lock() {
  if (locked()) return;
  // Services first (they hold prepared statements and cached plaintext), then the store and its keys.
  if (cases_) (void)cases_->Flush();
  sync_.reset();
  retention_.reset();
  packs_.reset();
  cases_.reset();
  audit_.reset();
  store_.reset();
}

Status ClientSession::CheckUnlocked() const {
  if (locked()) return MakeError(ErrorCode::kUnavailable, "the session is locked", "unlock the store again");
  return Ok();
}

Result<Store*> ClientSession::store() {
  CP_RETURN_IF_ERROR(CheckUnlocked());
  return store_.get();
}
Result<CaseService*> ClientSession::cases() {
  CP_RETURN_IF_ERROR(CheckUnlocked());
  return cases_.get();
}
Result<PackService*> ClientSession::packs() {
  CP_RETURN_IF_ERROR(CheckUnlocked());
  return packs_.get();
}
Result<RetentionService*> ClientSession::retention() {
  CP_RETURN_IF_ERROR(CheckUnlocked());
  return retention_.get();
}
Result<SyncService*> ClientSession::sync() {
  CP_RETURN_IF_ERROR(CheckUnlocked());
  return sync_.get();
}
Result<Audit*> ClientSession::audit() {
  CP_RETURN_IF_ERROR(CheckUnlocked());
  return audit_.get();
}

}  // namespace casepack
