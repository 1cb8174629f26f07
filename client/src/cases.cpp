#include "casepack/cases.h"

#include "casepack/audit.h"
#include "casepack/date_checks.h"
#include "casepack/fault_point.h"

#include "batch_payload.h"
#include "case_model.h"
#include "key_dates_json.h"
#include "sealed_batch_body.h"
#include "utc_time.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <map>
#include <set>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "casepack/random.h"
#include "casepack/text_rewrite.h"
#include "casepack/wire.h"

namespace casepack {

namespace {

using nlohmann::json;

// How the domain maps onto the sync engine: case_model.h (docs/case-model.md).
using namespace case_model;

std::string ShortId() { return HexEncode(RandomBytes(6)); }

// Chronology entries with the same date (and time) must read back in the order they were entered (the
// merged timeline is read as a sequence: 001; domain.h MergeChronologies), and so must feedback forms (the
// report numbers them); a collection reads back sorted by key. So their ids sort by creation time:
// milliseconds, then random digits for another device's entry in the same millisecond. The milliseconds
// are also kept above every id already in the collection: each CLI command is a new process, and an
// injected clock (CASEPACK_FAKE_NOW) or a clock set back would otherwise give ids that sort before the
// earlier entries. Nobody types these ids.
std::string TimeOrderedId(const Clock& clock, const Replica& r, const Target& collection) {
  std::uint64_t last = 0;
  for (const CollectionEntry& e : r.ReadCollection(collection)) {
    if (e.key.size() < 12) continue;
    std::uint64_t millis = 0;
    const auto [end, ec] = std::from_chars(e.key.data(), e.key.data() + 12, millis, 16);
    if (ec == std::errc() && end == e.key.data() + 12) last = std::max(last, millis);
  }
  const std::uint64_t now = std::max<std::uint64_t>(static_cast<std::uint64_t>(clock.NowMillis()), last + 1);
  char millis[17];
  std::snprintf(millis, sizeof millis, "%012llx", static_cast<unsigned long long>(now & 0xffffffffffffULL));
  return millis + HexEncode(RandomBytes(2));
}

std::string ClockText(HlcTimestamp ts) {
  const std::time_t secs = static_cast<std::time_t>(ts.millis() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", &tm);
  return buf;
}

std::string Winner(const Replica& r, const Target& t) {
  const RegisterView v = r.ReadRegister(t);
  return v.winner() ? v.winner()->value : std::string();
}

// Every surviving value of a register, winner first, converted by `parse` (values that do not parse are
// skipped: they cannot have been written by this program, and must not hide the others).
// Who wrote a value, as people know them (CaseService::Namer).
using Who = std::function<std::string(const RegisterValue&)>;

template <typename T, typename Parse>
Conflicted<T> ReadConflicted(const Replica& r, const Target& t, Parse parse, const Who& who) {
  Conflicted<T> out;
  for (const RegisterValue& v : r.ReadRegister(t).values) {
    auto parsed = parse(v.value);
    if (parsed.ok()) out.candidates.push_back(Candidate<T>{std::move(parsed).value(), who(v), ClockText(v.clock)});
  }
  return out;
}

Result<std::string> AsString(const std::string& s) { return s; }

Result<json> ParseJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return MakeError(ErrorCode::kCorrupt, "a stored value is not valid JSON");
  return j;
}

template <typename T>
Result<T> ParseStored(std::string_view text) {
  CP_ASSIGN_OR_RETURN(json j, ParseJson(text));
  return FromJson<T>(j);
}

Case MaterializeCase(const Replica& r) {
  Case c;
  c.id = r.case_id();
  if (auto t = ParseEventType(Winner(r, CaseField("event-type"))); t.ok()) c.event_type = *t;
  c.subject.name_or_initials = Winner(r, CaseField("subject-name"));
  c.subject.area = Winner(r, CaseField("area"));
  c.lead_agency = Winner(r, CaseField("lead-agency"));
  c.venue = Winner(r, CaseField("venue"));
  if (auto s = ParseCaseStatus(Winner(r, CaseField("status"))); s.ok()) c.status = *s;
  for (const KeyDateDef& def : KeyDateDefs(c.event_type)) {
    const std::string v = Winner(r, KeyDateField(def.key));
    if (auto d = ParseDate(v); d.ok()) c.key_dates.emplace(std::string(def.key), *d);
  }
  return c;
}

std::vector<std::string> ReadFacilitators(const Replica& r) {
  std::vector<std::string> out;
  auto j = ParseJson(Winner(r, CaseField("facilitators")));
  if (j.ok() && j->is_array())
    for (const auto& f : *j)
      if (f.is_string()) out.push_back(f.get<std::string>());
  return out;
}

// Conflicts on case-level registers that keep them (key dates), for the report's list.
void CollectCaseConflicts(const Replica& r, const Case& c, const Who& who, std::vector<FieldConflict>& out) {
  for (const KeyDateDef& def : KeyDateDefs(c.event_type)) {
    const RegisterView v = r.ReadRegister(KeyDateField(def.key));
    if (!v.conflict) continue;
    FieldConflict f{"case", std::string(def.title), ReadConflicted<std::string>(r, KeyDateField(def.key), AsString, who)};
    if (f.values.has_conflict()) out.push_back(std::move(f));
  }
}

Status CheckText(std::string_view text, std::string_view what) {
  if (!Utf8Length(text).ok())
    return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " is not valid UTF-8 text",
                     "save the text as UTF-8 and try again");
  return Ok();
}

// A case's basics are one line of UTF-8 each, printed in every list: a control character (a terminal
// escape from a hostile pack, say) is refused where they come in, not where they are read (a store of an
// older version may hold one, and must still show and report it).
Status CheckBasics(const Case& c) {
  for (const auto& [text, what] : {std::pair{&c.subject.name_or_initials, "the subject's name or initials"},
                                   std::pair{&c.subject.area, "the area"}, std::pair{&c.lead_agency, "the lead agency"},
                                   std::pair{&c.venue, "the venue"}}) {
    CP_RETURN_IF_ERROR(CheckText(*text, what));
    if (std::any_of(text->begin(), text->end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }))
      return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " contains a control character (a line break, a tab or a terminal code)",
                       "give it as one line of plain text; nothing was changed");
  }
  return Ok();
}

// A paragraph edited on two devices (casepack/text_rewrite.h), as the report's conflicts list shows it:
// subject "notes: TITLE" or "facilitator's comments", field "paragraph P" (P: the line where it stands
// in the text now; `note resolve` takes the conflict's own number, which `note show` prints), one
// candidate per author's version ("(removed)" for none).
// The paragraph conflicts of one text whose versions differ (both devices making the same change, typically
// both removing it, agree: nothing to show), numbered as ResolveTextConflict counts, agreements included.
}  // namespace

std::string ParagraphLabel(const NoteConflict& c) {
  return "paragraph " + std::to_string(c.paragraph != 0 ? c.paragraph : c.number);
}

namespace {

void CollectNoteConflicts(const Replica& r, const Target& t, std::string_view section, const std::string& title,
                          const Who& who, std::vector<NoteConflict>& out) {
  std::size_t n = 0;
  for (const TextConflict& tc : TextConflicts(r, t)) {
    ++n;
    if (std::all_of(tc.versions.begin(), tc.versions.end(), [&](const RegisterValue& v) { return v.value == tc.versions[0].value; }))
      continue;
    NoteConflict c{std::string(section), title, n, ConflictLine(r, t, tc), {}};
    for (const RegisterValue& v : tc.versions) {
      std::string text = v.value;
      while (!text.empty() && text.back() == '\n') text.pop_back();
      c.versions.candidates.push_back(Candidate<std::string>{text.empty() ? "(removed)" : text, who(v), ClockText(v.clock)});
    }
    out.push_back(std::move(c));
  }
}

std::vector<NoteConflict> AllNoteConflicts(const Replica& r, EventType type, const Who& who) {
  std::vector<NoteConflict> out;
  for (const NoteSectionDef& s : NoteSections(type))
    CollectNoteConflicts(r, NoteText(s.key), s.key, "notes: " + std::string(s.title), who, out);
  CollectNoteConflicts(r, kComments, "", "facilitator's comments", who, out);
  return out;
}

// The MAPM record (002; docs/case-model.md): registers of the case and the reviews collection.
MapmRecord ReadMapm(const Replica& r) {
  MapmRecord m;
  m.chair = Winner(r, CaseField("chair"));
  m.minute_taker = Winner(r, CaseField("minute-taker"));
  if (auto t = ParseTimeOfDay(Winner(r, CaseField("meeting-time"))); t.ok()) m.meeting_time = *t;
  m.informs_family = Winner(r, CaseField("informs-family"));
  if (auto a = ParseFamilyAwareness(Winner(r, CaseField("family-awareness"))); a.ok()) m.family = *a;
  m.minutes_to_family = Winner(r, CaseField("minutes-to-family")) == "yes";
  for (const CollectionEntry& e : r.ReadCollection(kReviews)) {
    auto j = ParseJson(e.value);
    if (!j.ok()) continue;
    auto review = MapmReviewFromJson(*j);
    if (review.ok()) m.reviews.emplace_back(e.key, std::move(review).value());
  }
  std::stable_sort(m.reviews.begin(), m.reviews.end(),
                   [](const auto& x, const auto& y) { return x.second.held < y.second.held; });
  return m;
}

// The chronology's header (001 Appendix 1; docs/case-model.md): a register per field.
constexpr std::string_view kHeaderFields[] = {"subject", "from", "to", "completed-by", "date", "version"};

// The header's field `f` as its register holds it ("" when unset).
std::string HeaderValue(const ChronologyHeader& h, std::string_view f) {
  auto date = [](const std::optional<Date>& d) { return d ? FormatDate(*d) : std::string(); };
  if (f == "subject") return h.subject;
  if (f == "from") return date(h.from);
  if (f == "to") return date(h.to);
  if (f == "completed-by") return h.completed_by;
  if (f == "date") return date(h.date);
  return h.version;
}

Status CheckHeader(const ChronologyHeader& h) {
  CP_RETURN_IF_ERROR(ValidateChronologyHeader(h));
  CP_RETURN_IF_ERROR(CheckText(h.subject, "the chronology's subject"));
  CP_RETURN_IF_ERROR(CheckText(h.completed_by, "who completed the chronology"));
  return CheckText(h.version, "the chronology's version");
}

ChronologyHeader ReadChronologyHeader(const Replica& r);

// Writes the fields of `next` that differ from what the replica holds.
Status WriteChronologyHeader(Replica& r, const ChronologyHeader& next) {
  const ChronologyHeader current = ReadChronologyHeader(r);
  for (std::string_view f : kHeaderFields) {
    const std::string value = HeaderValue(next, f);
    if (value != HeaderValue(current, f)) CP_RETURN_IF_ERROR(r.SetRegister(ChronologyHeaderField(f), value, false));
  }
  return Ok();
}

ChronologyHeader ReadChronologyHeader(const Replica& r) {
  ChronologyHeader h;
  auto date = [&](std::string_view f) -> std::optional<Date> {
    auto d = ParseDate(Winner(r, ChronologyHeaderField(f)));
    return d.ok() ? std::optional<Date>(*d) : std::nullopt;
  };
  h.subject = Winner(r, ChronologyHeaderField("subject"));
  h.from = date("from");
  h.to = date("to");
  h.completed_by = Winner(r, ChronologyHeaderField("completed-by"));
  h.date = date("date");
  h.version = Winner(r, ChronologyHeaderField("version"));
  return h;
}

// Like case ids, an item id needs 4 characters: a shorter (or empty) prefix would quietly pick a case's
// only document or action.
Result<std::string> FindByPrefix(const std::vector<std::string>& ids, std::string_view prefix, std::string_view what) {
  if (prefix.size() < 4) {
    const bool vowel = !what.empty() && std::string_view("aeiou").find(what[0]) != std::string_view::npos;
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(vowel ? "an " : "a ") + std::string(what) + " id needs at least 4 characters",
                     "give more characters of the id");
  }
  std::vector<std::string> matches;
  for (const auto& id : ids)
    if (id.compare(0, prefix.size(), prefix) == 0) matches.push_back(id);
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) return MakeError(ErrorCode::kNotFound, "no " + std::string(what) + " '" + std::string(prefix) + "'");
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(what) + " '" + std::string(prefix) + "' is ambiguous: it matches " +
                       std::to_string(matches.size()),
                   "give more characters of the id");
}

std::vector<std::string> Keys(const std::vector<CollectionEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.key);
  return out;
}

std::vector<StoredDocument> ReadDocuments(const Replica& r) {
  std::vector<StoredDocument> out;
  for (const CollectionEntry& e : r.ReadCollection(kDocuments)) {
    auto j = ParseJson(e.value);
    if (!j.ok() || !j->is_object() || !j->contains("blob_id")) continue;
    StoredDocument doc;
    doc.blob_id = (*j)["blob_id"].get<std::string>();
    j->erase("blob_id");
    auto meta = FromJson<DocumentMeta>(*j);
    if (!meta.ok()) continue;
    doc.meta = std::move(meta).value();
    out.push_back(std::move(doc));
  }
  return out;
}

std::vector<PaperCheck> ReadPapers(const Replica& r) {
  std::vector<DocumentMeta> metas;
  for (auto& d : ReadDocuments(r)) metas.push_back(std::move(d.meta));
  return MasPapersChecklist(metas);
}

// MAS: "papers received" is done once all four papers of 003 §4.6 are in; the key date is set to the day
// the last came in, unless a person already recorded one.
Status MarkPapersIfComplete(Replica& r) {
  const Case c = MaterializeCase(r);
  if (c.event_type != EventType::kMas || c.KeyDate(keydate::kMasPapersReceived)) return Ok();
  if (const auto done = MasPapersComplete(ReadPapers(r)))
    CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(keydate::kMasPapersReceived), FormatDate(*done), true));
  return Ok();
}

std::vector<PlanningMember> ReadPlanningGroup(const Replica& r) {
  std::vector<PlanningMember> out;
  for (const CollectionEntry& e : r.ReadCollection(kPlanningGroup)) {
    auto j = ParseJson(e.value);
    if (!j.ok() || !j->is_object()) continue;
    (*j)["id"] = e.key;
    auto m = FromJson<PlanningMember>(*j);
    if (!m.ok()) continue;
    if (auto d = ParseDate(Winner(r, MemberField(e.key, "agreed"))); d.ok()) m->agreed = *d;
    out.push_back(std::move(m).value());
  }
  return out;
}

ProcessRecord ReadProcess(const Replica& r, EventType type) {
  ProcessRecord p;
  if (auto j = ParseJson(Winner(r, CaseField("mas-referral"))); j.ok() && j->is_object())
    if (auto m = FromJson<MasReferral>(*j); m.ok()) p.mas_referral = *m;
  p.report_writer = Winner(r, CaseField("report-writer"));
  if (type == EventType::kMas) p.papers = ReadPapers(r);
  p.planning_group = ReadPlanningGroup(r);
  return p;
}

constexpr std::string_view kPlanFields[] = {"recommendation", "rationale", "outcome", "measure", "progress"};
std::string* PlanField(ActionPlanFields& p, std::string_view f) {
  if (f == "recommendation") return &p.recommendation;
  if (f == "rationale") return &p.rationale;
  if (f == "outcome") return &p.outcome;
  if (f == "measure") return &p.measure;
  return &p.progress;
}
const std::optional<std::string>& PlanChange(const ActionChange& c, std::string_view f) {
  if (f == "recommendation") return c.recommendation;
  if (f == "rationale") return c.rationale;
  if (f == "outcome") return c.outcome;
  if (f == "measure") return c.measure;
  return c.progress;
}


}  // namespace

// ---------------------------------------------------------------------------------------------------

struct CaseService::Loaded {
  std::string case_id;
  SecretBytes case_key;
  Replica replica;
  std::int64_t seen_seq = 0;       // the highest ops rowid applied to `replica`
  std::size_t unsnapshotted = 0;   // operations stored since the stored snapshot
};

Case CaseSummary::AsCase() const {
  Case c;
  c.id = id;
  c.event_type = event_type;
  c.subject = subject;
  c.lead_agency = lead_agency;
  c.status = status;
  c.key_dates = key_dates;
  return c;
}

CaseService::CaseService(Store& store, std::uint64_t document_limit)
    : store_(store), blobs_(store.paths().dir / "blobs"), document_limit_(document_limit) {
  auto st = store_.db().Prepare("SELECT value FROM meta WHERE key = 'author';");
  if (st.ok()) {
    auto row = st->Step();
    if (row.ok() && *row) author_ = st->Text(0);
  }
  if (author_.empty()) author_ = "device " + store_.id().substr(0, 8);
}

ReplicaOptions CaseService::Options(std::string_view case_id, ReplicaId replica) const {
  const Clock* clock = &store_.clock();
  return ReplicaOptions{std::string(case_id), replica, author_,
                        [clock] { return static_cast<std::uint64_t>(clock->NowMillis()); }};
}

CaseService::~CaseService() = default;

void CaseService::Evict(std::string_view case_id) {
  if (auto it = cache_.find(case_id); it != cache_.end()) cache_.erase(it);
}

// Applies the operations stored after what `loaded` has seen: those of a snapshot's tail, of sync, or of
// another process writing the same store.
Status CaseService::CatchUp(Loaded& loaded) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT rowid, body FROM ops WHERE case_id = ? AND rowid > ? ORDER BY rowid;"));
  st.Bind(1, loaded.case_id).Bind(2, loaded.seen_seq);
  std::vector<Operation> ops;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    auto decoded = DecodeOperations(st.BlobView(1));
    if (!decoded.ok()) return decoded.error().Context("loading case " + loaded.case_id);
    for (auto& op : *decoded) ops.push_back(std::move(op));
    loaded.seen_seq = st.Int(0);
    ++loaded.unsnapshotted;
  }
  if (!ops.empty()) {
    (void)loaded.replica.Apply(ops);  // stored operations were accepted once; a refusal now changes nothing
    loaded.replica.FenceLocalHistory();
  }
  return Ok();
}

Result<CaseService::Loaded*> CaseService::Load(std::string_view case_id) {
  if (auto it = cache_.find(case_id); it != cache_.end()) {
    // Still here? Another process (or the purge) may have removed it.
    CP_ASSIGN_OR_RETURN(Statement exists, store_.db().Prepare("SELECT 1 FROM cases WHERE id = ?;"));
    exists.Bind(1, case_id);
    CP_ASSIGN_OR_RETURN(bool present, exists.Step());
    if (!present) {
      cache_.erase(it);
    } else {
      Loaded* l = it->second.get();
      if (Status s = CatchUp(*l); !s.ok()) {
        cache_.erase(it);
        return s.error();
      }
      return l;
    }
  }
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT c.case_key, c.replica_id, s.seq, s.body FROM cases c LEFT JOIN case_snapshots s ON s.case_id = c.id "
      "WHERE c.id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no case '" + std::string(case_id) + "'", "see 'casepack case list'");
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::CopyOf(st.BlobView(0)));
  ReplicaOptions opt = Options(case_id, static_cast<ReplicaId>(st.Int(1)));
  auto loaded = std::make_unique<Loaded>(Loaded{std::string(case_id), std::move(key), Replica(opt), 0, 0});
  if (!st.IsNull(3) && !st.BlobView(3).empty()) {
    auto replica = Replica::LoadSnapshot(st.BlobView(3), opt);
    if (!replica.ok()) return replica.error().Context("loading case " + std::string(case_id));
    loaded->replica = std::move(replica).value();
    loaded->seen_seq = st.Int(2);
  }
  st.Reset();
  CP_RETURN_IF_ERROR(CatchUp(*loaded));
  loaded->replica.FenceLocalHistory();
  Loaded* out = loaded.get();
  cache_[std::string(case_id)] = std::move(loaded);
  return out;
}

Status CaseService::WriteSnapshot(Loaded& loaded) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "INSERT OR REPLACE INTO case_snapshots (case_id, seq, body) VALUES (?, ?, ?);"));
  st.Bind(1, loaded.case_id).Bind(2, loaded.seen_seq).Bind(3, loaded.replica.SaveSnapshot());
  CP_RETURN_IF_ERROR(st.Run());
  loaded.unsnapshotted = 0;
  return Ok();
}

Status CaseService::Flush() {
  for (auto it = cache_.begin(); it != cache_.end();) {
    Loaded& l = *it->second;
    if (l.unsnapshotted == 0) {
      ++it;
      continue;
    }
    auto tx = Transaction::Begin(store_.db());
    Status s = tx.ok() ? CatchUp(l) : Status(tx.error());
    if (s.ok()) {
      CP_ASSIGN_OR_RETURN(Statement exists, store_.db().Prepare("SELECT 1 FROM cases WHERE id = ?;"));
      exists.Bind(1, l.case_id);
      CP_ASSIGN_OR_RETURN(bool present, exists.Step());
      exists.Reset();
      if (present) s = WriteSnapshot(l);
    }
    if (s.ok()) s = tx->Commit();
    if (!s.ok()) return s;
    ++it;
  }
  return Ok();
}

// Stores the local operations made since `before` (this replica's counter), the index row, and every
// kSnapshotEvery operations the snapshot. REQUIRES: inside a transaction begun before the edit.
Status CaseService::Persist(Loaded& loaded, std::uint64_t before) {
  Replica& r = loaded.replica;
  CP_ASSIGN_OR_RETURN(std::vector<Operation> ops, r.LocalChangesSince(before));
  CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
      "INSERT OR IGNORE INTO ops (case_id, replica, counter, body, local) VALUES (?, ?, ?, ?, 1);"));
  for (const Operation& op : ops) {
    const Bytes body = EncodeOperations(std::span<const Operation>(&op, 1));
    ins.Reset();
    ins.Bind(1, loaded.case_id).Bind(2, static_cast<std::int64_t>(op.id.replica))
        .Bind(3, static_cast<std::int64_t>(op.id.counter)).Bind(4, body);
    CP_RETURN_IF_ERROR(ins.Run());
    if (store_.db().Changes() > 0) {
      loaded.seen_seq = store_.db().LastInsertRowId();
      ++loaded.unsnapshotted;
    }
  }
  r.FenceLocalHistory();
  CP_RETURN_IF_ERROR(UpdateIndex(loaded));
  if (loaded.unsnapshotted >= kSnapshotEvery) CP_RETURN_IF_ERROR(WriteSnapshot(loaded));
  return Ok();
}

Status CaseService::WriteHeldParagraphs(Loaded& loaded) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT object, field, value FROM pending_paragraphs WHERE case_id = ? ORDER BY rowid;"));
  st.Bind(1, loaded.case_id);
  bool any = false;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    any = true;
    CP_RETURN_IF_ERROR(loaded.replica.SetRegister(Target{st.Text(0), st.Text(1)}, st.Text(2), /*keep_conflicts=*/true));
  }
  if (!any) return Ok();
  st.Reset();
  CP_ASSIGN_OR_RETURN(Statement del, store_.db().Prepare("DELETE FROM pending_paragraphs WHERE case_id = ?;"));
  del.Bind(1, loaded.case_id);
  return del.Run();
}

Status CaseService::WriteHeldParagraphs(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT 1 FROM pending_paragraphs WHERE case_id = ? LIMIT 1;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool held, st.Step());
  st.Reset();
  if (!held) return Ok();
  return Mutate(case_id, [](Loaded&) { return Ok(); });  // Mutate writes them before its (empty) edit
}

Status CaseService::UpdateIndex(Loaded& loaded) {
  const Case c = MaterializeCase(loaded.replica);
  CP_ASSIGN_OR_RETURN(Statement up, store_.db().Prepare(
      "UPDATE cases SET event_type = ?, subject = ?, area = ?, lead_agency = ?, status = ?, "
      "key_dates = ?, updated_at = ? WHERE id = ?;"));
  up.Bind(1, ToString(c.event_type)).Bind(2, c.subject.name_or_initials)
      .Bind(3, c.subject.area).Bind(4, c.lead_agency).Bind(5, ToString(c.status))
      .Bind(6, KeyDatesToJson(c.key_dates).dump()).Bind(7, UtcNowIso(store_.clock())).Bind(8, loaded.case_id);
  return up.Run();
}

template <typename Edit>
Status CaseService::Mutate(std::string_view case_id, Edit&& edit, EditKind kind) {
  std::optional<GroupCommit> group;  // ends after the transaction: declared first
  if (kind == EditKind::kKeystroke) {
    CP_ASSIGN_OR_RETURN(GroupCommit g, GroupCommit::Begin(store_.db()));
    group.emplace(std::move(g));
  }
  // The write lock first, then the case: what another process wrote before it is applied before the edit,
  // so two processes never give two different operations the same id.
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  const std::uint64_t before = loaded->replica.version().Get(loaded->replica.replica_id());
  Status s = kind == EditKind::kKeystroke ? Ok() : WriteHeldParagraphs(*loaded);
  if (s.ok()) s = edit(*loaded);
  if (s.ok()) s = Persist(*loaded, before);
  if (s.ok()) s = tx.Commit();
  // The cached replica may hold edits the database does not: drop it, the next Load rebuilds it.
  if (!s.ok()) Evict(case_id);
  return s;
}

// ---- cases ----

namespace {

// The registers a new case starts with. REQUIRES: ValidateCase(c).
Status InitialiseCase(Replica& r, const Case& c, const std::vector<std::string>& facilitators) {
  CP_RETURN_IF_ERROR(r.SetRegister(CaseField("event-type"), ToString(c.event_type), false));
  CP_RETURN_IF_ERROR(r.SetRegister(CaseField("subject-name"), c.subject.name_or_initials, true));
  CP_RETURN_IF_ERROR(r.SetRegister(CaseField("area"), c.subject.area, true));
  CP_RETURN_IF_ERROR(r.SetRegister(CaseField("status"), ToString(CaseStatus::kOpen), true));
  if (!c.lead_agency.empty()) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("lead-agency"), c.lead_agency, true));
  if (!c.venue.empty()) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("venue"), c.venue, false));
  if (!facilitators.empty())
    CP_RETURN_IF_ERROR(r.SetRegister(CaseField("facilitators"), json(facilitators).dump(), false));
  for (const auto& [k, d] : c.key_dates) CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(k), FormatDate(d), true));
  return Ok();
}

ReplicaId NewReplicaId() {
  ReplicaId rid = 0;
  while (rid == 0) rid = RandomU64();
  return rid;
}

}  // namespace

Status CaseService::InsertCaseRow(const std::string& case_id, const SecretBytes& key, ReplicaId replica) {
  CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
      "INSERT INTO cases (id, case_key, replica_id, snapshot, event_type, subject, area, lead_agency, status, "
      "key_dates, created_at, updated_at) VALUES (?, ?, ?, x'', '', '', '', '', '', '{}', ?, ?);"));
  const std::string now = UtcNowIso(store_.clock());
  ins.Bind(1, case_id).Bind(2, key.expose()).Bind(3, static_cast<std::int64_t>(replica)).Bind(4, now).Bind(5, now);
  return ins.Run();
}

namespace {
// The UTC day of the service's clock, for checking the dates a person types (casepack/date_checks.h).
Date ClockDay(const Clock& clock) {
  const std::int64_t millis = clock.NowMillis();
  return Date::FromDayNumber(millis / 86400000 - (millis % 86400000 < 0 ? 1 : 0));
}
std::set<std::string> KeysOf(const std::map<std::string, Date, std::less<>>& dates) {
  std::set<std::string> out;
  for (const auto& [k, d] : dates) out.insert(k);
  return out;
}
}  // namespace

Result<std::string> CaseService::CreateCase(const NewCase& in) {
  Case c;
  c.id = RandomId();
  c.event_type = in.event_type;
  c.subject = in.subject;
  c.lead_agency = in.lead_agency;
  c.venue = in.venue;
  c.key_dates = in.key_dates;
  CP_RETURN_IF_ERROR(ValidateCase(c));
  CP_RETURN_IF_ERROR(CheckBasics(c));
  CP_RETURN_IF_ERROR(CheckKeyDatesPlausible(c, ClockDay(clock()), KeysOf(c.key_dates)));
  for (const auto& f : in.facilitators) CP_RETURN_IF_ERROR(CheckText(f, "a facilitator's name"));

  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Random(32));
  const ReplicaId rid = NewReplicaId();
  Replica r(Options(c.id, rid));
  CP_RETURN_IF_ERROR(InitialiseCase(r, c, in.facilitators));

  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_RETURN_IF_ERROR(InsertCaseRow(c.id, key, rid));
  Loaded loaded{c.id, std::move(key), std::move(r), 0, 0};
  CP_RETURN_IF_ERROR(Persist(loaded, 0));
  CP_RETURN_IF_ERROR(tx.Commit());
  return c.id;
}

Result<std::string> CaseService::ResolveCaseId(std::string_view id_or_prefix) {
  if (id_or_prefix.size() < 4)
    return MakeError(ErrorCode::kInvalidArgument, "a case id needs at least 4 characters", "see 'casepack case list'");
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT id FROM cases WHERE substr(id, 1, ?) = ? LIMIT 2;"));
  st.Bind(1, static_cast<std::int64_t>(id_or_prefix.size())).Bind(2, id_or_prefix);
  std::vector<std::string> ids;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Text(0));
  }
  auto found = FindByPrefix(ids, id_or_prefix, "case");
  if (!found.ok() && found.error().code == ErrorCode::kNotFound) {
    // A purged case keeps a tombstone (retention.h): say so rather than "no such case".
    CP_ASSIGN_OR_RETURN(Statement tomb, store_.db().Prepare(
        "SELECT case_id, substr(purged_at, 1, 10) FROM tombstones WHERE substr(case_id, 1, ?) = ? LIMIT 1;"));
    tomb.Bind(1, static_cast<std::int64_t>(id_or_prefix.size())).Bind(2, id_or_prefix);
    CP_ASSIGN_OR_RETURN(bool purged, tomb.Step());
    if (purged)
      return MakeError(ErrorCode::kNotFound,
                       "case " + tomb.Text(0).substr(0, 8) + " was purged on " + tomb.Text(1) + " under the retention policy",
                       "only its basics remain: see 'casepack case list'");
    return found.error().WithHint("see 'casepack case list'");
  }
  return found;
}

Result<std::vector<CaseSummary>> CaseService::ListCases() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT id, event_type, subject, area, lead_agency, status, key_dates, updated_at FROM cases "
      "ORDER BY updated_at DESC, id;"));
  std::vector<CaseSummary> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    CaseSummary s;
    s.id = st.Text(0);
    if (auto t = ParseEventType(st.Text(1)); t.ok()) s.event_type = *t;
    s.subject = {st.Text(2), st.Text(3)};
    s.lead_agency = st.Text(4);
    if (auto cs = ParseCaseStatus(st.Text(5)); cs.ok()) s.status = *cs;
    s.key_dates = KeyDatesFromJson(st.Text(6));
    s.updated_at = st.Text(7);
    out.push_back(std::move(s));
  }
  return out;
}

Result<CaseDetail> CaseService::GetCase(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Loaded* loaded_ptr, Load(case_id));
  Loaded& loaded = *loaded_ptr;
  const Replica& r = loaded.replica;
  CP_ASSIGN_OR_RETURN(const Who namer, Namer());
  CaseDetail d;
  d.record = MaterializeCase(r);
  d.facilitators = ReadFacilitators(r);
  CollectCaseConflicts(r, d.record, namer, d.conflicts);

  d.documents = ReadDocuments(r);
  d.process = ReadProcess(r, d.record.event_type);
  for (const CollectionEntry& e : r.ReadCollection(kAttendees)) {
    auto who = ParseStored<Attendance>(e.value);
    if (!who.ok()) continue;
    AttendanceRecord rec{e.key, std::move(who).value(), {}};
    rec.status_values = ReadConflicted<std::string>(r, AttendeeField(e.key, "status"), AsString, namer);
    if (!rec.status_values.empty())
      if (auto s = ParseAttendanceStatus(rec.status_values.value()); s.ok()) rec.attendance.status = *s;
    rec.attendance.reason = Winner(r, AttendeeField(e.key, "reason"));
    if (rec.status_values.has_conflict()) {
      d.conflicts.push_back(FieldConflict{"attendance: " + rec.attendance.agency +
                                              (rec.attendance.role.empty() ? "" : " (" + rec.attendance.role + ")"),
                                          "status", rec.status_values});
    }
    d.attendance.push_back(std::move(rec));
  }
  for (const NoteSectionDef& s : NoteSections(d.record.event_type)) {
    std::string text = r.ReadText(NoteText(s.key));
    if (!text.empty()) d.notes.emplace(std::string(s.key), std::move(text));
  }
  d.facilitator_comments = r.ReadText(kComments);
  for (NoteConflict& c : AllNoteConflicts(r, d.record.event_type, namer))
    d.conflicts.push_back(FieldConflict{std::move(c.title), ParagraphLabel(c), std::move(c.versions)});
  for (const CollectionEntry& e : r.ReadCollection(kActions)) {
    Action a;
    a.id = e.key;
    a.what = Winner(r, ActionField(e.key, "what"));
    a.owner = ReadConflicted<Owner>(r, ActionField(e.key, "owner"), [](const std::string& v) { return ParseStored<Owner>(v); }, namer);
    a.due = ReadConflicted<Date>(r, ActionField(e.key, "due"), [](const std::string& v) { return ParseDate(v); }, namer);
    if (auto s = ParseActionStatus(Winner(r, ActionField(e.key, "status"))); s.ok()) a.status = *s;
    for (std::string_view f : kPlanFields) *PlanField(a.plan, f) = Winner(r, ActionField(e.key, f));
    for (std::string_view to : ActionReportTargets())
      for (const CollectionEntry& rep : r.ReadCollection(ActionReported(e.key)))
        if (rep.key == to)
          if (auto on = ParseDate(rep.value); on.ok()) a.reported.push_back(ActionReport{rep.key, *on});
    const auto statuses = ReadConflicted<std::string>(r, ActionField(e.key, "status"), AsString, namer);
    if (statuses.has_conflict()) d.conflicts.push_back(FieldConflict{"action: " + a.what, "status", statuses});
    d.actions.push_back(std::move(a));
  }
  std::sort(d.actions.begin(), d.actions.end(), [](const Action& x, const Action& y) {
    const Date far{9999, 12, 31};
    const Date dx = x.due.empty() ? far : x.due.value(), dy = y.due.empty() ? far : y.due.value();
    return std::tie(dx, x.id) < std::tie(dy, y.id);
  });
  for (const CollectionEntry& e : r.ReadCollection(kChronology)) {
    auto entry = ParseStored<ChronologyEntry>(e.value);
    if (entry.ok()) d.chronology.emplace_back(e.key, std::move(entry).value());
  }
  std::stable_sort(d.chronology.begin(), d.chronology.end(),
                   [](const auto& x, const auto& y) { return x.second.when < y.second.when; });
  d.chronology_header = ReadChronologyHeader(r);
  for (const CollectionEntry& e : r.ReadCollection(kFeedback)) {
    auto f = ParseStored<ParticipantFeedback>(e.value);
    if (f.ok()) d.feedback.emplace_back(e.key, std::move(f).value());
  }
  if (d.record.event_type == EventType::kMapm) {
    d.mapm = ReadMapm(r);
    // Two people recording different answers while apart: both shown until someone sets it again.
    static constexpr std::pair<std::string_view, std::string_view> kKept[] = {
        {"chair", "chair"},           {"minute-taker", "minute-taker"}, {"meeting-time", "meeting time"},
        {"informs-family", "informs family"}, {"family-awareness", "family"}, {"minutes-to-family", "minutes to family"}};
    for (const auto& [field, name] : kKept) {
      if (!r.ReadRegister(CaseField(field)).conflict) continue;
      FieldConflict f{"case", std::string(name), ReadConflicted<std::string>(r, CaseField(field), AsString, namer)};
      if (f.values.has_conflict()) d.conflicts.push_back(std::move(f));
    }
  }
  return d;
}

Status CaseService::UpdateCase(std::string_view case_id, const CaseChange& change) {
  if (change.meeting_time && change.clear_meeting_time)
    return MakeError(ErrorCode::kInvalidArgument, "a meeting time cannot be both set and cleared");
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    const Case current = MaterializeCase(r);
    Case next = current;
    for (const auto& [k, d] : change.key_dates) next.key_dates[k] = d;
    for (const auto& k : change.cleared_dates) {
      if (auto def = FindKeyDate(next.event_type, k); !def.ok()) return def.error();
      next.key_dates.erase(k);
    }
    if (change.subject) next.subject.name_or_initials = *change.subject;
    if (change.area) next.subject.area = *change.area;
    if (change.status) next.status = *change.status;
    if (change.lead_agency) next.lead_agency = *change.lead_agency;
    if (change.venue) next.venue = *change.venue;
    CP_RETURN_IF_ERROR(ValidateCase(next));
    if (change.subject || change.area || change.lead_agency || change.venue) CP_RETURN_IF_ERROR(CheckBasics(next));
    CP_RETURN_IF_ERROR(CheckKeyDatesPlausible(next, ClockDay(clock()), KeysOf(change.key_dates)));
    for (const auto& [k, d] : change.key_dates) CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(k), FormatDate(d), true));
    // A cleared date is an empty value: it syncs like any change and reads back as "not set".
    for (const auto& k : change.cleared_dates) CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(k), "", true));
    if (change.subject) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("subject-name"), *change.subject, true));
    if (change.area) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("area"), *change.area, true));
    if (change.status) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("status"), ToString(*change.status), true));
    if (change.lead_agency) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("lead-agency"), *change.lead_agency, true));
    if (change.venue) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("venue"), *change.venue, false));
    if (change.report_writer) {
      CP_RETURN_IF_ERROR(CheckText(*change.report_writer, "the Summary Report's writer"));
      CP_RETURN_IF_ERROR(r.SetRegister(CaseField("report-writer"), *change.report_writer, false));
    }
    if (change.facilitators) {
      for (const auto& f : *change.facilitators) CP_RETURN_IF_ERROR(CheckText(f, "a facilitator's name"));
      CP_RETURN_IF_ERROR(r.SetRegister(CaseField("facilitators"), json(*change.facilitators).dump(), false));
    }
    if (change.HasMapmChange() && current.event_type != EventType::kMapm)
      return MakeError(ErrorCode::kInvalidArgument, "the chair, minute-taker, meeting time and family answers are for MAPM cases",
                       "this case is " + std::string(ToString(current.event_type)));
    // Kept registers: two people recording different chairs (or family answers) both show, as a conflict.
    const auto set_text = [&](std::string_view field, const std::optional<std::string>& v, std::string_view what) -> Status {
      if (!v) return Ok();
      CP_RETURN_IF_ERROR(CheckText(*v, what));
      CP_RETURN_IF_ERROR(r.SetRegister(CaseField(field), *v, true));
      return Ok();
    };
    CP_RETURN_IF_ERROR(set_text("chair", change.chair, "the chair's name"));
    CP_RETURN_IF_ERROR(set_text("minute-taker", change.minute_taker, "the minute-taker's name"));
    CP_RETURN_IF_ERROR(set_text("informs-family", change.informs_family, "the name of who informs the family"));
    if (change.meeting_time) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("meeting-time"), FormatTimeOfDay(*change.meeting_time), true));
    // Cleared: an empty value, which reads back as no time.
    if (change.clear_meeting_time) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("meeting-time"), "", true));
    if (change.family) CP_RETURN_IF_ERROR(r.SetRegister(CaseField("family-awareness"), ToString(*change.family), true));
    if (change.minutes_to_family)
      CP_RETURN_IF_ERROR(r.SetRegister(CaseField("minutes-to-family"), *change.minutes_to_family ? "yes" : "no", true));
    return Ok();
  });
}

// ---- documents ----

Result<DocumentMeta> CaseService::AddDocument(std::string_view case_id, DocumentType type, std::string original_name,
                                              Date received, std::string sending_agency, const ByteSource& bytes) {
  CP_ASSIGN_OR_RETURN(Loaded* probe_ptr, Load(case_id));
  Loaded& probe = *probe_ptr;
  DocumentMeta meta;
  meta.id = ShortId();
  meta.type = type;
  meta.original_name = std::move(original_name);
  meta.received = received;
  meta.sending_agency = std::move(sending_agency);
  meta.sha256 = std::string(64, '0');
  meta.size = 1;
  CP_RETURN_IF_ERROR(ValidateDocumentMeta(meta));  // names and dates before reading a byte

  CP_ASSIGN_OR_RETURN(BlobInfo blob, blobs_.Put(probe.case_key, case_id, bytes, document_limit_));
  meta.sha256 = HexEncode(blob.sha256);
  meta.size = blob.size;
  auto forget_blob = [&](Error e) -> Error {
    (void)blobs_.Remove(blob.blob_id);
    return e;
  };
  auto dup = store_.db().Prepare(
      "SELECT documents.id, blob_id FROM documents WHERE case_id = ? AND sha256 = ?;");
  if (!dup.ok()) return forget_blob(dup.error());
  dup->Bind(1, case_id).Bind(2, meta.sha256);
  auto row = dup->Step();
  if (!row.ok()) return forget_blob(row.error());
  // A row whose document another device deleted (the delete arrived by sync) no longer counts.
  std::string stale, stale_blob;
  if (*row) {
    const std::vector<std::string> present = Keys(probe.replica.ReadCollection(kDocuments));
    if (std::find(present.begin(), present.end(), dup->Text(0)) == present.end()) {
      stale = dup->Text(0);
      stale_blob = dup->Text(1);
    }
  }
  if (*row && stale.empty()) {
    return forget_blob(MakeError(ErrorCode::kInvalidArgument,
                                 "this document is already in the case, as document " + dup->Text(0),
                                 "nothing was added; see 'casepack doc list'"));
  }
  json value = ToJson(meta);
  value["blob_id"] = blob.blob_id;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    CP_RETURN_IF_ERROR(l.replica.AddToCollection(kDocuments, meta.id, value.dump()));
    CP_RETURN_IF_ERROR(MarkPapersIfComplete(l.replica));
    if (!stale.empty()) {
      CP_ASSIGN_OR_RETURN(Statement del, store_.db().Prepare("DELETE FROM documents WHERE case_id = ? AND id = ?;"));
      del.Bind(1, case_id).Bind(2, stale);
      CP_RETURN_IF_ERROR(del.Run());
    }
    CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
        "INSERT INTO documents (case_id, id, blob_id, sha256) VALUES (?, ?, ?, ?);"));
    ins.Bind(1, case_id).Bind(2, meta.id).Bind(3, blob.blob_id).Bind(4, meta.sha256);
    return ins.Run();
  });
  if (!s.ok()) return forget_blob(s.error());
  if (!stale_blob.empty() && stale_blob != blob.blob_id) (void)blobs_.Remove(stale_blob);
  return meta;
}

Result<StoredDocument> CaseService::FindDocument(std::string_view case_id, std::string_view prefix) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, GetCase(case_id));
  std::vector<std::string> ids;
  for (const auto& doc : d.documents) ids.push_back(doc.meta.id);
  CP_ASSIGN_OR_RETURN(std::string id, FindByPrefix(ids, prefix, "document"));
  for (auto& doc : d.documents)
    if (doc.meta.id == id) return std::move(doc);
  return MakeError(ErrorCode::kNotFound, "no document '" + std::string(prefix) + "'");
}

Status CaseService::ExportDocument(std::string_view case_id, std::string_view document_id, const ByteSink& sink) {
  CP_ASSIGN_OR_RETURN(StoredDocument doc, FindDocument(case_id, document_id));
  CP_ASSIGN_OR_RETURN(Loaded* l_ptr, Load(case_id));
  Loaded& l = *l_ptr;
  return blobs_.Get(l.case_key, case_id, doc.blob_id, sink);
}

// ---- attendance ----

Result<std::string> CaseService::RecordAttendance(std::string_view case_id, std::optional<std::string> attendee_id,
                                                  const Attendance& a) {
  std::string id;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    const auto existing = r.ReadCollection(kAttendees);
    if (attendee_id) {
      CP_ASSIGN_OR_RETURN(id, FindByPrefix(Keys(existing), *attendee_id, "attendee"));
    } else {
      id = ShortId();
    }
    // After the id: an unknown attendee is "no such attendee", not a complaint about fields not given.
    CP_RETURN_IF_ERROR(ValidateAttendance(a));
    json who = {{"agency", a.agency}, {"role", a.role}, {"name", a.name}, {"status", "invited"}, {"reason", ""}};
    CP_RETURN_IF_ERROR(r.AddToCollection(kAttendees, id, who.dump()));
    CP_RETURN_IF_ERROR(r.SetRegister(AttendeeField(id, "status"), ToString(a.status), true));
    CP_RETURN_IF_ERROR(r.SetRegister(AttendeeField(id, "reason"), a.reason, false));
    return Ok();
  });
  if (!s.ok()) return s.error();
  return id;
}

// ---- notes ----

Status CaseService::SetNote(std::string_view case_id, std::string_view section, std::string_view text) {
  CP_RETURN_IF_ERROR(CheckText(text, "the note"));
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    const Case c = MaterializeCase(r);
    auto def = FindNoteSection(c.event_type, section);
    if (!def.ok()) return def.error();
    return RewriteText(r, NoteText(section), text);
  });
}

Result<std::vector<NoteConflict>> CaseService::TextConflicts(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  CP_ASSIGN_OR_RETURN(const Who who, Namer());
  return AllNoteConflicts(loaded->replica, MaterializeCase(loaded->replica).event_type, who);
}

Result<std::function<std::string(const RegisterValue&)>> CaseService::Namer() {
  // replica (16 hex digits) -> the person behind it: tables filled by sync (migration 7).
  std::map<std::string, std::string, std::less<>> people;
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT r.replica, p.user_id, p.name FROM replica_devices r JOIN people p ON p.device_id = r.device_id;"));
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string name = st.Text(2);
    people.emplace(st.Text(0), name.empty() ? "user " + st.Text(1).substr(0, 8) : std::move(name));
  }
  return std::function<std::string(const RegisterValue&)>([people = std::move(people)](const RegisterValue& v) -> std::string {
    char replica[17];
    std::snprintf(replica, sizeof replica, "%016llx", static_cast<unsigned long long>(v.id.replica));
    if (auto it = people.find(std::string_view(replica, 16)); it != people.end()) return it->second;
    return v.author;
  });
}

Result<std::string> CaseService::ReadNote(std::string_view case_id, std::string_view section) {
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  return loaded->replica.ReadText(NoteText(section));
}

Status CaseService::EditNote(std::string_view case_id, std::string_view section, std::uint64_t pos,
                             std::uint64_t remove, std::string_view insert) {
  CP_RETURN_IF_ERROR(CheckText(insert, "the note"));
  if (remove == 0 && insert.empty()) return Ok();
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    auto def = FindNoteSection(MaterializeCase(r).event_type, section);
    if (!def.ok()) return def.error();
    const Target t = NoteText(section);
    if (pos > r.TextLength(t) || remove > r.TextLength(t) - pos)
      return MakeError(ErrorCode::kInvalidArgument, "the edit is outside the note");
    // Character operations, with the touched paragraphs recorded (text conflicts, docs/case-model.md): a
    // paragraph only this device has written keeps its newest version in pending_paragraphs instead of a
    // register operation per keystroke, until anything else touches the case (Mutate, a pull, a push).
    CP_ASSIGN_OR_RETURN(std::vector<ParagraphVersion> versions, SpliceVersions(r, t, pos, remove, insert));
    for (const ParagraphVersion& v : versions) {
      const bool hold = OnlyThisReplicaWrote(r, v.paragraph);
      CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
          hold ? "INSERT OR REPLACE INTO pending_paragraphs (case_id, object, field, value) VALUES (?, ?, ?, ?);"
               : "DELETE FROM pending_paragraphs WHERE case_id = ? AND object = ? AND field = ?;"));
      st.Bind(1, l.case_id).Bind(2, v.paragraph.object).Bind(3, v.paragraph.field);
      if (hold) st.Bind(4, v.value);
      CP_RETURN_IF_ERROR(st.Run());
      if (!hold) CP_RETURN_IF_ERROR(r.SetRegister(v.paragraph, v.value, /*keep_conflicts=*/true));
    }
    return SpliceCharacters(r, t, pos, remove, insert);
  }, EditKind::kKeystroke);
}

Status CaseService::AppendNote(std::string_view case_id, std::string_view section, std::string_view text) {
  CP_RETURN_IF_ERROR(CheckText(text, "the note"));
  if (text.empty()) return MakeError(ErrorCode::kInvalidArgument, "the note is empty", "nothing was added");
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    const Case c = MaterializeCase(r);
    auto def = FindNoteSection(c.event_type, section);
    if (!def.ok()) return def.error();
    const Target t = NoteText(section);
    const std::string current = r.ReadText(t);
    std::string add = current.empty() || current.back() == '\n' ? std::string(text) : "\n" + std::string(text);
    CP_RETURN_IF_ERROR(r.InsertText(t, r.TextLength(t), add));
    return Ok();
  });
}

Status CaseService::SetFacilitatorComments(std::string_view case_id, std::string_view text) {
  CP_RETURN_IF_ERROR(CheckText(text, "the comments"));
  return Mutate(case_id, [&](Loaded& l) -> Status {
    return RewriteText(l.replica, kComments, text);
  });
}

Status CaseService::ResolveTextConflict(std::string_view case_id, std::string_view section, std::size_t conflict,
                                        std::optional<std::size_t> pick, std::optional<std::string> text) {
  if (text) CP_RETURN_IF_ERROR(CheckText(*text, "the paragraph"));
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    Target t = kComments;
    if (!section.empty()) {
      if (auto def = FindNoteSection(MaterializeCase(r).event_type, section); !def.ok()) return def.error();
      t = NoteText(section);
    }
    const std::vector<TextConflict> all = casepack::TextConflicts(r, t);
    if (conflict == 0 || conflict > all.size())
      return MakeError(ErrorCode::kNotFound, "no paragraph conflict " + std::to_string(conflict) + " there",
                       all.empty() ? "there is nothing to resolve" : "'casepack case show' lists them");
    const TextConflict& tc = all[conflict - 1];
    std::string chosen;
    if (pick) {
      if (*pick == 0 || *pick > tc.versions.size())
        return MakeError(ErrorCode::kInvalidArgument, "there is no version " + std::to_string(*pick),
                         "pick 1 to " + std::to_string(tc.versions.size()) + ", in the order listed");
      chosen = tc.versions[*pick - 1].value;
    } else {
      chosen = text.value_or(std::string());
      if (!chosen.empty() && chosen.back() != '\n') chosen.push_back('\n');  // a paragraph ends its line
    }
    return casepack::ResolveTextConflict(r, t, tc.key, chosen);
  });
}

Result<bool> CaseService::SeparateJoinedVersions(std::string_view case_id) {
  bool inserted = false;
  CP_RETURN_IF_ERROR(Mutate(case_id, [&](Loaded& l) -> Status {
    for (const Target& t : l.replica.Texts()) {
      CP_ASSIGN_OR_RETURN(bool here, casepack::SeparateJoinedVersions(l.replica, t));
      inserted = inserted || here;
    }
    return Ok();
  }));
  return inserted;
}

Result<ReplicaId> CaseService::OwnReplica(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  return loaded->replica.replica_id();
}

Result<bool> CaseService::HoldsOperation(std::string_view case_id, OpId id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT 1 FROM ops WHERE case_id = ? AND replica = ? AND counter = ?;"));
  st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(id.replica)).Bind(3, static_cast<std::int64_t>(id.counter));
  return st.Step();
}

Status CaseService::RecordQuarantined(std::string_view case_id, std::span<const QuarantinedOp> ops) {
  if (ops.empty()) return Ok();
  CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
      "INSERT OR IGNORE INTO quarantined_ops (case_id, op_id, seq, device_id, reason, at) VALUES (?, ?, ?, ?, ?, ?);"));
  const std::string now = UtcNowIso(store_.clock());
  for (const auto& q : ops) {
    ins.Reset();
    ins.Bind(1, case_id).Bind(2, q.op_id).Bind(3, q.seq).Bind(4, q.device_id).Bind(5, q.reason).Bind(6, now);
    CP_RETURN_IF_ERROR(ins.Run());
  }
  return Ok();
}

Result<std::size_t> CaseService::CountQuarantined(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT count(*) FROM quarantined_ops WHERE case_id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<std::size_t>(st.Int(0)) : 0;
}

Status CaseService::ReleaseQuarantined(std::string_view case_id, std::span<const std::string> op_ids) {
  if (op_ids.empty()) return Ok();
  CP_ASSIGN_OR_RETURN(Statement del, store_.db().Prepare("DELETE FROM quarantined_ops WHERE case_id = ? AND op_id = ?;"));
  for (const auto& id : op_ids) {
    del.Reset();
    del.Bind(1, case_id).Bind(2, id);
    CP_RETURN_IF_ERROR(del.Run());
  }
  return Ok();
}

Result<std::vector<CaseService::QuarantinedOp>> CaseService::QuarantinedOperations() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT case_id, seq, op_id, device_id, reason, at FROM quarantined_ops ORDER BY at, case_id, seq;"));
  std::vector<QuarantinedOp> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    out.push_back(QuarantinedOp{st.Text(0), st.Int(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5)});
  }
}

namespace {

// True when the server's copies `theirs` (by first counter) hold `op` exactly: every counter it owns, with
// the same content, however the two sides cut their runs.
bool ServerHolds(const Operation& op, const std::map<std::uint64_t, const Operation*>& theirs) {
  const std::uint64_t end = op.id.counter + op.Span();
  for (std::uint64_t at = op.id.counter; at < end;) {
    auto it = theirs.upper_bound(at);
    if (it == theirs.begin()) return false;
    const Operation& b = *std::prev(it)->second;
    const std::uint64_t hi = std::min(end, b.id.counter + b.Span());
    if (hi <= at || OperationPart(op, at, hi) != OperationPart(b, at, hi)) return false;
    at = hi;
  }
  return true;
}

// The first counter, from the first unpushed edit on, of an edit (one stored row: what one change made)
// that the server does not hold exactly. Whole edits are compared, never a part: an edit made after the
// restore may begin with the same characters, at the same counters, as the laptop's edit there (text
// appended to one run shares its clock), and taking that part as held would drop those words.
std::uint64_t FirstEditNotOnServer(const std::vector<std::vector<Operation>>& edits, std::span<const Operation> theirs) {
  std::map<std::uint64_t, const Operation*> by_counter;
  for (const Operation& op : theirs) by_counter.emplace(op.id.counter, &op);
  std::uint64_t next = edits.empty() || edits.front().empty() ? UINT64_MAX : edits.front().front().id.counter;
  for (const auto& edit : edits) {
    for (const Operation& op : edit) {
      if (op.id.counter != next || !ServerHolds(op, by_counter)) return edit.front().id.counter;
      next = op.id.counter + op.Span();
    }
  }
  return next;
}

}  // namespace

Result<std::size_t> CaseService::ContinueUnderFreshReplica(std::string_view case_id, std::span<const Operation> on_server) {
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  const ReplicaId old = loaded->replica.replica_id(), fresh = NewReplicaId();
  std::vector<std::vector<Operation>> unpushed;  // one entry per stored row, in counter order
  {
    CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
        "SELECT body FROM ops WHERE case_id = ? AND replica = ? AND pushed = 0 ORDER BY counter;"));
    st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(old));
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      CP_ASSIGN_OR_RETURN(std::vector<Operation> ops, DecodeOperations(st.BlobView(0)));
      if (!ops.empty()) unpushed.push_back(std::move(ops));
    }
  }
  // The server already holds the first of them, with the same content, when they were made before the
  // backup and pushed from the laptop afterwards: those stay, marked pushed. The rest, from `from` on, were
  // made after the restore: they move to the fresh replica, numbered from 1; earlier counters (pushed, so on
  // the server with the same content) keep their ids.
  const std::uint64_t from = FirstEditNotOnServer(unpushed, on_server);
  std::vector<Operation> kept, moved;
  for (auto& edit : unpushed)
    for (Operation& op : edit) (op.id.counter < from ? kept : moved).push_back(std::move(op));
  auto map = [&](OpId& id) {
    if (id.replica == old && id.counter >= from) id = OpId{fresh, id.counter - from + 1};
  };
  for (Operation& op : moved) {
    map(op.id);
    for (OpId& ref : op.refs) map(ref);
    map(op.origin_left);
    map(op.origin_right);
    std::vector<IdRange> ranges;
    for (IdRange r : op.ranges) {
      // A deleted stretch typed across the point splits into its old and its moved part.
      if (r.start.replica == old && r.start.counter < from && r.start.counter + r.length > from) {
        const std::uint64_t head = from - r.start.counter;
        ranges.push_back(IdRange{r.start, head});
        r = IdRange{OpId{old, from}, r.length - head};
      }
      map(r.start);
      ranges.push_back(r);
    }
    op.ranges = std::move(ranges);
  }
  {
    CP_ASSIGN_OR_RETURN(Statement del, store_.db().Prepare("DELETE FROM ops WHERE case_id = ? AND replica = ? AND pushed = 0;"));
    del.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(old));
    CP_RETURN_IF_ERROR(del.Run());
    CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
        "INSERT INTO ops (case_id, replica, counter, body, local, pushed) VALUES (?, ?, ?, ?, 1, ?);"));
    for (const auto* ops : {&kept, &moved}) {
      for (const Operation& op : *ops) {
        ins.Reset();
        ins.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(op.id.replica)).Bind(3, static_cast<std::int64_t>(op.id.counter))
            .Bind(4, EncodeOperations(std::span<const Operation>(&op, 1))).Bind(5, static_cast<std::int64_t>(ops == &kept));
        CP_RETURN_IF_ERROR(ins.Run());
      }
    }
    CP_ASSIGN_OR_RETURN(Statement up, store_.db().Prepare("UPDATE cases SET replica_id = ? WHERE id = ?;"));
    up.Bind(1, static_cast<std::int64_t>(fresh)).Bind(2, case_id);
    CP_RETURN_IF_ERROR(up.Run());
    // The snapshot holds the old numbering: rebuilt from the operations at the next load.
    CP_ASSIGN_OR_RETURN(Statement snap, store_.db().Prepare("DELETE FROM case_snapshots WHERE case_id = ?;"));
    snap.Bind(1, case_id);
    CP_RETURN_IF_ERROR(snap.Run());
  }
  Evict(case_id);
  CP_RETURN_IF_ERROR(tx.Commit());
  return moved.size();
}

// ---- actions ----

Result<std::string> CaseService::AddAction(std::string_view case_id, const Action& input) {
  // Said without the new id, which the person has not seen yet.
  const bool owned = !input.owner.empty() && std::all_of(input.owner.candidates.begin(), input.owner.candidates.end(),
                                                        [](const auto& c) { return !c.value.agency.empty() || !c.value.role.empty(); });
  if (!owned) return MakeError(ErrorCode::kInvalidArgument, "the action has no owner", "name an agency or a role (or both)");
  // Also said without an id (ValidateAction would name the one this action was about to get).
  if (std::all_of(input.what.begin(), input.what.end(), [](char ch) { return std::isspace(static_cast<unsigned char>(ch)); }))
    return MakeError(ErrorCode::kInvalidArgument, "the action does not say what is to be done", "give --what");
  Action a = input;
  a.id = ShortId();
  CP_RETURN_IF_ERROR(ValidateAction(a));
  const std::string& id = a.id;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    CP_RETURN_IF_ERROR(r.AddToCollection(kActions, id));
    CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "what"), a.what, false));
    CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "owner"), ToJson(a.owner.value()).dump(), true));
    CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "due"), FormatDate(a.due.value()), true));
    CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "status"), ToString(a.status), true));
    for (std::string_view f : kPlanFields) {
      ActionPlanFields plan = a.plan;
      if (const std::string& v = *PlanField(plan, f); !v.empty()) CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, f), v, false));
    }
    return Ok();
  });
  if (!s.ok()) return s.error();
  return id;
}

Status CaseService::UpdateAction(std::string_view case_id, std::string_view action_id, const ActionChange& change) {
  if (change.what) CP_RETURN_IF_ERROR(CheckText(*change.what, "the action"));
  for (std::string_view f : kPlanFields)
    if (const auto& v = PlanChange(change, f)) CP_RETURN_IF_ERROR(CheckText(*v, "the action's " + std::string(f)));
  if (change.owner && change.owner->agency.empty() && change.owner->role.empty())
    return MakeError(ErrorCode::kInvalidArgument, "an action's owner needs an agency or a role");
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    CP_ASSIGN_OR_RETURN(std::string id, FindByPrefix(Keys(r.ReadCollection(kActions)), action_id, "action"));
    // Re-added with every change: a delete made concurrently elsewhere did not see this add, so the action
    // survives it with the change (docs/case-model.md "Deleting rows").
    CP_RETURN_IF_ERROR(r.AddToCollection(kActions, id));
    if (change.what) CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "what"), *change.what, false));
    if (change.owner) CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "owner"), ToJson(*change.owner).dump(), true));
    if (change.due) CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "due"), FormatDate(*change.due), true));
    if (change.status) CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, "status"), ToString(*change.status), true));
    for (std::string_view f : kPlanFields)
      if (const auto& v = PlanChange(change, f)) CP_RETURN_IF_ERROR(r.SetRegister(ActionField(id, f), *v, false));
    return Ok();
  });
}

Status CaseService::RecordActionReported(std::string_view case_id, std::string_view action_id, std::string_view to,
                                         const Date& on) {
  CP_RETURN_IF_ERROR(CheckActionReportTarget(to));
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    CP_ASSIGN_OR_RETURN(std::string id, FindByPrefix(Keys(r.ReadCollection(kActions)), action_id, "action"));
    CP_RETURN_IF_ERROR(r.AddToCollection(kActions, id));  // an edit beats a concurrent delete
    CP_RETURN_IF_ERROR(r.AddToCollection(ActionReported(id), to, FormatDate(on)));
    return Ok();
  });
}

// ---- chronology, feedback ----

Result<std::string> CaseService::AddChronologyEntry(std::string_view case_id, const ChronologyEntry& e) {
  CP_RETURN_IF_ERROR(ValidateChronologyEntry(e));
  std::string id;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    id = TimeOrderedId(store_.clock(), l.replica, kChronology);
    CP_RETURN_IF_ERROR(l.replica.AddToCollection(kChronology, id, ToJson(e).dump()));
    return Ok();
  });
  if (!s.ok()) return s.error();
  return id;
}

Result<std::vector<std::string>> CaseService::AddChronologyEntries(std::string_view case_id,
                                                                   const std::vector<ChronologyEntry>& entries,
                                                                   const ChronologyHeader& heading) {
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (Status st = ValidateChronologyEntry(entries[i]); !st.ok()) return st.error().Context("entry " + std::to_string(i + 1));
  CP_RETURN_IF_ERROR(CheckHeader(heading));
  std::vector<std::string> ids;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    if (!heading.empty()) {
      ChronologyHeader next = ReadChronologyHeader(l.replica);
      if (!heading.subject.empty()) next.subject = heading.subject;
      if (heading.from) next.from = heading.from;
      if (heading.to) next.to = heading.to;
      if (!heading.completed_by.empty()) next.completed_by = heading.completed_by;
      if (heading.date) next.date = heading.date;
      if (!heading.version.empty()) next.version = heading.version;
      CP_RETURN_IF_ERROR(ValidateChronologyHeader(next));
      CP_RETURN_IF_ERROR(WriteChronologyHeader(l.replica, next));
    }
    ids.clear();
    for (const ChronologyEntry& e : entries) {
      ids.push_back(TimeOrderedId(store_.clock(), l.replica, kChronology));
      CP_RETURN_IF_ERROR(l.replica.AddToCollection(kChronology, ids.back(), ToJson(e).dump()));
    }
    return Ok();
  });
  if (!s.ok()) return s.error();
  return ids;
}

Status CaseService::SetChronologyHeader(std::string_view case_id, const ChronologyHeader& header) {
  CP_RETURN_IF_ERROR(CheckHeader(header));
  return Mutate(case_id, [&](Loaded& l) -> Status { return WriteChronologyHeader(l.replica, header); });
}

Result<std::string> CaseService::AddMapmReview(std::string_view case_id, const MapmReview& review) {
  CP_RETURN_IF_ERROR(ValidateMapmReview(review));
  CP_RETURN_IF_ERROR(CheckText(review.note, "the review's note"));
  std::string id;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    Case next = MaterializeCase(r);
    if (next.event_type != EventType::kMapm)
      return MakeError(ErrorCode::kInvalidArgument, "action plan reviews are for MAPM cases (002 §10)",
                       "this case is " + std::string(ToString(next.event_type)));
    const MapmRecord before = ReadMapm(r);
    // The key dates follow the latest review (timescales and retention read them).
    const bool latest = std::all_of(before.reviews.begin(), before.reviews.end(),
                                    [&](const auto& x) { return !(review.held < x.second.held); });
    std::set<std::string> changed;
    if (latest) {
      next.key_dates[std::string(keydate::kMapmLastActionPlanReview)] = review.held;
      changed.emplace(keydate::kMapmLastActionPlanReview);
      if (review.next) {
        next.key_dates[std::string(keydate::kMapmNextReview)] = *review.next;
        changed.emplace(keydate::kMapmNextReview);
      }
    }
    CP_RETURN_IF_ERROR(CheckKeyDatesPlausible(next, ClockDay(clock()), changed));
    id = TimeOrderedId(store_.clock(), r, kReviews);
    CP_RETURN_IF_ERROR(r.AddToCollection(kReviews, id, ToJson(review).dump()));
    for (const auto& k : changed) CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(k), FormatDate(next.key_dates[k]), true));
    return Ok();
  });
  if (!s.ok()) return s.error();
  return id;
}

Result<std::string> CaseService::AddFeedback(std::string_view case_id, const ParticipantFeedback& f) {
  CP_RETURN_IF_ERROR(ValidateParticipantFeedback(f));
  std::string id;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    id = TimeOrderedId(store_.clock(), l.replica, kFeedback);
    CP_RETURN_IF_ERROR(l.replica.AddToCollection(kFeedback, id, ToJson(f).dump()));
    return Ok();
  });
  if (!s.ok()) return s.error();
  return id;
}

Status CaseService::UpdateFeedback(std::string_view case_id, std::string_view feedback_id, const ParticipantFeedback& f) {
  CP_RETURN_IF_ERROR(ValidateParticipantFeedback(f));
  return Mutate(case_id, [&](Loaded& l) -> Status {
    CP_ASSIGN_OR_RETURN(std::string id, FindByPrefix(Keys(l.replica.ReadCollection(kFeedback)), feedback_id, "feedback form"));
    // The same key, a new value: the collection keeps the latest add (and an add beats a concurrent remove).
    CP_RETURN_IF_ERROR(l.replica.AddToCollection(kFeedback, id, ToJson(f).dump()));
    return Ok();
  });
}

// ---- the process around the event (casepack/process.h) ----

namespace {
Status RequireType(const Replica& r, EventType want, std::string_view what) {
  const EventType t = MaterializeCase(r).event_type;
  if (t == want) return Ok();
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(what) + " is recorded for " + std::string(ToString(want)) + " cases; this case is " +
                       std::string(ToString(t)));
}
}  // namespace

Status CaseService::SetMasReferral(std::string_view case_id, const MasReferral& referral) {
  CP_RETURN_IF_ERROR(ValidateMasReferral(referral));
  CP_RETURN_IF_ERROR(CheckText(referral.detail, "the referral's details"));
  CP_RETURN_IF_ERROR(CheckText(referral.rationale, "the rationale"));
  return Mutate(case_id, [&](Loaded& l) -> Status {
    CP_RETURN_IF_ERROR(RequireType(l.replica, EventType::kMas, "the MAS referral"));
    CP_RETURN_IF_ERROR(l.replica.SetRegister(CaseField("mas-referral"), ToJson(referral).dump(), true));
    return Ok();
  });
}

Result<std::string> CaseService::AddPlanningMember(std::string_view case_id, const PlanningMember& input) {
  PlanningMember m = input;
  m.id = ShortId();
  m.agreed.reset();
  CP_RETURN_IF_ERROR(ValidatePlanningMember(m));
  for (const std::string* t : {&m.agency, &m.name, &m.role}) CP_RETURN_IF_ERROR(CheckText(*t, "the member"));
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    CP_RETURN_IF_ERROR(RequireType(l.replica, EventType::kMapf, "the planning group"));
    json value = ToJson(m);
    value.erase("id");
    value.erase("agreed");
    CP_RETURN_IF_ERROR(l.replica.AddToCollection(kPlanningGroup, m.id, value.dump()));
    return Ok();
  });
  if (!s.ok()) return s.error();
  return m.id;
}

Status CaseService::RecordMemberAgreement(std::string_view case_id, std::string_view member_id, const Date& on) {
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    const auto entries = r.ReadCollection(kPlanningGroup);
    CP_ASSIGN_OR_RETURN(std::string id, FindByPrefix(Keys(entries), member_id, "planning group member"));
    // Re-added: an agreement recorded while another device removed the member keeps the member.
    for (const auto& e : entries)
      if (e.key == id) CP_RETURN_IF_ERROR(r.AddToCollection(kPlanningGroup, id, e.value));
    CP_RETURN_IF_ERROR(r.SetRegister(MemberField(id, "agreed"), FormatDate(on), true));
    return Ok();
  });
}

Status CaseService::RecordLogAgreement(std::string_view case_id, const Date& on) {
  return Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    CP_RETURN_IF_ERROR(RequireType(r, EventType::kMapf, "the Local Operational Group's agreement"));
    const auto group = ReadPlanningGroup(r);
    if (const auto missing = MissingRequiredAgencies(group); !missing.empty()) {
      std::string list;
      for (auto k : missing) list += (list.empty() ? "" : ", ") + std::string(k);
      return MakeError(ErrorCode::kInvalidArgument, "the planning group has no member from: " + list + " (000 §7)",
                       "add them with 'casepack planning add'; nothing was changed");
    }
    std::string waiting;
    for (const PlanningMember* m : NotYetAgreed(group)) waiting += (waiting.empty() ? "" : ", ") + m->agency;
    if (!waiting.empty())
      return MakeError(ErrorCode::kInvalidArgument,
                       "every agency agrees the report and action plan before the Local Operational Group (000 §6); not yet: " + waiting,
                       "record each with 'casepack planning agree CASE MEMBER --on DATE'; nothing was changed");
    Case next = MaterializeCase(r);
    next.key_dates[std::string(keydate::kMapfLogAgreed)] = on;
    CP_RETURN_IF_ERROR(CheckKeyDatesPlausible(next, ClockDay(clock()), {std::string(keydate::kMapfLogAgreed)}));
    CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(keydate::kMapfLogAgreed), FormatDate(on), true));
    return Ok();
  });
}

// ---- deleting rows ----

namespace {
struct RowKind {
  const Target* collection;
  std::string_view what;  // for messages
};
RowKind KindOf(CaseTable row) {
  switch (row) {
    case CaseTable::kAttendance: return {&kAttendees, "attendee"};
    case CaseTable::kActions: return {&kActions, "action"};
    case CaseTable::kChronology: return {&kChronology, "chronology entry"};
    case CaseTable::kFeedback: return {&kFeedback, "feedback form"};
    case CaseTable::kDocuments: return {&kDocuments, "document"};
    case CaseTable::kReviews: return {&kReviews, "review"};
    case CaseTable::kPlanningGroup: return {&kPlanningGroup, "planning group member"};
  }
  return {&kActions, "row"};
}
}  // namespace

Status CaseService::DeleteRow(std::string_view case_id, CaseTable row, std::string_view id_or_prefix) {
  const RowKind kind = KindOf(row);
  std::string id, blob_id;
  CP_RETURN_IF_ERROR(Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    const std::vector<CollectionEntry> entries = r.ReadCollection(*kind.collection);
    CP_ASSIGN_OR_RETURN(id, FindByPrefix(Keys(entries), id_or_prefix, kind.what));
    CP_RETURN_IF_ERROR(r.RemoveFromCollection(*kind.collection, id));
    // In the same transaction: no delete without its entry (the kind of row and its id, no content).
    if (auto entry = Audit(store_).Record(AuditKind::kDelete, case_id, std::string(kind.what) + " " + id + " deleted"); !entry.ok())
      return entry.error();
    if (row != CaseTable::kDocuments) return Ok();
    // The index row goes with it, so the same paper can be added again later.
    CP_ASSIGN_OR_RETURN(Statement find, store_.db().Prepare("SELECT blob_id FROM documents WHERE case_id = ? AND id = ?;"));
    find.Bind(1, case_id).Bind(2, id);
    CP_ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) blob_id = find.Text(0);
    CP_ASSIGN_OR_RETURN(Statement del, store_.db().Prepare("DELETE FROM documents WHERE case_id = ? AND id = ?;"));
    del.Bind(1, case_id).Bind(2, id);
    return del.Run();
  }));
  // After the commit: a failure here leaves an encrypted file no row names, which the purge removes.
  if (!blob_id.empty()) (void)blobs_.Remove(blob_id);
  return Ok();
}

// ---- timescales, reports ----

Result<std::vector<CaseTimescales>> CaseService::Deadlines(const Date& today) {
  CP_ASSIGN_OR_RETURN(std::vector<CaseSummary> cases, ListCases());
  std::vector<CaseTimescales> out;
  for (const CaseSummary& s : cases) {
    if (s.status != CaseStatus::kOpen) continue;
    out.push_back(ComputeTimescales(s.AsCase(), today));
    // The report's journey, once the report is due: one step per recipient (decodes the case).
    CaseTimescales& t = out.back();
    const bool report_due = std::any_of(t.steps.begin(), t.steps.end(), [](const TimescaleStep& st) {
      return (st.key == "summary-report" || st.key == "minutes-sent") && st.state != StepState::kWaiting;
    });
    // A MAPF report has no limit and a CPR/APR report's runs from the referral: their recipients show once the
    // learning event was held.
    const auto learning_event = s.AsCase().KeyDate(keydate::kMapfEvent);  // also kPrEvent
    const bool learning_held = (s.event_type == EventType::kMapf || ProcessOf(s.event_type) == EventType::kCpr) &&
                               learning_event && *learning_event <= today;
    if (report_due || learning_held) {
      CP_ASSIGN_OR_RETURN(auto recipients, ReportRecipients(s.id));
      for (auto& step : RecipientSteps(t, recipients)) t.steps.push_back(std::move(step));
    }
    // Each open action's target date (decodes the case; the index holds no actions).
    CP_ASSIGN_OR_RETURN(CaseDetail detail, GetCase(s.id));
    for (auto& step : ActionSteps(detail.actions, today)) t.steps.push_back(std::move(step));
  }
  return out;
}

Result<ReportInput> CaseService::BuildReportInput(std::string_view case_id, std::optional<Date> report_date) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, GetCase(case_id));
  ReportInput in;
  in.case_record = std::move(d.record);
  in.facilitators = std::move(d.facilitators);
  for (auto& a : d.attendance) in.attendance.push_back(std::move(a.attendance));
  in.notes = std::move(d.notes);
  in.facilitator_comments = std::move(d.facilitator_comments);
  in.actions = std::move(d.actions);
  for (auto& [id, e] : d.chronology) in.chronology.push_back(std::move(e));
  in.chronology_header = std::move(d.chronology_header);
  for (auto& [id, f] : d.feedback) in.feedback.push_back(std::move(f));
  in.conflicts = std::move(d.conflicts);
  in.process = std::move(d.process);
  in.report_date = report_date;
  if (in.case_record.event_type == EventType::kMapm) {
    in.mapm = std::move(d.mapm);
    CP_ASSIGN_OR_RETURN(in.distribution, ReportRecipients(case_id));
  }
  return in;
}

// ---- the report's journey ----

namespace {

std::vector<ReportRecipient> ReadRecipients(const Replica& r, const Case& c, const std::vector<Attendance>& attendance) {
  std::vector<ReportRecipient> sent;
  for (const CollectionEntry& e : r.ReadCollection(kRecipients)) {
    auto j = ParseJson(e.value);
    if (!j.ok() || !j->is_object()) continue;
    ReportRecipient rec{e.key, j->value("role", ""), j->value("name", ""), {}};
    if (auto d = ParseDate(Winner(r, RecipientField(e.key))); d.ok()) rec.sent_on = *d;
    sent.push_back(std::move(rec));
  }
  std::vector<ReportRecipient> expected = ExpectedReportRecipients(c.event_type, attendance);
  // 002 §7: the minutes go to every attendee "and where appropriate the family".
  if (c.event_type == EventType::kMapm && ReadMapm(r).minutes_to_family)
    expected.push_back({"family", "family", "The child and family", {}});
  return MergeReportRecipients(std::move(expected), sent);
}

std::string_view ReportKeyDate(EventType t) {
  switch (t) {
    case EventType::kMas: return keydate::kMasSummaryReportSent;
    case EventType::kMapf: return keydate::kMapfReportSent;
    case EventType::kMapm: return keydate::kMapmMinutesSent;
    case EventType::kCpr:
    case EventType::kApr: return keydate::kPrPublished;
  }
  std::abort();
}

// A recipient's key from the key itself or a unique prefix of it.
Result<std::string> ResolveRecipient(const std::vector<ReportRecipient>& all, std::string_view recipient) {
  std::string known;
  std::vector<std::string> matches;
  for (const auto& r : all) {
    if (r.key == recipient) return r.key;
    if (std::string_view(r.key).starts_with(recipient)) matches.push_back(r.key);
    known += (known.empty() ? "" : ", ") + r.key;
  }
  if (matches.size() == 1 && !recipient.empty()) return matches[0];
  if (matches.size() > 1 && !recipient.empty())
    return MakeError(ErrorCode::kInvalidArgument, "recipient '" + std::string(recipient) + "' is ambiguous", "known: " + known);
  return MakeError(ErrorCode::kNotFound, "no recipient '" + std::string(recipient) + "' for this report",
                   known.empty() ? "record attendance first: the report goes to those who attended" : "known: " + known);
}

}  // namespace

Result<ReportRecipient> CaseService::FindReportRecipient(std::string_view case_id, std::string_view recipient) {
  CP_ASSIGN_OR_RETURN(auto all, ReportRecipients(case_id));
  CP_ASSIGN_OR_RETURN(const std::string key, ResolveRecipient(all, recipient));
  return *std::find_if(all.begin(), all.end(), [&](const ReportRecipient& x) { return x.key == key; });
}

Result<std::vector<ReportRecipient>> CaseService::ReportRecipients(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, GetCase(case_id));
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  std::vector<Attendance> attendance;
  for (const auto& a : d.attendance) attendance.push_back(a.attendance);
  return ReadRecipients(loaded->replica, d.record, attendance);
}

Result<ReportRecipient> CaseService::RecordReportSent(std::string_view case_id, std::string_view recipient, const Date& on) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, GetCase(case_id));
  std::vector<Attendance> attendance;
  for (const auto& a : d.attendance) attendance.push_back(a.attendance);
  ReportRecipient chosen;
  Status s = Mutate(case_id, [&](Loaded& l) -> Status {
    Replica& r = l.replica;
    auto all = ReadRecipients(r, d.record, attendance);
    CP_ASSIGN_OR_RETURN(const std::string key, ResolveRecipient(all, recipient));
    auto it = std::find_if(all.begin(), all.end(), [&](const ReportRecipient& x) { return x.key == key; });
    chosen = *it;
    chosen.sent_on = on;
    CP_RETURN_IF_ERROR(r.AddToCollection(kRecipients, key, json{{"role", chosen.role}, {"name", chosen.name}}.dump()));
    CP_RETURN_IF_ERROR(r.SetRegister(RecipientField(key), FormatDate(on), false));
    it->sent_on = on;
    const bool everyone = std::all_of(all.begin(), all.end(), [](const ReportRecipient& x) { return x.sent_on.has_value(); });
    const std::string_view date_key = ReportKeyDate(d.record.event_type);
    if (everyone && !d.record.KeyDate(date_key)) {
      Date last = on;
      for (const auto& x : all) last = std::max(last, *x.sent_on);
      CP_RETURN_IF_ERROR(r.SetRegister(KeyDateField(date_key), FormatDate(last), true));
    }
    return Ok();
  });
  if (!s.ok()) return s.error();
  return chosen;
}

// ---- transfer-pack import ----

Result<ImportTarget> CaseService::PrepareImport(std::string_view wanted_id) {
  // The central store's rule (docs/api.md): anything else would be imported, then wedge every later sync,
  // and a short one could make the CLI's id prefixes ambiguous.
  if (!wire::IsHexId(wanted_id))
    return MakeError(ErrorCode::kInvalidArgument, "the pack's case id is not a casepack case id (32 lowercase hex digits)",
                     "nothing was imported; ask the sender for a new pack");
  Case probe;
  probe.id = std::string(wanted_id);
  probe.subject = {"x", "x"};
  if (Status s = ValidateCase(probe); !s.ok()) return s.error().Context("the pack's case id");
  auto existing = Load(wanted_id);
  if (existing.ok()) {
    CP_ASSIGN_OR_RETURN(SecretBytes key, (*existing)->case_key.Clone());
    ImportTarget target{std::string(wanted_id), std::move(key), false, {}};
    CP_ASSIGN_OR_RETURN(Statement held, store_.db().Prepare("SELECT sha256 FROM documents WHERE case_id = ?;"));
    held.Bind(1, wanted_id);
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, held.Step());
      if (!row) break;
      target.held_sha256.insert(held.Text(0));
    }
    return target;
  }
  if (existing.error().code != ErrorCode::kNotFound) return existing.error();
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Random(32));
  return ImportTarget{std::string(wanted_id), std::move(key), true, {}};
}

Status CaseService::CheckImportedCase(const Case& basics) {
  Status s = CheckBasics(basics);
  if (s.ok()) s = CheckKeyDatesPlausible(basics, ClockDay(clock()), KeysOf(basics.key_dates));
  if (s.ok()) return s;
  return MakeError(s.error().code, "the pack's case: " + s.error().message,
                   "nothing was imported; ask the sender to check the case's dates and send a new pack");
}

Status CaseService::CommitImport(const ImportTarget& target, const Case& basics,
                                 const std::vector<ImportedDocument>& documents, const SectionNotes& notes,
                                 std::vector<std::size_t>& skipped) {
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  std::optional<Loaded> fresh;
  Loaded* loaded = nullptr;
  std::uint64_t before = 0;
  if (target.is_new) {
    Case c = basics;
    c.id = target.case_id;
    c.status = CaseStatus::kOpen;
    CP_RETURN_IF_ERROR(ValidateCase(c));
    const ReplicaId rid = NewReplicaId();
    CP_ASSIGN_OR_RETURN(SecretBytes key, target.case_key.Clone());
    fresh.emplace(Loaded{c.id, std::move(key), Replica(Options(c.id, rid)), 0, 0});
    loaded = &*fresh;
    CP_RETURN_IF_ERROR(InitialiseCase(loaded->replica, c, {}));
    CP_RETURN_IF_ERROR(InsertCaseRow(c.id, target.case_key, rid));
    for (const auto& [section, text] : notes) {
      auto def = FindNoteSection(c.event_type, section);
      if (!def.ok()) return def.error().Context("the pack's notes");
      CP_RETURN_IF_ERROR(CheckText(text, "the pack's notes"));
      if (!text.empty()) CP_RETURN_IF_ERROR(loaded->replica.InsertText(NoteText(section), 0, text));
    }
  } else {
    CP_ASSIGN_OR_RETURN(loaded, Load(target.case_id));
    before = loaded->replica.version().Get(loaded->replica.replica_id());
  }
  Status s = [&]() -> Status {
    CP_ASSIGN_OR_RETURN(Statement dup, store_.db().Prepare("SELECT id FROM documents WHERE case_id = ? AND sha256 = ?;"));
    CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
        "INSERT INTO documents (case_id, id, blob_id, sha256) VALUES (?, ?, ?, ?);"));
    for (std::size_t i = 0; i < documents.size(); ++i) {
      const ImportedDocument& d = documents[i];
      dup.Reset();
      dup.Bind(1, target.case_id).Bind(2, d.meta.sha256);
      CP_ASSIGN_OR_RETURN(bool present, dup.Step());
      if (present) {
        skipped.push_back(i);
        continue;
      }
      if (d.blob_id.empty())  // held when the import began (so not written), removed since by another process
        return MakeError(ErrorCode::kConflict,
                         "document '" + d.meta.original_name + "' was removed from the case while the pack was opened",
                         "nothing was imported; open the pack again");
      DocumentMeta meta = d.meta;
      meta.id = ShortId();  // ids are per case; the sender's id could clash with one of ours
      json value = ToJson(meta);
      value["blob_id"] = d.blob_id;
      CP_RETURN_IF_ERROR(loaded->replica.AddToCollection(kDocuments, meta.id, value.dump()));
      ins.Reset();
      ins.Bind(1, target.case_id).Bind(2, meta.id).Bind(3, d.blob_id).Bind(4, meta.sha256);
      CP_RETURN_IF_ERROR(ins.Run());
    }
    CP_RETURN_IF_ERROR(MarkPapersIfComplete(loaded->replica));
    // A pack that brings an existing case nothing new (the same pack opened again) leaves it as it was.
    if (target.is_new || loaded->replica.version().Get(loaded->replica.replica_id()) != before)
      CP_RETURN_IF_ERROR(Persist(*loaded, before));
    return tx.Commit();
  }();
  if (!s.ok() && !target.is_new) Evict(target.case_id);
  return s;
}

// ---- for the sync service ----

Result<std::vector<std::string>> CaseService::AllCaseIds() {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT id FROM cases ORDER BY id;"));
  std::vector<std::string> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    out.push_back(st.Text(0));
  }
}

Result<std::vector<CaseService::PendingOp>> CaseService::UnpushedOperations(std::string_view case_id, std::size_t limit) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT replica, counter, body FROM ops WHERE case_id = ? AND local = 1 AND pushed = 0 "
      "ORDER BY rowid LIMIT ?;"));
  st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(limit));
  std::vector<PendingOp> out;
  for (;;) {
    CP_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    out.push_back(PendingOp{static_cast<ReplicaId>(st.Int(0)), static_cast<std::uint64_t>(st.Int(1)), st.Blob(2)});
  }
}

Result<std::vector<CaseService::PendingBatch>> CaseService::UnpushedBatches(std::string_view case_id, std::size_t max_ops,
                                                                              std::size_t max_payload) {
  CP_RETURN_IF_ERROR(WriteHeldParagraphs(case_id));  // a push carries the newest version of each paragraph
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  const Replica& r = loaded->replica;
  const ReplicaId self = r.replica_id();
  std::vector<PendingBatch> out;
  // The counters of the stored operations not yet pushed (one row per EditNote, ascending): where a batch
  // may end (just before one of them, or after the last), and how many rows each batch covers.
  std::vector<std::uint64_t> rows;
  {
    CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
        "SELECT counter FROM ops WHERE case_id = ? AND replica = ? AND local = 1 AND pushed = 0 ORDER BY counter;"));
    st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(self));
    for (;;) {
      CP_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (st.Int(0) <= 0) return out;
      rows.push_back(static_cast<std::uint64_t>(st.Int(0)));
    }
  }
  if (rows.empty()) return out;
  // The whole unpushed history, read once (the read walks every counter since the first unpushed one: once
  // per batch made a long offline history's push quadratic).
  CASEPACK_FAULT_POINT("push-history-read");
  CP_ASSIGN_OR_RETURN(std::vector<Operation> ops, r.LocalChangesSince(rows.front() - 1));
  std::stable_sort(ops.begin(), ops.end(), [](const Operation& x, const Operation& y) { return x.id.counter < y.id.counter; });
  // One dense run from the first unpushed counter: the receiver checks exactly that for each batch, and
  // every stored operation in [first, last] is then marked pushed. Batches are cut from its dense prefix.
  std::vector<std::uint64_t> ends;  // ends[i]: the last counter of ops[i]
  for (std::uint64_t next = rows.front(); ends.size() < ops.size() && ops[ends.size()].id.counter == next;) {
    next += ops[ends.size()].Span();
    ends.push_back(next - 1);
  }
  if (ends.empty() || ends.size() < std::min(ops.size(), max_ops)) return out;
  const bool whole = ends.size() == ops.size();
  // A batch ends where a stored operation ends: before another unpushed row, or at the very end of the
  // history (a run split by a later edit may end inside a stored row, which must not be marked pushed half).
  auto may_end_at = [&](std::size_t i) {
    return std::binary_search(rows.begin(), rows.end(), ends[i] + 1) || (whole && i + 1 == ops.size());
  };
  for (std::size_t begin = 0; begin < ends.size();) {
    std::size_t n = std::min(max_ops, ends.size() - begin);
    while (n > 0 && !may_end_at(begin + n - 1)) --n;
    if (n == 0) break;  // the rest goes as single operations (UnpushedOperations)
    PendingBatch b;
    b.replica = self;
    b.first = ops[begin].id.counter;
    // Cut by what is sealed: a week of typing compresses as one text (its paragraph versions repeat it).
    for (;;) {
      b.body = EncodeSealedBatchBody(std::span<const Operation>(ops.data() + begin, n));
      b.payload.clear();
      if (b.body.size() <= kMaxBatchBody) {
        b.payload = CompressBatchPayload(b.body);
        if (b.payload.size() <= max_payload) break;
      }
      std::size_t half = (n + 1) / 2;
      while (half > 0 && !may_end_at(begin + half - 1)) --half;
      if (half == 0 || half == n) break;  // no smaller batch ends on a stored operation: one over the size
      n = half;
    }
    if (b.payload.empty()) b.payload = CompressBatchPayload(b.body);
    b.last = ends[begin + n - 1];
    b.rows = static_cast<std::size_t>(std::upper_bound(rows.begin(), rows.end(), b.last) -
                                      std::lower_bound(rows.begin(), rows.end(), b.first));
    out.push_back(std::move(b));
    begin += n;
  }
  return out;
}

// Bounded on both sides, so that it walks the primary key's (case_id, replica, counter) range of the batch
// only: `counter <= last` alone visited every row of the replica below `last` once per batch (a long
// offline push was quadratic: MarkingABatchPushedVisitsOnlyItsRows).
const char* const CaseService::kMarkPushedSql =
    "UPDATE ops SET pushed = 1 WHERE case_id = ? AND replica = ? AND counter BETWEEN ? AND ? AND local = 1 AND pushed = 0;";

Status CaseService::MarkPushedThrough(std::string_view case_id, ReplicaId replica, std::uint64_t first, std::uint64_t last) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(kMarkPushedSql));
  st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(replica)).Bind(3, static_cast<std::int64_t>(first));
  st.Bind(4, static_cast<std::int64_t>(last));
  return st.Run();
}

Result<bool> CaseService::HoldsOperationEndingAt(std::string_view case_id, OpId last) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT body FROM ops WHERE case_id = ? AND replica = ? AND counter <= ? ORDER BY counter DESC LIMIT 1;"));
  st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(last.replica)).Bind(3, static_cast<std::int64_t>(last.counter));
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return false;
  auto ops = DecodeOperations(st.BlobView(0));
  if (!ops.ok() || ops->empty()) return false;
  const Operation& op = ops->back();
  return op.id.replica == last.replica && op.id.counter + op.Span() - 1 == last.counter;
}

Result<std::size_t> CaseService::CountUnpushed() {
  CP_ASSIGN_OR_RETURN(std::int64_t n, store_.db().QueryInt("SELECT COUNT(*) FROM ops WHERE local = 1 AND pushed = 0;"));
  return static_cast<std::size_t>(n);
}

Status CaseService::MarkPushed(std::string_view case_id, std::span<const std::pair<ReplicaId, std::uint64_t>> ids) {
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "UPDATE ops SET pushed = 1 WHERE case_id = ? AND replica = ? AND counter = ?;"));
  for (const auto& [replica, counter] : ids) {
    st.Reset();
    st.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(replica)).Bind(3, static_cast<std::int64_t>(counter));
    CP_RETURN_IF_ERROR(st.Run());
  }
  return tx.Commit();
}

Status CaseService::CreateReceivedCase(const std::string& case_id) {
  CP_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Random(32));
  const ReplicaId rid = NewReplicaId();
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_RETURN_IF_ERROR(InsertCaseRow(case_id, key, rid));
  Loaded loaded{case_id, std::move(key), Replica(Options(case_id, rid)), 0, 0};
  CP_RETURN_IF_ERROR(Persist(loaded, 0));
  return tx.Commit();
}

Result<ApplyResult> CaseService::ApplyRemote(std::string_view case_id, std::span<const Operation> ops,
                                             std::span<const Bytes> bodies, const std::function<Status()>& also) {
  if (!bodies.empty() && bodies.size() != ops.size())
    return MakeError(ErrorCode::kInvalidArgument, "one received body per operation");
  CP_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(store_.db()));
  CP_ASSIGN_OR_RETURN(Loaded* loaded, Load(case_id));
  // Versions held back while only this device typed in a paragraph are written before another replica's
  // operation can touch that paragraph's register: a concurrent edit is then a conflict, as it would have
  // been with a version per keystroke.
  const std::uint64_t before = loaded->replica.version().Get(loaded->replica.replica_id());
  Status held = WriteHeldParagraphs(*loaded);
  if (held.ok() && loaded->replica.version().Get(loaded->replica.replica_id()) != before) held = Persist(*loaded, before);
  if (!held.ok()) {
    Evict(case_id);
    return held.error();
  }
  ApplyResult result = loaded->replica.Apply(ops);
  auto stored = [&]() -> Status {
    std::set<std::pair<ReplicaId, std::uint64_t>> rejected;
    for (const auto& r : result.rejected) rejected.emplace(r.op.id.replica, r.op.id.counter);
    CP_ASSIGN_OR_RETURN(Statement ins, store_.db().Prepare(
        "INSERT OR IGNORE INTO ops (case_id, replica, counter, body, local, pushed) VALUES (?, ?, ?, ?, 0, 1);"));
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Operation& op = ops[i];
      if (rejected.count({op.id.replica, op.id.counter})) continue;
      ins.Reset();
      ins.Bind(1, case_id).Bind(2, static_cast<std::int64_t>(op.id.replica))
          .Bind(3, static_cast<std::int64_t>(op.id.counter));
      // As received: the bytes whose signature was checked are the bytes kept.
      if (bodies.empty()) ins.Bind(4, EncodeOperations(std::span<const Operation>(&op, 1)));
      else ins.Bind(4, std::span<const std::uint8_t>(bodies[i]));
      CP_RETURN_IF_ERROR(ins.Run());
      if (store_.db().Changes() > 0) {
        loaded->seen_seq = store_.db().LastInsertRowId();
        ++loaded->unsnapshotted;
      }
    }
    CP_RETURN_IF_ERROR(UpdateIndex(*loaded));
    if (loaded->unsnapshotted >= kSnapshotEvery) CP_RETURN_IF_ERROR(WriteSnapshot(*loaded));
    if (also) CP_RETURN_IF_ERROR(also());
    return tx.Commit();
  }();
  if (!stored.ok()) {
    Evict(case_id);
    return stored.error();
  }
  return result;
}

Result<std::vector<StoredDocument>> CaseService::DocumentsWithoutLocalBlob(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, GetCase(case_id));
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT 1 FROM documents WHERE case_id = ? AND blob_id = ?;"));
  std::vector<StoredDocument> out;
  for (auto& doc : d.documents) {
    st.Reset();
    st.Bind(1, case_id).Bind(2, doc.blob_id);
    CP_ASSIGN_OR_RETURN(bool have, st.Step());
    if (!have) out.push_back(std::move(doc));
  }
  return out;
}

Result<std::vector<StoredDocument>> CaseService::DocumentsNotUploaded(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(CaseDetail d, GetCase(case_id));
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "SELECT 1 FROM documents WHERE case_id = ? AND id = ? AND uploaded = 0;"));
  std::vector<StoredDocument> out;
  for (auto& doc : d.documents) {
    st.Reset();
    st.Bind(1, case_id).Bind(2, doc.meta.id);
    CP_ASSIGN_OR_RETURN(bool pending, st.Step());
    if (pending) out.push_back(std::move(doc));
  }
  return out;
}

Status CaseService::MarkUploaded(std::string_view case_id, std::string_view document_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("UPDATE documents SET uploaded = 1 WHERE case_id = ? AND id = ?;"));
  st.Bind(1, case_id).Bind(2, document_id);
  return st.Run();
}

Status CaseService::AdoptReceivedBlob(std::string_view case_id, const StoredDocument& document) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "INSERT OR IGNORE INTO documents (case_id, id, blob_id, sha256, uploaded) VALUES (?, ?, ?, ?, 1);"));
  st.Bind(1, case_id).Bind(2, document.meta.id).Bind(3, document.blob_id).Bind(4, document.meta.sha256);
  return st.Run();
}

Result<SecretBytes> CaseService::LocalKey(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Loaded* l_ptr, Load(case_id));
  Loaded& l = *l_ptr;
  return std::move(l.case_key);
}

// ---- legal hold (docs/retention.md) ----

namespace {
const Target kLegalHold = {"case", "legal-hold"};

std::optional<LegalHold> ReadHold(const Replica& r) {
  // Any surviving non-empty value counts: a hold concurrent with a release wins.
  for (const RegisterValue& v : r.ReadRegister(kLegalHold).values) {
    if (v.value.empty()) continue;
    auto j = ParseJson(v.value);
    if (!j.ok() || !j->is_object()) continue;
    return LegalHold{j->value("reason", ""), j->value("held_by", ""), j->value("held_at", "")};
  }
  return std::nullopt;
}
}  // namespace

Status CaseService::PlaceLegalHold(std::string_view case_id, const LegalHold& hold) {
  CP_RETURN_IF_ERROR(CheckText(hold.reason, "the hold's reason"));
  if (hold.reason.empty()) return MakeError(ErrorCode::kInvalidArgument, "a legal hold needs a reason");
  return Mutate(case_id, [&](Loaded& l) -> Status {
    const json value = {{"reason", hold.reason}, {"held_by", hold.held_by}, {"held_at", hold.held_at}};
    CP_RETURN_IF_ERROR(l.replica.SetRegister(kLegalHold, value.dump(), true));
    return WriteHoldIndex(case_id, hold);
  });
}

Status CaseService::ReleaseLegalHold(std::string_view case_id) {
  return Mutate(case_id, [&](Loaded& l) -> Status {
    if (!ReadHold(l.replica))
      return MakeError(ErrorCode::kInvalidArgument, "case " + std::string(case_id.substr(0, 8)) + " is not on hold");
    CP_RETURN_IF_ERROR(l.replica.SetRegister(kLegalHold, "", true));
    return WriteHoldIndex(case_id, std::nullopt);
  });
}

// legal_holds indexes the case's hold register, so that retention finds held cases without loading each.
Status CaseService::WriteHoldIndex(std::string_view case_id, const std::optional<LegalHold>& hold) {
  if (!hold) {
    CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("DELETE FROM legal_holds WHERE case_id = ?;"));
    st.Bind(1, case_id);
    return st.Run();
  }
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare(
      "INSERT OR REPLACE INTO legal_holds (case_id, reason, held_by, held_at) VALUES (?, ?, ?, ?);"));
  st.Bind(1, case_id).Bind(2, hold->reason).Bind(3, hold->held_by).Bind(4, hold->held_at);
  return st.Run();
}

Status CaseService::RefreshHoldIndex(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(std::optional<LegalHold> hold, ReadLegalHold(case_id));
  return WriteHoldIndex(case_id, hold);
}

Result<std::optional<LegalHold>> CaseService::ReadLegalHold(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Loaded* l_ptr, Load(case_id));
  Loaded& l = *l_ptr;
  return ReadHold(l.replica);
}

Result<std::size_t> CaseService::CountOperations(std::string_view case_id) {
  CP_ASSIGN_OR_RETURN(Statement st, store_.db().Prepare("SELECT count(*) FROM ops WHERE case_id = ?;"));
  st.Bind(1, case_id);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<std::size_t>(st.Int(0)) : 0;
}

}  // namespace casepack
