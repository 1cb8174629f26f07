// Byte coding shared by the operation and snapshot formats (as leveldb's util/coding.h): LEB128 varints
// (decoders reject non-minimal forms, so that every value has one encoding), zigzag, length-prefixed strings.
// Not the HTTP API's messages: those are casepack/wire.h.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace casepack::coding {

inline std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class Writer {
 public:
  void Byte(std::uint8_t b) { out_.push_back(b); }
  void Raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void Varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void Fixed64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void Str(std::string_view s) {
    Varint(s.size());
    Raw(s.data(), s.size());
  }
  std::vector<std::uint8_t>& bytes() { return out_; }
  std::vector<std::uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<std::uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : p_(in.data()), end_(in.data() + in.size()) {}
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  bool Byte(std::uint8_t& b) {
    if (p_ == end_) return false;
    b = *p_++;
    return true;
  }
  bool Raw(void* out, std::size_t n) {
    if (remaining() < n) return false;
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  // Minimal LEB128 of at most 10 bytes; a value above 2^64-1 or a trailing zero byte is refused.
  bool Varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return false;
      std::uint8_t b = *p_++;
      if (shift == 63 && b > 1) return false;
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return !(b == 0 && shift > 0);
    }
    return false;
  }
  bool Fixed64(std::uint64_t& v) {
    if (remaining() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p_[i]) << (8 * i);
    p_ += 8;
    return true;
  }
  bool Str(std::string& s, std::uint64_t max) {
    std::uint64_t n;
    if (!Varint(n) || n > max || n > remaining()) return false;
    s.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }
  bool View(std::string_view& s, std::uint64_t max) {
    std::uint64_t n;
    if (!Varint(n) || n > max || n > remaining()) return false;
    s = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// A difference of two 64-bit hybrid logical clocks (48 bits of ms, 16 of logical counter) as its
// milliseconds (arithmetic shift, |ms| < 2^47) and its low 16 bits, those only when not 0:
// varint(zigzag(ms) << 1 | (low != 0)) [varint(low)]. Keystrokes a few ms apart cost one byte, not the three
// or four of a zigzag of the whole difference. One encoding per value (decoders refuse the others).
inline void PutClockDelta(Writer& w, std::int64_t d) {
  const std::uint64_t lo = static_cast<std::uint64_t>(d) & 0xFFFF;
  w.Varint((ZigZag(d >> 16) << 1) | (lo != 0 ? 1 : 0));
  if (lo != 0) w.Varint(lo);
}
inline bool GetClockDelta(Reader& r, std::uint64_t& d) {
  std::uint64_t v, lo = 0;
  if (!r.Varint(v) || ((v & 1) && (!r.Varint(lo) || lo == 0 || lo > 0xFFFF))) return false;
  const std::int64_t ms = UnZigZag(v >> 1);
  if (ms < -(std::int64_t{1} << 47) || ms >= (std::int64_t{1} << 47)) return false;
  d = (static_cast<std::uint64_t>(ms) << 16) | lo;
  return true;
}

}  // namespace casepack::coding
