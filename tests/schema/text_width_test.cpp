#include "casepack/text_width.h"

#include <gtest/gtest.h>

namespace casepack {
namespace {

TEST(TextWidth, CountsCharactersNotBytes) {
  EXPECT_EQ(DisplayWidth("Gwenllian"), 9u);
  EXPECT_EQ(DisplayWidth("Gwenllïan"), 9u);            // ï is two bytes, one column
  EXPECT_EQ(DisplayWidth("Gwenlli\xCC\x88" "an"), 9u);  // i + combining diaeresis: still one column
  EXPECT_EQ(DisplayWidth("Ŵyn"), 3u);
  EXPECT_EQ(DisplayWidth("\xE6\x97\xA5\xE6\x9C\xAC"), 4u);  // two wide CJK characters
  EXPECT_EQ(DisplayWidth("a\xFF" "b"), 3u);                 // an invalid byte shows as one replacement
}

TEST(TextWidth, FitColumnPadsOrCutsToExactlyTheWidth) {
  EXPECT_EQ(FitColumn("Môn", 6), "Môn   ");
  EXPECT_EQ(DisplayWidth(FitColumn("Gwenllïan ferch Owain", 10)), 10u);
  EXPECT_EQ(FitColumn("Gwenllïan ferch Owain", 10), "Gwenllïan…");
  EXPECT_EQ(FitColumn("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 4), "\xE6\x97\xA5\xE2\x80\xA6 ");  // no half of a wide character
  EXPECT_EQ(FitColumn("abc", 0), "");
  EXPECT_EQ(PadColumn("wedi'i wneud", 8), "wedi'i wneud") << "a label is never cut";
  EXPECT_EQ(PadColumn("due", 8), "due     ");
}

}  // namespace
}  // namespace casepack
