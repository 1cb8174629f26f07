// Sealed operations (docs/sync-client.md, "Sealed operations"): the vectors in tests/vectors/sealed_op/,
// written by the code before it moved into crypto/, must open (or fail) as they say, and the ones that
// open must come out of SealOperation byte for byte: what is on servers and in stores keeps working.
#include <gtest/gtest.h>

#include "casepack/identity.h"
#include "casepack/sealed_operation.h"
#include "support/vector_file.h"

namespace casepack {
namespace {

using testing::ReadVectorDir;
using testing::VectorFile;

SecretBytes Key(const Bytes& b) { return std::move(SecretBytes::CopyOf(b)).value(); }

Identity Author(const VectorFile& v) {
  auto id = Identity::FromSecrets(Key(Bytes(32, 0x42)), Key(v.hex("author ed25519 secret")));
  EXPECT_TRUE(id.ok()) << v.name;
  return std::move(id).value();
}

TEST(SealedOperation, Vectors) {
  const auto vectors = ReadVectorDir(std::filesystem::path(CASEPACK_VECTORS_DIR) / "sealed_op");
  ASSERT_GE(vectors.size(), 12u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const SecretBytes key = Key(v.hex("epoch key"));
    const std::int64_t epoch = std::stoll(v.at("epoch"));
    auto opened = OpenOperation(key, v.hex("author ed25519 public"), v.at("case id"), v.at("op id"), epoch, v.body);
    const std::string& expect = v.at("expect");
    if (expect == "success") {
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      EXPECT_EQ(HexEncode(*opened), v.at("operation"));
      const Identity author = Author(v);
      EXPECT_EQ(SealOperation(key, author, v.at("case id"), v.at("op id"), epoch, *opened), v.body);
    } else {
      ASSERT_FALSE(opened.ok());
      EXPECT_EQ(opened.error().code, ErrorCode::kAuthFailed);
      const bool signature = opened.error().message.find("signed") != std::string::npos;
      EXPECT_EQ(signature, expect == "signature failure") << opened.error().message;
      EXPECT_TRUE(expect == "signature failure" || expect == "auth failure") << expect;
    }
  }
}

TEST(SealedOperation, SealingTwiceGivesTheSameBytesAndOpens) {
  auto author = Identity::Generate();
  ASSERT_TRUE(author.ok());
  auto key = SecretBytes::Random(32);
  ASSERT_TRUE(key.ok());
  const Bytes op = {1, 2, 3, 4, 5};
  const Bytes a = SealOperation(*key, *author, "c", "o", 1, op);
  EXPECT_EQ(a, SealOperation(*key, *author, "c", "o", 1, op));
  EXPECT_NE(a, SealOperation(*key, *author, "c", "o", 2, op));  // the place changes the nonce too
  auto back = OpenOperation(*key, author->public_keys().ed25519, "c", "o", 1, a);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, op);
}

// Blob version 2 (docs/sync-client.md "A batch on the wire"): vectors written by an independent
// implementation (tests/vectors/sealed_batch_generate.py).
TEST(SealedOperation, BatchVectors) {
  const auto vectors = ReadVectorDir(std::filesystem::path(CASEPACK_VECTORS_DIR) / "sealed_batch");
  ASSERT_GE(vectors.size(), 9u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const SecretBytes key = Key(v.hex("epoch key"));
    const std::int64_t epoch = std::stoll(v.at("epoch"));
    auto opened = OpenOperationBatch(key, v.hex("author ed25519 public"), v.at("case id"), v.at("batch id"), epoch, v.body);
    const std::string& expect = v.at("expect");
    if (expect == "success") {
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      EXPECT_EQ(HexEncode(*opened), v.at("payload"));
      EXPECT_EQ(SealOperationBatch(key, Author(v), v.at("case id"), v.at("batch id"), epoch, *opened), v.body);
      // A version 2 blob never opens as a single operation under the same id, nor the reverse.
      EXPECT_FALSE(OpenOperation(key, v.hex("author ed25519 public"), v.at("case id"), v.at("batch id"), epoch, v.body).ok());
    } else {
      ASSERT_FALSE(opened.ok());
      EXPECT_EQ(opened.error().code, ErrorCode::kAuthFailed);
      const bool signature = opened.error().message.find("not signed") != std::string::npos;
      EXPECT_EQ(signature, expect == "signature failure") << opened.error().message;
      EXPECT_TRUE(expect == "signature failure" || expect == "auth failure") << expect;
    }
  }
}

TEST(SealedOperation, ASingleOperationBlobDoesNotOpenAsABatch) {
  auto author = Identity::Generate();
  ASSERT_TRUE(author.ok());
  auto key = SecretBytes::Random(32);
  ASSERT_TRUE(key.ok());
  const Bytes op = {1, 2, 3, 4, 5};
  const std::string id = "1111111111111111-1-5";
  Bytes single = SealOperation(*key, *author, "c", id, 1, op);
  EXPECT_FALSE(OpenOperationBatch(*key, author->public_keys().ed25519, "c", id, 1, single).ok());
  single.insert(single.begin(), kSealedBatchVersion);  // even with a version byte put in front
  EXPECT_FALSE(OpenOperationBatch(*key, author->public_keys().ed25519, "c", id, 1, single).ok());
  const Bytes batch = SealOperationBatch(*key, *author, "c", id, 1, op);
  EXPECT_EQ(batch, SealOperationBatch(*key, *author, "c", id, 1, op));  // deterministic: a retry is the same bytes
  auto back = OpenOperationBatch(*key, author->public_keys().ed25519, "c", id, 1, batch);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, op);
}

}  // namespace
}  // namespace casepack
