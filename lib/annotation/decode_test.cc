#include "lib/annotation/decode.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/json/full_precision.h"

namespace mlab::annotation {
namespace {

constexpr absl::string_view kClient =
    R"({"Geo":{"ContinentCode":"EU","CountryCode":"GB","CountryName":"United Kingdom",)"
    R"("Subdivision1ISOCode":"ENG","Subdivision1Name":"England","City":"London",)"
    R"("PostalCode":"SW1","Latitude":51.5142,"Longitude":-0.0931,"AccuracyRadiusKm":100},)"
    R"("Network":{"CIDR":"198.51.100.0/24","ASNumber":64496,"ASName":"Example Net",)"
    R"("Systems":[{"ASNs":[64496]},{"ASNs":[64497,64498]},{"ASNs":null},{"ASNs":[]}]}})";

TEST(DecodeTest, ClientAnnotationsRoundTripByteForByte) {
  absl::StatusOr<std::map<std::string, ClientAnnotations>> answers =
      ParseClientAnnotationsMap(absl::StrCat(R"({"198.51.100.7":)", kClient, "}"));
  ASSERT_TRUE(answers.ok()) << answers.status();
  ASSERT_EQ(answers->size(), 1u);
  const ClientAnnotations& client = answers->at("198.51.100.7");
  ASSERT_TRUE(client.network.has_value());
  EXPECT_TRUE(client.network->systems[2].asns_null);
  EXPECT_FALSE(client.network->systems[3].asns_null);
  std::string json;
  AppendJson(client, &json);
  EXPECT_EQ(json, kClient);
}

TEST(DecodeTest, KeysIgnoreCaseAndNullsAsGo) {
  auto answers = ParseClientAnnotationsMap(
      R"({"a":{"geo":{"city":"X","missing":true},"NETWORK":{"Systems":[{},null]}},"b":null,)"
      R"("c":{"Geo":null,"Network":{"asnumber":1}},"c":{"Network":{"ASName":"later"}}})");
  ASSERT_TRUE(answers.ok()) << answers.status();
  ASSERT_EQ(answers->size(), 2u);  // b is a nil pointer, left out
  const ClientAnnotations& a = answers->at("a");
  EXPECT_EQ(a.geo->city, "X");
  EXPECT_TRUE(a.geo->missing);
  ASSERT_EQ(a.network->systems.size(), 2u);
  EXPECT_TRUE(a.network->systems[0].asns_null);
  EXPECT_TRUE(a.network->systems[1].asns_null);
  // A repeated key is decoded afresh: the last one wins whole.
  const ClientAnnotations& c = answers->at("c");
  EXPECT_FALSE(c.geo.has_value());
  EXPECT_EQ(c.network->as_number, 0u);
  EXPECT_EQ(c.network->as_name, "later");
}

TEST(DecodeTest, ServerAnnotationsDecodeIntoWhatIsThere) {
  rapidjson::Document doc;
  ASSERT_TRUE(json::ParseFullPrecision(
                  R"({"Site":"abc01","Geo":{"City":"Y"},"Network":null,"Other":[1]})", &doc)
                  .ok());
  ServerAnnotations server;
  server.machine = "mlab1";
  server.geo = Geolocation();
  server.geo->country_code = "US";
  server.network = Network();
  json::GoDecoder d;
  Decode(d, doc, &server);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(server.site, "abc01");
  EXPECT_EQ(server.machine, "mlab1");
  EXPECT_EQ(server.geo->country_code, "US");
  EXPECT_EQ(server.geo->city, "Y");
  EXPECT_FALSE(server.network.has_value());
}

TEST(DecodeTest, MistypedFieldsFailWithTheirPath) {
  EXPECT_EQ(ParseClientAnnotationsMap(R"({"x":{"Geo":{"Latitude":"51"}}})").status().message(),
            "cannot decode x.Geo.Latitude as float64");
  EXPECT_EQ(ParseClientAnnotationsMap(R"({"x":{"Network":{"ASNumber":-1}}})").status().message(),
            "cannot decode x.Network.ASNumber as uint32");
  EXPECT_EQ(ParseClientAnnotationsMap(R"({"x":{"Network":{"Systems":[{"ASNs":[1,"2"]}]}}})")
                .status()
                .message(),
            "cannot decode x.Network.Systems[0].ASNs[1] as uint32");
  EXPECT_EQ(ParseClientAnnotationsMap(R"({"x":[]})").status().message(),
            "cannot decode x as object");
  EXPECT_FALSE(ParseClientAnnotationsMap("{").ok());
  EXPECT_TRUE(ParseClientAnnotationsMap("null")->empty());  // Go's nil map
}

TEST(DecodeTest, InvalidUtf8IsReplacedAsGoDoes) {
  auto answers = ParseClientAnnotationsMap("{\"x\":{\"Geo\":{\"City\":\"M\xfcnchen\"}}}");
  ASSERT_TRUE(answers.ok()) << answers.status();
  EXPECT_EQ(answers->at("x").geo->city, "M\xef\xbf\xbdnchen");
}

}  // namespace
}  // namespace mlab::annotation
