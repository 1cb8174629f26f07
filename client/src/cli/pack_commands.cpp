// casepack pack seal | open | inspect, casepack identity, casepack password generate
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "casepack/packs.h"
#include "casepack/password.h"
#include "io.h"
#include "pack_targets.h"
#include "retention_view.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct PackArgs {
  std::string case_id, file, output, password_file, identity_file, from, report;
  std::vector<std::string> to, to_files, docs;
  bool armor = false, generate_password = false, notes = false, json = false, force = false,
       past_purge_date = false;
  int work_factor = kAgeScryptDefaultWorkFactor;
  int groups = PasswordOptions{}.groups;
};

template <typename T>
T Must(Result<T> r, std::string_view context = {}) {
  if (!r.ok()) throw CommandFailed{context.empty() ? r.error() : r.error().Context(context)};
  return std::move(r).value();
}

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

FileDescriptor OpenForReading(const std::string& path) {
  FileDescriptor f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) Fail(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno));
  return f;
}

bool LooksArmored(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(128, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const auto start = head.find_first_not_of(" \t\r\n");
  return start != std::string::npos && head.compare(start, 34, "-----BEGIN AGE ENCRYPTED FILE-----") == 0;
}

// Recipients files as age reads them: one age1… per line, '#' comments and blank lines ignored.
std::vector<X25519Recipient> ReadRecipientsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail(ErrorCode::kIo, "cannot read the recipients file " + path + ": " + std::strerror(errno));
  std::vector<X25519Recipient> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    out.push_back(Must(X25519Recipient::Parse(line.substr(start, line.find_last_not_of(" \t") - start + 1)),
                       path + " line " + std::to_string(number)));
  }
  if (out.empty()) Fail(ErrorCode::kInvalidArgument, "the recipients file " + path + " lists no recipient");
  return out;
}

X25519Identity StoreAgeIdentity(const Store& store) {
  return Must(X25519Identity::FromSecretKey(store.identity().x25519_secret()));
}

}  // namespace

PackTargets ResolvePackTargets(const std::vector<std::string>& to, const std::vector<std::string>& to_files,
                               const std::string& password_file, bool generate_password, int work_factor) {
  const int modes = (!to.empty() || !to_files.empty() ? 1 : 0) + (password_file.empty() ? 0 : 1) + (generate_password ? 1 : 0);
  if (modes != 1)
    Fail(ErrorCode::kInvalidArgument, "usage: give recipients (--to, --to-file) or one password (--password-file or --generate-password)",
         "a password pack cannot also go to keys: age allows a passphrase only on its own");
  PackTargets t;
  for (const auto& r : to) t.keys.push_back(Must(X25519Recipient::Parse(r), "--to"));
  for (const auto& f : to_files)
    for (auto& r : ReadRecipientsFile(f)) t.keys.push_back(std::move(r));
  if (!password_file.empty()) {
    SecretBytes pw = ReadPassphrase(password_file, "", false);
    t.scrypt = Must(ScryptRecipient::Create(View(pw), work_factor));
  } else if (generate_password) {
    t.generated = Must(GeneratePassword());
    t.scrypt = Must(ScryptRecipient::Create(View(t.generated), work_factor));
  }
  return t;
}

PackContents WritePack(PackService& packs, const std::string& case_id, const PackSealOptions& options,
                       const PackTargets& targets, const std::string& output, bool force) {
  std::vector<const AgeRecipient*> recipients;
  for (const auto& k : targets.keys) recipients.push_back(&k);
  if (targets.scrypt) recipients.push_back(&*targets.scrypt);
  Output out(output, force);
  struct OutputSink final : AgeSink {
    Output* out;
    Status Write(std::span<const std::uint8_t> b) override { return out->Write(b); }
  } sink;
  sink.out = &out;
  PackContents contents = Must(packs.Seal(case_id, options, recipients, sink));
  // Not fsynced: a pack lost or cut short by a power cut is refused by every reader (age's header MAC and
  // final-chunk flag), and the audit entry, committed durably next, records the seal either way. Why this
  // is enough for a disclosure record: docs/packs.md, "Durability".
  out.Commit(Output::Sync::kSelfChecking);
  return contents;
}

void PrintGeneratedPassword(const PackTargets& t) {
  if (t.generated.size() == 0) return;
  std::printf("password: %.*s\n", static_cast<int>(t.generated.size()), reinterpret_cast<const char*>(t.generated.expose().data()));
  std::fprintf(stderr, "casepack: this password is shown once; send it by another route than the pack\n");
}

namespace {

void AddIdentity(CLI::App& parent, Context& ctx) {
  auto* identity = parent.add_subcommand("identity", "print this store's age recipient (age1…), for agencies to encrypt packs to");
  identity->callback([&ctx] {
    auto session = ctx.OpenSession("casepack identity");
    std::printf("%s\n", StoreAgeIdentity(StoreOf(*session)).ToRecipient().ToString().c_str());
  });
}

void AddPasswordGenerate(CLI::App& parent, PackArgs& a) {
  auto* generate = parent.add_subcommand("generate", "print a new random password (over 100 bits; no 0/O/1/l/I; grouped)");
  generate->add_option("--groups", a.groups, "groups of five characters (at least 5)")->check(CLI::Range(5, 12));
  generate->callback([&a] {
    PasswordOptions options;
    options.groups = a.groups;
    SecretBytes pw = Must(GeneratePassword(options));
    std::printf("%.*s\n", static_cast<int>(pw.size()), reinterpret_cast<const char*>(pw.expose().data()));
    std::fprintf(stderr, "(%.0f bits from the system's random source; read it out in groups)\n", PasswordBits(options));
  });
}

void AddPackSeal(CLI::App& parent, Context& ctx, PackArgs& a) {
  auto* seal = parent.add_subcommand("seal", "write a case's pack, encrypted to agencies' keys or to a password");
  seal->add_option("CASE", a.case_id, "case id")->required();
  seal->add_option("-o,--output", a.output, "the pack file to write")->required();
  seal->add_option("--to", a.to, "an agency's age recipient, age1… (repeatable)");
  seal->add_option("--to-file", a.to_files, "a file of age recipients, one per line (repeatable)");
  seal->add_option("--password-file", a.password_file, "encrypt to the password on the first line of FILE");
  seal->add_flag("--generate-password", a.generate_password, "encrypt to a new random password, printed once");
  seal->add_option("--work-factor", a.work_factor, "scrypt work factor for a password (log2; default 18)")->check(CLI::Range(1, kPackScryptMaxWorkFactor));
  seal->add_flag("--armor", a.armor, "ASCII armor, for pasting into an email body");
  seal->add_option("--doc", a.docs, "include only this document (repeatable; default: all)");
  seal->add_flag("--notes", a.notes, "include the notes");
  seal->add_option("--report", a.report, "include the report, md or html (in the language of --lang)");
  seal->add_option("--from", a.from, "the sending agency, as the manifest records it")->required();
  seal->add_flag("--force", a.force, "replace the output file if it exists");
  seal->callback([&ctx, &a] {
    const PackTargets targets = ResolvePackTargets(a.to, a.to_files, a.password_file, a.generate_password, a.work_factor);
    PackSealOptions options;
    options.document_ids = a.docs;
    options.include_notes = a.notes;
    if (!a.report.empty()) options.include_report = Must(ParseReportFormat(a.report), "--report");
    options.report_language = ctx.lang == Language::kWelsh ? ReportLanguage::kWelsh : ReportLanguage::kEnglish;
    options.sending_agency = a.from;
    options.armor = a.armor;

    auto session = ctx.OpenSession("casepack pack seal");
    CaseService& cases = CasesOf(*session);
    const std::string case_id = Must(cases.ResolveCaseId(a.case_id));
    PackService& packs = PacksOf(*session);
    const PackContents contents = WritePack(packs, case_id, options, targets, a.output, a.force);
    const bool to_password = targets.scrypt.has_value();
    AuditEvent(*session, AuditKind::kPackSeal, case_id,
               "documents " + std::to_string(contents.documents.size()) + (to_password ? ", to a password" : ", to " + std::to_string(targets.keys.size()) + " key(s)"));
    std::printf("sealed %s: %zu document(s)%s%s, to %s\n", a.output.c_str(), contents.documents.size(),
                contents.notes ? ", notes" : "", contents.report ? ", report" : "",
                to_password ? "a password" : (std::to_string(targets.keys.size()) + " recipient(s)").c_str());
    PrintGeneratedPassword(targets);
  });
}

void AddPackOpen(CLI::App& parent, Context& ctx, PackArgs& a) {
  auto* open = parent.add_subcommand("open", "check a pack and import it: into a new case, or the case it belongs to");
  open->add_option("FILE", a.file, "the pack")->required();
  open->add_option("--identity", a.identity_file, "an age identity file (AGE-SECRET-KEY-1…); default: this store's own key");
  open->add_option("--password-file", a.password_file, "the pack's password, on the first line of FILE");
  open->add_flag("--past-purge-date", a.past_purge_date,
                 "import a new case even if it is already past its purge date (the next command purges it)");
  open->callback([&ctx, &a] {
    FileDescriptor f = OpenForReading(a.file);
    // Which kind of key the pack needs decides what we ask for: peek at the header first.
    AgeFdSource peek_source(f.fd);
    auto inspection = InspectPack(peek_source);
    if (!inspection.ok()) throw CommandFailed{inspection.error().Context(a.file)};
    const bool wants_password = std::find(inspection->stanza_types.begin(), inspection->stanza_types.end(), "scrypt") !=
                                inspection->stanza_types.end();
    if (::lseek(f.fd, 0, SEEK_SET) != 0) Fail(ErrorCode::kIo, "cannot re-read " + a.file);
    // Before the store is unlocked or a password asked: a pack must not be able to cost a laptop seconds
    // of work and gigabytes of memory (2^22 took 20 s and 4 GiB) just to say "wrong password".
    if (inspection->scrypt_work_factor && *inspection->scrypt_work_factor > kPackScryptMaxWorkFactor)
      Fail(ErrorCode::kUnsupported,
           a.file + ": scrypt work factor 2^" + std::to_string(*inspection->scrypt_work_factor) +
               " is above the limit 2^" + std::to_string(kPackScryptMaxWorkFactor) + " for packs",
           "ask the sender to seal it again with the default work factor (2^18)");

    const std::uint64_t document_limit = DocumentLimitFromEnvironment();
    auto session = ctx.OpenSession("casepack pack open", /*run_retention=*/true, document_limit);
    std::vector<X25519Identity> keys;
    std::optional<ScryptIdentity> scrypt;
    if (wants_password) {
      SecretBytes pw = [&a] {
        try {
          return ReadPassphrase(a.password_file, "password for " + a.file + ": ", false);
        } catch (CommandFailed& failure) {
          // ReadPassphrase speaks of the store's passphrase and its option; here it is the pack's password.
          if (a.password_file.empty() && failure.error.message.rfind("no terminal", 0) == 0)
            Fail(ErrorCode::kInvalidArgument, "no terminal to ask for the pack's password",
                 "use --password-file FILE (the password the Business Unit gave you, on its first line)");
          throw;
        }
      }();
      scrypt = Must(ScryptIdentity::Create(View(pw), kPackScryptMaxWorkFactor));
    } else if (!a.identity_file.empty()) {
      std::ifstream in(a.identity_file);
      if (!in) Fail(ErrorCode::kIo, "cannot read the identity file " + a.identity_file);
      std::stringstream text;
      text << in.rdbuf();
      std::string contents = text.str();
      auto parsed = ParseAgeIdentityFile(contents);
      Wipe(contents);
      keys = Must(std::move(parsed), a.identity_file);
    } else {
      keys.push_back(StoreAgeIdentity(StoreOf(*session)));
    }
    std::vector<const AgeIdentity*> identities;
    for (const auto& k : keys) identities.push_back(&k);
    if (scrypt) identities.push_back(&*scrypt);

    PackService& packs = PacksOf(*session);
    packs.AllowPastPurgeDate(a.past_purge_date);
    AgeFdSource source(f.fd);
    auto result = packs.Open(source, identities);
    if (!result.ok()) {
      Error e = result.error().Context(a.file);
      // The age layer's hints are generic ("ask the sender which public key they used"); ours name the
      // options that fix it here, so they replace it.
      if (e.code == ErrorCode::kAuthFailed)
        e.hint = wants_password ? "check the password the Business Unit gave you; nothing was imported"
                                : "the pack was not encrypted to this key: pass --identity FILE, or ask the sender to use 'casepack identity'";
      throw CommandFailed{e};
    }
    AuditEvent(*session, AuditKind::kPackOpen, result->case_id,
               "documents " + std::to_string(result->contents.documents.size() - result->skipped.size()) +
                   (result->new_case ? ", new case" : ", existing case"));
    std::printf("opened %s: %s case %s (%s, %s), %zu document(s) imported%s\n", a.file.c_str(),
                result->new_case ? "new" : "existing", result->case_id.substr(0, 8).c_str(),
                result->contents.subject.name_or_initials.c_str(), result->contents.subject.area.c_str(),
                result->contents.documents.size() - result->skipped.size(),
                result->contents.notes ? (result->new_case ? ", with notes" : "; its notes were not imported (the case has its own)") : "");
    for (const auto& s : result->skipped) std::printf("  already held, skipped: %s\n", s.c_str());
    if (result->contents.purge_on) std::printf("  the sender's retention deadline: %s\n", FormatDate(*result->contents.purge_on).c_str());
  });
}

void AddPackInspect(CLI::App& parent, PackArgs& a) {
  auto* inspect = parent.add_subcommand("inspect", "show what a pack's header says, without decrypting it");
  inspect->add_option("FILE", a.file, "the pack")->required();
  inspect->add_flag("--json", a.json, "machine-readable output");
  inspect->callback([&a] {
    FileDescriptor f = OpenForReading(a.file);
    AgeFdSource source(f.fd);
    auto info = InspectPack(source);
    if (!info.ok()) throw CommandFailed{info.error().Context(a.file)};
    const bool armored = LooksArmored(a.file);
    std::map<std::string, int> counts;
    for (const auto& t : info->stanza_types) ++counts[t];
    if (a.json) {
      json j = {{"file", a.file}, {"armored", armored}, {"header_bytes", info->header_bytes}, {"recipients", counts}};
      j["scrypt_work_factor"] = info->scrypt_work_factor ? json(*info->scrypt_work_factor) : json(nullptr);
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::printf("%s: age v1 file%s\n", a.file.c_str(), armored ? ", ASCII-armored" : "");
    for (const auto& [type, n] : counts) {
      if (type == "scrypt")
        std::printf("  password (scrypt), work factor 2^%d\n", info->scrypt_work_factor.value_or(0));
      else if (type == "X25519")
        std::printf("  %d X25519 recipient(s) (agency or casepack keys)\n", n);
      else
        std::printf("  %d recipient(s) of type %s (not supported by casepack)\n", n, type.c_str());
    }
  });
}

}  // namespace

void RegisterPackCommands(CLI::App& app, Context& ctx) {
  static PackArgs a;

  AddIdentity(app, ctx);

  auto* password = app.add_subcommand("password", "Business Unit transfer passwords");
  password->require_subcommand(1);
  AddPasswordGenerate(*password, a);

  auto* pack = app.add_subcommand("pack", "transfer packs: age-encrypted tar files agencies open with standard tools");
  pack->require_subcommand(1);

  AddPackSeal(*pack, ctx, a);

  AddPackOpen(*pack, ctx, a);

  AddPackInspect(*pack, a);
}

}  // namespace casepack::cli
