// Private to the client library (leveldb's write_batch_internal.h): what only the sync service may do to
// the case store: list and mark its operations for push, apply what was pulled (stored as received),
// create a case shared with this user, track document uploads, keep the shared keys and pull cursors;
// and what only retention may do: read the basics that outlive a case and delete its content. Kept out of
// casepack/cases.h so that no other caller (the CLI, the desktop window) can reach it.
#pragma once

#include "casepack/cases.h"

namespace casepack {

class CaseServiceInternal {
 public:
  using PendingOp = CaseService::PendingOp;

  static Result<std::vector<std::string>> AllCaseIds(CaseService& c) { return c.AllCaseIds(); }
  // Local operations not yet acknowledged by the server, oldest first.
  static Result<std::vector<PendingOp>> UnpushedOperations(CaseService& c, std::string_view case_id,
                                                           std::size_t limit) {
    return c.UnpushedOperations(case_id, limit);
  }
  static Result<std::size_t> CountUnpushed(CaseService& c) { return c.CountUnpushed(); }
  // This store's own unpushed operations as batches (docs/sync-client.md "A batch on the wire"), all cut
  // from one read of the case (runs coalesced, as ChangesSince gives them), in counter order: each at most
  // `max_ops` operations and, unless one alone is larger, `max_bytes` encoded, ending where a stored
  // operation ends. Empty if there is none, or if the case cannot give them as one dense run (then
  // UnpushedOperations sends them one by one).
  using PendingBatch = CaseService::PendingBatch;
  static Result<std::vector<PendingBatch>> UnpushedBatches(CaseService& c, std::string_view case_id,
                                                           std::size_t max_ops, std::size_t max_bytes) {
    return c.UnpushedBatches(case_id, max_ops, max_bytes);
  }
  // Marks this store's operations of `replica` with counters `first`..`last` pushed (the server holds them).
  static Status MarkPushedThrough(CaseService& c, std::string_view case_id, ReplicaId replica, std::uint64_t first,
                                  std::uint64_t last) {
    return c.MarkPushedThrough(case_id, replica, first, last);
  }
  static const char* MarkPushedSql() { return CaseService::kMarkPushedSql; }
  // Whether an operation stored here ends exactly at counter `last.counter` (a pushed batch's last).
  static Result<bool> HoldsOperationEndingAt(CaseService& c, std::string_view case_id, OpId last) {
    return c.HoldsOperationEndingAt(case_id, last);
  }
  static Status MarkPushed(CaseService& c, std::string_view case_id,
                           std::span<const std::pair<ReplicaId, std::uint64_t>> ids) {
    return c.MarkPushed(case_id, ids);
  }
  // An empty case that sync fills from the server (a case shared with this user), with its own local key.
  static Status CreateReceivedCase(CaseService& c, const std::string& case_id) { return c.CreateReceivedCase(case_id); }
  // Applies operations received from the server, storing bodies[i] (the bytes ops[i] was decoded from)
  // as received, and runs `also` (advancing the pull cursor) in the same transaction. Operations the
  // engine rejects are not stored; they come back in the result. Empty `bodies`: encoded here (tests).
  static Result<ApplyResult> ApplyRemote(CaseService& c, std::string_view case_id, std::span<const Operation> ops,
                                         std::span<const Bytes> bodies, const std::function<Status()>& also) {
    return c.ApplyRemote(case_id, ops, bodies, also);
  }
  // Documents whose bytes are not on this device yet, and local documents not yet uploaded.
  static Result<std::vector<StoredDocument>> DocumentsWithoutLocalBlob(CaseService& c, std::string_view case_id) {
    return c.DocumentsWithoutLocalBlob(case_id);
  }
  static Result<std::vector<StoredDocument>> DocumentsNotUploaded(CaseService& c, std::string_view case_id) {
    return c.DocumentsNotUploaded(case_id);
  }
  static Status MarkUploaded(CaseService& c, std::string_view case_id, std::string_view document_id) {
    return c.MarkUploaded(case_id, document_id);
  }
  // Records a document whose blob sync has just stored locally (already on the server).
  static Status AdoptReceivedBlob(CaseService& c, std::string_view case_id, const StoredDocument& document) {
    return c.AdoptReceivedBlob(case_id, document);
  }
  // The per-device key the case's blobs are stored under here.
  static Result<SecretBytes> LocalKey(CaseService& c, std::string_view case_id) { return c.LocalKey(case_id); }
  // After a pull: separates this device's versions of conflicting paragraphs that the merge joined to the
  // next text (casepack/text_rewrite.h SeparateJoinedVersions). True if it wrote something to push.
  // This device's replica id for the case (operations under it are this store's own).
  static Result<ReplicaId> OwnReplica(CaseService& c, std::string_view case_id) { return c.OwnReplica(case_id); }
  // Whether an operation with exactly this id is stored here.
  static Result<bool> HoldsOperation(CaseService& c, std::string_view case_id, OpId id) {
    return c.HoldsOperation(case_id, id);
  }
  // A store restored from an older copy (issue 11, item 6): the server holds operations of this store's
  // replica that the store does not. Moves the case to a fresh replica id, renumbering the operations not
  // yet pushed that were made after the restore (their counters may be taken on the server by other
  // content) and every reference to them; the old replica's later operations then come back by pull like
  // anyone's. `on_server`: the server's copies of the old replica's operations after the last one this
  // store knows pushed. Unpushed operations from the first one on that the server holds with the same
  // content, however the runs were cut (made before the backup and pushed by the laptop since), are kept
  // and marked pushed, not sent again. Returns how many operations were renumbered.
  static Result<std::size_t> ContinueUnderFreshReplica(CaseService& c, std::string_view case_id,
                                                       std::span<const Operation> on_server) {
    return c.ContinueUnderFreshReplica(case_id, on_server);
  }
  // Records operations of one pulled page that failed their checks (issue 11, item 2): run inside
  // ApplyRemote's `also`, so they are kept exactly when the pull cursor moves past them.
  using QuarantinedOp = CaseService::QuarantinedOp;
  static Status RecordQuarantined(CaseService& c, std::string_view case_id, std::span<const QuarantinedOp> ops) {
    return c.RecordQuarantined(case_id, ops);
  }
  static Result<std::size_t> CountQuarantined(CaseService& c, std::string_view case_id) {
    return c.CountQuarantined(case_id);
  }
  static Status ReleaseQuarantined(CaseService& c, std::string_view case_id, std::span<const std::string> op_ids) {
    return c.ReleaseQuarantined(case_id, op_ids);
  }
  static Result<bool> SeparateJoinedVersions(CaseService& c, std::string_view case_id) {
    return c.SeparateJoinedVersions(case_id);
  }

  // The shared case keys this device has opened: the newest epoch held (0: none), the key of an epoch
  // (none if not held), and keeping one (a key already held for that epoch is left as it is).
  static Result<std::int64_t> LatestSharedEpoch(CaseService& c, std::string_view case_id) {
    return c.LatestSharedEpoch(case_id);
  }
  static Result<std::optional<SecretBytes>> SharedKey(CaseService& c, std::string_view case_id, std::int64_t epoch) {
    return c.SharedKey(case_id, epoch);
  }
  static Status KeepSharedKey(CaseService& c, std::string_view case_id, std::int64_t epoch, const SecretBytes& key) {
    return c.KeepSharedKey(case_id, epoch, key);
  }
  // How far this device has pulled the case's log from the server (0: nothing yet).
  static Result<std::int64_t> PullCursor(CaseService& c, std::string_view case_id) { return c.PullCursor(case_id); }
  static Status SetPullCursor(CaseService& c, std::string_view case_id, std::int64_t pulled_seq) {
    return c.SetPullCursor(case_id, pulled_seq);
  }
  // Whether the server has had the case: one that was there and is gone was unshared or deleted there.
  static Status MarkOnServer(CaseService& c, std::string_view case_id) { return c.MarkOnServer(case_id); }
  static Result<bool> WasOnServer(CaseService& c, std::string_view case_id) { return c.WasOnServer(case_id); }
  static Result<bool> MarkNotShared(CaseService& c, std::string_view case_id) { return c.MarkNotShared(case_id); }
  // After a pull: the index of legal holds follows the hold the case now has.
  static Status RefreshHoldIndex(CaseService& c, std::string_view case_id) { return c.RefreshHoldIndex(case_id); }
};

// What only retention may do to the case store.
class CasePurgeInternal {
 public:
  // Every case's basics and hold, by id.
  static Result<std::vector<StoredCaseBasics>> AllCaseBasics(CaseService& c) { return c.AllCaseBasics(); }
  // One case's basics (none if it is not here); statements reused across a purge's cases.
  static Result<std::optional<StoredCaseBasics>> CaseBasics(CaseService& c, std::string_view case_id,
                                                            StatementCache& statements) {
    return c.CaseBasics(case_id, statements);
  }
  // Deletes the case's content and its key, and drops it from memory. Returns the blob ids to shred once
  // the caller's transaction commits. REQUIRES: inside a transaction.
  static Result<std::vector<std::string>> DeleteCaseContent(CaseService& c, std::string_view case_id,
                                                            StatementCache& statements) {
    return c.DeleteCaseContent(case_id, statements);
  }
};

}  // namespace casepack
