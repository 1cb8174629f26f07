#include "casepack/http_body.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace casepack::http_body {

std::string Deflate(std::string_view body) {
  uLongf bound = compressBound(static_cast<uLong>(body.size()));
  std::string out(bound, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &bound, reinterpret_cast<const Bytef*>(body.data()),
                static_cast<uLong>(body.size()), 6) != Z_OK)
    std::abort();  // only out of memory: the bound fits any input
  out.resize(bound);
  return out;
}

Result<std::string> Inflate(std::string_view coded, std::size_t max_size) {
  auto bad = [] { return MakeError(ErrorCode::kInvalidArgument, "the body does not inflate (Content-Encoding: deflate)"); };
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return bad();
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&zs};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(coded.data()));
  zs.avail_in = static_cast<uInt>(coded.size());
  std::string out;
  char chunk[16384];
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    const std::size_t got = sizeof chunk - zs.avail_out;
    if (out.size() + got > max_size) return MakeError(ErrorCode::kNoSpace, "the body inflates beyond its limit");
    out.append(chunk, got);
    if (ret == Z_STREAM_END) break;
    if (ret != Z_OK) return bad();  // corrupt, or Z_BUF_ERROR: the stream ended early
  }
  if (zs.avail_in != 0) return bad();  // trailing bytes
  return out;
}

namespace {
bool LowerEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool IsCoding(std::string_view value, std::string_view coding) { return LowerEqual(Trim(value), coding); }

bool ListsCoding(std::string_view value, std::string_view coding) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    std::string_view params;
    if (const std::size_t semi = item.find(';'); semi != std::string_view::npos) {
      params = item.substr(semi + 1);
      item = item.substr(0, semi);
    }
    if (!LowerEqual(Trim(item), coding)) continue;
    params = Trim(params);
    if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
      const std::string_view q = Trim(params.substr(2));
      if (!q.empty() && std::all_of(q.begin(), q.end(), [](char c) { return c == '0' || c == '.'; })) return false;
    }
    return true;
  }
  return false;
}

}  // namespace casepack::http_body
