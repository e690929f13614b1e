#include "lib/netaddr/go_ip.h"

#include <string>

#include "gtest/gtest.h"

namespace mlab::netaddr {
namespace {

std::string RoundTrip(const char* text) {
  std::optional<Ip16> ip = ParseGoIp(text);
  return ip ? FormatGoIp(*ip) : "<invalid>";
}

// Expected values are what Go's net.ParseIP(text).String() prints (checked with Go 1.26).
TEST(GoIpTest, FormatsAsGoDoes) {
  EXPECT_EQ(RoundTrip("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(RoundTrip("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(RoundTrip("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(RoundTrip("::"), "::");
  EXPECT_EQ(RoundTrip("::1"), "::1");
  EXPECT_EQ(RoundTrip("2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(RoundTrip("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // first of equal runs
  EXPECT_EQ(RoundTrip("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero group stays
  EXPECT_EQ(RoundTrip("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  EXPECT_EQ(RoundTrip("::1.2.3.4"), "::102:304");  // glibc's inet_ntop would print ::1.2.3.4
  EXPECT_EQ(RoundTrip("fe80::1:0:0:0"), "fe80::1:0:0:0");
}

TEST(GoIpTest, RefusesWhatNetParseIpRefuses) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.4 ",
                          "fe80::1%eth0", "2001:db8::1::2", "::ffff:01.2.3.4", "host", "1:2:3"}) {
    EXPECT_FALSE(ParseGoIp(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseGoIp(std::string(100, '1')).has_value());
}

TEST(GoIpTest, KeepsTheFormThatWasWritten) {
  EXPECT_FALSE(ParseIpv4("::ffff:1.2.3.4").has_value());
  std::optional<Ip16> mapped = ParseIpv6("::ffff:1.2.3.4");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_TRUE(IsV4Mapped(*mapped));
  EXPECT_EQ(*mapped, V4Mapped({1, 2, 3, 4}));
  EXPECT_FALSE(ParseIpv6("1.2.3.4").has_value());
}

}  // namespace
}  // namespace mlab::netaddr
