#include "lib/flags/duration.h"

#include <cstdint>
#include <limits>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mlab::flags {
namespace {

absl::Duration MustParse(const char* text) {
  absl::StatusOr<absl::Duration> parsed = ParseGoDuration(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  return parsed.value_or(absl::InfiniteDuration());
}

TEST(ParseGoDurationTest, GoodSyntaxes) {
  EXPECT_EQ(MustParse("10ms"), absl::Milliseconds(10));
  EXPECT_EQ(MustParse("1h30m"), absl::Minutes(90));
  EXPECT_EQ(MustParse("1.5s"), absl::Milliseconds(1500));
  EXPECT_EQ(MustParse("-2m"), absl::Minutes(-2));
  EXPECT_EQ(MustParse("0"), absl::ZeroDuration());
  EXPECT_EQ(MustParse("-0"), absl::ZeroDuration());
  EXPECT_EQ(MustParse("+5s"), absl::Seconds(5));
  EXPECT_EQ(MustParse("300ms"), absl::Milliseconds(300));
  EXPECT_EQ(MustParse("-1.5h"), absl::Minutes(-90));
  EXPECT_EQ(MustParse("2h45m"), absl::Minutes(165));
  EXPECT_EQ(MustParse("1m30.5s"), absl::Milliseconds(90500));
  EXPECT_EQ(MustParse("0s"), absl::ZeroDuration());
  EXPECT_EQ(MustParse("7ns"), absl::Nanoseconds(7));
  EXPECT_EQ(MustParse("3us"), absl::Microseconds(3));
  EXPECT_EQ(MustParse("3\xc2\xb5s"), absl::Microseconds(3));  // U+00B5 MICRO SIGN
  EXPECT_EQ(MustParse("3\xce\xbcs"), absl::Microseconds(3));  // U+03BC GREEK SMALL LETTER MU
  EXPECT_EQ(MustParse(".5s"), absl::Milliseconds(500));
  EXPECT_EQ(MustParse("5.s"), absl::Seconds(5));
  EXPECT_EQ(MustParse("1h1m1s1ms1us1ns"), absl::Hours(1) + absl::Minutes(1) + absl::Seconds(1) +
                                              absl::Milliseconds(1) + absl::Microseconds(1) +
                                              absl::Nanoseconds(1));
  EXPECT_EQ(MustParse("2562047h47m16.854775807s"),
            absl::Nanoseconds(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(MustParse("-2562047h47m16.854775808s"),
            absl::Nanoseconds(std::numeric_limits<int64_t>::min()));
}

TEST(ParseGoDurationTest, BadSyntaxes) {
  for (const char* text :
       {"10", "ms", "", "-", "+", ".", ".s", "1x", "1S", "1 s", " 1s", "1s ", "1h-5m", "--1s",
        "1.2.3s", "1d", "s1", "2562047h47m16.854775808s", "9999999999999999999ns"}) {
    EXPECT_FALSE(ParseGoDuration(text).ok()) << text;
  }
  EXPECT_EQ(ParseGoDuration("10").status().message(), "missing unit in duration \"10\"");
  EXPECT_EQ(ParseGoDuration("1d").status().message(), "unknown unit \"d\" in duration \"1d\"");
}

TEST(FormatGoDurationTest, MatchesGo) {
  EXPECT_EQ(FormatGoDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(1)), "1ns");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(1100)), "1.1\xc2\xb5s");
  EXPECT_EQ(FormatGoDuration(absl::Microseconds(300)), "300\xc2\xb5s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(10)), "10ms");
  EXPECT_EQ(FormatGoDuration(absl::Microseconds(2200)), "2.2ms");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(90)), "1m30s");
  EXPECT_EQ(FormatGoDuration(absl::Hours(1)), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(absl::Minutes(90)), "1h30m0s");
  EXPECT_EQ(FormatGoDuration(absl::Minutes(-2)), "-2m0s");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(std::numeric_limits<int64_t>::max())),
            "2562047h47m16.854775807s");
  EXPECT_EQ(FormatGoDuration(absl::Nanoseconds(std::numeric_limits<int64_t>::min())),
            "-2562047h47m16.854775808s");
  EXPECT_EQ(FormatGoDuration(absl::InfiniteDuration()), "inf");
}

TEST(FormatGoDurationTest, RoundTrips) {
  for (const char* text : {"10ms", "1h30m0s", "1.5s", "-2m0s", "300\xc2\xb5s", "7ns", "1m30.5s"}) {
    EXPECT_EQ(FormatGoDuration(MustParse(text)), text);
  }
}

}  // namespace
}  // namespace mlab::flags
