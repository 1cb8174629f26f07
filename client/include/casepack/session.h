// The client as one long-lived session (docs/session.md): the unlocked store and every service built on
// it, built once after unlock and shared. The CLI builds one per command; the desktop window builds one
// per unlock and keeps it for hours.
//
//   auto session = ClientSession::Unlock(dir, passphrase, SystemClock());
//   CaseService* cases = *(*session)->cases();
//   ...
//   (*session)->Lock();                       // keys and cached plaintext wiped
//   (*session)->Unlock(passphrase);           // the same object, usable again
//
// Ownership: the session owns the Store (database key, device identity, the SQLite connection) and one of
// each service; services get their collaborators from the session and never build their own copies. The
// clock is the caller's (casepack/clock.h) and must outlive the session.
//
// Lock: destroys every service (the case service's cache of materialised cases with it), then the Store
// (its database key and identity are in sodium_malloc memory, zeroed when freed; closing the connection
// frees SQLCipher's page cache, which it wipes). Afterwards every accessor returns kUnavailable ("the
// session is locked") until Unlock succeeds: a locked session never hands out stale plaintext.
//
// Durability: every mutating service call is durable when it returns (its own SQLite transaction,
// synchronous=FULL in WAL mode: one fsync of the log per commit), not group-committed. A keystroke in the
// window is a few hundred bytes of log and one fsync, which stays within the keystroke budget at any case
// size (tests/bench/session), and "saved" then means saved: a crash or a flat battery loses nothing the
// window showed as saved. Snapshots of a case are written every CaseService::kSnapshotEvery operations and
// when the session locks or is destroyed (docs/session.md "Persistence").
//
// Thread safety: a session and its services are used by one thread at a time (the SQLite connection and
// the case cache are not synchronised). A window that syncs on a worker thread holds Exclusive() around
// every call into the session from either thread, and gives the sync service a transport wrapped in
// ReleasedDuringNetwork (below): the worker then holds the session only for local steps (each a short
// transaction; sync never keeps one open across a request), and a keystroke on the UI thread waits for
// at most one of them, never for the network. Other processes (a CLI `casepack sync` beside the window)
// may use the same store at the same time: readers never wait, writers wait for each other up to a
// bounded time (store.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "casepack/audit.h"
#include "casepack/cases.h"
#include "casepack/clock.h"
#include "casepack/kdf.h"
#include "casepack/net_client.h"
#include "casepack/packs.h"
#include "casepack/result.h"
#include "casepack/retention.h"
#include "casepack/store.h"
#include "casepack/sync_service.h"

namespace casepack {

struct SessionOptions {
  // Recorded in the store's holder list so that another process waiting for the store can say who has it.
  std::string purpose = "casepack";
  // The largest document AddDocument and pack import take.
  std::uint64_t document_limit = CaseService::kDefaultDocumentLimit;
};

class ClientSession {
 public:
  // Creates a new store in `dir` (see Store::Create) and opens a session on it.
  [[nodiscard]] static Result<std::unique_ptr<ClientSession>> Create(const std::filesystem::path& dir,
                                                                     std::string_view passphrase, const Clock& clock,
                                                                     KdfParams kdf, SessionOptions options = {});
  // Unlocks an existing store (Store::Open's errors) and builds every service.
  [[nodiscard]] static Result<std::unique_ptr<ClientSession>> Unlock(const std::filesystem::path& dir,
                                                                     std::string_view passphrase, const Clock& clock,
                                                                     SessionOptions options = {});
  ~ClientSession();  // as Lock()
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Unlocks this (locked) session again. kConflict if it is already unlocked; Store::Open's errors
  // otherwise (the session stays locked).
  [[nodiscard]] Status Unlock(std::string_view passphrase);
  // Writes pending snapshots, then wipes every key and cached plaintext (see above). Idempotent.
  void Lock();
  bool locked() const { return store_ == nullptr; }

  // The services, or kUnavailable "the session is locked". The pointers stay valid until Lock().
  [[nodiscard]] Result<Store*> store();
  [[nodiscard]] Result<CaseService*> cases();
  [[nodiscard]] Result<PackService*> packs();
  [[nodiscard]] Result<RetentionService*> retention();
  [[nodiscard]] Result<SyncService*> sync();
  [[nodiscard]] Result<Audit*> audit();

  const Clock& clock() const { return clock_; }
  const std::filesystem::path& dir() const { return dir_; }
  const SessionOptions& options() const { return options_; }

  // Serialises threads that share the session (see "Thread safety" above).
  [[nodiscard]] std::unique_lock<std::mutex> Exclusive() { return std::unique_lock<std::mutex>(mutex_); }

 private:
  ClientSession(std::filesystem::path dir, const Clock& clock, SessionOptions options)
      : dir_(std::move(dir)), clock_(clock), options_(std::move(options)) {}
  void Build(std::unique_ptr<Store> store);
  Status CheckUnlocked() const;

  std::filesystem::path dir_;
  const Clock& clock_;
  SessionOptions options_;
  std::mutex mutex_;
  // Destroyed in reverse order: services before the store they use.
  std::unique_ptr<Store> store_;
  std::unique_ptr<Audit> audit_;
  std::unique_ptr<CaseService> cases_;
  std::unique_ptr<PackService> packs_;
  std::unique_ptr<RetentionService> retention_;
  std::unique_ptr<SyncService> sync_;
};

// A transport (SyncService::SetTransport) that releases the session while a request is on the network:
// `held` is the worker's Exclusive() lock, unlocked for the duration of each Send and locked again before
// the reply is handed back. REQUIRES: `held` is owned by the thread that calls Send.
class ReleasedDuringNetwork final : public net::HttpsClient {
 public:
  ReleasedDuringNetwork(std::unique_ptr<net::HttpsClient> inner, std::unique_lock<std::mutex>& held)
      : inner_(std::move(inner)), held_(held) {}
  Result<net::HttpReply> Send(std::string_view method, std::string_view target, std::string_view body,
                              std::string_view content_type,
                              const std::vector<std::pair<std::string, std::string>>& extra_headers) override {
    held_.unlock();
    auto reply = inner_->Send(method, target, body, content_type, extra_headers);
    held_.lock();
    return reply;
  }
  void Disconnect() override { inner_->Disconnect(); }
  bool last_failure_was_stale_connection() const override { return inner_->last_failure_was_stale_connection(); }

 private:
  std::unique_ptr<net::HttpsClient> inner_;
  std::unique_lock<std::mutex>& held_;
};

}  // namespace casepack
