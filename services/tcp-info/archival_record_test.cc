#include "services/tcp-info/archival_record.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/fileio/files.h"
#include "lib/json/go_encoding.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/test_data.h"
#include "services/tcp-info/zstd_decode.h"

namespace mlab::tcpinfo {
namespace {

std::string ReadZstd(absl::string_view relative) {
  absl::StatusOr<std::string> compressed = fileio::ReadWholeFile(testing::SharedTestData(relative));
  EXPECT_TRUE(compressed.ok()) << compressed.status();
  if (!compressed.ok()) return "";
  absl::StatusOr<std::string> text = Decompress(*compressed);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// Upstream's golden pair: 420 raw netlink messages and the JSON lines upstream makes of them.
TEST(ArchivalRecordTest, RawNetlinkDumpConvertsByteForByteToUpstreamRecords) {
  auto raw =
      std::make_shared<const std::string>(ReadZstd("tcp-info/netlink/testdata/testdata.zst"));
  ASSERT_EQ(raw->size(), 149160u);
  absl::StatusOr<std::vector<SocketSnapshot>> snapshots = ParseSockDiagMessages(raw);
  ASSERT_TRUE(snapshots.ok()) << snapshots.status();
  ASSERT_EQ(snapshots->size(), 420u);
  int v6 = 0;
  for (const SocketSnapshot& s : *snapshots) v6 += s.family() == 10;
  EXPECT_EQ(v6, 375);

  const std::string expected = ReadZstd("tcp-info/netlink/testdata/archiveRecords.jsonl.zst");
  ASSERT_EQ(expected.size(), 212850u);
  std::vector<absl::string_view> expected_lines = absl::StrSplit(expected, '\n');
  ASSERT_EQ(expected_lines.back(), "");
  expected_lines.pop_back();
  ASSERT_EQ(expected_lines.size(), 420u);

  std::string ours;
  for (size_t i = 0; i < snapshots->size(); ++i) {
    std::string line;
    AppendSnapshotLine(json::GoZeroTime(), (*snapshots)[i].raw_idm(), (*snapshots)[i], &line);
    EXPECT_EQ(line, expected_lines[i]) << "record " << i;
    ours += line + "\n";
  }
  EXPECT_TRUE(ours == expected);
}

TEST(ArchivalRecordTest, MetadataLineMatchesRealArchiveHeader) {
  const std::string archive =
      ReadZstd("tcp-info/netlink/testdata/ndt-7hhhv_1559749627_0000000000062D84.00000.jsonl.zst");
  absl::string_view first_line = absl::string_view(archive).substr(0, archive.find('\n'));
  std::string ours;
  AppendMetadataLine("ndt-7hhhv_1559749627_0000000000062D84", 0,
                     absl::FromUnixMillis(1561939212092), &ours);
  EXPECT_EQ(ours, first_line);
  EXPECT_EQ(ours,
            "{\"Timestamp\":\"0001-01-01T00:00:00Z\",\"Metadata\":{\"UUID\":\"ndt-7hhhv_"
            "1559749627_0000000000062D84\",\"Sequence\":0,\"StartTime\":\"2019-07-01T00:00:12."
            "092Z\"}}");
}

// A real 2019 archive (224-byte tcp_info, millisecond times): read back, every data line
// re-encodes to exactly the original bytes.
TEST(ArchivalRecordTest, RealArchiveReadsBackAndReencodesIdentically) {
  const std::string path = testing::SharedTestData(
      "tcp-info/netlink/testdata/ndt-7hhhv_1559749627_0000000000062D84.00000.jsonl.zst");
  absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(path);
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 892u);
  ASSERT_TRUE(lines->front().metadata.has_value());
  EXPECT_EQ(lines->front().metadata->uuid, "ndt-7hhhv_1559749627_0000000000062D84");
  EXPECT_EQ(lines->front().metadata->sequence, 0);
  EXPECT_EQ(lines->front().metadata->start_time, absl::FromUnixMillis(1561939212092));

  const ArchiveLine& last = lines->back();
  ASSERT_GT(last.attributes.size(), 2u);
  ASSERT_TRUE(last.attributes[2].has_value());
  EXPECT_EQ(last.attributes[2]->size(), 224u);
  EXPECT_EQ(TcpInfoU64(*last.attributes[2], 200), 3939771u);  // bytes_sent
  EXPECT_EQ(TcpInfoU64(*last.attributes[2], 128), 1245u);     // bytes_received
  EXPECT_EQ(static_cast<uint8_t>(last.raw_idm[1]), 8);        // CLOSE_WAIT

  const std::string text =
      ReadZstd("tcp-info/netlink/testdata/ndt-7hhhv_1559749627_0000000000062D84.00000.jsonl.zst");
  std::vector<absl::string_view> original = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(original.size(), lines->size());
  for (size_t i = 1; i < lines->size(); ++i) {
    std::string line;
    AppendSnapshotLine(testing::SnapshotFromArchiveLine((*lines)[i]), &line);
    ASSERT_EQ(line, original[i]) << "line " << i + 1;
  }
}

TEST(ArchivalRecordTest, AttributeLessRecordIsOneNull) {
  testing::DiagMessageSpec spec;
  spec.state = 5;
  std::string line;
  AppendSnapshotLine(testing::Snapshot(spec, absl::FromUnixNanos(1554836592123456789)), &line);
  EXPECT_TRUE(absl::EndsWith(line, ",\"Attributes\":[null]}")) << line;
  EXPECT_TRUE(absl::StartsWith(line, "{\"Timestamp\":\"2019-04-09T19:03:12.123456789Z\",")) << line;
}

TEST(ArchivalRecordTest, ReadsUpstreamEdgeCaseSample) {
  absl::StatusOr<std::vector<ArchiveLine>> lines =
      ReadArchive(testing::SharedTestData("tcp-info/saver/testdata/"
                                          "finwait2-sample_1554836592_unsafe_000000000135A272."
                                          "00000.jsonl.zst"));
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 63u);
  EXPECT_EQ(lines->back().attributes.size(), 1u);
  EXPECT_FALSE(lines->back().attributes[0].has_value());
}

}  // namespace
}  // namespace mlab::tcpinfo
