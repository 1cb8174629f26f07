// Transfer packs between agencies: an age v1 file whose plaintext is a tar archive holding manifest.json
// (first) and the case's documents, optionally its notes and report (PDF, Word, HTML or Markdown), or
// the report alone. Agencies without casepack open one
// with `age -d pack.age | tar x`; casepack imports files made by `age` and `tar` the same way.
// Format: docs/packs.md.
//
// Sealing streams every document from the blob store through tar and age, and opening streams back into
// the blob store: memory does not grow with the pack. Opening is all or nothing: every entry is checked
// (names, types, declared sizes, hashes) before anything is recorded, and on any failure the blobs
// written so far are removed and the store is as before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "casepack/age.h"
#include "casepack/cases.h"
#include "casepack/report.h"
#include "casepack/report_layout.h"

namespace casepack {

inline constexpr int kPackFormatVersion = 1;
inline constexpr std::size_t kPackManifestLimit = 1024 * 1024;
// notes.md and report.* are read into memory to check their hash: bounded, unlike documents (which stream).
inline constexpr std::uint64_t kPackExtraLimit = 16 * 1024 * 1024;

struct PackSealOptions {
  std::vector<std::string> document_ids;  // ids or unique prefixes; empty: every document
  bool include_notes = false;
  std::optional<ReportFormat> include_report;
  ReportLanguage report_language = ReportLanguage::kEnglish;  // the included report's (--lang, --bilingual)
  // A report-only pack (`casepack report send`): the report and the manifest, no documents, no notes.
  // REQUIRES: include_report.
  bool report_only = false;
  std::optional<Date> report_date;
  std::string sending_agency;  // who sends it, as the manifest records
  bool armor = false;
};

struct PackContents {
  std::string case_id;
  EventType event_type = EventType::kMas;
  Subject subject;
  std::vector<DocumentMeta> documents;
  bool notes = false;
  bool report = false;
  std::optional<Date> purge_on;
};

struct PackImportResult {
  PackContents contents;
  std::string case_id;  // where it went
  bool new_case = false;
  std::vector<std::string> skipped;  // documents the case already held (same bytes)
};

// The highest scrypt work factor a pack may use (sealing and opening): 2^20 needs 1 GiB and a few
// seconds. age allows 2^22, which took 20 s and 4 GiB — enough to push an 8 GB laptop into swap for a
// file it was sent. Checked from the header, before any work (docs/packs.md).
inline constexpr int kPackScryptMaxWorkFactor = 20;

struct PackInspection {
  bool armored = false;
  std::size_t header_bytes = 0;
  std::vector<std::string> stanza_types;  // "X25519", "scrypt", or unknown types as written
  std::optional<int> scrypt_work_factor;
};

class PackService {
 public:
  // REQUIRES: `cases` (and its store) outlive the service.
  explicit PackService(CaseService& cases) : cases_(cases) {}

  // Writes the pack for `case_id` to `out`, encrypted to `recipients`. kInvalidArgument for an unknown
  // document id or no recipients; errors from the sink (kNoSpace, kIo) as they come: the caller discards
  // what was written.
  Result<PackContents> Seal(std::string_view case_id, const PackSealOptions& options,
                            std::span<const AgeRecipient* const> recipients, AgeSink& out);

  // Decrypts with the first identity that matches, checks everything, imports. Errors name the stage:
  // "wrong passphrase" / "no identity matched …" (kAuthFailed), "not an age file: it looks like …",
  // "file is truncated", "payload chunk N does not verify" (kCorrupt), "tar entry '…' is a symbolic link"
  // (kInvalidArgument), manifest problems (kInvalidArgument / kUnsupported).
  Result<PackImportResult> Open(AgeSource& in, std::span<const AgeIdentity* const> identities);

  // Open() refuses a pack whose new case is already past its purge date (CheckNotPastPurgeDate) unless
  // the person asked for it explicitly.
  void AllowPastPurgeDate(bool allow) { allow_past_purge_ = allow; }

 private:
  CaseService& cases_;
  bool allow_past_purge_ = false;
};

// What the header says, without decrypting: recipient types and the scrypt work factor.
Result<PackInspection> InspectPack(AgeSource& in);

}  // namespace casepack
