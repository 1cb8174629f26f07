// The window's one seam onto the client library: everything the window reads or changes in a store goes
// through DesktopSession, built on casepack::ClientSession (client/include/casepack/session.h), which owns
// the store and every service. This and session.cpp are the only desktop files that name the client's
// services. No Qt here: the types are the domain's.
//
// Threading rule: like the services it wraps ("not thread safe; one per open Store"), a DesktopSession is
// used by one thread at a time (ClientSession's rule). The window gives it to a SessionWorker (worker.h),
// whose single thread runs every call in submission order; the UI thread never calls it, so it needs no
// Exclusive() lock. Locking destroys it: ClientSession::Lock writes pending snapshots, then wipes the store
// key, the identity and every decrypted case it cached.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/cases.h"
#include "casepack/domain.h"
#include "casepack/report_layout.h"
#include "casepack/result.h"
#include "casepack/timescales.h"

namespace casepack {
class ClientSession;
class CaseService;
struct CaseDetail;
struct NewCase;
}  // namespace casepack

namespace casepack::desktop {

// One row of the case list.
struct CaseRow {
  std::string id;
  EventType event_type = EventType::kMas;
  std::string subject;
  std::string area;
  CaseStatus status = CaseStatus::kOpen;
  std::optional<Date> event_date;
  // The next step that is not done (or nothing if all are done): its title, state and due date.
  std::string next_step;
  std::optional<StepState> next_state;
  std::optional<Date> next_due;
  std::string purge;  // "purge on 2027-03-01", "on hold" or "no purge date yet"
};

// A conflict the window shows, with what choosing each value means.
struct ConflictItem {
  enum class Kind { kActionOwner, kActionDue, kAttendanceStatus, kKeyDate, kText, kOther };
  Kind kind = Kind::kOther;
  std::string case_id;
  std::string target;  // action id, attendee id, key-date key, or note section (kText; empty: comments)
  std::size_t number = 0;  // kText: the paragraph conflict's number in its text
  std::string subject;  // "Action: Arrange a core group" / "Attendance: Health"
  std::string field;    // "owner", "due date", "status", "event"
  Conflicted<std::string> values;  // rendered values, with author names and times
};

struct SyncOutcome {
  bool enrolled = false;
  bool reached = false;
  std::string message;  // for the status line, plain words
  std::size_t pushed = 0, pulled = 0;
  std::size_t conflicts = 0;
};

class DesktopSession {
 public:
  ~DesktopSession();
  DesktopSession(const DesktopSession&) = delete;
  DesktopSession& operator=(const DesktopSession&) = delete;

  // Unlocks (Argon2id: about 0.5 s) and runs the retention purge, as every CLI command does.
  [[nodiscard]] static Result<std::unique_ptr<DesktopSession>> Open(const std::filesystem::path& dir,
                                                                   std::string_view passphrase);
  // Creates a store; `author` is the person's name shown beside their changes on other devices.
  // REQUIRES the passphrase to pass CheckPassphraseStrength unless `cheap_kdf_for_tests`.
  [[nodiscard]] static Result<std::unique_ptr<DesktopSession>> Create(const std::filesystem::path& dir,
                                                                     std::string_view passphrase,
                                                                     std::string_view author,
                                                                     bool cheap_kdf_for_tests = false);
  [[nodiscard]] static Status CheckStrength(std::string_view passphrase);
  static bool StoreExists(const std::filesystem::path& dir);

  [[nodiscard]] Status ChangePassphrase(std::string_view new_passphrase);
  std::string author() const;

  [[nodiscard]] Result<std::vector<CaseRow>> ListCases(const Date& today);
  [[nodiscard]] Result<CaseDetail> GetCase(const std::string& case_id);
  [[nodiscard]] Result<CaseTimescales> Timescales(const std::string& case_id, const Date& today);
  [[nodiscard]] Result<std::string> PurgeLine(const std::string& case_id);
  [[nodiscard]] Result<std::string> CreateCase(const NewCase& c);

  [[nodiscard]] Status SetKeyDate(const std::string& case_id, const std::string& key, const Date& date);
  // A key date typed on the wrong step or case goes (CaseChange::cleared_dates).
  [[nodiscard]] Status ClearKeyDate(const std::string& case_id, const std::string& key);
  // Any of CaseChange's fields (MAPM's chair, minute-taker, time and the family; MAS's report writer).
  [[nodiscard]] Status UpdateCase(const std::string& case_id, const CaseChange& change);
  // MAS (003 §1.3, §4.2): why the case was referred, or the rationale for not referring it.
  [[nodiscard]] Status SetMasReferral(const std::string& case_id, const MasReferral& referral);
  [[nodiscard]] Status SetNote(const std::string& case_id, const std::string& section, const std::string& text);
  [[nodiscard]] Result<std::string> ReadNote(const std::string& case_id, const std::string& section);
  // A keystroke's worth: `remove` code points at code point `pos`, then `insert` there (CaseService::EditNote).
  [[nodiscard]] Status EditNote(const std::string& case_id, const std::string& section, std::uint64_t pos,
                                std::uint64_t remove, const std::string& insert);
  [[nodiscard]] Status SetComments(const std::string& case_id, const std::string& text);
  [[nodiscard]] Result<std::string> RecordAttendance(const std::string& case_id, std::optional<std::string> id,
                                                     const Attendance& a);
  [[nodiscard]] Result<std::string> AddAction(const std::string& case_id, const Action& a);
  [[nodiscard]] Status UpdateAction(const std::string& case_id, const std::string& action_id,
                                    std::optional<std::string> what, std::optional<Owner> owner,
                                    std::optional<Date> due, std::optional<ActionStatus> status);
  // The 001 action plan form's fields of an action (recommendation, rationale, outcome, measure, progress).
  [[nodiscard]] Status UpdateActionPlan(const std::string& case_id, const std::string& action_id,
                                        const ActionPlanFields& plan);
  // The action was reported back to `to` (an ActionReportTargets() key, 003 §4.7) on `on`.
  [[nodiscard]] Status RecordActionReported(const std::string& case_id, const std::string& action_id,
                                            const std::string& to, const Date& on);
  [[nodiscard]] Result<std::string> AddChronology(const std::string& case_id, const ChronologyEntry& e);
  // The chronology's header (001 Appendix 1), replaced as a whole; a period ending before it starts is refused.
  [[nodiscard]] Status SetChronologyHeader(const std::string& case_id, const ChronologyHeader& header);
  [[nodiscard]] Result<std::string> AddFeedback(const std::string& case_id, const ParticipantFeedback& f);
  // Replaces a participant's form (it keeps its id and place).
  [[nodiscard]] Status UpdateFeedback(const std::string& case_id, const std::string& feedback_id,
                                      const ParticipantFeedback& f);
  // MAPF (000 §6, §7): the planning group, each agency's agreement, then the Local Operational Group's.
  [[nodiscard]] Result<std::string> AddPlanningMember(const std::string& case_id, const PlanningMember& m);
  [[nodiscard]] Status RecordMemberAgreement(const std::string& case_id, const std::string& member_id, const Date& on);
  [[nodiscard]] Status RecordLogAgreement(const std::string& case_id, const Date& on);
  // MAPM (002 §10): a review of the action plan (every review is kept).
  [[nodiscard]] Result<std::string> AddMapmReview(const std::string& case_id, const MapmReview& review);
  // Who the report (MAPM: the minutes) goes to, and when each was sent; recording one as sent.
  [[nodiscard]] Result<std::vector<ReportRecipient>> ReportRecipients(const std::string& case_id);
  [[nodiscard]] Status RecordReportSent(const std::string& case_id, const std::string& recipient, const Date& on);
  [[nodiscard]] Status AddDocument(const std::string& case_id, DocumentType type, const std::string& name,
                                   const Date& received, const std::string& from, const std::string& bytes);
  // Deletes a row of one of the case's tables (CaseService::DeleteRow: syncs; a concurrent edit brings it back).
  [[nodiscard]] Status DeleteRow(const std::string& case_id, CaseTable row, const std::string& id);
  // The decrypted bytes of a document, for the in-memory viewer (audited as an export).
  [[nodiscard]] Result<std::string> ReadDocument(const std::string& case_id, const std::string& document_id);

  // A transfer pack for the case, sealed to a newly generated Business Unit style password, written to
  // `out` atomically. Returns the password (to be shown once) and how many documents went in.
  struct SealedPack {
    std::string password;
    std::size_t documents = 0;
  };
  [[nodiscard]] Result<SealedPack> SealPackWithPassword(const std::string& case_id, const std::filesystem::path& out,
                                                        const std::string& from, bool include_notes);
  // Opens a password pack and imports it (all or nothing). Returns the case id it went into.
  [[nodiscard]] Result<std::string> OpenPackWithPassword(const std::filesystem::path& file, const std::string& password);

  [[nodiscard]] Result<std::string> ReportHtml(const std::string& case_id, const Date& report_date);
  // Renders the event's report (or the participants' feedback form) in `format` with render/ (as
  // `casepack report --format`) and writes it to `out` (WriteExportFile: no named temporary file, nothing
  // written on failure; an existing file is replaced, the file dialog having asked). Audited as a report.
  [[nodiscard]] Status SaveReport(const std::string& case_id, const Date& report_date, ReportDocument which,
                                  ReportFormat format, const std::filesystem::path& out);

  [[nodiscard]] Result<std::vector<ConflictItem>> Conflicts();
  // Keeps candidate `choice` of `item` (resolving it everywhere once synced).
  [[nodiscard]] Status Resolve(const ConflictItem& item, std::size_t choice);

  // Changes made here and not yet acknowledged by the server (SyncService::UnsentChanges).
  [[nodiscard]] Result<std::size_t> Unsent();
  // Whether a server is set up (no network needed).
  bool Enrolled();
  [[nodiscard]] Result<SyncOutcome> Sync();

 private:
  explicit DesktopSession(std::unique_ptr<ClientSession> session);
  std::unique_ptr<ClientSession> session_;
  CaseService* cases_;  // owned by session_, valid until it locks
};

template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Ok() : Status(r.error());
}
// One or two sentences for people: what happened, and the hint if there is one.
std::string Explain(const Error& e);

// On-screen forms (UX.md conventions).
std::string ScreenDate(const Date& d);  // "Fri 27 Nov 2026"
// A person's name for an author field; a device fallback never shows its id.
std::string AuthorForScreen(const std::string& author);

}  // namespace casepack::desktop
