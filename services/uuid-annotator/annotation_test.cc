// annotation2 JSON: Go's bytes exactly, and ETL's own sample records reproduced.
#include "services/uuid-annotator/annotation.h"

#include <cctype>

#include "gtest/gtest.h"
#include "services/uuid-annotator/go_json.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using testing::ReadFileOrDie;
using testing::TestData;

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

// Drops the whitespace json.MarshalIndent adds (outside strings), giving json.Marshal's bytes.
std::string Compact(absl::string_view indented) {
  std::string out;
  bool in_string = false, escaped = false;
  for (char c : indented) {
    if (in_string) {
      out.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (!isspace(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

TEST(GoJsonTest, EscapesAsEncodingJson) {
  EXPECT_EQ(GoString("AT&T Services, Inc."), R"("AT\u0026T Services, Inc.")");
  EXPECT_EQ(GoString("<a>"), R"("\u003ca\u003e")");
  EXPECT_EQ(GoString("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(GoString("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(GoString(std::string("\x00\x01\x08\x0c\x1f\x7f", 6)),
            "\"\\u0000\\u0001\\u0008\\u000c\\u001f\x7f\"");
  EXPECT_EQ(GoString("Östergötland Linköping 欧洲"), "\"Östergötland Linköping 欧洲\"");
  EXPECT_EQ(GoString("a\xe2\x80\xa8"
                     "b\xe2\x80\xa9"),
            R"("a\u2028b\u2029")");
  // Invalid UTF-8: each bad byte becomes U+FFFD; overlong and surrogate forms are invalid.
  EXPECT_EQ(GoString("x\xff"
                     "y"),
            R"("x\ufffdy")");
  EXPECT_EQ(GoString("\xc0\x80"), R"("\ufffd\ufffd")");
  EXPECT_EQ(GoString("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(GoString("\xe2\x82"), R"("\ufffd\ufffd")");
  EXPECT_EQ(GoString("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
}

TEST(GoJsonTest, FormatsFloatsAsEncodingJson) {
  EXPECT_EQ(GoFloat(51.75), "51.75");
  EXPECT_EQ(GoFloat(-0.0931), "-0.0931");
  EXPECT_EQ(GoFloat(13.0), "13");
  EXPECT_EQ(GoFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(GoFloat(125.3228), "125.3228");
  EXPECT_EQ(GoFloat(1e20), "100000000000000000000");
  EXPECT_EQ(GoFloat(1e21), "1e+21");
  EXPECT_EQ(GoFloat(1.5e-7), "1.5e-7");
  EXPECT_EQ(GoFloat(1e-6), "0.000001");
  EXPECT_EQ(GoFloat(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(GoFloat(123456789.125), "123456789.125");
}

TEST(GoJsonTest, FormatsTimeAsRfc3339Nano) {
  const absl::Time t = absl::FromUnixNanos(1585699202663132563);
  EXPECT_EQ(FormatGoTime(t), "2020-04-01T00:00:02.663132563Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixSeconds(1585699202)), "2020-04-01T00:00:02Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1585699202100000000)), "2020-04-01T00:00:02.1Z");
  EXPECT_EQ(FormatGoTime(absl::FromUnixNanos(1585699202000000010)),
            "2020-04-01T00:00:02.00000001Z");
}

TEST(AnnotationTest, EmptyServerAndClientAreStillWritten) {
  Annotations a;
  a.uuid = "ndt-x_1_0000000000000001";
  a.timestamp = absl::FromUnixSeconds(0);
  EXPECT_EQ(ToJson(a), R"({"UUID":"ndt-x_1_0000000000000001","Timestamp":"1970-01-01T00:00:00Z",)"
                       R"("Server":{},"Client":{}})");
}

TEST(AnnotationTest, OmitsZeroFieldsAndKeepsGoKeyOrder) {
  Annotations a;
  a.uuid = "u";
  a.timestamp = absl::FromUnixSeconds(1);
  Geolocation geo;
  geo.latitude = 0;  // Dropped, as Go's omitempty drops 0.0.
  geo.longitude = -0.0;
  geo.city = "X";
  a.client.geo = geo;
  Network net;
  net.missing = true;
  a.client.network = net;
  a.server.network = Network();
  a.server.network->systems.push_back(System{{}, false});
  a.server.network->systems.push_back(System{{}, true});
  EXPECT_EQ(ToJson(a), R"({"UUID":"u","Timestamp":"1970-01-01T00:00:01Z",)"
                       R"("Server":{"Network":{"Systems":[{"ASNs":[]},{"ASNs":null}]}},)"
                       R"("Client":{"Geo":{"City":"X"},"Network":{"Missing":true}}})");
}

// ETL's sample records, rebuilt field by field: our bytes equal the samples' (compacted, since
// ETL's copies predate upstream's switch to compact output).
Annotations EtlSample(bool with_geo) {
  Annotations a;
  a.uuid = "ndt-njp6l_1585004303_00000000000170FA";
  std::string error;
  EXPECT_TRUE(
      absl::ParseTime(absl::RFC3339_full, "2020-04-03T00:00:02.663132563Z", &a.timestamp, &error));
  a.server.site = "lga1t";
  a.server.machine = "mlab2";
  Network sn;
  sn.as_number = 3356;
  sn.as_name = "Level 3 Parent, LLC";
  sn.systems = {System{{3356}, false}};
  a.server.network = sn;
  Network cn;
  cn.cidr = "35.184.0.0/13";
  cn.as_number = 15169;
  cn.systems = {System{{15169}, false}};
  a.client.network = cn;
  if (with_geo) {
    Geolocation sg;
    sg.continent_code = "NA";
    sg.country_code = "US";
    sg.region = "should-be-cleared";
    sg.city = "New York";
    sg.latitude = 40.7667;
    sg.longitude = -73.8667;
    a.server.geo = sg;
    Geolocation cg;
    cg.continent_code = "NA";
    cg.country_code = "US";
    cg.country_name = "United States";
    cg.region = "should-be-cleared";
    cg.subdivision1_iso_code = "VA";
    cg.subdivision1_name = "Virginia";
    cg.latitude = 38.6583;
    cg.longitude = -77.2481;
    cg.accuracy_radius_km = 1000;
    a.client.geo = cg;
  }
  return a;
}

TEST(AnnotationTest, ReproducesEtlSamplesByteForByte) {
  const std::string dir = TestData("etl/parser/testdata/Annotation2/");
  EXPECT_EQ(ToJson(EtlSample(true)),
            Compact(ReadFileOrDie(dir + "ndt-njp6l_1585004303_00000000000170FA.json")));
  EXPECT_EQ(ToJson(EtlSample(false)), Compact(ReadFileOrDie(dir + "ndt-empty-geo.json")));
}

TEST(AnnotationTest, IpServiceAnswerIsSortedByKey) {
  std::map<std::string, ClientAnnotations> answers;
  ClientAnnotations missing;
  missing.geo = Geolocation();
  missing.geo->missing = true;
  missing.network = Network();
  missing.network->missing = true;
  answers["::1"] = missing;
  answers["127.0.0.1"] = missing;
  EXPECT_EQ(ToJson(answers), R"({"127.0.0.1":{"Geo":{"Missing":true},"Network":{"Missing":true}},)"
                             R"("::1":{"Geo":{"Missing":true},"Network":{"Missing":true}}})");
}

}  // namespace
}  // namespace mlab::uuid_annotator
