#include "lib/url/escape.h"

#include "gtest/gtest.h"

namespace mlab::url {
namespace {

TEST(QueryEscapeTest, AsGo) {
  EXPECT_EQ(QueryEscape("2001:db8::1%eth0"), "2001%3Adb8%3A%3A1%25eth0");
  EXPECT_EQ(QueryEscape("a b+c/~-_."), "a+b%2Bc%2F~-_.");
  EXPECT_EQ(QueryEscape(std::string("\xff\x00", 2)), "%FF%00");
}

TEST(QueryEscapeTest, RoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(QueryUnescape(QueryEscape(all)), all);
}

TEST(QueryUnescapeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(QueryUnescape("a%20b+c%2Bd"), "a b c+d");
  EXPECT_EQ(QueryUnescape("%e2%82%AC"), "\xe2\x82\xac");
  EXPECT_EQ(QueryUnescape(""), "");
}

TEST(PathUnescapeTest, KeepsPlus) {
  EXPECT_EQ(PathUnescape("/a+b%2Fc"), "/a+b/c");
  EXPECT_EQ(PathUnescape("%00"), std::string(1, '\0'));
}

TEST(UnescapeTest, RefusesMalformedEscapes) {
  for (const char* bad : {"%", "%4", "a%4", "%zz", "%4g", "%%41", "ok%"}) {
    EXPECT_EQ(QueryUnescape(bad), std::nullopt) << bad;
    EXPECT_EQ(PathUnescape(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(PathUnescape("%41"), "A");
  EXPECT_EQ(PathUnescape("x%41"), "xA");
}

}  // namespace
}  // namespace mlab::url
