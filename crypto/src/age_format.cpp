// age v1 header parsing and encoding, file-type sniffing, and the simple byte streams. See docs/age.md.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "casepack/age.h"
#include "casepack/age_primitives.h"

namespace casepack {

// ---- streams --------------------------------------------------------------------------------------------

Result<std::size_t> AgeMemorySource::Read(std::span<std::uint8_t> out) {
  const std::size_t n = std::min(out.size(), bytes_.size() - pos_);
  if (n > 0) std::memcpy(out.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

Status AgeMemorySink::Write(std::span<const std::uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  return Ok();
}

Result<std::size_t> AgeFdSource::Read(std::span<std::uint8_t> out) {
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return MakeError(ErrorCode::kIo, std::string("reading input: ") + std::strerror(errno));
  }
}

Status AgeFdSink::Write(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const ErrorCode code = (errno == ENOSPC || errno == EDQUOT) ? ErrorCode::kNoSpace : ErrorCode::kIo;
      return MakeError(code, std::string("writing output: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

// ---- sniffing -------------------------------------------------------------------------------------------

namespace {

bool StartsWith(std::span<const std::uint8_t> b, std::string_view prefix, std::size_t at = 0) {
  return b.size() >= at + prefix.size() && std::memcmp(b.data() + at, prefix.data(), prefix.size()) == 0;
}

}  // namespace

std::string DescribeNonAgeBytes(std::span<const std::uint8_t> b) {
  using namespace std::string_view_literals;
  if (b.empty()) return "the file is empty";
  if (StartsWith(b, "PK\x03\x04"sv) || StartsWith(b, "PK\x05\x06"sv))
    return "it looks like a ZIP archive (or an Office document)";
  if (StartsWith(b, "%PDF-")) return "it looks like a PDF document";
  if (StartsWith(b, "\x1f\x8b"sv)) return "it looks like a gzip-compressed file";
  if (StartsWith(b, "ustar", 257)) return "it looks like a tar archive (not encrypted)";
  if (StartsWith(b, "\x89PNG"sv)) return "it looks like a PNG image";
  if (StartsWith(b, "\xff\xd8\xff"sv)) return "it looks like a JPEG image";
  if (StartsWith(b, "SQLite format 3"sv)) return "it looks like an SQLite database";
  if (StartsWith(b, "\x28\xb5\x2f\xfd"sv)) return "it looks like a zstd-compressed file";
  if (StartsWith(b, "\xfd" "7zXZ"sv)) return "it looks like an xz-compressed file";
  if (StartsWith(b, "BZh")) return "it looks like a bzip2-compressed file";
  if (StartsWith(b, "7z\xbc\xaf\x27\x1c"sv)) return "it looks like a 7-Zip archive";
  if (StartsWith(b, "\xd0\xcf\x11\xe0"sv)) return "it looks like an old Microsoft Office document";
  if (StartsWith(b, "-----BEGIN PGP")) return "it looks like an OpenPGP (gpg) file, not age";
  if (StartsWith(b, "-----BEGIN AGE ENCRYPTED FILE-----")) return "it is an armored age file that was read as binary";
  if (StartsWith(b, "-----BEGIN")) return "it looks like a PEM file, not age";
  if (StartsWith(b, "{") || StartsWith(b, "[")) return "it looks like JSON or other text";
  const std::size_t n = std::min<std::size_t>(b.size(), 512);
  bool text = true;
  bool blank = true;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t c = b[i];
    if (c == '\t' || c == '\n' || c == '\r' || c == ' ') continue;
    blank = false;
    if (c < 0x20 || c == 0x7f) text = false;
  }
  if (blank) return "it contains only blank space";
  if (text) return "it looks like plain text";
  return "its first bytes match no known format";
}

// ---- header ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kVersionPrefix = "age-encryption.org/";
constexpr std::string_view kVersionLine = "age-encryption.org/v1";
constexpr std::size_t kColumns = 64;

class LineReader {
 public:
  explicit LineReader(std::span<const std::uint8_t> b) : b_(b) {}
  // The next line without its LF; std::nullopt if no complete line remains.
  std::optional<std::string_view> Next() {
    const auto* start = b_.data() + pos_;
    const auto* nl = static_cast<const std::uint8_t*>(std::memchr(start, '\n', b_.size() - pos_));
    if (nl == nullptr) return std::nullopt;
    const std::size_t len = static_cast<std::size_t>(nl - start);
    line_start_ = pos_;
    pos_ += len + 1;
    ++number_;
    return std::string_view(reinterpret_cast<const char*>(start), len);
  }
  std::size_t pos() const { return pos_; }
  std::size_t line_start() const { return line_start_; }
  int number() const { return number_; }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int number_ = 0;
};

Error LineError(int line, std::string what) {
  return MakeError(ErrorCode::kCorrupt, "header line " + std::to_string(line) + ": " + what,
                   "the file was damaged or altered, or was not made by an age implementation");
}

Error Truncated() {
  return MakeError(ErrorCode::kCorrupt, "file is truncated: it ends inside the age header",
                   "the file was probably cut short while copying or downloading");
}

}  // namespace

Result<AgeHeader> ParseAgeHeader(std::span<const std::uint8_t> bytes) {
  // Decide first whether this is an age file at all, so a ZIP or a PDF gets a useful message.
  const std::size_t check = std::min(bytes.size(), kVersionPrefix.size());
  if (bytes.empty() || std::memcmp(bytes.data(), kVersionPrefix.data(), check) != 0) {
    return MakeError(ErrorCode::kCorrupt, "not an age file: " + DescribeNonAgeBytes(bytes));
  }
  LineReader lines(bytes);
  auto version = lines.Next();
  if (!version) return Truncated();
  if (*version != kVersionLine) {
    if (version->size() == kVersionLine.size() + 1 && version->back() == '\r' &&
        version->substr(0, kVersionLine.size()) == kVersionLine) {
      return MakeError(ErrorCode::kCorrupt, "header line 1: the header has CRLF line endings",
                       "the file was converted as text (e.g. by email or FTP); get an unmodified copy");
    }
    return MakeError(ErrorCode::kUnsupported, "unsupported age format version (only v1 is supported)",
                     "the file was made by a newer or different age implementation");
  }

  AgeHeader header;
  for (;;) {
    auto line = lines.Next();
    if (!line) return Truncated();
    const int n = lines.number();
    if (line->substr(0, 3) == "---") {
      if (header.stanzas.empty()) return LineError(n, "the header has no recipient stanza");
      if (line->substr(0, 4) != "--- ") return LineError(n, "the MAC line must be \"--- \" and the MAC");
      const std::string_view mac_text = line->substr(4);
      if (mac_text.size() != 43) return LineError(n, "the header MAC has the wrong length");
      auto mac = Base64RawDecode(mac_text);
      if (!mac.ok() || mac->size() != 32) return LineError(n, "the header MAC is not canonical base64");
      std::copy(mac->begin(), mac->end(), header.mac.begin());
      header.mac_input_bytes = lines.line_start() + 3;
      header.size = lines.pos();
      return header;
    }
    if (line->substr(0, 3) != "-> ") {
      return LineError(n, "expected a recipient stanza (\"-> \") or the header MAC (\"--- \")");
    }
    AgeStanza stanza;
    std::string_view rest = line->substr(3);
    for (;;) {
      const std::size_t sp = rest.find(' ');
      const std::string_view arg = rest.substr(0, sp);
      if (arg.empty()) return LineError(n, "a stanza argument is empty");
      for (char c : arg) {
        if (c < 33 || c > 126) return LineError(n, "a stanza argument contains a character that is not printable ASCII");
      }
      stanza.args.emplace_back(arg);
      if (sp == std::string_view::npos) break;
      rest = rest.substr(sp + 1);
    }
    // Body: full 64-column lines, then one shorter (possibly empty) line.
    for (;;) {
      auto body = lines.Next();
      if (!body) return Truncated();
      if (body->size() > kColumns) return LineError(lines.number(), "a stanza body line is longer than 64 columns");
      auto decoded = Base64RawDecode(*body);
      if (!decoded.ok()) {
        return LineError(lines.number(), "a stanza body line is not canonical unpadded base64");
      }
      stanza.body.insert(stanza.body.end(), decoded->begin(), decoded->end());
      if (body->size() < kColumns) break;
    }
    header.stanzas.push_back(std::move(stanza));
    if (lines.pos() > kAgeMaxHeaderBytes) {
      return MakeError(ErrorCode::kCorrupt, "the age header is larger than the 1 MiB limit");
    }
  }
}

std::string EncodeAgeHeaderMacInput(const std::vector<AgeStanza>& stanzas) {
  std::string out(kVersionLine);
  out += '\n';
  for (const AgeStanza& s : stanzas) {
    out += "->";
    for (const std::string& a : s.args) {
      out += ' ';
      out += a;
    }
    out += '\n';
    const std::string b64 = Base64RawEncode(s.body);
    std::size_t i = 0;
    for (; i + kColumns <= b64.size(); i += kColumns) {
      out.append(b64, i, kColumns);
      out += '\n';
    }
    out.append(b64, i, std::string::npos);  // the final short line, possibly empty
    out += '\n';
  }
  out += "---";
  return out;
}

std::string EncodeAgeHeader(const AgeHeader& header) {
  std::string out = EncodeAgeHeaderMacInput(header.stanzas);
  out += ' ';
  out += Base64RawEncode(header.mac);
  out += '\n';
  return out;
}

}  // namespace casepack
