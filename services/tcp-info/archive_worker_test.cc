#include "services/tcp-info/archive_worker.h"

#include <netinet/in.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/spool/spool_dir.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/flow_table.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/temp_dir.h"

namespace mlab::tcpinfo {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1562025300);

class ArchiveWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(spool_.Init().ok()); }

  // Opens `flows` flows, changes each `changes` times, then closes them all.
  void Lifetimes(FlowTable& table, int flows, int changes) {
    std::vector<testing::DiagMessageSpec> specs;
    for (int i = 1; i <= flows; ++i) specs.push_back(testing::EstablishedV4(i));
    for (int poll = 0; poll <= changes; ++poll) {
      FamilyDump dump;
      dump.family = AF_INET;
      dump.timestamp = kT0 + absl::Milliseconds(10 * poll);
      for (testing::DiagMessageSpec& spec : specs) {
        ++spec.attributes[1].second[100];
        dump.sockets.push_back(testing::Snapshot(spec, dump.timestamp));
      }
      table.Apply(dump);
    }
    FamilyDump empty;
    empty.family = AF_INET;
    empty.timestamp = kT0 + absl::Seconds(1);
    table.Apply(empty);
  }

  testing::TempDir dir_;
  spool::SpoolDir spool_{dir_.path() + "/tcpinfo"};
  FlowFilter filter_;
};

TEST_F(ArchiveWorkerTest, ArchivesEverythingInOrderOffThePollingThread) {
  Archiver archiver(&spool_, {});
  ArchiveWorker worker(&archiver);
  FlowTable table("host_1", &filter_);
  table.AddObserver(&worker);
  Lifetimes(table, 50, 9);
  worker.Drain();
  EXPECT_EQ(worker.queued(), 0u);
  std::vector<std::string> files = testing::ListFiles(spool_.datadir());
  ASSERT_EQ(files.size(), 50u);
  for (const std::string& file : files) {
    absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(spool_.datadir() + "/" + file);
    ASSERT_TRUE(lines.ok()) << lines.status();
    ASSERT_EQ(lines->size(), 11u);  // header + 10 snapshots
    for (size_t i = 2; i < lines->size(); ++i) {
      EXPECT_GT((*lines)[i].timestamp, (*lines)[i - 1].timestamp);
    }
  }
  worker.Shutdown();
}

TEST_F(ArchiveWorkerTest, FullQueueMakesThePollerWaitButLosesNothing) {
  Archiver archiver(&spool_, {});
  ArchiveWorker worker(&archiver, /*capacity=*/2);
  FlowTable table("host_1", &filter_);
  table.AddObserver(&worker);
  Lifetimes(table, 20, 4);
  worker.Shutdown();  // drains first
  EXPECT_GT(worker.full_waits(), 0);
  EXPECT_EQ(testing::ListFiles(spool_.datadir()).size(), 20u);
  EXPECT_EQ(archiver.stats().snapshots_written, 100u);
}

TEST_F(ArchiveWorkerTest, ShutdownCommitsFilesOfOpenFlows) {
  Archiver archiver(&spool_, {});
  ArchiveWorker worker(&archiver);
  FlowTable table("host_1", &filter_);
  table.AddObserver(&worker);
  FamilyDump dump;
  dump.family = AF_INET;
  dump.timestamp = kT0;
  dump.sockets.push_back(testing::Snapshot(testing::EstablishedV4(1), kT0));
  table.Apply(dump);
  worker.Tick(kT0 + absl::Seconds(1));
  worker.Shutdown();
  EXPECT_EQ(testing::ListFiles(spool_.datadir()).size(), 1u);
  EXPECT_EQ(archiver.stats().open_files, 0u);
}

}  // namespace
}  // namespace mlab::tcpinfo
