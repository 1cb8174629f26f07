// Operation batches: encoding, decoding and structural validation. The format is specified in
// docs/operation-format.md; keep the two in step.
#include "casepack/operation.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>

#include "coding.h"

namespace casepack {

namespace {

constexpr std::uint8_t kMagic[4] = {'C', 'P', 'O', 'P'};
// Counters are stored in 32 bits inside the text structure; a replica that makes four billion changes to
// one case has a bug, not a workload.
constexpr std::uint64_t kMaxCounter = 0xFFFFFFFFull;
constexpr std::uint64_t kMaxStringBytes = 16u << 20;

bool KindValid(std::uint8_t k) { return k >= 1 && k <= 5; }

}  // namespace

bool VersionVector::Includes(const VersionVector& other) const {
  for (const auto& [r, c] : other.v_)
    if (Get(r) < c) return false;
  return true;
}

VersionVector VersionVector::Min(const VersionVector& a, const VersionVector& b) {
  VersionVector out;
  for (const auto& [r, c] : a.v_) {
    std::uint64_t m = std::min(c, b.Get(r));
    if (m > 0) out.v_[r] = m;
  }
  return out;
}

std::uint64_t Operation::Span() const {
  switch (kind) {
    case OpKind::kTextInsert: {
      if (tombstone_len > 0) return tombstone_len;
      auto n = Utf8Length(text);
      return n.ok() ? *n : 1;
    }
    case OpKind::kTextDelete: {
      std::uint64_t n = 0;
      for (const auto& r : ranges) n += r.length;
      return n;
    }
    default:
      return 1;
  }
}

Operation OperationPart(const Operation& op, std::uint64_t from, std::uint64_t to) {
  const std::uint64_t first = op.id.counter;
  if (from == first && to == first + op.Span()) return op;
  Operation part = op;
  part.id.counter = from;
  const std::uint64_t skip = from - first, keep = to - from;
  if (op.kind == OpKind::kTextInsert) {
    if (skip > 0) part.origin_left = OpId{op.id.replica, from - 1};
    if (op.tombstone_len > 0) {
      part.tombstone_len = keep;
    } else {
      // Byte offsets of code points skip and skip + keep (valid UTF-8: a code point starts at each
      // byte that is not a continuation byte).
      auto offset = [&](std::uint64_t cps) {
        std::size_t i = 0;
        for (std::uint64_t seen = 0; i < op.text.size(); ++i) {
          if ((static_cast<unsigned char>(op.text[i]) & 0xC0) == 0x80) continue;
          if (seen++ == cps) break;
        }
        return i;
      };
      const std::size_t b = offset(skip), e = offset(skip + keep);
      part.text = op.text.substr(b, e - b);
    }
  } else if (op.kind == OpKind::kTextDelete) {
    part.ranges.clear();
    std::uint64_t at = 0;  // counters of op before the current range
    for (const IdRange& r : op.ranges) {
      const std::uint64_t lo = std::max(at, skip), hi = std::min(at + r.length, skip + keep);
      if (lo < hi) part.ranges.push_back(IdRange{OpId{r.start.replica, r.start.counter + (lo - at)}, hi - lo});
      at += r.length;
    }
  }
  return part;
}

Result<std::uint64_t> Utf8Length(std::string_view s) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    // Eight ASCII bytes at a time (most text is): eight code points.
    if (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        n += 8;
        continue;
      }
    }
    unsigned c = p[i];
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      ++n;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, "invalid utf-8");
    }
    if (i + len > s.size()) return MakeError(ErrorCode::kInvalidArgument, "truncated utf-8");
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return MakeError(ErrorCode::kInvalidArgument, "invalid utf-8");
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return MakeError(ErrorCode::kInvalidArgument, "invalid utf-8");
    i += len;
    ++n;
  }
  return n;
}

Status Validate(const Operation& op) {
  auto bad = [](std::string m) { return MakeError(ErrorCode::kInvalidArgument, std::move(m)); };
  if (op.id.counter == 0) return bad("operation counter must be at least 1");
  const bool is_insert = op.kind == OpKind::kTextInsert;
  const bool is_delete = op.kind == OpKind::kTextDelete;
  const bool has_value = op.kind == OpKind::kRegisterSet || op.kind == OpKind::kCollectionAdd;
  const bool has_key = op.kind == OpKind::kCollectionAdd || op.kind == OpKind::kCollectionRemove;
  const bool has_refs = op.kind == OpKind::kRegisterSet || op.kind == OpKind::kCollectionRemove;
  if (!KindValid(static_cast<std::uint8_t>(op.kind))) return bad("unknown operation kind");
  if (!has_value && !op.value.empty()) return bad("value given for an operation kind without one");
  if (op.kind != OpKind::kRegisterSet && op.keep_conflicts) return bad("keep_conflicts on a non-register");
  if (!has_key && !op.key.empty()) return bad("key given for an operation kind without one");
  if (!has_refs && !op.refs.empty()) return bad("refs given for an operation kind without them");
  for (const auto& r : op.refs)
    if (r.counter == 0 || r.counter > kMaxCounter) return bad("reference counter out of range");
  if (!is_insert && (!op.origin_left.none() || !op.origin_right.none() || !op.text.empty() || op.tombstone_len))
    return bad("text insert fields on another operation kind");
  if (!is_delete && !op.ranges.empty()) return bad("ranges given for an operation kind without them");
  for (const std::string* s : {&op.author, &op.case_id, &op.target.object, &op.target.field, &op.key, &op.value,
                               &op.text})
    if (s->size() > kMaxStringBytes) return bad("field exceeds 16 MiB");
  std::uint64_t span = 1;
  if (is_insert) {
    if ((op.tombstone_len > 0) == !op.text.empty()) return bad("text insert needs either text or tombstone_len");
    if (!op.text.empty()) {
      auto n = Utf8Length(op.text);
      if (!n.ok()) return n.error();
      span = *n;
    } else {
      span = op.tombstone_len;
    }
    if (op.origin_left.counter > kMaxCounter || op.origin_right.counter > kMaxCounter)
      return bad("origin counter out of range");
    if (op.origin_left == op.origin_right && !op.origin_left.none()) return bad("left and right origin are equal");
  }
  if (is_delete) {
    if (op.ranges.empty()) return bad("text delete without ranges");
    span = 0;
    for (const auto& r : op.ranges) {
      if (r.length == 0 || r.start.counter == 0) return bad("empty or invalid delete range");
      if (r.start.counter > kMaxCounter || r.length > kMaxCounter || r.start.counter + r.length - 1 > kMaxCounter)
        return bad("delete range counter out of range");
      span += r.length;
      if (span > kMaxCounter) return bad("delete spans too many code points");
    }
  }
  if (span > kMaxCounter || op.id.counter > kMaxCounter - span + 1) return bad("operation counter out of range");
  return Ok();
}

std::uint8_t OperationBatchVersion(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 5 || std::memcmp(bytes.data(), kMagic, 4) != 0) return 0;
  return bytes[4];
}

namespace {

// Version 2's operation head (docs/operation-format.md): the kind in bits 0-2 and flags above it.
constexpr std::uint8_t kNextId = 0x08;       // id = previous op's replica, previous counter + its span
constexpr std::uint8_t kSameStrings = 0x10;  // author, object and field as the previous op's
constexpr std::uint8_t kFlagA = 0x20;        // register: keep_conflicts; insert: tombstone
constexpr std::uint8_t kLeftPrev = 0x40;     // insert: origin_left = (own replica, own counter - 1)
constexpr std::uint8_t kRightSame = 0x80;    // insert: origin_right = previous insert's origin_right

// What version 2 predicts from the operations before the current one.
struct Context {
  bool first = true;
  OpId next;  // previous op's replica and counter + span
  const Operation* prev = nullptr;
  OpId prev_right;  // origin_right of the previous text insert (none before the first)
  bool NextId(const Operation& op) const { return !first && op.id == next; }
  bool SameStrings(const Operation& op) const {
    return prev != nullptr && op.author == prev->author && op.target == prev->target;
  }
  void Advance(const Operation& op) {
    first = false;
    next = {op.id.replica, op.id.counter + op.Span()};
    prev = &op;
    if (op.kind == OpKind::kTextInsert) prev_right = op.origin_right;
  }
};

bool LeftPrev(const Operation& op) {
  return op.id.counter > 1 && op.origin_left == OpId{op.id.replica, op.id.counter - 1};
}

}  // namespace

Bytes EncodeOperations(std::span<const Operation> ops, BatchVersion version) {
  if (version == BatchVersion::kAuto) version = ops.size() <= 1 ? BatchVersion::kV1 : BatchVersion::kV2;
  std::vector<ReplicaId> replicas;
  std::vector<std::string_view> strings;
  auto add_rep = [&](OpId id) {
    if (!id.none()) replicas.push_back(id.replica);
  };
  for (const auto& op : ops) {
    if (!Validate(op).ok()) std::abort();  // REQUIRES: well formed
    add_rep(op.id);
    for (const auto& r : op.refs) add_rep(r);
    add_rep(op.origin_left);
    add_rep(op.origin_right);
    for (const auto& r : op.ranges) add_rep(r.start);
    strings.push_back(op.author);
    strings.push_back(op.target.object);
    strings.push_back(op.target.field);
    if (op.kind == OpKind::kCollectionAdd || op.kind == OpKind::kCollectionRemove) strings.push_back(op.key);
  }
  std::sort(replicas.begin(), replicas.end());
  replicas.erase(std::unique(replicas.begin(), replicas.end()), replicas.end());
  std::sort(strings.begin(), strings.end());
  strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
  auto rep_index = [&](ReplicaId r) {
    return static_cast<std::uint64_t>(std::lower_bound(replicas.begin(), replicas.end(), r) - replicas.begin());
  };
  auto str_index = [&](std::string_view s) {
    return static_cast<std::uint64_t>(std::lower_bound(strings.begin(), strings.end(), s) - strings.begin());
  };

  coding::Writer w;
  w.Raw(kMagic, 4);
  w.Byte(static_cast<std::uint8_t>(version));
  const std::string_view case_id = ops.empty() ? std::string_view() : std::string_view(ops.front().case_id);
  w.Str(case_id);
  w.Varint(replicas.size());
  for (ReplicaId r : replicas) w.Fixed64(r);
  w.Varint(strings.size());
  for (auto s : strings) w.Str(s);
  w.Varint(ops.size());
  std::uint64_t prev_clock = 0;
  const bool v2 = version == BatchVersion::kV2;
  auto put_id = [&](OpId id) {
    w.Varint(rep_index(id.replica));
    w.Varint(id.counter);
  };
  // Counters other than the op's own: version 1 as they are, version 2 as differences from the op's own.
  std::uint64_t base = 0;
  auto put_ref = [&](OpId id) {
    if (!v2) return put_id(id);
    w.Varint(rep_index(id.replica));
    w.Varint(coding::ZigZag(static_cast<std::int64_t>(id.counter - base)));
  };
  auto put_origin = [&](OpId id) {
    if (id.none()) {
      w.Varint(0);
    } else {
      w.Varint(rep_index(id.replica) + 1);
      w.Varint(v2 ? coding::ZigZag(static_cast<std::int64_t>(id.counter - base)) : id.counter);
    }
  };
  Context ctx;
  for (const auto& op : ops) {
    if (op.case_id != case_id) std::abort();  // REQUIRES: one case per batch
    const bool insert = op.kind == OpKind::kTextInsert;
    const bool next_id = v2 && ctx.NextId(op), same_strings = v2 && ctx.SameStrings(op);
    const bool left_prev = v2 && insert && LeftPrev(op), right_same = v2 && insert && op.origin_right == ctx.prev_right;
    if (v2) {
      const bool flag_a = (op.kind == OpKind::kRegisterSet && op.keep_conflicts) || (insert && op.tombstone_len > 0);
      w.Byte(static_cast<std::uint8_t>(static_cast<std::uint8_t>(op.kind) | (next_id ? kNextId : 0) |
                                       (same_strings ? kSameStrings : 0) | (flag_a ? kFlagA : 0) |
                                       (left_prev ? kLeftPrev : 0) | (right_same ? kRightSame : 0)));
    } else {
      w.Byte(static_cast<std::uint8_t>(op.kind));
    }
    if (!next_id) put_id(op.id);
    if (v2) coding::PutClockDelta(w, static_cast<std::int64_t>(op.clock.value - prev_clock));
    else w.Varint(coding::ZigZag(static_cast<std::int64_t>(op.clock.value - prev_clock)));
    prev_clock = op.clock.value;
    if (!same_strings) {
      w.Varint(str_index(op.author));
      w.Varint(str_index(op.target.object));
      w.Varint(str_index(op.target.field));
    }
    base = op.id.counter;
    switch (op.kind) {
      case OpKind::kRegisterSet:
        if (!v2) w.Byte(op.keep_conflicts ? 1 : 0);
        w.Varint(op.refs.size());
        for (const auto& r : op.refs) put_ref(r);
        w.Str(op.value);
        break;
      case OpKind::kCollectionAdd:
        w.Varint(str_index(op.key));
        w.Str(op.value);
        break;
      case OpKind::kCollectionRemove:
        w.Varint(str_index(op.key));
        w.Varint(op.refs.size());
        for (const auto& r : op.refs) put_ref(r);
        break;
      case OpKind::kTextInsert:
        if (!left_prev) put_origin(op.origin_left);
        if (!right_same) put_origin(op.origin_right);
        if (v2) {
          if (op.tombstone_len > 0) w.Varint(op.tombstone_len);
          else w.Str(op.text);
        } else {
          w.Varint(op.tombstone_len);
          if (op.tombstone_len == 0) w.Str(op.text);
        }
        break;
      case OpKind::kTextDelete:
        w.Varint(op.ranges.size());
        for (const auto& r : op.ranges) {
          put_ref(r.start);
          w.Varint(r.length);
        }
        break;
    }
    ctx.Advance(op);
  }
  return w.Take();
}

Result<std::vector<Operation>> DecodeOperations(std::span<const std::uint8_t> bytes) {
  coding::Reader r(bytes);
  auto corrupt = [](std::string m) { return MakeError(ErrorCode::kCorrupt, "operation batch: " + m); };
  std::uint8_t magic[4];
  if (!r.Raw(magic, 4) || std::memcmp(magic, kMagic, 4) != 0) return corrupt("bad magic");
  std::uint8_t version;
  if (!r.Byte(version)) return corrupt("truncated");
  if (version != 1 && version != 2)
    return MakeError(ErrorCode::kUnsupported, "operation batch version " + std::to_string(version) + " unsupported",
                     "update casepack");
  const bool v2 = version == 2;
  std::string case_id;
  if (!r.Str(case_id, kMaxStringBytes)) return corrupt("bad case id");
  std::uint64_t nrep;
  if (!r.Varint(nrep) || nrep > r.remaining() / 8) return corrupt("bad replica table");
  std::vector<ReplicaId> replicas(nrep);
  for (auto& rep : replicas) {
    if (!r.Fixed64(rep)) return corrupt("truncated replica table");
    if (&rep != replicas.data() && rep <= *(&rep - 1)) return corrupt("replica table not strictly ascending");
  }
  std::uint64_t nstr;
  if (!r.Varint(nstr) || nstr > r.remaining()) return corrupt("bad string table");
  std::vector<std::string> strings(nstr);
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (!r.Str(strings[i], kMaxStringBytes)) return corrupt("truncated string table");
    if (i > 0 && !(strings[i - 1] < strings[i])) return corrupt("string table not strictly ascending");
  }
  std::vector<bool> rep_used(nrep), str_used(nstr);
  std::uint64_t nops;
  if (!r.Varint(nops) || nops > r.remaining()) return corrupt("bad operation count");
  std::vector<Operation> ops;
  ops.reserve(nops);
  std::uint64_t prev_clock = 0;
  auto get_rep = [&](std::uint64_t idx, ReplicaId& out) {
    if (idx >= nrep) return false;
    rep_used[idx] = true;
    out = replicas[idx];
    return true;
  };
  auto get_id = [&](OpId& id) {
    std::uint64_t idx;
    return r.Varint(idx) && get_rep(idx, id.replica) && r.Varint(id.counter) && id.counter != 0;
  };
  // Counters other than the op's own: in version 2, differences from it (`base`).
  std::uint64_t base = 0;
  auto get_counter = [&](std::uint64_t& counter) {
    if (!r.Varint(counter)) return false;
    if (v2) counter = base + static_cast<std::uint64_t>(coding::UnZigZag(counter));
    return counter != 0 && (!v2 || counter <= kMaxCounter);
  };
  auto get_ref = [&](OpId& id) {
    std::uint64_t idx;
    return r.Varint(idx) && get_rep(idx, id.replica) && get_counter(id.counter);
  };
  auto get_origin = [&](OpId& id) {
    std::uint64_t idx;
    if (!r.Varint(idx)) return false;
    if (idx == 0) return true;
    return get_rep(idx - 1, id.replica) && get_counter(id.counter);
  };
  auto get_str = [&](std::string& out) {
    std::uint64_t idx;
    if (!r.Varint(idx) || idx >= nstr) return false;
    str_used[idx] = true;
    out = strings[idx];
    return true;
  };
  Context ctx;
  for (std::uint64_t i = 0; i < nops; ++i) {
    Operation op;
    op.case_id = case_id;
    std::uint8_t head;
    std::uint64_t zz, n;
    if (!r.Byte(head)) return corrupt("bad operation kind");
    const std::uint8_t kind = v2 ? head & 0x07 : head;
    if (!KindValid(kind)) return corrupt("bad operation kind");
    op.kind = static_cast<OpKind>(kind);
    const bool insert = op.kind == OpKind::kTextInsert;
    if ((head & kNextId) && (!v2 || ctx.first)) return corrupt("next id on the first operation");
    if ((head & kSameStrings) && ctx.prev == nullptr) return corrupt("same strings on the first operation");
    if ((head & kFlagA) && op.kind != OpKind::kRegisterSet && !insert) return corrupt("flag for another kind");
    if ((head & (kLeftPrev | kRightSame)) && !insert) return corrupt("origin flags on a non-insert");
    if (head & kNextId) op.id = ctx.next;
    else if (!get_id(op.id)) return corrupt("bad operation id");
    if (v2 ? !coding::GetClockDelta(r, zz) : !r.Varint(zz)) return corrupt("bad operation clock");
    op.clock.value = prev_clock + (v2 ? zz : static_cast<std::uint64_t>(coding::UnZigZag(zz)));
    prev_clock = op.clock.value;
    if (head & kSameStrings) {
      op.author = ctx.prev->author;
      op.target = ctx.prev->target;
    } else if (!get_str(op.author) || !get_str(op.target.object) || !get_str(op.target.field)) {
      return corrupt("bad string reference");
    }
    base = op.id.counter;
    switch (op.kind) {
      case OpKind::kRegisterSet: {
        std::uint8_t flags = (head & kFlagA) ? 1 : 0;
        if (!v2 && (!r.Byte(flags) || flags > 1)) return corrupt("bad register flags");
        op.keep_conflicts = flags == 1;
        if (!r.Varint(n) || n > r.remaining()) return corrupt("bad reference count");
        op.refs.resize(n);
        for (auto& ref : op.refs)
          if (!get_ref(ref)) return corrupt("bad reference");
        if (!r.Str(op.value, kMaxStringBytes)) return corrupt("bad register value");
        break;
      }
      case OpKind::kCollectionAdd:
        if (!get_str(op.key) || !r.Str(op.value, kMaxStringBytes)) return corrupt("bad collection add");
        break;
      case OpKind::kCollectionRemove:
        if (!get_str(op.key) || !r.Varint(n) || n > r.remaining()) return corrupt("bad collection remove");
        op.refs.resize(n);
        for (auto& ref : op.refs)
          if (!get_ref(ref)) return corrupt("bad reference");
        break;
      case OpKind::kTextInsert:
        if (head & kLeftPrev) {
          if (op.id.counter < 2) return corrupt("left origin before the first counter");
          op.origin_left = {op.id.replica, op.id.counter - 1};
        } else if (!get_origin(op.origin_left) || (v2 && LeftPrev(op))) {
          return corrupt("bad text insert left origin");
        }
        if (head & kRightSame) op.origin_right = ctx.prev_right;
        else if (!get_origin(op.origin_right) || (v2 && op.origin_right == ctx.prev_right))
          return corrupt("bad text insert right origin");
        // Version 1: tombstone_len, then the text if it is 0; version 2: flag A says which follows.
        if (!v2 || (head & kFlagA) != 0) {
          if (!r.Varint(op.tombstone_len) || (v2 && op.tombstone_len == 0)) return corrupt("bad text insert");
        }
        if (op.tombstone_len == 0 && (!r.Str(op.text, kMaxStringBytes) || op.text.empty()))
          return corrupt("bad text insert content");
        break;
      case OpKind::kTextDelete:
        if (!r.Varint(n) || n == 0 || n > r.remaining()) return corrupt("bad delete range count");
        op.ranges.resize(n);
        for (auto& range : op.ranges)
          if (!get_ref(range.start) || !r.Varint(range.length)) return corrupt("bad delete range");
        break;
    }
    if (v2 && (head & kNextId) == 0 && ctx.NextId(op)) return corrupt("explicit id where the next id applies");
    auto valid = Validate(op);
    if (!valid.ok()) return corrupt(valid.error().message);
    ops.push_back(std::move(op));
    // The context points into `ops`: reserve() above keeps the elements where they are.
    if (v2 && (head & kSameStrings) == 0 && ctx.SameStrings(ops.back()))
      return corrupt("explicit strings where the previous op's apply");
    ctx.Advance(ops.back());
  }
  if (r.remaining() != 0) return corrupt("trailing bytes");
  if (std::find(rep_used.begin(), rep_used.end(), false) != rep_used.end()) return corrupt("unused replica entry");
  if (std::find(str_used.begin(), str_used.end(), false) != str_used.end()) return corrupt("unused string entry");
  if (nops == 0 && !case_id.empty()) return corrupt("empty batch with a case id");
  return ops;
}

}  // namespace casepack
