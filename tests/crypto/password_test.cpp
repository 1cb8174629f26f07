#include "casepack/password.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "casepack/encoding.h"

namespace casepack {
namespace {

TEST(Password, DefaultHasAtLeast100BitsInFiveGroupsOfFive) {
  const PasswordOptions o;
  const double bits = PasswordBits(o);
  std::printf("password: %d groups of %d from %zu symbols = %.1f bits\n", o.groups, o.group_size,
              kPasswordAlphabet.size(), bits);
  EXPECT_GE(bits, 100.0);
  auto p = GeneratePassword();
  ASSERT_TRUE(p.ok());
  const std::string_view text = AsText(p->expose());
  ASSERT_EQ(text.size(), 29u);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i % 6 == 5) {
      EXPECT_EQ(text[i], '-');
    } else {
      EXPECT_NE(kPasswordAlphabet.find(text[i]), std::string_view::npos) << text[i];
    }
  }
}

TEST(Password, AlphabetHasNoConfusableCharacters) {
  for (char c : std::string("0O1lIio")) EXPECT_EQ(kPasswordAlphabet.find(c), std::string_view::npos) << c;
  EXPECT_EQ(std::set<char>(kPasswordAlphabet.begin(), kPasswordAlphabet.end()).size(), kPasswordAlphabet.size());
}

TEST(Password, RefusesWeakSettings) {
  EXPECT_FALSE(GeneratePassword({4, 5}).ok());  // 99.1 bits
  EXPECT_TRUE(GeneratePassword({3, 7}).ok());   // 104 bits
  EXPECT_FALSE(GeneratePassword({0, 5}).ok());
}

// Every symbol about equally likely (a biased generator, e.g. modulo reduction of a byte, would show here:
// 256 % 31 != 0 would make 8 symbols ~12% more frequent). Bounds are ±6 standard deviations.
TEST(Password, SymbolsAreUniform) {
  std::map<char, int> counts;
  std::set<std::string> seen;
  const int kPasswords = 4000;
  for (int i = 0; i < kPasswords; ++i) {
    auto p = GeneratePassword();
    ASSERT_TRUE(p.ok());
    std::string s(AsText(p->expose()));
    EXPECT_TRUE(seen.insert(s).second);
    for (char c : s)
      if (c != '-') counts[c]++;
  }
  const double n = kPasswords * 25.0, p = 1.0 / 31, mean = n * p, sd = std::sqrt(n * p * (1 - p));
  for (char c : kPasswordAlphabet) {
    EXPECT_NEAR(counts[c], mean, 6 * sd) << c;
  }
}

}  // namespace
}  // namespace casepack
