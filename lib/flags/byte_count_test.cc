#include "lib/flags/byte_count.h"

#include "gtest/gtest.h"

namespace mlab::flags {
namespace {

int64_t MustParse(const char* text) {
  absl::StatusOr<ByteCount> parsed = ByteCount::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  return parsed.ok() ? parsed->bytes() : -1;
}

TEST(ByteCountTest, DecimalUnits) {
  EXPECT_EQ(MustParse("50MB"), 50000000);
  EXPECT_EQ(MustParse("10K"), 10000);
  EXPECT_EQ(MustParse("10KB"), 10000);
  EXPECT_EQ(MustParse("5"), 5);
  EXPECT_EQ(MustParse("5B"), 5);
  EXPECT_EQ(MustParse("0"), 0);
  EXPECT_EQ(MustParse("3M"), 3000000);
  EXPECT_EQ(MustParse("3G"), 3000000000);
  EXPECT_EQ(MustParse("3GB"), 3000000000);
  EXPECT_EQ(MustParse("007KB"), 7000);
}

TEST(ByteCountTest, BadSyntaxes) {
  for (const char* text : {"5MiB", "MB", "-1", "", "B", "5 MB", "5mb", "5kB", "5TB", "1.5MB", "5BB",
                           "+5", " 5", "5KBB"}) {
    EXPECT_FALSE(ByteCount::Parse(text).ok()) << text;
  }
  EXPECT_FALSE(ByteCount::Parse("9223372036854775808").ok());
  EXPECT_FALSE(ByteCount::Parse("9223372037GB").ok());
}

TEST(ByteCountTest, PrintsLargestEvenUnit) {
  EXPECT_EQ(ByteCount(50000000).ToString(), "50MB");
  EXPECT_EQ(ByteCount(20 * ByteCount::kMegabyte).ToString(), "20MB");
  EXPECT_EQ(ByteCount(3 * ByteCount::kGigabyte).ToString(), "3GB");
  EXPECT_EQ(ByteCount(10000).ToString(), "10KB");
  EXPECT_EQ(ByteCount(1234).ToString(), "1234B");
  EXPECT_EQ(ByteCount(0).ToString(), "0B");
  for (int64_t bytes : {int64_t{0}, int64_t{1}, int64_t{1500}, int64_t{2000000}}) {
    EXPECT_EQ(ByteCount::Parse(ByteCount(bytes).ToString())->bytes(), bytes);
  }
}

}  // namespace
}  // namespace mlab::flags
