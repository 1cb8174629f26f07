// The case store's part of a purge (docs/retention.md): what retention reads of each case, and the
// deletion of a case's content. Only retention reaches these, through cases_internal.h.
#include "casepack/cases.h"

#include "key_dates_json.h"

namespace casepack {

namespace {

StoredCaseBasics BasicsFrom(const Statement& st) {
  // Columns: id, event_type, subject, area, key_dates[, hold reason, held_by, held_at].
  StoredCaseBasics b;
  b.case_id = st.Text(0);
  b.event_type = st.Text(1);
  b.subject = {st.Text(2), st.Text(3)};
  b.key_dates = KeyDatesFromJson(st.Text(4));
  return b;
}

}  // namespace

Result<std::vector<StoredCaseBasics>> CaseService::AllCaseBasics() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT c.id, c.event_type, c.subject, c.area, c.key_dates, h.reason, h.held_by, h.held_at FROM cases c "
      "LEFT JOIN legal_holds h ON h.case_id = c.id ORDER BY c.id;"));
  std::vector<StoredCaseBasics> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    StoredCaseBasics b = BasicsFrom(st);
    if (!st.IsNull(5)) b.hold = LegalHold{st.Text(5), st.Text(6), st.Text(7)};
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::optional<StoredCaseBasics>> CaseService::CaseBasics(std::string_view case_id, StatementCache& statements) {
  CP_ASSIGN_OR_RETURN(Statement* st, statements.Get(
      "SELECT id, event_type, subject, area, key_dates FROM cases WHERE id = ?;"));
  st->Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<StoredCaseBasics> out;
  if (row) out = BasicsFrom(*st);
  st->Reset();
  return out;
}

// Deleting the cases row destroys the case's local key, and with it (ON DELETE CASCADE) the shared keys,
// the pull cursor and the snapshot: the blobs are unreadable from this commit on. secure_delete is on
// (docs/store.md), so the deleted cells and freed pages are overwritten with zeros.
Result<std::vector<std::string>> CaseService::DeleteCaseContent(std::string_view case_id, StatementCache& statements) {
  std::vector<std::string> blobs;
  {
    CP_ASSIGN_OR_RETURN(Statement* st, statements.Get("SELECT blob_id FROM documents WHERE case_id = ?;"));
    st->Bind(1, case_id);
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      blobs.push_back(st->Text(0));
    }
    st->Reset();
  }
  for (const char* sql : {"DELETE FROM ops WHERE case_id = ?;", "DELETE FROM documents WHERE case_id = ?;",
                          "DELETE FROM legal_holds WHERE case_id = ?;", "DELETE FROM pending_paragraphs WHERE case_id = ?;",
                          "DELETE FROM cases WHERE id = ?;"}) {
    CP_ASSIGN_OR_RETURN(Statement* del, statements.Get(sql));
    del->Bind(1, case_id);
    CP_RETURN_IF_ERROR(del->Run());
  }
  Evict(case_id);  // no plaintext of a purged case stays in memory
  return blobs;
}

}  // namespace casepack
