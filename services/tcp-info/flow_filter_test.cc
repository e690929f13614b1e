#include "services/tcp-info/flow_filter.h"

#include <netinet/in.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/tcp-info/testing/diag_message_builder.h"

namespace mlab::tcpinfo {
namespace {

using testing::Address;

SockId Flow(uint8_t family, const char* src, uint16_t sport, const char* dst, uint16_t dport) {
  SockId id;
  id.family = family;
  id.src = Address(src);
  id.dst = Address(dst);
  id.src_port = sport;
  id.dst_port = dport;
  return id;
}

TEST(FlowFilterTest, ExcludesLocalEndsOfEitherSideAndFamily) {
  FlowFilter filter;
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "192.0.2.1", 443, "198.51.100.7", 5000)));
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "10.0.0.1", 443, "172.16.0.9", 5000)));  // private
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET6, "2001:db8::1", 443, "2001:db8::2", 5000)));
  EXPECT_FALSE(
      filter.Excludes(Flow(AF_INET6, "::ffff:192.0.2.1", 443, "::ffff:198.51.100.7", 5000)));

  const std::vector<const char*> local_v4 = {"127.0.0.1", "127.255.0.3", "169.254.1.1",
                                             "224.0.0.1", "239.1.2.3",   "0.0.0.0"};
  for (const char* local : local_v4) {
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET, local, 443, "192.0.2.9", 5000))) << local;
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET, "192.0.2.9", 443, local, 5000))) << local;
    const std::string mapped = std::string("::ffff:") + local;
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET6, mapped.c_str(), 443, "2001:db8::9", 5000)))
        << mapped;
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET6, "::ffff:192.0.2.9", 443, mapped.c_str(), 5000)))
        << mapped;
  }
  for (const char* local : {"::1", "::", "fe80::1", "febf::1", "ff02::1"}) {
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET6, local, 443, "2001:db8::9", 5000))) << local;
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET6, "2001:db8::9", 443, local, 5000))) << local;
  }
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET6, "fec0::1", 443, "2001:db8::9", 5000)));
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "128.0.0.1", 443, "192.0.2.9", 5000)));

  filter.set_exclude_local(false);
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "127.0.0.1", 443, "127.0.0.1", 5000)));
}

TEST(FlowFilterTest, ExcludesAnySourcePortIncludingHighOnes) {
  FlowFilter filter;
  ASSERT_TRUE(filter.ExcludeSrcPorts({"9100,9990", "65535", " 32768 ", "0"}).ok());
  for (uint16_t port : {9100, 9990, 65535, 32768, 0}) {
    EXPECT_TRUE(filter.Excludes(Flow(AF_INET, "192.0.2.1", port, "192.0.2.2", 80))) << port;
  }
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "192.0.2.1", 9991, "192.0.2.2", 80)));
  // The remote port is not the source port.
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "192.0.2.1", 443, "192.0.2.2", 9100)));
  for (const char* bad : {"65536", "-1", "http", "12ab"}) {
    EXPECT_FALSE(filter.ExcludeSrcPorts({bad}).ok()) << bad;
  }
}

TEST(FlowFilterTest, ExcludesDestinationsAcrossFamilies) {
  FlowFilter filter;
  ASSERT_TRUE(filter.ExcludeDstIps({"192.0.2.80,2001:db8::80"}).ok());
  EXPECT_TRUE(filter.Excludes(Flow(AF_INET, "192.0.2.1", 443, "192.0.2.80", 5000)));
  EXPECT_TRUE(filter.Excludes(Flow(AF_INET6, "::ffff:192.0.2.1", 443, "::ffff:192.0.2.80", 5000)));
  EXPECT_TRUE(filter.Excludes(Flow(AF_INET6, "2001:db8::1", 443, "2001:db8::80", 5000)));
  // Only the remote end matters.
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET, "192.0.2.80", 443, "192.0.2.81", 5000)));
  EXPECT_FALSE(filter.Excludes(Flow(AF_INET6, "2001:db8::1", 443, "2001:db8::81", 5000)));
  EXPECT_FALSE(filter.ExcludeDstIps({"192.0.2.300"}).ok());
  EXPECT_FALSE(filter.ExcludeDstIps({"host.example"}).ok());
}

TEST(FlowFilterTest, WorksOnSnapshots) {
  FlowFilter filter;
  testing::DiagMessageSpec spec = testing::EstablishedV4(5);
  EXPECT_FALSE(filter.Excludes(testing::Snapshot(spec)));
  spec.dst = Address("127.0.0.1");
  EXPECT_TRUE(filter.Excludes(testing::Snapshot(spec)));
}

TEST(SockIdTest, DecodesInetDiagMsg) {
  testing::DiagMessageSpec spec = testing::EstablishedV4(0x1122334455667788ULL);
  spec.src_port = 33475;
  spec.dst_port = 49730;
  spec.interface = 7;
  SockId id = DecodeSockId(testing::Snapshot(spec).raw_idm());
  EXPECT_EQ(id.family, AF_INET);
  EXPECT_EQ(id.src_port, 33475);
  EXPECT_EQ(id.dst_port, 49730);
  EXPECT_EQ(id.interface, 7u);
  EXPECT_EQ(id.cookie, 0x1122334455667788ULL);
  EXPECT_EQ(FormatAddress(id.src_mapped()), "192.0.2.1");
  EXPECT_EQ(FormatAddress(id.dst_mapped()), "192.0.2.2");
  EXPECT_EQ(FormatAddress(Address("2001:db8::1")), "2001:db8::1");
}

}  // namespace
}  // namespace mlab::tcpinfo
