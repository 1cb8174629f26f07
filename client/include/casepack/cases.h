// The case service: everything a facilitator or Business Unit officer does to a case, fully offline.
// Every change is recorded as sync-engine operations (casepack/replica.h) in the store, so the sync
// service can later push them without this layer knowing; the replica's snapshot is the state, and a small
// index row per case keeps listing fast. Document bytes go to the blob store, encrypted with the case key.
// How domain fields map onto registers, collections and texts: docs/case-model.md.
//
// Every mutating call runs in one store transaction: it succeeds whole or changes nothing. Reads return
// case content: callers must treat it as such (never log it; write it out only where the user asked).
// Not thread safe; one CaseService per open Store.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/blob_store.h"
#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/mapm.h"
#include "casepack/process.h"
#include "casepack/replica.h"
#include "casepack/report.h"
#include "casepack/report_journey.h"
#include "casepack/store.h"
#include "casepack/timescales.h"

namespace casepack {

struct NewCase {
  EventType event_type = EventType::kMas;
  Subject subject;
  std::string lead_agency;
  std::string venue;
  std::map<std::string, Date, std::less<>> key_dates;
  std::vector<std::string> facilitators;
};

// A row of `casepack case list`: the index, no snapshot decoded.
struct CaseSummary {
  std::string id;
  EventType event_type = EventType::kMas;
  Subject subject;
  std::string lead_agency;
  CaseStatus status = CaseStatus::kOpen;
  std::map<std::string, Date, std::less<>> key_dates;
  std::string updated_at;

  Case AsCase() const;  // for timescales: the basics and key dates
};

struct AttendanceRecord {
  std::string id;
  Attendance attendance;                 // status = the winning value
  Conflicted<std::string> status_values;  // every concurrent status (ToString(AttendanceStatus))
};

struct StoredDocument {
  DocumentMeta meta;
  std::string blob_id;
};

// Everything about one case, merged: what `case show` and `report` read.
struct CaseDetail {
  Case record;
  std::vector<std::string> facilitators;
  std::vector<StoredDocument> documents;
  std::vector<AttendanceRecord> attendance;
  SectionNotes notes;
  std::string facilitator_comments;
  std::vector<Action> actions;
  std::vector<std::pair<std::string, ChronologyEntry>> chronology;  // id, entry; in date order
  ChronologyHeader chronology_header;  // 001 Appendix 1: subject, period covered, completed by, date, version
  std::vector<std::pair<std::string, ParticipantFeedback>> feedback;
  std::vector<FieldConflict> conflicts;  // unresolved, other than actions' owner/due (those are in actions)
  MapmRecord mapm;  // MAPM only (002): chair, minute-taker, time, the family, every action plan review
  ProcessRecord process;                 // referral, papers checklist (MAS), planning group (MAPF)
};

// A paragraph both facilitators rewrote while apart (docs/case-model.md "Paragraph conflicts"): what
// ResolveTextConflict(case, section, number, pick) ends.
struct NoteConflict {
  std::string section;  // the note section's key; empty for the facilitator's comments
  std::string title;    // "notes: Protective factors" or "facilitator's comments"
  std::size_t number = 0;     // 1-based, as ResolveTextConflict counts (`note resolve --conflict N`)
  std::size_t paragraph = 0;  // the 1-based line where it stands in the text now (0: nowhere whole)
  Conflicted<std::string> versions;  // each author's version in the order `pick` counts; "(removed)" if empty
};

// "paragraph P", P where the paragraph stands in the text now (its conflict number when it stands nowhere
// whole): how the report, `case show` and `note show` name it.
std::string ParagraphLabel(const NoteConflict& c);

// The rows of a case's tables that a person can delete (docs/case-model.md "Deleting rows").
enum class CaseTable { kAttendance, kActions, kChronology, kFeedback, kDocuments, kReviews, kPlanningGroup };

struct ActionChange {
  std::optional<std::string> what;
  std::optional<Owner> owner;
  std::optional<Date> due;
  std::optional<ActionStatus> status;
  // The 001 action plan form (ActionPlanFields); each given field replaces that field.
  std::optional<std::string> recommendation, rationale, outcome, measure, progress;
};

// A legal hold (court proceedings, 003 §4.5): suspends the case's purge on every device. Stored as the
// case's (case, legal-hold) register, so it syncs like any other field; docs/retention.md.
struct LegalHold {
  std::string reason;
  std::string held_by;
  std::string held_at;  // YYYY-MM-DDTHH:MM:SSZ
};

// What outlives a case's content (003 §4.10: name or initials, area, event type, key dates) and its hold,
// as stored in the case index; event_type as stored (it may not parse).
struct StoredCaseBasics {
  std::string case_id;
  std::string event_type;
  Subject subject;
  std::map<std::string, Date, std::less<>> key_dates;
  std::optional<LegalHold> hold;
};

struct CaseChange {
  std::map<std::string, Date, std::less<>> key_dates;
  std::vector<std::string> cleared_dates;  // key dates to clear (a date typed on the wrong case or step)
  std::optional<std::string> subject;      // corrects the child's name or initials
  std::optional<std::string> area;         // corrects the local authority area
  std::optional<CaseStatus> status;
  std::optional<std::string> lead_agency;
  std::optional<std::string> venue;
  std::optional<std::vector<std::string>> facilitators;
  // MAPM only (002; kInvalidArgument for other types): who chaired and who took the minutes, the meeting's
  // time, who informs the child and family of the outcome, what the family knew, whether the minutes go
  // to the family (then the family is on the distribution list).
  std::optional<std::string> chair;
  std::optional<std::string> minute_taker;
  std::optional<TimeOfDay> meeting_time;
  bool clear_meeting_time = false;  // removes a meeting time typed by mistake (meeting_time unset)
  std::optional<std::string> informs_family;
  std::optional<FamilyAwareness> family;
  std::optional<bool> minutes_to_family;
  bool HasMapmChange() const {
    return chair || minute_taker || meeting_time || clear_meeting_time || informs_family || family || minutes_to_family;
  }
  std::optional<std::string> report_writer;  // MAS: who completes the Summary Report (003 Appendix 1)
};

// ---- importing a transfer pack (used by casepack/packs.h) ----
// A pack's documents are written to the blob store before the import commits, so the target case's id and
// key must exist first: PrepareImport makes them (a new case) or loads them (an existing one), and
// CommitImport records everything in one transaction. If the caller abandons an import it must remove the
// blobs it wrote (BlobStore::Remove).
struct ImportTarget {
  std::string case_id;
  SecretBytes case_key;
  bool is_new = false;
  // The SHA-256 (hex) of every document an existing case holds: a pack's document with one of these is
  // only hashed (to check it against the manifest), not written to the blob store.
  std::set<std::string> held_sha256;
};
struct ImportedDocument {
  DocumentMeta meta;
  std::string blob_id;  // empty: not written, the case held these bytes when the import was prepared
};

class CaseService {
 public:
  static constexpr std::uint64_t kDefaultDocumentLimit = 200ULL * 1024 * 1024;

  // A case's snapshot is rewritten after this many stored operations (and by Flush): an edit in between
  // costs its own operations, not the case's size (docs/session.md "Persistence").
  static constexpr std::size_t kSnapshotEvery = 1000;

  // REQUIRES: `store` outlives the service.
  explicit CaseService(Store& store, std::uint64_t document_limit = kDefaultDocumentLimit);
  ~CaseService();
  CaseService(const CaseService&) = delete;
  CaseService& operator=(const CaseService&) = delete;
  Store& store() const { return store_; }

  // kInvalidArgument (ValidateCase) naming the field. Returns the new case's id.
  Result<std::string> CreateCase(const NewCase& c);
  // Resolves a full id or a unique prefix of at least 4 characters: kNotFound / kInvalidArgument (ambiguous).
  Result<std::string> ResolveCaseId(std::string_view id_or_prefix);
  Result<std::vector<CaseSummary>> ListCases();
  Result<CaseDetail> GetCase(std::string_view case_id);
  Status UpdateCase(std::string_view case_id, const CaseChange& change);

  // Documents. kInvalidArgument: empty, over the limit, or the same bytes already in the case (by hash).
  Result<DocumentMeta> AddDocument(std::string_view case_id, DocumentType type, std::string original_name,
                                   Date received, std::string sending_agency, const ByteSource& bytes);
  // Streams the plaintext to `sink`; kNotFound for an unknown document.
  Status ExportDocument(std::string_view case_id, std::string_view document_id, const ByteSink& sink);
  Result<StoredDocument> FindDocument(std::string_view case_id, std::string_view document_id_or_prefix);

  // Attendance: adds a new attendee, or (id given) updates one. Returns the attendee id.
  Result<std::string> RecordAttendance(std::string_view case_id, std::optional<std::string> attendee_id,
                                       const Attendance& a);

  // Notes: text merged by the sync engine. SetNote replaces a section's text by whole-line edits of what
  // differs (casepack/text_rewrite.h: a colleague's concurrent edits to other paragraphs survive whole, and
  // a paragraph both rewrote becomes a conflict in CaseDetail::conflicts); AppendNote adds a paragraph.
  Status SetNote(std::string_view case_id, std::string_view section, std::string_view text);
  Status AppendNote(std::string_view case_id, std::string_view section, std::string_view text);
  Status SetFacilitatorComments(std::string_view case_id, std::string_view text);
  // Ends paragraph conflict `conflict` (1-based, as listed: "paragraph N") of a note section, or of the
  // facilitator's comments when `section` is empty: `pick` keeps that author's version (1-based, in the
  // order listed), else `text` replaces every version. kNotFound if there is no such conflict.
  Status ResolveTextConflict(std::string_view case_id, std::string_view section, std::size_t conflict,
                             std::optional<std::size_t> pick, std::optional<std::string> text);
  // Every unresolved paragraph conflict of the case's notes and comments (those where the versions
  // differ), in the order CaseDetail::conflicts lists them.
  Result<std::vector<NoteConflict>> TextConflicts(std::string_view case_id);
  // One note section's text as stored (cheaper than GetCase: the window checks its base before a keystroke).
  Result<std::string> ReadNote(std::string_view case_id, std::string_view section);
  // A keystroke (or a paste, a cut): removes `remove` code points at code point `pos` of the section's
  // text, then inserts `insert` there. Costs the edit, not the note: for a window that saves as you type.
  // Group commit (db.h): on return the edit survives a killed process; it is durable against a power cut
  // once the background sync has run (Database::WaitDurable; the benchmark prints how long that takes).
  // kInvalidArgument if the range leaves the text or `insert` is not UTF-8.
  Status EditNote(std::string_view case_id, std::string_view section, std::uint64_t pos, std::uint64_t remove,
                  std::string_view insert);

  Result<std::string> AddAction(std::string_view case_id, const Action& a);
  Status UpdateAction(std::string_view case_id, std::string_view action_id_or_prefix, const ActionChange& change);

  // Records that an action (id or unique prefix) was reported back to `to` (ActionReportTargets(): line
  // managers, core group, conference; 003 §4.7) on `on`; again for the same target replaces the date.
  Status RecordActionReported(std::string_view case_id, std::string_view action_id_or_prefix, std::string_view to,
                              const Date& on);

  Result<std::string> AddChronologyEntry(std::string_view case_id, const ChronologyEntry& e);
  // An agency's whole chronology (casepack/csv.h ParseChronologyFile): every entry validated first, then all
  // added in one transaction, or none. With `heading` (the file's 001 Appendix 1 heading), the fields it
  // gives replace those of the case's chronology header, in the same transaction. Returns the ids in order.
  Result<std::vector<std::string>> AddChronologyEntries(std::string_view case_id, const std::vector<ChronologyEntry>& entries,
                                                        const ChronologyHeader& heading = {});
  // The chronology's header (001 Appendix 1) becomes `header`: only the fields that differ are written (each
  // is its own register, so two people setting different fields both keep theirs). kInvalidArgument
  // (ValidateChronologyHeader, text not UTF-8), the case unchanged.
  Status SetChronologyHeader(std::string_view case_id, const ChronologyHeader& header);
  // MAPM (002 §10): records a review of the action plan (every review is kept). The case's
  // last-action-plan-review key date becomes the latest review's, and its next-review the next review the
  // latest review agreed (if any), with the usual date checks. kInvalidArgument for other types. Returns
  // the review's id.
  Result<std::string> AddMapmReview(std::string_view case_id, const MapmReview& review);
  Result<std::string> AddFeedback(std::string_view case_id, const ParticipantFeedback& f);
  // Replaces a feedback form (id or unique prefix) with `f`; it keeps its id and place. An edit made while
  // another device deleted the form brings it back (an edit beats a delete it had not seen).
  Status UpdateFeedback(std::string_view case_id, std::string_view feedback_id_or_prefix, const ParticipantFeedback& f);

  // MAS referral (003 §1.3, §4.2): why the case was referred, or the rationale for not referring a case
  // past 15 months. kInvalidArgument (ValidateMasReferral), or for a case that is not MAS.
  Status SetMasReferral(std::string_view case_id, const MasReferral& referral);

  // MAPF planning group (000 §7). Returns the member's id. kInvalidArgument for a case that is not MAPF.
  Result<std::string> AddPlanningMember(std::string_view case_id, const PlanningMember& member);
  // The member's agency agreed the report and action plan on `on` (000 §6).
  Status RecordMemberAgreement(std::string_view case_id, std::string_view member_id_or_prefix, const Date& on);
  // The Local Operational Group agreed them on `on` (the MAPF log-agreed key date). Refused
  // (kInvalidArgument, naming them) while the group lacks a required agency or a member has not agreed:
  // every agency agrees first (000 §6).
  Status RecordLogAgreement(std::string_view case_id, const Date& on);

  // Deletes a row (id or unique prefix of at least 4 characters) by removing it from its collection: the
  // delete syncs like any change. A change to the row made concurrently on another device (an edited
  // attendee or action) brings it back with that change: an edit beats a delete it had not seen. A
  // document's local file and index row go too. kNotFound if the row is not (or no longer) there. The
  // delete is audited in the same transaction (AuditKind::kDelete: the kind of row and its id, no content).
  Status DeleteRow(std::string_view case_id, CaseTable row, std::string_view id_or_prefix);

  // Every open case's timescales as of `today`, from the index (no snapshot decoded).
  Result<std::vector<CaseTimescales>> Deadlines(const Date& today);
  // The report input for a case, with every unresolved conflict.
  Result<ReportInput> BuildReportInput(std::string_view case_id, std::optional<Date> report_date);

  // The report's journey (casepack/report_journey.h): the recipients the guidance names, each with the
  // date the report was sent to them.
  Result<std::vector<ReportRecipient>> ReportRecipients(std::string_view case_id);
  // The recipient whose key is `recipient` or starts with it: kNotFound (the hint lists the keys),
  // kInvalidArgument (ambiguous).
  Result<ReportRecipient> FindReportRecipient(std::string_view case_id, std::string_view recipient);
  // Records the report as sent to `recipient` (a key from ReportRecipients, or a unique prefix) on `on`.
  // Once every recipient has it, the case's report key date (MAS summary-report-sent, MAPF report-sent,
  // MAPM minutes-sent) is set to the last date, if not already set. kNotFound, kInvalidArgument
  // (ambiguous). Returns the recipient as recorded.
  Result<ReportRecipient> RecordReportSent(std::string_view case_id, std::string_view recipient, const Date& on);

  // Legal hold (retention). Placing a hold on a held case replaces its reason; ReleaseLegalHold is
  // kInvalidArgument when the case is not on hold. A hold written concurrently with a release survives
  // (the register keeps both, and any surviving hold counts): a hold beats a purge.
  Status PlaceLegalHold(std::string_view case_id, const LegalHold& hold);
  Status ReleaseLegalHold(std::string_view case_id);
  Result<std::optional<LegalHold>> ReadLegalHold(std::string_view case_id);

  // The operations recorded for a case (for tests and, later, sync).
  Result<std::size_t> CountOperations(std::string_view case_id);

  // Transfer-pack import (see ImportTarget above). If a case with `wanted_id` exists here, the import goes
  // into it; otherwise into a new case with that id (the sender's, kept so that a later pack for the same
  // case finds it). kInvalidArgument if `wanted_id` is not a valid case id.
  Result<ImportTarget> PrepareImport(std::string_view wanted_id);
  // The checks `case new` makes of a case's basics (one line of text each) and key dates
  // (casepack/date_checks.h: none more than two years ahead, none before the step it follows), for a new
  // case that comes from a pack: otherwise a sender could give a case a purge date years away, or put
  // terminal codes into every list of cases.
  Status CheckImportedCase(const Case& basics);
  // Creates the case (if new) from `basics`, adds the documents (skipping any whose bytes the case already
  // holds: their indices go to `skipped`, and the caller removes their blobs, if written), and sets the notes
  // of a new case. One transaction. An existing case that gains nothing is not written to (its updated_at
  // stays). kConflict, and nothing changed, if a document that was held when the import was prepared (no
  // blob written) is no longer held.
  Status CommitImport(const ImportTarget& target, const Case& basics,
                      const std::vector<ImportedDocument>& documents, const SectionNotes& notes,
                      std::vector<std::size_t>& skipped);
  // Writes the snapshot of every case with operations since its last one (docs/session.md
  // "Persistence"). ClientSession::Lock calls it; nothing is lost without it (the operations are stored).
  Status Flush();

  // Operations pulled from the server that failed their signature or envelope checks (issue 11, item 2):
  // kept out of their case, never retried. Every case's, oldest first.
  struct QuarantinedOp {
    std::string case_id;
    std::int64_t seq = 0;  // the server's
    std::string op_id;
    std::string device_id;  // the device the server says pushed it
    std::string reason;
    std::string at;  // when this device quarantined it, UTC ISO 8601
  };
  Result<std::vector<QuarantinedOp>> QuarantinedOperations();

  const BlobStore& blobs() const { return blobs_; }
  BlobStore& blobs() { return blobs_; }
  std::uint64_t document_limit() const { return document_limit_; }
  const Clock& clock() const { return store_.clock(); }

 private:
  // ---- for the sync service only: reached through client/src/cases_internal.h ----
  friend class CaseServiceInternal;
  struct PendingOp {
    ReplicaId replica = 0;
    std::uint64_t counter = 0;
    Bytes body;  // a one-operation batch (docs/operation-format.md)
  };
  Result<std::vector<std::string>> AllCaseIds();
  Result<std::vector<PendingOp>> UnpushedOperations(std::string_view case_id, std::size_t limit);
  struct PendingBatch {
    ReplicaId replica = 0;
    std::uint64_t first = 0, last = 0;  // the counters it holds, all of them
    std::size_t rows = 0;               // stored operations it covers (what `pushed` counts)
    Bytes body;                         // an operation batch, version 2 (docs/operation-format.md)
    Bytes payload;                      // body compressed (client/src/batch_payload.h): what is sealed
  };
  // At most max_ops operations and max_payload compressed bytes a batch (unless one stored operation alone
  // is larger), and at most kMaxBatchBody encoded.
  Result<std::vector<PendingBatch>> UnpushedBatches(std::string_view case_id, std::size_t max_ops, std::size_t max_payload);
  static constexpr std::size_t kMaxBatchBody = 4u << 20;
  Status MarkPushedThrough(std::string_view case_id, ReplicaId replica, std::uint64_t first, std::uint64_t last);
  static const char* const kMarkPushedSql;
  Result<bool> HoldsOperationEndingAt(std::string_view case_id, OpId last);
  Result<std::size_t> CountUnpushed();  // every case
  Status MarkPushed(std::string_view case_id, std::span<const std::pair<ReplicaId, std::uint64_t>> ids);
  Status CreateReceivedCase(const std::string& case_id);
  Result<ApplyResult> ApplyRemote(std::string_view case_id, std::span<const Operation> ops,
                                  std::span<const Bytes> bodies, const std::function<Status()>& also);
  Result<std::vector<StoredDocument>> DocumentsWithoutLocalBlob(std::string_view case_id);
  Result<std::vector<StoredDocument>> DocumentsNotUploaded(std::string_view case_id);
  Status MarkUploaded(std::string_view case_id, std::string_view document_id);
  Status AdoptReceivedBlob(std::string_view case_id, const StoredDocument& document);
  Result<SecretBytes> LocalKey(std::string_view case_id);
  Result<bool> SeparateJoinedVersions(std::string_view case_id);
  Result<ReplicaId> OwnReplica(std::string_view case_id);
  Result<bool> HoldsOperation(std::string_view case_id, OpId id);
  Result<std::size_t> ContinueUnderFreshReplica(std::string_view case_id, std::span<const Operation> on_server);
  Status RecordQuarantined(std::string_view case_id, std::span<const QuarantinedOp> ops);
  Result<std::size_t> CountQuarantined(std::string_view case_id);
  // Drops quarantine entries of operations that came again and passed their checks (re-signed by their
  // device after a server upgrade: docs/sync-client.md "Quarantine").
  Status ReleaseQuarantined(std::string_view case_id, std::span<const std::string> op_ids);
  // Shared case keys (one per epoch) and pull cursors: client/src/case_sync_state.cpp.
  Result<std::int64_t> LatestSharedEpoch(std::string_view case_id);
  Result<std::optional<SecretBytes>> SharedKey(std::string_view case_id, std::int64_t epoch);
  Status KeepSharedKey(std::string_view case_id, std::int64_t epoch, const SecretBytes& key);
  Result<std::int64_t> PullCursor(std::string_view case_id);
  Status SetPullCursor(std::string_view case_id, std::int64_t pulled_seq);
  Status MarkOnServer(std::string_view case_id);
  Result<bool> WasOnServer(std::string_view case_id);
  // A case on the server that is not shared with this user (imported here from a pack): true the first
  // time, false once already marked (reported once; MarkOnServer clears it).
  Result<bool> MarkNotShared(std::string_view case_id);
  // After a pull: the hold index (legal_holds) follows the case's hold register.
  Status RefreshHoldIndex(std::string_view case_id);
  Status WriteHoldIndex(std::string_view case_id, const std::optional<LegalHold>& hold);
  // ---- for retention only: client/src/case_purge.cpp, reached through cases_internal.h ----
  friend class CasePurgeInternal;
  Result<std::vector<StoredCaseBasics>> AllCaseBasics();
  Result<std::optional<StoredCaseBasics>> CaseBasics(std::string_view case_id, StatementCache& statements);
  Result<std::vector<std::string>> DeleteCaseContent(std::string_view case_id, StatementCache& statements);

  struct Loaded;
  // The case, materialised and cached (with what was stored since applied); kNotFound if it is not here.
  Result<Loaded*> Load(std::string_view case_id);
  Status CatchUp(Loaded& loaded);
  void Evict(std::string_view case_id);
  // kKeystroke: under a GroupCommit (db.h), and the paragraph versions EditNote held back stay held back;
  // every other edit writes them first (WriteHeldParagraphs), so they come before its own operations.
  enum class EditKind { kOther, kKeystroke };
  template <typename Edit>
  Status Mutate(std::string_view case_id, Edit&& edit, EditKind kind = EditKind::kOther);
  // The paragraph versions EditNote held back for this case (pending_paragraphs), written as the register
  // operations they stand for, and forgotten. REQUIRES: inside the transaction of the edit that follows, the
  // case loaded; before anything else changes the case (docs/case-model.md "Typing without a version per
  // keystroke").
  Status WriteHeldParagraphs(Loaded& loaded);
  // Writes them in a transaction of their own if any are held (a push must carry them).
  Status WriteHeldParagraphs(std::string_view case_id);
  Status Persist(Loaded& loaded, std::uint64_t before);
  Status UpdateIndex(Loaded& loaded);
  Status WriteSnapshot(Loaded& loaded);
  ReplicaOptions Options(std::string_view case_id, ReplicaId replica) const;
  Status InsertCaseRow(const std::string& case_id, const SecretBytes& key, ReplicaId replica);
  // Who wrote a register value, for conflicts: the person's name as the central store knows them (or
  // "user <id prefix>" as `server users` lists it), else the author recorded in the operation.
  Result<std::function<std::string(const RegisterValue&)>> Namer();

  Store& store_;
  BlobStore blobs_;
  std::uint64_t document_limit_;
  std::string author_;
  // Materialised cases (plaintext): dropped with the service, i.e. at ClientSession::Lock.
  std::map<std::string, std::unique_ptr<Loaded>, std::less<>> cache_;
};

}  // namespace casepack

