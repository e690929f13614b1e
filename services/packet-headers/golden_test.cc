// Upstream's own capture fixtures (packet-headers testdata/v4.pcap and v6.pcap) through the real
// file capture, demuxer and saver: the counts, snap lengths and anonymization upstream's tests
// expect, and M-Lab's ETL parser accepting the result.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/packet-headers/capture.h"
#include "services/packet-headers/demuxer.h"
#include "services/packet-headers/testing/test_packets.h"

namespace mlab::packet_headers {
namespace {

struct Golden {
  std::string file;
  size_t packets;
  uint32_t snaplen;
  IpAddress anonymized_a;  // the two addresses, as netblock leaves them
  IpAddress anonymized_b;
};

// Reads a capture file into flows; Open for the flow of the first packet; saves everything.
std::string SaveCapture(const std::string& path, Anonymizer::Mode mode, const std::string& dir,
                        const std::string& uuid) {
  spool::SpoolDir spool(dir);
  EXPECT_TRUE(spool.Init().ok());
  Anonymizer anonymizer(mode, {});  // no local addresses: both ends are anonymized
  MemoryBudget budget(int64_t{1} << 30);
  WriterPool pool(0);
  Demuxer demuxer(DemuxerConfig{}, &anonymizer, &budget, &spool, &pool);
  absl::StatusOr<std::unique_ptr<Capture>> capture = Capture::OpenFile(path, "tcp");
  EXPECT_TRUE(capture.ok()) << capture.status();
  if (!capture.ok()) return "";
  bool opened = false;
  absl::Time first;
  // v6.pcap ends with a stray byte: libpcap reports a truncated file after the 8 packets.
  (*capture)
      ->Run([&](const CapturedPacket& packet) {
        if (!opened) {
          std::optional<PacketLayout> layout =
              ParsePacket(packet.link_type, packet.data, packet.caplen);
          ASSERT_TRUE(layout.has_value());
          first = absl::FromUnixNanos(packet.timestamp_ns);
          demuxer.OnOpen(uuid, layout->key(), first, first);
          opened = true;
        }
        demuxer.OnPacket(packet);
      })
      .IgnoreError();
  demuxer.FinishAll();
  return *spool.FinalPath(first, uuid + ".pcap.gz");
}

TEST(GoldenTest, UpstreamFixturesGiveUpstreamsResults) {
  const std::vector<Golden> goldens = {
      {"packet-headers/testdata/v4.pcap", 12, 94, *IpAddress::Parse("172.17.0.0"),
       *IpAddress::Parse("91.189.88.0")},
      {"packet-headers/testdata/v6.pcap", 8, 114, *IpAddress::Parse("2620:0:1003::"),
       *IpAddress::Parse("2001:1900:2100::")},
  };
  std::vector<std::string> written;
  for (const Golden& g : goldens) {
    SCOPED_TRACE(g.file);
    testing::TempDir dir;
    const std::string input = testing::SharedTestData(g.file);
    for (Anonymizer::Mode mode : {Anonymizer::Mode::kNone, Anonymizer::Mode::kNetblock}) {
      const std::string path =
          SaveCapture(input, mode, dir.path() + (mode == Anonymizer::Mode::kNone ? "/a" : "/b"),
                      mode == Anonymizer::Mode::kNone ? "golden_1_0000000000000001"
                                                      : "golden_1_0000000000000002");
      absl::StatusOr<testing::PcapFile> file = testing::ReadPcapGz(path);
      ASSERT_TRUE(file.ok()) << file.status();
      EXPECT_EQ(file->records.size(), g.packets);
      EXPECT_EQ(file->snaplen, g.snaplen);
      EXPECT_EQ(file->link_type, 1u);
      EXPECT_EQ(testing::NonZeroPayloadBytes(*file), 0);
      for (const testing::PcapRecord& r : file->records) {
        ASSERT_LE(r.incl_len, g.snaplen);
        if (mode == Anonymizer::Mode::kNone) continue;
        const bool v4 = g.snaplen == 94;
        const size_t src = 14 + (v4 ? 12 : 8), dst = 14 + (v4 ? 16 : 24), size = v4 ? 4 : 16;
        const IpAddress a = v4 ? IpAddress::V4(reinterpret_cast<const uint8_t*>(&r.data[src]))
                               : IpAddress::V6(reinterpret_cast<const uint8_t*>(&r.data[src]));
        const IpAddress b = v4 ? IpAddress::V4(reinterpret_cast<const uint8_t*>(&r.data[dst]))
                               : IpAddress::V6(reinterpret_cast<const uint8_t*>(&r.data[dst]));
        EXPECT_TRUE((a == g.anonymized_a && b == g.anonymized_b) ||
                    (a == g.anonymized_b && b == g.anonymized_a))
            << a.ToString() << " " << b.ToString() << " (" << size << ")";
      }
      absl::Status etl = testing::RunEtlCheck({path});
      if (etl.code() != absl::StatusCode::kNotFound) {
        EXPECT_TRUE(etl.ok()) << etl;
      }
    }
  }
}

}  // namespace
}  // namespace mlab::packet_headers
