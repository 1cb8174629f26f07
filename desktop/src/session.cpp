#include "session.h"

#include "i18n.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <iterator>

#include "casepack/audit.h"
#include "casepack/cases.h"
#include "casepack/packs.h"
#include "casepack/password.h"
#include "casepack/report.h"
#include "casepack/report_layout.h"
#include "casepack/retention.h"
#include "casepack/clock.h"
#include "casepack/export_file.h"
#include "casepack/render.h"
#include "casepack/report_render.h"
#include "casepack/session.h"
#include "casepack/store.h"
#include "casepack/sync_service.h"

namespace casepack::desktop {

namespace {

std::string AttendeeLabel(const Attendance& a) {
  return a.role.empty() ? a.agency : a.agency + " (" + a.role + ")";
}
}  // namespace

DesktopSession::DesktopSession(std::unique_ptr<ClientSession> session)
    : session_(std::move(session)), cases_(*session_->cases()) {
  // The window links render/: the client's services render PDF and Word with it, not with the CLI's module.
  SetReportRenderer([](const ReportLayout& layout, ReportFormat format) {
    return RenderLayout(layout, format, RenderOptionsFromEnvironment());
  });
}

// Snapshots written, then every key and cached plaintext wiped (ClientSession::Lock).
DesktopSession::~DesktopSession() { session_->Lock(); }

namespace {
SessionOptions Options() {
  SessionOptions o;
  o.purpose = "casepack-desktop";
  return o;
}
}  // namespace

Result<std::unique_ptr<DesktopSession>> DesktopSession::Open(const std::filesystem::path& dir,
                                                             std::string_view passphrase) {
  InitCrypto();
  CP_ASSIGN_OR_RETURN(std::unique_ptr<ClientSession> session, ClientSession::Unlock(dir, passphrase, SystemClock(), Options()));
  // As every CLI command: cases past their retention date go before anything is shown.
  CP_ASSIGN_OR_RETURN(RetentionService * retention, session->retention());
  CP_RETURN_IF_ERROR(StatusOf(retention->PurgeDue()));
  return std::unique_ptr<DesktopSession>(new DesktopSession(std::move(session)));
}

Result<std::unique_ptr<DesktopSession>> DesktopSession::Create(const std::filesystem::path& dir,
                                                               std::string_view passphrase, std::string_view author,
                                                               bool cheap_kdf_for_tests) {
  InitCrypto();
  if (!cheap_kdf_for_tests) CP_RETURN_IF_ERROR(CheckPassphraseStrength(passphrase));
  if (author.empty()) return MakeError(ErrorCode::kInvalidArgument, "your name is needed", "others see it beside your changes");
  CP_RETURN_IF_ERROR(StatusOf(Store::Create(dir, passphrase,
                                            cheap_kdf_for_tests ? KdfParams::CheapForTests() : KdfParams::Default(),
                                            "casepack-desktop")));
  {
    // The author is read when the case service is built: record it before the session builds one.
    CP_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(dir, passphrase, "casepack-desktop"));
    CP_ASSIGN_OR_RETURN(Statement st, store->db().Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('author', ?1);"));
    st.Bind(1, author);
    CP_RETURN_IF_ERROR(st.Run());
  }
  CP_ASSIGN_OR_RETURN(std::unique_ptr<ClientSession> session, ClientSession::Unlock(dir, passphrase, SystemClock(), Options()));
  return std::unique_ptr<DesktopSession>(new DesktopSession(std::move(session)));
}

Status DesktopSession::CheckStrength(std::string_view passphrase) { return CheckPassphraseStrength(passphrase); }

bool DesktopSession::StoreExists(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(StorePaths{dir}.header(), ec);
}

Status DesktopSession::ChangePassphrase(std::string_view new_passphrase) {
  CP_RETURN_IF_ERROR(CheckPassphraseStrength(new_passphrase));
  CP_ASSIGN_OR_RETURN(Store * store, session_->store());
  return store->ChangePassphrase(new_passphrase, KdfParams::Default());
}

std::string DesktopSession::author() const {
  auto store = session_->store();
  if (!store.ok()) return {};
  auto st = (*store)->db().Prepare("SELECT value FROM meta WHERE key = 'author';");
  if (st.ok()) {
    auto row = st->Step();
    if (row.ok() && *row) return st->Text(0);
  }
  return {};
}

Result<std::vector<CaseRow>> DesktopSession::ListCases(const Date& today) {
  CP_ASSIGN_OR_RETURN(std::vector<CaseSummary> list, cases_->ListCases());
  CP_ASSIGN_OR_RETURN(RetentionService * retention_service, session_->retention());
  CP_ASSIGN_OR_RETURN(std::vector<CaseRetention> retention, retention_service->ForAllCases(today));
  std::vector<CaseRow> rows;
  rows.reserve(list.size());
  for (const CaseSummary& s : list) {
    CaseRow row;
    row.id = s.id;
    row.event_type = s.event_type;
    row.subject = s.subject.name_or_initials;
    row.area = s.subject.area;
    row.status = s.status;
    const Case c = s.AsCase();
    if (auto e = c.KeyDate("event"); e) row.event_date = *e;
    if (auto e = c.KeyDate("meeting"); e && !row.event_date) row.event_date = *e;
    for (const TimescaleStep& step : ComputeTimescales(c, today).steps) {
      if (step.state == StepState::kDone) continue;
      row.next_step = StepTitle(UiLanguage(), step);
      row.next_state = step.state;
      row.next_due = step.due;
      break;
    }
    for (const CaseRetention& r : retention) {
      if (r.case_id != s.id) continue;
      if (r.hold) row.purge = Words::tr("on hold").toStdString();
      else if (r.deadline) row.purge = Words::tr("purge %1").arg(L(ScreenDate(r.deadline->purge_on))).toStdString();
      else row.purge = Words::tr("no purge date yet").toStdString();
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<CaseDetail> DesktopSession::GetCase(const std::string& case_id) { return cases_->GetCase(case_id); }

Result<CaseTimescales> DesktopSession::Timescales(const std::string& case_id, const Date& today) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, cases_->GetCase(case_id));
  return ComputeTimescales(d.record, today);
}

Result<std::string> DesktopSession::PurgeLine(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(RetentionService * retention, session_->retention());
  CP_ASSIGN_OR_RETURN(CaseRetention r, retention->ForCase(case_id));
  if (r.hold) return Words::tr("On hold (court proceedings): nothing is purged while the hold lasts.").toStdString();
  if (r.deadline) return Words::tr("Purged from every device on %1.").arg(L(ScreenDate(r.deadline->purge_on))).toStdString();
  return Words::tr("No purge date yet: it is set once the report date is recorded.").toStdString();
}

Result<std::string> DesktopSession::CreateCase(const NewCase& c) { return cases_->CreateCase(c); }

Status DesktopSession::SetKeyDate(const std::string& case_id, const std::string& key, const Date& date) {
  CaseChange change;
  change.key_dates[key] = date;
  return cases_->UpdateCase(case_id, change);
}

Status DesktopSession::ClearKeyDate(const std::string& case_id, const std::string& key) {
  CaseChange change;
  change.cleared_dates.push_back(key);
  return cases_->UpdateCase(case_id, change);
}
Status DesktopSession::UpdateCase(const std::string& case_id, const CaseChange& change) {
  return cases_->UpdateCase(case_id, change);
}
Status DesktopSession::SetMasReferral(const std::string& case_id, const MasReferral& referral) {
  return cases_->SetMasReferral(case_id, referral);
}

Status DesktopSession::SetNote(const std::string& case_id, const std::string& section, const std::string& text) {
  return cases_->SetNote(case_id, section, text);
}
Result<std::string> DesktopSession::ReadNote(const std::string& case_id, const std::string& section) {
  return cases_->ReadNote(case_id, section);
}
Status DesktopSession::EditNote(const std::string& case_id, const std::string& section, std::uint64_t pos,
                                std::uint64_t remove, const std::string& insert) {
  return cases_->EditNote(case_id, section, pos, remove, insert);
}
Status DesktopSession::SetComments(const std::string& case_id, const std::string& text) {
  return cases_->SetFacilitatorComments(case_id, text);
}
Result<std::string> DesktopSession::RecordAttendance(const std::string& case_id, std::optional<std::string> id,
                                                     const Attendance& a) {
  return cases_->RecordAttendance(case_id, std::move(id), a);
}
Result<std::string> DesktopSession::AddAction(const std::string& case_id, const Action& a) {
  return cases_->AddAction(case_id, a);
}
Status DesktopSession::UpdateAction(const std::string& case_id, const std::string& action_id,
                                    std::optional<std::string> what, std::optional<Owner> owner,
                                    std::optional<Date> due, std::optional<ActionStatus> status) {
  ActionChange c;
  c.what = std::move(what);
  c.owner = std::move(owner);
  c.due = due;
  c.status = status;
  return cases_->UpdateAction(case_id, action_id, c);
}
Status DesktopSession::UpdateActionPlan(const std::string& case_id, const std::string& action_id,
                                        const ActionPlanFields& plan) {
  ActionChange c;
  c.recommendation = plan.recommendation;
  c.rationale = plan.rationale;
  c.outcome = plan.outcome;
  c.measure = plan.measure;
  c.progress = plan.progress;
  return cases_->UpdateAction(case_id, action_id, c);
}
Status DesktopSession::RecordActionReported(const std::string& case_id, const std::string& action_id,
                                            const std::string& to, const Date& on) {
  return cases_->RecordActionReported(case_id, action_id, to, on);
}
Result<std::string> DesktopSession::AddChronology(const std::string& case_id, const ChronologyEntry& e) {
  return cases_->AddChronologyEntry(case_id, e);
}
Status DesktopSession::SetChronologyHeader(const std::string& case_id, const ChronologyHeader& header) {
  Status st = cases_->SetChronologyHeader(case_id, header);
  // The library's hint names the CLI's options; the window names its own lines.
  if (!st.ok() && st.error().code == ErrorCode::kInvalidArgument && st.error().hint == "check --from and --to")
    return Status(st.error().WithHint("check the dates of the time period covered"));
  return st;
}
Result<std::string> DesktopSession::AddFeedback(const std::string& case_id, const ParticipantFeedback& f) {
  return cases_->AddFeedback(case_id, f);
}

Status DesktopSession::UpdateFeedback(const std::string& case_id, const std::string& feedback_id,
                                      const ParticipantFeedback& f) {
  return cases_->UpdateFeedback(case_id, feedback_id, f);
}
Result<std::string> DesktopSession::AddPlanningMember(const std::string& case_id, const PlanningMember& m) {
  return cases_->AddPlanningMember(case_id, m);
}
Status DesktopSession::RecordMemberAgreement(const std::string& case_id, const std::string& member_id, const Date& on) {
  return cases_->RecordMemberAgreement(case_id, member_id, on);
}
Status DesktopSession::RecordLogAgreement(const std::string& case_id, const Date& on) {
  return cases_->RecordLogAgreement(case_id, on);
}
Result<std::string> DesktopSession::AddMapmReview(const std::string& case_id, const MapmReview& review) {
  return cases_->AddMapmReview(case_id, review);
}
Result<std::vector<ReportRecipient>> DesktopSession::ReportRecipients(const std::string& case_id) {
  return cases_->ReportRecipients(case_id);
}
Status DesktopSession::RecordReportSent(const std::string& case_id, const std::string& recipient, const Date& on) {
  return StatusOf(cases_->RecordReportSent(case_id, recipient, on));
}

Status DesktopSession::AddDocument(const std::string& case_id, DocumentType type, const std::string& name,
                                   const Date& received, const std::string& from, const std::string& bytes) {
  std::size_t offset = 0;
  ByteSource source = [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
    const std::size_t n = std::min(buf.size(), bytes.size() - offset);
    std::copy_n(bytes.data() + offset, n, reinterpret_cast<char*>(buf.data()));
    offset += n;
    return n;
  };
  return StatusOf(cases_->AddDocument(case_id, type, name, received, from, source));
}

Status DesktopSession::DeleteRow(const std::string& case_id, CaseTable row, const std::string& id) {
  return cases_->DeleteRow(case_id, row, id);
}

Result<std::string> DesktopSession::ReadDocument(const std::string& case_id, const std::string& document_id) {
  std::string out;
  CP_RETURN_IF_ERROR(cases_->ExportDocument(case_id, document_id, [&](std::span<const std::uint8_t> b) -> Status {
    out.append(reinterpret_cast<const char*>(b.data()), b.size());
    return Ok();
  }));
  CP_ASSIGN_OR_RETURN(Audit * audit, session_->audit());
  CP_RETURN_IF_ERROR(StatusOf(audit->Record(AuditKind::kDocumentExport, case_id, "desktop viewer " + document_id)));
  return out;
}

Result<DesktopSession::SealedPack> DesktopSession::SealPackWithPassword(const std::string& case_id,
                                                                        const std::filesystem::path& out,
                                                                        const std::string& from, bool include_notes) {
  CP_ASSIGN_OR_RETURN(SecretBytes generated, GeneratePassword());
  const std::string_view pw(reinterpret_cast<const char*>(generated.expose().data()), generated.size());
  CP_ASSIGN_OR_RETURN(ScryptRecipient scrypt, ScryptRecipient::Create(pw));
  const AgeRecipient* recipients[] = {&scrypt};
  PackSealOptions options;
  options.include_notes = include_notes;
  options.sending_agency = from;
  // Ciphertext only is buffered; WriteFileAtomically leaves the old file or the whole new one.
  struct Buffer final : AgeSink {
    std::string bytes;
    Status Write(std::span<const std::uint8_t> b) override {
      bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
      return Ok();
    }
  } sink;
  CP_ASSIGN_OR_RETURN(PackService * packs, session_->packs());
  CP_ASSIGN_OR_RETURN(PackContents contents, packs->Seal(case_id, options, recipients, sink));
  CP_RETURN_IF_ERROR(WriteFileAtomically(out, sink.bytes, 0600));
  CP_ASSIGN_OR_RETURN(Audit * audit, session_->audit());
  CP_RETURN_IF_ERROR(StatusOf(audit->Record(AuditKind::kPackSeal, case_id,
                                           "desktop, documents " + std::to_string(contents.documents.size()) + ", to a password")));
  return SealedPack{std::string(pw), contents.documents.size()};
}

Result<std::string> DesktopSession::OpenPackWithPassword(const std::filesystem::path& file, const std::string& password) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, "that file could not be read", "check where it was saved");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  AgeMemorySource source(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  CP_ASSIGN_OR_RETURN(ScryptIdentity identity, ScryptIdentity::Create(password));
  const AgeIdentity* identities[] = {&identity};
  CP_ASSIGN_OR_RETURN(PackService * packs, session_->packs());
  CP_ASSIGN_OR_RETURN(PackImportResult r, packs->Open(source, identities));
  CP_ASSIGN_OR_RETURN(Audit * audit, session_->audit());
  CP_RETURN_IF_ERROR(StatusOf(audit->Record(AuditKind::kPackOpen, r.case_id, "desktop")));
  return r.case_id;
}

Result<std::string> DesktopSession::ReportHtml(const std::string& case_id, const Date& report_date) {
  CP_ASSIGN_OR_RETURN(ReportInput in, cases_->BuildReportInput(case_id, report_date));
  // The preview speaks the window's language (the CLI writes Welsh, English or bilingual on request).
  const ReportLanguage lang = UiLanguage() == Language::kWelsh ? ReportLanguage::kWelsh : ReportLanguage::kEnglish;
  return RenderTextLayout(BuildReportLayout(in, ReportDocument::kReport, lang), ReportFormat::kHtml);
}

Status DesktopSession::SaveReport(const std::string& case_id, const Date& report_date, ReportDocument which,
                                  ReportFormat format, const std::filesystem::path& out) {
  CP_ASSIGN_OR_RETURN(ReportInput in, cases_->BuildReportInput(case_id, report_date));
  // Rendered whole before the file is touched: a missing font or a render failure writes nothing.
  CP_ASSIGN_OR_RETURN(std::string bytes, RenderLayout(BuildReportLayout(in, which), format, RenderOptionsFromEnvironment()));
  const Status written = WriteExportFile(out, bytes, /*replace=*/true);
  std::fill(bytes.begin(), bytes.end(), '\0');
  CP_RETURN_IF_ERROR(written);
  CP_ASSIGN_OR_RETURN(Audit * audit, session_->audit());
  return StatusOf(audit->Record(AuditKind::kReport, case_id,
                                std::string("desktop, ") + (which == ReportDocument::kFeedback ? "feedback" : "report") +
                                    " written, format " + std::string(ToString(format))));
}

Result<std::vector<ConflictItem>> DesktopSession::Conflicts() {
  std::vector<ConflictItem> out;
  CP_ASSIGN_OR_RETURN(std::vector<CaseSummary> list, cases_->ListCases());
  for (const CaseSummary& summary : list) {
    const std::string& id = summary.id;
    auto detail = cases_->GetCase(id);
    if (!detail.ok()) continue;  // a case received but not readable yet: sync reports it
    const CaseDetail& d = *detail;
    const std::string who = d.record.subject.name_or_initials + " · ";
    for (const Action& a : d.actions) {
      if (a.owner.has_conflict()) {
        ConflictItem c{ConflictItem::Kind::kActionOwner, id, a.id, 0, who + Words::tr("Action: %1").arg(L(a.what)).toStdString(),
                       Words::tr("owner").toStdString(), {}};
        for (const auto& cand : a.owner.candidates)
          c.values.candidates.push_back({DescribeOwner(cand.value), cand.author, cand.at});
        out.push_back(std::move(c));
      }
      if (a.due.has_conflict()) {
        ConflictItem c{ConflictItem::Kind::kActionDue, id, a.id, 0, who + Words::tr("Action: %1").arg(L(a.what)).toStdString(),
                       Words::tr("due date").toStdString(), {}};
        for (const auto& cand : a.due.candidates)
          c.values.candidates.push_back({ScreenDate(cand.value), cand.author, cand.at});
        out.push_back(std::move(c));
      }
    }
    for (const AttendanceRecord& r : d.attendance) {
      if (!r.status_values.has_conflict()) continue;
      out.push_back({ConflictItem::Kind::kAttendanceStatus, id, r.id, 0,
                     who + Words::tr("Attendance: %1").arg(L(AttendeeLabel(r.attendance))).toStdString(),
                     Words::tr("status").toStdString(), r.status_values});
    }
    for (const KeyDateDef& def : KeyDateDefs(d.record.event_type)) {
      for (const FieldConflict& f : d.conflicts) {
        if (f.subject != "case" || f.field != def.title) continue;
        out.push_back({ConflictItem::Kind::kKeyDate, id, std::string(def.key), 0, who + Words::tr("Key date").toStdString(),
                       KeyDateTitle(UiLanguage(), d.record.event_type, def), f.values});
      }
    }
    CP_ASSIGN_OR_RETURN(std::vector<NoteConflict> texts, cases_->TextConflicts(id));
    for (NoteConflict& t : texts) {
      std::string title = (ProcessOf(d.record.event_type) == EventType::kCpr ? Words::tr("Reviewers' comments")
                                                                               : Words::tr("Facilitator's comments"))
                              .toStdString();
      if (!t.section.empty()) {
        auto def = FindNoteSection(d.record.event_type, t.section);
        title = def.ok() ? Words::tr("Notes: %1").arg(L(SectionTitle(UiLanguage(), d.record.event_type, **def))).toStdString()
                         : t.title;
      }
      out.push_back({ConflictItem::Kind::kText, id, t.section, t.number, who + title,
                     Words::tr("paragraph %1").arg(t.paragraph != 0 ? t.paragraph : t.number).toStdString(),
                     std::move(t.versions)});
    }
  }
  return out;
}

Status DesktopSession::Resolve(const ConflictItem& item, std::size_t choice) {
  if (choice >= item.values.candidates.size()) return MakeError(ErrorCode::kInvalidArgument, "no such choice");
  // Re-read the field: the rendered value shown is not the stored form.
  CP_ASSIGN_OR_RETURN(CaseDetail d, cases_->GetCase(item.case_id));
  switch (item.kind) {
    case ConflictItem::Kind::kActionOwner:
    case ConflictItem::Kind::kActionDue:
      for (const Action& a : d.actions) {
        if (a.id != item.target) continue;
        ActionChange change;
        if (item.kind == ConflictItem::Kind::kActionOwner) {
          if (choice >= a.owner.candidates.size()) break;
          change.owner = a.owner.candidates[choice].value;
        } else {
          if (choice >= a.due.candidates.size()) break;
          change.due = a.due.candidates[choice].value;
        }
        return cases_->UpdateAction(item.case_id, a.id, change);
      }
      break;
    case ConflictItem::Kind::kAttendanceStatus:
      for (const AttendanceRecord& r : d.attendance) {
        if (r.id != item.target || choice >= r.status_values.candidates.size()) continue;
        Attendance a = r.attendance;
        CP_ASSIGN_OR_RETURN(a.status, ParseAttendanceStatus(r.status_values.candidates[choice].value));
        return StatusOf(cases_->RecordAttendance(item.case_id, r.id, a));
      }
      break;
    case ConflictItem::Kind::kKeyDate: {
      CP_ASSIGN_OR_RETURN(Date date, ParseDate(item.values.candidates[choice].value));
      CaseChange change;
      change.key_dates[item.target] = date;
      return cases_->UpdateCase(item.case_id, change);
    }
    case ConflictItem::Kind::kText:
      // Versions are listed in the order ResolveTextConflict's `pick` counts (1-based).
      return cases_->ResolveTextConflict(item.case_id, item.target, item.number, choice + 1, std::nullopt);
    case ConflictItem::Kind::kOther:
      break;
  }
  return MakeError(ErrorCode::kNotFound, "that conflict has already been resolved", "look at the list again");
}

Result<std::size_t> DesktopSession::Unsent() {
  CP_ASSIGN_OR_RETURN(SyncService * sync, session_->sync());
  return sync->UnsentChanges();
}

bool DesktopSession::Enrolled() {
  auto sync = session_->sync();
  return sync.ok() && (*sync)->Config().ok();
}

Result<SyncOutcome> DesktopSession::Sync() {
  SyncOutcome o;
  o.enrolled = Enrolled();
  if (!o.enrolled) {
    o.message = Words::tr("Not connected to a central store: everything stays on this laptop.").toStdString();
    return o;
  }
  CP_ASSIGN_OR_RETURN(SyncService * sync, session_->sync());
  auto r = sync->Sync();
  if (!r.ok()) {
    if (r.error().code == ErrorCode::kUnavailable) {
      o.message = Words::tr("Offline: the central store cannot be reached. Nothing is lost; it will try again.").toStdString();
      return o;
    }
    return r.error();
  }
  o.reached = true;
  for (const CaseSyncReport& c : r->cases) {
    o.pushed += c.pushed;
    o.pulled += c.pulled;
    o.conflicts += c.conflicts.size();
  }
  o.message = (r->ok() ? Words::tr("Synced") : Words::tr("Synced, but some cases could not be: try again later.")).toStdString();
  return o;
}

std::string ScreenDate(const Date& d) {
  return FormatShortDate(d, UiLanguage());
}

std::string AuthorForScreen(const std::string& author) {
  if (author.empty()) return Words::tr("someone").toStdString();
  // CaseService names an unnamed device "device <store id prefix>": never show the id.
  if (author.rfind("device ", 0) == 0) return Words::tr("a colleague (no name set)").toStdString();
  return author;
}

}  // namespace casepack::desktop
