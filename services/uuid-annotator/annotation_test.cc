// annotation2 JSON: Go's bytes exactly, and ETL's own sample records reproduced.
#include "lib/annotation/annotation.h"

#include <cctype>

#include "gtest/gtest.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::Annotations;
using annotation::ClientAnnotations;
using annotation::Geolocation;
using annotation::Network;
using annotation::System;

using testing::ReadFileOrDie;
using testing::TestData;

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
