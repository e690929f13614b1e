// The gzip container: Go's header bytes, a valid single member, and a lossless round trip of
// real upstream archives.
#include "services/packet-headers/pcap_gz_writer.h"

#include <string>

#include "gtest/gtest.h"
#include "services/packet-headers/testing/test_packets.h"

namespace mlab::packet_headers {
namespace {

std::string Compress(const std::string& data, size_t piece, int level = 6) {
  PcapGzWriter writer(level);
  std::string out;
  for (size_t at = 0; at < data.size(); at += piece) {
    EXPECT_TRUE(writer.Write(data.substr(at, piece), &out).ok());
  }
  EXPECT_TRUE(writer.Finish(&out).ok());
  return out;
}

TEST(PcapGzWriterTest, HeaderIsWhatGoWrites) {
  const std::string gz = Compress("some pcap bytes", 4);
  EXPECT_EQ(gz.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  EXPECT_EQ(*testing::Gunzip(gz), "some pcap bytes");
}

TEST(PcapGzWriterTest, EveryAllowedLevelWritesGosHeader) {
  const std::string data(100000, 'x');
  for (int level = 2; level <= 8; ++level) {
    SCOPED_TRACE(level);
    const std::string gz = Compress(data, 32 * 1024, level);
    EXPECT_EQ(gz.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
    EXPECT_EQ(*testing::Gunzip(gz), data);
  }
}

TEST(PcapGzWriterTest, EmptyStreamIsAValidMember) {
  PcapGzWriter writer;
  std::string out;
  ASSERT_TRUE(writer.Finish(&out).ok());
  EXPECT_EQ(*testing::Gunzip(out), "");
  EXPECT_FALSE(writer.Write("late", &out).ok());
}

TEST(PcapGzWriterTest, RoundTripsRealArchivesWithTheirGzipHeader) {
  for (const char* name : {"ndt-4c6fb_1625899199_000000000121C1A0.pcap.gz",
                           "ndt-nnwk2_1611335823_00000000000C2DA8.pcap.gz",
                           "ndt-nnwk2_1611335823_00000000000C2DA9.pcap.gz"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<std::string> original =
        testing::ReadFile(testing::SharedTestData(std::string("etl/parser/testdata/PCAP/") + name));
    ASSERT_TRUE(original.ok()) << original.status();
    absl::StatusOr<std::string> pcap = testing::Gunzip(*original);
    ASSERT_TRUE(pcap.ok()) << pcap.status();
    const std::string ours = Compress(*pcap, 32 * 1024);
    // Upstream's archives (packet-headers through Go's compress/gzip) start the same way.
    EXPECT_EQ(ours.substr(0, 10), original->substr(0, 10));
    absl::StatusOr<std::string> back = testing::Gunzip(ours);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, *pcap);
    // Level 6 like Go's default: within 10% of upstream's size.
    EXPECT_LT(ours.size(), original->size() * 11 / 10);
  }
}

}  // namespace
}  // namespace mlab::packet_headers
