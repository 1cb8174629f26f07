// The case store's part of sync state: the shared case keys this device has opened (one per epoch) and
// how far it has pulled each case's log (docs/sync-client.md). Only the sync service reaches these,
// through cases_internal.h.
#include "casepack/cases.h"

namespace casepack {

Result<std::int64_t> CaseService::LatestSharedEpoch(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT coalesce(max(epoch), 0) FROM case_keys WHERE case_id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<std::optional<SecretBytes>> CaseService::SharedKey(std::string_view case_id, std::int64_t epoch) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT key FROM case_keys WHERE case_id = ? AND epoch = ?;"));
  st.Bind(1, case_id).Bind(2, epoch);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<SecretBytes>();
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::CopyOf(st.BlobView(0)));
  return std::optional<SecretBytes>(std::move(key));
}

// A key once opened for an epoch never changes: a second copy of it is ignored.
Status CaseService::KeepSharedKey(std::string_view case_id, std::int64_t epoch, const SecretBytes& key) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("INSERT OR IGNORE INTO case_keys (case_id, epoch, key) VALUES (?, ?, ?);"));
  st.Bind(1, case_id).Bind(2, epoch).Bind(3, key.expose());
  return st.Run();
}

Result<std::int64_t> CaseService::PullCursor(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT pulled_seq FROM case_sync WHERE case_id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Status CaseService::SetPullCursor(std::string_view case_id, std::int64_t pulled_seq) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("UPDATE case_sync SET pulled_seq = ? WHERE case_id = ?;"));
  st.Bind(1, pulled_seq).Bind(2, case_id);
  return st.Run();
}

Status CaseService::MarkOnServer(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "INSERT OR REPLACE INTO case_sync (case_id, on_server, pulled_seq) "
      "VALUES (?, 1, coalesce((SELECT pulled_seq FROM case_sync WHERE case_id = ?), 0));"));
  st.Bind(1, case_id).Bind(2, case_id);
  return st.Run();
}

Result<bool> CaseService::MarkNotShared(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT not_shared FROM case_sync WHERE case_id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (row && st.Int(0) == 1) return false;
  CP_ASSIGN_OR_RETURN(Statement mark, store_.db().Prepare(
      "INSERT OR REPLACE INTO case_sync (case_id, on_server, pulled_seq, not_shared) "
      "VALUES (?, 0, coalesce((SELECT pulled_seq FROM case_sync WHERE case_id = ?), 0), 1);"));
  mark.Bind(1, case_id).Bind(2, case_id);
  CP_RETURN_IF_ERROR(mark.Run());
  return true;
}

Result<bool> CaseService::WasOnServer(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT on_server FROM case_sync WHERE case_id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  return row && st.Int(0) == 1;
}

}  // namespace casepack
