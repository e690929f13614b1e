#include "services/tcp-info/archiver.h"

#include <netinet/in.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"
#include "lib/testing/small_filesystem.h"
#include "services/tcp-info/archival_record.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/flow_table.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/temp_dir.h"
#include "services/tcp-info/zstd_decode.h"

namespace mlab::tcpinfo {
namespace {

using testing::DiagMessageSpec;
using ::testing::ElementsAre;

// 2019-07-01T23:55:00Z: five minutes before midnight, to see date changes.
const absl::Time kT0 = absl::FromUnixSeconds(1562025300);
constexpr char kUuid[] = "host_1_0000000000000005";

class ArchiverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(spool_.Init().ok()); }

  // Feeds the archiver one flow's snapshot through a FlowTable, as the poller does.
  void Poll(absl::Time when, bool present = true) {
    FamilyDump dump;
    dump.family = AF_INET;
    dump.timestamp = when;
    if (present) dump.sockets.push_back(testing::Snapshot(flow_, when));
    table_.Apply(dump);
  }
  // Changes a counter, so the next poll archives a snapshot.
  void Change() { ++flow_.attributes[1].second[100]; }

  std::vector<std::string> Files() { return testing::ListFiles(spool_.datadir()); }

  std::vector<ArchiveLine> Read(const std::string& relative) {
    absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(spool_.datadir() + "/" + relative);
    EXPECT_TRUE(lines.ok()) << lines.status();
    return lines.ok() ? *lines : std::vector<ArchiveLine>();
  }

  testing::TempDir dir_;
  spool::SpoolDir spool_{dir_.path() + "/tcpinfo"};
  FlowFilter filter_;
  FlowTable table_{"host_1", &filter_};
  DiagMessageSpec flow_ = testing::EstablishedV4(5);
};

TEST_F(ArchiverTest, FlowLifetimeMakesOneFileWithHeaderAndChangedSnapshots) {
  Archiver archiver(&spool_, {});
  table_.AddObserver(&archiver);
  Poll(kT0);
  Poll(kT0 + absl::Milliseconds(10));  // unchanged: not archived
  Change();
  Poll(kT0 + absl::Milliseconds(20));
  EXPECT_THAT(Files(), ElementsAre());  // invisible while the flow is open
  Poll(kT0 + absl::Milliseconds(30), /*present=*/false);

  ASSERT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kUuid + ".00000.jsonl.zst"));
  std::vector<ArchiveLine> lines = Read(Files()[0]);
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_TRUE(lines[0].metadata.has_value());
  EXPECT_EQ(lines[0].metadata->uuid, kUuid);
  EXPECT_EQ(lines[0].metadata->sequence, 0);
  EXPECT_EQ(lines[0].metadata->start_time, kT0);
  EXPECT_EQ(lines[1].timestamp, kT0);
  EXPECT_EQ(lines[2].timestamp, kT0 + absl::Milliseconds(20));
  EXPECT_EQ(static_cast<uint8_t>((*lines[2].attributes[2])[100]), 1);
  EXPECT_EQ(archiver.stats().files_committed, 1u);
  EXPECT_EQ(archiver.stats().snapshots_written, 2u);
  EXPECT_EQ(archiver.flows(), 0u);

  // The file's bytes are exactly the record lines.
  std::string expected;
  AppendMetadataLine(kUuid, 0, kT0, &expected);
  expected += "\n";
  AppendSnapshotLine(testing::Snapshot(testing::EstablishedV4(5), kT0), &expected);
  expected += "\n";
  EXPECT_TRUE(absl::StartsWith(
      *Decompress(*fileio::ReadWholeFile(spool_.datadir() + "/" + Files()[0])), expected));
}

TEST_F(ArchiverTest, RotatesOnSnapshotAfterTenMinutesIntoTheNextDaysDirectory) {
  Archiver archiver(&spool_, {});
  table_.AddObserver(&archiver);
  Poll(kT0);
  Change();
  Poll(kT0 + absl::Minutes(5));
  Change();
  Poll(kT0 + absl::Minutes(11));  // past kT0 + 10 min and past midnight
  EXPECT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kUuid + ".00000.jsonl.zst"));
  Poll(kT0 + absl::Minutes(12), false);
  ASSERT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kUuid + ".00000.jsonl.zst",
                                   std::string("2019/07/02/") + kUuid + ".00001.jsonl.zst"));
  EXPECT_EQ(Read(Files()[0]).size(), 3u);
  std::vector<ArchiveLine> second = Read(Files()[1]);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].metadata->sequence, 1);
  EXPECT_EQ(second[0].metadata->start_time, kT0);  // the flow's start, in every file
  EXPECT_EQ(second[1].timestamp, kT0 + absl::Minutes(11));
}

TEST_F(ArchiverTest, TickCommitsIdleFlowsFileOnTimeAndNextSnapshotContinues) {
  Archiver archiver(&spool_, {});
  table_.AddObserver(&archiver);
  Poll(kT0);
  archiver.Tick(kT0 + absl::Minutes(9));
  EXPECT_THAT(Files(), ElementsAre());
  archiver.Tick(kT0 + absl::Minutes(10));
  EXPECT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kUuid + ".00000.jsonl.zst"));
  // Idle for an hour: one more file when it changes again, no burst of empty rotations.
  archiver.Tick(kT0 + absl::Minutes(70));
  Change();
  Poll(kT0 + absl::Minutes(71));
  archiver.Tick(kT0 + absl::Minutes(75));
  EXPECT_EQ(Files().size(), 1u);
  archiver.Tick(kT0 + absl::Minutes(80));  // rotation deadline stays aligned to the start
  ASSERT_EQ(Files().size(), 2u);
  EXPECT_EQ(Files()[1], std::string("2019/07/02/") + kUuid + ".00001.jsonl.zst");
  EXPECT_EQ(Read(Files()[1]).size(), 2u);
}

TEST_F(ArchiverTest, NeverTruncatesAnExistingArchiveAfterARestart) {
  const std::string existing = spool_.datadir() + "/2019/07/01/" + kUuid + ".00000.jsonl.zst";
  testing::WriteFileOrDie(existing, "the previous process's archive");
  testing::WriteFileOrDie(spool_.datadir() + "/2019/07/02/" + kUuid + ".00001.jsonl.zst", "x");
  Archiver archiver(&spool_, {});
  table_.AddObserver(&archiver);
  Poll(kT0);
  Poll(kT0 + absl::Minutes(1), false);
  EXPECT_EQ(*fileio::ReadWholeFile(existing), "the previous process's archive");
  ASSERT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kUuid + ".00000.jsonl.zst",
                                   std::string("2019/07/01/") + kUuid + ".00001.jsonl.zst",
                                   std::string("2019/07/02/") + kUuid + ".00001.jsonl.zst"));
  std::vector<ArchiveLine> lines = Read(Files()[1]);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].metadata->sequence, 1);
}

TEST_F(ArchiverTest, TickFlushesSoTheStagedFileHoldsEveryRecord) {
  Archiver archiver(&spool_, {.flush_interval = absl::Seconds(1)});
  table_.AddObserver(&archiver);
  for (int i = 0; i < 20; ++i) {
    Change();
    Poll(kT0 + absl::Milliseconds(10 * i));
  }
  archiver.Tick(kT0 + absl::Seconds(1));
  std::vector<std::string> staged = testing::ListFiles(spool_.staging_dir());
  ASSERT_EQ(staged.size(), 1u);
  ZstdPrefix prefix =
      DecompressPrefix(*fileio::ReadWholeFile(spool_.staging_dir() + "/" + staged[0]));
  EXPECT_FALSE(prefix.complete);
  EXPECT_EQ(std::count(prefix.data.begin(), prefix.data.end(), '\n'), 21);
}

// A full disk costs the snapshots it could not hold, never a file that does not decode: the
// file whose flush failed is dropped, and once there is room the flow goes on in the next one.
TEST_F(ArchiverTest, FullDiskDropsTheBrokenFileAndTheNextSequenceIsWhole) {
  if (absl::Status ns = ::mlab::testing::PrivateMountNamespace(); !ns.ok()) GTEST_SKIP() << ns;
  const std::string disk = dir_.path() + "/disk";
  auto disk_fs = ::mlab::testing::SmallFilesystem::Mount(disk, 256 << 10);
  ASSERT_TRUE(disk_fs.ok()) << disk_fs.status();
  spool::SpoolDir spool(disk + "/tcpinfo");
  ASSERT_TRUE(spool.Init().ok());
  Archiver archiver(&spool, {.flush_interval = absl::Seconds(1)});
  table_.AddObserver(&archiver);
  Poll(kT0);
  absl::StatusOr<std::string> filler = (*disk_fs)->Fill("filler");
  ASSERT_TRUE(filler.ok()) << filler.status();
  for (int i = 1; i <= 10; ++i) {
    Change();
    Poll(kT0 + absl::Milliseconds(10 * i));
  }
  archiver.Tick(kT0 + absl::Seconds(1));  // The flush finds no room.
  EXPECT_EQ(archiver.stats().errors, 1u);
  EXPECT_EQ(archiver.stats().open_files, 0u);

  ASSERT_EQ(unlink(filler->c_str()), 0);
  Change();
  Poll(kT0 + absl::Seconds(2));
  Poll(kT0 + absl::Seconds(3), false);  // Closed: its file is committed.
  std::vector<std::string> files = testing::ListFiles(spool.datadir());
  ASSERT_THAT(files, ElementsAre(std::string("2019/07/01/") + kUuid + ".00001.jsonl.zst"));
  absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(spool.datadir() + "/" + files[0]);
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 2u);  // Its header, and the snapshot after the disk had room.
  EXPECT_EQ((*lines)[0].metadata->sequence, 1);
  EXPECT_TRUE(testing::ListFiles(spool.staging_dir()).empty());
  EXPECT_EQ(archiver.stats().files_committed, 1u);
}

TEST_F(ArchiverTest, ShutdownCommitsOpenFiles) {
  {
    Archiver archiver(&spool_, {});
    table_.AddObserver(&archiver);
    Poll(kT0);
    archiver.Shutdown();
    EXPECT_EQ(Files().size(), 1u);
    // A snapshot after Shutdown goes to the next sequence, never into the committed file.
    Change();
    Poll(kT0 + absl::Seconds(1));
  }
  EXPECT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kUuid + ".00000.jsonl.zst",
                                   std::string("2019/07/01/") + kUuid + ".00001.jsonl.zst"));
}

TEST_F(ArchiverTest, RewritesRawIdmWhenAsked) {
  Archiver archiver(&spool_, {.rewrite_idm = [](std::string* idm) { (*idm)[11] = 0; }});
  table_.AddObserver(&archiver);
  flow_.src = testing::Address("192.0.2.77");
  Poll(kT0);
  archiver.Shutdown();
  std::vector<ArchiveLine> lines = Read(Files()[0]);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(lines[1].raw_idm[10]), 2);
  EXPECT_EQ(static_cast<uint8_t>(lines[1].raw_idm[11]), 0);
}

}  // namespace
}  // namespace mlab::tcpinfo
