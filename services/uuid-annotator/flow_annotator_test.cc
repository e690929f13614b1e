// Whole annotation2 records for flows, byte for byte, with upstream's fixtures.
#include "services/uuid-annotator/flow_annotator.h"

#include "gtest/gtest.h"
#include "services/uuid-annotator/test_datasets.h"

namespace mlab::uuid_annotator {
namespace {

using testing::kServerV4;
using testing::kServerV6;

constexpr char kServerJsonPrefix[] =
    R"("Server":{"Site":"lga03","Machine":"mlab1","Geo":{"ContinentCode":"NA","CountryCode":"US",)"
    R"("City":"New York","Latitude":40.7667,"Longitude":-73.8667},"Network":{"CIDR":")";
constexpr char kServerJsonSuffix[] =
    R"(","ASNumber":6453,"ASName":"TATA COMMUNICATIONS (AMERICA) INC","Systems":[{"ASNs":[6453]}]}})";

class FlowAnnotatorTest : public ::testing::Test {
 protected:
  FlowAnnotatorTest()
      : locals_([]() -> absl::StatusOr<std::vector<IpAddress>> {
          return std::vector<IpAddress>{*IpAddress::Parse("127.0.0.1"),
                                        *IpAddress::Parse(kServerV4), *IpAddress::Parse(kServerV6)};
        }),
        annotator_(&store_, &locals_) {
    testing::FillStore(&store_);
    EXPECT_TRUE(locals_.Refresh().ok());
  }

  std::string Json(const char* src, const char* dst) {
    last_ = annotator_.Annotate("ndt-test_1585004303_00000000000170FA", time_, src, dst);
    return ToJson(last_.annotations);
  }

  std::string Head() const {
    return R"({"UUID":"ndt-test_1585004303_00000000000170FA","Timestamp":"2020-04-03T00:00:02.663132563Z",)";
  }

  DatasetStore store_;
  LocalAddresses locals_;
  FlowAnnotator annotator_;
  FlowAnnotation last_;
  const absl::Time time_ = absl::FromUnixNanos(1585872002663132563);
};

TEST_F(FlowAnnotatorTest, ServerIsSourceFullRecord) {
  EXPECT_EQ(
      Json(kServerV4, "2.125.160.216"),
      Head() + kServerJsonPrefix + "64.86.148.128/26" + kServerJsonSuffix +
          R"(,"Client":{"Geo":{"ContinentCode":"EU","CountryCode":"GB","CountryName":"United Kingdom",)"
          R"("Subdivision1ISOCode":"ENG","Subdivision1Name":"England","Subdivision2ISOCode":"WBK",)"
          R"("Subdivision2Name":"West Berkshire","City":"Boxford","PostalCode":"OX1","Latitude":51.75,)"
          R"("Longitude":-1.25,"AccuracyRadiusKm":100},"Network":{"CIDR":"2.120.0.0/13",)"
          R"("ASNumber":5607,"ASName":"Sky UK Limited","Systems":[{"ASNs":[5607]}]}}})");
  EXPECT_EQ(last_.direction, Direction::kSrcIsServer);
  EXPECT_EQ(last_.client_ip, "2.125.160.216");
  EXPECT_EQ(last_.errors, 0);
}

TEST_F(FlowAnnotatorTest, ServerIsDestinationIpv6) {
  EXPECT_EQ(Json("2001:200::1", kServerV6),
            Head() + kServerJsonPrefix + "2001:5a0:4300::/64" + kServerJsonSuffix +
                R"(,"Client":{"Geo":{"Missing":true},"Network":{"CIDR":"2001:200::/32",)"
                R"("ASNumber":2500,"ASName":"WIDE Project","Systems":[{"ASNs":[2500]}]}}})");
  EXPECT_EQ(last_.direction, Direction::kDstIsServer);
}

TEST_F(FlowAnnotatorTest, MultiOriginClient) {
  const std::string json = Json(kServerV4, "223.252.176.1");
  EXPECT_NE(json.find(R"("Network":{"CIDR":"223.252.176.0/24","ASNumber":133929,)"
                      R"("ASName":"TWOWIN CO., LIMITED","Systems":[{"ASNs":[133929]},)"
                      R"({"ASNs":[133107]}]})"),
            std::string::npos)
      << json;
}

TEST_F(FlowAnnotatorTest, LoopbackFlowIsMissingEverywhere) {
  // 127.0.0.1 is local and the source wins; the site has an IPv4 prefix, so Server is filled.
  EXPECT_EQ(Json("127.0.0.1", "127.0.0.1"),
            Head() + kServerJsonPrefix + "64.86.148.128/26" + kServerJsonSuffix +
                R"(,"Client":{"Geo":{"Missing":true},"Network":{"Missing":true}}})");
}

TEST_F(FlowAnnotatorTest, UnknownDirectionWritesEmptyHalves) {
  EXPECT_EQ(Json("198.51.100.1", "198.51.100.2"), Head() + R"("Server":{},"Client":{}})");
  EXPECT_EQ(last_.direction, Direction::kUnknown);
  EXPECT_EQ(last_.errors, 3);
}

TEST_F(FlowAnnotatorTest, V4MappedServerAddressIsRecognised) {
  const std::string json = Json("::ffff:64.86.148.130", "::ffff:2.125.160.216");
  EXPECT_EQ(last_.direction, Direction::kSrcIsServer);
  EXPECT_NE(json.find(R"("CIDR":"64.86.148.128/26")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("CIDR":"2.120.0.0/13")"), std::string::npos) << json;
}

TEST_F(FlowAnnotatorTest, UnparsableClientLeavesGeoOutAndNetworkMissing) {
  EXPECT_EQ(Json(kServerV4, "not-an-ip"), Head() + kServerJsonPrefix + "64.86.148.128/26" +
                                              kServerJsonSuffix +
                                              R"(,"Client":{"Network":{"Missing":true}}})");
  EXPECT_EQ(last_.errors, 1);
}

TEST(FlowAnnotatorVirtualSiteTest, LoadBalancerAddressMakesTheServer) {
  DatasetStore store;
  testing::TestDatasetOptions options;
  options.full_routeviews = false;
  options.hostname = "mlab1-six06.mlab-sandbox.measurement-lab.org";
  testing::FillStore(&store, options);
  // The machine itself has only a private address; the LB's public one is in siteinfo.
  LocalAddresses locals([]() -> absl::StatusOr<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*IpAddress::Parse("10.0.0.5")};
  });
  ASSERT_TRUE(locals.Refresh().ok());
  FlowAnnotator annotator(&store, &locals);
  FlowAnnotation flow =
      annotator.Annotate("u", absl::FromUnixSeconds(0), "64.86.148.129", "81.2.69.142");
  EXPECT_EQ(flow.direction, Direction::kSrcIsServer);
  EXPECT_EQ(flow.annotations.server.site, "six06");
  ASSERT_TRUE(flow.annotations.client.geo.has_value());
  EXPECT_EQ(flow.annotations.client.geo->city, "London");
}

}  // namespace
}  // namespace mlab::uuid_annotator
