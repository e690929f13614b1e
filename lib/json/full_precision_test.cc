#include "lib/json/full_precision.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mlab::json {
namespace {

using ::testing::HasSubstr;

TEST(ParseFullPrecisionTest, ReadsNumbersToTheNearestDouble) {
  rapidjson::Document doc;
  ASSERT_TRUE(
      ParseFullPrecision(R"([40.7128, -74.006, 0.1, 1.7976931348623157e308, 5e-324])", &doc).ok());
  EXPECT_EQ(doc[0].GetDouble(), 40.7128);
  EXPECT_EQ(doc[1].GetDouble(), -74.006);
  EXPECT_EQ(doc[2].GetDouble(), 0.1);
  EXPECT_EQ(doc[3].GetDouble(), 1.7976931348623157e308);
  EXPECT_EQ(doc[4].GetDouble(), 5e-324);
}

// The input the site_info fuzzer found: rapidjson 1.1.0 reads outside its power table on it.
TEST(ParseFullPrecisionTest, RefusesTinyNumbersThatCrashRapidjson) {
  rapidjson::Document doc;
  const absl::Status status = ParseFullPrecision(R"({"a": [1, 3.0000000066006E-336]})", &doc);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("number out of range at offset 10"));
  EXPECT_TRUE(doc.IsNull());
  EXPECT_FALSE(
      ParseFullPrecision("0.00000000000000000000000000000000000000000000000000000000000000000"
                         "00000000000000000000000000000000000000000000000000000000000000000"
                         "00000000000000000000000000000000000000000000000000000000000000000"
                         "00000000000000000000000000000000000000000000000000000000000000000"
                         "00000000000000000000000000000000000000000000000000000000000000000"
                         "000000000000000000000000000000066006",
                         &doc)
          .ok());
  EXPECT_FALSE(ParseFullPrecision("[-1e400]", &doc).ok());
  EXPECT_FALSE(ParseFullPrecision("[1e99999999999999999999]", &doc).ok());
}

TEST(ParseFullPrecisionTest, LeavesStringsAndZerosAlone) {
  rapidjson::Document doc;
  ASSERT_TRUE(
      ParseFullPrecision(R"(["3.0E-336", "a\"1e-999", 0e-999, 0.000e-999, 1000e-330])", &doc).ok());
  EXPECT_STREQ(doc[0].GetString(), "3.0E-336");
  EXPECT_STREQ(doc[1].GetString(), "a\"1e-999");
  EXPECT_EQ(doc[2].GetDouble(), 0.0);
  EXPECT_EQ(doc[3].GetDouble(), 0.0);
  EXPECT_EQ(doc[4].GetDouble(), 0.0);  // 1e-327, the last magnitude allowed: below any double
}

TEST(ParseFullPrecisionTest, ReportsWhereTheJsonIsBad) {
  rapidjson::Document doc;
  const absl::Status status = ParseFullPrecision(R"({"a": tru})", &doc);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("bad JSON at offset 9: Invalid value."));
}

}  // namespace
}  // namespace mlab::json
