// The operations inside a sealed batch (client/src/sealed_batch_body.h, docs/sync-client.md "A batch on the
// wire"): a register set again in the same batch travels as its change from the earlier value.
#include "sealed_batch_body.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace casepack {
namespace {

constexpr ReplicaId kAuthor = 0x1111111111111111;

// A paragraph typed a character at a time, as EditNote does: each keystroke sets the paragraph's register
// to the whole paragraph, then inserts the character.
std::vector<Operation> TypedParagraph(const std::string& before, const std::string& typed) {
  std::vector<Operation> ops;
  std::uint64_t counter = 1;
  std::string para = before;
  OpId prev_set;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    para.insert(para.size() / 2, 1, typed[i]);
    Operation set;
    set.id = {kAuthor, counter++};
    set.clock.value = 1000 + counter;
    set.author = "alex";
    set.case_id = "0123456789abcdef0123456789abcdef";
    set.target = {"para:story", "end"};
    set.kind = OpKind::kRegisterSet;
    set.keep_conflicts = true;
    set.value = para;
    if (!prev_set.none()) set.refs = {prev_set};
    prev_set = set.id;
    ops.push_back(set);
    Operation ins;
    ins.id = {kAuthor, counter++};
    ins.clock.value = 1000 + counter;
    ins.author = "alex";
    ins.case_id = set.case_id;
    ins.target = {"note", "story"};
    ins.kind = OpKind::kTextInsert;
    ins.text = std::string(1, typed[i]);
    if (i > 0) ins.origin_left = {kAuthor, counter - 3};
    ops.push_back(ins);
  }
  return ops;
}

TEST(Issue18SealedBatch, ParagraphRetypedPerKeystrokeTravelsAsItsChanges) {
  const std::string para(2000, 'p');
  const auto ops = TypedParagraph(para, std::string(300, 'k') + "x\n y");
  const Bytes body = EncodeSealedBatchBody(ops);
  auto back = DecodeSealedBatchBody(body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, ops);
  // Whole paragraphs: 304 × 2,000 bytes. As changes: a few bytes a keystroke.
  EXPECT_GT(EncodeOperations(ops, BatchVersion::kV2).size(), 600000u);
  EXPECT_LT(body.size(), 304u * 40 + para.size() + 200) << body.size();
}

TEST(Issue18SealedBatch, RegisterChangeThatDoesNotApplyIsRefused) {
  auto ops = TypedParagraph("abc", "xy");
  // The second set of the register as written in the batch: common prefix, common suffix, the bytes between.
  auto encoded_with = [&](std::string change) {
    std::vector<Operation> raw = ops;
    raw[2].value = std::move(change);
    return EncodeOperations(raw, BatchVersion::kV2);
  };
  // "axbc" -> "axybc": prefix 2, suffix 2, "y".
  ASSERT_TRUE(DecodeSealedBatchBody(encoded_with(std::string("\x02\x02y", 3))).ok());
  EXPECT_EQ((*DecodeSealedBatchBody(encoded_with(std::string("\x02\x02y", 3))))[2].value, "axybc");
  for (const std::string& bad : {std::string("\x05\x00", 2), std::string("\x02\x03y", 3), std::string("\x01\x02xy", 4),
                                std::string("\x02", 1), std::string("\x82\x00\x02y", 4), std::string()}) {
    auto r = DecodeSealedBatchBody(encoded_with(bad));
    EXPECT_FALSE(r.ok()) << ::testing::PrintToString(bad);
  }
  // An operation batch version 1 is not a sealed batch's body.
  EXPECT_FALSE(DecodeSealedBatchBody(EncodeOperations(ops, BatchVersion::kV1)).ok());
}

}  // namespace
}  // namespace casepack
