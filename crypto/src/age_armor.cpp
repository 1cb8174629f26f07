// ASCII armor for age files: strict PEM (RFC 7468 §3), label "AGE ENCRYPTED FILE". The spec allows only
// whitespace around the block and LF or CRLF line ends; everything else that a lax PEM parser would take
// (headers, blank lines, short lines in the middle, missing padding, non-canonical base64, trailing text) is
// rejected, because an armored file must not be malleable.
#include <cstring>

#include "casepack/age.h"
#include "casepack/age_primitives.h"

namespace casepack {

namespace {

constexpr std::string_view kBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view kEnd = "-----END AGE ENCRYPTED FILE-----";
constexpr std::size_t kColumns = 64;
constexpr std::size_t kBytesPerLine = 48;
constexpr std::size_t kMaxLine = 128;  // anything longer is already wrong; stop reading early

std::string PaddedBase64(std::span<const std::uint8_t> bytes) {
  std::string s = Base64RawEncode(bytes);
  while (s.size() % 4 != 0) s += '=';
  return s;
}

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Status AgeArmorWriter::Begin() {
  started_ = true;
  std::string line(kBegin);
  line += '\n';
  return out_->Write(AsBytes(line));
}

Status AgeArmorWriter::Write(std::span<const std::uint8_t> bytes) {
  if (!started_) CP_RETURN_IF_ERROR(Begin());
  std::string text;
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kBytesPerLine - pending_len_);
    std::memcpy(pending_.data() + pending_len_, bytes.data(), n);
    pending_len_ += n;
    bytes = bytes.subspan(n);
    if (pending_len_ == kBytesPerLine) {
      text += PaddedBase64(pending_);
      text += '\n';
      pending_len_ = 0;
    }
    if (text.size() >= 64 * 1024) {
      CP_RETURN_IF_ERROR(out_->Write(AsBytes(text)));
      text.clear();
    }
  }
  if (!text.empty()) CP_RETURN_IF_ERROR(out_->Write(AsBytes(text)));
  return Ok();
}

Status AgeArmorWriter::Close() {
  if (closed_) return Ok();
  closed_ = true;
  if (!started_) CP_RETURN_IF_ERROR(Begin());
  std::string text;
  if (pending_len_ > 0) {
    text += PaddedBase64(std::span<const std::uint8_t>(pending_.data(), pending_len_));
    text += '\n';
  }
  text += kEnd;
  text += '\n';
  return out_->Write(AsBytes(text));
}

Error AgeArmorReader::Fail(std::string what) {
  failed_ = true;
  return MakeError(ErrorCode::kCorrupt, "armor: " + what,
                   "the armored text was changed (e.g. re-wrapped or edited by an email program); "
                   "paste it again exactly as sent");
}

Result<int> AgeArmorReader::NextByte() {
  if (ipos_ == iend_) {
    if (ieof_) return -1;
    auto n = in_->Read(ibuf_);
    if (!n.ok()) return n.error();
    ipos_ = 0;
    iend_ = *n;
    if (*n == 0) {
      ieof_ = true;
      return -1;
    }
  }
  return ibuf_[ipos_++];
}

// Reads up to LF (not included; a CR before it is dropped). Returns false at end of input with no bytes.
Result<bool> AgeArmorReader::ReadLine(std::string& line, bool& had_newline) {
  line.clear();
  had_newline = false;
  for (;;) {
    CP_ASSIGN_OR_RETURN(int c, NextByte());
    if (c < 0) return !line.empty();
    if (c == '\n') {
      had_newline = true;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    if (line.size() > kMaxLine) return Fail("a line is longer than 64 columns");
    line += static_cast<char>(c);
  }
}

Status AgeArmorReader::DecodeNextLine() {
  std::string line;
  bool had_newline = false;
  if (state_ == State::kStart) {
    int c = 0;
    do {
      CP_ASSIGN_OR_RETURN(c, NextByte());
    } while (IsSpace(c));
    if (c < 0) return Fail("no \"-----BEGIN AGE ENCRYPTED FILE-----\" line");
    --ipos_;  // the byte just read is the first of the BEGIN line and is still in the buffer
    CP_ASSIGN_OR_RETURN(bool got, ReadLine(line, had_newline));
    if (!got || line != kBegin || !had_newline) {
      return Fail("the first line is not exactly \"-----BEGIN AGE ENCRYPTED FILE-----\"");
    }
    state_ = State::kBody;
  }
  CP_ASSIGN_OR_RETURN(bool got, ReadLine(line, had_newline));
  if (!got) return Fail("the \"-----END AGE ENCRYPTED FILE-----\" line is missing (truncated?)");
  if (line == kEnd) {
    // Only whitespace may follow.
    for (;;) {
      CP_ASSIGN_OR_RETURN(int c, NextByte());
      if (c < 0) break;
      if (!IsSpace(c)) return Fail("there is text after the END line");
    }
    state_ = State::kDone;
    return Ok();
  }
  if (!had_newline) return Fail("the \"-----END AGE ENCRYPTED FILE-----\" line is missing (truncated?)");
  if (expect_end_) return Fail("a line that is not the END line follows the last (short or padded) line");
  if (line.empty()) return Fail("an empty line inside the armored block");
  if (line.size() > kColumns) return Fail("a line is longer than 64 columns");
  std::size_t pads = 0;
  while (pads < line.size() && line[line.size() - 1 - pads] == '=') ++pads;
  if (pads > 2) return Fail("too much base64 padding");
  if (line.size() % 4 != 0) {
    return Fail(line.size() < kColumns ? "a short line is not padded base64 (missing '=' or a line cut short)"
                                       : "a line is not valid base64");
  }
  if (pads > 0 || line.size() < kColumns) expect_end_ = true;
  auto decoded = Base64RawDecode(std::string_view(line).substr(0, line.size() - pads));
  if (!decoded.ok()) return Fail("a line is not canonical base64");
  // With p padding characters the unpadded part must leave exactly 3 - p bytes in its last group.
  if (decoded->size() != (line.size() / 4) * 3 - pads) return Fail("the base64 padding is wrong");
  std::memcpy(decoded_.data(), decoded->data(), decoded->size());
  dpos_ = 0;
  dlen_ = decoded->size();
  return Ok();
}

Result<std::size_t> AgeArmorReader::Read(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (dpos_ == dlen_) {
      if (state_ == State::kDone) break;
      CP_RETURN_IF_ERROR(DecodeNextLine());
      continue;
    }
    const std::size_t n = std::min(out.size() - done, dlen_ - dpos_);
    std::memcpy(out.data() + done, decoded_.data() + dpos_, n);
    dpos_ += n;
    done += n;
  }
  return done;
}

std::string AgeArmorEncode(std::span<const std::uint8_t> bytes) {
  AgeMemorySink sink;
  AgeArmorWriter w(sink);
  if (!w.Write(bytes).ok() || !w.Close().ok()) std::abort();  // a memory sink cannot fail
  return std::string(AsText(sink.bytes()));
}

Result<Bytes> AgeArmorDecode(std::span<const std::uint8_t> armored) {
  AgeMemorySource src(armored);
  AgeArmorReader r(src);
  Bytes out;
  std::array<std::uint8_t, 4096> buf{};
  for (;;) {
    CP_ASSIGN_OR_RETURN(std::size_t n, r.Read(buf));
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

}  // namespace casepack
