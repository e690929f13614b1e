#include "services/tcp-info/archive_repair.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/fileio/files.h"
#include "lib/spool/spool_dir.h"
#include "services/tcp-info/archival_record.h"
#include "services/tcp-info/archive_reader.h"
#include "services/tcp-info/archiver.h"
#include "services/tcp-info/flow_table.h"
#include "services/tcp-info/testing/diag_message_builder.h"
#include "services/tcp-info/testing/temp_dir.h"
#include "services/tcp-info/zstd_decode.h"

namespace mlab::tcpinfo {
namespace {

using ::testing::ElementsAre;

const absl::Time kT0 = absl::FromUnixSeconds(1562025300);  // 2019-07-01T23:55:00Z
constexpr char kName[] = "host_1_0000000000000005.00000.jsonl.zst";

std::string Header(int64_t sequence) {
  std::string line;
  AppendMetadataLine("host_1_0000000000000005", sequence, kT0, &line);
  return line + "\n";
}

std::string Record(int i) {
  return absl::StrCat("{\"Timestamp\":\"2019-07-01T23:55:00Z\",\"RawIDM\":\"AA==\",\"n\":", i,
                      "}\n");
}

// Compresses `flushed` and ends a block, then compresses `unflushed` without ending anything:
// the bytes a killed writer leaves behind.
std::string TruncatedStream(const std::string& flushed, const std::string& unflushed) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
  std::string out;
  std::vector<char> buffer(ZSTD_CStreamOutSize());
  auto run = [&](const std::string& data, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    size_t remaining;
    do {
      ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
      remaining = ZSTD_compressStream2(context, &o, &in, mode);
      out.append(buffer.data(), o.pos);
    } while (in.pos < in.size || (mode != ZSTD_e_continue && remaining != 0));
  };
  run(flushed, ZSTD_e_flush);
  run(unflushed, ZSTD_e_continue);
  ZSTD_freeCCtx(context);
  return out;
}

class ArchiveRepairTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(spool_.Init().ok()); }

  // A staged file as a dead process (another instance tag) leaves it.
  void Stage(const std::string& relative, const std::string& bytes) {
    testing::WriteFileOrDie(
        absl::StrCat(spool_.staging_dir(), "/", relative, ".deadbeefdeadbeef-0.staged"), bytes);
  }
  std::vector<std::string> Files() { return testing::ListFiles(spool_.datadir()); }
  std::string Text(const std::string& relative) {
    absl::StatusOr<std::string> bytes = fileio::ReadWholeFile(spool_.datadir() + "/" + relative);
    EXPECT_TRUE(bytes.ok());
    absl::StatusOr<std::string> text = Decompress(*bytes);  // must be complete and checksummed
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : "";
  }

  testing::TempDir dir_;
  spool::SpoolDir spool_{dir_.path() + "/tcpinfo"};
};

TEST_F(ArchiveRepairTest, CompletesATruncatedArchiveWithItsWholeLines) {
  std::string flushed = Header(0);
  for (int i = 0; i < 5; ++i) flushed += Record(i);
  std::string unflushed;
  for (int i = 5; i < 9; ++i) unflushed += Record(i);
  std::string stream = TruncatedStream(flushed, unflushed);
  Stage(std::string("2019/07/01/") + kName, stream);

  absl::StatusOr<RepairReport> report = RepairLeftovers(spool_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->repaired, 1);
  EXPECT_EQ(report->lines, 6u);
  ASSERT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kName));
  EXPECT_EQ(Text(Files()[0]), flushed);
  EXPECT_TRUE(testing::ListFiles(spool_.staging_dir()).empty());
}

TEST_F(ArchiveRepairTest, CutsAPartialLastLine) {
  std::string text = Header(0) + Record(0) + Record(1).substr(0, 10);
  Stage(std::string("2019/07/01/") + kName, TruncatedStream(text, ""));
  ASSERT_TRUE(RepairLeftovers(spool_).ok());
  EXPECT_EQ(Text(Files().at(0)), Header(0) + Record(0));
}

TEST_F(ArchiveRepairTest, TakesTheNextFreeSequenceAndRenumbersTheHeader) {
  testing::WriteFileOrDie(std::string(spool_.datadir()) + "/2019/07/01/" + kName, "taken");
  Stage(std::string("2019/07/01/") + kName, TruncatedStream(Header(0) + Record(0), ""));
  absl::StatusOr<RepairReport> report = RepairLeftovers(spool_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->renamed, 1);
  ASSERT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kName,
                                   "2019/07/01/host_1_0000000000000005.00001.jsonl.zst"));
  EXPECT_EQ(*fileio::ReadWholeFile(spool_.datadir() + "/" + Files()[0]), "taken");
  EXPECT_EQ(Text(Files()[1]), Header(1) + Record(0));
}

TEST_F(ArchiveRepairTest, DropsLeftoversThatRecordedNothing) {
  Stage("2019/07/01/a_0000000000000001.00000.jsonl.zst", TruncatedStream(Header(0), ""));
  Stage("2019/07/01/a_0000000000000002.00000.jsonl.zst", "");
  Stage("2019/07/01/a_0000000000000003.00000.jsonl.zst", "not zstd at all");
  absl::StatusOr<RepairReport> report = RepairLeftovers(spool_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->discarded, 3);
  EXPECT_THAT(Files(), ElementsAre());
  EXPECT_TRUE(testing::ListFiles(spool_.staging_dir()).empty());
}

TEST_F(ArchiveRepairTest, LeavesForeignFilesInPlace) {
  Stage("2019/07/01/something-else.json", "{}");
  absl::StatusOr<RepairReport> report = RepairLeftovers(spool_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failed, 1);
  EXPECT_EQ(testing::ListFiles(spool_.staging_dir()).size(), 1u);
}

constexpr char kWriterDirVariable[] = "TCPINFO_TEST_KILLED_WRITER_DATADIR";
constexpr int kRecords = 40;

// The writer of KilledWriterLosesNothingFlushed: runs only in the child process that test
// starts, archives kRecords snapshots of one flow, flushes, and dies by SIGKILL.
TEST(KilledWriter, Run) {
  const char* datadir = std::getenv(kWriterDirVariable);
  if (datadir == nullptr) GTEST_SKIP() << "runs as KilledWriterLosesNothingFlushed's child";
  spool::SpoolDir spool(datadir);
  FlowFilter filter;
  FlowTable table("host_1", &filter);
  Archiver archiver(&spool, {});
  table.AddObserver(&archiver);
  testing::DiagMessageSpec flow = testing::EstablishedV4(5);
  for (int i = 0; i < kRecords; ++i) {
    ++flow.attributes[1].second[100];
    FamilyDump dump;
    dump.family = AF_INET;
    dump.timestamp = kT0 + absl::Milliseconds(10 * i);
    dump.sockets.push_back(testing::Snapshot(flow, dump.timestamp));
    table.Apply(dump);
  }
  archiver.Tick(kT0 + absl::Seconds(1));
  kill(getpid(), SIGKILL);
}

// A real writer process (a fresh exec, as after a container restart) killed with SIGKILL after a
// flush: the restarted side recovers every flushed record, and the flow's next file takes the
// next sequence.
TEST_F(ArchiveRepairTest, KilledWriterLosesNothingFlushed) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    setenv(kWriterDirVariable, spool_.datadir().c_str(), 1);
    execl("/proc/self/exe", "archive_repair_test", "--gtest_filter=KilledWriter.Run",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_THAT(Files(), ElementsAre());

  absl::StatusOr<RepairReport> report = RepairLeftovers(spool_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->repaired, 1);
  ASSERT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kName));
  absl::StatusOr<std::vector<ArchiveLine>> lines = ReadArchive(spool_.datadir() + "/" + Files()[0]);
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), kRecords + 1u);
  EXPECT_EQ(lines->back().timestamp, kT0 + absl::Milliseconds(10 * (kRecords - 1)));

  // The flow is still open after the restart: it continues in .00001.
  FlowFilter filter;
  FlowTable table("host_1", &filter);
  Archiver archiver(&spool_, {});
  table.AddObserver(&archiver);
  FamilyDump dump;
  dump.family = AF_INET;
  dump.timestamp = kT0 + absl::Seconds(2);
  dump.sockets.push_back(testing::Snapshot(testing::EstablishedV4(5), dump.timestamp));
  table.Apply(dump);
  archiver.Shutdown();
  EXPECT_THAT(Files(), ElementsAre(std::string("2019/07/01/") + kName,
                                   "2019/07/01/host_1_0000000000000005.00001.jsonl.zst"));
}

}  // namespace
}  // namespace mlab::tcpinfo
