#include "casepack/migrations.h"

namespace casepack {

namespace {
// Append only. See docs/store.md for what each table holds.
constexpr Migration kMigrations[] = {
    {1, "store metadata and device identity",
     R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- The device identity's secret keys. Only ever inside the encrypted database.
CREATE TABLE identity (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  x25519_secret  BLOB NOT NULL,
  ed25519_secret BLOB NOT NULL,
  created_at     TEXT NOT NULL
);
)sql"},
    {2, "cases, operations and documents",
     R"sql(
-- One row per case on this device. The state itself is the sync engine's replica snapshot; the other
-- columns are an index of the winning values, rewritten with every change, so that listing 1,000 cases
-- never decodes a snapshot.
CREATE TABLE cases (
  id           TEXT PRIMARY KEY,
  case_key     BLOB NOT NULL,      -- 32 bytes; destroying it shreds the case's blobs (purge)
  replica_id   INTEGER NOT NULL,   -- this device's replica id for the case (sync engine)
  snapshot     BLOB NOT NULL,      -- Replica::SaveSnapshot()
  event_type   TEXT NOT NULL,
  subject      TEXT NOT NULL,
  area         TEXT NOT NULL,
  lead_agency  TEXT NOT NULL,
  status       TEXT NOT NULL,
  key_dates    TEXT NOT NULL,      -- JSON object: key date -> YYYY-MM-DD (winning values)
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
-- Every operation of every case, local or received, encoded as a one-operation batch
-- (docs/operation-format.md). Sync pushes the local ones the server lacks.
CREATE TABLE ops (
  case_id  TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  replica  INTEGER NOT NULL,
  counter  INTEGER NOT NULL,
  body     BLOB NOT NULL,
  local    INTEGER NOT NULL,
  PRIMARY KEY (case_id, replica, counter)
);
-- Index of documents (the metadata itself lives in the replica): duplicate detection and counts.
CREATE TABLE documents (
  case_id  TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  id       TEXT NOT NULL,
  blob_id  TEXT NOT NULL,
  sha256   TEXT NOT NULL,
  PRIMARY KEY (case_id, id)
);
CREATE INDEX documents_by_hash ON documents (case_id, sha256);
)sql"},
    {3, "retention: policies, legal holds, tombstones, purge receipts, audit log",
     R"sql(
-- The retention policies as versioned records (docs/retention.md): the highest version is in force.
-- A record is what the Business Unit set, as the JSON of RetentionPoliciesToJson, so sync can carry it
-- unchanged. With no record, the built-in defaults apply.
CREATE TABLE retention_policies (
  version   INTEGER PRIMARY KEY,
  policies  TEXT NOT NULL,   -- {"policies": [...]}
  set_by    TEXT NOT NULL,
  set_at    TEXT NOT NULL
);
-- Index of legal holds (the hold itself is the case's (case, legal-hold) register, which syncs).
CREATE TABLE legal_holds (
  case_id   TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  reason    TEXT NOT NULL,
  held_by   TEXT NOT NULL,
  held_at   TEXT NOT NULL
);
-- What is left of a purged case: the basics only (003 §4.10). The case row, its operations and
-- documents are deleted; the case key with them.
CREATE TABLE tombstones (
  case_id     TEXT PRIMARY KEY,
  event_type  TEXT NOT NULL,
  subject     TEXT NOT NULL,   -- name or initials
  area        TEXT NOT NULL,
  key_dates   TEXT NOT NULL,   -- JSON object: key date -> YYYY-MM-DD
  purge_on    TEXT NOT NULL,   -- the deadline that applied, YYYY-MM-DD
  rule        TEXT NOT NULL,   -- e.g. "summary-report-sent + 90 days (policy version 0)"
  purged_at   TEXT NOT NULL    -- trusted-clock time of the purge, YYYY-MM-DDTHH:MM:SSZ
);
-- Device-signed proof of each purge, for the sync layer to report to the server.
CREATE TABLE purge_receipts (
  case_id     TEXT PRIMARY KEY,
  store_id    TEXT NOT NULL,
  purged_at   TEXT NOT NULL,
  public_key  BLOB NOT NULL,   -- the device's Ed25519 key
  signature   BLOB NOT NULL,   -- over the canonical receipt (docs/retention.md)
  reported_at TEXT             -- set by sync once the server has it
);
-- Append-only, hash-chained, signed (docs/audit.md). Never holds case content.
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  detail     TEXT NOT NULL,
  prev_hash  BLOB NOT NULL,
  hash       BLOB NOT NULL,
  signature  BLOB NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
    {4, "sync with the central store: server, case keys per epoch, cursors, push state",
     R"sql(
-- The central store this device is enrolled with (docs/sync-client.md). One at most.
CREATE TABLE sync_server (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  url          TEXT NOT NULL,
  host         TEXT NOT NULL,
  port         INTEGER NOT NULL,
  fingerprint  TEXT NOT NULL,   -- SHA-256 of the server's certificate, pinned at enrolment
  user_id      TEXT NOT NULL,
  device_id    TEXT NOT NULL,
  role         TEXT NOT NULL,
  enrolled_at  TEXT NOT NULL
);
-- The shared case keys, one per epoch, as opened from this user's envelopes. Operations and documents
-- travel encrypted under them; the local store keeps its own per-device key (cases.case_key).
CREATE TABLE case_keys (
  case_id  TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  epoch    INTEGER NOT NULL,
  key      BLOB NOT NULL,
  PRIMARY KEY (case_id, epoch)
);
-- Per case: whether the server has it, and how far this device has pulled its log.
CREATE TABLE case_sync (
  case_id     TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  on_server   INTEGER NOT NULL DEFAULT 0,
  pulled_seq  INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE ops ADD COLUMN pushed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN uploaded INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ops_unpushed ON ops (case_id) WHERE local = 1 AND pushed = 0;
)sql"},
    {5, "incremental persistence: snapshots apart from the case index, operations in arrival order",
     R"sql(
-- A case's snapshot (Replica::SaveSnapshot) and the last ops rowid it covers (docs/session.md
-- "Persistence"): an edit appends its operation and leaves the snapshot alone; loading a case applies the
-- operations after `seq` to the snapshot. Kept out of `cases` so that updating the index row of a case
-- (every edit) does not rewrite the snapshot with it.
CREATE TABLE case_snapshots (
  case_id  TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  body     BLOB NOT NULL
);
INSERT INTO case_snapshots (case_id, seq, body)
  SELECT id, (SELECT coalesce(max(rowid), 0) FROM ops WHERE ops.case_id = cases.id), snapshot FROM cases
  WHERE length(snapshot) > 0;
UPDATE cases SET snapshot = x'';
-- The operations of a case in the order they were stored (an index carries the rowid): "every operation
-- after seq" is a range read.
CREATE INDEX ops_in_order ON ops (case_id);
)sql"},
    {6, "quarantined operations: pulled, refused by their checks, kept out of the case",
     R"sql(
-- An operation pulled from the server that failed its signature or envelope checks (issue 11, item 2;
-- docs/sync-client.md "Quarantine"): not applied, never retried, listed by `casepack sync quarantined`.
-- Holds no case content: the server's seq, the op id, the pushing device and the reason.
CREATE TABLE quarantined_ops (
  case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  op_id      TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  device_id  TEXT NOT NULL,
  reason     TEXT NOT NULL,
  at         TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
);
)sql"},
    {7, "people behind replicas; cases on the server not shared with this user",
     R"sql(
-- Who is behind each replica (issue 16; docs/sync-client.md "People"): the device that pushed under it, as
-- the server says when its operations are pulled (this device, for its own), and the users the central
-- store knows (refreshed at every sync), so that conflicts and reports name people, never store ids.
-- Holds no case content.
CREATE TABLE replica_devices (
  replica    TEXT PRIMARY KEY,   -- 16 lower-case hex digits, as in op ids
  device_id  TEXT NOT NULL
);
CREATE TABLE people (
  device_id  TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT ''   -- empty: enrolled without a name
);
-- 1: a case here (imported from a pack) that is on the central store but not shared with this user, already
-- reported by a sync; it is not reported again until that changes.
ALTER TABLE case_sync ADD COLUMN not_shared INTEGER NOT NULL DEFAULT 0;
)sql"},
    {8, "paragraph versions held back while one device types",
     R"sql(
-- The newest version of a paragraph this device is typing in, while only this device has written that
-- paragraph's register (docs/case-model.md "Typing without a version per keystroke"): written as the
-- register's operation before anything else touches the case (any other edit, a pull, a push), instead of
-- one register operation per keystroke. Case content: deleted with the case, encrypted with the store.
CREATE TABLE pending_paragraphs (
  case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  object     TEXT NOT NULL,   -- "para:" and the text's target
  field      TEXT NOT NULL,   -- the paragraph's key: the id of its '\n', or "end"
  value      TEXT NOT NULL,
  PRIMARY KEY (case_id, object, field)
);
)sql"},
};
}  // namespace

std::span<const Migration> StoreMigrations() { return kMigrations; }

}  // namespace casepack
