// Expected values are json.Marshal's output (checked with Go 1.26, except where a case says it is
// Go 1.20's).
#include "lib/json/go_encoding.h"

#include <limits>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mlab::json {
namespace {

std::string GoString(absl::string_view s) {
  std::string out;
  AppendGoString(s, &out);
  return out;
}

std::string GoFloat(double v) {
  std::string out;
  AppendGoFloat(v, &out);
  return out;
}

std::string GoBytes(absl::string_view s) {
  std::string out;
  AppendGoBytes(s, &out);
  return out;
}

TEST(AppendGoStringTest, EscapesAsEncodingJson) {
  EXPECT_EQ(GoString("ndt-abc_1_00000000000003E8"), "\"ndt-abc_1_00000000000003E8\"");
  EXPECT_EQ(GoString("AT&T Services, Inc."), R"("AT\u0026T Services, Inc.")");
  EXPECT_EQ(GoString("<a>"), R"("\u003ca\u003e")");
  EXPECT_EQ(GoString("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(GoString("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(GoString("a\"\\<>&\n\x01\xe2\x80\xa8\xff"),
            R"("a\"\\\u003c\u003e\u0026\n\u0001\u2028\ufffd")");
  EXPECT_EQ(GoString("a\"b\\c\n<&>\x01\xff\xe2\x80\xa8é"),
            "\"a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001\\ufffd\\u2028é\"");
}

TEST(AppendGoStringTest, EscapesControlBytesAsGo120) {
  // Go 1.22 and later write \b and \f for 0x08 and 0x0c; upstream's Go 1.20 writes \u00xx.
  EXPECT_EQ(GoString(std::string("\x00\x01\x08\x0c\x1f\x7f", 6)),
            "\"\\u0000\\u0001\\u0008\\u000c\\u001f\x7f\"");
}

TEST(AppendGoStringTest, EscapesBackspaceAndFormFeedShortFromGo122) {
  std::string out;
  AppendGoString(std::string("\x00\x08\x0c\x1f", 4), &out, GoEscapes::kGo122);
  EXPECT_EQ(out, "\"\\u0000\\b\\f\\u001f\"");
}

TEST(AppendGoStringTest, KeepsValidUtf8Raw) {
  EXPECT_EQ(GoString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(GoString("Östergötland Linköping 欧洲"), "\"Östergötland Linköping 欧洲\"");
  EXPECT_EQ(GoString("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
  EXPECT_EQ(GoString("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");  // U+FFFD itself is valid.
  EXPECT_EQ(GoString("a\xe2\x80\xa8"
                     "b\xe2\x80\xa9"),
            R"("a\u2028b\u2029")");
}

TEST(AppendGoStringTest, ReplacesEachInvalidByte) {
  EXPECT_EQ(GoString("\xff"), R"("\ufffd")");
  EXPECT_EQ(GoString("x\xff"
                     "y"),
            R"("x\ufffdy")");
  EXPECT_EQ(GoString("\xc0\x80"), R"("\ufffd\ufffd")");                      // Overlong.
  EXPECT_EQ(GoString("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // Surrogate.
  EXPECT_EQ(GoString("\xe2\x82"), R"("\ufffd\ufffd")");                      // Truncated.
  EXPECT_EQ(GoString("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // Above U+10FFFF.
  EXPECT_EQ(GoString("\xe0\x9f\xc3\xa9"), "\"\\ufffd\\ufffd\xc3\xa9\"");
}

TEST(SanitizeUtf8Test, ReplacesEachInvalidByteWithTheReplacementCharacter) {
  EXPECT_EQ(SanitizeUtf8("ok\xc3"), "ok\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("caf\xc3\xa9 <&>\n"), "caf\xc3\xa9 <&>\n");
}

TEST(AppendGoBytesTest, IsQuotedStandardBase64) {
  EXPECT_EQ(GoBytes(""), R"("")");
  EXPECT_EQ(GoBytes("f"), R"("Zg==")");
  EXPECT_EQ(GoBytes("fo"), R"("Zm8=")");
  EXPECT_EQ(GoBytes("foo"), R"("Zm9v")");
  EXPECT_EQ(GoBytes(std::string("cubic\0", 6)), R"("Y3ViaWMA")");
  EXPECT_EQ(GoBytes("\xff\xfe\xfd\xfc"), R"("//79/A==")");
}

TEST(AppendGoFloatTest, PrintsShortestRoundTripInPlainNotation) {
  EXPECT_EQ(GoFloat(0), "0");
  EXPECT_EQ(GoFloat(-0.0), "-0");
  EXPECT_EQ(GoFloat(0.070), "0.07");
  EXPECT_EQ(GoFloat(0.1), "0.1");
  EXPECT_EQ(GoFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(GoFloat(-2.5), "-2.5");
  EXPECT_EQ(GoFloat(13.0), "13");
  EXPECT_EQ(GoFloat(51.75), "51.75");
  EXPECT_EQ(GoFloat(-0.0931), "-0.0931");
  EXPECT_EQ(GoFloat(125.3228), "125.3228");
  EXPECT_EQ(GoFloat(123456789.125), "123456789.125");
  EXPECT_EQ(GoFloat(1.566691298e9), "1566691298");
  EXPECT_EQ(GoFloat(1e-6), "0.000001");
  EXPECT_EQ(GoFloat(2e-6), "0.000002");
  EXPECT_EQ(GoFloat(3000000000000000.5), "3000000000000000.5");
  EXPECT_EQ(GoFloat(1e20), "100000000000000000000");
}

TEST(AppendGoFloatTest, PadsLargeNumbersWithZerosNotTheirExactBinaryDigits) {
  EXPECT_EQ(GoFloat(1.2345678901234568e20), "123456789012345680000");
  EXPECT_EQ(GoFloat(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(GoFloat(123456789012345678.0), "123456789012345680");
}

TEST(AppendGoFloatTest, UsesExponentBelow1eMinus6AndFrom1e21) {
  EXPECT_EQ(GoFloat(1e-7), "1e-7");
  EXPECT_EQ(GoFloat(1.5e-7), "1.5e-7");
  EXPECT_EQ(GoFloat(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(GoFloat(5e-324), "5e-324");
  EXPECT_EQ(GoFloat(1e21), "1e+21");
  EXPECT_EQ(GoFloat(1.5e21), "1.5e+21");
  EXPECT_EQ(GoFloat(1.5e300), "1.5e+300");
  EXPECT_EQ(GoFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
}

TEST(AppendGoFloatTest, WritesZeroForWhatGoRefuses) {
  EXPECT_EQ(GoFloat(std::numeric_limits<double>::quiet_NaN()), "0");
  EXPECT_EQ(GoFloat(std::numeric_limits<double>::infinity()), "0");
  EXPECT_EQ(GoFloat(-std::numeric_limits<double>::infinity()), "0");
}

TEST(AppendGoScalarsTest, IntAndBool) {
  std::string out;
  AppendGoInt(-42, &out);
  out.push_back(',');
  AppendGoInt(std::numeric_limits<int64_t>::min(), &out);
  out.push_back(',');
  AppendGoBool(true, &out);
  out.push_back(',');
  AppendGoBool(false, &out);
  EXPECT_EQ(out, "-42,-9223372036854775808,true,false");
}

TEST(FormatGoTimeTest, TrimsTheFractionAsRfc3339Nano) {
  EXPECT_EQ(FormatGoTime(absl::FromUnixSeconds(1561939212)), "2019-07-01T00:00:12Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixMillis(1561939212090)), "2019-07-01T00:00:12.09Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1561939212000000001)),
            "2019-07-01T00:00:12.000000001Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1561939212100000000)), "2019-07-01T00:00:12.1Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1585699202663132563)),
            "2020-04-01T00:00:02.663132563Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1585699202000000010)),
            "2020-04-01T00:00:02.00000001Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1669849666945582285)),
            "2022-11-30T23:07:46.945582285Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(-1)), "1969-12-31T23:59:59.999999999Z");
}

TEST(FormatGoTimeTest, AlwaysWritesFourYearDigits) {
  EXPECT_EQ(FormatGoTime(GoZeroTime()), "0001-01-01T00:00:00Z");
  EXPECT_EQ(
      FormatGoTime(absl::FromCivil(absl::CivilSecond(999, 1, 1, 0, 0, 0), absl::UTCTimeZone())),
      "0999-01-01T00:00:00Z");
}

TEST(FormatGoTimeTest, TruncatesToNanoseconds) {
  const absl::Time t = absl::FromUnixSeconds(1) + absl::Nanoseconds(5) + absl::Nanoseconds(1) / 2;
  EXPECT_EQ(FormatGoTime(t), "1970-01-01T00:00:01.000000005Z");
}

TEST(AppendGoTimeTest, IsQuoted) {
  std::string out;
  AppendGoTime(absl::FromUnixSeconds(1629308672), &out);
  EXPECT_EQ(out, R"("2021-08-18T17:44:32Z")");
}

}  // namespace
}  // namespace mlab::json
