#include "services/uuid-annotator/ip_address.h"

#include "gtest/gtest.h"

namespace mlab::uuid_annotator {
namespace {

std::string RoundTrip(const char* text) {
  std::optional<IpAddress> ip = IpAddress::Parse(text);
  return ip ? ip->ToString() : "<invalid>";
}

TEST(IpAddressTest, PrintsAsGoDoes) {
  EXPECT_EQ(RoundTrip("1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(RoundTrip("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  // A single zero group is not compressed; the first of two equal runs is.
  EXPECT_EQ(RoundTrip("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(RoundTrip("2001:0:0:1:0:0:1:1"), "2001::1:0:0:1:1");
  EXPECT_EQ(RoundTrip("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
  EXPECT_EQ(RoundTrip("::"), "::");
  EXPECT_EQ(RoundTrip("::1"), "::1");
  EXPECT_EQ(RoundTrip("1::"), "1::");
  // IPv4-compatible addresses print in hex (inet_ntop would write ::1.2.3.4).
  EXPECT_EQ(RoundTrip("::1.2.3.4"), "::102:304");
  EXPECT_EQ(RoundTrip("2001:DB8::ABCD"), "2001:db8::abcd");
}

TEST(IpAddressTest, V4MappedBecomesV4) {
  std::optional<IpAddress> mapped = IpAddress::Parse("::ffff:192.0.2.1");
  std::optional<IpAddress> plain = IpAddress::Parse("192.0.2.1");
  ASSERT_TRUE(mapped && plain);
  EXPECT_TRUE(mapped->is_v4());
  EXPECT_EQ(*mapped, *plain);
  EXPECT_EQ(mapped->ToString(), "192.0.2.1");
  std::optional<IpAddress> kept = IpAddress::ParseKeepMapped("::ffff:192.0.2.1");
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->is_v4());
  EXPECT_NE(*kept, *plain);
}

TEST(IpAddressTest, RejectsWhatGoRejects) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "fe80::1%eth0",
        "2001:db8::g", "1:2:3:4:5:6:7:8:9", "localhost", "1.2.3.4/24"}) {
    EXPECT_FALSE(IpAddress::Parse(bad)) << bad;
  }
}

TEST(IpAddressTest, MaskedClearsHostBits) {
  EXPECT_EQ(IpAddress::Parse("10.1.2.3")->Masked(8).ToString(), "10.0.0.0");
  EXPECT_EQ(IpAddress::Parse("10.1.2.255")->Masked(25).ToString(), "10.1.2.128");
  EXPECT_EQ(IpAddress::Parse("10.1.2.3")->Masked(0).ToString(), "0.0.0.0");
  EXPECT_EQ(IpAddress::Parse("2001:db8:ffff::1")->Masked(36).ToString(), "2001:db8:f000::");
  EXPECT_EQ(IpAddress::Parse("2001:db8::1")->Masked(128).ToString(), "2001:db8::1");
}

TEST(ParseCidrTest, FollowsGoParseCidr) {
  EXPECT_EQ(ParseCidr("1.2.3.4/24")->ToString(), "1.2.3.0/24");
  EXPECT_EQ(ParseCidr("1.0.192.0/021")->ToString(), "1.0.192.0/21");  // Leading zeros allowed.
  EXPECT_EQ(ParseCidr("2001:200::/32")->ToString(), "2001:200::/32");
  EXPECT_EQ(ParseCidr("0.0.0.0/0")->ToString(), "0.0.0.0/0");
  for (const char* bad : {"1.2.3.4", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/", "::/129",
                          "this-is-not-a-subnet/26", "1.2.3.4/8 "}) {
    EXPECT_FALSE(ParseCidr(bad)) << bad;
  }
  std::optional<IpPrefix> net = ParseCidr("64.86.148.128/26");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->Contains(*IpAddress::Parse("64.86.148.190")));
  EXPECT_FALSE(net->Contains(*IpAddress::Parse("64.86.148.192")));
  EXPECT_FALSE(net->Contains(*IpAddress::Parse("::40:5694:80")));
}

}  // namespace
}  // namespace mlab::uuid_annotator
