#include "casepack/packs.h"
#include "casepack/hash.h"
#include "casepack/report_render.h"

#include "casepack/retention.h"

#include "utc_time.h"

#include "packs_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "casepack/retention_policy.h"

namespace casepack {

namespace {

using nlohmann::json;

constexpr std::string_view kManifestName = "manifest.json";
constexpr std::string_view kFormatName = "casepack-pack";

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

Error BadPack(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message),
                   "nothing was imported; ask the sender for a new pack");
}

// libarchive converts entry names through the C library's current locale. casepack runs in the "C" locale
// (it never calls setlocale), where a non-ASCII name cannot be converted: libarchive 3.6.2 (Debian 12)
// then crashes in the pax writer (libarchive issue #2233, fixed upstream by PR #2856) and warns on read,
// which we would report as a damaged pack. Names in a pack are UTF-8, so the tar work runs under a
// thread-local C.UTF-8 locale (uselocale: the process locale is untouched). It must exist before the
// archive object does, because libarchive notes the charset when it first converts.
class Utf8Locale {
 public:
  Utf8Locale() : locale_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (locale_ != static_cast<locale_t>(nullptr)) previous_ = uselocale(locale_);
  }
  ~Utf8Locale() {
    if (locale_ != static_cast<locale_t>(nullptr)) {
      uselocale(previous_);
      freelocale(locale_);
    }
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;
  bool ok() const { return locale_ != static_cast<locale_t>(nullptr); }

 private:
  locale_t locale_;
  locale_t previous_ = static_cast<locale_t>(nullptr);
};

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
}

// ---------------------------------------------------------------------------------------------------------
// Writing: tar (libarchive, pax) into an age encryptor.

struct TarWriter {
  TarWriter(AgeEncryptor* e, std::int64_t mtime_seconds) : encryptor(e), mtime(mtime_seconds) {}
  AgeEncryptor* encryptor;
  std::int64_t mtime;    // of every entry: the pack's creation time
  Status status = Ok();  // the first error from the encryptor's sink
  Utf8Locale utf8;       // before `ar`: see Utf8Locale
  ArchivePtr ar{archive_write_new()};

  static la_ssize_t OnWrite(archive* a, void* self, const void* buf, size_t n) {
    auto* w = static_cast<TarWriter*>(self);
    Status s = w->encryptor->Write({static_cast<const std::uint8_t*>(buf), n});
    if (!s.ok()) {
      w->status = s;
      archive_set_error(a, EIO, "writing the pack failed");
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }

  Error Failure(std::string_view what) const {
    if (!status.ok()) return status.error();
    return MakeError(ErrorCode::kIo, std::string(what) + ": " + (archive_error_string(ar.get()) ? archive_error_string(ar.get()) : "tar error"));
  }

  Status Open() {
    archive_write_set_format_pax_restricted(ar.get());
    archive_write_set_bytes_per_block(ar.get(), 64 * 1024);
    archive_write_set_bytes_in_last_block(ar.get(), 1);
    if (archive_write_open(ar.get(), this, nullptr, &TarWriter::OnWrite, nullptr) != ARCHIVE_OK) return Failure("starting the archive");
    return Ok();
  }

  Status Begin(const std::string& path, std::uint64_t size) {
    if (!utf8.ok() && !IsAscii(path))  // libarchive would crash (see Utf8Locale)
      return MakeError(ErrorCode::kUnsupported, "cannot write a non-ASCII file name into the pack: the C.UTF-8 locale is missing",
                       "install the locales package, or rename the document");
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname_utf8(e.get(), path.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    archive_entry_set_mtime(e.get(), static_cast<std::time_t>(mtime), 0);
    if (archive_write_header(ar.get(), e.get()) != ARCHIVE_OK) return Failure("writing " + path);
    return Ok();
  }

  Status Data(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
      const la_ssize_t n = archive_write_data(ar.get(), bytes.data(), bytes.size());
      if (n <= 0) return Failure("writing the archive");
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return Ok();
  }

  Status File(const std::string& path, std::string_view contents) {
    CP_RETURN_IF_ERROR(Begin(path, contents.size()));
    return Data(AsBytes(contents));
  }

  Status Close() {
    if (archive_write_close(ar.get()) != ARCHIVE_OK) return Failure("finishing the archive");
    return Ok();
  }
};

std::string HexSha256(std::string_view text) { return HexEncode(Sha256(AsBytes(text))); }

std::string NotesMarkdown(const Case& c, const SectionNotes& notes) {
  std::string md = "# Notes: " + c.subject.name_or_initials + ", " + c.subject.area + "\n";
  for (const NoteSectionDef& def : NoteSections(c.event_type)) {
    auto it = notes.find(def.key);
    if (it == notes.end()) continue;
    md += "\n## " + std::string(def.title) + "\n\n" + it->second + "\n";
  }
  return md;
}

std::string DocumentPath(const DocumentMeta& m) { return "documents/" + m.id + "-" + m.original_name; }

// ---------------------------------------------------------------------------------------------------------
// Reading: age decryptor into libarchive.

// The plaintext tar stream in pieces: the next piece (valid until the following call), empty at the end.
// Over a pack it is the age decryptor's verified chunks; the fuzz target feeds plaintext directly.
using ChunkSource = std::function<Result<std::span<const std::uint8_t>>()>;

struct TarReader {
  explicit TarReader(ChunkSource n) : next(std::move(n)) {}
  ChunkSource next;
  Status status = Ok();  // the first error from the source (truncation, altered chunk)
  Utf8Locale utf8;       // before `ar`: see Utf8Locale
  ArchivePtr ar{archive_read_new()};

  static la_ssize_t OnRead(archive* a, void* self, const void** buffer) {
    auto* r = static_cast<TarReader*>(self);
    auto chunk = r->next();
    if (!chunk.ok()) {
      r->status = chunk.error();
      archive_set_error(a, EIO, "decrypting the pack failed");
      return -1;
    }
    *buffer = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
  }

  Error Failure(std::string_view what) const {
    if (!status.ok()) return status.error();
    const char* msg = archive_error_string(ar.get());
    return BadPack(std::string(what) + ": the archive inside the pack is damaged (" + (msg ? msg : "tar error") + ")");
  }

  Status Open() {
    archive_read_support_format_tar(ar.get());
    if (archive_read_open(ar.get(), this, nullptr, &TarReader::OnRead, nullptr) != ARCHIVE_OK) return Failure("opening the archive");
    return Ok();
  }

  // Reads to the end of the stream after the tar's end marker, so a truncated or altered tail is still
  // caught (libarchive stops reading at the end-of-archive blocks).
  Status Drain() {
    if (!status.ok()) return status;
    for (;;) {
      CP_ASSIGN_OR_RETURN(auto chunk, next());
      if (chunk.empty()) return Ok();
    }
  }
};

// Checks an entry's name and type. Returns the normalised path ("./x" -> "x"); empty for a directory entry
// (ignored).
Result<std::string> CheckEntry(archive_entry* e) {
  const char* raw = archive_entry_pathname_utf8(e);
  if (raw == nullptr) raw = archive_entry_pathname(e);
  std::string path = raw == nullptr ? std::string() : std::string(raw);
  // Control characters and bytes that are not UTF-8 first: every message below quotes the name, and an
  // escape sequence, or stray bytes, must never reach the user's terminal.
  for (unsigned char ch : path)
    if (ch < 0x20 || ch == 0x7f) return BadPack("a tar entry's name contains control characters");
  if (!Utf8Length(path).ok()) return BadPack("a tar entry's name is not valid UTF-8");
  std::size_t cut = std::min<std::size_t>(path.size(), 80);
  while (cut < path.size() && (static_cast<unsigned char>(path[cut]) & 0xC0) == 0x80) --cut;  // whole characters
  const std::string shown = cut < path.size() ? path.substr(0, cut) + "…" : path;
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  if (path.empty()) return BadPack("a tar entry has an empty name");
  if (path[0] == '/') return BadPack("tar entry '" + shown + "' has an absolute path");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return BadPack("tar entry '" + shown + "' climbs out of the archive with '..'");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (archive_entry_hardlink(e) != nullptr) return BadPack("tar entry '" + shown + "' is a hard link");
  switch (archive_entry_filetype(e)) {
    case AE_IFREG: return path;
    case AE_IFDIR: return std::string();
    case AE_IFLNK: return BadPack("tar entry '" + shown + "' is a symbolic link");
    case AE_IFCHR:
    case AE_IFBLK: return BadPack("tar entry '" + shown + "' is a device");
    case AE_IFIFO: return BadPack("tar entry '" + shown + "' is a named pipe");
    default: return BadPack("tar entry '" + shown + "' is not a regular file");
  }
}

struct DeclaredFile {
  std::uint64_t size = 0;
  std::string sha256;
  std::optional<DocumentMeta> document;  // for documents
  bool seen = false;
};

struct Manifest {
  Case basics;
  std::string sending_agency;
  std::optional<Date> purge_on;
  SectionNotes notes;
  std::map<std::string, DeclaredFile> files;  // by path
};

// A path the manifest lists. Only a tar entry of exactly that name can satisfy it, and entries are checked
// on their own (CheckEntry); here we only make sure the path is safe to quote in a message.
Result<std::string> ManifestPath(const json& j) {
  const std::string path = j.get<std::string>();
  if (path.empty()) return BadPack("manifest.json lists an empty path");
  for (unsigned char ch : path)
    if (ch < 0x20 || ch == 0x7f) return BadPack("manifest.json lists a path with control characters");
  return path;
}

Result<std::uint64_t> GetSize(const json& j, std::string_view where) {
  if (!j.is_number_unsigned()) return BadPack(std::string(where) + ": size must be a non-negative integer");
  return j.get<std::uint64_t>();
}

Result<Manifest> ParseManifest(std::string_view text) {
  // The JSON parser stops at a NUL byte as at the end: whatever followed one would pass unread.
  if (text.find('\0') != std::string_view::npos) return BadPack("manifest.json is not valid JSON (it holds a NUL byte)");
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadPack("manifest.json is not valid JSON");
  if (!j.contains("format") || j["format"] != kFormatName) return BadPack("manifest.json is not a casepack pack manifest");
  if (!j.contains("version") || !j["version"].is_number_integer()) return BadPack("manifest.json has no format version");
  // Compared as the JSON number it is: narrowing to int first would let 4294967297 pass as 1.
  if (j["version"].is_number_unsigned() ? j["version"].get<std::uint64_t>() > static_cast<std::uint64_t>(kPackFormatVersion)
                                        : j["version"].get<std::int64_t>() > kPackFormatVersion)
    return MakeError(ErrorCode::kUnsupported, "the pack has format version " + j["version"].dump() + ", newer than this casepack",
                     "upgrade casepack to open it");
  if (j["version"].get<std::int64_t>() < 1) return BadPack("manifest.json: format version " + j["version"].dump() + " is not valid");
  for (const char* k : {"case", "documents", "sending_agency"})
    if (!j.contains(k)) return BadPack(std::string("manifest.json has no '") + k + "'");
  Manifest m;
  auto basics = FromJson<Case>(j["case"]);
  if (!basics.ok()) return BadPack("manifest.json: " + basics.error().message);
  m.basics = std::move(basics).value();
  if (!j["sending_agency"].is_string()) return BadPack("manifest.json: sending_agency must be text");
  m.sending_agency = j["sending_agency"].get<std::string>();
  if (j.contains("retention") && !j["retention"].is_null()) {
    const json& r = j["retention"];
    if (!r.is_object() || !r.contains("purge_on") || !r["purge_on"].is_string())
      return BadPack("manifest.json: retention must give purge_on");
    auto d = ParseDate(r["purge_on"].get<std::string>());
    if (!d.ok()) return BadPack("manifest.json: retention.purge_on: " + d.error().message);
    m.purge_on = *d;
  }
  if (!j["documents"].is_array()) return BadPack("manifest.json: documents must be a list");
  for (const json& d : j["documents"]) {
    if (!d.is_object() || !d.contains("path") || !d["path"].is_string() || !d.contains("document"))
      return BadPack("manifest.json: every document needs a path and a document record");
    auto meta = FromJson<DocumentMeta>(d["document"]);
    if (!meta.ok()) return BadPack("manifest.json: " + meta.error().message);
    CP_ASSIGN_OR_RETURN(const std::string path, ManifestPath(d["path"]));
    if (m.files.count(path)) return BadPack("manifest.json names '" + path + "' twice");
    m.files[path] = DeclaredFile{meta->size, meta->sha256, std::move(meta).value(), false};
  }
  if (j.contains("extras")) {
    if (!j["extras"].is_array()) return BadPack("manifest.json: extras must be a list");
    for (const json& x : j["extras"]) {
      if (!x.is_object() || !x.contains("path") || !x["path"].is_string() || !x.contains("size") ||
          !x.contains("sha256") || !x["sha256"].is_string())
        return BadPack("manifest.json: every extra file needs a path, size and sha256");
      CP_ASSIGN_OR_RETURN(std::uint64_t size, GetSize(x["size"], "manifest.json extras"));
      CP_ASSIGN_OR_RETURN(const std::string path, ManifestPath(x["path"]));
      if (size > kPackExtraLimit)
        return BadPack("manifest.json: '" + path.substr(0, 80) + "' is larger than the 16 MiB limit for notes and reports");
      if (m.files.count(path)) return BadPack("manifest.json names '" + path + "' twice");
      m.files[path] = DeclaredFile{size, x["sha256"].get<std::string>(), std::nullopt, false};
    }
  }
  if (j.contains("notes")) {
    auto notes = FromJson<SectionNotes>(j["notes"]);
    if (!notes.ok()) return BadPack("manifest.json: notes: " + notes.error().message);
    m.notes = std::move(notes).value();
    CP_RETURN_IF_ERROR(ValidateNotes(m.basics.event_type, m.notes));
  }
  return m;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

Result<PackContents> PackService::Seal(std::string_view case_id, const PackSealOptions& options,
                                       std::span<const AgeRecipient* const> recipients, AgeSink& out) {
  CP_ASSIGN_OR_RETURN(CaseDetail detail, cases_.GetCase(case_id));
  PackContents contents;
  contents.case_id = detail.record.id;
  contents.event_type = detail.record.event_type;
  contents.subject = detail.record.subject;

  if (options.report_only && (!options.include_report || options.include_notes || !options.document_ids.empty()))
    return MakeError(ErrorCode::kInvalidArgument, "a report-only pack holds the report and nothing else");
  std::vector<StoredDocument> chosen;
  if (options.report_only) {
    // nothing from the case but the report
  } else if (options.document_ids.empty()) {
    chosen = detail.documents;
  } else {
    for (const auto& id : options.document_ids) {
      CP_ASSIGN_OR_RETURN(StoredDocument d, cases_.FindDocument(case_id, id));
      // Named twice (an id and its prefix, say): once in the pack, whose manifest may list a path only once.
      const bool seen = std::any_of(chosen.begin(), chosen.end(), [&](const StoredDocument& c) { return c.meta.id == d.meta.id; });
      if (!seen) chosen.push_back(std::move(d));
    }
  }
  Case basics = detail.record;
  basics.status = CaseStatus::kOpen;
  json manifest = {{"format", kFormatName},
                   {"version", kPackFormatVersion},
                   {"created_at", UtcNowIso(cases_.clock())},
                   {"sending_agency", options.sending_agency},
                   {"case", ToJson(basics)},
                   {"documents", json::array()},
                   {"extras", json::array()}};
  if (auto deadline = ComputeRetentionDeadline(basics, DefaultRetentionPolicy(basics.event_type)); deadline.ok()) {
    manifest["retention"] = {{"purge_on", FormatDate(deadline->purge_on)}, {"rule_after", deadline->rule_after},
                             {"days", deadline->days}};
    contents.purge_on = deadline->purge_on;
  } else {
    manifest["retention"] = nullptr;
  }
  for (const auto& d : chosen) {
    manifest["documents"].push_back({{"path", DocumentPath(d.meta)}, {"document", ToJson(d.meta)}});
    contents.documents.push_back(d.meta);
  }
  std::string notes_md, report_text;
  if (options.include_notes) {
    manifest["notes"] = ToJson(detail.notes);
    notes_md = NotesMarkdown(detail.record, detail.notes);
    manifest["extras"].push_back({{"path", "notes.md"}, {"size", notes_md.size()}, {"sha256", HexSha256(notes_md)}});
    contents.notes = true;
  }
  std::string report_path;
  if (options.include_report) {
    CP_ASSIGN_OR_RETURN(ReportInput in, cases_.BuildReportInput(case_id, options.report_date));
    CP_ASSIGN_OR_RETURN(report_text, RenderReport(BuildReportLayout(in, ReportDocument::kReport, options.report_language), *options.include_report));
    report_path = "report" + std::string(FileExtension(*options.include_report));
    manifest["extras"].push_back({{"path", report_path}, {"size", report_text.size()}, {"sha256", HexSha256(report_text)}});
    contents.report = true;
  }

  AgeEncryptOptions age_options;
  age_options.armor = options.armor;
  CP_ASSIGN_OR_RETURN(AgeEncryptor encryptor, AgeEncryptor::Create(out, recipients, age_options));
  TarWriter tar{&encryptor, cases_.clock().NowMillis() / 1000};
  CP_RETURN_IF_ERROR(tar.Open());
  // (bytes that are not UTF-8, which an older casepack stored, go as U+FFFD: JSON cannot carry them)
  CP_RETURN_IF_ERROR(tar.File(std::string(kManifestName),
                              manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
  for (const auto& d : chosen) {
    CP_RETURN_IF_ERROR(tar.Begin(DocumentPath(d.meta), d.meta.size));
    std::uint64_t written = 0;
    CP_RETURN_IF_ERROR(cases_.ExportDocument(case_id, d.meta.id, [&](std::span<const std::uint8_t> b) {
      written += b.size();
      return tar.Data(b);
    }));
    if (written != d.meta.size) return MakeError(ErrorCode::kCorrupt, "a stored document's size does not match its record");
  }
  if (!notes_md.empty()) CP_RETURN_IF_ERROR(tar.File("notes.md", notes_md));
  if (!report_text.empty()) CP_RETURN_IF_ERROR(tar.File(report_path, report_text));
  CP_RETURN_IF_ERROR(tar.Close());
  CP_RETURN_IF_ERROR(encryptor.Close());
  return contents;
}

namespace {

Result<PackImportResult> ImportTar(CaseService& cases, bool allow_past_purge, ChunkSource chunks) {
  TarReader tar{std::move(chunks)};
  CP_RETURN_IF_ERROR(tar.Open());

  std::vector<ImportedDocument> imported;
  const BlobStore& blobs = cases.blobs();
  const bool had_blob_dir = blobs.HasDirectory();
  auto forget = [&](Error e) -> Error {
    for (const auto& d : imported)
      if (!d.blob_id.empty()) (void)blobs.Remove(d.blob_id);
    if (!had_blob_dir) blobs.RemoveDirectoryIfEmpty();
    return e;
  };

  std::optional<Manifest> manifest;
  std::optional<ImportTarget> target;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(tar.ar.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return forget(tar.Failure("reading the archive"));
    auto path = CheckEntry(entry);
    if (!path.ok()) return forget(path.error());
    if (path->empty()) continue;  // a directory entry
    const std::uint64_t entry_size = static_cast<std::uint64_t>(archive_entry_size(entry));

    if (!manifest) {
      if (*path != kManifestName)
        return forget(BadPack("the pack's first file is '" + path->substr(0, 80) + "', not manifest.json"));
      if (entry_size > kPackManifestLimit) return forget(BadPack("manifest.json is larger than 1 MiB"));
      std::string text(entry_size, '\0');
      if (entry_size > 0 && archive_read_data(tar.ar.get(), text.data(), text.size()) != static_cast<la_ssize_t>(text.size()))
        return forget(tar.Failure("reading manifest.json"));
      auto parsed = ParseManifest(text);
      if (!parsed.ok()) return forget(parsed.error());
      manifest = std::move(parsed).value();
      for (const auto& [p, f] : manifest->files)
        if (f.document && f.size > cases.document_limit())
          return forget(BadPack("document '" + f.document->original_name + "' is over the size limit of " +
                                std::to_string(cases.document_limit() / (1024 * 1024)) + " MiB"));
      auto t = cases.PrepareImport(manifest->basics.id);
      if (!t.ok()) return forget(t.error());
      target = std::move(t).value();
      // Before any document is decrypted into the store: a new case already past its date is refused.
      if (target->is_new) {
        if (Status s = cases.CheckImportedCase(manifest->basics); !s.ok()) return forget(s.error());
        if (Status s = CheckNotPastPurgeDate(cases.store(), manifest->basics, allow_past_purge); !s.ok())
          return forget(s.error());
      }
      continue;
    }

    auto declared = manifest->files.find(*path);
    if (declared == manifest->files.end()) return forget(BadPack("tar entry '" + path->substr(0, 80) + "' is not in the manifest"));
    DeclaredFile& f = declared->second;
    if (f.seen) return forget(BadPack("tar entry '" + path->substr(0, 80) + "' appears twice"));
    f.seen = true;
    if (entry_size > f.size)
      return forget(BadPack("tar entry '" + path->substr(0, 80) + "' is bigger than the manifest declares (" +
                            std::to_string(entry_size) + " > " + std::to_string(f.size) + " bytes)"));
    if (entry_size != f.size)
      return forget(BadPack("tar entry '" + path->substr(0, 80) + "' is smaller than the manifest declares"));

    if (!f.document) {  // notes.md, report: checked, not stored (the manifest carries the notes)
      std::string text(entry_size, '\0');
      if (entry_size > 0 && archive_read_data(tar.ar.get(), text.data(), text.size()) != static_cast<la_ssize_t>(text.size()))
        return forget(tar.Failure("reading " + *path));
      if (HexSha256(text) != f.sha256) return forget(BadPack("'" + *path + "' does not match its hash in the manifest"));
      continue;
    }
    ByteSource source = [&tar](std::span<std::uint8_t> buf) -> Result<std::size_t> {
      const la_ssize_t n = archive_read_data(tar.ar.get(), buf.data(), buf.size());
      if (n < 0) return tar.Failure("reading a document");
      return static_cast<std::size_t>(n);
    };
    Sha256Digest digest{};
    std::uint64_t size = 0;
    std::string blob_id;  // stays empty for bytes the case already holds
    if (target->held_sha256.contains(f.sha256)) {
      // The case holds these bytes already (the same pack opened again): hashed against the manifest, as
      // any document is, but neither encrypted nor written (CommitImport skips it).
      Sha256Hasher hasher;
      Bytes buf(kAgeChunkBytes);
      for (;;) {
        auto n = source(buf);
        if (!n.ok()) return forget(n.error());
        if (*n == 0) break;
        hasher.Update(std::span<const std::uint8_t>(buf.data(), *n));
        size += *n;
      }
      digest = hasher.Final();
    } else {
      auto blob = cases.blobs().Put(target->case_key, target->case_id, source, f.size);
      if (!blob.ok()) {
        if (blob.error().code == ErrorCode::kInvalidArgument && f.size == 0)
          return forget(BadPack("document '" + f.document->original_name + "' is empty"));
        return forget(blob.error());
      }
      digest = blob->sha256;
      size = blob->size;
      blob_id = blob->blob_id;
    }
    imported.push_back(ImportedDocument{*f.document, std::move(blob_id)});  // (forget removes its blob)
    if (HexEncode(digest) != f.sha256 || size != f.size)
      return forget(BadPack("document '" + f.document->original_name + "' does not match its hash in the manifest"));
  }
  if (!manifest) return forget(BadPack("the pack holds no manifest.json"));
  if (Status s = tar.Drain(); !s.ok()) return forget(s.error());
  for (const auto& [path, f] : manifest->files)
    if (!f.seen) return forget(BadPack("the manifest lists '" + path.substr(0, 80) + "' but the pack does not hold it"));

  PackImportResult result;
  result.case_id = target->case_id;
  result.new_case = target->is_new;
  result.contents.case_id = manifest->basics.id;
  result.contents.event_type = manifest->basics.event_type;
  result.contents.subject = manifest->basics.subject;
  result.contents.notes = !manifest->notes.empty();
  result.contents.purge_on = manifest->purge_on;
  for (const auto& d : imported) result.contents.documents.push_back(d.meta);
  std::vector<std::size_t> skipped;
  Status committed = cases.CommitImport(*target, manifest->basics, imported, manifest->notes, skipped);
  if (!committed.ok()) return forget(committed.error());
  // Blobs of documents the case already held are not referenced: remove them.
  for (std::size_t i : skipped) {
    result.skipped.push_back(imported[i].meta.original_name);
    if (!imported[i].blob_id.empty()) (void)blobs.Remove(imported[i].blob_id);
  }
  return result;
}

}  // namespace

Result<PackImportResult> PackService::Open(AgeSource& in, std::span<const AgeIdentity* const> identities) {
  AgeDecryptor decryptor(in);
  CP_RETURN_IF_ERROR(decryptor.ReadHeader());
  CP_RETURN_IF_ERROR(decryptor.Unlock(identities));
  return ImportTar(cases_, allow_past_purge_, [&decryptor] { return decryptor.Next(); });
}

namespace internal {

Result<PackImportResult> ImportPackTar(CaseService& cases, AgeSource& plaintext) {
  Bytes buffer(kAgeChunkBytes);
  return ImportTar(cases, /*allow_past_purge=*/false, [&]() -> Result<std::span<const std::uint8_t>> {
    CP_ASSIGN_OR_RETURN(std::size_t n, plaintext.Read(buffer));
    return std::span<const std::uint8_t>(buffer.data(), n);
  });
}

}  // namespace internal

Result<PackInspection> InspectPack(AgeSource& in) {
  AgeDecryptor decryptor(in);
  CP_RETURN_IF_ERROR(decryptor.ReadHeader());
  PackInspection out;
  out.header_bytes = decryptor.header().size;
  for (const AgeStanza& s : decryptor.header().stanzas) {
    out.stanza_types.push_back(s.args.empty() ? std::string("?") : s.args[0]);
    if (!s.args.empty() && s.args[0] == "scrypt" && s.args.size() == 3) {
      auto wf = ParseScryptWorkFactor(s.args[2]);
      if (wf.ok()) out.scrypt_work_factor = *wf;
    }
  }
  return out;
}

}  // namespace casepack
