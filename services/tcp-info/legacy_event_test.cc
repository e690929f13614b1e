#include "services/tcp-info/legacy_event.h"

#include <netinet/in.h>

#include <vector>

#include "gtest/gtest.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/test_data.h"

namespace mlab::tcpinfo {
namespace {

// The reference's example Open event, built from the real socket of the ndt-7hhhv archive.
TEST(LegacyEventTest, OpenLineMatchesUpstreamForARealSocket) {
  absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(testing::SharedTestData(
      "tcp-info/netlink/testdata/ndt-7hhhv_1559749627_0000000000062D84.00000.jsonl.zst"));
  ASSERT_TRUE(lines.ok()) << lines.status();
  const SockId id = DecodeSockId((*lines)[1].raw_idm);
  EXPECT_EQ(LegacyOpenLine((*lines)[1].timestamp, "ndt-7hhhv_1559749627_0000000000062D84", id),
            "{\"Event\":0,\"Timestamp\":\"2019-07-01T00:00:12.092Z\",\"UUID\":\"ndt-7hhhv_"
            "1559749627_0000000000062D84\",\"ID\":{\"SPort\":33475,\"DPort\":49730,\"SrcIP\":\"63."
            "243.240.101\",\"DstIP\":\"172.251.23.202\",\"Interface\":0,\"Cookie\":404868}}\n");
}

TEST(LegacyEventTest, CloseLineHasNullId) {
  EXPECT_EQ(LegacyCloseLine(absl::FromUnixNanos(1561939222752000001), "u_0000000000000001"),
            "{\"Event\":1,\"Timestamp\":\"2019-07-01T00:00:22.752000001Z\",\"UUID\":\"u_"
            "0000000000000001\",\"ID\":null}\n");
}

TEST(LegacyEventTest, ReproducesUpstreamRenderingQuirks) {
  SockId id;
  id.family = AF_INET6;
  id.src = testing::Address("2001:db8::1");
  id.dst = testing::Address("::");
  id.interface = 1;  // host order; upstream reads it big-endian
  id.cookie = 0xFFFFFFFFFFFFFFFEULL;
  const std::string line = LegacyOpenLine(absl::UnixEpoch(), "u", id);
  EXPECT_NE(line.find("\"SrcIP\":\"2001:db8::1\",\"DstIP\":\"0.0.0.0\""), std::string::npos)
      << line;
  EXPECT_NE(line.find("\"Interface\":16777216,\"Cookie\":-2}"), std::string::npos) << line;
}

TEST(SockIdFormatTest, FormatsIPv6AsGo) {
  auto format = [](const char* text) { return FormatAddress(testing::Address(text)); };
  EXPECT_EQ(format("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(format("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");        // longest run wins
  EXPECT_EQ(format("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");  // first on a tie
  EXPECT_EQ(format("1:0:1:0:1:0:1:0"), "1:0:1:0:1:0:1:0");         // never one group
  EXPECT_EQ(format("::"), "::");
  EXPECT_EQ(format("::1"), "::1");
  EXPECT_EQ(format("fe80::"), "fe80::");
  EXPECT_EQ(format("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(format("::1.2.3.4"), "::102:304");
  EXPECT_EQ(format("2001:DB8:ABCD:12::FF"), "2001:db8:abcd:12::ff");
}

}  // namespace
}  // namespace mlab::tcpinfo
