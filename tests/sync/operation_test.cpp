// Operation batch format (docs/operation-format.md): round trips, canonical-form rejections, and the
// vectors in tests/vectors/ops/. CASEPACK_WRITE_VECTORS=1 regenerates the vectors and the fuzz seed
// corpus (tests/fuzz/ops/corpus/) from the cases below; normally the files are only read and checked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "casepack/encoding.h"
#include "casepack/operation.h"
#include "support/seed.h"

namespace casepack {
namespace {

namespace fs = std::filesystem;

Operation Base(OpKind kind, std::uint64_t counter) {
  Operation op;
  op.id = {0x1111111111111111ull, counter};
  op.clock = HlcTimestamp::From(1'700'000'000'000ull, static_cast<std::uint16_t>(counter));
  op.author = "facilitator-a";
  op.case_id = "case-42";
  op.target = {"note/1", "body"};
  op.kind = kind;
  return op;
}

std::vector<Operation> SampleBatch() {
  std::vector<Operation> ops;
  Operation reg = Base(OpKind::kRegisterSet, 1);
  reg.target = {"action/7", "owner"};
  reg.value = "\"alice\"";
  reg.keep_conflicts = true;
  reg.refs = {{0x2222222222222222ull, 3}};
  ops.push_back(reg);
  Operation add = Base(OpKind::kCollectionAdd, 2);
  add.target = {"case", "actions"};
  add.key = "action/7";
  add.value = "{}";
  ops.push_back(add);
  Operation rem = Base(OpKind::kCollectionRemove, 3);
  rem.target = {"case", "actions"};
  rem.key = "action/7";
  rem.refs = {{0x1111111111111111ull, 2}};
  ops.push_back(rem);
  Operation ins = Base(OpKind::kTextInsert, 4);
  ins.text = "héllo";
  ins.origin_right = {0x2222222222222222ull, 9};
  ops.push_back(ins);
  Operation tomb = Base(OpKind::kTextInsert, 9);
  tomb.origin_left = {0x1111111111111111ull, 8};
  tomb.tombstone_len = 3;
  ops.push_back(tomb);
  Operation del = Base(OpKind::kTextDelete, 12);
  del.ranges = {{{0x1111111111111111ull, 9}, 3}, {{0x2222222222222222ull, 1}, 2}};
  ops.push_back(del);
  return ops;
}

// Typing as ChangesSince gives it: a run, a run typed into the middle of it (splitting it: a tombstone
// piece and a live piece sharing the right origin), a backspace.
std::vector<Operation> TypingBatch() {
  std::vector<Operation> ops;
  Operation a = Base(OpKind::kTextInsert, 1);
  a.text = "Dear panel,";
  ops.push_back(a);
  Operation b = Base(OpKind::kTextInsert, 12);
  b.clock = HlcTimestamp{a.clock.value + 11};
  b.origin_left = {0x1111111111111111ull, 5};
  b.origin_right = {0x1111111111111111ull, 6};
  b.tombstone_len = 2;
  ops.push_back(b);
  Operation c = b;
  c.id.counter = 14;
  c.origin_left = {0x1111111111111111ull, 13};
  c.tombstone_len = 0;
  c.text = " members";
  ops.push_back(c);
  Operation d = Base(OpKind::kTextDelete, 22);
  d.clock = HlcTimestamp{c.clock.value + 9};
  d.ranges = {{{0x1111111111111111ull, 21}, 1}};
  ops.push_back(d);
  return ops;
}

// Where the first operation's head byte is: after magic, version, case id, replica and string tables, count.
std::size_t FirstHeadAt(const std::vector<Operation>& ops) {
  const Bytes b = EncodeOperations(ops, BatchVersion::kV2);
  std::size_t at = 5 + 1 + ops.front().case_id.size();
  const std::size_t nrep = b[at];
  at += 1 + 8 * nrep;
  const std::size_t nstr = b[at++];
  for (std::size_t i = 0; i < nstr; ++i) at += 1 + b[at];
  return at + 1;  // the operation count (one byte here)
}

// TypingBatch in version 2 with the second operation's id written out (replica index 0, counter 12).
Bytes ExplicitSecondId(const std::vector<Operation>& ops) {
  Bytes b = EncodeOperations(ops, BatchVersion::kV2);
  Bytes first_only = EncodeOperations(std::span<const Operation>(ops.data(), 1), BatchVersion::kV2);
  // The first op's encoding is the tail of the one-op batch; the second op starts right after it in b.
  const std::size_t head_at = FirstHeadAt(ops);
  const std::size_t first_len = first_only.size() - FirstHeadAt({ops.front()});
  const std::size_t second = head_at + first_len;
  b[second] &= static_cast<std::uint8_t>(~0x08);
  const std::uint8_t id[] = {0x00, 0x0C};
  b.insert(b.begin() + static_cast<long>(second + 1), id, id + 2);
  return b;
}

struct Vector {
  std::string name;
  std::string expect;  // success | corrupt | unsupported
  std::string comment;
  Bytes bytes;
};

std::vector<Vector> MakeVectors() {
  std::vector<Vector> v;
  auto one = [](Operation op) { return EncodeOperations(std::vector<Operation>{std::move(op)}); };
  const auto sample = SampleBatch();
  v.push_back({"batch_all_kinds", "success", "one operation of each kind, two replicas (version 1)",
               EncodeOperations(sample, BatchVersion::kV1)});
  v.push_back({"v2_batch_all_kinds", "success", "the same six operations in version 2", EncodeOperations(sample)});
  const auto typing = TypingBatch();
  v.push_back({"v2_typing", "success",
               "typing, a fix and a backspace: next ids, same strings, run origins, relative counters",
               EncodeOperations(typing)});
  {
    // The second operation written with an explicit id although the next id applies: a second encoding of
    // the same batch.
    v.push_back({"v2_explicit_next_id", "corrupt", "an explicit id where the previous op predicts it",
                 ExplicitSecondId(typing)});
    Bytes first = EncodeOperations(typing, BatchVersion::kV2);
    first[FirstHeadAt(typing)] |= 0x08;
    v.push_back({"v2_next_id_on_first", "corrupt", "the next-id flag on the first operation", first});
  }
  {
    Bytes b = EncodeOperations(sample, BatchVersion::kV2);
    b[FirstHeadAt(sample)] |= 0x40;  // the first op is a register write
    v.push_back({"v2_origin_flag_on_register", "corrupt", "an insert's origin flag on a register write", b});
  }
  v.push_back({"register_set", "success", "a conflict-keeping register write superseding one value", one(sample[0])});
  v.push_back({"collection_add", "success", "an add with a value", one(sample[1])});
  v.push_back({"collection_remove", "success", "a remove naming the add tag it observed", one(sample[2])});
  v.push_back({"text_insert_run", "success", "a run of 5 code points (6 bytes) at the start", one(sample[3])});
  v.push_back({"text_insert_tombstone", "success", "a deleted run sent without its content", one(sample[4])});
  v.push_back({"text_delete_ranges", "success", "a delete of two id ranges (span 5)", one(sample[5])});
  v.push_back({"empty_batch", "success", "no operations, empty case id", EncodeOperations({})});
  Bytes good = one(sample[1]);
  {
    Bytes b = good;
    b[0] = 'X';
    v.push_back({"bad_magic", "corrupt", "magic is not CPOP", b});
  }
  {
    Bytes b = good;
    b[4] = 3;
    v.push_back({"version_3", "unsupported", "a future version", b});
  }
  {
    Bytes b(good.begin(), good.end() - 1);
    v.push_back({"truncated", "corrupt", "last byte missing", b});
  }
  {
    Bytes b = good;
    b.push_back(0);
    v.push_back({"trailing_byte", "corrupt", "a byte after the last operation", b});
  }
  {
    // The case id length 7 as a two-byte varint 0x87 0x00: not minimal.
    Bytes b = good;
    b[5] = 0x87;
    b.insert(b.begin() + 6, 0x00);
    v.push_back({"varint_not_minimal", "corrupt", "case id length encoded in two bytes", b});
  }
  {
    Operation a = sample[0];
    a.refs = {{0x1111111111111111ull, 1}};  // only one replica
    Bytes b = one(a);
    // Add an unused second replica: bump the count and insert 8 bytes after the first entry.
    const std::size_t count_at = 5 + 1 + a.case_id.size();
    b[count_at] = 2;
    Bytes extra(8, 0xEE);
    b.insert(b.begin() + static_cast<long>(count_at + 1 + 8), extra.begin(), extra.end());
    v.push_back({"unused_replica", "corrupt", "replica table entry no operation refers to", b});
  }
  {
    Operation a = sample[1];
    a.author = "b";
    a.target = {"a", "c"};
    a.key = "d";
    Bytes b = one(a);
    // Strings are "a","b","c","d" (each 1-byte length + 1 byte) after the replica table: swap a and b.
    const std::size_t strings_at = 5 + 1 + a.case_id.size() + 1 + 8 + 1;
    std::swap(b[strings_at + 1], b[strings_at + 3]);
    v.push_back({"strings_not_sorted", "corrupt", "string table out of order (two encodings for one batch)", b});
  }
  {
    Operation a = sample[3];
    a.text = "ab";
    Bytes b = one(a);
    b[b.size() - 1] = 0xFF;
    v.push_back({"text_invalid_utf8", "corrupt", "inserted text is not UTF-8", b});
  }
  {
    Bytes b = one(sample[1]);
    // Counter is the byte after kind(1) and replica index(1) in the first operation: make it 0.
    const std::size_t op_at = b.size() - (1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2);
    b[op_at + 2] = 0;
    v.push_back({"counter_zero", "corrupt", "operation counter 0 is reserved for none", b});
  }
  return v;
}

std::string Render(const Vector& v) {
  std::ostringstream o;
  o << "expect: " << v.expect << "\ncomment: " << v.comment << "\n\n" << HexEncode(v.bytes) << "\n";
  return o.str();
}

fs::path VectorDir() { return fs::path(CASEPACK_VECTORS_DIR) / "ops"; }

TEST(OperationFormat, RoundTrip) {
  const auto ops = SampleBatch();
  Bytes b = EncodeOperations(ops);
  auto back = DecodeOperations(b);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) EXPECT_TRUE((*back)[i] == ops[i]) << i;
  EXPECT_EQ(EncodeOperations(*back), b);
  EXPECT_EQ(b[4], 2) << "a batch of several operations is version 2";
  EXPECT_EQ(EncodeOperations(std::span<const Operation>(ops.data(), 1))[4], 1) << "one operation stays version 1";
  auto v1 = DecodeOperations(EncodeOperations(ops, BatchVersion::kV1));
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_TRUE(*v1 == ops);
  EXPECT_EQ(ops[3].Span(), 5u);
  EXPECT_EQ(ops[5].Span(), 5u);
}

// Version 2 leaves out what the previous operation predicts; each prediction must round-trip, and the
// same operations in another order (where nothing is predicted) still decode to themselves.
TEST(OperationFormat, Version2PredictionsRoundTripAndShrinkTyping) {
  auto typing = TypingBatch();
  const Bytes v2 = EncodeOperations(typing), v1 = EncodeOperations(typing, BatchVersion::kV1);
  auto back = DecodeOperations(v2);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(*back == typing);
  EXPECT_LT(v2.size() + 12, v1.size()) << "version 2 " << v2.size() << " bytes, version 1 " << v1.size();
  std::reverse(typing.begin(), typing.end());
  auto reversed = DecodeOperations(EncodeOperations(typing));
  ASSERT_TRUE(reversed.ok()) << reversed.error().message;
  EXPECT_TRUE(*reversed == typing);
}

TEST(OperationFormat, ValidateRejectsMismatchedFields) {
  Operation op = Base(OpKind::kRegisterSet, 1);
  op.text = "x";
  EXPECT_FALSE(Validate(op).ok());
  op = Base(OpKind::kTextInsert, 1);
  EXPECT_FALSE(Validate(op).ok());  // neither text nor tombstone
  op.text = "\xC0\xAF";             // overlong
  EXPECT_FALSE(Validate(op).ok());
  op.text = "\xED\xA0\x80";  // surrogate
  EXPECT_FALSE(Validate(op).ok());
  op.text = "ok";
  EXPECT_TRUE(Validate(op).ok());
  op.id.counter = 0xFFFFFFFFull;  // two code points would pass 2^32-1
  EXPECT_FALSE(Validate(op).ok());
}

TEST(OperationFormat, Vectors) {
  const auto vectors = MakeVectors();
  if (std::getenv("CASEPACK_WRITE_VECTORS")) {
    fs::create_directories(VectorDir());
    const fs::path corpus = fs::path(CASEPACK_SOURCE_DIR) / "tests/fuzz/ops/corpus";
    fs::create_directories(corpus);
    for (const auto& v : vectors) {
      std::ofstream(VectorDir() / v.name) << Render(v);
      std::ofstream(corpus / v.name, std::ios::binary)
          .write(reinterpret_cast<const char*>(v.bytes.data()), static_cast<std::streamsize>(v.bytes.size()));
    }
  }
  // Every file in the folder is checked, whether or not it is generated above.
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(VectorDir())) {
    std::ifstream in(entry.path());
    std::string line, expect, hex;
    while (std::getline(in, line) && !line.empty())
      if (line.rfind("expect: ", 0) == 0) expect = line.substr(8);
    std::getline(in, hex);
    auto bytes = HexDecode(hex);
    ASSERT_TRUE(bytes.ok()) << entry.path();
    auto ops = DecodeOperations(*bytes);
    SCOPED_TRACE(entry.path().filename().string());
    if (expect == "success") {
      ASSERT_TRUE(ops.ok()) << ops.error().message;
      EXPECT_EQ(EncodeOperations(*ops, static_cast<BatchVersion>(OperationBatchVersion(*bytes))), *bytes);  // canonical
    } else {
      ASSERT_FALSE(ops.ok());
      EXPECT_EQ(ops.error().code, expect == "unsupported" ? ErrorCode::kUnsupported : ErrorCode::kCorrupt)
          << ops.error().message;
    }
    ++checked;
  }
  EXPECT_GE(checked, static_cast<int>(vectors.size()));
}

// Issue 18 (merging a history): Utf8Length counts eight ASCII bytes at a time. Random texts of ASCII runs
// (short and long, so that a multi-byte code point falls at every offset of an eight-byte word) and
// code points of 2, 3 and 4 bytes count as many code points as were encoded; the same text with one
// byte that is never UTF-8 (0xFF), a lone continuation byte, or its last code point cut short, at any
// position, is refused.
TEST(Utf8, Issue18WordAtATimeAsciiCountsAndRefusesAsBefore) {
  const std::uint64_t seed = testing::FreshSeed("Utf8.Issue18WordAtATime");
  std::mt19937_64 rng(seed);
  auto encode = [](std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    std::vector<std::size_t> starts;  // byte offset of each code point
    const int pieces = 1 + static_cast<int>(rng() % 12);
    for (int p = 0; p < pieces; ++p) {
      const int ascii = static_cast<int>(rng() % (rng() % 2 ? 3 : 40));
      for (int k = 0; k < ascii; ++k) {
        starts.push_back(text.size());
        text += static_cast<char>(' ' + rng() % 95);
      }
      std::uint32_t cp;
      switch (rng() % 3) {
        case 0: cp = 0x80 + static_cast<std::uint32_t>(rng() % (0x800 - 0x80)); break;  // ŵ
        case 1: cp = 0xE000 + static_cast<std::uint32_t>(rng() % 0x1000); break;        // 3 bytes, past the surrogates
        default: cp = 0x10000 + static_cast<std::uint32_t>(rng() % 0x100000); break;    // 4 bytes
      }
      starts.push_back(text.size());
      encode(cp, text);
    }
    auto n = Utf8Length(text);
    ASSERT_TRUE(n.ok()) << "seed " << seed << " round " << round;
    ASSERT_EQ(*n, starts.size()) << "seed " << seed << " round " << round;

    const std::size_t at = rng() % (text.size() + 1);
    std::string bad = text;
    bad.insert(at, 1, '\xFF');
    EXPECT_FALSE(Utf8Length(bad).ok()) << "0xFF at " << at << ", seed " << seed << " round " << round;
    const std::size_t boundary = rng() % starts.size();
    bad = text;
    bad.insert(starts[boundary], 1, '\x80');
    EXPECT_FALSE(Utf8Length(bad).ok()) << "0x80 at " << starts[boundary] << ", seed " << seed << " round " << round;
    if (static_cast<unsigned char>(text.back()) >= 0x80) {
      EXPECT_FALSE(Utf8Length(std::string_view(text).substr(0, text.size() - 1)).ok())
          << "cut short, seed " << seed << " round " << round;
    }
  }
}

}  // namespace
}  // namespace casepack
