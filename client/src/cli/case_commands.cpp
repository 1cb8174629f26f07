// casepack case | doc | note | comments | attend | action | chronology | feedback | deadlines (report: report_commands.cpp)
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <linux/magic.h>

#include "casepack/audit.h"
#include "casepack/cases.h"
#include "casepack/retention.h"
#include "io.h"
#include "retention_view.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

// Options shared by the command family, filled by CLI11 and read by the callbacks.
struct Args {
  std::string case_id, item_id, section, file, output, type, subject, area, lead_agency, venue, status,
      received, from, name, agency, role, reason, what, owner_agency, owner_role, due, when, source, event,
      action_taken, analysis, format, report_date, today, barriers;
  std::vector<std::string> dates, facilitators, answers;
  bool json = false, force = false, past_purge_date = false, comments = false;
  std::optional<std::string> opt_id;
  std::size_t conflict = 1;
  std::optional<std::size_t> pick;
};

template <typename T>
T Must(Result<T> r, std::string_view option = {}) {
  if (!r.ok()) {
    Error e = r.error();
    if (!option.empty()) e = e.Context(option);
    throw CommandFailed{e};
  }
  return std::move(r).value();
}

struct Session {
  std::unique_ptr<ClientSession> session;
  CaseService* cases = nullptr;
  std::string case_id;
};

Session OpenCases(Context& ctx, std::string_view purpose, const std::string& case_arg = {}) {
  Session s;
  const std::uint64_t document_limit = DocumentLimitFromEnvironment();
  s.session = ctx.OpenSession(purpose, /*run_retention=*/true, document_limit);
  s.cases = &CasesOf(*s.session);
  if (!case_arg.empty()) s.case_id = Must(s.cases->ResolveCaseId(case_arg));
  if (!s.case_id.empty()) {
    // docs/audit.md. On a full disk the access cannot be recorded; reading must still work (a command
    // that writes fails on its own write, changing nothing), so this one says so and goes on.
    auto recorded = AuditOf(*s.session).Record(AuditKind::kCaseOpen, s.case_id, purpose);
    if (!recorded.ok() && recorded.error().code == ErrorCode::kNoSpace)
      std::fprintf(stderr, "casepack: warning: the disk is full: this access could not be added to the audit log\n");
    else if (!recorded.ok()) throw CommandFailed{recorded.error()};
  }
  return s;
}

std::map<std::string, Date, std::less<>> ParseKeyDates(EventType type, const std::vector<std::string>& items) {
  std::map<std::string, Date, std::less<>> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      Fail(ErrorCode::kInvalidArgument, "--date " + item + ": expected KEY=YYYY-MM-DD", "e.g. --date event=2026-03-04");
    const std::string key = item.substr(0, eq);
    Must(FindKeyDate(type, key), "--date");
    out[key] = ParseDateOption(item.substr(eq + 1), "--date " + key);
  }
  return out;
}

// The one item whose id starts with `prefix` (4 characters at least, as CaseService requires), or null:
// then the service call that follows reports the unknown, short or ambiguous id.
template <typename T, typename IdOf>
const T* UniqueByPrefix(const std::vector<T>& items, std::string_view prefix, IdOf id_of) {
  if (prefix.size() < 4) return nullptr;
  const T* found = nullptr;
  for (const T& item : items) {
    if (!std::string_view(id_of(item)).starts_with(prefix)) continue;
    if (found != nullptr) return nullptr;
    found = &item;
  }
  return found;
}

void PrintJson(const json& j) { std::cout << j.dump(2) << "\n"; }

json SummaryJson(const CaseSummary& s) {
  json dates = json::object();
  for (const auto& [k, d] : s.key_dates) dates[k] = FormatDate(d);
  return {{"id", s.id}, {"event_type", ToString(s.event_type)}, {"subject", s.subject.name_or_initials},
          {"area", s.subject.area}, {"lead_agency", s.lead_agency}, {"status", ToString(s.status)},
          {"key_dates", dates}, {"updated_at", s.updated_at}};
}

json DetailJson(const CaseDetail& d) {
  json j = ToJson(d.record);
  j["facilitators"] = d.facilitators;
  j["documents"] = json::array();
  for (const auto& doc : d.documents) j["documents"].push_back(ToJson(doc.meta));
  j["attendance"] = json::array();
  for (const auto& a : d.attendance) {
    json row = ToJson(a.attendance);
    row["id"] = a.id;
    row["status_values"] = ToJson(a.status_values);
    j["attendance"].push_back(row);
  }
  j["notes"] = ToJson(d.notes);
  j["facilitator_comments"] = d.facilitator_comments;
  j["actions"] = json::array();
  for (const auto& a : d.actions) j["actions"].push_back(ToJson(a));
  j["chronology"] = json::array();
  for (const auto& [id, e] : d.chronology) {
    json row = ToJson(e);
    row["id"] = id;
    j["chronology"].push_back(row);
  }
  j["feedback"] = json::array();
  for (const auto& [id, f] : d.feedback) j["feedback"].push_back(ToJson(f));
  j["conflicts"] = json::array();
  for (const auto& c : d.conflicts) j["conflicts"].push_back(ToJson(c));
  return j;
}

std::string DescribeConflicted(const Conflicted<Owner>& c) {
  if (c.empty()) return "-";
  std::string s = DescribeOwner(c.value());
  for (const auto* alt : c.alternatives()) s += "  [CONFLICT: also " + DescribeOwner(alt->value) + " by " + alt->author + "]";
  return s;
}
std::string DescribeConflicted(const Conflicted<Date>& c) {
  if (c.empty()) return "-";
  std::string s = FormatDate(c.value());
  for (const auto* alt : c.alternatives()) s += "  [CONFLICT: also " + FormatDate(alt->value) + " by " + alt->author + "]";
  return s;
}

void PrintActions(const std::vector<Action>& actions) {
  if (actions.empty()) {
    std::printf("  (no actions)\n");
    return;
  }
  for (const auto& a : actions) {
    std::printf("  %s  [%s] %s\n      owner: %s\n      due:   %s\n", a.id.c_str(), std::string(ToString(a.status)).c_str(),
                a.what.c_str(), DescribeConflicted(a.owner).c_str(), DescribeConflicted(a.due).c_str());
  }
}

void PrintDetail(const CaseDetail& d) {
  const Case& c = d.record;
  std::printf("case        %s\n", c.id.c_str());
  std::printf("type        %s (%s)\n", std::string(ToString(c.event_type)).c_str(), std::string(LongName(c.event_type)).c_str());
  std::printf("subject     %s, %s\n", c.subject.name_or_initials.c_str(), c.subject.area.c_str());
  if (!c.lead_agency.empty()) std::printf("lead agency %s\n", c.lead_agency.c_str());
  if (!c.venue.empty()) std::printf("venue       %s\n", c.venue.c_str());
  std::printf("status      %s\n", std::string(ToString(c.status)).c_str());
  if (!d.facilitators.empty()) {
    std::string f;
    for (const auto& n : d.facilitators) f += (f.empty() ? "" : ", ") + n;
    std::printf("facilitators %s\n", f.c_str());
  }
  std::printf("\nkey dates\n");
  for (const KeyDateDef& def : KeyDateDefs(c.event_type)) {
    auto v = c.KeyDate(def.key);
    std::printf("  %-24s %s\n", std::string(def.key).c_str(), v ? FormatDate(*v).c_str() : "-");
  }
  std::printf("\ndocuments (%zu)\n", d.documents.size());
  for (const auto& doc : d.documents)
    std::printf("  %s  %-22s %s  %llu bytes  received %s from %s\n", doc.meta.id.c_str(),
                std::string(ToString(doc.meta.type)).c_str(), doc.meta.original_name.c_str(),
                static_cast<unsigned long long>(doc.meta.size), FormatDate(doc.meta.received).c_str(),
                doc.meta.sending_agency.c_str());
  std::printf("\nattendance (%zu)\n", d.attendance.size());
  for (const auto& a : d.attendance) {
    std::string status = std::string(ToString(a.attendance.status));
    for (const auto* alt : a.status_values.alternatives()) status += " [CONFLICT: also " + alt->value + " by " + alt->author + "]";
    std::printf("  %s  %s%s%s: %s%s\n", a.id.c_str(), a.attendance.agency.c_str(),
                a.attendance.role.empty() ? "" : (", " + a.attendance.role).c_str(),
                a.attendance.name.empty() ? "" : (" (" + a.attendance.name + ")").c_str(), status.c_str(),
                a.attendance.reason.empty() ? "" : (" — " + a.attendance.reason).c_str());
  }
  std::printf("\nnotes\n");
  for (const NoteSectionDef& s : NoteSections(c.event_type)) {
    auto it = d.notes.find(s.key);
    std::printf("  %-28s %zu characters\n", std::string(s.key).c_str(), it == d.notes.end() ? 0 : it->second.size());
  }
  std::printf("\nactions (%zu)\n", d.actions.size());
  PrintActions(d.actions);
  std::printf("\nchronology entries %zu, feedback forms %zu\n", d.chronology.size(), d.feedback.size());
  if (!d.conflicts.empty()) {
    std::printf("\nconflicts needing a person (%zu)\n", d.conflicts.size());
    for (const auto& f : d.conflicts) {
      std::string values;
      for (const auto& cand : f.values.candidates) values += (values.empty() ? "" : " | ") + cand.value + " (" + cand.author + ")";
      std::printf("  %s, %s: %s\n", f.subject.c_str(), f.field.c_str(), values.c_str());
    }
  }
}

// A private RAM-backed directory for `doc open`: $XDG_RUNTIME_DIR must be tmpfs or ramfs, so the
// decrypted document never reaches a disk.
std::filesystem::path PrivateRamDirectory() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  struct statfs fs_info {};
  if (runtime == nullptr || *runtime == '\0' || ::statfs(runtime, &fs_info) != 0 ||
      (static_cast<unsigned long>(fs_info.f_type) != TMPFS_MAGIC && static_cast<unsigned long>(fs_info.f_type) != RAMFS_MAGIC)) {
    Fail(ErrorCode::kUnavailable, "no private in-memory directory to open the document from ($XDG_RUNTIME_DIR is unset or not tmpfs)",
         "casepack will not write a decrypted document to disk; use 'casepack doc export CASE DOC -o FILE' if you accept that");
  }
  std::string tmpl = std::string(runtime) + "/casepack-view-" + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) Fail(ErrorCode::kIo, std::string("cannot create a private directory: ") + std::strerror(errno));
  return tmpl;
}

// The decrypted document lives only in an anonymous memory file (memfd): no name on any file system, gone
// when the last process holding it exits — casepack and the viewer — whatever kills them. Sealed
// read-only once written. The viewer inherits the descriptor and reaches it by /proc/self/fd/N.
int MemoryFileWith(CaseService& cases, const std::string& case_id, const std::string& doc_id, const std::string& name) {
  const int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) Fail(ErrorCode::kUnavailable, std::string("cannot create an in-memory file: ") + std::strerror(errno));
  (void)::fchmod(fd, 0600);
  const Status written = cases.ExportDocument(case_id, doc_id, [fd](std::span<const std::uint8_t> b) -> Status {
    while (!b.empty()) {
      const ssize_t n = ::write(fd, b.data(), b.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return MakeError(errno == ENOSPC ? ErrorCode::kNoSpace : ErrorCode::kIo,
                                   std::string("cannot fill the in-memory file: ") + std::strerror(errno));
      b = b.subspan(static_cast<std::size_t>(n));
    }
    return Ok();
  });
  if (!written.ok()) {
    ::close(fd);
    throw CommandFailed{written.error()};
  }
  (void)::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

// Ignores SIGINT, SIGQUIT, SIGHUP and SIGTERM for its lifetime (restoring the previous dispositions).
class SignalsDeferred {
 public:
  SignalsDeferred() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &ignore, &saved_[i]);
  }
  ~SignalsDeferred() {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }
  SignalsDeferred(const SignalsDeferred&) = delete;
  SignalsDeferred& operator=(const SignalsDeferred&) = delete;
  // In a forked child before exec: the viewer gets the dispositions casepack was started with.
  void RestoreInChild() const {
    for (std::size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }

 private:
  static constexpr int kSignals[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
  struct sigaction saved_[std::size(kSignals)] {};
};

}  // namespace

void SweepViewerLeftovers() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime == nullptr || *runtime == '\0') return;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(runtime, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("casepack-view-", 0) != 0 || !it->is_directory(ec) || it->is_symlink(ec)) continue;
    // casepack-view-PID-XXXXXX: a link only, kept while its run is alive. casepack-view-XXXXXX: left by a
    // build before memfd viewing, and holding the plaintext itself.
    const std::string rest = name.substr(14);
    const auto dash = rest.find('-');
    if (dash != std::string::npos) {
      const pid_t pid = static_cast<pid_t>(std::atol(rest.substr(0, dash).c_str()));
      if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;
    }
    std::error_code rm;
    std::filesystem::remove_all(it->path(), rm);
  }
}

void RegisterCaseCommands(CLI::App& app, Context& ctx) {
  static Args a;

  // ---- case ----
  auto* case_cmd = app.add_subcommand("case", "create, list, show and change cases");
  case_cmd->require_subcommand(1);
  auto* case_new = case_cmd->add_subcommand("new", "create a case (prints its id)");
  case_new->add_option("--type", a.type, "event type: MAS, MAPF or MAPM")->required();
  case_new->add_option("--subject", a.subject, "the child's name or initials")->required();
  case_new->add_option("--area", a.area, "local authority area")->required();
  case_new->add_option("--lead-agency", a.lead_agency, "lead (MAPF) or convening (MAPM) agency");
  case_new->add_option("--venue", a.venue, "where the event takes place");
  case_new->add_option("--date", a.dates, "a key date, KEY=YYYY-MM-DD (repeatable); see 'casepack case keys'");
  case_new->add_option("--facilitator", a.facilitators, "a facilitator's name (repeatable)");
  case_new->add_flag("--past-purge-date", a.past_purge_date,
                     "create it even if its dates put it past its purge date (the next command purges it)");
  case_new->callback([&ctx] {
    NewCase c;
    c.event_type = Must(ParseEventType(a.type), "--type");
    c.subject = {a.subject, a.area};
    c.lead_agency = a.lead_agency;
    c.venue = a.venue;
    c.key_dates = ParseKeyDates(c.event_type, a.dates);
    c.facilitators = a.facilitators;
    auto s = OpenCases(ctx, "casepack case new");
    Case dated;
    dated.event_type = c.event_type;
    dated.key_dates = c.key_dates;
    Check(CheckNotPastPurgeDate(StoreOf(*s.session), dated, a.past_purge_date));
    const std::string id = Must(s.cases->CreateCase(c));
    std::printf("%s\n", id.c_str());
  });

  auto* case_list = case_cmd->add_subcommand("list", "list the cases in the store");
  case_list->add_flag("--json", a.json, "machine-readable output");
  case_list->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack case list");
    const auto cases = Must(s.cases->ListCases());
    if (a.json) {
      json arr = json::array();
      for (const auto& c : cases) arr.push_back(SummaryJson(c));
      ShowTombstones(*s.session, &arr);
      PrintJson(arr);
      return;
    }
    if (cases.empty()) std::printf("no cases yet: add one with 'casepack case new'\n");
    for (const auto& c : cases)
      std::printf("%s  %-4s  %-8s %-24s %-16s %s\n", c.id.substr(0, 8).c_str(), std::string(ToString(c.event_type)).c_str(),
                  std::string(ToString(c.status)).c_str(), c.subject.name_or_initials.c_str(), c.subject.area.c_str(),
                  c.lead_agency.c_str());
    ShowTombstones(*s.session, nullptr);
  });

  auto* case_show = case_cmd->add_subcommand("show", "show everything about a case");
  case_show->add_option("CASE", a.case_id, "case id (or its first characters)")->required();
  case_show->add_flag("--json", a.json, "machine-readable output");
  case_show->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack case show", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json j = DetailJson(d);
      ShowCaseRetention(*s.session, s.case_id, &j);
      PrintJson(j);
    } else {
      PrintDetail(d);
      ShowCaseRetention(*s.session, s.case_id, nullptr);
    }
  });

  auto* case_set = case_cmd->add_subcommand("set", "change a case's key dates, status, agency, venue or facilitators");
  case_set->add_option("CASE", a.case_id, "case id")->required();
  case_set->add_option("--date", a.dates, "a key date, KEY=YYYY-MM-DD (repeatable)");
  case_set->add_option("--status", a.status, "open, closed or cancelled");
  case_set->add_option("--lead-agency", a.lead_agency, "lead or convening agency");
  case_set->add_option("--venue", a.venue, "venue");
  case_set->add_option("--facilitator", a.facilitators, "the facilitators' names (repeatable; replaces the list)");
  case_set->callback([&ctx, case_set] {
    auto s = OpenCases(ctx, "casepack case set", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    CaseChange change;
    change.key_dates = ParseKeyDates(d.record.event_type, a.dates);
    if (case_set->count("--status")) change.status = Must(ParseCaseStatus(a.status), "--status");
    if (case_set->count("--lead-agency")) change.lead_agency = a.lead_agency;
    if (case_set->count("--venue")) change.venue = a.venue;
    if (case_set->count("--facilitator")) change.facilitators = a.facilitators;
    Check(s.cases->UpdateCase(s.case_id, change));
    std::printf("case %s updated\n", s.case_id.substr(0, 8).c_str());
  });

  auto* case_keys = case_cmd->add_subcommand("keys", "list the key dates and note sections of an event type");
  case_keys->add_option("--type", a.type, "MAS, MAPF or MAPM")->required();
  case_keys->callback([&ctx] {
    const EventType t = Must(ParseEventType(a.type), "--type");
    const Language l = ctx.lang;
    const std::string type(ToString(t));
    std::printf("%s\n", Fill(Label(l, "cli.key-dates-of"), "type", type).c_str());
    for (const auto& k : KeyDateDefs(t)) std::printf("  %-26s %s\n", std::string(k.key).c_str(), KeyDateTitle(l, t, k).c_str());
    std::printf("%s\n", Fill(Label(l, "cli.note-sections-of"), "type", type).c_str());
    for (const auto& s : NoteSections(t)) std::printf("  %-26s %s\n", std::string(s.key).c_str(), SectionTitle(l, t, s).c_str());
    std::printf("%s\n", Label(l, "cli.document-types").c_str());
    for (DocumentType d : AllDocumentTypes()) std::printf("  %-26s %s\n", std::string(ToString(d)).c_str(), Label(l, d).c_str());
  });

  // ---- documents ----
  auto* doc = app.add_subcommand("doc", "the case pack's documents, encrypted in the store");
  doc->require_subcommand(1);
  auto* doc_add = doc->add_subcommand("add", "add a document to a case (the file is encrypted into the store)");
  doc_add->add_option("CASE", a.case_id, "case id")->required();
  doc_add->add_option("FILE", a.file, "the document (at most 200 MiB; $CASEPACK_DOCUMENT_LIMIT_MB sets another limit)")->required();
  doc_add->add_option("--type", a.type, "icpc-minutes, rcpc-minutes, core-group-minutes, child-protection-plan, …")->required();
  doc_add->add_option("--received", a.received, "date received, YYYY-MM-DD (default today)");
  doc_add->add_option("--from", a.from, "sending agency")->required();
  doc_add->add_option("--name", a.name, "original file name (default: FILE's name)");
  doc_add->callback([&ctx] {
    const DocumentType type = Must(ParseDocumentType(a.type), "--type");
    const Date received = a.received.empty() ? Today() : ParseDateOption(a.received, "--received");
    const int fd = ::open(a.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail(ErrorCode::kIo, "cannot read " + a.file + ": " + std::strerror(errno), "nothing was added");
    struct Closer { int fd; ~Closer() { ::close(fd); } } closer{fd};
    ByteSource source = [fd, file = a.file](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) return MakeError(ErrorCode::kIo, "cannot read " + file + ": " + std::strerror(errno));
      }
    };
    auto s = OpenCases(ctx, "casepack doc add", a.case_id);
    const std::string name = a.name.empty() ? std::filesystem::path(a.file).filename().string() : a.name;
    const DocumentMeta meta = Must(s.cases->AddDocument(s.case_id, type, name, received, a.from, source));
    std::printf("%s  added %s (%llu bytes, sha256 %s)\n", meta.id.c_str(), meta.original_name.c_str(),
                static_cast<unsigned long long>(meta.size), meta.sha256.c_str());
  });

  auto* doc_list = doc->add_subcommand("list", "list a case's documents");
  doc_list->add_option("CASE", a.case_id, "case id")->required();
  doc_list->add_flag("--json", a.json, "machine-readable output");
  doc_list->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack doc list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& x : d.documents) arr.push_back(ToJson(x.meta));
      PrintJson(arr);
      return;
    }
    for (const auto& x : d.documents)
      std::printf("%s  %-24s %-40s %10llu  %s  %s\n", x.meta.id.c_str(), std::string(ToString(x.meta.type)).c_str(),
                  x.meta.original_name.c_str(), static_cast<unsigned long long>(x.meta.size),
                  FormatDate(x.meta.received).c_str(), x.meta.sending_agency.c_str());
  });

  auto* doc_export = doc->add_subcommand("export", "write a decrypted document to FILE (-o - for standard output)");
  doc_export->add_option("CASE", a.case_id, "case id")->required();
  doc_export->add_option("DOC", a.item_id, "document id")->required();
  doc_export->add_option("-o,--output", a.output, "where to write the decrypted document")->required();
  doc_export->add_flag("--force", a.force, "replace FILE if it exists");
  doc_export->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack doc export", a.case_id);
    const StoredDocument d = Must(s.cases->FindDocument(s.case_id, a.item_id));
    if (a.output == "-" && ::isatty(1))
      Fail(ErrorCode::kInvalidArgument, "refusing to write a document to the terminal", "redirect standard output, or use -o FILE");
    Output out(a.output, a.force);
    Check(s.cases->ExportDocument(s.case_id, d.meta.id, out.Sink()));
    out.Commit();
    AuditEvent(*s.session, AuditKind::kDocumentExport, s.case_id, "document " + d.meta.id + " exported");
    if (!out.is_stdout()) std::fprintf(stderr, "wrote %s (%llu bytes)\n", a.output.c_str(), static_cast<unsigned long long>(d.meta.size));
  });

  auto* doc_open = doc->add_subcommand("open", "show a document in the system viewer, from a private in-memory directory");
  doc_open->add_option("CASE", a.case_id, "case id")->required();
  doc_open->add_option("DOC", a.item_id, "document id")->required();
  doc_open->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack doc open", a.case_id);
    const StoredDocument d = Must(s.cases->FindDocument(s.case_id, a.item_id));
    // From here until the directory is removed, Ctrl-C, a closed terminal or SIGTERM must not kill us
    // and leave the plaintext behind: like system(), wait for the viewer through them (it gets them
    // too, and exits), then clean up. Declared first, so restored last.
    const SignalsDeferred deferred;
    const std::filesystem::path dir = PrivateRamDirectory();
    const std::string name = std::filesystem::path(d.meta.original_name).filename().string();
    const std::filesystem::path file = dir / name;
    struct Cleanup {
      std::filesystem::path dir;
      int fd = -1;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        if (fd >= 0) ::close(fd);
      }
    } cleanup{dir};
    cleanup.fd = MemoryFileWith(*s.cases, s.case_id, d.meta.id, name);
    // The private directory holds only a link with the document's name (viewers go by its extension);
    // the plaintext is never in it. A link a killed run left is swept at the next store open.
    std::error_code link_error;
    std::filesystem::create_symlink("/proc/self/fd/" + std::to_string(cleanup.fd), file, link_error);
    if (link_error) Fail(ErrorCode::kIo, "cannot create the viewer's link: " + link_error.message());
    AuditEvent(*s.session, AuditKind::kDocumentExport, s.case_id, "document " + d.meta.id + " opened in a viewer");
    const char* viewer_env = std::getenv("CASEPACK_VIEWER");
    const std::string viewer = viewer_env != nullptr && *viewer_env != '\0' ? viewer_env : "xdg-open";
    std::fprintf(stderr, "opening %s with %s; it is removed when the viewer exits\n", d.meta.original_name.c_str(), viewer.c_str());
    const pid_t pid = ::fork();
    if (pid == 0) {
      deferred.RestoreInChild();
      (void)::fcntl(cleanup.fd, F_SETFD, 0);  // the viewer inherits the in-memory file
      ::execlp(viewer.c_str(), viewer.c_str(), file.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      Fail(ErrorCode::kUnavailable, "the viewer '" + viewer + "' failed", "set CASEPACK_VIEWER to a program that opens files");
  });

  // ---- notes ----
  auto* note = app.add_subcommand("note", "notes in the sections of the event type (text from a file or standard input)");
  note->require_subcommand(1);
  for (const char* verb : {"add", "set"}) {
    const bool append = std::string_view(verb) == "add";
    auto* cmd = note->add_subcommand(verb, append ? "add a paragraph to a section" : "replace a section's text (only what differs is changed)");
    cmd->add_option("CASE", a.case_id, "case id")->required();
    cmd->add_option("SECTION", a.section, "section key; see 'casepack case keys --type TYPE'")->required();
    cmd->add_option("--file", a.file, "read the text from FILE (default: standard input)");
    cmd->callback([&ctx, append] {
      auto s = OpenCases(ctx, append ? "casepack note add" : "casepack note set", a.case_id);
      const std::string text = ReadTextInput(a.file, "note");
      Check(append ? s.cases->AppendNote(s.case_id, a.section, text) : s.cases->SetNote(s.case_id, a.section, text));
      std::printf("%s %s\n", append ? "added to" : "set", a.section.c_str());
    });
  }
  auto* note_show = note->add_subcommand("show", "print a case's notes (all sections, or one)");
  note_show->add_option("CASE", a.case_id, "case id")->required();
  note_show->add_option("SECTION", a.section, "one section key");
  note_show->add_flag("--json", a.json, "machine-readable output");
  note_show->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack note show", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (!a.section.empty()) Must(FindNoteSection(d.record.event_type, a.section));
    // Paragraphs edited on two devices stay listed under their section until `note resolve`.
    auto conflicts_of = [&](const NoteSectionDef& def) {
      std::vector<const FieldConflict*> out;
      for (const auto& f : d.conflicts)
        if (f.subject == "notes: " + std::string(def.title)) out.push_back(&f);
      return out;
    };
    if (a.json) {
      json j = json::object();
      json conflicts = json::array();
      for (const NoteSectionDef& def : NoteSections(d.record.event_type)) {
        if (!a.section.empty() && def.key != a.section) continue;
        if (auto it = d.notes.find(def.key); it != d.notes.end()) j[std::string(def.key)] = it->second;
        for (const FieldConflict* f : conflicts_of(def)) {
          json c = ToJson(*f);
          c["section"] = std::string(def.key);
          conflicts.push_back(std::move(c));
        }
      }
      if (!conflicts.empty()) j["conflicts"] = std::move(conflicts);
      PrintJson(j);
      return;
    }
    for (const NoteSectionDef& def : NoteSections(d.record.event_type)) {
      if (!a.section.empty() && def.key != a.section) continue;
      auto it = d.notes.find(def.key);
      std::printf("## %s  [%s]\n%s\n\n", std::string(def.title).c_str(), std::string(def.key).c_str(),
                  it == d.notes.end() ? "(empty)" : it->second.c_str());
      for (const FieldConflict* f : conflicts_of(def)) {
        std::printf("conflict: %s was rewritten on two devices; the text above holds every version:\n", f->field.c_str());
        for (std::size_t i = 0; i < f->values.candidates.size(); ++i) {
          const auto& c = f->values.candidates[i];
          std::printf("  version %zu by %s (%s):\n    %s\n", i + 1, c.author.c_str(), c.at.c_str(), c.value.c_str());
        }
        std::printf("  resolve: casepack note resolve CASE %s --conflict %s --pick N (or --file F)\n\n",
                    std::string(def.key).c_str(), f->field.substr(f->field.find(' ') + 1).c_str());
      }
    }
  });

  auto* note_resolve = note->add_subcommand("resolve", "end a paragraph conflict: keep one author's version, or rewrite it");
  note_resolve->add_option("CASE", a.case_id, "case id")->required();
  note_resolve->add_option("SECTION", a.section, "section key (omit with --comments)");
  note_resolve->add_flag("--comments", a.comments, "the conflict is in the facilitator's comments");
  note_resolve->add_option("--conflict", a.conflict, "which conflict of the section: N of \"paragraph N\" (default 1)");
  auto* pick = note_resolve->add_option("--pick", a.pick, "keep version N, as 'note show' or 'case show' number them");
  note_resolve->add_option("--file", a.file, "replace every version with this text")->excludes(pick);
  note_resolve->callback([&ctx, note_resolve] {
    if (a.comments == !a.section.empty())
      Fail(ErrorCode::kInvalidArgument, "usage: give a SECTION or --comments", "'casepack note show CASE' lists the conflicts");
    if (!a.pick && note_resolve->count("--file") == 0)
      Fail(ErrorCode::kInvalidArgument, "usage: give --pick N or --file F", "--pick keeps one author's version");
    auto s = OpenCases(ctx, "casepack note resolve", a.case_id);
    std::optional<std::string> text;
    if (!a.pick) text = ReadTextInput(a.file, "paragraph");
    Check(s.cases->ResolveTextConflict(s.case_id, a.section, a.conflict, a.pick, text));
    std::printf("resolved paragraph %zu of %s\n", a.conflict, a.comments ? "the comments" : a.section.c_str());
  });

  auto* comments = app.add_subcommand("comments", "the facilitator's comments for the report (text from a file or standard input)");
  comments->add_option("CASE", a.case_id, "case id")->required();
  comments->add_option("--file", a.file, "read the text from FILE (default: standard input)");
  comments->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack comments", a.case_id);
    Check(s.cases->SetFacilitatorComments(s.case_id, ReadTextInput(a.file, "comments")));
    std::printf("comments set\n");
  });

  // ---- attendance ----
  auto* attend = app.add_subcommand("attend", "record who was invited, attended, sent apologies or was absent");
  attend->add_option("CASE", a.case_id, "case id")->required();
  attend->add_option("--agency", a.agency, "agency (required to add an attendee)");
  attend->add_option("--role", a.role, "role, e.g. Health visitor");
  attend->add_option("--name", a.name, "the person's name (optional)");
  attend->add_option("--status", a.status, "invited, attended, apologies or absent (required to add an attendee)");
  attend->add_option("--reason", a.reason, "reason given for not attending");
  attend->add_option("--id", a.opt_id, "update this attendee instead of adding one (only the options given change)");
  attend->callback([&ctx, attend] {
    const bool has_status = attend->count("--status") > 0;
    if (!a.opt_id && (a.agency.empty() || !has_status))
      Fail(ErrorCode::kInvalidArgument, "usage: --agency and --status are required to add an attendee",
           "to change an attendee, name it with --id ID");
    const AttendanceStatus status = has_status ? Must(ParseAttendanceStatus(a.status), "--status") : AttendanceStatus::kInvited;
    auto s = OpenCases(ctx, "casepack attend", a.case_id);
    Attendance who;
    if (a.opt_id) {
      // An update changes only what is given: start from the attendee as recorded (if the id does not
      // name exactly one, RecordAttendance says why).
      const auto d = Must(s.cases->GetCase(s.case_id));
      if (const auto* rec = UniqueByPrefix(d.attendance, *a.opt_id, [](const AttendanceRecord& r) { return r.id; }))
        who = rec->attendance;
    }
    if (attend->count("--agency")) who.agency = a.agency;
    if (attend->count("--role")) who.role = a.role;
    if (attend->count("--name")) who.name = a.name;
    if (has_status) who.status = status;
    if (attend->count("--reason")) who.reason = a.reason;
    const std::string id = Must(s.cases->RecordAttendance(s.case_id, a.opt_id, who));
    std::printf("%s  %s: %s\n", id.c_str(), who.agency.c_str(), std::string(ToString(who.status)).c_str());
  });

  // ---- actions ----
  auto* action = app.add_subcommand("action", "actions agreed at the event");
  action->require_subcommand(1);
  auto* action_add = action->add_subcommand("add", "add an action");
  action_add->add_option("CASE", a.case_id, "case id")->required();
  action_add->add_option("--what", a.what, "what is to be done")->required();
  action_add->add_option("--owner-agency", a.owner_agency, "owning agency");
  action_add->add_option("--owner-role", a.owner_role, "owning role");
  action_add->add_option("--due", a.due, "due date, YYYY-MM-DD")->required();
  action_add->callback([&ctx] {
    Action act;
    act.what = a.what;
    act.owner = Conflicted<Owner>::Of(Owner{a.owner_agency, a.owner_role});
    act.due = Conflicted<Date>::Of(ParseDateOption(a.due, "--due"));
    auto s = OpenCases(ctx, "casepack action add", a.case_id);
    std::printf("%s\n", Must(s.cases->AddAction(s.case_id, act)).c_str());
  });
  auto* action_update = action->add_subcommand("update", "change an action's text, owner, due date or status");
  action_update->add_option("CASE", a.case_id, "case id")->required();
  action_update->add_option("ACTION", a.item_id, "action id")->required();
  action_update->add_option("--what", a.what, "what is to be done");
  action_update->add_option("--owner-agency", a.owner_agency, "owning agency");
  action_update->add_option("--owner-role", a.owner_role, "owning role");
  action_update->add_option("--due", a.due, "due date, YYYY-MM-DD");
  action_update->add_option("--status", a.status, "open, done or dropped");
  action_update->callback([&ctx, action_update] {
    ActionChange change;
    const bool agency = action_update->count("--owner-agency") > 0, role = action_update->count("--owner-role") > 0;
    if (action_update->count("--what")) change.what = a.what;
    if (action_update->count("--due")) change.due = ParseDateOption(a.due, "--due");
    if (action_update->count("--status")) change.status = Must(ParseActionStatus(a.status), "--status");
    auto s = OpenCases(ctx, "casepack action update", a.case_id);
    if (agency || role) {
      Owner owner{a.owner_agency, a.owner_role};
      if (!agency || !role) {
        // Only one half given: the other half stays as recorded (an owner is agency and role together).
        const auto d = Must(s.cases->GetCase(s.case_id));
        const auto* act = UniqueByPrefix(d.actions, a.item_id, [](const Action& x) { return x.id; });
        if (act != nullptr && !act->owner.empty()) {
          if (!agency) owner.agency = act->owner.value().agency;
          if (!role) owner.role = act->owner.value().role;
        }
      }
      change.owner = owner;
    }
    Check(s.cases->UpdateAction(s.case_id, a.item_id, change));
    std::printf("action updated\n");
  });
  auto* action_list = action->add_subcommand("list", "list a case's actions, with conflicting owners or dates shown");
  action_list->add_option("CASE", a.case_id, "case id")->required();
  action_list->add_flag("--json", a.json, "machine-readable output");
  action_list->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack action list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& x : d.actions) arr.push_back(ToJson(x));
      PrintJson(arr);
      return;
    }
    PrintActions(d.actions);
  });

  // ---- chronology ----
  auto* chron = app.add_subcommand("chronology", "the multi-agency chronology (001 format)");
  chron->require_subcommand(1);
  auto* chron_add = chron->add_subcommand("add", "add an entry");
  chron_add->add_option("CASE", a.case_id, "case id")->required();
  chron_add->add_option("--when", a.when, "YYYY-MM-DD or YYYY-MM-DDTHH:MM")->required();
  chron_add->add_option("--source", a.source, "agency or department")->required();
  chron_add->add_option("--event", a.event, "significant event")->required();
  chron_add->add_option("--action-taken", a.action_taken, "action taken");
  chron_add->add_option("--analysis", a.analysis, "analysis");
  chron_add->callback([&ctx] {
    ChronologyEntry e{Must(ParseDateTime(a.when), "--when"), a.source, a.event, a.action_taken, a.analysis};
    auto s = OpenCases(ctx, "casepack chronology add", a.case_id);
    std::printf("%s\n", Must(s.cases->AddChronologyEntry(s.case_id, e)).c_str());
  });
  auto* chron_list = chron->add_subcommand("list", "the merged timeline, in date order");
  chron_list->add_option("CASE", a.case_id, "case id")->required();
  chron_list->add_flag("--json", a.json, "machine-readable output");
  chron_list->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack chronology list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& [id, e] : d.chronology) arr.push_back(ToJson(e));
      PrintJson(arr);
      return;
    }
    for (const auto& [id, e] : d.chronology)
      std::printf("%-17s %-16s %s\n%18s action: %s\n%18s analysis: %s\n", FormatDateTime(e.when).c_str(), e.source.c_str(),
                  e.significant_event.c_str(), "", e.action_taken.c_str(), "", e.analysis.c_str());
  });

  // ---- feedback ----
  auto* feedback = app.add_subcommand("feedback", "participant feedback (MAS Appendix 2)");
  feedback->require_subcommand(1);
  auto* fb_add = feedback->add_subcommand("add", "add one participant's feedback");
  fb_add->add_option("CASE", a.case_id, "case id")->required();
  fb_add->add_option("--agency", a.agency, "the participant's agency")->required();
  fb_add->add_option("--role", a.role, "the participant's job role")->required();
  fb_add->add_option("--name", a.name, "name (optional)");
  fb_add->add_option("--barriers", a.barriers, "question 3: yes or no");
  fb_add->add_option("--answer", a.answers, "KEY=TEXT for a question (repeatable); keys: 'casepack feedback questions'");
  fb_add->callback([&ctx] {
    auto s = OpenCases(ctx, "casepack feedback add", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    ParticipantFeedback f;
    f.area = d.record.subject.area;
    f.date = d.record.KeyDate(keydate::kMasEvent);
    for (const auto& n : d.facilitators) f.facilitators += (f.facilitators.empty() ? "" : ", ") + n;
    f.name = a.name;
    f.agency = a.agency;
    f.role = a.role;
    if (a.barriers == "yes") f.barriers = true;
    else if (a.barriers == "no") f.barriers = false;
    else if (!a.barriers.empty()) Fail(ErrorCode::kInvalidArgument, "--barriers: expected yes or no");
    for (const auto& item : a.answers) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) Fail(ErrorCode::kInvalidArgument, "--answer: expected KEY=TEXT");
      Must(FindFeedbackQuestion(item.substr(0, eq)), "--answer");
      f.answers[item.substr(0, eq)] = item.substr(eq + 1);
    }
    std::printf("%s\n", Must(s.cases->AddFeedback(s.case_id, f)).c_str());
  });
  auto* fb_questions = feedback->add_subcommand("questions", "list the feedback questions and their keys");
  fb_questions->callback([] {
    for (const auto& q : FeedbackQuestions())
      std::printf("%d. %-20s %s\n", q.number, std::string(q.key).c_str(), std::string(q.text).c_str());
  });

  // ---- deadlines ----
  auto* deadlines = app.add_subcommand("deadlines", "every open case's timescale steps: done, due or overdue");
  deadlines->add_flag("--json", a.json, "machine-readable output");
  deadlines->add_option("--today", a.today, "count from this date instead of today (YYYY-MM-DD)");
  deadlines->callback([&ctx] {
    const Date today = a.today.empty() ? Today() : ParseDateOption(a.today, "--today");
    auto s = OpenCases(ctx, "casepack deadlines");
    const auto all = Must(s.cases->Deadlines(today));
    const auto retention = RetentionByCase(*s.session, today);
    if (a.json) {
      json arr = json::array();
      for (const auto& t : all) {
        arr.push_back(ToJson(t));
        if (auto it = retention.find(t.case_id); it != retention.end()) arr.back()["retention"] = ToJson(it->second);
      }
      PrintJson(arr);
      return;
    }
    const Language l = ctx.lang;
    if (all.empty()) std::printf("%s\n", Label(l, "cli.no-open-cases").c_str());
    for (const auto& t : all) {
      std::printf("%s  %s\n", t.case_id.substr(0, 8).c_str(), std::string(ToString(t.event_type)).c_str());
      for (const auto& step : t.steps)
        std::printf("  %-8s %-10s %s (%s)%s\n", Label(l, step.state).c_str(),
                    step.due ? FormatDate(*step.due).c_str() : "-", StepTitle(l, step).c_str(), StepRule(l, step).c_str(),
                    step.late ? (" — " + Label(l, "cli.late")).c_str() : "");
      if (auto it = retention.find(t.case_id); it != retention.end())
        std::printf("  %-8s %s\n", Label(l, "cli.purge").c_str(), DescribePurgeDate(it->second).c_str());
    }
  });
}

}  // namespace casepack::cli
