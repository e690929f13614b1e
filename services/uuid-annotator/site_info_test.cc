// Siteinfo v2 with upstream's test file: the cases of upstream's siteannotator tests.
#include "services/uuid-annotator/site_info.h"

#include "gtest/gtest.h"
#include "services/uuid-annotator/test_util.h"

namespace mlab::uuid_annotator {
namespace {

using annotation::ServerAnnotations;

using testing::ReadFileOrDie;
using testing::TestData;

std::string Json(const ServerAnnotations& s) {
  std::string out;
  AppendJson(s, &out);
  return out;
}

absl::StatusOr<std::unique_ptr<SiteInfo>> Load(const std::string& host) {
  return SiteInfo::Parse(ReadFileOrDie(TestData("uuid-annotator/testdata/annotations.json")),
                         host + ".mlab-sandbox.measurement-lab.org");
}

IpAddress Ip(const char* s) { return *IpAddress::Parse(s); }

TEST(SiteInfoTest, PhysicalSiteWithBothFamilies) {
  absl::StatusOr<std::unique_ptr<SiteInfo>> site = Load("mlab1-lga03");
  ASSERT_TRUE(site.ok()) << site.status();
  // "State" is not a Geolocation field and is dropped; the CIDR follows the address family.
  const std::string common =
      R"({"Site":"lga03","Machine":"mlab1","Geo":{"ContinentCode":"NA","CountryCode":"US",)"
      R"("City":"New York","Latitude":40.7667,"Longitude":-73.8667},"Network":{"CIDR":")";
  EXPECT_EQ(Json((*site)->Annotate(Ip("64.86.148.130"))),
            common + R"(64.86.148.128/26","ASNumber":6453,"ASName":"TATA COMMUNICATIONS )"
                     R"((AMERICA) INC","Systems":[{"ASNs":[6453]}]}})");
  EXPECT_EQ(Json((*site)->Annotate(Ip("2001:5a0:4300::2"))),
            common + R"(2001:5a0:4300::/64","ASNumber":6453,"ASName":"TATA COMMUNICATIONS )"
                     R"((AMERICA) INC","Systems":[{"ASNs":[6453]}]}})");
  // Any address of the family gets the site's data (cloud VMs' private addresses too).
  EXPECT_EQ((*site)->Annotate(Ip("10.0.0.1")).site, "lga03");
  EXPECT_TRUE((*site)->load_balancer_addresses().empty());
}

TEST(SiteInfoTest, MissingFamilyGivesEmptyServer) {
  absl::StatusOr<std::unique_ptr<SiteInfo>> six01 = Load("mlab1-six01");
  ASSERT_TRUE(six01.ok());
  EXPECT_EQ(Json((*six01)->Annotate(Ip("2001:5a0:4300::2"))), "{}");
  EXPECT_EQ(Json((*six01)->Annotate(Ip("64.86.148.130"))),
            R"({"Site":"six01","Machine":"mlab1","Geo":{"City":"New York"},"Network":)"
            R"({"CIDR":"64.86.148.128/26","ASName":"TATA COMMUNICATIONS (AMERICA) INC"}})");
  absl::StatusOr<std::unique_ptr<SiteInfo>> six02 = Load("mlab1-six02");
  ASSERT_TRUE(six02.ok());
  EXPECT_EQ(Json((*six02)->Annotate(Ip("64.86.148.130"))), "{}");
}

TEST(SiteInfoTest, VirtualSiteAddsLoadBalancerAddresses) {
  absl::StatusOr<std::unique_ptr<SiteInfo>> six06 = Load("mlab1-six06");
  ASSERT_TRUE(six06.ok());
  ASSERT_EQ((*six06)->load_balancer_addresses().size(), 2u);
  EXPECT_EQ((*six06)->load_balancer_addresses()[0].ToString(), "64.86.148.129");
  EXPECT_EQ((*six06)->load_balancer_addresses()[1].ToString(), "2001:5a0:4300::");
  absl::StatusOr<std::unique_ptr<SiteInfo>> six02 = Load("mlab1-six02");
  ASSERT_EQ((*six02)->load_balancer_addresses().size(), 1u);
}

TEST(SiteInfoTest, Errors) {
  EXPECT_FALSE(Load("mlab1-bad04").ok());
  EXPECT_FALSE(Load("mlab1-bad06").ok());
  EXPECT_TRUE(absl::IsNotFound(Load("mlab9-nope1").status()));
  EXPECT_FALSE(
      SiteInfo::Parse(ReadFileOrDie(TestData("uuid-annotator/testdata/corrupt-annotations.json")),
                      "mlab1-lga03.mlab-sandbox.measurement-lab.org")
          .ok());
  // A wrong type anywhere fails the whole file, as json.Unmarshal does.
  EXPECT_FALSE(SiteInfo::Parse(R"({"a":{"Annotation":{"Site":1}},"h":{}})", "h").ok());
  EXPECT_FALSE(SiteInfo::Parse(R"({"h":{"Annotation":{"Network":{"ASNumber":-1}}}})", "h").ok());
  EXPECT_FALSE(SiteInfo::Parse(R"({"h":{"Annotation":{"Network":{"ASNumber":1.5}}}})", "h").ok());
  EXPECT_FALSE(SiteInfo::Parse(R"([1])", "h").ok());
  // Found by fuzzing: crashed rapidjson 1.1.0; now refused with where it is.
  const absl::Status tiny =
      SiteInfo::Parse(R"({"h":{"Annotation":{"Geo":{"Latitude":3.0000000066006E-336}}}})", "h")
          .status();
  EXPECT_TRUE(absl::IsInvalidArgument(tiny));
  EXPECT_EQ(tiny.message(), "siteinfo: number out of range at offset 38");
}

TEST(SiteInfoTest, DecodesAsGo) {
  // Keys match case-insensitively; null leaves a field unset; a System without ASNs is null.
  absl::StatusOr<std::unique_ptr<SiteInfo>> site = SiteInfo::Parse(
      R"({"h":{"annotation":{"SITE":"abc01","Machine":null,"Geo":{},)"
      R"("Network":{"Systems":[{},{"ASNs":[]}]}},"network":{"ipv4":"192.0.2.0/24"}}})",
      "h");
  ASSERT_TRUE(site.ok()) << site.status();
  EXPECT_EQ(Json((*site)->Annotate(Ip("192.0.2.7"))),
            R"({"Site":"abc01","Geo":{},"Network":{"CIDR":"192.0.2.0/24",)"
            R"("Systems":[{"ASNs":null},{"ASNs":[]}]}})");
  // No Annotation.Network at all: the CIDR still goes in (upstream would crash here).
  site = SiteInfo::Parse(R"({"h":{"Network":{"IPv4":"192.0.2.0/24"}}})", "h");
  ASSERT_TRUE(site.ok());
  EXPECT_EQ(Json((*site)->Annotate(Ip("192.0.2.7"))), R"({"Network":{"CIDR":"192.0.2.0/24"}})");
}

}  // namespace
}  // namespace mlab::uuid_annotator
