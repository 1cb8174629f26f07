// Where case content may go: reading long text from a file or standard input (never a temporary file of
// ours), and writing decrypted content only to a destination the user named with -o.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include "casepack/blob_store.h"
#include "casepack/dates.h"
#include "cli.h"

namespace casepack::cli {

// The whole of FILE, or of standard input when file is empty or "-". Throws CommandFailed.
std::string ReadTextInput(const std::string& file, std::string_view what);

// A file for decrypted output named by -o: "-" is standard output. A file is written as an unnamed
// O_TMPFILE in the target's directory and linked into place by Commit() once complete, so a failed or
// killed (even SIGKILLed) export never leaves a decrypted byte behind. On a file system without O_TMPFILE
// it is a named partial file, removed on failure and on fatal signals. An existing file is refused
// unless `force`.
class Output {
 public:
  Output(const std::string& target, bool force);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();
  bool is_stdout() const { return file_ == nullptr || file_ == stdout; }
  Status Write(std::span<const std::uint8_t> bytes);
  Status Write(std::string_view text) { return Write(AsBytes(text)); }
  ByteSink Sink() {
    return [this](std::span<const std::uint8_t> b) { return Write(b); };
  }
  // kDurable: fsync before the name is given (the file survives a power cut once the command says done).
  // kSelfChecking: for a file whose loss or truncation its reader detects (an age pack: header MAC, chunk
  // tags, the final-chunk flag), no fsync: the command need not wait for the disk. docs/packs.md.
  enum class Sync { kDurable, kSelfChecking };
  void Commit(Sync sync = Sync::kDurable);
  const std::string& target() const { return target_; }

 private:
  std::string target_;
  std::filesystem::path partial_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
  bool force_ = false;
};

// A date typed as DD/MM/YYYY (as the guidance writes them) or YYYY-MM-DD; an error names the option.
Date ParseDateOption(const std::string& text, std::string_view option);
// A date and optional time: DD/MM/YYYY [HH:MM] or YYYY-MM-DD[THH:MM].
DateTime ParseDateTimeOption(const std::string& text, std::string_view option);
Date Today();

// The largest document casepack takes in (doc add, pack open): CaseService's default, or
// $CASEPACK_DOCUMENT_LIMIT_MB (a whole number of MiB from 1 to 4096) so that a deployment, or a test, can
// set another. Throws CommandFailed for a malformed value.
std::uint64_t DocumentLimitFromEnvironment();

}  // namespace casepack::cli
