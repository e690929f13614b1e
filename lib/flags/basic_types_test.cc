#include "lib/flags/basic_types.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace mlab::flags {
namespace {

TEST(ParseGoBoolTest, AcceptsGoSpellings) {
  for (const char* text : {"1", "t", "T", "TRUE", "true", "True"}) {
    ASSERT_TRUE(ParseGoBool(text).ok()) << text;
    EXPECT_TRUE(*ParseGoBool(text)) << text;
  }
  for (const char* text : {"0", "f", "F", "FALSE", "false", "False"}) {
    ASSERT_TRUE(ParseGoBool(text).ok()) << text;
    EXPECT_FALSE(*ParseGoBool(text)) << text;
  }
}

TEST(ParseGoBoolTest, RejectsOthers) {
  for (const char* text : {"", "yes", "no", "tRUE", "2", " true", "on"}) {
    EXPECT_FALSE(ParseGoBool(text).ok()) << text;
  }
}

TEST(ParseGoIntTest, DecimalAndPrefixes) {
  EXPECT_EQ(*ParseGoInt("42"), 42);
  EXPECT_EQ(*ParseGoInt("+42"), 42);
  EXPECT_EQ(*ParseGoInt("-42"), -42);
  EXPECT_EQ(*ParseGoInt("0"), 0);
  EXPECT_EQ(*ParseGoInt("0x1F"), 31);
  EXPECT_EQ(*ParseGoInt("0X1f"), 31);
  EXPECT_EQ(*ParseGoInt("-0x10"), -16);
  EXPECT_EQ(*ParseGoInt("0o17"), 15);
  EXPECT_EQ(*ParseGoInt("017"), 15);  // Go's base 0: a leading 0 is octal
  EXPECT_EQ(*ParseGoInt("0b101"), 5);
  EXPECT_EQ(*ParseGoInt("1_000_000"), 1000000);
  EXPECT_EQ(*ParseGoInt("0x_ff"), 255);
  EXPECT_EQ(*ParseGoInt("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*ParseGoInt("-9223372036854775808"), std::numeric_limits<int64_t>::min());
}

TEST(ParseGoIntTest, Errors) {
  for (const char* text : {"", "-", "+", "abc", "1.5", "0x", "08", "1e3", " 1", "1 ", "--1", "+-1",
                           "_1", "1_", "1__0", "0b102"}) {
    absl::StatusOr<int64_t> parsed = ParseGoInt(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(), "parse error") << text;
  }
  EXPECT_EQ(ParseGoInt("9223372036854775808").status().message(), "value out of range");
  EXPECT_EQ(ParseGoInt("-9223372036854775809").status().message(), "value out of range");
  EXPECT_EQ(ParseGoInt("2147483648", 32).status().message(), "value out of range");
  EXPECT_EQ(*ParseGoInt("-2147483648", 32), -2147483648LL);
}

TEST(ParseGoUintTest, NoSign) {
  EXPECT_EQ(*ParseGoUint("18446744073709551615"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(*ParseGoUint("0xff"), 255u);
  EXPECT_FALSE(ParseGoUint("-1").ok());
  EXPECT_FALSE(ParseGoUint("+1").ok());
  EXPECT_EQ(ParseGoUint("18446744073709551616").status().message(), "value out of range");
}

TEST(ParseGoFloatTest, Syntaxes) {
  EXPECT_EQ(*ParseGoFloat("0.5"), 0.5);
  EXPECT_EQ(*ParseGoFloat("-2"), -2);
  EXPECT_EQ(*ParseGoFloat("+1e3"), 1000);
  EXPECT_EQ(*ParseGoFloat("1."), 1);
  EXPECT_EQ(*ParseGoFloat(".25"), 0.25);
  EXPECT_EQ(*ParseGoFloat("0x1p-2"), 0.25);
  EXPECT_EQ(*ParseGoFloat("1_000.5"), 1000.5);
  EXPECT_TRUE(std::isinf(*ParseGoFloat("inf")));
  EXPECT_TRUE(std::isinf(*ParseGoFloat("-Infinity")));
  EXPECT_TRUE(std::isnan(*ParseGoFloat("NaN")));
  EXPECT_EQ(*ParseGoFloat("1e-400"), 0);  // underflow rounds to zero, as in Go
  for (const char* text : {"", ".", "e3", "1e", "abc", " 1", "1 ", "0x1", "nan(1)", "--1", "1,5",
                           "0x-1p2", "1e400x"}) {
    EXPECT_FALSE(ParseGoFloat(text).ok()) << text;
  }
  EXPECT_EQ(ParseGoFloat("1e400").status().message(), "value out of range");
  EXPECT_EQ(ParseGoFloat("-1e400").status().message(), "value out of range");
  EXPECT_EQ(ParseGoFloat("0x1p99999").status().message(), "value out of range");
  EXPECT_EQ(*ParseGoFloat("0x1p-99999"), 0);
}

TEST(FormatGoFloatTest, MatchesGoShortestG) {
  EXPECT_EQ(FormatGoFloat(0), "0");
  EXPECT_EQ(FormatGoFloat(0.5), "0.5");
  EXPECT_EQ(FormatGoFloat(1), "1");
  EXPECT_EQ(FormatGoFloat(-2.25), "-2.25");
  EXPECT_EQ(FormatGoFloat(123456), "123456");
  EXPECT_EQ(FormatGoFloat(1e6), "1e+06");
  EXPECT_EQ(FormatGoFloat(1234567), "1.234567e+06");
  EXPECT_EQ(FormatGoFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatGoFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatGoFloat(0.1), "0.1");
  EXPECT_EQ(FormatGoFloat(1e100), "1e+100");
  EXPECT_EQ(FormatGoFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatGoFloat(std::nan("")), "NaN");
}

TEST(FlagTraitsTest, IntRangeIs32Bits) {
  int value = 7;
  EXPECT_TRUE(FlagTraits<int>::Parse("-0x80000000", &value).ok());
  EXPECT_EQ(value, -2147483647 - 1);
  EXPECT_FALSE(FlagTraits<int>::Parse("0x80000000", &value).ok());
  EXPECT_EQ(value, -2147483647 - 1);
}

}  // namespace
}  // namespace mlab::flags
