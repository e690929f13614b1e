#include "lib/metrics/text_format.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace mlab::metrics {
namespace {

TEST(FormatFloatTest, MatchesGoStrconvShortestG) {
  // Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
  EXPECT_EQ(FormatFloat(0), "0");
  EXPECT_EQ(FormatFloat(-0.0), "0");
  EXPECT_EQ(FormatFloat(1), "1");
  EXPECT_EQ(FormatFloat(-1), "-1");
  EXPECT_EQ(FormatFloat(3), "3");
  EXPECT_EQ(FormatFloat(42), "42");
  EXPECT_EQ(FormatFloat(0.005), "0.005");
  EXPECT_EQ(FormatFloat(0.25), "0.25");
  EXPECT_EQ(FormatFloat(-0.5), "-0.5");
  EXPECT_EQ(FormatFloat(2.5), "2.5");
  EXPECT_EQ(FormatFloat(123.456), "123.456");
  EXPECT_EQ(FormatFloat(100000), "100000");
  EXPECT_EQ(FormatFloat(123456), "123456");
  EXPECT_EQ(FormatFloat(999999), "999999");
  EXPECT_EQ(FormatFloat(1e6), "1e+06");
  EXPECT_EQ(FormatFloat(1234567), "1.234567e+06");
  EXPECT_EQ(FormatFloat(1700000000.5), "1.7000000005e+09");
  EXPECT_EQ(FormatFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatFloat(0.00012), "0.00012");
  EXPECT_EQ(FormatFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatFloat(1.5e-7), "1.5e-07");
  EXPECT_EQ(FormatFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatFloat(1e21), "1e+21");
  EXPECT_EQ(FormatFloat(1e100), "1e+100");
  EXPECT_EQ(FormatFloat(5e-324), "5e-324");
  EXPECT_EQ(FormatFloat(18446744073709551615.0), "1.8446744073709552e+19");
  EXPECT_EQ(FormatFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
}

TEST(FormatFloatTest, SpecialValues) {
  EXPECT_EQ(FormatFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatFloat(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatFloat(std::nan("")), "NaN");
}

TEST(SampleStartTest, BracesOnlyAroundLabels) {
  std::string out;
  AppendSampleStart("requests_total", "", "", &out);
  AppendSampleStart("latency_seconds", "_sum", "code=\"200\",path=\"/\"", &out);
  EXPECT_EQ(out, "requests_total latency_seconds_sum{code=\"200\",path=\"/\"} ");
}

TEST(EscapeTest, Help) {
  std::string out;
  AppendEscapedHelp("a \\ b\nc \"q\"", &out);
  EXPECT_EQ(out, "a \\\\ b\\nc \"q\"");
}

TEST(EscapeTest, LabelValue) {
  std::string out;
  AppendEscapedLabelValue("a \\ b\nc \"q\" é", &out);
  EXPECT_EQ(out, "a \\\\ b\\nc \\\"q\\\" é");
}

TEST(EscapeTest, InvalidUtf8BecomesReplacementCharacter) {
  std::string out;
  AppendEscapedLabelValue(std::string("x\xff\xc3y"), &out);
  EXPECT_EQ(out, "x\xEF\xBF\xBD\xEF\xBF\xBDy");
}

TEST(NameTest, MetricNames) {
  EXPECT_TRUE(IsValidMetricName("tcpinfo_error_total"));
  EXPECT_TRUE(IsValidMetricName("job:rate:5m"));
  EXPECT_TRUE(IsValidMetricName("_x9"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("9x"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName("a b"));
}

TEST(NameTest, LabelNames) {
  EXPECT_TRUE(IsValidLabelName("type"));
  EXPECT_TRUE(IsValidLabelName("_a1"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1a"));
  EXPECT_FALSE(IsValidLabelName(""));
}

}  // namespace
}  // namespace mlab::metrics
