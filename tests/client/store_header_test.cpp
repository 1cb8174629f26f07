// The store header (docs/store.md) against tests/vectors/store_header/: what parses serialises back to the
// very same bytes, checksum included; what does not parse fails with the code its vector names.
#include <gtest/gtest.h>

#include "casepack/store.h"
#include "support/vector_file.h"

namespace casepack {
namespace {

TEST(StoreHeader, Vectors) {
  const auto vectors = testing::ReadVectorDir(std::filesystem::path(CASEPACK_VECTORS_DIR) / "store_header");
  ASSERT_GE(vectors.size(), 7u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const std::string text(v.body.begin(), v.body.end());
    auto h = StoreHeader::Parse(text);
    const std::string& expect = v.at("expect");
    if (expect == "success") {
      ASSERT_TRUE(h.ok()) << h.error().message;
      EXPECT_EQ(h->Serialize(), text);
    } else {
      ASSERT_FALSE(h.ok());
      const ErrorCode want = expect == "unsupported" ? ErrorCode::kUnsupported
                             : expect == "not found" ? ErrorCode::kNotFound
                                                     : ErrorCode::kCorrupt;
      EXPECT_EQ(h.error().code, want) << h.error().message;
    }
  }
}

}  // namespace
}  // namespace casepack
