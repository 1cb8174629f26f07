// Bodies in the deflate content coding (casepack/http_body.h, docs/api.md "Compressed bodies"): what the
// client and casepackd send each other, and what they refuse.
#include "casepack/http_body.h"

#include <gtest/gtest.h>

#include <string>

namespace casepack {
namespace {

std::string Base64ish(std::size_t n) {
  std::string s;
  std::uint32_t x = 12345;
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  while (s.size() < n) {
    x = x * 1103515245u + 12345u;
    s.push_back(kAlphabet[(x >> 16) % 64]);
  }
  return R"({"ops":[{"op_id":"x","epoch":1,"blob":")" + s + R"("}]})";
}

TEST(HttpBody, ABase64PushLosesMostOfItsThirdAndRoundTrips) {
  const std::string body = Base64ish(300000);
  const std::string coded = http_body::Deflate(body);
  EXPECT_EQ(http_body::Deflate(body), coded);
  // Random base64 carries 6 bits a byte: deflate's Huffman codes take back most of the other 2.
  EXPECT_LT(coded.size(), body.size() * 8 / 10) << coded.size();
  auto back = http_body::Inflate(coded, body.size());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, body);
}

TEST(HttpBody, RefusesABombTruncatedAndTrailingBytes) {
  const std::string bomb = http_body::Deflate(std::string(32u << 20, '{'));
  ASSERT_LT(bomb.size(), 64u << 10);
  auto r = http_body::Inflate(bomb, 1u << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNoSpace);
  const std::string coded = http_body::Deflate(Base64ish(5000));
  for (const std::string& bad : {coded.substr(0, coded.size() - 3), coded + "x", std::string("{}"), std::string()}) {
    auto b = http_body::Inflate(bad, 1u << 20);
    ASSERT_FALSE(b.ok()) << bad.size();
    EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(HttpBody, ReadsAcceptEncodingAsTokensWithWeights) {
  EXPECT_TRUE(http_body::ListsCoding("deflate", "deflate"));
  EXPECT_TRUE(http_body::ListsCoding("gzip, Deflate;q=0.5", "deflate"));
  EXPECT_TRUE(http_body::ListsCoding(" br ,\tdeflate ", "deflate"));
  EXPECT_FALSE(http_body::ListsCoding("deflate;q=0", "deflate"));
  EXPECT_FALSE(http_body::ListsCoding("deflate; q=0.000", "deflate"));
  EXPECT_FALSE(http_body::ListsCoding("x-deflate, gzip", "deflate"));
  EXPECT_FALSE(http_body::ListsCoding("", "deflate"));
}

TEST(HttpBody, ReadsContentEncodingAsOneCodingOnly) {
  EXPECT_TRUE(http_body::IsCoding("deflate", "deflate"));
  EXPECT_TRUE(http_body::IsCoding(" DEFLATE\t", "deflate"));
  EXPECT_FALSE(http_body::IsCoding("deflate, deflate", "deflate"));
  EXPECT_FALSE(http_body::IsCoding("gzip, deflate", "deflate"));
  EXPECT_FALSE(http_body::IsCoding("deflate;q=1", "deflate"));
  EXPECT_FALSE(http_body::IsCoding("", "deflate"));
}

}  // namespace
}  // namespace casepack
