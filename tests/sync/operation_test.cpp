// Operation batch format (docs/operation-format.md): round trips, canonical-form rejections, and the
// vectors in tests/vectors/ops/. CASEPACK_WRITE_VECTORS=1 regenerates the vectors and the fuzz seed
// corpus (tests/fuzz/ops/corpus/) from the cases below; normally the files are only read and checked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "casepack/encoding.h"
#include "casepack/operation.h"

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
  v.push_back({"batch_all_kinds", "success", "one operation of each kind, two replicas", EncodeOperations(sample)});
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
    b[4] = 2;
    v.push_back({"version_2", "unsupported", "a future version", b});
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
  EXPECT_EQ(ops[3].Span(), 5u);
  EXPECT_EQ(ops[5].Span(), 5u);
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
      EXPECT_EQ(EncodeOperations(*ops), *bytes);  // canonical
    } else {
      ASSERT_FALSE(ops.ok());
      EXPECT_EQ(ops.error().code, expect == "unsupported" ? ErrorCode::kUnsupported : ErrorCode::kCorrupt)
          << ops.error().message;
    }
    ++checked;
  }
  EXPECT_GE(checked, static_cast<int>(vectors.size()));
}

}  // namespace
}  // namespace casepack
